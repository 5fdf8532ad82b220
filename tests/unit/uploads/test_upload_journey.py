"""The bulk upload journey: upload -> check your files -> confirm and import -> done."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import (
    Branch,
    Job,
    Role,
    SectionState,
    StaffMember,
    StoredFile,
    TrainingRecord,
    UploadBatch,
)
from portal.returns import service
from portal.uploads import importing
from tests.conftest import check_page
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in

STAFF_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "STATUS", "MAINJOBROLE", "STARTDATE", "EMPLSTATUS",
    "ZEROHRCONT", "CARECERT", "HOURLYRATE", "HANDCVISA", "CONTHOURS",
]  # fmt: skip
TRAINING_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "CATEGORY", "TRAININGNAME", "ACCREDITED", "WHODELIVERED",
    "PROVIDERNAME", "HOWDELIVERED", "VALIDITY", "DATECOMPLETED", "EXPIRYDATE", "NOTES",
]  # fmt: skip


def csv_bytes(headings: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def staff_file(branch: str, workers=("W1", "W2", "W3"), status="UNCHECKED", rate="12.60") -> bytes:
    return csv_bytes(
        STAFF_HEADINGS,
        [[branch, w, status, "8", "01/09/2021", "1", "2", "1", rate, "2", "37.5"] for w in workers],
    )


def training_row(branch, worker, category="20", completed="01/03/2026", notes=""):
    return [branch, worker, category, "Safeguarding", "1", "1", "In-house", "1", "12",
            completed, "", notes]  # fmt: skip


def training_file(branch: str, rows=None) -> bytes:
    rows = rows or [
        training_row(branch, "W1", "20"),
        training_row(branch, "W1", "13"),
        training_row(branch, "W2", "20"),
        training_row(branch, "W3", "6"),
    ]
    return csv_bytes(TRAINING_HEADINGS, rows)


@pytest.fixture
def world(app, tmp_path):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["TODAY"] = "2026-11-23"
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    ret = open_return()
    provider = ret.contract.provider
    branch = db.session.scalar(db.select(Branch).where(Branch.provider_id == provider.id))
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    other = make_provider()
    outsider = make_user(Role.PROVIDER_SUBMITTER, provider=other)
    council_user = make_user(Role.COMMISSIONER, council=make_council())
    return {
        "provider_id": provider.id,
        "return_id": ret.id,
        "branch": branch.local_est_id,
        "user": user,
        "outsider": outsider,
        "council_user": council_user,
        "base": f"/provider/{provider.id}/uploads/staff-and-training",
    }


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def upload(client, world, staff=None, training=None, names=("staff.csv", "training.csv")):
    data = {}
    if staff is not None:
        data["staff_file"] = (io.BytesIO(staff), names[0])
    if training is not None:
        data["training_file"] = (io.BytesIO(training), names[1])
    response = client.post(world["base"], data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    token = parse_qs(urlparse(response.location).query)["batch"][0]
    return token


def confirm(client, world, token):
    return client.post(world["base"] + "/confirm", data={"batch": token})


def import_files(client, world, staff=None, training=None) -> dict:
    token = upload(client, world, staff, training)
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "Confirm and import" in html
    response = confirm(client, world, token)
    assert response.status_code == 302
    assert response.location.endswith(f"/progress?batch={token}")
    # Without Redis the job ran in-process: the progress page sends us on to done.
    progress = client.get(response.location)
    assert progress.status_code == 302 and "/done?batch=" in progress.location
    html = get_page(client, progress.location)
    assert "Your files have been imported" in html
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    db.session.refresh(batch)
    assert batch.status == "done"
    return batch.counts


def staff_rows(world):
    db.session.expire_all()
    return db.session.scalars(
        db.select(StaffMember)
        .where(StaffMember.provider_id == world["provider_id"])
        .order_by(StaffMember.worker_id)
    ).all()


def training_of(world):
    db.session.expire_all()
    rows = db.session.execute(
        db.select(StaffMember.worker_id, TrainingRecord.category, TrainingRecord.notes)
        .join(TrainingRecord, TrainingRecord.staff_id == StaffMember.id)
        .where(StaffMember.provider_id == world["provider_id"])
    ).all()
    return sorted((w, c, n) for w, c, n in rows)


def test_the_upload_page_is_linked_and_asks_for_a_file(app, world):
    client = signed_in(app, world["user"])
    html = get_page(client, f"/provider/{world['provider_id']}/returns")
    assert world["base"] in html
    html = get_page(
        client, f"/provider/{world['provider_id']}/returns/{world['return_id']}/section/training"
    )
    assert "Upload an ASC-WDS staff and training file instead" in html
    html = get_page(client, world["base"])
    assert 'type="file"' in html and 'name="staff_file"' in html
    response = client.post(world["base"], data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Select a staff file or a training file" in response.get_data(as_text=True)


def test_happy_path_imports_staff_and_training(app, world):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    token = upload(client, world, staff_file(branch), training_file(branch))
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "Check your files" in html and "There are no errors in this file" in html
    assert not staff_rows(world), "nothing is stored before the user confirms"
    counts = import_files(client, world, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == 3 and counts["training_added"] == 4
    staff = staff_rows(world)
    assert [s.worker_id for s in staff] == ["W1", "W2", "W3"]
    assert staff[0].hourly_rate == Decimal("12.60") and staff[0].main_job_role == 8
    assert training_of(world) == [("W1", 13, None), ("W1", 20, None), ("W2", 20, None),
                                  ("W3", 6, None)]  # fmt: skip
    # The stored files of the imported batch are gone; the unconfirmed one's stay a day.
    stored = set(db.session.scalars(db.select(StoredFile.token)))
    assert stored == {token}


def test_the_same_files_twice_change_nothing(app, world):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    import_files(client, world, staff_file(branch), training_file(branch))
    before = training_of(world)
    token = upload(client, world, staff_file(branch), training_file(branch))
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "Confirm and import" in html
    counts = import_files(client, world, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == counts["staff_updated"] == counts["staff_leaving"] == 0
    assert counts["staff_unchanged"] == 3
    assert counts["training_added"] == counts["training_replaced"] == 0
    assert counts["training_staff_unchanged"] == 3
    assert training_of(world) == before


def test_a_corrected_file_replaces_what_it_covers(app, world):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    import_files(client, world, staff_file(branch), training_file(branch))
    corrected = training_file(branch, [training_row(branch, "W1", "7", notes="Corrected")])
    counts = import_files(
        client, world, staff_file(branch, ("W1", "W2", "W3", "W4"), rate="13.00"), corrected
    )
    assert counts["staff_new"] == 1 and counts["staff_updated"] == 3
    assert counts["training_added"] == 1 and counts["training_replaced"] == 2
    # W1's records are the file's; W2 and W3, not in the file, keep theirs.
    assert training_of(world) == [("W1", 7, "Corrected"), ("W2", 20, None), ("W3", 6, None)]
    # A DELETE marks them as left and keeps their records.
    leaving = csv_bytes(STAFF_HEADINGS, [[branch, "W4", "DELETE", "", "", "", "", "", "", "", ""]])
    counts = import_files(client, world, leaving)
    assert counts["staff_leaving"] == 1
    w4 = [s for s in staff_rows(world) if s.worker_id == "W4"][0]
    assert w4.left_on == date(2026, 11, 23)


def test_an_import_puts_a_confirmed_training_section_back_in_progress(app, world):
    from portal.models import MonthlyReturn

    ret = db.session.get(MonthlyReturn, world["return_id"])
    sec = service.section(ret, "training")
    sec.state = SectionState.COMPLETED
    sec.data = {"confirmed": True}
    db.session.commit()
    client = signed_in(app, world["user"])
    counts = import_files(client, world, staff_file(world["branch"]))
    assert counts["sections_reopened"] == 1
    db.session.expire_all()
    sec = service.section(db.session.get(MonthlyReturn, world["return_id"]), "training")
    assert sec.state is SectionState.IN_PROGRESS and sec.data["confirmed"] is False


def test_a_file_with_errors_cannot_be_confirmed_and_stores_nothing(app, world):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    bad = training_file(
        branch,
        [training_row(branch, "W1", "20", completed="31/02/2026"),
         training_row(branch, "W1", "999"), training_row(branch, "W2", "20")],
    )  # fmt: skip
    token = upload(client, world, staff_file(branch), bad)
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "You need to fix 1 training category and 1 date" in html
    assert "Confirm and import" not in html
    assert "Upload the files again" in html
    response = confirm(client, world, token)
    assert response.status_code == 400
    check_page(response.get_data(as_text=True))
    assert not staff_rows(world) and not training_of(world)
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    assert batch.status == "checked"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (bytes(range(256)) * 40, "staff.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "staff.csv"),
        (b"", "staff.csv"),
        (b",".join(h.encode() for h in STAFF_HEADINGS) + b"\n", "staff.csv"),
        (b"hello", "staff.pdf"),
    ],
)
def test_bad_files_show_a_file_problem_never_a_500(app, world, data, name):
    client = signed_in(app, world["user"])
    token = upload(client, world, data, names=(name, "training.csv"))
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert 'id="staff-file-problems"' in html
    assert "Confirm and import" not in html
    assert confirm(client, world, token).status_code == 400


def test_problem_downloads_list_every_problem_escaped(app, world):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    rows = [training_row(branch, "W1", "999", notes=f"x{i}") for i in range(60)]
    rows.append(training_row(branch, "=HYPERLINK(1)", "20"))
    token = upload(client, world, staff_file(branch), training_file(branch, rows))
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "The first 50 are shown here" in html
    response = client.get(f"{world['base']}/problems.csv?batch={token}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][:4] == ["File", "File name", "Type", "Row"]
    assert len(lines) - 1 == 61
    assert any(cell == "'=HYPERLINK(1)" for line in lines for cell in line)
    response = client.get(f"{world['base']}/problems.xlsx?batch={token}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) - 1 == 61
    assert any(cell == "'=HYPERLINK(1)" for row in values for cell in row)


def test_a_failing_import_rolls_back_and_leaves_the_previous_data(app, world, monkeypatch):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    import_files(client, world, staff_file(branch), training_file(branch))
    before_staff = [(s.worker_id, s.hourly_rate) for s in staff_rows(world)]
    before_training = training_of(world)

    def broken(provider_id, plan):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "apply_training", broken)  # after the staff are written
    corrected = training_file(branch, [training_row(branch, "W1", "7")])
    token = upload(
        client, world, staff_file(branch, ("W1", "W2", "W3", "W9"), rate="14.00"), corrected
    )
    response = confirm(client, world, token)
    assert response.status_code == 302, response.status_code
    progress = client.get(response.location)
    assert progress.status_code == 302, progress.status_code
    html = get_page(client, progress.location)
    assert "Your files could not be imported" in html and "Nothing was changed" in html
    assert "disk full" not in html
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    db.session.refresh(batch)
    assert batch.status == "failed" and "disk full" in batch.error
    assert [(s.worker_id, s.hourly_rate) for s in staff_rows(world)] == before_staff
    assert training_of(world) == before_training


def test_the_progress_fragment_polls_until_done(app, world):
    client = signed_in(app, world["user"])
    token = upload(client, world, staff_file(world["branch"]))
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    batch.status = "importing"  # as while a worker runs it
    db.session.commit()
    html = get_page(client, f"{world['base']}/progress?batch={token}")
    assert 'hx-trigger="load delay:2s"' in html and 'hx-swap="outerHTML"' in html
    assert f"/progress/status?batch={token}" in html and ">Refresh</a>" in html
    fragment = client.get(f"{world['base']}/progress/status?batch={token}")
    assert fragment.status_code == 200 and "HX-Redirect" not in fragment.headers
    importing.import_job(batch.id)
    fragment = client.get(f"{world['base']}/progress/status?batch={token}")
    assert fragment.headers["HX-Redirect"].endswith(f"/done?batch={token}")


def test_unknown_tokens_and_other_providers_get_404(app, world):
    client = signed_in(app, world["user"])
    token = upload(client, world, staff_file(world["branch"]))
    for page in ("check", "progress", "done", "problems.csv", "problems.xlsx"):
        response = client.get(f"{world['base']}/{page}")
        assert response.status_code == 302 and response.location.endswith(world["base"])
        response = client.get(f"{world['base']}/{page}?batch=not-a-real-token")
        assert response.status_code == 404
        assert "This upload has expired or does not exist" in response.get_data(as_text=True)
    assert confirm(client, world, "not-a-real-token").status_code == 404

    outsider = signed_in(app, world["outsider"])
    other_base = world["base"].replace(
        f"/provider/{world['provider_id']}/",
        f"/provider/{world['outsider'].memberships[0].provider_id}/",
    )
    for page in ("check", "progress", "done", "problems.csv"):
        assert outsider.get(f"{world['base']}/{page}?batch={token}").status_code == 404
        # Their own provider's URL with our token: still not theirs.
        assert outsider.get(f"{other_base}/{page}?batch={token}").status_code == 404
    assert confirm(outsider, world, token).status_code == 404
    assert outsider.post(f"{other_base}/confirm", data={"batch": token}).status_code == 404
    council = signed_in(app, world["council_user"])
    for page in ("", "/check", "/done"):
        assert council.get(f"{world['base']}{page}?batch={token}").status_code == 404
    assert not staff_rows(world)


def test_an_import_that_fails_once_is_tried_again_and_recorded_as_a_job(app, world, monkeypatch):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    real_apply = importing.apply_training
    failures = {"left": 1}

    def flaky(provider_id, plan):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the database connection dropped")
        real_apply(provider_id, plan)

    monkeypatch.setattr(importing, "apply_training", flaky)
    counts = import_files(client, world, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == 3 and counts["training_added"] > 0
    assert len(staff_rows(world)) == 3  # the failed attempt was rolled back, not doubled
    job = db.session.scalar(db.select(Job).where(Job.kind == importing.IMPORT))
    assert job.status == "done" and job.attempts == 2
    assert job.provider_id == world["provider_id"]
    assert job.result["staff_new"] == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_hold_what_we_have_and_upload_again_unchanged(app, world, fmt):
    client = signed_in(app, world["user"])
    branch = world["branch"]
    import_files(client, world, staff_file(branch, workers=("007", "W2")), training_file(branch, [
        training_row(branch, "007", "20", notes="Refresher £15"),
        training_row(branch, "W2", "7", completed="02/02/2025"),
    ]))  # fmt: skip
    before = training_of(world)
    page = get_page(client, world["base"])
    url = f"{world['base']}/template?file=staff&amp;format={fmt}"
    assert url in page
    files = {}
    for kind in ("staff", "training"):
        response = client.get(f"{world['base']}/template?file={kind}&format={fmt}")
        assert response.status_code == 200
        assert f"{kind}-template.{fmt}" in response.headers["Content-Disposition"]
        files[kind] = response.data
    if fmt == "csv":
        staff_text = files["staff"].decode("utf-8-sig")
        assert staff_text.splitlines()[0].startswith("LOCALESTID,UNIQUEWORKERID,STATUS,MAINJOBROLE")
        assert f"{branch},007,UNCHECKED," in staff_text  # the leading zeros kept
        assert "Refresher £15" in files["training"].decode("utf-8-sig")
    else:
        book = load_workbook(io.BytesIO(files["training"]))
        assert book.sheetnames == ["Data", "Guidance", "Job roles", "Training categories"]
        data = list(book["Data"].iter_rows(values_only=True))
        assert data[0][:3] == ("LOCALESTID", "UNIQUEWORKERID", "CATEGORY")
        assert ("007", "20") == (data[1][1], data[1][2])
        guidance = [row[0] for row in book["Guidance"].iter_rows(values_only=True)]
        assert "DATECOMPLETED" in guidance and "EXPIRYDATE" in guidance

    counts = (
        import_files(
            client,
            world,
            files["staff"],
            files["training"],
        )
        if fmt == "csv"
        else _import_named(client, world, files, "xlsx")
    )
    assert counts["staff_new"] == counts["staff_updated"] == counts["staff_leaving"] == 0
    assert counts["staff_unchanged"] == 2
    assert counts["training_added"] == counts["training_replaced"] == 0
    assert training_of(world) == before


def _import_named(client, world, files, ext) -> dict:
    token = upload(client, world, files["staff"], files["training"], names=(f"s.{ext}", f"t.{ext}"))
    html = get_page(client, f"{world['base']}/check?batch={token}")
    assert "Confirm and import" in html, html
    confirm(client, world, token)
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    db.session.refresh(batch)
    assert batch.status == "done", batch.error
    return batch.counts


def test_an_unknown_template_goes_back_to_the_upload_page(app, world):
    client = signed_in(app, world["user"])
    for query in ("file=payroll&format=csv", "file=staff&format=pdf", ""):
        response = client.get(f"{world['base']}/template?{query}")
        assert response.status_code == 302 and response.location.endswith(world["base"])
