"""A council's returns overview: every contract x the last six months, with the status of
each return in words, counts of returns on time, late, missing and still open, filters by
framework, lot (area) and contract type, and the same data as CSV or XLSX.

Commissioners and quality-assurance officers of the council can see it; only
commissioners get links to a provider's returns (that page is theirs alone)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from portal import clock, exports
from portal.access import requires
from portal.clock import as_utc
from portal.queries import organisations
from portal.queries import returns as return_queries
from portal.returns import service
from portal.vocabulary import ContractType, ReturnStatus, Role

if TYPE_CHECKING:
    from portal.models import Contract, Framework
    from portal.queries.returns import ReturnGlance

bp = Blueprint("returns_overview", __name__)

MONTHS_SHOWN = 6
OUTSIDE_A_FRAMEWORK = "none"  # the framework filter's value for spot contracts
EXPORT_HEADER = (  # labels, as every heading people read
    "Provider",
    "Framework",
    "Area",
    "Contract type",
    "Month",
    "Status",
    "Submitted at",
    "Versions",
)
SUBMITTED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED)


# --- periods and filters ---------------------------------------------------------------


def months_shown(on: date) -> list[date]:
    """The latest period whose return has opened (last month) and the five before it,
    newest first."""
    months = []
    month = on.replace(day=1)
    for _ in range(MONTHS_SHOWN):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


@dataclass(frozen=True)
class Filters:
    """Filters taken from the query string; values that are not this council's are
    dropped, so the page never fails on a junk or foreign id."""

    framework_id: int | None = None
    outside_framework: bool = False
    area_id: int | None = None
    contract_type: ContractType | None = None

    @property
    def active(self) -> bool:
        return bool(self.query_args())

    def query_args(self) -> dict[str, str]:
        args = {}
        if self.outside_framework:
            args["framework"] = OUTSIDE_A_FRAMEWORK
        elif self.framework_id is not None:
            args["framework"] = str(self.framework_id)
        if self.area_id is not None:
            args["area"] = str(self.area_id)
        if self.contract_type is not None:
            args["contract_type"] = self.contract_type.value
        return args

    def as_query(self) -> dict:
        """The filters as ``queries.organisations.council_contracts`` takes them."""
        return {
            "framework_id": self.framework_id,
            "outside_framework": self.outside_framework,
            "area_id": self.area_id,
            "contract_type": self.contract_type,
        }


def _as_id(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def parse_filters(args: Mapping[str, str], frameworks: list[Framework]) -> Filters:
    framework_ids = {f.id for f in frameworks}
    area_ids = {a.id for f in frameworks for a in f.areas}
    raw_framework = args.get("framework", "")
    framework_id = _as_id(raw_framework)
    area_id = _as_id(args.get("area", ""))
    types = {t.value: t for t in ContractType}
    return Filters(
        framework_id=framework_id if framework_id in framework_ids else None,
        outside_framework=raw_framework.strip() == OUTSIDE_A_FRAMEWORK,
        area_id=area_id if area_id in area_ids else None,
        contract_type=types.get(args.get("contract_type", "").strip()),
    )


def filter_items(frameworks: list[Framework], filters: Filters) -> dict[str, list[dict]]:
    """The options of the three filter selects, with the current choice selected."""
    framework_items = [{"value": "", "text": "All frameworks"}]
    framework_items += [
        {"value": str(f.id), "text": f.name, "selected": f.id == filters.framework_id}
        for f in frameworks
    ]
    framework_items.append(
        {
            "value": OUTSIDE_A_FRAMEWORK,
            "text": "Outside a framework",
            "selected": filters.outside_framework,
        }
    )
    area_items = [{"value": "", "text": "All lots and areas"}]
    area_items += [
        {"value": str(a.id), "text": f"{a.name} ({f.name})", "selected": a.id == filters.area_id}
        for f in frameworks
        for a in f.areas
    ]
    type_items = [{"value": "", "text": "All contract types"}]
    type_items += [
        {"value": t.value, "text": t.label, "selected": t is filters.contract_type}
        for t in ContractType
    ]
    return {"framework": framework_items, "area": area_items, "contract_type": type_items}


# --- cells, rows and counts ------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One contract's return for one month, as shown and exported."""

    period: date
    text: str  # the status in words, for the tag
    colour: str | None  # GOV.UK tag modifier; None for "Not open" (shown as plain text)
    timeliness: str | None = None  # "on time" or "late": version 1 against the due date
    submitted_at: datetime | None = None  # version 1, UTC
    versions: int = 0
    tally: str | None = None  # which count it adds to: on_time, late, missing, still_open

    @property
    def note(self) -> str | None:
        """Whether the first version was on time, unless the status already says so."""
        if self.timeliness is None or self.text.startswith("Submitted"):
            return None
        return f"Sent {self.timeliness}"

    @property
    def label(self) -> str:
        """The status in one phrase, for the downloads: "Queried, sent late"."""
        return f"{self.text}, sent {self.timeliness}" if self.note else self.text


def cell_for(
    ret: ReturnGlance | None, period: date, on: date, contract: Contract | None = None
) -> Cell:
    if _not_expected(ret, period, contract):
        return Cell(period, "Not expected", None)  # before go-live or outside the contract
    if ret is None:
        return Cell(period, "Not open", None)
    first = ret.first_sent_at
    # PostgreSQL may hand back another time zone, SQLite a naive time: compare in UTC.
    submitted_at = as_utc(first).astimezone(UTC) if first else None
    timeliness = None
    if submitted_at is not None:
        on_time = submitted_at.date() <= service.deadlines(ret).due_on
        timeliness = "on time" if on_time else "late"
    common = {"timeliness": timeliness, "submitted_at": submitted_at, "versions": ret.version_count}
    if ret.status is ReturnStatus.SUBMITTED:
        text = f"Submitted {timeliness}" if timeliness else "Submitted"
        colour = "yellow" if timeliness == "late" else "blue"
        return Cell(period, text, colour, tally=_tally(timeliness), **common)
    if ret.status in SUBMITTED_STATUSES:
        status = service.display_status(ret, on)
        return Cell(period, status.text, status.colour, tally=_tally(timeliness), **common)
    # Not started or in progress.
    locked = service.is_locked(ret, on)
    if first is None and locked:
        return Cell(period, "Missing", "red", tally="missing", **common)
    status = service.display_status(ret, on)
    tally = _tally(timeliness) if first is not None else (None if locked else "still_open")
    return Cell(period, status.text, status.colour, tally=tally, **common)


def _not_expected(ret: ReturnGlance | None, period: date, contract: Contract | None) -> bool:
    """Never sent, for a month the council did not ask for."""
    contract = contract or (ret.contract if ret is not None else None)
    if contract is None or (ret is not None and ret.sent):
        return False
    return not service.is_expected(contract, period)


def _tally(timeliness: str | None) -> str | None:
    return {"on time": "on_time", "late": "late"}.get(timeliness or "")


@dataclass
class Row:
    contract: Contract
    cells: list[Cell]


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    missing: int = 0
    still_open: int = 0

    def add(self, cell: Cell) -> None:
        if cell.tally:
            setattr(self, cell.tally, getattr(self, cell.tally) + 1)


@dataclass
class Overview:
    months: list[date]
    rows: list[Row] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def build_overview(council_id: int, filters: Filters, on: date | None = None) -> Overview:
    """The grid for the council's contracts matching ``filters``. Reads only: returns are
    opened by the daily job and when a contract is added."""
    on = on or clock.today()
    months = months_shown(on)
    contracts = organisations.council_contracts(council_id, **filters.as_query())
    result = Overview(months)
    if not contracts:
        return result
    returns = {
        (r.contract_id, r.period): r
        for r in return_queries.return_glances(contracts, months[-1], months[0])
    }
    for contract in contracts:
        cells = [
            cell_for(returns.get((contract.id, month)), month, on, contract) for month in months
        ]
        for cell in cells:
            result.counts.add(cell)
        result.rows.append(Row(contract, cells))
    return result


def export_rows(data: Overview) -> Iterator[list]:
    for row in data.rows:
        contract = row.contract
        for cell in row.cells:
            yield [
                contract.provider.name,
                contract.framework.name if contract.framework else "",
                contract.area.name if contract.area else "",
                contract.contract_type.label,
                f"{cell.period:%Y-%m}",
                cell.label,
                cell.submitted_at,
                cell.versions,
            ]


# --- views -----------------------------------------------------------------------------


def _is_commissioner_of(council_id: int) -> bool:
    return any(
        m.role is Role.COMMISSIONER and m.council_id == council_id for m in current_user.memberships
    )


def _load(council_id: int):
    frameworks = organisations.council_frameworks(council_id)
    filters = parse_filters(request.args, frameworks)
    data = build_overview(council_id, filters)
    # After the grid, whose contracts bring the council with them (no second round trip).
    return organisations.get_council(council_id), frameworks, filters, data


@bp.route("/council/<int:council_id>/returns")
@requires(Role.COMMISSIONER, Role.QA_OFFICER, org="council")
def overview(council_id: int):
    council, frameworks, filters, data = _load(council_id)
    args = filters.query_args()
    return render_template(
        "council/returns_overview.html",
        council=council,
        data=data,
        filters=filters,
        items=filter_items(frameworks, filters),
        link_providers=_is_commissioner_of(council_id),
        period_label=service.period_label,
        csv_url=url_for(".export_csv", council_id=council_id, **args),
        xlsx_url=url_for(".export_xlsx", council_id=council_id, **args),
    )


def _filename(council, data: Overview, extension: str) -> str:
    return f"{council.slug}-returns-{data.months[-1]:%Y-%m}-to-{data.months[0]:%Y-%m}.{extension}"


@bp.route("/council/<int:council_id>/returns.csv")
@requires(Role.COMMISSIONER, Role.QA_OFFICER, org="council")
def export_csv(council_id: int):
    council, _, _, data = _load(council_id)
    return exports.csv_response(_filename(council, data, "csv"), EXPORT_HEADER, export_rows(data))


@bp.route("/council/<int:council_id>/returns.xlsx")
@requires(Role.COMMISSIONER, Role.QA_OFFICER, org="council")
def export_xlsx(council_id: int):
    council, _, _, data = _load(council_id)
    return exports.xlsx_response(
        _filename(council, data, "xlsx"), EXPORT_HEADER, export_rows(data), sheet_name="Returns"
    )
