"""Password rules: NCSC / OWASP, no composition rules."""

import pytest

from forms import messages
from portal.auth.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize(
    "password",
    [
        "ten chars!",  # exactly 10
        "alllowercaseletters",  # no composition rules
        "correct horse battery staple",
        "Zürich café 🌧️ walk",  # any characters
        "x" * 5 + "y" * 5 + "z" * 118,  # 128 characters
    ],
)
def test_acceptable_passwords(password):
    assert password_problem(password, ["Medway Council"]) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("nine char", messages.PASSWORD_TOO_SHORT),
        ("a" * 60 + "b" * 69, messages.PASSWORD_TOO_LONG),  # 129
        ("password123", messages.PASSWORD_COMMON),
        ("Password1234!", messages.PASSWORD_COMMON),
        ("qwertyuiop", messages.PASSWORD_COMMON),
        ("aaaaaaaaaaaa", messages.PASSWORD_COMMON),
        ("Medway Council 2024", messages.PASSWORD_NAMES_SERVICE),
        ("medwaycouncil", messages.PASSWORD_NAMES_SERVICE),
        ("I work at Medway!", messages.PASSWORD_NAMES_SERVICE),
        ("Care provider returns", messages.PASSWORD_NAMES_SERVICE),
    ],
)
def test_refused_passwords_say_what_to_fix(password, message):
    assert (
        password_problem(password, ["Care provider returns", "Medway Council", "medway"]) == message
    )


def test_hash_is_argon2id_and_verifies(app):
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")
