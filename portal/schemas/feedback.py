"""A feedback report as the API's JSON (``GET .../feedback/{id}.json``), dumped from the
report's own figures (``portal.feedback.data.Feedback``, which the page and the PDF show):
each framework's KPIs against target and against the other providers' median and
quartiles (peers never named), the six-month trend, training compliance by category
against the area (the training gaps), staff training expiring soon, what the council
asked, and the summary in words.

Percentages are strings with their decimals (``"92.5"``), months ``YYYY-MM``, dates ISO."""

from __future__ import annotations

from marshmallow import Schema, fields

from portal.schemas.resources import UtcDateTime


class Month(fields.Field):
    """A month (its first day, a date) as ``YYYY-MM``."""

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else f"{value:%Y-%m}"


def _month() -> Month:
    return Month(metadata={"type": "string", "example": "2026-10"})


def _percent(description: str, **kwargs) -> fields.Decimal:
    return fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": description, "example": "92.5", "type": "string"},
        **kwargs,
    )


class PeerStatsSchema(Schema):
    count = fields.Integer(metadata={"description": "Other providers with a figure"})
    lower_quartile = _percent("The other providers' lower quartile (3 or more providers)")
    median = _percent("The other providers' median (3 or more providers)")
    upper_quartile = _percent("The other providers' upper quartile (3 or more providers)")


class FeedbackKpiSchema(Schema):
    code = fields.String(metadata={"example": "punctuality"})
    name = fields.String(metadata={"example": "Visits started on time"})
    percent = _percent("The provider's figure for the period")
    target_label = fields.String(metadata={"example": "90% or more"})
    rag = fields.String(allow_none=True, metadata={"description": "green, amber, red or null"})
    rag_label = fields.String(metadata={"example": "Green"})
    direction = fields.String(allow_none=True, metadata={"description": "higher or lower"})
    position = fields.String(
        metadata={"description": "Where the provider sits among the others, in words"}
    )
    peers = fields.Nested(PeerStatsSchema)


class TrendSchema(Schema):
    code = fields.String()
    name = fields.String()
    values = fields.List(
        fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"}),
        metadata={"description": "One figure a month, as trend_months"},
    )
    target = _percent("The target")


class FrameworkFeedbackSchema(Schema):
    framework_id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"example": "Support to Live at Home"})
    months_reported = fields.List(_month(), metadata={"description": "Months with a return"})
    kpis = fields.List(fields.Nested(FeedbackKpiSchema))
    trend_months = fields.List(_month())
    trends = fields.List(fields.Nested(TrendSchema))


class TrainingLineSchema(Schema):
    category = fields.Integer(attribute="code", metadata={"description": "ASC-WDS CATEGORY"})
    name = fields.String(metadata={"example": "Moving and handling"})
    provider_percent = fields.Float(allow_none=True, metadata={"description": "% compliant"})
    provider_staff = fields.Integer(metadata={"description": "The provider's staff in scope"})
    area_percent = fields.Float(
        allow_none=True, metadata={"description": "The area's % compliant (null when hidden)"}
    )
    area_shown = fields.Boolean(
        metadata={"description": "False when fewer than 3 providers make up the area figure"}
    )


class ExpiringSchema(Schema):
    worker_id = fields.String(metadata={"description": "UNIQUEWORKERID"})
    branch = fields.String()
    category = fields.String()
    expiry_date = fields.Date()


class ReplySchema(Schema):
    text = fields.String()
    at = fields.Date()


class QuerySchema(Schema):
    month = _month()
    about = fields.String(metadata={"example": "KPIs: Missed visits"})
    text = fields.String()
    at = fields.Date()
    resolved = fields.Boolean()
    replies = fields.List(fields.Nested(ReplySchema))


class ReviewLineSchema(Schema):
    contract = fields.String()
    text = fields.String()


class FeedbackReportSchema(Schema):
    """One feedback report's figures."""

    id = fields.Integer(metadata={"description": "The report's id, as in the list"})
    council_id = fields.Integer()
    council = fields.String(attribute="council_name")
    provider_id = fields.Integer()
    provider = fields.String(attribute="provider_name")
    period = fields.Function(
        lambda f: f.period.name, metadata={"type": "string", "example": "2026-10"}
    )
    period_label = fields.Function(
        lambda f: f.period.label, metadata={"type": "string", "example": "October 2026"}
    )
    as_at = fields.Date()
    built_at = UtcDateTime(metadata={"description": "When the PDF was made"})
    summary = fields.String(metadata={"description": "The report in one paragraph"})
    frameworks = fields.List(fields.Nested(FrameworkFeedbackSchema))
    training = fields.List(
        fields.Nested(TrainingLineSchema),
        metadata={"description": "Training compliance by category against the area"},
    )
    training_staff = fields.Integer(metadata={"description": "The provider's staff in scope"})
    area_providers = fields.Integer(metadata={"description": "Providers in the area figures"})
    expiring_until = fields.Date()
    expiring = fields.List(fields.Nested(ExpiringSchema))
    queries = fields.List(fields.Nested(QuerySchema))
    reviews = fields.List(fields.Nested(ReviewLineSchema))
    pdf_url = fields.String()
