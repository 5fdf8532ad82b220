"""Server-side sessions: a random token in the signed cookie, its hash in the database.

Signing out, a password reset or removal ends the session on the server, so a replayed
cookie is refused. Sessions end after 30 idle minutes and 12 hours in all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from sqlalchemy import update

from forms import messages
from portal.auth.safe_next import safe_next
from portal.auth.signed_in import SessionRecord, SignedInUser, read_signed_in
from portal.client import client_ip
from portal.clock import as_utc, utcnow
from portal.extensions import db, login_manager
from portal.models import User, UserSession

LAST_SEEN_RESOLUTION = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    login_manager.login_view = "sign_in.sign_in"
    login_manager.login_message = messages.SIGN_IN_TO_CONTINUE
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session does this job
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])


def start_session(user: User) -> str:
    """Sign ``user`` in with a brand-new session (nothing carried over from before)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(token_hash=token_hash(token), user_id=user.id, ip_address=client_ip())
    )
    db.session.commit()
    user.session_token = token
    session.permanent = True
    login_user(user)
    return token


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()
    logout_user()
    session.clear()


def end_all_sessions(user_id: int) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def load_user(token: str) -> SignedInUser | None:
    """The signed-in user for the session token, or None when the session does not exist,
    was ended, the user was suspended, or it timed out (then it is ended here)."""
    found = read_signed_in(db.session.connection(), token, token_hash(token))
    if found is None:
        return None
    record, user = found
    if record.ended_at is not None or not user.active:
        return None
    now = utcnow()
    ended_because = _timed_out(record, now)
    if ended_because is None:
        if now - as_utc(record.last_seen_at) > LAST_SEEN_RESOLUTION:
            _set_session(record.id, last_seen_at=now)
        return user
    g.signed_out_because = ended_because
    _set_session(record.id, ended_at=now)
    session.clear()
    return None


def _timed_out(record: SessionRecord, now) -> str | None:
    """Why the session has ended by ``now`` (12 hours in all, 30 idle minutes), or None."""
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    if now - as_utc(record.created_at) > absolute:
        return messages.SIGNED_OUT_ABSOLUTE.format(hours=config["SESSION_ABSOLUTE_HOURS"])
    if now - as_utc(record.last_seen_at) > idle:
        return messages.SIGNED_OUT_IDLE.format(minutes=config["SESSION_IDLE_MINUTES"])
    return None


def _set_session(session_id: int, **values) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == session_id).values(**values))
    db.session.commit()


def _unauthorized():
    message = g.pop("signed_out_because", None) or messages.SIGN_IN_TO_CONTINUE
    flash(message, "info")
    target = url_for("sign_in.sign_in", next=safe_next(request.full_path))
    if request.headers.get("HX-Request"):
        response = jsonify(error="signed out")
        response.status_code = 401
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
