"""Pages without login: the visitor's ticket page ``/t/{token}`` and the browser board."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("visitor", __name__)
