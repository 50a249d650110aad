"""Which calls a board shows: the rule both boards (TV and browser) follow.

Pure functions of a board state (:func:`display.snapshot.board_view_state`), with no
pygame, so the browser board's server side and the TV share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
