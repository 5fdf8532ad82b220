"""Email jobs: a notification's email (kind ``notification_email``) and a submitted
return's receipt (kind ``receipt``). The job row makes each run once: a second delivery
of the same job finds it done and sends nothing."""

from __future__ import annotations

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
