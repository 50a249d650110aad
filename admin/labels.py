"""Ticket labels inside sentences staff read (issue 14: "buttons never wrap a label
mid-number"): a browser may break "A-001" after its hyphen, leaving "A-" at the end of one
line and "001" on the next. The Jinja filter ``nowrap_labels`` escapes a text and wraps each
ticket label in it in ``<span class="nowrap">`` (``white-space: nowrap`` in app.css).

What a label looks like comes from the settings' ``queue.label_format`` (e.g. "A-001" for
``"{letter}-{number:03d}"``, "001A" for ``"{number:03d}{letter}"``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

from markupsafe import Markup, escape

LETTER = "[A-Z]"
"""A service letter (settings: one of A-Z)."""
NUMBER = "[0-9]+"
"""A ticket number, zero-padded or not."""


def label_pattern(label_format: str) -> re.Pattern[str] | None:
    """The regular expression matching the labels ``label_format`` makes, as whole words
    (not inside a longer run of letters, digits or hyphens); None for a format whose labels
    are bare numbers (a run of digits never wraps) or that does not parse."""
    try:
        parsed = list(string.Formatter().parse(label_format))
    except ValueError:
        return None
    parts: list[str] = []
    for literal, name, _spec, _conversion in parsed:
        # Matched in the escaped text: a literal such as "&" appears there as "&amp;".
        parts.append(re.escape(str(escape(literal))))
        if name == "letter":
            parts.append(LETTER)
        elif name == "number":
            parts.append(NUMBER)
        elif name is not None:
            return None
    body = "".join(parts)
    if body in ("", NUMBER):
        return None
    return re.compile(rf"(?<![A-Za-z0-9-]){body}(?![A-Za-z0-9])")


def nowrap_labels(text: object, pattern: re.Pattern[str] | None) -> Markup:
    """``text`` escaped for HTML (unless it is already :class:`Markup`), each label that
    ``pattern`` matches wrapped in ``<span class="nowrap">``. None gives an empty text."""
    safe = escape("" if text is None else text)
    if pattern is None:
        return Markup(safe)
    return Markup(pattern.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(safe)))


def nowrap_filter(label_format: str) -> Callable[[object], Markup]:
    """The Jinja filter ``nowrap_labels`` for the appliance's ``label_format``."""
    pattern = label_pattern(label_format)
    return lambda text: nowrap_labels(text, pattern)
