"""Staff web app, JSON API and event stream (Flask). Built on the queue core in ``kiosk``."""
