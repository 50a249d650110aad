"""The office's record in a real browser (issue 11): the counter's identity form against a
returning document and the guest book it writes; two officers and one counter taken over.

Setup the browser does not need to show (an earlier visit, a counter left free) goes through
the real queue domain on the appliance's own database file, as ``ult admin`` sees it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import PASSWORD, Appliance, Console, clear_counter, domain, log_in
from tests.e2e.sync_api import Page, expect
from ult import sitting

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NewPage = Callable[[], Page]
SHOTS = Path(tempfile.gettempdir()) / "ult-e2e-shots"
"""Screenshots for a person to look at after a run (not asserted)."""


def visit_names(appliance: Appliance, number: str) -> list[str]:
    """The names the guest book recorded for document ``number``, oldest visit first."""
    with domain(appliance) as queue:
        rows = queue.db.execute(
            "SELECT name FROM visits WHERE document_number = ? ORDER BY id", [number]
        ).fetchall()
    return [row[0] for row in rows]


def add_officer(appliance: Appliance, username: str, full_name: str) -> None:
    appliance.ult(
        "user",
        "add",
        username,
        "--role",
        "front_office",
        "--full-name",
        full_name,
        "--password-stdin",
        stdin=PASSWORD,
    )


def log_in_as(page: Page, appliance: Appliance, username: str) -> None:
    page.goto(appliance.url("/login"))
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/counter$"))


def choose(page: Page, counter: str) -> None:
    option = page.locator("select[name=counter] option", has_text=counter)
    page.locator("select[name=counter]").select_option(option.get_attribute("value"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_returning_document_prefills_warns_on_a_new_name_and_keeps_the_old_visit(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    """A document seen before pre-fills the form; another name is saved only when the
    officer confirms it; the earlier visit keeps the name it recorded (issue 11 §1)."""
    number = "1271015505900007"
    clear_counter(appliance, "Loket 2")
    # The first visit, finished at Loket 2 under the name "Andi Pratama".
    with domain(appliance) as queue:
        first = queue.issue("A", actor="e2e").ticket
        queue.take_counter("Loket 2", actor="e2e-pertama")
        queue.call_specific("Loket 2", first.id, actor="e2e-pertama")
        queue.start(first.id, "Loket 2", actor="e2e-pertama")
        queue.identify(
            first.id,
            "Loket 2",
            actor="e2e-pertama",
            name="Andi Pratama",
            document_number=number,
            institution="SMA Negeri 2 Medan",
        )
        queue.detail(first.id, "Loket 2", actor="e2e-pertama", text="Tunjangan profesi")
        queue.answer(first.id, "Loket 2", actor="e2e-pertama", kind="available", text="Ok")
        queue.explain(first.id, "Loket 2", actor="e2e-pertama", mode="direct")
        queue.finish(first.id, "Loket 2", actor="e2e-pertama")
        queue.leave_counter("Loket 2", actor="e2e-pertama")
    second = appliance.issue("A")

    add_officer(appliance, "fo-tamu", "Tamu Tester")
    page = new_page()
    log_in_as(page, appliance, "fo-tamu")
    choose(page, "Loket 2")
    page.get_by_role("button", name="Bertugas di loket ini").click()
    page.get_by_role("button", name=f"Panggil {second}").click()
    page.get_by_role("button", name=re.compile(r"^Mulai melayani")).click()
    expect(page.locator("#current-title")).to_contain_text(second)

    form = page.locator("form.identify")
    form.get_by_label("Nomor kartu identitas").fill(number)
    form.get_by_role("button", name="Isi dari kunjungan terakhir").click()
    form = page.locator("form.identify")
    expect(form.get_by_label("Nama lengkap")).to_have_value("Andi Pratama")
    expect(form.get_by_label("Instansi / sekolah")).to_have_value("SMA Negeri 2 Medan")
    shot(page, "identity-prefilled")

    form.get_by_label("Nama lengkap").fill("Andi Pratama Siregar")
    form.get_by_role("button", name="Simpan identitas").click()
    warning = page.locator("#name-differs")
    expect(warning).to_contain_text("Andi Pratama")
    shot(page, "identity-name-differs")
    assert visit_names(appliance, number) == ["Andi Pratama"]  # nothing saved yet

    form = page.locator("form.identify")
    expect(form.get_by_label("Nama lengkap")).to_have_value("Andi Pratama Siregar")
    form.get_by_label("Simpan walau nama berbeda").check()
    form.get_by_role("button", name="Simpan identitas").click()
    expect(page.locator("#name-differs")).to_have_count(0)
    expect(page.locator("details.step summary").first).to_contain_text("Andi Pratama Siregar")
    assert visit_names(appliance, number) == ["Andi Pratama", "Andi Pratama Siregar"]

    book = new_page()
    log_in(book, appliance, "supervisor")
    book.goto(appliance.url(f"/buku-tamu?cari={number}"))
    rows = book.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=second)).to_contain_text("Andi Pratama Siregar")
    earlier = rows.filter(has_text=first.label)
    expect(earlier).to_contain_text("Andi Pratama")
    expect(earlier).not_to_contain_text("Siregar")
    shot(book, "guestbook-two-visits")

    clear_counter(appliance, "Loket 2")  # for the tests after this one
    # The refused save answers 409 with the form again: the browser logs that status, once.
    refused = [p for p in console.problems if "status of 409" in p and "/identify" in p]
    assert len(refused) == 1
    assert [p for p in console.problems if p not in refused] == []


def test_an_officer_takes_over_a_held_counter_and_the_first_sees_it(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    """Officer one holds Loket 1; officer two sees who holds it, takes it over with a
    reason; officer one's next action is refused with the takeover notice (issue 11 §3)."""
    clear_counter(appliance, "Loket 1")
    add_officer(appliance, "fo-satu", "Satu Lubis")
    add_officer(appliance, "fo-dua", "Dua Nasution")

    one = new_page()
    log_in_as(one, appliance, "fo-satu")
    choose(one, "Loket 1")
    one.get_by_role("button", name="Bertugas di loket ini").click()
    expect(one.locator("h1")).to_have_text("Loket 1")

    two = new_page()
    log_in_as(two, appliance, "fo-dua")
    held = two.locator("select[name=counter] option", has_text="Loket 1")
    expect(held).to_contain_text("dipakai oleh Satu Lubis")
    choose(two, "Loket 1")
    # Without the confirmation and a reason the counter stays with officer one.
    two.get_by_role("button", name="Bertugas di loket ini").click()
    expect(two.locator(".flash.error, [role=alert]").first).to_be_visible()
    shot(two, "takeover-refused")
    two.get_by_text("Ambil alih loket yang dipakai petugas lain").click()
    two.get_by_label("Ya, saya mengambil alih loket ini").check()
    two.get_by_label("Alasan").fill("Petugas dinas luar")
    shot(two, "takeover-form")
    two.get_by_role("button", name="Bertugas di loket ini").click()
    expect(two.locator("h1")).to_have_text("Loket 1")

    # Officer one's open page says so at once (its live part follows the event stream) ...
    notice = "Loket 1 telah diambil alih oleh Dua Nasution"
    expect(one.get_by_role("alert").filter(has_text=notice)).to_have_count(1)
    expect(one.get_by_role("button", name=re.compile(r"^Panggil berikutnya"))).to_have_count(0)
    shot(one, "takeover-live-notice")
    # ... its toolbar no longer offers to pause the counter (a live part too), and the page
    # opened again asks them to choose a counter.
    expect(one.get_by_role("button", name="Jeda loket")).to_have_count(0)
    one.reload()
    expect(one.get_by_role("heading", name="Pilih loket Anda")).to_be_visible()
    shot(one, "takeover-notice")
    with domain(appliance) as queue:  # nothing changed: officer two holds it, not paused
        counter = next(c for c in queue.counters() if c.name == "Loket 1")
        assert sitting.holder(queue.db, counter.id).username == "fo-dua"
        assert not counter.paused

    clear_counter(appliance, "Loket 1")  # for the tests after this one
    # The refused takeover (no reason) answers 409 with the page.
    refused = [p for p in console.problems if "status of 409" in p]
    assert [p.split("(http")[-1] for p in refused] == [
        appliance.url("/counter/choose").removeprefix("http") + ")",
    ]
    assert [p for p in console.problems if p not in refused] == []
