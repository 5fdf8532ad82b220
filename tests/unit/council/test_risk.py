"""The risk (RAG) rating: each trigger fires and clears, the worst level wins, and a
red or amber rating sets the date a quality-assurance visit is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from portal import risk, risk_triggers
from portal.extensions import db
from portal.models import (
    Branch,
    Concern,
    Contract,
    Council,
    CqcRating,
    FactChange,
    MonthlyReturn,
    Provider,
    QaVisit,
    ReturnVersion,
    RiskRating,
    Role,
    SponsorLicenceStatus,
    User,
)
from portal.returns import service
from tests.factories import (
    add_version,
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)

ON = date(2026, 11, 23)  # returns for August, September and October 2026 are open

# Missed visits 10% (red: target 2%, amber to 5%) and punctuality 50% (red: below 75%).
TWO_RED = {
    "planned_visits": "100",
    "delivered_visits": "100",
    "missed_visits": "10",
    "on_time_visits": "50",
    "ecm_visits": "100",
}
ONE_RED = {**TWO_RED, "on_time_visits": "95"}


@dataclass
class World:
    council: Council
    provider: Provider
    contract: Contract
    submitter: User

    @property
    def branch(self) -> Branch:
        return self.provider.branches[0]

    def returns(self) -> list[MonthlyReturn]:
        """August, September and October 2026, oldest first."""
        service.ensure_returns([self.contract], on=ON)
        return list(
            db.session.scalars(
                db.select(MonthlyReturn)
                .where(MonthlyReturn.contract_id == self.contract.id)
                .order_by(MonthlyReturn.period)
            )
        )

    def triggers(self, on: date = ON) -> list[risk_triggers.Trigger]:
        return risk_triggers.triggers_for(self.council.id, self.provider.id, on)

    def codes(self, on: date = ON) -> list[str]:
        return [t.code for t in self.triggers(on)]


def send(case: World, ret: MonthlyReturn, on: date, kpis: dict | None = None) -> ReturnVersion:
    """A version of ``ret`` sent at noon on ``on``."""
    at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    return add_version(ret, case.submitter, {"kpis": kpis or {}}, at=at)


def send_all_on_time(case: World) -> None:
    for ret in case.returns():
        if not ret.versions:
            send(case, ret, service.deadlines(ret).due_on)


def make_world(app, council: Council | None = None, on_time: bool = True) -> World:
    """A provider with a framework contract; with ``on_time``, every open month sent on
    its due date."""
    app.config["TODAY"] = ON.isoformat()
    council = council or make_council()
    provider = make_provider()
    contract = make_contract(provider, council, make_framework(council))
    case = World(council, provider, contract, make_user(Role.PROVIDER_SUBMITTER, provider))
    if on_time:
        send_all_on_time(case)
    return case


@pytest.fixture
def punctual(app) -> World:
    """A provider that sent August, September and October on their due dates."""
    return make_world(app)


def test_a_provider_with_nothing_wrong_is_green_with_no_visit_due(punctual):
    assert punctual.triggers() == []
    row = risk.recompute(punctual.council.id, punctual.provider.id, ON)
    assert (row.rating, row.triggers, row.visit_due_by) == ("green", [], None)


# --- CQC -----------------------------------------------------------------------------------


def test_cqc_requires_improvement_is_amber_and_clears_when_rated_good(punctual):
    punctual.branch.name = "Riverside Home Support - Medway"
    punctual.branch.cqc_rating = CqcRating.REQUIRES_IMPROVEMENT
    punctual.branch.cqc_rating_date = date(2023, 1, 3)
    db.session.commit()
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level, trigger.date) == (
        "cqc_requires_improvement",
        "amber",
        date(2023, 1, 3),
    )
    assert trigger.label == "CQC rating Requires improvement"
    assert trigger.evidence == (
        "CQC rated Riverside Home Support - Medway Requires improvement on 3 January 2023"
    )
    punctual.branch.cqc_rating = CqcRating.GOOD
    db.session.commit()
    assert punctual.triggers() == []


def test_cqc_inadequate_is_red_and_clears(punctual):
    punctual.branch.cqc_rating = CqcRating.INADEQUATE
    punctual.branch.cqc_rating_date = date(2026, 6, 1)
    db.session.add(
        FactChange(
            branch_id=punctual.branch.id,
            field=risk_triggers.FACT_CQC_RATING,
            old_value="good",
            new_value="inadequate",
            source="CQC inspection report",
            effective_on=date(2026, 6, 1),
            recorded_by_id=punctual.submitter.id,
        )
    )
    db.session.commit()
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level) == ("cqc_inadequate", "red")
    assert trigger.evidence.endswith("on 1 June 2026. Source: CQC inspection report")
    punctual.branch.cqc_rating = CqcRating.OUTSTANDING
    db.session.commit()
    assert punctual.triggers() == []


# --- concerns -------------------------------------------------------------------------------


def _concern(punctual: World, raised_on: date, council: Council | None = None, **extra) -> Concern:
    concern = Concern(
        council_id=(council or punctual.council).id,
        provider_id=punctual.provider.id,
        raised_on=raised_on,
        summary=extra.pop("summary", "Missed medication reported by a family"),
        recorded_by_id=punctual.submitter.id,
        **extra,
    )
    db.session.add(concern)
    db.session.commit()
    return concern


def test_an_open_concern_from_the_last_90_days_is_amber_until_closed(punctual):
    concern = _concern(punctual, ON - timedelta(days=10), confidential=True)
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level, trigger.date) == ("concern", "amber", concern.raised_on)
    assert trigger.label == "Concern raised in the last 90 days"
    assert "Missed medication reported by a family" in trigger.evidence
    assert trigger.confidential
    concern.closed_on = ON
    db.session.commit()
    assert punctual.triggers() == []


def test_a_concern_older_than_90_days_or_another_councils_does_not_count(punctual):
    _concern(punctual, ON - timedelta(days=90))
    _concern(punctual, ON - timedelta(days=5), council=make_council())
    assert punctual.triggers() == []
    # 89 days ago still counts; it clears as time passes.
    _concern(punctual, ON - timedelta(days=89))
    assert punctual.codes() == ["concern"]
    assert punctual.codes(ON + timedelta(days=1)) == []


# --- registered manager and sponsor licence -------------------------------------------------


def test_no_registered_manager_is_amber_and_clears_when_one_is_in_post(punctual):
    punctual.branch.registered_manager_in_post = False
    db.session.add(
        FactChange(
            branch_id=punctual.branch.id,
            field=risk_triggers.FACT_REGISTERED_MANAGER,
            old_value="yes",
            new_value="no",
            source="Provider's notification",
            effective_on=date(2026, 10, 1),
            recorded_by_id=punctual.submitter.id,
        )
    )
    db.session.commit()
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level, trigger.date) == (
        "no_registered_manager",
        "amber",
        date(2026, 10, 1),
    )
    assert "since 1 October 2026" in trigger.evidence
    punctual.branch.registered_manager_in_post = True
    db.session.commit()
    assert punctual.triggers() == []


@pytest.mark.parametrize(
    ("status", "code", "level"),
    [
        (SponsorLicenceStatus.SUSPENDED, "sponsor_licence_suspended", "amber"),
        (SponsorLicenceStatus.REVOKED, "sponsor_licence_revoked", "red"),
    ],
)
def test_sponsor_licence_suspended_is_amber_revoked_is_red_and_active_clears(
    punctual, status, code, level
):
    punctual.branch.sponsor_licence_status = status
    db.session.commit()
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level) == (code, level)
    assert "Home Office sponsor licence" in trigger.evidence
    punctual.branch.sponsor_licence_status = SponsorLicenceStatus.ACTIVE
    db.session.commit()
    assert punctual.triggers() == []


# --- KPIs and late returns ------------------------------------------------------------------


def test_two_red_kpis_in_the_latest_return_is_amber_and_a_better_latest_return_clears(app):
    punctual = make_world(app, on_time=False)
    august, september, october = punctual.returns()
    send(punctual, august, service.deadlines(august).due_on, ONE_RED)
    send(punctual, september, service.deadlines(september).due_on, TWO_RED)
    [trigger] = punctual.triggers(service.deadlines(september).due_on + timedelta(days=1))
    assert (trigger.code, trigger.level) == ("red_kpis", "amber")
    assert trigger.label == "2 red KPIs in the latest return"
    assert "September 2026 return" in trigger.evidence
    assert "Missed visits 10.0%" in trigger.evidence
    assert trigger.date == service.deadlines(september).due_on
    # October's return, the latest, has one red KPI: the trigger clears.
    send(punctual, october, service.deadlines(october).due_on, ONE_RED)
    assert punctual.triggers() == []
    # A corrected version of the latest return counts, not the first.
    send(punctual, october, ON, TWO_RED)
    assert punctual.codes() == ["red_kpis"]


def test_two_late_returns_in_the_last_3_months_is_amber_and_one_is_not(app):
    punctual = make_world(app, on_time=False)
    august, september, october = punctual.returns()
    send(punctual, august, service.deadlines(august).due_on + timedelta(days=2))
    send(punctual, september, service.deadlines(september).due_on)
    send(punctual, october, service.deadlines(october).due_on)
    assert punctual.triggers() == []  # one late return
    september.versions[0].submitted_at += timedelta(days=1)
    db.session.commit()
    [trigger] = punctual.triggers()
    assert (trigger.code, trigger.level) == ("late_returns", "amber")
    assert trigger.label == "2 late returns in the last 3 months"
    assert "August 2026 return" in trigger.evidence
    assert "September 2026 return" in trigger.evidence
    # Three months on (November and December sent on time), August's and September's due
    # dates have left the window.
    later = date(2027, 1, 20)
    service.ensure_returns([punctual.contract], on=later)
    for ret in db.session.scalars(
        db.select(MonthlyReturn).where(MonthlyReturn.contract_id == punctual.contract.id)
    ):
        if not ret.versions:
            send(punctual, ret, service.deadlines(ret).due_on)
    assert service.deadlines(september).due_on < date(2026, 10, 20)
    assert punctual.triggers(later) == []


def test_a_return_past_its_due_date_and_not_sent_counts_as_late(app):
    punctual = make_world(app, on_time=False)
    august, september, october = punctual.returns()
    send(punctual, august, service.deadlines(august).due_on)
    # September and October: not sent, both past their due date on 23 November.
    [trigger] = punctual.triggers()
    assert trigger.code == "late_returns"
    assert "not sent" in trigger.evidence
    # On October's due date it is not late yet: only September is.
    assert punctual.triggers(service.deadlines(october).due_on) == []
    send(punctual, september, ON)
    send(punctual, october, ON)
    assert punctual.codes() == ["late_returns"]  # sent, but both after the due date


# --- the rating -----------------------------------------------------------------------------


def test_the_worst_level_wins_across_triggers_and_branches(punctual):
    punctual.branch.cqc_rating = CqcRating.REQUIRES_IMPROVEMENT
    db.session.add(
        Branch(
            provider_id=punctual.provider.id,
            name="Second branch",
            cqc_rating=CqcRating.GOOD,
            sponsor_licence_status=SponsorLicenceStatus.REVOKED,
        )
    )
    db.session.commit()
    db.session.refresh(punctual.provider)
    triggers = punctual.triggers()
    assert {t.level for t in triggers} == {"amber", "red"}
    assert risk_triggers.worst(triggers) == "red"
    row = risk.recompute(punctual.council.id, punctual.provider.id, ON)
    assert row.rating == "red"
    assert [t["code"] for t in row.triggers] == [  # red first
        "sponsor_licence_revoked",
        "cqc_requires_improvement",
    ]
    assert risk_triggers.worst([]) == "green"


def test_visit_due_28_days_for_red_90_for_amber_kept_while_flagged_cleared_for_green(punctual):
    ids = (punctual.council.id, punctual.provider.id)
    punctual.branch.cqc_rating = CqcRating.REQUIRES_IMPROVEMENT
    db.session.commit()
    assert risk.recompute(*ids, ON).visit_due_by == ON + timedelta(days=90)
    # Still amber a week later: the date set first is kept.
    assert risk.recompute(*ids, ON + timedelta(days=7)).visit_due_by == ON + timedelta(days=90)
    # Amber turns red: the visit is due within 28 days of that.
    punctual.branch.cqc_rating = CqcRating.INADEQUATE
    db.session.commit()
    row = risk.recompute(*ids, ON + timedelta(days=10))
    assert (row.rating, row.visit_due_by) == ("red", ON + timedelta(days=38))
    # A visit since then: the next one is due 28 days after it while still red.
    db.session.add(
        QaVisit(
            council_id=punctual.council.id,
            provider_id=punctual.provider.id,
            visited_on=ON + timedelta(days=20),
            outcome="Action plan agreed",
            recorded_by_id=punctual.submitter.id,
        )
    )
    db.session.commit()
    assert risk.recompute(*ids, ON + timedelta(days=20)).visit_due_by == ON + timedelta(days=48)
    # Green: no visit due.
    punctual.branch.cqc_rating = CqcRating.GOOD
    db.session.commit()
    row = risk.recompute(*ids, ON + timedelta(days=21))
    assert (row.rating, row.visit_due_by, row.triggers) == ("green", None, [])
    assert db.session.scalar(db.select(db.func.count(RiskRating.id))) == 1


def test_visit_due_by_rules():
    on = date(2026, 1, 1)
    day = timedelta(days=1)
    assert risk.visit_due_by("green", "red", on, None, on) is None
    assert risk.visit_due_by("red", None, None, None, on) == on + 28 * day
    assert risk.visit_due_by("amber", "green", None, None, on) == on + 90 * day
    # A visit before the rating turned amber does not count.
    assert risk.visit_due_by("amber", None, None, on - day, on) == on + 90 * day
    # Red to amber keeps the sooner date.
    assert risk.visit_due_by("amber", "red", on + 5 * day, None, on) == on + 5 * day


def test_recompute_for_return_and_recompute_all(app, punctual):
    ret = punctual.returns()[-1]
    send(punctual, ret, ON, TWO_RED)
    row = risk.recompute_for_return(ret)
    assert (row.rating, row.visit_due_by) == ("amber", ON + timedelta(days=90))
    other = make_world(app, council=punctual.council)
    other.branch.cqc_rating = CqcRating.INADEQUATE
    db.session.commit()
    rows = risk.recompute_all(punctual.council.id)
    assert {r.provider_id: r.rating for r in rows} == {
        punctual.provider.id: "amber",
        other.provider.id: "red",
    }
    assert [r.provider_id for r in risk.council_ratings(punctual.council.id)] == [
        other.provider.id,
        punctual.provider.id,
    ]


def test_trigger_round_trips_through_json():
    trigger = risk_triggers.Trigger("concern", "amber", "Label", "Evidence", date(2026, 1, 2), True)
    assert risk_triggers.Trigger.from_json(trigger.to_json()) == trigger
