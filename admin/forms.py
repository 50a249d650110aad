"""What every staff page does with a posted form: read its fields, run one action, and
answer with redirect-after-post or the page again with the refusal (shared by the pages
of reception, counter, back office and supervisor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request

from admin.auth import current_principal
from admin.errors import QUEUE_STATUS
from ult.errors import QueueError


class PageRefusal(Exception):
    """A refusal decided by the page itself (no counter chosen, a form for another counter,
    a supervisor disabling their own account, ...).

    ``message`` is the Indonesian text; ``status`` the HTTP status of the page rendered
    again.
    """

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def actor() -> str:
    """The logged-in user's name: every action is recorded as theirs."""
    principal = current_principal()
    assert principal is not None  # every view is behind require()
    return principal.name


def field(name: str) -> str:
    """A posted form value, ``""`` when absent."""
    return request.form.get(name, "")


def checked(name: str) -> bool:
    """A posted checkbox: checked sends ``"1"``, unchecked sends nothing."""
    return request.form.get(name) == "1"


def run(
    action: Callable[[], list[str] | str | None],
    render: Callable[[], str],
    target: str | Callable[[], str],
    *,
    unchanged: str | None = None,
) -> Any:
    """Run one page action.

    On success flash what it did (one line, several, or ``unchanged`` when it returns
    nothing) and redirect to ``target`` (303; a callable is asked after the action, e.g.
    for the ticket it issued). On a refusal (``QueueError``, :class:`PageRefusal`) flash
    the reason and render the page again with its 4xx status, keeping what was typed
    (``render`` reads ``request.form``).
    """
    try:
        outcome = action()
    except QueueError as error:
        status, text = QUEUE_STATUS[error.kind], error.message
    except PageRefusal as error:
        status, text = error.status, error.message
    else:
        lines = [outcome] if isinstance(outcome, str) else list(outcome or [])
        lines = [line for line in lines if line]  # "" says nothing (it flashed its own)
        for line in lines or ([unchanged] if unchanged else []):
            flash(line, "success")
        return redirect(target() if callable(target) else target, 303)
    flash(text, "error")
    return render(), status
