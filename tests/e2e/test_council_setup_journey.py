"""A council sets itself up in a real browser, from a database holding only an
administrator (and, for the "already on the service" case, one provider contracted with
another council): the administrator adds the council and invites its commissioner; the
commissioner adds a framework with two lots and new targets and uploads a contract register
of five providers (the one already on the service is linked, not duplicated); the invited
provider manager accepts, gives a branch its LOCALESTID, uploads ASC-WDS staff and training
files and submits the first monthly return; the commissioner sees it on the returns grid;
every change is on the audit page. axe-core checks every page visited."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import base_config, free_port, link_in, smtp_inbox
from tests.e2e.conftest import LiveServer, _tab
from tests.e2e.test_monthly_return_journey import (
    radio,
    save_confirming_warnings,
    section_status,
)

PASSWORD = "a long admin passphrase for e2e"
ADMIN = "admin@service.example"
ALREADY_HERE_CQC = "1-900000001"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portal.app import create_app
    from portal.auth.passwords import hash_password
    from portal.extensions import db
    from portal.models import Branch, Contract, Council, Membership, Provider, User
    from portal.vocabulary import ContractType, Role

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db_file = tmp_path_factory.mktemp("setup-e2e") / "setup.db"
    with smtp_inbox() as inbox:
        app = create_app(
            base_config(
                f"sqlite:///{db_file}",
                TESTING=False,
                MAIL_HOST="127.0.0.1",
                MAIL_PORT=inbox.port,
                BASE_URL=url,
                TODAY="2026-11-23",
            )
        )
        with app.app_context():
            upgrade()
            admin = User(email=ADMIN, name="Ada Admin", password_hash=hash_password(PASSWORD))
            admin.memberships.append(Membership(role=Role.ADMIN))
            other = Council(name="Kent County Council", slug="kent")
            shared = Provider(
                name="Shared Care Ltd", slug="shared-care", cqc_provider_id=ALREADY_HERE_CQC
            )
            db.session.add_all([admin, other, shared])
            db.session.flush()
            branch = Branch(
                provider_id=shared.id,
                name="Shared Care Maidstone",
                cqc_location_id="1-900000002",
                local_est_id="SHR1",
            )
            db.session.add(branch)
            db.session.add(
                Contract(
                    provider=shared,
                    council=other,
                    contract_type=ContractType.SPOT,
                    hourly_rate=Decimal("23"),
                    branches=[branch],
                )
            )
            db.session.commit()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(url=url, app=app, inbox=inbox)
        finally:
            server.shutdown()


def csv_of(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


REGISTER = [
    [
        "Provider name",
        "CQC provider ID",
        "CQC location IDs",
        "Framework",
        "Lot",
        "Contract type",
        "Hourly rate",
        "Start date",
        "End date",
        "Provider contact email",
    ],
    [
        "Alder Care",
        "1-910000001",
        "1-910000002",
        "Home Support",
        "North",
        "Framework",
        "24.50",
        "01/04/2026",
        "",
        "manager@alder.example",
    ],
    [
        "Birch Care",
        "1-920000001",
        "1-920000002",
        "Home Support",
        "South",
        "Framework",
        "25.10",
        "01/04/2026",
        "",
        "manager@birch.example",
    ],
    [
        "Cedar Care",
        "1-930000001",
        "1-930000002",
        "Home Support",
        "North",
        "Block",
        "26.00",
        "01/04/2026",
        "",
        "",
    ],
    ["Damson Care", "1-940000001", "", "", "", "Spot", "27.00", "01/04/2026", "", ""],
    [
        "Shared Care",
        ALREADY_HERE_CQC,
        "1-900000002",
        "Home Support",
        "South",
        "Framework",
        "23.50",
        "01/04/2026",
        "",
        "",
    ],
]
STAFF = [
    [
        "LOCALESTID",
        "UNIQUEWORKERID",
        "STATUS",
        "MAINJOBROLE",
        "STARTDATE",
        "EMPLSTATUS",
        "ZEROHRCONT",
        "CARECERT",
        "HOURLYRATE",
        "HANDCVISA",
        "CONTHOURS",
    ],
    ["ALD1", "A01", "NEW", "8", "01/09/2021", "1", "2", "1", "12.60", "2", "37.5"],
    ["ALD1", "A02", "NEW", "8", "01/02/2023", "1", "2", "1", "12.80", "2", "30"],
]
TRAINING = [
    [
        "LOCALESTID",
        "UNIQUEWORKERID",
        "CATEGORY",
        "TRAININGNAME",
        "ACCREDITED",
        "WHODELIVERED",
        "PROVIDERNAME",
        "HOWDELIVERED",
        "VALIDITY",
        "DATECOMPLETED",
        "EXPIRYDATE",
        "NOTES",
    ],
    ["ALD1", "A01", "20", "Safeguarding", "1", "1", "In-house", "1", "12", "01/03/2026", "", ""],
    ["ALD1", "A02", "20", "Safeguarding", "1", "1", "In-house", "1", "12", "01/04/2026", "", ""],
]


def _sign_in(tab, email, password):
    page = tab.page
    tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _accept(tab, link: str, password: str):
    page = tab.page
    tab.goto(link)
    expect(page.get_by_role("heading", level=1, name="Create your password")).to_be_visible()
    tab.check()
    page.locator("#password").fill(password)
    page.locator("#confirm").fill(password)
    page.get_by_role("button", name="Save password").click()


def _nav(tab, name: str):
    tab.page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first.click()
    tab.check()


def test_a_council_sets_itself_up_and_gets_its_first_return(chromium, empty_server):
    with ExitStack() as stack:
        tabs = [
            stack.enter_context(contextmanager(_tab)(chromium, empty_server, True))
            for _ in range(3)
        ]
        _journey(empty_server, *tabs)


def _journey(empty_server, admin_tab, com, prov):
    inbox = empty_server.inbox

    # 1. The administrator adds the council and invites its commissioner.
    page = admin_tab.page
    _sign_in(admin_tab, ADMIN, PASSWORD)
    admin_tab.goto("/admin")
    admin_tab.check()
    page.get_by_role("button", name="Add a council").click()
    admin_tab.check()
    page.get_by_label("Council name").fill("Medway Council")
    page.get_by_label("Go-live month").fill("April 2026")
    page.get_by_label("Working day of the month a return is due").fill("10")
    page.get_by_label("Days after the due date that a return locks").fill("20")
    page.get_by_role("button", name="Add council").click()
    expect(page.get_by_role("heading", level=1, name="Medway Council")).to_be_visible()
    admin_tab.check()
    page.get_by_role("button", name="Invite a commissioner").click()
    admin_tab.check()
    page.get_by_label("Full name").fill("Cam Commissioner")
    page.get_by_label("Email address").fill("cam@medway.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text("cam@medway.example")
    admin_tab.check()
    invitation = next(m for m in inbox if m["To"] == "cam@medway.example")

    # 2. The commissioner accepts and sets up a framework with two lots and new targets.
    page = com.page
    _accept(com, link_in(invitation, "/invitation/"), "violet harbour ninety")
    com.check()
    _nav(com, "Frameworks")
    page.get_by_role("button", name="Add a framework").click()
    com.check()
    page.get_by_label("Framework name").fill("Home Support")
    page.get_by_label("Homecare").check()
    for prefix, (d, m, y) in (
        ("start_date", ("1", "4", "2024")),
        ("end_date", ("31", "3", "2028")),
    ):
        page.locator(f"#{prefix}-day").fill(d)
        page.locator(f"#{prefix}-month").fill(m)
        page.locator(f"#{prefix}-year").fill(y)
    page.get_by_label("Lots or areas").fill("North\nSouth")
    page.get_by_role("button", name="Add framework").click()
    expect(page.locator("main")).to_contain_text("North (lot)")
    expect(page.locator("main")).to_contain_text("South (lot)")
    com.check()
    page.get_by_role("button", name="Change the targets").click()
    com.check()
    page.get_by_label("Apply the new targets from").fill("October 2026")
    page.get_by_label("Visits started on time: target (%)").fill("85")
    page.get_by_role("button", name="Save new targets").click()
    expect(page.locator("main")).to_contain_text("Version 2: returns from October 2026 on")
    com.check()

    # 3. The contract register of five providers, one already on the service.
    _nav(com, "Contracts")
    page.get_by_role("button", name="Upload the contract register").click()
    com.check()
    page.get_by_label("Contract register file").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": csv_of(REGISTER)}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1, name="Check what will change")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Linked to Shared Care Ltd, already on the service"
    )
    com.check()
    page.get_by_role("button", name="Confirm and save the contracts").click()
    expect(page.locator("main")).to_contain_text("5 rows changed, 0 unchanged")
    com.check()

    # 4. Alder Care's invited manager accepts, gives the branch its LOCALESTID, uploads
    # the staff and training files and submits the first return.
    manager_mail = next(m for m in inbox if m["To"] == "manager@alder.example")
    page = prov.page
    _accept(prov, link_in(manager_mail, "/invitation/"), "tulip window seventeen")
    prov.check()
    _nav(prov, "Branches")
    page.get_by_role("link", name="Change CQC location 1-910000002").click()
    prov.check()
    page.get_by_label("Branch name").fill("Alder Care Chatham")
    page.get_by_label("ASC-WDS workplace ID (LOCALESTID)").fill("ALD1")
    page.get_by_label("Postcode").fill("ME4 4QB")
    page.get_by_role("button", name="Save branch").click()
    expect(page.locator("main")).to_contain_text("Alder Care Chatham")
    expect(page.locator("main")).to_contain_text("Medway Council")
    prov.check()
    with empty_server.app.app_context():
        from portal.extensions import db
        from portal.models import Provider

        alder = db.session.scalar(select(Provider).where(Provider.name == "Alder Care"))
        alder_id = alder.id
    prov.goto(f"/provider/{alder_id}/uploads/staff-and-training")
    prov.check()
    page.get_by_label("Staff file (optional)").set_input_files(
        {"name": "staff.csv", "mimeType": "text/csv", "buffer": csv_of(STAFF)}
    )
    page.get_by_label("Training file (optional)").set_input_files(
        {"name": "training.csv", "mimeType": "text/csv", "buffer": csv_of(TRAINING)}
    )
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", level=1, name="Check your files")).to_be_visible()
    prov.check()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("imported", ignore_case=True)
    prov.check()

    _nav(prov, "Your returns")
    page.get_by_role("link", name="October 2026", exact=False).first.click()
    expect(page.get_by_role("heading", level=1, name="Return for October 2026")).to_be_visible()
    prov.check()
    _fill_return(prov)
    page.get_by_role("button", name="Check your answers and submit").click()
    prov.check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("main")).to_contain_text("reference", ignore_case=True)
    prov.check()

    # 5. The commissioner sees it on the returns grid; the administrator sees every change.
    _nav(com, "Returns")
    expect(com.page.locator("main")).to_contain_text("Alder Care")
    expect(com.page.locator("main")).to_contain_text("Submitted")
    com.check()
    admin_tab.goto("/admin/audit")
    admin_tab.check()
    main = admin_tab.page.locator("main")
    for text in (
        "Added council Medway Council",
        "Invited cam@medway.example",
        "Added framework Home Support with 2 lots",
        "KPI targets for Home Support",
        "Added provider Alder Care",
        "Added framework contract with Alder Care",
        "Added framework contract with Shared Care Ltd",
        "Changed branch Alder Care Chatham of Alder Care",
        "Invited manager@alder.example as the first manager",
    ):
        expect(main).to_contain_text(text)
    with empty_server.app.app_context():
        from portal.extensions import db
        from portal.models import Provider

        shared = db.session.scalar(
            select(func.count(Provider.id)).where(Provider.cqc_provider_id == ALREADY_HERE_CQC)
        )
        assert shared == 1


KPIS = {
    "planned_visits": "200",
    "delivered_visits": "196",
    "missed_visits": "3",
    "on_time_visits": "180",
    "ecm_visits": "190",
    "commissioned_hours": "640",
    "delivered_hours": "622.75",
    "referrals_offered": "5",
    "referrals_accepted": "4",
    "packages_started_on_time": "4",
    "complaints": "0",
    "compliments": "2",
    "safeguarding_concerns": "1",
    "users_reviewed": "8",
    "outcomes_met": "6",
}
WORKFORCE = {
    "headcount": "2",
    "fte": "1.8",
    "vacancies": "1",
    "starters": "0",
    "leavers": "0",
    "sickness_days": "2",
    "agency_hours": "0",
    "visa_staff": "0",
    "lowest_pay": "12.60",
    "median_pay": "12.70",
    "rlw_staff": "0",
    "zero_hours_staff": "0",
    "care_cert_completed": "2",
    "care_cert_in_progress": "0",
    "care_cert_not_started": "0",
}


def _fill_return(tab) -> None:
    """Every section of the return filled in, as a provider would (no shortcuts)."""
    page = tab.page
    page.get_by_role("link", name="KPIs", exact=True).click()
    tab.check()
    for name, value in KPIS.items():
        page.locator(f"#{name}").fill(value)
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "kpis")).to_have_text("Completed")

    page.get_by_role("link", name="Capacity", exact=True).click()
    tab.check()
    page.get_by_label("Spare weekly hours for new packages", exact=False).first.fill("20")
    for prefix, (d, m, y) in (
        ("earliest_start", ("30", "11", "2026")),
        ("valid_until", ("31", "1", "2027")),
    ):
        page.locator(f"#areas-0-{prefix}-day").fill(d)
        page.locator(f"#areas-0-{prefix}-month").fill(m)
        page.locator(f"#areas-0-{prefix}-year").fill(y)
    radio(page, "areas-0-double_handed", "yes").check()
    radio(page, "areas-0-night_support", "no").check()
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "capacity")).to_have_text("Completed")

    page.get_by_role("link", name="Handbacks", exact=True).click()
    tab.check()
    page.get_by_label("We had no handbacks this month").check()
    page.locator("#save-handbacks").click()
    expect(section_status(page, "handbacks")).to_have_text("Completed")

    page.get_by_role("link", name="Training and staff", exact=True).click()
    expect(page.locator("main")).to_contain_text("A01")  # the uploaded staff
    tab.check()
    page.get_by_label("I have added all staff and their training").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(section_status(page, "training")).to_have_text("Completed")

    page.get_by_role("link", name="Workforce", exact=True).click()
    tab.check()
    for name, value in WORKFORCE.items():
        page.locator(f"#{name}").fill(value)
    radio(page, "sponsor_licence", "none").check()
    radio(page, "registered_manager", "yes").check()
    radio(page, "travel_time_paid", "yes").check()
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    for code in ("kpis", "capacity", "handbacks", "training", "workforce"):
        expect(section_status(page, code)).to_have_text("Completed")
    tab.check()
