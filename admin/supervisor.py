"""Supervisor pages: day overview, catalog, accounts and tokens, running text.

Every page here needs the supervisor's role ("manage"), except the day overview, which the
technician may also read ("overview"). Forms post to their own route; a change calls one
function of the domain with the logged-in supervisor as the actor, then redirects (303)
with a flash message. A refusal is flashed as an error and the page rendered again with a
4xx status: nothing was changed (each domain call is one transaction).

Who changed what: catalog edits and the running text append an event (``catalog_changed``,
``running_text``) with the supervisor as actor; account and token changes have no event in
the domain (the board stream is public, and staff accounts are none of its business), so
they are written to the ``admin.audit`` log instead (journald on the appliance).

The overview is live: ``static/supervisor.js`` listens to the board stream (one EventSource
per page, PITFALLS admin) and re-fetches the ``overview_live`` fragment after each event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlite_utils
from flask import Blueprint, flash, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from admin import printing
from admin.auth import require
from admin.db import get_db, get_queue, settings
from admin.errors import QUEUE_STATUS
from admin.forms import PageRefusal, actor, checked, field, run
from admin.messages import ROLE_NAMES, SUPERVISOR
from admin.visitor import STREAM_URL, live_event_kinds
from ult import accounts, catalog, dates, queries, sop
from ult.errors import QueueError
from ult.messages import STATES
from ult.queue import RUNNING_TEXT_MAX
from ult.settings import BACK_OFFICE, FRONT_OFFICE

log = logging.getLogger(__name__)
audit = logging.getLogger("admin.audit")
"""Account and token changes, by whom (they have no event in the domain's log)."""

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


# ------------------------------------------------------------------------------ helpers


def _run(action: Callable[[], list[str] | str | None], render: Callable[[], str], target: str):
    """:func:`admin.forms.run`; a change that changed nothing says so."""
    return run(action, render, target, unchanged=SUPERVISOR["unchanged"])


def _failed(form_name: str) -> MultiDict[str, str] | None:
    """The posted values when the form ``form_name`` is the one shown again after a refusal
    (each form posts a hidden ``form`` field naming itself), else None: the form then shows
    what is stored."""
    if request.method == "POST" and request.form.get("form") == form_name:
        return request.form
    return None


def _local(moment: datetime | str | None) -> str:
    """A stored UTC time in the office's zone, as Indonesians write it (:mod:`ult.dates`)."""
    return dates.datetime_text(moment, settings().office.tz)


# ------------------------------------------------------------------------------ overview


@dataclass(frozen=True)
class CounterLoad:
    """One counter's part of the day: ``waiting`` it can take, what it ``holds`` now (a
    ticket label for a front-office counter, open cases for a back office), ``done`` today."""

    id: int
    name: str
    kind: str
    paused: bool
    waiting: int
    holding: str | None
    holding_state: str | None
    open_cases: int
    done: int


def counter_loads(db: sqlite_utils.Database, day: date) -> list[CounterLoad]:
    """Per active counter: the tickets it could call (front office: waiting tickets of its
    services; back office: escalated cases not yet taken), what it has now, and the
    tickets finished today that it handled."""
    found = list(
        db.query(
            "SELECT c.id, c.name, c.kind, c.paused, "
            "(SELECT label FROM tickets WHERE counter_id = c.id) AS holding, "
            "(SELECT state FROM tickets WHERE counter_id = c.id) AS holding_state, "
            "CASE WHEN c.kind = :fo THEN (SELECT COUNT(*) FROM tickets t JOIN counter_services cs "
            "  ON cs.service = t.service AND cs.counter_id = c.id WHERE t.state = :waiting) "
            "ELSE (SELECT COUNT(*) FROM tickets WHERE state = :escalated) END AS waiting, "
            "(SELECT COUNT(*) FROM tickets WHERE back_office_counter_id = c.id "
            "  AND state IN (:back_office, :with_unit)) AS open_cases, "
            "(SELECT COUNT(*) FROM tickets WHERE day = :day AND state = :done "
            "  AND (front_office_counter_id = c.id OR back_office_counter_id = c.id)) AS done "
            "FROM counters c WHERE c.active = 1 ORDER BY c.kind != :fo, c.id",
            {
                "fo": FRONT_OFFICE,
                "waiting": sop.WAITING,
                "escalated": sop.ESCALATED,
                "back_office": sop.BACK_OFFICE,
                "with_unit": sop.WITH_UNIT,
                "done": sop.DONE,
                "day": day.isoformat(),
            },
        )
    )
    return [
        CounterLoad(
            r["id"],
            r["name"],
            r["kind"],
            bool(r["paused"]),
            r["waiting"],
            r["holding"],
            r["holding_state"],
            r["open_cases"],
            r["done"],
        )
        for r in found
    ]


def _overview_context() -> dict[str, Any]:
    db = get_db()
    day = get_queue().today()
    services = queries.day_summary(db, day)
    printer = printing.readiness()
    return {
        "day": day,
        "day_text": dates.date_text(day, settings().office.tz, long=True),
        "states": STATES,
        "services": services,
        "totals": {
            key: sum(s[key] for s in services) for key in ("waiting", "active", "done", "other")
        },
        "counters": counter_loads(db, day),
        "escalations": queries.open_escalations(db),
        "printer_fault": not printer.can_print,
        "printer_text": printing.printer_text(printer.state),
        "unprinted": queries.unprinted_tickets(db, day),
        "updated": dates.time_text(get_queue().clock(), settings().office.tz, seconds=True),
    }


def _render_overview() -> str:
    failed = _failed("running_text")
    return render_template(
        "supervisor/overview.html",
        **_overview_context(),
        running_text=failed.get("text", "") if failed else queries.running_text(get_db()),
        running_text_max=RUNNING_TEXT_MAX,
        stream_url=STREAM_URL,
        live_kinds=live_event_kinds(),
    )


@bp.get("/")
@require("overview")
def overview() -> Any:
    """Today per service and per counter, live; the board's running text (supervisor)."""
    return _render_overview()


@bp.get("/overview/live")
@require("overview")
def overview_live() -> Any:
    """The live part of the overview, re-fetched by ``supervisor.js`` after each event."""
    return render_template("supervisor/_overview_live.html", **_overview_context())


@bp.post("/running-text")
@require("manage")
def running_text() -> Any:
    """Set (or, empty, clear) the running text of every board; recorded as the supervisor's."""

    def action() -> str:
        text = get_queue().set_running_text(field("text"), actor=actor())
        return SUPERVISOR["running_text_set" if text else "running_text_cleared"]

    return _run(action, _render_overview, url_for(".overview"))


# ------------------------------------------------------------------------------ catalog


def _render_catalog() -> str:
    current = catalog.read_catalog(get_db())
    return render_template(
        "supervisor/catalog.html",
        catalog=current,
        changed_at=_local(current.changed_at),
        limits=catalog.NAME_LIMITS,
        failed=_failed,
        kinds=(
            (FRONT_OFFICE, SUPERVISOR["kind_front_office"]),
            (BACK_OFFICE, SUPERVISOR["kind_back_office"]),
        ),
    )


def _row_id(value: str) -> int:
    """A posted row id; anything else becomes 0, which no row has (refused as unknown)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else 0


def _topics() -> list[str]:
    """The topics text area: one topic per line."""
    return field("topics").splitlines()


@bp.get("/catalog", endpoint="catalog")  # the module name `catalog` is taken
@require("manage")
def catalog_page() -> Any:
    """Services and topics, counters, main units; where the catalog's truth is."""
    return _render_catalog()


@bp.post("/catalog/services")
@require("manage")
def service_add() -> Any:
    """Add a service (a new letter, last in the display order)."""
    return _run(
        lambda: catalog.save_service(
            get_db(),
            letter=field("letter"),
            name=field("name"),
            topics=_topics(),
            active=checked("active"),
            actor=actor(),
            create=True,
            counter_ids=[_row_id(value) for value in request.form.getlist("counters")],
            clock=get_queue().clock,
        ),
        _render_catalog,
        url_for(".catalog") + "#layanan",
    )


@bp.post("/catalog/services/<letter>")
@require("manage")
def service_edit(letter: str) -> Any:
    """Rename a service, set its topics, enable or disable it."""
    return _run(
        lambda: catalog.save_service(
            get_db(),
            letter=letter,
            name=field("name"),
            topics=_topics(),
            active=checked("active"),
            actor=actor(),
            clock=get_queue().clock,
        ),
        _render_catalog,
        url_for(".catalog") + "#layanan",
    )


def _save_counter(counter_id: int | None) -> list[str]:
    return catalog.save_counter(
        get_db(),
        counter_id=counter_id,
        name=field("name"),
        kind=field("kind"),
        services=request.form.getlist("services"),
        active=checked("active"),
        actor=actor(),
        clock=get_queue().clock,
    )


@bp.post("/catalog/counters")
@require("manage")
def counter_add() -> Any:
    """Add a counter."""
    return _run(lambda: _save_counter(None), _render_catalog, url_for(".catalog") + "#loket")


@bp.post("/catalog/counters/<int:counter_id>")
@require("manage")
def counter_edit(counter_id: int) -> Any:
    """Rename a counter, change its kind or services, enable or disable it."""
    return _run(lambda: _save_counter(counter_id), _render_catalog, url_for(".catalog") + "#loket")


def _save_unit(unit_id: int | None) -> list[str]:
    return catalog.save_unit(
        get_db(),
        unit_id=unit_id,
        name=field("name"),
        active=checked("active"),
        actor=actor(),
        clock=get_queue().clock,
    )


@bp.post("/catalog/units")
@require("manage")
def unit_add() -> Any:
    """Add a main unit."""
    return _run(lambda: _save_unit(None), _render_catalog, url_for(".catalog") + "#unit")


@bp.post("/catalog/units/<int:unit_id>")
@require("manage")
def unit_edit(unit_id: int) -> Any:
    """Rename a main unit, enable or disable it."""
    return _run(lambda: _save_unit(unit_id), _render_catalog, url_for(".catalog") + "#unit")


# ------------------------------------------------------------------------------ accounts


def _render_accounts(new_token: tuple[str, str, str] | None = None) -> str:
    db = get_db()
    return render_template(
        "supervisor/accounts.html",
        users=accounts.list_users(db),
        main_units=list(db.query("SELECT id, name FROM main_units WHERE active = 1 ORDER BY id")),
        units_of=lambda username: accounts.units_of(db, username),
        tokens=accounts.list_tokens(get_db()),
        roles=[(role, ROLE_NAMES.get(role, role)) for role in accounts.ROLES],
        me=actor(),
        minimum=accounts.MIN_PASSWORD_LENGTH,
        # After a token was created, its form starts empty again: nothing failed.
        failed=_failed if new_token is None else lambda _name: None,
        local=_local,
        new_token=new_token,
    )


def _accounts_url(anchor: str = "akun") -> str:
    return url_for(".accounts") + "#" + anchor


def _not_me(username: str) -> None:
    # A supervisor who disables or demotes themselves may leave the office with no one who
    # can manage accounts; another supervisor (or `ult user add`) has to do it.
    if username == actor():
        raise PageRefusal(SUPERVISOR["not_yourself"], 409)


def _password() -> str:
    password = field("password")
    if password != field("password_again"):
        raise PageRefusal(SUPERVISOR["password_mismatch"])
    return password


@bp.get("/accounts", endpoint="accounts")  # the module name `accounts` is taken
@require("manage")
def accounts_page() -> Any:
    """Staff accounts and device tokens."""
    return _render_accounts()


@bp.post("/accounts/users")
@require("manage")
def user_add() -> Any:
    """Create a staff account (role, password typed twice, refused when common or weak;
    optionally the officer's full name, NIP and position)."""

    def action() -> str:
        user = accounts.add_user(
            get_db(),
            field("username"),
            _password(),
            field("role"),
            full_name=field("full_name"),
            nip=field("nip"),
            position=field("position"),
            clock=get_queue().clock,
        )
        audit.info("%s added user %s (%s)", actor(), user.username, user.role)
        return SUPERVISOR["user_added"].format(
            username=user.username, role=ROLE_NAMES.get(user.role, user.role)
        )

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/disable")
@require("manage")
def user_disable(username: str) -> Any:
    """Disable an account: it can no longer log in; its open session ends at its next
    request (admin.auth drops sessions of disabled users)."""

    def action() -> str:
        _not_me(username)
        user = accounts.disable_user(get_db(), username)
        audit.info("%s disabled user %s", actor(), user.username)
        return SUPERVISOR["user_disabled"].format(username=user.username)

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/enable")
@require("manage")
def user_enable(username: str) -> Any:
    """Enable a disabled account again."""

    def action() -> str:
        user = accounts.enable_user(get_db(), username)
        audit.info("%s enabled user %s", actor(), user.username)
        return SUPERVISOR["user_enabled"].format(username=user.username)

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/role")
@require("manage")
def user_role(username: str) -> Any:
    """Give an account another role (SOP: an absent officer's task passes to another)."""

    def action() -> str:
        _not_me(username)
        user = accounts.set_role(get_db(), username, field("role"))
        audit.info("%s set the role of %s to %s", actor(), user.username, user.role)
        return SUPERVISOR["role_changed"].format(
            username=user.username, role=ROLE_NAMES.get(user.role, user.role)
        )

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/profile")
@require("manage")
def user_profile(username: str) -> Any:
    """Record an officer's full name, NIP and position (*jabatan*): reports name people."""

    def action() -> str:
        user = accounts.set_profile(
            get_db(),
            username,
            full_name=field("full_name"),
            nip=field("nip"),
            position=field("position"),
        )
        audit.info("%s set the officer data of %s", actor(), user.username)
        return SUPERVISOR["profile_saved"].format(username=user.username, name=user.display_name)

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/units")
@require("manage")
def user_units(username: str) -> Any:
    """Bind a main-unit account to its main units: it sees and answers only their cases."""

    def action() -> str:
        names = accounts.set_units(get_db(), username, request.form.getlist("units"))
        audit.info("%s bound %s to units %s", actor(), username, ", ".join(names) or "-")
        return SUPERVISOR["units_saved"].format(
            username=username, units=", ".join(names) or SUPERVISOR["units_none"]
        )

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/users/<username>/password")
@require("manage")
def user_password(username: str) -> Any:
    """Set a new password for an account (the officer forgot theirs)."""

    def action() -> str:
        user = accounts.set_password(get_db(), username, _password())
        audit.info("%s reset the password of %s", actor(), user.username)
        return SUPERVISOR["password_reset"].format(username=user.username)

    return _run(action, _render_accounts, _accounts_url())


@bp.post("/accounts/tokens")
@require("manage")
def token_create() -> Any:
    """Create a device token and show it once, on this response only: it is never stored
    in the clear, nor put in a flash message (which would sit in the session cookie)."""
    try:
        name, role = field("name"), field("role")
        secret = accounts.create_token(get_db(), name, role, clock=get_queue().clock)
    except QueueError as error:
        flash(error.message, "error")
        return _render_accounts(), QUEUE_STATUS[error.kind]
    audit.info("%s created token %s (%s)", actor(), name.strip(), role)
    return _render_accounts(new_token=(name.strip(), ROLE_NAMES.get(role, role), secret))


@bp.post("/accounts/tokens/<int:token_id>/revoke")
@require("manage")
def token_revoke(token_id: int) -> Any:
    """Revoke a device token: the next request with it gets 401."""

    def action() -> str:
        token = accounts.revoke_token(get_db(), token_id, clock=get_queue().clock)
        audit.info("%s revoked token %s (id %d)", actor(), token.name, token.id)
        return SUPERVISOR["token_revoked"].format(name=token.name)

    return _run(action, _render_accounts, _accounts_url("token"))
