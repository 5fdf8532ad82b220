"""API keys: how a provider's own systems send staff and training records to the API, and
a council's (or its provider forum's) systems read returns; every call made with a key
(``ApiCall``, also what the rate limit counts); and the first answer to each
``Idempotency-Key`` (``ApiIdempotency``, kept 24 hours)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db
from portal.vocabulary import KEY_NAME_MAX, PREFIX_LENGTH


class ApiKey(db.Model):
    """One key of a provider: the secret is shown once when it is made, then only its
    first ``PREFIX_LENGTH`` characters (``prefix``, to tell keys apart) and its hash are kept.

    ``key_hash`` is the SHA-256 of the secret. A slow password hash (argon2) is for secrets
    people choose, which can be guessed; an API secret is 32 random bytes, so nobody can
    try enough guesses for a fast hash to matter, and a fast hash lets each request find
    its key by an indexed lookup instead of checking every key of every provider.
    ``revoked_at`` set: the key no longer works (it stays listed, so the provider can see
    which system used it and when)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "provider": a provider's key (provider_id); "council" or "forum": a council's
    # commissioners' key or its provider forum's key (council_id).
    scope: Mapped[str] = mapped_column(String(20), default="provider", server_default="provider")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(KEY_NAME_MAX))
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiCall(db.Model):
    """One call made with a key, kept for the audit (with the key's name as it was) and
    counted by the per-key rate limit."""

    __tablename__ = "api_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"), index=True)
    key_name: Mapped[str] = mapped_column(String(KEY_NAME_MAX))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ApiIdempotency(db.Model):
    """The first answer to a POST or PUT sent with an ``Idempotency-Key``: a retry with the
    same key gets it again and changes nothing. Kept 24 hours. The row is written (under
    its unique key) before the request runs, with no ``status`` yet: while it has none,
    the request is in flight and a concurrent duplicate is refused with 409."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)  # None: still in flight
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
