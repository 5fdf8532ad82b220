"""Error pages in GOV.UK style. A 500 shows a correlation id, never a trace."""

from __future__ import annotations

import contextlib

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forms import messages

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/405.html",
    413: "errors/413.html",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("errors/csrf.html", message=messages.FORM_EXPIRED), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        if _wants_json():  # the API's error shape: a message and a (here empty) list
            return jsonify(error=error.description or error.name, errors=[]), code
        template = PAGES.get(code, "errors/400.html")
        return render_template(template, code=code, size=_size_limit_text()), code

    def _size_limit_text() -> str:
        """The limit a person can act on: one file's, unless the whole request's is lower."""
        from portal.uploads.reading import MAX_BYTES

        limit = min(app.config.get("MAX_CONTENT_LENGTH") or MAX_BYTES, MAX_BYTES)
        if limit < 1024 * 1024:
            return f"{max(limit // 1024, 1)} KB"
        return f"{limit // (1024 * 1024)} MB"

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        return _server_error(error)

    def _server_error(error: Exception):
        app.logger.error("request %s failed", g.get("request_id"), exc_info=error)
        from portal.extensions import db

        with contextlib.suppress(Exception):  # the page must render whatever went wrong
            db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", request_id=g.get("request_id")), 500
        return render_template("errors/500.html"), 500
