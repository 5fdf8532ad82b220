"""The bulk upload journey: upload -> check your files -> confirm and import -> done."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from portal.background.kinds import IMPORT
from portal.extensions import db
from portal.models import (
    Job,
    SectionState,
    StaffMember,
    StoredFile,
    TrainingRecord,
    UploadBatch,
)
from portal.returns import service
from portal.uploads import importing
from tests.conftest import check_page
from tests.unit.conftest import get_page

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
    return [branch, worker, category, "Safeguarding", "1", "1", "", "1", "12",
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
def journey(app, tmp_path, contracted):
    """The contracted provider's upload pages, with CSRF off and files kept in tmp_path."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    provider = contracted.provider
    return {
        "provider_id": provider.id,
        "return_id": contracted.ret.id,
        "branch": contracted.branch.local_est_id,
        "user": contracted.submitter,
        "outsider": contracted.other_submitter,
        "council_user": contracted.other_commissioner,
        "base": f"/provider/{provider.id}/uploads/staff-and-training",
    }


def upload(client, journey, staff=None, training=None, names=("staff.csv", "training.csv")):
    data = {}
    if staff is not None:
        data["staff_file"] = (io.BytesIO(staff), names[0])
    if training is not None:
        data["training_file"] = (io.BytesIO(training), names[1])
    response = client.post(journey["base"], data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    token = parse_qs(urlparse(response.location).query)["batch"][0]
    return token


def confirm(client, journey, token):
    return client.post(journey["base"] + "/confirm", data={"batch": token})


def import_files(client, journey, staff=None, training=None) -> dict:
    token = upload(client, journey, staff, training)
    html = get_page(client, f"{journey['base']}/check?batch={token}")
    assert "Confirm and import" in html
    response = confirm(client, journey, token)
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


def staff_rows(journey):
    db.session.expire_all()
    return db.session.scalars(
        db.select(StaffMember)
        .where(StaffMember.provider_id == journey["provider_id"])
        .order_by(StaffMember.worker_id)
    ).all()


def training_of(journey):
    db.session.expire_all()
    rows = db.session.execute(
        db.select(StaffMember.worker_id, TrainingRecord.category, TrainingRecord.notes)
        .join(TrainingRecord, TrainingRecord.staff_id == StaffMember.id)
        .where(StaffMember.provider_id == journey["provider_id"])
    ).all()
    return sorted((w, c, n) for w, c, n in rows)


def test_the_upload_page_is_linked_and_asks_for_a_file(journey, provider_client):
    html = get_page(provider_client, f"/provider/{journey['provider_id']}/returns")
    assert journey["base"] in html
    html = get_page(
        provider_client,
        f"/provider/{journey['provider_id']}/returns/{journey['return_id']}/section/training",
    )
    assert "Upload an ASC-WDS staff and training file instead" in html
    html = get_page(provider_client, journey["base"])
    assert 'type="file"' in html and 'name="staff_file"' in html
    response = provider_client.post(journey["base"], data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Select a staff file or a training file" in response.get_data(as_text=True)


def test_happy_path_imports_staff_and_training(journey, provider_client):
    branch = journey["branch"]
    token = upload(provider_client, journey, staff_file(branch), training_file(branch))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert "Check your files" in html and "There are no errors in this file" in html
    assert not staff_rows(journey), "nothing is stored before the user confirms"
    counts = import_files(provider_client, journey, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == 3 and counts["training_added"] == 4
    staff = staff_rows(journey)
    assert [s.worker_id for s in staff] == ["W1", "W2", "W3"]
    assert staff[0].hourly_rate == Decimal("12.60") and staff[0].main_job_role == 8
    assert training_of(journey) == [("W1", 13, None), ("W1", 20, None), ("W2", 20, None),
                                  ("W3", 6, None)]  # fmt: skip
    # The stored files of the imported batch are gone; the unconfirmed one's stay a day.
    stored = set(db.session.scalars(db.select(StoredFile.token)))
    assert stored == {token}


def test_the_same_files_twice_change_nothing(journey, provider_client):
    branch = journey["branch"]
    import_files(provider_client, journey, staff_file(branch), training_file(branch))
    before = training_of(journey)
    token = upload(provider_client, journey, staff_file(branch), training_file(branch))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert "Confirm and import" in html
    counts = import_files(provider_client, journey, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == counts["staff_updated"] == counts["staff_leaving"] == 0
    assert counts["staff_unchanged"] == 3
    assert counts["training_added"] == counts["training_removed"] == 0
    assert counts["training_staff_unchanged"] == 3
    assert training_of(journey) == before


def test_a_corrected_file_replaces_what_it_covers(journey, provider_client):
    branch = journey["branch"]
    import_files(provider_client, journey, staff_file(branch), training_file(branch))
    corrected = training_file(branch, [training_row(branch, "W1", "7", notes="Corrected")])
    counts = import_files(
        provider_client,
        journey,
        staff_file(branch, ("W1", "W2", "W3", "W4"), rate="13.00"),
        corrected,
    )
    assert counts["staff_new"] == 1 and counts["staff_updated"] == 3
    assert counts["training_added"] == 1 and counts["training_removed"] == 2
    # W1's records are the file's; W2 and W3, not in the file, keep theirs.
    assert training_of(journey) == [("W1", 7, "Corrected"), ("W2", 20, None), ("W3", 6, None)]
    # A DELETE marks them as left and keeps their records.
    leaving = csv_bytes(STAFF_HEADINGS, [[branch, "W4", "DELETE", "", "", "", "", "", "", "", ""]])
    counts = import_files(provider_client, journey, leaving)
    assert counts["staff_leaving"] == 1
    w4 = [s for s in staff_rows(journey) if s.worker_id == "W4"][0]
    assert w4.left_on == date(2026, 11, 23)


def test_an_import_puts_a_confirmed_training_section_back_in_progress(journey, provider_client):
    from portal.models import MonthlyReturn

    ret = db.session.get(MonthlyReturn, journey["return_id"])
    sec = service.section(ret, "training")
    sec.state = SectionState.COMPLETED
    sec.data = {"confirmed": True}
    db.session.commit()
    counts = import_files(provider_client, journey, staff_file(journey["branch"]))
    assert counts["sections_reopened"] == 1
    db.session.expire_all()
    sec = service.section(db.session.get(MonthlyReturn, journey["return_id"]), "training")
    assert sec.state is SectionState.IN_PROGRESS and sec.data["confirmed"] is False


def test_counts_are_of_what_changed_adding_4_rows_reports_4_added(journey, provider_client):
    branch = journey["branch"]
    import_files(provider_client, journey, staff_file(branch), training_file(branch))
    four_more = [
        training_row(branch, "W1", "20"),
        training_row(branch, "W1", "13"),
        training_row(branch, "W2", "20"),
        training_row(branch, "W3", "6"),
        training_row(branch, "W1", "6"),
        training_row(branch, "W1", "10"),
        training_row(branch, "W2", "13"),
        training_row(branch, "W3", "20", notes="New"),
    ]
    counts = import_files(provider_client, journey, training=training_file(branch, four_more))
    assert counts["training_added"] == 4
    assert counts["training_unchanged"] == 4
    assert counts["training_changed"] == counts["training_removed"] == 0
    # One course's record corrected (same course and date, other values): one changed.
    corrected = four_more[:-1] + [training_row(branch, "W3", "20", notes="Corrected")]
    counts = import_files(provider_client, journey, training=training_file(branch, corrected))
    assert (counts["training_added"], counts["training_changed"]) == (0, 1)
    assert (counts["training_unchanged"], counts["training_removed"]) == (7, 0)


def test_the_done_page_names_each_return_to_check_and_your_returns_says_it_changed(
    journey, provider_client
):
    from portal.models import MonthlyReturn, ReturnStatus
    from tests.factories import add_version

    ret = db.session.get(MonthlyReturn, journey["return_id"])
    for sec in ret.sections:
        sec.state = SectionState.COMPLETED
    service.section(ret, "training").data = {"confirmed": True}
    db.session.commit()
    add_version(ret, journey["user"], status=ReturnStatus.SUBMITTED)  # sent
    db.session.commit()
    token = upload(provider_client, journey, staff_file(journey["branch"]))
    confirm(provider_client, journey, token)
    done = get_page(provider_client, f"{journey['base']}/done?batch={token}")
    name = f"{ret.contract.council.name}, October 2026"
    assert name in done
    assert "training and staff section in progress; submit the return again" in done
    assert f"/returns/{ret.id}/section/training" in done
    returns = get_page(provider_client, f"/provider/{journey['provider_id']}/returns")
    todo = returns.split("Past returns", 1)[0]
    assert "Changed since sent" in todo
    assert "confirm the section again and resubmit" in todo


def test_a_file_with_errors_cannot_be_confirmed_and_stores_nothing(journey, provider_client):
    branch = journey["branch"]
    bad = training_file(
        branch,
        [training_row(branch, "W1", "20", completed="31/02/2026"),
         training_row(branch, "W1", "999"), training_row(branch, "W2", "20")],
    )  # fmt: skip
    token = upload(provider_client, journey, staff_file(branch), bad)
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert "You need to fix 1 training category and 1 date" in html
    assert "Confirm and import" not in html
    assert "Upload the files again" in html
    response = confirm(provider_client, journey, token)
    assert response.status_code == 400
    check_page(response.get_data(as_text=True))
    assert not staff_rows(journey) and not training_of(journey)
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
def test_bad_files_show_a_file_problem_never_a_500(journey, data, name, provider_client):
    token = upload(provider_client, journey, data, names=(name, "training.csv"))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert 'id="staff-file-problems"' in html
    assert "Confirm and import" not in html
    assert confirm(provider_client, journey, token).status_code == 400


def test_problem_downloads_list_every_problem_escaped(journey, provider_client):
    branch = journey["branch"]
    rows = [training_row(branch, "W1", "999", notes=f"x{i}") for i in range(60)]
    rows.append(training_row(branch, "=HYPERLINK(1)", "20"))
    token = upload(provider_client, journey, staff_file(branch), training_file(branch, rows))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert "The first 50 are shown here" in html
    response = provider_client.get(f"{journey['base']}/problems.csv?batch={token}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][:4] == ["File", "File name", "Type", "Row"]
    assert len(lines) - 1 == 61
    assert any(cell == "'=HYPERLINK(1)" for line in lines for cell in line)
    response = provider_client.get(f"{journey['base']}/problems.xlsx?batch={token}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) - 1 == 61
    assert any(cell == "'=HYPERLINK(1)" for row in values for cell in row)


def test_a_failing_import_rolls_back_and_leaves_the_previous_data(
    journey, monkeypatch, provider_client
):
    branch = journey["branch"]
    import_files(provider_client, journey, staff_file(branch), training_file(branch))
    before_staff = [(s.worker_id, s.hourly_rate) for s in staff_rows(journey)]
    before_training = training_of(journey)

    def broken(provider_id, plan):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "apply_training", broken)  # after the staff are written
    corrected = training_file(branch, [training_row(branch, "W1", "7")])
    token = upload(
        provider_client,
        journey,
        staff_file(branch, ("W1", "W2", "W3", "W9"), rate="14.00"),
        corrected,
    )
    response = confirm(provider_client, journey, token)
    assert response.status_code == 302, response.status_code
    progress = provider_client.get(response.location)
    assert progress.status_code == 302, progress.status_code
    html = get_page(provider_client, progress.location)
    assert "Your files could not be imported" in html and "Nothing was changed" in html
    assert "disk full" not in html
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    db.session.refresh(batch)
    assert batch.status == "failed" and "disk full" in batch.error
    assert [(s.worker_id, s.hourly_rate) for s in staff_rows(journey)] == before_staff
    assert training_of(journey) == before_training


def test_the_progress_fragment_polls_until_done(journey, provider_client):
    token = upload(provider_client, journey, staff_file(journey["branch"]))
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    batch.status = "importing"  # as while a worker runs it
    db.session.commit()
    html = get_page(provider_client, f"{journey['base']}/progress?batch={token}")
    assert 'hx-trigger="load delay:2s"' in html and 'hx-swap="outerHTML"' in html
    assert f"/progress/status?batch={token}" in html and ">Refresh</a>" in html
    fragment = provider_client.get(f"{journey['base']}/progress/status?batch={token}")
    assert fragment.status_code == 200 and "HX-Redirect" not in fragment.headers
    importing.import_job(batch.id)
    fragment = provider_client.get(f"{journey['base']}/progress/status?batch={token}")
    assert fragment.headers["HX-Redirect"].endswith(f"/done?batch={token}")


def test_unknown_tokens_and_other_providers_get_404(
    journey, provider_client, other_provider_client, other_council_client
):
    token = upload(provider_client, journey, staff_file(journey["branch"]))
    for page in ("check", "progress", "done", "problems.csv", "problems.xlsx"):
        response = provider_client.get(f"{journey['base']}/{page}")
        assert response.status_code == 302 and response.location.endswith(journey["base"])
        response = provider_client.get(f"{journey['base']}/{page}?batch=not-a-real-token")
        assert response.status_code == 404
        assert "This upload has expired or does not exist" in response.get_data(as_text=True)
    assert confirm(provider_client, journey, "not-a-real-token").status_code == 404

    other_base = journey["base"].replace(
        f"/provider/{journey['provider_id']}/",
        f"/provider/{journey['outsider'].memberships[0].provider_id}/",
    )
    for page in ("check", "progress", "done", "problems.csv"):
        assert (
            other_provider_client.get(f"{journey['base']}/{page}?batch={token}").status_code == 404
        )
        # Their own provider's URL with our token: still not theirs.
        assert other_provider_client.get(f"{other_base}/{page}?batch={token}").status_code == 404
    assert confirm(other_provider_client, journey, token).status_code == 404
    assert (
        other_provider_client.post(f"{other_base}/confirm", data={"batch": token}).status_code
        == 404
    )
    for page in ("", "/check", "/done"):
        assert other_council_client.get(f"{journey['base']}{page}?batch={token}").status_code == 404
    assert not staff_rows(journey)


def test_an_import_that_fails_once_is_tried_again_and_recorded_as_a_job(
    journey, monkeypatch, provider_client
):
    branch = journey["branch"]
    real_apply = importing.apply_training
    failures = {"left": 1}

    def flaky(provider_id, plan):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the database connection dropped")
        real_apply(provider_id, plan)

    monkeypatch.setattr(importing, "apply_training", flaky)
    counts = import_files(provider_client, journey, staff_file(branch), training_file(branch))
    assert counts["staff_new"] == 3 and counts["training_added"] > 0
    assert len(staff_rows(journey)) == 3  # the failed attempt was rolled back, not doubled
    job = db.session.scalar(db.select(Job).where(Job.kind == IMPORT))
    assert job.status == "done" and job.attempts == 2
    assert job.provider_id == journey["provider_id"]
    assert job.result["staff_new"] == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_hold_what_we_have_and_upload_again_unchanged(journey, fmt, provider_client):
    branch = journey["branch"]
    import_files(provider_client, journey, staff_file(branch, workers=("007", "W2")),
                 training_file(branch, [
                     training_row(branch, "007", "20", notes="Refresher £15"),
                     training_row(branch, "W2", "7", completed="02/02/2025"),
                 ]))  # fmt: skip
    before = training_of(journey)
    page = get_page(provider_client, journey["base"])
    url = f"{journey['base']}/template?file=staff&amp;format={fmt}"
    assert url in page
    files = {}
    for kind in ("staff", "training"):
        response = provider_client.get(f"{journey['base']}/template?file={kind}&format={fmt}")
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
        assert book.sheetnames == [
            "Data",
            "Guidance",
            "Job roles",
            "Training categories",
            "Training providers",
        ]
        data = list(book["Data"].iter_rows(values_only=True))
        assert data[0][:3] == ("LOCALESTID", "UNIQUEWORKERID", "CATEGORY")
        assert ("007", "20") == (data[1][1], data[1][2])
        guidance = [row[0] for row in book["Guidance"].iter_rows(values_only=True)]
        assert "DATECOMPLETED" in guidance and "EXPIRYDATE" in guidance

    counts = (
        import_files(
            provider_client,
            journey,
            files["staff"],
            files["training"],
        )
        if fmt == "csv"
        else _import_named(provider_client, journey, files, "xlsx")
    )
    assert counts["staff_new"] == counts["staff_updated"] == counts["staff_leaving"] == 0
    assert counts["staff_unchanged"] == 2
    assert counts["training_added"] == counts["training_removed"] == 0
    assert training_of(journey) == before


def _import_named(client, journey, files, ext) -> dict:
    token = upload(
        client, journey, files["staff"], files["training"], names=(f"s.{ext}", f"t.{ext}")
    )
    html = get_page(client, f"{journey['base']}/check?batch={token}")
    assert "Confirm and import" in html, html
    confirm(client, journey, token)
    batch = db.session.scalar(db.select(UploadBatch).where(UploadBatch.token == token))
    db.session.refresh(batch)
    assert batch.status == "done", batch.error
    return batch.counts


def test_an_unknown_template_goes_back_to_the_upload_page(journey, provider_client):
    for query in ("file=payroll&format=csv", "file=staff&format=pdf", ""):
        response = provider_client.get(f"{journey['base']}/template?{query}")
        assert response.status_code == 302 and response.location.endswith(journey["base"])


def test_ignored_values_are_named_on_the_check_page_and_in_the_problems_download(
    journey, provider_client
):
    branch = journey["branch"]
    staff = csv_bytes(
        STAFF_HEADINGS,
        [[branch, "W1", "UNCHECKED", "8", "01/09/2021", "1", "2", "1", "12.60", "5", "37.5"]],
    )
    row = training_row(branch, "W1")
    row[6] = "88"  # PROVIDERNAME given, but WHODELIVERED is 1 (in-house)
    token = upload(provider_client, journey, staff, csv_bytes(TRAINING_HEADINGS, [row]))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    visa = "We will ignore HANDCVISA ‘5’ because it is not 1 (yes), 2 (no) or 999 (not known)"
    provider = "We will ignore PROVIDERNAME ‘88’ because WHODELIVERED is not 2"
    assert visa in html and provider in html
    assert "You should check 1 value we will ignore" in html
    assert 'id="confirm-import"' in html  # warnings do not stop the import
    response = provider_client.get(f"{journey['base']}/problems.csv?batch={token}")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    warnings = [line for line in lines[1:] if "Warning" in line]
    assert any(visa in cell for line in warnings for cell in line)
    assert any(provider in cell for line in warnings for cell in line)
    confirm(provider_client, journey, token)
    (member,) = staff_rows(journey)
    assert member.worker_id == "W1" and member.health_care_visa is None


def test_a_value_ignored_on_a_re_upload_leaves_the_stored_value_as_it_was(journey, provider_client):
    """ASC-WDS ignores a badly given value with a warning and keeps what it holds: so does
    the portal on an update (a re-upload), while a blank cell still clears a value."""
    branch = journey["branch"]
    good = [branch, "W1", "UNCHECKED", "8", "01/09/2021", "1", "2", "1", "12.60", "1", "37.5"]
    import_files(provider_client, journey, csv_bytes(STAFF_HEADINGS, [good]))
    # STARTDATE in the future, HANDCVISA not a code, CONTHOURS above 75: each ignored.
    ignored = [branch, "W1", "UNCHECKED", "8", "01/01/2030", "1", "2", "1", "13.00", "5", "80"]
    staff = csv_bytes(STAFF_HEADINGS, [ignored])
    token = upload(provider_client, journey, staff)
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    for named in (
        "We will ignore STARTDATE ‘01/01/2030’ because it is in the future",
        "We will ignore HANDCVISA ‘5’ because it is not 1 (yes), 2 (no) or 999",
        "We will ignore CONTHOURS ‘80’ because it is more than 75 hours a week",
    ):
        assert named in html, named
    assert "we keep what you gave before in place of a value we ignore" in html
    counts = import_files(provider_client, journey, staff)
    assert counts["staff_updated"] == 1  # the hourly rate changed
    (member,) = staff_rows(journey)
    assert member.hourly_rate == Decimal("13.00")
    assert member.start_date == date(2021, 9, 1)
    assert member.health_care_visa == 1
    assert member.contracted_hours == Decimal("37.50")
    # Only the ignored values are kept: a blank cell is the whole record's, and clears.
    blank = [branch, "W1", "UNCHECKED", "8", "", "1", "2", "1", "13.00", "", "80"]
    import_files(provider_client, journey, csv_bytes(STAFF_HEADINGS, [blank]))
    (member,) = staff_rows(journey)
    assert member.start_date is None and member.health_care_visa is None
    assert member.contracted_hours == Decimal("37.50")
