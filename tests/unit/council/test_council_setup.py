"""Council admins set up their council: frameworks with lots, KPI targets versioned from a
month, contracts (linking a provider already on the service, never duplicating it), ending
a contract, and their colleagues' permission."""

from datetime import date

from sqlalchemy import func, select

from forms import messages
from portal.extensions import db
from portal.models import (
    ChangeRecord,
    Contract,
    Framework,
    MonthlyReturn,
    Notification,
    Provider,
    Role,
    User,
)
from portal.returns import review, service
from tests.conftest import csrf_token_from, link_in, mail_config, shows
from tests.factories import (
    OCTOBER,
    add_version,
    make_council,
    make_user,
    return_for,
)
from tests.unit.conftest import get_page, sign_in

SEPTEMBER = date(2026, 9, 1)


def _post(client, url, **data):
    token = csrf_token_from(get_page(client, url))
    return client.post(url, data={"csrf_token": token, **data})


def _framework(client, council_id, **extra):
    data = {
        "name": "Support to Live at Home",
        "service_type": "homecare",
        "start_date": ["1", "4", "2024"],
        "end_date": ["31", "3", "2028"],
        "lot_kind": "lot",
        "lots": "North\nSouth\n\nnorth",
    } | extra
    return _post(client, f"/council/{council_id}/frameworks/new", **data)


def test_only_council_admins_reach_the_setup_pages(app, contracted):
    plain = make_user(Role.COMMISSIONER, council=contracted.council)
    client = app.test_client()
    sign_in(client, plain.email)
    council_id = contracted.council.id
    for page in ("frameworks", "contracts", "users", "frameworks/new", "contracts/new"):
        assert client.get(f"/council/{council_id}/{page}").status_code == 403, page
    admin = app.test_client()
    sign_in(admin, contracted.commissioner.email)
    assert admin.get(f"/council/{council_id}/frameworks").status_code == 200
    nav = get_page(admin, f"/council/{council_id}/contracts")
    assert "Council users" in nav
    assert "Council users" not in get_page(client, f"/council/{council_id}/providers")


def test_a_framework_with_two_lots_and_the_reference_targets(app, commissioner_client, contracted):
    council_id = contracted.council.id
    added = _framework(commissioner_client, council_id)
    assert added.status_code == 302
    framework = db.session.scalar(
        select(Framework).where(Framework.name == "Support to Live at Home")
    )
    assert [a.name for a in framework.areas] == ["North", "South"]
    page = get_page(commissioner_client, added.location)
    assert "Version 1: returns from April 2024 on" in page and "At least 90%" in page
    again = _framework(commissioner_client, council_id, end_date=["1", "1", "2020"])
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert shows(html, messages.FRAMEWORK_NAME_TAKEN)
    assert shows(html, messages.FRAMEWORK_END_BEFORE_START)
    lot = _post(commissioner_client, added.location, name="East", kind="lot")
    assert lot.status_code == 302 and "East (lot)" in get_page(commissioner_client, added.location)
    assert "Added framework Support to Live at Home with 2 lots" in " ".join(
        db.session.scalars(select(ChangeRecord.summary))
    )


def _kpis(on_time: int) -> dict:
    return {
        "kpis": {
            "planned_visits": "100",
            "delivered_visits": "100",
            "missed_visits": "0",
            "on_time_visits": str(on_time),
            "ecm_visits": "100",
        }
    }


def test_a_changed_target_applies_from_its_month_only(app, commissioner_client, contracted):
    sept, october = return_for(contracted.contract, SEPTEMBER), contracted.ret
    for ret in (sept, october):
        add_version(ret, contracted.submitter, _kpis(on_time=88))
    url = f"/council/{contracted.council.id}/frameworks/{contracted.framework.id}/targets"
    token = csrf_token_from(get_page(commissioner_client, url))
    form = {"csrf_token": token, "effective_from": "October 2026"}
    bad = commissioner_client.post(url, data=form | {"target_punctuality": "190"})
    assert bad.status_code == 400
    assert shows(
        bad.get_data(as_text=True), messages.TARGET_INVALID.format(kpi="visits started on time")
    )
    saved = commissioner_client.post(url, data=form | {"target_punctuality": "85"})
    assert saved.status_code == 302

    def punctuality(ret):
        rows = review.kpi_rows(ret, ret.versions[-1])
        return next((r.rag, r.target) for r in rows if r.name == "Visits started on time")

    assert punctuality(sept) == ("amber", "at least 90%")  # judged as before
    assert punctuality(october) == ("green", "at least 85%")  # the new version
    page = get_page(commissioner_client, saved.location)
    # The framework had no targets of its own: earlier months keep the reference ones.
    assert "Version 1: returns from October 2026 on" in page
    assert "Returns before October 2026 are judged against the reference targets" in page
    # A version cannot start before the latest one.
    earlier = commissioner_client.post(url, data=form | {"effective_from": "May 2026"})
    assert shows(
        earlier.get_data(as_text=True),
        messages.TARGETS_MONTH_NOT_AFTER.format(month="October 2026"),
    )


def _contract(client, council_id, **extra):
    data = {
        "provider_name": "Bright Homecare Ltd",
        "cqc_provider_id": "1-555000111",
        "location_ids": "1-555000112, 1-555000113",
        "framework_id": "",
        "area_id": "",
        "contract_type": "spot",
        "hourly_rate": "24.50",
        "start_date": ["1", "4", "2026"],
        "end_date": ["", "", ""],
        "contact_email": "Manager@Bright.example",
    } | extra
    return _post(client, f"/council/{council_id}/contracts/new", **data)


def test_a_contract_with_a_new_provider_invites_its_first_manager(
    app, commissioner_client, contracted, mail_server
):
    app.config.update(mail_config(mail_server))
    added = _contract(commissioner_client, contracted.council.id)
    assert added.status_code == 302, added.get_data(as_text=True)
    provider = db.session.scalar(select(Provider).where(Provider.cqc_provider_id == "1-555000111"))
    assert sorted(b.cqc_location_id for b in provider.branches) == ["1-555000112", "1-555000113"]
    page = get_page(commissioner_client, added.location)
    assert "Bright Homecare Ltd (1-555000111)" in page and "£24.50" in page
    message = mail_server[0]
    assert message["To"] == "manager@bright.example"
    assert "submit contract returns for Bright Homecare Ltd" in message.get_content()
    assert link_in(message, "/invitation/")
    contract = db.session.scalar(select(Contract).where(Contract.provider_id == provider.id))
    assert return_for(contract, OCTOBER) is not None  # its returns are open
    twice = _contract(commissioner_client, contracted.council.id)
    assert shows(twice.get_data(as_text=True), messages.CONTRACT_EXISTS)
    # The invitation can be re-sent from the contracts page; the first link stops working.
    assert "Invited: manager@bright.example" in page
    token = csrf_token_from(page)
    resent = commissioner_client.post(
        f"/council/{contracted.council.id}/contracts/{contract.id}/resend-invitation",
        data={"csrf_token": token},
    )
    assert resent.status_code == 302
    second = link_in(mail_server[1], "/invitation/")
    assert app.test_client().get(link_in(message, "/invitation/")).status_code == 400
    assert app.test_client().get(second).status_code == 200


def test_a_provider_already_on_the_service_is_linked_and_its_manager_told(
    app, commissioner_client, contracted
):
    contracted.other_provider.cqc_provider_id = "1-777000001"
    db.session.commit()
    other_manager = make_user(Role.PROVIDER_MANAGER, provider=contracted.other_provider)
    before = db.session.scalar(select(func.count(Provider.id)))
    added = _contract(
        commissioner_client,
        contracted.council.id,
        provider_name="Another name",
        cqc_provider_id="1-777000001",
        location_ids="",
    )
    assert added.status_code == 302
    assert db.session.scalar(select(func.count(Provider.id))) == before
    # Without a CQC provider ID the provider is added by name, with a warning.
    by_name = _contract(
        commissioner_client,
        contracted.council.id,
        provider_name="Small Co",
        cqc_provider_id="",
        location_ids="",
        contact_email="",
    )
    assert shows(get_page(commissioner_client, by_name.location), messages.PROVIDER_WITHOUT_CQC_ID)
    titles = db.session.scalars(
        select(Notification.title).where(Notification.user_id == other_manager.id)
    ).all()
    assert titles == [
        f"{contracted.council.name} has added a contract with {contracted.other_provider.name}"
    ]
    # A branch of another provider cannot be claimed.
    taken = _contract(
        commissioner_client,
        contracted.council.id,
        provider_name="Newco",
        cqc_provider_id="1-888000001",
        location_ids=contracted.branch.cqc_location_id or "1-000000000",
    )
    assert taken.status_code == 400


def test_contract_form_errors_say_what_to_fix(app, commissioner_client, contracted):
    bad = _contract(
        commissioner_client,
        contracted.council.id,
        provider_name="",
        cqc_provider_id="101641631",
        location_ids="LOC1",
        contract_type="framework",
        hourly_rate="lots",
        end_date=["1", "1", "2020"],
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for message in (messages.PROVIDER_NAME_REQUIRED, messages.HOURLY_RATE_INVALID):
        assert shows(html, message), message
    assert db.session.scalar(select(func.count(Contract.id))) == 2


def test_ending_a_contract_closes_its_later_returns(app, commissioner_client, contracted):
    contract = contracted.contract
    url = f"/council/{contracted.council.id}/contracts/{contract.id}/end"
    ended = _post(commissioner_client, url, end_date=["31", "8", "2026"])
    assert ended.status_code == 302
    assert "Returns closed: September 2026, October 2026" in get_page(
        commissioner_client, ended.location
    )
    periods = db.session.scalars(
        select(MonthlyReturn.period).where(MonthlyReturn.contract_id == contract.id)
    ).all()
    assert date(2026, 9, 1) not in periods and OCTOBER not in periods
    db.session.expire_all()
    service.ensure_returns([contract], on=date(2026, 11, 23))
    assert return_for(contract, OCTOBER) is None  # the calendar does not reopen them
    audit = db.session.scalar(select(ChangeRecord).where(ChangeRecord.action == "ended"))
    assert audit.after["returns_closed"] == ["September 2026", "October 2026"]


def test_council_admin_invites_a_colleague_and_grants_the_permission(
    app, commissioner_client, contracted
):
    council_id = contracted.council.id
    colleague = make_user(Role.COMMISSIONER, council=contracted.council, name="Col League")
    membership = colleague.memberships[0]
    url = f"/council/{council_id}/users"
    token = csrf_token_from(get_page(commissioner_client, url))
    done = commissioner_client.post(
        f"{url}/permission", data={"csrf_token": token, "membership": membership.id, "allow": "yes"}
    )
    assert done.status_code == 302
    db.session.refresh(membership)
    assert membership.council_admin
    other = make_user(Role.COMMISSIONER, council=make_council())
    refused = commissioner_client.post(
        f"{url}/permission",
        data={"csrf_token": token, "membership": other.memberships[0].id, "allow": "yes"},
    )
    assert refused.status_code == 302
    db.session.refresh(other.memberships[0])
    assert not other.memberships[0].council_admin
    invited = _post(
        commissioner_client, f"{url}/invite", name="New Person", email="new@council.example"
    )
    assert invited.status_code == 302
    assert "new@council.example" in get_page(commissioner_client, url)


def test_council_admins_see_their_own_councils_changes_only(app, commissioner_client, contracted):
    council_id = contracted.council.id
    _framework(commissioner_client, council_id)
    other = make_council("Elsewhere Council")
    db.session.add(
        ChangeRecord(
            entity="council",
            action="added",
            summary="Added council Elsewhere Council",
            council_id=other.id,
        )
    )
    db.session.commit()
    page = get_page(commissioner_client, f"/council/{council_id}/changes")
    assert "Added framework Support to Live at Home" in page
    assert "Elsewhere Council" not in page
    assert "No changes match" in get_page(
        commissioner_client, f"/council/{council_id}/changes?entity=contract"
    )


def test_council_admin_re_sends_a_colleagues_invitation_and_only_their_own(
    app, commissioner_client, contracted, mail_server
):
    app.config.update(mail_config(mail_server))
    url = f"/council/{contracted.council.id}/users"
    invited = _post(
        commissioner_client, f"{url}/invite", name="New Person", email="new@council.example"
    )
    assert invited.status_code == 302
    first = link_in(mail_server[0], "/invitation/")
    page = get_page(commissioner_client, url)
    assert "Re-send invitation" in page and "Invited" in page
    newcomer = db.session.scalar(select(User).where(User.email == "new@council.example"))
    token = csrf_token_from(page)
    resent = commissioner_client.post(
        f"{url}/resend-invitation",
        data={"csrf_token": token, "membership": newcomer.memberships[0].id},
    )
    assert resent.status_code == 302
    assert "A new invitation has been sent to new@council.example" in get_page(
        commissioner_client, url
    )
    second = link_in(mail_server[1], "/invitation/")
    assert app.test_client().get(first).status_code == 400  # the last link stops working
    assert app.test_client().get(second).status_code == 200
    # Another council's invited commissioner: refused, and nobody is e-mailed.
    stranger = make_user(Role.COMMISSIONER, council=make_council())
    stranger.password_hash = None
    db.session.commit()
    refused = commissioner_client.post(
        f"{url}/resend-invitation",
        data={"csrf_token": token, "membership": stranger.memberships[0].id},
    )
    assert refused.status_code == 302
    assert "Nothing to re-send" in get_page(commissioner_client, url)
    assert len(mail_server) == 2
