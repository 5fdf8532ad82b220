"""Round trips change nothing: every template or export the portal offers, downloaded
through its page and uploaded again unchanged, is checked as "no change" and leaves the
database exactly as it was (ids included), on PostgreSQL.

The data is what real providers hold: texts starting with = + - @ (which the downloads
escape with a leading quote), the same training record entered twice, blank expiry dates
with and without a VALIDITY, notes with commas, quotes and line breaks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.models import Branch, Role, StaffMember, TrainingRecord
from portal.returns import service
from tests.factories import make_provider, make_user, open_return
from tests.integration.upload_files import (
    BRANCH,
    Journey,
    counts,
    stored_staff,
    stored_training,
)
from tests.unit.conftest import get_page, sign_in
from tests.unit.uploads.test_section_uploads import (
    GOOD_FILES,
    SECTIONS,
    base,
    token_of,
    upload,
    upload_and_confirm,
)

TODAY = date(2026, 11, 23)
NOTES = 'Signed off by "Sam", see file\nsecond line, = not a formula'


def _training(staff: StaffMember, **values) -> TrainingRecord:
    record = {
        "category": 20, "training_name": "Safeguarding adults", "accredited": 1,
        "who_delivered": 1, "provider_name": None, "how_delivered": 1,
        "validity": "12", "date_completed": date(2026, 3, 1),
        "expiry_date": date(2027, 2, 28), "notes": None,
    }  # fmt: skip
    record.update(values)
    return TrainingRecord(staff_id=staff.id, **record)


@pytest.fixture
def formula_staff(app):
    """A provider with two branches, staff whose ids and texts start with formula
    characters, and training records as the web form and older imports left them."""
    app.config["TODAY"] = TODAY.isoformat()
    provider = make_provider()
    branch = Branch(provider=provider, name="Riverside", local_est_id=BRANCH)
    db.session.add(branch)
    db.session.flush()
    staff = {}
    for worker, extra in (
        ("007", {"start_date": date(2021, 9, 1), "employment_status": 1, "zero_hours": False,
                 "care_certificate": 1, "hourly_rate": Decimal("12.60"),
                 "health_care_visa": 2, "contracted_hours": Decimal("37.50")}),
        # Employment status, which an ASC-WDS file must give, as the web form asks for it.
        ("=W2", {"zero_hours": True, "hourly_rate": Decimal("11.44"), "employment_status": 3}),
        ("+44", {"employment_status": 1}),
        ("-7", {"start_date": date(2020, 1, 31), "contracted_hours": Decimal("0.50"),
                "employment_status": 2, "zero_hours": False}),
        ("@home", {"employment_status": 4}),
    ):  # fmt: skip
        staff[worker] = StaffMember(
            provider_id=provider.id, branch_id=branch.id, worker_id=worker, main_job_role=8,
            **extra,
        )  # fmt: skip
        db.session.add(staff[worker])
    db.session.flush()
    db.session.add_all([
        # The same record twice (entered twice on the form), and a third.
        _training(staff["007"]),
        _training(staff["007"]),
        _training(staff["007"], category=6, training_name="=HYPERLINK(\"http://x\")",
                  notes=NOTES),
        # No expiry of its own: its VALIDITY gives one; "none" never expires.
        _training(staff["=W2"], validity="12", expiry_date=None, training_name="+Moving"),
        _training(staff["=W2"], category=13, validity="none", expiry_date=None,
                  who_delivered=2, provider_name="88", notes="-5 marks, then passed"),
        # Blank validity and expiry; texts blank.
        _training(staff["+44"], validity=None, expiry_date=None, training_name=None,
                  provider_name=None, accredited=None, who_delivered=None,
                  how_delivered=None),
        # An expiry a few days off what VALIDITY gives (kept as given).
        _training(staff["-7"], date_completed=date(2026, 1, 31), expiry_date=date(2027, 2, 1),
                  notes="'=quoted already"),
    ])  # fmt: skip
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)  # commits
    journey = Journey.signed_in(app.test_client(), user.email, provider.id)
    return SimpleNamespace(journey=journey, provider_id=provider.id)


def _snapshot(formula_staff) -> tuple[list, list]:
    return stored_staff(formula_staff.provider_id), stored_training(formula_staff.provider_id)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kinds", [("staff",), ("training",), ("staff", "training")])
def test_a_downloaded_staff_or_training_template_uploaded_unchanged_changes_nothing(
    formula_staff, kinds, fmt
):
    journey = formula_staff.journey
    before = _snapshot(formula_staff)
    files = {}
    for kind in kinds:
        response = journey.client.get(f"{journey.base}/template?file={kind}&format={fmt}")
        assert response.status_code == 200
        files[kind] = response.data
    if fmt == "csv":  # the escaping the downloads use is really there
        assert b"'=W2" in files.get("staff", files.get("training"))
    names = {f"{kind}_name": f"{kind}.{fmt}" for kind in kinds}
    token = journey.upload(files.get("staff"), files.get("training"), **names)
    html = journey.check(token)
    assert 'id="confirm-import"' in html
    changes = counts(html, "changes")
    assert changes["New staff"] == changes["Staff updated"] == 0
    assert changes["Staff marked as left"] == 0
    assert changes["Training records added"] == changes["Training records removed"] == 0
    assert changes["Training records changed"] == 0
    if "staff" in kinds:
        assert changes["Staff unchanged"] == 5
    done = journey.confirm_and_finish(token)
    assert "Your files have been imported" in done
    assert _snapshot(formula_staff) == before  # ids too: nothing was deleted and added again


def test_the_training_round_trip_keeps_quotes_and_texts_as_they_were(formula_staff):
    """The values themselves, not only the counts: an escaped text comes back as stored."""
    journey = formula_staff.journey
    response = journey.client.get(f"{journey.base}/template?file=training&format=csv")
    text = response.data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+Moving" in text and "''=quoted already" in text
    before = {(r.worker_id, r.training_name, r.provider_name, r.notes)
              for r in stored_training(formula_staff.provider_id)}  # fmt: skip
    assert ("=W2", "+Moving", None, None) in before
    assert ("=W2", "Safeguarding adults", "88", "-5 marks, then passed") in before
    assert ("007", '=HYPERLINK("http://x")', None, NOTES) in before
    token = journey.upload(training=response.data)
    journey.confirm_and_finish(token)
    after = {(r.worker_id, r.training_name, r.provider_name, r.notes)
             for r in stored_training(formula_staff.provider_id)}  # fmt: skip
    assert after == before


def test_a_changed_template_still_imports_the_change(formula_staff):
    """Round trips are quiet because nothing changed, not because changes are ignored."""
    journey = formula_staff.journey
    response = journey.client.get(f"{journey.base}/template?file=training&format=csv")
    edited = response.data.replace(b"-5 marks, then passed", b"-6 marks, then passed")
    token = journey.upload(training=edited)
    html = journey.check(token)
    changes = counts(html, "changes")
    # One record of =W2's two edited: one changed, one unchanged, nothing added or removed.
    assert changes["Training records changed"] == 1 and changes["Training records unchanged"] >= 1
    assert changes["Training records added"] == changes["Training records removed"] == 0
    journey.confirm_and_finish(token)
    notes = {r.notes for r in stored_training(formula_staff.provider_id) if r.worker_id == "=W2"}
    assert "-6 marks, then passed" in notes and "-5 marks, then passed" not in notes


# --- return sections ---------------------------------------------------------------------

SECTION_TEXTS = {
    # Handbacks hold the texts a provider types: references and details starting with
    # formula characters, commas, quotes and line breaks.
    "handbacks": (
        b"reference,notice_date,end_date,weekly_hours,service_type,area,reason,reason_details\r\n"
        b'=PKG-1,02/10/2026,16/10/2026,10.5,homecare,North,other,"-moved away, ""quickly""\n'
        b'then @ home"\r\n'
        b"+PKG-2,05/10/2026,20/10/2026,7,extra_care,Whole council area,staffing,\r\n"
        b"@PKG-3,06/10/2026,21/10/2026,0.25,reablement,North,other,=SUM(A1)\r\n"
    ),
}


@pytest.fixture
def section_world(app):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["TODAY"] = TODAY.isoformat()
    ret = open_return()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return SimpleNamespace(ret=ret, client=client)


def _section(ret, code: str):
    db.session.expire_all()
    sec = service.section(ret, code)
    return sec.data, sec.state, sec.revision


@pytest.mark.parametrize("code", SECTIONS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_downloaded_section_template_uploaded_unchanged_changes_nothing(section_world, code, fmt):
    ret, client = section_world.ret, section_world.client
    saved = upload_and_confirm(client, ret, code, SECTION_TEXTS.get(code, GOOD_FILES[code]))
    assert saved.status_code == 302
    before = _section(ret, code)
    if code == "handbacks":
        rows = before[0]["rows"]
        assert rows[0]["reference"] == "=PKG-1" and rows[2]["reason_details"] == "=SUM(A1)"
        assert rows[0]["reason_details"] == '-moved away, "quickly"\nthen @ home'
    response = client.get(f"{base(ret)}/upload/template?section={code}&format={fmt}")
    assert response.status_code == 200
    token = token_of(upload(client, ret, code, response.data, f"template.{fmt}"))
    html = get_page(client, f"{base(ret)}/upload/changes?section={code}&upload={token}")
    assert 'id="no-changes"' in html
    confirmed = client.post(
        f"{base(ret)}/upload/confirm", data={"section": code, "upload": token, "revision": "1"}
    )
    assert confirmed.status_code == 302
    assert _section(ret, code) == before
