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
    add_responses(db, DAY, "C", [answers(3)] * 7)  # 7: shown
    found = reports.survey_index(db, DAY_PERIOD, None, settings)
    overall = found.overall
    # All 15 responses: each element (4×4 + 2×3 + 2×2 + 7×3) / 15 = 47/15 = 3.1333…;
    # × 25 = 78.333… → 78.33 → B.
    assert (overall.respondents, overall.visitors) == (15, 2)
    assert (overall.ikm, overall.grade) == (Decimal("78.33"), "B")
    # Krejcie-Morgan of 2 visitors: 1.9205 / 0.96275 = 1.99 → 2; 15 ≥ 2.
    assert overall.sample_target == 2 and not overall.below_sample
    a, b, c = found.services
    # B (2) is folded; the office minus A and C would then give B's sums, so the next
    # smallest shown service, A (6 < C's 7), is folded too: 2 + 6 = 8 ≥ 5 hidden together.
    assert b.folded and b.ikm is None and b.shown_respondents is None
    assert "Kurang dari 5 responden" in (b.refused or "")
    assert a.folded and a.ikm is None and a.shown_respondents is None
    assert "digabung" in (a.refused or "")
    # C: every element 3 → NRR 3; × 25 = 75.00 → C (65.00-76.60). All equal: no weakest.
    assert (c.service, c.respondents, c.visitors, c.ikm, c.grade) == (
        "C",
        7,
        0,
        Decimal("75.00"),
        "C",
    )
    assert c.weakest == () and c.all_equal
    table = reports.report(db, "ikm_services", DAY_PERIOD, settings=settings)
    assert [r["service"] for r in table.rows] == [
        "Semua layanan",
        "A Layanan Informasi",
        "B Pengaduan",
        "C Perizinan",
    ]
    for folded_row in table.rows[1:3]:
        assert folded_row["respondents"] is None and folded_row["ikm"] is None
    assert table.rows[3]["weakest"] == "semua unsur sama"
    # Office 15 minus C's 7 leaves 8 (A and B together), never B's 2 alone.
    assert table.rows[0]["respondents"] - table.rows[3]["respondents"] == 8
    # One service asked for is a breakdown too: B alone says nothing.
    only_b = reports.report(db, "ikm", DAY_PERIOD, service="B", settings=settings)
    assert all(row["nrr"] is None for row in only_b.rows)
    assert all(row["element_answered"] is None for row in only_b.rows)


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"A": 6, "B": 7}, set()),  # nothing small
        ({"A": 6, "B": 2}, {"A", "B"}),  # 2 < 5; 2 + 6 = 8
        ({"A": 6, "B": 2, "C": 7}, {"A", "B"}),  # next smallest is A (6 < 7)
        ({"A": 3, "B": 1, "C": 9, "D": 5}, {"A", "B", "D"}),  # 3 + 1 = 4 < 5; + D's 5 = 9
        ({"A": 2, "B": 3, "C": 8}, {"A", "B"}),  # two small, 2 + 3 = 5: enough together
        ({"A": 0, "B": 6, "C": 7}, {"A"}),  # 0 hidden: nothing to subtract
        ({"A": 4}, {"A"}),  # nothing left to fold
        ({"A": 1, "B": 6, "C": 6}, {"A", "B"}),  # a tie: the first letter
    ],
)
def test_secondary_suppression_folds_until_the_hidden_total_is_no_small_group(
    counts: dict[str, int], hidden: set[str]
) -> None:
    assert ikm.suppressed(counts, 5) == hidden


def test_the_office_under_min_group_shows_its_respondents_and_no_figure(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    # Two respondents on a day: their answers would be readable off the sums.
    add_responses(db, DAY, "A", [answers(4, U9=1), answers(2, U9=None)])
    index = _index(db, settings)
    assert (index.respondents, index.shown_respondents, index.ikm) == (2, 2, None)
    assert index.folded and "Kurang dari 5 responden" in (index.refused or "")
    table = reports.report(db, "ikm", DAY_PERIOD, settings=settings)
    for row in table.rows[:9]:
        assert (row["element_answered"], row["answer_sum"], row["nrr"]) == (None, None, None)
        assert row["converted"] is None and row["weakest"] is None
    assert table.rows[9]["element_answered"] == 2  # the number of respondents stays
    body = ikm.figures_json(index)
    assert body["respondents"] == 2 and body["ikm"] is None
    assert set(body["nrr"].values()) == {None}
    services = reports.report(db, "ikm_services", DAY_PERIOD, settings=settings)
    assert services.rows[0]["respondents"] == 2 and services.rows[0]["ikm"] is None
    assert services.rows[1]["respondents"] is None  # A alone: a breakdown


def test_a_tie_of_every_element_marks_none_and_a_partial_tie_marks_all_tied(
    skm: ikm.Instrument,
) -> None:
    # Five respondents all answering 3: every NRR 15/5 = 3; nothing is the weakest.
    same = ikm.measure(skm, _sums(*[(15, 5)] * 9), 5)
    assert same.weakest == () and same.all_equal
    # U8 not answered by anyone, the rest tie: still none (no IKM either).
    unanswered = ikm.measure(skm, _sums(*[(15, 5)] * 7, (0, 0), (15, 5)), 5)
    assert unanswered.weakest == () and unanswered.all_equal and unanswered.ikm is None
    # U2 and U5 at 10/5 = 2 below the others' 3: both marked.
    partial = ikm.measure(
        skm, _sums((15, 5), (10, 5), (15, 5), (15, 5), (10, 5), *[(15, 5)] * 4), 5
    )
    assert partial.weakest == ("U2", "U5") and not partial.all_equal


def test_the_profile_counts_each_category_and_folds_the_small_ones(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    # Twelve respondents: sex 6 Laki-laki, 5 Perempuan, 1 not given; age 12 × "30-39 tahun".
    sexes = ["Laki-laki"] * 6 + ["Perempuan"] * 5 + [None]
    profiles = [{"age": "30-39 tahun"} | ({} if sex is None else {"sex": sex}) for sex in sexes]
    add_responses(db, DAY, "A", [answers(3)] * 12, profiles=profiles)
    table = reports.report(db, "survey_profile", DAY_PERIOD, settings=settings)
    rows = {(r["profile_question"], r["profile_category"]): r for r in table.rows}
    # Not given (1) is under 5; alone it would be 12 - 6 - 5 = 1, so Perempuan (5, the
    # next smallest) folds with it: 6 hidden together.
    assert rows["Jenis kelamin", "Laki-laki"]["respondents"] == 6
    assert rows["Jenis kelamin", "Perempuan"]["respondents"] is None
    assert rows["Jenis kelamin", "Perempuan"]["note"] == "digabung"
    assert rows["Jenis kelamin", "Tidak diisi"]["respondents"] is None
    assert rows["Jenis kelamin", "Tidak diisi"]["note"] == "< 5"
    # Age: one category of 12, every other 0 (folded "< 5", nothing to subtract).
    assert rows["Usia", "30-39 tahun"]["respondents"] == 12
    assert rows["Usia", "20-29 tahun"]["note"] == "< 5"
    assert rows["Usia", "Tidak diisi"]["respondents"] is None
    # Every question lists its categories in the settings' order, then "not given".
    assert [r["profile_category"] for r in table.rows[:7]] == [
        "Di bawah 20 tahun",
        "20-29 tahun",
        "30-39 tahun",
        "40-49 tahun",
        "50-59 tahun",
        "60 tahun ke atas",
        "Tidak diisi",
    ]


def test_the_suggestions_are_sorted_by_text_with_their_service_and_no_day(
    db: sqlite_utils.Database, settings: Settings
) -> None:
    other_day = date(2026, 11, 24)
    add_responses(db, DAY, "A", [answers(3)] * 3, suggestions=["Ruang tunggu panas", "", None])
    add_responses(db, other_day, "A", [answers(3)] * 2, suggestions=["=1+1 antrean cepat"])
    add_responses(db, DAY, "B", [answers(3)] * 2, suggestions=["Petugas ramah"])
    period = reports.Period(other_day, DAY)
    # 7 respondents; B (2) folds, A (5) with it against subtraction: no service is named.
    table = reports.report(db, "survey_suggestions", period, settings=settings)
    assert [(r["suggestion"], r["service"]) for r in table.rows] == [
        ("=1+1 antrean cepat", "Layanan lain (digabung)"),
        ("Petugas ramah", "Layanan lain (digabung)"),
        ("Ruang tunggu panas", "Layanan lain (digabung)"),
    ]
    assert "day" not in {c.key for c in table.columns}
    # Service A alone: its 5 respondents are enough; the service is named.
    only_a = reports.report(db, "survey_suggestions", period, service="A", settings=settings)
    assert [(r["suggestion"], r["service"]) for r in only_a.rows] == [
        ("=1+1 antrean cepat", "A Layanan Informasi"),
        ("Ruang tunggu panas", "A Layanan Informasi"),
    ]
    # B alone has 2 respondents: its suggestions are folded entirely.
    only_b = reports.report(db, "survey_suggestions", period, service="B", settings=settings)
    assert [r["suggestion"] for r in only_b.rows] == [None]
    assert "Kurang dari 5 responden" in only_b.rows[0]["note"]


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
