"""Every message the user reads about their input, in GOV.UK wording, in one place."""

# Sign-in
EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"
PASSWORD_REQUIRED = "Enter your password"
SIGN_IN_FAILED = "Enter a correct email address and password"
SIGN_IN_LOCKED = (
    "There have been too many attempts to sign in with this email address. "
    "Wait {minutes} minutes and try again, or reset your password"
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
