"""The queue domain: every operation on tickets and counters the office procedure needs.

Each operation is one ``BEGIN IMMEDIATE`` transaction that changes one ticket (or counter)
and appends one event (kind, ticket, counter, SOP step, actor, UTC time, JSON payload):
both land or neither. Refusals raise :class:`~ult.errors.QueueError` and change nothing.
The rules come from ``shared/SOP.md`` and ``shared/DESIGN.md``: each ticket operation names
its action of :data:`ult.sop.TRANSITIONS`, which gives the event kind, the SOP step and the
target state (:meth:`Queue._apply`). The business day the store keeps is in :mod:`ult.day`,
input cleaning in :mod:`ult.cleaning`, the wait estimate in :mod:`ult.estimate`.
"""

from __future__ import annotations

import json
import math
import secrets
import time as monotonic_time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlite_utils

from ult import (
    accounts,
    cleaning,
    dates,
    day,
    estimate,
    eventlog,
    guestbook,
    hours,
    queries,
    record,
    sitting,
    sop,
)
from ult.cleaning import LONG_TEXT, TEXT_LIMITS, shown
from ult.clock import Clock, business_day, from_stamp, to_stamp, utc_now
from ult.errors import QueueError, conflict, invalid, not_found
from ult.guestbook import LETTER_TYPES, Identity
from ult.kinds import EventKind, PrinterState
from ult.messages import (
    ACTIONS,
    FIELDS,
    PRIORITY_CATEGORIES,
    RECORD_NAMES,
    STATES,
    priority_choices,
    wait_text,
)
from ult.settings import BACK_OFFICE, FRONT_OFFICE, INFORMATION_SERVICE, Settings
from ult.sitting import Sitting
from ult.store import checkpoint, immediate

TicketRef = int | str
"""A ticket by id, or by its label on the current business day (``"A-007"``)."""
CounterRef = int | str
"""A counter by id, or by its name (case-insensitive, ``"Loket 1"``)."""

SOURCES = ("kiosk", "reception", "api", "cli")
"""Where a ticket can be issued from."""
CATEGORY_REQUIRED_SOURCES = ("api", "cli")
"""Sources where a priority ticket must name its category (UU 25/2009 Pasal 29): the API
token and ``ult issue``. The kiosk's priority button issues without one by design (reception
records it later, :meth:`Queue.prioritize`); the reception form and a logged-in page calling
the API refuse before the queue (``admin``)."""
ANSWER_KINDS = ("available", "excepted")
"""SOP step 9a: the information is available, or excepted (*dikecualikan*) from disclosure."""
EXPLANATION_MODES = ("direct", "indirect")
"""SOP step 15: explained to the visitor directly or indirectly (*langsung / tidak langsung*)."""
OUTCOMES = ("resolved", "unresolved")
"""SOP step 16: whether the visitor's need was settled."""
INCOMPLETE_REASONS = ("visitor_declined", "anonymous_complaint", "no_identity_document")
"""SOP step 16 completeness: the recorded reasons a case may be finished without the visitor's
identity (step 7) or the request detail (step 8): the visitor declined, an anonymous complaint,
no identity document brought. Stored in ``tickets.incomplete_reason`` and the ``finished``
event's payload; the reports count them."""
RECORD_KINDS = {
    "identity": (EventKind.IDENTIFIED, EventKind.VISITOR_REGISTERED),
    "request_detail": (EventKind.DETAILED,),
}
"""What a complete service record holds (SOP 16), each proved by one of its events: the
identity (step 7, or registered at reception, step 3) and the request detail (step 8)."""
RUNNING_TEXT_MAX = 200
"""Characters of the board's running text (one line; it scrolls when wider than the TV)."""


@dataclass(frozen=True)
class Ticket:
    """One visitor's place in the queue, as stored. Times are aware UTC ``datetime``."""

    id: int
    label: str
    issued_service: str
    service: str
    day: date
    number: int
    topic: str | None
    priority: bool
    source: str
    state: str
    queue_seq: int
    counter_id: int | None
    front_office_counter_id: int | None
    back_office_counter_id: int | None
    main_unit_id: int | None
    recalls: int
    request_detail: str | None
    answer_kind: str | None
    answer: str | None
    escalation_note: str | None
    forward_note: str | None
    disposition: str | None
    explanation_mode: str | None
    explanation_note: str | None
    outcome: str | None
    cancel_reason: str | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    released_at: datetime | None
    finished_at: datetime | None
    token: str
    idempotency_key: str | None
    printed: bool | None
    relay_note: str | None
    incomplete_reason: str | None
    information_purpose: str | None
    exemption_ground: str | None
    exemption_note: str | None
    priority_category: str | None

    @classmethod
    def from_row(cls, data: dict[str, Any]) -> Ticket:
        """Build from a ``tickets`` row (a dict of column values)."""
        return cls(**{name: convert(data[name]) for name, convert in _TICKET_COLUMNS})

    @property
    def state_text(self) -> str:
        """The state as staff read it, in Indonesian."""
        return STATES[self.state]


def _information_only(field: str) -> Callable[[Ticket], None]:
    """A check refusing ``field`` (``purpose`` or ``exemption``) on a ticket that is not an
    information request (UU 14/2008 applies to service ``INFORMATION_SERVICE`` only)."""

    def check(ticket: Ticket) -> None:
        if ticket.service != INFORMATION_SERVICE:
            raise invalid(
                f"{field}_not_information", service=INFORMATION_SERVICE, label=ticket.label
            )

    return check


def _stamp_or_none(value: str | None) -> datetime | None:
    return None if value is None else from_stamp(value)


def _bool_or_none(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _as_is(value: Any) -> Any:
    return value


def _converter(name: str) -> Any:
    if name.endswith("_at"):
        return _stamp_or_none
    if name == "day":
        return date.fromisoformat
    if name == "priority":
        return bool
    if name == "printed":
        return _bool_or_none
    return _as_is


# Built once: from_row runs on every operation, inside the write lock.
_TICKET_COLUMNS = tuple((f.name, _converter(f.name)) for f in fields(Ticket))


@dataclass(frozen=True)
class Issued:
    """The result of :meth:`Queue.issue`.

    ``waiting_ahead`` counts tickets of the same service that will be called first;
    ``estimated_wait_minutes`` is never negative; ``replayed`` is true when an earlier
    request with the same idempotency key already issued this ticket; ``after_closing``
    is set when that wait ends after today's closing.
    """

    ticket: Ticket
    waiting_ahead: int
    estimated_wait_minutes: int
    replayed: bool = False
    after_closing: datetime | None = None
    """Today's closing when the estimated call falls after it (:meth:`Queue.call_after_closing`)."""
    closed_wait: str | None = None
    """What the estimate says instead while the counters do not serve now (a ticket issued
    by override when closed: :meth:`Queue.closed_wait`)."""
    resumes_at: datetime | None = None
    """While the counters do not serve (``closed_wait`` set): when service resumes (aware,
    office zone), or None when no opening lies ahead."""
    wait_text: str = ""
    """The wait as the visitor reads it (:meth:`Queue.wait_words`): what every path shows
    (the paper, its preview, ``ult issue``, the API, the visitor's page, reception)."""


@dataclass(frozen=True)
class Identified:
    """The result of :meth:`Queue.identify` and :meth:`Queue.register_visitor`: the ticket,
    the visit as recorded (a ``visits`` row) and the document's warnings (Indonesian)."""

    ticket: Ticket
    warnings: tuple[str, ...]
    visit: dict[str, Any]


@dataclass(frozen=True)
class Counter:
    """A counter that calls tickets (front office) or takes escalations (back office)."""

    id: int
    name: str
    kind: str
    active: bool
    paused: bool
    services: tuple[str, ...]


class Queue:
    """The queue of one appliance database.

    ``Queue(db, settings, clock=utc_now)``: ``db`` from :func:`ult.store.connect` (one per
    thread or process), ``settings`` from :func:`ult.settings.load_settings`, ``clock`` a
    callable returning an aware UTC ``datetime`` (inject :class:`ult.clock.FakeClock` in
    tests). Every method that changes something takes ``actor``, the user or device that
    acts (``"siti"``, ``"kiosk:button1"``), and records it.
    """

    def __init__(
        self, db: sqlite_utils.Database, settings: Settings, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._clock_checked_at = -math.inf

    # ----------------------------------------------------------------- the day

    def business_day(self, moment: datetime | None = None) -> date:
        """The office's business day of ``moment`` (default: now) by the clock alone."""
        queue = self.settings.queue
        return business_day(moment or self.clock(), self.settings.office.tz, queue.day_reset)

    def today(self) -> date:
        """The current business day; never earlier than a day the store already started.

        A Raspberry Pi without a battery clock may boot with an old time: numbering then
        continues on the newest day instead of reusing numbers (PITFALLS, store).
        """
        computed = self.business_day()
        stored = day.stored_day(self.db)
        return max(computed, stored) if stored else computed

    def roll_over(self, *, actor: str = "system") -> int:
        """Start a new business day if the clock has reached one; return tickets expired.

        Tickets of earlier days still waiting, or left at a counter (called, serving,
        answered or explained: a case nobody finished), are closed as expired, one event
        each, and their counters freed; escalated cases stay open, since they may be
        answered later. Numbering then restarts, and the WAL is checkpointed. Called before
        the operations that issue or call tickets; safe to call anytime.
        """
        now = self.clock()
        computed = self.business_day(now)
        expired = 0
        stored = day.stored_day(self.db)
        if stored is not None and computed <= stored:
            return 0
        with immediate(self.db):
            stored = day.stored_day(self.db)
            if stored is not None and computed <= stored:
                return 0
            expiring = sorted(sop.TRANSITIONS["expire"].sources)
            marks = ", ".join("?" * len(expiring))
            stale = self.db.query(
                # "!=", not "<": tickets dated ahead by a clock that was wrongly ahead (then
                # corrected) are closed too, instead of waiting until that date comes.
                f"SELECT * FROM tickets WHERE day != ? AND state IN ({marks}) ORDER BY id",
                (computed.isoformat(), *expiring),
            )
            # Listed first: each expiry writes to the table being read.
            for data in list(stale):
                ticket = Ticket.from_row(data)
                self._apply("expire", ticket, now, actor, ticket.counter_id, {}, counter_id=None)
                expired += 1
            # A returned case called back before the reset (call_back) stays open, as every
            # escalated case does, but no longer holds the counter: its visitor has gone.
            self.db.execute(
                "UPDATE tickets SET counter_id = NULL WHERE state = ? AND counter_id IS NOT NULL",
                (sop.ANSWER_READY,),
            )
            self._event(
                now,
                EventKind.DAY_STARTED,
                actor,
                None,
                None,
                None,
                {"day": computed.isoformat(), "expired": expired},
            )
            day.store_day(self.db, computed)
        checkpoint(self.db)
        return expired

    @contextmanager
    def _write(self) -> Iterator[None]:
        """Every operation's transaction: start the business day if it is due, check the
        clock, then ``BEGIN IMMEDIATE``. Rolling over first means a case handled this
        morning is never expired by a reset that comes after it."""
        self._maintain()
        with immediate(self.db):
            yield

    def _maintain(self) -> None:
        """Roll the day over and check the clock before a write (outside its transaction).

        The stored day is read each time (one indexed row): another process may have
        started or corrected the day since this one last looked.
        """
        stored = day.stored_day(self.db)
        if stored is None or self.business_day() > stored:
            self.roll_over()
        if monotonic_time.monotonic() - self._clock_checked_at > day.CLOCK_CHECK_INTERVAL_SECONDS:
            self._clock_checked_at = monotonic_time.monotonic()
            self._check_clock()

    def _check_clock(self) -> None:
        """Record a ``clock_behind`` warning once per clock day while the clock runs behind
        the newest event (the technician sees it in ``ult status`` and the event log)."""
        now = self.clock()
        newest = day.newest_event_ahead(self.db, now)
        if newest is None:
            return
        with immediate(self.db):
            today = self.business_day(now)
            if day.clock_warned(self.db, today):
                return
            self._event(
                now,
                EventKind.CLOCK_BEHIND,
                "system",
                None,
                None,
                None,
                {"clock": to_stamp(now), "newest_event": newest},
            )
            day.mark_clock_warned(self.db, today)

    def day_ahead(self) -> tuple[date, date, list[str]] | None:
        """``(stored_day, clock_day, open_labels)`` when the store's day is ahead of the
        clock, else ``None``. ``open_labels`` are the tickets of the stored day still in line
        or at a counter, which stay callable until served and close at the next day reset."""
        computed = self.business_day()
        stored = day.stored_day(self.db)
        if stored is None or stored <= computed:
            return None
        at_work = sorted({sop.WAITING, *sop.AT_COUNTER_STATES})
        marks = ", ".join("?" * len(at_work))
        labels = [
            r["label"]
            for r in self.db.query(
                f"SELECT label FROM tickets WHERE day = ? AND state IN ({marks}) ORDER BY id",
                (stored.isoformat(), *at_work),
            )
        ]
        return stored, computed, labels

    def correct_day(self, *, actor: str) -> tuple[date, date] | None:
        """Accept the clock's business day after the clock was wrongly ahead.

        Numbering normally never goes back to an earlier day (a Pi may boot with an old
        time). When a technician confirms that the clock is right now and the day the store
        keeps was reached through a clock set wrongly ahead, this moves the store back to the
        clock's day: numbering continues there without repeating any number of that day.
        Returns ``(old_day, new_day)``, or ``None`` when the store is not ahead of the clock.
        Records a ``day_corrected`` event.
        """
        now = self.clock()
        computed = self.business_day(now)
        with immediate(self.db):
            stored = day.stored_day(self.db)
            if stored is None or stored <= computed:
                return None
            day.store_day(self.db, computed)
            day.forget_clock_warning(self.db)
            self._event(
                now,
                EventKind.DAY_CORRECTED,
                actor,
                None,
                None,
                None,
                {"from": stored.isoformat(), "to": computed.isoformat()},
            )
        return stored, computed

    # ----------------------------------------------------------------- issue

    def issue(
        self,
        service: str,
        *,
        actor: str,
        priority: bool = False,
        topic: str | None = None,
        source: str = "reception",
        idempotency_key: str | None = None,
        override: bool = False,
        priority_category: str | None = None,
    ) -> Issued:
        """Issue the next number of ``service`` for the business day (SOP step 3).

        ``service`` is a letter (``"A"``); ``topic`` must be one of the service's active
        topics; ``source`` one of :data:`SOURCES`. A repeated ``idempotency_key`` returns
        the ticket issued the first time (``replayed=True``) without issuing another.
        ``priority_category`` (UU 25/2009 Pasal 29, a code of ``sop.PRIORITY_CATEGORIES``)
        only with ``priority``; a priority ticket may have none only from the kiosk button
        (reception records it later): the API and ``ult issue`` (sources
        :data:`CATEGORY_REQUIRED_SOURCES`) are refused ``priority_category_missing``, the
        reception page and the API asked by a session refuse before.
        Outside the service hours, or with the service's daily quota reached (``[hours]``,
        :mod:`ult.hours`), nothing is issued unless ``override`` is true: a deliberate act
        of staff (never the kiosk), recorded in the ``issued`` event's payload as
        ``override`` (the rule set aside) beside the actor.
        Raises ``QueueError`` for an unknown or inactive service, an unknown topic or
        category, a category without priority, a bad source or key, a key already used for
        a different request, issuing closed (``issuing_closed``) or the quota reached
        (``quota_reached``).
        """
        if not isinstance(priority, bool):
            raise invalid("flag_invalid", field=FIELDS["priority"])
        if not isinstance(override, bool):
            raise invalid("flag_invalid", field=FIELDS["override"])
        category = _priority_category(priority_category)
        if category is not None and not priority:
            raise invalid("priority_category_without_priority")
        if priority and category is None and source in CATEGORY_REQUIRED_SOURCES:
            raise invalid("priority_category_missing", choices=priority_choices())
        if source not in SOURCES:
            raise invalid("source_invalid", source=shown(source))
        if override and source == "kiosk":
            raise invalid("override_kiosk")
        idempotency_key = cleaning.idempotency_key(idempotency_key)
        letter = cleaning.letter(service)
        if topic is not None:
            if not isinstance(topic, str):
                raise invalid("topic_unknown", topic=shown(topic), service=letter, topics="-")
            topic = topic.strip() or None
        transition = sop.TRANSITIONS["issue"]
        now = self.clock()
        with self._write():
            today = self.today()
            if idempotency_key is not None:
                earlier = self._by_idempotency_key(today, idempotency_key)
                if earlier is not None:
                    if (
                        earlier.issued_service,
                        earlier.priority,
                        earlier.topic,
                        earlier.priority_category,
                    ) != (letter, priority, topic, category):
                        raise invalid("idempotency_conflict", label=earlier.label)
                    ahead, minutes = self._estimate(earlier)
                    return self._issued(earlier, ahead, minutes, replayed=True)
            self._require_service(letter)
            if topic is not None:
                topic = self._require_topic(letter, topic)
            overridden = self._issuing_refusal(letter, now, today)
            if overridden is not None and not override:
                raise overridden
            number = self.db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM tickets "
                "WHERE issued_service = ? AND day = ?",
                (letter, today.isoformat()),
            ).fetchone()[0]
            label = self.settings.queue.label(letter, number)
            cursor = self.db.execute(
                "INSERT INTO tickets (issued_service, day, number, label, service, topic, "
                "priority, source, state, queue_seq, issued_at, token, idempotency_key, "
                "priority_category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "(SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM tickets), ?, ?, ?, ?) RETURNING *",
                (
                    letter,
                    today.isoformat(),
                    number,
                    label,
                    letter,
                    topic,
                    int(priority),
                    source,
                    transition.target,
                    to_stamp(now),
                    secrets.token_urlsafe(16),
                    idempotency_key,
                    category,
                ),
            )
            ticket = self._returned(cursor)
            self._record(
                "issue",
                now,
                actor,
                ticket,
                None,
                {
                    "priority": priority,
                    "topic": topic,
                    "source": source,
                    "priority_category": category,
                }
                | ({"override": overridden.code} if overridden is not None else {}),
            )
            # Inside the transaction on purpose: a separate read afterwards needs a WAL
            # read mark of its own, and with several writers those run out and wait.
            ahead, minutes = self._estimate(ticket)
        return self._issued(ticket, ahead, minutes)

    def standing(self, ticket: TicketRef) -> Issued:
        """A ticket's current place and wait as an :class:`Issued` (not replayed): what a
        reprint, the paper preview and the API's reprint show, worded as at issue
        (:meth:`wait_words`). Raises ``QueueError`` for an unknown ticket."""
        found = self._find(ticket)
        ahead, minutes = self._estimate(found)
        return self._issued(found, ahead, minutes)

    def _issued(
        self, ticket: Ticket, ahead: int, minutes: int, *, replayed: bool = False
    ) -> Issued:
        """The :class:`Issued` of ``ticket`` with the closing parts and the worded wait now."""
        closed = self.closed_wait()
        return Issued(
            ticket,
            ahead,
            minutes,
            replayed=replayed,
            after_closing=self.call_after_closing(minutes),
            closed_wait=closed,
            resumes_at=self.issuing_state().opens_at if closed is not None else None,
            wait_text=self.wait_words(minutes),
        )

    def issuing_refusal(self, service: str) -> QueueError | None:
        """Why a ticket of ``service`` (a letter) would be refused now by the service hours or
        the daily quota, or None. Read-only: the kiosk asks before it asks the printer or
        claims a number; :meth:`issue` checks again inside its transaction."""
        return self._issuing_refusal(service, self.clock(), self.today())

    def issuing_state(self) -> hours.IssuingState:
        """The service hours' verdict now (:func:`ult.hours.issuing_state`)."""
        return hours.issuing_state(self.settings.hours, self.settings.office.tz, self.clock())

    def _issuing_refusal(self, letter: str, now: datetime, today: date) -> QueueError | None:
        state = hours.issuing_state(self.settings.hours, self.settings.office.tz, now)
        if not state.open:
            notice = hours.notice(state, now)
            return conflict("issuing_closed", notice=notice, reason=state.reason)
        quota = hours.quota_reached(self.db, self.settings.hours, letter, today)
        if quota is not None:
            name = queries.service_names(self.db).get(letter)
            shown_service = f"{letter} ({name})" if name else letter
            return conflict("quota_reached", service=shown_service, quota=quota)
        return None

    # ----------------------------------------------------------------- calling

    def call_next(self, counter: CounterRef, *, actor: str) -> Ticket | None:
        """Call the next ticket for a front-office ``counter`` (SOP step 5).

        Only the services the counter serves; priority first, but after
        ``queue.priority_interleave`` consecutive priority calls of this counter a waiting
        normal ticket goes first; otherwise first come, first served. The claim is atomic
        across processes. Returns ``None`` when nothing waits — a normal answer. Raises
        ``QueueError`` when the counter is unknown, paused, not front office, or still
        holds an open ticket.
        """
        now = self.clock()
        with self._write():
            caller = self._ready_front_office(counter)
            found = self._next_for(caller)
            if found is None:
                return None
            return self._claim(found, caller, now, actor, specific=False)

    def call_specific(self, counter: CounterRef, ticket: TicketRef, *, actor: str) -> Ticket:
        """Call one waiting ticket out of order (SOP step 5); recorded as ``specific``.

        Raises ``QueueError`` as :meth:`call_next`, and when the ticket is not waiting or
        belongs to a service the counter does not serve.
        """
        now = self.clock()
        with self._write():
            caller = self._ready_front_office(counter)
            target = self._require_state(self._find(ticket), "call")
            if target.service not in caller.services:
                raise conflict("service_not_served", counter=caller.name, service=target.service)
            return self._claim(target.id, caller, now, actor, specific=True)

    def recall(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """Announce a called ticket again (SOP step 5); counted in ``recalls``.

        Refused inside ``queue.recall_cooldown_seconds`` of the last call or recall, and
        when the ticket is not called by ``counter``.
        """
        now = self.clock()
        with self._write():
            holder, target = self._at_counter(ticket, counter, "recall")
            self._require_cooled(target, now, (EventKind.CALLED, EventKind.RECALLED))
            return self._apply(
                "recall",
                target,
                now,
                actor,
                holder.id,
                {"counter": holder.name, "recalls": target.recalls + 1},
                recalls=target.recalls + 1,
            )

    def _require_cooled(self, target: Ticket, now: datetime, kinds: tuple[EventKind, ...]) -> None:
        """Refuse (``recall_cooldown``) inside ``queue.recall_cooldown_seconds`` of the
        ticket's latest event of ``kinds`` (its call, recall or call-back)."""
        last = next(
            self.db.query(
                f"SELECT at FROM events WHERE ticket_id = ? AND kind IN "
                f"({', '.join('?' * len(kinds))}) ORDER BY id DESC LIMIT 1",
                (target.id, *kinds),
            ),
            None,
        )
        cooldown = self.settings.queue.recall_cooldown_seconds
        elapsed = (now - from_stamp(last["at"])).total_seconds() if last else cooldown
        # A clock stepped backwards (negative elapsed) must not lock the recall out.
        if 0 <= elapsed < cooldown:
            raise conflict(
                "recall_cooldown", seconds=math.ceil(cooldown - elapsed), label=target.label
            )

    def no_show(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """Close a called ticket whose visitor did not come (SOP step 5).

        Refused before ``queue.recalls_before_no_show`` recalls. Frees the counter.
        """
        now = self.clock()
        with self._write():
            holder, target = self._at_counter(ticket, counter, "no_show")
            required = self.settings.queue.recalls_before_no_show
            if target.recalls < required:
                raise conflict(
                    "no_show_too_early",
                    label=target.label,
                    recalls=target.recalls,
                    required=required,
                )
            return self._apply(
                "no_show", target, now, actor, holder.id, {"counter": holder.name}, counter_id=None
            )

    def reactivate(self, ticket: TicketRef, *, actor: str) -> Ticket:
        """Put a no-show back in line with the same number, at the end (SOP step 4).

        Refused for a ticket of an earlier business day.
        """
        now = self.clock()
        with self._write():
            target = self._require_state(self._find(ticket), "reactivate")
            if target.day < self.today():
                day = dates.date_text(target.day, self.settings.office.tz)
                raise conflict("ticket_of_past_day", label=target.label, day=day)
            return self._apply(
                "reactivate", target, now, actor, None, {}, recalls=0, queue_seq=None
            )

    # ----------------------------------------------------------------- at the counter

    def start(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """The called visitor is at the counter; service starts (SOP step 6)."""
        return self._counter_step(ticket, counter, actor, "start", {}, started_at=True)

    def identify(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        name: str,
        nik: str | None = None,
        document_kind: str = "ktp",
        document_number: str | None = None,
        institution: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        occupation: str | None = None,
        acting_for: bool = False,
        represents_name: str | None = None,
        represents_institution: str | None = None,
        letter_type: str | None = None,
        letter_number: str | None = None,
        letter_date: str | None = None,
        confirm_name_change: bool = False,
    ) -> Identified:
        """Record the visitor's identity at the counter (SOP step 7) as this visit's.

        The document is ``document_kind`` (:data:`ult.guestbook.DOCUMENT_KIND_KEYS`, KTP by
        default) with ``document_number`` (``nik`` is the KTP's number, for callers of
        before); rules in :func:`ult.guestbook.clean_identity`: a KTP's NIK per
        :func:`ult.nik.check_nik`, ``phone`` 8–15 digits, someone ``acting_for`` another
        person names them and shows a *surat kuasa* or *surat tugas* with number and date;
        ``address`` and ``occupation`` are what an information request's register needs.

        The ticket's own visit row is written or corrected; no other visit changes. When the
        most recent visit of another ticket with the same document carries a different name,
        the operation is refused (``name_differs``, 409, the stored name in its values)
        unless ``confirm_name_change``. Returns the ticket, the visit and the NIK warnings.
        No personal data enters the event's payload.
        """
        return self._record_identity(
            ticket,
            counter,
            actor=actor,
            step_action="identify",
            confirm_name_change=confirm_name_change,
            fields={
                "name": name,
                "document_kind": document_kind,
                "document_number_text": _number(nik, document_kind, document_number),
                "institution": institution,
                "phone": phone,
                "address": address,
                "occupation": occupation,
                "acting_for": acting_for,
                "represents_name": represents_name,
                "represents_institution": represents_institution,
                "letter_type": letter_type,
                "letter_number": letter_number,
                "letter_date": letter_date,
            },
        )

    def register_visitor(
        self,
        ticket: TicketRef,
        *,
        actor: str,
        name: str,
        nik: str | None = None,
        document_kind: str = "ktp",
        document_number: str | None = None,
        institution: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        occupation: str | None = None,
        confirm_name_change: bool = False,
    ) -> Identified:
        """Register the visitor of a waiting ticket at reception (SOP step 3, optional).

        The same rules as :meth:`identify` (no representation: the counter records that
        at step 7, where it also confirms the identity, correcting this visit's row).
        Event ``visitor_registered`` (no personal data).

        Raises:
            QueueError: a bad value (``invalid``), the ticket is no longer waiting
                (``wrong_state``), or the name differs from the document's last visit
                (``name_differs``) without ``confirm_name_change``.
        """
        return self._record_identity(
            ticket,
            None,
            actor=actor,
            step_action="register_visitor",
            confirm_name_change=confirm_name_change,
            fields={
                "name": name,
                "document_kind": document_kind,
                "document_number_text": _number(nik, document_kind, document_number),
                "institution": institution,
                "phone": phone,
                "address": address,
                "occupation": occupation,
            },
        )

    def _record_identity(
        self,
        ticket: TicketRef,
        counter: CounterRef | None,
        *,
        actor: str,
        step_action: str,
        confirm_name_change: bool,
        fields: dict[str, Any],
    ) -> Identified:
        """Identify at the counter (``identify``) or register at reception: one transaction
        that writes the ticket's visit and appends the event."""
        if not isinstance(confirm_name_change, bool):
            raise invalid("flag_invalid", field=FIELDS["confirm_name_change"])
        identity, warnings = guestbook.clean_identity(today=self.today(), **fields)
        now = self.clock()
        with self._write():
            if counter is None:
                target = self._find(ticket)
                if target.state != sop.WAITING:
                    raise conflict(
                        "wrong_state",
                        label=target.label,
                        state=STATES[target.state],
                        action=ACTIONS["register_visitor"],
                    )
            else:
                holder, target = self._at_counter(ticket, counter, "identify")
            renamed = self._name_check(target, identity, confirm=confirm_name_change)
            payload = {
                "document_kind": identity.document_kind,
                "acting_for": identity.acting_for,
                "letter_type": identity.letter_type,
                "nik_warnings": len(warnings),
                "name_differs_confirmed": renamed,
            }
            if counter is None:
                step = sop.TRANSITIONS["issue"].step
                # A record outside the state machine, during SOP step 3 (issuing).
                self._event(now, EventKind.VISITOR_REGISTERED, actor, target, None, step, payload)
                updated = target
            else:
                step = sop.TRANSITIONS["identify"].step
                updated = self._apply("identify", target, now, actor, holder.id, payload)
            guestbook.record(
                self.db,
                target.id,
                identity,
                at=to_stamp(now),
                by=cleaning.actor(actor),
                step=int(step or 7),
            )
            visit = guestbook.visit_of(self.db, target.id)
            assert visit is not None  # written just above, in this transaction
            return Identified(updated, warnings, visit)

    def _name_check(self, ticket: Ticket, identity: Identity, *, confirm: bool) -> bool:
        """Whether the name typed differs from the document's most recent other visit;
        refuses (``name_differs``) unless the officer confirmed it (issue 11: a known
        document only pre-fills, and the officer is told before saving)."""
        latest = guestbook.latest_visit(
            self.db, identity.document_kind, identity.document_number, excluding_ticket=ticket.id
        )
        if latest is None or guestbook.same_name(latest["name"], identity.name):
            return False
        if not confirm:
            raise conflict(
                "name_differs",
                document=guestbook.KINDS[identity.document_kind].name,
                stored=latest["name"],
                typed=identity.name,
            )
        return True

    def detail(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        text: str,
        purpose: str | None = None,
    ) -> Ticket:
        """Record what the visitor asks for (SOP step 8); up to 2000 characters.

        ``purpose``: for an information request (service
        :data:`ult.settings.INFORMATION_SERVICE`), what the information will be used for
        (*tujuan penggunaan informasi*, UU 14/2008 Pasal 22), up to 300 characters; refused
        (``purpose_not_information``) on another service's ticket.
        """
        clean = cleaning.long_text(text, "detail")
        clean_purpose = cleaning.optional_text(
            purpose, "information_purpose", TEXT_LIMITS["reason"]
        )
        return self._counter_step(
            ticket,
            counter,
            actor,
            "detail",
            {"purpose": clean_purpose is not None},
            check=None if clean_purpose is None else _information_only("purpose"),
            request_detail=clean,
            information_purpose=clean_purpose,
        )

    def answer(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        kind: str,
        text: str,
        exemption: str | None = None,
        exemption_note: str | None = None,
    ) -> Ticket:
        """Answer at the counter (SOP step 9a): information ``available`` or ``excepted``.

        The decision is ``kind`` (every service). On an information request (service
        :data:`ult.settings.INFORMATION_SERVICE`) an ``excepted`` answer names its legal
        ground, a letter of UU 14/2008 Pasal 17 (``exemption``, ``"a"``..``"j"``, names in
        :data:`ult.messages.EXEMPTIONS`) with an optional ``exemption_note`` (300
        characters); an available one takes neither. Another service's answer (a complaint,
        a permit) is no public-information request: it takes no ground
        (``exemption_not_information``), excepted or not. Raises ``QueueError``.
        """
        clean_kind = cleaning.choice(kind, "answer_kind", ANSWER_KINDS)
        clean = cleaning.long_text(text, "answer")
        given = exemption not in (None, "") or exemption_note not in (None, "")
        if given and clean_kind != "excepted":
            raise invalid("exemption_without_excepted")
        ground: str | None = None
        note: str | None = None
        if given:
            ground = guestbook.exemption(exemption) if exemption not in (None, "") else None
            note = cleaning.optional_text(exemption_note, "exemption_note", TEXT_LIMITS["reason"])

        def grounded(target: Ticket) -> None:
            if target.service != INFORMATION_SERVICE:
                if given:
                    _information_only("exemption")(target)
            elif clean_kind == "excepted" and ground is None:
                raise invalid("exemption_required")

        return self._counter_step(
            ticket,
            counter,
            actor,
            "answer",
            {"answer_kind": clean_kind, "exemption": ground},
            check=grounded,
            answer_kind=clean_kind,
            answer=clean,
            exemption_ground=ground,
            exemption_note=note,
        )

    def consult(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """The matter is not available at the desk: the front office consults the back
        office (SOP 9b, then step 10 until :meth:`escalate`); the counter keeps the case."""
        return self._counter_step(ticket, counter, actor, "consult", {})

    def escalate(self, ticket: TicketRef, counter: CounterRef, *, actor: str, note: str) -> Ticket:
        """Hand the case to the back office with a note (SOP steps 9b–10); frees the counter."""
        clean = cleaning.long_text(note, "note")
        return self._counter_step(
            ticket, counter, actor, "escalate", {}, escalation_note=clean, release=True
        )

    def explain(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        mode: str,
        note: str | None = None,
    ) -> Ticket:
        """The front office explains the answer, ``direct`` or ``indirect`` (SOP step 15).

        For a case answered at the counter, the counter holding it explains. For a case that
        came back from the back office (``answer_ready``), any front-office counter that
        holds no other ticket takes it and then holds it until :meth:`finish`; once its
        visitor was called back (:meth:`call_back`), the counter holding it explains it.
        """
        clean_mode = cleaning.choice(mode, "mode", EXPLANATION_MODES)
        clean_note = cleaning.optional_text(note, "note", LONG_TEXT, lines=True)
        now = self.clock()
        with self._write():
            target = self._find(ticket)
            explainer = self._counter(counter, kind=FRONT_OFFICE)
            self._require_state(target, "explain")
            if target.state == sop.ANSWER_READY and target.counter_id is not None:
                # Called back (call_back): the counter it was called back to explains it.
                if target.counter_id != explainer.id:
                    raise conflict("not_at_counter", label=target.label, counter=explainer.name)
            elif target.state == sop.ANSWER_READY:
                if explainer.paused:
                    raise conflict("counter_paused", counter=explainer.name)
                self._require_free(explainer)
                target = self._set(target, now, counter_id=explainer.id)
            elif target.counter_id != explainer.id:
                raise conflict("not_at_counter", label=target.label, counter=explainer.name)
            return self._apply(
                "explain",
                target,
                now,
                actor,
                explainer.id,
                {"mode": clean_mode},
                explanation_mode=clean_mode,
                explanation_note=clean_note,
            )

    def call_back(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """Call the visitor of a returned case (``answer_ready``) back to ``counter`` through
        the board and the voice (SOP 15): a recorded recall, not a new ticket.

        The first call-back is made by a free, active, unpaused front-office counter, which
        then holds the ticket (still ``answer_ready``) until :meth:`explain`, as an explain of
        a returned case takes it. Calling back again (the visitor did not come) is the holding
        counter's, counted in ``recalls`` and refused inside
        ``queue.recall_cooldown_seconds``, as :meth:`recall`. Raises ``QueueError``:
        ``wrong_state``, ``counter_paused``, ``counter_inactive``, ``counter_busy``,
        ``not_at_counter`` (called back to another counter), ``recall_cooldown``.
        """
        now = self.clock()
        with self._write():
            target = self._require_state(self._find(ticket), "call_back")
            if target.counter_id is None:
                caller = self._ready_front_office(counter)
                return self._apply(
                    "call_back",
                    target,
                    now,
                    actor,
                    caller.id,
                    {"counter": caller.name, "recalls": 0},
                    counter_id=caller.id,
                    recalls=0,
                )
            caller = self._counter(counter, kind=FRONT_OFFICE)
            if target.counter_id != caller.id:
                raise conflict("not_at_counter", label=target.label, counter=caller.name)
            self._require_cooled(target, now, (EventKind.CALLED_BACK,))
            return self._apply(
                "call_back",
                target,
                now,
                actor,
                caller.id,
                {"counter": caller.name, "recalls": target.recalls + 1},
                recalls=target.recalls + 1,
            )

    def finish(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        outcome: str = "resolved",
        survey_invited: bool = True,
        incomplete_reason: str | None = None,
    ) -> Ticket:
        """Close the service record and invite the visitor to the SKM (SOP step 16).

        The record must hold the identity (step 7) and the request detail (step 8)
        (:data:`RECORD_KINDS`), unless ``incomplete_reason`` (one of
        :data:`INCOMPLETE_REASONS`) says why not; it is stored on the ticket and in the
        event. Raises ``QueueError``: ``case_incomplete`` (conflict; names what is missing),
        ``incomplete_reason_unneeded`` (a reason for a complete record), ``choice_invalid``.
        """
        clean = cleaning.choice(outcome, "outcome", OUTCOMES)
        if not isinstance(survey_invited, bool):
            raise invalid("flag_invalid", field=FIELDS["survey_invited"])
        reason = (
            None
            if incomplete_reason is None
            else cleaning.choice(incomplete_reason, "incomplete_reason", INCOMPLETE_REASONS)
        )
        now = self.clock()
        with self._write():
            holder, target = self._at_counter(ticket, counter, "finish")
            missing = self.missing_record(target)
            if missing and reason is None:
                names = " dan ".join(RECORD_NAMES[m] for m in missing)
                raise conflict("case_incomplete", label=target.label, missing=names)
            if reason is not None and not missing:
                raise conflict("incomplete_reason_unneeded", label=target.label)
            payload = {"counter": holder.name, "outcome": clean, "survey_invited": survey_invited}
            if reason is not None:
                payload["incomplete_reason"] = reason
            return self._apply(
                "finish",
                target,
                now,
                actor,
                holder.id,
                payload,
                outcome=clean,
                finished_at=True,
                counter_id=None,
                incomplete_reason=reason,
            )

    def missing_record(self, ticket: Ticket) -> list[str]:
        """What the ticket's service record lacks for SOP 16 (keys of :data:`RECORD_KINDS`,
        in step order; empty when complete), read from its events."""
        recorded = {
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT kind FROM events WHERE ticket_id = ?", (ticket.id,)
            )
        }
        return [part for part, kinds in RECORD_KINDS.items() if not recorded.intersection(kinds)]

    # ----------------------------------------------------------------- back office

    def take(self, ticket: TicketRef, counter: CounterRef, *, actor: str) -> Ticket:
        """A back-office counter takes an escalated case (SOP step 11)."""
        now = self.clock()
        with self._write():
            taker = self._counter(counter, kind=BACK_OFFICE)
            target = self._require_state(self._find(ticket), "take")
            return self._apply(
                "take",
                target,
                now,
                actor,
                taker.id,
                {"counter": taker.name},
                back_office_counter_id=taker.id,
            )

    def resolve(self, ticket: TicketRef, counter: CounterRef, *, actor: str, text: str) -> Ticket:
        """The back office settles the case and returns the answer to the front office (12)."""
        clean = cleaning.long_text(text, "answer")
        now = self.clock()
        with self._write():
            resolver = self._counter(counter, kind=BACK_OFFICE)
            target = self._require_state(self._find(ticket), "resolve")
            return self._apply("resolve", target, now, actor, resolver.id, {}, answer=clean)

    def forward(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        *,
        actor: str,
        unit: int | str,
        note: str | None = None,
    ) -> Ticket:
        """The back office forwards the case to a main unit (SOP step 13)."""
        clean_note = cleaning.optional_text(note, "note", LONG_TEXT, lines=True)
        now = self.clock()
        with self._write():
            forwarder = self._counter(counter, kind=BACK_OFFICE)
            target = self._require_state(self._find(ticket), "forward")
            main_unit = self._main_unit(unit)
            return self._apply(
                "forward",
                target,
                now,
                actor,
                forwarder.id,
                {"unit": main_unit["name"]},
                main_unit_id=main_unit["id"],
                forward_note=clean_note,
            )

    def disposition(
        self, ticket: TicketRef, *, actor: str, text: str, counter: CounterRef | None = None
    ) -> Ticket:
        """Record the main unit's disposition (*disposisi*, SOP steps 13-14).

        It goes to the back office, which relays it (:meth:`relay`); with ``[escalation]
        unit_answers_front_office`` the answer is ready for the front office at once.
        ``counter`` is the back-office counter recording it, when it is not the unit itself.
        The event's kind is ``directions`` (:attr:`ult.kinds.EventKind.DISPOSITION`).
        """
        clean = cleaning.long_text(text, "disposition")
        direct = self.settings.escalation.unit_answers_front_office
        now = self.clock()
        with self._write():
            recorder = self._counter(counter, kind=BACK_OFFICE) if counter is not None else None
            target = self._require_state(self._find(ticket), "disposition")
            changes: dict[str, Any] = {"disposition": clean}
            if direct:
                changes["state"] = sop.DIRECT_DISPOSITION_TARGET
            return self._apply(
                "disposition",
                target,
                now,
                actor,
                recorder.id if recorder else None,
                {"direct": direct},
                **changes,
            )

    def relay(
        self, ticket: TicketRef, counter: CounterRef, *, actor: str, note: str | None = None
    ) -> Ticket:
        """The back office passes the main unit's disposition on to the front office, with
        an optional note (SOP 14); the answer is then ready to explain."""
        clean = cleaning.optional_text(note, "note", LONG_TEXT, lines=True)
        now = self.clock()
        with self._write():
            relayer = self._counter(counter, kind=BACK_OFFICE)
            target = self._require_state(self._find(ticket), "relay")
            return self._apply(
                "relay",
                target,
                now,
                actor,
                relayer.id,
                {"counter": relayer.name},
                relay_note=clean,
            )

    # ----------------------------------------------------------------- any time

    def cancel(
        self, ticket: TicketRef, *, actor: str, reason: str, counter: CounterRef | None = None
    ) -> Ticket:
        """Cancel an open ticket with a reason; frees its counter.

        A ticket held by a counter is cancelled by that counter, or with no ``counter``
        (reception or the supervisor); another counter is refused (``not_at_counter``).
        """
        clean = cleaning.text(reason, "reason", TEXT_LIMITS["reason"])
        now = self.clock()
        with self._write():
            canceller = self._counter(counter) if counter is not None else None
            target = self._require_state(self._find(ticket), "cancel")
            held_elsewhere = target.counter_id not in (None, canceller.id) if canceller else False
            # A returned case called back to this counter (call_back) is its to cancel.
            escalated = target.state in sop.ESCALATION_STATES and (
                canceller is None or target.counter_id != canceller.id
            )
            if held_elsewhere or (
                canceller is not None and escalated and canceller.kind == FRONT_OFFICE
            ):
                raise conflict("not_at_counter", label=target.label, counter=canceller.name)
            return self._apply(
                "cancel",
                target,
                now,
                actor,
                canceller.id if canceller else target.counter_id,
                {},
                counter_id=None,
                cancel_reason=clean,
            )

    def transfer(
        self, ticket: TicketRef, service: str, *, actor: str, counter: CounterRef | None = None
    ) -> Ticket:
        """Move a ticket to another service's line, keeping its label and its place.

        Allowed while waiting, called or serving; a ticket held by a counter is transferred
        by that counter, or with no ``counter`` (reception or the supervisor, docs/QUEUE.md);
        another counter is refused (``not_at_counter``). The ticket keeps its ``queue_seq``:
        the visitor already waited and is not sent to the back of the new line. Its topic is
        kept only when the new service has a topic of that name; otherwise it is cleared, as
        a topic belongs to its service and the topic report counts it there.
        """
        letter = cleaning.letter(service)
        now = self.clock()
        with self._write():
            target = self._require_state(self._find(ticket), "transfer")
            self._require_service(letter)
            if letter == target.service:
                raise conflict("transfer_same_service", label=target.label, service=letter)
            mover = self._counter(counter) if counter is not None else None
            if mover is not None and target.counter_id not in (None, mover.id):
                raise conflict("not_at_counter", label=target.label, counter=mover.name)
            topic = self._topic_named(letter, target.topic) if target.topic else None
            return self._apply(
                "transfer",
                target,
                now,
                actor,
                # As cancel: a reception transfer is recorded at the counter it frees.
                mover.id if mover else target.counter_id,
                {"from": target.service, "to": letter},
                service=letter,
                topic=topic,
                counter_id=None,
                recalls=0,
            )

    def prioritize(self, ticket: TicketRef, category: str, *, actor: str) -> Ticket:
        """Mark a waiting ticket as priority (reception; UU 25/2009 Pasal 29) with its
        category (a code of ``sop.PRIORITY_CATEGORIES``), recorded as ``prioritized``; or
        record the category of a waiting priority ticket that has none (the kiosk's priority
        button issues without one), the same event with ``was_priority: true`` in its payload,
        so the report counts it in its category.

        The ticket keeps its number and its ``queue_seq``: the calling rule (priority first,
        then first come) puts it before the normal tickets without moving it past earlier
        priority visitors. Raises ``QueueError``: an unknown category (``invalid``), a ticket
        not waiting (``wrong_state``) or already priority with a category
        (``already_priority``).
        """
        code = _priority_category(category)
        if code is None:
            raise invalid("priority_category_required")
        now = self.clock()
        with self._write():
            target = self._require_state(self._find(ticket), "prioritize")
            if target.priority and target.priority_category is not None:
                raise conflict("already_priority", label=target.label)
            payload: dict[str, Any] = {"priority_category": code}
            if target.priority:
                payload["was_priority"] = True
            return self._apply(
                "prioritize",
                target,
                now,
                actor,
                None,
                payload,
                priority=1,
                priority_category=code,
            )

    # ----------------------------------------------------------------- paper

    def record_print(
        self,
        ticket: TicketRef,
        *,
        actor: str,
        printed: bool,
        reason: str | None = None,
        unconfirmed: bool = False,
        request: int | None = None,
    ) -> Ticket:
        """Record whether a ticket's paper came out (``printed``) and why not (``reason``,
        a short code such as ``"offline"`` or ``"timeout"``); events ``printed`` or
        ``print_failed``, or ``print_unconfirmed`` when the bytes left but the printer could
        not confirm (``unconfirmed``; the ticket stays on the reprint list). ``request`` is the
        id of the ``print_requested`` event this answers, kept in the payload. The ticket keeps
        its place either way: issuing never depends on printing (PITFALLS, printer)."""
        if not isinstance(printed, bool):
            raise invalid("flag_invalid", field=FIELDS["printed"])
        clean_reason = cleaning.optional_text(reason, "reason", 60)
        kind = (
            EventKind.PRINTED
            if printed
            else EventKind.PRINT_UNCONFIRMED
            if unconfirmed
            else EventKind.PRINT_FAILED
        )
        now = self.clock()
        with self._write():
            target = self._find(ticket)
            updated = self._set(target, now, printed=int(printed))
            payload: dict[str, Any] = {} if printed else {"reason": clean_reason}
            if request is not None:
                payload["request"] = request
            self._event(now, kind, actor, updated, None, None, payload)
            return updated

    def request_print(self, ticket: TicketRef, *, actor: str, source: str) -> int:
        """Ask the printer's owner (``ult kiosk``) to print a ticket; return the request id.

        Appends a ``print_requested`` event (payload ``source``) and nothing else: the owner
        tails the log, prints, and answers with ``printed``/``print_failed``/
        ``print_unconfirmed`` naming this id. The id is the event's id. ``source`` is one
        of :data:`SOURCES` (who asked: ``reception``, ``api``, ``kiosk``).
        """
        if source not in SOURCES:
            raise invalid("source_invalid", source=shown(source))
        now = self.clock()
        with self._write():
            target = self._find(ticket)
            return self._event(
                now, EventKind.PRINT_REQUESTED, actor, target, None, None, {"source": source}
            )

    def record_printer_state(self, state: str, *, actor: str) -> bool:
        """Record the ticket printer's state when it changed; return whether it did.

        ``state`` is one of :class:`~ult.kinds.PrinterState`. A ``printer_state`` event (no ticket)
        tells the board and the reception page, e.g. to send visitors to reception while
        the printer cannot print; an unchanged state records nothing, so a daemon polling
        every few seconds does not flood the log.
        """
        if state not in tuple(PrinterState):  # a tuple: whatever was sent, even unhashable
            raise invalid(
                "choice_invalid", field=FIELDS["printer_state"], choices=", ".join(PrinterState)
            )
        now = self.clock()
        with self._write():
            last = next(
                self.db.query(
                    "SELECT payload FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
                    (EventKind.PRINTER_STATE,),
                ),
                None,
            )
            if last is not None and json.loads(last["payload"]).get("state") == state:
                return False
            self._event(
                now, EventKind.PRINTER_STATE, actor, None, None, None, {"state": str(state)}
            )
            return True

    def record_restore(self, backup: str, *, events: int, actor: str) -> int:
        """Record that the database was just restored from the backup named ``backup``
        (its file name) holding ``events`` events; return the ``restored`` event's id.

        Written without rolling the day over first: apart from this event the database
        stays exactly the backup until the services' first write.
        """
        with immediate(self.db):
            return self._event(
                self.clock(),
                EventKind.RESTORED,
                actor,
                None,
                None,
                None,
                {"backup": backup, "events": events},
            )

    def set_running_text(self, text: str, *, actor: str) -> str:
        """Set the board's running text (one line, at most :data:`RUNNING_TEXT_MAX`
        characters; empty clears it) and return it as stored.

        A ``running_text`` event carries the text, so boards following the log or the
        stream show it at once; an unchanged text records nothing.

        Raises:
            QueueError: ``text_too_long`` or ``text_unprintable`` (nothing is changed).
        """
        if not isinstance(text, str):
            raise invalid("text_unprintable", field=FIELDS["running_text"])
        clean = "" if not text.strip() else cleaning.text(text, "running_text", RUNNING_TEXT_MAX)
        now = self.clock()
        with self._write():
            current = next(self.db.query("SELECT value FROM meta WHERE key = 'running_text'"), None)
            if (current["value"] if current else "") == clean:
                return clean
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('running_text', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (clean,),
            )
            self._event(now, EventKind.RUNNING_TEXT, actor, None, None, None, {"text": clean})
        return clean

    def pause(self, counter: CounterRef, *, actor: str) -> Counter:
        """Pause a counter: it calls no more tickets until resumed."""
        return self._set_paused(counter, actor, paused=True)

    def resume(self, counter: CounterRef, *, actor: str) -> Counter:
        """Resume a paused counter."""
        return self._set_paused(counter, actor, paused=False)

    # ----------------------------------------------------------------- sitting at a counter

    def take_counter(
        self,
        counter: CounterRef,
        *,
        actor: str,
        takeover: bool = False,
        reason: str | None = None,
        assignment_number: str | None = None,
        assignment_date: str | date | None = None,
    ) -> Sitting:
        """The officer ``actor`` sits at an active counter (event ``counter_taken``).

        Sitting where one already sits records nothing. A counter held by another officer
        is taken over only with ``takeover`` and a ``reason`` (1-300 characters); the
        written assignment (*surat penugasan*, SOP: an absent officer's task passes to
        another by written assignment) is optional, number and date together. The event's
        payload names the counter, and for a takeover the previous holder, the reason and
        the assignment. Raises ``QueueError``: ``counter_unknown``, ``counter_inactive``,
        ``counter_held`` (conflict; the message names the holder), ``text_*``,
        ``assignment_*``.
        """
        clean_reason = cleaning.optional_text(reason, "reason", TEXT_LIMITS["reason"])
        letter = sitting.assignment(assignment_number, assignment_date)
        now = self.clock()
        with self._write():
            target = self._counter(counter)
            if not target.active:
                raise conflict("counter_inactive", counter=target.name)
            current = sitting.holder(self.db, target.id)
            if current is not None and current.username == cleaning.actor(actor):
                return current
            payload: dict[str, Any] = {"counter": target.name}
            if current is not None:
                name = accounts.officer_names(self.db).get(current.username, current.username)
                if not takeover:
                    raise conflict("counter_held", counter=target.name, holder=name)
                if clean_reason is None:
                    raise invalid("takeover_reason_required", counter=target.name, holder=name)
                payload.update(previous=current.username, reason=clean_reason)
                if letter is not None:
                    payload["assignment"] = letter
            event = self._event(now, EventKind.COUNTER_TAKEN, actor, None, target.id, None, payload)
            return Sitting(target.id, cleaning.actor(actor), now, event)

    def leave_counter(self, counter: CounterRef, *, actor: str) -> bool:
        """The officer ``actor`` leaves the counter (event ``counter_left``); ``False``, and
        nothing recorded, when they do not sit there (someone took it over meanwhile)."""
        now = self.clock()
        with self._write():
            target = self._counter(counter)
            current = sitting.holder(self.db, target.id)
            if current is None or current.username != cleaning.actor(actor):
                return False
            self._event(
                now,
                EventKind.COUNTER_LEFT,
                actor,
                None,
                target.id,
                None,
                {"counter": target.name},
            )
            return True

    def counter_holders(self) -> dict[int, Sitting]:
        """Who sits at which counter now: ``{counter_id: Sitting}`` (:mod:`ult.sitting`)."""
        return sitting.holders(self.db)

    # ----------------------------------------------------------------- reads

    def ticket(self, ticket: TicketRef) -> Ticket:
        """One ticket by id or label of the business day; ``QueueError`` when unknown."""
        return self._find(ticket)

    def ticket_by_token(self, token: str) -> Ticket | None:
        """The ticket whose visitor page token is ``token``, or ``None``."""
        if not isinstance(token, str):
            return None
        found = next(self.db.query("SELECT * FROM tickets WHERE token = ?", (token,)), None)
        return Ticket.from_row(found) if found else None

    def counter(self, counter: CounterRef) -> Counter:
        """One counter by id or name; ``QueueError`` when unknown."""
        return self._counter(counter)

    def counters(self) -> list[Counter]:
        """Every counter, front office first, by id."""
        found = list(
            self.db.query("SELECT id FROM counters ORDER BY kind != ?, id", (FRONT_OFFICE,))
        )
        return [self._counter(data["id"]) for data in found]

    def position(self, ticket: TicketRef) -> tuple[int, int]:
        """``(waiting_ahead, estimated_wait_minutes)`` of a waiting ticket (0, 0 otherwise)."""
        return self._estimate(self._find(ticket))

    def wait_words(self, minutes: int) -> str:
        """The estimated wait ``minutes`` of a waiting ticket as the visitor reads it now
        (:func:`ult.messages.wait_text`): closed and when service resumes while the counters
        do not serve, past closing when the call falls after it, else the minutes. The
        visitor's page and the reception page say it with this; the paper with the same
        parts (:class:`Issued`)."""
        closing = self.call_after_closing(minutes)
        closing_at = (
            closing.astimezone(self.settings.office.tz).strftime("%H.%M") if closing else None
        )
        return wait_text(minutes, closing=closing_at, closed=self.closed_wait())

    def closed_wait(self) -> str | None:
        """What the wait estimate says while the counters do not serve now (closed day,
        after closing, before opening, break), else None (:func:`ult.hours.closed_wait`)."""
        settings = self.settings
        return hours.closed_wait(settings.hours, settings.office.tz, self.clock())

    def call_after_closing(self, minutes: int) -> datetime | None:
        """Today's closing (aware, office zone) when a call ``minutes`` from now falls after
        it, else None (:func:`ult.hours.call_after_closing`)."""
        settings = self.settings
        return hours.call_after_closing(settings.hours, settings.office.tz, self.clock(), minutes)

    # ----------------------------------------------------------------- internals

    def _ticket_by_id(self, ticket_id: int | None) -> Ticket:
        found = next(self.db.query("SELECT * FROM tickets WHERE id = ?", (ticket_id,)), None)
        if found is None:
            raise not_found("ticket_unknown", ticket=ticket_id)
        return Ticket.from_row(found)

    def _by_idempotency_key(self, on: date, key: str) -> Ticket | None:
        found = next(
            self.db.query(
                "SELECT * FROM tickets WHERE day = ? AND idempotency_key = ?",
                (on.isoformat(), key),
            ),
            None,
        )
        return Ticket.from_row(found) if found else None

    def _find(self, ticket: TicketRef) -> Ticket:
        """A ticket by id (``int``), or by label of the business day, else by id in text."""
        if isinstance(ticket, int) and not isinstance(ticket, bool) and cleaning.is_row_id(ticket):
            return self._ticket_by_id(ticket)
        if not isinstance(ticket, str):
            raise not_found("ticket_unknown", ticket=shown(ticket))
        text = ticket.strip()
        found = next(
            self.db.query(
                "SELECT * FROM tickets WHERE day = ? AND label = ? COLLATE NOCASE "
                "ORDER BY id DESC LIMIT 1",
                (self.today().isoformat(), text),
            ),
            None,
        )
        if found is not None:
            return Ticket.from_row(found)
        if (ticket_id := cleaning.row_id_in(text)) is not None:
            return self._ticket_by_id(ticket_id)
        raise not_found("ticket_unknown", ticket=shown(text))

    def _counter(self, counter: CounterRef, *, kind: str | None = None) -> Counter:
        services = (
            "(SELECT group_concat(service) FROM (SELECT service FROM counter_services "
            "WHERE counter_id = c.id ORDER BY service)) AS services"
        )
        if (
            isinstance(counter, int)
            and not isinstance(counter, bool)
            and cleaning.is_row_id(counter)
        ):
            found = next(
                self.db.query(f"SELECT c.*, {services} FROM counters c WHERE id = ?", (counter,)),
                None,
            )
        elif isinstance(counter, str):
            text = counter.strip()
            # A name wins over an id (a counter may be named "1"), an active row over a
            # retired one of the same name.
            found = next(
                self.db.query(
                    f"SELECT c.*, {services} FROM counters c WHERE name = ? COLLATE NOCASE "
                    "ORDER BY active DESC, id LIMIT 1",
                    (text,),
                ),
                None,
            )
            if found is None and (counter_id := cleaning.row_id_in(text)) is not None:
                found = next(
                    self.db.query(
                        f"SELECT c.*, {services} FROM counters c WHERE id = ?", (counter_id,)
                    ),
                    None,
                )
        else:
            found = None
        if found is None:
            raise not_found("counter_unknown", counter=shown(counter))
        resolved = Counter(
            found["id"],
            found["name"],
            found["kind"],
            bool(found["active"]),
            bool(found["paused"]),
            tuple(found["services"].split(",")) if found["services"] else (),
        )
        if kind == FRONT_OFFICE and resolved.kind != FRONT_OFFICE:
            raise conflict("counter_not_front_office", counter=resolved.name)
        if kind == BACK_OFFICE and resolved.kind != BACK_OFFICE:
            raise conflict("counter_not_back_office", counter=resolved.name)
        return resolved

    def _ready_front_office(self, counter: CounterRef) -> Counter:
        caller = self._counter(counter, kind=FRONT_OFFICE)
        if not caller.active:
            raise conflict("counter_inactive", counter=caller.name)
        if caller.paused:
            raise conflict("counter_paused", counter=caller.name)
        self._require_free(caller)
        return caller

    def _require_free(self, free: Counter) -> None:
        held = next(
            self.db.query("SELECT label FROM tickets WHERE counter_id = ?", (free.id,)), None
        )
        if held is not None:
            raise conflict("counter_busy", counter=free.name, label=held["label"])

    def _require_service(self, letter: str) -> None:
        found = next(self.db.query("SELECT active FROM services WHERE letter = ?", (letter,)), None)
        if found is None:
            raise invalid("service_unknown", service=shown(letter))
        if not found["active"]:
            raise conflict("service_inactive", service=letter)

    def _topic_named(self, letter: str, topic: str) -> str | None:
        """The active topic of service ``letter`` named ``topic`` (without regard to case),
        as configured; None when the service has no such topic."""
        found = self.db.execute(
            "SELECT name FROM topics WHERE service = ? AND name = ? COLLATE NOCASE AND active = 1",
            (letter, topic),
        ).fetchone()
        return None if found is None else found[0]

    def _require_topic(self, letter: str, topic: str) -> str:
        """The topic's name as configured (matched without regard to case)."""
        found = self._topic_named(letter, topic)
        if found is None:
            known = [
                r["name"]
                for r in self.db.query(
                    "SELECT name FROM topics WHERE service = ? AND active = 1 ORDER BY id",
                    (letter,),
                )
            ]
            raise invalid(
                "topic_unknown", topic=shown(topic), service=letter, topics=", ".join(known) or "-"
            )
        return found

    def _require_state(self, ticket: Ticket, action: str) -> Ticket:
        if ticket.state not in sop.TRANSITIONS[action].sources:
            raise conflict(
                "wrong_state",
                label=ticket.label,
                state=STATES[ticket.state],
                action=ACTIONS[action],
            )
        return ticket

    def _at_counter(
        self, ticket: TicketRef, counter: CounterRef, action: str
    ) -> tuple[Counter, Ticket]:
        """The front-office counter and the ticket it holds, allowed to take ``action``."""
        holder = self._counter(counter, kind=FRONT_OFFICE)
        target = self._require_state(self._find(ticket), action)
        if target.counter_id != holder.id:
            raise conflict("not_at_counter", label=target.label, counter=holder.name)
        return holder, target

    def _main_unit(self, unit: int | str) -> dict[str, Any]:
        if isinstance(unit, int) and not isinstance(unit, bool) and cleaning.is_row_id(unit):
            text = str(unit)
        else:
            text = unit.strip() if isinstance(unit, str) else ""
        found = next(
            self.db.query(
                "SELECT id, name FROM main_units WHERE active = 1 AND (id = ? OR name = ? "
                "COLLATE NOCASE)",
                (cleaning.row_id_in(text), text),
            ),
            None,
        )
        if found is None:
            raise invalid("unit_unknown", unit=shown(unit))
        return found

    def _next_for(self, caller: Counter) -> int | None:
        """The id of the ticket ``caller`` calls next, or ``None`` when nothing waits for it.

        The head of each served service's line per priority, read through the waiting
        index in one statement: no sort of every waiting ticket, so the cost stays flat
        however long the queue grows.
        """
        if not caller.services:
            return None
        preferred = int(self._priority_turn(caller.id))
        head = (
            "SELECT * FROM (SELECT priority = ? AS preferred, queue_seq, id FROM tickets "
            "WHERE state = ? AND service = ? AND priority = ? ORDER BY queue_seq LIMIT 1)"
        )
        heads: list[str] = []
        params: list[Any] = []
        for service in caller.services:
            for priority in (0, 1):
                heads.append(head)
                params += [preferred, sop.WAITING, service, priority]
        found = self.db.execute(
            f"SELECT id FROM ({' UNION ALL '.join(heads)}) "
            "ORDER BY preferred DESC, queue_seq LIMIT 1",
            params,
        ).fetchone()
        return found[0] if found else None

    def _priority_turn(self, counter_id: int) -> bool:
        """Whether the counter's next call prefers a priority ticket (interleave rule)."""
        limit = self.settings.queue.priority_interleave
        if limit == 0:
            return True
        recent = self.db.execute(
            "SELECT t.priority FROM events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.counter_id = ? AND e.kind = ? ORDER BY e.id DESC LIMIT ?",
            (counter_id, EventKind.CALLED, limit),
        ).fetchall()
        return not (len(recent) == limit and all(r[0] for r in recent))

    def _claim(
        self, ticket_id: int, caller: Counter, now: datetime, actor: str, *, specific: bool
    ) -> Ticket:
        """Give a waiting ticket to ``caller`` (the caller checked both, under the lock)."""
        updated = self._returned(
            self.db.conn.execute(
                "UPDATE tickets SET state = ?, counter_id = ?, front_office_counter_id = ?, "
                "recalls = 0, called_at = ?, released_at = NULL WHERE id = ? RETURNING *",
                (sop.TRANSITIONS["call"].target, caller.id, caller.id, to_stamp(now), ticket_id),
            )
        )
        self._record(
            "call",
            now,
            actor,
            updated,
            caller.id,
            {"counter": caller.name, "priority": updated.priority, "specific": specific},
        )
        return updated

    def _counter_step(
        self,
        ticket: TicketRef,
        counter: CounterRef,
        actor: str,
        action: str,
        payload: dict[str, Any],
        *,
        release: bool = False,
        check: Callable[[Ticket], None] | None = None,
        **changes: Any,
    ) -> Ticket:
        """One step at the front-office counter holding the ticket; ``release`` frees it;
        ``check`` may refuse the ticket (raise ``QueueError``) inside the transaction."""
        now = self.clock()
        with self._write():
            holder, target = self._at_counter(ticket, counter, action)
            if check is not None:
                check(target)
            if release:
                changes["counter_id"] = None
            return self._apply(
                action,
                target,
                now,
                actor,
                holder.id,
                {"counter": holder.name, **payload},
                **changes,
            )

    def _apply(
        self,
        action: str,
        ticket: Ticket,
        now: datetime,
        actor: str,
        event_counter: int | None,
        payload: dict[str, Any],
        **changes: Any,
    ) -> Ticket:
        """Take ``action`` of :data:`ult.sop.TRANSITIONS` on ``ticket`` (its state already
        checked): move it to the transition's target state (or the ``state`` given in
        ``changes``: a direct disposition) with the other column ``changes`` (as
        :meth:`_set`) and append the transition's event, recorded at
        ``event_counter``. Inside the caller's transaction."""
        target = sop.TRANSITIONS[action].target
        if target is not None:
            changes.setdefault("state", target)
        updated = self._set(ticket, now, **changes)
        self._record(action, now, actor, updated, event_counter, payload)
        return updated

    def _record(
        self,
        action: str,
        now: datetime,
        actor: str,
        ticket: Ticket,
        counter_id: int | None,
        payload: dict[str, Any],
    ) -> int:
        """Append the event of ``action``: its kind and SOP step from the transition table."""
        transition = sop.TRANSITIONS[action]
        return self._event(
            now, transition.event, actor, ticket, counter_id, transition.step, payload
        )

    def _set(self, ticket: Ticket, now: datetime, **changes: Any) -> Ticket:
        """Update ticket columns; ``True`` for a ``*_at`` column means "now".

        ``queue_seq=None`` moves the ticket to the end of the line. Leaving a counter
        stamps ``released_at`` once (the counter time used for wait estimates).
        """
        stamp = to_stamp(now)
        assignments: list[str] = []
        values: list[Any] = []
        for column, value in changes.items():
            if column.endswith("_at") and value is True:
                value = stamp
            if column == "queue_seq" and value is None:
                assignments.append("queue_seq = (SELECT MAX(queue_seq) + 1 FROM tickets)")
                continue
            assignments.append(f"{column} = ?")
            values.append(value)
        if "counter_id" in changes and changes["counter_id"] is None and ticket.counter_id:
            assignments.append("released_at = COALESCE(released_at, ?)")
            values.append(stamp)
        if not assignments:  # an in-place step that records only its event (consult)
            return ticket
        return self._returned(
            self.db.execute(
                f"UPDATE tickets SET {', '.join(assignments)} WHERE id = ? RETURNING *",
                (*values, ticket.id),
            )
        )

    @staticmethod
    def _returned(cursor) -> Ticket:
        """The ticket row a ``RETURNING *`` statement produced."""
        names = [column[0] for column in cursor.description]
        return Ticket.from_row(dict(zip(names, cursor.fetchone(), strict=True)))

    def _event(
        self,
        now: datetime,
        kind: EventKind,
        actor: str,
        ticket: Ticket | None,
        counter_id: int | None,
        step: int | None,
        payload: dict[str, Any],
    ) -> int:
        """Append one event. Ticket events carry label, service and state: enough for the
        board, and never personal data (free text stays on the ticket).

        Raises ``QueueError`` (``actor_invalid``) for an empty, multi-line or over-long
        actor; the caller's transaction then rolls back, so nothing is recorded half.
        """
        clean_actor = cleaning.actor(actor)
        if ticket is not None:
            payload = {
                "label": ticket.label,
                "service": ticket.service,
                "state": ticket.state,
                **payload,
            }
        event_id = eventlog.append(
            self.db,
            at=now,
            kind=kind,
            actor=clean_actor,
            payload=payload,
            ticket_id=ticket.id if ticket else None,
            counter_id=counter_id,
            sop_step=step,
        )
        if ticket is not None:  # the step this event closes, in the same transaction
            record.record_closing(self.db, event_id, kind, ticket.id, ticket.day.isoformat())
        return event_id

    def _set_paused(self, counter: CounterRef, actor: str, *, paused: bool) -> Counter:
        now = self.clock()
        with self._write():
            paused_counter = self._counter(counter, kind=FRONT_OFFICE)
            if paused_counter.paused == paused:
                code = "counter_already_paused" if paused else "counter_not_paused"
                raise conflict(code, counter=paused_counter.name)
            self.db.execute(
                "UPDATE counters SET paused = ? WHERE id = ?", (int(paused), paused_counter.id)
            )
            self._event(
                now,
                EventKind.COUNTER_PAUSED if paused else EventKind.COUNTER_RESUMED,
                actor,
                None,
                paused_counter.id,
                None,
                {"counter": paused_counter.name},
            )
            return self._counter(paused_counter.id)

    def _estimate(self, ticket: Ticket) -> tuple[int, int]:
        """``(waiting_ahead, estimated_wait_minutes)`` for a ticket; ``(0, 0)`` unless waiting."""
        if ticket.state != sop.WAITING:
            return 0, 0
        return estimate.wait(
            self.db,
            service=ticket.service,
            priority=ticket.priority,
            queue_seq=ticket.queue_seq,
            default_service_minutes=self.settings.queue.default_service_minutes,
        )


def _priority_category(value: Any) -> str | None:
    """A priority category code (``sop.PRIORITY_CATEGORIES``), or ``None`` for none given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or value.strip() not in sop.PRIORITY_CATEGORIES:
        choices = ", ".join(f"{c} ({PRIORITY_CATEGORIES[c]})" for c in sop.PRIORITY_CATEGORIES)
        raise invalid("priority_category_invalid", choices=choices)
    return value.strip()


def _number(nik: Any, document_kind: Any, document_number: Any) -> Any:
    """The document number typed: ``document_number``, or ``nik`` (the KTP's, the one
    field of callers from before document kinds). Both at once is refused."""
    if nik is not None and document_number is not None:
        raise invalid("document_number_twice")
    if nik is not None and document_kind != "ktp":
        raise invalid("document_number_twice")
    return document_number if document_number is not None else nik


__all__ = [
    "ANSWER_KINDS",
    "EXPLANATION_MODES",
    "LETTER_TYPES",
    "OUTCOMES",
    "SOURCES",
    "Counter",
    "Identified",
    "Issued",
    "Queue",
    "QueueError",
    "Ticket",
]
