"""Finished cases for the survey tests (the SKM opens after SOP step 16)."""

from __future__ import annotations

from ult.queue import Queue, Ticket


def finished(
    queue: Queue,
    *,
    service: str = "A",
    counter: str = "Loket 1",
    escalate: bool = False,
    mode: str = "direct",
    survey_invited: bool = True,
) -> Ticket:
    """Issue, call, serve and finish one ticket at ``counter`` (through the back office when
    ``escalate``); the record is left incomplete with the visitor's refusal as its reason."""
    issued = queue.issue(service, actor="resepsionis").ticket
    ticket = queue.call_specific(counter, issued.id, actor="fo")
    queue.start(ticket.id, counter, actor="fo")
    if escalate:
        queue.escalate(ticket.id, counter, actor="fo", note="Perlu dicek back office.")
        queue.take(ticket.id, "Back Office", actor="bo")
        queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban back office.")
    else:
        queue.answer(ticket.id, counter, actor="fo", kind="available", text="Sudah dijawab.")
    queue.explain(ticket.id, counter, actor="fo", mode=mode)
    return queue.finish(
        ticket.id,
        counter,
        actor="fo",
        incomplete_reason="visitor_declined",
        survey_invited=survey_invited,
    )


def every_answer(value: int = 4) -> dict[str, int]:
    """The nine SKM elements all answered ``value``."""
    return {f"U{n}": value for n in range(1, 10)}
