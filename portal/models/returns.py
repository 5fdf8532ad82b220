"""Monthly returns: the draft (one row per section, each with a revision number for
optimistic locking), immutable submitted versions, the audit log, KPI definitions, and
the provider's staff and training records the training section and uploads share."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import (
    Mapped,
    Session,
    mapped_column,
    query_expression,
    relationship,
    validates,
)

from portal.clock import utcnow
from portal.extensions import db
from portal.models.accounts import User
from portal.models.organisations import Branch, Contract, Framework, Provider, _enum
from portal.vocabulary import ReturnStatus, SectionState


class MonthlyReturn(db.Model):
    """One provider x council contract x month."""

    __tablename__ = "monthly_return"
    __table_args__ = (UniqueConstraint("contract_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month covered
    status: Mapped[ReturnStatus] = mapped_column(
        _enum(ReturnStatus, "return_status"), default=ReturnStatus.NOT_STARTED
    )
    nil_return: Mapped[bool] = mapped_column(default=False)
    # A commissioner can reopen a locked return until this date (inclusive).
    reopened_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    contract: Mapped[Contract] = relationship()
    sections: Mapped[list[ReturnSection]] = relationship(
        back_populates="monthly_return", order_by="ReturnSection.id"
    )
    versions: Mapped[list[ReturnVersion]] = relationship(
        back_populates="monthly_return", order_by="ReturnVersion.number"
    )
    # Whether a version exists, when the query that loaded the return asked for it
    # (``service.get_return_for_provider``): pages then need not load the versions.
    # None when not asked for, and again after a commit expires it.
    sent_when_loaded: Mapped[bool | None] = query_expression()
    # Likewise whether the review thread has any message (a draft's pages then skip it).
    thread_when_loaded: Mapped[bool | None] = query_expression()

    @property
    def sent(self) -> bool:
        """At least one version has been submitted."""
        if "versions" not in self.__dict__ and self.sent_when_loaded is not None:
            return self.sent_when_loaded
        return bool(self.versions)

    @property
    def training_unconfirmed(self) -> bool:
        """The training section went back to in progress, unconfirmed, since it was
        confirmed (staff or training records changed)."""
        return any(
            s.code == "training"
            and s.state is SectionState.IN_PROGRESS
            and (s.data or {}).get("confirmed") is False
            for s in self.sections
        )


class ReturnSection(db.Model):
    """The draft of one section. ``revision`` goes up by one on every save; a save that
    names an older revision is refused (someone else saved first)."""

    __tablename__ = "return_section"
    __table_args__ = (UniqueConstraint("return_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"))
    code: Mapped[str] = mapped_column(String(20))
    state: Mapped[SectionState] = mapped_column(
        _enum(SectionState, "section_state"), default=SectionState.NOT_STARTED
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Soft warnings the user has confirmed as correct, by warning code.
    confirmed_warnings: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="sections")
    updated_by: Mapped[User | None] = relationship()


class ReturnVersion(db.Model):
    """A submitted version: never changed after it is written."""

    __tablename__ = "return_version"
    __table_args__ = (
        UniqueConstraint("return_id", "number"),
        UniqueConstraint("return_id", "submission_key"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"), index=True)
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    # One key per "Submit" form shown: a double click or a retry sends the same key.
    submission_key: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The version's place in the council's feed, taken as it is written (see below).
    feed_seq: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    # The training section's snapshot again, kept only when the super training matrix
    # counts it (confirmed, not a nil return), as binary JSON on PostgreSQL: the matrix
    # reads it without parsing the whole version (docs/adr/0018-matrix-in-sql.md).
    # Deferred: loading a version (pages, packs, risk) never reads this second copy.
    confirmed_training: Mapped[dict | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql"),
        deferred=True,
    )

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()

    @validates("data")
    def _keep_confirmed_training(self, _key: str, data: dict) -> dict:
        self.confirmed_training = confirmed_training(data)
        return data


def confirmed_training(data: dict | None) -> dict | None:
    """A version's training snapshot, if confirmed (a nil return has none)."""
    data = data or {}
    training = (data.get("sections") or {}).get("training") or {}
    if data.get("nil_return") or not training.get("confirmed"):
        return None
    return training


# --- the feed's order (docs/adr/0015-feed-order-taken-under-the-councils-lock.md) -----
# A version's feed_seq comes from a sequence taken under a lock on its council held until
# the transaction ends, so a council's versions become visible in feed_seq order: a
# reader never sees number n+1 while n is still uncommitted, and paging by feed_seq
# hands every version out once. (Ids are taken when the row is inserted, not when it
# commits, so a slow submit could commit a lower id after a higher one was read.)
FEED_SEQUENCE = Sequence("return_version_feed_seq", metadata=db.metadata)
FEED_LOCK_SPACE = 7210  # the first key of pg_advisory_xact_lock(int, int): the feed


@event.listens_for(Session, "before_flush")
def _take_feed_places(session: Session, flush_context, instances) -> None:
    new = [v for v in session.new if isinstance(v, ReturnVersion) and v.feed_seq is None]
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":  # SQLite: one writer at a time
        last = connection.scalar(select(func.max(ReturnVersion.feed_seq))) or 0
        for offset, version in enumerate(sorted(new, key=_version_order), start=1):
            version.feed_seq = last + offset
        return
    with session.no_autoflush:
        councils = {_council_of(session, v) for v in new}
    for council_id in sorted(councils):  # always the same order: no deadlock
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :council)"),
            {"space": FEED_LOCK_SPACE, "council": council_id},
        )
    for version in sorted(new, key=_version_order):
        version.feed_seq = connection.scalar(FEED_SEQUENCE.next_value())


def _council_of(session: Session, version: ReturnVersion) -> int:
    ret = version.monthly_return or session.get(MonthlyReturn, version.return_id)
    return ret.contract.council_id


def _version_order(version: ReturnVersion) -> tuple:
    return (version.submitted_at or utcnow(), version.number or 0)


class AuditEntry(db.Model):
    """Every change to a return: who, when, from where, and each field's old and new value."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(40))
    section: Mapped[str | None] = mapped_column(String(20))
    changes: Mapped[list] = mapped_column(JSON, default=list)

    user: Mapped[User | None] = relationship()


class KpiTarget(db.Model):
    """A KPI definition and target for a framework, versioned: a return uses the highest
    version in force on the first day of its month."""

    __tablename__ = "kpi_target"
    __table_args__ = (
        UniqueConstraint("framework_id", "version", "code"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    effective_from: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    numerator: Mapped[str] = mapped_column(String(40))
    denominator: Mapped[str] = mapped_column(String(40))
    target: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    direction: Mapped[str] = mapped_column(String(10))
    amber_band: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    framework: Mapped[Framework] = relationship()


class StaffMember(db.Model):
    """A provider's staff member, keyed by the provider's own ASC-WDS UNIQUEWORKERID."""

    __tablename__ = "staff_member"
    __table_args__ = (UniqueConstraint("provider_id", "worker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    worker_id: Mapped[str] = mapped_column(String(50))
    main_job_role: Mapped[int]
    start_date: Mapped[date | None] = mapped_column(Date)
    employment_status: Mapped[int | None]
    zero_hours: Mapped[bool | None]
    care_certificate: Mapped[int | None]  # 1 completed, 2 no, 3 in progress
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    health_care_visa: Mapped[int | None]  # 1 yes, 2 no, 999 unknown
    contracted_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    left_on: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    branch: Mapped[Branch] = relationship()
    training: Mapped[list[TrainingRecord]] = relationship(
        back_populates="staff_member", order_by="TrainingRecord.category"
    )


class TrainingRecord(db.Model):
    """One ASC-WDS training row."""

    __tablename__ = "training_record"
    __table_args__ = (Index("ix_training_record_staff_category", "staff_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # On PostgreSQL checked once a statement by triggers, not by this constraint
    # (migration 0023, ADR 0024: an import's COPY); SQLite keeps the constraint.
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    category: Mapped[int]
    training_name: Mapped[str | None] = mapped_column(String(120))
    accredited: Mapped[int | None]  # 0 no, 1 yes, 999 don't know
    who_delivered: Mapped[int | None]  # 1 in-house, 2 external
    provider_name: Mapped[str | None] = mapped_column(String(120))
    how_delivered: Mapped[int | None]  # 1 face to face, 2 e-learning
    validity: Mapped[str | None] = mapped_column(String(8))  # "none" or months
    date_completed: Mapped[date | None] = mapped_column(Date)  # blank in ASC-WDS: allowed
    expiry_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    staff_member: Mapped[StaffMember] = relationship(back_populates="training")
