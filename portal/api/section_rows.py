"""The capacity and handbacks sections through the API: their answers are rows (one per
area, one per handback), sent as JSON objects keyed by the section template's column
names (``area``, ``spare_hours``, ``earliest_start`` as DD/MM/YYYY...). They are written
out as the template's CSV and checked by the section upload's own check
(``section_files.check_section_file``), which hands them to the section's rules, so the
API, the upload and the web form cannot disagree. Row 1 is the first object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.api.problems import ApiProblem
from portal.api.records import rows_to_csv
from portal.returns.sections import handbacks_rules
from portal.schemas.section_rows import parse_handbacks
from portal.uploads.section_files import check_section_file

if TYPE_CHECKING:
    from portal.models import MonthlyReturn

ROW_SECTIONS = ("capacity", "handbacks")
SEND_ROWS = (
    'Send "rows": a list of objects keyed by the section template\'s column names'
    ' (for handbacks, {"none": true} when there were none)'
)


def answers_from_rows(ret: MonthlyReturn, code: str, answers: dict) -> dict:
    """The section's data from ``answers`` (``rows``, or handbacks' ``none``); raises
    ApiProblem 422 with each problem as ``{row, column, value, message}``."""
    rows = answers.get("rows")
    if code == "handbacks" and answers.get("none") is True and not rows:
        data, _, _ = parse_handbacks(handbacks_rules.area_options(ret), True, [])
        return data
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ApiProblem(422, SEND_ROWS, [{"field": "rows", "message": SEND_ROWS}])
    written = rows_to_csv(rows, "rows", code)
    result = check_section_file(code, ret, written.data, f"{code}.csv")
    if result.ok:
        return result.data
    problems = [
        {"row": None, "column": None, "value": "", "message": p.message}
        for p in result.file_problems
    ] + [
        {"row": p.row - 1, "column": p.column, "value": p.value, "message": p.message}
        for p in result.errors
    ]
    raise ApiProblem(422, "Some answers need correcting: nothing was saved", problems)
