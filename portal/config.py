"""Configuration, read from the environment only.

Defaults are safe and work on a laptop: a SQLite file under ``instance/``, jobs run
in-process when ``REDIS_URL`` is unset, mail printed to the log when ``MAIL_HOST`` is unset.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        if production and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when PORTAL_ENV=production")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _base_url(production: bool) -> str:
    """The service's own address: every link in every e-mail starts with it."""
    url = (os.environ.get("BASE_URL") or "").strip().rstrip("/")
    if not url:
        if production:
            raise ConfigError("BASE_URL must be set when PORTAL_ENV=production")
        return "http://127.0.0.1:5000"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError("BASE_URL must be a full address, like https://returns.example.gov.uk")
    return url


def _trusted_hosts(base_url: str, production: bool) -> list[str] | None:
    """Host names the service answers to (others get 400). In production, by default only
    the host of BASE_URL; elsewhere any host unless TRUSTED_HOSTS is set."""
    hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if hosts:
        return hosts
    return [urlsplit(base_url).hostname or ""] if production else None


def _int(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, like {default}") from None


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from ``os.environ``."""
    env = os.environ.get("PORTAL_ENV", "development")
    production = env == "production"
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.db'}"
    secret_key = _secret_key(instance, production)
    base_url = _base_url(production)
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Care provider returns"),
        "BASE_URL": base_url,
        # Requests with any other Host get 400 (Flask checks it); see docs/security.md.
        "TRUSTED_HOSTS": _trusted_hosts(base_url, production),
        # How many proxies in front of the service set X-Forwarded-For/-Proto; 0 = none
        # is trusted, so a client cannot choose the address its sign-ins are counted under.
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        # Mail: unset MAIL_HOST means "print mail to the log" (local use only).
        "MAIL_HOST": os.environ.get("MAIL_HOST") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "returns-portal@localhost"),
        # Cookies and sessions.
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The cookie is set at sign-in and when the session's contents change, not signed
        # and sent again with every page (a tenth of a small page's time): it expires with
        # the 12-hour limit either way, and the idle limit is kept on the server.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")),
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Recovery of jobs whose worker died (portal.background.jobs): a worker stamps the
        # job it runs every JOB_HEARTBEAT_SECONDS; each worker sweeps every
        # JOB_SWEEP_SECONDS and re-queues a job silent for JOB_HEARTBEAT_TIMEOUT_SECONDS.
        "JOB_HEARTBEAT_SECONDS": float(os.environ.get("JOB_HEARTBEAT_SECONDS", "15")),
        "JOB_HEARTBEAT_TIMEOUT_SECONDS": float(
            os.environ.get("JOB_HEARTBEAT_TIMEOUT_SECONDS", "60")
        ),
        "JOB_SWEEP_SECONDS": float(os.environ.get("JOB_SWEEP_SECONDS", "60")),
        # A request may carry a staff file and a training file of up to 20MB each (each
        # file is checked against that limit on its own); the 413 page names 20MB.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(41 * 1024 * 1024))),
        # Sign-in throttling.
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "10")),
        "LOGIN_WINDOW_MINUTES": int(os.environ.get("LOGIN_WINDOW_MINUTES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        # Failed sign-ins from one client address (any accounts) in the window before that
        # address is slowed to one try per account per minute (never locked out).
        "LOGIN_ADDRESS_MAX_FAILURES": _int("LOGIN_ADDRESS_MAX_FAILURES", 100),
        # Password-reset e-mails: at most this many per address, and requests per client
        # address, in the window; over either, the same page but no e-mail.
        "PASSWORD_RESET_MAX_PER_EMAIL": _int("PASSWORD_RESET_MAX_PER_EMAIL", 3),
        "PASSWORD_RESET_MAX_PER_CLIENT": _int("PASSWORD_RESET_MAX_PER_CLIENT", 20),
        "PASSWORD_RESET_WINDOW_MINUTES": _int("PASSWORD_RESET_WINDOW_MINUTES", 15),
        # Argon2 cost; tests may lower it, production keeps the library defaults.
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", "65536")),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }


def engine_options(config) -> dict:
    """The database engine's options for the URI the app ends up with. On PostgreSQL
    connections run without JIT compilation: every query the portal makes is short, and
    once tables have statistics the planner's cost for the area training matrix passes
    the JIT thresholds and compiling took 0.69 s of a 0.98 s statement (0.3 s without)."""
    options = {"pool_pre_ping": True, **config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        options.setdefault("connect_args", {"options": "-c jit=off"})
    return options
