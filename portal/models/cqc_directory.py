"""The CQC's published directory of regulated locations, as an administrator last
uploaded it: adding a contract looks providers and locations up in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db


class CqcLocation(db.Model):
    __tablename__ = "cqc_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[str] = mapped_column(String(20), unique=True)
    location_name: Mapped[str] = mapped_column(String(300))
    provider_id: Mapped[str] = mapped_column(String(20), index=True)
    provider_name: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    service_types: Mapped[str | None] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
