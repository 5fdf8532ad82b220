"""The training section a page of staff at a time: a provider with hundreds of staff gets a
page it can read (and the server a page it can render), while confirming still saves all of
them."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import StaffMember, TrainingRecord
from portal.pagination import Page
from tests.conftest import check_page
from tests.unit.conftest import get_page
from tests.unit.returns.test_return_training_workforce import (
    section_row,
    section_url,
    submit,
)


def _staff(w, count: int) -> None:
    for n in range(1, count + 1):
        member = StaffMember(provider=w.provider, branch=w.branch, worker_id=f"W{n:03d}",
                             main_job_role=8, start_date=date(2024, 1, 1))  # fmt: skip
        member.training.append(
            TrainingRecord(category=20, date_completed=date(2026, 1, n % 28 + 1))
        )
        db.session.add(member)
    db.session.commit()


def _workers_shown(html: str) -> list[str]:
    return [part.split("<")[0] for part in html.split("Worker ID ")[1:]]


def test_staff_are_shown_twenty_to_a_page_with_pagination(october, provider_client):
    _staff(october, 45)
    url = section_url(october, "training")
    first = get_page(provider_client, url)
    check_page(first)
    assert _workers_shown(first) == [f"W{n:03d}" for n in range(1, 21)]
    assert "Showing staff 1 to 20 of 45, by worker ID." in first
    assert 'aria-label="Pages of staff"' in first and f'href="{url}?page=2"' in first
    last = get_page(provider_client, url + "?page=3")
    assert _workers_shown(last) == [f"W{n:03d}" for n in range(41, 46)]
    assert "Showing staff 41 to 45 of 45" in last and "govuk-pagination__next" not in last
    # an out-of-range or odd page number shows the nearest page, never an error
    assert _workers_shown(get_page(provider_client, url + "?page=99")) == _workers_shown(last)
    assert _workers_shown(get_page(provider_client, url + "?page=x"))[0] == "W001"


def test_confirming_from_one_page_saves_every_staff_member(october, provider_client):
    _staff(october, 45)
    url = section_url(october, "training")
    revision = section_row(october, "training").revision
    done = submit(
        provider_client, url, {"confirmed": "yes", "revision": str(revision)}, url + "?page=2"
    )
    assert done.status_code == 302
    saved = section_row(october, "training").data["staff"]
    assert [s["worker_id"] for s in saved] == [f"W{n:03d}" for n in range(1, 46)]
    assert all(len(s["training"]) == 1 for s in saved)


def test_a_small_provider_sees_no_pagination(october, provider_client):
    _staff(october, 3)
    html = get_page(provider_client, section_url(october, "training"))
    assert _workers_shown(html) == ["W001", "W002", "W003"]
    assert "govuk-pagination" not in html and "Showing staff" not in html


def test_pagination_shows_the_ends_and_neighbours_with_ellipses():
    page = Page.of({"page": "6"}, 20, 400)
    items = page.component(lambda n: f"?page={n}", "Pages")["items"]
    shown = [i.get("number", "…") for i in items]
    assert shown == [1, "…", 5, 6, 7, "…", 20]
    assert [i["number"] for i in items if i.get("current")] == [6]
    assert (page.first_shown, page.last_shown) == (101, 120)
    assert Page.of({}, 20, 0).component(lambda n: "", "Pages") is None


def test_pool_bank_and_agency_staff_are_not_asked_for_contracted_hours(october, provider_client):
    """A file ignores CONTHOURS for EMPLSTATUS 3, 4 and 7 (ASC-WDS keeps hours only for
    permanent and temporary staff): the form refuses them, and does not require them."""
    from forms import messages
    from tests.conftest import shows
    from tests.unit.returns.test_return_training_workforce import add_staff, staff_named

    with_hours = add_staff(provider_client, october, employment_status="4", contracted_hours="20")
    assert with_hours.status_code == 400
    html = with_hours.get_data(as_text=True)
    assert shows(html, messages.contracted_hours_not_contracted("Agency"))
    assert 'href="#contracted_hours"' in html
    assert db.session.query(StaffMember).count() == 0
    blank = add_staff(provider_client, october, employment_status="3", contracted_hours="")
    assert blank.status_code == 302
    member = staff_named(october, "W001")
    assert member.employment_status == 3 and member.contracted_hours is None
