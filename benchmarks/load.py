"""Month end under load: many providers submitting at once while commissioners review.

    .venv/bin/python benchmarks/load.py [--minutes 5] [--providers 200] [--commissioners 10]
        [--think 2 8] [--spread SECONDS] [--ramp 60] [--threads 4]

Set up like production on one machine: recreates BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/portal_load) with the demo data plus ``--providers``
providers on Medway's homecare framework, each with a submitter and this month's open
return (capacity, handbacks and workforce already completed; training and the KPIs are
left to do); empties BENCH_REDIS_URL's queues (default redis://127.0.0.1:6379/12); starts
gunicorn (``gunicorn.conf.py``, 2 workers of ``--threads`` threads each, 4 by default:
the production set-up, where a sign-in's argon2 check (about 175 ms of CPU) holds one
thread, not a whole worker, and argon2 releases the GIL) and ``python -m workers.pool -n 2``.

The run has two phases: **arrival**, where everyone signs in through the sign-in page,
spread over ``--ramp`` seconds (argon2 is slow on purpose: 210 sign-ins are about 35
CPU-seconds that would otherwise crowd out the work being measured), and the **month end**
itself, ``--minutes`` long, which starts once everyone is signed in. Within the month end
each provider starts its work at a random moment in the first ``--spread`` seconds (the
whole run by default: a month end is days, and 200 flows started in the same second share
the CPU so evenly that none finishes early). People read each page for ``--think``
seconds (2 to 8) before the next click. What each person does is in
``benchmarks/load_users.py``: providers upload a staff file and a 2,000-row training file,
confirm training, save the KPIs and submit; commissioners look at the returns grid,
review and accept what was just submitted, and build providers' quarterly packs.

Prints p50/p95/p99 per request (arrival and month end apart), the error rate, a
hello-world app's requests per second under the same gunicorn in the same run, and how
many submissions the clients were told succeeded against how many versions the database
holds (must be equal, and more than none), with the acceptances and packs told done.
Targets: no errors, none lost, p95 of page views < 500 ms.
"""

# isort: skip_file
from __future__ import annotations

import locust  # noqa: F401 - first: it patches the standard library for gevent

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import psycopg  # noqa: E402
from locust import events  # noqa: E402
from locust.env import Environment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages as page_bench  # noqa: E402
from load_users import (  # noqa: E402
    ACCOUNTS, COUNCIL, FILES, MONTH_END, SPREAD, STATE, THINK, TOLD, Commissioner, Provider,
)  # fmt: skip
import random  # noqa: E402
from upload import staff_file, training_file  # noqa: E402

REPO = page_bench.REPO
BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_load"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/12"
P95_TARGET_MS = 500


def make_files(training_rows: int = 2000) -> None:
    rng = random.Random(19)
    staff, workers = staff_file(100, rng, fault_rate=0)
    FILES.update(staff=staff, training=training_file(training_rows, workers, rng, fault_rate=0))


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
    print(
        f"returns accepted: {TOLD['accepted']}; packs built and seen ready: {TOLD['packs ready']}"
    )
    print(
        f"people read each page for {THINK['low']:g} to {THINK['high']:g} s before the next click"
    )
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
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 8.0),
        metavar=("LOW", "HIGH"),
        help="seconds a person reads a page before the next click",
    )
    parser.add_argument(
        "--ramp", type=float, default=60, help="seconds over which people arrive and sign in"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", BENCH_REDIS_URL)
    THINK.update(low=args.think[0], high=args.think[1])
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
