"""A council's super training matrix, for its commissioners: across the area or for one
provider, as at a chosen date, on the page and as CSV or XLSX."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for

from forms.govuk_dates import DATE_PARTS, form_date_parts, parse_date_parts, split_date
from portal import clock, exports
from portal.access import requires
from portal.matrix import EXPORT_HEADER, Matrix, build_matrix, default_as_at
from portal.queries import organisations
from portal.returns import training_status_rules
from portal.vocabulary import Role

bp = Blueprint("training_matrix", __name__)

AS_AT_SUBJECT = "date to show the matrix at"
AS_AT_ERROR = "Enter a real date to show the matrix at, for example 31 10 2026"


def parse_as_at(args) -> tuple[date, str | None, dict[str, str], list[str]]:
    """The date the matrix is shown at, from the GOV.UK date input's three boxes
    (``as_at-day`` ...) or the ``as_at`` of a download link (ISO): (the date, or the default
    of the end of the latest period; an error; the boxes to show; the boxes to highlight)."""
    fallback = default_as_at(clock.today())
    boxes = form_date_parts(args, "as_at")
    if any(v.strip() for v in boxes.values()):
        value, error, parts = parse_date_parts(boxes, AS_AT_SUBJECT, required=False)
        return (value or fallback), error, boxes, parts
    raw = (args.get("as_at") or "").strip()
    if not raw:
        return fallback, None, split_date(fallback), []
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return fallback, AS_AT_ERROR, split_date(fallback), list(DATE_PARTS)
    return value, None, split_date(value), []


def _load(council_id: int):
    council = organisations.get_council(council_id)
    providers = [p for p, _ in organisations.council_providers(council_id)]
    provider = None
    raw = request.args.get("provider", "").strip()
    if raw:
        if not raw.isdigit():
            abort(404)
        provider = next((p for p in providers if p.id == int(raw)), None)
        if provider is None:
            abort(404)
    as_at, error, boxes, parts = parse_as_at(request.args)
    matrix = build_matrix(council_id, as_at, provider.id if provider else None)
    return council, providers, provider, as_at, (error, boxes, parts), matrix


def _args(provider, as_at: date) -> dict[str, str]:
    args = {"as_at": as_at.isoformat()}
    if provider is not None:
        args["provider"] = str(provider.id)
    return args


def _filename(council, provider, matrix: Matrix, extension: str) -> str:
    who = f"-{provider.slug}" if provider is not None else ""
    return f"{council.slug}{who}-training-matrix-{matrix.as_at.isoformat()}.{extension}"


@bp.route("/council/<int:council_id>/training-matrix")
@requires(Role.COMMISSIONER, org="council")
def training_matrix(council_id: int):
    council, providers, provider, as_at, (error, boxes, parts), matrix = _load(council_id)
    args = _args(provider, as_at)
    return render_template(
        "council/training_matrix.html",
        council=council,
        provider=provider,
        provider_items=[{"value": "", "text": "All providers"}]
        + [
            {
                "value": str(p.id),
                "text": p.name,
                "selected": provider is not None and p.id == provider.id,
            }
            for p in providers
        ],  # fmt: skip
        as_at_boxes=boxes,
        as_at_highlight=parts,
        error=error,
        error_list=[{"text": error, "href": f"#as_at-{(parts or ['day'])[0]}"}] if error else None,
        matrix=matrix,
        status_labels=training_status_rules.STATUS_LABELS,
        csv_url=url_for(".export_csv", council_id=council_id, **args),
        xlsx_url=url_for(".export_xlsx", council_id=council_id, **args),
    )


@bp.route("/council/<int:council_id>/training-matrix.csv")
@requires(Role.COMMISSIONER, org="council")
def export_csv(council_id: int):
    council, _, provider, _, _, matrix = _load(council_id)
    return exports.csv_response(
        _filename(council, provider, matrix, "csv"), EXPORT_HEADER, matrix.export_rows()
    )


@bp.route("/council/<int:council_id>/training-matrix.xlsx")
@requires(Role.COMMISSIONER, org="council")
def export_xlsx(council_id: int):
    council, _, provider, _, _, matrix = _load(council_id)
    return exports.xlsx_response(
        _filename(council, provider, matrix, "xlsx"),
        EXPORT_HEADER,
        matrix.export_rows(),
        sheet_name="Training matrix",
    )
