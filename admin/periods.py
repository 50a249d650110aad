"""The period a staff page reads from its query string: ``dari`` and ``sampai``
(``YYYY-MM-DD``, the office's business days, inclusive), shared by the guest book, the case
search and the privacy audit list. A value the page cannot use raises
:class:`admin.forms.PageRefusal` with the page's own Indonesian text (422), and the page
shows its default period with that message."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask import request

from admin.forms import PageRefusal


def query_day(name: str, default: date, messages: Mapping[str, str]) -> date:
    """The day in query parameter ``name``, or ``default`` when it is absent or blank.

    Raises ``PageRefusal`` with ``messages["date_invalid"]`` (``{value}``: the first 20
    characters typed) for anything but an ISO date."""
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PageRefusal(messages["date_invalid"].format(value=value[:20])) from None


def query_period(
    messages: Mapping[str, str],
    *,
    start: date,
    end: date,
    lone_start_is_one_day: bool = False,
    longest_days: int | None = None,
) -> tuple[date, date]:
    """``(dari, sampai)`` from the query string, each defaulting to ``start`` / ``end``;
    with ``lone_start_is_one_day`` a ``dari`` without ``sampai`` asks for that one day.

    Raises ``PageRefusal`` with the page's ``messages``: ``date_invalid`` (a value no date),
    ``range_reversed`` (``{start}`` after ``{end}``), ``range_too_long`` (more than
    ``longest_days`` days between them, ``{days}``; no limit when ``None``)."""
    first = query_day("dari", start, messages)
    if lone_start_is_one_day and request.args.get("dari"):
        end = first
    last = query_day("sampai", end, messages)
    if first > last:
        raise PageRefusal(messages["range_reversed"].format(start=first, end=last))
    if longest_days is not None and last - first > timedelta(days=longest_days):
        raise PageRefusal(messages["range_too_long"].format(days=longest_days))
    return first, last
