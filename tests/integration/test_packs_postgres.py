"""A contract-meeting pack built by a job on the real PostgreSQL (schema from the
migrations): the job runs in-process, keeps one PDF and one XLSX, and building again
replaces them."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.background.jobs import submit
from portal.extensions import db
from portal.models import Document, MeetingAction, MonthlyReturn, Role
from portal.packs import PACK, pack_key
from portal.returns import service
from tests.factories import make_contract, make_council, make_framework, make_provider, make_user


def test_a_pack_job_on_postgresql_keeps_one_copy_of_each_file(app):
    app.config["TODAY"] = "2026-11-23"
    council = make_council("Postgres Borough Council")
    provider = make_provider("Postgres Home Care Ltd")
    contract = make_contract(provider, council, make_framework(council))
    db.session.commit()
    service.ensure_returns([contract], on=date(2026, 10, 5))
    user = make_user(Role.PROVIDER_MANAGER, provider=provider)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    july = db.session.scalar(
        select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == date(2026, 7, 1)
        )
    )
    service.section(july, "kpis").data = {"planned_visits": "100", "missed_visits": "9"}
    db.session.add(
        MeetingAction(
            council_id=council.id, provider_id=provider.id, quarter="2026-Q2",
            text="Share the winter staffing plan", recorded_by_id=commissioner.id,
        )
    )  # fmt: skip
    db.session.commit()
    service.submit(july.id, user, "july")

    params = {"council_id": council.id, "provider_id": provider.id, "quarter": "2026-Q3"}
    key = pack_key(council.id, provider.id, "2026-Q3")
    for _ in range(2):
        job = submit(PACK, key, params, council_id=council.id, provider_id=provider.id)
        assert job.status == "done", job.error

    documents = db.session.scalars(
        select(Document).where(Document.kind == PACK).order_by(Document.format)
    ).all()
    assert [(d.format, d.period, d.job_id) for d in documents] == [
        ("pdf", "2026-Q3", job.id),
        ("xlsx", "2026-Q3", job.id),
    ]
    reader = PdfReader(io.BytesIO(documents[0].content))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Postgres Home Care Ltd" in text
    assert "9.0%" in text and "No return submitted for August 2026, September 2026" in text
    assert "Share the winter staffing plan" in text
    book = load_workbook(io.BytesIO(documents[1].content))
    assert "Actions" in book.sheetnames and book["Cover"]["B4"].value == "2026-Q3"
