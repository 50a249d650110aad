"""What the staff desk pages share: session keys, lists, identities, histories, step timers.

The desk pages (:mod:`admin.pages.reception`, :mod:`admin.pages.counter`,
:mod:`admin.pages.back_office`) are server-rendered forms that post to page routes; every
action calls one method of the queue domain with the logged-in user as actor, then
redirects (303) to its page with a flash message (:func:`admin.forms.run`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app, request, session

from admin.api import mask_phone
from admin.auth import CASE_ROLES, current_principal
from admin.db import get_queue, settings
from admin.messages import PAGES
from admin.visitor import live_event_kinds
from ult import queries, sop
from ult.clock import from_stamp, to_stamp
from ult.errors import QueueError
from ult.messages import ACTIONS, CHOICES, STATES
from ult.nik import mask_nik
from ult.queue import Counter, Ticket
from ult.store import rows

if TYPE_CHECKING:
    import sqlite_utils

STREAM_URL = "/api/v1/board/events"
"""The board's Server-Sent Events stream (admin/stream.py); the pages open one each."""

COUNTER_KEY = "counter_id"
"""Session key: the front-office counter the user works at."""
BACK_OFFICE_KEY = "back_office_counter_id"
"""Session key: the back-office counter the user works at."""
SURVEY_KEY = "survey_ticket_id"
"""Session key: the ticket just finished at this desk, whose survey QR the page shows."""

LIST_LIMIT = 200
"""Most rows any list on these pages shows (a long day stays readable and fast)."""

_STEP_EVENT_KINDS = (
    "called",
    "recalled",
    "started",
    "identified",
    "detailed",
    "answered",
    "escalated",
    "taken",
    "forwarded",
    "resolved",
    "directions",
    "explained",
)
"""Events that open or advance an SOP step; the timers measure from the latest one."""

_STATE_STEP: dict[str, tuple[int, tuple[str, ...]]] = {
    sop.CALLED: (6, ("called", "recalled")),
    sop.ANSWERED: (15, ("answered",)),
    sop.EXPLAINED: (16, ("explained",)),
    sop.ESCALATED: (11, ("escalated",)),
    sop.BACK_OFFICE: (12, ("taken",)),
    sop.WITH_UNIT: (14, ("forwarded",)),
    sop.ANSWER_READY: (15, ("resolved", "directions")),
}
"""The step a ticket in each state waits for, and the events that started that wait.

A called visitor is walking to the desk (6); an answered or returned case waits for the
explanation (15); and so on. ``serving`` is worked out from the events (7, 8 or 9).
"""


# ------------------------------------------------------------------------------ helpers


def now_utc() -> datetime:
    """The app's clock (a FakeClock in tests), aware UTC."""
    return current_app.config["ULT_CLOCK"]()


def hhmm(moment: datetime | None) -> str:
    """A time of day in the office's zone, as Indonesians write it (``09.05``)."""
    if moment is None:
        return "-"
    return moment.astimezone(settings().office.tz).strftime("%H.%M")


def failed_form(form_name: str) -> Mapping[str, str]:
    """The values of the form ``form_name`` when it is the one being re-rendered after a
    refusal (each form posts a hidden ``form`` field), else an empty mapping."""
    if request.method == "POST" and request.form.get("form") == form_name:
        return request.form
    return {}


def active_services(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Active services in display order, each with its active topics:
    ``[{"letter", "name", "topics": [...]}]``."""
    services = rows(
        db, "SELECT letter, name FROM services WHERE active = 1 ORDER BY position, letter"
    )
    topics = rows(db, "SELECT service, name FROM topics WHERE active = 1 ORDER BY id")
    for service in services:
        service["topics"] = [t["name"] for t in topics if t["service"] == service["letter"]]
    return services


def ticket_rows(db: sqlite_utils.Database, where: str, params: Iterable[Any]) -> list[Ticket]:
    """Tickets matching ``where`` (SQL after WHERE), oldest in line first."""
    found = rows(
        db,
        f"SELECT * FROM tickets WHERE {where} ORDER BY queue_seq LIMIT {LIST_LIMIT}",
        tuple(params),
    )
    return [Ticket.from_row(r) for r in found]


def counter_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM counters")}


def short(text: str | None, limit: int = 120) -> str:
    """Free text cut for a list row (the case view shows it whole)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ------------------------------------------------------------------------------ time vs SOP


@dataclass(frozen=True)
class StepTimer:
    """The open SOP step of a ticket: since when, against its standard (Mutu Baku)."""

    step: int
    since: datetime
    standard_minutes: int
    elapsed_seconds: int

    @property
    def name(self) -> str:
        return PAGES.get(f"step_{self.step}", str(self.step))

    @property
    def overdue(self) -> bool:
        """True once the step has taken longer than its standard time."""
        return self.elapsed_seconds > self.standard_minutes * 60

    @property
    def since_stamp(self) -> str:
        """UTC ISO time for pages.js, which keeps the clock running between refreshes."""
        return to_stamp(self.since)

    @property
    def elapsed_text(self) -> str:
        return clock_text(self.elapsed_seconds)


def clock_text(seconds: int) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour): the same format pages.js writes."""
    seconds = max(seconds, 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def step_timer(state: str, events: list[tuple[str, datetime]], now: datetime) -> StepTimer | None:
    """The step a ticket in ``state`` is in, from its step events ``[(kind, at)]`` (log
    order); ``None`` for a state with no open step (waiting, closed)."""
    since: datetime | None = None
    if state == sop.SERVING:
        starts = [i for i, (kind, _) in enumerate(events) if kind == "started"]
        if not starts:
            return None
        current = events[starts[-1] :]
        done = {kind for kind, _ in current}
        # Steps 7, 8, 9 in order: the first not yet recorded since the start is open.
        step = 7 if "identified" not in done else 8 if "detailed" not in done else 9
        since = current[-1][1]
    elif state in _STATE_STEP:
        step, kinds = _STATE_STEP[state]
        matching = [at for kind, at in events if kind in kinds]
        if not matching:
            return None
        since = matching[-1]
    else:
        return None
    elapsed = int((now - since).total_seconds())
    return StepTimer(step, since, sop.STANDARD_MINUTES[step], max(elapsed, 0))


def step_timers(db: sqlite_utils.Database, tickets: Iterable[Ticket]) -> dict[int, StepTimer]:
    """The open step of each ticket, read in one query."""
    by_id = {t.id: t for t in tickets}
    if not by_id:
        return {}
    marks = ", ".join("?" * len(by_id))
    kinds = ", ".join("?" * len(_STEP_EVENT_KINDS))
    found = rows(
        db,
        f"SELECT ticket_id, kind, at FROM events WHERE ticket_id IN ({marks}) "
        f"AND kind IN ({kinds}) ORDER BY id",
        (*by_id, *_STEP_EVENT_KINDS),
    )
    events: dict[int, list[tuple[str, datetime]]] = {}
    for event in found:
        events.setdefault(event["ticket_id"], []).append((event["kind"], from_stamp(event["at"])))
    now = now_utc()
    timers = {}
    for ticket_id, ticket in by_id.items():
        timer = step_timer(ticket.state, events.get(ticket_id, []), now)
        if timer is not None:
            timers[ticket_id] = timer
    return timers


# ------------------------------------------------------------------------------ identity


@dataclass(frozen=True)
class Identity:
    """A visitor as a page shows them; ``nik`` and ``phone`` are masked unless
    ``revealed`` (the case view of a role handling the case)."""

    name: str
    nik: str
    institution: str | None
    phone: str | None
    revealed: bool


def identities(
    db: sqlite_utils.Database, visitor_ids: Iterable[int | None], *, reveal: bool
) -> dict[int, Identity]:
    """Visitors by id, masked unless ``reveal``."""
    wanted = sorted({v for v in visitor_ids if v is not None})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    found = rows(db, f"SELECT * FROM visitors WHERE id IN ({marks})", wanted)
    return {
        v["id"]: Identity(
            v["name"],
            (v["nik"] or "") if reveal else mask_nik(v["nik"] or ""),
            v["institution"],
            # One masking rule for pages and API alike (admin.api).
            v["phone"] if reveal else mask_phone(v["phone"]),
            reveal,
        )
        for v in found
    }


def handles_cases() -> bool:
    """Whether this user's role handles cases (CASE_ROLES)."""
    principal = current_principal()
    return principal is not None and principal.role in CASE_ROLES


_EVENT_ACTIONS = {t.event: t.action for t in sop.TRANSITIONS.values()}


def _event_text(kind: str) -> str:
    """What an event did to the ticket, in Indonesian (``dipanggil``, ``tercetak``)."""
    return PAGES.get(f"event_{kind}") or ACTIONS.get(_EVENT_ACTIONS.get(kind, ""), kind)


def history(db: sqlite_utils.Database, ticket: Ticket) -> list[dict[str, Any]]:
    """A ticket's events as the case view lists them (time, step, what, who)."""
    names = counter_names(db)
    return [
        {
            "time": hhmm(event.at),
            "step": event.sop_step,
            "what": _event_text(event.kind),
            "actor": event.actor,
            "counter": names.get(event.counter_id or 0, ""),
        }
        for event in queries.ticket_history(db, ticket.id)
    ]


def reason_text(code: str | None) -> str:
    """Why a print failed, in Indonesian, from its reason code."""
    return PAGES.get(f"reason_{code}", PAGES["reason_unknown"])


def session_counter(key: str, kind: str) -> Counter | None:
    """The counter remembered in the session, if it still exists, is active and of
    ``kind``; forgotten otherwise (a technician may have retired it)."""
    value = session.get(key)
    if not isinstance(value, int):
        return None
    try:
        desk = get_queue().counter(value)
    except QueueError:
        desk = None
    if desk is None or desk.kind != kind or not desk.active:
        session.pop(key, None)
        return None
    return desk


# ------------------------------------------------------------------------------ page context


def page_helpers() -> dict[str, Any]:
    """Helpers for the desk pages' templates (a context processor of ``pages``)."""
    return {
        "hhmm": hhmm,
        "state_name": lambda state: STATES.get(state, state),
        "choice_name": lambda choice: CHOICES.get(choice, choice),
        "server_now": to_stamp(now_utc()),
        "stream_url": STREAM_URL,
        "live_event_kinds": " ".join(live_event_kinds()),
    }
