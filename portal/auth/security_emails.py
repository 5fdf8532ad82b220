"""Security e-mails (password reset, invitation), sent by jobs from the outbox.

A request only writes a job row naming the address, in its own transaction: the same work
whether or not the address has an account, so the answer's timing says nothing about it,
and nothing is lost when Redis or the mail server is down (the job is retried). The job
looks the address up, issues the single-use link (only its hash is stored: the raw token
never sits in a job row) and sends it.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal.auth import email_tokens
from portal.auth.security_log import record_event
from portal.background import jobs
from portal.background.kinds import INVITATION_EMAIL, RESET_EMAIL
from portal.email_links import service_url
from portal.extensions import db
from portal.mail import send_email
from portal.models import Council, Provider, User


def queue_reset_email(email: str) -> None:
    """Ask for the reset e-mail to ``email`` (known or not); the caller commits."""
    jobs.add(RESET_EMAIL, f"reset-email:{email}", {"email": email})


def queue_invitation(user: User, organisation: Provider | Council, inviter: User) -> None:
    """Ask for ``user``'s invitation to ``organisation`` (a provider or a council); the
    caller commits. Asking again (a re-send) issues a fresh link that voids the last."""
    kind = "council" if isinstance(organisation, Council) else "provider"
    jobs.add(
        INVITATION_EMAIL,
        f"invitation:{'' if kind == 'provider' else 'council-'}{organisation.id}:{user.id}",
        {"user_id": user.id, f"{kind}_id": organisation.id, "inviter_id": inviter.id},
        **{f"{kind}_id": organisation.id},
        user_id=inviter.id,
    )


def send_reset_email(email: str) -> None:
    """The reset link for an active account, or a note that no account uses the address."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        record_event("password-reset-unknown-address", email=email)
        link = service_url("password_reset.request_reset")
        send_email(email, "Password reset request", "email/password_reset_unknown.txt",
                   email=email, link=link)  # fmt: skip
        return
    name = user.name  # read now: the commit below expires the loaded user
    token = email_tokens.issue(user, "reset")
    record_event("password-reset-requested", user=user)  # commits the token too
    link = service_url("password_reset.choose_password", token=token)
    send_email(email, "Reset your password", "email/password_reset.txt",
               email=email, link=link, name=name)  # fmt: skip


def send_invitation_email(
    user_id: int, provider_id: int | None, inviter_id: int, council_id: int | None = None
) -> None:
    """A fresh invitation link (earlier unused ones stop working), unless the user has been
    removed or switched off since they were invited."""
    user = db.session.get(User, user_id)
    organisation = (
        db.session.get(Provider, provider_id)
        if provider_id is not None
        else db.session.get(Council, council_id)
    )
    inviter = db.session.get(User, inviter_id)
    if user is None or organisation is None or not user.active:
        return  # removed since: nothing to send
    email = user.email
    token = email_tokens.issue(user, "invite")
    db.session.commit()
    link = service_url("password_reset.accept_invitation", token=token)
    send_email(
        email,
        f"You have been invited to {current_app.config['SERVICE_NAME']}",
        "email/invitation.txt",
        link=link,
        organisation=organisation,
        is_council=isinstance(organisation, Council),
        inviter=inviter,
    )
