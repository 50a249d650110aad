"""Fixtures of the printer tests: one fixed ticket and variations of it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from printer.layout import TicketContent

TICKET_URL = "https://ult.contoh.go.id/t/Zx8kQ2mP4vR7wT1yB6nDq3"
# 10.15 in Jakarta on Wednesday 25 November 2026.
ISSUED_AT = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)
LONG_OFFICE = (
    "Dinas Pendidikan dan Kebudayaan Kabupaten Kepulauan Seribu Utara Provinsi Daerah Khusus "
    "Ibukota Jakarta"
)
LONG_SERVICE = "Penilaian Angka Kredit Jabatan Fungsional Guru dan Tenaga Kependidikan"


def make_content(**changes: Any) -> TicketContent:
    """The fixed ticket A-007 of the tests, with ``changes`` applied."""
    base = TicketContent(
        office_name="Dinas Pendidikan Kabupaten Contoh",
        service_name="Layanan Informasi",
        label="A-007",
        priority=False,
        issued_at=ISSUED_AT,
        timezone=ZoneInfo("Asia/Jakarta"),
        waiting_ahead=3,
        estimated_wait_minutes=15,
        url=TICKET_URL,
        footer="Terima kasih atas kunjungan Anda.",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def content() -> Callable[..., TicketContent]:
    """A factory of the fixed ticket: ``content(priority=True)``."""
    return make_content


@pytest.fixture
def long_content() -> TicketContent:
    """The fixed ticket with an office and a service name far longer than a 58 mm line."""
    return make_content(office_name=LONG_OFFICE, service_name=LONG_SERVICE)
