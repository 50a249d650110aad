"""Public board state and its Server-Sent Events stream, and the health check."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stream", __name__)
