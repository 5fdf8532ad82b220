"""The contract register in one go: a CSV or XLSX file, one contract a row, checked row by
row and column by column (nothing applied while any row has an error), then planned (what
will change) and applied in one transaction. The same file twice changes nothing: a row
matches its contract by provider, framework, lot and type, and its provider by CQC
provider ID."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from forms import messages
from portal.clock import utcnow
from portal.extensions import db
from portal.models import Council, Framework, User
from portal.setup import contracts
from portal.uploads import file_store, importing
from portal.uploads.reading import open_upload
from portal.uploads.upload_table import FileProblem, Table
from portal.vocabulary import ContractType

# (heading, field): the template's headings, in its order.
COLUMNS = [
    ("Provider name", "provider_name"),
    ("CQC provider ID", "cqc_provider_id"),
    ("CQC location IDs", "location_ids"),
    ("Framework", "framework"),
    ("Lot", "lot"),
    ("Contract type", "contract_type"),
    ("Hourly rate", "hourly_rate"),
    ("Start date", "start_date"),
    ("End date", "end_date"),
    ("Provider contact email", "contact_email"),
]
REQUIRED = ("provider_name", "contract_type")
HEADINGS = dict(COLUMNS)
LABELS = {name: heading for heading, name in COLUMNS}
# A line's errors are keyed by ContractLine field; these are their columns.
LINE_COLUMNS = {"framework_id": "framework", "area_id": "lot"} | {n: n for _, n in COLUMNS}
TYPES = {t.value: t for t in ContractType} | {t.label.lower(): t for t in ContractType}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 2_000


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None  # the heading
    value: str
    message: str


@dataclass
class RegisterCheck:
    filename: str
    file_problem: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    lines: list[tuple[int, contracts.ContractLine]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.problems


def _key(heading: str) -> str:
    return re.sub(r"[^a-z]", "", heading.lower())


def template_csv() -> str:
    return ",".join(heading for heading, _ in COLUMNS) + "\r\n"


def check_register(council: Council, data: bytes, filename: str) -> RegisterCheck:
    """Read and check every row; nothing is written."""
    source = open_upload(data, filename)
    if isinstance(source, FileProblem):
        return RegisterCheck(filename, source.message)
    try:
        wanted = {_key(h): name for h, name in COLUMNS}
        positions = {wanted[_key(h)]: i for i, h in enumerate(source.headers) if _key(h) in wanted}
        missing = [LABELS[name] for name in REQUIRED if name not in positions]
        if missing:
            return RegisterCheck(
                source.filename,
                messages.REGISTER_MISSING_COLUMNS.format(columns=", ".join(missing)),
            )
        table = source.read(list(positions.values()), max_rows=MAX_ROWS)
    finally:
        source.close()
    if isinstance(table, FileProblem):
        return RegisterCheck(source.filename, table.message)
    return _check_rows(council, table, positions)


def _check_rows(council: Council, table: Table, positions: dict[str, int]) -> RegisterCheck:
    result = RegisterCheck(table.filename)
    texts = {name: table.columns[p].text() for name, p in positions.items()}
    frameworks = {
        f.name.lower(): f
        for f in db.session.scalars(select(Framework).where(Framework.council_id == council.id))
    }
    seen: dict[tuple, int] = {}
    for index, row in enumerate(table.row_numbers.tolist()):
        values = {name: str(texts[name][index]) for name in texts}
        line, errors = _line(values, frameworks)
        if line is not None:
            errors.update(
                {LINE_COLUMNS.get(k, k): v for k, v in contracts.check_line(council, line).items()}
            )
            key = (line.cqc_provider_id or line.provider_name.lower(), line.framework_id,
                   line.area_id, line.contract_type)  # fmt: skip
            if key in seen and not errors:
                errors["provider_name"] = messages.REGISTER_ROW_REPEATED.format(row=seen[key])
            seen.setdefault(key, row)
        for name, message in errors.items():
            result.problems.append(RowProblem(row, LABELS[name], values.get(name, ""), message))
        if line is not None and not errors:
            result.lines.append((row, line))
    return result


def _line(values: dict[str, str], frameworks: dict[str, Framework]):
    """(the row as a ContractLine, or None; errors by field)."""
    errors: dict[str, str] = {}
    name = " ".join(values.get("provider_name", "").split())
    if not name:
        errors["provider_name"] = messages.PROVIDER_NAME_REQUIRED
    kind = TYPES.get(values.get("contract_type", "").strip().lower())
    if kind is None:
        errors["contract_type"] = messages.REGISTER_TYPE_INVALID
    framework, area = _framework_and_lot(values, frameworks, errors)
    rate, rate_error = _rate(values.get("hourly_rate", ""))
    if rate_error:
        errors["hourly_rate"] = rate_error
    dates = {key: _date(values.get(key, "")) for key in ("start_date", "end_date")}
    errors.update({key: error for key, (_, error) in dates.items() if error})
    email = values.get("contact_email", "").strip().lower()
    if email and not EMAIL.match(email):
        errors["contact_email"] = messages.EMAIL_INVALID
    if errors:
        return None, errors
    line = contracts.ContractLine(
        provider_name=name,
        cqc_provider_id=values.get("cqc_provider_id", "").strip() or None,
        location_ids=contracts.location_list(values.get("location_ids", "")),
        framework_id=framework.id if framework else None,
        area_id=area.id if area else None,
        contract_type=kind,
        hourly_rate=rate,
        start_date=dates["start_date"][0],
        end_date=dates["end_date"][0],
        contact_email=email or None,
    )
    return line, {}


def _framework_and_lot(values: dict[str, str], frameworks: dict, errors: dict):
    """The row's framework and lot by name (errors added for unknown ones)."""
    framework = frameworks.get(values.get("framework", "").strip().lower())
    if values.get("framework") and framework is None:
        errors["framework"] = messages.REGISTER_FRAMEWORK_UNKNOWN
    area = None
    if values.get("lot") and framework is None and "framework" not in errors:
        errors["lot"] = messages.LOT_NOT_IN_FRAMEWORK
    if values.get("lot") and framework is not None:
        lot = values["lot"].strip().lower()
        area = next((a for a in framework.areas if a.name.lower() == lot), None)
        if area is None:
            errors["lot"] = messages.LOT_NOT_IN_FRAMEWORK
    return framework, area


def _rate(text: str) -> tuple[Decimal | None, str | None]:
    text = text.strip().lstrip("£").replace(",", "")
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, messages.HOURLY_RATE_INVALID
    if not value.is_finite() or not 0 < value < 1000 or value != value.quantize(Decimal("0.01")):
        return None, messages.HOURLY_RATE_INVALID
    return value, None


def _date(text: str) -> tuple[date | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    return None, messages.REGISTER_DATE_INVALID


@dataclass(frozen=True)
class PlannedRow:
    row: int
    line: contracts.ContractLine
    plan: contracts.LinePlan


def plan_register(council: Council, check: RegisterCheck) -> list[PlannedRow]:
    """What confirming would change, row by row (nothing is written)."""
    return [PlannedRow(row, line, contracts.plan_line(council, line)) for row, line in check.lines]


def apply_register(council: Council, data: bytes, filename: str, actor: User) -> RegisterCheck:
    """Check the file again and, when every row is fine, apply every row in one
    transaction. Returns the check (its lines applied only when ``ok``)."""
    check = check_register(council, data, filename)
    if not check.ok:
        return check
    applied = [contracts.apply_line(council, line, actor) for _, line in check.lines]
    db.session.commit()
    contracts.open_returns(applied)
    return check


# --- the checked file, kept between "check" and "confirm" -----------------------------

DATA, NOTE = "register", "register-note"  # file_store kinds


def keep(council: Council, data: bytes, filename: str) -> str:
    """Keep a checked register file (and delete those older than a day): committed."""
    file_store.delete_older_than(utcnow() - importing.STORED_FOR, (DATA, NOTE))
    token = importing.new_token()
    file_store.put(token, DATA, data)
    note = {"council_id": council.id, "filename": filename}
    file_store.put(token, NOTE, json.dumps(note).encode())
    db.session.commit()
    return token


def kept(council: Council, token: str) -> tuple[bytes, str] | None:
    """(bytes, file name) kept for this council under ``token``, or None."""
    newer_than = utcnow() - importing.STORED_FOR
    try:
        data, note_bytes = (file_store.get(token, kind, newer_than) for kind in (DATA, NOTE))
        note = json.loads(note_bytes) if note_bytes is not None else None
    except ValueError:
        return None
    if data is None or not isinstance(note, dict) or note.get("council_id") != council.id:
        return None
    return data, str(note.get("filename") or "")


def discard(token: str) -> None:
    """Forget a kept file (committed); a bad token is ignored."""
    try:
        file_store.delete_files(token, (DATA, NOTE))
    except ValueError:
        pass
    db.session.commit()
