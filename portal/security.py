"""Security headers, CSP nonces and a correlation id on every request."""

from __future__ import annotations

import secrets
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only from TRUSTED_PROXY_COUNT proxies (default none),
    so a client cannot pick the address its sign-in attempts are counted under.
    X-Forwarded-Host is never trusted: links come from BASE_URL and Host is checked."""
    count = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """A Host not in TRUSTED_HOSTS: a plain 400 (no URLs can be built for this request,
    so the usual error page, whose links need them, cannot be shown)."""
    return (
        "Bad request: this service does not answer to that address.\n",
        400,
        {"Content-Type": "text/plain; charset=utf-8"},
    )


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.register_error_handler(SecurityError, _untrusted_host)

    @app.before_request
    def _per_request_values() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _looks_like_id(incoming) else uuid.uuid4().hex[:12]

    @app.context_processor
    def _template_values() -> dict:
        return {"csp_nonce": g.get("csp_nonce", ""), "request_id": g.get("request_id", "")}

    @app.after_request
    def _headers(response: Response) -> Response:
        nonce = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                "style-src 'self'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
                "base-uri 'self'",
                "object-src 'none'",
            ]
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if app.config.get("PORTAL_ENV") == "production":
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        static = request.endpoint in ("static", "assets")
        if not static and (current_user.is_authenticated or request.method != "GET"):
            response.headers["Cache-Control"] = "no-store"
        elif not static:
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


def _looks_like_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c == "-" for c in value)
