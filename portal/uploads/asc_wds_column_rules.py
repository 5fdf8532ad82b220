"""The rule for each column of an ASC-WDS file, checked one distinct value at a time: the
column's rule as the row schema declares it (``StaffRowSchema.column_rules``,
``TrainingRowSchema.column_rules``: the ``staff_rules`` function the web form and the API
load through) decides, and the message is put the way a file needs it (naming the heading
and the codes a cell may hold). A file's own checks are added here: LOCALESTID against the
provider's branches, STATUS, UNIQUEWORKERID against the workers a training row may name, ids
that lost their leading zeros or became 1.2E+11, and Excel date serial numbers or dates with
a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from forms import messages
from portal.returns import ascwds_file_rules, staff_reference
from portal.returns import staff_rules as rules
from portal.schemas.records import StaffRowSchema, TrainingRowSchema
from portal.uploads.asc_wds_headings import branch_ids
from portal.uploads.upload_table import Column, Table

# The ``required`` sets handed to the staff_rules functions: ASC-WDS files leave blank the
# answers the web form insists on.
UPLOAD_STAFF_REQUIRED: frozenset[str] = ascwds_file_rules.FILE_STAFF_REQUIRED
UPLOAD_TRAINING_REQUIRED: frozenset[str] = frozenset()

STATUSES = ("NEW", "UPDATE", "UNCHECKED", "NOCHANGE", "DELETE", "CHGSUB", "LEAVER")

_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_WITH_TIME = re.compile(r"(\S+?)[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_EXCEL_SERIAL = re.compile(r"[1-9][0-9]{4}(?:\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]{1,2}")
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, counting its 1900 leap-year bug


Rule = Callable[[str], tuple[Any, str | None]]


def _choices(codes: Mapping[int, str]) -> list[str]:
    return [f"{code} ({label[0].lower() + label[1:]})" for code, label in codes.items()]


def uk_date_text(text: str) -> str:
    """An Excel date serial number (45292) or a date with a time (27/03/2024 00:00) as the
    DD/MM/YYYY text staff_rules reads."""
    if "/" in text and " " not in text and "T" not in text:  # as it should be: quick
        return text
    if found := _WITH_TIME.fullmatch(text):
        text = found[1]
    if _EXCEL_SERIAL.fullmatch(text):
        day = EXCEL_EPOCH + timedelta(days=int(float(text)))
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return text


# The kind of each field's problems, for the summary (messages.UPLOAD_PROBLEM_NOUNS).
KINDS = {
    "branch": "branch", "worker_id": "worker_id", "status": "status",
    "main_job_role": "job_role", "start_date": "date", "employment_status": "code",
    "care_certificate": "code", "hourly_rate": "number", "health_care_visa": "code",
    "zero_hours": "code", "contracted_hours": "ignored",
    "category": "training_category", "training_name": "text", "accredited": "code",
    "who_delivered": "code", "provider_name": "code", "how_delivered": "code",
    "validity": "validity", "date_completed": "date", "expiry_date": "date", "notes": "text",
}  # fmt: skip


class RuleContext:
    """What the rules need to know about the provider and the file."""

    def __init__(self, table: Table, positions, today, branches, worker_ids):
        self.today = today
        self.headings = {name: table.headers[position] for name, position in positions.items()}
        self.branches = branch_ids(branches)
        self.only_branch = next(iter(self.branches.values())) if len(self.branches) == 1 else None
        self.worker_ids = worker_ids
        self.decimal_comma = table.separator == ";"  # Excel in a locale writing 12,50

    def heading(self, name: str) -> str:
        return self.headings.get(name, name)

    # Wrappers: the staff_rules function decides; the message is put the way a file needs.

    def code(self, name: str, rule: Rule, what: str, invalid: str) -> Rule:
        def check(text: str):
            value, error = rule(text)
            if error is None:
                return value, None
            if text == "":
                return None, messages.upload_required(what, self.heading(name))
            return None, invalid

        return check

    def listed(self, name: str, rule: Rule, codes: Mapping[int, str], what: str = "code") -> Rule:
        """A code from a short list (ACCREDITED: 1 yes, 0 no, 999 not known)."""
        invalid = messages.upload_code_invalid(self.heading(name), _choices(codes))
        return self.code(name, rule, what, invalid)

    def from_list(self, name: str, rule: Rule, what: str, example) -> Rule:
        """A code from a long list (CATEGORY, MAINJOBROLE), shown by an example."""
        heading = self.heading(name)
        invalid = messages.upload_code_from_list(heading, what, example.code, example.name)
        return self.code(name, rule, f"{what} code", invalid)

    def ignoring(self, name: str, rule: Rule, why: str) -> Rule:
        """A value ASC-WDS ignores with a warning when it is not valid: the "error" is the
        warning, naming the value and why (``rules.FILE_STAFF_IGNORED``)."""
        heading = self.heading(name)

        def check(text: str):
            value, error = rule(text)
            if error is None or text == "":
                return value, error
            return None, messages.upload_ignored(heading, text, why)

        return check

    def start_date(self, text: str):
        """STARTDATE as ASC-WDS takes it: blank, a warning; badly written, in the future
        (or, here, before 1990), a warning and ignored (``rules.FILE_STAFF_IGNORED``)."""
        if text == "":
            return None, messages.UPLOAD_START_DATE_BLANK
        value, error = rules.start_date(uk_date_text(text), self.today, False)
        if error is None:
            return value, None
        why = {
            messages.staff_date_in_future("Start date"): messages.UPLOAD_START_DATE_FUTURE,
            messages.staff_date_too_early("Start date"): messages.UPLOAD_START_DATE_TOO_EARLY,
        }.get(error, messages.UPLOAD_START_DATE_NOT_REAL)
        return None, messages.upload_ignored(self.heading("start_date"), text, why)

    def date(self, label: str, rule: Rule) -> Rule:
        not_real = messages.staff_date_not_real(label)

        def check(text: str):
            value, error = rule(uk_date_text(text))
            return value, (messages.upload_date_not_real(label) if error == not_real else error)

        return check

    def number(self, rule: Rule) -> Rule:
        if not self.decimal_comma:
            return rule
        return lambda text: rule(text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text)

    def worker(self, text: str):
        if _SCIENTIFIC.fullmatch(text):
            return None, messages.UPLOAD_SCIENTIFIC_NOTATION
        value, error = rules.worker_id(text)
        if error or self.worker_ids is None or value in self.worker_ids:
            return value, error
        if _lost_leading_zeros(value, self.worker_ids):
            return None, messages.UPLOAD_LEADING_ZEROS
        return None, messages.UPLOAD_UNKNOWN_WORKER

    def branch(self, text: str):
        if text == "":
            if self.only_branch is not None:
                return self.only_branch, None
            return None, messages.UPLOAD_BRANCH_REQUIRED
        if _SCIENTIFIC.fullmatch(text):
            return None, messages.UPLOAD_SCIENTIFIC_NOTATION
        if len(text) > rules.WORKER_ID_MAX:  # ASC-WDS: at most 50 characters, as worker IDs
            return None, messages.UPLOAD_BRANCH_TOO_LONG
        if text in self.branches:
            return self.branches[text], None
        if not self.branches:
            return None, messages.UPLOAD_NO_BRANCH_IDS
        if _lost_leading_zeros(text, self.branches):
            return None, messages.UPLOAD_LEADING_ZEROS
        return None, messages.upload_branch_unknown(sorted(self.branches))

    def status(self, text: str):
        value = text.upper()
        if value in STATUSES:
            return value, None
        if text == "":
            return None, messages.upload_required("status", self.heading("status"))
        return None, messages.upload_status_invalid(list(STATUSES))

    def training_rules(self) -> dict[str, Rule]:
        """The training columns' rules: the ``TrainingRowSchema``'s own, put a file's way."""
        need = UPLOAD_TRAINING_REQUIRED
        own = TrainingRowSchema.column_rules(self.today, need)
        safeguarding = staff_reference.training_categories()[20]
        return {
            "branch": self.branch,
            "worker_id": self.worker,
            "category": self.from_list(
                "category", own["category"], "training category", safeguarding
            ),
            "training_name": own["training_name"],
            "accredited": self.listed("accredited", own["accredited"], rules.ACCREDITED),
            "who_delivered": self.listed(
                "who_delivered", own["who_delivered"], rules.WHO_DELIVERED
            ),
            # Checked against WHODELIVERED too: asc_wds_row_rules.training_providers.
            "provider_name": self.code(
                "provider_name",
                own["provider_name"],
                "training provider code",
                messages.upload_provider_code(self.heading("provider_name")),
            ),
            "how_delivered": self.listed(
                "how_delivered", own["how_delivered"], rules.HOW_DELIVERED
            ),
            "validity": own["validity"],
            "date_completed": self.date("Date completed", own["date_completed"]),
            "expiry_date": self.date("Expiry date", own["expiry_date"]),
            "notes": own["notes"],
        }

    def staff_rules(self) -> dict[str, Rule]:
        """The staff columns' rules: the ``StaffRowSchema``'s own, put a file's way."""
        own = StaffRowSchema.column_rules(self.today, UPLOAD_STAFF_REQUIRED)
        # ASC-WDS ignores a HANDCVISA it cannot read (a warning), so a file never needs it.
        visa = StaffRowSchema.column_rules(self.today, frozenset())["health_care_visa"]
        care_worker = staff_reference.job_roles()[8]
        return {
            "branch": self.branch,
            "worker_id": self.worker,
            "status": self.status,
            "main_job_role": self.from_list(
                "main_job_role", own["main_job_role"], "main job role", care_worker
            ),
            "start_date": self.start_date,
            "employment_status": self.listed(
                "employment_status",
                own["employment_status"],
                rules.EMPLOYMENT_STATUSES,
                "employment status code",
            ),
            "care_certificate": self.listed(
                "care_certificate", own["care_certificate"], rules.CARE_CERTIFICATE
            ),
            "hourly_rate": self.number(own["hourly_rate"]),
            "health_care_visa": self.ignoring(
                "health_care_visa", visa, messages.UPLOAD_VISA_NOT_A_CODE
            ),
            "zero_hours": self.listed("zero_hours", own["zero_hours"], rules.ZERO_HOURS),
            # The text, checked with ZEROHRCONT and EMPLSTATUS: asc_wds_row_rules.file_hours.
            "contracted_hours": self.number(lambda t: (t, None)),
        }


def _lost_leading_zeros(value: str, known: Set[str] | Mapping[str, int]) -> bool:
    """Is ``value`` one of ``known`` with its leading zeros cut off (00123 -> 123)?"""
    if not value.isdigit():
        return False
    return any(key.startswith("0") and key.lstrip("0") == value for key in known)


@dataclass
class Checked:
    """A column's distinct values checked by a rule: a clean value and an error each."""

    column: Column
    values: np.ndarray  # object, per distinct value
    errors: np.ndarray  # object: message or None, per distinct value

    @cached_property
    def bad_u(self) -> np.ndarray:
        return np.array([error is not None for error in self.errors], dtype=bool)

    def row_values(self) -> np.ndarray:
        return self.values[self.column.codes]


def check_column(column: Column, rule: Rule) -> Checked:
    size = len(column.uniques)
    values, errors = np.empty(size, dtype=object), np.empty(size, dtype=object)
    for index, text in enumerate(column.uniques):
        values[index], errors[index] = rule(text)
    return Checked(column, values, errors)
