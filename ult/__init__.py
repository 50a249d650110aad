"""The appliance core: settings, SQLite store, the queue domain and the ``ult`` command line."""

__version__ = "0.1.0"
