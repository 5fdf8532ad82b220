"""What every API call goes through besides its view: the audit row with the key's name
(``ApiCall``), the per-key rate limit counted from those rows (so it works the same on
SQLite and PostgreSQL, in ``make run`` and behind several workers), the ``RateLimit``
headers, and the first answer to each ``Idempotency-Key`` kept 24 hours
(``ApiIdempotency``): a retried POST or PUT gets that answer again and changes nothing,
and one sent while the first is still running is refused with 409 (the key is reserved
before the request runs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, current_app, g, request
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.client import client_ip
from portal.clock import utcnow
from portal.extensions import db
from portal.models import ApiCall, ApiIdempotency, ApiKey

WINDOW = timedelta(minutes=1)
DEFAULT_PER_MINUTE = 120
KEEP_ANSWERS = timedelta(hours=24)
# A reservation with no answer after this long was left by a process that died.
ABANDONED_AFTER = timedelta(minutes=5)
KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._~:-]{8,64}")
BAD_IDEMPOTENCY_KEY = "Idempotency-Key must be 8 to 64 letters, digits or the characters . _ ~ : -"
KEY_USED_ELSEWHERE = (
    "This Idempotency-Key was used for another request in the last 24 hours: use a new "
    "key for each request"
)
STILL_RUNNING = (
    "A request with this Idempotency-Key is still being processed: wait for its answer, "
    "or send the same request again in a few seconds to get it"
)
TOO_MANY = "Too many calls with this key: wait {seconds} seconds and try again"


@dataclass(frozen=True)
class Allowance:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f"{self.limit};w={int(WINDOW.total_seconds())}",
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(self.remaining, 0)),
            "RateLimit-Reset": str(self.reset),
        }


def per_minute() -> int:
    return int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE") or DEFAULT_PER_MINUTE)


def _window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def allowance(key: ApiKey) -> Allowance:
    """What is left of this minute's calls for ``key`` (this call not counted yet)."""
    now = utcnow()
    start = _window_start(now)
    made = db.session.scalar(
        select(func.count(ApiCall.id)).where(ApiCall.key_id == key.id, ApiCall.called_at >= start)
    )
    limit = per_minute()
    reset = max(1, int((start + WINDOW - now).total_seconds()))
    return Allowance(limit, limit - made - 1, reset)


def record(response: Response) -> Response:
    """After an API call made with a key: its audit row, and the rate-limit headers."""
    key: ApiKey | None = g.get("api_key")
    if key is None:
        return response
    db.session.rollback()  # whatever the view left unfinished is not ours to commit
    db.session.add(
        ApiCall(
            key_id=key.id,
            key_name=key.name,
            method=request.method[:10],
            path=request.path[:300],
            status=response.status_code,
            client_ip=client_ip(),
        )
    )
    db.session.commit()
    limits = g.get("api_allowance")
    if limits is not None:
        response.headers.update(limits.headers())
    return response


# --- Idempotency-Key -----------------------------------------------------------------


def idempotency_key() -> str | None:
    """The request's Idempotency-Key; None without one. Raises ValueError when malformed."""
    key = request.headers.get(KEY_HEADER, "").strip()
    if not key:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValueError(BAD_IDEMPOTENCY_KEY)
    return key


def reserve(key: ApiKey, idempotency: str) -> ApiIdempotency | None:
    """Take ``idempotency`` for this request before it runs: a row with no answer yet,
    committed under the (key, Idempotency-Key) unique constraint, so of two concurrent
    requests with the same key only one runs. None when taken; otherwise the row that
    was there first (in flight, or finished with its answer). A reservation left in
    flight longer than ``ABANDONED_AFTER`` (its process died) is taken over."""
    now = utcnow()
    db.session.execute(delete(ApiIdempotency).where(ApiIdempotency.created_at < now - KEEP_ANSWERS))
    for _ in range(3):  # the first's row may go between our insert and our read
        if _inserted(key, idempotency, now):
            return None
        stored = db.session.scalar(
            select(ApiIdempotency).where(
                ApiIdempotency.key_id == key.id, ApiIdempotency.idempotency_key == idempotency
            )
        )
        if stored is not None:
            return None if stored.status is None and _take_over(stored, now) else stored
    raise RuntimeError("The Idempotency-Key could be neither reserved nor read")


def _inserted(key: ApiKey, idempotency: str, now: datetime) -> bool:
    db.session.add(
        ApiIdempotency(
            key_id=key.id,
            idempotency_key=idempotency,
            method=request.method[:10],
            path=request.path[:300],
            created_at=now,
        )
    )
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def _take_over(stored: ApiIdempotency, now: datetime) -> bool:
    """Claim an abandoned reservation (one UPDATE, so only one claimant wins)."""
    claimed = db.session.execute(
        update(ApiIdempotency)
        .where(
            ApiIdempotency.id == stored.id,
            ApiIdempotency.status.is_(None),
            ApiIdempotency.created_at < now - ABANDONED_AFTER,
        )
        .values(created_at=now, method=request.method[:10], path=request.path[:300])
        .execution_options(synchronize_session=False)  # SQL decides, not Python (SQLite)
    ).rowcount
    db.session.commit()
    return claimed == 1


def same_request(stored: ApiIdempotency) -> bool:
    return stored.method == request.method and stored.path == request.path[:300]


def in_flight(stored: ApiIdempotency) -> bool:
    return stored.status is None


def replay(stored: ApiIdempotency) -> Response:
    response = Response(stored.body, status=stored.status, mimetype="application/json")
    if stored.status >= 400:
        response.mimetype = "application/problem+json"
    response.headers["Idempotent-Replayed"] = "true"
    return response


def keep_answer(key: ApiKey, idempotency: str, response: Response | None) -> None:
    """Write the first answer into the reservation; a server error, a refusal to run at
    all or no answer (the view raised) frees the key so a retry runs again."""
    db.session.rollback()
    row = (ApiIdempotency.key_id == key.id) & (ApiIdempotency.idempotency_key == idempotency)
    if response is None or response.status_code >= 500 or response.status_code in (401, 429):
        db.session.execute(delete(ApiIdempotency).where(row, ApiIdempotency.status.is_(None)))
    else:
        db.session.execute(
            update(ApiIdempotency)
            .where(row)
            .values(status=response.status_code, body=response.get_data(as_text=True))
        )
    db.session.commit()
