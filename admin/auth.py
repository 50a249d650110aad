"""Who is asking, and may they: sessions, bearer tokens, roles and login throttling.

Login throttling (issue 11) slows guessing without handing anyone a lockout switch: an
address that keeps failing waits longer and longer (up to 30 s) before its next try; an
account that keeps failing is answered up to 2 s later, from every address, but never
refused, so nobody on the LAN can lock the supervisor out. An attempt counts against its
address and account when it starts, before the password is checked, so attempts sent in
parallel meet the same delays as attempts sent one by one; a right password withdraws its own.

A password check (werkzeug scrypt) takes about 32 MB while it runs: :class:`PasswordChecks`
lets only a few run at once, process-wide, so parallel logins cannot run the Pi out of memory
(30 at once from one address peaked ``ult admin`` at 1 GB).

A request is made by a :class:`Principal`: a staff user logged in with a session cookie, or
a device or script holding a bearer token from ``ult token create``. Views declare the roles
they allow with :func:`require`; the API answers 401/403 in JSON, pages send the visitor to
the login page or show a 403 page.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from admin.db import get_db, get_queue
from admin.messages import AUTH
from ult import accounts, sop
from ult.errors import QueueError

F = TypeVar("F", bound=Callable[..., Any])

CASE_ROLES = ("front_office", "back_office", "unit", "supervisor")
"""Roles that handle cases and may see a visitor's NIK and phone in the case view."""


@dataclass(frozen=True)
class Delays:
    """``free`` failures (typos happen), then a delay of ``first`` seconds doubling with each
    further failure up to ``cap`` seconds."""

    free: int
    first: float
    cap: float


ADDRESS_DELAYS = Delays(free=5, first=1.0, cap=30.0)
"""Per address: the next login from that address is refused until the delay has passed.
Five free failures: a reception PC is shared, and one person's typos must not hold up the
colleague who logs in next."""
ACCOUNT_DELAYS = Delays(free=3, first=0.25, cap=2.0)
"""Per account: a login for that account, from any address, is answered that much later but
never refused: failures from strangers must not lock an officer (or the supervisor) out,
only slow guessing at their password."""
FORGET_S = 15 * 60
"""A key's failures are forgotten this long after its last one (seconds)."""
MAX_KEYS = 10_000
"""Keys kept at most; beyond, the ones idle longest go first (guessing at random user names
must not grow memory without bound)."""


PASSWORD_CHECKS = 2
"""Password checks running at once, at most: each scrypt check holds about 32 MB, and a
Pi 3 has 1 GB for everything (a check takes well under a second, so two keep up with an
office's logins)."""
CHECK_WAIT_S = 1.0
"""How long a login waits for a free password check before it is answered 429 (seconds)."""


class PasswordChecks:
    """At most ``slots`` password checks at once; :meth:`slot` waits up to ``wait_s`` seconds
    for a free one."""

    def __init__(self, slots: int = PASSWORD_CHECKS, wait_s: float = CHECK_WAIT_S) -> None:
        self.wait_s = wait_s
        self._slots = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Hold a slot for the ``with`` body: yields True, or False (holding none) when none
        was free within ``wait_s``."""
        got = self._slots.acquire(timeout=self.wait_s)
        try:
            yield got
        finally:
            if got:
                self._slots.release()


@dataclass
class _Failures:
    count: int
    last: float


class GuessThrottle:
    """Growing delays after failed logins, per key (``addr:...`` or ``user:...``).

    Past ``delays.free`` failures a key's delay is ``first * 2**(n - free - 1)`` seconds after
    its n-th, capped at ``delays.cap``; failures are forgotten :data:`FORGET_S` after the
    last one, or when :meth:`succeeded` is told. An attempt is counted as a failure when it
    starts (:meth:`attempt`, :meth:`slow`) and taken back if its password was right.
    ``clock``: monotonic seconds (tests inject their own).
    """

    def __init__(
        self,
        delays: Delays,
        *,
        forget_s: float = FORGET_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delays = delays
        self.forget_s = forget_s
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> _Failures | None:
        found = self._failures.get(key)
        if found is not None and now - found.last > self.forget_s:
            del self._failures[key]
            return None
        return found

    def _delay(self, found: _Failures | None) -> float:
        rule = self.delays
        if found is None or found.count <= rule.free:
            return 0.0
        return min(rule.cap, rule.first * 2 ** (found.count - rule.free - 1))

    def delay(self, key: str) -> float:
        """The delay ``key`` has earned now (seconds; 0 while under the free failures)."""
        with self._lock:
            return self._delay(self._current(key, self._clock()))

    def wait(self, key: str) -> float:
        """Seconds until ``key``'s delay since its last failure has passed (0: now)."""
        with self._lock:
            now = self._clock()
            return self._wait(self._current(key, now), now)

    def _wait(self, found: _Failures | None, now: float) -> float:
        delay = self._delay(found)
        return max(0.0, found.last + delay - now) if found is not None and delay else 0.0

    def attempt(self, key: str) -> float:
        """Count an attempt by ``key`` as a failure before it is checked, unless ``key``
        must still wait: then count nothing and return the seconds left (0: counted).

        One step under the lock, so attempts sent in parallel are counted one by one; a
        right password takes its attempt back with :meth:`withdraw`.
        """
        with self._lock:
            now = self._clock()
            wait = self._wait(self._current(key, now), now)
            if not wait:
                self._count(key, now)
            return wait

    def slow(self, key: str) -> float:
        """Count an attempt by ``key`` as a failure before it is checked, and return the
        delay the earlier ones have earned (seconds): a pause, never a refusal."""
        with self._lock:
            now = self._clock()
            delay = self._delay(self._current(key, now))
            self._count(key, now)
            return delay

    def withdraw(self, key: str) -> None:
        """Take back one attempt counted by :meth:`attempt` or :meth:`slow` (its password
        was right, or it was never checked); earlier failures stay."""
        with self._lock:
            found = self._failures.get(key)
            if found is not None:
                found.count -= 1
                if found.count <= 0:
                    del self._failures[key]

    def _count(self, key: str, now: float) -> None:
        found = self._current(key, now)
        if found is None:
            if len(self._failures) >= MAX_KEYS:
                oldest = min(self._failures, key=lambda k: self._failures[k].last)
                del self._failures[oldest]
            self._failures[key] = _Failures(1, now)
        else:
            found.count += 1
            found.last = now

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures."""
        with self._lock:
            self._failures.pop(key, None)


@dataclass(frozen=True)
class Principal:
    """Who makes the request: ``name`` (user name, or ``token:NAME``), ``role``, and
    ``via`` "session" or "token" (a token request needs no CSRF token)."""

    name: str
    role: str
    via: str


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
                if request.cookies.get(LOGGED_OUT_COOKIE) == "1":
                    # Another tab logged out; a page that reloads itself lands here.
                    flash(session_end_message(), "info")
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
    main-unit liaison while the case is with one of its own units (issue 11). Everyone else,
    and every role once the case is closed, sees it masked (issue: "NIK and phone masked
    everywhere except the case view of the roles handling that case").
    """
    principal = current_principal()
    if principal is None or principal.role not in CASE_ROLES:
        return False
    state = ticket.state
    if principal.role == "supervisor":
        return True
    if principal.role == "front_office":
        return state in sop.AT_COUNTER_STATES or state == sop.ANSWER_READY
    if principal.role == "back_office":
        return state in sop.ESCALATION_STATES
    return state == sop.WITH_UNIT and ticket.main_unit_id in (unit_scope() or ())


def unit_scope() -> tuple[int, ...] | None:
    """The main units whose cases the current principal may see and answer: ``None`` when
    it is not a main-unit account (no such limit); its bound units otherwise (issue 11: a
    main-unit account belongs to its main units). A main-unit device token is bound to no
    unit: tokens are not accounts, so it sees no case in full and answers none."""
    principal = current_principal()
    if principal is None or principal.role != "unit":
        return None
    if principal.via != "session":
        return ()
    return accounts.units_of(get_db(), principal.name)


def allowed(action: str) -> bool:
    """True when the current principal may do ``action`` (for showing buttons)."""
    principal = current_principal()
    return principal is not None and principal.role in ACTION_ROLES[action]


bp = Blueprint("auth", __name__)

LOGGED_OUT_COOKIE = "ult_logged_out"
"""Set at logout, deleted at login. A session that ended by idling and one ended by a logout
in another tab look the same to the server (no session cookie); this mark tells the other
tabs of the browser that logged out why their session is gone (issue 14)."""


def session_end_message() -> str:
    """Why this browser has no session any more, in Indonesian: a logout in this browser
    (:data:`LOGGED_OUT_COOKIE`) or else the idle timeout (``admin.session_idle_minutes``)."""
    logged_out = request.cookies.get(LOGGED_OUT_COOKIE) == "1"
    return AUTH["session_logged_out" if logged_out else "session_expired"]


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
    by_user: GuessThrottle = current_app.extensions["ult_login_throttle"]
    by_address: GuessThrottle = current_app.extensions["ult_address_throttle"]
    checks: PasswordChecks = current_app.extensions["ult_password_checks"]
    user_key, address_key = f"user:{username}", f"addr:{request.remote_addr}"
    # A filled-in form is counted against its address before its password is checked, so
    # attempts sent in parallel meet the throttle; an empty one checks nothing, counts nothing.
    filled = bool(username and password)
    wait = by_address.attempt(address_key) if filled else by_address.wait(address_key)
    status, retry_after = 200, 0
    if wait > 0:
        # Only this address is refused: the officer at another PC still logs in.
        flash(AUTH["throttled"].format(seconds=math.ceil(wait)), "error")
        status, retry_after = 429, math.ceil(wait)
    elif not filled:
        flash(AUTH["fields_required"], "error")
        status = 422
    else:
        # Guesses at one account from many addresses are slowed, never refused; the address
        # was counted above first, so one address holds at most a few threads asleep here.
        # The pause comes before the slot: a sleeping login must not hold a password check.
        current_app.extensions["ult_login_sleep"](by_user.slow(user_key))
        with checks.slot() as checking:
            user = accounts.verify_password(get_db(), username, password) if checking else None
        if not checking:
            # No password was tried: neither the address nor the account is charged.
            by_address.withdraw(address_key)
            by_user.withdraw(user_key)
            flash(AUTH["busy"], "error")
            status, retry_after = 429, math.ceil(checks.wait_s)
        elif user is not None:
            by_user.succeeded(user_key)
            by_address.withdraw(address_key)
            session.clear()
            session.permanent = True
            session["user"] = user.username
            session["epoch"] = accounts.session_epoch(get_db(), user.username)
            response = redirect(_safe_next(request.form.get("next")))
            if LOGGED_OUT_COOKIE in request.cookies:
                response.delete_cookie(LOGGED_OUT_COOKIE)
            return response
        else:
            flash(AUTH["bad_credentials"], "error")
            status = 401
    page = render_template(
        "auth/login.html", no_users=no_users, next=request.form.get("next"), username=username
    )
    return page, status, ({"Retry-After": str(retry_after)} if retry_after else {})


@bp.post("/logout")
def logout() -> Any:
    """End the session, and every other session of this user: a cookie copied on a shared
    PC must not outlive the logout."""
    principal = current_principal()
    if principal is not None and principal.via == "session":
        # Logging out leaves the counters this officer sits at: the record shows when they
        # stopped, and a colleague takes the counter without a takeover.
        queue = get_queue()
        for counter_id, seat in queue.counter_holders().items():
            if seat.username == principal.name:
                queue.leave_counter(counter_id, actor=principal.name)
        accounts.end_sessions(get_db(), principal.name)
    session.clear()
    flash(AUTH["logged_out"], "info")
    response = redirect(url_for("auth.login"))
    response.set_cookie(
        LOGGED_OUT_COOKIE,
        "1",
        max_age=int(current_app.permanent_session_lifetime.total_seconds()),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response
