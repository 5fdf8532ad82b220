"""Reviewing a submitted return: the council accepts it, or queries particular values;
the provider replies, corrects and resubmits. The whole thread is kept, and the
provider's users are told by email each time."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select

from portal import risk
from portal.extensions import db
from portal.feedback.jobs import add_feedback
from portal.models import (
    Contract,
    MonthlyReturn,
    ReturnComment,
    ReturnStatus,
    ReturnVersion,
    User,
)
from portal.returns import changes, kpis, question_targets, service
from portal.returns.telling import notify_council, notify_provider


def latest_version(ret: MonthlyReturn) -> ReturnVersion | None:
    return ret.versions[-1] if ret.versions else None


def can_review(ret: MonthlyReturn) -> bool:
    return ret.status is ReturnStatus.SUBMITTED and bool(ret.versions)


def queryable_fields(version: ReturnVersion) -> list[tuple[str, str]]:
    """(value, label) pairs of every answer in the version a question can be about: each
    KPI and workforce figure, capacity area, handback and staff member, in words."""
    return [
        (target.value, f"{title}: {target.label}")
        for title, targets in question_targets.grouped_targets(version.data)
        for target in targets
    ]


def version_history(ret: MonthlyReturn) -> list[tuple]:
    """Newest first: (version, what changed since the one before it, or None for the first)."""
    found, previous = [], None
    for version in ret.versions:
        found.append(
            (version, None if previous is None else changes.version_changes(previous, version.data))
        )
        previous = version.data
    return list(reversed(found))


def changed_since_previous(ret: MonthlyReturn, version: ReturnVersion | None):
    """What changed between ``version`` and the one before it (None for a first version)."""
    if version is None or version.number < 2:
        return None
    previous = next((v for v in ret.versions if v.number == version.number - 1), None)
    return changes.version_changes(previous.data if previous else {}, version.data)


def thread(ret: MonthlyReturn) -> list[ReturnComment]:
    """Top-level comments (queries, acceptances, notes), oldest first; replies hang off them.
    No query when the return was loaded knowing it has no message at all (a draft's pages;
    a message added since is committed first, which forgets what was loaded)."""
    if ret.thread_when_loaded is False:
        return []
    return list(
        db.session.scalars(
            select(ReturnComment)
            .where(ReturnComment.return_id == ret.id, ReturnComment.parent_id.is_(None))
            .order_by(ReturnComment.id)
        )
    )


def open_queries(ret: MonthlyReturn) -> list[ReturnComment]:
    return [c for c in thread(ret) if c.kind == "query" and not c.resolved]


def query(ret: MonthlyReturn, user: User, target: str, text: str) -> ReturnComment:
    section, _, field = target.partition(":")
    version = latest_version(ret)
    comment = ReturnComment(
        return_id=ret.id,
        version_number=version.number if version else None,
        kind="query",
        section=section or None,
        field=field or None,
        text=text,
        author_id=user.id,
    )
    db.session.add(comment)
    ret.status = ReturnStatus.QUERIED
    about = question_targets.about(section or None, field or None)
    service.audit(ret, user, "query", section or None, [{"field": about, "old": "", "new": text}])
    notify_provider(ret, "queried")
    db.session.commit()
    return comment


def accept(ret: MonthlyReturn, user: User, text: str) -> None:
    version = latest_version(ret)
    db.session.add(
        ReturnComment(
            return_id=ret.id,
            version_number=version.number if version else None,
            kind="accept",
            text=text or "Accepted",
            author_id=user.id,
        )
    )
    for comment in open_queries(ret):
        comment.resolved = True
    ret.status = ReturnStatus.ACCEPTED
    service.audit(ret, user, f"accept-v{version.number if version else 0}")
    notify_provider(ret, "accepted")
    contract = ret.contract
    add_feedback(contract.council_id, contract.provider_id, f"{ret.period:%Y-%m}", user.id)
    db.session.commit()
    risk.recompute_for_return(ret)  # an accepted return's KPIs count towards the rating


def reply(ret: MonthlyReturn, user: User, parent: ReturnComment, text: str) -> ReturnComment:
    comment = ReturnComment(
        return_id=ret.id,
        version_number=parent.version_number,
        parent_id=parent.id,
        kind="reply",
        section=parent.section,
        field=parent.field,
        text=text,
        author_id=user.id,
    )
    db.session.add(comment)
    about = question_targets.about(parent.section, parent.field)
    service.audit(ret, user, "reply", parent.section, [{"field": about, "old": "", "new": text}])
    notify_council(ret, "replied")
    db.session.commit()
    return comment


# --- comparison figures for the reviewer --------------------------------------------------


@dataclass
class KpiRow:
    name: str
    value: str
    rag: str | None
    rag_label: str
    target: str
    last_month: str
    framework_median: str


def _percent_text(value: Decimal | None) -> str:
    return "Not applicable" if value is None else f"{value:.1f}%"


def kpi_rows(ret: MonthlyReturn, version: ReturnVersion) -> list[KpiRow]:
    definitions = kpis.definitions_for(ret.contract.framework_id, ret.period)
    values = (version.data.get("sections") or {}).get("kpis") or {}
    now = kpis.compute(values, definitions)
    previous = service.previous_versions(ret, 1)[0]
    before = kpis.compute(((previous.get("sections") or {}).get("kpis")) or {}, definitions)
    peers = _framework_results(ret, definitions)
    rows = []
    for index, result in enumerate(now):
        peer_values = [p[index].percent for p in peers if p[index].percent is not None]
        median = statistics.median(peer_values) if len(peer_values) >= 3 else None
        rows.append(
            KpiRow(
                name=result.name,
                value=result.percent_label,
                rag=result.rag,
                rag_label=result.rag_label,
                target=result.target_label,
                last_month=_percent_text(before[index].percent) if previous else "No return",
                framework_median=_percent_text(median) if median is not None
                else "Fewer than 3 providers",
            )
        )  # fmt: skip
    return rows


def _framework_results(ret: MonthlyReturn, definitions) -> list[list[kpis.KpiResult]]:
    """Each other provider's latest version for the same framework and month: only the
    KPI answers of each peer's latest version, in one query (the whole of every version,
    decoded, was most of the review page's time)."""
    if ret.contract.framework_id is None:
        return []
    latest = (
        select(ReturnVersion.return_id, func.max(ReturnVersion.number).label("number"))
        .join(MonthlyReturn, MonthlyReturn.id == ReturnVersion.return_id)
        .join(Contract, Contract.id == MonthlyReturn.contract_id)
        .where(
            Contract.framework_id == ret.contract.framework_id,
            MonthlyReturn.period == ret.period,
            MonthlyReturn.id != ret.id,
        )
        .group_by(ReturnVersion.return_id)
        .subquery()
    )
    answers = db.session.scalars(
        select(ReturnVersion.data["sections"]["kpis"])
        .join(
            latest,
            and_(
                ReturnVersion.return_id == latest.c.return_id,
                ReturnVersion.number == latest.c.number,
            ),
        )
        .order_by(ReturnVersion.return_id)
    )
    return [kpis.compute(values, definitions) for values in answers if values]
