"""``ult display``: put the board together from the settings and run it until stopped.

Kept apart from :mod:`display.app` so the loop can be tested with fakes while this module
does the wiring a real appliance needs: the SDL drivers, the window or full screen, the voice
pack (built on first start when espeak-ng is present), the sound device and the signals.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ult.notify import Notifier
from ult.settings import Settings

log = logging.getLogger(__name__)


PACK_WAIT_S = 120.0
"""How long (seconds) an announcement waits for the voice pack's first build."""


class DisplayError(RuntimeError):
    """The board cannot start (no video driver, no screen); the message says why."""


def voice_packs(home: Path) -> tuple[Path, Path]:
    """``(pack, default_pack)`` under ``home``/voice: the office's own recordings in
    ``custom`` when that folder exists, else the default pack."""
    default = home / "voice" / "default"
    custom = home / "voice" / "custom"
    return (custom if custom.is_dir() else default), default


def chime_file(pack: Path, default_pack: Path) -> Path | None:
    """The pack's own chime, else the default pack's, else None (the words alone)."""
    from display.voice import CHIME_FILE

    for folder in (pack, default_pack):
        if (folder / CHIME_FILE).is_file():
            return folder / CHIME_FILE
    return None


def wav_maker(
    home: Path, *, building: threading.Thread | None = None, times: int = 1
) -> Callable[..., bytes]:
    """``make_wav(label, counter, come_back=False)`` from the voice packs under ``home``:
    chime then words (``come_back``: "silakan kembali ke", a call-back), exactly what
    ``ult voice say`` writes, the words said ``times`` times (``[display]
    announce_times``; the chime once). With ``building`` (the thread of
    :func:`ensure_default_pack`), a call made while the pack is being built waits for it
    (up to :data:`PACK_WAIT_S` seconds) instead of failing."""
    from display.voice import (
        MissingWordError,
        announcement_wav,
        announcement_words,
        build_default_pack,
        espeak_available,
        word_file,
    )

    def make_wav(label: str, counter: str, *, come_back: bool = False) -> bytes:
        if building is not None and building.is_alive():
            building.join(timeout=PACK_WAIT_S)
        # Looked up per call: a pack built or replaced while the board runs is used at once.
        pack, default = voice_packs(home)
        words = announcement_words(label, counter, come_back=come_back)

        def assemble() -> bytes:
            chime = chime_file(pack, default)
            return announcement_wav(
                words, pack=pack, default_pack=default, chime=chime, times=times
            )

        try:
            return assemble()
        except MissingWordError:
            # A counter added or renamed since the pack was built (or a hub's counters,
            # never seen here): synthesise its new words once, then speak.
            if not espeak_available():
                raise
            missing = [w for w in words if not (default / word_file(w)).is_file()]
            log.info("adding %d word(s) to the voice pack: %s", len(missing), ", ".join(missing))
            build_default_pack(default, words=missing)
            return assemble()

    return make_wav


def ensure_default_pack(home: Path, counter_names: list[str]) -> threading.Thread | None:
    """Build the default voice pack in the background when it is missing.

    Returns the building thread, or None when the pack exists or espeak-ng/sox are absent
    (then calls are shown but not spoken, which is logged).
    """
    from display.voice import CHIME_FILE, build_default_pack, default_vocabulary, espeak_available

    _, default = voice_packs(home)
    if (default / CHIME_FILE).exists():
        return None
    if not espeak_available():
        log.warning(
            "no voice pack in %s and no espeak-ng/sox to build one: calls are not spoken", default
        )
        return None

    def build() -> None:
        try:
            written = build_default_pack(default, words=default_vocabulary(counter_names))
            log.info("voice pack built: %d clips in %s", len(written), default)
        except Exception:
            log.exception("cannot build the voice pack in %s", default)

    log.info("building the voice pack in %s (first start)", default)
    thread = threading.Thread(target=build, name="voice-build", daemon=True)
    thread.start()
    return thread


_NO_SCREEN = frozenset({"dummy", "offscreen"})
"""SDL video drivers that draw nowhere."""


def _open_screen(windowed: tuple[int, int] | None, headless_size: tuple[int, int] | None):
    import pygame

    try:
        pygame.display.init()
        driver = pygame.display.get_driver()
        if headless_size is None and driver in _NO_SCREEN and not os.environ.get("SDL_VIDEODRIVER"):
            # SDL fell back to a driver that shows nothing (no DRM device, no desktop): a
            # board nobody sees must not look like a running one.
            raise DisplayError(f"no screen found (SDL fell back to its {driver} driver)")
        if headless_size is not None:
            surface = pygame.display.set_mode(headless_size)
        elif windowed is not None:
            surface = pygame.display.set_mode(windowed)
            pygame.display.set_caption("ULT Kiosk")
        else:
            # (0, 0): the screen's own resolution; KMS/DRM on a Pi without X.
            surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
            pygame.mouse.set_visible(False)
    except pygame.error as exc:
        driver = os.environ.get("SDL_VIDEODRIVER", "default")
        raise DisplayError(f"cannot open the screen (SDL video driver {driver}): {exc}") from exc
    return surface


def run_display(
    settings: Settings,
    *,
    counter_names: list[str],
    hub: str | None = None,
    windowed: tuple[int, int] | None = None,
    follow_png: Path | None = None,
    size: tuple[int, int] = (1920, 1080),
    silent: bool = False,
) -> int:
    """Run the live board until a signal, the window's close button or Escape; return the
    number of frames drawn.

    ``hub`` reads the admin app's stream instead of the local database; ``windowed`` opens a
    window of that size (pixels) instead of full screen; ``follow_png`` runs without a
    screen (SDL dummy driver) at ``size`` and keeps that PNG current. Raises
    :class:`DisplayError` when no screen can be opened.
    """
    if follow_png is not None:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from display.announcer import Announcer, MixerPlayer
    from display.app import BoardLoop, LocalState, RemoteState, Screen, png_writer
    from display.board import BoardView
    from display.feed import LocalFeed, RemoteFeed
    from display.slides import board_announcements, board_slides

    def now() -> datetime:
        return datetime.now(UTC)

    if hub is not None:
        source = RemoteState(hub)

        def make_feed(after_id: int):
            return RemoteFeed(hub, after_id=after_id)
    else:
        source = LocalState(settings.store.database, settings=settings, now=now)

        def make_feed(after_id: int):
            return LocalFeed(settings.store.database, after_id=after_id)

    surface = _open_screen(windowed, size if follow_png is not None else None)
    screen = Screen(surface, portrait=settings.display.orientation == "portrait")
    view = BoardView(
        screen.board_size,
        office_name=settings.office.name,
        timezone=settings.office.tz,
        font_path=settings.display.font,
        logo_path=settings.display.logo,
        slides=board_slides(settings),
        slide_seconds=settings.display.slide_seconds,
        announcements=board_announcements(settings),
    )
    announcer = None
    if settings.display.sound and not silent:
        building = ensure_default_pack(settings.home, counter_names)
        player = MixerPlayer(devicename=settings.display.audio_device)
        make_wav = wav_maker(
            settings.home, building=building, times=settings.display.announce_times
        )
        announcer = Announcer(make_wav=make_wav, play=player)
    loop = BoardLoop(
        view=view,
        screen=screen,
        source=source,
        make_feed=make_feed,
        announce=announcer.announce if announcer is not None else None,
        now=now,
        on_frame=png_writer(follow_png) if follow_png is not None else None,
        notifier=Notifier(),
    )
    previous = {sig: signal.signal(sig, lambda *_: loop.stop()) for sig in _STOP_SIGNALS}
    log.info("board running: %dx%d, %s", *surface.get_size(), hub or settings.store.database)
    try:
        loop.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if announcer is not None:
            announcer.stop(timeout_s=2.0)
        pygame.quit()
    return loop.frames


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
