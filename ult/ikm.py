"""The satisfaction index (IKM) of the SKM, exactly as PermenPANRB 14/2017 computes it.

Per element (*unsur*) ``U1``..``U9``: its NRR (*nilai rata-rata*) is the sum of its answers
divided by the number of respondents who answered that element (an element left
unanswered by a respondent counts neither in its sum nor in its divisor). The IKM is the
mean of the nine NRRs times 25: the regulation's weight is 1/9 for each element, so the
mean is taken exactly (``fractions.Fraction``), never with a rounded weight 0.111 (which
gives 0.999 of the index and can cost a grade at a boundary). The exact value is rounded
once, half up, to two decimals (``Decimal.quantize`` with ``ROUND_HALF_UP``), and the
rounded value is graded (:data:`GRADES`): 88.31-100.00 A *Sangat baik*, 76.61-88.30 B
*Baik*, 65.00-76.60 C *Kurang baik*, 25.00-64.99 D *Tidak baik*. Each element's converted
value is its NRR times 25, rounded and graded the same way.

Rules this module decides (the regulation is silent on them):

- An element that no respondent of the group answered has no NRR. The regulation's mean
  is over all nine NRRs, so the group gets no IKM (``ikm`` None) and :attr:`Index.refused`
  says which elements are missing; the NRRs of the other elements are still given.
- The weakest element is the one with the lowest NRR (exact); on a tie every element with
  that NRR is marked, except when every answered element ties: then none is the weakest
  (:attr:`Index.all_equal`, "semua unsur sama"), or the whole chart would be marked.
- Respondents: the group's responses of the SKM (a response that left every element
  unanswered still counts as a respondent; it adds to no element). Only integer answers on
  the scale (:data:`ult.survey.SCALE`) of the instrument's element codes are counted.
- Visitors (the population N of the sample size): the tickets of the period's business
  days that reached the state ``done`` (finished, resolved or not), of the service when
  one is asked. The sample target is Krejcie-Morgan's (:func:`sample_size`).
- Small groups: a breakdown (a service) with fewer than ``[survey] min_group`` respondents
  is folded away (:attr:`Index.folded`): neither its respondents nor its figures are
  shown, so a response cannot be tied to one visitor; a report asked for one service is a
  breakdown too. The whole office under ``min_group`` respondents keeps its number of
  respondents (and visitors, sample) but shows no NRR, sum or index either.
- Subtraction: the office minus the services shown must not give a folded service's
  figures, so while the folded services together hold 1 to ``min_group - 1`` respondents,
  the smallest shown service is folded too (secondary suppression, :func:`suppressed`).

Responses are read from ``survey_responses`` (migration ``_v10_survey``); SQLite sums the
integer answers per service and element (``json_each``), Python does the exact division.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import sqlite_utils

from ult import sop
from ult.messages import IKM_TEXT
from ult.settings import Settings
from ult.survey import SCALE, SKM, Instrument, ProfileQuestion, load_instruments

CONVERSION: Final = 25
"""NRR (1-4) times 25 gives the index scale 25-100 (PermenPANRB 14/2017)."""

GRADES: Final[tuple[tuple[Decimal, str], ...]] = (
    (Decimal("88.31"), "A"),
    (Decimal("76.61"), "B"),
    (Decimal("65.00"), "C"),
    (Decimal("25.00"), "D"),
)
"""The lowest rounded value of each grade (*mutu pelayanan*), best first."""

CHI_SQUARE: Final = Fraction("3.841")
"""Krejcie-Morgan: chi-square for one degree of freedom at 95% confidence."""
PROPORTION: Final = Fraction(1, 2)
"""Krejcie-Morgan: the population proportion that gives the largest sample."""
MARGIN: Final = Fraction("0.05")
"""Krejcie-Morgan: the margin of error."""

CENT: Final = Decimal("0.01")
NRR_PLACES: Final = Decimal("0.0001")
"""NRRs are shown with four decimals (exact enough to check the index by hand)."""


def half_up(value: Fraction, places: Decimal = CENT) -> Decimal:
    """``value`` (not negative) rounded once, half up, to the exponent of ``places`` (two
    decimals by default; ``Decimal(1)`` for a whole number): what ``Decimal.quantize``
    with ``ROUND_HALF_UP`` gives on the exact value, done in integers on the fraction, so
    no intermediate division (1/3 has no exact decimal) can move a half."""
    digits = -int(places.as_tuple().exponent)
    scaled = value * 10**digits
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    return Decimal(whole).scaleb(-digits)


def grade(value: Decimal | None) -> str | None:
    """The grade letter of a rounded index or converted value (None for None).

    Raises ``ValueError`` for a value under 25.00 or over 100.00 (no answer set gives it)."""
    if value is None:
        return None
    if not Decimal("25.00") <= value <= Decimal("100.00"):
        raise ValueError(f"an index lies within 25.00..100.00, not {value}")
    return next(letter for lowest, letter in GRADES if value >= lowest)


def grade_name(letter: str | None) -> str | None:
    """The Indonesian name of a grade (``Sangat baik``...)."""
    return None if letter is None else IKM_TEXT[f"grade_{letter}"]


def sample_size(population: int) -> int:
    """Krejcie and Morgan (1970): the respondents a population of ``population`` visitors
    needs, s = X²·N·P(1-P) / (d²(N-1) + X²·P(1-P)) with X² = 3.841, P = 0.5, d = 0.05,
    computed exactly and rounded to the nearest integer (half up). 0 for no visitor.
    (Their table: N 100 → 80, 1000 → 278, 10000 → 370.)"""
    if population <= 0:
        return 0
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    exact = spread * population / (MARGIN**2 * (population - 1) + spread)
    return int(half_up(exact, Decimal(1)))


@dataclass(frozen=True)
class ElementFigure:
    """One element of a group: who answered it, the sum of their answers, the exact NRR
    (None when nobody answered), its converted value (NRR × 25, two decimals) and grade,
    and whether it is the group's weakest."""

    code: str
    name: str
    answered: int
    total: int
    nrr: Fraction | None
    converted: Decimal | None
    grade: str | None
    weakest: bool


@dataclass(frozen=True)
class Index:
    """The IKM of one group (the office, or one service) for a period.

    ``ikm``: the rounded index or None (``refused`` says why: no response, an element
    nobody answered, or a group folded away). ``visitors``: finished tickets (N);
    ``sample_target``: :func:`sample_size` of N. ``folded``: figures withheld (a group
    under ``min_group`` respondents, or folded against subtraction); ``count_withheld``:
    its respondents withheld too (a breakdown; the office keeps its count)."""

    service: str | None
    respondents: int
    visitors: int
    sample_target: int
    elements: tuple[ElementFigure, ...]
    mean_nrr: Fraction | None
    ikm: Decimal | None
    grade: str | None
    refused: str | None
    folded: bool = False
    count_withheld: bool = False

    @property
    def shown_respondents(self) -> int | None:
        """The respondents as shown: None for a folded breakdown (:func:`folded`)."""
        return None if self.count_withheld else self.respondents

    @property
    def all_equal(self) -> bool:
        """Every answered element has the same NRR (at least one answered, none shown as
        the weakest): the pages say "semua unsur sama"."""
        return (
            not self.folded
            and any(e.nrr is not None for e in self.elements)
            and not any(e.weakest for e in self.elements)
        )

    @property
    def grade_name(self) -> str | None:
        """The Indonesian name of :attr:`grade`."""
        return grade_name(self.grade)

    @property
    def below_sample(self) -> bool:
        """Fewer respondents than the sample target."""
        return self.respondents < self.sample_target

    @property
    def weakest(self) -> tuple[str, ...]:
        """The codes of the weakest elements (several on a tie)."""
        return tuple(e.code for e in self.elements if e.weakest)


def measure(
    instrument: Instrument,
    sums: dict[str, tuple[int, int]],
    respondents: int,
    *,
    visitors: int = 0,
    service: str | None = None,
) -> Index:
    """The index of one group from its per-element ``sums`` (code → (sum of answers,
    respondents who answered)) and its number of ``respondents``. Pure: the hand-worked
    tests call it directly."""
    figures = []
    for element in instrument.elements:
        total, answered = sums.get(element.code, (0, 0))
        nrr = Fraction(total, answered) if answered else None
        converted = None if nrr is None else half_up(nrr * CONVERSION)
        figures.append((element, answered, total, nrr, converted))
    known = [f[3] for f in figures if f[3] is not None]
    # Every answered element tying is no weakest one: marking all would say nothing.
    lowest = min(known) if len(set(known)) > 1 else None
    elements = tuple(
        ElementFigure(
            e.code,
            e.name,
            answered,
            total,
            nrr,
            conv,
            grade(conv),
            lowest is not None and nrr == lowest,
        )
        for e, answered, total, nrr, conv in figures
    )
    missing = [e.code for e in elements if e.nrr is None]
    refused = None
    mean = ikm = None
    if respondents == 0:
        refused = IKM_TEXT["no_response"]
    elif missing:
        refused = IKM_TEXT["element_unanswered"].format(codes=", ".join(missing))
    else:
        # The regulation's weight is 1/9 exactly: the mean of the NRRs, no rounded weight.
        mean = sum(known, Fraction(0)) / len(known)
        ikm = half_up(mean * CONVERSION)
    return Index(
        service=service,
        respondents=respondents,
        visitors=visitors,
        sample_target=sample_size(visitors),
        elements=elements,
        mean_nrr=mean,
        ikm=ikm,
        grade=grade(ikm),
        refused=refused,
    )


def folded(index: Index, min_group: int, *, office: bool = False, secondary: bool = False) -> Index:
    """``index`` with its figures withheld when it has fewer than ``min_group``
    respondents (a group small enough to point at a visitor), or when ``secondary`` (folded
    so the office minus the services shown gives no small group); else ``index``. A
    breakdown hides its respondents too; the ``office`` keeps them (and a group with no
    response keeps "no response" as its reason)."""
    if index.respondents >= min_group and not secondary:
        return index
    if office and index.respondents == 0:
        return index
    hidden = tuple(
        ElementFigure(e.code, e.name, 0, 0, None, None, None, False) for e in index.elements
    )
    reason = "folded_secondary" if secondary else "folded_office" if office else "folded"
    return Index(
        service=index.service,
        respondents=index.respondents if office else 0,
        visitors=index.visitors,
        sample_target=index.sample_target,
        elements=hidden,
        mean_nrr=None,
        ikm=None,
        grade=None,
        refused=IKM_TEXT[reason].format(min_group=min_group),
        folded=True,
        count_withheld=not office,
    )


def suppressed(counts: dict[str, int], min_group: int) -> set[str]:
    """The keys of ``counts`` (group → respondents) to fold: every group under
    ``min_group`` (primary), then, while the folded groups together hold 1 to
    ``min_group - 1`` respondents, the smallest shown group (ties: the first key in sort
    order) too (secondary suppression): the total, which is shown, minus the groups shown
    then gives only a group of at least ``min_group``. With exactly one small group folded
    this folds the next smallest; with none or with folded groups of ``min_group`` together
    it folds nothing more."""
    hidden = {key for key, count in counts.items() if count < min_group}
    shown = sorted((count, key) for key, count in counts.items() if key not in hidden)
    while shown and 0 < sum(counts[key] for key in hidden) < min_group:
        hidden.add(shown.pop(0)[1])
    return hidden


# ---------------------------------------------------------------------- reading the store


_SUMS_SQL = """
SELECT r.service, j.key, SUM(j.value), COUNT(*)
FROM survey_responses r, json_each(r.answers) j
WHERE r.instrument = ?1 AND r.day BETWEEN ?2 AND ?3 {service}
  AND j.type = 'integer' AND j.value BETWEEN ?4 AND ?5
GROUP BY r.service, j.key
"""
_RESPONDENTS_SQL = """
SELECT r.service, COUNT(*) FROM survey_responses r
WHERE r.instrument = ?1 AND r.day BETWEEN ?2 AND ?3 {service}
GROUP BY r.service
"""
_VISITORS_SQL = """
SELECT t.service, COUNT(*) FROM tickets t
WHERE t.day BETWEEN ?1 AND ?2 AND t.state = ?3 {service}
GROUP BY t.service
"""


@dataclass(frozen=True)
class Survey:
    """The IKM of a period: ``overall`` (the office, or the one service asked for) and
    ``services`` (one :class:`Index` per service with visitors or responses, by letter;
    folded ones withheld)."""

    overall: Index
    services: tuple[Index, ...]


def survey(
    db: sqlite_utils.Database,
    instrument: Instrument,
    start: date,
    end: date,
    *,
    service: str | None = None,
    min_group: int,
) -> Survey:
    """The IKM of the business days ``start``..``end`` (both included), for one service
    letter or all, read from ``survey_responses`` and ``tickets``. Reads only."""
    days = (start.isoformat(), end.isoformat())
    where = "" if service is None else "AND r.service = ?6"
    extra = () if service is None else (service,)
    sums: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    codes = set(instrument.codes)
    for letter, code, total, count in db.execute(
        _SUMS_SQL.format(service=where), (instrument.code, *days, SCALE[0], SCALE[-1], *extra)
    ):
        if code in codes:
            sums[letter][code] = (total, count)
    respondents = dict(
        db.execute(
            _RESPONDENTS_SQL.format(service=where.replace("?6", "?4")),
            (instrument.code, *days, *extra),
        ).fetchall()
    )
    visitors = dict(
        db.execute(
            _VISITORS_SQL.format(service="" if service is None else "AND t.service = ?4"),
            (*days, sop.DONE, *extra),
        ).fetchall()
    )
    letters = sorted(set(respondents) | set(visitors))
    measured = {
        letter: measure(
            instrument,
            sums.get(letter, {}),
            respondents.get(letter, 0),
            visitors=visitors.get(letter, 0),
            service=letter,
        )
        for letter in letters
    }
    if service is not None:
        groups = tuple(folded(measured[letter], min_group) for letter in letters)
        (overall,) = groups or (folded(measure(instrument, {}, 0, service=service), min_group),)
        return Survey(overall, groups)
    hidden = suppressed({letter: respondents.get(letter, 0) for letter in letters}, min_group)
    groups = tuple(
        folded(
            measured[letter],
            min_group,
            secondary=letter in hidden and respondents.get(letter, 0) >= min_group,
        )
        for letter in letters
    )
    merged: dict[str, tuple[int, int]] = {}
    for per_service in sums.values():
        for code, (total, count) in per_service.items():
            before = merged.get(code, (0, 0))
            merged[code] = (before[0] + total, before[1] + count)
    overall = measure(
        instrument, merged, sum(respondents.values()), visitors=sum(visitors.values())
    )
    return Survey(folded(overall, min_group, office=True), groups)


_PROFILE_SQL = """
SELECT p.code, json_extract(r.profile, '$.' || p.code), COUNT(*)
FROM survey_responses r, (SELECT value AS code FROM json_each(?4)) p
WHERE r.instrument = ?1 AND r.day BETWEEN ?2 AND ?3 {service}
GROUP BY 1, 2
"""
_SUGGESTIONS_SQL = """
SELECT r.suggestion, r.service FROM survey_responses r
WHERE r.instrument = ?1 AND r.day BETWEEN ?2 AND ?3 {service}
  AND r.suggestion IS NOT NULL AND trim(r.suggestion) != ''
"""


@dataclass(frozen=True)
class ProfileCount:
    """Respondents of one profile category (``category`` None: the question not answered);
    ``respondents`` None when folded (:func:`suppressed` within the question),
    ``secondary`` when folded only against subtraction (it has ``min_group`` or more)."""

    code: str
    question: str
    category: str | None
    respondents: int | None
    secondary: bool = False


def profile(
    db: sqlite_utils.Database,
    instrument: Instrument,
    questions: Sequence[ProfileQuestion],
    start: date,
    end: date,
    *,
    service: str | None = None,
    min_group: int,
) -> list[ProfileCount]:
    """Per profile question, its categories in the settings' order then "not given", each
    with its respondents of the days ``start``..``end`` (one service or all). Within a
    question the categories add up to the respondents (which the IKM shows), so they are
    folded as the services are (:func:`suppressed`: under ``min_group``, and against
    subtraction). A stored category no longer offered counts under not given. Reads only."""
    where = "" if service is None else "AND r.service = ?5"
    codes = json.dumps([q.code for q in questions])
    found: dict[tuple[str, str | None], int] = defaultdict(int)
    offered = {q.code: set(q.choices) for q in questions}
    for code, category, count in db.execute(
        _PROFILE_SQL.format(service=where),
        (instrument.code, start.isoformat(), end.isoformat(), codes)
        + (() if service is None else (service,)),
    ):
        found[code, category if category in offered[code] else None] += count
    out: list[ProfileCount] = []
    for question in questions:
        keys = [*question.choices, None]
        counts = {str(i): found.get((question.code, key), 0) for i, key in enumerate(keys)}
        hidden = suppressed(counts, min_group)
        out.extend(
            ProfileCount(
                question.code,
                question.question,
                key,
                None if str(i) in hidden else counts[str(i)],
                str(i) in hidden and counts[str(i)] >= min_group,
            )
            for i, key in enumerate(keys)
        )
    return out


def suggestions(
    db: sqlite_utils.Database,
    instrument: Instrument,
    start: date,
    end: date,
    *,
    service: str | None = None,
    min_group: int,
) -> list[tuple[str, str | None]] | None:
    """The suggestions of the days ``start``..``end`` (one service or all) as (text,
    service letter), sorted by text (then letter) so that no order ties one to a day or a
    time; None (folded) when the period has fewer than ``min_group`` respondents. The
    letter is None for a service the IKM folds (:func:`survey`): a suggestion must not name
    a service of a few visitors. Reads only."""
    found = survey(db, instrument, start, end, service=service, min_group=min_group)
    total = found.overall.respondents if service is None else found.overall.shown_respondents
    if total is None or total < min_group:
        return None
    folded_letters = {i.service for i in found.services if i.folded}
    where = "" if service is None else "AND r.service = ?4"
    rows = db.execute(
        _SUGGESTIONS_SQL.format(service=where),
        (instrument.code, start.isoformat(), end.isoformat())
        + (() if service is None else (service,)),
    ).fetchall()
    shown = [(text, None if letter in folded_letters else letter) for text, letter in rows]
    return sorted(shown, key=lambda item: (item[0], item[1] or ""))


def skm(settings: Settings) -> Instrument:
    """The SKM instrument of ``settings`` (:func:`ult.survey.load_instruments`)."""
    return load_instruments(settings).instruments[SKM]


# ---------------------------------------------------------------------- writing it out


def decimal_text(value: Decimal | None) -> str | None:
    """A rounded figure as the JSON writes it (``"88.31"``)."""
    return None if value is None else str(value)


def nrr_value(nrr: Fraction | None) -> Decimal | None:
    """An exact NRR as shown: four decimals, half up."""
    return None if nrr is None else half_up(nrr, NRR_PLACES)


def figures_json(index: Index) -> dict[str, Any]:
    """The headline figures of ``index`` for the API and ``ult ikm --format json``:
    ``ikm`` (string, two decimals, or null), ``grade``, ``grade_name``, ``nrr`` (element
    code → string with four decimals, or null), ``weakest`` (codes), ``respondents``,
    ``visitors``, ``sample_target``, ``below_sample``, ``refused`` (why no IKM, or null).
    ``all_equal``: every answered element ties (no weakest). A folded breakdown
    (:func:`folded`) gives null respondents and ``below_sample``."""
    return {
        "ikm": decimal_text(index.ikm),
        "grade": index.grade,
        "grade_name": index.grade_name,
        "nrr": {e.code: decimal_text(nrr_value(e.nrr)) for e in index.elements},
        "weakest": list(index.weakest),
        "all_equal": index.all_equal,
        "respondents": index.shown_respondents,
        "visitors": index.visitors,
        "sample_target": index.sample_target,
        "below_sample": None if index.count_withheld else index.below_sample,
        "refused": index.refused,
    }
