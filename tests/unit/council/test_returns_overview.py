"""A council's returns overview: the contracts x months grid, its filters and counts, the
CSV and XLSX downloads, and who may see it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import MonthlyReturn, ReturnStatus, Role
from portal.returns import service
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
    open_return,
)
from tests.unit.conftest import get_page, sign_in

OCT, SEP, AUG = date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1)
MONTH_HEADS = [
    "October 2026",
    "September 2026",
    "August 2026",
    "July 2026",
    "June 2026",
    "May 2026",
]
NOT_OPEN = ["Not open"] * 3


class _Tables(HTMLParser):
    """Each table row's cells as text (whitespace collapsed), and summary list values."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._in_caption = False
        self.summary: dict[str, str] = {}
        self._summary_part: str | None = None
        self._key = ""
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "dt" and "govuk-summary-list__key" in classes:
            self._summary_part, self._text = "key", []
        elif tag == "dd" and "govuk-summary-list__value" in classes:
            self._summary_part, self._text = "value", []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("dt", "dd") and self._summary_part:
            text = " ".join("".join(self._text).split())
            if self._summary_part == "key":
                self._key = text
            else:
                self.summary[self._key] = text
            self._summary_part = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_caption:
            self.caption += data
        if self._summary_part:
            self._text.append(data)


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _row(html: str, provider_name: str) -> list[str]:
    rows = [r for r in _parse(html).rows if r and r[0].startswith(provider_name)]
    assert len(rows) == 1, (provider_name, rows)
    return rows[0]


def _returns(contract_id: int) -> dict[date, MonthlyReturn]:
    return {
        r.period: r
        for r in db.session.scalars(
            db.select(MonthlyReturn).where(MonthlyReturn.contract_id == contract_id)
        )
    }


def _submit(ret: MonthlyReturn, user, at: datetime, key: str | None = None) -> None:
    version = service.submit(ret.id, user, key or f"key-{ret.id}-{at.isoformat()}").version
    version.submitted_at = at
    db.session.commit()


@pytest.fixture
def three_providers(app):
    """On 23 November 2026 (October due 13 Nov, September due 14 Oct and locked since
    3 Nov, August due 14 Sep and locked since 4 Oct)."""
    app.config["TODAY"] = "2026-11-23"
    council = make_council()
    alpha, beta, gamma = (
        make_provider("Alpha Care Ltd"),
        make_provider("Beta Homecare Ltd"),
        make_provider("Gamma Support Ltd"),
    )
    a = open_return(alpha, council).contract
    b = open_return(beta, council).contract
    c = make_contract(gamma, council)  # a spot contract outside any framework
    db.session.commit()
    service.ensure_returns([c], on=date(2026, 11, 23))
    alpha_user = make_user(Role.PROVIDER_SUBMITTER, provider=alpha)
    beta_user = make_user(Role.PROVIDER_SUBMITTER, provider=beta)
    ra, rb = _returns(a.id), _returns(b.id)
    # Alpha: October sent on its due date (late in the evening, UTC) then sent again late;
    # September sent the day after it was due; August sent on time and then queried.
    _submit(ra[OCT], alpha_user, datetime(2026, 11, 13, 23, 30, tzinfo=UTC))
    _submit(ra[OCT], alpha_user, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    _submit(ra[SEP], alpha_user, datetime(2026, 10, 15, 0, 5, tzinfo=UTC))
    _submit(ra[AUG], alpha_user, datetime(2026, 9, 10, 12, 0, tzinfo=UTC))
    ra[AUG].status = ReturnStatus.QUERIED
    # Beta: October not sent (overdue); September sent on time and accepted; August never
    # sent but reopened until 30 November, so overdue rather than missing.
    _submit(rb[SEP], beta_user, datetime(2026, 10, 14, 10, 0, tzinfo=UTC))
    rb[SEP].status = ReturnStatus.ACCEPTED
    rb[AUG].reopened_until = date(2026, 11, 30)
    db.session.commit()
    commissioner = make_user(Role.COMMISSIONER, council=council)
    return {
        "council": council,
        "contracts": {"alpha": a, "beta": b, "gamma": c},
        "commissioner": commissioner,
        "url": f"/council/{council.id}/returns",
    }


def test_grid_shows_each_contracts_status_per_month_in_words(client, three_providers):
    sign_in(client, three_providers["commissioner"].email)
    html = get_page(client, three_providers["url"])
    tables = _parse(html)
    assert tables.caption.strip() == "Returns by contract, newest month first"
    head = tables.rows[0]
    assert head == ["Provider", "Framework", "Lot or area", "Contract type", *MONTH_HEADS]
    alpha, beta = three_providers["contracts"]["alpha"], three_providers["contracts"]["beta"]
    assert _row(html, "Alpha Care Ltd") == [
        "Alpha Care Ltd: returns",
        alpha.framework.name,
        "North",
        "Framework",
        "Submitted on time",  # version 1 on the due date counts, version 2 does not
        "Submitted late",
        "Queried Sent on time",
        *NOT_OPEN,
    ]
    assert _row(html, "Beta Homecare Ltd") == [
        "Beta Homecare Ltd: returns",
        beta.framework.name,
        "North",
        "Framework",
        "Overdue",
        "Accepted Sent on time",
        "Overdue",  # reopened, so not yet missing
        *NOT_OPEN,
    ]
    assert _row(html, "Gamma Support Ltd") == [
        "Gamma Support Ltd: returns",
        "Outside a framework",
        "Whole council area",
        "Spot",
        "Overdue",
        "Missing",
        "Missing",
        *NOT_OPEN,
    ]
    # Rows are headed by the provider (scope="row"), columns by the month (scope="col").
    assert html.count('<th scope="row"') == 3
    assert html.count('<th scope="col"') == 10
    # Colour backs up the words; it never stands alone.
    assert re.search(r'govuk-tag--yellow"\s*>\s*Submitted late', html)
    assert re.search(r'govuk-tag--blue"\s*>\s*Submitted on time', html)
    assert re.search(r'govuk-tag--red"\s*>\s*Missing', html)
    assert re.search(r'govuk-tag--green"\s*>\s*Accepted', html)
    # Commissioners can go on to a provider's returns.
    council_id = three_providers["council"].id
    assert f'href="/council/{council_id}/providers/{alpha.provider_id}/returns"' in html
    # And the menu shows where they are.
    assert f'href="/council/{council_id}/returns" aria-current="page"' in html


def test_counts_cover_the_months_shown(client, three_providers):
    sign_in(client, three_providers["commissioner"].email)
    html = get_page(client, three_providers["url"])
    assert _parse(html).summary == {
        "Submitted on time": "3",  # Alpha October and August, Beta September
        "Submitted late": "1",  # Alpha September
        "Missing": "2",  # Gamma September and August
        "Still open": "3",  # Beta October and August (reopened), Gamma October
    }
    assert "3 contracts." in html


def test_not_started_and_in_progress_before_the_due_date(client, app):
    app.config["TODAY"] = "2026-11-05"  # October is not due until 13 November
    council = make_council()
    started = open_return(make_provider("Started Care Ltd"), council)
    open_return(make_provider("Waiting Care Ltd"), council)
    started.status = ReturnStatus.IN_PROGRESS
    db.session.commit()
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{council.id}/returns")
    assert _row(html, "Started Care Ltd")[4:7] == ["In progress", "Missing", "Missing"]
    assert _row(html, "Waiting Care Ltd")[4:7] == ["Not started", "Missing", "Missing"]
    assert _parse(html).summary["Still open"] == "2"
    assert _parse(html).summary["Missing"] == "4"


def test_filters_narrow_the_rows(client, three_providers):
    sign_in(client, three_providers["commissioner"].email)
    alpha, beta = three_providers["contracts"]["alpha"], three_providers["contracts"]["beta"]
    url = three_providers["url"]

    def providers(query: str) -> list[str]:
        html = get_page(client, f"{url}?{query}")
        return [r[0].removesuffix(": returns") for r in _parse(html).rows[1:]]

    everyone = ["Alpha Care Ltd", "Beta Homecare Ltd", "Gamma Support Ltd"]
    assert providers("") == everyone
    assert providers(f"framework={alpha.framework_id}") == ["Alpha Care Ltd"]
    assert providers(f"area={beta.area_id}") == ["Beta Homecare Ltd"]
    assert providers("contract_type=spot") == ["Gamma Support Ltd"]
    assert providers("framework=none") == ["Gamma Support Ltd"]
    assert providers(f"framework={alpha.framework_id}&contract_type=spot") == []
    # The choice stays selected, and the counts follow the filter.
    html = get_page(client, f"{url}?framework={alpha.framework_id}")
    assert re.search(rf'<option value="{alpha.framework_id}"\s+selected>', html)
    assert _parse(html).summary == {
        "Submitted on time": "2",
        "Submitted late": "1",
        "Missing": "0",
        "Still open": "0",
    }
    assert "Clear filters" in html
    assert f"returns.csv?framework={alpha.framework_id}" in html
    empty = get_page(client, f"{url}?framework={alpha.framework_id}&contract_type=spot")
    assert "No contracts match these filters." in empty
    # Junk, unknown ids and another council's framework are ignored, not errors.
    other = make_framework(make_council())
    db.session.commit()
    for junk in (
        "framework=abc&area=-1&contract_type=bogus",
        "framework=99999999&area=99999999",
        f"framework={other.id}&area={other.areas[0].id}",
        "framework=1e9&area=%00&contract_type=",
        "framework=" + "9" * 40,
    ):
        assert providers(junk) == everyone, junk


def test_qa_officer_sees_the_grid_without_links_to_commissioner_pages(client, three_providers):
    qa = make_user(Role.QA_OFFICER, council=three_providers["council"])
    sign_in(client, qa.email)
    html = get_page(client, three_providers["url"])
    assert _row(html, "Alpha Care Ltd")[0] == "Alpha Care Ltd"
    assert "/providers/" not in html
    assert client.get(three_providers["url"] + ".csv").status_code == 200
    assert client.get(three_providers["url"] + ".xlsx").status_code == 200


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_other_councils_get_404_and_other_roles_get_403(client, three_providers, suffix):
    outsider = make_user(Role.COMMISSIONER, council=make_council())
    sign_in(client, outsider.email)
    assert client.get(three_providers["url"] + suffix).status_code == 404
    for user in (
        make_user(Role.PROVIDER_SUBMITTER, provider=three_providers["contracts"]["alpha"].provider),
        make_user(Role.PROVIDER_MANAGER, provider=three_providers["contracts"]["alpha"].provider),
        make_user(Role.FORUM_MEMBER, council=three_providers["council"]),
    ):
        other = client.application.test_client()
        sign_in(other, user.email)
        assert other.get(three_providers["url"] + suffix).status_code == 403, user.memberships[
            0
        ].role
    anonymous = client.application.test_client()
    response = anonymous.get(three_providers["url"] + suffix)
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_a_council_without_contracts(client, app):
    app.config["TODAY"] = "2026-11-23"
    council = make_council()
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{council.id}/returns")
    assert f"{council.name} has no contracts yet." in html
    response = client.get(f"/council/{council.id}/returns.csv")
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == ["Provider,Framework,Area,Contract type,Month,Status,Submitted at,Versions"]


# --- downloads ---------------------------------------------------------------------------


def _hostile_provider(three_providers) -> None:
    """Two contracts whose provider names a spreadsheet would run as formulas."""
    council = three_providers["council"]
    for name in ('=HYPERLINK("http://x")', "-1+2"):
        provider = make_provider(name)
        make_contract(provider, council, make_framework(council))
    db.session.commit()


def test_csv_export_has_a_row_per_contract_and_month(client, three_providers):
    _hostile_provider(three_providers)
    sign_in(client, three_providers["commissioner"].email)
    alpha = three_providers["contracts"]["alpha"]
    response = client.get(f"{three_providers['url']}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{three_providers["council"].slug}-returns-2026-05-to-2026-10.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5 * 6
    assert list(rows[0]) == [
        "Provider",
        "Framework",
        "Area",
        "Contract type",
        "Month",
        "Status",
        "Submitted at",
        "Versions",
    ]
    by_key = {(r["Provider"], r["Month"]): r for r in rows}
    assert by_key[("Alpha Care Ltd", "2026-10")] == {
        "Provider": "Alpha Care Ltd",
        "Framework": alpha.framework.name,
        "Area": "North",
        "Contract type": "Framework",
        "Month": "2026-10",
        "Status": "Submitted on time",
        "Submitted at": "2026-11-13 23:30:00",
        "Versions": "2",
    }
    assert by_key[("Alpha Care Ltd", "2026-08")]["Status"] == "Queried, sent on time"
    assert by_key[("Gamma Support Ltd", "2026-09")]["Status"] == "Missing"
    assert by_key[("Gamma Support Ltd", "2026-09")]["Framework"] == ""
    assert by_key[("Gamma Support Ltd", "2026-05")]["Status"] == "Not open"
    # Formula-like names are escaped with a leading quote.
    names = {r["Provider"] for r in rows}
    assert '\'=HYPERLINK("http://x")' in names and "'-1+2" in names
    assert not any(n.startswith(("=", "-", "+", "@")) for n in names)
    # The filters apply to the download too.
    spot = (
        client.get(f"{three_providers['url']}.csv?contract_type=spot")
        .get_data()
        .decode("utf-8-sig")
    )
    assert {r["Provider"] for r in csv.DictReader(io.StringIO(spot))} == {"Gamma Support Ltd"}


def test_xlsx_export_keeps_text_as_text_and_numbers_as_numbers(client, three_providers):
    _hostile_provider(three_providers)
    sign_in(client, three_providers["commissioner"].email)
    response = client.get(f"{three_providers['url']}.xlsx?framework=&area=&contract_type=framework")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{three_providers["council"].slug}-returns-2026-05-to-2026-10.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Provider",
        "Framework",
        "Area",
        "Contract type",
        "Month",
        "Status",
        "Submitted at",
        "Versions",
    )
    assert len(rows) == 1 + 4 * 6  # the spot contract is filtered out
    hostile = [
        cell
        for row in sheet.iter_rows(min_row=2, max_col=1)
        for cell in row
        if "HYPERLINK" in str(cell.value) or "1+2" in str(cell.value)
    ]
    assert {c.value for c in hostile} == {'\'=HYPERLINK("http://x")', "'-1+2"}
    assert all(c.data_type == "s" for c in hostile)
    alpha_october = next(r for r in rows if r[0] == "Alpha Care Ltd" and r[4] == "2026-10")
    assert alpha_october[5] == "Submitted on time"
    assert alpha_october[6] == datetime(2026, 11, 13, 23, 30)
    assert alpha_october[7] == 2 and isinstance(alpha_october[7], int)
    not_open = next(r for r in rows if r[0] == "Alpha Care Ltd" and r[4] == "2026-05")
    assert not_open[5:] == ("Not open", None, 0)


def test_period_range_follows_today(client, app):
    app.config["TODAY"] = "2027-01-02"
    council = make_council()
    ret = open_return(make_provider(), council)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    get_page(client, f"/council/{council.id}/returns")
    assert date(2026, 12, 1) not in set(_returns(ret.contract_id))  # the page opens nothing
    service.open_due_returns(date(2027, 1, 2))  # the daily job does
    html = get_page(client, f"/council/{council.id}/returns")
    assert _parse(html).rows[0][4:] == [
        "December 2026",
        "November 2026",
        "October 2026",
        "September 2026",
        "August 2026",
        "July 2026",
    ]
    # The job opened December's and November's returns (due on the 10th working day).
    opened = _returns(ret.contract_id)
    assert {date(2026, 12, 1), date(2026, 11, 1)} <= set(opened)
    assert _row(html, ret.contract.provider.name)[4:6] == ["Not started", "Overdue"]


def test_grid_says_a_sent_return_changed_since_it_was_sent(client, three_providers):
    """A queried return whose training records changed after it was sent (its training
    section back to in progress, unconfirmed) reads "Changed since sent" on the grid, as
    on the provider's own pages; the grid works this out in its one query."""
    from portal.models import SectionState

    alpha = three_providers["contracts"]["alpha"]
    ret = _returns(alpha.id)[OCT]
    ret.status = ReturnStatus.QUERIED
    training = service.section(ret, "training")
    training.state, training.data = SectionState.IN_PROGRESS, {"confirmed": False}
    db.session.commit()
    sign_in(client, three_providers["commissioner"].email)
    html = get_page(client, three_providers["url"])
    assert _row(html, "Alpha Care Ltd")[4] == "Changed since sent Sent on time"
    assert service.display_status(ret).text == "Changed since sent"
