"""The guest book (*buku tamu*): the identity each visit recorded, one row per ticket.

Table ``visits`` (migration ``_v5_visits``): ``ticket_id`` (UNIQUE), the document shown
(``document_kind`` of :data:`DOCUMENT_KINDS`, ``document_number``), ``name``,
``institution``, ``phone``, ``address``, ``occupation``, whom the visitor represents
(``represents_name``, ``represents_institution``) with the letter (``letter_type``,
``letter_number``, ``letter_date``), and ``recorded_at`` (UTC stamp), ``recorded_by``,
``step`` (3 at reception, 7 at the counter). A visit keeps what was recorded at it: a
document number seen again only pre-fills the form (:func:`latest_visit`), it never
rewrites an earlier visit (the old ``visitors`` table, keyed by NIK and updated in place,
renamed past visitors; PITFALLS: what a visit recorded belongs to the visit).

Rules come from SOP step 7 (*kartu identitas*; acting for another person needs a *surat
kuasa* or *surat tugas*) and, for information requests, UU 14/2008 on public information
(the requester's address, occupation and purpose of use). This module cleans what was
typed (:func:`clean_identity`) and reads the book (:func:`visits`); the queue
(:meth:`ult.queue.Queue.identify`) writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import sqlite_utils

from ult import accounts, cleaning
from ult.cleaning import TEXT_LIMITS
from ult.errors import invalid
from ult.messages import (
    CHOICES,
    DOCUMENT_KINDS,
    ERASED_IDENTITY,
    EXEMPTIONS,
    FIELDS,
    GUESTBOOK_COLUMNS,
)
from ult.nik import NikError, check_nik, mask_nik

LETTER_TYPES = ("surat_kuasa", "surat_tugas")
"""SOP step 7: the letter of someone acting for another person."""
ADDRESS_LIMIT = 200
"""Characters of an address (one line)."""
OCCUPATION_LIMIT = 100
"""Characters of an occupation."""


@dataclass(frozen=True)
class DocumentKind:
    """How the number of one kind of identity document is checked.

    ``removed``: characters people write between groups and that are dropped first;
    ``upper``: letters are compared in capitals; ``pattern``: the cleaned number must match
    it whole; ``nik``: the KTP's number is a NIK and gets :func:`ult.nik.check_nik`.
    The Indonesian name and the rule as staff read it are in
    :data:`ult.messages.DOCUMENT_KINDS`.
    """

    key: str
    pattern: re.Pattern[str]
    removed: str = ""
    upper: bool = False
    nik: bool = False

    @property
    def name(self) -> str:
        """The kind's Indonesian name (``"Paspor"``)."""
        return DOCUMENT_KINDS[self.key][0]

    @property
    def rule(self) -> str:
        """What a valid number looks like, in Indonesian."""
        return DOCUMENT_KINDS[self.key][1]


KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind("ktp", re.compile(r"[0-9]{16}"), " .-", nik=True),
        # SIM numbers are 12 digits (older cards) to 14 (SIM since 2013, with the year).
        DocumentKind("sim", re.compile(r"[0-9]{12,14}"), " .-"),
        # Passports of any country: ICAO allows up to 9 characters; Indonesia's is 1-2
        # letters and 6-7 digits.
        DocumentKind("paspor", re.compile(r"[A-Z0-9]{6,9}"), " ", upper=True),
        # NIP of a civil servant: 18 digits since 2008 (PP 9/2003 jo. BKN), 9 before.
        DocumentKind("kartu_pegawai", re.compile(r"[0-9]{18}|[0-9]{9}"), " .-"),
        DocumentKind("kartu_pelajar", re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{2,29}"), " "),
        DocumentKind("lainnya", re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{2,39}")),
    )
}
"""Every document kind a visitor may show (SOP 7 says *kartu identitas*, not only KTP)."""
DOCUMENT_KIND_KEYS = tuple(KINDS)
"""The kinds' keys, in the order forms list them (KTP first)."""


@dataclass(frozen=True)
class Identity:
    """A visitor's identity as cleaned for one visit (no ticket, no time yet)."""

    document_kind: str
    document_number: str
    name: str
    institution: str | None = None
    phone: str | None = None
    address: str | None = None
    occupation: str | None = None
    represents_name: str | None = None
    represents_institution: str | None = None
    letter_type: str | None = None
    letter_number: str | None = None
    letter_date: str | None = None

    @property
    def acting_for(self) -> bool:
        """Whether the visitor acts for another person (SOP 7)."""
        return self.represents_name is not None


def document_number(kind: Any, number: Any) -> tuple[str, str, tuple[str, ...]]:
    """``(kind, cleaned number, warnings)`` of a document as typed.

    ``kind`` one of :data:`DOCUMENT_KIND_KEYS`. A KTP's number is a NIK: spaces, dots and
    dashes are removed and :func:`ult.nik.check_nik` applies (its warnings are returned);
    other kinds follow their :class:`DocumentKind` rule. Raises ``QueueError``
    (``document_kind_invalid``, ``nik_invalid``, ``document_number_invalid``).
    """
    if kind not in KINDS:
        names = ", ".join(f"{k} ({KINDS[k].name})" for k in KINDS)
        raise invalid("document_kind_invalid", choices=names)
    spec = KINDS[kind]
    text = number if isinstance(number, str) else ""
    if spec.nik:
        try:
            found = check_nik(text)
        except NikError as error:
            raise invalid("nik_invalid", reason=str(error)) from error
        return spec.key, found.nik, found.warnings
    clean = text.strip().translate(str.maketrans("", "", spec.removed))
    if spec.upper:
        clean = clean.upper()
    if not spec.pattern.fullmatch(clean):
        raise invalid("document_number_invalid", document=spec.name, rule=spec.rule)
    return spec.key, clean, ()


def clean_identity(
    *,
    today: date,
    name: Any,
    document_kind: Any = "ktp",
    document_number_text: Any = None,
    institution: Any = None,
    phone: Any = None,
    address: Any = None,
    occupation: Any = None,
    acting_for: Any = False,
    represents_name: Any = None,
    represents_institution: Any = None,
    letter_type: Any = None,
    letter_number: Any = None,
    letter_date: Any = None,
) -> tuple[Identity, tuple[str, ...]]:
    """The cleaned identity of one visit and the document's warnings (Indonesian).

    Someone ``acting_for`` another person (SOP 7) must name whom they represent and show
    a letter (:data:`LETTER_TYPES`) with its number and date (``YYYY-MM-DD``, not after
    ``today``, the office's business day); without ``acting_for`` none of those may be
    given. Raises ``QueueError`` (``invalid``) naming the first bad field; nothing is
    stored by this function.
    """
    clean_name = cleaning.text(name, "name", TEXT_LIMITS["name"])
    kind, number, warnings = document_number(document_kind, document_number_text)
    if not isinstance(acting_for, bool):
        raise invalid("flag_invalid", field=FIELDS["acting_for"])
    representation: dict[str, str | None] = dict.fromkeys(
        ("represents_name", "represents_institution", "letter_type", "letter_number"), None
    )
    clean_date = None
    given = (represents_name, represents_institution, letter_type, letter_number, letter_date)
    if acting_for:
        if not isinstance(represents_name, str) or not represents_name.strip():
            raise invalid("represented_required")
        if (
            letter_type in (None, "")
            or not isinstance(letter_number, str)
            or not letter_number.strip()
            or letter_date in (None, "")
        ):
            raise invalid("letter_required")
        representation = {
            "represents_name": cleaning.text(represents_name, "represents_name", 100),
            "represents_institution": cleaning.optional_text(
                represents_institution, "represents_institution", TEXT_LIMITS["institution"]
            ),
            "letter_type": cleaning.choice(letter_type, "letter_type", LETTER_TYPES),
            "letter_number": cleaning.text(
                letter_number, "letter_number", TEXT_LIMITS["letter_number"]
            ),
        }
        clean_date = _letter_date(letter_date, today)
    elif any(value not in (None, "") for value in given):
        raise invalid("letter_without_acting")
    identity = Identity(
        document_kind=kind,
        document_number=number,
        name=clean_name,
        institution=cleaning.optional_text(institution, "institution", TEXT_LIMITS["institution"]),
        phone=cleaning.phone(phone),
        address=cleaning.optional_text(address, "address", ADDRESS_LIMIT),
        occupation=cleaning.optional_text(occupation, "occupation", OCCUPATION_LIMIT),
        letter_date=clean_date,
        **representation,
    )
    return identity, warnings


def _letter_date(value: Any, today: date) -> str:
    """A letter's date as ``YYYY-MM-DD``: a real date, not after ``today``."""
    try:
        found = date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        found = None
    if found is None or found > today or found.year < 1945:
        raise invalid("letter_date_invalid")
    return found.isoformat()


def exemption(value: Any) -> str:
    """A UU 14/2008 Pasal 17 letter (``"a"``..``"j"``, any case). Raises ``QueueError``."""
    clean = value.strip().lower() if isinstance(value, str) else value
    if clean not in EXEMPTIONS:
        names = ", ".join(f"{letter} ({text})" for letter, text in EXEMPTIONS.items())
        raise invalid("exemption_invalid", choices=names)
    return str(clean)


def same_name(first: str, second: str) -> bool:
    """Whether two written names are the same person's name as typed: case and spacing
    do not count (``"budi  santoso"`` is ``"Budi Santoso"``); anything else does."""
    return " ".join(first.casefold().split()) == " ".join(second.casefold().split())


def mask_document(kind: str, number: str | None) -> str | None:
    """A document number as roles outside the case see it: a NIK by
    :func:`ult.nik.mask_nik`; other numbers keep their last 2 characters (and the first 2
    from 10 characters on). Fails closed: 5 characters or fewer are hidden entirely."""
    if number is None:
        return None
    if kind == "ktp":
        return mask_nik(number)
    if len(number) <= 5:
        return "*" * len(number)
    head = 2 if len(number) >= 10 else 0
    return number[:head] + "*" * (len(number) - head - 2) + number[-2:]


# ---------------------------------------------------------------------- reading the book

IDENTITY_FIELDS = (
    "document_kind",
    "document_number",
    "name",
    "institution",
    "phone",
    "address",
    "occupation",
    "represents_name",
    "represents_institution",
    "letter_type",
    "letter_number",
    "letter_date",
)
"""The identity columns of ``visits``, as :class:`Identity` names them."""


def record(
    db: sqlite_utils.Database, ticket_id: int, identity: Identity, *, at: str, by: str, step: int
) -> None:
    """Write the visit of ``ticket_id``: a new row, or that ticket's own row replaced (an
    identity typed again at the same visit corrects it). Inside the caller's transaction;
    ``at`` a UTC stamp, ``by`` the officer, ``step`` 3 (reception) or 7 (counter)."""
    names = (*IDENTITY_FIELDS, "recorded_at", "recorded_by", "step")
    values = [getattr(identity, f) for f in IDENTITY_FIELDS] + [at, by, step]
    db.execute(
        f"INSERT INTO visits (ticket_id, {', '.join(names)}) "
        f"VALUES (?, {', '.join('?' * len(names))}) ON CONFLICT(ticket_id) DO UPDATE SET "
        + ", ".join(f"{n} = excluded.{n}" for n in names),
        (ticket_id, *values),
    )


def visit_of(db: sqlite_utils.Database, ticket_id: int) -> dict[str, Any] | None:
    """The visit recorded for one ticket (a ``visits`` row), or ``None``."""
    return visits_of(db, [ticket_id]).get(ticket_id)


def visits_of(db: sqlite_utils.Database, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The visits of some tickets, by ticket id (tickets without one are left out)."""
    wanted = sorted({t for t in ticket_ids if t is not None})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = db.query(f"SELECT * FROM visits WHERE ticket_id IN ({marks})", wanted)
    return {row["ticket_id"]: row for row in rows}


def latest_visit(
    db: sqlite_utils.Database,
    document_kind: str,
    number: str,
    *,
    excluding_ticket: int | None = None,
) -> dict[str, Any] | None:
    """The most recent visit recorded with this document (kind and cleaned number), other
    than ``excluding_ticket``'s own; what a form may pre-fill, never what it must store."""
    found = db.execute(
        "SELECT * FROM visits WHERE document_number = ? AND document_kind = ? "
        "AND ticket_id IS NOT ? ORDER BY recorded_at DESC, id DESC LIMIT 1",
        (number, document_kind, excluding_ticket),
    )
    row = found.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in found.description], row, strict=True))


class VisitColumn(NamedTuple):
    """One column of the guest book: key, Indonesian title, and kind (as the reports'
    ``Column``: ``text``, ``int``, ``date`` or ``datetime``)."""

    key: str
    title: str
    kind: str


_COLUMN_KINDS = {"day": "date", "letter_date": "date", "recorded_at": "datetime", "step": "int"}


def visit_columns() -> tuple[VisitColumn, ...]:
    """The guest book's columns in order, as pages and exports show them."""
    return tuple(
        VisitColumn(key, title, _COLUMN_KINDS.get(key, "text"))
        for key, title in GUESTBOOK_COLUMNS.items()
    )


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SEARCH_LIMIT = 100
"""Characters of a guest-book search."""
WHOLE_NUMBERS_ONLY_WHY = (
    "A reader who sees identity numbers masked may find a visit by its whole number only: "
    "were part of a number enough, guessing the hidden digits one search at a time would "
    "unmask it (UU 27/2022 Pasal 16 ayat (2): personal data processed with its secrecy "
    "kept). The searches of the guest book and the case search follow it."
)
"""Why a masked reader's identity-number search must be whole (the rule, stated once)."""


def visits(
    db: sqlite_utils.Database,
    start: date,
    end: date,
    *,
    search: str | None = None,
    service: str | None = None,
    limit: int | None = None,
    whole_numbers_only: bool = False,
) -> list[dict[str, Any]]:
    """The visits of the business days ``start``..``end`` (inclusive, the office's local
    days as tickets carry them), newest first.

    ``search`` matches anywhere in the name, the institution or the document number
    (case-insensitive; a number may be typed with its spaces, dots or dashes; with
    ``whole_numbers_only`` only the whole number matches: see
    :data:`WHOLE_NUMBERS_ONLY_WHY`); ``service`` a service letter. Each row has the keys
    of :func:`visit_columns` (values as shown:
    Indonesian names of kinds and choices; ``day`` and ``letter_date`` ``YYYY-MM-DD``;
    ``recorded_at`` a UTC stamp; ``recorded_by`` the officer's full name) plus
    ``ticket_id``, ``document_kind_code`` and ``erased`` (the identity was erased,
    :mod:`ult.privacy`: name and document number read :data:`ult.messages.ERASED_IDENTITY`,
    the other identity fields ``None``); at most ``limit`` rows (the newest) when given.
    Raises ``QueueError`` for a search longer than :data:`SEARCH_LIMIT` or with control
    characters.
    """
    where = ["t.day BETWEEN ? AND ?"]
    params: list[Any] = [start.isoformat(), end.isoformat()]
    if service is not None:
        where.append("t.service = ?")
        params.append(cleaning.letter(service))
    clean = cleaning.optional_text(search, "search", SEARCH_LIMIT)
    if clean is not None:
        number = clean.translate(str.maketrans("", "", " .-")).upper()
        number_test = "= ?" if whole_numbers_only else "LIKE ? ESCAPE '\\'"
        where.append(
            "(v.name LIKE ? ESCAPE '\\' OR v.institution LIKE ? ESCAPE '\\' "
            f"OR REPLACE(UPPER(v.document_number), ' ', '') {number_test})"
        )
        params += [
            _like(clean),
            _like(clean),
            (number or clean) if whole_numbers_only else _like(number or clean),
        ]
    rows = db.query(
        "SELECT v.*, t.day, t.label, t.service, t.topic, t.information_purpose, t.answer_kind, "
        "t.exemption_ground, t.exemption_note FROM visits v JOIN tickets t ON t.id = v.ticket_id "
        f"WHERE {' AND '.join(where)} ORDER BY t.day DESC, v.recorded_at DESC, v.id DESC"
        + ("" if limit is None else f" LIMIT {int(limit)}"),
        params,
    )
    officers = accounts.officer_names(db)
    return [_shown_row(row, officers) for row in rows]


def _shown_row(row: dict[str, Any], officers: dict[str, str]) -> dict[str, Any]:
    kind = row["document_kind"]
    ground = row["exemption_ground"]
    shown_row = {key: row.get(key) for key in GUESTBOOK_COLUMNS}
    shown_row.update(
        ticket_id=row["ticket_id"],
        document_kind_code=kind,
        document_kind=KINDS[kind].name if kind in KINDS else kind,
        letter_type=CHOICES.get(row["letter_type"], row["letter_type"]),
        answer_kind=CHOICES.get(row["answer_kind"], row["answer_kind"]),
        exemption=f"Pasal 17 huruf {ground}: {EXEMPTIONS[ground]}" if ground else None,
        recorded_by=officers.get(row["recorded_by"], row["recorded_by"]),
        erased=row["erased_at"] is not None,
    )
    if shown_row["erased"]:
        # Erased to empty strings (NOT NULL columns): said in words, never a blank or a mask
        # that looks like a number still held.
        shown_row.update(name=ERASED_IDENTITY, document_number=ERASED_IDENTITY)
    return shown_row
