"""Templates for the ASC-WDS staff and training files: the columns the upload reads, filled
in with what the portal holds for the provider now, so a provider can download, correct
and upload them again. The XLSX adds a guidance sheet and the code lists.

Rows carry STATUS ``UNCHECKED`` (update if the worker exists, else add), as an ASC-WDS
export does; uploading an unedited template changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import StaffMember
from portal.returns import staff_reference
from portal.returns import staff_rules as rules
from portal.uploads import template_workbook as workbook
from portal.uploads.asc_wds_results import STAFF_FILE, TRAINING_FILE

DATE_FORMAT = "DD/MM/YYYY"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    guidance: str
    allowed: str = ""
    example: str = ""


def _codes(codes: dict[int, str]) -> str:
    return "; ".join(f"{code} {label}" for code, label in codes.items())


STAFF_TEMPLATE = (
    TemplateColumn("LOCALESTID", "Your own id for the branch the worker is based at, as in "
                   "ASC-WDS. Leave blank if you have one branch.", "", "BR001"),
    TemplateColumn("UNIQUEWORKERID", "Your own id for the worker (up to 50 characters). Keep "
                   "leading zeros.", "", "007"),
    TemplateColumn("STATUS", "What to do with the worker's record.",
                   "NEW a new worker; UPDATE or UNCHECKED change them; NOCHANGE keep them; "
                   "DELETE or LEAVER they have left", "UNCHECKED"),
    TemplateColumn("MAINJOBROLE", "The worker's main job role, as an ASC-WDS code.",
                   "See the Job roles sheet (all 37 ASC-WDS codes)", "8"),
    TemplateColumn("STARTDATE", "The date they started in their main job. A date that is not "
                   "real or is in the future is ignored.", f"A date written as {DATE_FORMAT}",
                   "01/04/2024"),
    TemplateColumn("EMPLSTATUS", "Their employment status. Required, as in ASC-WDS.",
                   _codes(rules.EMPLOYMENT_STATUSES), "1"),
    TemplateColumn("ZEROHRCONT", "On a zero-hours contract? With contracted hours, enter 2.",
                   _codes(rules.ZERO_HOURS), "2"),
    TemplateColumn("CARECERT", "Care Certificate.", _codes(rules.CARE_CERTIFICATE), "1"),
    TemplateColumn("HOURLYRATE", "Their hourly pay in pounds.", "A number, for example 12.60",
                   "12.60"),
    TemplateColumn("HANDCVISA", "On a Health and Care Worker visa? Any other value is ignored.",
                   _codes(rules.HEALTH_CARE_VISA), "2"),
    TemplateColumn("CONTHOURS", "Contracted hours a week, for permanent and temporary staff "
                   "(EMPLSTATUS 1 or 2). Leave blank on a zero-hours contract. Other values "
                   "are ignored.", "A number from 0 to 75, or 999 if not known", "37.5"),
)  # fmt: skip

TRAINING_TEMPLATE = (
    TemplateColumn("LOCALESTID", "Your own id for the worker's branch, as in the staff file.",
                   "", "BR001"),
    TemplateColumn("UNIQUEWORKERID", "The worker's id, as in the staff file.", "", "007"),
    TemplateColumn("CATEGORY", "The training category, as an ASC-WDS code.",
                   "See the Training categories sheet", "20"),
    TemplateColumn("TRAININGNAME", "The course's name (up to 120 characters).", "",
                   "Safeguarding adults level 2"),
    TemplateColumn("ACCREDITED", "Was the course accredited?", _codes(rules.ACCREDITED), "1"),
    TemplateColumn("WHODELIVERED", "Who delivered it.", _codes(rules.WHO_DELIVERED), "2"),
    TemplateColumn("PROVIDERNAME", "The training provider, as an ASC-WDS code, when "
                   "WHODELIVERED is 2. Otherwise leave it blank: it is ignored.",
                   "See the Training providers sheet; 999 for another provider", "88"),
    TemplateColumn("HOWDELIVERED", "How it was delivered.", _codes(rules.HOW_DELIVERED), "1"),
    TemplateColumn("VALIDITY", "How long the training lasts, in months.",
                   "1 to 999, or none", "12"),
    TemplateColumn("DATECOMPLETED", "The date they completed it. May be blank, as in "
                   "ASC-WDS: the record then counts by its expiry date.",
                   f"A date written as {DATE_FORMAT}, not in the future", "15/03/2026"),
    TemplateColumn("EXPIRYDATE", "When it expires. Leave blank to work it out from VALIDITY.",
                   f"A date written as {DATE_FORMAT}, after DATECOMPLETED", ""),
    TemplateColumn("NOTES", "Anything else (up to 1000 characters).", "", ""),
)  # fmt: skip

TEMPLATES = {STAFF_FILE: STAFF_TEMPLATE, TRAINING_FILE: TRAINING_TEMPLATE}
TITLES = {STAFF_FILE: "staff", TRAINING_FILE: "training"}


def _uk(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "2"
    return str(value)


def _current_staff(provider_id: int) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.provider_id == provider_id, StaffMember.left_on.is_(None))
            .options(selectinload(StaffMember.branch), selectinload(StaffMember.training))
            .order_by(StaffMember.worker_id)
        )
    )


def template_rows(kind: str, provider_id: int) -> list[list[str]]:
    """What the portal holds for the provider's current staff, one row per worker (staff)
    or per training record (training), as text the way a person would type it."""
    rows = []
    for member in _current_staff(provider_id):
        branch = member.branch.local_est_id if member.branch else ""
        if kind == STAFF_FILE:
            rows.append([
                branch, member.worker_id, "UNCHECKED", _text(member.main_job_role),
                _uk(member.start_date), _text(member.employment_status),
                _text(member.zero_hours), _text(member.care_certificate),
                _text(member.hourly_rate), _text(member.health_care_visa),
                _text(member.contracted_hours),
            ])  # fmt: skip
            continue
        for record in member.training:
            rows.append([
                branch, member.worker_id, _text(record.category), _text(record.training_name),
                _text(record.accredited), _text(record.who_delivered),
                _text(record.provider_name), _text(record.how_delivered),
                _text(record.validity), _uk(record.date_completed), _uk(record.expiry_date),
                _text(record.notes),
            ])  # fmt: skip
    return rows


def template_xlsx(kind: str, provider_id: int) -> bytes:
    """The template as a workbook: "Data" (every cell text, so ids keep their leading
    zeros and dates stay DD/MM/YYYY), "Guidance", and the code lists."""
    columns = TEMPLATES[kind]
    lines: list[tuple[Sequence[str], bool]] = [
        ([f"How to fill in the ASC-WDS {TITLES[kind]} file"], True),
        (["One row per worker on the Data sheet." if kind == STAFF_FILE else
          "One row per training record on the Data sheet."], False),
        (["The Data sheet holds what the portal has for your current staff. Change, add or "
          "remove rows, keep the headings in the first row, and upload the file. A full "
          "ASC-WDS export also uploads as it is: other columns are ignored."], False),
        ([f"Write dates as {DATE_FORMAT}."], False),
        ([], False),
        (["Column", "What to enter", "Allowed values", "Example"], True),
    ]  # fmt: skip
    lines += [([c.name, c.guidance, c.allowed, c.example], False) for c in columns]
    code_lists: Iterable[tuple[str, Iterable[tuple[int, str]]]] = (
        ("Job roles", ((code, role.name) for code, role in staff_reference.job_roles().items())),
        ("Training categories",
         ((code, c.name) for code, c in staff_reference.training_categories().items())),
        ("Training providers",
         ((code, p.name) for code, p in staff_reference.training_providers().items())),
    )  # fmt: skip
    return workbook.template_xlsx(
        [(column.name, True) for column in columns],
        template_rows(kind, provider_id),
        lines,
        (18, 60, 60, 24),
        code_lists,
    )
