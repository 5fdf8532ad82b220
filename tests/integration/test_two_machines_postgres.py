"""Two machines' worth on one: two web servers (gunicorn, ``gunicorn.conf.py``) and two
workers (``python -m workers.pool``), each from its own copy of the code in its own
directory with its own ``instance`` folder, sharing nothing but PostgreSQL, Redis and the
settings a production deployment shares (``SECRET_KEY``). A provider's browser moves
between the two web servers request by request: it uploads on one, confirms on the
other, either worker imports, it confirms the training and submits; a commissioner asks
for a pack on one server and downloads it from the other."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from redis import Redis
from sqlalchemy import select

from portal.extensions import db
from portal.models import Branch, Document, Job, MonthlyReturn, ReturnVersion, Role, SectionState
from portal.packs import PACK
from portal.returns import service
from tests.factories import PASSWORD, make_contracted, make_user
from tests.integration.upload_files import BRANCH, staff_csv, staff_row, training_csv, training_row

REPO = Path(__file__).resolve().parents[2]
SECRET = "two-machines-share-this-secret-key-0123456789abcdef"


def _copy(tmp_path: Path, name: str) -> Path:
    """This checkout's files (committed or not, as ``git ls-files`` lists them), copied."""
    clone = tmp_path / name
    files = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, files):
        source = REPO / raw.decode()
        if source.is_file() and not source.is_symlink():
            target = clone / raw.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    return clone


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Machine:
    def __init__(self, clone: Path, env: dict[str, str]):
        self.port = _port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "PYTHONPATH": str(clone), "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.web = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "workers.pool", "-n", "1"],
            cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait_until_up(self) -> None:
        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(self.web.stderr.read().decode()[-3000:] if self.web.stderr else "")

    def stop(self) -> None:
        for process in (self.web, self.worker):
            process.terminate()
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return match.group(1) if match else ""


def _sign_in(browser: requests.Session, base: str, email: str) -> None:
    page = browser.get(base + "/sign-in").text
    answer = browser.post(
        base + "/sign-in",
        data={"csrf_token": _token(page), "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-2000:]


def _until(condition, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")


@pytest.fixture
def machines(committed_app, pg_url, redis_url, tmp_path):
    Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "SESSION_COOKIE_SECURE": "false",
        "WEB_ACCESS_LOG": "",
        "JOB_SWEEP_SECONDS": "2",
    }
    env.pop("TODAY", None)
    pair = [Machine(_copy(tmp_path, name), env) for name in ("machine-a", "machine-b")]
    try:
        for machine in pair:
            machine.wait_until_up()
        yield pair
    finally:
        for machine in pair:
            machine.stop()
        Redis.from_url(redis_url).flushdb()


def _world():
    """The common world, with this month's return open for the provider (the servers use
    the real date) and its sections other than training completed."""
    world = make_contracted(on=date.today())
    branch = Branch(provider=world.provider, name="Riverside", local_est_id=BRANCH)
    db.session.add(branch)  # in the session before the contract's list autoflushes
    world.contract.branches.append(branch)  # the council's contract covers it
    db.session.commit()
    ret = db.session.scalar(
        select(MonthlyReturn)
        .where(MonthlyReturn.contract_id == world.contract.id)
        .order_by(MonthlyReturn.period.desc())
    )
    # The servers use the real date: late in a month last month's return has locked, so
    # it is reopened for the week (as a commissioner can) and the test runs on any day.
    ret.reopened_until = date.today() + timedelta(days=7)
    for sec in ret.sections:
        if sec.code != "training":
            service.save_section(
                ret,
                sec.code,
                {"done": "yes"},
                SectionState.COMPLETED,
                sec.revision,
                world.submitter,
            )
    db.session.commit()
    return world, ret.id


def test_a_provider_and_a_commissioner_work_across_two_machines(machines, committed_app):
    a, b = machines
    world, return_id = _world()
    provider_id, council_id = world.provider.id, world.council.id
    browser = requests.Session()
    _sign_in(browser, a.base, world.submitter.email)

    # Upload on machine A, confirm on machine B: the files and the session are shared.
    uploads = f"/provider/{provider_id}/uploads/staff-and-training"
    form = browser.get(b.base + uploads).text
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="W2"))
    training = training_csv(training_row(UNIQUEWORKERID="W1"), training_row(UNIQUEWORKERID="W2"))
    answer = browser.post(
        a.base + uploads,
        data={"csrf_token": _token(form)},
        files={"staff_file": ("staff.csv", staff), "training_file": ("training.csv", training)},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-2000:]
    batch = parse_qs(urlparse(answer.headers["Location"]).query)["batch"][0]
    check = browser.get(f"{b.base}{uploads}/check?batch={batch}").text
    assert 'id="confirm-import"' in check
    answer = browser.post(
        f"{b.base}{uploads}/confirm",
        data={"batch": batch, "csrf_token": _token(check)},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    done = _until(
        lambda: (
            "Your files have been imported"
            in (page := browser.get(f"{a.base}{uploads}/done?batch={batch}").text)
            and page
        )
    )
    assert "2" in done

    # Confirm the training on B, submit from A.
    ret = f"/provider/{provider_id}/returns/{return_id}"
    section = browser.get(b.base + ret + "/section/training").text
    answer = browser.post(
        b.base + ret + "/section/training",
        data={"csrf_token": _token(section), "revision": _hidden(section, "revision"),
              "confirmed": "yes"},
        allow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 302, answer.text[-3000:]
    check = browser.get(a.base + ret + "/check").text
    answer = browser.post(
        a.base + ret + "/submit",
        data={"csrf_token": _token(check), "submission_key": _hidden(check, "submission_key")},
        allow_redirects=False,
    )
    assert answer.status_code == 302 and "confirmation" in answer.headers["Location"]
    confirmation = browser.get(b.base + answer.headers["Location"]).text
    assert "Return submitted" in confirmation
    db.session.expire_all()
    assert (
        db.session.scalar(select(ReturnVersion.number).where(ReturnVersion.return_id == return_id))
        == 1
    )

    # A commissioner asks machine B for the provider's pack; a worker builds it; machine A
    # serves the file.
    commissioner = make_user(Role.COMMISSIONER, council=world.council)
    office = requests.Session()
    _sign_in(office, b.base, commissioner.email)
    packs = office.get(f"{b.base}/council/{council_id}/packs").text
    quarter = re.search(r'<option value="(\d{4}-Q\d)"', packs).group(1)
    answer = office.post(
        f"{b.base}/council/{council_id}/packs/build",
        data={"csrf_token": _token(packs), "provider": str(provider_id), "quarter": quarter},
        allow_redirects=False,
    )
    assert answer.status_code == 302

    def built():
        db.session.expire_all()
        job = db.session.scalar(
            select(Job).where(Job.provider_id == provider_id, Job.kind == PACK).order_by(Job.id)
        )
        return job if job is not None and job.status in {"done", "failed"} else None

    job = _until(built, 180)
    assert job.status == "done", job.error
    assert db.session.scalar(select(Document.id).where(Document.provider_id == provider_id))
    pack_page = office.get(f"{a.base}{answer.headers['Location']}").text
    assert "download" in pack_page.lower()
