"""What a reviewer or a provider writes on a return (a question, an acceptance's comment,
a reply) as marshmallow schemas over one rule, ``comment_text``, with the web forms'
messages (``forms.messages``: "Enter your reply", "Your comment must be 2,000 characters
or fewer"), so the API and the review and reply pages answer a bad text in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

from forms import messages
from portal.schemas.sections import flat_errors

COMMENT_MAX = 2000
NOT_TEXT = "Send the text as a string"


def comment_text(raw: object, required_message: str | None) -> tuple[str, str | None]:
    """(the text, stripped; the error or None). ``required_message``: the message when it
    is blank, or None when it may be."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return "", NOT_TEXT
    if required_message and not raw.strip():
        return "", required_message
    if len(raw) > COMMENT_MAX:
        return "", messages.COMMENT_TOO_LONG
    return raw.strip(), None


def _text(required_message: str | None) -> fields.Raw:
    """``text``: required (with the form's message when missing) when it has one."""
    metadata: dict[str, Any] = {"type": "string", "maxLength": COMMENT_MAX}
    if required_message:
        metadata["minLength"] = 1
    return fields.Raw(
        required=required_message is not None,
        error_messages={"required": required_message or ""},
        metadata=metadata,
    )


class _CommentSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other members are ignored, as before

    required_message: str | None = None

    @validates_schema
    def _by_the_rule(self, data: dict, **kwargs) -> None:
        _, error = comment_text(data.get("text"), self.required_message)
        if error:
            raise ValidationError({"text": [error]})


class ReplyBodySchema(_CommentSchema):
    """A provider's reply to a question."""

    required_message = messages.REPLY_REQUIRED
    text = _text(messages.REPLY_REQUIRED)


class QueryBodySchema(_CommentSchema):
    """A commissioner's question on a submitted return, about one answer or the whole."""

    required_message = messages.QUERY_TEXT_REQUIRED
    section = fields.String(load_default="", metadata={"example": "kpis"})
    field = fields.String(load_default="", metadata={"example": "missed_visits"})
    text = _text(messages.QUERY_TEXT_REQUIRED)


class AcceptBodySchema(_CommentSchema):
    """Accepting a submitted return, with an optional comment for the provider."""

    text = _text(None)


def load_comment(schema: type[_CommentSchema], body: Mapping[str, Any]) -> tuple[dict, dict]:
    """(the body, its text stripped; errors by field, one message each)."""
    try:
        loaded = schema().load(dict(body))
    except ValidationError as error:
        return {}, flat_errors(error.messages)
    loaded["text"] = comment_text(loaded.get("text"), None)[0]
    return loaded, {}
