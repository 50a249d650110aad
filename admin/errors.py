"""Every error as the client expects it: JSON ``{"error", "message"}`` for the API, an
Indonesian page for people. No traceback ever reaches a client."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from admin.auth import current_principal, is_api_request, session_end_message
from admin.db import DatabaseUnavailable, discard_db
from admin.messages import AUTH, ERRORS, ROLE_NAMES
from ult.errors import QueueError

log = logging.getLogger(__name__)

QUEUE_STATUS = {"invalid": 422, "conflict": 409, "not_found": 404}
"""HTTP status of each kind of queue refusal."""

_HTTP_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    503: "database_unavailable",
}


class ApiError(Exception):
    """A refusal raised by a view: ``status``, stable ``code`` and Indonesian ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _message(code: str) -> str:
    if code == "login_required":
        return AUTH["login_required"]
    if code == "forbidden":
        principal = current_principal()
        role = ROLE_NAMES.get(principal.role, principal.role) if principal else "-"
        return AUTH["forbidden"].format(role=role)
    return ERRORS.get(code, ERRORS["bad_request"])


def error_response(status: int, code: str, message: str) -> Any:
    """The response for one error, JSON or page by the request's path."""
    if is_api_request():
        response = jsonify(error=code, message=message)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="ult"'
        return response
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Any:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(QueueError)
    def queue_error(error: QueueError) -> Any:
        return error_response(QUEUE_STATUS[error.kind], error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Any:
        if not is_api_request() and current_principal() is None and request.path != "/login":
            # A tab left open after logging out or after the session ended: say so and
            # offer the login, rather than a bare "form expired".
            flash(session_end_message(), "error")
            return redirect(url_for("auth.login"))
        return error_response(400, "csrf_failed", ERRORS["csrf_failed"])

    @app.errorhandler(sqlite3.Error)
    @app.errorhandler(DatabaseUnavailable)
    def database_error(error: Exception) -> Any:
        discard_db()
        if isinstance(error, sqlite3.OperationalError) and "disk is full" in str(error):
            # SQLITE_FULL: nothing is wrong with the database; "cannot be opened" would send
            # the technician the wrong way (issue 12).
            log.error("disk full: %s", error)
            return error_response(503, "disk_full", ERRORS["disk_full"])
        log.error("database unavailable: %s", error)
        return error_response(503, "database_unavailable", ERRORS["database_unavailable"])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        code = _HTTP_CODES.get(status, "bad_request" if status < 500 else "internal")
        return error_response(status, code, _message(code))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unhandled error")
        return error_response(500, "internal", ERRORS["internal"])
