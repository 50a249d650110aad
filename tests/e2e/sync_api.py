"""The Playwright names the browser test modules use, imported in one place:
``from tests.e2e.sync_api import Page, expect`` instead of ``playwright.sync_api``.

Without the playwright package (``make test`` installs it, the dev extra), importing this
module skips the test module that imports it, with the reason; under CI (``CI`` set) the
ImportError stands and the module fails to collect: CI must not skip the browser tests
silently. (The guard cannot live in conftest.py: a module-level skip there is no skip.)
"""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip(
        "the playwright package is missing (pip install -e '.[dev]')", allow_module_level=True
    )

__all__ = ["Browser", "BrowserContext", "Locator", "Page", "expect"]
