"""Email jobs: a notification's email (kind ``notification_email``), a submitted
return's receipt (kind ``receipt``), password resets and invitations (``reset_email``,
``invitation_email``). The job row makes each run once: a second delivery
of the same job finds it done and sends nothing."""

from __future__ import annotations

from portal.auth.security_emails import send_invitation_email, send_reset_email
from portal.models import Job
from portal.notifications import send_notification_email as email_notification
from portal.returns.receipts import send_receipt_email


def send_notification_email(job: Job) -> dict:
    """params: notification_id."""
    email_notification(int(job.params["notification_id"]))
    return {"sent": True}


def send_receipt(job: Job) -> dict:
    """params: version_id."""
    send_receipt_email(int(job.params["version_id"]))
    return {"sent": True}


def send_reset(job: Job) -> dict:
    """params: email (an account's or not: the e-mail says which)."""
    send_reset_email(str(job.params["email"]))
    return {"sent": True}


def send_invitation(job: Job) -> dict:
    """params: user_id, provider_id or council_id, inviter_id."""
    p = job.params
    provider_id, council_id = p.get("provider_id"), p.get("council_id")
    send_invitation_email(
        int(p["user_id"]),
        int(provider_id) if provider_id is not None else None,
        int(p["inviter_id"]),
        council_id=int(council_id) if council_id is not None else None,
    )
    return {"sent": True}
