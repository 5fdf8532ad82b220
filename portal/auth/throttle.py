"""Race-safe counting of failed sign-ins, per email address and per IP address.

One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per failure: concurrent failures
each add one, whichever database (PostgreSQL or SQLite) holds the counter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import LoginThrottle
from portal.timeutil import as_utc, utcnow

IP_FAILURE_MULTIPLIER = 10  # an office behind one address gets more room than one account


def email_key(email: str) -> str:
    return "email:" + email.strip().lower()


def ip_key(ip: str | None) -> str:
    return "ip:" + (ip or "unknown")


def locked_until(*keys: str) -> datetime | None:
    """The latest lock among ``keys`` that is still in force, if any."""
    now = utcnow()
    rows = db.session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    locks = [as_utc(value) for value in rows if value is not None and as_utc(value) > now]
    return max(locks) if locks else None


def record_failure(key: str, max_failures: int) -> int:
    """Count one failure for ``key``; lock it once the window holds ``max_failures``."""
    config = current_app.config
    now = utcnow()
    floor = now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    window_over = LoginThrottle.window_started_at < floor
    statement = (
        insert(LoginThrottle)
        .values(key=key, window_started_at=now, failures=1)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": case((window_over, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case(
                    (window_over, now), else_=LoginThrottle.window_started_at
                ),
            },
        )
        .returning(LoginThrottle.failures)
    )
    failures = db.session.execute(statement).scalar_one()
    if failures >= max_failures:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))
        )
    db.session.commit()
    return failures


def clear(key: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    db.session.commit()
