"""The service's words: roles, statuses and limits that pages, forms, jobs and the data
model all use. Nothing here touches the database, so a page can name a role or a status
without importing the models (``.importlinter`` forbids blueprints to import
``portal.models``).

The job and upload statuses are still defined beside their models
(``portal.models.work``, ``portal.models.uploads``) and are re-exported here, loaded on
first use: the models import this module, so importing theirs at the top would be a
cycle."""

from __future__ import annotations

import enum
from typing import Any

# --- people: roles at an organisation -----------------------------------------------------


class Role(enum.Enum):
    PROVIDER_SUBMITTER = "provider-submitter"
    PROVIDER_MANAGER = "provider-manager"
    COMMISSIONER = "commissioner"
    QA_OFFICER = "qa-officer"
    FORUM_MEMBER = "forum-member"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "provider-submitter": "Submitter",
            "provider-manager": "Manager",
            "commissioner": "Commissioner",
            "qa-officer": "Quality assurance officer",
            "forum-member": "Provider forum member",
            "admin": "Administrator",
        }[self.value]

    @property
    def at_provider(self) -> bool:
        return self in (Role.PROVIDER_SUBMITTER, Role.PROVIDER_MANAGER)

    @property
    def at_council(self) -> bool:
        return self in (Role.COMMISSIONER, Role.QA_OFFICER, Role.FORUM_MEMBER)


PROVIDER_ROLES = (Role.PROVIDER_SUBMITTER, Role.PROVIDER_MANAGER)
COUNCIL_ROLES = (Role.COMMISSIONER, Role.QA_OFFICER, Role.FORUM_MEMBER)


# --- organisations: frameworks, areas, contracts and branches ------------------------------


class ServiceType(enum.Enum):
    HOMECARE = "homecare"
    EXTRA_CARE = "extra_care"

    @property
    def label(self) -> str:
        return {"homecare": "Homecare", "extra_care": "Extra Care"}[self.value]


class AreaKind(enum.Enum):
    LOT = "lot"
    PATCH = "patch"
    POSTCODE_DISTRICT = "postcode_district"
    SCHEME = "scheme"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ContractType(enum.Enum):
    FRAMEWORK = "framework"
    BLOCK = "block"
    SPOT = "spot"
    DPS = "dps"

    @property
    def label(self) -> str:
        return "DPS" if self is ContractType.DPS else self.value.capitalize()


class CqcRating(enum.Enum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_YET_RATED = "not_yet_rated"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SponsorLicenceStatus(enum.Enum):
    NONE = "none"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return "No licence" if self is SponsorLicenceStatus.NONE else self.value.capitalize()


# --- monthly returns -----------------------------------------------------------------------


class ReturnStatus(enum.Enum):
    """Stored statuses. "Overdue" is worked out from the due date, never stored."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SectionState(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# --- API keys ------------------------------------------------------------------------------

KEY_NAME_MAX = 80  # characters in a key's name
PREFIX_LENGTH = 8  # characters of a key's secret kept to tell keys apart


# --- defined beside their models, re-exported on first use ---------------------------------

JOB_NAMES = ("JOB_QUEUED", "JOB_RUNNING", "JOB_DONE", "JOB_FAILED", "JOB_STATUSES")
UPLOAD_NAMES = ("UPLOAD_CHECKED", "UPLOAD_IMPORTING", "UPLOAD_DONE", "UPLOAD_FAILED")


def __getattr__(name: str) -> Any:
    """``from portal.vocabulary import JOB_DONE`` works like any other name here."""
    if name in JOB_NAMES:
        from portal.models import work as module
    elif name in UPLOAD_NAMES:
        from portal.models import uploads as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


__all__ = [
    "AreaKind",
    "COUNCIL_ROLES",
    "ContractType",
    "CqcRating",
    "KEY_NAME_MAX",
    "PREFIX_LENGTH",
    "PROVIDER_ROLES",
    "ReturnStatus",
    "Role",
    "SectionState",
    "ServiceType",
    "SponsorLicenceStatus",
    *JOB_NAMES,
    *UPLOAD_NAMES,
]
