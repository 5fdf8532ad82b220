"""Uploading a section of the monthly return (KPIs, capacity, handbacks, workforce) as a
CSV or XLSX file: templates, the check, "Check what will change", confirm saving exactly
what the section's form saves, bad files, locked returns and who may use the pages."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import Area, AreaKind, AuditEntry, ReturnStatus, Role, SectionState, StoredFile
from portal.returns import kpis, service
from portal.returns.sections import workforce_rules
from portal.uploads import section_file_layouts, section_files
from tests.conftest import check_page, signed_in
from tests.examples import EXAMPLE_KPIS
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)
from tests.unit.conftest import get_page

SECTIONS = ["kpis", "capacity", "handbacks", "workforce"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200

CAPACITY_HEADINGS = ["area", "spare_hours", "earliest_start", "double_handed", "night_support",
                     "specialist_needs", "valid_until"]  # fmt: skip
HANDBACK_HEADINGS = ["reference", "notice_date", "end_date", "weekly_hours", "service_type",
                     "area", "reason", "reason_details"]  # fmt: skip
GOOD_WORKFORCE = dict(zip(workforce_rules.NAMES, section_file_layouts.SECTIONS["workforce"]
                          .example, strict=True))  # fmt: skip


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def kpi_file(values: dict[str, str]) -> bytes:
    return csv_bytes([["kpi_code", "value"], *([k, v] for k, v in values.items())])


GOOD_FILES = {
    "kpis": kpi_file(EXAMPLE_KPIS),
    # Headings and codes as a person might type them: any case, spaces, labels.
    "capacity": csv_bytes([
        ["Area", "Spare Hours", "earliest-start", "double_handed", "night_support",
         "specialist_needs", "valid_until"],
        ["north", "40", "01/12/2026", "Yes", "no", "Dementia; learning_disability", "31/01/2027"],
    ]),
    "handbacks": csv_bytes([
        HANDBACK_HEADINGS,
        ["PKG-1", "02/10/2026", "16/10/2026", "10.5", "Homecare", "North", "staffing", ""],
        ["PKG-2", "5/10/2026", "20/10/2026", "7", "extra_care", "Whole council area", "other",
         "Moved away"],
    ]),
    "workforce": csv_bytes([list(GOOD_WORKFORCE), list(GOOD_WORKFORCE.values())]),
}  # fmt: skip


def date_boxes(prefix: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year}


# What a person types into each section's web form for the same answers as GOOD_FILES.
FORM_POSTS = {
    "kpis": EXAMPLE_KPIS,
    "capacity": {
        "areas-0-spare_hours": "40", **date_boxes("areas-0-earliest_start", "1", "12", "2026"),
        "areas-0-double_handed": "yes", "areas-0-night_support": "no",
        "areas-0-specialist": ["dementia", "learning_disability"],
        **date_boxes("areas-0-valid_until", "31", "1", "2027"),
    },
    "handbacks": {
        "rows-0-reference": "PKG-1", **date_boxes("rows-0-notice_date", "2", "10", "2026"),
        **date_boxes("rows-0-end_date", "16", "10", "2026"), "rows-0-weekly_hours": "10.5",
        "rows-0-service_type": "homecare", "rows-0-area": "North", "rows-0-reason": "staffing",
        "rows-0-reason_details": "",
        "rows-1-reference": "PKG-2", **date_boxes("rows-1-notice_date", "5", "10", "2026"),
        **date_boxes("rows-1-end_date", "20", "10", "2026"), "rows-1-weekly_hours": "7",
        "rows-1-service_type": "extra_care", "rows-1-area": "Whole council area",
        "rows-1-reason": "other", "rows-1-reason_details": "Moved away",
    },
    "workforce": GOOD_WORKFORCE,
}  # fmt: skip

# A file with mistakes, and the (row, column, what to do) each must be reported as.
BAD_FILES = {
    "kpis": (
        kpi_file({**EXAMPLE_KPIS, "missed_visits": "ten", "complaints": "-1"}),
        "You need to fix 1 value in Missed visits and 1 value in Complaints",
        [("4", "value", "Missed visits must be a whole number"),
         ("12", "value", "Complaints must be 0 or more")],
    ),
    "capacity": (
        csv_bytes([CAPACITY_HEADINGS,
                   ["North", "40", "01/12/2026", "maybe", "no", "", "30/11/2026"]]),
        "You need to fix",
        [("2", "double_handed", "double_handed must be yes or no"),
         ("2", "valid_until", "must be the same as or after the earliest start date")],
    ),
    "handbacks": (
        csv_bytes([HANDBACK_HEADINGS,
                   ["PKG-1", "02/10/2026", "16/10/2026", "10.5", "homecare", "North",
                    "staffing", ""],
                   ["PKG-2", "31/02/2026", "20/10/2026", "7", "daycare", "North", "staffing",
                    ""]]),
        "You need to fix",
        [("3", "notice_date", "Notice date must be a real date"),
         ("3", "service_type", "service_type must be homecare, extra_care or reablement")],
    ),
    "workforce": (
        csv_bytes([list(GOOD_WORKFORCE),
                   list({**GOOD_WORKFORCE, "fte": "50", "sponsor_licence": "pending"}.values())]),
        "You need to fix",
        [("2", "fte", "the same as or less than the care staff headcount"),
         ("2", "sponsor_licence", "sponsor_licence must be none, active, suspended or revoked")],
    ),
}  # fmt: skip


@pytest.fixture
def uploading(app, tmp_path, contracted):
    """The contracted provider's October return and its submitter; the other provider's
    return (for the form to fill in); people with no business on the provider's pages."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return {
        "ret": contracted.ret,
        "user": contracted.submitter,
        "twin": contracted.other_ret,
        "twin_user": contracted.other_submitter,
        "outsider": make_user(Role.PROVIDER_MANAGER, provider=make_provider()),
        "council_user": contracted.commissioner,
        "other_council_user": contracted.other_commissioner,
        "folder": tmp_path / "uploads",
    }


def base(ret) -> str:
    return f"/provider/{ret.contract.provider_id}/returns/{ret.id}"


def upload(client, ret, code: str, data: bytes, name: str = "answers.csv"):
    return client.post(
        f"{base(ret)}/upload?section={code}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def token_of(response) -> str:
    assert response.status_code == 302, response.status_code
    assert "/upload/changes?" in response.location
    return parse_qs(urlparse(response.location).query)["upload"][0]


def hidden(html: str, name: str) -> str:
    return re.search(rf'type="hidden" name="{name}" value="([^"]*)"', html).group(1)


def confirm(client, ret, code: str, token: str, revision: str, ticked=()):
    return client.post(
        f"{base(ret)}/upload/confirm",
        data={"section": code, "upload": token, "revision": revision,
              "confirm_warning": list(ticked)},
    )  # fmt: skip


def upload_and_confirm(client, ret, code: str, data: bytes, name="answers.csv", ticked=()):
    token = token_of(upload(client, ret, code, data, name))
    html = get_page(client, f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert "Check what will change" in html
    return confirm(client, ret, code, token, hidden(html, "revision"), ticked)


def section(ret, code: str):
    sec = service.section(ret, code)
    db.session.refresh(sec)
    return sec


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return [
        [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
         for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def kept_files(uploading) -> list[str]:
    """The section uploads kept in the database, as "<token>.<kind>"."""
    db.session.expire_all()
    rows = db.session.execute(db.select(StoredFile.token, StoredFile.kind)).all()
    return sorted(f"{token}.{kind}" for token, kind in rows)


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize("code", SECTIONS)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_template_holds_the_saved_answers_and_uploads_back_unchanged(
    uploading, code, kind, provider_client
):
    ret = uploading["ret"]
    assert upload_and_confirm(provider_client, ret, code, GOOD_FILES[code]).status_code == 302
    saved = section(ret, code).data
    response = provider_client.get(f"{base(ret)}/upload/template?section={code}&format={kind}")
    assert response.status_code == 200
    assert f"{code}-2026-10.{kind}" in response.headers["Content-Disposition"]
    result = section_files.check_section_file(code, ret, response.data, f"template.{kind}")
    assert result.ok, (result.file_problems, result.errors)
    assert result.data == saved
    # Uploading the template as it is changes nothing.
    token = token_of(upload(provider_client, ret, code, response.data, f"template.{kind}"))
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert "No changes" in html and "Confirm" not in html


@pytest.mark.parametrize("code", SECTIONS)
def test_the_xlsx_template_explains_each_column_with_an_example_that_passes(
    uploading, code, provider_client
):
    ret = uploading["ret"]
    response = provider_client.get(f"{base(ret)}/upload/template?section={code}&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Data", "Guidance"]
    spec = section_file_layouts.SECTIONS[code]
    headings = [cell.value for cell in book["Data"][1]]
    assert headings == spec.headings
    guidance = [
        [c for c in row if c is not None] for row in book["Guidance"].iter_rows(values_only=True)
    ]
    text = "\n".join(str(c) for row in guidance for c in row)
    assert "DD/MM/YYYY" in text
    for column in spec.columns:
        assert any(row and row[0] == column.name for row in guidance), column.name
    example = guidance[guidance.index(["Example row"]) + 2]
    example_file = csv_bytes(
        [spec.headings, [*example, *[""] * (len(spec.headings) - len(example))]]
    )
    if code == "kpis":  # one row per KPI: the example is one of them
        assert example[0] == "missed_visits"
        assert "planned_visits: Planned visits" in text
    else:
        result = section_files.check_section_file(code, ret, example_file, "example.csv")
        assert result.ok, result.errors


def test_an_empty_kpi_template_lists_every_code_to_fill_in(uploading, provider_client):
    ret = uploading["ret"]
    response = provider_client.get(f"{base(ret)}/upload/template?section=kpis&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["kpi_code", "kpi_name", "value"]
    assert [row[0] for row in rows[1:]] == kpis.COUNT_NAMES
    assert all(row[2] == "" for row in rows[1:])
    result = section_files.check_section_file("kpis", ret, response.data, "kpis.csv")
    assert not result.file_problems and len(result.errors) == 15  # each value: "Enter ..."
    assert result.errors[0].row == 2 and result.errors[0].column == "value"


# --- a good file ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", SECTIONS)
def test_a_good_file_saves_exactly_what_the_form_saves(
    uploading, code, provider_client, other_provider_client
):
    ret, twin = uploading["ret"], uploading["twin"]
    page = get_page(provider_client, f"{base(ret)}/section/{code}")
    assert f"/upload?section={code}" in page and "Upload a file instead" in page
    html = get_page(provider_client, f"{base(ret)}/upload?section={code}")
    assert f"/upload/template?section={code}&amp;format=csv" in html
    assert f"/upload/template?section={code}&amp;format=xlsx" in html

    token = token_of(upload(provider_client, ret, code, GOOD_FILES[code]))
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert section(ret, code).revision == 0  # nothing saved by the check
    assert table_rows(html, "changes"), "the answers that will change are listed"
    response = confirm(provider_client, ret, code, token, hidden(html, "revision"))
    assert response.status_code == 302
    assert response.location.endswith(f"{base(ret)}/section/{code}")
    assert "saved from your file answers.csv" in get_page(provider_client, response.location)

    posted = other_provider_client.post(
        f"{base(twin)}/section/{code}", data={"revision": "0", **FORM_POSTS[code]}
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)
    by_file, by_form = section(ret, code), section(twin, code)
    assert by_file.data == by_form.data
    assert by_file.state is by_form.state is SectionState.COMPLETED
    audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.return_id == ret.id)).all()
    assert [(a.action, a.section) for a in audit] == [("save", code)]
    assert kept_files(uploading) == []  # the kept file is deleted once saved


def test_the_same_file_twice_changes_nothing(uploading, provider_client):
    ret = uploading["ret"]
    assert upload_and_confirm(provider_client, ret, "kpis", GOOD_FILES["kpis"]).status_code == 302
    revision = section(ret, "kpis").revision
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"]))
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section=kpis&upload={token}")
    assert "No changes: KPIs already has the answers in your file" in html
    response = confirm(provider_client, ret, "kpis", token, str(revision))
    assert response.status_code == 302
    assert "No changes" in get_page(provider_client, response.location)
    assert section(ret, "kpis").revision == revision
    assert (
        db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(AuditEntry.return_id == ret.id)
        )
        == 1
    )


def test_a_corrected_file_replaces_the_answers_and_shows_what_changes(uploading, provider_client):
    ret = uploading["ret"]
    upload_and_confirm(provider_client, ret, "kpis", GOOD_FILES["kpis"])
    token = token_of(
        upload(provider_client, ret, "kpis", kpi_file({**EXAMPLE_KPIS, "complaints": "3"}))
    )
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section=kpis&upload={token}")
    assert table_rows(html, "changes") == [["Complaints", "1", "3"]]
    assert "1 answer will change" in html
    confirm(provider_client, ret, "kpis", token, hidden(html, "revision"))
    assert section(ret, "kpis").data["complaints"] == "3"


def test_soft_warnings_are_ticked_as_on_the_form(uploading, provider_client):
    ret = uploading["ret"]
    over = kpi_file({**EXAMPLE_KPIS, "delivered_hours": "1600"})
    response = upload_and_confirm(provider_client, ret, "kpis", over)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Delivered hours (1600) are more than commissioned hours (1520.5)" in html
    assert "Tick the box to confirm this value is correct" in html
    sec = section(ret, "kpis")
    assert sec.data["delivered_hours"] == "1600" and sec.state is SectionState.IN_PROGRESS
    response = confirm(provider_client, ret, "kpis", hidden(html, "upload"),
                       hidden(html, "revision"),
                       ticked=["delivered_hours:over_commissioned"])  # fmt: skip
    assert response.status_code == 302
    sec = section(ret, "kpis")
    assert sec.state is SectionState.COMPLETED
    assert sec.confirmed_warnings == ["delivered_hours:over_commissioned"]


def test_a_save_by_someone_else_meanwhile_is_not_overwritten(app, uploading, provider_client):
    ret = uploading["ret"]
    colleague = make_user(Role.PROVIDER_MANAGER, provider=ret.contract.provider,
                          name="Priya Colleague")  # fmt: skip
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"]))
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section=kpis&upload={token}")
    other = signed_in(app, colleague)
    theirs = {**EXAMPLE_KPIS, "complaints": "7"}
    assert (
        other.post(f"{base(ret)}/section/kpis", data={"revision": "0", **theirs}).status_code == 302
    )
    response = confirm(provider_client, ret, "kpis", token, hidden(html, "revision"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Priya Colleague changed this section at" in html
    assert section(ret, "kpis").data["complaints"] == "7"
    # Confirming again, having seen their answers, is deliberate and works.
    response = confirm(provider_client, ret, "kpis", token, hidden(html, "revision"))
    assert response.status_code == 302
    assert section(ret, "kpis").data["complaints"] == "1"


# --- bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", SECTIONS)
def test_a_bad_file_lists_its_problems_by_row_and_column_and_saves_nothing(
    uploading, code, provider_client
):
    ret = uploading["ret"]
    data, summary, expected = BAD_FILES[code]
    response = upload(provider_client, ret, code, data, "my answers.csv")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "There is a problem" in html and summary in html
    assert "Nothing has been saved" in html and "my answers.csv" in html
    rows = table_rows(html, "problem-table")
    for row, column, message in expected:
        assert any(r[0] == row and r[1] == column and message in r[3] for r in rows), rows
    assert section(ret, code).revision == 0 and section(ret, code).data == {}
    assert kept_files(uploading) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (bytes(range(256)) * 40, "kpis.csv", "must be a CSV or XLSX"),
        (PNG, "kpis.csv", "must be a CSV or XLSX"),
        (PNG, "kpis.xlsx", "must be a CSV or XLSX"),
        (b"", "kpis.csv", "The selected file is empty"),
        (b"kpi_code,value\r\n", "kpis.csv", "The file has no rows of data"),
        (",".join(f"c{i}" for i in range(10_000)).encode() + b"\n1\n", "kpis.csv",
         "50 columns or fewer"),
        (b"kpi,amount\nplanned_visits,3\n", "kpis.csv", "must have the column headings"),
        (GOOD_FILES["kpis"], "kpis.pdf", "must be a CSV or XLSX"),
        (kpi_file({"planned_visits": "3"}), "kpis.csv", "Add rows for the KPI codes"),
        (GOOD_FILES["kpis"] + b"planned_visits,4\n", "kpis.csv", "is also on row 2"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_clearly_never_a_500(uploading, data, name, message, provider_client):
    ret = uploading["ret"]
    response = upload(provider_client, ret, "kpis", data, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert message in html_lib.unescape(html)
    assert "Upload the corrected file" in html
    assert section(ret, "kpis").revision == 0 and kept_files(uploading) == []


def test_a_file_name_with_folders_is_shown_and_kept_without_them(uploading, provider_client):
    ret = uploading["ret"]
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"], "../../etc/kpis.csv"))
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section=kpis&upload={token}")
    assert "Your file: kpis.csv." in html and "etc/" not in html
    assert kept_files(uploading) == [f"{token}.section", f"{token}.section-note"]


def test_no_file_and_a_too_large_file_are_refused(app, uploading, provider_client):
    ret = uploading["ret"]
    response = provider_client.post(f"{base(ret)}/upload?section=kpis", data={},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert "Select a CSV or XLSX file" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    response = upload(provider_client, ret, "kpis", b"kpi_code,value\n" + b"x" * 5_000)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert kept_files(uploading) == []


def test_unknown_sections_and_expired_uploads(uploading, provider_client):
    ret = uploading["ret"]
    for path in ("/upload", "/upload?section=training", "/upload/template",
                 "/upload/changes?section=nope"):  # fmt: skip
        response = provider_client.get(base(ret) + path)
        assert response.status_code == 302 and response.location.endswith(base(ret))
    response = provider_client.get(f"{base(ret)}/upload/template?section=kpis&format=pdf")
    assert response.status_code == 404
    for token in ("not-a-real-token-at-all", "../../../etc/passwd"):
        response = provider_client.get(f"{base(ret)}/upload/changes?section=kpis&upload={token}")
        assert response.status_code == 404
        assert "This upload has expired or does not exist" in response.get_data(as_text=True)
        assert confirm(provider_client, ret, "kpis", token, "0").status_code == 404
    # A token is only good for the section and return it was checked for.
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"]))
    assert provider_client.get(f"{base(ret)}/upload/changes?section=workforce&upload={token}"
                      ).status_code == 404  # fmt: skip
    assert confirm(provider_client, ret, "workforce", token, "0").status_code == 404


# --- locked returns and access -------------------------------------------------------------


def test_a_locked_or_accepted_return_refuses_uploads(app, uploading, provider_client):
    ret = uploading["ret"]
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"]))
    app.config["TODAY"] = "2026-12-03"  # the lock date
    html = get_page(provider_client, f"{base(ret)}/upload?section=kpis")
    assert "This return is locked" in html and 'type="file"' not in html
    response = upload(provider_client, ret, "kpis", GOOD_FILES["kpis"])
    assert response.status_code == 302
    assert "This return is locked" in get_page(provider_client, response.location)
    html = get_page(provider_client, f"{base(ret)}/upload/changes?section=kpis&upload={token}")
    assert "This return is locked" in html and 'id="confirm-upload"' not in html
    response = confirm(provider_client, ret, "kpis", token, "0")
    assert response.status_code == 302
    assert "This return is locked" in get_page(provider_client, response.location)
    app.config["TODAY"] = "2026-11-23"
    ret.status = ReturnStatus.ACCEPTED
    db.session.commit()
    response = confirm(provider_client, ret, "kpis", token, "0")
    assert "has been accepted and cannot be changed" in get_page(provider_client, response.location)
    assert section(ret, "kpis").revision == 0


ROUTES = [
    ("GET", "/upload?section=kpis"),
    ("POST", "/upload?section=kpis"),
    ("GET", "/upload/template?section=kpis&format=csv"),
    ("GET", "/upload/template?section=kpis&format=xlsx"),
    ("GET", "/upload/changes?section=kpis&upload={token}"),
    ("POST", "/upload/confirm?section=kpis"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_other_providers_councils_and_strangers_are_refused_on_every_route(
    app, uploading, provider_client, method, path
):
    ret = uploading["ret"]
    token = token_of(upload(provider_client, ret, "kpis", GOOD_FILES["kpis"]))
    url = base(ret) + path.format(token=token)

    def call(client, url=url):
        if method == "GET":
            return client.get(url)
        files = {"file": (io.BytesIO(GOOD_FILES["kpis"]), "kpis.csv")}
        form = {"upload": token, "revision": "0", **(files if "/upload?" in path else {})}
        return client.post(url, data=form, content_type="multipart/form-data")

    anonymous = call(app.test_client())
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.location
    for user in ("outsider", "council_user", "other_council_user"):
        assert call(signed_in(app, uploading[user])).status_code == 404, user
    # The outsider's own provider id with our return: still not theirs.
    outsider = uploading["outsider"]
    own_url = url.replace(f"/provider/{ret.contract.provider_id}/",
                          f"/provider/{outsider.memberships[0].provider_id}/")  # fmt: skip
    assert call(signed_in(app, outsider), own_url).status_code == 404
    assert section(ret, "kpis").revision == 0


def test_rules_that_belong_to_a_file(uploading):
    council = make_council()
    framework = make_framework(council)  # comes with the area "North"
    db.session.add(Area(framework=framework, name="South", kind=AreaKind.PATCH))
    contract = make_contract(make_provider(), council, framework)
    contract.area = None  # the contract covers every area of its framework
    db.session.commit()
    service.ensure_returns([contract], on=date(2026, 11, 23))
    two_areas = next(r for r in service.returns_for_provider(contract.provider_id)
                     if r.period == date(2026, 10, 1))  # fmt: skip
    row = ["North", "0", "", "no", "no", "", "31/12/2026"]
    check = section_files.check_section_file
    result = check("capacity", two_areas, csv_bytes([CAPACITY_HEADINGS, row, row]), "c.csv")
    assert [p.message for p in result.file_problems] == ["Add a row for the areas ‘South’"]
    assert [(p.row, p.column) for p in result.errors] == [(3, "area")]
    assert "is also on row 2" in result.errors[0].message and result.data is None
    south = ["south", *row[1:]]
    result = check("capacity", two_areas, csv_bytes([CAPACITY_HEADINGS, row, south]), "c.csv")
    assert result.ok and [a["area"] for a in result.data["areas"]] == ["North", "South"]

    ret = uploading["ret"]
    handback = ["PKG", "02/10/2026", "16/10/2026", "1", "homecare", "North", "staffing", ""]
    many = csv_bytes([HANDBACK_HEADINGS, *[handback] * 201])
    assert (
        "200 rows of data or fewer"
        in check("handbacks", ret, many, "h.csv").file_problems[0].message
    )
    only_areas = csv_bytes([HANDBACK_HEADINGS, ["", "", "", "", "", "North", "", ""]])
    problems = check("handbacks", ret, only_areas, "h.csv").file_problems
    assert "if you had no handbacks this month, say so" in problems[0].message
    two_rows = csv_bytes([list(GOOD_WORKFORCE), *[list(GOOD_WORKFORCE.values())] * 2])
    assert (
        "one row of figures" in check("workforce", ret, two_rows, "w.csv").file_problems[0].message
    )
    too_long = GOOD_FILES["kpis"].replace(b"complaints,1", b"complaints,1,2")
    result = check("kpis", ret, too_long, "k.csv")
    assert result.summary == "You need to fix 1 row with too many values"
    assert (result.errors[0].row, result.errors[0].column) == (12, None)
    renamed = GOOD_FILES["kpis"].replace(b"kpi_code,value", b"kpi_code,value,notes")
    assert "not in the template" in check("kpis", ret, renamed, "k.csv").file_problems[0].message
