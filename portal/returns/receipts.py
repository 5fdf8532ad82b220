"""The email receipt for a submitted version: a job row written with the version
(``queue_receipt``), sent by ``workers.notifications.send_receipt``."""

from __future__ import annotations

from portal.background.jobs import add
from portal.background.kinds import RECEIPT
from portal.email_links import service_url
from portal.extensions import db
from portal.mail import send_email
from portal.models import Job, ReturnVersion


def queue_receipt(version: ReturnVersion, provider_id: int | None = None) -> Job:
    """The receipt's job, in the current transaction (sent once it commits)."""
    return add(
        RECEIPT,
        f"{RECEIPT}:{version.id}",
        {"version_id": version.id},
        provider_id=provider_id,
        user_id=version.submitted_by_id,
    )


def send_receipt_email(version_id: int) -> None:
    """Takes an id and reloads the version, so a retry sends the same receipt."""
    version = db.session.get(ReturnVersion, version_id)
    if version is None:
        return
    ret = version.monthly_return
    contract = ret.contract
    link = service_url("monthly_return.history", provider_id=contract.provider_id, return_id=ret.id)
    send_email(
        version.submitted_by.email,
        f"Return received: {contract.council.name}, {ret.period:%B %Y} ({version.reference})",
        "email/return_receipt.txt",
        version=version,
        ret=ret,
        contract=contract,
        link=link,
    )
