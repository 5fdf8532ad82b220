"""What the API answers with, as marshmallow schemas (they also describe it in the
OpenAPI document): returns, their sections, KPI results, soft warnings, versions,
comments and receipts, and the problem document of an error (RFC 9457).

Dates are ISO 8601 (``2026-12-07``), periods ``YYYY-MM``, statuses are stable codes with
their labels beside them, so a system can match on one and show the other."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from portal.clock import as_utc


class UtcDateTime(fields.AwareDateTime):
    """A time as ISO 8601 with its offset. Times are stored in UTC; SQLite gives them back
    without their offset (``clock.as_utc``), which is put back here, so every answer is a
    JSON Schema ``date-time`` on either database."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(as_utc(value), attr, obj, **kwargs)


class FieldErrorSchema(Schema):
    field = fields.String(metadata={"description": "The answer's name, as in the request"})
    message = fields.String(metadata={"description": "What to fix, in the web form's words"})


class RowErrorSchema(Schema):
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    message = fields.String()


class ProblemSchema(Schema):
    """An error, as ``application/problem+json`` (RFC 9457). ``errors`` lists each field's
    problem; ``error`` repeats ``detail`` for clients of the first API version. Other
    members (RFC 9457 extensions) may come too, such as an import's ``warnings``."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    error = fields.String()
    errors = fields.List(fields.Dict())


class WarningSchema(Schema):
    """A soft warning: probably a mistake, but may be right. Send its ``code`` in
    ``confirm_warnings`` to say the value is correct; the section is completed once
    every warning is confirmed."""

    code = fields.String(metadata={"example": "planned_visits:jump"})
    field = fields.String()
    message = fields.String()
    confirmed = fields.Boolean()


class KpiResultSchema(Schema):
    code = fields.String(metadata={"example": "punctuality"})
    name = fields.String(metadata={"example": "Visits started on time"})
    # Decimals travel as strings ("92.5"), so no figure is rounded by a float on the way.
    percent = fields.Decimal(
        as_string=True, allow_none=True, metadata={"example": "92.5", "type": "string"}
    )
    target = fields.Decimal(
        as_string=True, allow_none=True, metadata={"example": "90", "type": "string"}
    )
    direction = fields.String(allow_none=True, metadata={"description": "higher or lower"})
    rag = fields.String(allow_none=True, metadata={"description": "green, amber, red or null"})


class SectionSchema(Schema):
    code = fields.String(metadata={"example": "kpis"})
    title = fields.String(metadata={"example": "KPIs"})
    state = fields.String(metadata={"description": "not_started, in_progress or completed"})
    revision = fields.Integer(
        metadata={"description": "Changes at each save; the section's ETag is its revision"}
    )
    writable = fields.Boolean(metadata={"description": "Whether PUT takes this section"})
    answers = fields.Dict()
    warnings = fields.List(fields.Nested(WarningSchema))


class ReturnSummarySchema(Schema):
    id = fields.Integer()
    council = fields.String()
    provider = fields.String(metadata={"description": "In the council API's answers"})
    framework = fields.String(allow_none=True)
    period = fields.String(metadata={"example": "2026-10", "description": "YYYY-MM"})
    status = fields.String(metadata={"example": "in_progress"})
    status_label = fields.String(metadata={"example": "In progress"})
    due_date = fields.Date()
    locks_on = fields.Date()
    version = fields.Integer(
        allow_none=True, metadata={"description": "The latest submitted version, if any"}
    )


class ReturnListSchema(Schema):
    returns = fields.List(fields.Nested(ReturnSummarySchema))


class ReturnSchema(ReturnSummarySchema):
    nil_return = fields.Boolean()
    editable = fields.Boolean()
    sections = fields.List(fields.Nested(SectionSchema))
    kpis = fields.List(fields.Nested(KpiResultSchema))


class SectionWriteSchema(Schema):
    """The body of ``PUT .../sections/{code}``: the answers, by name, as the web form
    has them, and the codes of the soft warnings you confirm as correct."""

    answers = fields.Dict(required=True)
    confirm_warnings = fields.List(fields.String(), load_default=list)


class ReceiptSchema(Schema):
    reference = fields.String(metadata={"example": "MEDWAY-202610-P1C1-V1"})
    version = fields.Integer(attribute="number", metadata={"example": 1})
    submitted_at = UtcDateTime()


class CommentSchema(Schema):
    """A question, acceptance or note on a return, with its replies."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "query, accept or note"})
    version = fields.Integer(attribute="version_number", allow_none=True)
    section = fields.String(allow_none=True, metadata={"example": "kpis"})
    field = fields.String(allow_none=True, metadata={"example": "missed_visits"})
    text = fields.String()
    author = fields.Function(lambda c: c.author.name if c.author else None,
                             metadata={"type": ["string", "null"]})  # fmt: skip
    at = UtcDateTime()
    resolved = fields.Boolean()
    replies = fields.List(fields.Nested(lambda: CommentSchema()))


class CommentListSchema(Schema):
    comments = fields.List(fields.Nested(CommentSchema))


class FeedAnswerSchema(Schema):
    section = fields.String(metadata={"example": "kpis"})
    field = fields.String(
        metadata={"example": "planned_visits", "description": "rows keep their place: rows[1].x"}
    )
    value = fields.String(allow_none=True)


class FeedVersionSchema(Schema):
    """A submitted version in the council feed: what it is, and each answer."""

    version_reference = fields.String(metadata={"example": "MEDWAY-202610-P1C1-V1"})
    return_id = fields.Integer()
    provider_id = fields.Integer()
    provider = fields.String()
    council = fields.String()
    framework = fields.String(allow_none=True)
    period = fields.String(metadata={"example": "2026-10"})
    version = fields.Integer()
    submitted_at = fields.String(metadata={"format": "date-time"})
    nil_return = fields.Boolean()
    answers = fields.List(fields.Nested(FeedAnswerSchema))


class FeedPageSchema(Schema):
    versions = fields.List(fields.Nested(FeedVersionSchema))
    next_cursor = fields.String(metadata={"description": "Send it as cursor next time"})
    more = fields.Boolean(metadata={"description": "Whether another page follows now"})


class Figure(fields.Raw):
    """A matrix figure: a count or a percentage, null when there is none, or "[c]" when
    the forum's disclosure rule hides it."""


def _figure(description: str) -> Figure:
    return Figure(metadata={"description": description,
                            "type": ["integer", "number", "string", "null"]})  # fmt: skip


class MatrixCellSchema(Schema):
    """One training category x job role of the super training matrix."""

    category_code = fields.Integer(metadata={"description": "ASC-WDS training category"})
    category = fields.String(metadata={"example": "Safeguarding adults"})
    job_role = fields.String(metadata={"example": "Care worker"})
    staff_in_scope = _figure("Staff in scope")
    up_to_date = _figure("Up to date")
    expiring_90_days = _figure("Expiring within 90 days (still valid)")
    expired = _figure("Expired")
    missing = _figure("Mandatory with no record")
    percent_compliant = _figure("Up to date and expiring soon over staff in scope")


class MatrixSchema(Schema):
    as_at = fields.Date()
    provider_id = fields.Integer(allow_none=True)
    cells = fields.List(fields.Nested(MatrixCellSchema))
