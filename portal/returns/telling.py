"""Telling people about a return's review: the provider's users when the council queries
or accepts it, the council's commissioners when the provider replies or resubmits.

Each person gets a notification and, unless they switched that kind off, the job that
emails it, written in the caller's transaction: the lifecycle step (``review.query``,
``review.accept``, ``review.reply``, ``service.submit``) commits them with its change."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Membership, MonthlyReturn, ReturnComment, Role, User
from portal.notifications import notify


def _comments(ret: MonthlyReturn, kind: str) -> list[ReturnComment]:
    return list(
        db.session.scalars(
            select(ReturnComment)
            .where(ReturnComment.return_id == ret.id, ReturnComment.kind == kind)
            .order_by(ReturnComment.id)
        )
    )


def _members(*conditions) -> list[User]:
    users = {
        m.user.id: m.user
        for m in db.session.scalars(select(Membership).where(*conditions))
        if m.user.password_hash
    }
    return sorted(users.values(), key=lambda u: u.email)


def notify_provider(ret: MonthlyReturn, event: str) -> None:
    """``event``: "queried" or "accepted". Does not commit."""
    contract = ret.contract
    link = f"/provider/{contract.provider_id}/returns/{ret.id}"
    council, month = contract.council.name, f"{ret.period:%B %Y}"
    if event == "queried":
        from portal.returns import question_targets  # it reads the sections' rules

        title = f"{council} has a question about your {month} return"
        questions = [
            f"- {question_targets.about(c.section, c.field) + ': ' if c.field else ''}{c.text}"
            for c in _comments(ret, "query")
            if c.parent_id is None and not c.resolved
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
    for user in _members(Membership.provider_id == contract.provider_id):
        notify(user, event, title, body, link, commit=False)


def notify_council(ret: MonthlyReturn, event: str) -> None:
    """``event``: "replied" (to a question) or "resubmitted" (a queried return). Does not
    commit."""
    contract = ret.contract
    provider, month = contract.provider.name, f"{ret.period:%B %Y}"
    link = f"/council/{contract.council_id}/returns/{ret.id}/review"
    if event == "replied":
        title = f"{provider} replied to your question about their {month} return"
        replies = _comments(ret, "reply")
        body = f"{provider} replied: {replies[-1].text}" if replies else title
    else:
        number = max((v.number for v in ret.versions), default="")
        title = f"{provider} has resubmitted their {month} return"
        body = f"Version {number} is ready for you to review."
    commissioners = _members(
        Membership.council_id == contract.council_id, Membership.role == Role.COMMISSIONER
    )
    for user in commissioners:
        notify(user, "answered", title, body, link, commit=False)
