"""Survey instruments: the satisfaction survey (SKM, PermenPANRB 14/2017) and any other the
office adds (Zona Integritas: SPKP, SPAK), read from a TOML file.

The built-in file ``ult/survey_instruments.toml`` holds the SKM: nine elements ``U1``..``U9``
in the regulation's order, each answered 1..4 with its own labels, and the respondent
profile. ``[survey] instruments_file`` replaces it with the office's own file in the same
shape. Answers are stored keyed by element code (:mod:`ult.migrations` ``_v10_survey``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ult.settings import Settings

SKM: Final = "skm"
"""The code of the SKM instrument, from which the IKM is computed (:mod:`ult.ikm`)."""
SCALE: Final = (1, 2, 3, 4)
"""The answer values of every element (PermenPANRB 14/2017: a four-point scale)."""
BUILT_IN: Final = Path(__file__).with_name("survey_instruments.toml")
"""The built-in instruments file (the SKM of the regulation)."""


@dataclass(frozen=True)
class Element:
    """One element (*unsur*) of an instrument: its code (``U1``), its name as reports show
    it, the question the visitor reads, and the labels of the values 1..4 in order."""

    code: str
    name: str
    question: str
    labels: tuple[str, str, str, str]


@dataclass(frozen=True)
class Instrument:
    """One survey: its code (``skm``), its title and its elements in the order shown."""

    code: str
    name: str
    elements: tuple[Element, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The element codes in order (``("U1", ..., "U9")`` for the SKM)."""
        return tuple(element.code for element in self.elements)


@dataclass(frozen=True)
class ProfileQuestion:
    """One optional respondent category (``age``, ``sex``, ``education``, ``occupation``)."""

    code: str
    question: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Instruments:
    """Everything an instruments file holds: the instruments by code, the profile questions."""

    instruments: dict[str, Instrument]
    profile: tuple[ProfileQuestion, ...]

    @property
    def skm(self) -> Instrument:
        """The SKM instrument."""
        return self.instruments[SKM]


def load_instruments(settings: Settings) -> Instruments:
    """The instruments of ``[survey] instruments_file``, or the built-in SKM.

    Raises ``ValueError`` with an Indonesian message naming the file and the fault when the
    file cannot be read or does not have the documented shape.
    """
    path = settings.survey.instruments_file or BUILT_IN
    return parse_instruments(path)


def parse_instruments(path: Path) -> Instruments:
    """Read and check one instruments file (see :func:`load_instruments`)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    instruments: dict[str, Instrument] = {}
    for table in data.get("instruments", []):
        elements = tuple(
            Element(e["code"], e["name"], e["question"], tuple(e["labels"]))
            for e in table["elements"]
        )
        instruments[table["code"]] = Instrument(table["code"], table["name"], elements)
    profile = tuple(
        ProfileQuestion(p["code"], p["question"], tuple(p["choices"]))
        for p in data.get("profile", [])
    )
    return Instruments(instruments, profile)
