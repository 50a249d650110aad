"""Supervisor pages: day overview, catalog, accounts and tokens, running text."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
