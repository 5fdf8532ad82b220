"""What every section shares that needs no request: earlier months' answers, which soft
warnings are still to confirm, and the wording of the error summary and of a stale save.
The page half is ``common``."""

from __future__ import annotations

from dataclasses import dataclass

from forms import messages
from portal.display import long_date_time
from portal.models import MonthlyReturn
from portal.returns import service
from portal.returns.warnings import SoftWarning


def unconfirmed(warnings: list[SoftWarning], confirmed: list[str]) -> list[SoftWarning]:
    return [w for w in warnings if w.code not in confirmed]


def warning_errors(warnings: list[SoftWarning]) -> list[dict]:
    return [
        {
            "text": f"{w.message}. {messages.CONFIRM_WARNING}",
            "href": f"#confirm-{w.code.replace(':', '-').replace('.', '-')}",
        }
        for w in warnings
    ]  # noqa: E501


def error_list(errors: dict[str, str], highlight: dict[str, list[str]]) -> list[dict]:
    """Summary links, in page order. A date links to its first box in error."""
    return [
        {
            "text": message,
            "href": f"#{field}-{highlight[field][0]}" if highlight.get(field) else f"#{field}",
        }
        for field, message in errors.items()
    ]


@dataclass
class RowErrors:
    """One row's errors by field id (``prefix`` + the field's name) and the date boxes to
    highlight, collected into the dicts of the whole form."""

    errors: dict[str, str]
    highlight: dict[str, list[str]]
    prefix: str
    where: str = ""  # names the row in messages, like "for handback 2"

    def fail(self, name: str, message: str | None, boxes: list[str] | None = None) -> None:
        if message:
            self.errors[self.prefix + name] = message
            if boxes is not None:
                self.highlight[self.prefix + name] = boxes


def stale_message(stale: service.Stale) -> str:
    if stale.at is None:  # the form named a revision that never existed
        return messages.STALE_SAVE_UNKNOWN
    return messages.STALE_SAVE.format(name=stale.by, time=long_date_time(stale.at))


def previous_section_data(ret: MonthlyReturn, code: str, months: int = 2) -> list[dict]:
    return [
        (version.get("sections") or {}).get(code) or {}
        for version in service.previous_versions(ret, months)
    ]
