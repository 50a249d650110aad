"""Caller board and voice announcements (pygame-ce). Built on the queue core in ``kiosk``."""
