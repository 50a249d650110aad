"""Voice announcements: the word sequence, the default pack built by real espeak-ng and sox, and
the announcement WAV (length, level, chime first, fallback to the default pack)."""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import shutil
import subprocess
import sys
import wave
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner

from display import chime as chime_module
from display.chime import write_chime
from display.cli import voice_text
from display.messages import LETTER_NAMES, NUMBER_WORDS, spoken_text
from display.voice import (
    CHIME_FILE,
    CHIME_GAP_S,
    GAP_S,
    RATE_HZ,
    REPEAT_GAP_S,
    MissingWordError,
    VoiceError,
    announcement_text,
    announcement_wav,
    announcement_words,
    build_default_pack,
    counter_words,
    default_vocabulary,
    label_words,
    word_file,
    write_announcement,
)

NEEDS_TOOLS = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="needs espeak-ng and sox (apt-get install espeak-ng sox)",
)

A = "nomor antrian"
GO = "silakan menuju"


@pytest.mark.parametrize(
    ("label", "counter", "words"),
    [
        ("A-123", "Loket 2", (A, "A", "seratus", "dua", "puluh", "tiga", GO, "loket", "dua")),
        # Leading zeros are a number, never digits one by one.
        ("A-001", "Loket 1", (A, "A", "satu", GO, "loket", "satu")),
        ("A1", "Loket 1", (A, "A", "satu", GO, "loket", "satu")),
        ("B0007", "Back Office", (A, "B", "tujuh", GO, "back", "office")),
        ("C-011", "Loket 12", (A, "C", "sebelas", GO, "loket", "dua", "belas")),
        ("D-1000", "Meja B", (A, "D", "seribu", GO, "meja", "B")),
        ("d-010", "loket  10", (A, "D", "sepuluh", GO, "loket", "sepuluh")),
        ("AB-12", "Ruang Kepala", (A, "A", "B", "dua", "belas", GO, "ruang", "kepala")),
        (
            "A-9999",
            "Loket 3",
            (
                A,
                "A",
                *["sembilan", "ribu", "sembilan", "ratus"],
                *["sembilan", "puluh", "sembilan"],
                GO,
                "loket",
                "tiga",
            ),
        ),
    ],
)
def test_announcement_words(label: str, counter: str, words: tuple[str, ...]) -> None:
    assert announcement_words(label, counter) == words


def test_a_call_back_says_come_back() -> None:
    """Issue 14: "Nomor antrian, A, tiga, silakan kembali ke, loket, dua"."""
    assert announcement_words("A-003", "Loket 2", come_back=True) == (
        "nomor antrian",
        "A",
        "tiga",
        "silakan kembali ke",
        "loket",
        "dua",
    )
    assert (
        announcement_text("A-003", "Loket 2", come_back=True)
        == "Nomor antrian, A, tiga, silakan kembali ke loket dua"
    )
    assert "silakan kembali ke" in default_vocabulary()
    assert word_file("silakan kembali ke") == "silakan_kembali_ke.wav"


def test_announcement_text() -> None:
    assert (
        announcement_text("A-123", "Loket 2")
        == "Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket dua"
    )
    assert (
        announcement_text("B-007", "Back Office")
        == "Nomor antrian, B, tujuh, silakan menuju back office"
    )


@pytest.mark.parametrize(
    ("label", "text"),
    [
        # label_format = "{number:03d}{letter}": the number stays, before its letter.
        ("007A", "Nomor antrian, tujuh, A, silakan menuju loket dua"),
        ("123-B", "Nomor antrian, seratus dua puluh tiga, B, silakan menuju loket dua"),
        ("AB-12", "Nomor antrian, A B, dua belas, silakan menuju loket dua"),
    ],
)
def test_announcement_text_keeps_the_label_order(label: str, text: str) -> None:
    assert announcement_text(label, "Loket 2") == text


def test_ult_voice_text_says_the_number_of_a_number_first_label() -> None:
    result = CliRunner().invoke(voice_text, ["007A", "Loket 1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Nomor antrian, tujuh, A, silakan menuju loket satu"


@pytest.mark.parametrize("label", ["", "-", "A-10000", "Ä-1"])
def test_unspeakable_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError):
        label_words(label)


@pytest.mark.parametrize("name", ["", "  ", "Lokét 1", "Loket 12345"])
def test_unspeakable_counter_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        counter_words(name)


def test_word_files() -> None:
    assert word_file("nomor antrian") == "nomor_antrian.wav"
    assert word_file("A") == "a.wav"
    assert word_file("loket") == "loket.wav"
    for bad in ["", "../x", "a/b", "x.wav"]:
        with pytest.raises(ValueError):
            word_file(bad)


def test_vocabulary_covers_every_announcement_of_the_default_counters() -> None:
    vocabulary = set(default_vocabulary())
    assert set(NUMBER_WORDS) <= vocabulary
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") <= vocabulary
    assert len({word_file(w) for w in vocabulary}) == len(vocabulary)  # no two share a file
    for counter in ["Loket 1", "Loket 2", "Back Office"]:
        for letter in LETTER_NAMES:
            for n in (0, 7, 10, 11, 99, 100, 123, 1000, 9999):
                assert set(announcement_words(f"{letter}-{n:03d}", counter)) <= vocabulary
    # A configured counter's unusual words are added.
    assert {"kepala", "sekolah"} <= set(default_vocabulary(["Ruang Kepala Sekolah"]))


# --- audio -------------------------------------------------------------------------------------


def frames_of(path: Path) -> bytes:
    with wave.open(str(path), "rb") as clip:
        return clip.readframes(clip.getnframes())


def samples_of(data: bytes) -> array:
    samples = array("h", data)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def sox_info(path: Path) -> dict[str, str]:
    """``sox --i`` for one file, as a dict: an independent reading of the WAV header."""
    out = subprocess.run(["sox", "--i", str(path)], check=True, capture_output=True, text=True)
    return {k.strip(): v.strip() for k, v in re.findall(r"^([^:\n]+):(.*)$", out.stdout, re.M)}


def sox_samples(path: Path) -> int:
    out = subprocess.run(["sox", "--i", "-s", str(path)], check=True, capture_output=True)
    return int(out.stdout)


def sox_rms(path: Path) -> float:
    """RMS amplitude (0..1 of full scale) measured by ``sox stat``."""
    out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True)
    match = re.search(r"RMS\s+amplitude:\s+([0-9.]+)", out.stderr)
    assert match, out.stderr
    return float(match.group(1))


@pytest.fixture(scope="module")
def default_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("needs espeak-ng and sox (apt-get install espeak-ng sox)")
    folder = tmp_path_factory.mktemp("default-pack")
    build_default_pack(folder, words=default_vocabulary(["Loket 1", "Ruang Kepala"]))
    return folder


@NEEDS_TOOLS
def test_default_pack_has_one_clip_per_word_in_one_format(default_pack: Path) -> None:
    vocabulary = default_vocabulary(["Loket 1", "Ruang Kepala"])
    files = sorted(p.name for p in default_pack.iterdir())
    assert files == sorted([*(word_file(w) for w in vocabulary), CHIME_FILE])
    for name in files:
        info = sox_info(default_pack / name)
        assert (info["Channels"], info["Sample Rate"], info["Precision"]) == (
            "1",
            str(RATE_HZ),
            "16-bit",
        ), name


@NEEDS_TOOLS
def test_default_clips_are_trimmed_and_normalised(default_pack: Path) -> None:
    edge = round(0.05 * RATE_HZ)  # sox's silence window: 50 ms
    for word in default_vocabulary(["Loket 1", "Ruang Kepala"]):
        samples = samples_of(frames_of(default_pack / word_file(word)))
        # A spoken word lasts between a tenth of a second and a few seconds.
        assert 0.1 * RATE_HZ < len(samples) < 3 * RATE_HZ, word
        # Peak at -3 dBFS (0.708 of full scale), within rounding.
        assert 0.69 * 32767 < max(abs(s) for s in samples) < 0.72 * 32767, word
        # Trimmed: sound (above 1% of full scale) within the first and last 50 ms.
        assert max(abs(s) for s in samples[:edge]) > 0.01 * 32767, word
        assert max(abs(s) for s in samples[-edge:]) > 0.01 * 32767, word


@NEEDS_TOOLS
def test_announcement_is_chime_then_words_with_gaps(default_pack: Path, tmp_path: Path) -> None:
    chime = default_pack / CHIME_FILE
    words = announcement_words("A-123", "Loket 2")
    out = write_announcement(
        tmp_path / "a.wav", words, pack=default_pack, default_pack=default_pack, chime=chime
    )
    # The length is the sum of its parts, each measured by sox on its own file.
    parts = [sox_samples(chime), *(sox_samples(default_pack / word_file(w)) for w in words)]
    gaps_s = CHIME_GAP_S + GAP_S * (len(words) - 1)
    expected_s = sum(parts) / RATE_HZ + gaps_s
    assert sox_samples(out) / RATE_HZ == pytest.approx(expected_s, abs=0.003)
    assert sox_info(out)["Sample Rate"] == str(RATE_HZ)
    # Not silent: sox's RMS over the whole announcement.
    assert sox_rms(out) > 0.05
    # The chime comes first, frame for frame, then silence, then the first word.
    data = frames_of(out)
    chime_data = frames_of(chime)
    assert data.startswith(chime_data)
    gap_bytes = round(CHIME_GAP_S * RATE_HZ) * 2
    assert data[len(chime_data) : len(chime_data) + gap_bytes] == bytes(gap_bytes)
    first = frames_of(default_pack / word_file(A))
    start = len(chime_data) + gap_bytes
    assert data[start : start + len(first)] == first


@NEEDS_TOOLS
def test_announcement_without_chime_starts_with_the_first_word(default_pack: Path) -> None:
    data = announcement_wav(["A"], pack=default_pack, default_pack=default_pack, chime=None)
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.readframes(wav.getnframes()) == frames_of(default_pack / "a.wav")


@NEEDS_TOOLS
@pytest.mark.parametrize("times", [2, 3])
def test_a_repeated_announcement_rings_the_chime_once(default_pack: Path, times: int) -> None:
    """``[display] announce_times``: the words again after a pause, not the chime."""
    chime = default_pack / CHIME_FILE
    words = announcement_words("A-004", "Loket 1")
    once = announcement_wav(words, pack=default_pack, default_pack=default_pack, chime=None)
    with wave.open(io.BytesIO(once)) as wav:
        saying = wav.readframes(wav.getnframes())
    data = announcement_wav(
        words, pack=default_pack, default_pack=default_pack, chime=chime, times=times
    )
    with wave.open(io.BytesIO(data)) as wav:
        frames = wav.readframes(wav.getnframes())
    head = frames_of(chime) + bytes(round(CHIME_GAP_S * RATE_HZ) * 2)
    pause = bytes(round(REPEAT_GAP_S * RATE_HZ) * 2)
    assert frames == head + pause.join([saying] * times)
    assert frames.count(frames_of(chime)) == 1


def tone(path: Path, *, seconds: float, rate: int = RATE_HZ) -> Path:
    """A 440 Hz tone standing in for an office's own recording."""
    n = round(seconds * rate)
    samples = array("h", (round(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n)))
    if sys.byteorder == "big":
        samples.byteswap()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


@NEEDS_TOOLS
def test_custom_pack_falls_back_to_default_and_logs_each_word_once(
    default_pack: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    custom = tmp_path / "kantor"
    custom.mkdir()
    recorded = frames_of(tone(custom / "loket.wav", seconds=0.4))
    words = ("silakan menuju", "loket", "dua")
    with caplog.at_level(logging.WARNING, logger="display.voice"):
        first = announcement_wav(words, pack=custom, default_pack=default_pack, chime=None)
        second = announcement_wav(words, pack=custom, default_pack=default_pack, chime=None)
    assert first == second
    # The office's own clip is used where it exists, the default clips elsewhere.
    gap = bytes(round(GAP_S * RATE_HZ) * 2)
    expected = gap.join(
        [
            frames_of(default_pack / "silakan_menuju.wav"),
            recorded,
            frames_of(default_pack / "dua.wav"),
        ]
    )
    with wave.open(io.BytesIO(first)) as wav:
        assert wav.readframes(wav.getnframes()) == expected
    missing = [r.getMessage() for r in caplog.records]
    assert len(missing) == 2, missing  # two missing words, two announcements: logged once each
    assert any("'silakan menuju'" in m for m in missing)
    assert any("'dua'" in m for m in missing)
    assert not any("'loket'" in m for m in missing)


@NEEDS_TOOLS
def test_custom_clip_in_another_format_falls_back(
    default_pack: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    custom = tmp_path / "kantor"
    custom.mkdir()
    tone(custom / "dua.wav", seconds=0.3, rate=44100)
    with caplog.at_level(logging.WARNING, logger="display.voice"):
        data = announcement_wav(["dua"], pack=custom, default_pack=default_pack, chime=None)
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.readframes(wav.getnframes()) == frames_of(default_pack / "dua.wav")
    assert len(caplog.records) == 1
    assert "44100 Hz" in caplog.records[0].getMessage()


@NEEDS_TOOLS
def test_a_word_missing_everywhere_is_an_error(default_pack: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingWordError, match="ult voice build"):
        announcement_wav(["zebra"], pack=tmp_path, default_pack=default_pack, chime=None)


def test_missing_espeak_is_reported(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="not installed"):
        build_default_pack(tmp_path, words=["satu"], espeak=str(tmp_path / "no-espeak"))


def test_chime_is_two_tones_in_the_pack_format(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE_HZ)
        samples = samples_of(wav.readframes(wav.getnframes()))
    assert len(samples) == round(chime_module.LENGTH_S * RATE_HZ)
    assert abs(samples[0]) < 300 and samples[-1] == 0  # no click at either end
    assert max(abs(s) for s in samples) == pytest.approx(0.7 * 32767, abs=2)

    def zero_crossing_hz(part: array) -> float:
        crossings = sum(1 for a, b in itertools.pairwise(part) if a < 0 <= b)
        return crossings * RATE_HZ / len(part)

    # First tone alone, then (after the second starts) mostly the lower one.
    first = samples[: round(0.3 * RATE_HZ)]
    late = samples[round(0.9 * RATE_HZ) : round(1.2 * RATE_HZ)]
    assert zero_crossing_hz(first) == pytest.approx(chime_module.TONES_HZ[0], rel=0.03)
    assert zero_crossing_hz(late) == pytest.approx(chime_module.TONES_HZ[1], rel=0.05)


def test_espeak_is_given_plain_ascii() -> None:
    # espeak-ng's Indonesian voice reads "é" as "e akut": every text it gets is plain ASCII.
    for word in default_vocabulary(["Back Office"]):
        text = spoken_text(word)
        assert text.isascii() and text.strip(), word
