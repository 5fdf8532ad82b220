"""``flask --app wsgi queue-feedback [--date YYYY-MM-DD]``: queue the latest complete
quarter's feedback reports and each locked month's reports nobody has asked for yet (the
daily reminders job does this too; safe to repeat)."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask


def init_app(app: Flask) -> None:
    app.cli.add_command(queue_feedback)


@click.command("queue-feedback")
@click.option(
    "--date",
    "on",
    default=None,
    help="Run as if today were this date (YYYY-MM-DD); default: the service's today.",
)
def queue_feedback(on: str | None) -> None:
    """Queue a feedback report for every provider with a return in the last quarter."""
    from portal.clock import today
    from portal.feedback.at_lock import queue_locked_month_feedback
    from portal.feedback.jobs import queue_quarter_feedback

    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from error
    count = queue_quarter_feedback(day)
    click.echo(f"Queued {count} feedback report{'' if count == 1 else 's'}.")
    months = queue_locked_month_feedback(day)
    click.echo(f"Queued {months} monthly report{'' if months == 1 else 's'} of locked months.")
