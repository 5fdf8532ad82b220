"""Sending email: SMTP when MAIL_HOST is set, otherwise written to the log (local use)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template


def build_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(render_template(template, **context))
    return message


def send(message: EmailMessage) -> None:
    config = current_app.config
    host = config["MAIL_HOST"]
    if not host:
        current_app.logger.warning(
            "MAIL_HOST is not set, so this email was not sent:\n%s", message.as_string()
        )
        return
    with smtplib.SMTP(host, config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render and send now. Security mail (sign-in links) is always sent, never queued away."""
    send(build_message(to, subject, template, **context))
