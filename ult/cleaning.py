"""Cleaning what people and devices send before it reaches the store.

Every value a queue operation takes from outside (a form, the API, the command line) passes
one of these functions: it comes back stripped and checked, or a :class:`~ult.errors.QueueError`
(``invalid``) with an Indonesian message naming the field (:data:`ult.messages.FIELDS`) is
raised and nothing is changed. Messages show what was sent through :func:`shown`, never more
than 40 printable characters of it.
"""

from __future__ import annotations

import re
from typing import Any

from ult.errors import invalid
from ult.messages import CHOICES, FIELDS

TEXT_LIMITS = {"name": 100, "institution": 120, "letter_number": 60, "reason": 300}
"""Characters of the one-line texts, by field."""
LONG_TEXT = 2000
"""Characters of a free text of several lines."""

_PHONE = re.compile(r"^(\+62|62|0)[0-9]{7,13}$")
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ROW_ID = re.compile(r"[0-9]{1,18}")
_ACTOR = re.compile(r"[^\x00-\x1f\x7f]{1,64}")


def actor(value: Any) -> str:
    """Who acts (``"siti"``, ``"kiosk:button1"``), stripped: one printable line of at most
    64 characters. Raises ``QueueError`` (``actor_invalid``)."""
    if (
        not isinstance(value, str)
        or not _ACTOR.fullmatch(value.strip())
        or not (value.strip().isprintable())
    ):
        raise invalid("actor_invalid")
    return value.strip()


def idempotency_key(value: Any) -> str | None:
    """A client's idempotency key (1-64 of ``A-Za-z0-9_-``) or ``None``."""
    if value is not None and not (isinstance(value, str) and _IDEMPOTENCY_KEY.fullmatch(value)):
        raise invalid("idempotency_key_invalid")
    return value


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be a SQLite row id (bigger ints overflow the driver)."""
    return 0 < value < 2**63


def shown(value: Any) -> str:
    """``value`` as a short text for a message, whatever was sent (a huge int has no str)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(10**40) < value < 10**40:
        return "…"
    try:
        text = value if isinstance(value, str) else repr(value)
    except ValueError:
        return "…"
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 40 else text[:39] + "…"


def letter(service: Any) -> str:
    """A service letter as typed (``" b "`` is ``"B"``); anything else is refused."""
    if not isinstance(service, str):
        raise invalid("service_unknown", service=shown(service))
    return service.strip().upper()


def row_id_in(text: str) -> int | None:
    """The row id written in ``text`` (ASCII digits only: ``"²"`` and ``"١"`` are not ids)."""
    return int(text) if _ROW_ID.fullmatch(text) and is_row_id(int(text)) else None


def text(value: Any, field: str, limit: int, *, lines: bool = False) -> str:
    """``value`` stripped; one line of printable characters, or with ``lines`` several
    (``\r\n`` from a browser's text area becomes ``\n``). Raises ``QueueError``."""
    if not isinstance(value, str) or not value.strip():
        raise invalid("text_required", field=FIELDS[field])
    clean = value.strip().replace("\r\n", "\n")
    if len(clean) > limit:
        raise invalid("text_too_long", field=FIELDS[field], limit=limit)
    if not all(ch.isprintable() or (lines and ch in "\n\t") for ch in clean):
        raise invalid("text_unprintable", field=FIELDS[field])
    return clean


def long_text(value: Any, field: str) -> str:
    """Free text of several lines (request detail, answers, notes, *disposisi*)."""
    return text(value, field, LONG_TEXT, lines=True)


def optional_text(value: Any, field: str, limit: int, *, lines: bool = False) -> str | None:
    """As :func:`text`, but nothing (``None`` or blank) is allowed and gives ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(value, field, limit, lines=lines)


def choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    """``value`` when it is one of ``choices``; the message lists them with their Indonesian
    names (:data:`ult.messages.CHOICES`)."""
    if value not in choices:
        names = ", ".join(f"{c} ({CHOICES[c]})" for c in choices)
        raise invalid("choice_invalid", field=FIELDS[field], choices=names)
    return str(value)


def phone(value: Any) -> str | None:
    """An Indonesian phone number without spaces or dashes (``+62``, ``62`` or ``0`` then 7-13
    digits), or ``None`` when none is given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise invalid("phone_invalid")
    clean = value.strip().replace(" ", "").replace("-", "")
    if not _PHONE.match(clean):
        raise invalid("phone_invalid")
    return clean
