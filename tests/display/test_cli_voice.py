"""``ult voice say`` writes what the board plays ([display] announce_times included), and what
a technician reads of a voice error from ``ult voice`` is Indonesian (issue 14 review)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from display.service import wav_maker
from display.voice import default_vocabulary
from tests.conftest import make_settings
from tests.display.test_app import write_pack
from ult.cli import main


def ult(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, prog_name="ult")


def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, times: int) -> Path:
    home = tmp_path / f"home{times}"
    settings = make_settings(home, f"[display]\nannounce_times = {times}\n")
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.setenv("ULT_CONFIG", str(settings.source))
    assert ult("init").exit_code == 0
    return home


def frames(path: Path) -> int:
    with wave.open(str(path)) as clip:
        return clip.getnframes()


def test_voice_say_repeats_the_words_as_the_board_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = {}
    for times in (1, 3):
        home = office(tmp_path, monkeypatch, times)
        write_pack(home / "voice" / "default", default_vocabulary())
        written = tmp_path / f"a{times}.wav"
        done = ult("voice", "say", "A-123", "Loket 2", "--wav", str(written))
        assert done.exit_code == 0, done.output
        # Byte for byte the board's announcement at this setting (display.service.wav_maker).
        assert written.read_bytes() == wav_maker(home, times=times)("A-123", "Loket 2")
        counted[times] = frames(written)
    # Nine words of at least 200 frames each, said twice more; the chime once.
    assert counted[3] > counted[1] + 2 * 9 * 200
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_missing_voice_pack_is_said_in_indonesian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office(tmp_path, monkeypatch, 1)
    # No pack, and no espeak-ng to add the words on demand as the board would.
    monkeypatch.setattr("display.voice.espeak_available", lambda *args, **kwargs: False)
    written = tmp_path / "none.wav"
    refused = ult("voice", "say", "A-001", "Loket 1", "--wav", str(written))
    assert refused.exit_code == 1
    assert 'tidak ada rekaman suara untuk "nomor antrian"' in refused.output
    assert "jalankan `ult voice build`" in refused.output
    assert "no clip" not in refused.output and not written.exists()
    too_big = ult("voice", "text", "A-99999", "Loket 2")
    assert too_big.exit_code == 2
    assert "angka 99999 tidak dapat diucapkan: paling besar 9999" in too_big.output
    strange = ult("voice", "text", "A-001", "Loket é")
    assert strange.exit_code == 2 and "tidak dapat diucapkan: pakai huruf A–Z" in strange.output
