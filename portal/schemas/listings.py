"""What the API answers with where it lists or reports rather than returns: the staff and
training records read back (``GET /staff``, ``GET /training``: ASC-WDS columns, 500 a
page), a check of rows or of an uploaded file (every error and warning as ``{row, column,
value, message}``), an upload's status, the feedback reports' list and the council's read
of a submitted return. They describe the answers in the OpenAPI document, so the fuzzer
(schemathesis) checks every body against them: every member is required, and no other
member may come (``additionalProperties: false``, marshmallow's ``unknown = RAISE``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.schemas.resources import KpiResultSchema, ReturnSummarySchema, UtcDateTime


def _text(description: str = "", **kwargs) -> fields.String:
    return fields.String(required=True, metadata={"description": description}, **kwargs)


def _maybe(field_class=fields.String, description: str = "", **kwargs) -> fields.Field:
    """A member that is always there, null when there is no value."""
    return field_class(required=True, allow_none=True, metadata={"description": description},
                       **kwargs)  # fmt: skip


class StaffListingRowSchema(Schema):
    """A staff member as ``GET /staff`` lists them."""

    UNIQUEWORKERID = _text("The worker's id, as in ASC-WDS")
    LOCALESTID = _maybe(description="The branch's ASC-WDS workplace id")
    MAINJOBROLE = fields.Integer(required=True, metadata={"description": "ASC-WDS code"})
    status = _text("current, or left", validate=validate.OneOf(("current", "left")))
    left_on = _maybe(description="DD/MM/YYYY, when they left")


class TrainingListingRowSchema(Schema):
    """A training record as ``GET /training`` lists it (the ASC-WDS Training file's
    columns; dates DD/MM/YYYY)."""

    LOCALESTID = _maybe()
    UNIQUEWORKERID = _text()
    CATEGORY = fields.Integer(required=True)
    TRAININGNAME = _maybe()
    ACCREDITED = _maybe(fields.Integer)
    WHODELIVERED = _maybe(fields.Integer)
    PROVIDERNAME = _maybe()
    HOWDELIVERED = _maybe(fields.Integer)
    VALIDITY = _maybe(description="none, or months")
    DATECOMPLETED = _maybe()
    EXPIRYDATE = _maybe()
    NOTES = _maybe()


class _PageSchema(Schema):
    page = fields.Integer(required=True, metadata={"example": 1})
    next = _maybe(description="The next page's address; null on the last page")


class StaffPageSchema(_PageSchema):
    staff = fields.List(fields.Nested(StaffListingRowSchema), required=True)


class TrainingPageSchema(_PageSchema):
    training = fields.List(fields.Nested(TrainingListingRowSchema), required=True)


class RowProblemSchema(Schema):
    """An error or warning at a row and column (both null for the file as a whole)."""

    row = _maybe(fields.Integer, "The row (the file's row number; 1 for a request's first row)")
    column = _maybe(description="The column's heading")
    value = _text("The cell, as sent (shortened)")
    message = _text("What to fix, in the upload page's words")
    file = fields.String(metadata={"description": "staff or training (an import of both)"})


class _ProblemsSchema(Schema):
    errors = fields.List(fields.Nested(RowProblemSchema), required=True)
    warnings = fields.List(fields.Nested(RowProblemSchema), required=True)
    error_count = fields.Integer(
        required=True, metadata={"description": "The lists stop at 10,000"}
    )
    warning_count = fields.Integer(required=True)
    summary = _text("You need to fix ...")


class RowCheckSchema(_ProblemsSchema):
    """A check of rows (``POST /staff/check``, ``/training/check``): nothing stored."""

    changes = _maybe(fields.Dict, "What importing would change, by file; null with errors")


class ImportedSchema(Schema):
    """An import of rows: what changed by file, and the warnings."""

    counts = fields.Dict(required=True, metadata={"description": "What changed, by file"})
    warnings = fields.List(fields.Nested(RowProblemSchema), required=True)
    warning_count = fields.Integer(required=True)


class UploadStatusSchema(Schema):
    """An uploaded file: its status and, until it is confirmed, its check now."""

    id = fields.Integer(required=True)
    file = _text("staff or training", validate=validate.OneOf(("staff", "training")))
    status = _text("checked (waiting for confirm), queued, importing, imported or failed")
    status_url = _text("Poll it until the status is imported or failed")
    counts = fields.Dict(required=True, metadata={"description": "What the import did"})
    error = _maybe(description="Why the import failed")
    errors = fields.List(fields.Nested(RowProblemSchema))
    warnings = fields.List(fields.Nested(RowProblemSchema))
    error_count = fields.Integer()
    warning_count = fields.Integer()
    summary = fields.String()


class FeedbackListItemSchema(Schema):
    id = fields.Integer(required=True)
    council_id = fields.Integer(required=True)
    council = _text("The council's name")
    period = _text("YYYY-MM for a month, YYYY-Qn for a quarter")
    built_at = UtcDateTime(required=True, metadata={"description": "When it was made"})
    pdf_url = _text("The report as a PDF")
    json_url = _text("The report's figures as JSON")


class FeedbackListSchema(Schema):
    reports = fields.List(fields.Nested(FeedbackListItemSchema), required=True)


class CouncilReturnSchema(ReturnSummarySchema):
    """A submitted return as the council reads it: its latest version's answers by section
    and the KPIs computed from them (a draft has no answers here: it is the provider's)."""

    provider_id = fields.Integer(required=True)
    reference = _maybe(description="The latest version's reference")
    answers = fields.Dict(required=True, metadata={"description": "Answers by section code"})
    kpis = fields.List(fields.Nested(KpiResultSchema), required=True)
