"""Ticket labels never wrap mid-number in the sentences staff read (issue 14): the Jinja
filter ``nowrap_labels`` (admin.labels) escapes a text and keeps each label whole."""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

from admin.labels import label_pattern, nowrap_labels
from tests.admin.test_pages import post
from ult.queue import Queue

DEFAULT = "{letter}-{number:03d}"


def wrapped(text: object, label_format: str = DEFAULT) -> str:
    return str(nowrap_labels(text, label_pattern(label_format)))


def test_each_label_of_the_default_format_is_kept_whole() -> None:
    assert wrapped("Loket masih menangani A-001.") == (
        'Loket masih menangani <span class="nowrap">A-001</span>.'
    )
    assert wrapped("A-001 dan B-12 dipanggil") == (
        '<span class="nowrap">A-001</span> dan <span class="nowrap">B-12</span> dipanggil'
    )
    # Not a label: inside a longer word, lower case, a bare number, a date, a regulation.
    for text in ("XA-001", "A-001B", "a-001", "Loket 1", "2026-12-06", "UU 25/2009 Pasal 29"):
        assert wrapped(text) == text, text


def test_the_labels_look_is_the_settings_label_format() -> None:
    assert wrapped("Tiket 001A di Loket 2", "{number:03d}{letter}") == (
        'Tiket <span class="nowrap">001A</span> di Loket 2'
    )
    assert wrapped("Tiket A-001", "{number:03d}{letter}") == "Tiket A-001"
    assert wrapped("Tiket A/7 siap", "{letter}/{number}") == (
        'Tiket <span class="nowrap">A/7</span> siap'
    )
    # A literal that HTML escapes is matched as escaped.
    assert wrapped("Tiket A&7", "{letter}&{number}") == (
        'Tiket <span class="nowrap">A&amp;7</span>'
    )
    # Labels that are bare numbers never wrap: nothing to do.
    assert label_pattern("{number:04d}") is None
    assert wrapped("Nomor 0007", "{number:04d}") == "Nomor 0007"


def test_the_text_is_escaped_and_a_label_in_a_script_stays_escaped() -> None:
    shown = wrapped('<script>alert("A-001")</script> & <b>B-002</b>')
    assert "<script>" not in shown and "<b>" not in shown
    assert shown == (
        '&lt;script&gt;alert(&#34;<span class="nowrap">A-001</span>&#34;)&lt;/script&gt; '
        '&amp; &lt;b&gt;<span class="nowrap">B-002</span>&lt;/b&gt;'
    )
    assert isinstance(nowrap_labels("A-001", label_pattern(DEFAULT)), Markup)
    # Markup already safe is not escaped twice; None is empty.
    assert wrapped(Markup("<em>A-001</em>")) == '<em><span class="nowrap">A-001</span></em>'
    assert wrapped(None) == ""


def test_the_counter_page_keeps_the_busy_label_whole(as_role: Callable, queue: Queue) -> None:
    client, csrf = as_role("front_office")
    assert post(client, csrf, "/counter/choose", counter="1").status_code == 303
    queue.issue("A", actor="kiosk")
    queue.issue("A", actor="kiosk")
    called = post(client, csrf, "/counter/call-next", counter_id="1")
    page = client.get(called.headers["Location"]).get_data(as_text=True)
    # The flash of the call, and the note beside the disabled "Panggil berikutnya".
    said = re.findall(r'<p class="flash success" role="status">(.*?)</p>', page)
    assert any('<span class="nowrap">A-001</span>' in words for words in said), said
    assert '<span id="call-blocked" class="muted">Loket masih menangani <span class="nowrap">' \
        'A-001</span>.</span>' in page  # fmt: skip
    live = client.get("/counter/live").get_data(as_text=True)
    assert 'Loket masih menangani <span class="nowrap">A-001</span>.' in live
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ".nowrap { white-space: nowrap; }" in css
