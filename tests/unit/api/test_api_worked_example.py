"""The worked example in docs/api.md runs as written: its Python is taken from the page
and run, as its own process, against a live server with the demo data (as ``make run``
serves it: SQLite, jobs in-process), and the return it submits has a version, a receipt
e-mail and the answers it sent."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import base_config, free_port, smtp_inbox
from tests.examples import EXAMPLE_KPIS
from tests.unit.api.test_api import as_csv, training_row

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def example_code() -> str:
    text = DOC.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/api.md should have one Python example"
    return blocks[0]


@pytest.fixture
def live(tmp_path) -> Iterator[dict]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portal.app import create_app
    from portal.demo.history import load_history
    from portal.demo.seed import load_demo

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_inbox() as inbox:
        app = create_app(
            base_config(
                f"sqlite:///{tmp_path / 'example.db'}",
                TESTING=False,
                MAIL_HOST="127.0.0.1",
                MAIL_PORT=inbox.port,
                BASE_URL=url,
                TODAY="2026-11-23",  # the demo's October returns are open
            )
        )
        with app.app_context():
            upgrade()
            load_demo()
            load_history(date(2026, 11, 23))  # as make run loads it
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield {"url": url, "app": app, "inbox": inbox}
        finally:
            server.shutdown()


def _setting_up(app, tmp_path) -> dict[str, str]:
    """The demo provider's key, its October Medway return with the sections the example
    leaves to the portal done, and a training file for one of its staff."""
    from portal.api.auth import new_key
    from portal.extensions import db
    from portal.models import Contract, Council, MonthlyReturn, Provider, StaffMember, User
    from portal.returns import service
    from portal.vocabulary import SectionState

    with app.app_context():
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        )
        council = db.session.scalar(select(Council).where(Council.slug == "medway"))
        submitter = db.session.scalar(
            select(User).where(User.email == "submitter@provider.example")
        )
        service.returns_for_provider(provider.id)
        ret = db.session.scalar(
            select(MonthlyReturn).join(Contract).where(
                Contract.provider_id == provider.id, Contract.council_id == council.id,
                MonthlyReturn.period == date(2026, 10, 1),
            )
        )  # fmt: skip
        assert ret is not None and not ret.versions
        for code in ("capacity", "handbacks", "workforce"):
            sec = service.section(ret, code)
            service.save_section(
                ret, code, {"none": True}, SectionState.COMPLETED, sec.revision, submitter
            )
        staff = db.session.scalars(
            select(StaffMember)
            .where(StaffMember.provider_id == provider.id, StaffMember.left_on.is_(None))
            .order_by(StaffMember.id)
        ).first()
        _, secret = new_key(provider.id, "Care system", submitter.id)
        db.session.commit()
        training = tmp_path / "training.csv"
        training.write_bytes(as_csv([training_row(staff.branch.local_est_id, staff.worker_id)]))
        kpis = tmp_path / "kpis.json"
        kpis.write_text(json.dumps({**EXAMPLE_KPIS, "delivered_hours": "1600"}))  # a warning
        return {
            "PROVIDER": str(provider.id),
            "RETURN": str(ret.id),
            "KEY": secret,
            "TRAINING_CSV": str(training),
            "KPIS_JSON": str(kpis),
            "submitter": submitter.email,
        }


def test_the_worked_example_in_the_docs_runs_as_written(live, tmp_path):
    settings = _setting_up(live["app"], tmp_path)
    env = {"PORTAL": live["url"], "PATH": "/usr/bin:/bin",
           **{k: v for k, v in settings.items() if k.isupper()}}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", example_code()],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"Submitted (\S+) version 1", run.stdout)
    assert found, run.stdout
    reference = found[1]
    from portal.extensions import db
    from portal.models import ReturnVersion

    with live["app"].app_context():
        version = db.session.scalar(
            select(ReturnVersion).where(ReturnVersion.reference == reference)
        )
        assert version.data["sections"]["kpis"]["planned_visits"] == "1000"
        # The warning (more hours delivered than commissioned) was read and confirmed.
        assert "delivered_hours:over_commissioned" in version.data["confirmed_warnings"]["kpis"]
        assert version.data["sections"]["training"]["confirmed"] is True
    receipts = [m for m in live["inbox"] if reference in m["Subject"]]
    assert [m["To"] for m in receipts] == [settings["submitter"]]
