"""The query modules the users, quality and sign-in pages read through: lists in the order
the page shows them, and nothing of another council or provider."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.quality_records import record_concern, record_visit
from portal.queries import accounts, organisations, oversight
from portal.vocabulary import Role
from tests.factories import make_contract, make_council, make_provider, make_user


def test_a_providers_members_by_name_and_another_providers_membership_is_not_found(app):
    provider, other = make_provider(), make_provider()
    zoe = make_user(Role.PROVIDER_MANAGER, provider=provider, name="Zoe Zed")
    make_user(Role.PROVIDER_SUBMITTER, provider=provider, name="Ann Able")
    theirs = make_user(Role.PROVIDER_MANAGER, provider=other, name="Bo Other")
    db.session.commit()

    assert [m.user.name for m in accounts.provider_members(provider.id)] == ["Ann Able", "Zoe Zed"]
    membership = zoe.memberships[0]
    assert accounts.provider_membership(provider.id, membership.id) is membership
    assert accounts.provider_membership(provider.id, theirs.memberships[0].id) is None
    assert accounts.user_by_email(zoe.email) is zoe
    assert accounts.user_by_email("nobody@example.com") is None
    assert accounts.find_user(zoe.id) is zoe


def test_concerns_and_visits_newest_first_and_only_the_councils_own(app):
    council, other_council = make_council(), make_council()
    provider = make_provider()
    make_contract(provider, council)
    make_contract(provider, other_council)
    officer = make_user(Role.QA_OFFICER, council=council)
    db.session.commit()
    record_concern(council.id, provider.id, officer, date(2026, 1, 5), "Older", False)
    record_concern(council.id, provider.id, officer, date(2026, 2, 5), "Newer", False)
    record_concern(other_council.id, provider.id, officer, date(2026, 3, 5), "Theirs", False)
    record_visit(council.id, provider.id, officer, date(2026, 1, 9), "First")
    record_visit(council.id, provider.id, officer, date(2026, 2, 9), "Second")

    concerns = oversight.provider_concerns(council.id, provider.id)
    assert [c.summary for c in concerns] == ["Newer", "Older"]
    assert [v.outcome for v in oversight.provider_visits(council.id, provider.id)] == [
        "Second",
        "First",
    ]
    theirs = oversight.provider_concerns(other_council.id, provider.id)[0]
    assert oversight.council_concern(council.id, provider.id, theirs.id) is None
    assert oversight.council_concern(council.id, provider.id, concerns[0].id) is concerns[0]


def test_only_a_provider_with_a_contract_is_the_councils(app):
    council = make_council()
    provider, stranger = make_provider(), make_provider()
    make_contract(provider, council)
    db.session.commit()

    assert organisations.holds_contract(council.id, provider.id)
    assert not organisations.holds_contract(council.id, stranger.id)
    names, slugs = organisations.council_names_and_slugs()
    assert council.name in names and council.slug in slugs
