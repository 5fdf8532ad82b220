"""A council's super training matrix, for its commissioners: across the area or for one
provider, as at a chosen date, on the page and as CSV or XLSX."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for

from portal import clock, exports
from portal.access import requires
from portal.matrix import EXPORT_HEADER, Matrix, build_matrix, default_as_at
from portal.queries import organisations
from portal.returns import training_status_rules
from portal.vocabulary import Role

bp = Blueprint("training_matrix", __name__)

AS_AT_ERROR = "Enter the date as year, month and day, for example 2026-10-31"


def parse_as_at(raw: str | None) -> tuple[date, str | None]:
    """The ``as_at`` query value, or the default (end of the latest period) and an error."""
    fallback = default_as_at(clock.today())
    if not raw:
        return fallback, None
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return fallback, AS_AT_ERROR


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
    as_at, error = parse_as_at(request.args.get("as_at"))
    matrix = build_matrix(council_id, as_at, provider.id if provider else None)
    return council, providers, provider, as_at, error, matrix


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
    council, providers, provider, as_at, error, matrix = _load(council_id)
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
        as_at_text=request.args.get("as_at", as_at.isoformat()) if error else as_at.isoformat(),
        error=error,
        error_list=[{"text": error, "href": "#as_at"}] if error else None,
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
