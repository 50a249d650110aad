"""The staff web app: pages, the JSON API, the board stream (Flask app factory).

:func:`create_app` builds the app from the appliance settings; ``ult admin`` serves it with
waitress. Blueprints per area register themselves in :func:`_register_blueprints`.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from admin.labels import nowrap_filter
from ult import dates
from ult.clock import utc_now
from ult.messages import wait_text
from ult.settings import Settings, load_settings

log = logging.getLogger(__name__)

SECRET_FILE = "admin-secret.key"
"""In ULT_HOME: the key that signs session cookies, so sessions survive a restart."""
MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (forms and JSON); a queue action never needs more."""


def _secret_key(home: Path) -> bytes:
    """The session signing key, created (mode 0600) on first start."""
    path = home / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    config: dict[str, Any] | None = None,
) -> Flask:
    """Build the admin app.

    Args:
        settings: the appliance settings (loaded from the environment when None).
        clock: the wall clock handed to the queue (aware UTC); tests inject a fake one.
        config: Flask config overrides (e.g. ``{"TESTING": True}``).
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings.home),
        SESSION_COOKIE_NAME="ult_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.admin.session_idle_minutes),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
        # CSRF is checked in admin.security for cookie-authenticated unsafe requests only:
        # a bearer-token client (device, script) carries no cookie an attacker could ride.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        ULT_SETTINGS=settings,
        ULT_CLOCK=clock,
    )
    if settings.admin.behind_proxy:
        _behind_proxy(app)
    app.config.update(config or {})

    from admin import db, errors, security
    from admin.auth import ACCOUNT_DELAYS, ADDRESS_DELAYS, GuessThrottle, PasswordChecks

    db.init_app(app)
    security.init_app(app)
    _template_globals(app, settings)
    errors.init_app(app)
    app.extensions["ult_login_throttle"] = GuessThrottle(ACCOUNT_DELAYS)
    app.extensions["ult_address_throttle"] = GuessThrottle(ADDRESS_DELAYS)
    app.extensions["ult_login_sleep"] = time.sleep
    app.extensions["ult_password_checks"] = PasswordChecks()
    # The survey's instruments, read once: a bad file stops the app at start with the
    # file and the fault named (SettingsError, as a bad settings file does).
    from ult.survey import load_instruments

    app.extensions["ult_survey_instruments"] = load_instruments(settings)
    _register_blueprints(app)
    return app


def _behind_proxy(app: Flask) -> None:
    """Served through exactly one reverse proxy (nginx over HTTPS, systemd/README.md).

    ProxyFix takes the client address, the scheme and the host from the last value of the
    proxy's X-Forwarded-For/-Proto/-Host (x_*=1: one proxy; more values would be the client's
    own, forgeable), so the login throttle sees the real address and Flask-WTF's referrer
    check compares against the https origin. The session cookie, which also carries the CSRF
    token, is then sent over HTTPS only (the app sets no other cookie).
    """
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.config["SESSION_COOKIE_SECURE"] = True


NAV: tuple[tuple[str, str, str], ...] = (
    ("pages.reception.index", "Resepsionis", "issue"),
    ("pages.counter.index", "Loket", "call"),
    ("pages.back_office.index", "Back Office", "disposition"),
    ("supervisor.overview", "Ringkasan hari ini", "overview"),
    ("supervisor.catalog", "Layanan dan loket", "manage"),
    ("supervisor.accounts", "Akun dan token", "manage"),
    ("reports.index", "Laporan", "report"),
    ("guestbook.index", "Buku tamu", "guestbook"),
    ("cases.index", "Cari kasus", "cases"),
    ("privacy.index", "Data pribadi", "privacy"),
    ("visitor.board", "Papan panggilan", "view"),
)
"""Navigation: endpoint, label, the action whose roles see it (only registered ones show)."""


def _template_globals(app: Flask, settings: Settings) -> None:
    from admin.auth import allowed, current_principal
    from admin.messages import ROLE_NAMES

    def nav_items() -> list[tuple[str, str]]:
        return [
            (endpoint, label)
            for endpoint, label, action in NAV
            if endpoint in app.view_functions and allowed(action)
        ]

    def principal_or_none() -> Any:
        from admin.db import DatabaseUnavailable

        try:
            return current_principal()
        except DatabaseUnavailable:  # the error page for exactly that must still render
            return None

    # The one date format of every page (ult.dates), registered once, in the office's zone.
    zone = settings.office.tz
    app.jinja_env.filters["date_text"] = lambda value, long=False: dates.date_text(
        value, zone, long=long
    )
    app.jinja_env.filters["time_text"] = lambda value, seconds=False: dates.time_text(
        value, zone, seconds=seconds
    )
    app.jinja_env.filters["wait_text"] = wait_text
    # Ticket labels in sentences never wrap mid-number (issue 14): escaped text, labels kept
    # whole (admin.labels).
    app.jinja_env.filters["nowrap_labels"] = nowrap_filter(settings.queue.label_format)
    app.jinja_env.filters["datetime_text"] = lambda value, seconds=False: dates.datetime_text(
        value, zone, seconds=seconds
    )

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "office_name": settings.office.name,
            "principal": principal_or_none(),
            "nav_items": nav_items,
            "role_name": lambda role: ROLE_NAMES.get(role, role),
            "allowed": allowed,
        }


def _register_blueprints(app: Flask) -> None:
    from admin import (
        api,
        auth,
        cases,
        guestbook,
        pages,
        privacy,
        reports,
        stream,
        supervisor,
        survey,
        visitor,
    )

    modules = (
        auth,
        api,
        stream,
        pages,
        supervisor,
        survey,
        visitor,
        guestbook,
        cases,
        reports,
        privacy,
    )
    for module in modules:
        app.register_blueprint(module.bp)
    app.register_blueprint(reports.api_bp)

    @app.get("/")
    def home() -> Any:
        """Each role lands on its own page."""
        from admin.auth import current_principal

        principal = current_principal()
        if principal is None:
            return redirect(url_for("auth.login"))
        for endpoint in _HOME_BY_ROLE.get(principal.role, ()):
            if endpoint in app.view_functions:
                return redirect(url_for(endpoint))
        return redirect(url_for("auth.login"))


_HOME_BY_ROLE: dict[str, tuple[str, ...]] = {
    "receptionist": ("pages.reception.index",),
    "front_office": ("pages.counter.index",),
    "back_office": ("pages.back_office.index",),
    "unit": ("pages.back_office.index",),
    "supervisor": ("supervisor.overview",),
    "technician": ("supervisor.overview",),
    # The head of office reads the report book; the queue is not theirs to work.
    "kepala": ("reports.index", "supervisor.overview"),
}
"""The landing page endpoint of each role (the first one registered wins)."""
