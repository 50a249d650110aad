"""Who is asking, and may they: sessions, bearer tokens, roles and login throttling.

A request is made by a :class:`Principal`: a staff user logged in with a session cookie, or
a device or script holding a bearer token from ``ult token create``. Views declare the roles
they allow with :func:`require`; the API answers 401/403 in JSON, pages send the visitor to
the login page or show a 403 page.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from admin.actions import ACTION_ROLES
from admin.db import get_db
from admin.messages import AUTH
from ult import accounts, sop
from ult.errors import QueueError

F = TypeVar("F", bound=Callable[..., Any])

CASE_ROLES = ("front_office", "back_office", "unit", "supervisor")
"""Roles that handle cases and may see a visitor's NIK and phone in the case view."""

LOGIN_WINDOW_S = 15 * 60
LOGIN_MAX_FAILURES = 5
"""At most this many failed logins per user name within the window."""
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
"""Per address: higher, since a reception PC is shared and one person's typos must not lock
out every colleague; it still stops one machine from guessing through many names."""


@dataclass(frozen=True)
class Principal:
    """Who makes the request: ``name`` (user name, or ``token:NAME``), ``role``, and
    ``via`` "session" or "token" (a token request needs no CSRF token)."""

    name: str
    role: str
    via: str


class LoginThrottle:
    """Failed logins per key (user name, address) within a sliding window (seconds)."""

    def __init__(
        self,
        *,
        window_s: float = LOGIN_WINDOW_S,
        limit: int = LOGIN_MAX_FAILURES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.limit = limit
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and self._clock() - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked_for(self, *keys: str) -> float:
        """Seconds until a login for these keys is allowed again (0: allowed now)."""
        with self._lock:
            waits = [
                self.window_s - (self._clock() - times[0])
                for times in map(self._recent, keys)
                if len(times) >= self.limit
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        """Record one failed login for each key."""
        with self._lock:
            for key in keys:
                self._recent(key).append(self._clock())

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal() -> Principal | None:
    """The principal of this request (cached on ``g``), or None when anonymous.

    A bearer token wins over a session. A session whose user was disabled since login
    is dropped.
    """
    if "principal" in g:
        return g.principal
    principal = None
    token = _bearer()
    if token is not None:
        found = accounts.token_role(get_db(), token)
        if found is not None:
            principal = Principal(f"token:{found[0]}", found[1], "token")
    elif "user" in session:
        try:
            user = accounts.get_user(get_db(), session["user"])
        except QueueError:
            user = None
        current = user is not None and user.active
        if current and session.get("epoch") == accounts.session_epoch(get_db(), user.username):
            principal = Principal(user.username, user.role, "session")
        else:
            session.clear()
    g.principal = principal
    return principal


def is_api_request() -> bool:
    """True for the JSON API (errors answered in JSON)."""
    return request.path.startswith("/api/")


def require(action: str) -> Callable[[F], F]:
    """Allow the view only to the roles of ``ACTION_ROLES[action]``.

    Anonymous: API 401, page redirect to the login page. Wrong role: 403.
    """
    roles = ACTION_ROLES[action]

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                if is_api_request():
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if principal.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def may_reveal(ticket: Any) -> bool:
    """Whether the current principal sees ``ticket``'s visitor (NIK, phone, name) in full.

    Only the roles handling that case, while they handle it: the supervisor always; the
    front office while the ticket is open at a front-office counter (called through explained,
    or back from the back office); the back office while the case is escalated to it; the
    main-unit liaison while the case is with a unit. Everyone else, and every role once the
    case is closed, sees it masked (issue: "NIK and phone masked everywhere except the case
    view of the roles handling that case").
    """
    principal = current_principal()
    if principal is None or principal.role not in CASE_ROLES:
        return False
    state = ticket.state
    if principal.role == "supervisor":
        return True
    if principal.role == "front_office":
        return state in sop.AT_DESK_STATES or state == sop.ANSWER_READY
    if principal.role == "back_office":
        return state in sop.ESCALATION_STATES
    return state == sop.WITH_UNIT


def allowed(action: str) -> bool:
    """True when the current principal may do ``action`` (for showing buttons)."""
    principal = current_principal()
    return principal is not None and principal.role in ACTION_ROLES[action]


bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """``target`` when it is a plain path on this site, else the home page.

    Browsers drop tabs and newlines inside a URL ("/\t/evil.example" becomes
    "//evil.example", another site), so any whitespace or control character refuses it,
    as do a scheme, a host and a backslash.
    """
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and not any(ch.isspace() or ch == "\\" for ch in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; throttled per user name and per address."""
    no_users = not accounts.list_users(get_db())
    if request.method == "GET":
        return render_template("auth/login.html", no_users=no_users, next=request.args.get("next"))
    username = (request.form.get("username") or "").strip().lower()[:64]
    password = request.form.get("password") or ""
    by_user: LoginThrottle = current_app.extensions["ult_login_throttle"]
    by_address: LoginThrottle = current_app.extensions["ult_address_throttle"]
    user_key, address_key = f"user:{username}", f"addr:{request.remote_addr}"
    wait = max(by_user.blocked_for(user_key), by_address.blocked_for(address_key))
    status = 200
    if wait > 0:
        flash(AUTH["throttled"].format(minutes=max(1, round(wait / 60))), "error")
        status = 429
    elif not username or not password:
        flash(AUTH["fields_required"], "error")
        status = 422
    else:
        user = accounts.verify_password(get_db(), username, password)
        if user is not None:
            by_user.succeeded(user_key)
            session.clear()
            session.permanent = True
            session["user"] = user.username
            session["epoch"] = accounts.session_epoch(get_db(), user.username)
            return redirect(_safe_next(request.form.get("next")))
        by_user.failed(user_key)
        by_address.failed(address_key)
        flash(AUTH["bad_credentials"], "error")
        status = 401
    page = render_template(
        "auth/login.html", no_users=no_users, next=request.form.get("next"), username=username
    )
    return page, status


@bp.post("/logout")
def logout() -> Any:
    """End the session, and every other session of this user: a cookie copied on a shared
    PC must not outlive the logout."""
    principal = current_principal()
    if principal is not None and principal.via == "session":
        accounts.end_sessions(get_db(), principal.name)
    session.clear()
    flash(AUTH["logged_out"], "info")
    return redirect(url_for("auth.login"))
