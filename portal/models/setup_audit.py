"""The record of every change made while setting up the service: councils, users,
frameworks, targets, contracts and branches (who, when, what, before and after)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.extensions import db
from portal.models.accounts import User
from portal.models.organisations import Council, Provider


class ChangeRecord(db.Model):
    __tablename__ = "change_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # What was changed: a kind of record ("council", "user", "framework", ...) and its id.
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    # The organisations the change belongs to, so each sees (and filters) its own.
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
    council: Mapped[Council | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
