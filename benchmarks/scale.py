"""How cost grows with the number of councils on the service.

    .venv/bin/python benchmarks/scale.py [--sizes 1,4,16] [--providers 60] [--staff 5000]
        [--training 100000] [--months 12]

Recreates BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/portal_scale)
and fills it council by council with ``benchmarks/synthetic_council.py`` (each council like
a large one: by default 60 providers, 5,000 staff, 100,000 training records, 12 months of
returns; 16 councils is 1.6 million training records). When the database holds each of
``--sizes`` councils it prints:

- the import rate: a new provider's staff file and training file (``benchmarks/upload.py``,
  500 staff and 10,000 training rows) checked and imported, rows per second;
- one council's area training matrix (``portal.matrix.build_matrix``), best of 3;
- one return page (a provider's task list, signed in, in-process), the mean of 20;
- the database's size,

each row printed as soon as it is measured, with the load average (the machine may be
shared). 16 councils take a long while to build: ``--sizes 1,4`` stops at 4. The figures
should stay flat as councils are added (each reads one tenant's rows by index) while the
size grows; docs/operations.md says what to change at national scale.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).parent)]

from aggregate import recreate_database  # noqa: E402
from synthetic_council import build_council  # noqa: E402
from upload import provider_with_branches, staff_file, stored_batch, training_file  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matrix import build_matrix, default_as_at  # noqa: E402
from portal.models import MonthlyReturn, UploadBatch, User  # noqa: E402
from portal.uploads import importing  # noqa: E402

BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_scale"
PASSWORD = "scale benchmark sign-in"

# What synthetic_council names the same in every council, renamed once it is built.
RENAME = [
    "UPDATE council SET name = name || ' {k}', slug = slug || '-{k}' WHERE slug = 'benchmark'",
    "UPDATE provider SET name = name || ' {k}', slug = slug || '-c{k}'"
    " WHERE slug ~ '^benchmark-care-[0-9]+$'",
    "UPDATE branch SET cqc_location_id = cqc_location_id || '-{k}'"
    " WHERE cqc_location_id ~ '^1-9[0-9]{{9}}$'",
    "UPDATE user_account SET email = replace(email, '@', '+c{k}@')"
    " WHERE email ~ '^office@benchmark-care-[0-9]+\\.example$'",
]


def import_rate(size: int) -> float:
    """Check and import a new provider's files; rows per second."""
    rng = random.Random(size)
    staff_text, workers = staff_file(500, rng, fault_rate=0)
    training_text = training_file(10_000, workers, rng, fault_rate=0)
    provider = provider_with_branches(f"Scale import {size}", f"scale-import-{size}")
    batch = stored_batch(provider.id, staff_text, training_text)
    start = time.perf_counter()
    importing.import_job(batch.id)
    elapsed = time.perf_counter() - start
    db.session.expire_all()
    assert db.session.get(UploadBatch, batch.id).status == "done"
    return 10_500 / elapsed


def matrix_time(council_id: int, as_at: date) -> float:
    best = float("inf")
    for _ in range(3):
        db.session.remove()
        start = time.perf_counter()
        build_matrix(council_id, as_at)
        best = min(best, time.perf_counter() - start)
    return best


def page_time(app, provider_id: int) -> float:
    """Mean time of a provider's task list over 20 requests (signed in, in-process; the
    requests run outside the benchmark's app context, each in its own, as in a server)."""
    with app.app_context():
        user = db.session.scalar(
            select(User).where(User.memberships.any(provider_id=provider_id)).order_by(User.id)
        )
        user.password_hash = hash_password(PASSWORD)
        ret = db.session.scalar(
            select(MonthlyReturn.id)
            .where(MonthlyReturn.contract.has(provider_id=provider_id))
            .order_by(MonthlyReturn.period.desc())
        )
        email = user.email
        db.session.commit()
    client = app.test_client()
    page = client.get("/sign-in").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    path = f"/provider/{provider_id}/returns/{ret}"
    assert client.get(path).status_code == 200
    start = time.perf_counter()
    for _ in range(20):
        client.get(path)
    return (time.perf_counter() - start) / 20


HEADER = (
    f"{'councils':>8} {'training records':>17} {'import rows/s':>14}"
    f" {'matrix (1 council)':>19} {'return page':>12} {'database':>10}   load (uptime)"
)


def _load() -> str:
    """The load average when the row was measured: the machine may be shared."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/scale.py")
    parser.add_argument(
        "--sizes", default="1,4,16", help="numbers of councils to measure at, comma-separated"
    )
    parser.add_argument("--providers", type=int, default=60)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--training", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = os.environ.get("BENCH_DATABASE_URL") or BENCH_DATABASE_URL
    recreate_database(url)
    from flask_migrate import upgrade

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "MAIL_HOST": None}
    )  # fmt: skip
    today = date.today()
    with app.app_context():
        upgrade()
    first = None
    print(HEADER, flush=True)
    for k in range(1, sizes[-1] + 1):
        args.seed += 1
        with app.app_context():
            council_id, provider_ids = build_council(args, today)
            for statement in RENAME:
                db.session.execute(text(statement.format(k=k)))
            db.session.commit()
            first = first or (council_id, provider_ids[0])
            if k not in sizes:
                continue
            db.session.execute(text("ANALYZE"))  # as autovacuum would after the load
            db.session.commit()
            records = db.session.scalar(text("SELECT count(*) FROM training_record"))
            size = db.session.scalar(select(func.pg_database_size(func.current_database())))
            rate, matrix = import_rate(k), matrix_time(first[0], default_as_at(today))
        page = page_time(app, first[1])
        print(
            f"{k:>8} {records:>17,} {rate:>14,.0f} {matrix:>17.2f} s {page * 1000:>9.1f} ms"
            f" {size / 1e6:>7,.0f} MB   {_load()}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
