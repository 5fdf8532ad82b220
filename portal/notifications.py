"""Telling users things: a notification in the portal, and an email unless the user has
switched email off for that kind (security mail is always sent)."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.background.jobs import add
from portal.background.kinds import NOTIFICATION_EMAIL
from portal.clock import utcnow
from portal.email_links import service_link
from portal.extensions import db
from portal.mail import send_email
from portal.models import Notification, NotificationPreference, User

# The kinds a user may switch email on or off for, with the labels the settings page shows.
KINDS: list[tuple[str, str]] = [
    ("queried", "The council has a question about a return"),
    ("accepted", "The council has accepted a return"),
    ("answered", "A provider has replied to a question or resubmitted a queried return"),
    ("feedback", "Feedback is ready"),
    ("pack", "A pack is ready"),
    ("reminder", "A return is due soon or today"),
    ("overdue", "A return is overdue"),
]
KIND_LABELS = dict(KINDS)
SECURITY = "security"  # always emailed; not a choice on the settings page


def email_wanted(user_id: int, kind: str) -> bool:
    if kind not in KIND_LABELS:
        return True  # security mail, and anything without a choice
    choice = db.session.scalar(
        select(NotificationPreference.email).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    return True if choice is None else choice


def email_choices(user_id: int) -> dict[str, bool]:
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {kind: stored.get(kind, True) for kind, _ in KINDS}


def set_email_choices(user_id: int, wanted: set[str]) -> None:
    """Email on for the kinds in ``wanted`` and off for the others; unknown kinds ignored."""
    existing = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    for kind, _ in KINDS:
        on = kind in wanted
        if kind in existing:
            existing[kind].email = on
        else:
            db.session.add(NotificationPreference(user_id=user_id, kind=kind, email=on))
    db.session.commit()


def notify(
    user: User,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    *,
    commit: bool = True,
) -> Notification:
    """Record a notification for ``user`` and, if they want it by email, the job that
    emails it, in the current transaction; commit unless ``commit=False`` (a lifecycle
    step commits them with the change that caused them)."""
    notification = Notification(user_id=user.id, kind=kind, title=title, body=body, link=link)
    db.session.add(notification)
    db.session.flush()
    if user.active and email_wanted(user.id, kind):
        add(
            NOTIFICATION_EMAIL,
            f"{NOTIFICATION_EMAIL}:{notification.id}",
            {"notification_id": notification.id},
            user_id=user.id,
        )
    if commit:
        db.session.commit()
    return notification


def send_notification_email(notification_id: int) -> None:
    """Email one notification (the job's work; the job row makes it run once)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return
    link = service_link(notification.link) if notification.link else None
    send_email(
        notification.user.email,
        notification.title,
        "email/notification.txt",
        notification=notification,
        link=link,
    )


def unread_count_of(user_id):
    """The number of the user's unread notifications, as a SQL expression: ``user_id`` is
    an id or a column (the sign-in session's query counts them in the same round trip)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(unread_count_of(user_id))) or 0


def unread_for_current_user() -> int:
    if not has_request_context() or not current_user.is_authenticated:
        return 0
    counted = getattr(current_user, "unread_when_loaded", None)
    if counted is not None and request.method in ("GET", "HEAD"):
        return counted  # a GET writes nothing, so the count from its start still holds
    try:
        return unread_count(current_user.id)
    except SQLAlchemyError:  # an error page must still render
        return 0


def init_app(app: Flask) -> None:
    """Templates get ``unread_notifications()``, counted only when the header asks."""

    @app.context_processor
    def notification_helpers():
        return {"unread_notifications": unread_for_current_user}


def mark_read(user_id: int, notification_ids: list[int]) -> None:
    """Mark the user's notifications among these ids read (others' ids are ignored)."""
    if not notification_ids:
        return
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.user_id == user_id)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
