"""Month end under load: many providers submitting at once while commissioners review.

    .venv/bin/python benchmarks/load.py [--minutes 5] [--providers 200] [--commissioners 10]

Set up like production on one machine: recreates BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/portal_load) with the demo data plus ``--providers``
providers on Medway's homecare framework, each with a submitter and this month's open
return (capacity, handbacks and workforce already completed; training and the KPIs are
left to do); empties BENCH_REDIS_URL's queues (default redis://127.0.0.1:6379/12); starts
gunicorn (``gunicorn.conf.py``, 2 workers of ``--threads`` threads each, 4 by default:
the production set-up, where a sign-in's argon2 check (about 175 ms of CPU) holds one
thread, not a whole worker, and argon2 releases the GIL) and ``python -m workers.pool -n 2``.
Each simulated person signs in once and keeps the session, as people do over a month
end. The run has two phases: **arrival**, where the people sign in through the sign-in
page spread over ``--ramp`` seconds (60 by default; argon2 costs about 175 ms of CPU a
sign-in on purpose, so 210 sign-ins are about 35 CPU-seconds that would otherwise crowd
out the work being measured), and the **month end** itself, ``--minutes`` long, which
starts once everyone is signed in. The sign-ins' own figures are printed apart. Within the
month end each provider starts its work at a random moment in the first ``--spread``
seconds (the whole run by default): a month end is days, and 200 flows started in the
same second share the CPU so evenly that none finishes early. A provider's flow costs
about 1.5 CPU-seconds (the 2,000-row upload, its check and import, the training page and
its confirmation), so 2 cores finish about one a second at best: a 1-minute run submits
only the providers who started early, a 5-minute run most of them.

Then locust (headless, in this process) runs ``--providers`` provider users (sign in,
*Your returns*, the task list, upload a staff file and a 2,000-row training file, check,
confirm and wait for the import, confirm the training, save the KPIs, *Check your
answers*, submit, then keep reading their returns) and ``--commissioners``
commissioners (the returns grid, a submitted return's review page) for ``--minutes``.
Prints p50/p95/p99 per request (arrival and month end apart), the error rate, a
hello-world app's requests per second under the same gunicorn in the same run, and how
many submissions the clients were told succeeded against how many versions the database
holds (must be equal, and more than none). Targets: no errors, none lost, p95 of page
views < 500 ms.
"""

# isort: skip_file
from __future__ import annotations

import locust  # noqa: F401 - first: it patches the standard library for gevent

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from queue import Empty, SimpleQueue  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import psycopg  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages as page_bench  # noqa: E402
import random  # noqa: E402
from upload import staff_file, training_file  # noqa: E402

REPO = page_bench.REPO
BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_load"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = page_bench.PASSWORD
KPIS = {
    "planned_visits": "1000", "delivered_visits": "990", "missed_visits": "10",
    "on_time_visits": "950", "ecm_visits": "900", "commissioned_hours": "1520.5",
    "delivered_hours": "1498.25", "referrals_offered": "12", "referrals_accepted": "10",
    "packages_started_on_time": "9", "complaints": "1", "compliments": "4",
    "safeguarding_concerns": "0", "users_reviewed": "20", "outcomes_met": "17",
}  # fmt: skip
P95_TARGET_MS = 500

ACCOUNTS: SimpleQueue = SimpleQueue()  # (email, provider id, return id) for provider users
COUNCIL: dict = {}
TOLD = {"submitted": 0}
SPREAD = {"seconds": 0.0}  # providers start their month end within this many seconds
# At the end no new submission starts, and the run waits for those in flight: a client
# cut off mid-request would count as "not told" though the server finished its work.
STATE = {"stopping": False, "submitting": 0, "signed_in": 0}
# Set when everyone has signed in: the month end (and its figures) starts then.
MONTH_END = gevent.event.Event()
FILES: dict[str, str] = {}  # the ASC-WDS staff file and a 2,000-row training file


def make_files(training_rows: int = 2000) -> None:
    rng = random.Random(19)
    staff, workers = staff_file(100, rng, fault_rate=0)
    FILES.update(staff=staff, training=training_file(training_rows, workers, rng, fault_rate=0))


def _hidden(html: str, name: str) -> str | None:
    for pattern in (
        rf'name="{name}" type="hidden" value="([^"]*)"',
        rf'type="hidden" name="{name}" value="([^"]*)"',
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"',
    ):
        match = re.search(pattern, html)
        if match:
            return match.group(1)
    return None


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def sign_in(self, email: str) -> None:
        page = self.client.get("/sign-in", name="sign in (form)").text
        with self.client.post(
            "/sign-in",
            data={"csrf_token": _token(page), "email": email, "password": PASSWORD},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")
        STATE["signed_in"] += 1
        MONTH_END.wait()  # nobody starts the month's work until everyone has arrived
        # The server has long closed this person's idle keep-alive connection (gunicorn's
        # keepalive is seconds): start the month end on a fresh one, as a browser would.
        self.client.close()


class Provider(Portal):
    fixed_count = 200

    def on_start(self) -> None:
        try:
            self.email, self.provider_id, self.return_id = ACCOUNTS.get_nowait()
        except Empty:
            STATE["signed_in"] += 1  # nobody to be: arrived, as far as the count goes
            raise locust.exception.StopUser() from None
        self.submitted = False
        self.sign_in(self.email)
        # Month end is days, not one second: each provider starts on the month's work at
        # its own moment within the first ``--spread`` seconds, so early starters finish
        # (all starting at once, all would share the CPU and none would finish early).
        gevent.sleep(random.uniform(0, SPREAD["seconds"]))

    @property
    def ret(self) -> str:
        return f"/provider/{self.provider_id}/returns/{self.return_id}"

    @task
    def month_end(self) -> None:
        self.client.get(f"/provider/{self.provider_id}/returns", name="Your returns")
        self.client.get(self.ret, name="task list")
        if self.submitted:
            self.client.get(self.ret + "/history", name="history")
            return
        self.upload()
        page = self.client.get(self.ret + "/section/training", name="training section").text
        data = {"csrf_token": _token(page), "revision": _hidden(page, "revision") or "0"}
        training = {**data, "confirmed": "yes"}
        self.client.post(self.ret + "/section/training", data=training, name="confirm training")
        page = self.client.get(self.ret + "/section/kpis", name="KPI section").text
        data = {"csrf_token": _token(page), "revision": _hidden(page, "revision") or "0"}
        self.client.post(self.ret + "/section/kpis", data={**data, **KPIS}, name="save KPIs")
        check = self.client.get(self.ret + "/check", name="check your answers").text
        key = _hidden(check, "submission_key")
        if STATE["stopping"]:
            return
        STATE["submitting"] += 1
        try:
            self.submit(check, key)
        finally:
            STATE["submitting"] -= 1

    def submit(self, check: str, key: str | None) -> None:
        with self.client.post(
            self.ret + "/submit",
            data={"csrf_token": _token(check), "submission_key": key or ""},
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "confirmation" in answer.headers.get("Location", ""):
                self.submitted = True
                TOLD["submitted"] += 1
            else:
                answer.failure(f"submit answered {answer.status_code}")

    def upload(self) -> None:
        """Upload the staff and 2,000-row training files, check, confirm, wait for the
        import (a worker runs it) as the progress page does."""
        base = f"/provider/{self.provider_id}/uploads/staff-and-training"
        page = self.client.get(base, name="upload page").text
        files = {
            "staff_file": ("staff.csv", FILES["staff"]),
            "training_file": ("training.csv", FILES["training"]),
        }
        with self.client.post(
            base, data={"csrf_token": _token(page)}, files=files, name="upload files",
            allow_redirects=False, catch_response=True,
        ) as answer:  # fmt: skip
            location = answer.headers.get("Location", "")
            if answer.status_code != 302 or "batch=" not in location:
                answer.failure(f"upload answered {answer.status_code}")
                return
        batch = location.split("batch=")[1].split("&")[0]
        check = self.client.get(f"{base}/check?batch={batch}", name="upload check").text
        self.client.post(
            f"{base}/confirm", data={"batch": batch, "csrf_token": _token(check)},
            name="confirm import", allow_redirects=False,
        )  # fmt: skip
        for _ in range(120):
            status = self.client.get(
                f"{base}/progress?batch={batch}", name="import progress", allow_redirects=False
            )
            if status.status_code == 302:
                self.client.get(status.headers["Location"], name="import done")
                return
            gevent.sleep(1)


class Commissioner(Portal):
    fixed_count = 10

    def on_start(self) -> None:
        self.sign_in("commissioner@medway.example")

    @task
    def review(self) -> None:
        council = COUNCIL["id"]
        self.client.get(f"/council/{council}/returns", name="returns grid")
        self.client.get(
            f"/council/{council}/returns/{COUNCIL['submitted']}/review", name="review page"
        )


def prepare(url: str, providers: int) -> None:
    """The demo data plus ``providers`` providers with an open return each."""
    page_bench.seed(url)
    env = page_bench._env(url, 1)
    code = (
        f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(REPO / 'benchmarks')!r}]; "
        f"from benchmarks.load_world import build; build({providers})"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)
    with psycopg.connect(url) as conn:
        for row in conn.execute(
            "SELECT DISTINCT ON (u.email) u.email, m.provider_id, r.id FROM user_account u"
            " JOIN membership m ON m.user_id = u.id"
            " JOIN contract c ON c.provider_id = m.provider_id"
            " JOIN monthly_return r ON r.contract_id = c.id"
            " WHERE u.email LIKE 'load%%@provider.example'"
            " ORDER BY u.email, r.period DESC"
        ):
            ACCOUNTS.put(row)
        council, submitted = conn.execute(
            "SELECT c.council_id, r.id FROM monthly_return r"
            " JOIN contract c ON c.id = r.contract_id"
            " JOIN council k ON k.id = c.council_id WHERE k.name = 'Medway Council'"
            " AND r.status = 'submitted' ORDER BY r.period DESC, r.id LIMIT 1"
        ).fetchone()
        COUNCIL.update(id=council, submitted=submitted)


def versions(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM return_version v JOIN monthly_return r ON r.id = v.return_id"
            " JOIN contract c ON c.id = r.contract_id JOIN membership m"
            " ON m.provider_id = c.provider_id JOIN user_account u ON u.id = m.user_id"
            " WHERE u.email LIKE 'load%%@provider.example'"
        ).fetchone()[0]


def _figures(env: Environment) -> list[str]:
    lines = []
    for (name, method), entry in sorted(env.stats.entries.items()):
        p50, p95, p99 = (entry.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99))
        lines.append(
            f"{method + ' ' + name:<22} {entry.num_requests:>7} {entry.num_failures:>5}"
            f" {p50:>6.0f} {p95:>6.0f} {p99:>6.0f}"
        )
    return lines


def run_locust(
    base: str, minutes: float, providers: int, commissioners: int, ramp: float
) -> tuple[Environment, dict]:
    """Arrival (everyone signs in, spread over ``ramp`` seconds), then the month end for
    ``minutes``. Returns the environment (the month end's figures) and the arrival's."""
    Provider.fixed_count, Commissioner.fixed_count = providers, commissioners
    env = Environment(user_classes=[Provider, Commissioner], events=events, host=base)
    runner = env.create_local_runner()
    users = providers + commissioners
    started = time.monotonic()
    runner.start(users, spawn_rate=users / ramp if ramp > 0 else users)
    while STATE["signed_in"] < users and time.monotonic() - started < ramp + 300:
        gevent.sleep(0.5)
    arrival = {
        "seconds": time.monotonic() - started,
        "signed_in": STATE["signed_in"],
        "failures": env.stats.total.num_failures,
        "lines": _figures(env),
    }
    env.stats.reset_all()
    MONTH_END.set()
    gevent.sleep(minutes * 60)
    STATE["stopping"] = True
    for _ in range(240):  # at most 2 minutes for the submissions in flight
        if not STATE["submitting"]:
            break
        gevent.sleep(0.5)
    runner.quit()
    runner.greenlet.join()
    return env, arrival


def report(env: Environment, arrival: dict, hello: float, told: int, held: int) -> int:
    head = f"{'request':<22} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)"
    print(
        f"\nArrival: {arrival['signed_in']} people signed in over {arrival['seconds']:.0f} s"
        f" ({arrival['failures']} failures)\n{head}"
    )
    print("\n".join(arrival["lines"]))
    print(f"\nMonth end\n{head}")
    print("\n".join(_figures(env)))
    worst = max(
        (e.get_response_time_percentile(0.95) for (_n, m), e in env.stats.entries.items()
         if m == "GET"),
        default=0,
    )  # fmt: skip
    total = env.stats.total
    failures = total.num_failures + arrival["failures"]
    rate = total.num_failures / total.num_requests if total.num_requests else 0
    print(f"\nrequests {total.num_requests:,}, errors {total.num_failures:,} ({rate:.2%})")
    for error in sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)[:5]:
        print(f"  {error.occurrences} x {error.method} {error.name}: {error.error}")
    print(f"hello-world under the same gunicorn, same run: {hello:,.0f} requests/s")
    print(f"machine load at the end (1, 5, 15 min): {os.getloadavg()}")
    print(f"submissions the clients were told succeeded: {told}; versions in the database: {held}")
    print(f"worst p95 of a page view: {worst:.0f} ms (target < {P95_TARGET_MS} ms)")
    met = failures == 0 and told == held and told > 0 and worst < P95_TARGET_MS
    print("Targets met" if met else "Targets NOT met")
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/load.py")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--commissioners", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--spread",
        type=float,
        default=None,
        help="seconds over which providers start their month end (default: the whole run)",
    )
    parser.add_argument(
        "--ramp", type=float, default=60, help="seconds over which people arrive and sign in"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", BENCH_REDIS_URL)
    SPREAD["seconds"] = args.minutes * 60 if args.spread is None else args.spread
    make_files()
    prepare(url, args.providers)
    env = {**page_bench._env(url, 2), "REDIS_URL": redis_url, "WEB_THREADS": str(args.threads)}
    subprocess.run(
        [sys.executable, "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
         redis_url], check=True,
    )  # fmt: skip
    tmp = tempfile.mkdtemp()
    Path(tmp, "hello_world.py").write_text(page_bench.HELLO)
    servers = []
    try:
        hello_port, port = page_bench.free_port(), page_bench.free_port()
        servers.append(page_bench.gunicorn("hello_world:app", hello_port, env, tmp))
        servers.append(page_bench.gunicorn("wsgi:app", port, env, str(REPO)))
        pool = [sys.executable, "-m", "workers.pool", "-n", "2"]
        servers.append(subprocess.Popen(pool, cwd=REPO, env=env, stdout=subprocess.DEVNULL))
        hello = page_bench.wrk(f"http://127.0.0.1:{hello_port}/", 5, 20)[0]
        result, arrival = run_locust(f"http://127.0.0.1:{port}", args.minutes,
                                     args.providers, args.commissioners, args.ramp)  # fmt: skip
    finally:
        for process in servers:
            process.terminate()
            process.wait()
    return report(result, arrival, hello, TOLD["submitted"], versions(url))


if __name__ == "__main__":
    sys.exit(main())
