"""A two-tone "ding-dong" chime played before every announcement, made with the stdlib only."""

from __future__ import annotations

import math
import os
import sys
import wave
from array import array
from pathlib import Path
from typing import Final

from display.atomic import private_temporary

# Two bell-like tones a major third apart (E5 then C5): the familiar public-address chime, gentle
# enough to repeat all day.
TONES_HZ: Final[tuple[float, float]] = (659.25, 523.25)
# The second tone starts while the first still rings, seconds from the start.
SECOND_TONE_AT_S: Final = 0.45
# Time for a tone to fall to 1/e of its level, in seconds.
DECAY_S: Final = 0.35
# Length of the whole chime in seconds.
LENGTH_S: Final = 1.4
# Fade in (against a click at the onset) and fade out (so the end is exactly silent), seconds.
ATTACK_S: Final = 0.005
RELEASE_S: Final = 0.08
# Peak level as a fraction of full scale (about -3 dBFS, like the normalised voice clips).
PEAK: Final = 0.7


def chime_samples(rate_hz: int) -> array:
    """Return the chime as signed 16-bit mono samples at ``rate_hz`` (Hz)."""
    total = round(LENGTH_S * rate_hz)
    raw = [0.0] * total
    for index, freq in enumerate(TONES_HZ):
        start = round(index * SECOND_TONE_AT_S * rate_hz)
        for i in range(total - start):
            t = i / rate_hz
            # A quiet second harmonic makes a sine sound like a bell rather than a test tone.
            tone = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
            envelope = math.exp(-t / DECAY_S) * min(1.0, t / ATTACK_S)
            raw[start + i] += tone * envelope
    release = round(RELEASE_S * rate_hz)
    for i in range(release):
        raw[total - release + i] *= 1 - (i + 1) / release
    scale = PEAK * 32767 / max(abs(x) for x in raw)
    return array("h", (round(x * scale) for x in raw))


def write_chime(path: Path, *, rate_hz: int = 22050) -> Path:
    """Write the chime as a 16-bit mono WAV at ``rate_hz`` (Hz) to ``path``; return ``path``.

    Written to a temporary name and renamed, so a board never reads a half-written file.
    """
    samples = chime_samples(rate_hz)
    if samples.itemsize != 2:  # pragma: no cover - "h" is 16 bits on every supported platform
        raise RuntimeError("array('h') is not 16-bit")
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    temporary = private_temporary(path)
    with wave.open(str(temporary), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(samples.tobytes())
    os.replace(temporary, path)
    return path
