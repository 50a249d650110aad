"""Where the checkout and its packages are, for the packaging tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("ult", "kiosk", "printer", "display", "admin")
