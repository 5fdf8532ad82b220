"""Reviewing a submitted return: the council accepts it, or queries particular values;
the provider replies, corrects and resubmits. The whole thread is kept, and the
provider's users are told by email each time."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal import risk
from portal.extensions import db
from portal.models import (
    Contract,
    Membership,
    MonthlyReturn,
    ReturnComment,
    ReturnStatus,
    ReturnVersion,
    Role,
    User,
)
from portal.notifications import notify
from portal.returns import kpis, service
from workers.queue import app_job, enqueue


def latest_version(ret: MonthlyReturn) -> ReturnVersion | None:
    return ret.versions[-1] if ret.versions else None


def can_review(ret: MonthlyReturn) -> bool:
    return ret.status is ReturnStatus.SUBMITTED and bool(ret.versions)


def queryable_fields(version: ReturnVersion) -> list[tuple[str, str]]:
    """(value, label) pairs of every answer in the version, for the query form."""
    options = []
    for code, title in service.SECTIONS:
        data = (version.data.get("sections") or {}).get(code) or {}
        for key, value in service.flatten(data).items():
            if key:
                options.append((f"{code}:{key}", f"{title}: {key} ({value or 'blank'})"))
    return options


def thread(ret: MonthlyReturn) -> list[ReturnComment]:
    """Top-level comments (queries, acceptances, notes), oldest first; replies hang off them."""
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
    service.audit(ret, user, "query", section or None, [{"field": target, "old": "", "new": text}])
    db.session.commit()
    notify_provider(ret.id, "queried")
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
    db.session.commit()
    risk.recompute_for_return(ret)
    notify_provider(ret.id, "accepted")


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
    service.audit(ret, user, "reply", parent.section, [{"field": parent.field or "", "old": "",
                                                         "new": text}])  # fmt: skip
    db.session.commit()
    notify_council(ret.id, "replied")
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
    """Each other provider's latest version for the same framework and month."""
    if ret.contract.framework_id is None:
        return []
    peers = db.session.scalars(
        select(MonthlyReturn)
        .join(Contract)
        .where(
            Contract.framework_id == ret.contract.framework_id,
            MonthlyReturn.period == ret.period,
            MonthlyReturn.id != ret.id,
        )
    ).all()
    results = []
    for peer in peers:
        if peer.versions:
            values = (peer.versions[-1].data.get("sections") or {}).get("kpis") or {}
            if values:
                results.append(kpis.compute(values, definitions))
    return results


# --- telling the provider ------------------------------------------------------------------


def notify_provider(return_id: int, event: str) -> None:
    enqueue(notify_provider_job, return_id, event, queue="default")


@app_job
def notify_provider_job(return_id: int, event: str) -> None:
    """Notify the provider's users (in the portal, and by email unless they switched that
    kind off) that the council queried or accepted a return."""

    ret = db.session.get(MonthlyReturn, return_id)
    if ret is None:
        return
    contract = ret.contract
    users = {
        m.user.id: m.user
        for m in db.session.scalars(
            select(Membership).where(Membership.provider_id == contract.provider_id)
        )
        if m.user.password_hash
    }
    link = f"/provider/{contract.provider_id}/returns/{ret.id}"
    council, month = contract.council.name, f"{ret.period:%B %Y}"
    if event == "queried":
        title = f"{council} has a question about your {month} return"
        questions = [
            f"- {c.field + ': ' if c.field else ''}{c.text}"
            for c in thread(ret)
            if c.kind == "query" and not c.resolved
        ]
        body = "\n".join(
            [f"{council} has a question about your return for {month}:", *questions,
             "Reply and correct your return, then submit it again.",
             f"Provider: {contract.provider.name}"]
        )  # fmt: skip
    else:
        title = f"{council} has accepted your {month} return"
        body = f"{council} has accepted your return for {month}.\n"
        body += f"Provider: {contract.provider.name}"
    for user in sorted(users.values(), key=lambda u: u.email):
        notify(user, event, title, body, link)


def notify_council(return_id: int, event: str) -> None:
    enqueue(notify_council_job, return_id, event, queue="default")


@app_job
def notify_council_job(return_id: int, event: str) -> None:
    """Tell the council's commissioners that the provider replied to a question
    ("replied") or resubmitted a queried return ("resubmitted")."""

    ret = db.session.get(MonthlyReturn, return_id)
    if ret is None:
        return
    contract = ret.contract
    commissioners = sorted(
        (
            m.user
            for m in db.session.scalars(
                select(Membership).where(
                    Membership.council_id == contract.council_id,
                    Membership.role == Role.COMMISSIONER,
                )
            )
            if m.user.password_hash
        ),
        key=lambda u: u.email,
    )
    provider, month = contract.provider.name, f"{ret.period:%B %Y}"
    link = f"/council/{contract.council_id}/returns/{ret.id}/review"
    if event == "replied":
        title = f"{provider} replied to your question about their {month} return"
        replies = [r for c in thread(ret) for r in c.replies]
        body = f"{provider} replied: {replies[-1].text}" if replies else title
    else:
        version = latest_version(ret)
        title = f"{provider} has resubmitted their {month} return"
        body = f"Version {version.number if version else ''} is ready for you to review."
    for user in commissioners:
        notify(user, "answered", title, body, link)
