"""The IKM view of the report page in a real browser: the head of office reads a month's
index big with its grade, the elements' chart with the weakest in red, respondents against
the sample target, the services (a small one folded away, and the next smallest with it),
the respondents' suggestions and profile under the card, and downloads the CSV.

Its own appliance: the simulated day (2 finished tickets) and responses written straight
into ``survey_responses``. Screenshots go to ``/tmp/i13/shots/`` (or ``IKM_SHOTS``)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    PASSWORD,
    Appliance,
    Console,
    domain,
    fresh_appliance,
    running_admin,
)
from tests.e2e.sync_api import Page, expect
from tests.reports_day import DAY, START, simulate_day
from tests.survey_rows import add_responses, answers
from ult.clock import FakeClock

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NewPage = Callable[[], Page]
HEAD = "kepala-ikm"
SHOTS = Path(os.environ.get("IKM_SHOTS", "/tmp/i13/shots"))


@pytest.fixture(scope="module")
def ikm_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """The simulated day and 17 responses: 10 for service A, 2 for B (under min_group 5),
    5 for C (folded with B against subtraction); suggestions and profiles."""
    appliance = fresh_appliance(tmp_path_factory.mktemp("e2e-ikm"), users={"kepala": HEAD})
    with domain(appliance, FakeClock(START)) as queue:
        simulate_day(queue, queue.clock)
        # A: U1..U6 six 4s and four 3s (3.6), U7..U9 four 4s and six 3s (3.4): the 0.111 set
        # of tests/ult/test_ikm.py, IKM 88.33 (A). B's two 1s and C's five 4s: U1..U6
        # (36 + 2 + 20) / 17 = 58/17, U7..U9 (34 + 2 + 20) / 17 = 56/17; sum of NRRs
        # (6 × 58 + 3 × 56) / 17 = 516/17; / 9 × 25 = 12900/153 = 84.313… → 84.31 → B.
        a_sets = [answers(4)] * 4 + [answers(4, U7=3, U8=3, U9=3)] * 2 + [answers(3)] * 4
        a_profiles = [{"sex": "Laki-laki", "age": "30-39 tahun"}] * 5 + [
            {"sex": "Perempuan", "age": "30-39 tahun"}
        ] * 5
        a_suggestions = ["Ruang tunggu perlu kipas angin", "Petugas ramah dan penjelasannya jelas"]
        add_responses(queue.db, DAY, "A", a_sets, profiles=a_profiles, suggestions=a_suggestions)
        add_responses(
            queue.db, DAY, "B", [answers(1)] * 2, suggestions=["=1+1 antrean terlalu lama"]
        )
        c_profiles = [{"sex": "Laki-laki", "age": "40-49 tahun"}] * 5
        c_suggestions = ["Antrean cepat, terima kasih"]
        add_responses(
            queue.db, DAY, "C", [answers(4)] * 5, profiles=c_profiles, suggestions=c_suggestions
        )
    with running_admin(appliance):
        yield appliance


def test_the_head_of_office_reads_the_month_s_index(
    new_page: NewPage, ikm_appliance: Appliance, console: Console
) -> None:
    appliance = ikm_appliance
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(appliance.url("/login"))
    page.get_by_label("Nama pengguna").fill(HEAD)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    page.wait_for_load_state("load")

    page.locator("#period-kind").select_option("month")
    page.get_by_label("Tanggal dalam periode").fill(DAY.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"period=month"))
    view = page.locator("#ikm-view")
    # 58/17 for U1..U6 and 56/17 for U7..U9: 516/17 / 9 × 25 = 84.313… → 84.31.
    expect(view.locator(".ikm-number")).to_have_text("84,31")
    expect(view.locator(".ikm-grade")).to_have_text("Mutu B · Baik")
    expect(view).to_contain_text("Unsur terendah: U7")
    samples = view.locator(".ikm-sample").inner_text()
    assert "Responden\n17" in samples and "(Krejcie-Morgan)\n2" in samples
    page.wait_for_function(
        "() => { const c = document.getElementById('chart-ikm');"
        " return !!(c && window.Chart && Chart.getChart(c) && c.width > 0); }"
    )
    colours = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-ikm')).data.datasets[0]"
        ".backgroundColor"
    )
    assert colours.count("#b00020") == 3 and colours[6:] == ["#b00020"] * 3
    services = page.locator("#section-ikm_services")
    expect(services).to_contain_text("Semua layanan")
    expect(services).to_contain_text("Kurang dari 5 responden")  # B (2)
    expect(services).to_contain_text("digabung")  # C (5): else office − A − C gives B
    # Under the card: the suggestions sorted by text, no day; services folded unnamed.
    respondents = page.locator("#survey-view")
    suggestions = respondents.locator(".suggestions li")
    expect(suggestions).to_have_text(
        [
            "=1+1 antrean terlalu lama · Layanan lain (digabung)",
            "Antrean cepat, terima kasih · Layanan lain (digabung)",
            "Petugas ramah dan penjelasannya jelas · A Layanan Informasi",
            "Ruang tunggu perlu kipas angin · A Layanan Informasi",
        ]
    )
    # Sex: Laki-laki 10, Perempuan 5 (folded with "not given" 2), not given "< 5".
    profile = respondents.locator("table.profile")
    expect(profile.locator("tr", has_text="Laki-laki")).to_have_text(re.compile(r"Laki-laki\s*10"))
    expect(profile.locator("tr", has_text="Perempuan")).to_have_text(re.compile(r"digabung"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(SHOTS / "ikm-view.png"))
    respondents.screenshot(path=str(SHOTS / "ikm-respondents.png"))
    page.screenshot(path=str(SHOTS / "ikm-page.png"), full_page=True)

    with page.expect_download() as download:
        view.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "laporan-ikm-2026-11-01_2026-11-30.csv"
    data = Path(download.value.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[-1][0] == "IKM" and rows[-1][5] == "84.31"
    assert console.problems == []
