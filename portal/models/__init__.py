"""The data model. Import models from here (and the words they use from
``portal.vocabulary``)."""

from portal.models.accounts import (
    EmailToken,
    LoginThrottle,
    Membership,
    SecurityEvent,
    User,
    UserSession,
)
from portal.models.api import ApiCall, ApiIdempotency, ApiKey
from portal.models.cqc_directory import CqcLocation
from portal.models.notifications import Notification, NotificationPreference, ReminderSent
from portal.models.organisations import (
    Area,
    Branch,
    Contract,
    Council,
    Framework,
    Provider,
    contract_branch,
)
from portal.models.oversight import Concern, FactChange, QaVisit, ReturnComment, RiskRating
from portal.models.returns import (
    AuditEntry,
    KpiTarget,
    MonthlyReturn,
    ReturnSection,
    ReturnVersion,
    StaffMember,
    TrainingRecord,
)
from portal.models.setup_audit import ChangeRecord
from portal.models.uploads import StoredFile, UploadBatch
from portal.models.work import Document, Job, KpiCommentary, MandatoryTraining, MeetingAction

# The enums are the vocabulary's; ``from portal.models import Role`` keeps working.
from portal.vocabulary import (
    AreaKind,
    ContractType,
    CqcRating,
    ReturnStatus,
    Role,
    SectionState,
    ServiceType,
    SponsorLicenceStatus,
)

__all__ = [
    "ChangeRecord",
    "CqcLocation",
    "contract_branch",
    "ApiCall",
    "ApiIdempotency",
    "ApiKey",
    "contract_branch",
    "Notification",
    "NotificationPreference",
    "ReminderSent",
    "Concern",
    "FactChange",
    "QaVisit",
    "ReturnComment",
    "RiskRating",
    "AuditEntry",
    "KpiTarget",
    "MonthlyReturn",
    "ReturnSection",
    "ReturnStatus",
    "ReturnVersion",
    "SectionState",
    "StaffMember",
    "TrainingRecord",
    "StoredFile",
    "UploadBatch",
    "Document",
    "Job",
    "KpiCommentary",
    "MandatoryTraining",
    "MeetingAction",
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
