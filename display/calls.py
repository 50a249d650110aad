"""Which calls a board shows: the rule both boards (TV and browser) follow.

Pure functions of a board state (:func:`display.snapshot.board_view_state`), with no
pygame, so the browser board's server side and the TV share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ult.clock import from_stamp
from ult.kinds import PRINTER_FAULTS

ANNOUNCE_MAX_AGE_SECONDS = 60
"""A call older than this when a board learns of it (a board that started or reconnected
after it was made) is shown but not spoken: a visitor would go to a counter that called long
ago. Younger ones are spoken, so a call made while a board restarts is still heard. Both
boards (the TV's :class:`display.app.BoardLoop` and the browser's ``board.js``) use it."""


def current_call(state: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The call the main panel shows: the newest call while its visitor is still called
    there (``current``), else None. Once the visitor is served, finished, marked absent or
    sent to another line the panel steps back: a number left standing would send the next
    visitor to a counter that is busy with someone else. A call without ``current`` (a hub
    of an older version) counts as current, as it did there."""
    calls = state.get("last_calls") or []
    if calls and calls[0].get("current", True):
        return calls[0]
    return None


def earlier_calls(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The "last calls" list, newest first: each ticket once (its newest call: a recall or a
    call after a transfer would repeat it), and not the ticket the main panel shows."""
    calls = state.get("last_calls") or []
    shown = current_call(state)
    seen = {shown.get("label")} if shown is not None else set()
    earlier = []
    for call in calls:
        if call.get("label") in seen:
            continue
        seen.add(call.get("label"))
        earlier.append(call)
    return earlier


def recent_enough(at: datetime | str | None, now: datetime) -> bool:
    """Whether a call made at ``at`` (aware ``datetime`` or stored UTC text; None: unknown,
    taken as recent) is still to be spoken at ``now``: at most
    :data:`ANNOUNCE_MAX_AGE_SECONDS` old. A call stamped in the future (a clock stepped back)
    is recent."""
    if at is None:
        return True
    if isinstance(at, str):
        try:
            at = from_stamp(at)
        except ValueError:
            return True
    return (now - at).total_seconds() <= ANNOUNCE_MAX_AGE_SECONDS


def calls_to_speak(state: Mapping[str, Any], now: datetime) -> list[Mapping[str, Any]]:
    """The calls a board that has just started speaks at once, oldest first: those made
    within :data:`ANNOUNCE_MAX_AGE_SECONDS` before ``now`` whose visitor is still called
    there (``current``), each ticket once (its newest call). A board restarted in the middle
    of a call then still says it; a visitor already at the counter is not called again."""
    spoken: list[Mapping[str, Any]] = []
    seen: set[Any] = set()
    for call in state.get("last_calls") or []:
        if call.get("label") in seen:
            continue
        seen.add(call.get("label"))
        if call.get("current", True) and recent_enough(call.get("at"), now):
            spoken.append(call)
    return spoken[::-1]


class SpokenMark:
    """Where a board stands in the calls: the newest call it spoke or showed (its event id
    and time). A board that reconnects (a new state, a replayed stream, a snapshot, a
    replaced database) speaks only the calls made after it (:meth:`take`), so a call
    made while the board or its server restarted is heard, and no call twice."""

    def __init__(self) -> None:
        self.event_id = 0
        self.at: datetime | None = None

    def see(self, event_id: int | None, at: datetime | str | None) -> None:
        """Note a call the board has handled (spoken, or shown without sound)."""
        if event_id is not None and event_id > self.event_id:
            self.event_id = event_id
        moment = _moment(at)
        if moment is not None and (self.at is None or moment > self.at):
            self.at = moment

    def see_all(self, state: Mapping[str, Any]) -> None:
        """Note every call ``state`` lists (its own newest event too): they are on screen."""
        for call in state.get("last_calls") or []:
            self.see(call.get("event_id"), call.get("at"))

    def take(self, state: Mapping[str, Any], now: datetime) -> list[Mapping[str, Any]]:
        """The calls of ``state`` to speak now, oldest first: :func:`calls_to_speak`, only
        those made after this mark; then the mark moves past every call ``state`` lists.

        Event ids tell which are new; when ``state``'s newest id is below the mark's (another
        database: restored or replaced) the ids mean nothing here, the call's time does, and
        the mark starts over in the new file's ids."""
        went_back = int(state.get("last_event_id") or 0) < self.event_id
        fresh = []
        for call in calls_to_speak(state, now):
            if went_back:
                moment = _moment(call.get("at"))
                if self.at is not None and (moment is None or moment <= self.at):
                    continue
            elif int(call.get("event_id") or 0) <= self.event_id:
                continue
            fresh.append(call)
        if went_back:
            self.event_id = 0
        self.see_all(state)
        return fresh


def _moment(at: datetime | str | None) -> datetime | None:
    if isinstance(at, str):
        try:
            return from_stamp(at)
        except ValueError:
            return None
    return at


def priority_shown(state: Mapping[str, Any]) -> bool:
    """Whether a priority mark is on the board: the main panel's call, a counter serving a
    priority visitor, or a listed call. The board then explains the mark in one line."""
    shown = current_call(state)
    if shown is not None and shown.get("priority"):
        return True
    if any(c.get("priority") and not c.get("paused") for c in state.get("counters") or []):
        return True
    return any(c.get("priority") for c in earlier_calls(state))


BAND_CLOSED = "closed"
BAND_FAULT = "fault"
BAND_LEGEND = "legend"


def band(state: Mapping[str, Any]) -> list[str]:
    """What the band under the call shows, top line first (both boards): :data:`BAND_CLOSED`
    while taking a number is closed (``closed_notice``, service hours), else
    :data:`BAND_FAULT` while the ticket printer cannot print (it sends visitors to the
    reception; while closed the kiosk issues nothing anyway); then :data:`BAND_LEGEND` while
    a priority mark is on the board (:func:`priority_shown`, UU 25/2009 Pasal 29), on a line
    of its own under a notice, so a "(P)" on screen is always explained."""
    lines = []
    if state.get("closed_notice"):
        lines.append(BAND_CLOSED)
    elif state.get("printer") in PRINTER_FAULTS:
        lines.append(BAND_FAULT)
    if priority_shown(state):
        lines.append(BAND_LEGEND)
    return lines
