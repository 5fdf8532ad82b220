"""The bulk import on PostgreSQL: a 5,000-staff / 20,000-training upload in one go."""

from __future__ import annotations

import random
import time

from benchmarks.upload import staff_file, training_file
from portal.extensions import db
from portal.models import Branch, StaffMember, TrainingRecord, UploadBatch
from portal.uploads import importing
from tests.factories import make_provider


def test_a_5000_staff_20000_training_upload_imports_in_one_go(committed_app, tmp_path):
    committed_app.config["TODAY"] = "2026-11-23"
    committed_app.config["UPLOAD_FOLDER"] = str(tmp_path)
    provider = make_provider()
    for n, code in enumerate(("000101", "000102", "000103")):
        db.session.add(Branch(provider=provider, name=f"Bench branch {n}", local_est_id=code))
    db.session.commit()

    rng = random.Random(7)
    staff_text, worker_ids = staff_file(5_000, rng, fault_rate=0)
    training_text = training_file(20_000, worker_ids, rng, fault_rate=0)

    def run() -> UploadBatch:
        token = importing.new_token()
        importing.store(token, "staff", staff_text.encode())
        importing.store(token, "training", training_text.encode())
        batch = UploadBatch(
            provider_id=provider.id, token=token, staff_name="staff.csv",
            training_name="training.csv", status="importing", counts={},
        )  # fmt: skip
        db.session.add(batch)
        db.session.commit()
        importing.import_job(batch.id)
        db.session.expire_all()
        return db.session.get(UploadBatch, batch.id)

    start = time.perf_counter()
    batch = run()
    elapsed = time.perf_counter() - start
    assert batch.status == "done", batch.error
    counts = batch.counts
    staff = db.session.scalar(
        db.select(db.func.count())
        .select_from(StaffMember)
        .where(StaffMember.provider_id == provider.id)
    )
    training = db.session.scalar(
        db.select(db.func.count())
        .select_from(TrainingRecord)
        .join(StaffMember)
        .where(StaffMember.provider_id == provider.id)
    )
    assert counts["staff_new"] == staff == 5_000
    # Exact duplicate rows import once.
    assert counts["training_added"] == training
    assert 19_000 < training <= 20_000
    print(f"\nimported 25,000 rows in {elapsed:.2f} s ({25_000 / elapsed:,.0f} rows/s)")

    again = run()
    assert again.status == "done", again.error
    assert again.counts["staff_new"] == again.counts["staff_updated"] == 0
    assert again.counts["staff_unchanged"] == 5_000
    assert again.counts["training_added"] == again.counts["training_removed"] == 0
