"""The import's two paths on PostgreSQL store the same: the set-based one (staging tables,
``INSERT ... SELECT``, ``UPDATE ... FROM``; the default there) and the plain one (the plan
worked out row by row in Python, as on SQLite). Two providers with the same branches get
the same files, one through each path: a first import, then a re-import that adds, updates,
keeps and marks leavers among the staff, and adds, changes, removes and keeps training."""

from __future__ import annotations

import io
import random
from datetime import date

import pandas as pd

from benchmarks.upload import staff_file, training_file
from portal.extensions import db
from portal.models import AuditEntry, Branch, StaffMember, TrainingRecord
from portal.returns import service
from portal.returns.sections.training_rules import CODE
from portal.uploads import importing
from portal.uploads.import_plan import STAFF_VALUE_FIELDS, TRAINING_VALUE_FIELDS
from tests.factories import make_training_record, open_return

TODAY = date(2026, 11, 23)
BRANCH_CODES = ("000101", "000102", "000103")


def _provider_with_confirmed_training():
    ret = open_return()
    provider = ret.contract.provider
    for code in BRANCH_CODES:
        db.session.add(Branch(provider=provider, name=f"Branch {code}", local_est_id=code))
    sec = service.section(ret, CODE)
    sec.data = {"confirmed": True}
    db.session.commit()
    return provider, ret


def _import(provider, staff: str | None, training: str | None, set_based: bool) -> dict:
    imported = importing.import_checked(
        provider.id,
        (staff.encode(), "staff.csv") if staff else None,
        (training.encode(), "training.csv") if training else None,
        TODAY,
        set_based=set_based,
    )
    assert imported.ok, [r.summary for r in imported.check.results]
    db.session.commit()
    counts = imported.counts()
    # Each provider's return is with its own council: compare the month (and whether sent).
    reopened = [(r["name"].split(", ")[-1], r["sent"]) for r in counts["returns_reopened"]]
    return {**counts, "returns_reopened": reopened}


def _stored(provider, ret) -> tuple[list, list, list]:
    """The provider's staff and training as values (branches by their code), and the
    return's audit trail, in a fixed order."""
    staff = db.session.execute(
        db.select(
            StaffMember.worker_id,
            Branch.local_est_id,
            *(getattr(StaffMember, n) for n in STAFF_VALUE_FIELDS if n != "branch_id"),
            StaffMember.left_on,
        )
        .join(Branch, StaffMember.branch_id == Branch.id)
        .where(StaffMember.provider_id == provider.id)
        .order_by(StaffMember.worker_id)
    ).all()
    training = db.session.execute(
        db.select(
            StaffMember.worker_id, *(getattr(TrainingRecord, n) for n in TRAINING_VALUE_FIELDS)
        )
        .join(StaffMember)
        .where(StaffMember.provider_id == provider.id)
    ).all()
    audit = db.session.execute(
        db.select(AuditEntry.action, AuditEntry.section, AuditEntry.changes)
        .where(AuditEntry.return_id == ret.id)
        .order_by(AuditEntry.id)
    ).all()
    return staff, sorted(training, key=repr), audit


def _training_of(provider, worker_id: str) -> list[tuple]:
    return db.session.execute(
        db.select(TrainingRecord.category, TrainingRecord.expiry_date)
        .join(StaffMember)
        .where(StaffMember.provider_id == provider.id, StaffMember.worker_id == worker_id)
    ).all()


def _changed_files(staff_text: str, training_text: str) -> tuple[str, str]:
    """The files a month later: 5 leavers, 10 pay rises, 5 new starters (with training); some
    workers' training dropped, some notes changed, some completion dates moved, the rest
    as it was."""
    staff = pd.read_csv(io.StringIO(staff_text), dtype=str, keep_default_na=False)
    staff["STATUS"] = "NOCHANGE"
    staff.loc[0:4, "STATUS"] = "DELETE"
    staff.loc[5:14, ["STATUS", "HOURLYRATE"]] = ["UPDATE", "21.50"]
    staff.loc[15:19, "STATUS"] = "UNCHECKED"  # as exported: an update that changes nothing
    starters = staff.iloc[20:25].copy()
    starters["UNIQUEWORKERID"] = [f"N{n}" for n in range(5)]
    starters["STATUS"] = "NEW"
    staff = pd.concat([staff, starters])

    training = pd.read_csv(io.StringIO(training_text), dtype=str, keep_default_na=False)
    workers = sorted(training["UNIQUEWORKERID"].unique())
    dropped = training["UNIQUEWORKERID"].isin(workers[0:3]) & (training.index % 2 == 0)
    training = training[~dropped].copy()
    renoted = training["UNIQUEWORKERID"].isin(workers[3:6])
    training.loc[renoted, "NOTES"] = "Refresher booked"
    moved = training["UNIQUEWORKERID"].isin(workers[6:8])
    training.loc[moved, "DATECOMPLETED"] = "02/01/2025"
    training.loc[moved, "EXPIRYDATE"] = ""
    new_rows = training.iloc[0:10].copy()
    new_rows["UNIQUEWORKERID"] = [f"N{n % 5}" for n in range(10)]
    training = pd.concat([training, new_rows])
    # Worker 000050 keeps a record stored with no expiry, read by the expiry its VALIDITY
    # gives (31 January + 1 month, clamped, - 1 day): the file's blank EXPIRYDATE matches.
    kept_row = training.iloc[0].copy()
    kept_row[["UNIQUEWORKERID", "CATEGORY", "VALIDITY", "DATECOMPLETED", "EXPIRYDATE"]] = [
        "000050", "1", "1", "31/01/2024", "",
    ]  # fmt: skip
    kept_row["NOTES"] = ""
    training = pd.concat([training, kept_row.to_frame().T])
    return staff.to_csv(index=False), training.to_csv(index=False)


def test_the_set_based_and_the_plain_import_store_the_same_counts_and_audit(app):
    app.config["TODAY"] = TODAY.isoformat()  # the October returns are open to edit
    rng = random.Random(19)
    staff_text, worker_ids = staff_file(300, rng, fault_rate=0)
    training_text = training_file(3_000, worker_ids, rng, fault_rate=0)
    plain, plain_ret = _provider_with_confirmed_training()
    fast, fast_ret = _provider_with_confirmed_training()

    first = [_import(p, staff_text, training_text, s) for p, s in ((plain, False), (fast, True))]
    assert first[0] == first[1]
    assert first[1]["staff_new"] == 300 and first[1]["sections_reopened"] == 1
    assert _stored(plain, plain_ret) == _stored(fast, fast_ret)

    # Between the imports someone confirms the section again, and worker 000050 gets, as
    # the web form stores it, the record the new file has with a blank EXPIRYDATE: no
    # expiry of its own, read as the one its VALIDITY gives.
    staff_again, training_again = _changed_files(staff_text, training_text)
    row = pd.read_csv(io.StringIO(training_again), dtype=str, keep_default_na=False).iloc[-1]
    for provider, ret in ((plain, plain_ret), (fast, fast_ret)):
        service.section(ret, CODE).data = {"confirmed": True}
        member = db.session.scalar(
            db.select(StaffMember).filter_by(provider_id=provider.id, worker_id="000050")
        )
        make_training_record(
            member, category=1, date_completed=date(2024, 1, 31), validity="1",
            training_name=row["TRAININGNAME"], accredited=int(row["ACCREDITED"]),
            who_delivered=int(row["WHODELIVERED"]), provider_name=row["PROVIDERNAME"] or None,
            how_delivered=int(row["HOWDELIVERED"]),
        )  # fmt: skip
    db.session.commit()

    again = [_import(p, staff_again, training_again, s) for p, s in ((plain, False), (fast, True))]
    assert again[0] == again[1]
    counts = again[1]
    assert (counts["staff_new"], counts["staff_updated"], counts["staff_leaving"]) == (5, 10, 5)
    assert counts["training_added"] and counts["training_changed"]
    assert counts["training_removed"] and counts["training_unchanged"]
    assert counts["training_staff_unchanged"] and counts["sections_reopened"] == 1
    assert _stored(plain, plain_ret) == _stored(fast, fast_ret)
    # 000050's records were left alone: the one with no expiry of its own is still there.
    assert (1, None) in _training_of(fast, "000050")

    # The same files once more (the starters now NOCHANGE) change nothing, on either path.
    staff_same = staff_again.replace(",NEW,", ",NOCHANGE,")
    last = [_import(p, staff_same, training_again, s) for p, s in ((plain, False), (fast, True))]
    assert last[0] == last[1]
    assert last[1]["training_staff_changed"] == last[1]["staff_updated"] == 0
    assert _stored(plain, plain_ret) == _stored(fast, fast_ret)


def test_copy_frame_reads_back_every_value_as_it_was(app):
    """The staging COPY writes CSV a column at a time: quotes, commas, line breaks, an empty
    text, a blank and a text that is the NULL mark itself all come back as they went in."""
    from decimal import Decimal

    from sqlalchemy import text

    from portal.uploads.bulk_copy import copy_frame

    columns = "n integer, note text, day date, rate numeric(8,2), yes boolean"
    db.session.execute(text(f"CREATE TEMP TABLE copied ({columns})"))
    notes = ['Passed "with merit"', "a, b", "line one\r\nline two", "", None, "\\N", "plain"]
    frame = pd.DataFrame(
        {
            "n": range(len(notes)),
            "note": notes,
            "day": [date(2026, 1, 31), None, *[date(2024, 2, 29)] * 5],
            "rate": [Decimal("12.50"), None, *[Decimal("0.01")] * 5],
            "yes": [True, False, None, True, True, True, True],
        },
        dtype=object,
    ).astype({"n": "int64"})
    copy_frame("copied", list(frame.columns), frame)
    back = db.session.execute(text("SELECT n, note, day, rate, yes FROM copied ORDER BY n")).all()
    assert [tuple(row) for row in back] == list(frame.itertuples(index=False, name=None))


def test_copy_frame_sends_every_row_once_in_the_order_asked(app, monkeypatch):
    """Rows go in several writes (here 3 a write) and in the order ``row_order`` gives:
    by worker and category, rows alike in both in the order they came."""
    from sqlalchemy import text

    from portal.uploads import bulk_copy

    monkeypatch.setattr(bulk_copy, "ROWS_PER_WRITE", 3)
    columns = "id serial, staff integer, category integer, note text"
    db.session.execute(text(f"CREATE TEMP TABLE ordered ({columns})"))
    frame = pd.DataFrame(
        {
            "staff": [7, 3, 7, 3, 5, 7, 3, 5, 5, 3],
            "category": [2, 9, 1, 1, 4, 2, 9, 4, 1, 1],
            "note": [f"row {n}" for n in range(10)],
        }
    )
    order = bulk_copy.row_order(frame["staff"], frame["category"], pd.Series(range(10)))
    bulk_copy.copy_frame("ordered", ["staff", "category", "note"], frame, order)
    back = db.session.execute(text("SELECT staff, category, note FROM ordered ORDER BY id"))
    expected = sorted(frame.itertuples(index=False, name=None), key=lambda r: r[:2])
    assert [tuple(row) for row in back] == expected
