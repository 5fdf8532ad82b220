"""Links in e-mails: always built from BASE_URL, never from the request.

``url_for`` with ``_external`` takes the host from the request's Host header, so a forged
Host would put an attacker's address in a password-reset e-mail. Build every e-mailed link
with :func:`service_url` (or prefix BASE_URL to a stored path with :func:`service_link`).
"""

from __future__ import annotations

from flask import current_app


def service_link(path: str) -> str:
    """``path`` on this service, as a full address starting with BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


def service_url(endpoint: str, **values) -> str:
    """The full address of ``endpoint`` under BASE_URL, with or without a request."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return service_link(adapter.build(endpoint, values))
