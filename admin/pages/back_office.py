"""The back-office page (SOP 10-14) and the main unit's: escalated cases, the case view,
take, resolve, forward to a main unit, and the unit's disposition (written directions).

A main unit sees only the cases that are with a unit; its live part is
``/back-office/live``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, session, url_for

from admin.api import require_unit_case
from admin.auth import current_principal, may_reveal, require, unit_scope
from admin.db import get_db, get_queue
from admin.forms import PageRefusal, actor, field, run
from admin.messages import PAGES
from admin.pages.common import (
    BACK_OFFICE_KEY,
    chosen_counter,
    counter_names,
    counter_notice,
    failed_form,
    held_by_others,
    history,
    identities,
    session_counter,
    short,
    sit_at,
    step_timers,
    ticket_rows,
)
from admin.privacy import record_case_view
from ult import queries, sop
from ult.messages import error_text
from ult.queue import Counter, Ticket
from ult.settings import BACK_OFFICE

bp = Blueprint("back_office", __name__)


def _is_unit() -> bool:
    principal = current_principal()
    return principal is not None and principal.role == "unit"


def _back_office_counter() -> Counter | None:
    """The session's back-office counter. A back-office officer of an office with one such
    counter sits at it without choosing, while nobody else sits there (recorded as any
    sitting); taken over, it is not taken back unasked."""
    counter = session_counter(BACK_OFFICE_KEY, BACK_OFFICE)
    principal = current_principal()
    if counter is None and counter_notice() is None and principal.role == "back_office":
        counters = [c for c in get_queue().counters() if c.kind == BACK_OFFICE and c.active]
        if len(counters) == 1 and counters[0].id not in held_by_others():
            counter = counters[0]
            get_queue().take_counter(counter.id, actor=actor())
            session[BACK_OFFICE_KEY] = counter.id
    return counter


def _require_back_office_counter() -> Counter:
    counter = _back_office_counter()
    if counter is None:
        raise PageRefusal(counter_notice() or PAGES["back_office_required"], 409)
    return counter


def _back_office_live_context() -> dict[str, Any]:
    """The back office's lists: inbox, in work, with a main unit, answer ready."""
    db = get_db()
    unit = _is_unit()
    states = [sop.WITH_UNIT] if unit else sorted(sop.ESCALATION_STATES)
    where = f"state IN ({', '.join('?' * len(states))})"
    params: list[Any] = list(states)
    scope = unit_scope()
    if scope is not None:
        # A main-unit account sees only its own units' cases (none while unbound).
        where += f" AND main_unit_id IN ({', '.join('?' * len(scope))})" if scope else " AND 0"
        params += scope
    cases = ticket_rows(db, where, params)
    main_units = {r["id"]: r["name"] for r in list(db.query("SELECT id, name FROM main_units"))}
    return {
        "is_unit": unit,
        "unit_names": [main_units[u] for u in scope or () if u in main_units],
        "unit_unbound": error_text("unit_unbound") if scope == () else "",
        "inbox": [t for t in cases if t.state == sop.ESCALATED],
        "in_work": [t for t in cases if t.state in (sop.BACK_OFFICE, sop.DISPOSITION_RECEIVED)],
        "with_unit": [t for t in cases if t.state == sop.WITH_UNIT],
        "ready": [t for t in cases if t.state == sop.ANSWER_READY],
        "timers": step_timers(db, cases),
        "identities": identities(db, [t.id for t in cases], reveal=False),
        "counter_names": counter_names(db),
        "service_names": queries.service_names(db),
        "main_units": main_units,
        "bo_counter": None if unit else _back_office_counter(),
        "short": short,
    }


def _render_back_office() -> str:
    unit = _is_unit()
    context = _back_office_live_context()
    return render_template(
        "back_office/index.html",
        counters=[] if unit else [c for c in get_queue().counters() if c.kind == BACK_OFFICE],
        held_by={} if unit else held_by_others(),
        counter_notice=counter_notice(),
        failed_choose=failed_form("choose"),
        **context,
    )


@bp.get("/back-office")
@require("disposition")
def index() -> Any:
    """Back office (SOP 10-14): escalated cases; for a main unit, its cases."""
    return _render_back_office()


@bp.get("/back-office/live")
@require("disposition")
def live() -> Any:
    """The live part of the back-office page: its case lists."""
    return render_template("back_office/_live.html", **_back_office_live_context())


@bp.post("/back-office/choose")
@require("take")
def choose() -> Any:
    """Sit at a back-office counter (recorded; a takeover as on the counter page)."""

    def act() -> str:
        counter = chosen_counter(BACK_OFFICE)
        sit_at(BACK_OFFICE_KEY, counter)
        return PAGES["back_office_chosen"].format(counter=counter.name)

    return run(act, _render_back_office, url_for("pages.back_office.index"))


def _case(ticket_id: int) -> Ticket:
    """A case the back office (or, while it is with a unit, the unit) may open.

    Raises ``QueueError`` (not found) for an unknown ticket; 404 for a ticket that was
    never escalated; 403 for a main unit opening a case that is not with a unit, or that
    is with another unit than its own (with the reason, :func:`admin.api.require_unit_case`).
    """
    ticket = get_queue().ticket(ticket_id)
    if ticket.state not in sop.ESCALATION_STATES and ticket.escalation_note is None:
        abort(404)
    require_unit_case(ticket)
    if _is_unit() and ticket.state != sop.WITH_UNIT:
        abort(403)
    return ticket


def _render_case(ticket_id: int, template: str = "back_office/index.html") -> str:
    """The case view (``template``: the page, or its live body ``back_office/_case.html``).
    Seeing the identity in full is recorded once per page load (UU 27/2022), not again for
    each live refresh of the same page."""
    db = get_db()
    ticket = _case(ticket_id)
    reveal = may_reveal(ticket)
    case_identity = identities(db, [ticket.id], reveal=reveal).get(ticket.id)
    if reveal and case_identity is not None and template == "back_office/index.html":
        record_case_view(ticket, "back_office_case")
    latest = db.execute("SELECT MAX(id) FROM events WHERE ticket_id = ?", (ticket.id,)).fetchone()
    names = counter_names(db)
    units = list(db.query("SELECT id, name FROM main_units WHERE active = 1 ORDER BY id"))
    unit = next(db.query("SELECT name FROM main_units WHERE id = ?", (ticket.main_unit_id,)), None)
    return render_template(
        template,
        case=ticket,
        # What the case view shows, as a key: a new event on the case changes it (pages.js).
        case_version=f"{ticket.id}:{latest[0] or 0}",
        case_timer=step_timers(db, [ticket]).get(ticket.id),
        case_identity=case_identity,
        case_unit=unit["name"] if unit else None,
        case_front_office=names.get(ticket.front_office_counter_id or 0, "-"),
        case_back_office=names.get(ticket.back_office_counter_id or 0, "-"),
        history=history(db, ticket),
        units=units,
        is_unit=_is_unit(),
        bo_counter=None if _is_unit() else _back_office_counter(),
        service_names=queries.service_names(db),
        failed_resolve=failed_form("resolve"),
        failed_forward=failed_form("forward"),
        failed_disposition=failed_form("disposition"),
    )


@bp.get("/back-office/cases/<int:ticket_id>")
@require("disposition")
def case(ticket_id: int) -> Any:
    """One case in full (the case view): request, notes, answers, identity."""
    return _render_case(ticket_id)


@bp.get("/back-office/cases/<int:ticket_id>/live")
@require("disposition")
def case_live(ticket_id: int) -> Any:
    """The case view's body alone, for pages.js (issue 14: it follows the stream, so two
    officers on one case, or a unit's disposition, show at once)."""
    return _render_case(ticket_id, "back_office/_case.html")


def _case_action(ticket_id: int, action: Callable[[], str], target: str | None = None) -> Any:
    return run(
        action,
        lambda: _render_case(ticket_id),
        target or url_for("pages.back_office.index"),
    )


@bp.post("/back-office/cases/<int:ticket_id>/take")
@require("take")
def take(ticket_id: int) -> Any:
    """Take an escalated case (SOP step 11)."""

    def act() -> str:
        counter = _require_back_office_counter()
        ticket = get_queue().take(ticket_id, counter.id, actor=actor())
        return PAGES["taken"].format(label=ticket.label, counter=counter.name)

    # Then straight to the case: the next thing is to study it.
    return run(
        act,
        _render_back_office,
        url_for("pages.back_office.case", ticket_id=ticket_id),
    )


@bp.post("/back-office/cases/<int:ticket_id>/resolve")
@require("resolve")
def resolve(ticket_id: int) -> Any:
    """Settle the case and return the answer to the front office (SOP step 12)."""

    def act() -> str:
        counter = _require_back_office_counter()
        ticket = get_queue().resolve(ticket_id, counter.id, actor=actor(), text=field("answer"))
        return PAGES["resolved"].format(label=ticket.label)

    return _case_action(ticket_id, act)


@bp.post("/back-office/cases/<int:ticket_id>/forward")
@require("forward")
def forward(ticket_id: int) -> Any:
    """Forward the case to a main unit (SOP step 13)."""

    def act() -> str:
        counter = _require_back_office_counter()
        unit = field("unit").strip()
        ticket = get_queue().forward(
            ticket_id,
            counter.id,
            actor=actor(),
            unit=int(unit) if unit.isdigit() else unit,
            note=field("note") or None,
        )
        unit_name = next(
            get_db().query("SELECT name FROM main_units WHERE id = ?", (ticket.main_unit_id,)), None
        )
        return PAGES["forwarded"].format(
            label=ticket.label, unit=unit_name["name"] if unit_name else ""
        )

    return _case_action(ticket_id, act)


@bp.post("/back-office/cases/<int:ticket_id>/directions")  # the URL pages have always used
@require("disposition")
def disposition(ticket_id: int) -> Any:
    """Record the main unit's disposition, *disposisi* (SOP step 14); the answer is ready."""

    def act() -> str:
        # The unit records its own disposition, for its own units' cases only; the back
        # office relays it from its counter.
        if _is_unit():
            require_unit_case(get_queue().ticket(ticket_id))
        counter = None if _is_unit() else _back_office_counter()
        ticket = get_queue().disposition(
            ticket_id,
            actor=actor(),
            text=field("disposition"),
            counter=counter.id if counter else None,
        )
        return PAGES["disposition"].format(label=ticket.label)

    return _case_action(ticket_id, act)


@bp.post("/back-office/cases/<int:ticket_id>/relay")
@require("relay")
def relay(ticket_id: int) -> Any:
    """Pass the main unit's disposition on to the front office, with a note (SOP 14)."""

    def act() -> str:
        counter = _require_back_office_counter()
        ticket = get_queue().relay(ticket_id, counter.id, actor=actor(), note=field("note") or None)
        return PAGES["relayed"].format(label=ticket.label)

    return _case_action(ticket_id, act)
