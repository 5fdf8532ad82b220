"""A council admin's contracts: the register, adding one contract, and ending one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from forms.council_setup import ContractForm, EndContractForm, hourly_rate
from forms.setup import ButtonForm
from portal.access import requires
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.setup import contracts, councils
from portal.vocabulary import ContractType, Role

bp = Blueprint("council_contracts", __name__)

COUNCIL_ADMIN = {"org": "council", "council_admin": True}
# Filled in from the CQC directory ("Use this" links on the add contract page).
PREFILLED = ("provider_name", "cqc_provider_id", "location_ids")


@bp.route("/council/<int:council_id>/contracts")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def contracts_list(council_id: int):
    found = setup_queries.council_contracts(council_id)
    return render_template(
        "council/setup/contracts.html",
        council=organisations.get_council(council_id),
        contracts=found,
        pending=setup_queries.pending_managers(sorted({c.provider_id for c in found})),
    )


@bp.route(
    "/council/<int:council_id>/contracts/<int:contract_id>/resend-invitation", methods=["POST"]
)
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def resend_invitation(council_id: int, contract_id: int):
    """A fresh link for the contract's provider's invited manager (the old one stops
    working): invitations last 7 days."""
    contract = setup_queries.council_contract(council_id, contract_id)
    waiting = setup_queries.pending_managers([contract.provider_id]).get(contract.provider_id, [])
    if not ButtonForm().validate_on_submit() or not waiting:
        flash("Nothing to re-send", "error")
    else:
        for user in waiting:
            councils.resend_invitation(user, current_user)
        emails = ", ".join(u.email for u in waiting)
        flash(f"A new invitation has been sent to {emails}", "success")
    return redirect(url_for(".contracts_list", council_id=council_id))


def _choices(form: ContractForm, council_id: int) -> None:
    found = setup_queries.council_frameworks(council_id)
    form.framework_id.choices = [("", "None (a spot contract)")] + [
        (str(f.id), f.name) for f in found
    ]
    form.area_id.choices = [("", "None")] + [
        (str(a.id), f"{f.name}: {a.name}") for f in found for a in f.areas
    ]


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@bp.route("/council/<int:council_id>/contracts/new", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def add_contract(council_id: int):
    council = organisations.get_council(council_id)
    prefill = {k: request.args.get(k, "")[:200] for k in PREFILLED if request.args.get(k)}
    form = ContractForm(data=prefill) if request.method == "GET" else ContractForm()
    _choices(form, council_id)
    found_text = request.args.get("find", "")[:100]
    found = setup_queries.directory_search(found_text) if found_text else None
    if form.validate_on_submit():
        line = contracts.ContractLine(
            provider_name=form.provider_name.data,
            cqc_provider_id=form.cqc_provider_id.data or None,
            location_ids=contracts.location_list(form.location_ids.data),
            framework_id=_number(form.framework_id.data),
            area_id=_number(form.area_id.data),
            contract_type=ContractType(form.contract_type.data),
            hourly_rate=hourly_rate(form.hourly_rate.data),
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            contact_email=(form.contact_email.data or "").strip().lower() or None,
        )
        contract, errors = contracts.add_contract(council, line, current_user)
        if contract is not None:
            flash(f"The contract with {line.provider_name} has been added", "success")
            if line.cqc_provider_id is None:
                flash(messages.PROVIDER_WITHOUT_CQC_ID, "warning")
            return redirect(url_for(".contracts_list", council_id=council_id))
        for name, message in errors.items():
            form[name].errors = [message]
    status = 400 if form.errors or any(f.errors for f in form) else 200
    return render_template(
        "council/setup/add_contract.html",
        council=council,
        form=form,
        found=found,
        found_text=found_text,
        directory_size=setup_queries.directory_size(),
    ), status


@bp.route("/council/<int:council_id>/contracts/<int:contract_id>/end", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def end_contract(council_id: int, contract_id: int):
    contract = setup_queries.council_contract(council_id, contract_id)
    form = EndContractForm()
    if form.validate_on_submit():
        if contract.start_date and form.end_date.data < contract.start_date:
            form.end_date.errors = [messages.CONTRACT_END_BEFORE_START]
        else:
            closed = contracts.end_contract(contract, form.end_date.data, current_user)
            closed_text = ", ".join(f"{m:%B %Y}" for m in closed)
            flash(
                f"The contract ends on {form.end_date.data:%-d %B %Y}"
                + (f". Returns closed: {closed_text}" if closed else ""),
                "success",
            )
            return redirect(url_for(".contracts_list", council_id=council_id))
    status = 400 if form.errors or any(f.errors for f in form) else 200
    return render_template(
        "council/setup/end_contract.html", council=contract.council, contract=contract, form=form
    ), status
