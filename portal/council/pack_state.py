"""What a council's contract-meeting pack pages need to know about a pack: which pack a
request names (provider or framework, and quarter), checked against the council, and how
far it has got (not built, queued, being built, ready, failed) from its latest job and the
documents it left. The pages in ``portal.council.packs`` only read and render these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import abort

from portal.clock import as_utc
from portal.documents import find_document
from portal.packs import FRAMEWORK_PACK, PACK, framework_pack_key, pack_key
from portal.queries import jobs as job_queries
from portal.queries import organisations
from portal.returns.calendar import (
    latest_complete_quarter,
    parse_quarter,
    previous_quarter,
    quarter_label,
    quarter_name,
)
from portal.vocabulary import JOB_FAILED, JOB_QUEUED, JOB_RUNNING

if TYPE_CHECKING:
    from portal.models import Document, Framework, Job, Provider

QUARTERS_SHOWN = 8
FORMATS = ("pdf", "xlsx")
ACTIVE = (JOB_QUEUED, JOB_RUNNING)

QUARTER_ERROR = "Select a quarter from the list"
PACK_ERROR = "Select a provider or a framework from the list"
FORMAT_ERROR = "Select the PDF or the XLSX download"
JOB_ERROR = "Select a pack from the list to see how it is getting on"


class BadInput(Exception):
    """The request named no pack or an impossible one: shown as a GOV.UK error summary
    (message, anchor) on the packs list, with status 400."""

    def __init__(self, message: str, anchor: str):
        super().__init__(message)
        self.message = message
        self.anchor = anchor


@dataclass(frozen=True)
class PackTarget:
    """One pack: a provider's (all its contracts with the council) or a framework's summary,
    for one quarter."""

    council_id: int
    quarter: date
    provider: Provider | None = None
    framework: Framework | None = None

    @property
    def kind(self) -> str:
        return PACK if self.provider is not None else FRAMEWORK_PACK

    @property
    def name(self) -> str:
        return self.provider.name if self.provider is not None else self.framework.name

    @property
    def quarter_name(self) -> str:
        return quarter_name(self.quarter)

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def key(self) -> str:
        if self.provider is not None:
            return pack_key(self.council_id, self.provider.id, self.quarter_name)
        return framework_pack_key(self.council_id, self.framework.id, self.quarter_name)

    @property
    def params(self) -> dict:
        """The job's parameters (ids only: the builder reloads everything)."""
        who = (
            {"provider_id": self.provider.id}
            if self.provider is not None
            else {"framework_id": self.framework.id}
        )
        return {"council_id": self.council_id, **who, "quarter": self.quarter_name}

    @property
    def args(self) -> dict[str, str]:
        """The query string naming this pack on the pack pages."""
        who = (
            {"provider": str(self.provider.id)}
            if self.provider is not None
            else {"framework": str(self.framework.id)}
        )
        return {**who, "quarter": self.quarter_name}

    def document(self, fmt: str) -> Document | None:
        return find_document(
            self.kind,
            self.council_id,
            self.quarter_name,
            fmt,
            provider_id=self.provider.id if self.provider is not None else 0,
            framework_id=self.framework.id if self.framework is not None else 0,
        )


@dataclass(frozen=True)
class PackState:
    target: PackTarget
    job: Job | None
    built: Document | None  # the PDF, when there is one

    @property
    def status(self) -> str:
        """not_built, queued, running, ready or failed: a job at work or failed says so;
        otherwise a built PDF means ready."""
        if self.job is not None and self.job.status in ACTIVE + (JOB_FAILED,):
            return self.job.status
        return "ready" if self.built is not None else "not_built"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def label(self) -> str:
        return {
            "not_built": "Not built",
            "queued": "Queued",
            "running": "Being built",
            "ready": "Ready",
            "failed": "Failed",
        }[self.status]

    @property
    def colour(self) -> str:
        return {
            "not_built": "grey",
            "queued": "blue",
            "running": "light-blue",
            "ready": "green",
            "failed": "red",
        }[self.status]

    @property
    def built_at(self) -> datetime | None:
        return as_utc(self.built.built_at) if self.built is not None else None


def quarter_options(today: date) -> list[date]:
    """The quarters a pack can be built for: the latest complete one and the 7 before it."""
    quarters = [latest_complete_quarter(today)]
    while len(quarters) < QUARTERS_SHOWN:
        quarters.append(previous_quarter(quarters[-1]))
    return quarters


def parse_quarter_choice(raw: str | None, today: date, required: bool = False) -> date:
    """A quarter from the chooser. Blank gives the latest complete quarter unless it is
    ``required``; anything not offered is a ``BadInput``."""
    options = quarter_options(today)
    if not (raw or "").strip() and not required:
        return options[0]
    quarter = parse_quarter(raw or "")
    if quarter not in options:
        raise BadInput(QUARTER_ERROR, "#quarter")
    return quarter


def parse_id(raw: str | None, message: str = PACK_ERROR) -> int:
    """A row id from a form or query value; ``BadInput`` with ``message`` when it is not one."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise BadInput(message, "#providers")
    return int(text)


def council_provider(council_id: int, provider_id: int) -> Provider:
    """A provider holding a contract with the council; 404 for anyone else's."""
    for provider, _ in organisations.council_providers(council_id):
        if provider.id == provider_id:
            return provider
    abort(404)


def council_framework(council_id: int, framework_id: int) -> Framework:
    framework = organisations.council_framework(council_id, framework_id)
    if framework is None:
        abort(404)
    return framework


def target_from(
    values: Mapping[str, str], council_id: int, today: date, quarter_required: bool
) -> PackTarget:
    """The pack a request names with ``provider`` or ``framework`` and ``quarter``."""
    raw_provider, raw_framework = values.get("provider"), values.get("framework")
    if bool((raw_provider or "").strip()) == bool((raw_framework or "").strip()):
        raise BadInput(PACK_ERROR, "#providers")
    quarter = parse_quarter_choice(values.get("quarter"), today, required=quarter_required)
    if (raw_provider or "").strip():
        return PackTarget(
            council_id, quarter, provider=council_provider(council_id, parse_id(raw_provider))
        )
    return PackTarget(
        council_id, quarter, framework=council_framework(council_id, parse_id(raw_framework))
    )


def target_of_job(job: Job) -> PackTarget:
    """The pack a job builds, from its parameters (written by ``PackTarget.params``)."""
    params = job.params or {}
    quarter = parse_quarter(params.get("quarter", ""))
    if job.council_id is None or quarter is None:
        abort(404)
    if params.get("provider_id"):
        provider = organisations.find_provider(params["provider_id"])
        if provider is None:
            abort(404)
        return PackTarget(job.council_id, quarter, provider=provider)
    return PackTarget(
        job.council_id,
        quarter,
        framework=council_framework(job.council_id, params.get("framework_id") or 0),
    )


def job_in_council(council_id: int, raw: str | None) -> Job:
    """A pack job of this council, from a form or query value; 404 for anyone else's,
    ``BadInput`` when the value is not a job number at all."""
    job = job_queries.get_job(parse_id(raw, JOB_ERROR))
    if job is None or job.council_id != council_id or job.kind not in (PACK, FRAMEWORK_PACK):
        abort(404)
    return job


def latest_job(target: PackTarget) -> Job | None:
    return job_queries.latest_job(target.key)


def state_of(target: PackTarget) -> PackState:
    return PackState(target, latest_job(target), target.document("pdf"))


def states_of(targets: list[PackTarget]) -> list[PackState]:
    """Every pack's state with two queries, for the list page."""
    if not targets:
        return []
    council_id, period = targets[0].council_id, targets[0].quarter_name
    jobs = job_queries.latest_council_jobs(council_id, [t.key for t in targets])
    documents = {
        (d.kind, d.provider_id, d.framework_id): d
        for d in job_queries.council_documents(council_id, (PACK, FRAMEWORK_PACK), period, "pdf")
    }
    return [
        PackState(
            t,
            jobs.get(t.key),
            documents.get(
                (
                    t.kind,
                    t.provider.id if t.provider is not None else 0,
                    t.framework.id if t.framework is not None else 0,
                )
            ),
        )
        for t in targets
    ]
