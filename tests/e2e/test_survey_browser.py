"""The satisfaction survey in a real browser (issue 13): a phone with no script fills and
sends the SKM; the desk tablet at a counter shows the survey of the ticket just finished
there and goes back to its idle screen, after sending and after its idle time.

Finishing a case, which the browser does not need to show, goes through the real queue
domain on the appliance's own database file, as ``ult admin`` sees it. Screenshots land in
``$ULT_E2E_SHOTS`` (default ``/tmp/ult-e2e-shots``) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import USERS, Appliance, Console, domain, log_in
from tests.e2e.sync_api import Page, expect
from tests.survey_cases import finished
from ult import sitting, survey
from ult.clock import to_stamp
from ult.queue import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOTS = Path(os.environ.get("ULT_E2E_SHOTS") or Path(tempfile.gettempdir()) / "ult-e2e-shots")
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 1024, "height": 768}
OFFICER = "e2e-survei"
TABLET_POLL_MS = 10_000
"""Enough for the idle tablet's poll (every 2 s) to see a finished ticket under load."""


def finish_at(appliance: Appliance, counter: str = "Loket 1") -> Ticket:
    """One case served and finished at ``counter`` by an officer who then leaves it."""
    with domain(appliance) as queue:
        held = sitting.holder(queue.db, queue.counter(counter).id)
        if held is not None:
            queue.leave_counter(counter, actor=held.username)
        queue.take_counter(counter, actor=OFFICER)
        # The appliance serves every browser test of this worker: a case an earlier test
        # left open at this counter is cancelled, so the counter can call.
        for left in queue.db.execute(
            "SELECT id FROM tickets WHERE counter_id = ?", (queue.counter(counter).id,)
        ).fetchall():
            queue.cancel(left[0], actor=OFFICER, reason="Ditinggalkan tes sebelumnya")
        ticket = finished(queue, counter=counter)
        queue.leave_counter(counter, actor=OFFICER)
        return ticket


def leave(appliance: Appliance, counter: str, officer: str) -> None:
    """``officer`` leaves ``counter`` (the appliance is shared by this worker's tests)."""
    with domain(appliance) as queue:
        queue.leave_counter(counter, actor=officer)


def answer_leftovers(appliance: Appliance, counter: str) -> None:
    """A survey an earlier test left open at ``counter``'s tablet is answered, so the
    tablet starts idle."""
    with domain(appliance) as queue:
        instruments = survey.load_instruments(queue.settings)
        since = to_stamp(queue.clock() - timedelta(hours=1))
        offered = survey.offered_at_counter(queue.db, queue.counter(counter).id, not_before=since)
        if offered is not None:
            survey.submit(
                queue.db, ticket_id=offered, instrument="skm", answers={"U1": 3},
                instruments=instruments, now=queue.clock(), settings=queue.settings,
            )  # fmt: skip


def counter_id(appliance: Appliance, name: str) -> int:
    with domain(appliance) as queue:
        return queue.counter(name).id


def stored(appliance: Appliance) -> list[dict]:
    with domain(appliance) as queue:
        return [dict(r) for r in queue.db.query("SELECT * FROM survey_responses")]


@pytest.fixture
def contexts(new_page: Callable[..., Page]) -> Callable[..., Page]:
    """``open_page(**context_options)`` → a page in a fresh context, watched by ``console``
    (conftest's ``new_page``)."""
    return new_page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page: Page) -> None:
    """Nothing wider than the screen, and every answer a target of at least 44 px.

    Measured once the page has loaded: its heading shows as soon as the HTML is parsed, but
    the stylesheets may still be on their way (under load, the survey's own survey.css),
    and a layout forced before then measures the unstyled page (a bare label.choice is one
    line of text, 19 px)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"horizontal scroll: {width}px"
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('label.choice, button.send, select'))"
        ".map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_a_phone_without_scripts_fills_and_sends_the_survey(
    contexts: Callable[..., Page], appliance: Appliance, console: Console
) -> None:
    ticket = finish_at(appliance)
    before = len(stored(appliance))
    phone = contexts(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    asked: list[str] = []
    phone.on("request", lambda request: asked.append(request.url))
    phone.goto(appliance.url(f"/t/{ticket.token}"))
    phone.get_by_role("link", name="Isi Survei Kepuasan Masyarakat (SKM)").click()
    expect(phone.get_by_role("heading", name="Survei Kepuasan Masyarakat (SKM)")).to_be_visible()
    fits(phone)
    shot(phone, "survey-phone-form")

    phone.get_by_role("button", name="Kirim jawaban").click()  # nothing chosen
    expect(phone.get_by_role("alert")).to_have_text(
        "Pilih jawaban untuk paling sedikit satu pertanyaan sebelum mengirim."
    )
    for n, choice in ((1, "4 Sangat sesuai"), (3, "3 Cepat"), (4, "4 Gratis"), (9, "3 Baik")):
        question = phone.locator("fieldset.question").nth(n - 1)
        question.locator("label.choice", has_text=choice).click()  # the label is the target
        expect(question.get_by_role("radio", name=choice)).to_be_checked()
    phone.get_by_label("Usia").select_option("40-49 tahun")
    phone.get_by_label("Saran dan masukan (tidak wajib)").fill("Ruang tunggu\nsudah nyaman.")
    shot(phone, "survey-phone-filled")
    phone.get_by_role("button", name="Kirim jawaban").click()
    expect(phone.get_by_role("heading", name="Terima kasih")).to_be_visible()
    shot(phone, "survey-phone-thanks")

    rows = stored(appliance)
    assert len(rows) == before + 1
    [row] = [r for r in rows if r["suggestion"] == "Ruang tunggu\nsudah nyaman."]
    assert json.loads(row["answers"]) == {"U1": 4, "U3": 3, "U4": 4, "U9": 3}
    assert json.loads(row["profile"]) == {"age": "40-49 tahun"}
    phone.goto(appliance.url(f"/t/{ticket.token}/survei"))
    expect(phone.get_by_text("Survei untuk nomor ini sudah diisi. Terima kasih.")).to_be_visible()
    # Works with no internet: every request went to the appliance.
    assert asked and all(url.startswith(appliance.base_url) for url in asked), asked
    # The 422 of the empty form is the answer meant; nothing else may complain.
    assert [p for p in console.problems if "status of 422" not in p] == []


def test_the_desk_tablet_shows_the_finished_tickets_survey_and_returns_to_idle(
    contexts: Callable[..., Page], appliance: Appliance, console: Console
) -> None:
    tablet = contexts(viewport=TABLET, has_touch=True)
    log_in(tablet, appliance, "front_office")
    tablet.clock.install()  # time flows; the idle timeout is then jumped over below
    answer_leftovers(appliance, "Loket 1")
    loket1 = counter_id(appliance, "Loket 1")
    tablet.goto(appliance.url(f"/survei/meja/{loket1}"))
    idle = tablet.get_by_role("heading", name="Terima kasih telah berkunjung")
    expect(idle).to_be_visible()
    assert tablet.locator("nav").count() == 0  # no staff navigation facing the visitor
    shot(tablet, "survey-tablet-idle")

    # Finished at another counter: not this tablet's visitor.
    finish_at(appliance, "Loket 2")
    ticket = finish_at(appliance)
    form_title = tablet.get_by_role("heading", name="Survei Kepuasan Masyarakat (SKM)")
    expect(form_title).to_be_visible(timeout=TABLET_POLL_MS)
    expect(tablet.get_by_text(f"Nomor antrian {ticket.label}")).to_be_visible()
    fits(tablet)
    shot(tablet, "survey-tablet-form")
    before = len(stored(appliance))
    for n in range(1, 10):
        tablet.locator("fieldset.question").nth(n - 1).locator("label.choice").nth(2).click()
    tablet.get_by_role("button", name="Kirim jawaban").click()
    expect(tablet.get_by_text("Jawaban Anda sudah kami terima.")).to_be_visible()
    shot(tablet, "survey-tablet-thanks")
    assert len(stored(appliance)) == before + 1
    # The thank-you screen gives way to idle by itself (8 s).
    expect(idle).to_be_visible(timeout=15_000)
    expect(tablet).to_have_url(re.compile(rf"/survei/meja/{loket1}$"))

    # A visitor who walks away: after the idle time the tablet lets the survey go.
    walked_away = finish_at(appliance)
    expect(form_title).to_be_visible(timeout=TABLET_POLL_MS)
    expect(tablet.get_by_text(f"Nomor antrian {walked_away.label}")).to_be_visible()
    tablet.locator("fieldset.question").first.locator("label.choice").first.click()
    tablet.clock.fast_forward("01:00")  # half the idle time: still there (a touch restarted it)
    expect(form_title).to_be_visible()
    tablet.clock.fast_forward("02:01")
    expect(idle).to_be_visible()
    expect(tablet).to_have_url(re.compile(rf"\?lewati={walked_away.id}$"))
    tablet.clock.fast_forward("00:05")  # polls again: the let-go ticket is not shown again
    expect(idle).to_be_visible()
    assert len(stored(appliance)) == before + 1
    assert console.problems == []


def test_the_survey_link_prints_and_copies_for_an_indirect_explanation(
    contexts: Callable[..., Page], appliance: Appliance, console: Console
) -> None:
    ticket = explained_at(appliance)
    try:
        link_page(contexts, appliance, console, ticket)
    finally:
        leave(appliance, "Loket 1", USERS["front_office"])


def explained_at(appliance: Appliance, counter: str = "Loket 1") -> Ticket:
    """A case at ``counter`` explained indirectly (by phone), left for the officer's own
    browser to finish: only the session that finished a case may print its survey link."""
    with domain(appliance) as queue:
        held = sitting.holder(queue.db, queue.counter(counter).id)
        if held is not None:
            queue.leave_counter(counter, actor=held.username)
        for left in queue.db.execute(
            "SELECT id FROM tickets WHERE counter_id = ?", (queue.counter(counter).id,)
        ).fetchall():
            queue.cancel(left[0], actor=OFFICER, reason="Ditinggalkan tes sebelumnya")
        issued = queue.issue("A", actor="resepsionis").ticket
        ticket = queue.call_specific(counter, issued.id, actor="fo")
        queue.start(ticket.id, counter, actor="fo")
        queue.answer(ticket.id, counter, actor="fo", kind="available", text="Sudah dijawab.")
        return queue.explain(ticket.id, counter, actor="fo", mode="indirect")


def link_page(
    contexts: Callable[..., Page], appliance: Appliance, console: Console, ticket: Ticket
) -> None:
    """The officer finishes the case on the counter page, then prints and copies the
    survey link."""
    page = contexts(viewport={"width": 800, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, appliance, "front_office")
    page.goto(appliance.url("/counter"))
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    with domain(appliance) as queue:
        counter_id = queue.counter("Loket 1").id
    chosen = page.request.post(
        appliance.url("/counter/choose"),
        form={"csrf_token": csrf or "", "counter": str(counter_id)},
        max_redirects=0,
    )
    assert chosen.status == 303, chosen.text()
    # The finish goes through this browser's session (a form post, as the page's button
    # sends it): clicking in the page raced its live part, re-rendered by the stream.
    finished_here = page.request.post(
        appliance.url(f"/counter/tickets/{ticket.id}/finish"),
        form={
            "csrf_token": csrf or "",
            "counter_id": str(counter_id),
            "outcome": "resolved",
            "incomplete_reason": "visitor_declined",
            "survey_invited": "1",
        },
        max_redirects=0,
    )
    assert finished_here.status == 303, finished_here.text()
    page.goto(appliance.url("/counter"))
    expect(page.get_by_role("link", name="Cetak tautan survei")).to_be_visible()
    # The survey QR on the counter page has loaded (leaving sooner would abort it).
    page.wait_for_function("document.querySelector('section.survey img')?.naturalWidth > 0")
    page.goto(appliance.url(f"/survei/tautan/{ticket.id}"))
    address = f"{'http://ult.local:8080'}/t/{ticket.token}/survei"
    expect(page.locator("#survey-url")).to_have_text(address)
    qr = page.get_by_role("img", name=f"Kode QR survei untuk nomor {ticket.label}")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('.slip img').naturalWidth") > 100
    page.get_by_role("button", name="Salin tautan").click()
    expect(page.get_by_text("Tautan disalin.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    shot(page, "survey-link")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Cetak")).to_be_hidden()
    assert console.problems == []
