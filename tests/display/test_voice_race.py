"""Boards asking for the same new word at once (issue 14's benchmark found 3% of the browser
boards' announcement requests answering 500): each build must succeed."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from display.chime import write_chime
from display.voice import CHIME_FILE, build_default_pack, espeak_available, word_file

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng and sox are needed")


def test_the_same_word_built_by_many_threads_at_once_is_built_and_nobody_fails(
    tmp_path: Path,
) -> None:
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def build() -> None:
        start.wait()
        try:
            build_default_pack(tmp_path, words=["enam"], jobs=1)
        except BaseException as exc:  # every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    clip = tmp_path / word_file("enam")
    assert clip.stat().st_size > 1000
    assert stat.S_IMODE(clip.stat().st_mode) == 0o644  # readable by every service
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([clip.name, CHIME_FILE])


def test_chimes_written_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "chime.wav"
    threads = [threading.Thread(target=write_chime, args=(target,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [p.name for p in tmp_path.iterdir()] == ["chime.wav"]
    assert target.read_bytes() == write_chime(tmp_path / "one.wav").read_bytes()
