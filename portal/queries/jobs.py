"""Queries about background jobs and the documents they build. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from portal.background.kinds import find
from portal.extensions import db
from portal.models import Contract, Council, Document, Job, Provider


def get_job(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def latest_job(key: str) -> Job | None:
    """The newest job for this piece of work (``Job.key``)."""
    return db.session.scalar(select(Job).where(Job.key == key).order_by(Job.id.desc()).limit(1))


def latest_council_jobs(council_id: int, keys: Collection[str]) -> dict[str, Job]:
    """The newest of the council's jobs for each of these keys (keys never asked for are
    missing)."""
    latest: dict[str, Job] = {}
    for job in db.session.scalars(
        select(Job).where(Job.council_id == council_id, Job.key.in_(list(keys))).order_by(Job.id)
    ):
        latest[job.key] = job  # a later id replaces an earlier one
    return latest


def recent_jobs(limit: int, status: str | None = None) -> list[Job]:
    """The newest ``limit`` jobs, of one status when given; newest first."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Job.status == status)
    return list(db.session.scalars(query))


def council_documents(
    council_id: int, kinds: Collection[str], period: str, fmt: str
) -> list[Document]:
    """The council's documents of these kinds for one period, in one format."""
    return list(
        db.session.scalars(
            select(Document)
            .where(
                Document.council_id == council_id,
                Document.kind.in_(list(kinds)),
                Document.period == period,
                Document.format == fmt,
            )
            .order_by(Document.id)
        )
    )


def provider_documents(provider_id: int, kind: str, fmt: str) -> list[tuple[Document, str]]:
    """The provider's documents of one kind and format, each with the council's name,
    from councils the provider still has a contract with; oldest first."""
    councils = select(Contract.council_id).where(Contract.provider_id == provider_id)
    return [
        (document, council_name)
        for document, council_name in db.session.execute(
            select(Document, Council.name)
            .join(Council, Council.id == Document.council_id)
            .where(
                Document.kind == kind,
                Document.provider_id == provider_id,
                Document.format == fmt,
                Document.council_id.in_(councils),
            )
            .order_by(Document.id)
        )
    ]


_QUARTER_MONTHS = {"1": "January to March", "2": "April to June", "3": "July to September",
                   "4": "October to December"}  # fmt: skip


def _period_words(part: str) -> str | None:
    """ "2026-Q3" -> "July to September 2026"; "2026-10" -> "October 2026"."""
    year, _, rest = part.partition("-")
    if not year.isdigit() or len(year) != 4:
        return None
    if rest.upper().startswith("Q") and rest[1:] in _QUARTER_MONTHS:
        return f"{_QUARTER_MONTHS[rest[1:]]} {year}"
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return date(int(year), int(rest), 1).strftime("%B %Y")
    return None


def job_descriptions(jobs: Collection[Job]) -> dict[int, str]:
    """What each job is for, in words ("Contract meeting pack, Medway, Care Co, July to
    September 2026"), never its key; the names come from the job's council and provider."""
    council_ids = {j.council_id for j in jobs if j.council_id}
    provider_ids = {j.provider_id for j in jobs if j.provider_id}
    councils = dict(
        db.session.execute(
            select(Council.id, Council.name).where(Council.id.in_(council_ids))
        ).all()
    )
    providers = dict(
        db.session.execute(
            select(Provider.id, Provider.name).where(Provider.id.in_(provider_ids))
        ).all()
    )
    found = {}
    for job in jobs:
        handler = find(job.kind)
        parts = [
            handler.label if handler and handler.label else job.kind.replace("_", " ").capitalize()
        ]
        parts += [
            name for name in (councils.get(job.council_id), providers.get(job.provider_id)) if name
        ]
        period = next((p for p in map(_period_words, job.key.split(":")) if p), None)
        found[job.id] = ", ".join(parts + ([period] if period else []))
    return found
