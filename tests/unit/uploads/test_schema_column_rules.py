"""The ASC-WDS file check takes each column's rule from the row schema
(``StaffRowSchema.column_rules``, ``TrainingRowSchema.column_rules``) and runs it a
distinct value at a time; the web form and the API load whole rows through the same
schema. Here each column's rule, alone, says what the row's load says about that column,
word for word, for good and bad values, whether the column must be given or not."""

from __future__ import annotations

from datetime import date

import pytest

from portal.returns import staff_rules
from portal.schemas.records import (
    StaffRowSchema,
    TrainingRowSchema,
    parse_staff,
    parse_training,
)

TODAY = date(2026, 11, 23)
BAD_AND_GOOD = ["", "1", "2", "3", "999", "0", "x", "-4", "12.605", "250", "12.60", "20",
                "99", "8", "01/09/2021", "31/02/2021", "01/01/2030", "none", "1000",
                "W0001", "A" * 130, "B" * 1100]  # fmt: skip
STAFF_COLUMNS = ["worker_id", "main_job_role", "start_date", "employment_status",
                 "care_certificate", "hourly_rate", "health_care_visa", "zero_hours"]  # fmt: skip
TRAINING_COLUMNS = ["category", "training_name", "accredited", "who_delivered",
                    "how_delivered", "validity", "date_completed", "notes"]  # fmt: skip
REQUIRED = [frozenset(), staff_rules.WEB_STAFF_REQUIRED | staff_rules.WEB_TRAINING_REQUIRED]


@pytest.mark.parametrize("required", REQUIRED, ids=["file", "web form"])
@pytest.mark.parametrize("column", STAFF_COLUMNS)
def test_a_staff_columns_rule_says_what_the_rows_load_says(column, required):
    rule = StaffRowSchema.column_rules(TODAY, required)[column]
    for text in BAD_AND_GOOD:
        _, errors = parse_staff({column: text}, TODAY, required)
        assert rule(text)[1] == errors.get(column), (column, text)


@pytest.mark.parametrize("required", REQUIRED, ids=["file", "web form"])
@pytest.mark.parametrize("column", TRAINING_COLUMNS)
def test_a_training_columns_rule_says_what_the_rows_load_says(column, required):
    rule = TrainingRowSchema.column_rules(TODAY, required)[column]
    for text in BAD_AND_GOOD:
        _, errors = parse_training({column: text}, TODAY, required)
        assert rule(text)[1] == errors.get(column), (column, text)


def test_the_training_provider_rule_is_the_rows_for_an_external_provider():
    rule = TrainingRowSchema.column_rules(TODAY, frozenset())["provider_name"]
    for text in ["", "5", "9999", "Acme Training"]:
        _, errors = parse_training({"who_delivered": "2", "provider_name": text}, TODAY,
                                   frozenset())  # fmt: skip
        assert rule(text)[1] == errors.get("provider_name"), text
