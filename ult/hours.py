"""Service hours: whether tickets may be issued now, why not, and when issuing opens again.

The rules come from ``[hours]`` (:class:`ult.settings.HoursSettings`): opening hours per
weekday with an optional break (Friday prayers), public holidays, the last issue time, and a
daily quota per service. Everything here is a pure function of the settings and a moment,
except :func:`issued_today`, which counts the tickets themselves (PITFALLS: counts are derived
from the tickets, never kept in a second counter that can drift).

Issuing windows are half-open, in the office's local wall time: on a Friday with the
defaults, ``[08:00, 11:30)`` and ``[13:30, 16:00)`` (16:30 closing minus 30 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from babel.dates import format_date

from ult.messages import HOURS_TEXT, WAIT_TEXT
from ult.settings import HoursSettings, Settings

Reason = Literal[
    "open", "disabled", "before_opening", "break", "after_last_issue", "closed_day", "holiday"
]
"""Why issuing is open or closed at a moment (:attr:`IssuingState.reason`)."""

LOOKAHEAD_DAYS: Final = 400
"""How far :func:`issuing_state` looks for the next opening (a year of holidays and more)."""


@dataclass(frozen=True)
class IssuingState:
    """Whether the kiosk may issue a ticket at a moment.

    ``reason``: :data:`Reason`. ``opens_at``: when closed, the next moment issuing opens
    (aware, office zone), ``None`` when open or never within :data:`LOOKAHEAD_DAYS`.
    ``closes_at``: when open, the moment this window ends (a break or the last issue time;
    ``None`` when hours are disabled). ``holiday``: the holiday's name (``""`` if unnamed) when
    ``reason`` is ``"holiday"``. ``closing``: the end of service of the moment's local day
    (after the last issue time, when staff still serve), ``None`` on a closed day.
    """

    reason: Reason
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    holiday: str | None = None
    closing: datetime | None = None

    @property
    def open(self) -> bool:
        """True when a ticket may be issued now."""
        return self.reason in ("open", "disabled")


def windows(hours: HoursSettings, day: date) -> list[tuple[time, time]]:
    """The issuing windows ``[(start, end), ...]`` of local date ``day``, half-open, in order.

    Empty on a closed weekday or a holiday. The last window ends at the last issue time
    (``last_issue`` minutes before closing, or the configured time, never after closing); a
    break splits the day in two. A window that the last issue time leaves empty is dropped.
    """
    span = hours.days[day.weekday()]
    if span is None or holiday_of(hours, day) is not None:
        return []
    last = _last_issue(hours, span.start, span.end)
    pause = hours.breaks[day.weekday()]
    parts = (
        [(span.start, span.end)]
        if pause is None
        else [
            (span.start, pause.start),
            (pause.end, span.end),
        ]
    )
    return [(start, min(end, last)) for start, end in parts if start < min(end, last)]


def holiday_of(hours: HoursSettings, day: date) -> str | None:
    """The name (``""`` when unnamed) of the holiday on ``day``, or None."""
    for holiday in hours.holidays:
        if holiday.day == day:
            return holiday.name
    return None


def issuing_state(hours: HoursSettings, tz: ZoneInfo, now: datetime) -> IssuingState:
    """Whether issuing is open at ``now`` (aware), and if not, why and when it opens next.

    The day and the times are the office's local ones (``tz``); the business day's
    ``day_reset`` plays no part, since opening hours never contain it (settings check).
    """
    local = now.astimezone(tz)
    today = local.date()
    span = hours.days[today.weekday()]
    closing = None
    if span is not None and holiday_of(hours, today) is None:
        closing = datetime.combine(today, span.end, tz)
    if not hours.enabled:
        return IssuingState("disabled", closing=closing)
    clock = local.time().replace(tzinfo=None)
    today_windows = windows(hours, today)
    for start, end in today_windows:
        if start <= clock < end:
            return IssuingState("open", closes_at=datetime.combine(today, end, tz), closing=closing)
    opens_at = _next_opening(hours, tz, today, clock)
    holiday = holiday_of(hours, today)
    reason: Reason
    if holiday is not None:
        reason = "holiday"
    elif span is None or not today_windows:
        reason = "closed_day"
    elif clock < today_windows[0][0]:
        reason = "before_opening"
    elif clock < today_windows[-1][0]:
        reason = "break"
    else:
        reason = "after_last_issue"
    return IssuingState(reason, opens_at=opens_at, holiday=holiday, closing=closing)


def notice(state: IssuingState, now: datetime) -> str | None:
    """What the kiosk's console and the board say while issuing is closed (Indonesian), or
    None when it is open. Today's reopening is said by time only ("pukul 13.30"), a later
    day's with the date."""
    if state.open:
        return None
    when = _when(state.opens_at, now)
    if state.reason == "break":
        return HOURS_TEXT["reopens"].format(when=when)
    if state.reason == "before_opening":
        return HOURS_TEXT["opens"].format(when=when)
    closed = HOURS_TEXT["closed_today"]
    if state.reason == "holiday" and state.holiday:
        closed = HOURS_TEXT["holiday"].format(name=state.holiday)
    if state.opens_at is None:
        return closed
    return closed + " " + HOURS_TEXT["next"].format(when=when)


def closed_notice(settings: Settings, now: datetime) -> str | None:
    """What the boards (TV and browser) show while issuing is closed, or None when open.

    The boards compute it from the settings with their own clock rather than follow an event:
    the hours are a pure function of the settings and the time, an event would need a process
    awake at 11:30 sharp to write it (and a kiosk that is off would leave the boards wrong),
    and a board restarted mid-break knows at once. The quota is per service and left to the
    kiosk and the reception.
    """
    return notice(issuing_state(settings.hours, settings.office.tz, now), now)


def board_notice(settings: Settings, now: datetime) -> tuple[str | None, datetime | None]:
    """``(notice, changes_at)`` for the boards: :func:`closed_notice` at ``now`` and the next
    moment it may change (aware, office zone), or None when it never will (hours off, or
    closed with no opening ahead). The next change is the next opening while closed, the
    window's end while open, and never later than the next local midnight (the notice names
    a later day by its date, today's by its time only). A board re-reads its state then, so
    the notice appears and goes at the right minute with no event and no restart."""
    hours, tz = settings.hours, settings.office.tz
    state = issuing_state(hours, tz, now)
    text = notice(state, now)
    changes_at = state.opens_at if text is not None else state.closes_at
    if changes_at is not None:
        local = now.astimezone(tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tz)
        changes_at = min(changes_at, midnight)
    return text, changes_at


def issued_today(db: sqlite_utils.Database, service: str, day: date) -> int:
    """How many tickets of ``service`` (a letter) were issued on business day ``day``,
    whatever became of them: the quota limits numbers given out, and a cancelled number
    was still given out."""
    return db.execute(
        "SELECT COUNT(*) FROM tickets WHERE issued_service = ? AND day = ?",
        (service, day.isoformat()),
    ).fetchone()[0]


def quota_reached(
    db: sqlite_utils.Database, hours: HoursSettings, service: str, day: date
) -> int | None:
    """The quota of ``service`` when today's tickets have reached it, else None (no quota, or
    room left). A limit of its own, applied whether or not the hours are enforced
    (``[hours] enabled = false`` lifts the opening hours, not the quota)."""
    limit = hours.quota_of(service)
    if limit is None:
        return None
    return limit if issued_today(db, service, day) >= limit else None


def call_after_closing(
    hours: HoursSettings, tz: ZoneInfo, now: datetime, minutes: int
) -> datetime | None:
    """Today's closing (end of service, aware, office zone) when a call estimated ``minutes``
    from ``now`` falls after it, else None: the visitor is then told so rather than given a
    number of minutes that ends after the counters close. None on a closed day (a ticket
    issued by override) and when hours are off."""
    if not hours.enabled:
        return None
    closing = issuing_state(hours, tz, now).closing
    if closing is None or now + timedelta(minutes=minutes) <= closing:
        return None
    return closing


def closed_wait(hours: HoursSettings, tz: ZoneInfo, now: datetime) -> str | None:
    """What the wait estimate says instead of minutes while the counters do not serve at
    ``now`` (a ticket issued by override, or one still waiting then), or None while they do
    and when the hours are off: a closed day or a holiday, after today's closing ("layanan
    hari ini sudah tutup; dilayani kembali Senin, ... pukul 08.00"), before opening
    ("layanan belum dibuka; dilayani mulai pukul 08.00"), the break (Friday prayers). A
    minutes estimate then would count from a moment nobody is at the counters.

    Between the last issue time and closing the counters still serve: None (the estimate
    and :func:`call_after_closing` apply)."""
    if not hours.enabled:
        return None
    state = issuing_state(hours, tz, now)
    if state.open:
        return None
    when = _when(state.opens_at, now)
    if state.reason == "after_last_issue":
        if state.closing is not None and now < state.closing:
            return None
        key = "closed_today"
    elif state.reason == "before_opening":
        key = "not_open_yet"
    elif state.reason == "break":
        key = "in_break"
    else:
        key = "closed_today"
    if state.opens_at is None:
        return WAIT_TEXT["closed"]
    return WAIT_TEXT[key].format(when=when)


def _last_issue(hours: HoursSettings, start: time, end: time) -> time:
    if isinstance(hours.last_issue, time):
        return min(hours.last_issue, end)
    minutes = end.hour * 60 + end.minute - hours.last_issue
    return time(*divmod(max(minutes, 0), 60))


def _next_opening(hours: HoursSettings, tz: ZoneInfo, today: date, clock: time) -> datetime | None:
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        for start, _end in windows(hours, day):
            if offset > 0 or start > clock:
                return datetime.combine(day, start, tz)
    return None


def _when(opens_at: datetime | None, now: datetime) -> str:
    if opens_at is None:
        return ""
    at = HOURS_TEXT["at"].format(time=opens_at.strftime("%H.%M"))
    if opens_at.date() == now.astimezone(opens_at.tzinfo).date():
        return at
    day = format_date(opens_at.date(), "EEEE, d MMMM y", locale="id")
    return f"{day} {at}"
