"""The JSON API ``/api/v1`` (tickets, counters, actions) and its OpenAPI document."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
