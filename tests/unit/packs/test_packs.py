"""Quarterly contract-meeting packs: a provider's pack (PDF and XLSX) built from each
month's latest submitted return, with commentary on red KPIs, actions carried from earlier
meetings, training against the area and risk triggers; the framework summary; the job
handlers (one copy of each file however often they run) and ``flask build-pack``."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.background.jobs import submit
from portal.extensions import db
from portal.models import (
    Concern,
    Contract,
    Document,
    Job,
    KpiCommentary,
    MeetingAction,
    MonthlyReturn,
    Role,
    SectionState,
)
from portal.packs import FRAMEWORK_PACK, PACK, framework_pack_key, pack_key
from portal.packs.build import build_framework_pack, build_pack
from portal.packs.months import PackError
from portal.returns import service
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)

JUL, AUG, SEP = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
SAFEGUARDING, CARE_WORKER = 20, 8

KPIS_JULY = {
    "planned_visits": "200", "delivered_visits": "196", "missed_visits": "12",
    "on_time_visits": "180", "ecm_visits": "170", "commissioned_hours": "500",
    "delivered_hours": "490", "referrals_offered": "10", "referrals_accepted": "8",
    "packages_started_on_time": "4", "complaints": "1", "compliments": "3",
    "safeguarding_concerns": "0", "users_reviewed": "10", "outcomes_met": "9",
}  # fmt: skip
WORKFORCE_JULY = {
    "headcount": "40", "fte": "30", "vacancies": "3.5", "starters": "2", "leavers": "4",
    "sickness_days": "12.5", "agency_hours": "20", "visa_staff": "6",
    "sponsor_licence": "active", "registered_manager": "yes", "lowest_pay": "12.60",
    "median_pay": "13.10", "rlw_staff": "10", "travel_time_paid": "yes",
    "zero_hours_staff": "5", "care_cert_completed": "30", "care_cert_in_progress": "5",
    "care_cert_not_started": "5",
}  # fmt: skip
COMMENTARY = "Two carers left at short notice in July; both posts are filled now."
FORMULA = '=HYPERLINK("http://example.com","Click")'


def _person(worker_id: str, expiry: str) -> dict:
    return {
        "worker_id": worker_id,
        "job_role": CARE_WORKER,
        "branch": "Main",
        "left_on": None,
        "training": [
            {"category": SAFEGUARDING, "date_completed": "2024-01-10", "expiry_date": expiry}
        ],
        "missing": [],
    }


def _return(contract, period: date) -> MonthlyReturn:
    return db.session.scalar(
        select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == period
        )
    )


def _send(ret: MonthlyReturn, user, key: str, **sections) -> MonthlyReturn:
    for code, data in sections.items():
        section = service.section(ret, code)
        section.data = data
        section.state = SectionState.COMPLETED
    db.session.commit()
    service.submit(ret.id, user, key)
    return ret


@pytest.fixture
def quarter_of_returns(app):
    """Alpha Care has a framework contract: July submitted (a red KPI with commentary),
    August not submitted, September submitted twice (the second version counts). Beta Care
    is on the same framework, for the area's training figures."""
    app.config["TODAY"] = "2026-11-23"
    council = make_council("Testshire County Council")
    framework = make_framework(council)
    alpha, beta = make_provider("Alpha Care Ltd"), make_provider("Beta Care Ltd")
    outsider = make_provider("Outside Care Ltd")
    contract = make_contract(alpha, council, framework)
    make_contract(alpha, council)  # a spot contract with nothing submitted
    beta_contract = make_contract(beta, council, framework)
    alpha.branches[0].registered_manager_in_post = False
    db.session.commit()
    service.ensure_returns([contract, beta_contract], on=date(2026, 10, 5))
    user = make_user(Role.PROVIDER_MANAGER, provider=alpha)
    beta_user = make_user(Role.PROVIDER_MANAGER, provider=beta)
    commissioner = make_user(Role.COMMISSIONER, council=council)

    july = _send(_return(contract, JUL), user, "jul", kpis=KPIS_JULY, workforce=WORKFORCE_JULY)
    db.session.add(
        KpiCommentary(return_id=july.id, kpi="missed_visits", text=COMMENTARY, author_id=user.id)
    )
    september = _return(contract, SEP)
    _send(september, user, "sep-1", kpis={**KPIS_JULY, "missed_visits": "40"})
    handback = {
        "reference": FORMULA, "notice_date": "2026-09-01", "end_date": "2026-09-20",
        "weekly_hours": "7.5", "service_type": "homecare", "area": "North",
        "reason": "staffing", "reason_details": "",
    }  # fmt: skip
    _send(
        september,
        user,
        "sep-2",
        kpis={**KPIS_JULY, "missed_visits": "2"},
        handbacks={"none": False, "rows": [handback]},
        capacity={"areas": [{"area": "North", "spare_hours": "12.5", "double_handed": "yes"}]},
        training={
            "confirmed": True,
            "as_at": "2026-09-30",
            "staff": [_person("A1", "2028-01-09"), _person("A2", "2025-01-09")],
        },
    )
    _send(
        _return(beta_contract, SEP),
        beta_user,
        "beta-sep",
        kpis=KPIS_JULY,
        training={
            "confirmed": True,
            "as_at": "2026-09-30",
            "staff": [_person("B1", "2028-01-09"), _person("B2", "2028-02-09")],
        },
    )

    def action(quarter, text, done_on=None, provider=alpha):
        db.session.add(
            MeetingAction(
                council_id=council.id, provider_id=provider.id, quarter=quarter, text=text,
                owner="Provider manager", due_on=date(2026, 9, 30), done_on=done_on,
                recorded_by_id=commissioner.id,
            )
        )  # fmt: skip

    action("2026-Q2", "Send the recruitment plan")
    action("2026-Q2", "Review the missed visits", done_on=date(2026, 8, 10))
    action("2026-Q1", "An action closed long ago", done_on=date(2026, 5, 1))
    action("2026-Q3", FORMULA)
    action("2026-Q4", "An action for a later meeting")
    action("2026-Q2", "Beta's own action", provider=beta)
    db.session.add(
        Concern(
            council_id=council.id, provider_id=alpha.id, raised_on=date(2026, 9, 1),
            summary="Whistleblower named a carer", confidential=True,
            recorded_by_id=commissioner.id,
        )
    )  # fmt: skip
    db.session.commit()
    return {
        "council": council, "framework": framework, "alpha": alpha, "beta": beta,
        "outsider": outsider, "commissioner": commissioner,
    }  # fmt: skip


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_pdf_shows_the_quarter_from_each_months_latest_version(quarter_of_returns):
    pdf, _, stem = build_pack(
        quarter_of_returns["council"].id, quarter_of_returns["alpha"].id, "2026-Q3"
    )
    text = _pdf_text(pdf)
    assert stem == "contract-meeting-pack-alpha-care-ltd-testshire-county-council-2026-Q3"
    assert "Alpha Care Ltd" in text and "Testshire County Council" in text
    assert "July to September 2026 (2026-Q3)" in text
    assert "Red KPIs 3 in the quarter's returns" in text
    assert "No return submitted for August 2026." in text
    assert "Spot contract" in text  # every contract with the council, each with its months
    assert "No return submitted for July 2026, August 2026, September 2026." in text
    # July: 12 of 200 visits missed is 6.0%, red; September's second version: 1.0%, green.
    assert "6.0% RED" in text.upper()
    assert "1.0% GREEN" in text.upper()
    assert "20.0%" not in text  # the first September version's missed visits
    assert "Visits started on time" in text and "91.8%" in text
    assert "Apr 2026" in text  # the trend charts go back six months, to April
    # The provider's commentary sits with the red KPI; another red one has none.
    assert COMMENTARY in text
    assert (
        "Packages started on the planned date, July 2026 (50.0%, Red): No commentary given" in text
    )


def test_the_pdf_carries_open_actions_and_hides_confidential_concerns(quarter_of_returns):
    text = _pdf_text(
        build_pack(quarter_of_returns["council"].id, quarter_of_returns["alpha"].id, "2026-Q3")[0]
    )
    assert "Send the recruitment plan" in text  # open from the last meeting
    assert "Review the missed visits" in text and "Done on 10 August 2026" in text
    assert FORMULA.split("(")[0] in text  # recorded for this quarter
    assert "closed long ago" not in text
    assert "later meeting" not in text
    assert "Beta's own action" not in text
    # Risk: no registered manager; the confidential concern shows only that one is open.
    assert "No registered manager" in text
    assert "A concern is open" in text
    assert "Whistleblower" not in text
    # Capacity, handbacks, workforce and training against the area.
    assert "12.5" in text and "7.5" in text
    assert "Turnover in the quarter 10.0%" in text
    assert "Safeguarding" in text and "50.0%" in text and "75.0%" in text


def test_the_workbook_has_a_sheet_per_section_with_typed_and_escaped_cells(quarter_of_returns):
    _, xlsx, _ = build_pack(
        quarter_of_returns["council"].id, quarter_of_returns["alpha"].id, "2026-Q3"
    )
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == [
        "Cover", "KPIs", "Commentary on red KPIs", "Trends", "Capacity", "Handbacks",
        "Workforce", "Training", "Risk triggers", "Actions",
    ]  # fmt: skip
    kpis = _rows(book["KPIs"])
    assert kpis[0][:4] == ["Contract", "KPI", "Month", "Percent"]
    missed_july = next(r for r in kpis if r[1] == "Missed visits" and r[2] == "July 2026")
    assert missed_july[3] == 6.0 and isinstance(missed_july[3], int | float)  # not text
    assert missed_july[4] == 2.0 and missed_july[6] == "Red"
    august = next(r for r in kpis if r[1] == "Missed visits" and r[2] == "August 2026")
    assert august[3] is None and august[7] == "No return submitted"
    commentary = _rows(book["Commentary on red KPIs"])
    assert [COMMENTARY] == [r[5] for r in commentary if r[1] == "Missed visits"]
    handbacks = _rows(book["Handbacks"])
    assert handbacks[1][2] == "'" + FORMULA  # text that would run as a formula is escaped
    assert handbacks[1][5] == 7.5
    actions = _rows(book["Actions"])
    assert "'" + FORMULA in [r[1] for r in actions]
    workforce = _rows(book["Workforce"])
    headcount = next(r for r in workforce if r[1] == "Care staff headcount")
    assert headcount[2:5] == [40, None, None]
    training = next(r for r in _rows(book["Training"]) if r[0] == "Safeguarding adults")
    assert training[1:3] == [2, 1] and training[6:9] == [50.0, 75.0, -25.0]


def test_a_nil_return_is_shown_as_one_and_not_as_missing(quarter_of_returns):
    beta = quarter_of_returns["beta"]
    july = db.session.scalar(
        select(MonthlyReturn)
        .join(MonthlyReturn.contract)
        .where(MonthlyReturn.period == JUL, Contract.provider_id == beta.id)
    )
    user = make_user(Role.PROVIDER_SUBMITTER, provider=beta)
    service.set_nil_return(july, True, user)
    service.submit(july.id, user, "beta-nil")
    pdf, xlsx, _ = build_pack(quarter_of_returns["council"].id, beta.id, "2026-Q3")
    text = _pdf_text(pdf)
    assert "Nil return" in text
    assert "No return submitted for August 2026." in text  # July is not missing
    notes = {r[2]: r[7] for r in _rows(load_workbook(io.BytesIO(xlsx))["KPIs"])}
    assert notes["July 2026"] == "Nil return: no service this month"


def test_a_provider_without_a_contract_or_a_bad_quarter_is_refused(quarter_of_returns):
    with pytest.raises(PackError, match="Outside Care Ltd has no contract with Testshire"):
        build_pack(quarter_of_returns["council"].id, quarter_of_returns["outsider"].id, "2026-Q3")
    with pytest.raises(PackError, match="like 2026-Q3"):
        build_pack(quarter_of_returns["council"].id, quarter_of_returns["alpha"].id, "2026-Q5")
    elsewhere = make_framework(make_council())
    with pytest.raises(PackError, match="not one of this council's frameworks"):
        build_framework_pack(quarter_of_returns["council"].id, elsewhere.id, "2026-Q3")


def test_the_framework_summary_shows_providers_side_by_side(quarter_of_returns):
    pdf, xlsx, stem = build_framework_pack(
        quarter_of_returns["council"].id, quarter_of_returns["framework"].id, "2026-Q3"
    )
    text = _pdf_text(pdf)
    assert stem.startswith("framework-summary-pack-framework-")
    assert text.index("Alpha Care Ltd") < text.index("Beta Care Ltd")
    assert "2 of 3" in text and "1 of 3" in text and "Whole framework" in text
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == [
        "Cover", "KPIs", "Capacity and handbacks", "Workforce", "Training", "Risk and actions",
    ]  # fmt: skip
    missed = {r[0]: r[4] for r in _rows(book["KPIs"]) if r[3] == "Missed visits"}
    # Alpha: 12 + 2 missed of 400 planned; Beta: 12 of 200; together 26 of 600.
    assert missed == {"Alpha Care Ltd": 3.5, "Beta Care Ltd": 6.0, "Whole framework": 4.3}
    # Across all 11 mandatory categories: each member of staff has 1 of them.
    training = {r[0]: r[1] for r in _rows(book["Training"])[1:]}
    assert training == {"Alpha Care Ltd": 4.5, "Beta Care Ltd": 9.1, "Whole council area": 6.8}


def test_the_job_run_twice_keeps_one_document_per_format(quarter_of_returns):
    council, alpha = quarter_of_returns["council"], quarter_of_returns["alpha"]
    params = {"council_id": council.id, "provider_id": alpha.id, "quarter": "2026-Q3"}
    key = pack_key(council.id, alpha.id, "2026-Q3")
    first = submit(PACK, key, params, council_id=council.id, provider_id=alpha.id)
    second = submit(PACK, key, params, council_id=council.id, provider_id=alpha.id)
    assert first.id != second.id and first.status == second.status == "done"
    assert second.result["pdf"].endswith("2026-Q3.pdf")
    documents = db.session.scalars(select(Document).order_by(Document.format)).all()
    assert [(d.kind, d.format, d.period, d.provider_id) for d in documents] == [
        (PACK, "pdf", "2026-Q3", alpha.id),
        (PACK, "xlsx", "2026-Q3", alpha.id),
    ]
    assert documents[0].job_id == second.id and documents[0].content.startswith(b"%PDF")

    fw = quarter_of_returns["framework"]
    fw_params = {"council_id": council.id, "framework_id": fw.id, "quarter": "2026-Q3"}
    for _ in range(2):
        job = submit(FRAMEWORK_PACK, framework_pack_key(council.id, fw.id, "2026-Q3"),
                     fw_params, council_id=council.id)  # fmt: skip
        assert job.status == "done", job.error
    count = db.session.scalar(
        select(func.count(Document.id)).where(
            Document.kind == FRAMEWORK_PACK, Document.framework_id == fw.id
        )
    )
    assert count == 2


def test_the_job_fails_with_a_message_for_a_provider_without_a_contract(quarter_of_returns):
    council, outsider = quarter_of_returns["council"], quarter_of_returns["outsider"]
    job = submit(
        PACK,
        pack_key(council.id, outsider.id, "2026-Q3"),
        {"council_id": council.id, "provider_id": outsider.id, "quarter": "2026-Q3"},
        council_id=council.id,
    )
    assert job.status == "failed"
    assert job.error == "Outside Care Ltd has no contract with Testshire County Council"
    assert db.session.scalar(select(func.count(Document.id))) == 0
    assert db.session.get(Job, job.id).attempts == 1  # not retried: it cannot help


def test_cli_writes_both_files(app, quarter_of_returns, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["build-pack", "--council", "testshire", "--provider", "alpha care ltd",
              "--quarter", "2026-Q3", "--out", str(tmp_path / "packs")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in Path(tmp_path / "packs").iterdir())
    stem = "contract-meeting-pack-alpha-care-ltd-testshire-county-council-2026-Q3"
    assert written == [f"{stem}.pdf", f"{stem}.xlsx"]
    assert "Alpha Care Ltd" in _pdf_text((tmp_path / "packs" / f"{stem}.pdf").read_bytes())
    result = runner.invoke(
        args=["build-pack", "--council", "Testshire County Council", "--framework",
              quarter_of_returns["framework"].name, "--quarter", "2026-q3", "--out", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("framework-summary-pack-*-2026-Q3.*"))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "Alpha", "--quarter", "2026-Q5"], "'2026-Q5' is not a quarter"),
        (["--provider", "Nobody", "--quarter", "2026-Q3"], "There is no provider called 'Nobody'"),
        (["--provider", "Care Ltd", "--quarter", "2026-Q3"], "More than one provider matches"),
        (["--provider", "Outside", "--quarter", "2026-Q3"], "Outside Care Ltd has no contract"),
        (["--quarter", "2026-Q3"], "Give either --provider or --framework"),
    ],
)
def test_cli_refuses_bad_input_with_a_clear_message(
    app, quarter_of_returns, tmp_path, args, message
):
    out = tmp_path / "packs"
    result = app.test_cli_runner().invoke(
        args=["build-pack", "--council", "Testshire", *args, "--out", str(out)]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_the_pack_says_which_version_of_the_targets_judged_each_month(quarter_of_returns):
    """Targets changed from September (issue 15): July is judged against the reference
    targets and September against the new version, and the pack says so."""
    from decimal import Decimal

    from portal.setup.frameworks import set_targets

    commissioner = quarter_of_returns["commissioner"]
    set_targets(
        quarter_of_returns["framework"],
        SEP,
        {"missed_visits": (Decimal("0.5"), Decimal("0.25"))},
        commissioner,
    )
    pdf, xlsx, _ = build_pack(
        quarter_of_returns["council"].id, quarter_of_returns["alpha"].id, "2026-Q3"
    )
    text = " ".join(_pdf_text(pdf).split())
    assert (
        "July 2026 to August 2026: the reference targets; September 2026: version 1 of the "
        "framework's targets (from September 2026)" in text
    )
    # September's 1.0% missed visits is now red against at most 0.5% (amber to 0.75%).
    assert "1.0% RED" in text.upper()
    cover = _rows(load_workbook(io.BytesIO(xlsx))["Cover"])
    assert any("September 2026: version 1" in str(row[1]) for row in cover)
