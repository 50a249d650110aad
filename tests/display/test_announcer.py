"""The announcement queue: spoken in order, never overlapping, never twice for one event; the
real pygame mixer on SDL's dummy audio driver, and a mixer that cannot open."""

from __future__ import annotations

import io
import logging
import threading
import time
import wave
from collections.abc import Iterator

import pygame
import pytest

from display.announcer import Announcer, MixerPlayer


def tone_wav(seconds: float = 0.1, rate_hz: int = 22050) -> bytes:
    """A short mono 16-bit WAV with a square wave (not silence)."""
    frames = bytearray()
    for n in range(round(seconds * rate_hz)):
        sample = 8000 if (n // 25) % 2 else -8000
        frames += sample.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


class RecordingPlayer:
    """Plays nothing for ``seconds``; records what and when, and any overlap."""

    def __init__(self, seconds: float = 0.02) -> None:
        self.seconds = seconds
        self.played: list[bytes] = []
        self.spans: list[tuple[float, float]] = []
        self.overlaps = 0
        self._busy = threading.Lock()
        self.playing = threading.Event()

    def __call__(self, wav: bytes) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlaps += 1
            self._busy.acquire()
        try:
            start = time.monotonic()
            self.playing.set()
            time.sleep(self.seconds)
            self.played.append(wav)
            self.spans.append((start, time.monotonic()))
        finally:
            self._busy.release()


def make_text(label: str, counter: str) -> bytes:
    return f"{label}@{counter}".encode()


def test_a_burst_is_spoken_in_order_one_at_a_time_and_never_twice() -> None:
    player = RecordingPlayer()
    announcer = Announcer(make_wav=make_text, play=player)
    accepted = [announcer.announce(f"A-00{n}", f"Loket {n}", event_id=100 + n) for n in range(1, 6)]
    assert accepted == [True] * 5
    # The same events again (a feed that reconnected): refused, nothing queued.
    assert not announcer.announce("A-003", "Loket 3", event_id=103)
    assert announcer.wait_idle(5)
    assert player.played == [f"A-00{n}@Loket {n}".encode() for n in range(1, 6)]
    assert player.overlaps == 0
    for (_, end), (start, _) in zip(player.spans, player.spans[1:], strict=False):
        assert start >= end
    # A recall is a new event: spoken again. No event id: always spoken.
    assert announcer.announce("A-001", "Loket 1", event_id=200)
    assert announcer.announce("A-001", "Loket 1")
    assert announcer.wait_idle(5)
    assert len(player.played) == 7
    announcer.stop()
    assert not announcer.announce("A-009", "Loket 1", event_id=300)


def test_announce_does_not_wait_for_the_audio() -> None:
    player = RecordingPlayer(seconds=0.2)
    announcer = Announcer(make_wav=make_text, play=player)
    started = time.monotonic()
    for n in range(3):
        announcer.announce(f"B-00{n}", "Loket 1", event_id=n)
    assert time.monotonic() - started < 0.1
    assert player.playing.wait(5)
    announcer.stop(timeout_s=5)  # drops what waits, lets the one playing finish
    assert player.played == [b"B-000@Loket 1"]


def test_a_failing_announcement_does_not_stop_the_next(caplog: pytest.LogCaptureFixture) -> None:
    player = RecordingPlayer(seconds=0)

    def make_wav(label: str, counter: str) -> bytes:
        if label == "BAD":
            raise LookupError("no clip for 'bad'")
        return make_text(label, counter)

    announcer = Announcer(make_wav=make_wav, play=player)
    with caplog.at_level(logging.WARNING, logger="display.announcer"):
        announcer.announce("BAD", "Loket 1", event_id=1)
        announcer.announce("C-001", "Loket 1", event_id=2)
        assert announcer.wait_idle(5)
    announcer.stop()
    assert player.played == [b"C-001@Loket 1"]
    assert "cannot make the announcement for BAD" in caplog.text


@pytest.fixture
def dummy_audio(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


@pytest.mark.usefixtures("dummy_audio")
def test_the_real_mixer_plays_a_wav_on_the_dummy_driver() -> None:
    player = MixerPlayer()
    announcer = Announcer(make_wav=lambda label, counter: tone_wav(0.1), play=player)
    started = time.monotonic()
    assert announcer.announce("A-001", "Loket 1", event_id=1)
    assert announcer.announce("A-002", "Loket 1", event_id=2)
    assert announcer.wait_idle(5)
    took = time.monotonic() - started
    announcer.stop()
    assert pygame.mixer.get_init() is not None and not player.silent
    # Played back to back: each play waited for its 0.1 s sound (the dummy driver plays in
    # real time), and no longer than its length plus the safety margin.
    assert 0.15 < took < 4.5


@pytest.mark.usefixtures("dummy_audio")
def test_no_sound_device_runs_silent_logs_once_and_retries(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = 0
    real_init = pygame.mixer.init
    device_present = False

    def init(*args: object, **kwargs: object) -> None:
        nonlocal attempts
        attempts += 1
        if not device_present:
            raise pygame.error("ALSA: Couldn't open audio device: No such file or directory")
        real_init(*args, **kwargs)

    monkeypatch.setattr(pygame.mixer, "init", init)
    now = 0.0
    player = MixerPlayer(retry_s=30, clock=lambda: now)
    announcer = Announcer(make_wav=lambda label, counter: tone_wav(0.05), play=player)
    with caplog.at_level(logging.INFO, logger="display.announcer"):
        for n in range(3):
            announcer.announce(f"A-00{n}", "Loket 1", event_id=n)
        assert announcer.wait_idle(5)  # silent, but the queue still drains
        assert attempts == 1  # the next try waits for retry_s
        now = 31.0
        announcer.announce("A-010", "Loket 1", event_id=10)
        assert announcer.wait_idle(5)
        assert attempts == 2 and player.silent
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "runs silent" in warnings[0].getMessage()

        device_present = True  # the TV came back
        now = 62.0
        announcer.announce("A-011", "Loket 1", event_id=11)
        assert announcer.wait_idle(5)
    announcer.stop()
    assert attempts == 3 and not player.silent
    assert pygame.mixer.get_init() is not None
    assert "open again" in caplog.text
