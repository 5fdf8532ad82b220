"""Councils, their frameworks and areas; providers, their branches and contracts."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.vocabulary import AreaKind, ContractType, CqcRating, ServiceType, SponsorLicenceStatus


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the values (lower-case words), as a CHECK constraint rather than a native
    # PostgreSQL enum, so SQLite and PostgreSQL behave the same and migrations stay simple.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Council(db.Model):
    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Return deadlines: due on this working day of the next month, locked this many
    # days after the due date.
    due_working_day: Mapped[int] = mapped_column(default=10, server_default="10")
    lock_days: Mapped[int] = mapped_column(default=20, server_default="20")
    # The first month whose returns the council asks for (the first day of that month).
    # Blank: the council has not said, and returns are expected from each contract's start.
    go_live_month: Mapped[date | None] = mapped_column(Date)

    frameworks: Mapped[list[Framework]] = relationship(
        back_populates="council", order_by="Framework.name"
    )


class Framework(db.Model):
    __tablename__ = "framework"
    __table_args__ = (
        UniqueConstraint("council_id", "name"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[ServiceType] = mapped_column(_enum(ServiceType, "service_type"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    council: Mapped[Council] = relationship(back_populates="frameworks")
    areas: Mapped[list[Area]] = relationship(back_populates="framework", order_by="Area.name")


class Area(db.Model):
    """A lot, patch, postcode district or Extra Care scheme of a framework."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AreaKind] = mapped_column(_enum(AreaKind, "area_kind"))

    framework: Mapped[Framework] = relationship(back_populates="areas")


class Provider(db.Model):
    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The CQC provider ID ("1-101641631"): one provider, however many councils contract it.
    cqc_provider_id: Mapped[str | None] = mapped_column(String(20), unique=True)

    branches: Mapped[list[Branch]] = relationship(back_populates="provider", order_by="Branch.name")
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="provider", order_by="Contract.id"
    )


class Branch(db.Model):
    """A registered location of a provider (a CQC location)."""

    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("provider_id", "local_est_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    cqc_location_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    # LOCALESTID in the national workforce data set files: maps an upload row to a branch.
    local_est_id: Mapped[str | None] = mapped_column(String(50))
    postcode: Mapped[str | None] = mapped_column(String(10))
    cqc_rating: Mapped[CqcRating] = mapped_column(
        _enum(CqcRating, "cqc_rating"), default=CqcRating.NOT_YET_RATED
    )
    cqc_rating_date: Mapped[date | None] = mapped_column(Date)
    registered_manager_in_post: Mapped[bool] = mapped_column(default=True)
    sponsor_licence_status: Mapped[SponsorLicenceStatus] = mapped_column(
        _enum(SponsorLicenceStatus, "sponsor_licence_status"), default=SponsorLicenceStatus.NONE
    )

    provider: Mapped[Provider] = relationship(back_populates="branches")


# Which of the provider's branches a contract covers: a council sees only the staff and
# training of the branches its contracts cover.
contract_branch = Table(
    "contract_branch",
    db.metadata,
    Column("contract_id", ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True),
)


class Contract(db.Model):
    """A provider's contract with a council: under a framework (and lot), or spot."""

    __tablename__ = "contract"
    __table_args__ = (
        UniqueConstraint("provider_id", "council_id", "framework_id", "area_id", "contract_type"),
        CheckConstraint("hourly_rate IS NULL OR hourly_rate > 0", name="rate_positive"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="dates_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    # The council is stored as well as the framework: spot contracts sit outside any
    # framework, and every tenancy check filters on it.
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("framework.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    contract_type: Mapped[ContractType] = mapped_column(_enum(ContractType, "contract_type"))
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    # Returns are expected for the months from start to end (blank: open-ended).
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship(back_populates="contracts")
    council: Mapped[Council] = relationship()
    framework: Mapped[Framework | None] = relationship()
    area: Mapped[Area | None] = relationship()
    branches: Mapped[list[Branch]] = relationship(secondary=contract_branch, order_by="Branch.name")
