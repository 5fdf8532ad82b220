"""Staff and training rows as marshmallow schemas, keyed by the ASC-WDS columns (the
national workforce data set's bulk-upload files), whose checks are ``staff_rules``'
own functions: the training section's web form parses a staff member or a training
record through them (``parse_staff``, ``parse_training``), the file upload checks the
same columns with the same functions a column at a time (``asc_wds_column_rules``, fast
on 200,000 rows), and the API's rows go through the file upload's check. So one bad
value gets one message whichever way it came (``tests/unit/api/test_api_three_doors.py``).

The schemas also describe the rows in the OpenAPI document and the rows the API reads
back (``GET /staff``, ``GET /training``). Extra columns are ignored, as in a file, so a
full ASC-WDS export's rows are taken as they are."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, post_load, validates_schema

from forms import messages
from portal.returns import staff_rules
from portal.schemas.sections import Answer, flat_errors


def _codes(codes: Mapping[int, str]) -> str:
    return ", ".join(f"{code} ({label.lower()})" for code, label in codes.items())


# A column's own rule: (the cell's text, today, the fields that must be given) ->
# (value, error). Rules across columns (hours with ZEROHRCONT, expiry with completion,
# PROVIDERNAME with WHODELIVERED) belong to the row: ``staff_rules.validate_*``.
ColumnRule = Callable[[str, date, frozenset[str]], tuple[Any, str | None]]


def _cell(column: str, description: str, example: str, field: str | None = None,
          rule: ColumnRule | None = None) -> Answer:  # fmt: skip
    cell = Answer(
        data_key=column,
        attribute=field,
        required=False,
        allow_none=True,
        metadata={"description": description, "type": "string", "example": example},
    )
    cell.column_rule = rule
    return cell


def _coded(check) -> ColumnRule:
    """A code column's rule: blank is an error only when the field must be given."""
    return lambda text, today, need, check=check: check(text, _name_of(check) in need)


def _name_of(check) -> str:
    return check.__name__


def _worker(t: str, today: date, need: frozenset[str]):
    return staff_rules.worker_id(t)


def _dated(check) -> ColumnRule:
    """A date column's rule: not after today; blank an error only when it must be given."""
    return lambda text, today, need, check=check: check(text, today, _name_of(check) in need)


def _expiry_alone(text: str, today: date, need) -> tuple[Any, str | None]:
    """EXPIRYDATE on its own (the rules that need DATECOMPLETED are the row's)."""
    return staff_rules.parse_date(text, "Expiry date", None, True) if text else (None, None)


class _RowSchema(Schema):
    """An ASC-WDS row; ``validates_schema`` hands it, by our field names, to the rule."""

    class Meta:
        unknown = INCLUDE  # a file's extra columns are ignored

    required: frozenset[str] = frozenset()
    today: date | None = None

    def check(self, values: dict) -> tuple[dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    @classmethod
    def column_rules(cls, today: date, required: frozenset[str]) -> dict[str, Callable]:
        """Each column's own rule, by our field name: text -> (value, error). The file
        upload checks a column a distinct value at a time with these (a per-row ``load``
        of 100,000 rows is too slow) and puts the message the way a file needs it; the
        row's ``load`` applies the same functions through ``check``, with the rules across
        columns (``tests/unit/uploads/test_schema_column_rules.py`` holds them equal)."""
        return {
            field.attribute: functools.partial(field.column_rule, today=today, need=required)
            for field in cls._declared_fields.values()
            if getattr(field, "column_rule", None) is not None
        }

    def _ours(self, data: dict) -> dict:
        declared = {f.attribute or name for name, f in self.fields.items()}
        return {name: value for name, value in data.items() if name in declared}

    @validates_schema
    def _by_the_rules(self, data: dict, **kwargs) -> None:
        _, errors = self.check(self._ours(data))
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})

    @post_load
    def _as_values(self, data: dict, **kwargs) -> dict[str, Any]:
        return self.check(self._ours(data))[0]


class StaffRowSchema(_RowSchema):
    """A staff row (the ASC-WDS Staff file's columns that the portal keeps)."""

    LOCALESTID = _cell("LOCALESTID", "The branch's ASC-WDS workplace id", "MED-01")
    UNIQUEWORKERID = _cell("UNIQUEWORKERID", "The worker's id, as in ASC-WDS", "W0001",
                           "worker_id", _worker)  # fmt: skip
    STATUS = _cell("STATUS", "NEW, UPDATE, UNCHECKED, NOCHANGE, DELETE, CHGSUB or LEAVER",
                   "UNCHECKED")  # fmt: skip
    MAINJOBROLE = _cell("MAINJOBROLE", "ASC-WDS main job role code", "8", "main_job_role",
                        lambda t, today, need: staff_rules.main_job_role(t))  # fmt: skip
    STARTDATE = _cell("STARTDATE", "DD/MM/YYYY", "01/09/2021", "start_date",
                      _dated(staff_rules.start_date))  # fmt: skip
    EMPLSTATUS = _cell("EMPLSTATUS", _codes(staff_rules.EMPLOYMENT_STATUSES), "1",
                       "employment_status", _coded(staff_rules.employment_status))  # fmt: skip
    ZEROHRCONT = _cell("ZEROHRCONT", _codes(staff_rules.ZERO_HOURS), "2", "zero_hours",
                       _coded(staff_rules.zero_hours))  # fmt: skip
    CARECERT = _cell("CARECERT", _codes(staff_rules.CARE_CERTIFICATE), "1", "care_certificate",
                     _coded(staff_rules.care_certificate))  # fmt: skip
    HOURLYRATE = _cell("HOURLYRATE", "Pounds, more than 0 and at most 200", "12.60",
                       "hourly_rate", _coded(staff_rules.hourly_rate))  # fmt: skip
    HANDCVISA = _cell("HANDCVISA", _codes(staff_rules.HEALTH_CARE_VISA), "2", "health_care_visa",
                      _coded(staff_rules.health_care_visa))  # fmt: skip
    CONTHOURS = _cell("CONTHOURS", "Contracted hours a week, 0 to 80", "37.5", "contracted_hours")

    def check(self, values: dict) -> tuple[dict[str, Any], dict[str, str]]:
        return staff_rules.validate_staff(values, self.today or date.today(), self.required)


class TrainingRowSchema(_RowSchema):
    """A training row (the ASC-WDS Training file)."""

    LOCALESTID = _cell("LOCALESTID", "The branch's ASC-WDS workplace id", "MED-01")
    UNIQUEWORKERID = _cell("UNIQUEWORKERID", "The worker's id, as in ASC-WDS", "W0001")
    CATEGORY = _cell("CATEGORY", "ASC-WDS training category code", "20", "category",
                     lambda t, today, need: staff_rules.category(t))  # fmt: skip
    TRAININGNAME = _cell("TRAININGNAME", "Up to 120 characters", "Safeguarding adults",
                         "training_name", lambda t, today, need: staff_rules.optional_text(
                             t, staff_rules.TEXT_MAX, messages.TRAINING_NAME_TOO_LONG))  # fmt: skip
    ACCREDITED = _cell("ACCREDITED", _codes(staff_rules.ACCREDITED), "1", "accredited",
                       _coded(staff_rules.accredited))  # fmt: skip
    WHODELIVERED = _cell("WHODELIVERED", _codes(staff_rules.WHO_DELIVERED), "1",
                         "who_delivered", _coded(staff_rules.who_delivered))  # fmt: skip
    PROVIDERNAME = _cell("PROVIDERNAME", "ASC-WDS training provider code (external only)",
                         "", "provider_name",
                         lambda t, today, need: staff_rules.training_provider(t))  # fmt: skip
    HOWDELIVERED = _cell("HOWDELIVERED", _codes(staff_rules.HOW_DELIVERED), "2",
                         "how_delivered", _coded(staff_rules.how_delivered))  # fmt: skip
    VALIDITY = _cell("VALIDITY", "none, or months 1 to 999", "12", "validity",
                     lambda t, today, need: staff_rules.validity(t))  # fmt: skip
    DATECOMPLETED = _cell("DATECOMPLETED", "DD/MM/YYYY", "01/03/2026", "date_completed",
                          _dated(staff_rules.date_completed))  # fmt: skip
    EXPIRYDATE = _cell("EXPIRYDATE", "DD/MM/YYYY; blank: completed + VALIDITY months - 1 day",
                       "", "expiry_date", _expiry_alone)  # fmt: skip
    NOTES = _cell("NOTES", "Up to 1,000 characters", "", "notes",
                  lambda t, today, need: staff_rules.optional_text(
                      t, staff_rules.NOTES_MAX, messages.NOTES_TOO_LONG))  # fmt: skip

    def check(self, values: dict) -> tuple[dict[str, Any], dict[str, str]]:
        return staff_rules.validate_training(values, self.today or date.today(), self.required)


def _columns(schema: type[_RowSchema]) -> dict[str, str]:
    """Our field name -> its ASC-WDS column, for the fields the rules check."""
    return {f.attribute: f.data_key for f in schema().fields.values() if f.attribute}


def _parse(schema: type[_RowSchema], fields_: Mapping[str, object], today: date, required):
    row = {column: fields_.get(name, "") for name, column in _columns(schema).items()}
    loader = schema()
    loader.today, loader.required = today, required
    try:
        return loader.load(row), {}
    except ValidationError as error:
        return {}, flat_errors(error.messages)


def parse_staff(
    fields_: Mapping[str, object],
    today: date,
    required: frozenset[str] = staff_rules.WEB_STAFF_REQUIRED,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A staff record as the web form posts it (our field names) -> (values, errors by
    field), through ``StaffRowSchema`` and so ``staff_rules.validate_staff``."""
    return _parse(StaffRowSchema, fields_, today, required)


def parse_training(
    fields_: Mapping[str, object],
    today: date,
    required: frozenset[str] = staff_rules.WEB_TRAINING_REQUIRED,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A training record as the web form posts it -> (values, errors by field), through
    ``TrainingRowSchema`` and so ``staff_rules.validate_training``."""
    return _parse(TrainingRowSchema, fields_, today, required)
