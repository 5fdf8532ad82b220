"""API keys: how a provider's own systems send staff and training records to the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
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
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(KEY_NAME_MAX))
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
