"""Where to go after signing in: only a path on this service, never another site.

Every place that reads ``next=`` goes through :func:`safe_next`. Browsers treat
``//host``, ``/\\host`` and paths with tabs or newlines in them as other sites (or
Werkzeug refuses the header with a 500), so anything but a plain same-site path is
dropped and the caller sends the user to the home page.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

# Going back to these after signing in would loop or sign the user straight out.
_NOT_AFTER_SIGN_IN = ("/sign-in", "/sign-out")


def _has_unsafe_character(text: str) -> bool:
    """Backslashes, and control or line-breaking characters (tab, CR, LF, U+2028...)."""
    return any(
        char == "\\" or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
        for char in text
    )


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path on this service, otherwise None (go home instead)."""
    if not value:
        return None
    value = value.rstrip("?")
    decoded = unquote(value)
    if _has_unsafe_character(value) or _has_unsafe_character(decoded):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    for text in (value, decoded):
        if not text.startswith("/") or text.startswith("//"):
            return None
    if value.startswith(_NOT_AFTER_SIGN_IN):
        return None
    return value
