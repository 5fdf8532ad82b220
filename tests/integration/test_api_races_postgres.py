"""The API under concurrency on PostgreSQL: a request sent again while the first with the
same Idempotency-Key is still running is refused with 409 (and gets the first answer once
that finished), and the council feed hands a nightly job every submitted version exactly
once, even when a version written first commits after one written later."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date

import pytest
from sqlalchemy import func, select, text

from portal.api.auth import new_key
from portal.extensions import db
from portal.models import ApiIdempotency, AuditEntry, ReturnVersion, Role, SectionState, User
from portal.returns import service
from tests.examples import EXAMPLE_KPIS
from tests.factories import make_council, make_user, open_return

PROBLEM = "application/problem+json"
LOCKS = {
    "return_section": "SELECT 1 FROM return_section WHERE return_id = :id FOR UPDATE",
    "monthly_return": "SELECT 1 FROM monthly_return WHERE id = :id FOR UPDATE",
}
STILL_RUNNING = "A request with this Idempotency-Key is still being processed"


def _ready_return(app, council=None):
    """A return with every section completed, its submitter and the submitter's key."""
    app.config["TODAY"] = "2026-11-23"
    ret = open_return(council=council, on=date(2026, 11, 23))
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    for s in ret.sections:
        answers = EXAMPLE_KPIS if s.code == "kpis" else {"v": "1"}
        service.save_section(ret, s.code, answers, SectionState.COMPLETED, s.revision, user)
    _, secret = new_key(ret.contract.provider_id, "Care system", user.id)
    db.session.commit()
    url = f"/api/v1/providers/{ret.contract.provider_id}/returns/{ret.id}"
    return ret.id, user.id, {"Authorization": f"Bearer {secret}"}, url


def _wait_for_reservation(key: str) -> None:
    """Until the first request has taken its Idempotency-Key (it then blocks on the lock)."""
    for _ in range(200):
        with db.engine.connect() as conn:
            found = conn.scalar(
                select(func.count())
                .select_from(ApiIdempotency)
                .where(ApiIdempotency.idempotency_key == key, ApiIdempotency.status.is_(None))
            )
        if found:
            return
        time.sleep(0.05)
    raise AssertionError("the first request never reserved its key")


@pytest.mark.parametrize(
    ("method", "path", "body", "locked_table", "first_status"),
    [
        (
            "put",
            "/sections/kpis",
            {"answers": {**EXAMPLE_KPIS, "complaints": 3}},
            "return_section",
            200,
        ),
        ("post", "/submit", None, "monthly_return", 201),
    ],  # fmt: skip
)
def test_the_same_idempotency_key_sent_while_the_first_runs_is_refused_then_answered_once(
    committed_app, method, path, body, locked_table, first_status
):
    app = committed_app
    return_id, _, auth, url = _ready_return(app)
    key = f"sync-{method}-2026-11-23-0001"
    headers = {**auth, "Idempotency-Key": key}
    db.session.remove()

    def send():
        client = app.test_client()
        return getattr(client, method)(url + path, json=body, headers=headers)

    # Another transaction holds the rows the request writes, so the first request waits
    # inside its view with its key reserved.
    locker = db.engine.connect()
    locking = locker.begin()
    locker.execute(text(LOCKS[locked_table]), {"id": return_id})
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(send)
        _wait_for_reservation(key)
        try:  # without the reservation the duplicate runs too and waits on the lock
            duplicate = pool.submit(send).result(timeout=10)
        finally:
            locking.rollback()
            locker.close()
        first = first.result(timeout=30)

    assert duplicate.status_code == 409
    assert duplicate.mimetype == PROBLEM
    assert duplicate.get_json()["detail"].startswith(STILL_RUNNING)
    assert first.status_code == first_status, first.get_json()
    retry = send()
    assert retry.status_code == first_status
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        if method == "post":
            count = select(func.count()).select_from(ReturnVersion)
            assert db.session.scalar(count.where(ReturnVersion.return_id == return_id)) == 1
        else:
            saves = select(func.count()).select_from(AuditEntry)
            saves = saves.where(AuditEntry.return_id == return_id, AuditEntry.section == "kpis")
            # the set-up's save, then the first PUT's: the duplicate changed nothing
            assert db.session.scalar(saves) == 2


# --- the council feed ------------------------------------------------------------------


def _council_key(council_id: int) -> dict:
    _, secret = new_key(None, "Nightly import", None, council_id=council_id, scope="council")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _read_feed(app, council_id: int, auth: dict, cursor: str | None) -> tuple[list[str], str]:
    """One nightly run: every page from ``cursor``; the references it got, the cursor."""
    got = []
    client = app.test_client()
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/councils/{council_id}/versions", query_string=query,
                          headers=auth).get_json()  # fmt: skip
        got += [v["version_reference"] for v in page["versions"]]
        cursor = page["next_cursor"]
        if not page["more"]:
            return got, cursor


def test_a_version_written_first_but_committed_last_is_still_handed_out_once(committed_app):
    """Version A is written (lower id) and its transaction stays open while version B of
    another return of the same council is submitted. Paging by id, B committed first,
    the nightly run took it and its cursor then skipped A for ever."""
    app = committed_app
    council = make_council()
    first_id, first_user, _, _ = _ready_return(app, council)
    second_id, second_user, _, _ = _ready_return(app, council)
    auth = _council_key(council.id)
    council_id = council.id
    db.session.remove()

    slow = db.session  # this thread's session: version A, left uncommitted
    slow.add(ReturnVersion(return_id=first_id, number=1, reference="SLOW-V1",
                           submission_key="slow-key", data={"sections": {}},
                           submitted_by_id=first_user))  # fmt: skip
    slow.flush()

    def submit_second() -> str:
        with app.app_context():
            result = service.submit(second_id, db.session.get(User, second_user), "fast-key")
            reference = result.version.reference
            db.session.remove()
            return reference

    with ThreadPoolExecutor(max_workers=2) as pool:
        fast = pool.submit(submit_second)
        try:
            fast.result(timeout=2)  # without the feed's lock B commits here
        except FutureTimeout:
            pass  # with it, B waits for A's transaction
        first_run, cursor = pool.submit(_read_feed, app, council_id, auth, None).result()
        slow.commit()
        second_reference = fast.result(timeout=30)
        second_run, cursor = pool.submit(_read_feed, app, council_id, auth, cursor).result()
    third_run, _ = _read_feed(app, council_id, auth, cursor)

    handed_out = first_run + second_run + third_run
    assert sorted(handed_out) == sorted(["SLOW-V1", second_reference])
    assert handed_out == ["SLOW-V1", second_reference]  # in the order they became visible


def test_a_nightly_job_gets_each_of_many_concurrent_submissions_exactly_once(committed_app):
    app = committed_app
    council = make_council()
    ready = [_ready_return(app, council)[:2] for _ in range(12)]
    auth = _council_key(council.id)
    council_id = council.id
    db.session.remove()
    barrier = threading.Barrier(len(ready))
    done = threading.Event()

    def submit(item) -> str:
        return_id, user_id = item
        barrier.wait()
        with app.app_context():
            result = service.submit(return_id, db.session.get(User, user_id), f"k-{return_id}")
            reference = result.version.reference
            db.session.remove()
            return reference

    def nightly_runs() -> list[str]:
        got, cursor = [], None
        while not done.is_set():
            with app.app_context():
                found, cursor = _read_feed(app, council_id, auth, cursor)
            got += found
        with app.app_context():
            found, _ = _read_feed(app, council_id, auth, cursor)
        return got + found

    with ThreadPoolExecutor(max_workers=len(ready) + 1) as pool:
        reader = pool.submit(nightly_runs)
        references = list(pool.map(submit, ready))
        done.set()
        handed_out = reader.result(timeout=60)
    assert len(handed_out) == len(set(handed_out))
    assert sorted(handed_out) == sorted(references)
