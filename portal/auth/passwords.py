"""Password rules (NCSC / OWASP) and argon2 hashing.

Rules: 10 to 128 characters, any characters (spaces and emoji included), no composition
rules, and not a common password, the service's name or a council's name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from forms import messages

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_squash(line) for line in lines if line and not line.startswith("#"))


def _squash(text: str) -> str:
    """Lower-case, drop spaces and punctuation: 'Medway Council!' ~ 'medwaycouncil'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)


def _strip_trailing_digits(text: str) -> str:
    return re.sub(r"\d+$", "", text)


def password_problem(password: str, banned_words: list[str] | tuple[str, ...] = ()) -> str | None:
    """Return the GOV.UK message that says what to fix, or None when the password is fine."""
    if len(password) < MIN_LENGTH:
        return messages.PASSWORD_TOO_SHORT
    if len(password) > MAX_LENGTH:
        return messages.PASSWORD_TOO_LONG
    squashed = _squash(password)
    core = _strip_trailing_digits(squashed)
    common = _common_passwords()
    if squashed in common or core in common or len(set(password)) < 3:
        return messages.PASSWORD_COMMON
    for word in banned_words:
        word = _squash(word)
        if word and (squashed == word or core == word or (len(word) >= 5 and word in squashed)):
            return messages.PASSWORD_NAMES_SERVICE
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time and say no (no user leak)."""
    hasher = _hasher()
    if not password_hash:
        try:
            hasher.verify(_dummy_hash(hasher), password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[tuple[int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not a real password: timing equaliser")
    return _DUMMY[key]
