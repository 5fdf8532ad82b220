"""Race-safe counters for sign-in attempts and password-reset requests.

Every attempt is counted BEFORE the password is checked (or the e-mail sent), by one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the database hands each of N concurrent
attempts its own number, so only the first ``limit`` of them go on to be checked.

Keys (one row each in ``login_throttle``):

- ``email:<address>``: sign-in attempts for one account (known or not, so the answer
  never says whether an account exists). Over ``LOGIN_MAX_FAILURES`` the account is
  locked for ``LOGIN_LOCK_MINUTES``; signing in successfully clears it.
- ``ip:<client address>``: sign-in attempts from one network, across accounts; a
  successful sign-in takes its own attempt off again, so it counts failures. Over
  ``LOGIN_ADDRESS_MAX_FAILURES`` the network is only slowed, never locked out: each
  account may then be tried from that address once per :data:`ADDRESS_DELAY`
  (``ip-email:<client address> <address>``), so someone with the right password waits
  at most that long.
- ``reset-email:<address>`` and ``reset-ip:<client address>``: password-reset requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms import messages
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import LoginThrottle

# How long a busy network waits between tries of one account (stated in the message).
ADDRESS_DELAY = timedelta(minutes=1)


@dataclass(frozen=True)
class Attempt:
    count: int  # this attempt's number in the current window, 1 for the first
    locked_until: datetime | None  # a lock still in force, if any


def email_key(email: str) -> str:
    return "email:" + email.strip().lower()


def ip_key(ip: str | None) -> str:
    return "ip:" + (ip or "unknown")


def ip_email_key(ip: str | None, email: str) -> str:
    return f"ip-email:{ip or 'unknown'} {email.strip().lower()}"


def reset_email_key(email: str) -> str:
    return "reset-email:" + email.strip().lower()


def reset_ip_key(ip: str | None) -> str:
    return "reset-ip:" + (ip or "unknown")


def count_attempt(key: str, window: timedelta) -> Attempt:
    """Count one attempt for ``key`` atomically and commit; the count restarts at 1 when
    the window is over or an earlier lock has ended. Attempts during a lock still count."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    restart = case(
        (LoginThrottle.locked_until.is_(None), LoginThrottle.window_started_at < now - window),
        else_=LoginThrottle.locked_until <= now,
    )
    statement = (
        insert(LoginThrottle)
        .values(key=key, window_started_at=now, failures=1)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": case((restart, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case((restart, now), else_=LoginThrottle.window_started_at),
                "locked_until": case((restart, None), else_=LoginThrottle.locked_until),
            },
        )
        .returning(LoginThrottle.failures, LoginThrottle.locked_until)
    )
    count, locked = db.session.execute(statement).one()
    db.session.commit()
    locked = as_utc(locked)
    return Attempt(count, locked if locked is not None and locked > now else None)


def lock(key: str, minutes: int) -> None:
    """Lock ``key`` for ``minutes`` unless a lock is already in force (it is not extended)."""
    now = utcnow()
    db.session.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == key,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now),
        )
        .values(locked_until=now + timedelta(minutes=minutes))
    )
    db.session.commit()


def uncount(key: str) -> None:
    """Take one attempt off ``key`` again (a sign-in that turned out to be right)."""
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
    db.session.commit()


def clear(key: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    db.session.commit()


def locked_until(*keys: str) -> datetime | None:
    """The latest lock among ``keys`` that is still in force, if any."""
    now = utcnow()
    rows = db.session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    locks = [as_utc(value) for value in rows if value is not None and as_utc(value) > now]
    return max(locks) if locks else None


def record_failure(key: str, max_failures: int) -> int:
    """Count one failure for ``key``; lock it once the window holds ``max_failures``."""
    config = current_app.config
    attempt = count_attempt(key, timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))
    if attempt.count >= max_failures:
        lock(key, config["LOGIN_LOCK_MINUTES"])
    return attempt.count


# Sign-in policy ------------------------------------------------------------------------


def _minutes(delta: timedelta) -> str:
    minutes = max(1, -(-int(delta.total_seconds()) // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def account_locked_message(until: datetime) -> str:
    return messages.SIGN_IN_LOCKED.format(minutes=_minutes(until - utcnow()))


def before_password_check(email: str, ip: str | None) -> tuple[Attempt, str | None]:
    """Count this sign-in attempt; return it and, when it must not be checked, the message."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    attempt = count_attempt(email_key(email), window)
    from_address = count_attempt(ip_key(ip), window)
    if attempt.locked_until is not None:
        return attempt, account_locked_message(attempt.locked_until)
    if attempt.count > config["LOGIN_MAX_FAILURES"]:
        lock(email_key(email), config["LOGIN_LOCK_MINUTES"])
        return attempt, messages.SIGN_IN_LOCKED.format(
            minutes=_minutes(timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))
        )
    if from_address.count > config["LOGIN_ADDRESS_MAX_FAILURES"]:
        if count_attempt(ip_email_key(ip, email), ADDRESS_DELAY).count > 1:
            return attempt, messages.SIGN_IN_SLOWED_NETWORK
    return attempt, None


def after_success(email: str, ip: str | None) -> None:
    clear(email_key(email))
    uncount(ip_key(ip))


def after_failure(email: str, attempt: Attempt) -> str:
    """Lock the account when this was its last allowed try; the message to show."""
    config = current_app.config
    if attempt.count >= config["LOGIN_MAX_FAILURES"]:
        lock(email_key(email), config["LOGIN_LOCK_MINUTES"])
        return messages.SIGN_IN_LOCKED.format(
            minutes=_minutes(timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))
        )
    return messages.SIGN_IN_FAILED


# Password resets -----------------------------------------------------------------------


def reset_allowed(email: str, ip: str | None) -> bool:
    """Count a reset request per address and per client address; False over either limit."""
    config = current_app.config
    window = timedelta(minutes=config["PASSWORD_RESET_WINDOW_MINUTES"])
    for_address = count_attempt(reset_email_key(email), window).count
    from_client = count_attempt(reset_ip_key(ip), window).count
    return (
        for_address <= config["PASSWORD_RESET_MAX_PER_EMAIL"]
        and from_client <= config["PASSWORD_RESET_MAX_PER_CLIENT"]
    )
