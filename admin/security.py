"""Security headers on every response, and CSRF for cookie-authenticated writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFProtect

from admin.auth import current_principal, is_api_request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""No inline scripts or styles, nothing from another origin (the appliance has no internet)."""

csrf = CSRFProtect()

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

TOKEN_KEYED = "ult_token_keyed"
"""Attribute of a view keyed by a secret token in its address, without cookie or session
(the visitor's survey): it checks its own form nonce (:mod:`admin.survey`) instead of the
session's CSRF token, which would set a cookie on every visitor's phone."""

F = TypeVar("F", bound=Callable[..., Any])


def token_keyed(view: F) -> F:
    """Mark ``view`` as :data:`TOKEN_KEYED`."""
    setattr(view, TOKEN_KEYED, True)
    return view


def _check_csrf() -> None:
    # A request with a bearer token is a device or script: no ambient cookie to abuse.
    if request.method in _SAFE_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, TOKEN_KEYED, False):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    # An API request whose cookie logs no one in is anonymous: nothing to forge, and the
    # view answers 401 login_required (every unsafe API endpoint needs a login), which
    # tells a script what is missing better than a CSRF error would.
    if is_api_request() and current_principal() is None:
        return
    csrf.protect()


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Install CSRF (checked in a before-request hook) and the response headers."""
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_headers)
