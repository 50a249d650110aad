"""The browser board says when taking a number is closed, from the state it reads
(``GET /api/v1/board``, the stream's snapshot) and in the page it is first rendered as, the
same text as the TV (:func:`ult.hours.closed_notice`), and the moment to read it again.

The clock starts Friday 27 November 2026, 11:29 in Jakarta (the break starts at 11:30).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.conftest import make_settings
from ult.clock import FakeClock, from_stamp
from ult.settings import Settings

WIB = ZoneInfo("Asia/Jakarta")
FRIDAY_BREAK = "Pengambilan nomor antrian dibuka kembali pukul 13.30"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\n")  # the default hours, enforced


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 11, 29, tzinfo=WIB))


def test_the_board_state_carries_the_notice_while_closed_only(app: Flask, clock) -> None:
    client = app.test_client()
    open_state = client.get("/api/v1/board").json
    assert open_state["closed_notice"] is None
    until = from_stamp(open_state["closed_notice_until"])
    assert until == datetime(2026, 11, 27, 11, 30, tzinfo=WIB)
    clock.set(datetime(2026, 11, 27, 11, 30, tzinfo=WIB))
    closed = client.get("/api/v1/board").json
    assert closed["closed_notice"] == FRIDAY_BREAK
    assert from_stamp(closed["closed_notice_until"]) == datetime(2026, 11, 27, 13, 30, tzinfo=WIB)
    clock.set(datetime(2026, 11, 27, 13, 30, tzinfo=WIB))
    assert client.get("/api/v1/board").json["closed_notice"] is None


def test_the_page_is_rendered_with_the_notice(app: Flask, clock) -> None:
    client = app.test_client()
    page = client.get("/board").get_data(as_text=True)
    assert 'id="board-closed" role="status" hidden' in page
    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=WIB))
    page = client.get("/board").get_data(as_text=True)
    assert f'id="board-closed" role="status">{FRIDAY_BREAK}</p>' in page
    config = json.loads(page.split("data-config='", 1)[1].split("'>", 1)[0])
    assert from_stamp(config["closedNoticeUntil"]) == datetime(2026, 11, 27, 13, 30, tzinfo=WIB)


def test_the_stream_snapshot_carries_the_notice(app: Flask, clock) -> None:
    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=WIB))
    client = app.test_client()
    # A resume point beyond the log: the stream starts with a snapshot of the board.
    response = client.get("/api/v1/board/events?since=999999", buffered=False)
    body = b""
    for chunk in response.response:
        body += chunk
        if b"event: snapshot" in body and body.endswith(b"\n\n"):
            break
    response.close()
    data = body.split(b"event: snapshot\n", 1)[1].split(b"data: ", 1)[1].split(b"\n", 1)[0]
    assert json.loads(data)["closed_notice"] == FRIDAY_BREAK
