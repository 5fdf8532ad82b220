"""In-portal notifications, each user's email choices, and the reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.extensions import db
from portal.models.accounts import User


class Notification(db.Model):
    """A message shown in the portal's notification list (and maybe also emailed)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))  # a path in the portal
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """Whether a user wants email for one kind of notification (no row: email on)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class ReminderSent(db.Model):
    """One reminder stage sent to one user about one return. The unique constraint is
    what makes the reminder job safe to run twice: a stage is sent only if its row is new."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("return_id", "stage", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"), index=True)
    # 'due-5', 'due-1', 'due-0', 'overdue-1', 'overdue-7' or 'commissioner-7'
    stage: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
