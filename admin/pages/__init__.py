"""The staff pages: reception, counter, back office (with the main unit's pages).

Each page is its own blueprint, nested in ``pages`` (endpoints ``pages.<page>.<view>``)
with its templates in ``templates/<page>/``; ``pages`` gives them the shared template
helpers (:func:`admin.pages.common.page_helpers`). A refusal (``QueueError`` or a
page-level check) is flashed as an error and the page is rendered again with a 4xx status
and the typed values kept, so a typo in a NIK does not cost the whole identity form.

Live parts of each page (queues, inboxes, the printer) are separate fragments served by
``*/live`` routes; ``static/pages.js`` re-fetches them when the board stream reports an
event, with one EventSource per page (PITFALLS, admin). Without JavaScript the pages work.
"""

from __future__ import annotations

from flask import Blueprint

from admin.pages import back_office, counter, reception
from admin.pages.common import page_helpers

bp = Blueprint("pages", __name__)
bp.context_processor(page_helpers)
for _page in (reception, counter, back_office):
    bp.register_blueprint(_page.bp)
