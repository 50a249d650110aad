"""Indonesian number words for the voice announcer, from ``num2words`` (lang ``id``).

Numbers are always turned into words here, never handed to espeak-ng as digits: espeak-ng reads
"001" digit by digit ("nol nol satu") while a ticket is announced as "satu".

``num2words`` 0.5.14 was checked against the Indonesian rules for every number 0-9999 (see
``tests/display/test_numbers.py``) and needed no correction in that range; the result is still
checked against the pack's vocabulary so that a future ``num2words`` that changes its output (or
adds hyphens or "dan") fails loudly instead of asking the pack for a clip it does not have.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from num2words import num2words

from display.messages import NUMBER_WORDS

# The range a ticket number or counter number can take: four digits.
MAX_NUMBER: Final = 9999


def number_words(n: int) -> tuple[str, ...]:
    """Return the Indonesian words for ``n``, one pack word each.

    ``number_words(123) == ("seratus", "dua", "puluh", "tiga")``.

    Raises:
        ValueError: ``n`` is not an int in 0-9999, or num2words gave a word outside the
            vocabulary of :data:`display.messages.NUMBER_WORDS`.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"not a whole number: {n!r}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"number out of range 0-{MAX_NUMBER}: {n}")
    return _words(n)


# Validation stays outside the cache: 1.0 and True hash like 1 and must not find its entry.
@cache
def _words(n: int) -> tuple[str, ...]:
    words = tuple(num2words(n, lang="id").split())
    unknown = [w for w in words if w not in NUMBER_WORDS]
    if unknown:
        raise ValueError(f"num2words gave unexpected words for {n}: {unknown}")
    return words
