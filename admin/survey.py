"""The satisfaction survey (SKM, PermenPANRB 14/2017; SOP step 16) where visitors answer it.

- ``/t/<token>/survei`` (and ``/t/<token>/survei/<code>`` for another instrument the office
  configured, e.g. SPKP or SPAK): the visitor's phone, no login. The survey opens once the
  case is finished and closes ``[survey] answer_days`` business days later
  (:func:`ult.survey.answer_deadline`); one response per ticket and instrument
  (:func:`ult.survey.submit`).
- ``/survei/meja/<counter_id>``: the desk tablet facing the visitor at a front-office
  counter (front office or supervisor logged in, no staff navigation). Idle screen; when a
  ticket was just finished at that counter and has not answered, its survey; back to idle
  after sending, or after ``[survey] tablet_idle_seconds`` without an answer
  (``static/survey.js`` polls ``/survei/meja/<counter_id>/status``). It takes a response
  only for the ticket it offers at that moment (:func:`ult.survey.offered_at_counter`), so
  the officer logged in on it cannot answer for an earlier visitor.
- ``/survei/tautan/<ticket_id>``: a printable page with the survey's QR and address, for a
  case explained indirectly (SOP 15) whose visitor is not at the desk: for a ticket finished
  at a counter the officer sits at now (the supervisor: any), while its survey is open.

Cross-site forms on the visitor's pages: they set no cookie (see :mod:`admin.visitor`), so a
page on another site can ride on nothing the visitor's browser holds; what authorises an
answer is the ticket token in the address, which another site does not know. The form
still carries a nonce, HMAC-SHA256 of the app secret over the token and the instrument
(:func:`form_nonce`): only a form this appliance rendered for that ticket is accepted, a
scripted POST to a guessed or copied address without the page is refused, and no session
or cookie is needed for it. Flask-WTF's session token is skipped for these views only
(:data:`admin.security.TOKEN_KEYED` attribute on the view).
"""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)

from admin.auth import require
from admin.db import get_db, get_queue, settings
from admin.errors import error_response
from admin.messages import SURVEY
from admin.security import token_keyed
from admin.visitor import TOKEN
from ult import queries, sop, survey
from ult.clock import to_stamp
from ult.errors import QueueError
from ult.messages import error_text
from ult.queue import Counter, Ticket
from ult.settings import FRONT_OFFICE

bp = Blueprint("survey", __name__)

THANKS_SECONDS = 8
"""How long the desk tablet thanks the visitor before it is idle again."""
POLL_SECONDS = 2
"""How often the idle desk tablet asks whether its counter just finished a ticket."""
SURVEY_KEY = "survey_ticket_id"
"""Session key: the ticket this session just finished at its counter (until it calls the
next), whose survey QR the counter page shows and whose link it may print."""
TABLET_ANSWER_SECONDS = 20 * 60
"""How long a survey form shown on the desk tablet may still be sent: a slow visitor keeps
it open by touching it, but an abandoned form cannot be answered later by someone else."""
ANSWER_FIELD_MAX = 8
"""Longest element code a form field may carry (``ult.survey``'s element code pattern)."""


def instruments() -> survey.Instruments:
    """The instruments loaded when the app started (:func:`admin.create_app`)."""
    return current_app.extensions["ult_survey_instruments"]


def _sign(message: str) -> str:
    key = current_app.secret_key
    secret = key if isinstance(key, bytes) else str(key).encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def form_nonce(token: str, code: str) -> str:
    """The nonce a visitor's survey form carries: HMAC-SHA256(app secret, token, code)."""
    return _sign(f"survey\0{token}\0{code}")


def tablet_offer(counter_id: int, ticket_id: int, shown_at: int) -> str:
    """The token of one survey form the desk tablet showed: HMAC-SHA256(app secret,
    counter, ticket, the time it was shown in whole UTC seconds). Only a page that showed
    the form (while the ticket was offered) holds it; see :func:`tablet_submit`."""
    return _sign(f"tablet\0{counter_id}\0{ticket_id}\0{shown_at}")


def survey_url(ticket: Ticket, code: str = survey.SKM) -> str:
    """The address of ticket's survey as a visitor's phone reaches it (QR, print, copy)."""
    path = f"/t/{ticket.token}/survei"
    if code != survey.SKM:
        path += f"/{code}"
    return settings().admin.public_base_url + path


# ------------------------------------------------------------------------------ the form


def _answers_from_form(instrument: survey.Instrument) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(answers, profile)`` as posted: element fields ``U1``.. and ``profile_<code>``.

    A field named like an element code that the instrument lacks is passed on, so the
    domain refuses it by name; a field sent twice is not a value of the scale."""
    answers: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for name in request.form:
        values = request.form.getlist(name)
        value: Any = values[0] if len(values) == 1 else values
        if name.startswith("profile_"):
            profile[name.removeprefix("profile_")] = value
        elif name in instrument.codes or (
            len(name) <= ANSWER_FIELD_MAX and name[:1].isupper() and name.isalnum()
        ):
            answers[name] = value
    return answers, profile


def _form_context(instrument: survey.Instrument) -> dict[str, Any]:
    """What the form template needs besides the instrument: the posted values, to keep a
    visitor's choices when the form comes back with a message."""
    return {
        "chosen": {k: v for k, v in request.form.items()} if request.method == "POST" else {},
        "profile": instruments().profile,
        "scale": survey.SCALE,
        "suggestion_max": survey.SUGGESTION_MAX,
        "instrument": instrument,
    }


def _others(code: str) -> list[survey.Instrument]:
    """The office's further instruments, listed on the SKM page."""
    if code != survey.SKM:
        return []
    return [i for c, i in instruments().instruments.items() if c != survey.SKM]


def _now() -> datetime:
    """The app's clock (aware UTC), as the queue reads it."""
    return current_app.config["ULT_CLOCK"]()


def _closed_message(ticket: Ticket) -> str | None:
    """The visitor's message when ticket's survey has closed (``[survey] answer_days``)."""
    if survey.is_open(ticket.day, _now(), settings()):
        return None
    days = settings().survey.answer_days
    return error_text("survey_closed", label=ticket.label, days=days)


def _visitor_page(token: str, code: str) -> Any:
    ticket = get_queue().ticket_by_token(token) if TOKEN.fullmatch(token) else None
    if ticket is None:
        return render_template("visitor/404.html"), 404
    instrument = instruments().get(code)
    if instrument is None:
        return render_template("survey/unavailable.html", token=token), 404
    context: dict[str, Any] = {
        "ticket": ticket,
        "token": token,
        "others": _others(code),
        **_form_context(instrument),
    }
    if request.method == "GET":
        if ticket.state != sop.DONE:
            return render_template("survey/closed.html", **context)
        if survey.answered(get_db(), ticket.id, code):
            return render_template("survey/thanks.html", again=True, **context)
        if closed := _closed_message(ticket):
            return render_template("survey/closed.html", ended=closed, **context)
        return render_template("survey/visitor.html", nonce=form_nonce(token, code), **context)
    if not hmac.compare_digest(request.form.get("nonce", ""), form_nonce(token, code)):
        message = SURVEY["nonce_invalid"]
        return render_template("survey/closed.html", message=message, **context), 403
    answers, profile = _answers_from_form(instrument)
    try:
        survey.submit(
            get_db(),
            ticket_id=ticket.id,
            instrument=code,
            answers=answers,
            profile=profile,
            suggestion=request.form.get("suggestion"),
            instruments=instruments(),
            now=_now(),
            settings=settings(),
        )
    except QueueError as error:
        if error.code == "survey_already_answered":
            return render_template("survey/thanks.html", again=True, **context), 409
        if error.code == "survey_not_finished":
            return render_template("survey/closed.html", **context), 409
        if error.code == "survey_closed":
            return render_template("survey/closed.html", ended=error.message, **context), 409
        return render_template(
            "survey/visitor.html",
            nonce=form_nonce(token, code),
            message=error.message,
            **context,
        ), 422
    return render_template("survey/thanks.html", again=False, **context)


@bp.route("/t/<token>/survei", methods=["GET", "POST"])
@token_keyed
def visitor_survey(token: str) -> Any:
    """The SKM on the visitor's phone (the QR on the ticket leads to ``/t/<token>``)."""
    return _visitor_page(token, survey.SKM)


@bp.route("/t/<token>/survei/<code>", methods=["GET", "POST"])
@token_keyed
def visitor_instrument(token: str, code: str) -> Any:
    """Another instrument of the office (``spkp``, ``spak``) on the visitor's phone."""
    return _visitor_page(token, code)


# ------------------------------------------------------------------------------ desk tablet


def _tablet_counter(counter_id: int) -> Counter | None:
    try:
        counter = get_queue().counter(counter_id)
    except QueueError:
        return None
    return counter if counter.kind == FRONT_OFFICE and counter.active else None


def _offered(counter: Counter, *, answering: bool = False) -> int | None:
    """The ticket the tablet offers now (:func:`ult.survey.offered_at_counter`): finished
    within ``tablet_idle_seconds``, or, for a response being sent (``answering``), at any
    time, as long as it is still the counter's last finished ticket and the counter has
    called no one since. A slow visitor keeps the form open by touching it (the tablet's
    idle timer restarts on each touch), so their answers are not refused for taking long;
    the form's own token bounds that (:func:`_offer_holds`)."""
    if answering:
        return survey.offered_at_counter(get_db(), counter.id, not_before="")
    idle = timedelta(seconds=settings().survey.tablet_idle_seconds)
    since = to_stamp(_now() - idle)
    return survey.offered_at_counter(get_db(), counter.id, not_before=since)


def _offer_holds(counter_id: int, ticket_id: int | None) -> bool:
    """Whether the form sent carries the token of a form this tablet showed for
    ``ticket_id`` (:func:`tablet_offer`) at most :data:`TABLET_ANSWER_SECONDS` ago."""
    raw = request.form.get("shown_at", "")
    if ticket_id is None or not raw.isdigit() or len(raw) > 12:
        return False
    shown_at = int(raw)
    if not 0 <= _now().timestamp() - shown_at <= TABLET_ANSWER_SECONDS:
        return False
    offer = request.form.get("offer", "")
    return hmac.compare_digest(offer, tablet_offer(counter_id, ticket_id, shown_at))


def _tablet_context(counter: Counter) -> dict[str, Any]:
    return {
        "counter": counter,
        "idle_seconds": settings().survey.tablet_idle_seconds,
        "poll_seconds": POLL_SECONDS,
        "thanks_seconds": THANKS_SECONDS,
        "status_url": url_for("survey.tablet_status", counter_id=counter.id),
        "idle_url": url_for("survey.tablet", counter_id=counter.id),
    }


def _skip() -> int | None:
    """The ticket the tablet let go of after its idle time (``?lewati=<id>``)."""
    value = request.args.get("lewati", "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


@bp.get("/survei/meja/<int:counter_id>")
@require("survey_tablet")
def tablet(counter_id: int) -> Any:
    """The desk tablet of one front-office counter: idle, or the survey of the ticket the
    counter just finished."""
    counter = _tablet_counter(counter_id)
    if counter is None:
        return render_template("survey/tablet_missing.html"), 404
    context = _tablet_context(counter)
    offered = _offered(counter)
    skip = _skip()
    if offered is None or offered == skip:
        return render_template("survey/tablet.html", ticket=None, skip=skip, **context)
    ticket = get_queue().ticket(offered)
    shown_at = int(_now().timestamp())
    return render_template(
        "survey/tablet.html",
        ticket=ticket,
        shown_at=shown_at,
        offer=tablet_offer(counter.id, ticket.id, shown_at),
        **context,
        **_form_context(instruments().skm),
    )


@bp.get("/survei/meja/<int:counter_id>/status")
@require("survey_tablet")
def tablet_status(counter_id: int) -> Any:
    """``{"ticket": id | null}``: the ticket whose survey the tablet should show now."""
    counter = _tablet_counter(counter_id)
    if counter is None:
        return jsonify(error="counter_unknown", message=SURVEY["tablet_counter_unknown"]), 404
    return jsonify(ticket=_offered(counter))


@bp.post("/survei/meja/<int:counter_id>")
@require("survey_tablet")
def tablet_submit(counter_id: int) -> Any:
    """A response sent from the desk tablet: only for the ticket the tablet offers now
    (:func:`_offered`, the same rule as its own pick), so a ticket finished earlier, at
    another counter, not invited, or after the counter called again is refused (409) and
    nothing is stored; the officer logged in on the tablet cannot answer for anyone else."""
    counter = _tablet_counter(counter_id)
    if counter is None:
        return render_template("survey/tablet_missing.html"), 404
    context = _tablet_context(counter)
    raw = request.form.get("ticket_id", "")
    ticket_id = int(raw) if raw.isdigit() and len(raw) <= 18 else None
    if not _offer_holds(counter.id, ticket_id) or ticket_id != _offered(counter, answering=True):
        if (
            ticket_id is not None
            and survey.finished_counter(get_db(), ticket_id) == counter.id
            and survey.answered(get_db(), ticket_id, survey.SKM)
        ):  # the visitor's second tap on "Kirim": thank them again
            return render_template("survey/tablet_thanks.html", again=True, **context), 409
        return render_template(
            "survey/tablet.html", ticket=None, skip=None, message=SURVEY["tablet_ticket"], **context
        ), 409
    ticket = get_queue().ticket(ticket_id)
    skm = instruments().skm
    answers, profile = _answers_from_form(skm)
    try:
        survey.submit(
            get_db(),
            ticket_id=ticket.id,
            instrument=survey.SKM,
            answers=answers,
            profile=profile,
            suggestion=request.form.get("suggestion"),
            instruments=instruments(),
            now=_now(),
            settings=settings(),
        )
    except QueueError as error:
        if error.code == "survey_already_answered":
            return render_template("survey/tablet_thanks.html", again=True, **context), 409
        return render_template(
            "survey/tablet.html",
            ticket=ticket,
            message=error.message,
            **context,
            **_form_context(skm),
        ), 422
    return render_template("survey/tablet_thanks.html", again=False, **context)


# ------------------------------------------------------------------------------ survey link


def _linkable(ticket_id: int) -> tuple[Ticket, Any]:
    """``(ticket, refusal)``: the refusal (a response) when this user may not print the
    survey link of ticket ``ticket_id``, else None. Only the ticket this session has just
    finished (until it calls the next, as the counter page's QR), so nobody collects other
    visitors' links to answer them, not even the supervisor. Only while the ticket's
    survey is open (``[survey] answer_days``)."""
    ticket = get_queue().ticket(ticket_id)  # QueueError ticket_unknown: 404
    if ticket.state != sop.DONE:
        message = SURVEY["link_not_finished"].format(label=ticket.label)
        return ticket, error_response(409, "survey_not_finished", message)
    if session.get(SURVEY_KEY) != ticket.id:
        message = SURVEY["link_not_yours"].format(label=ticket.label)
        return ticket, error_response(403, "survey_link_forbidden", message)
    if (closed := _closed_message(ticket)) is not None:
        return ticket, error_response(404, "survey_closed", closed)
    return ticket, None


@bp.get("/survei/tautan/<int:ticket_id>")
@require("survey_link")
def link(ticket_id: int) -> Any:
    """A printable page with the survey's QR and address, for a visitor told the answer
    indirectly (SOP 15); browser print. Only for a finished ticket (:func:`_linkable`)."""
    ticket, refusal = _linkable(ticket_id)
    if refusal is not None:
        return refusal
    return render_template(
        "survey/link.html",
        ticket=ticket,
        url=survey_url(ticket),
        service=queries.service_names(get_db()).get(ticket.service, ticket.service),
    )


@bp.get("/survei/tautan/<int:ticket_id>/qr.png")
@require("survey_link")
def link_qr(ticket_id: int) -> Any:
    """The QR of the ticket's survey address, as a PNG (same rule as :func:`link`)."""
    ticket, refusal = _linkable(ticket_id)
    if refusal is not None:
        return refusal
    return survey_qr_png(ticket)


def survey_qr_png(ticket: Ticket) -> Response:
    """The QR of ``ticket``'s survey address (:func:`survey_url`) as a PNG response, for a
    screen or a browser print (8 px modules, the 4-module quiet zone of ISO/IEC 18004); the
    counter page's survey card and the printable link draw it here."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(survey_url(ticket))
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Response(buffer.getvalue(), mimetype="image/png", headers={"Cache-Control": "no-store"})
