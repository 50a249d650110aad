"""The one error type the queue domain raises when it refuses an operation."""

from __future__ import annotations

from typing import Literal

from ult.messages import error_text

Kind = Literal["invalid", "conflict", "not_found"]


class QueueError(Exception):
    """The queue refused: bad input, an illegal transition, or an unknown record.

    Attributes: ``code`` (stable, e.g. ``"counter_busy"``), ``kind`` (``"invalid"`` for bad
    values — HTTP 422, ``"conflict"`` for an illegal transition — 409, ``"not_found"`` —
    404) and ``message``, the Indonesian text shown to staff. Nothing was changed.
    """

    def __init__(self, code: str, kind: Kind, **values: object) -> None:
        self.code = code
        self.kind: Kind = kind
        self.values = values
        self.message = error_text(code, **values)
        super().__init__(self.message)


def invalid(code: str, **values: object) -> QueueError:
    """A refusal for a bad value (HTTP 422)."""
    return QueueError(code, "invalid", **values)


def conflict(code: str, **values: object) -> QueueError:
    """A refusal for an operation the ticket's or counter's state does not allow (409)."""
    return QueueError(code, "conflict", **values)


def not_found(code: str, **values: object) -> QueueError:
    """A refusal because the named record does not exist (404)."""
    return QueueError(code, "not_found", **values)
