"""Ticket layout and printer connections (python-escpos). Built on the queue core in ``kiosk``.

A library, no daemon: ``layout`` describes a ticket once as data (``messages`` holds its
Indonesian texts); ``escpos_render`` sends it to a python-escpos printer and ``preview`` draws it
as a PNG at the paper's dot width; ``capabilities`` says what a printer profile can do;
``connections`` opens bounded USB, serial, network and file printers; ``status`` reads the
printer's state honestly.
"""
