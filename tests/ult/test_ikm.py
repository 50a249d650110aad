"""The IKM (PermenPANRB 14/2017) against answer sets worked out by hand: the arithmetic of
each expected value is written beside it. Responses go straight into the real SQLite
file (``tests.survey_rows``); the pure :func:`ult.ikm.measure` takes per-element sums for
the sets too big to list."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
import sqlite_utils

from tests.reports_day import DAY, simulate_day
from tests.survey_rows import add_responses, answers
from ult import ikm, reports
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings
from ult.survey import load_instruments

DAY_PERIOD = reports.Period(DAY, DAY)


@pytest.fixture
def skm(settings: Settings) -> ikm.Instrument:
    return load_instruments(settings).skm


def _index(db: sqlite_utils.Database, settings: Settings, service: str | None = None) -> ikm.Index:
    return reports.survey_index(db, DAY_PERIOD, service, settings).overall


def _sums(*per_element: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """U1..U9 → (sum of answers, respondents who answered), in order."""
    return {f"U{n}": pair for n, pair in enumerate(per_element, start=1)}


def test_an_unanswered_element_divides_by_those_who_answered_it(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    add_responses(
        db,
        DAY,
        "A",
        [
            answers(4),  # r1: every element 4
            answers(3),  # r2: every element 3
            answers(4, U9=None),  # r3: U9 left unanswered
            answers(3, U4=2),  # r4
            answers(4, U9=1),  # r5
        ],
    )
    index = _index(db, settings)
    by_code = {e.code: e for e in index.elements}
    # U1..U3, U5..U8: 4+3+4+3+4 = 18 over 5 → NRR 3.6, × 25 = 90.00 → A
    assert by_code["U1"].nrr == Fraction(18, 5)
    assert (by_code["U1"].converted, by_code["U1"].grade) == (Decimal("90.00"), "A")
    # U4: 4+3+4+2+4 = 17 over 5 → 3.4, × 25 = 85.00 → B
    assert by_code["U4"].nrr == Fraction(17, 5)
    assert (by_code["U4"].converted, by_code["U4"].grade) == (Decimal("85.00"), "B")
    # U9: 4+3+3+1 = 11 over the 4 who answered it → 2.75 (not 11/5 = 2.2), × 25 = 68.75 → C
    assert (by_code["U9"].answered, by_code["U9"].total) == (4, 11)
    assert by_code["U9"].nrr == Fraction(11, 4)
    assert (by_code["U9"].converted, by_code["U9"].grade) == (Decimal("68.75"), "C")
    # Sum of NRRs: 7 × 3.6 + 3.4 + 2.75 = 31.35; mean 31.35 / 9 = 3.48333…;
    # × 25 = 87.0833… → 87.08 → B. (Dividing U9 by 5: 30.8 / 9 × 25 = 85.56.)
    assert index.respondents == 5
    assert index.mean_nrr == Fraction(3135, 900)
    assert (index.ikm, index.grade, index.grade_name) == (Decimal("87.08"), "B", "Baik")
    assert index.weakest == ("U9",)
    body = ikm.figures_json(index)
    assert body["ikm"] == "87.08"
    assert body["nrr"]["U9"] == "2.7500"
    assert body["nrr"]["U1"] == "3.6000"


def test_an_element_nobody_answered_gives_no_index_and_says_why(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    add_responses(db, DAY, "A", [answers(4, U3=None)] * 5)
    index = _index(db, settings)
    assert index.ikm is None and index.grade is None
    assert index.refused is not None and "U3" in index.refused
    # The other eight are still given: 20 / 5 = 4 → 100.00 → A.
    assert {e.code: e.converted for e in index.elements}["U1"] == Decimal("100.00")
    assert ikm.figures_json(index)["nrr"]["U3"] is None


def test_no_response_no_index(db: sqlite_utils.Database, settings: Settings) -> None:
    index = _index(db, settings)
    assert (index.respondents, index.ikm, index.visitors, index.sample_target) == (0, None, 0, 0)
    assert index.refused == ikm.IKM_TEXT["no_response"]


def test_the_grade_boundaries_are_taken_from_the_once_rounded_index(skm: ikm.Instrument) -> None:
    # 5000 respondents, every element: 2661 answered 4 and 2339 answered 3:
    # sum 4×2661 + 3×2339 = 10644 + 7017 = 17661; NRR 17661/5000 = 3.5322;
    # IKM = 3.5322 × 25 = 88.305 exactly → half up 88.31 → A (half-even would give 88.30, B).
    index = ikm.measure(skm, _sums(*[(17661, 5000)] * 9), 5000)
    assert index.mean_nrr * 25 == Fraction("88.305")
    assert (index.ikm, index.grade) == (Decimal("88.31"), "A")
    assert Decimal("88.305").quantize(Decimal("0.01"), ROUND_HALF_EVEN) == Decimal("88.30")
    # 250 respondents, every element 133 × 4 + 117 × 3 = 532 + 351 = 883 → NRR 3.532;
    # IKM = 3.532 × 25 = 88.30 exactly → B.
    index = ikm.measure(skm, _sums(*[(883, 250)] * 9), 250)
    assert (index.ikm, index.grade, index.grade_name) == (Decimal("88.30"), "B", "Baik")
    # 5000 respondents, every element 321 × 4 + 4679 × 3 = 1284 + 14037 = 15321 → 3.0642;
    # × 25 = 76.605 → 76.61 → B.
    index = ikm.measure(skm, _sums(*[(15321, 5000)] * 9), 5000)
    assert (index.ikm, index.grade) == (Decimal("76.61"), "B")
    # 320 × 4 + 4680 × 3 = 1280 + 14040 = 15320 → 3.064; × 25 = 76.60 → C.
    index = ikm.measure(skm, _sums(*[(15320, 5000)] * 9), 5000)
    assert (index.ikm, index.grade, index.grade_name) == (Decimal("76.60"), "C", "Kurang baik")
    # 5 respondents, 27 answers of 3 and 18 of 2 over the 45: each element 3+3+3+2+2 = 13
    # → 2.6; × 25 = 65.00 → C.
    index = ikm.measure(skm, _sums(*[(13, 5)] * 9), 5)
    assert (index.ikm, index.grade) == (Decimal("65.00"), "C")
    # 1000 respondents: eight elements 600 × 3 + 400 × 2 = 2600 (NRR 2.6), one
    # 596 × 3 + 404 × 2 = 2596 (2.596): sum of NRRs 20.8 + 2.596 = 23.396;
    # / 9 × 25 = 64.9888… → 64.99 → D.
    index = ikm.measure(skm, _sums(*[(2600, 1000)] * 8, (2596, 1000)), 1000)
    assert (index.ikm, index.grade, index.grade_name) == (Decimal("64.99"), "D", "Tidak baik")
    assert index.weakest == ("U9",)


def test_the_weight_is_one_ninth_not_0_111(skm: ikm.Instrument) -> None:
    # 10 respondents answered everything. U1..U6: six 4s and four 3s = 36 → NRR 3.6;
    # U7..U9: four 4s and six 3s = 34 → 3.4. Sum of NRRs 6 × 3.6 + 3 × 3.4 = 31.8.
    index = ikm.measure(skm, _sums(*[(36, 10)] * 6, *[(34, 10)] * 3), 10)
    # 1/9: 31.8 / 9 = 3.5333…; × 25 = 88.333… → 88.33 → A.
    assert (index.ikm, index.grade) == (Decimal("88.33"), "A")
    # The rounded weight 0.111: 31.8 × 0.111 = 3.5298; × 25 = 88.245 → 88.25 → B.
    weighted = sum((e.nrr * Fraction("0.111") for e in index.elements), Fraction(0)) * 25
    assert weighted == Fraction("88.245")
    assert ikm.grade(ikm.half_up(weighted)) == "B"
    # A tie: the weakest are all of U7, U8 and U9 (NRR 3.4 each).
    assert index.weakest == ("U7", "U8", "U9")


@pytest.mark.parametrize(
    ("population", "sample"),
    # Krejcie & Morgan (1970), Table 1.
    [(0, 0), (10, 10), (50, 44), (100, 80), (500, 217), (1000, 278), (10000, 370)],
)
def test_krejcie_morgan_reproduces_the_published_table(population: int, sample: int) -> None:
    # N = 100: 3.841 × 100 × 0.25 = 96.025; 0.0025 × 99 + 0.96025 = 1.20775;
    # 96.025 / 1.20775 = 79.51 → 80. N = 1000: 960.25 / 3.45775 = 277.7 → 278.
    # N = 10000: 9602.5 / 25.95775 = 369.9 → 370.
    assert ikm.sample_size(population) == sample


@pytest.mark.parametrize(
    ("text", "places"),
    [("88.305", "0.01"), ("88.304999", "0.01"), ("0.00005", "0.0001"), ("79.5", "1")],
)
def test_half_up_is_decimal_quantize_half_up(text: str, places: str) -> None:
    expected = Decimal(text).quantize(Decimal(places), ROUND_HALF_UP)
    assert ikm.half_up(Fraction(text), Decimal(places)) == expected


def test_a_value_outside_the_index_scale_has_no_grade() -> None:
    with pytest.raises(ValueError):
        ikm.grade(Decimal("24.99"))


def test_visitors_are_finished_tickets_and_small_services_are_folded(
    queue: Queue, clock: FakeClock, settings: Settings
) -> None:
    simulate_day(queue, clock)  # A-001 and B-001 finished, A-002 cancelled
    db = queue.db
    add_responses(db, DAY, "A", [answers(4)] * 4 + [answers(3)] * 2)  # 6 ≥ min_group 5
    add_responses(db, DAY, "B", [answers(2)] * 2)  # 2 < 5: folded away
    found = reports.survey_index(db, DAY_PERIOD, None, settings)
    overall = found.overall
    # All 8 responses: each element (4×4 + 2×3 + 2×2) / 8 = 26/8 = 3.25; × 25 = 81.25 → B.
    assert (overall.respondents, overall.visitors) == (8, 2)
    assert (overall.ikm, overall.grade) == (Decimal("81.25"), "B")
    # Krejcie-Morgan of 2 visitors: 1.9205 / 0.96275 = 1.99 → 2; 8 ≥ 2.
    assert overall.sample_target == 2 and not overall.below_sample
    a, b = found.services
    # A: (4×4 + 2×3) / 6 = 22/6 = 3.666…; × 25 = 91.666… → 91.67 → A.
    assert (a.service, a.respondents, a.visitors, a.ikm, a.grade) == (
        "A",
        6,
        1,
        Decimal("91.67"),
        "A",
    )
    assert b.folded and b.ikm is None and b.respondents == 0
    assert "5" in (b.refused or "")
    table = reports.report(db, "ikm_services", DAY_PERIOD, settings=settings)
    assert [r["service"] for r in table.rows] == [
        "Semua layanan",
        "A Layanan Informasi",
        "B Pengaduan",
    ]
    folded_row = table.rows[2]
    assert folded_row["respondents"] is None and folded_row["ikm"] is None
    assert "Kurang dari 5 responden" in folded_row["note"]
    # One service asked for is a breakdown too: B alone says nothing.
    only_b = reports.report(db, "ikm", DAY_PERIOD, service="B", settings=settings)
    assert all(row["nrr"] is None for row in only_b.rows)


def test_the_element_table_ends_with_the_index_row(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    add_responses(db, DAY, "A", [answers(4, U2=3)] * 5)
    table = reports.report(db, "ikm", DAY_PERIOD, settings=settings)
    assert [r["element_code"] for r in table.rows] == [*(f"U{n}" for n in range(1, 10)), "IKM"]
    u2 = table.rows[1]
    assert (u2["nrr"], u2["converted"], u2["grade"], u2["weakest"]) == (
        Decimal("3.0000"),
        Decimal("75.00"),
        "C",
        True,
    )
    last = table.rows[-1]
    # Eight NRRs of 4 and one of 3: 35 / 9 = 3.8888…; × 25 = 97.222… → 97.22 → A.
    assert (last["nrr"], last["converted"], last["grade"]) == (
        Decimal("3.8889"),
        Decimal("97.22"),
        "A",
    )
    # 5 respondents, 0 visitors (no ticket): the sample target is 0, nothing flagged.
    assert last["note"] is None


def test_another_instrument_and_out_of_scale_answers_do_not_count(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    add_responses(db, DAY, "A", [answers(1)] * 3, instrument="spkp")
    add_responses(db, DAY, "A", [answers(4) | {"U1": 9, "X1": 1}] * 5)
    index = _index(db, settings)
    assert index.respondents == 5
    by_code = {e.code: e for e in index.elements}
    assert by_code["U1"].answered == 0 and index.ikm is None
    assert by_code["U2"].nrr == 4


def test_the_period_is_its_days(db: sqlite_utils.Database, settings: Settings) -> None:
    add_responses(db, date(2026, 11, 24), "A", [answers(1)] * 5)
    add_responses(db, DAY, "A", [answers(4)] * 5)
    assert _index(db, settings).ikm == Decimal("100.00")
    month = reports.Period.of("month", DAY)
    both = reports.survey_index(db, month, None, settings).overall
    # 5 × 1 + 5 × 4 = 25 over 10 = 2.5 per element; × 25 = 62.50 → D.
    assert (both.respondents, both.ikm, both.grade) == (10, Decimal("62.50"), "D")


def test_the_index_sections_need_the_settings(db: sqlite_utils.Database) -> None:
    # The instrument and min_group come from the settings: no silent default.
    with pytest.raises(ValueError):
        reports.report(db, "ikm", DAY_PERIOD)
