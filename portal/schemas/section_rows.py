"""The capacity and handbacks sections' answers as marshmallow schemas: rows (one per
area, one per handback) whose checks are the sections' own rules (``capacity_rules.parse``,
``handbacks_rules.parse``). The capacity page, the handbacks page and the section file
upload (``portal.uploads.section_file_layouts``, which the API's rows go through too) load
their rows through these schemas, so one bad value gets one message whichever way it came
(``tests/unit/api/test_api_three_doors_sections.py``).

A row's dates are the date input's three boxes (``{"day", "month", "year"}``), or text
written DD/MM/YYYY, which is put in the boxes. The rules need to know the contract's areas
(they name them in messages), so the schemas take them when made. ``parse_capacity`` and
``parse_handbacks`` answer as the rules do: the data (what could be read, even with
errors: the soft warnings use it), errors by the form's field ids (``areas-0-spare_hours``,
``rows-2-end_date``) and the date boxes to highlight."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from forms.govuk_dates import DATE_PARTS
from portal.returns.sections import capacity_rules, handbacks_rules
from portal.schemas.sections import NOT_A_VALUE, Answer, flat_errors

_DMY = re.compile(r"\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s*")


class DateAnswer(fields.Field):
    """A date as the date input's boxes; DD/MM/YYYY text is put in them, and anything else
    is given to the rule as the day (so the rule says the date is not real)."""

    default_error_messages = {"invalid": NOT_A_VALUE}  # noqa: RUF012

    def _deserialize(self, value: Any, attr, data, **kwargs) -> dict[str, str]:
        if value is None or value == "":
            return dict.fromkeys(DATE_PARTS, "")
        if isinstance(value, dict):
            return {part: str(value.get(part) or "") for part in DATE_PARTS}
        if not isinstance(value, str):
            raise self.make_error("invalid")
        found = _DMY.fullmatch(value)
        return dict(zip(DATE_PARTS, found.groups() if found else (value, "", ""), strict=True))


class Choices(fields.Field):
    """Ticked boxes: a list of codes."""

    default_error_messages = {"invalid": "Send a list of codes"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr, data, **kwargs) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.make_error("invalid")
        return value


def _answer(description: str, example: str = "") -> Answer:
    metadata = {"description": description, "type": "string", "example": example}
    return Answer(load_default="", allow_none=True, metadata=metadata)


def _date(description: str) -> DateAnswer:
    return DateAnswer(load_default=dict.fromkeys(DATE_PARTS, ""),
                      metadata={"description": f"{description}: DD/MM/YYYY, or the three "
                                "boxes {day, month, year}", "example": "27/03/2026"})  # fmt: skip


def _codes(pairs) -> str:
    return ", ".join(f"{value} ({label})" for value, label in pairs)


class CapacityAreaSchema(Schema):
    """One area's capacity."""

    area = _answer("The area's name, as the contract has it", "North")
    spare_hours = _answer("Spare weekly hours for new packages", "40")
    earliest_start = _date("The earliest date a new package could start")
    double_handed = _answer("yes or no: can take double-handed calls", "yes")
    night_support = _answer("yes or no: can provide night support", "no")
    specialist = Choices(load_default=list, metadata={"description": "Specialist needs met: "
                         + _codes(capacity_rules.SPECIALIST)})  # fmt: skip
    valid_until = _date("The date until which these answers hold")


class HandbackRowSchema(Schema):
    """One package handed back."""

    reference = _answer("The council's package reference", "PKG-1042")
    notice_date = _date("The date notice was given")
    end_date = _date("The date the package ended or will end")
    weekly_hours = _answer("Hours of care a week", "10.5")
    service_type = _answer(_codes(handbacks_rules.SERVICE_TYPES), "homecare")
    area = _answer("The area the person lives in", "North")
    reason = _answer(_codes(handbacks_rules.REASONS), "staffing")
    reason_details = _answer("Needed when reason is other", "")


class _RowsSchema(Schema):
    """Rows checked together by the section's rule; ``outcome`` keeps what it said."""

    outcome: tuple[dict, dict[str, str], dict[str, list]] | None = None

    def rule(self, data: dict) -> tuple[dict, dict[str, str], dict[str, list]]:
        raise NotImplementedError

    @validates_schema
    def _by_the_sections_rules(self, data: dict, **kwargs) -> None:
        self.outcome = self.rule(data)
        if self.outcome[1]:
            raise ValidationError(dict.fromkeys(self.outcome[1], [""]))

    @post_load
    def _as_saved(self, data: dict, **kwargs) -> dict:
        return self.outcome[0]

    def parse(self, raw: dict) -> tuple[dict, dict[str, str], dict[str, list]]:
        try:
            return self.load(raw), {}, {}
        except ValidationError as error:
            if self.outcome is not None:
                return self.outcome
            return self.empty, _field_ids(error.messages), {}

    empty: dict = {}


class CapacityAnswersSchema(_RowsSchema):
    """The capacity section: one row for each of the contract's areas."""

    areas = fields.List(fields.Nested(CapacityAreaSchema), required=True)
    empty = {"areas": []}  # noqa: RUF012

    def __init__(self, names: list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.names = names or [capacity_rules.WHOLE_COUNCIL]

    def rule(self, data: dict):
        return capacity_rules.parse(self.names, data["areas"])


class HandbackAnswersSchema(_RowsSchema):
    """The handbacks section: a row for each package handed back, or ``none``."""

    none = fields.Boolean(load_default=False, metadata={"description": "No handbacks"})
    rows = fields.List(fields.Nested(HandbackRowSchema), load_default=list)
    empty = {"none": False, "rows": []}  # noqa: RUF012

    def __init__(self, areas: list[str] | None = None, too_many: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.areas = areas or [capacity_rules.WHOLE_COUNCIL]
        self.too_many = too_many

    def rule(self, data: dict):
        return handbacks_rules.parse(self.areas, data["none"], data["rows"], self.too_many)


def _field_ids(found: Any) -> dict[str, str]:
    """marshmallow's nested errors (``{"areas": {0: {"spare_hours": [...]}}}``) by the
    form's field ids (``areas-0-spare_hours``)."""
    flat: dict[str, str] = {}
    for name, said in found.items() if isinstance(found, dict) else []:
        if isinstance(said, dict):
            for index, row in said.items():
                for field, message in flat_errors(row).items():
                    flat[f"{name}-{index}-{field}"] = message
        else:
            flat.update(flat_errors({name: said}))
    return flat or flat_errors(found)


def parse_capacity(names: list[str], rows: list[dict]):
    """(data, errors by field id, date boxes to highlight), by ``CapacityAnswersSchema``."""
    return CapacityAnswersSchema(names).parse({"areas": rows})


def parse_handbacks(areas: list[str], none: bool, rows: list[dict], too_many: bool = False):
    """(data, errors by field id, date boxes to highlight), by ``HandbackAnswersSchema``."""
    return HandbackAnswersSchema(areas, too_many).parse({"none": none, "rows": rows})
