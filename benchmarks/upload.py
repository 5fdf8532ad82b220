"""How fast the bulk upload check is: ASC-WDS staff and training files, about 1% faulty.

    .venv/bin/python benchmarks/upload.py [--staff 5000] [--training 100000] [--xlsx] [--import]

Generates (seeded) a staff file and a training file as CSV, then times, best of
``--repeat`` runs each: a bare ``pandas.read_csv`` of each file, and the full check of it
(``portal.uploads.check_upload``: bytes in, problems and typed rows out). Prints rows per
second, the ratio of check time to the bare read (target: within 3x, issue 17), and peak memory: the
Python/numpy allocations of one check (tracemalloc, run apart as it slows things) and the
process's peak resident size. ``--xlsx`` also times the training file saved as XLSX.
``--import`` also imports the files (without their faults) into DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/
portal_bench, created and upgraded if need be) for a new provider, twice, and prints rows
per second, check included (target 150,000 for the first); then, for comparison, the first
import again by the plain path (the plan row by row in Python, as on SQLite).
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from portal.returns import staff_reference
from portal.returns import staff_rules as rules
from portal.uploads import check_upload, validate_staff_file, validate_training_file

TODAY = date(2026, 11, 23)
BRANCHES = {"000101": 1, "000102": 2, "000103": 3}
STAFF_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "STATUS", "DISPLAYID", "MAINJOBROLE", "STARTDATE",
    "EMPLSTATUS", "ZEROHRCONT", "CARECERT", "HOURLYRATE", "HANDCVISA", "CONTHOURS",
]  # fmt: skip
TRAINING_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "CATEGORY", "TRAININGNAME", "ACCREDITED", "WHODELIVERED",
    "PROVIDERNAME", "HOWDELIVERED", "VALIDITY", "DATECOMPLETED", "EXPIRYDATE", "NOTES",
]  # fmt: skip
FAULT_RATE = 0.01


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _csv_line(values: list[str]) -> str:
    out = []
    for value in values:
        if any(ch in value for ch in ',"\n'):
            value = '"' + value.replace('"', '""') + '"'
        out.append(value)
    return ",".join(out)


def staff_file(
    count: int, rng: random.Random, fault_rate: float = FAULT_RATE
) -> tuple[str, list[str]]:
    roles = list(staff_reference.job_roles())
    lines, worker_ids = [",".join(STAFF_HEADINGS)], []
    for n in range(count):
        worker = f"{n + 1:06d}"  # leading zeros, as providers' payroll numbers often have
        worker_ids.append(worker)
        # Contracted hours only for someone not on a zero-hours contract, as ASC-WDS checks.
        zero_hours = rng.choice(["1", "2", "999"])
        hours = rng.choice(["37.5", "20", "16", "30.25"]) if zero_hours == "2" else ""
        row = [
            rng.choice(list(BRANCHES)),
            worker,
            "UNCHECKED",
            f"Staff {n + 1}",
            str(rng.choice(roles)),
            _dmy(date(2010, 1, 1) + timedelta(days=rng.randrange(5000))),
            str(rng.choice(list(rules.EMPLOYMENT_STATUSES))),
            zero_hours,
            str(rng.choice(list(rules.CARE_CERTIFICATE))),
            f"{rng.uniform(11.5, 19):.2f}",
            rng.choice(["1", "2", "999"]),
            hours,
        ]
        if rng.random() < fault_rate:
            fault = rng.randrange(4)
            if fault == 0:
                row[4] = "99"  # unknown job role
            elif fault == 1:
                row[5] = "31/02/2020"
            elif fault == 2:
                row[9] = "250"  # hourly rate out of range
            else:
                row[1] = "1.2E+11"
        lines.append(_csv_line(row))
    return "\n".join(lines) + "\n", worker_ids


def training_file(
    count: int, worker_ids: list[str], rng: random.Random, fault_rate: float = FAULT_RATE
) -> str:
    categories = list(staff_reference.training_categories().values())
    # PROVIDERNAME: a code from ASC-WDS's list, given when an external provider delivered it.
    providers = [str(code) for code in staff_reference.training_providers()] + [""] * 20
    lines = [",".join(TRAINING_HEADINGS)]
    previous: list[str] | None = None
    for _ in range(count):
        category = rng.choice(categories)
        completed = TODAY - timedelta(days=rng.randrange(1, 6 * 365))
        validity = rng.choice(["12", "12", "24", "36", "none", ""])
        who = rng.choice(["1", "2"])
        expiry = ""
        if validity not in ("none", "") and rng.random() < 0.4:
            expiry = _dmy(rules.derived_expiry(completed, validity))
        row = [
            rng.choice(list(BRANCHES)),
            rng.choice(worker_ids),
            str(category.code),
            f"{category.name} level {rng.randrange(1, 4)}",
            rng.choice(["1", "0", "999"]),
            who,
            rng.choice(providers) if who == "2" else "",
            rng.choice(["1", "2"]),
            validity,
            _dmy(completed),
            expiry,
            rng.choice(["", "", "", "", "Refresher, booked again", 'Passed "with merit"']),
        ]
        if rng.random() < fault_rate:
            fault = rng.randrange(7)
            if fault == 0:
                row[9] = _dmy(TODAY + timedelta(days=30))  # in the future
            elif fault == 1:
                row[9] = "31/02/2024"
            elif fault == 2:
                row[2] = "999"  # unknown category
            elif fault == 3:
                row[1] = "X" + row[1]  # unknown worker
            elif fault == 4:
                row[10] = _dmy(completed - timedelta(days=10))  # expiry before completion
            elif fault == 5:
                row[0] = "000999"  # unknown branch
            elif previous is not None:
                row = previous  # an exact duplicate (a warning)
        lines.append(_csv_line(row))
        previous = row
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--training", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--xlsx", action="store_true", help="also time the training file as XLSX")
    parser.add_argument(
        "--import",
        dest="do_import",
        action="store_true",
        help="also time the import of faultless files into DATABASE_URL (twice: new, unchanged)",
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    staff_text, worker_ids = staff_file(args.staff, rng)
    training_text = training_file(args.training, worker_ids, rng)
    existing = set(worker_ids[: len(worker_ids) // 2])  # half already in the portal

    with tempfile.TemporaryDirectory() as folder:
        staff_path = Path(folder, "staff.csv")
        training_path = Path(folder, "training.csv")
        staff_path.write_text(staff_text, encoding="utf-8")
        training_path.write_text(training_text, encoding="utf-8")

        staff_ids = set(worker_ids)
        runs = {
            "bare staff": lambda: pd.read_csv(staff_path),
            "bare training": lambda: pd.read_csv(training_path),
            "staff": lambda: validate_staff_file(
                staff_path.read_bytes(),
                staff_path.name,
                today=TODAY,
                branches=BRANCHES,
                existing_worker_ids=existing,
            ),
            # As check_upload does after the staff file: its workers are known.
            "training": lambda: validate_training_file(
                training_path.read_bytes(),
                training_path.name,
                today=TODAY,
                branches=BRANCHES,
                worker_ids=existing | staff_ids,
            ),
            "both": lambda: check_upload(
                staff=(staff_path.read_bytes(), staff_path.name),
                training=(training_path.read_bytes(), training_path.name),
                today=TODAY,
                branches=BRANCHES,
                existing_worker_ids=existing,
            ),
        }
        result = runs["both"]()  # warm up: imports, reference lists
        # Interleaved, best of --repeat: other work on the machine slows all runs alike.
        wall = dict.fromkeys(runs, float("inf"))
        cpu = dict.fromkeys(runs, float("inf"))
        for _ in range(args.repeat):
            for name, run in runs.items():
                start_wall, start_cpu = time.perf_counter(), time.process_time()
                run()
                wall[name] = min(wall[name], time.perf_counter() - start_wall)
                cpu[name] = min(cpu[name], time.process_time() - start_cpu)

        traced = {}
        for name in ("bare training", "both"):
            tracemalloc.start()
            runs[name]()
            traced[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

        xlsx_line = None
        if args.xlsx:
            frame = pd.read_csv(training_path, dtype=str, keep_default_na=False)
            buffer = io.BytesIO()
            frame.to_excel(buffer, index=False, engine="xlsxwriter")
            data = buffer.getvalue()
            start = time.perf_counter()
            check_upload(
                training=(data, "training.xlsx"),
                today=TODAY,
                branches=BRANCHES,
                existing_worker_ids=set(worker_ids),
            )
            xlsx_time = time.perf_counter() - start
            xlsx_line = (
                f"training as XLSX: {len(data) / 1e6:.1f} MB, {xlsx_time:.2f} s, "
                f"{args.training / xlsx_time:,.0f} rows/s (openpyxl, read-only)"
            )

    print(f"staff file:    {args.staff:,} rows, {len(staff_text) / 1e6:.1f} MB")
    print(f"training file: {args.training:,} rows, {len(training_text) / 1e6:.1f} MB")
    print(f"best of {args.repeat}, wall clock (CPU time in brackets)")
    print()
    print(f"{'':<10}{'bare read_csv':>15}{'check':>10}{'ratio':>14}{'rows/s':>12}")
    for label, rows, bare, checked in (
        ("staff", args.staff, "bare staff", "staff"),
        ("training", args.training, "bare training", "training"),
    ):
        print(
            f"{label:<10}{wall[bare] * 1000:>12.0f} ms{wall[checked] * 1000:>7.0f} ms"
            f"{wall[checked] / wall[bare]:>6.1f}x ({cpu[checked] / cpu[bare]:.1f}x)"
            f"{rows / wall[checked]:>12,.0f}"
        )
    rows = args.staff + args.training
    bare = wall["bare staff"] + wall["bare training"]
    bare_cpu = cpu["bare staff"] + cpu["bare training"]
    print(
        f"{'both':<10}{bare * 1000:>12.0f} ms{wall['both'] * 1000:>7.0f} ms"
        f"{wall['both'] / bare:>6.1f}x ({cpu['both'] / bare_cpu:.1f}x){rows / wall['both']:>12,.0f}"
    )
    print()
    print(
        f"peak memory: {traced['both'] / 1e6:.0f} MB allocated at most during a check of both "
        f"files (tracemalloc; a bare read_csv of the training file: "
        f"{traced['bare training'] / 1e6:.0f} MB); process peak resident {rss:.0f} MB"
    )
    if xlsx_line:
        print(xlsx_line)
    print()
    for item in (result.staff, result.training):
        print(f"{item.file}: {item.row_count:,} rows read, {len(item.rows):,} ready to import")
        print(f"  {item.summary or 'No errors'}")
        if item.warning_summary:
            print(f"  {item.warning_summary}")
    ratio = wall["training"] / wall["bare training"]
    print()
    print(f"training check / bare read: {ratio:.1f}x (target 3x): {'ok' if ratio <= 3 else 'SLOW'}")
    if args.do_import:
        print()
        import_benchmark(args.staff, args.training, args.seed)
    return 0


BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench"
IMPORT_TARGET = 150_000  # rows per second, the first import, check included


def provider_with_branches(name: str, slug: str):
    """A new provider with the branches the benchmark's files name (LOCALESTID), committed."""
    from portal.extensions import db
    from portal.models import Branch, Provider

    provider = Provider(name=name, slug=slug)
    db.session.add(provider)
    for code in BRANCHES:
        db.session.add(Branch(provider=provider, name=f"Branch {code}", local_est_id=code))
    db.session.commit()
    return provider


def stored_batch(provider_id: int, staff_text: str, training_text: str):
    """Both files stored and an upload batch ready for ``importing.import_job``, committed."""
    from portal.extensions import db
    from portal.models import UploadBatch
    from portal.uploads import importing

    token = importing.new_token()
    importing.store(token, "staff", staff_text.encode())
    importing.store(token, "training", training_text.encode())
    batch = UploadBatch(
        provider_id=provider_id, token=token, staff_name="staff.csv",
        training_name="training.csv", status="importing", counts={},
    )  # fmt: skip
    db.session.add(batch)
    db.session.commit()
    return batch


def import_benchmark(staff_count: int, training_count: int, seed: int) -> None:
    """Import faultless files into DATABASE_URL (created and upgraded if need be) for a new
    provider, then the same files again (all unchanged); print rows per second. Then the
    first import by the plain path for another new provider, for comparison."""
    import os

    from flask_migrate import upgrade

    from portal.app import create_app
    from portal.extensions import db
    from portal.models import UploadBatch
    from portal.uploads import importing

    url = os.environ.get("DATABASE_URL") or BENCH_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    if url.startswith("postgresql"):
        _create_database(url)
    rng = random.Random(seed)
    staff_text, worker_ids = staff_file(staff_count, rng, fault_rate=0)
    training_text = training_file(training_count, worker_ids, rng, fault_rate=0)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "TODAY": TODAY.isoformat()}
    )
    with tempfile.TemporaryDirectory() as folder, app.app_context():
        app.config["UPLOAD_FOLDER"] = folder
        upgrade()
        analyze_if_no_autovacuum()
        stamp = time.strftime("%Y%m%d%H%M%S")
        provider = provider_with_branches(f"Benchmark Care {stamp}", f"benchmark-care-{stamp}")
        rows = staff_count + training_count
        for label in ("first import", "same files again"):
            batch = stored_batch(provider.id, staff_text, training_text)
            start = time.perf_counter()
            importing.import_job(batch.id)
            elapsed = time.perf_counter() - start
            db.session.expire_all()
            batch = db.session.get(UploadBatch, batch.id)
            verdict = "ok" if rows / elapsed >= IMPORT_TARGET else "SLOW"
            print(
                f"{label}: {batch.status}, {rows:,} rows in {elapsed:.2f} s, "
                f"{rows / elapsed:,.0f} rows/s (target {IMPORT_TARGET:,}: {verdict}) "
                "(check included)"
            )
            print(f"  {batch.counts or batch.error}")
        plain = provider_with_branches(f"Benchmark Care {stamp} plain", f"benchmark-care-{stamp}-p")
        start = time.perf_counter()
        importing.import_checked(
            plain.id, (staff_text.encode(), "staff.csv"), (training_text.encode(), "training.csv"),
            TODAY, set_based=False,
        )  # fmt: skip
        db.session.commit()
        elapsed = time.perf_counter() - start
        print(
            f"first import, plain path (as on SQLite): {rows:,} rows in {elapsed:.2f} s, "
            f"{rows / elapsed:,.0f} rows/s (check included)"
        )
        copy_yardstick(plain.id, training_text)


def analyze_if_no_autovacuum() -> None:
    """Statistics for the tables an import reads, as autovacuum keeps them in production:
    without them (autovacuum is off on the development machine, and every run adds
    300,000 rows) PostgreSQL plans the import's look-ups as scans of whole tables. Not on
    a new database: the statistics of empty tables would stay wrong for the second import."""
    from sqlalchemy import text

    from portal.extensions import db

    off = db.session.execute(text("SHOW autovacuum")).scalar() == "off"
    if off and db.session.execute(text("SELECT EXISTS (SELECT FROM training_record)")).scalar():
        db.session.execute(text("ANALYZE staff_member, training_record"))
        db.session.commit()


def copy_yardstick(provider_id: int, training_text: str) -> None:
    """The floor in the same sitting: a bare ``COPY`` of the checked training rows (staff
    ids already known, in the import's order) into ``training_record``, and into a
    temporary copy of it with its indexes but without the check of their staff (ADR 0024);
    both rolled back."""
    from sqlalchemy import text

    from portal.extensions import db
    from portal.uploads import bulk_copy, importing
    from portal.uploads.import_plan import TRAINING_VALUE_FIELDS

    rows = (
        check_upload(
            training=(training_text.encode(), "training.csv"),
            today=TODAY,
            branches=importing.provider_branches(provider_id),
            existing_worker_ids=importing.existing_worker_ids(provider_id),
        )
        .to_import()
        .training
    )
    staff_id = dict(
        db.session.execute(
            text("SELECT worker_id, id FROM staff_member WHERE provider_id = :p"),
            {"p": provider_id},
        ).all()
    )
    frame = rows.reindex(columns=["worker_id", *TRAINING_VALUE_FIELDS])
    frame["worker_id"] = frame["worker_id"].map(staff_id).astype("int64")
    order = bulk_copy.row_order(frame["worker_id"], rows["row"])
    columns = ["staff_id", *TRAINING_VALUE_FIELDS]
    for table, label in (
        ("training_record", "training_record"),
        ("bench_training_copy", "an indexed copy without the staff check"),
    ):
        if table != "training_record":
            db.session.execute(
                text(f"CREATE TEMP TABLE {table} (LIKE training_record INCLUDING ALL)")
            )
        start = time.perf_counter()
        bulk_copy.copy_frame(table, columns, frame, order)
        elapsed = time.perf_counter() - start
        db.session.rollback()
        print(
            f"yardstick: bare COPY of {len(frame):,} training rows into {label}: "
            f"{elapsed:.2f} s, {len(frame) / elapsed:,.0f} rows/s"
        )


def _create_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres", scheme="postgresql").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
