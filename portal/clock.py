"""The clock, in one place: the service's date (``today``, which tests and demos pin with the
``TODAY`` setting) and aware UTC datetimes, stored and compared the same on every database."""

from datetime import UTC, date, datetime

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: treat them as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def today() -> date:
    """The service's date. Tests and demos can pin it with the ``TODAY`` setting."""
    pinned = current_app.config.get("TODAY")
    return date.fromisoformat(pinned) if isinstance(pinned, str) else (pinned or date.today())
