"""Voice announcements spoken from a voice pack: a folder with one WAV per word.

An announcement is the chime, then "nomor antrian, A, seratus dua puluh tiga, silakan menuju,
loket, dua" - each a word of the pack (a fixed phrase counts as one word). An office replaces the
synthetic voice by dropping its own recordings, named like the default pack's files
(:func:`word_file`), in a custom pack folder; words it lacks come from the default pack.

Every clip of a pack shares one format (:data:`RATE_HZ`, mono, 16-bit), so an announcement is a
plain concatenation of frames with the stdlib :mod:`wave` module and no audio library at runtime.
The default pack is built once with espeak-ng and sox (:func:`build_default_pack`).
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from display.atomic import private_temporary
from display.chime import write_chime
from display.messages import (
    COUNTER_WORDS,
    LETTER_NAMES,
    NUMBER_WORDS,
    PHRASE_COME_BACK,
    PHRASE_GO_TO,
    PHRASE_NUMBER,
    PHRASES,
    VOICE_ERRORS,
    spoken_text,
)
from display.numbers import MAX_NUMBER, number_words

log = logging.getLogger(__name__)

# The one format of every clip in a pack, and of the announcement WAV.
RATE_HZ: Final = 22050
CHANNELS: Final = 1
SAMPLE_WIDTH_BYTES: Final = 2
# Silence between two words, and between the chime and the first word, in seconds: long enough
# for a clear word boundary in a reverberant waiting room, short enough to sound like one sentence.
GAP_S: Final = 0.12
CHIME_GAP_S: Final = 0.3
REPEAT_GAP_S: Final = 1.0
"""Seconds of silence between two sayings of one call (``[display] announce_times``)."""
# The chime's file in a pack; the leading underscore keeps it apart from every word file.
CHIME_FILE: Final = "_chime.wav"
# espeak-ng's speed in words per minute: a little slower than its default 175, for a large room.
SPEED_WPM: Final = 150

# A label or counter name is read as runs of ASCII letters and runs of digits; anything else
# (spaces, "-", ".") only separates them.
_TOKEN = re.compile(r"[0-9]+|[A-Za-z]+")


class VoiceError(RuntimeError):
    """The voice pack cannot be built or an announcement cannot be assembled.

    ``str(error)`` is English, for the log; ``text`` is what a person reads from ``ult
    voice`` (Indonesian, :data:`display.messages.VOICE_ERRORS`)."""

    def __init__(self, message: str, *, text: str | None = None) -> None:
        super().__init__(message)
        self.text = text if text is not None else message


class MissingWordError(VoiceError, LookupError):
    """Neither the pack nor the default pack holds a usable clip for a word."""


class SpeakError(ValueError):
    """A label or counter name that cannot be spoken (a ``ValueError``); ``text`` in
    Indonesian as for :class:`VoiceError`."""

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


def error_text(error: Exception) -> str:
    """What a person reads of a voice error: its Indonesian ``text`` when it has one."""
    return getattr(error, "text", None) or str(error)


def _tokens(text: str) -> list[str]:
    # Refuse non-ASCII letters and digits rather than silently dropping part of a name.
    strange = [c for c in text if c.isalnum() and not c.isascii()]
    if strange:
        chars = "".join(strange)
        raise SpeakError(
            f"cannot speak {chars!r} in {text!r}: use ASCII letters",
            text=VOICE_ERRORS["not_ascii"].format(chars=chars, text=text),
        )
    return _TOKEN.findall(text)


def _number(run: str) -> tuple[str, ...]:
    # int() drops leading zeros: "007" is "tujuh", never "nol nol tujuh".
    try:
        return number_words(int(run))
    except ValueError as exc:
        text = VOICE_ERRORS["number_range"].format(number=int(run), high=MAX_NUMBER)
        raise SpeakError(str(exc), text=text) from exc


def label_words(label: str) -> tuple[str, ...]:
    """Return the words of a ticket label: each letter, then its number as a number.

    ``label_words("A-001") == label_words("A1") == ("A", "satu")``; letters of a prefix are
    spelt one by one (``"AB-12"`` is ``("A", "B", "dua", "belas")``).

    Raises:
        ValueError: the label is empty, holds non-ASCII letters, or a number above 9999.
    """
    words: list[str] = []
    for token in _tokens(label):
        if token.isdigit():
            words.extend(_number(token))
        else:
            words.extend(token.upper())
    if not words:
        raise SpeakError(
            f"nothing to say in label {label!r}",
            text=VOICE_ERRORS["empty_label"].format(label=label),
        )
    return tuple(words)


def counter_words(name: str) -> tuple[str, ...]:
    """Return the words of a counter name: words in lower case, numbers as number words.

    ``counter_words("Loket 12") == ("loket", "dua", "belas")``; a single letter is a letter
    (``"Meja B"`` is ``("meja", "B")``); ``"Back Office"`` is ``("back", "office")``.

    Raises:
        ValueError: the name is empty, holds non-ASCII letters, or a number above 9999.
    """
    words: list[str] = []
    for token in _tokens(name):
        if token.isdigit():
            words.extend(_number(token))
        elif len(token) == 1:
            words.append(token.upper())
        else:
            words.append(token.lower())
    if not words:
        raise SpeakError(
            f"nothing to say in counter name {name!r}",
            text=VOICE_ERRORS["empty_counter"].format(name=name),
        )
    return tuple(words)


def _groups(label: str, counter_name: str, come_back: bool) -> list[tuple[str, ...]]:
    # The announcement's spoken phrases; the text form puts a comma between them.
    go = PHRASE_COME_BACK if come_back else PHRASE_GO_TO
    return [(PHRASE_NUMBER,), label_words(label), (go, *counter_words(counter_name))]


def announcement_words(
    label: str, counter_name: str, *, come_back: bool = False
) -> tuple[str, ...]:
    """Return the pack words announcing ``label`` at ``counter_name``, in order.

    ``announcement_words("A-123", "Loket 2") == ("nomor antrian", "A", "seratus", "dua",
    "puluh", "tiga", "silakan menuju", "loket", "dua")``; with ``come_back`` (a returned
    case's visitor called back, ``called_back``) "silakan kembali ke" instead of "silakan
    menuju".
    """
    return tuple(word for group in _groups(label, counter_name, come_back) for word in group)


def announcement_text(label: str, counter_name: str, *, come_back: bool = False) -> str:
    """Return the announcement as a sentence, for ``ult voice text``.

    ``"Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket dua"``; a label that
    puts its letter last (``label_format = "{number:03d}{letter}"``) keeps that order:
    ``"Nomor antrian, tujuh, A, ..."``; ``come_back``: "..., silakan kembali ke loket dua".
    """
    groups = _groups(label, counter_name, come_back)
    # The label's letters and its number are separate phrases when spoken: each run of
    # letters or of number words is one phrase, in the label's own order.
    runs: list[list[str]] = []
    for word in groups[1]:
        if runs and (runs[-1][0] in LETTER_NAMES) == (word in LETTER_NAMES):
            runs[-1].append(word)
        else:
            runs.append([word])
    parts = [groups[0], *runs, groups[2]]
    text = ", ".join(" ".join(p) for p in parts if p)
    return text[0].upper() + text[1:]


def word_file(word: str) -> str:
    """Return the file name of ``word`` in a pack: ``"nomor antrian"`` is ``nomor_antrian.wav``.

    A letter is its lower-case self (``"A"`` is ``a.wav``); no other word is a single letter.
    """
    if not word or not all(part.isascii() and part.isalnum() for part in word.split(" ")):
        raise SpeakError(
            f"not a pack word: {word!r}", text=VOICE_ERRORS["not_word"].format(word=word)
        )
    return word.lower().replace(" ", "_") + ".wav"


def default_vocabulary(counter_names: Iterable[str] = ()) -> tuple[str, ...]:
    """Return every word announcements need: phrases, number words, letters A-Z, counter words.

    ``counter_names`` adds the words of the configured counters (e.g. ``"Ruang Kepala"``) so a
    name outside :data:`display.messages.COUNTER_WORDS` is still spoken.
    """
    words = [*PHRASES, *NUMBER_WORDS, *LETTER_NAMES, *COUNTER_WORDS]
    for name in counter_names:
        words.extend(counter_words(name))
    return tuple(dict.fromkeys(words))  # unique, in a stable order


def _run(command: Sequence[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise VoiceError(
            f"{command[0]} is not installed (apt-get install espeak-ng sox)",
            text=VOICE_ERRORS["not_installed"].format(program=command[0]),
        ) from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip()
        raise VoiceError(
            f"{' '.join(command)} failed: {message}",
            text=VOICE_ERRORS["command_failed"].format(command=" ".join(command), detail=message),
        ) from exc


def _build_word(word: str, folder: Path, scratch: Path, espeak: str, sox: str) -> Path:
    raw = scratch / word_file(word)
    _run([espeak, "-v", "id", "-s", str(SPEED_WPM), "-w", str(raw), spoken_text(word)])
    target = folder / word_file(word)
    # A name of its own: boards asking for the same new word at once (a counter added while
    # they run) each build it, and the last rename wins; a shared name made the others fail.
    temporary = private_temporary(target)
    try:
        # -D: no dither, so a rebuild gives the same bytes. The silence effects trim the leading
        # silence, reverse, trim the (now leading) trailing silence and reverse back; norm -3 brings
        # every clip to the same peak level (-3 dBFS).
        _run(
            [
                sox,
                "-D",
                str(raw),
                "-b",
                "16",
                "-e",
                "signed-integer",
                str(temporary),
                "channels",
                str(CHANNELS),
                "rate",
                str(RATE_HZ),
                "silence",
                "1",
                "0.05",
                "1%",
                "reverse",
                "silence",
                "1",
                "0.05",
                "1%",
                "reverse",
                "norm",
                "-3",
            ]
        )
        with wave.open(str(temporary), "rb") as clip:
            empty = clip.getnframes() == 0
        if empty:
            raise VoiceError(
                f"espeak-ng said nothing audible for {word!r}",
                text=VOICE_ERRORS["silent"].format(word=word),
            )
        os.replace(temporary, target)  # a board reading the pack never sees half a file
    finally:
        temporary.unlink(missing_ok=True)  # left behind only by a failure
    return target


def build_default_pack(
    folder: Path,
    *,
    words: Iterable[str] | None = None,
    espeak: str = "espeak-ng",
    sox: str = "sox",
    jobs: int | None = None,
) -> list[Path]:
    """Create the default voice pack in ``folder``: one WAV per word, plus the chime.

    Each word is synthesised by espeak-ng's Indonesian voice, trimmed of leading and trailing
    silence, peak-normalised to -3 dBFS and converted to :data:`RATE_HZ` Hz mono 16-bit.

    Args:
        folder: the pack folder, created if needed; existing clips are overwritten.
        words: the vocabulary; :func:`default_vocabulary` when None.
        espeak: the espeak-ng program.
        sox: the sox program.
        jobs: words synthesised in parallel; the number of CPUs when None.

    Returns:
        The files written: the word clips in vocabulary order, then :data:`CHIME_FILE`.

    Raises:
        VoiceError: espeak-ng or sox is missing or failed.
    """
    vocabulary = tuple(default_vocabulary() if words is None else dict.fromkeys(words))
    folder.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="ult-voice-") as scratch,
        ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool,
    ):
        futures = [
            pool.submit(_build_word, w, folder, Path(scratch), espeak, sox) for w in vocabulary
        ]
        written = [f.result() for f in futures]
    written.append(write_chime(folder / CHIME_FILE, rate_hz=RATE_HZ))
    return written


# (pack folder, word) already reported as missing, so a board running for months logs each once.
_reported: set[tuple[str, str]] = set()
_reported_lock = threading.Lock()


def _report_once(pack: Path, word: str, why: str) -> None:
    key = (str(pack.resolve()), word)
    with _reported_lock:
        if key in _reported:
            return
        _reported.add(key)
    log.warning("voice pack %s: %s %r; using the default pack", pack, why, word)


def _read_frames(path: Path) -> bytes:
    """Return the frames of a pack-format WAV; VoiceError if it is unreadable or another format."""
    try:
        with wave.open(str(path), "rb") as clip:
            form = (clip.getnchannels(), clip.getsampwidth(), clip.getframerate())
            if form != (CHANNELS, SAMPLE_WIDTH_BYTES, RATE_HZ):
                raise VoiceError(
                    f"{path}: {form[0]} channel(s), {8 * form[1]}-bit, {form[2]} Hz; a pack "
                    f"needs {CHANNELS} channel, {8 * SAMPLE_WIDTH_BYTES}-bit, {RATE_HZ} Hz "
                    f"(sox in.wav -r {RATE_HZ} -c 1 -b 16 out.wav)",
                    text=VOICE_ERRORS["wav_format"].format(
                        path=path,
                        channels=form[0],
                        bits=8 * form[1],
                        rate=form[2],
                        need_channels=CHANNELS,
                        need_bits=8 * SAMPLE_WIDTH_BYTES,
                        need_rate=RATE_HZ,
                    ),
                )
            return clip.readframes(clip.getnframes())
    except (wave.Error, EOFError) as exc:
        raise VoiceError(
            f"{path}: not a readable PCM WAV ({exc})",
            text=VOICE_ERRORS["wav_unreadable"].format(path=path, detail=exc),
        ) from exc


def word_frames(word: str, *, pack: Path, default_pack: Path) -> bytes:
    """Return the frames of ``word``'s clip from ``pack``, else from ``default_pack``.

    A word missing from ``pack`` (or in a format the pack cannot use) is logged once per pack
    and word, then taken from ``default_pack``.

    Raises:
        MissingWordError: ``default_pack`` has no usable clip either.
    """
    name = word_file(word)
    if pack != default_pack:
        custom = pack / name
        if custom.is_file():
            try:
                return _read_frames(custom)
            except VoiceError as exc:
                _report_once(pack, word, f"unusable clip ({exc}) for")
        else:
            _report_once(pack, word, "no clip for")
    fallback = default_pack / name
    if not fallback.is_file():
        raise MissingWordError(
            f"no clip for {word!r} in {default_pack}: run `ult voice build`",
            text=VOICE_ERRORS["missing_word"].format(word=word, pack=default_pack),
        )
    return _read_frames(fallback)


def _silence(seconds: float) -> bytes:
    return bytes(round(seconds * RATE_HZ) * CHANNELS * SAMPLE_WIDTH_BYTES)


def announcement_wav(
    words: Sequence[str],
    *,
    pack: Path,
    default_pack: Path,
    chime: Path | None,
    times: int = 1,
) -> bytes:
    """Return the whole announcement as one WAV file's bytes.

    Layout: the chime, :data:`CHIME_GAP_S` seconds of silence, then each word's clip with
    :data:`GAP_S` seconds of silence between two words (none after the last). Without a chime
    the first word starts at frame 0. The words are said ``times`` times (at least once), with
    :data:`REPEAT_GAP_S` seconds between two sayings; the chime only once, before the first:
    a visitor who missed the number hears it again, the room is not rung at twice.

    Raises:
        MissingWordError: a word has no clip in either pack.
        VoiceError: the chime or a default clip is not in the pack format.
    """
    pieces: list[bytes] = []
    if chime is not None:
        pieces += [_read_frames(chime), _silence(CHIME_GAP_S)]
    saying: list[bytes] = []
    for index, word in enumerate(words):
        if index:
            saying.append(_silence(GAP_S))
        saying.append(word_frames(word, pack=pack, default_pack=default_pack))
    for repeat in range(max(1, times)):
        if repeat:
            pieces.append(_silence(REPEAT_GAP_S))
        pieces += saying
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH_BYTES)
        out.setframerate(RATE_HZ)
        out.writeframes(b"".join(pieces))
    return buffer.getvalue()


def write_announcement(
    path: Path,
    words: Sequence[str],
    *,
    pack: Path,
    default_pack: Path,
    chime: Path | None,
) -> Path:
    """Write :func:`announcement_wav` to ``path`` (atomically, by rename); return ``path``."""
    data = announcement_wav(words, pack=pack, default_pack=default_pack, chime=chime)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


def espeak_available(espeak: str = "espeak-ng", sox: str = "sox") -> bool:
    """Return True when both programs :func:`build_default_pack` needs are on the PATH."""
    return shutil.which(espeak) is not None and shutil.which(sox) is not None
