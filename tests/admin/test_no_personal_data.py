"""No personal data in the logs, on the board, on the ticket, in the voice or on the public
stream (UU 27/2022, issue 13 §3).

A day runs through the staff pages (the reception registers a visitor, the counter records
identities with distinctive markers) and the real queue (escalation, answer, finish); then
every public or logged output is scanned for each marker: the captured log records of
every logger, the board state (``/api/v1/board`` and :func:`display.snapshot.
board_view_state`, what the pygame board draws), every printed ticket's text and QR
(:meth:`kiosk.dispense.Dispenser.layout`), the spoken text of every call
(:func:`display.voice.announcement_text`, what ``ult voice text`` prints), the visitor's
ticket pages, and the public SSE stream replayed from its start.
"""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask

from display.snapshot import board_view_state
from display.voice import announcement_text
from kiosk.dispense import Dispenser
from printer.output import TicketOutput
from tests.admin import test_pages, test_stream
from tests.admin.test_pages import act, post, text
from tests.admin.test_stream import STREAM_PATH, event_ids, last_id
from ult.kinds import CALL_KINDS
from ult.queue import Issued, Queue
from ult.settings import Settings

desk = test_pages.desk
server = test_stream.server
streams = test_stream.streams

VISITORS = (
    {
        "name": "Zulkarnaen Qwertyadi",
        "document_kind": "ktp",
        "document_number": "1271011201900001",
        "phone": "081298765431",
        "institution": "SMK Penanda Unik",
        "address": "Jl. Kenanga Rahasia 7",
        "occupation": "Juru Kunci Langka",
    },
    {
        "name": "Marlina Xyzzyputri",
        "document_kind": "ktp",
        "document_number": "3273015205850002",
        "phone": "081298765432",
        "institution": "SDN Teruji Sekali",
        "acting_for": "1",
        "represents_name": "Yayasan Pelangi Samar",
        "represents_institution": "Koperasi Sunyi",
        "letter_type": "surat_kuasa",
        "letter_number": "SK-RAHASIA-77",
        "letter_date": "2026-11-20",
    },
    {
        "name": "Quentin Paspor",
        "document_kind": "paspor",
        "document_number": "X9876543",
        "phone": "+6281298765433",
        "institution": "Kedutaan Fiktif",
    },
)
MARKERS = (
    *(
        value
        for visitor in VISITORS
        for key, value in visitor.items()
        if key not in ("document_kind", "acting_for", "letter_type", "letter_date")
    ),
    "Qwerty",
    "Xyzzy",
    "98765",
)
"""Every value typed, and fragments of them (a masked or cut value must not leak either)."""


def scan(where: str, shown: str) -> None:
    for marker in MARKERS:
        assert marker not in shown, f"{marker!r} in {where}"


def test_a_day_with_identities_leaves_none_in_any_public_output(
    app: Flask,
    settings: Settings,
    queue: Queue,
    as_role,
    desk,
    server,
    streams,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    first_event = last_id(queue.db)
    reception, reception_csrf = as_role("receptionist")
    client, csrf = desk
    tickets: list[int] = []
    for n, visitor in enumerate(VISITORS):
        issued = post(reception, reception_csrf, "/reception/issue", pick="A")
        assert issued.status_code == 303, text(issued)
        ticket_id = queue.db.execute("SELECT MAX(id) FROM tickets").fetchone()[0]
        tickets.append(ticket_id)
        if n == 0:
            # The reception registers the first visitor before the call (SOP 3).
            registered = post(
                reception,
                reception_csrf,
                f"/reception/tickets/{ticket_id}/visitor",
                form="visitor",
                **{k: v for k, v in visitor.items() if not k.startswith(("repr", "letter"))},
            )
            assert registered.status_code == 303, text(registered)
        called = post(client, csrf, "/counter/call-next", counter_id="1")
        assert called.status_code == 303, text(called)
        assert act(client, csrf, ticket_id, "start").status_code == 303
        saved = act(client, csrf, ticket_id, "identify", form="identify", **visitor)
        assert saved.status_code == 303, text(saved)
        assert act(client, csrf, ticket_id, "detail", detail="Tunjangan profesi").status_code == 303
        if n == 1:
            queue.escalate(ticket_id, 1, actor="fo", note="Perlu cek data")
            queue.take(ticket_id, "Back Office", actor="bo")
            queue.resolve(ticket_id, "Back Office", actor="bo", text="Sudah diproses")
            queue.explain(ticket_id, 1, actor="fo", mode="direct")
            queue.finish(ticket_id, 1, actor="fo")
        else:
            queue.cancel(ticket_id, actor="fo", reason="selesai", counter=1)
    # The identities are really stored, whole (the scan would pass on an empty guest book).
    stored = json.dumps(list(queue.db.query("SELECT * FROM visits")))
    assert all(v["name"] in stored and v["phone"] in stored for v in VISITORS)
    assert len(list(queue.db.query("SELECT id FROM visits"))) == 3

    # The logs: every record of every logger while the day ran.
    # The board: the API's state and what the pygame board draws.
    scan("/api/v1/board", json.dumps(app.test_client().get("/api/v1/board").get_json()))
    state = board_view_state(queue.db)
    scan("the board state", json.dumps(state, default=str))
    # The voice: what every call of the day says.
    counters = {r["id"]: r["name"] for r in queue.db.query("SELECT id, name FROM counters")}
    calls = list(
        queue.db.query(
            f"SELECT t.label, e.counter_id FROM events e JOIN tickets t ON t.id = e.ticket_id "
            f"WHERE e.kind IN ({', '.join('?' * len(CALL_KINDS))})",
            sorted(CALL_KINDS),
        )
    )
    assert len(calls) >= 3
    spoken = [announcement_text(c["label"], counters[c["counter_id"]]) for c in calls]
    scan("the voice", "\n".join(spoken))
    # The ticket: the printed lines and the QR of each, and the visitor's ticket page.
    machine = Dispenser(queue, TicketOutput.from_settings(settings.printer), settings)
    machine.check(actor="kiosk")  # logs the printer's state: the capture below is live
    for ticket_id in tickets:
        ticket = queue.ticket(ticket_id)
        # Printed for real (the preview printer of the test settings), then laid out.
        machine.reprint(ticket_id, actor="kiosk")
        layout = machine.layout(Issued(ticket, 0, 0))
        printed = [line for _, line in layout.text_lines()]
        assert ticket.label in "\n".join(printed)
        scan("the printed ticket", "\n".join(printed) + json.dumps(layout.blocks, default=str))
        page = app.test_client().get(f"/t/{ticket.token}")
        assert page.status_code == 200
        scan("the visitor's ticket page", text(page))
    # The public stream, replayed from the day's first event.
    newest = last_id(queue.db)
    stream = streams(server, f"?since={first_event}")
    stream.until(lambda s: newest in event_ids(s.messages), timeout_s=10)
    kinds = {m.event for m in stream.messages}
    assert {"identified", "visitor_registered", "called", "finished"} <= kinds
    scan(STREAM_PATH, "\n".join(stream.lines))
    # The logs: every record of every logger while the day, the prints and the stream ran.
    assert any(r.name == "kiosk.dispense" for r in caplog.records)
    scan("the logs", "\n".join(r.getMessage() for r in caplog.records) + caplog.text)
