"""The case search (*cari kasus*, issue 14): find a case by its number, the visitor's name or
identity number, today or on past days, and open it read-only with its whole history.

``GET /kasus?cari=...&dari=YYYY-MM-DD&sampai=YYYY-MM-DD``: the cases of the office's
business days ``dari``..``sampai`` (inclusive; default today) matching ``cari``
(:func:`ult.cases.parse_search`: "A-003", "a3", part of a name, a whole or partial NIK),
newest first, at most :data:`PAGE_ROWS`. ``GET /kasus/<id>``: one case, read-only for every
role (no form): the ticket, the visit's identity, what was recorded at each step, every
event with its time, step, counter and officer, and the step durations against the SOP's
standard. Who may: ``ACTION_ROLES["cases"]`` (all staff who work the queue); the identity
number, phone, address and letter number are masked as in the guest book unless the role
may read them (``ACTION_ROLES["guestbook_personal"]``), and every page that shows them
unmasked is recorded once (:func:`admin.privacy.record_view`, UU 27/2022). The rows come
from :mod:`ult.cases`; this module only renders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request

from admin.auth import allowed, require
from admin.db import get_db, get_queue
from admin.forms import PageRefusal
from admin.messages import CASES, PAGES
from admin.pages.common import event_text, identity_of, page_helpers
from admin.periods import query_period
from admin.privacy import record_view
from ult import cases, guestbook, queries
from ult.errors import QueueError
from ult.messages import CHOICES, ERASED_IDENTITY, EXEMPTIONS, PRIORITY_CATEGORIES

bp = Blueprint("cases", __name__)

PAGE_ROWS = 200
"""Most cases the search page lists (the newest)."""
LONGEST_RANGE_DAYS = 370
"""Longest period one search covers (a year and a little, as the guest book)."""
REVEAL_ACTION = "guestbook_personal"
"""Who reads the personal data unmasked here: the guest book's rule."""


def _query(today: date) -> dict[str, Any]:
    """The page's period and search from the query string. Raises ``PageRefusal`` or
    ``QueueError`` (a search too long or with control characters)."""
    start, end = query_period(
        CASES,
        start=today,
        end=today,
        lone_start_is_one_day=True,
        longest_days=LONGEST_RANGE_DAYS,
    )
    return {"start": start, "end": end, "search": cases.parse_search(request.args.get("cari"))}


def _identity_text(row: dict[str, Any], *, reveal: bool) -> str:
    """A result's identity number as this role sees it ("-" without a visit)."""
    if row["erased"]:
        return ERASED_IDENTITY
    if not row["has_visit"]:
        return "-"
    if reveal:
        return str(row["document_number"])
    return guestbook.mask_document(row["document_kind"], row["document_number"]) or ""


@bp.get("/kasus")
@require("cases")
def index() -> Any:
    """The cases of a period (default: today) matching the search; masked per role."""
    today = get_queue().today()
    reveal = allowed(REVEAL_ACTION)
    status = 200
    error = None
    rows: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    try:
        query = _query(today)
        found = cases.find_cases(
            get_db(),
            query["start"],
            query["end"],
            query["search"],
            limit=PAGE_ROWS + 1,
            whole_numbers_only=not reveal,
        )
        rows = [
            {**row, "identity": _identity_text(row, reveal=reveal)} for row in found[:PAGE_ROWS]
        ]
        if reveal and any(r["has_visit"] and not r["erased"] for r in rows):
            # UU 27/2022: one audit entry per page shown unmasked, never per row.
            record_view(
                "case_search",
                period=(query["start"], query["end"]),
                search=query["search"].kind if query["search"] else None,
                rows=len(rows),
            )
    except (PageRefusal, QueueError) as refusal:
        error, status = refusal.message, 422
        query = {"start": today, "end": today, "search": None}
        found = []
    search = query["search"]
    return render_template(
        "cases/index.html",
        rows=rows,
        query=query,
        typed=request.args,
        error=error,
        searched=CASES[f"searched_{search.kind}"] if search else "",
        more=CASES["shown_newest"].format(shown=PAGE_ROWS) if len(found) > PAGE_ROWS else "",
        revealed=reveal,
        service_names=queries.service_names(get_db()),
        **page_helpers(),
    ), status


def _event_name(kind: str) -> str:
    """An event of a case in Indonesian (the staff pages' history words first)."""
    return CASES.get(f"event_{kind}") or event_text(kind)


@bp.get("/kasus/<int:ticket_id>")
@require("cases")
def view(ticket_id: int) -> Any:
    """One case, read-only: the ticket, the identity (masked per role), what each step
    recorded, every event and the step durations. 404 for an unknown id."""
    found = cases.case_file(get_db(), ticket_id)
    if found is None:
        abort(404)
    ticket = found["ticket"]
    reveal = allowed(REVEAL_ACTION)
    visit = found["visit"]
    erased = visit is not None and visit["erased_at"] is not None
    identity = identity_of(visit, reveal=reveal) if visit is not None and not erased else None
    if reveal and identity is not None:
        # UU 27/2022: the case's identity shown unmasked, recorded once per page.
        record_view("case_view", ticket_id=ticket_id)
    counters = found["counters"]
    ground = ticket["exemption_ground"]
    events = [
        {
            "at": item["event"].at,
            "step": item["event"].sop_step,
            "what": _event_name(item["event"].kind),
            "counter": item["counter"],
            "actor": item["actor_name"],
        }
        for item in found["events"]
    ]
    steps = [
        {**step, "name": _step_name(step["step"], waiting=step["waiting"])}
        for step in found["steps"]
    ]
    return render_template(
        "cases/view.html",
        t=ticket,
        identity=identity,
        erased=erased,
        erased_text=ERASED_IDENTITY,
        revealed=reveal,
        events=events,
        steps=steps,
        unit=found["unit"],
        front_office=counters.get(ticket["front_office_counter_id"] or 0),
        back_office=counters.get(ticket["back_office_counter_id"] or 0),
        counter=counters.get(ticket["counter_id"] or 0),
        exemption=f"Pasal 17 huruf {ground}: {EXEMPTIONS[ground]}" if ground else None,
        choices=CHOICES,
        priority_categories=PRIORITY_CATEGORIES,
        service_names=queries.service_names(get_db()),
        **page_helpers(),
    )


def _step_name(step: int, *, waiting: bool) -> str:
    """A step record's step in words (the wait is steps 4-5 together)."""
    if waiting:
        return CASES["step_waiting"]
    return PAGES.get(f"step_{step}", str(step))
