"""Log lines carry their journald priority under systemd, and only there."""

from __future__ import annotations

import os
import subprocess
import sys

from ult.logs import priority

PROGRAM = """
import logging
from ult.logs import logging_at
with logging_at(logging.INFO):
    log = logging.getLogger("ult.test")
    log.info("printer ready")
    log.warning("printer cannot print: paper_out")
    try:
        raise OSError("gone")
    except OSError:
        log.exception("worker failed")
"""


def run_logging(journal_stream: str | None) -> list[str]:
    """The stderr lines of :data:`PROGRAM`, with ``JOURNAL_STREAM`` set to the identity of
    its stderr pipe (``"ours"``), to something else, or unset (None)."""
    read, write = os.pipe()
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    if journal_stream == "ours":
        found = os.fstat(write)  # both ends of a pipe are one inode
        env["JOURNAL_STREAM"] = f"{found.st_dev}:{found.st_ino}"
    elif journal_stream is not None:
        env["JOURNAL_STREAM"] = journal_stream
    with subprocess.Popen([sys.executable, "-c", PROGRAM], stderr=write, env=env) as child:
        os.close(write)
        with os.fdopen(read, encoding="utf-8") as lines:
            text = lines.read()
    assert child.returncode == 0, text
    return text.splitlines()


def test_under_the_journal_every_line_starts_with_its_priority() -> None:
    lines = run_logging("ours")
    assert lines[0] == "<6>INFO ult.test: printer ready"
    assert lines[1] == "<4>WARNING ult.test: printer cannot print: paper_out"
    assert lines[2] == "<3>ERROR ult.test: worker failed"
    # The traceback's lines too: journald stores each line as an entry of its own.
    assert len(lines) > 3 and all(line.startswith("<3>") for line in lines[2:])


def test_a_terminal_or_a_redirected_stderr_gets_plain_lines() -> None:
    for journal_stream in (None, "1:2", "nonsense"):
        lines = run_logging(journal_stream)
        assert lines[1] == "WARNING ult.test: printer cannot print: paper_out", journal_stream
        assert not any(line.startswith("<") for line in lines)


def test_levels_map_to_syslog_priorities() -> None:
    assert [priority(level) for level in (50, 40, 30, 20, 10)] == [2, 3, 4, 6, 7]
    assert priority(25) == 4 and priority(60) == 2  # custom levels round up
