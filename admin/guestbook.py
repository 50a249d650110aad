"""The guest-book page (*buku tamu*): the visits of a period with the identity recorded at
each, searchable by name, institution and document number (issue 11 §1).

``GET /buku-tamu?dari=YYYY-MM-DD&sampai=YYYY-MM-DD&cari=...&layanan=A``: the office's
business days ``dari``..``sampai`` (inclusive; default today), newest first, at most
:data:`PAGE_ROWS` rows. Who reads it: ``ACTION_ROLES["guestbook"]``; who reads the personal
data unmasked (document number, phone, address, letter number): ``ACTION_ROLES
["guestbook_personal"]`` (the supervisor); others see them masked as on the other staff
pages (:func:`admin.pages.common.identity_of`). Rows come from :func:`ult.guestbook.visits`,
as the reports and exports do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from admin.auth import allowed, require
from admin.db import get_db, get_queue
from admin.forms import PageRefusal
from admin.messages import GUESTBOOK
from admin.pages.common import identity_of, page_helpers
from admin.periods import query_period
from admin.privacy import record_view
from ult import guestbook, queries
from ult.clock import from_stamp
from ult.errors import QueueError

bp = Blueprint("guestbook", __name__)

PAGE_ROWS = 500
"""Most visits the page lists (the newest); exports carry the whole period."""
LONGEST_RANGE_DAYS = 370
"""Longest period one page asks for (a year and a little)."""


def _query(today: date) -> dict[str, Any]:
    """The page's period, search and service from the query string. Raises ``PageRefusal``."""
    start, end = query_period(
        GUESTBOOK,
        start=today,
        end=today,
        lone_start_is_one_day=True,
        longest_days=LONGEST_RANGE_DAYS,
    )
    service = request.args.get("layanan", "").strip().upper() or None
    if service is not None and service not in queries.service_names(get_db()):
        raise PageRefusal(GUESTBOOK["service_invalid"].format(value=service[:20]))
    return {"start": start, "end": end, "search": request.args.get("cari"), "service": service}


def _shown(row: dict[str, Any], *, reveal: bool) -> dict[str, Any]:
    """One guest-book row with its personal data masked unless ``reveal``; an erased
    visit's as :func:`ult.guestbook.visits` says it (nothing left to mask)."""
    if row["erased"]:
        return {**row, "recorded": from_stamp(row["recorded_at"])}
    visit = {**row, "document_kind": row["document_kind_code"]}
    identity = identity_of(visit, reveal=reveal)
    return {
        **row,
        "document_number": identity.document_number,
        "phone": identity.phone,
        "address": identity.address,
        "letter_number": identity.letter_number,
        "recorded": from_stamp(row["recorded_at"]),
    }


@bp.get("/buku-tamu")
@require("guestbook")
def index() -> Any:
    """The guest book of a period (default: today), searchable; masked per role."""
    today = get_queue().today()
    reveal = allowed("guestbook_personal")
    status = 200
    error = None
    rows: list[dict[str, Any]] = []
    try:
        query = _query(today)
        found = guestbook.visits(
            get_db(), limit=PAGE_ROWS + 1, whole_numbers_only=not reveal, **query
        )
        rows = [_shown(row, reveal=reveal) for row in found[:PAGE_ROWS]]
        if reveal and rows:
            # UU 27/2022: one audit entry per page shown unmasked, never per row.
            record_view(
                "guestbook_page",
                period=(query["start"], query["end"]),
                search=bool((query["search"] or "").strip()),
                service=query["service"],
                rows=len(rows),
            )
    except (PageRefusal, QueueError) as refusal:
        error, status = refusal.message, 422
        query = {"start": today, "end": today, "search": None, "service": None}
        found = []
    return render_template(
        "guestbook/index.html",
        rows=rows,
        query=query,
        typed=request.args,
        error=error,
        more=GUESTBOOK["shown_newest"].format(shown=PAGE_ROWS) if len(found) > PAGE_ROWS else "",
        revealed=reveal,
        service_names=queries.service_names(get_db()),
        **page_helpers(),
    ), status
