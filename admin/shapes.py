"""The JSON the API and the board stream answer with, typed once.

Each response shape is a ``TypedDict``: the views build them (:mod:`admin.api`,
:mod:`admin.stream`) and :mod:`admin.openapi` generates the document's schemas from them
(:data:`COMPONENTS`), so a field added here is documented without a second edit. JSON
Schema keywords a Python type cannot say (bounds, formats, enums, descriptions) ride along
as :class:`Schema` in ``Annotated``; a class docstring is its schema's description. A key
marked ``NotRequired`` is left out of the schema's ``required``. (No ``from __future__
import annotations`` here: ``TypedDict`` must see ``NotRequired`` as a type, not a string.)
"""

from typing import Annotated, Any, NotRequired, TypedDict, get_args

from admin.actions import MAX_ROW_ID
from ult import sop
from ult.guestbook import DOCUMENT_KIND_KEYS, LETTER_TYPES
from ult.kinds import PrinterState
from ult.queue import SOURCES
from ult.reports import ColumnKind
from ult.settings import BACK_OFFICE, FRONT_OFFICE


class Schema:
    """JSON Schema keywords added to a field's generated schema (OpenAPI only)."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords


Id = Annotated[int, Schema(minimum=1, maximum=MAX_ROW_ID)]
"""A row id (SQLite's integer range)."""
Stamp = Annotated[
    str, Schema(format="date-time", description="UTC, e.g. 2026-11-25T02:00:00.000000Z")
]
"""A moment as the API writes it (:func:`ult.clock.to_stamp`)."""
Count = Annotated[int, Schema(minimum=0)]
RecordedPrinterState = Annotated[
    str | None, Schema(description=f"Last printer state: {', '.join(PrinterState)}.")
]
"""The printer's last recorded state word; null before the first check."""
CaseText = Annotated[str | None, Schema(description="null unless personal_data is full")]
"""A text written by case handlers: ``null`` for roles outside the case roles."""


class ErrorBody(TypedDict):
    """Every refusal: a stable code and an Indonesian message for staff."""

    error: str
    message: str


class Visitor(TypedDict):
    """The identity the ticket's visit recorded (SOP 7; the guest book's row); masked for
    roles outside the case roles."""

    name: Annotated[str, Schema(description="masked: initials, B*** S***")]
    document_kind: Annotated[str, Schema(enum=list(DOCUMENT_KIND_KEYS))]
    document_number: Annotated[str, Schema(description="masked: 1271**********01")]
    nik: Annotated[str | None, Schema(description="document_number of a KTP, else null")]
    institution: str | None
    phone: Annotated[str | None, Schema(description="masked: *********890")]
    address: Annotated[str | None, Schema(description="masked: ***")]
    occupation: str | None
    represents_name: Annotated[str | None, Schema(description="whom the visitor acts for")]
    represents_institution: str | None
    letter_type: Annotated[
        str | None, Schema(description=f"One of {', '.join(LETTER_TYPES)}, or null.")
    ]
    letter_number: Annotated[str | None, Schema(description="masked: ***")]
    letter_date: Annotated[str | None, Schema(format="date")]
    recorded_at: Stamp
    step: Annotated[int, Schema(enum=[3, 7], description="3 reception, 7 counter")]


class _TicketFields(TypedDict):
    id: Id
    label: Annotated[str, Schema(examples=["A-007"])]
    service: Annotated[str, Schema(description="Current service letter.")]
    issued_service: Annotated[str, Schema(description="Letter of the number.")]
    number: Annotated[int, Schema(minimum=1)]
    day: Annotated[str, Schema(format="date", description="Business day.")]
    topic: str | None
    priority: bool
    priority_category: Annotated[
        str | None,
        Schema(
            enum=[*sop.PRIORITY_CATEGORIES, None],
            description="Why priority (UU 25/2009 Pasal 29); null when not recorded.",
        ),
    ]
    source: Annotated[str, Schema(enum=list(SOURCES))]
    state: Annotated[str, Schema(enum=list(sop.STATES))]
    state_text: Annotated[str, Schema(description="The state in Indonesian.")]
    counter_id: Id | None
    front_office_counter_id: Id | None
    back_office_counter_id: Id | None
    main_unit_id: Id | None
    recalls: Count
    acting_for: bool
    letter_type: str | None
    letter_number: CaseText
    request_detail: CaseText
    information_purpose: CaseText
    answer_kind: str | None
    answer: CaseText
    exemption_ground: Annotated[
        str | None, Schema(description="UU 14/2008 Pasal 17 letter a-j of an excepted answer")
    ]
    exemption_note: CaseText
    escalation_note: CaseText
    forward_note: CaseText
    disposition: CaseText
    explanation_mode: str | None
    explanation_note: CaseText
    outcome: str | None
    cancel_reason: str | None
    incomplete_reason: Annotated[
        str | None,
        Schema(
            description="SOP 16: why the record lacks the identity or the request detail "
            "(visitor_declined, anonymous_complaint, no_identity_document); null otherwise."
        ),
    ]
    issued_at: Stamp
    called_at: Stamp | None
    started_at: Stamp | None
    released_at: Stamp | None
    finished_at: Stamp | None
    visitor: Visitor | None
    personal_data: Annotated[str, Schema(enum=["full", "masked"])]


class _StoredTicket(_TicketFields):
    printed: Annotated[
        bool | None, Schema(description="Whether the paper came out; null when never printed.")
    ]


class Ticket(_StoredTicket):
    """A ticket; the visitor and the case texts are masked unless ``personal_data`` is full."""

    warnings: NotRequired[
        Annotated[list[str], Schema(description="identify only: NIK warnings in Indonesian.")]
    ]


class Event(TypedDict):
    """One row of the append-only event log."""

    id: Id
    at: Stamp
    kind: Annotated[str, Schema(examples=["called"])]
    ticket_id: Id | None
    counter_id: Id | None
    sop_step: Annotated[int | None, Schema(minimum=1, maximum=16)]
    actor: Annotated[str, Schema(description="User name or token:NAME.")]
    payload: Annotated[dict[str, Any], Schema(description="Codes only, no personal data.")]


ServiceResumesAt = Annotated[
    str | None,
    Schema(
        format="date-time",
        description="While the counters do not serve now (closed day, after closing, before "
        "opening, the break): when service resumes; null while they serve, with the hours "
        "off, or when no opening lies ahead.",
    ),
]
"""When service resumes for a ticket issued or waiting while the counters are closed."""


class TicketDetail(_StoredTicket):
    """A ticket with its place in line and its event history, oldest first."""

    waiting_ahead: Count
    estimated_wait_minutes: Count
    wait_text: Annotated[
        str | None,
        Schema(
            description="The wait as the visitor reads it (Indonesian, as on the paper and "
            "the visitor's page), null unless the ticket waits.",
            examples=["± 15 menit"],
        ),
    ]
    service_resumes_at: ServiceResumesAt
    events: list[Event]


class IssuedTicket(_TicketFields):
    """A ticket just issued (or reprinted): its place in line, whether its paper is
    confirmed, and the print request handed to the printer's owner."""

    printed: Annotated[
        bool,
        Schema(
            description="True when the printer confirmed the paper; false while a print "
            "request waits for the printer's owner, or when it failed."
        ),
    ]
    print_request: Annotated[
        int | None,
        Schema(
            description="The id of the print request handed to the printer's owner (ult "
            "kiosk): the print_requested event. Its outcome arrives on the event stream as "
            "printed, print_failed or print_unconfirmed with payload.request = this id. Null "
            "when no print was asked (or none could be: no owner running, recorded as "
            "print_failed with reason no_owner)."
        ),
    ]
    waiting_ahead: Count
    estimated_wait_minutes: Annotated[
        int,
        Schema(
            minimum=0,
            maximum=480,
            description="Minutes of work ahead; while the counters do not serve (a ticket "
            "issued by override when closed) they count from the reopening: read wait_text.",
        ),
    ]
    wait_text: Annotated[
        str,
        Schema(
            description="The wait as the visitor reads it (Indonesian), worded as on the "
            "paper and the visitor's page: minutes, past today's closing, or closed and when "
            "service resumes.",
            examples=[
                "± 15 menit",
                "layanan hari ini sudah tutup; dilayani kembali Selasa, 8 Desember 2026 "
                "pukul 08.00",
            ],
        ),
    ]
    service_resumes_at: ServiceResumesAt
    replayed: Annotated[bool, Schema(description="True when the Idempotency-Key was seen today.")]
    visitor_url: Annotated[str, Schema(description="The visitor's page (the QR on the paper).")]


class HeldTicket(TypedDict):
    id: Id
    label: str
    state: str
    priority: bool


class Counter(TypedDict):
    """A counter, the ticket at it and how much waits for it."""

    id: Id
    name: str
    kind: Annotated[str, Schema(enum=[FRONT_OFFICE, BACK_OFFICE])]
    active: bool
    paused: bool
    services: list[str]
    ticket: HeldTicket | None
    waiting: Annotated[
        int,
        Schema(
            minimum=0,
            description="Front office: tickets it can call. Back office: escalated cases "
            "not yet taken.",
        ),
    ]


class CounterList(TypedDict):
    counters: list[Counter]


class QueueItem(TypedDict):
    id: Id
    label: str
    service: str
    priority: bool
    topic: str | None


class CounterQueue(TypedDict):
    counter: Counter
    tickets: list[QueueItem]


class BoardCounter(TypedDict):
    id: Id
    name: str
    kind: str
    paused: bool
    label: str | None
    state: str | None
    priority: bool


class LastCall(TypedDict):
    event_id: Id
    at: Stamp
    label: str
    counter: str
    recall: bool
    priority: bool
    current: Annotated[
        bool, Schema(description="The ticket is still called to this counter (not yet served).")
    ]


class BoardState(TypedDict):
    """What the caller board shows; no personal data."""

    counters: Annotated[list[BoardCounter], Schema(description="Front office counters only.")]
    last_calls: Annotated[list[LastCall], Schema(description="Newest first.")]
    waiting: Annotated[dict[str, Count], Schema(description="Tickets waiting per service letter.")]
    printer: RecordedPrinterState
    running_text: str
    last_event_id: Count
    service_names: Annotated[
        dict[str, str], Schema(description="Service name per letter, in display order.")
    ]
    current_call: Annotated[
        LastCall | None,
        Schema(description="What the main panel shows: the newest call while it is current."),
    ]
    earlier_calls: Annotated[
        list[LastCall],
        Schema(description="Each ticket once, newest first, without the current call."),
    ]
    priority_shown: Annotated[
        bool, Schema(description="A priority mark is on the board: its legend is shown.")
    ]
    band: Annotated[
        list[str],
        Schema(
            description="The lines of the band under the call, top first: 'closed' (the "
            "closed notice) or 'fault' (the printer), then 'legend' (the priority mark's "
            "legend); display.calls.band."
        ),
    ]
    closed_notice: Annotated[
        str | None,
        Schema(
            description="While taking a number is closed (service hours): what the board "
            "says, e.g. when it opens again; null while open."
        ),
    ]
    closed_notice_until: Annotated[
        Stamp | None,
        Schema(description="When the closed notice may change: read the board state again."),
    ]


class StreamEventData(TypedDict):
    """The data: line of a board stream message: the event's payload (codes only) plus at,
    ticket_id, counter_id and sop_step. A `snapshot` message carries a BoardState instead."""

    at: Stamp
    ticket_id: Id | None
    counter_id: Id | None
    sop_step: int | None
    label: NotRequired[Annotated[str, Schema(description="Ticket events.")]]
    service: NotRequired[Annotated[str, Schema(description="Ticket events.")]]
    state: NotRequired[Annotated[str, Schema(description="Ticket events.")]]


class Health(TypedDict):
    """Health: the database read and written, the free disk, the pages' files, the printer,
    the newest event. ``error`` names why it cannot serve: ``database_unavailable``,
    ``pages_missing`` or a cause of :data:`ult.health.CAUSES`."""

    status: Annotated[str, Schema(enum=["ok", "error"])]
    database: Annotated[str, Schema(enum=["ok", "unavailable"])]
    writable: bool
    disk_free_mb: Annotated[int | None, Schema(minimum=0)]
    # "missing": a template or static file of the pages cannot be loaded (a broken install).
    pages: Annotated[str, Schema(enum=["ok", "missing"])]
    printer: Annotated[
        str | None,
        Schema(
            description="Whether a print asked now can come out: the printer state its owner "
            f"(ult kiosk) last recorded ({', '.join(PrinterState)}), or no_owner when no "
            "ult kiosk runs; null when the database cannot be read."
        ),
    ]
    last_event_id: Annotated[int | None, Schema(minimum=0)]
    error: NotRequired[str]
    message: NotRequired[str]


class Prefill(TypedDict):
    """The most recent visit with a document, to pre-fill an identity form (never saved by
    itself; ``GET /api/v1/visits/latest``)."""

    document_kind: str
    document_number: str
    name: str
    institution: str | None
    phone: str | None
    address: str | None
    occupation: str | None
    label: Annotated[str, Schema(description="The ticket of that visit.")]
    day: Annotated[str, Schema(format="date")]
    recorded_at: Stamp


class PrefillAnswer(TypedDict):
    """``visit`` null when the document was never recorded."""

    visit: Prefill | None


class ReportColumn(TypedDict):
    """One column of a report table: the rows' key, its Indonesian title, and its kind:
    text, int, bool (true/false), seconds (whole seconds), percent (0-100), date (local
    YYYY-MM-DD), datetime (a UTC stamp)."""

    key: str
    title: str
    kind: Annotated[str, Schema(enum=list(get_args(ColumnKind)))]


class ReportTableData(TypedDict):
    """One section of the report (ult.reports.Table)."""

    section: str
    title: str
    columns: list[ReportColumn]
    rows: Annotated[
        list[dict[str, Any]],
        Schema(description="One object per row, keyed by the columns' keys; null: no value."),
    ]


ReportPeriod = TypedDict(
    "ReportPeriod",
    {
        "from": Annotated[str, Schema(format="date", description="First local day")],
        "to": Annotated[str, Schema(format="date", description="Last local day, included")],
        "service": Annotated[str | None, Schema(description="The service letter, or null")],
    },
)
"""The period and service a report covers (``from`` is a keyword: functional syntax)."""


class ReportTable(ReportTableData, ReportPeriod):
    """One section for a period: GET /api/v1/reports/{section}."""


class ReportBundle(ReportPeriod):
    """Every section the caller may read, for a period: GET /api/v1/reports/all."""

    tables: list[ReportTableData]


class IkmReport(ReportTable):
    """The satisfaction index of a period (GET /api/v1/reports/ikm, ``ult ikm --format
    json``; ult.ikm): the element table (``rows``: U1..U9 then the IKM row), the headline
    and the per-service table. Decimals are exact text, never floats."""

    ikm: Annotated[
        str | None,
        Schema(description="The IKM, two decimals ('88.31'); null: refused says why."),
    ]
    grade: Annotated[str | None, Schema(enum=["A", "B", "C", "D", None])]
    grade_name: Annotated[str | None, Schema(description="Sangat baik, Baik, Kurang baik...")]
    nrr: Annotated[
        dict[str, str | None],
        Schema(description="Element code → NRR, four decimals ('3.5322'); null: unanswered."),
    ]
    weakest: Annotated[
        list[str],
        Schema(description="Codes of the lowest NRR (all on a tie; none when all are equal)."),
    ]
    all_equal: Annotated[bool, Schema(description="Every answered element has the same NRR.")]
    respondents: Annotated[
        int | None,
        Schema(description="Responses; null for a service folded (under min_group)."),
    ]
    visitors: Annotated[int, Schema(description="Tickets of the period that finished (N).")]
    sample_target: Annotated[int, Schema(description="Krejcie-Morgan sample size of N.")]
    below_sample: Annotated[bool | None, Schema(description="null when folded.")]
    refused: Annotated[str | None, Schema(description="Why there is no IKM (Indonesian).")]
    services: ReportTableData


COMPONENTS: dict[str, type] = {
    "Error": ErrorBody,
    "Visitor": Visitor,
    "Prefill": Prefill,
    "PrefillAnswer": PrefillAnswer,
    "Ticket": Ticket,
    "Event": Event,
    "TicketDetail": TicketDetail,
    "IssuedTicket": IssuedTicket,
    "Counter": Counter,
    "CounterList": CounterList,
    "QueueItem": QueueItem,
    "CounterQueue": CounterQueue,
    "BoardState": BoardState,
    "StreamEventData": StreamEventData,
    "Health": Health,
    "ReportColumn": ReportColumn,
    "ReportTableData": ReportTableData,
    "ReportTable": ReportTable,
    "ReportBundle": ReportBundle,
    "IkmReport": IkmReport,
}
"""The response shapes the OpenAPI document names (``#/components/schemas/<name>``); a
shape used inside another is referenced by that name, any other is written inline."""
