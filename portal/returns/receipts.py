"""The email receipt for a submitted version, sent by a job (in-process without Redis)."""

from __future__ import annotations

from flask import current_app

from portal.extensions import db
from portal.mail import send_email
from portal.models import ReturnVersion
from workers.queue import app_job, enqueue


def send_receipt(version_id: int) -> None:
    enqueue(send_receipt_job, version_id, queue="default")


@app_job
def send_receipt_job(version_id: int) -> None:
    """Takes an id and reloads the version, so running it twice sends the same receipt."""
    version = db.session.get(ReturnVersion, version_id)
    if version is None:
        return
    ret = version.monthly_return
    contract = ret.contract
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    link = f"{base}/provider/{contract.provider_id}/returns/{ret.id}/history"
    try:
        send_email(
            version.submitted_by.email,
            f"Return received: {contract.council.name}, {ret.period:%B %Y} ({version.reference})",
            "email/return_receipt.txt",
            version=version,
            ret=ret,
            contract=contract,
            link=link,
        )
    except OSError:
        current_app.logger.exception("could not send the receipt for %s", version.reference)
