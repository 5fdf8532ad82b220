"""Queries about background jobs and the documents they build. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from portal.extensions import db
from portal.models import Contract, Council, Document, Job


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
