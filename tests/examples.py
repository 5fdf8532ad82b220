"""Example answers shared by the tests: valid, realistic and all green. A test that needs
particular values for its own assertion keeps a local dict (or spreads this one and
overrides the keys it is about: ``{**EXAMPLE_KPIS, "missed_visits": "60"}``)."""

from __future__ import annotations

# The KPI section of a monthly return: 1,000 visits planned, 1% missed, 95% on time.
EXAMPLE_KPIS = {
    "planned_visits": "1000",
    "delivered_visits": "990",
    "missed_visits": "10",
    "on_time_visits": "950",
    "ecm_visits": "900",
    "commissioned_hours": "1520.5",
    "delivered_hours": "1498.25",
    "referrals_offered": "12",
    "referrals_accepted": "10",
    "packages_started_on_time": "9",
    "complaints": "1",
    "compliments": "4",
    "safeguarding_concerns": "0",
    "users_reviewed": "20",
    "outcomes_met": "17",
}

# ASC-WDS codes the tests use most: MAINJRID 8 is a care worker, category 20 safeguarding.
CARE_WORKER = 8
SAFEGUARDING = 20
