"""The report book's anchor on paper (issue 13, part 4), in a real browser: the supervisor
prints the day's book to an A4 PDF; the hash read back from the PDF's text is what
``ult verify --anchor`` accepts, and after someone edits an event of that day with the
triggers dropped, the same paper no longer vouches for the file.

The appliance is its own: a day walked through the queue domain with a FakeClock before
``ult admin`` starts. The PDF stays in the test's temporary folder (``--basetemp`` keeps it).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    USERS,
    Appliance,
    Console,
    _ult_command,
    domain,
    fresh_appliance,
    log_in,
    running_admin,
)
from tests.e2e.sync_api import Page, expect
from tests.reports_day import DAY, START, simulate_day
from ult.clock import FakeClock

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def day_appliance(tmp_path: Path) -> Iterator[Appliance]:
    """A fresh appliance holding the simulated day, with ``ult admin`` serving it."""
    home = tmp_path / "home"
    home.mkdir()
    appliance = fresh_appliance(home, users={"supervisor": USERS["supervisor"]})
    with domain(appliance, FakeClock(START)) as queue:
        simulate_day(queue, queue.clock)
    with running_admin(appliance):
        yield appliance


def verify(appliance: Appliance, anchor: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_ult_command(), "verify", "--anchor", anchor],
        env=appliance.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) missing")
def test_the_printed_anchor_checks_the_record(
    new_page: Callable[[], Page], day_appliance: Appliance, console: Console, tmp_path: Path
) -> None:
    appliance = day_appliance
    page = new_page()
    log_in(page, appliance, "supervisor")
    page.wait_for_load_state("load")
    page.goto(appliance.url(f"/reports/book?day={DAY.isoformat()}"))
    anchor_part = page.locator("#book-anchor")
    expect(anchor_part).to_contain_text("ult verify --anchor")
    page.emulate_media(media="print")
    expect(anchor_part).to_be_visible()
    pdf = tmp_path / "buku-laporan.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The hash as a person reads it off the paper: on a line of its own, whole.
    printed = re.findall(r"^\s*([0-9a-f]{64})\s*$", text, re.MULTILINE)
    assert len(printed) == 1, text
    anchor = printed[0]
    assert f"ult verify --anchor {anchor}" in " ".join(text.split())
    held = verify(appliance, anchor)
    assert held.returncode == 0, held.stdout + held.stderr
    assert "Jangkar ditemukan pada peristiwa #" in held.stdout

    conn = sqlite3.connect(appliance.home / "ult.db")
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'orang lain' WHERE id = 5")
    conn.commit()
    conn.close()
    broken = verify(appliance, anchor)
    assert broken.returncode == 1 and "Peristiwa #5 DIUBAH" in broken.stdout
    assert console.problems == []
