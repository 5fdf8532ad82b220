"""Section answers as marshmallow schemas that hand their values to the section's rules.

A schema declares the fields (for the OpenAPI document and for refusing unknown ones);
the checks are the section's own rule function, so the messages are the web form's and the
file upload's, word for word. ``load`` returns the answers as the section saves them
(canonical strings) or raises ``ValidationError`` with one message a field.

``parse_section(code, raw)`` is the one door: the API's ``PUT`` of a section calls it,
and it calls what the web form and the section upload call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from forms import messages
from portal.returns import kpis
from portal.returns.sections import workforce_rules

UNKNOWN_FIELD = "This is not an answer of this section: leave it out or check its name"
NOT_A_VALUE = "Send a number or text, not a list, object or true/false"


class Answer(fields.Field):
    """One answer as a form would post it: text or a number (sent as its digits), or
    null for blank. Lists, objects and true/false are refused here; everything else is for
    the section's rules to judge."""

    default_error_messages = {"invalid": NOT_A_VALUE}

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)

    def _serialize(self, value: Any, attr, obj, **kwargs) -> str | None:
        return None if value is None else str(value)


def _answer(description: str, example: str) -> Answer:
    return Answer(
        required=False,
        allow_none=True,
        metadata={"description": description, "type": "string", "example": example},
    )


class _RuledSchema(Schema):
    """Answers checked by ``rule`` (raw answers -> (values, errors by field)); ``outcome``
    keeps what it said."""

    rule: Callable[[Mapping[str, object]], tuple[dict[str, str], dict[str, str]]]
    error_messages = {"unknown": UNKNOWN_FIELD}  # noqa: RUF012 (marshmallow merges these)
    outcome: tuple[dict[str, str], dict[str, str]] | None = None

    @validates_schema
    def _by_the_sections_rules(self, data: dict, **kwargs) -> None:
        self.outcome = type(self).rule(data)
        if self.outcome[1]:
            raise ValidationError({name: [m] for name, m in self.outcome[1].items()})

    @post_load
    def _as_saved(self, data: dict, **kwargs) -> dict[str, str]:
        return self.outcome[0] if self.outcome else type(self).rule(data)[0]

    def parse(self, posted: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """A web form's post: (values, errors by field). Only the schema's own fields are
        loaded (the form's revision, tick boxes and token are the page's business), and the
        values that could be read come back even with errors (the page's live figures and
        soft warnings use them)."""
        own = {name: posted[name] for name in self.load_fields if name in posted}
        try:
            return self.load(own), {}
        except ValidationError as error:
            if self.outcome is not None:
                return self.outcome
            return {}, flat_errors(error.messages)


def _kpi_fields() -> dict[str, fields.Field]:
    return {
        c.name: _answer(
            f"{c.label}{': ' + c.hint if c.hint else ''} "
            f"({'up to 2 decimal places' if c.decimal else 'a whole number'})",
            "1520.5" if c.decimal else "120",
        )
        for c in kpis.COUNTS
    }


def _ruled(name: str, declared: dict[str, fields.Field], rule, doc: str) -> type[Schema]:
    """A schema of ``declared`` fields whose values ``rule`` checks and makes canonical."""
    base = Schema.from_dict(declared, name=f"{name}Fields")
    return type(name, (_RuledSchema, base), {"rule": staticmethod(rule), "__doc__": doc})


def _workforce_field(field: workforce_rules.Field) -> Answer:
    if field.kind == workforce_rules.CHOICE:
        codes = ", ".join(f"{value} ({label})" for value, label in field.choices)
        return _answer(f"{field.label}: one of {codes}", field.choices[0][0])
    return _answer(field.label, "12.60" if field.kind == workforce_rules.MONEY else "10")


KpiAnswersSchema = _ruled("KpiAnswers", _kpi_fields(), kpis.parse_counts, "The month's KPI counts.")
WorkforceAnswersSchema = _ruled(
    "WorkforceAnswers",
    {f.name: _workforce_field(f) for f in workforce_rules.FIELDS},
    workforce_rules.parse_workforce,
    "The month's workforce figures.",
)


def confirm_training(raw: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """The training section is the provider's staff and training records: its one answer
    is that they are right for the month (the web page's tick box, and its message)."""
    if str(raw.get("confirmed") or "").strip() == "yes":
        return {"confirmed": "yes"}, {}
    return {}, {"confirmed": messages.TRAINING_CONFIRM_REQUIRED}


TrainingConfirmationSchema = _ruled(
    "TrainingConfirmation",
    {"confirmed": _answer("yes: the staff and training records are right for the month", "yes")},
    confirm_training,
    "Confirming the staff and training records (send or upload them first).",
)

ANSWER_SCHEMAS: dict[str, type[Schema]] = {
    "kpis": KpiAnswersSchema,
    "training": TrainingConfirmationSchema,
    "workforce": WorkforceAnswersSchema,
}


def parse_section(code: str, raw: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(answers as saved, errors by field: one message each), by the section's schema and
    so by its rules. ``raw``: a JSON object, a form post or a file's cells."""
    try:
        return ANSWER_SCHEMAS[code]().load(dict(raw)), {}
    except ValidationError as error:
        return {}, flat_errors(error.messages)


def flat_errors(found: Any) -> dict[str, str]:
    """marshmallow's ``{field: [message, ...]}`` as ``{field: message}`` (the first)."""
    if not isinstance(found, dict):
        return {"_schema": str(found[0] if isinstance(found, list) else found)}
    flat = {}
    for name, said in found.items():
        first = said[0] if isinstance(said, list) and said else said
        flat[str(name)] = first if isinstance(first, str) else str(first)
    return flat
