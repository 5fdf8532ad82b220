"""The reminder job on PostgreSQL, committing for real: run twice on the same day (and
twice at once, as two workers might) it sends each reminder once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from portal.extensions import db
from portal.models import Council, Notification, ReminderSent, Role
from tests.conftest import mail_config
from tests.factories import make_user, open_return
from workers.reminders import send_reminders

DUE = date(2026, 11, 13)  # the October 2026 return of open_return()


def test_reminder_job_run_twice_on_the_same_day_sends_each_reminder_once(
    committed_app, mail_server, monkeypatch
):
    app = committed_app
    for key, value in mail_config(mail_server).items():
        monkeypatch.setitem(app.config, key, value)
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider, email="a@prov.example")
    make_user(Role.PROVIDER_MANAGER, provider=ret.contract.provider, email="b@prov.example")
    make_user(Role.COMMISSIONER, council=council, email="c@council.example")
    db.session.remove()

    day = DUE + timedelta(days=7)  # provider users get 'overdue-7', the commissioner is told
    assert send_reminders(day) == 3
    db.session.remove()  # as after a restart: a new session, nothing remembered in memory
    assert send_reminders(day) == 0

    # Two workers at once on the next stage day that has none sent yet: still once each.
    barrier = threading.Barrier(2)

    def run(on: date) -> int:
        with app.app_context():
            barrier.wait()
            try:
                return send_reminders(on)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(run, [DUE, DUE]))
    assert sum(counts) == 2  # one run sent both, or each sent one: never both twice

    assert sorted(m["To"] for m in mail_server) == [
        "a@prov.example", "a@prov.example", "b@prov.example", "b@prov.example",
        "c@council.example",
    ]  # fmt: skip
    assert db.session.scalar(db.select(db.func.count(ReminderSent.id))) == 5
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 5
