"""Indonesian number words 0-9999, checked against the rules written out below.

The rules (Tata Bahasa Baku Bahasa Indonesia, numeralia pokok):
- 0-9 are nol, satu, dua, tiga, empat, lima, enam, tujuh, delapan, sembilan.
- 10 is "sepuluh", 11 is "sebelas"; 12-19 are the digit and "belas" (dua belas ... sembilan belas).
- Tens 20-90 are the digit and "puluh" (dua puluh); a non-zero unit follows (dua puluh satu).
- Hundreds: 100 is "seratus", 200-900 the digit and "ratus"; the rest below 100 follows as above,
  nothing for zero (seratus, seratus satu, seratus sebelas).
- Thousands: 1000 is "seribu", 2000-9000 the digit and "ribu"; the rest below 1000 follows.
- "se-" replaces "satu" only directly before puluh/belas/ratus/ribu (never "satu ratus"),
  "nol" is said only for zero itself, and there is no "dan" or hyphen.
"""

from __future__ import annotations

import itertools

import pytest

from display.messages import NUMBER_WORDS
from display.numbers import number_words

UNITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def expected_words(n: int) -> list[str]:
    """The rules above, written from scratch: thousands, hundreds, then the part below 100."""
    thousands, rest = divmod(n, 1000)
    hundreds, below_100 = divmod(rest, 100)
    tens, unit = divmod(below_100, 10)
    words: list[str] = []
    if thousands:
        words += ["seribu"] if thousands == 1 else [UNITS[thousands], "ribu"]
    if hundreds:
        words += ["seratus"] if hundreds == 1 else [UNITS[hundreds], "ratus"]
    if tens == 1:
        words += {0: ["sepuluh"], 1: ["sebelas"]}.get(unit, [UNITS[unit], "belas"])
    else:
        if tens:
            words += [UNITS[tens], "puluh"]
        if unit:
            words.append(UNITS[unit])
    return words or ["nol"]


HAND_WRITTEN = {
    0: "nol",
    1: "satu",
    5: "lima",
    9: "sembilan",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    15: "lima belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    30: "tiga puluh",
    99: "sembilan puluh sembilan",
    100: "seratus",
    101: "seratus satu",
    110: "seratus sepuluh",
    111: "seratus sebelas",
    123: "seratus dua puluh tiga",
    200: "dua ratus",
    512: "lima ratus dua belas",
    999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu",
    1001: "seribu satu",
    1010: "seribu sepuluh",
    1100: "seribu seratus",
    1111: "seribu seratus sebelas",
    2000: "dua ribu",
    2026: "dua ribu dua puluh enam",
    7070: "tujuh ribu tujuh puluh",
    9999: "sembilan ribu sembilan ratus sembilan puluh sembilan",
}


@pytest.mark.parametrize(("n", "text"), sorted(HAND_WRITTEN.items()))
def test_hand_written_cases(n: int, text: str) -> None:
    assert number_words(n) == tuple(text.split())


def test_the_rules_themselves_match_the_hand_written_cases() -> None:
    # Guards the test's own re-implementation against a slip that the library might share.
    for n, text in HAND_WRITTEN.items():
        assert expected_words(n) == text.split(), n


def test_every_number_0_to_9999_follows_the_rules() -> None:
    wrong = {n: number_words(n) for n in range(10000) if list(number_words(n)) != expected_words(n)}
    assert not wrong, dict(list(wrong.items())[:10])


def test_the_vocabulary_is_exactly_the_words_numbers_use() -> None:
    used = {word for n in range(10000) for word in number_words(n)}
    assert used == set(NUMBER_WORDS)


def test_satu_never_precedes_a_multiplier_and_nol_only_for_zero() -> None:
    for n in range(1, 10000):
        words = number_words(n)
        assert "nol" not in words, n
        for first, second in itertools.pairwise(words):
            assert not (first == "satu" and second in {"belas", "puluh", "ratus", "ribu"}), n


@pytest.mark.parametrize("bad", [-1, 10000, 12345, 1.0, "7", True, None])
def test_out_of_range_or_not_an_int_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        number_words(bad)  # type: ignore[arg-type]
