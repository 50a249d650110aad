"""Staff pages: reception (SOP 2-4), counter (SOP 5-9, 15-16), back office (SOP 10-14)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
