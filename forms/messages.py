"""Every message the user reads about their input, in GOV.UK wording, in one place."""

# Sign-in
EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"
PASSWORD_REQUIRED = "Enter your password"
SIGN_IN_FAILED = "Enter a correct email address and password"
# {minutes} is "1 minute" or "15 minutes". Unknown addresses get the same words, so the
# message never says whether an account exists.
SIGN_IN_LOCKED = (
    "There have been too many attempts to sign in to this account. "
    "Wait {minutes} and try again, or reset your password"
)
# The network limit only slows: each account can still be tried once a minute.
SIGN_IN_SLOWED_NETWORK = (
    "There have been too many attempts to sign in from your network. Wait 1 minute and try again"
)
SIGNED_OUT_IDLE = "You were signed out because you had not done anything for {minutes} minutes"
SIGNED_OUT_ABSOLUTE = "You were signed out because you had been signed in for {hours} hours"
SIGN_IN_TO_CONTINUE = "Sign in to continue"

# Passwords
NEW_PASSWORD_REQUIRED = "Enter a new password"
PASSWORD_TOO_SHORT = "Password must be 10 characters or more"
PASSWORD_TOO_LONG = "Password must be 128 characters or fewer"
PASSWORD_COMMON = "Choose a password that is harder to guess: this one is too common"
PASSWORD_NAMES_SERVICE = (
    "Choose a password that is harder to guess: do not use the name of this service or a council"
)
PASSWORD_CONFIRM_REQUIRED = "Re-type your new password"
PASSWORD_MISMATCH = "The passwords do not match: re-type your new password"
TOKEN_INVALID = "This link has expired or has already been used. Ask for a new link"

# Users
NAME_REQUIRED = "Enter the person's full name"
NAME_TOO_LONG = "Full name must be 200 characters or fewer"
ROLE_REQUIRED = "Select what the person can do"
USER_ALREADY_MEMBER = "This person can already use the portal for your organisation"
USER_BELONGS_ELSEWHERE = (
    "This email address is used by someone at another organisation: "
    "ask them to use a different email address"
)
CANNOT_REMOVE_SELF = "You cannot remove yourself: ask another manager to do it"

# Forms in general
FORM_EXPIRED = "This page has expired. Your changes were not saved: try again"
FILE_TOO_LARGE = "The selected file must be smaller than {size}"


# Monthly returns: KPIs
def kpi_required(label: str) -> str:
    return f"Enter the number of {label[0].lower() + label[1:]}, or 0 if there were none"


def kpi_not_number(label: str, decimal: bool) -> str:
    kind = "a number, like 1520.5" if decimal else "a whole number, like 120"
    return f"{label} must be {kind}"


def kpi_negative(label: str) -> str:
    return f"{label} must be 0 or more"


def kpi_whole_number(label: str) -> str:
    return f"{label} must be a whole number"


def kpi_two_decimals(label: str) -> str:
    return f"{label} must have no more than 2 decimal places"


def kpi_too_big(label: str, maximum: int) -> str:
    return f"{label} must be {maximum:,} or fewer"


def kpi_more_than(smaller: str, larger: str) -> str:
    return f"{smaller} must be the same as or fewer than {larger[0].lower() + larger[1:]}"


# Monthly returns: saving and submitting
STALE_SAVE = (
    "{name} changed this section at {time}, after you opened it. Your answers have not been "
    "saved. Their saved answers are shown below yours: check both, then save again"
)
RETURN_LOCKED = "This return is locked. Ask {council} to reopen it if you need to change it"
RETURN_NOT_EDITABLE = "This return has been accepted and cannot be changed"
SECTIONS_INCOMPLETE = "Complete every section before you submit: {sections}"
WARNINGS_UNCONFIRMED = "Confirm the values we have flagged are correct, or change them"
CONFIRM_WARNING = "Tick the box to confirm this value is correct, or change it"


# Monthly returns: capacity and handbacks (``subject`` starts lower case, e.g.
# "earliest start date for North")
def _sentence(subject: str) -> str:
    return subject[:1].upper() + subject[1:]


def enter(subject: str) -> str:
    return f"Enter the {subject}"


def select(subject: str) -> str:
    return f"Select the {subject}"


def select_yes_if(question: str) -> str:
    return f"Select yes if {question}"


def spare_hours_required(where: str = "") -> str:
    return f"Enter the spare weekly hours{where}, or 0"


def hours_not_number(subject: str) -> str:
    return f"{_sentence(subject)} must be a number, like 12.5"


def hours_negative(subject: str) -> str:
    return f"{_sentence(subject)} must be 0 or more"


def hours_not_positive(subject: str) -> str:
    return f"{_sentence(subject)} must be more than 0"


def hours_two_decimals(subject: str) -> str:
    return f"{_sentence(subject)} must have no more than 2 decimal places"


def hours_too_big(subject: str, maximum: int) -> str:
    return f"{_sentence(subject)} must be {maximum:,} or fewer"


def date_missing_parts(subject: str, parts: list[str]) -> str:
    return f"{_sentence(subject)} must include a {' and '.join(parts)}"


def date_not_real(subject: str) -> str:
    return f"{_sentence(subject)} must be a real date"


def date_before(subject: str, other: str) -> str:
    return f"{_sentence(subject)} must be the same as or after the {other}"


def too_long(subject: str, maximum: int) -> str:
    return f"{_sentence(subject)} must be {maximum} characters or fewer"


CAPACITY_COPIED = "We have copied your answers from last month. Check them and save"
CAPACITY_NOTHING_TO_COPY = "There is no submitted return for last month to copy"
HANDBACKS_MISSING = (
    "Enter the handbacks you had this month, or select ‘We had no handbacks this month’"
)
HANDBACKS_NONE_BUT_ROWS = (
    "You selected ‘We had no handbacks this month’: remove the handbacks you entered, "
    "or unselect it"
)
HANDBACKS_TOO_MANY = "You can enter up to {maximum} handbacks in one return"
STALE_SAVE_UNKNOWN = (
    "This section changed after you opened it. Your answers have not been saved: "
    "check them, then save again"
)


# Monthly returns: staff and training records (ASC-WDS rules, shared with uploads)
WORKER_ID_REQUIRED = "Enter the staff member's worker ID"
WORKER_ID_TOO_LONG = "Worker ID must be 50 characters or fewer"
WORKER_ID_TAKEN = "You already have a staff member with this worker ID. Enter a different worker ID"
BRANCH_REQUIRED = "Select the branch they work from"
JOB_ROLE_REQUIRED = "Select their main job role"
EMPLOYMENT_STATUS_INVALID = "Select their employment status"
CARE_CERTIFICATE_REQUIRED = "Select whether they have completed the Care Certificate"
VISA_REQUIRED = "Select yes if they are on a Health and Care Worker visa"
ZERO_HOURS_REQUIRED = "Select yes if they are on a zero-hours contract"
HOURLY_RATE_REQUIRED = "Enter their hourly rate of pay"
CONTRACTED_HOURS_REQUIRED = "Enter their contracted hours a week"
CONTRACTED_HOURS_NOT_NUMBER = "Contracted hours must be a number, like 37.5"
CONTRACTED_HOURS_RANGE = "Contracted hours must be between 0 and 75"
CONTRACTED_HOURS_ON_ZERO_HOURS = (
    "Leave contracted hours blank for someone on a zero-hours contract, or select No for "
    "zero-hours contract"
)
CATEGORY_REQUIRED = "Select the training category"
TRAINING_NAME_TOO_LONG = "Training name must be 120 characters or fewer"
TRAINING_PROVIDER_TOO_LONG = "Training provider must be 120 characters or fewer"
TRAINING_PROVIDER_INVALID = "Select the training provider from the list, or Other"
NOTES_TOO_LONG = "Notes must be 1,000 characters or fewer"
ACCREDITED_REQUIRED = "Select yes if the training was accredited"
WHO_DELIVERED_REQUIRED = "Select who delivered the training"
HOW_DELIVERED_REQUIRED = "Select how the training was delivered"
VALIDITY_INVALID = "Months the training is valid for must be a whole number from 1 to 999"
EXPIRY_NOT_AFTER_COMPLETED = "Expiry date must be after the date completed"
TRAINING_CONFIRM_REQUIRED = "Confirm you have added all staff and their training"
TRAINING_NO_STAFF = "Add your staff and their training before you confirm"
REMOVE_REASON_REQUIRED = "Select why you are removing this staff member"
LEFT_BEFORE_START = "Date they left must be the same as or after their start date"


def staff_date_required(label: str) -> str:
    return f"Enter the {label[0].lower() + label[1:]}"


def staff_date_not_real(label: str) -> str:
    return f"{label} must be a real date"


def staff_date_in_future(label: str) -> str:
    return f"{label} must be today or in the past"


def staff_date_too_early(label: str) -> str:
    return f"{label} must be on or after 1 January 1990"


def money_not_number(label: str) -> str:
    return f"{label} must be an amount in pounds, like 12.60"


def money_out_of_range(label: str) -> str:
    return f"{label} must be more than £0 and no more than £200"


# Monthly returns: workforce
def workforce_required(what: str, count: bool) -> str:
    return f"Enter {what}" + (", or 0 if there were none" if count else "")


def more_than_headcount(label: str) -> str:
    return f"{label} must be the same as or fewer than the care staff headcount"


SPONSOR_LICENCE_REQUIRED = "Select the status of your sponsor licence"
REGISTERED_MANAGER_REQUIRED = "Select yes if a registered manager is in post"
TRAVEL_TIME_REQUIRED = "Select yes if you pay care staff for travel time"
FTE_MORE_THAN_HEADCOUNT = (
    "Full-time equivalent must be the same as or less than the care staff headcount"
)
CARE_CERT_MORE_THAN_HEADCOUNT = (
    "The Care Certificate numbers must add up to no more than the care staff headcount"
)
LOWEST_PAY_ABOVE_MEDIAN = "Lowest hourly pay must be the same as or less than median hourly pay"
NOTHING_TO_COPY = (
    "There is no submitted workforce section for {period} to copy. Enter this month's figures"
)
COPIED_LAST_MONTH = "We have copied the figures you sent for {period}. Check them, then save"
PREFILLED_FROM_STAFF = (
    "We have filled in some figures from your staff records. Check them before you save"
)


# Council settings for returns
DUE_DAY_REQUIRED = "Enter the working day a return is due, like 10"
DUE_DAY_RANGE = "The working day a return is due must be between 1 and 20"
LOCK_DAYS_REQUIRED = "Enter the number of days after the due date that a return locks, like 20"
LOCK_DAYS_RANGE = "Days until a return locks must be between 0 and 90"
DUE_DAY_WHOLE = "The working day a return is due must be a whole number, like 10"
LOCK_DAYS_WHOLE = "Days until a return locks must be a whole number, like 20"


# Reviewing returns
QUERY_TARGET_REQUIRED = "Select the answer your question is about"
QUERY_TEXT_REQUIRED = "Enter your question"
REPLY_REQUIRED = "Enter your reply"
REPLY_CLOSED = "This question is closed: the return has been accepted or is locked"
REPLY_WHICH_QUESTION = "Choose the question you are replying to, then send your reply"
COMMENT_TOO_LONG = "Your comment must be 2,000 characters or fewer"
NOT_REVIEWABLE = "This return is not waiting for review"


# Uploads
UPLOAD_WRONG_TYPE = "The selected file must be a CSV or XLSX"
UPLOAD_OLD_EXCEL = (
    "The selected file must be a CSV or XLSX: in Excel, save it as an Excel Workbook (.xlsx) "
    "or as CSV UTF-8, then upload it again"
)
UPLOAD_EMPTY = "The selected file is empty"
UPLOAD_PASSWORD_PROTECTED = (
    "The selected file is password protected: remove the password, save it and upload it again"
)
UPLOAD_CANNOT_OPEN = (
    "The selected file cannot be opened: save it again as a CSV or XLSX and upload it again"
)
UPLOAD_NO_DATA = "The file has no rows of data"
UPLOAD_ROW_TOO_LONG = (
    "This row has more values than the file has column headings: if a value has a comma in "
    "it, put the value in double quotes"
)
UPLOAD_SCIENTIFIC_NOTATION = (
    "This looks like a spreadsheet turned it into a number in scientific notation: format the "
    "column as text and export again"
)
UPLOAD_LEADING_ZEROS = (
    "This looks like a spreadsheet removed its leading zeros: format the column as text and "
    "export again"
)
UPLOAD_BRANCH_REQUIRED = "Enter the workplace ID (LOCALESTID) of the branch"
UPLOAD_NO_BRANCH_IDS = (
    "None of your branches has a workplace ID (LOCALESTID) yet: add one to each branch, "
    "then upload the file again"
)
UPLOAD_UNKNOWN_WORKER = (
    "There is no staff member with this worker ID: add them to the staff file, "
    "or correct the worker ID"
)
UPLOAD_STATUS_NEW_EXISTS = (
    "STATUS is NEW but you already have a staff member with this worker ID: change STATUS to UPDATE"
)
UPLOAD_VALIDITY_MISMATCH = (
    "The expiry date does not match VALIDITY, the months the training is valid for: "
    "we will use the expiry date"
)
UPLOAD_VALIDITY_NONE_BUT_EXPIRY = (
    "VALIDITY says the training does not expire, but it has an expiry date: "
    "we will use the expiry date"
)


def _and(items: list[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def upload_unclosed_quote(row: int) -> str:
    return (
        f'The quotation mark (") in row {row:,} is not closed: check the file, '
        "save it and upload it again"
    )


def upload_too_many_rows(maximum: int) -> str:
    return f"The file must have {maximum:,} rows of data or fewer"


def upload_too_many_columns(maximum: int) -> str:
    return f"The file must have {maximum:,} columns or fewer: remove the columns you do not need"


def upload_columns_missing(columns: list[str]) -> str:
    headings = "column heading" if len(columns) == 1 else "column headings"
    return f"The first row of the file must have the {headings} {_and(columns)}"


def upload_column_twice(column: str) -> str:
    return f"The file has more than one {column} column: remove one of them"


def upload_wrong_file(found: str) -> str:
    return f"This looks like an ASC-WDS {found} file: upload it as the {found} file"


def upload_required(what: str, column: str) -> str:
    return f"Enter the {what} ({column})"


def upload_code_invalid(column: str, choices: list[str]) -> str:
    return f"{column} must be {_and(choices, 'or')}"


def upload_code_from_list(column: str, what: str, example_code: int, example: str) -> str:
    return f"{column} must be an ASC-WDS {what} code, like {example_code} for {example.lower()}"


def upload_date_not_real(label: str) -> str:
    return f"{label} must be a real date, like 27/03/2024"


UPLOAD_BRANCH_TOO_LONG = "LOCALESTID must be 50 characters or fewer"
UPLOAD_HOURS_WITHOUT_ZERO_HOURS = (
    "CONTHOURS gives contracted hours but ZEROHRCONT is blank: enter 2 in ZEROHRCONT if they "
    "are not on a zero-hours contract"
)
UPLOAD_HOURS_ON_ZERO_HOURS = (
    "CONTHOURS gives contracted hours but ZEROHRCONT is 1 (zero-hours contract) or 999 "
    "(not known): enter 2 in ZEROHRCONT, or leave CONTHOURS blank"
)
UPLOAD_ZERO_HOURS_NOT_ZERO = (
    "We will ignore ZEROHRCONT ‘2’ (not a zero-hours contract) because CONTHOURS is 0: enter 1 "
    "in ZEROHRCONT if they are on a zero-hours contract"
)
UPLOAD_HOURS_ZERO_HOURS_CONTRACT = (
    "ZEROHRCONT is 1 (zero-hours contract): leave CONTHOURS blank for someone on a zero-hours "
    "contract"
)
UPLOAD_HOURS_NOT_A_NUMBER = (
    "it is not a number of hours, like 37.5: ASC-WDS ignores it, so enter the hours a week "
    "or leave CONTHOURS blank"
)
UPLOAD_HOURS_TOO_MANY = "it is more than 75 hours a week: ASC-WDS takes 75 at most"


def contracted_hours_not_contracted(status: str) -> str:
    return (
        f"Leave contracted hours blank when employment status is {status}: only permanent "
        "and temporary staff have contracted hours"
    )


def upload_hours_not_contracted(status: int, name: str) -> str:
    return (
        f"EMPLSTATUS is {status} ({name}): contracted hours are kept only for permanent and "
        "temporary staff"
    )


UPLOAD_START_DATE_BLANK = (
    "STARTDATE is blank: enter the date they started in their main job, like 27/03/2024, "
    "if you know it"
)
UPLOAD_START_DATE_NOT_REAL = "it is not a real date, like 27/03/2024"
UPLOAD_START_DATE_FUTURE = "it is in the future"
UPLOAD_START_DATE_TOO_EARLY = "it is before 1990"
UPLOAD_VISA_NOT_A_CODE = "it is not 1 (yes), 2 (no) or 999 (not known), as ASC-WDS ignores it"
UPLOAD_PROVIDER_NOT_EXTERNAL = (
    "WHODELIVERED is not 2 (external provider): a training provider is kept only for "
    "training an external provider delivered"
)


def upload_provider_code(column: str) -> str:
    return (
        f"{column} must be a code from the ASC-WDS list of training providers, like 88 for "
        "Skills for Care, or 999 for another provider"
    )


def upload_ignored(column: str, value: str, why: str) -> str:
    """A warning that a value will not be kept, naming the value and the reason."""
    shown = value if len(value) <= 40 else value[:39] + "…"
    return f"We will ignore {column} ‘{shown}’ because {why}"


def upload_branch_unknown(known: list[str]) -> str:
    shown = [f"‘{value}’" for value in known[:5]] + (["another of your IDs"] if known[5:] else [])
    return f"LOCALESTID must be the workplace ID of one of your branches: {_and(shown, 'or')}"


def upload_status_invalid(statuses: list[str]) -> str:
    return f"STATUS must be {_and(statuses, 'or')}"


def upload_status_not_found(status: str) -> str:
    return (
        f"STATUS is {status} but you do not have a staff member with this worker ID: "
        "change STATUS to NEW to add them"
    )


def upload_worker_twice(row: int) -> str:
    return f"This worker ID is also on row {row:,}: each staff member must be in the file once"


def upload_duplicate_row(row: int) -> str:
    return f"This row is the same as row {row:,}: we will import it once"


# What each kind of upload problem is called in a summary: (one, more than one).
UPLOAD_PROBLEM_NOUNS = {
    "date": ("date", "dates"),
    "training_category": ("training category", "training categories"),
    "job_role": ("main job role", "main job roles"),
    "code": ("code", "codes"),
    "worker_id": ("worker ID", "worker IDs"),
    "branch": ("workplace ID", "workplace IDs"),
    "status": ("status", "statuses"),
    "number": ("number", "numbers"),
    "validity": ("validity period", "validity periods"),
    "text": ("value that is too long", "values that are too long"),
    "row": ("row with too many values", "rows with too many values"),
    "duplicate": ("duplicate row", "duplicate rows"),
    "ignored": ("value we will ignore", "values we will ignore"),
    "start_date_blank": ("start date left blank", "start dates left blank"),
    "expiry": ("expiry date that does not match its validity",
               "expiry dates that do not match their validity"),
}  # fmt: skip


def upload_summary(counts: dict[str, int], start: str = "You need to fix") -> str:
    """ "You need to fix 12 dates and 3 training categories": the most common first."""
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    parts = [
        f"{count:,} {UPLOAD_PROBLEM_NOUNS[kind][count != 1]}" for kind, count in ordered if count
    ]
    return f"{start} {_and(parts)}" if parts else ""


# Quality assurance
CONCERN_SUMMARY_REQUIRED = "Enter what the concern is about"
CONCERN_CONFIDENTIAL_REQUIRED = "Select yes if the concern is confidential"
VISIT_OUTCOME_REQUIRED = "Enter the outcome of the visit"
CQC_RATING_REQUIRED = "Select the CQC rating"
MANAGER_IN_POST_REQUIRED = "Select yes if a registered manager is in post"
LICENCE_STATUS_REQUIRED = "Select the status of the sponsor licence"
FACTS_UNCHANGED = (
    "Change the CQC rating, its date, the registered manager or the sponsor licence, "
    "or go back to the provider"
)
CONCERN_NOT_FOUND = "Select a concern to close"
CONCERN_ALREADY_CLOSED = "That concern was already closed"


def date_in_future(subject: str) -> str:
    return f"{_sentence(subject)} must be today or in the past"


def date_too_early(subject: str, earliest: str) -> str:
    return f"{_sentence(subject)} must be on or after {earliest}"


def fact_source_required(what: str) -> str:
    return f"Enter where the {what} information came from"


def risk_now(provider: str, rating: str) -> str:
    return f"{provider} is now rated {rating}"


# --- setting up the service (councils, frameworks, targets, contracts, branches) ----------
COUNCIL_NAME_REQUIRED = "Enter the council's name"
COUNCIL_NAME_TAKEN = "A council with this name is already on the service"
MONTH_INVALID = "Enter the {subject} as a month and year, like April 2027"
FRAMEWORK_NAME_REQUIRED = "Enter the framework's name"
FRAMEWORK_NAME_TAKEN = "Your council already has a framework with this name"
FRAMEWORK_END_BEFORE_START = "End date must be the same as or after the start date"
SERVICE_TYPE_REQUIRED = "Select the type of service"
LOT_KIND_REQUIRED = "Select what the framework is divided into"
LOT_NAME_REQUIRED = "Enter the name of the lot or area"
LOT_NAME_TAKEN = "This framework already has a lot or area with this name"
TARGETS_MONTH_NOT_AFTER = (
    "The month the new targets apply from must be after {month}, when the current targets started"
)
TARGET_INVALID = "Enter the target for {kpi} as a percentage from 0 to 100, like 90"
AMBER_BAND_INVALID = "Enter the amber band for {kpi} as percentage points from 0 to 100, like 15"
CQC_PROVIDER_ID_INVALID = "Enter the CQC provider ID in the correct format, like 1-101641631"
CQC_LOCATION_ID_INVALID = (
    "Enter CQC location IDs in the correct format, like 1-123456789: {value} is not one"
)
FRAMEWORK_NOT_FOUND = "Select one of your council's frameworks"
FRAMEWORK_REQUIRED = "Select the framework this framework contract is under"
LOT_NOT_IN_FRAMEWORK = "Select a lot or area of the framework you chose"
CONTRACT_END_BEFORE_START = "End date must be the same as or after the start date"
PROVIDER_NAME_TAKEN = (
    "A provider with this name is already on the service under another CQC provider ID. "
    "Check the CQC provider ID"
)
LOCATION_OF_ANOTHER_PROVIDER = (
    "CQC location {value} belongs to another provider. Check the CQC location IDs"
)
PROVIDER_WITHOUT_CQC_ID = (
    "No CQC provider ID: the provider is matched by name. Add the CQC provider ID if it has one"
)
CONTRACT_EXISTS = "Your council already has this contract with this provider"
PROVIDER_NAME_REQUIRED = "Enter the provider's name"
CONTRACT_TYPE_REQUIRED = "Select the type of contract"
HOURLY_RATE_INVALID = "Enter the hourly rate as an amount in pounds, like 24.50"
BRANCH_NAME_REQUIRED = "Enter the branch's name"
CQC_LOCATION_ID_FORMAT = "Enter the CQC location ID in the correct format, like 1-123456789"
CQC_LOCATION_ID_TAKEN = "Another branch on the service has this CQC location ID. Check it"
LOCALESTID_TAKEN = "Another of your branches has this workplace ID (LOCALESTID)"
POSTCODE_INVALID = "Enter a real postcode, like ME4 4QB"
REGISTER_MISSING_COLUMNS = (
    "The file must have these columns: {columns}. Use the template to get the headings right"
)
REGISTER_ROW_REPEATED = "This contract is already in row {row}: keep one of the two rows"
REGISTER_TYPE_INVALID = "Contract type must be Framework, Block, Spot or DPS"
REGISTER_FRAMEWORK_UNKNOWN = (
    "Framework must be the name of one of your council's frameworks, as on your frameworks page"
)
REGISTER_DATE_INVALID = "Enter the date as day/month/year, like 01/04/2026"
REGISTER_SELECT_FILE = "Select the contract register file, as CSV or XLSX"
REGISTER_HAS_ERRORS = "The file has errors: fix them in your spreadsheet and upload it again"
REGISTER_EXPIRED = "The file you uploaded has expired or was not found: upload it again"
CQC_DIRECTORY_COLUMNS = (
    "The file must have the CQC directory's Location ID, Location Name, Provider ID and "
    "Provider Name columns"
)
CQC_DIRECTORY_SELECT_FILE = "Select the CQC directory file, as CSV"
