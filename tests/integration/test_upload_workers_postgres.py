"""Uploads any worker can import, and one import path, on PostgreSQL and Redis:

- a worker started from a second copy of the code, in another directory with its own
  ``instance`` folder, imports an upload checked and confirmed on the first (the files are
  in the database, not on the web machine's disk);
- an upload's import job and an API import of the same provider, started at once, run one
  after the other (the provider's row is locked by ``import_checked``): no duplicate rows,
  and the second one's plan sees what the first wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date

from sqlalchemy import func, select, text

from portal.api.records import Rows, import_rows
from portal.extensions import db
from portal.models import Branch, Provider, Role, StaffMember, TrainingRecord, UploadBatch
from portal.uploads import importing
from tests.factories import make_provider, make_user
from tests.integration.upload_files import (
    BRANCH,
    Journey,
    staff_csv,
    staff_row,
    stored_files,
    training_csv,
    training_row,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TODAY = date(2026, 11, 23)


def _provider_with_branch() -> Provider:
    provider = make_provider()
    db.session.add(Branch(provider=provider, name="Riverside", local_est_id=BRANCH))
    db.session.commit()
    return provider


def _count(model, provider_id: int) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    if model is TrainingRecord:
        query = query.join(StaffMember)
    return db.session.scalar(query.where(StaffMember.provider_id == provider_id))


def _copy_of_the_code(tmp_path) -> str:
    """The committed code, unpacked into another directory (no instance folder)."""
    clone = tmp_path / "second-machine"
    clone.mkdir()
    archive = subprocess.run(
        ["git", "-C", REPO, "archive", "HEAD"], capture_output=True, check=True, timeout=60
    )
    subprocess.run(["tar", "-x", "-C", str(clone)], input=archive.stdout, check=True)
    assert not (clone / "instance").exists()
    return str(clone)


def test_a_worker_started_from_a_second_copy_imports_an_upload_confirmed_on_the_first(
    committed_app, redis_db, pg_url, tmp_path
):
    app = committed_app
    provider = _provider_with_branch()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    journey = Journey.signed_in(app.test_client(), user.email, provider.id)
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="W2"))
    training = training_csv(training_row(UNIQUEWORKERID="W1"), training_row(UNIQUEWORKERID="W2"))
    token = journey.upload(staff, training)
    assert 'id="confirm-import"' in journey.check(token)
    app.config["REDIS_URL"] = redis_db  # confirm queues the job instead of running it
    response = journey.confirm(token)
    assert response.status_code == 302
    assert db.session.scalar(select(UploadBatch.status).where(UploadBatch.token == token)) == (
        "importing"
    )
    assert _count(StaffMember, provider.id) == 0  # nothing ran in this process

    clone = _copy_of_the_code(tmp_path)
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis_db, "PYTHONPATH": clone}
    env.pop("UPLOAD_FOLDER", None)
    where = subprocess.run(
        [sys.executable, "-c", "import portal, workers; print(portal.__file__, workers.__file__)"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert where.stdout.split() == [
        os.path.join(clone, "portal", "__init__.py"),
        os.path.join(clone, "workers", "__init__.py"),
    ], where.stderr[-2000:]
    result = subprocess.run(
        [sys.executable, "-m", "workers", "--burst"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]

    db.session.expire_all()
    batch = db.session.scalar(select(UploadBatch).where(UploadBatch.token == token))
    assert batch.status == "done", (batch.error, result.stderr[-3000:])
    assert batch.counts["staff_new"] == 2 and batch.counts["training_added"] == 2
    assert _count(StaffMember, provider.id) == 2
    assert _count(TrainingRecord, provider.id) == 2
    assert stored_files() == []  # the imported batch's files are deleted
    done = journey.page(f"{journey.base}/done?batch={token}")
    assert "Your files have been imported" in done


def _waiting_on_a_lock() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
        )


def test_an_upload_and_an_api_import_of_one_provider_run_one_after_the_other(committed_app):
    app = committed_app
    app.config["TODAY"] = TODAY.isoformat()
    provider = _provider_with_branch()
    provider_id = provider.id
    # The same new worker and training in both: run side by side, both would add them.
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"))
    training = training_csv(training_row(UNIQUEWORKERID="W1"))
    token = importing.new_token()
    importing.store(token, "staff", staff)
    importing.store(token, "training", training)
    batch = UploadBatch(
        provider_id=provider_id, token=token, staff_name="staff.csv",
        training_name="training.csv", status="importing", counts={},
    )  # fmt: skip
    db.session.add(batch)
    db.session.commit()
    batch_id = batch.id

    outcomes: dict[str, object] = {}
    barrier = threading.Barrier(3)

    def run(name: str, work) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes[name] = work()
                outcomes[f"{name}_at"] = time.monotonic()
            except Exception as error:  # reported by the assertions below
                outcomes[name] = error
            finally:
                db.session.remove()

    def api_import():
        rows = (Rows(staff, False, "staff"), Rows(training, False, "training"))
        return import_rows(provider_id, TODAY, None, *rows)[1]

    # Hold the provider's row, so both imports are waiting for it before either starts.
    holder = db.engine.connect()
    held = holder.begin()
    holder.execute(select(Provider.id).where(Provider.id == provider_id).with_for_update())
    threads = [
        threading.Thread(target=run, args=("upload", lambda: importing.import_batch(batch_id))),
        threading.Thread(target=run, args=("api", api_import)),
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _waiting_on_a_lock() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    waiting = _waiting_on_a_lock()
    held.commit()
    holder.close()
    for thread in threads:
        thread.join(timeout=60)
    assert waiting == 2, "both imports wait for the provider's row"

    upload, api = outcomes["upload"], outcomes["api"]
    assert isinstance(upload, dict) and isinstance(api, dict), outcomes
    assert _count(StaffMember, provider_id) == 1  # no duplicate staff
    assert _count(TrainingRecord, provider_id) == 1  # no duplicate training
    db.session.expire_all()
    assert db.session.get(UploadBatch, batch_id).status == "done"
    # Whichever ran second saw the first one's rows: it added nothing.
    api_new = (api["staff"]["new"], api["training"]["new"])
    upload_new = (upload["staff_new"], upload["training_added"])
    if outcomes["upload_at"] < outcomes["api_at"]:
        assert upload_new == (1, 1) and api_new == (0, 0)
        assert api["staff"]["unchanged"] == 1 and api["training"]["unchanged"] == 1
    else:
        assert api_new == (1, 1) and upload_new == (0, 0)
        assert upload["staff_unchanged"] == 1 and upload["training_staff_unchanged"] == 1
