"""What the training section's change pages share (adding, changing and removing staff
and training records): their URLs, the lock check, the staff member or record named in the
query string and the error summary. The changes themselves (audit, the section's state,
the commit) are ``portal.returns.staff_changes``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import abort, request

from portal.queries import staff as staff_queries
from portal.returns import service
from portal.returns.sections.training_rules import CODE

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, StaffMember, TrainingRecord

_ID = re.compile(r"[0-9]{1,12}")


def url(ret: MonthlyReturn, action: str | None = None, **args) -> str:
    """The section page, or one of its change pages (``action``)."""
    from portal.provider.returns import return_url

    if action is None:
        return return_url(ret, "edit_section", code=CODE)
    return return_url(ret, "section_action", code=CODE, action=action, **args)


def refuse_if_locked(ret: MonthlyReturn):
    """Staff and training change only while the return can be changed (views.py refuses
    the POSTs; this sends the GETs back to the task list too)."""
    if service.can_edit(ret):
        return None
    from portal.provider.returns import refuse_if_locked as refuse

    return refuse(ret)


def _query_id(name: str) -> int:
    raw = request.args.get(name, "")
    if not _ID.fullmatch(raw):
        abort(404)
    return int(raw)


def staff_from_query(ret: MonthlyReturn) -> StaffMember:
    member = staff_queries.provider_staff_member(ret.contract.provider_id, _query_id("staff"))
    if member is None:
        abort(404)
    return member


def record_from_query(ret: MonthlyReturn) -> TrainingRecord:
    record = staff_queries.provider_training_record(ret.contract.provider_id, _query_id("record"))
    if record is None:
        abort(404)
    return record


def error_list(errors: dict[str, str], order: list[str], dates: set[str]) -> list[dict]:
    """Summary links in page order; a date links to its day box."""
    return [
        {"text": errors[name], "href": f"#{name}-day" if name in dates else f"#{name}"}
        for name in order
        if name in errors
    ]


def code_items(codes: dict[int, str]) -> list[dict]:
    """Radio items from an ASC-WDS code table."""
    return [{"value": str(code), "text": text} for code, text in codes.items()]
