"""Pages without login: the visitor's ticket page ``/t/{token}`` and the browser board.

- ``GET /t/<token>``: the ticket's label, service and state in plain Indonesian; while it
  waits, how many go first and the estimated wait; once called, the counter. Live through
  ``static/visitor.js`` (the board stream, then a re-fetch of ``/t/<token>/live``). After
  the case is finished it offers the satisfaction survey ``/t/<token>/survei``
  (:mod:`admin.survey`). The token is the only key: 128 random bits
  printed as a QR on the ticket, so a page can be found only by holding the ticket. No
  personal data ever appears here, not even after the front office recorded the visitor.
- ``GET /board``: the caller board for a smart TV or a spare PC, the same information as
  the pygame board (:mod:`display.board`), kept current by ``static/board.js`` from
  ``GET /api/v1/board`` and the board stream; ``GET /board/announcement.wav`` speaks a call
  with the very WAV the TV plays (:func:`display.service.wav_maker`); ``GET
  /board/slides/<n>`` serves the lower part's slides (:mod:`display.slides`).

These pages set no cookie (they do not use the staff base template, whose CSRF token would
start a session on every visitor's phone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from admin.db import get_db, get_queue, settings
from admin.messages import VISITOR
from display import board_messages
from display.calls import ANNOUNCE_MAX_AGE_SECONDS, SpokenMark, calls_to_speak
from display.slides import board_announcements, board_slides, slide_index
from ult import queries, sop, survey
from ult.kinds import CALL_KINDS, PRINTER_FAULTS, EventKind
from ult.messages import WAIT_TEXT
from ult.queue import Queue, Ticket

bp = Blueprint("visitor", __name__)

STREAM_URL = "/api/v1/board/events"
"""The public board stream (admin/stream.py)."""
BOARD_STATE_URL = "/api/v1/board"
"""The public board state (admin/stream.py): ``board_state`` plus ``service_names``."""

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
"""A ticket page token (``secrets.token_urlsafe(16)`` is 22 of these characters)."""
LABEL_MAX = 16
"""Longest ticket label (the settings refuse a label format that can be longer)."""
COUNTER_MAX = 40
"""Longest counter name (settings and catalog page)."""

ATTENTION_SECONDS = 6
"""How long the latest call stays highlighted, as on the pygame board."""


def live_event_kinds() -> tuple[str, ...]:
    """Event kinds after which a live page refreshes. EventSource delivers a named event
    only to a listener registered under that name, so the scripts need the list."""
    return (
        *sorted({t.event for t in sop.TRANSITIONS.values()}),
        *sop.RECORD_EVENTS,
        EventKind.PRINTER_STATE,
        EventKind.RUNNING_TEXT,
        EventKind.COUNTER_PAUSED,
        EventKind.COUNTER_RESUMED,
        # A takeover: the officer taken over sees it on their open page at once (issue 11).
        EventKind.COUNTER_TAKEN,
        EventKind.COUNTER_LEFT,
        EventKind.DAY_STARTED,
        EventKind.DAY_CORRECTED,
        EventKind.CATALOG_CHANGED,
        "snapshot",
    )


# ------------------------------------------------------------------------------ ticket page


@dataclass(frozen=True)
class TicketView:
    """What the visitor's page says about one ticket (never anything personal).

    ``state`` is the ticket's, or ``called_back`` for a returned case (``answer_ready``)
    whose visitor is called back to a counter.
    ``tone`` picks the look (``wait``, ``call``, ``work``, ``done``, ``stop``); ``final``
    means nothing will change any more, so the page stops following the stream;
    ``survey``: the case is finished and its survey still open and not yet answered.
    """

    label: str
    service: str
    state: str
    title: str
    lines: tuple[str, ...]
    tone: str
    final: bool
    survey: bool


def ticket_view(queue: Queue, ticket: Ticket) -> TicketView:
    """Describe ``ticket`` for its visitor, in plain Indonesian."""
    service = queries.service_names(queue.db).get(ticket.service, ticket.service)
    counter = queue.counter(ticket.counter_id).name if ticket.counter_id is not None else None
    state = ticket.state
    lines: list[str] = []
    if state == sop.WAITING:
        ahead, minutes = queue.position(ticket.id)
        if ahead:
            lines.append(VISITOR["waiting_ahead"].format(ahead=ahead))
        else:
            lines.append(VISITOR["waiting_nobody"].format(nobody=WAIT_TEXT["nobody_ahead"]))
        # Worded as the ticket words it (ult.messages.wait_text): the paper and the page agree.
        wait = queue.wait_words(minutes)
        lines.append(VISITOR["waiting_estimate"].format(label=WAIT_TEXT["wait_label"], wait=wait))
        closed = queue.closed_wait() is not None
        lines.append(VISITOR["waiting_closed_ask" if closed else "waiting_stay"])
        tone = "wait"
    elif state == sop.CALLED:
        lines.append(VISITOR["called_go"].format(counter=counter or "-"))
        tone = "call"
    elif state in sop.AT_COUNTER_STATES:
        lines.append(VISITOR["serving_at"].format(counter=counter or "-"))
        tone = "work"
    elif state == sop.ANSWER_READY and counter is not None:
        # Called back to a counter (Queue.call_back): the page says where, as a call does.
        state = "called_back"
        lines.append(VISITOR["called_back_go"].format(counter=counter))
        lines.append(VISITOR["called_back_bring"])
        tone = "call"
    elif state in sop.ESCALATION_STATES:
        lines.append(VISITOR[f"{state}_text"])
        tone = "work"
    elif state == sop.DONE:
        lines.append(VISITOR["done_text"])
        tone = "done"
    else:  # no-show, cancelled, expired
        lines.append(VISITOR[f"{state}_text"])
        tone = "stop"
    return TicketView(
        label=ticket.label,
        service=service,
        state=state,
        title=VISITOR[f"{state}_title"],
        lines=tuple(lines),
        tone=tone,
        final=state in sop.FINAL_STATES,
        survey=(
            state == sop.DONE
            and survey.is_open(ticket.day, queue.clock(), queue.settings)
            and not survey.answered(queue.db, ticket.id, survey.SKM)
        ),
    )


def _ticket(token: str) -> Ticket | None:
    """The ticket of a page token, or None (malformed or unknown token)."""
    return get_queue().ticket_by_token(token) if TOKEN.fullmatch(token) else None


def _not_found_page() -> Any:
    """A friendly 404 for a visitor with a mistyped or foreign address."""
    return render_template("visitor/404.html"), 404


@bp.get("/t/<token>")
def ticket(token: str) -> Any:
    """The visitor's own ticket page (no login: the token printed on the ticket is the key)."""
    found = _ticket(token)
    if found is None:
        return _not_found_page()
    return render_template(
        "visitor/ticket.html",
        view=ticket_view(get_queue(), found),
        token=token,
        stream_url=STREAM_URL,
        live_kinds=live_event_kinds(),
    )


@bp.get("/t/<token>/live")
def ticket_live(token: str) -> Any:
    """The changing part of the ticket page, re-fetched by ``visitor.js`` after events."""
    found = _ticket(token)
    if found is None:
        return _not_found_page()
    return render_template(
        "visitor/_status.html", view=ticket_view(get_queue(), found), token=token
    )


@bp.get("/t/")
@bp.get("/t/<path:anything>")
def ticket_elsewhere(anything: str = "") -> Any:
    """Any other address under /t/ (a QR read badly, an address cut by a chat app): the
    visitor's friendly 404 rather than the staff error page."""
    return _not_found_page()


# ------------------------------------------------------------------------------ board


def _board_now() -> datetime:
    return current_app.config["ULT_CLOCK"]()


@bp.get("/board")
def board() -> Any:
    """The browser caller board: rendered complete (it shows something even before its
    script runs), then kept current by ``board.js``."""
    from display.snapshot import board_view_state

    now = _board_now()
    state = board_view_state(get_db(), settings(), now)
    office = settings().office
    local = now.astimezone(office.tz)
    latest = state["current_call"]
    # The script builds the same texts as this template, from the board's own words.
    words = {name: getattr(board_messages, name) for name in _BOARD_WORDS}
    slides = board_slides(settings())
    seconds = settings().display.slide_seconds
    shown = slide_index(len(slides), now, seconds)
    announcements = list(board_announcements(settings()))
    locale = board_messages.LOCALE
    mark = SpokenMark()
    mark.see_all(state)
    return render_template(
        "visitor/board.html",
        state=state,
        latest=latest,
        earlier=state["earlier_calls"],
        called_today=bool(state["last_calls"]),
        msg=board_messages,
        date_text=format_date(local.date(), board_messages.DATE_PATTERN, locale=locale),
        clock_text=format_time(local, board_messages.CLOCK_PATTERN, locale=locale),
        seconds_text=f".{local.second:02d}",
        printer_fault=state.get("printer") in PRINTER_FAULTS,
        config={
            "timezone": office.timezone,
            "serverNow": int(now.timestamp() * 1000),
            "stateUrl": BOARD_STATE_URL,
            "streamUrl": STREAM_URL,
            "wavUrl": "/board/announcement.wav",
            "kinds": live_event_kinds(),
            "printerFaults": sorted(PRINTER_FAULTS),
            "callKinds": sorted(CALL_KINDS),
            "attentionSeconds": ATTENTION_SECONDS,
            "announceMaxAgeSeconds": ANNOUNCE_MAX_AGE_SECONDS,
            "lastCallId": latest["event_id"] if latest else None,
            # The newest call shown at load: later state reads speak only the calls after it.
            "spokenMark": {"id": mark.event_id, "at": mark.at.isoformat() if mark.at else None},
            # When the closed notice (service hours) may change: the state is read again.
            "closedNoticeUntil": state["closed_notice_until"],
            # Spoken at load: a call made while this page was reloading is still heard.
            "speakNow": [
                {
                    "id": c["event_id"],
                    "label": c["label"],
                    "counter": c["counter"],
                    "at": c["at"],
                    "back": bool(c.get("call_back")),
                }
                for c in calls_to_speak(state, now)
            ],
            "words": words,
            # The slides' URLs (the lower part); each shows slideSeconds, chosen by the
            # appliance's clock so every board shows the same one (display.slides).
            "slides": [f"/board/slides/{n}?v={_slide_version(p)}" for n, p in enumerate(slides)],
            "slideSeconds": settings().display.slide_seconds,
            "announcements": announcements,
        },
        announcement=(
            announcements[slide_index(len(announcements), now, seconds) or 0]
            if announcements and not slides
            else None
        ),
        slide_url=(
            f"/board/slides/{shown}?v={_slide_version(slides[shown])}"
            if shown is not None
            else None
        ),
    )


def _slide_version(path: Path) -> str:
    """Changes when the file does, so a browser never keeps an old slide from its cache."""
    stat = path.stat()
    return f"{stat.st_size:x}{stat.st_mtime_ns:x}"


@bp.get("/board/slides/<int:number>")
def slide(number: int) -> Any:
    """Slide ``number`` of the board's lower part (``[display] lower = "slides"``): one of
    the prepared files only, never a path from the request. 404 when there is no such one."""
    slides = board_slides(settings())
    if not 0 <= number < len(slides):
        return _not_found_page()
    return send_file(slides[number], max_age=300)


_BOARD_WORDS = (
    "NOW_CALLING",
    "RECALLING",
    "GO_TO",
    "COME_BACK",
    "NO_CALL_YET",
    "NEXT_CALL",
    "PAUSED",
    "IDLE",
    "PRIORITY",
    "PRIORITY_SHORT",
    "MORE",
)


def _refuse(status: int, code: str) -> Response:
    response = jsonify(error=code, message=VISITOR[code])
    response.status_code = status
    return response


def _one_line(value: str | None, limit: int) -> str | None:
    """``value`` when it is 1..``limit`` printable characters on one line, else None."""
    if value is None or not 1 <= len(value) <= limit or not value.isprintable():
        return None
    return value


@bp.get("/board/announcement.wav")
def announcement() -> Any:
    """The announcement WAV of one call, exactly what the TV board plays (chime, then
    "nomor antrian A satu silakan menuju loket satu"; ``back=1``: "silakan kembali ke" for
    a returned case's visitor called back). Only a call made today (a call-back: one
    standing now) is spoken: the page is public, and must not become a loudspeaker for any
    text."""
    label = _one_line(request.args.get("label"), LABEL_MAX)
    counter = _one_line(request.args.get("counter"), COUNTER_MAX)
    back = request.args.get("back", "0")
    if label is None or counter is None or back not in ("0", "1"):
        return _refuse(422, "announcement_invalid")
    # back=1: a returned case's visitor called back, "silakan kembali ke" (issue 14).
    come_back = back == "1"
    db, today = get_db(), get_queue().today()
    since = get_queue().clock() - timedelta(seconds=ANNOUNCE_MAX_AGE_SECONDS)
    if not queries.called_on(db, today, label, counter, come_back=come_back, since=since):
        return _refuse(404, "announcement_unknown")
    from display.service import wav_maker
    from display.voice import VoiceError

    try:
        make_wav = wav_maker(settings().home, times=settings().display.announce_times)
        wav = make_wav(label, counter, come_back=come_back)
    except VoiceError:
        return _refuse(404, "voice_missing")
    except ValueError:  # a name the voice cannot say (letters outside ASCII)
        return _refuse(422, "announcement_unspeakable")
    response = Response(wav, mimetype="audio/wav")
    response.headers["Cache-Control"] = "no-store"
    return response
