"""The training and staff section and the workforce section of the monthly return."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from forms import messages
from portal.extensions import db
from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES
from portal.models import (
    AuditEntry,
    MonthlyReturn,
    ReturnSection,
    ReturnVersion,
    Role,
    SectionState,
    SponsorLicenceStatus,
    StaffMember,
    TrainingRecord,
)
from portal.returns import service
from portal.returns.sections import training_rules, workforce_rules
from tests.conftest import check_page, csrf_token_from, shows
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_staff,
    make_user,
)
from tests.unit.conftest import get_page, sign_in

OCTOBER = date(2026, 10, 1)


def _returns_of(contract) -> dict[date, MonthlyReturn]:
    return {
        r.period: r
        for r in db.session.scalars(
            select(MonthlyReturn).where(MonthlyReturn.contract_id == contract.id)
        )
    }


def _setup(council_name: str | None = None):
    council = make_council(council_name)
    provider = make_provider()
    contract = make_contract(provider, council, make_framework(council))
    db.session.commit()
    service.ensure_returns([contract], on=date(2026, 11, 23))
    returns = _returns_of(contract)
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    return SimpleNamespace(
        provider=provider,
        contract=contract,
        ret=returns[OCTOBER],
        returns=returns,
        user=user,
        branch=provider.branches[0],
    )


def section_url(w, code: str, action: str | None = None, **query) -> str:
    url = f"/provider/{w.provider.id}/returns/{w.ret.id}/section/{code}"
    if action:
        url += f"/{action}"
    return url + (f"?{urlencode(query)}" if query else "")


def submit(client, url: str, data: dict, page_url: str | None = None):
    token = csrf_token_from(get_page(client, page_url or url))
    return client.post(url, data={"csrf_token": token, **data})


def staff_form(w, **changes) -> dict:
    data = {
        "worker_id": "W001",
        "branch": str(w.branch.id),
        "main_job_role": "8",
        "start_date-day": "1",
        "start_date-month": "3",
        "start_date-year": "2024",
        "employment_status": "1",
        "zero_hours": "2",
        "contracted_hours": "37.5",
        "hourly_rate": "12.60",
        "care_certificate": "1",
        "health_care_visa": "2",
    }
    data.update(changes)
    return data


def _date(prefix: str, value: str) -> dict:
    day, month, year = value.split("/") if value else ("", "", "")
    return {f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year}


def training_form(category: str, completed: str, expiry: str = "", **changes) -> dict:
    data = {
        "category": category,
        "training_name": "",
        **_date("date_completed", completed),
        **_date("expiry_date", expiry),
        "validity": "",
        "accredited": "1",
        "who_delivered": "1",
        "provider_name": "",
        "how_delivered": "2",
        "notes": "",
    }
    data.update(changes)
    return data


def add_staff(client, w, **changes):
    return submit(client, section_url(w, "training", "add-staff"), staff_form(w, **changes))


def add_training(client, w, staff_id: int, *args, **changes):
    url = section_url(w, "training", "add-training", staff=staff_id)
    return submit(client, url, training_form(*args, **changes))


def staff_named(w, worker_id: str) -> StaffMember:
    db.session.expire_all()
    return db.session.scalar(
        select(StaffMember).where(
            StaffMember.provider_id == w.provider.id, StaffMember.worker_id == worker_id
        )
    )


def audit_actions(w) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.return_id == w.ret.id)
            .order_by(AuditEntry.id)
        )
    )


def section_row(w, code: str) -> ReturnSection:
    db.session.expire_all()
    return db.session.scalar(
        select(ReturnSection).where(ReturnSection.return_id == w.ret.id, ReturnSection.code == code)
    )


def row_html(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- training and staff -------------------------------------------------------------


def test_staff_and_training_are_added_and_show_their_status(october, provider_client):
    w = october
    html = get_page(provider_client, section_url(w, "training"))
    assert "You have not added any staff yet" in html
    assert add_staff(provider_client, w).status_code == 302
    member = staff_named(w, "W001")
    assert member.hourly_rate == Decimal("12.60") and member.branch_id == w.branch.id
    assert member.zero_hours is False and member.contracted_hours == Decimal("37.50")

    assert (
        add_training(provider_client, w, member.id, "20", "15/12/2025", "15/12/2026").status_code
        == 302
    )
    assert (
        add_training(provider_client, w, member.id, "6", "01/10/2025", "01/10/2026").status_code
        == 302
    )
    # no expiry date: worked out from the months it is valid for
    assert (
        add_training(
            provider_client, w, member.id, "9", "31/01/2026", "", validity="12"
        ).status_code
        == 302
    )
    records = {r.category: r for r in staff_named(w, "W001").training}
    assert records[9].expiry_date == date(2027, 1, 30)
    assert records[9].validity == "12"

    html = get_page(provider_client, section_url(w, "training"))
    assert "Expiring within 90 days" in row_html(html, f"record-{records[20].id}")
    assert ">Expired<" in row_html(html, f"record-{records[6].id}")
    assert "Up to date" in row_html(html, f"record-{records[9].id}")
    assert "31 October 2026" in html  # statuses are as at the end of the month
    # mandatory courses without a record
    missing = re.findall(r"<td class=\"govuk-table__cell\">([^<]+)</td>\s*<td[^>]*>No record", html)
    assert "Medication management" in missing and "Dementia care" in missing
    assert "Safeguarding adults" not in missing and "Fire safety" not in missing
    assert len(missing) == len(DEFAULT_MANDATORY_CATEGORIES) - 3  # 20, 6 and 9
    assert html.count(">Missing<") == len(missing)
    assert audit_actions(w) == ["add-staff", "add-training", "add-training", "add-training"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "add-staff"))
    # One change in words: the staff member added, by worker ID and job role.
    assert len(entry.changes) == 1
    assert entry.changes[0]["field"].startswith("Staff member added: W001, ")
    assert entry.user_id == w.user.id and entry.section == "training"
    assert section_row(w, "training").state is SectionState.IN_PROGRESS


def test_no_mandatory_training_for_roles_that_do_not_provide_care(october, provider_client):
    w = october
    add_staff(provider_client, w, worker_id="M1", main_job_role="25")  # administrative
    html = get_page(provider_client, section_url(w, "training"))
    assert ">Missing<" not in html and "No training recorded" in html


def test_confirming_saves_a_snapshot_and_changes_reopen_the_section(october, provider_client):
    w = october
    url = section_url(w, "training")
    nobody = submit(provider_client, url, {"confirmed": "yes", "revision": "0"})
    assert nobody.status_code == 400
    assert shows(nobody.get_data(as_text=True), messages.TRAINING_NO_STAFF)

    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    add_training(provider_client, w, member.id, "20", "15/12/2025", "15/12/2026")
    revision = section_row(w, "training").revision
    unticked = submit(provider_client, url, {"revision": str(revision)})
    html = unticked.get_data(as_text=True)
    assert unticked.status_code == 400
    assert shows(html, messages.TRAINING_CONFIRM_REQUIRED) and 'href="#confirmed"' in html
    assert "<title>Error: " in html
    assert section_row(w, "training").state is SectionState.IN_PROGRESS

    done = submit(provider_client, url, {"confirmed": "yes", "revision": str(revision)})
    assert done.status_code == 302
    sec = section_row(w, "training")
    assert sec.state is SectionState.COMPLETED
    assert sec.data["confirmed"] is True and sec.data["as_at"] == "2026-10-31"
    (snap,) = sec.data["staff"]
    assert snap["worker_id"] == "W001" and snap["job_role"] == 8
    assert snap["branch"] == w.branch.name
    assert snap["training"] == [
        {"category": 20, "date_completed": "2025-12-15", "expiry_date": "2026-12-15",
         "status": "expiring"}
    ]  # fmt: skip
    assert len(snap["missing"]) == len(DEFAULT_MANDATORY_CATEGORIES) - 1
    assert "checked" in get_page(provider_client, url).split('id="confirmed"')[1].split(">")[0]
    rows = training_rules.summary(w.ret, sec.data)
    assert {"key": {"text": "Training status as at"}, "value": {"text": "31 October 2026"}} in rows
    assert any("1 expiring within 90 days, 10 missing" in r["value"]["text"] for r in rows)

    # a change after confirming: back to in progress, the snapshot marked unconfirmed
    add_training(provider_client, w, member.id, "13", "01/06/2026", "01/06/2027")
    sec = section_row(w, "training")
    assert sec.state is SectionState.IN_PROGRESS
    assert sec.data["confirmed"] is False and sec.revision == revision + 2
    assert training_rules.summary(w.ret, sec.data)[0]["value"]["text"] == "Not confirmed"
    assert audit_actions(w)[-3:] == ["save", "add-training", "section-reopened"]


def test_bad_staff_values_are_refused_and_nothing_is_stored(october, provider_client):
    w = october
    bad = add_staff(
        provider_client, w,
        worker_id="x" * 51, branch="999999999999999999999", main_job_role="99",
        **_date("start_date", "31/02/2026"), employment_status="6", zero_hours="",
        contracted_hours="90", hourly_rate="abc", care_certificate="", health_care_visa="5",
    )  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert check_page(html).startswith("Error: Add a staff member")
    for message, href in [
        (messages.WORKER_ID_TOO_LONG, "#worker_id"),
        (messages.BRANCH_REQUIRED, "#branch"),
        (messages.JOB_ROLE_REQUIRED, "#main_job_role"),
        (messages.staff_date_not_real("Start date"), "#start_date-day"),
        (messages.EMPLOYMENT_STATUS_INVALID, "#employment_status"),
        (messages.ZERO_HOURS_REQUIRED, "#zero_hours"),
        (messages.CONTRACTED_HOURS_RANGE, "#contracted_hours"),
        (messages.money_not_number("Hourly rate"), "#hourly_rate"),
        (messages.CARE_CERTIFICATE_REQUIRED, "#care_certificate"),
        (messages.VISA_REQUIRED, "#health_care_visa"),
    ]:
        assert shows(html, message), message
        assert f'href="{href}"' in html, href
        assert html.count(str(message).replace("'", "&#39;")) >= 2 or html.count(message) >= 2
    assert "<title>Error: " in html
    assert 'value="' + "x" * 51 + '"' in html  # what they typed is kept
    future = add_staff(provider_client, w, **_date("start_date", "24/11/2026"))
    assert future.status_code == 400
    assert shows(future.get_data(as_text=True), messages.staff_date_in_future("Start date"))
    blank = add_staff(provider_client, w, worker_id="   ")
    assert shows(blank.get_data(as_text=True), messages.WORKER_ID_REQUIRED)
    assert count(StaffMember) == 0
    assert audit_actions(w) == []


def test_bad_training_values_are_refused_and_nothing_is_stored(october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    bad = add_training(
        provider_client, w, member.id, "", "01/06/2026", "01/05/2026",
        validity="0", accredited="7", who_delivered="", how_delivered="3", notes="n" * 1001,
    )  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert check_page(html).startswith("Error: Add training for W001")
    for message, href in [
        (messages.CATEGORY_REQUIRED, "#category"),
        (messages.EXPIRY_NOT_AFTER_COMPLETED, "#expiry_date-day"),
        (messages.VALIDITY_INVALID, "#validity"),
        (messages.ACCREDITED_REQUIRED, "#accredited"),
        (messages.WHO_DELIVERED_REQUIRED, "#who_delivered"),
        (messages.HOW_DELIVERED_REQUIRED, "#how_delivered"),
        (messages.NOTES_TOO_LONG, "#notes"),
    ]:
        assert shows(html, message), message
        assert f'href="{href}"' in html, href
    later = add_training(provider_client, w, member.id, "20", "24/11/2026")
    assert later.status_code == 400
    assert shows(later.get_data(as_text=True), messages.staff_date_in_future("Date completed"))
    blank = add_training(provider_client, w, member.id, "20", "")
    assert shows(blank.get_data(as_text=True), messages.staff_date_required("Date completed"))
    assert count(TrainingRecord) == 0
    assert audit_actions(w) == ["add-staff"]


def test_duplicate_worker_ids_are_refused(october, provider_client):
    w = october
    add_staff(provider_client, w)
    again = add_staff(provider_client, w, worker_id="w001")  # any case
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert shows(html, messages.WORKER_ID_TAKEN) and 'href="#worker_id"' in html
    add_staff(provider_client, w, worker_id="W002")
    other = staff_named(w, "W002")
    url = section_url(w, "training", "edit-staff", staff=other.id)
    clash = submit(provider_client, url, staff_form(w, worker_id="W001"))
    assert clash.status_code == 400 and shows(
        clash.get_data(as_text=True), messages.WORKER_ID_TAKEN
    )
    assert count(StaffMember) == 2
    # another provider may use the same worker id
    elsewhere = make_provider()
    db.session.add(StaffMember(provider=elsewhere, branch=elsewhere.branches[0],
                               worker_id="W003", main_job_role=8))  # fmt: skip
    db.session.commit()
    assert add_staff(provider_client, w, worker_id="W003").status_code == 302


def test_staff_details_are_changed_and_audited(october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    url = section_url(w, "training", "edit-staff", staff=member.id)
    html = get_page(provider_client, url)
    assert 'value="12.60"' in html and 'value="W001"' in html
    assert submit(provider_client, url, staff_form(w, hourly_rate="13.50")).status_code == 302
    assert staff_named(w, "W001").hourly_rate == Decimal("13.50")
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "edit-staff"
    assert entry.changes == [{"field": "Staff W001: hourly rate", "old": "£12.60", "new": "£13.50"}]
    # saving with no changes writes nothing
    assert submit(provider_client, url, staff_form(w, hourly_rate="13.50")).status_code == 302
    assert audit_actions(w).count("edit-staff") == 1


def test_removing_staff_who_left_keeps_them_for_the_months_they_worked(october, provider_client):
    w = october
    add_staff(provider_client, w)
    add_staff(provider_client, w, worker_id="W002")
    member = staff_named(w, "W001")
    url = section_url(w, "training", "remove-staff", staff=member.id)
    nothing = submit(provider_client, url, {})
    assert nothing.status_code == 400
    assert shows(nothing.get_data(as_text=True), messages.REMOVE_REASON_REQUIRED)
    early = submit(provider_client, url, {"reason": "left", **_date("left_on", "01/01/2024")})
    assert early.status_code == 400
    assert shows(early.get_data(as_text=True), messages.LEFT_BEFORE_START)
    check_page(early.get_data(as_text=True))
    assert 'href="#left_on-day"' in early.get_data(as_text=True)
    left = submit(provider_client, url, {"reason": "left", **_date("left_on", "15/10/2026")})
    assert left.status_code == 302
    assert staff_named(w, "W001").left_on == date(2026, 10, 15)
    assert "15 October 2026" in get_page(
        provider_client, section_url(w, "training")
    )  # worked in October

    other = staff_named(w, "W002")
    url = section_url(w, "training", "remove-staff", staff=other.id)
    submit(provider_client, url, {"reason": "left", **_date("left_on", "30/09/2026")})
    html = get_page(provider_client, section_url(w, "training"))
    assert f'id="staff-{other.id}"' not in html  # left before October
    assert "remove-staff" in audit_actions(w)


def test_removing_staff_added_by_mistake_deletes_them_and_their_training(october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    add_training(provider_client, w, member.id, "20", "15/12/2025", "15/12/2026")
    url = section_url(w, "training", "remove-staff", staff=member.id)
    assert submit(provider_client, url, {"reason": "mistake"}).status_code == 302
    assert count(StaffMember) == 0 and count(TrainingRecord) == 0
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "remove-staff"
    assert {c["field"] for c in entry.changes} == {
        "Staff member removed: W001",
        "Training record removed: W001, Safeguarding adults, completed 15 December 2025",
    }


def test_removing_a_training_record(october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    add_training(provider_client, w, member.id, "20", "15/12/2025", "15/12/2026")
    record = staff_named(w, "W001").training[0]
    url = section_url(w, "training", "remove-training", record=record.id)
    assert "Safeguarding adults" in get_page(provider_client, url)
    assert submit(provider_client, url, {}).status_code == 302
    assert count(TrainingRecord) == 0
    assert audit_actions(w)[-1] == "remove-training"


def test_ids_of_another_providers_staff_are_not_found(october, provider_client):
    w = october
    add_staff(provider_client, w)
    elsewhere = make_provider()
    theirs = StaffMember(provider=elsewhere, branch=elsewhere.branches[0], worker_id="T1",
                         main_job_role=8)  # fmt: skip
    db.session.add(theirs)
    db.session.flush()
    record = TrainingRecord(staff_id=theirs.id, category=20, date_completed=date(2026, 1, 1))
    db.session.add(record)
    db.session.commit()
    for action, query in [
        ("edit-staff", {"staff": theirs.id}),
        ("remove-staff", {"staff": theirs.id}),
        ("add-training", {"staff": theirs.id}),
        ("remove-training", {"record": record.id}),
        ("edit-staff", {"staff": "abc"}),
        ("edit-staff", {"staff": "99999999999999999999999"}),
        ("edit-staff", {}),
        ("remove-training", {"record": "-1"}),
        ("remove-training", {"staff": theirs.id}),
    ]:
        url = section_url(w, "training", action, **query)
        assert provider_client.get(url).status_code == 404, url
        token = csrf_token_from(get_page(provider_client, section_url(w, "training")))
        data = {"csrf_token": token, "reason": "mistake", **staff_form(w)}
        posted = provider_client.post(url, data=data | training_form("20", "01/01/2026"))
        assert posted.status_code == 404, url
    assert count(StaffMember) == 2 and count(TrainingRecord) == 1
    db.session.expire_all()
    assert db.session.get(StaffMember, theirs.id).worker_id == "T1"


def test_another_providers_user_cannot_open_either_section(app, october):
    w = october
    stranger = make_user(Role.PROVIDER_MANAGER, provider=make_provider())
    member = StaffMember(provider=w.provider, branch=w.branch, worker_id="W9", main_job_role=8)
    db.session.add(member)
    db.session.flush()
    record = TrainingRecord(staff_id=member.id, category=20, date_completed=date(2026, 1, 1))
    db.session.add(record)
    db.session.commit()
    outsider = app.test_client()
    sign_in(outsider, stranger.email)
    # a real token of the outsider's session (the not-found page carries the sign-out form)
    token = csrf_token_from(outsider.get(section_url(w, "training")).get_data(as_text=True))
    urls = [
        section_url(w, "training"),
        section_url(w, "training", "add-staff"),
        section_url(w, "training", "edit-staff", staff=member.id),
        section_url(w, "training", "remove-staff", staff=member.id),
        section_url(w, "training", "add-training", staff=member.id),
        section_url(w, "training", "remove-training", record=record.id),
        section_url(w, "workforce"),
        section_url(w, "workforce", "copy-last-month"),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
        posted = outsider.post(url, data={"csrf_token": token, "confirmed": "yes",
                                          "reason": "mistake", **staff_form(w)})  # fmt: skip
        assert posted.status_code == 404, url
    assert count(StaffMember) == 1 and count(TrainingRecord) == 1
    assert audit_actions(w) == []


def test_staff_cannot_change_once_the_return_is_locked(app, october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    page = get_page(provider_client, section_url(w, "training"))
    token = csrf_token_from(page)
    app.config["TODAY"] = "2026-12-31"  # past the lock date
    assert service.is_locked(w.ret, date(2026, 12, 31))
    for url in [
        section_url(w, "training", "add-staff"),
        section_url(w, "training", "edit-staff", staff=member.id),
        section_url(w, "training", "remove-staff", staff=member.id),
        section_url(w, "training", "add-training", staff=member.id),
    ]:
        got = provider_client.get(url)
        assert got.status_code == 302 and got.location.endswith(f"/returns/{w.ret.id}"), url
        posted = provider_client.post(url, data={"csrf_token": token, "reason": "mistake",
                                        **staff_form(w, worker_id="NEW")})  # fmt: skip
        assert posted.status_code == 302, url
    assert count(StaffMember) == 1
    assert staff_named(w, "W001") is not None
    html = get_page(provider_client, section_url(w, "training"))
    assert "add-staff" not in html and "Save and continue" not in html


def test_odd_input_never_breaks_the_pages(october, provider_client):
    w = october
    add_staff(provider_client, w)
    member = staff_named(w, "W001")
    weird = ["", " ", "0", "-0", "1e309", "9" * 400, "NaN", "Infinity", "½", "٣", "\x00",
             "<script>", "12,,3", "£", ".", "1.", "31/02/2026", "2026-02-30"]  # fmt: skip
    staff_fields = list(staff_form(w)) + ["start_date-day"]
    train_fields = list(training_form("20", "01/01/2026"))
    for value in weird:
        response = add_staff(provider_client, w, **{name: value for name in staff_fields})
        assert response.status_code == 400, value
        url = section_url(w, "training", "add-training", staff=member.id)
        response = submit(provider_client, url, {name: value for name in train_fields})
        assert response.status_code in (302, 400), value
        posted = {name: value for name in workforce_rules.NAMES} | {"revision": value}
        response = submit(provider_client, section_url(w, "workforce"), posted)
        assert response.status_code == 400, value
    assert count(StaffMember) == 1


# --- workforce ----------------------------------------------------------------------

GOOD_WORKFORCE = {
    "headcount": "20",
    "fte": "15.5",
    "vacancies": "2.5",
    "starters": "2",
    "leavers": "1",
    "sickness_days": "12.5",
    "agency_hours": "40",
    "visa_staff": "5",
    "sponsor_licence": "active",
    "registered_manager": "yes",
    "lowest_pay": "12.60",
    "median_pay": "13.10",
    "rlw_staff": "4",
    "travel_time_paid": "yes",
    "zero_hours_staff": "6",
    "care_cert_completed": "12",
    "care_cert_in_progress": "5",
    "care_cert_not_started": "3",
}


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*type="text"[^>]*>', html)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def checked_value(html: str, name: str) -> str | None:
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def _staff(w, worker_id, role=8, **values):
    defaults = {"start_date": date(2024, 1, 1)}
    db.session.add(StaffMember(provider=w.provider, branch=w.branch, worker_id=worker_id,
                               main_job_role=role, **(defaults | values)))  # fmt: skip


def _prefill_staff(w):
    _staff(
        w,
        "A",
        contracted_hours=Decimal("37.5"),
        hourly_rate=Decimal("12.60"),
        health_care_visa=1,
        zero_hours=False,
        care_certificate=1,
    )
    _staff(
        w,
        "B",
        role=7,
        contracted_hours=Decimal("20"),
        hourly_rate=Decimal("13.45"),
        health_care_visa=2,
        zero_hours=False,
        care_certificate=3,
    )
    _staff(
        w,
        "C",
        role=5,
        contracted_hours=None,
        hourly_rate=Decimal("15.00"),
        health_care_visa=1,
        zero_hours=True,
        care_certificate=2,
    )
    _staff(
        w,
        "D",
        role=52,  # support worker
        contracted_hours=Decimal("30"),
        hourly_rate=Decimal("14.80"),
        health_care_visa=999,
        zero_hours=None,
        care_certificate=1,
    )
    _staff(
        w,
        "MANAGER",
        role=25,  # administrative
        contracted_hours=Decimal("37.5"),
        hourly_rate=Decimal("20"),
        health_care_visa=1,
        care_certificate=1,
    )  # not care
    _staff(
        w,
        "GONE",
        left_on=date(2026, 9, 30),
        hourly_rate=Decimal("11"),
        contracted_hours=Decimal("37.5"),
    )  # left before October
    _staff(w, "LATER", start_date=date(2026, 11, 10), hourly_rate=Decimal("11"))
    # fmt: skip
    w.branch.sponsor_licence_status = SponsorLicenceStatus.ACTIVE
    w.branch.registered_manager_in_post = False
    db.session.commit()


def test_workforce_is_filled_in_from_the_staff_records(october, provider_client):
    w = october
    _prefill_staff(w)
    html = get_page(provider_client, section_url(w, "workforce"))
    assert shows(html, messages.PREFILLED_FROM_STAFF)
    expected = {
        "headcount": "4",
        "fte": "2.33",  # (37.5 + 20 + 30) / 37.5
        "visa_staff": "2",
        "lowest_pay": "12.60",
        "median_pay": "14.13",  # 13.45 and 14.80 halved, rounded half up
        "rlw_staff": "3",  # 13.45 and above
        "zero_hours_staff": "1",
        "care_cert_completed": "2",
        "care_cert_in_progress": "1",
        "care_cert_not_started": "1",
        "starters": None,
        "vacancies": None,
    }
    for name, value in expected.items():
        assert input_value(html, name) == value, name
    assert checked_value(html, "sponsor_licence") == "active"
    assert checked_value(html, "registered_manager") == "no"
    assert checked_value(html, "travel_time_paid") is None
    assert section_row(w, "workforce").data == {}  # nothing saved until they save


def test_london_councils_use_the_london_living_wage(app, client):
    app.config["TODAY"] = "2026-11-23"
    w = _setup("Royal Borough of Kensington and Chelsea")
    sign_in(client, w.user.email)
    _prefill_staff(w)
    html = get_page(client, section_url(w, "workforce"))
    assert input_value(html, "rlw_staff") == "2"  # 14.80 and 15.00
    assert "£14.80 an hour" in html
    assert workforce_rules.real_living_wage(w.ret) == workforce_rules.REAL_LIVING_WAGE_LONDON


def test_no_prefill_without_staff(october, provider_client):
    html = get_page(provider_client, section_url(october, "workforce"))
    assert not shows(html, messages.PREFILLED_FROM_STAFF)
    assert input_value(html, "headcount") is None


def test_workforce_is_saved_and_audited(october, provider_client):
    w = october
    url = section_url(w, "workforce")
    done = submit(provider_client, url, {**GOOD_WORKFORCE, "revision": "0"})
    assert done.status_code == 302
    sec = section_row(w, "workforce")
    assert sec.state is SectionState.COMPLETED
    assert sec.data == {**GOOD_WORKFORCE, "lowest_pay": "12.60", "fte": "15.5"}
    assert audit_actions(w) == ["save"]
    html = get_page(provider_client, url)
    assert input_value(html, "headcount") == "20"
    assert not shows(html, messages.PREFILLED_FROM_STAFF)
    rows = workforce_rules.summary(w.ret, sec.data)
    assert {"key": {"text": "Lowest hourly pay"}, "value": {"text": "£12.60"}} in rows
    assert {"key": {"text": "What is the status of your sponsor licence?"},
            "value": {"text": "Active"}} in rows  # fmt: skip
    assert workforce_rules.summary(w.ret, {})[0]["value"]["text"] == "Not entered"


def test_workforce_errors_are_shown_and_nothing_is_saved(october, provider_client):
    w = october
    url = section_url(w, "workforce")
    blank = submit(provider_client, url, {"revision": "0"})
    html = blank.get_data(as_text=True)
    assert blank.status_code == 400
    assert check_page(html).startswith("Error: Workforce")
    for field in workforce_rules.FIELDS:
        assert f'href="#{field.name}"' in html, field.name
    assert shows(html, messages.workforce_required("the care staff headcount", True))
    assert shows(html, messages.workforce_required("the lowest hourly pay", False))
    assert shows(html, messages.SPONSOR_LICENCE_REQUIRED)

    crossed = {
        **GOOD_WORKFORCE,
        "headcount": "10",
        "fte": "10.5",
        "visa_staff": "11",
        "rlw_staff": "12",
        "zero_hours_staff": "13",
        "care_cert_completed": "5",
        "care_cert_in_progress": "5",
        "care_cert_not_started": "1",
        "lowest_pay": "14.00",
        "median_pay": "13.00",
        "revision": "0",
    }
    response = submit(provider_client, url, crossed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message, href in [
        (messages.FTE_MORE_THAN_HEADCOUNT, "#fte"),
        (messages.more_than_headcount("Staff on Health and Care Worker visas"), "#visa_staff"),
        (messages.more_than_headcount("Staff paid at least the Real Living Wage"), "#rlw_staff"),
        (messages.more_than_headcount("Staff on zero-hours contracts"), "#zero_hours_staff"),
        (messages.CARE_CERT_MORE_THAN_HEADCOUNT, "#care_cert_completed"),
        (messages.LOWEST_PAY_ABOVE_MEDIAN, "#lowest_pay"),
    ]:
        assert shows(html, message), message
        assert f'href="{href}"' in html, href
    assert input_value(html, "fte") == "10.5"

    typed = {**GOOD_WORKFORCE, "starters": "2.5", "vacancies": "1.234", "leavers": "-1",
             "median_pay": "250", "sickness_days": "lots", "revision": "0"}  # fmt: skip
    html = submit(provider_client, url, typed).get_data(as_text=True)
    assert shows(html, messages.kpi_whole_number("Starters"))
    assert shows(html, messages.kpi_two_decimals("Vacancies (full-time equivalent)"))
    assert shows(html, messages.kpi_negative("Leavers"))
    assert shows(html, messages.money_out_of_range("Median hourly pay"))
    assert shows(html, messages.kpi_not_number("Days lost to sickness", True))
    sec = section_row(w, "workforce")
    assert sec.data == {} and sec.revision == 0
    assert audit_actions(w) == []


def test_pay_may_be_blank_with_no_care_staff():
    nobody = {**GOOD_WORKFORCE, "lowest_pay": "", "median_pay": "", "fte": "0",
              "visa_staff": "0", "rlw_staff": "0", "zero_hours_staff": "0",
              "care_cert_completed": "0", "care_cert_in_progress": "0",
              "care_cert_not_started": "0", "headcount": "0"}  # fmt: skip
    values, errors = workforce_rules.parse_workforce(nobody)
    assert errors == {} and "lowest_pay" not in values


def _submitted(w, period: date, data: dict, number: int = 1):
    ret = w.returns[period]
    db.session.add(
        ReturnVersion(
            return_id=ret.id,
            number=number,
            reference=f"REF-{ret.id}-{number}",
            submission_key=f"key-{ret.id}-{number}-padding",
            data={"nil_return": False, "sections": {"workforce": data}},
            submitted_by_id=w.user.id,
        )
    )
    db.session.commit()


def test_copy_last_month_fills_the_form_without_saving(october, provider_client):
    w = october
    url = section_url(w, "workforce", "copy-last-month")
    nothing = submit(provider_client, url, {}, page_url=section_url(w, "workforce"))
    assert nothing.status_code == 200
    assert shows(nothing.get_data(as_text=True),
                 messages.NOTHING_TO_COPY.format(period="September 2026"))  # fmt: skip

    _submitted(w, date(2026, 9, 1), {**GOOD_WORKFORCE, "headcount": "21"})
    copied = submit(provider_client, url, {}, page_url=section_url(w, "workforce"))
    html = copied.get_data(as_text=True)
    assert copied.status_code == 200
    assert shows(html, messages.COPIED_LAST_MONTH.format(period="September 2026"))
    assert input_value(html, "headcount") == "21"
    assert checked_value(html, "sponsor_licence") == "active"
    assert f'action="{section_url(w, "workforce")}"' in html
    assert section_row(w, "workforce").data == {}
    assert audit_actions(w) == []
    assert provider_client.get(url).status_code == 302  # only a POST copies


def test_unchanged_figures_are_flagged_until_confirmed(october, provider_client):
    w = october
    _submitted(w, date(2026, 8, 1), GOOD_WORKFORCE)
    _submitted(w, date(2026, 9, 1), GOOD_WORKFORCE)
    url = section_url(w, "workforce")
    first = submit(provider_client, url, {**GOOD_WORKFORCE, "revision": "0"})
    html = first.get_data(as_text=True)
    assert first.status_code == 400
    assert "the same as in each of the last 2 months" in html
    assert shows(html, messages.CONFIRM_WARNING)
    sec = section_row(w, "workforce")
    assert sec.state is SectionState.IN_PROGRESS  # saved, not complete
    # The whole section is as it was: one tick for the section, not one for each figure.
    assert html.count('name="confirm_warning"') == 1
    codes = ["section:unchanged"]
    data = MultiDict({**GOOD_WORKFORCE, "revision": str(sec.revision)})
    for code in codes:
        data.add("confirm_warning", code)
    data.add("csrf_token", csrf_token_from(get_page(provider_client, url)))
    done = provider_client.post(url, data=data)
    assert done.status_code == 302
    assert section_row(w, "workforce").state is SectionState.COMPLETED


def test_copying_last_month_keeps_figures_worked_out_from_staff(october, provider_client):
    w = october
    for n in range(17):
        make_staff(w.provider, f"CW{n}", branch=w.provider.branches[0])
    db.session.commit()
    _submitted(w, date(2026, 9, 1), {**GOOD_WORKFORCE, "headcount": "47", "vacancies": "4"})
    url = section_url(w, "workforce", "copy-last-month")
    html = submit(provider_client, url, {}, page_url=section_url(w, "workforce")).get_data(
        as_text=True
    )
    assert input_value(html, "headcount") == "17"  # from the staff records, not 47
    assert input_value(html, "vacancies") == "4"  # typed last month: copied


def test_a_typed_headcount_far_from_the_staff_records_is_a_soft_warning(october, provider_client):
    w = october
    for n in range(17):
        make_staff(w.provider, f"CW{n}", branch=w.provider.branches[0])
    db.session.commit()
    url = section_url(w, "workforce")
    typed = submit(provider_client, url, {**GOOD_WORKFORCE, "headcount": "47", "revision": "0"})
    assert typed.status_code == 400
    assert shows(
        typed.get_data(as_text=True), "Care staff headcount is 47, but your staff records give 17"
    )
    close = workforce_rules.staff_record_warnings(w.ret, {"headcount": "18"})
    assert close == []  # within 10%


def test_a_stale_workforce_save_is_refused_and_both_answers_shown(october, provider_client):
    w = october
    url = section_url(w, "workforce")
    token = csrf_token_from(get_page(provider_client, url))
    other = make_user(Role.PROVIDER_MANAGER, provider=w.provider, name="Sam Other")
    service.save_section(w.ret, "workforce", {**GOOD_WORKFORCE, "headcount": "30"},
                         SectionState.COMPLETED, 0, other)  # fmt: skip
    stale = provider_client.post(url, data={"csrf_token": token, **GOOD_WORKFORCE, "revision": "0"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Sam Other changed this section" in html
    check_page(html)
    assert 'name="revision" value="1"' in html
    assert input_value(html, "headcount") == "20"  # theirs below, ours kept in the form
    assert re.search(r"govuk-summary-list__value\">\s*30\s*<", html)
    assert section_row(w, "workforce").data["headcount"] == "30"


def test_a_stale_training_confirmation_is_refused(october, provider_client):
    w = october
    add_staff(provider_client, w)
    url = section_url(w, "training")
    page = get_page(provider_client, url)
    token = csrf_token_from(page)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    other = make_user(Role.PROVIDER_MANAGER, provider=w.provider, name="Sam Other")
    db.session.expire_all()
    snapshot = {"confirmed": True, "as_at": "2026-10-31", "staff": []}
    service.save_section(w.ret, "training", snapshot, SectionState.COMPLETED, int(revision), other)
    stale = provider_client.post(
        url, data={"csrf_token": token, "confirmed": "yes", "revision": revision}
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    check_page(html)
    assert "Sam Other changed this section" in html and "0 staff members" in html
    assert f'name="revision" value="{int(revision) + 1}"' in html
    assert section_row(w, "training").data["staff"] == []
