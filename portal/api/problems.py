"""Errors as ``application/problem+json`` (RFC 9457): ``type``, ``title``, ``status``,
``detail``, and ``errors`` with each field's or row's problem. ``error`` repeats
``detail``, so clients written against the first API version (``{"error", "errors"}``)
keep working."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised by an API view to answer with a problem document."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.extra = status, detail, errors or [], extra


def problem(status: int, detail: str, errors: list | None = None, **extra: Any):
    response = jsonify(
        type="about:blank",
        title=HTTP_STATUS_CODES.get(status, "Error"),
        status=status,
        detail=detail,
        error=detail,
        errors=errors or [],
        **extra,
    )
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def field_errors(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": name, "message": message} for name, message in errors.items()]


def answer_errors_as_problems(bp: Blueprint) -> None:
    """Every error an API blueprint's views raise answers as a problem document, and no
    answer is cached (they carry one organisation's data)."""
    from portal.api.records import RequestProblem  # records' checks raise it

    @bp.errorhandler(ApiProblem)
    def _api_problem(error: ApiProblem):
        return problem(error.status, error.detail, error.errors, **error.extra)

    @bp.errorhandler(RequestProblem)
    def _request_problem(error: RequestProblem):
        return problem(error.status, error.message, error.errors)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return problem(error.code or 500, error.description or error.name)

    @bp.after_request
    def _never_cached(response):
        response.headers["Cache-Control"] = "no-store"
        return response
