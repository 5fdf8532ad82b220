"""A council's overview: RAG counts, CQC ratings of framework providers against all
providers, the market table and hourly rates, hours and cost by provider, handbacks this
quarter, capacity by area, the charts' text alternatives, and who may see it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from portal.models import Branch, CqcRating, MonthlyReturn, RiskRating, Role
from portal.returns import service
from tests.conftest import shows
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
    open_return,
)
from tests.unit.conftest import get_page, sign_in

OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)


class _Tables(HTMLParser):
    """Each table's rows (cells as text, whitespace collapsed), by caption; and the
    images with their alt text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[dict] = []
        self._rows: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _return(contract, period: date) -> MonthlyReturn:
    return db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == period
        )
    )


def _submit(ret: MonthlyReturn, user, *, delivered=None, handbacks=None, capacity=None, key=""):
    if delivered is not None:
        service.section(ret, "kpis").data = {"delivered_hours": delivered}
    if handbacks is not None:
        rows = [
            {
                "reference": f"P{i}",
                "notice_date": "2026-10-01",
                "end_date": "2026-10-20",
                "weekly_hours": hours,
                "service_type": "homecare",
                "area": area,
                "reason": reason,
                "reason_details": "",
            }
            for i, (reason, area, hours) in enumerate(handbacks)
        ]
        service.section(ret, "handbacks").data = {"none": not rows, "rows": rows}
    if capacity is not None:
        service.section(ret, "capacity").data = {
            "areas": [{"area": area, "spare_hours": spare} for area, spare in capacity]
        }
    db.session.commit()
    service.submit(ret.id, user, key or f"key-{ret.id}-{delivered}-{len(handbacks or [])}")


def _rate(contract, rate: str | None) -> None:
    contract.hourly_rate = Decimal(rate) if rate else None


@pytest.fixture
def four_providers_market(app):
    """Two framework providers (Alpha: good; Beta: one good and one requires improvement
    branch) and two spot providers (Gamma: inadequate, with a return; Delta: not yet
    rated, no returns)."""
    app.config["TODAY"] = "2026-11-23"
    on = date(2026, 11, 23)
    council = make_council()
    alpha_oct = open_return(make_provider("Alpha Care Ltd"), council)
    beta_oct = open_return(make_provider("Beta Homecare Ltd"), council)
    alpha, beta = alpha_oct.contract, beta_oct.contract
    db.session.add(
        Branch(
            provider=beta.provider,
            name="Beta second branch",
            cqc_rating=CqcRating.REQUIRES_IMPROVEMENT,
        )
    )
    gamma_provider = make_provider("Gamma Support Ltd")
    gamma_provider.branches[0].cqc_rating = CqcRating.INADEQUATE
    gamma = make_contract(gamma_provider, council)
    delta_provider = make_provider("Delta Care Ltd")
    delta_provider.branches[0].cqc_rating = CqcRating.NOT_YET_RATED
    delta = make_contract(delta_provider, council)
    for contract, rate in ((alpha, "20.00"), (beta, "18.00"), (gamma, "16.00"), (delta, "30")):
        _rate(contract, rate)
    db.session.commit()
    service.ensure_returns([gamma], on=on)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=alpha.provider)

    # Alpha: September (last quarter, older) is not used; October's second version is.
    _submit(
        _return(alpha, SEP),
        submitter,
        delivered="9999",
        handbacks=[("safety", "North", "99")],
        capacity=[("North", "500")],
    )
    _submit(
        alpha_oct,
        submitter,
        delivered="1",
        handbacks=[("other", "North", "1"), ("staffing", "North", "10")],
        key="alpha-v1",
    )
    _submit(
        alpha_oct,
        submitter,
        delivered="520",  # 120 hours a week at £20.00
        handbacks=[("staffing", "North", "10"), ("travel", "North", "5")],
        capacity=[("North", "12.5")],
        key="alpha-v2",
    )
    _submit(
        beta_oct,
        submitter,
        delivered="260",  # 60 hours a week at £18.00
        handbacks=[("staffing", "North", "7.5")],
        capacity=[("North", "0")],
    )
    _submit(
        _return(gamma, OCT),
        submitter,
        delivered="130",  # 30 hours a week at £16.00
        handbacks=[("staffing", "Whole council area", "4")],
        capacity=[("Whole council area", "20")],
    )
    commissioner = make_user(Role.COMMISSIONER, council=council)
    return {
        "council": council,
        "contracts": {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta},
        "commissioner": commissioner,
        "url": f"/council/{council.id}/overview",
    }


def _page(client, four_providers_market) -> _Tables:
    sign_in(client, four_providers_market["commissioner"].email)
    return _parse(get_page(client, four_providers_market["url"]))


def test_market_table_hours_and_cost_framework_against_spot(client, four_providers_market):
    tables = _page(client, four_providers_market).tables
    assert tables["Market: framework against Spot, DPS and block"] == [
        [
            "Contracts",
            "Providers",
            "Contracts",
            "Contracts with hours reported",
            "Hours per week",
            "Weekly cost",
        ],
        ["Framework", "2", "2", "2", "180.00", "£3,480.00"],
        ["Spot, DPS and block", "2", "2", "1", "30.00", "£480.00"],
        ["Total", "4", "4", "3", "210.00", "£3,960.00"],
    ]
    assert tables["Hours per week and weekly cost by provider"][1:] == [
        ["Alpha Care Ltd", "120.00", "0.00", "120.00", "£2,400.00"],
        ["Beta Homecare Ltd", "60.00", "0.00", "60.00", "£1,080.00"],
        ["Gamma Support Ltd", "0.00", "30.00", "30.00", "£480.00"],
    ]


def test_hourly_rates_average_lowest_and_highest(client, four_providers_market):
    assert _page(client, four_providers_market).tables["Hourly rates"][1:] == [
        ["All contracts", "4", "£21.00", "£16.00", "£30.00"],
        ["Framework", "2", "£19.00", "£18.00", "£20.00"],
        ["Spot, DPS and block", "2", "£23.00", "£16.00", "£30.00"],
    ]


def test_cqc_ratings_framework_providers_against_all(client, four_providers_market):
    table = _page(client, four_providers_market).tables[
        "CQC ratings: framework providers against all providers"
    ]
    assert table[0][1] == "Framework providers (2)" and table[0][3] == "All providers (4)"
    assert table[1:] == [
        ["Inadequate", "0", "0%", "1", "25%"],
        ["Requires improvement", "1", "50%", "1", "25%"],  # Beta's worst branch
        ["Good", "1", "50%", "1", "25%"],
        ["Outstanding", "0", "0%", "0", "0%"],
        ["Not yet rated", "0", "0%", "1", "25%"],
    ]


def test_handbacks_this_quarter_by_reason_and_area(client, four_providers_market):
    parsed = _page(client, four_providers_market)
    # September is last quarter; Alpha's October version 1 was replaced by version 2.
    assert parsed.tables["Handbacks by reason"][1:] == [
        ["Staffing", "3", "21.50"],
        ["Travel or geography", "1", "5.00"],
    ]
    assert parsed.tables["Handbacks by area"][1:] == [
        ["North", "3", "22.50"],
        ["Whole council area", "1", "4.00"],
    ]


def test_capacity_by_area(client, four_providers_market):
    assert _page(client, four_providers_market).tables["Capacity offered by area"][1:] == [
        ["Whole council area", "20.00", "1"],
        ["North", "12.50", "1"],  # Beta offers nothing in North
    ]


def test_capacity_past_its_valid_until_date_is_left_out(client, four_providers_market):
    version = _return(four_providers_market["contracts"]["gamma"], OCT).versions[-1]
    data = {**version.data, "sections": {**version.data["sections"]}}
    data["sections"]["capacity"] = {
        "areas": [{"area": "Whole council area", "spare_hours": "20", "valid_until": "2026-11-20"}]
    }
    version.data = data  # valid until 20 November; today is 23 November
    db.session.commit()
    sign_in(client, four_providers_market["commissioner"].email)
    html = get_page(client, four_providers_market["url"])
    assert _parse(html).tables["Capacity offered by area"][1:] == [["North", "12.50", "1"]]
    assert shows(
        html,
        "1 area was left out because the provider’s answers were past their valid-until date",
    )


def test_rag_counts_and_providers(client, four_providers_market):
    stamp = datetime(2026, 11, 23, 9, tzinfo=UTC)  # today: not recomputed
    db.session.execute(
        db.delete(RiskRating)
    )  # rated by four_providers_market's submissions; pin these
    for name, rating in (
        ("alpha", "green"),
        ("beta", "amber"),
        ("gamma", "red"),
        ("delta", "amber"),
    ):
        contract = four_providers_market["contracts"][name]
        db.session.add(
            RiskRating(
                council_id=four_providers_market["council"].id,
                provider_id=contract.provider_id,
                rating=rating,
                triggers=[],
                computed_at=stamp,
            )
        )
    db.session.commit()
    parsed = _page(client, four_providers_market)
    assert parsed.tables["Providers by risk rating"][1:] == [
        ["Red", "1"],
        ["Amber", "2"],
        ["Green", "1"],
    ]
    assert parsed.tables["Each provider’s risk rating, red first"][1:] == [
        ["Gamma Support Ltd", "Red"],
        ["Beta Homecare Ltd", "Amber"],
        ["Delta Care Ltd", "Amber"],
        ["Alpha Care Ltd", "Green"],
    ]


def test_missing_ratings_are_worked_out_without_storing_them(client, four_providers_market):
    stored_before = db.session.scalar(db.select(db.func.count()).select_from(RiskRating))
    assert stored_before < 4  # at least one provider has never been rated
    parsed = _page(client, four_providers_market)
    rows = dict(parsed.tables["Each provider’s risk rating, red first"][1:])
    assert rows["Gamma Support Ltd"] == "Red"  # inadequate CQC rating
    # Reading the overview stores nothing: the ratings are saved by their inputs' changes.
    count = db.session.scalar(db.select(db.func.count()).select_from(RiskRating))
    assert count == stored_before


def test_every_chart_has_a_text_alternative_and_a_table(client, four_providers_market):
    sign_in(client, four_providers_market["commissioner"].email)
    response = client.get(four_providers_market["url"])
    html = response.get_data(as_text=True)
    parsed = _parse(html)
    charts = [i for i in parsed.images if i.get("src", "").startswith("data:image/svg+xml;base64,")]
    assert len(charts) == 6  # RAG, CQC, hours, handbacks by reason and area, capacity
    assert all(i.get("alt") for i in charts)
    alts = " ".join(i["alt"] for i in charts)
    assert "Staffing: 3" in alts and "Whole council area: 20.00" in alts
    assert html.count("<figcaption") == 6 and html.count("<table") == 9
    # CSP: no inline styles or scripts added by the page.
    assert " style=" not in html
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]


def test_no_data_yet_without_returns(client, app):
    app.config["TODAY"] = "2026-11-23"
    council = make_council()
    make_contract(make_provider(), council, make_framework(council))
    db.session.commit()
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{council.id}/overview")
    tables = _parse(html).tables
    assert tables["Market: framework against Spot, DPS and block"][1] == [
        "Framework",
        "1",
        "1",
        "0",
        "No data yet",
        "No data yet",
    ]
    assert "Hours per week and weekly cost by provider" not in tables
    assert "Handbacks by reason" not in tables and "Capacity offered by area" not in tables
    assert html.count("No data yet.") == 3  # hours by provider, handbacks, capacity


def test_a_council_without_contracts(client, app):
    app.config["TODAY"] = "2026-11-23"
    council = make_council()
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{council.id}/overview")
    assert f"{council.name} has no contracts yet. No data yet." in html
    assert "<img" not in html and "£" not in html


def test_who_may_see_it(client, four_providers_market):
    council = four_providers_market["council"]
    outsider = make_user(Role.COMMISSIONER, council=make_council())
    sign_in(client, outsider.email)
    assert client.get(four_providers_market["url"]).status_code == 404
    alpha = four_providers_market["contracts"]["alpha"]
    for role, kwargs, status in (
        (Role.PROVIDER_SUBMITTER, {"provider": alpha.provider}, 403),
        (Role.PROVIDER_MANAGER, {"provider": alpha.provider}, 403),
        (Role.FORUM_MEMBER, {"council": council}, 403),
        (Role.QA_OFFICER, {"council": council}, 200),
        (Role.COMMISSIONER, {"council": council}, 200),
    ):
        other = client.application.test_client()
        sign_in(other, make_user(role, **kwargs).email)
        assert other.get(four_providers_market["url"]).status_code == status, role


def test_navigation_links_for_commissioners_and_qa_officers(client, four_providers_market):
    council = four_providers_market["council"]
    for user in (
        four_providers_market["commissioner"],
        make_user(Role.QA_OFFICER, council=council),
    ):
        other = client.application.test_client()
        sign_in(other, user.email)
        html = get_page(other, f"/council/{council.id}/returns")
        assert f'href="/council/{council.id}/overview"' in html and "Council overview" in html
