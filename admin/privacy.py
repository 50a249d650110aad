"""The visitors' personal data (UU 27/2022): the supervisor's page, the public notice, and
the one helper every page uses to record a view of unmasked personal data.

``GET /privasi`` (supervisor, ``ACTION_ROLES["privacy"]``): an access request (``POST
/privasi/ekspor``: everything held about one identity number as a JSON file), an erasure
request (``POST /privasi/hapus``: first the visits to confirm, then the erasure), and the
audit list of personal-data events, filterable by period (``dari``/``sampai``), user
(``pengguna``) and kind (``jenis``), newest first, paged (``halaman``).
``GET /privasi/pemberitahuan``: the privacy notice, public (no login), linked from the
registration forms and the visitor's ticket page.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from admin.auth import current_principal, require
from admin.db import get_db, get_queue, settings
from admin.forms import PageRefusal
from admin.messages import PRIVACY, PRIVACY_WHAT
from admin.periods import query_period
from ult import dates, privacy, queries, sitting
from ult.errors import QueueError, not_found
from ult.guestbook import mask_document
from ult.kinds import EventKind

bp = Blueprint("privacy", __name__)


def now_utc() -> datetime:
    """The app's clock (a FakeClock in tests), aware UTC."""
    return current_app.config["ULT_CLOCK"]()  # type: ignore[no-any-return]


DEFAULT_AUDIT_DAYS = 30
"""The audit list's default period: the last 30 days up to today."""
_USER = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")
KIND_NAMES = {
    str(EventKind.PERSONAL_DATA_VIEWED): PRIVACY["kind_viewed"],
    str(EventKind.PERSONAL_DATA_EXPORTED): PRIVACY["kind_exported"],
    str(EventKind.PERSONAL_DATA_ERASED): PRIVACY["kind_erased"],
    str(EventKind.VISITS_PURGED): PRIVACY["kind_purged"],
}


def record_view(
    what: str,
    *,
    exported: bool = False,
    ticket_id: int | None = None,
    period: tuple[date, date] | None = None,
    **details: Any,
) -> None:
    """Record that the current user saw (``exported``: downloaded) unmasked personal data:
    one ``personal_data_viewed``/``personal_data_exported`` event naming ``what`` (a key of
    :data:`admin.messages.PRIVACY_WHAT`) and the ticket or period, never the data."""
    principal = current_principal()
    privacy.record_access(
        get_db(),
        at=now_utc(),
        actor=principal.name[:64] if principal else "anonymous",
        what=what,
        exported=exported,
        ticket_id=ticket_id,
        period=period,
        **details,
    )


def _filters(today: date) -> dict[str, Any]:
    """The audit list's filters from the query string. Raises ``PageRefusal``."""
    start, end = query_period(PRIVACY, start=today - timedelta(days=DEFAULT_AUDIT_DAYS), end=today)
    user = request.args.get("pengguna", "").strip() or None
    if user is not None and not _USER.fullmatch(user):
        raise PageRefusal(PRIVACY["user_invalid"])
    kind = request.args.get("jenis", "").strip() or None
    page_text = request.args.get("halaman", "1").strip() or "1"
    if not page_text.isdigit() or int(page_text) < 1 or len(page_text) > 6:
        raise PageRefusal(PRIVACY["page_invalid"])
    return {"start": start, "end": end, "actor": user, "kind": kind, "page": int(page_text)}


def local_time(moment: datetime) -> str:
    """An aware time in the office's zone, as staff read it (``6 Desember 2026 18.17.00``:
    the access log is read to the second)."""
    return dates.datetime_text(moment, settings().office.tz, seconds=True)


def local_day(day: date) -> str:
    """A business day as staff read it (``6 Desember 2026``)."""
    return dates.date_text(day, settings().office.tz)


def day_text(value: Any) -> str:
    """A day from an access-log payload (an ISO ``YYYY-MM-DD`` text) as staff read it
    (``6 Desember 2026``, issue 14: no ISO dates on staff pages); a text that is no day is
    shown as it is (an old or foreign payload must not break the page)."""
    try:
        return dates.date_text(value, settings().office.tz)
    except (TypeError, ValueError):
        return str(value)


def _render(status: int = 200, *, error: str | None = None, **extra: Any) -> Any:
    today = get_queue().today()
    entries: list[privacy.AuditEntry] = []
    more = False
    try:
        filters = _filters(today)
        entries, more = privacy.audit(get_db(), tz=settings().office.tz, **filters)
    except (PageRefusal, QueueError) as refused:
        error, status = refused.message, 422
        filters = {
            "start": today - timedelta(days=DEFAULT_AUDIT_DAYS),
            "end": today,
            "actor": None,
            "kind": None,
            "page": 1,
        }
    query = {k: v for k, v in request.args.items() if k != "halaman"}
    return render_template(
        "privacy/index.html",
        entries=entries,
        more=more,
        filters=filters,
        query=query,
        error=error,
        kind_names=KIND_NAMES,
        what_names=PRIVACY_WHAT,
        local_time=local_time,
        local_day=local_day,
        day_text=day_text,
        privacy_settings=settings().privacy,
        **extra,
    ), status


@bp.get("/privasi")
@require("privacy")
def index() -> Any:
    """Access and erasure requests, and the audit list (supervisor)."""
    return _render()


def _number() -> str:
    """The identity number posted, normalised. Raises ``QueueError`` (Indonesian text)."""
    return privacy.identity_number(request.form.get("nomor", ""))


@bp.post("/privasi/ekspor")
@require("privacy")
def export() -> Any:
    """An access request: everything held about one identity number as a JSON file
    (recorded as ``personal_data_exported``). Bad number 422, none held 404: the page again
    with the message, nothing recorded."""
    try:
        number = _number()
        data, _visits = privacy.export_identity(
            get_db(),
            number,
            at=now_utc(),
            actor=current_principal().name[:64],  # type: ignore[union-attr]
            office=settings().office.name,
        )
    except QueueError as refused:
        return _render(404 if refused.kind == "not_found" else 422, error=refused.message)
    response = Response(data, content_type="application/json; charset=utf-8")
    stamp = get_queue().today().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="data-pribadi-{stamp}.json"'
    return response


@bp.post("/privasi/hapus")
@require("privacy")
def erase() -> Any:
    """An erasure request: without ``konfirmasi`` the page asks to confirm, listing the
    visits to be erased (day, ticket, service, name, institution) so the supervisor checks
    them against the person, and the number masked; the confirmation form posted without
    its tick (``langkah=konfirmasi``) gets the box again with a message (422). With
    ``konfirmasi=1`` the identity is erased (recorded as ``personal_data_erased``). Bad
    number 422, none held 404."""
    try:
        number = _number()
        visits = privacy.held_visits(get_db(), number)
        if not visits:
            raise not_found("identity_not_held")
        if request.form.get("konfirmasi") != "1":
            kind = "ktp" if number.isdigit() and len(number) == 16 else "lainnya"
            unticked = request.form.get("langkah") == "konfirmasi"
            return _render(
                422 if unticked else 200,
                error=PRIVACY["confirm_missing"] if unticked else None,
                confirm={
                    "number": number,
                    "masked": mask_document(kind, number),
                    "count": len(visits),
                    "visits": visits,
                    "services": queries.service_names(get_db()),
                },
            )
        erased = privacy.erase_identity(
            get_db(),
            number,
            at=now_utc(),
            actor=current_principal().name[:64],  # type: ignore[union-attr]
        )
    except QueueError as refused:
        return _render(404 if refused.kind == "not_found" else 422, error=refused.message)
    flash(PRIVACY["erased"].format(count=erased), "info")
    return redirect(url_for("privacy.index"))


@bp.get("/privasi/pemberitahuan")
def notice() -> Any:
    """The privacy notice (UU 27/2022): purpose, legal basis, retention, the data protection
    officer, the visitor's rights. Public: a visitor reads it from the ticket's QR."""
    return render_template("privacy/notice.html", privacy_settings=settings().privacy)


@bp.app_context_processor
def _notice_settings() -> dict[str, Any]:
    """``privacy_notice`` (``[privacy]`` settings) for the short notice on every form."""
    return {"privacy_notice": settings().privacy}


def record_case_view(ticket: Any, what: str) -> None:
    """Record an unmasked view of ``ticket``'s visitor unless it is the viewer's own case.

    The officer serving a case sees what they recorded: processing for the public task
    (UU 27/2022 Pasal 20 ayat (2) huruf e) needs no entry per glance, and the counter pages
    re-render often. A view from outside the case is recorded: a user who sits at none of
    the counters holding the ticket (its current, front-office and back-office counter),
    such as the supervisor reading a case or another counter's officer opening it through
    the API. A main-unit account sees only its own units' cases (:func:`admin.auth.may_reveal`).
    """
    principal = current_principal()
    if principal is None or principal.role == "unit":
        return
    db = get_db()
    counters = {
        ticket.counter_id,
        ticket.front_office_counter_id,
        ticket.back_office_counter_id,
    } - {None}
    for counter_id in counters:
        seat = sitting.holder(db, counter_id)
        if seat is not None and seat.username == principal.name:
            return
    record_view(what, ticket_id=ticket.id)
