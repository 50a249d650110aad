"""Ticket layout and printer connections (python-escpos). Built on the queue core in ``kiosk``."""
