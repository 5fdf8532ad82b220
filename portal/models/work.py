"""Background work and what it produces: a row per job (so people see progress and errors,
and a sweeper can find jobs a dead worker left behind), the documents jobs build (feedback
reports, contract-meeting packs), each council's mandatory training set, providers'
commentary on red KPIs and the actions recorded at contract meetings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.extensions import db
from portal.models.accounts import User

JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_STATUSES = (JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED)


class Job(db.Model):
    """One piece of background work. ``kind`` names its handler (``portal.background.kinds``);
    ``key`` identifies the work itself (e.g. ``pack:3:7:2026-Q3``), so asking twice for
    the same thing while it is queued or running gives the same job. ``council_id`` and
    ``provider_id`` say whose it is: pages look a job up within the organisation of the
    URL. ``error`` is written for the person who asked; ``detail`` is for support."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="job_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    queue: Mapped[str] = mapped_column(String(20), default="default")
    status: Mapped[str] = mapped_column(String(10), default=JOB_QUEUED, index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Stamped every few seconds by the worker running it: a stale one means a dead worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    requested_by: Mapped[User | None] = relationship()

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Document(db.Model):
    """A file a job built. One row per (kind, council, provider, framework, period, format):
    building again replaces the content, so there is only ever one copy."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint(
            "kind", "council_id", "provider_id", "framework_id", "period", "format",
            name="document_one_copy",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # feedback, pack, framework_pack
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    # 0 rather than NULL when not about one provider or framework: NULLs never clash in
    # a unique constraint, and "one copy" must hold for framework summaries too.
    provider_id: Mapped[int] = mapped_column(Integer, default=0, index=True)
    framework_id: Mapped[int] = mapped_column(Integer, default=0)
    period: Mapped[str] = mapped_column(String(10))  # 2026-Q3 or 2026-10
    format: Mapped[str] = mapped_column(String(5))  # pdf, xlsx
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MandatoryTraining(db.Model):
    """A training category a council requires of staff in a job role. A council with no
    rows uses the default set (``portal.mandatory``)."""

    __tablename__ = "mandatory_training"
    __table_args__ = (
        UniqueConstraint("council_id", "category_code", "job_role_code", name="mandatory_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    category_code: Mapped[int] = mapped_column(Integer)
    job_role_code: Mapped[int] = mapped_column(Integer)


class KpiCommentary(db.Model):
    """A provider's explanation of a KPI that was red in a month, for the contract meeting."""

    __tablename__ = "kpi_commentary"
    __table_args__ = (UniqueConstraint("return_id", "kpi", name="commentary_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"), index=True)
    kpi: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship()


class MeetingAction(db.Model):
    """An action agreed at a contract meeting. Open actions carry into the next pack;
    ``quarter`` is the meeting's (``2026-Q3``)."""

    __tablename__ = "meeting_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recorded_by: Mapped[User] = relationship()
