"""The data model. Import models from here."""

from portal.models.accounts import (
    EmailToken,
    LoginThrottle,
    Membership,
    Role,
    SecurityEvent,
    User,
    UserSession,
)
from portal.models.organisations import (
    Area,
    AreaKind,
    Branch,
    Contract,
    ContractType,
    Council,
    CqcRating,
    Framework,
    Provider,
    ServiceType,
    SponsorLicenceStatus,
)

__all__ = [
    "Area",
    "AreaKind",
    "Branch",
    "Contract",
    "ContractType",
    "Council",
    "CqcRating",
    "EmailToken",
    "Framework",
    "LoginThrottle",
    "Membership",
    "Provider",
    "Role",
    "SecurityEvent",
    "ServiceType",
    "SponsorLicenceStatus",
    "User",
    "UserSession",
]
