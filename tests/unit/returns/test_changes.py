"""Changes between versions are found by what each record is and said in words: adding
one record is one change, whatever its place in the list."""

from __future__ import annotations

import copy
import re

from portal.returns.answer_words import confirmed_warnings, number_text, warning_text
from portal.returns.changes import version_changes

KEY = re.compile(r"\w+\[\d+\]|\b[a-z]+_[a-z_]+\b")


def _version(staff=None, handbacks=None, areas=None, kpis=None) -> dict:
    return {
        "nil_return": False,
        "sections": {
            "kpis": kpis or {"on_time_visits": "1050", "planned_visits": "1200"},
            "capacity": {"areas": areas or [{"area": "North", "spare_hours": "10",
                                              "specialist": ["dementia"]}]},
            "handbacks": {"none": False, "rows": handbacks or [
                {"reference": "PKG-1", "weekly_hours": "7", "end_date": "2026-10-01",
                 "service_type": "homecare"}]},
            "training": {"confirmed": True, "as_at": "2026-10-31", "staff": staff or [
                {"worker_id": f"W00{n:02d}", "job_role": 3, "missing": [10],
                 "training": [{"category": 20, "date_completed": "2025-11-19",
                               "expiry_date": "2026-11-18", "status": "expiring"}]}
                for n in range(10, 30)]},
            "workforce": {"sponsor_licence": "active", "lowest_pay": "12.6"},
        },
        "confirmed_warnings": {},
    }  # fmt: skip


def _texts(changed) -> list[str]:
    return [c.text for s in changed for c in s.changes]


def test_adding_one_training_record_is_one_change_in_words():
    old = _version()
    new = copy.deepcopy(old)
    w18 = new["sections"]["training"]["staff"][8]
    w18["training"].insert(0, {"category": 10, "date_completed": "2026-11-01",
                               "expiry_date": None, "status": "up_to_date"})  # fmt: skip
    w18["missing"] = []  # the new record fills the missing course: not a second change
    changed = version_changes(old, new)
    assert [(s.title, s.count) for s in changed] == [("Training and staff", 1)]
    assert _texts(changed) == [
        "Training record added: W0018, Infection prevention and control, completed 1 November 2026"
    ]


def test_records_are_matched_by_identity_not_position():
    old = _version()
    new = copy.deepcopy(old)
    new["sections"]["training"]["staff"].reverse()
    new["sections"]["training"]["staff"][0]["training"][0]["date_completed"] = "2025-12-23"
    new["sections"]["handbacks"]["rows"].insert(
        0, {"reference": "PKG-0", "weekly_hours": "3", "end_date": "2026-10-05",
            "service_type": "reablement"})  # fmt: skip
    new["sections"]["kpis"]["on_time_visits"] = "1110"
    new["sections"]["workforce"]["lowest_pay"] = "12.75"
    new["sections"]["capacity"]["areas"][0]["specialist"] = ["dementia", "complex_needs"]
    texts = _texts(version_changes(old, new))
    assert texts == [
        "Visits started on time: 1,050 -> 1,110",
        "North, specialist needs: Dementia -> Dementia, Complex needs",
        "Handback added: PKG-0, 3 weekly hours, Reablement, ends 5 October 2026",
        "Staff W0029, Safeguarding adults: completed: 19 November 2025 -> 23 December 2025",
        "Lowest hourly pay: £12.60 -> £12.75",
    ]
    assert not any(KEY.search(t) for t in texts)


def test_warnings_and_numbers_read_as_people_write_them():
    assert number_text("1050") == "1,050" and number_text("1520.50") == "1,520.5"
    assert warning_text("kpis", "packages_started_on_time:jump") == (
        "Packages started on the planned date was more than 3 times last month's"
    )
    data = {"areas": [{"area": "North"}]}
    assert warning_text("capacity", "area0.spare_hours:unchanged", data) == (
        "Spare weekly hours in North was the same as in each of the last 2 months"
    )
    version = _version()
    version["confirmed_warnings"] = {"kpis": ["on_time_visits:unchanged"]}
    assert confirmed_warnings(version) == [
        "KPIs: Visits started on time was the same as in each of the last 2 months"
    ]


def test_the_audit_log_reads_old_entries_kept_as_paths_in_words():
    from portal.returns.audit_words import action_text, change_lines

    assert action_text("submit-v2", None) == "Submitted version 2"
    assert action_text("save", "training") == "Saved (Training and staff)"
    lines = change_lines("kpis", [{"field": "on_time_visits", "old": "1050", "new": "1110"}])
    assert lines == ["KPIs, visits started on time: 1,050 -> 1,110"]
    lines = change_lines("training", [{"field": "staff[10].missing[1]", "old": "", "new": "15"}])
    assert not any(KEY.search(line) for line in lines), lines
