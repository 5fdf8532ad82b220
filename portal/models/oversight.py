"""What councils do with returns and providers: review comments (accept, query, reply),
concerns, quality-assurance visits, changes to a provider's facts, and risk ratings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.extensions import db
from portal.models.accounts import User
from portal.models.organisations import Branch, Council, Provider


class ReturnComment(db.Model):
    """One message in a return's review thread. ``kind``: query (council asks about a
    value or row), reply (provider answers), accept (council accepts), note."""

    __tablename__ = "return_comment"
    __table_args__ = (
        CheckConstraint("kind IN ('query', 'reply', 'accept', 'note')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"), index=True)
    version_number: Mapped[int | None]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("return_comment.id"))
    kind: Mapped[str] = mapped_column(String(10))
    section: Mapped[str | None] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(120))  # e.g. "missed_visits", "rows[2]"
    text: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship()
    replies: Mapped[list[ReturnComment]] = relationship(order_by="ReturnComment.id")


class Concern(db.Model):
    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    confidential: Mapped[bool] = mapped_column(default=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    council: Mapped[Council] = relationship()
    provider: Mapped[Provider] = relationship()
    recorded_by: Mapped[User] = relationship()


class QaVisit(db.Model):
    __tablename__ = "qa_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recorded_by: Mapped[User] = relationship()


class FactChange(db.Model):
    """A change to a branch's CQC rating, registered manager or sponsor licence, with
    where the information came from."""

    __tablename__ = "fact_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(300))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    branch: Mapped[Branch] = relationship()
    recorded_by: Mapped[User] = relationship()


class RiskRating(db.Model):
    """A provider's current risk rating for one council, with each trigger named."""

    __tablename__ = "risk_rating"
    __table_args__ = (
        UniqueConstraint("council_id", "provider_id"),
        CheckConstraint("rating IN ('red', 'amber', 'green')", name="rating_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    rating: Mapped[str] = mapped_column(String(5))
    # [{"code", "level", "label", "evidence", "date", "confidential"}]
    triggers: Mapped[list] = mapped_column(JSON, default=list)
    visit_due_by: Mapped[date | None] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    provider: Mapped[Provider] = relationship()
