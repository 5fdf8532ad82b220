"""How fast the busiest pages are, as a ratio to a bare Flask hello-world app served the
same way in the same run (so the figure means the same on a fast or a slow machine).

    .venv/bin/python benchmarks/pages.py [--duration 10] [--connections 20] [--workers 2]
        [--no-seed] [--profile]

Recreates BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/portal_pages)
with the demo data (``flask seed-demo``) unless ``--no-seed``, starts the portal and the
hello-world app under gunicorn with ``gunicorn.conf.py`` (``--workers`` sync workers, no
access log), signs in as the demo submitter and commissioner, and runs ``wrk`` against
each page with that session. Prints requests per second, average latency and the ratio to
hello-world (measured before and after the pages; the mean is the yardstick). Targets:
provider pages >= 15%, the council's returns grid and review page >= 5%.

``--profile`` instead renders each page 50 times in-process, first bare (its CPU time a
request, the steadiest figure on a shared machine) then under pyinstrument, and prints
where the time goes. Needs ``wrk`` (``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's portal, not another one installed
BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_pages"
PASSWORD = os.environ.get("PORTAL_DEMO_PASSWORD", "demo sign-in for care returns")
HELLO = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
"""
PROVIDER_TARGET, COUNCIL_TARGET = 0.15, 0.05


def _env(database_url: str | None, workers: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WEB_CONCURRENCY=str(workers),
        WEB_THREADS="1",
        WEB_ACCESS_LOG="",
        WEB_LOG_LEVEL="warning",
        SESSION_COOKIE_SECURE="false",
        FLASK_APP="wsgi",
        PYTHONPATH=str(REPO),
    )
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(url: str) -> None:
    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        name = parsed.path.lstrip("/")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    flask = str(Path(sys.executable).with_name("flask"))
    env = _env(url, 1)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([flask, *command], cwd=REPO, env=env, check=True, capture_output=True)


def gunicorn(app: str, port: int, env: dict[str, str], pythonpath: str) -> subprocess.Popen:
    binary = str(Path(sys.executable).with_name("gunicorn"))
    line = [binary, "-c", str(REPO / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen([*line, "--pythonpath", pythonpath, app], cwd=REPO, env=env)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn {app} did not start")


def sign_in(base: str, email: str) -> str:
    """A session cookie header for the demo user."""
    session = requests.Session()
    page = session.get(base + "/sign-in").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = session.post(
        base + "/sign-in",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {answer.status_code}")
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def pages(url: str) -> list[tuple[str, str, str, float]]:
    """(label, email, path, target) of each page, with ids from the demo data."""
    with psycopg.connect(url) as conn:

        def one(query: str, *args):
            return conn.execute(query, args).fetchone()

        provider = one(
            "SELECT m.provider_id FROM membership m JOIN user_account u ON u.id = m.user_id"
            " WHERE u.email = 'submitter@provider.example'"
        )[0]
        council = one(
            "SELECT m.council_id FROM membership m JOIN user_account u ON u.id = m.user_id"
            " WHERE u.email = 'commissioner@medway.example'"
        )[0]
        draft = one(
            "SELECT r.id FROM monthly_return r JOIN contract c ON c.id = r.contract_id"
            " WHERE c.provider_id = %s AND c.council_id = %s ORDER BY r.period DESC LIMIT 1",
            provider,
            council,
        )[0]
        submitted = one(
            "SELECT r.id FROM monthly_return r JOIN contract c ON c.id = r.contract_id"
            " WHERE c.council_id = %s AND r.status = 'submitted' ORDER BY r.period DESC, r.id"
            " LIMIT 1",
            council,
        )[0]
    submitter, commissioner = "submitter@provider.example", "commissioner@medway.example"
    task_list = f"/provider/{provider}/returns/{draft}"
    return [
        ("Your returns", submitter, f"/provider/{provider}/returns", PROVIDER_TARGET),
        ("A return's task list", submitter, task_list, PROVIDER_TARGET),
        ("A section page (KPIs)", submitter, task_list + "/section/kpis", PROVIDER_TARGET),
        ("Returns grid", commissioner, f"/council/{council}/returns", COUNCIL_TARGET),
        (
            "Review page",
            commissioner,
            f"/council/{council}/returns/{submitted}/review",
            COUNCIL_TARGET,
        ),
    ]


def wrk(url: str, duration: int, connections: int, cookie: str | None = None) -> tuple[float, str]:
    line = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        line += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*line, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = re.search(r"Latency\s+(\S+)", out).group(1)
    return rate, latency


def measure(args) -> int:
    url = args.database_url
    if not args.no_seed:
        seed(url)
    tmp = tempfile.mkdtemp()
    Path(tmp, "hello_world.py").write_text(HELLO)
    env = _env(url, args.workers)
    servers = []
    failed = 0
    try:
        hello_port, portal_port = free_port(), free_port()
        servers.append(gunicorn("hello_world:app", hello_port, _env(None, args.workers), tmp))
        servers.append(gunicorn("wsgi:app", portal_port, env, str(REPO)))
        hello_url = f"http://127.0.0.1:{hello_port}/"
        base = f"http://127.0.0.1:{portal_port}"
        cookies = {}
        rows = []
        hello_rates = [wrk(hello_url, args.duration, args.connections)[0]]
        rows.append(("/healthz", *wrk(base + "/healthz", args.duration, args.connections), None))
        for label, email, path, target in pages(url):
            cookie = cookies.setdefault(email, sign_in(base, email))
            check = requests.get(base + path, headers={"Cookie": cookie}, allow_redirects=False)
            if check.status_code != 200:
                raise RuntimeError(f"{label} ({path}) answered {check.status_code}")
            rate, latency = wrk(base + path, args.duration, args.connections, cookie)
            rows.append((label, rate, latency, target))
        hello_rates.append(wrk(hello_url, args.duration, args.connections)[0])
    finally:
        for process in servers:
            process.terminate()
            process.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    yardstick = sum(hello_rates) / len(hello_rates)
    print(
        f"\nhello-world: {hello_rates[0]:,.0f} and {hello_rates[1]:,.0f} requests/s"
        f" (gunicorn, {args.workers} sync workers, wrk -c{args.connections},"
        f" {args.duration} s each)"
    )
    print(f"{'page':<26} {'req/s':>8} {'avg latency':>12} {'of hello':>9} {'target':>7}")
    for label, rate, latency, target in rows:
        ratio = rate / yardstick
        verdict = "" if target is None else ("met" if ratio >= target else "NOT MET")
        shown = "" if target is None else f">={target:.0%}"
        print(f"{label:<26} {rate:>8,.0f} {latency:>12} {ratio:>9.1%} {shown:>7} {verdict}")
        failed += verdict == "NOT MET"
    return 1 if failed else 0


def profile(args) -> int:
    """Each page 50 times in the test client under pyinstrument, on the seeded database."""
    from pyinstrument import Profiler

    os.environ.update(_env(args.database_url, 1))
    from sqlalchemy import event

    from portal.app import create_app
    from portal.extensions import db

    app = create_app()
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(a[2]))
    for label, email, path, _target in pages(args.database_url):
        client = app.test_client()
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
        client.get(path)
        statements.clear()
        client.get(path)
        queries = list(statements)
        # CPU time without the profiler first: on a shared machine it moves far less with
        # other people's load than requests per second or wall time do.
        bare = time.process_time()
        for _ in range(50):
            client.get(path)
        bare = (time.process_time() - bare) / 50 * 1000
        profiler = Profiler(interval=0.0005)
        start, cpu = time.perf_counter(), time.process_time()
        with profiler:
            for _ in range(50):
                assert client.get(path).status_code == 200
        each = (time.perf_counter() - start) / 50 * 1000
        cpu = (time.process_time() - cpu) / 50 * 1000
        print(
            f"\n===== {label}: {bare:.1f} ms of CPU a request unprofiled; profiled {each:.1f} ms,"
            f" {cpu:.1f} ms of it CPU; {len(queries)} queries ====="
        )
        if args.verbose:
            print("\n".join(" ".join(q.split())[:160] for q in queries))
        print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/pages.py")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="with --profile: the SQL")
    args = parser.parse_args()
    if args.profile:
        if not args.no_seed:
            seed(args.database_url)
        return profile(args)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk")
        return 2
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
