"""Speak the calls one after another: a queue drained by a single worker thread.

The board's main loop must never wait for audio, and two announcements must never overlap,
so :class:`Announcer` queues ``(label, counter)`` and one thread makes each WAV and plays it
to the end before taking the next: a burst of calls is spoken in the order it came. An
event id already announced is not spoken again (a feed that reconnects must not make the
room hear a call twice).

:class:`MixerPlayer` is the default way to play: pygame's mixer. With no sound device (the
TV is off, or has no audio) the board keeps running silent, says so in the log once per
outage, and tries to open the device again every ``retry_s`` seconds.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

REMEMBERED_IDS = 1000
"""How many announced event ids are kept for dedupe (a day of calls fits many times)."""


class MixerPlayer:
    """Play a WAV through pygame's mixer and return when it has finished.

    ``devicename`` picks the ALSA device (None: SDL's default). The mixer is opened on first
    use; when it cannot open, the call returns at once (silence), the failure is logged
    once, and opening is tried again after ``retry_s`` seconds (``clock``: monotonic
    seconds). A device lost while playing is closed and retried the same way.
    """

    def __init__(
        self,
        *,
        devicename: str | None = None,
        frequency_hz: int | None = None,
        channels: int | None = None,
        retry_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        poll_s: float = 0.02,
    ) -> None:
        self.devicename = devicename
        self.frequency_hz = frequency_hz
        self.channels = channels
        self.retry_s = retry_s
        self.poll_s = poll_s
        self._clock = clock
        self._retry_at = float("-inf")
        self._silent = False  # logged that there is no sound, until it comes back

    @property
    def silent(self) -> bool:
        """True while the mixer cannot open (announcements are skipped)."""
        return self._silent

    def _open(self) -> bool:
        import pygame  # here, so importing the module never needs pygame

        if pygame.mixer.get_init():
            return True
        if self._clock() < self._retry_at:
            return False
        try:
            # Open at the voice's own rate and channels when given, so SDL need not resample.
            options: dict[str, object] = {"devicename": self.devicename}
            if self.frequency_hz:
                options["frequency"] = self.frequency_hz
            if self.channels:
                options["channels"] = self.channels
            pygame.mixer.init(**options)
        except pygame.error as exc:
            self._lost(f"cannot open the sound device: {exc}")
            return False
        if self._silent:
            log.info("sound device open again; announcements are spoken")
            self._silent = False
        return True

    def _lost(self, why: str) -> None:
        import pygame

        if not self._silent:
            log.warning("%s; the board runs silent and retries every %.0f s", why, self.retry_s)
            self._silent = True
        self._retry_at = self._clock() + self.retry_s
        if pygame.mixer.get_init():
            pygame.mixer.quit()

    def __call__(self, wav: bytes) -> None:
        """Play ``wav`` (a whole WAV file's bytes) and wait until it has been heard."""
        import pygame

        if not self._open():
            return
        try:
            sound = pygame.mixer.Sound(file=io.BytesIO(wav))
            channel = sound.play()
            # Bound the wait by the sound's length so a stuck device cannot hang the queue.
            deadline = time.monotonic() + sound.get_length() + 2.0
            while channel is not None and channel.get_busy() and time.monotonic() < deadline:
                time.sleep(self.poll_s)
        except pygame.error as exc:
            self._lost(f"sound device failed while playing: {exc}")


@dataclass(frozen=True)
class _Item:
    label: str
    counter: str
    come_back: bool = False


class Announcer:
    """Speak announcements in order, one at a time, on one worker thread.

    ``make_wav(label, counter)`` returns the announcement's WAV bytes (e.g. built with
    :func:`display.voice.announcement_wav`); ``play(wav)`` must return only when the sound
    has finished (default: a :class:`MixerPlayer`). A failure of either is logged and the
    next announcement goes on.
    """

    def __init__(
        self,
        *,
        make_wav: Callable[[str, str], bytes],
        play: Callable[[bytes], None] | None = None,
        remember: int = REMEMBERED_IDS,
    ) -> None:
        self._make_wav = make_wav
        self._play = play if play is not None else MixerPlayer()
        self._remember = remember
        self._announced: OrderedDict[int, None] = OrderedDict()
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def announce(
        self, label: str, counter: str, *, event_id: int | None = None, come_back: bool = False
    ) -> bool:
        """Queue one announcement; returns False when ``event_id`` was already announced
        (or the announcer is stopped), True when it will be spoken. ``come_back``: a returned
        case's visitor called back ("silakan kembali ke"); ``make_wav`` then gets
        ``come_back=True``."""
        with self._lock:
            if self._stopped:
                return False
            if event_id is not None:
                if event_id in self._announced:
                    return False
                self._announced[event_id] = None
                while len(self._announced) > self._remember:
                    self._announced.popitem(last=False)
            self._queue.put(_Item(label, counter, come_back))
        return True

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` seconds until everything queued has been spoken;
        True when it has."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            # unfinished_tasks counts queued items and the one being played.
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return self._queue.unfinished_tasks == 0

    def stop(self, timeout_s: float = 5.0) -> None:
        """Drop what is still queued, let the announcement being spoken finish (up to
        ``timeout_s`` seconds) and end the worker."""
        with self._lock:
            self._stopped = True
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                self._queue.task_done()
            self._queue.put(None)
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._speak(item)
            finally:
                self._queue.task_done()

    def _speak(self, item: _Item) -> None:
        try:
            # Only a call-back names the phrase: a plain call keeps make_wav(label, counter).
            extra = {"come_back": True} if item.come_back else {}
            wav = self._make_wav(item.label, item.counter, **extra)
        except Exception as exc:
            # A missing voice clip must not silence every later call. It is an office's
            # setup to fix, not a bug: one line, the traceback only when debugging.
            log.warning(
                "cannot make the announcement for %s at %s: %s",
                item.label,
                item.counter,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            return
        try:
            self._play(wav)
        except Exception:
            log.exception("cannot play the announcement for %s at %s", item.label, item.counter)
