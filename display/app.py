"""The live caller board: a feed of events, the board state, the view, the voice.

:class:`BoardLoop` joins the parts the other modules build: it waits on a feed
(:class:`display.feed.LocalFeed` or :class:`display.feed.RemoteFeed`) until an event comes or the
next repaint is due, reads the board state again after events, hands calls to the
:class:`display.announcer.Announcer` and pushes only the changed rectangles to the screen. There
is no busy loop: with nothing moving it wakes once a second for the clock; while the attention
blink or the running text moves it wakes :data:`ANIMATION_FPS` times a second.

The state comes from a :class:`StateSource`: the appliance database (:class:`LocalState`) or the
admin app's ``GET /api/v1/board`` (:class:`RemoteState`). Until the first state is read the
board shows the offline mark and no feed is opened, so a board that starts before its database
or hub never reads out the day's old calls.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import pygame

from display.board import BoardView
from display.calls import SpokenMark, recent_enough
from display.feed import SNAPSHOT, Backoff, Feed, FeedEvent
from ult.clock import from_stamp
from ult.kinds import EventKind
from ult.notify import Notifier
from ult.settings import Settings

log = logging.getLogger(__name__)

ANIMATION_FPS = 30
"""Repaints per second while something moves (blink, running text)."""
CONNECT_GRACE_S = 3.0
"""Seconds a new feed may take to connect before the board shows itself offline."""
BOARD_PATH = "/api/v1/board"
"""The admin app's board state, relative to the hub URL."""


class StateUnavailable(Exception):
    """The board state cannot be read right now (database or hub unreachable)."""


class StateSource(Protocol):
    """Where the board state comes from (see :func:`display.snapshot.board_view_state`)."""

    def state(self) -> dict[str, Any]:
        """The current board state; raises :class:`StateUnavailable` when it cannot be read."""
        ...

    def close(self) -> None:
        """Release the source."""
        ...


class LocalState:
    """The board state of the appliance database at ``db_path``, never created nor
    migrated (the kiosk and admin processes own the schema).

    Each read opens the file afresh: reads are rare (after events), and a handle kept
    open would go on showing a database that a restore has since replaced.

    ``settings`` (with ``now``, the wall clock as an aware ``datetime``) give the state its
    closed notice (service hours), as the admin app's ``GET /api/v1/board`` does.
    """

    def __init__(
        self,
        db_path: Path,
        *,
        settings: Settings | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.settings = settings
        self._now = now

    def state(self) -> dict[str, Any]:
        from display.snapshot import board_view_state
        from ult.store import StoreUnavailable, connect

        try:
            db = connect(self.db_path, create=False, migrate_schema=False)
        except StoreUnavailable as exc:
            raise StateUnavailable(f"{self.db_path}: {type(exc).__name__} {exc}") from exc
        try:
            now = self._now() if self._now is not None else None
            return board_view_state(db, self.settings, now)
        except sqlite3.Error as exc:
            raise StateUnavailable(f"{self.db_path}: {type(exc).__name__} {exc}") from exc
        finally:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def close(self) -> None:
        """Nothing to release: each read opens and closes its own connection."""


class RemoteState:
    """The board state from the admin app: ``GET {base_url}/api/v1/board`` (JSON, no login).

    The document has the keys of :func:`ult.queries.board_state` plus ``service_names``.
    ``timeout_s`` is short because the read happens in the board's loop: a hub that
    accepts and never answers must not stop the clock for long.
    """

    def __init__(self, base_url: str, *, timeout_s: float = 1.5) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"hub URL must be http(s)://host[:port][/path], not {base_url!r}")
        self.url = base_url.rstrip("/") + BOARD_PATH
        self.timeout_s = timeout_s

    def state(self) -> dict[str, Any]:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                data = json.loads(response.read())
        except (OSError, urllib.error.URLError, ValueError) as exc:
            raise StateUnavailable(f"{self.url}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("last_event_id"), int):
            raise StateUnavailable(f"{self.url}: not a board document")
        return data

    def close(self) -> None:
        """Nothing to release: each read is one request."""


class Screen:
    """Where frames go: a pygame display surface, turned a quarter for a portrait TV.

    ``surface`` is the display surface (its size is the screen's); with ``portrait`` the
    board is drawn at the swapped size and each changed rectangle is turned 90 degrees
    counter-clockwise on its way to the screen, so only what changed is copied.
    """

    def __init__(self, surface: pygame.Surface, *, portrait: bool = False) -> None:
        self.surface = surface
        self.portrait = portrait and surface.get_width() > surface.get_height()

    @property
    def board_size(self) -> tuple[int, int]:
        """The size (pixels) the board is drawn at."""
        width, height = self.surface.get_size()
        return (height, width) if self.portrait else (width, height)

    def show(self, board: pygame.Surface, dirty: list[pygame.Rect]) -> list[pygame.Rect]:
        """Copy the ``dirty`` rectangles of ``board`` to the screen and flip them; return the
        screen rectangles that changed."""
        shown = []
        for rect in dirty:
            if self.portrait:
                piece = pygame.transform.rotate(board.subsurface(rect), 90)
                # (x, y) of the board lands at (y, board width - x) on the screen.
                place = pygame.Rect(rect.y, board.get_width() - rect.right, rect.h, rect.w)
                self.surface.blit(piece, place)
            else:
                place = rect
                self.surface.blit(board, place, rect)
            shown.append(place)
        if shown:
            pygame.display.update(shown)
        return shown


class BoardLoop:
    """The board's main loop.

    Args:
        view: the board drawn off-screen.
        screen: where frames go.
        source: the board state.
        make_feed: ``make_feed(after_id)`` opens the event feed resuming after that id; called
            once the first state is read, with its ``last_event_id``.
        announce: ``announce(label, counter, event_id)`` (and ``come_back=True`` for a
            call-back) for each call, recall and call-back at most
            :data:`display.calls.ANNOUNCE_MAX_AGE_SECONDS` old, including those the first
            state holds (e.g. :meth:`display.announcer.Announcer.announce`), or None for a
            silent board.
        now: the wall clock, an aware UTC ``datetime``.
        on_frame: ``on_frame(surface, clock_only)`` after each frame that changed something
            (e.g. to keep a screenshot file up to date); ``clock_only`` is True when only
            the clock or date changed.
        notifier: systemd's notifications: ``READY=1`` once the first frame is on the
            screen, then ``WATCHDOG=1`` from every turn of this loop, so a board stuck in a
            read, a draw or the screen is restarted (default: none).
    """

    def __init__(
        self,
        *,
        view: BoardView,
        screen: Screen,
        source: StateSource,
        make_feed: Callable[[int], Feed],
        announce: Callable[..., object] | None = None,
        now: Callable[[], datetime],
        on_frame: Callable[[pygame.Surface, bool], None] | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        notifier: Notifier | None = None,
    ) -> None:
        self.view = view
        self.screen = screen
        self.source = source
        self.feed: Feed | None = None
        self.state: Mapping[str, Any] = {}
        self.stopped = threading.Event()
        self.frames = 0
        """Frames that changed the screen so far."""
        self._make_feed = make_feed
        self._announce = announce
        self._now = now
        self._on_frame = on_frame
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._notifier = notifier or Notifier({})
        self._state_ok = False
        self._warned = False
        self._feed_started = float("-inf")
        self._notice_until: datetime | None = None
        self._spoken = SpokenMark()
        self._resync = False
        """A snapshot came while the state could not be read: speak from the next state."""
        """The newest call this board spoke or showed: a reconnect speaks only later ones."""

    # -- state

    def _refresh(self) -> None:
        """Read the state again; on failure keep the last one and mark the board offline."""
        try:
            self.state = self.source.state()
            self._notice_until = _moment(self.state.get("closed_notice_until"))
        except StateUnavailable as exc:
            if self._state_ok or not self._warned:
                log.warning("board state unavailable: %s", exc)
                self._warned = True
            self._state_ok = False
            return
        if not self._state_ok and self._warned:
            log.info("board state readable again")
        self._state_ok = True
        self._warned = False

    def _start_feed(self) -> None:
        """Open the feed after the first state, resuming after that state's newest event."""
        self._refresh()
        if self._state_ok:
            self.feed = self._make_feed(int(self.state.get("last_event_id") or 0))
            self._feed_started = time.monotonic()
            self._backoff.reset()
            # A call made while the board was starting (or restarting) is still spoken when
            # recent; the feed starts after it, so nothing is said twice.
            self._speak_state()
        else:
            self._sleep_or_stop(self._backoff.next())

    @property
    def offline(self) -> bool:
        """True while the feed or the state cannot be read (the board shows a discreet mark).

        A feed still connecting for its first :data:`CONNECT_GRACE_S` seconds counts as
        online: the state was just read, and a mark flashing at every start alarms no one
        usefully."""
        if self.feed is None or not self._state_ok:
            return True
        connecting = time.monotonic() - self._feed_started < CONNECT_GRACE_S
        return not self.feed.connected and not connecting

    # -- one turn

    def _timeout(self) -> float:
        """Seconds to wait for events before the next repaint is due."""
        if self.view.animating:
            return 1 / ANIMATION_FPS
        now = self._now()
        fraction = now.timestamp() % 1
        return max(0.01, math.nextafter(1.0 - fraction, 2.0))

    def _speak_state(self) -> None:
        """Speak the recent calls of the state made after the last one this board spoke or
        showed (:meth:`display.calls.SpokenMark.take`): at start, and after the source
        started over (a stream resumed with a snapshot, a replaced database)."""
        calls = self._spoken.take(self.state, self._now())
        if self._announce is None:
            return
        for call in calls:
            extra = {"come_back": True} if call.get("call_back") else {}
            self._announce(call["label"], call["counter"], event_id=call["event_id"], **extra)

    def _take(self, events: list[FeedEvent]) -> None:
        if not events:
            return
        self._refresh()
        now = self._now()
        for event in events:
            if event.kind == SNAPSHOT:
                # The source started over: what it missed is in the state just read.
                self._resync = True
                continue
            if not event.is_call or event.id <= self._spoken.event_id:
                continue  # not a call, or one already spoken from a state read
            self._spoken.see(event.id, event.at)
            # A call replayed long after it was made (a feed back after an outage) is shown
            # but not spoken: the browser board's rule (display.calls).
            if self._announce is None or not recent_enough(event.at, now):
                continue
            label, counter = event.payload.get("label"), event.payload.get("counter")
            if isinstance(label, str) and isinstance(counter, str):
                # A returned case's visitor called back: "silakan kembali ke" (issue 14).
                extra = {"come_back": True} if event.kind == EventKind.CALLED_BACK else {}
                self._announce(label, counter, event_id=event.id, **extra)

    def step(self) -> list[pygame.Rect]:
        """Wait for events or the next repaint, draw what changed; return the screen
        rectangles updated."""
        if self.feed is None:
            self._start_feed()
        else:
            self._take(self.feed.poll(self._timeout()))
            if not self._state_ok or self._notice_due():
                self._refresh()
            if self._resync and self._state_ok:
                self._resync = False
                self._speak_state()
        self._handle_input()
        dirty = self.view.update(
            self.state,
            now=self._now(),
            offline=self.offline,
            running_text=str(self.state.get("running_text") or ""),
        )
        return self._show(dirty)

    def _notice_due(self) -> bool:
        """True when the closed notice may have changed (service hours: it follows the clock,
        not an event), so the state is read again at that moment with no restart."""
        return self._notice_until is not None and self._now() >= self._notice_until

    def _show(self, dirty: list[pygame.Rect]) -> list[pygame.Rect]:
        shown = self.screen.show(self.view.surface, dirty)
        if shown:
            self.frames += 1
            if self._on_frame is not None:
                ticking = (self.view.regions["clock"], self.view.regions["date"])
                self._on_frame(self.screen.surface, all(rect in ticking for rect in dirty))
        return shown

    def _handle_input(self) -> None:
        """A window's close button, or Escape / q on a keyboard, stops the board."""
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q)
            ):
                self.stopped.set()

    def _sleep_or_stop(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopped.is_set() and time.monotonic() < end:
            self._handle_input()
            self._sleep(min(0.2, max(0.0, end - time.monotonic())))
            # Keep the clock and the offline mark alive while the source is away.
            self._show(self.view.update(self.state, now=self._now(), offline=True))
            self._alive()

    def _alive(self) -> None:
        """A turn of the loop is done: the board is on the screen (ready) and not stuck."""
        self._notifier.ready("board on screen")
        self._notifier.ping()

    def run(self) -> None:
        """Run until :attr:`stopped` is set (by :meth:`stop`, a signal handler or the window)."""
        try:
            while not self.stopped.is_set():
                self.step()
                self._alive()
        finally:
            self._notifier.stopping()
            if self.feed is not None:
                self.feed.close()
            self.source.close()

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current turn (thread- and signal-safe)."""
        self.stopped.set()


def _moment(stamp: object) -> datetime | None:
    """A state's stamp as an aware ``datetime``, None when absent or unreadable (a hub of an
    older version sends none)."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = from_stamp(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def png_writer(
    path: Path, *, every_s: float = 1.0, clock_every_s: float = 15.0
) -> Callable[[pygame.Surface, bool], None]:
    """An ``on_frame`` that keeps ``path`` (PNG, written by atomic rename) a current
    picture of the board: at most once per ``every_s`` seconds after a change, and once per
    ``clock_every_s`` seconds when only the clock moved (encoding a full-screen PNG every
    second would cost more than the board itself). A write that fails (full disk, no
    permission) is logged once and retried at the next frame; the board goes on."""
    path = Path(path)
    last = [float("-inf")]
    failing = [False]

    def write(surface: pygame.Surface, clock_only: bool = False) -> None:
        since = time.monotonic() - last[0]
        if since < (clock_every_s if clock_only else every_s):
            return
        last[0] = time.monotonic()
        temporary = path.with_name(f".{path.stem}.tmp.png")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(surface, str(temporary))
            temporary.replace(path)
        except (OSError, pygame.error) as exc:
            if not failing[0]:
                log.warning("cannot write the board picture %s: %s", path, exc)
                failing[0] = True
            return
        if failing[0]:
            log.info("board picture %s written again", path)
            failing[0] = False

    return write
