"""A year of a busy office, played through the queue domain: the history benchmarks run on.

:func:`build_year` makes an appliance home (settings file, database) and plays ``days``
business days (Monday to Friday, ending the day before today) of ``visitors`` visitors each
through :class:`ult.queue.Queue` on a :class:`ult.clock.FakeClock`: every row is one the
domain itself writes (tickets, events with their kinds, payloads, SOP steps, actors and
counters, visitor identities), and whatever the domain derives from its writes comes with
them. The day is a small discrete-event simulation:

* visitors arrive from 08:00 to 15:00 local, services A-D (A most), 8% priority, 60% from
  the kiosk button (their paper recorded as printed), the rest issued at reception;
* every officer takes their counter at the start of their day (``counter_taken``); six
  front-office counters call the next ticket whenever they are free; two of them change
  officer at 12:00 (the morning officer leaves, the afternoon one takes the counter: eight
  front-office officers in all);
* 5% never come (two recalls, then a no-show); 2% are cancelled at reception while waiting;
* the others walk to the desk, are identified (a KTP whose NIK comes from a pool of
  returning visitors, some acting for another person with a letter) and heard; 88% are
  answered at the desk, 12% escalated to one of two back-office counters (half of them
  after consulting the back office, SOP 9b), which settle most themselves and forward a
  third to a main unit; the unit's disposition comes within the hour or on the next
  working day (cases open across days) and the back office relays it (SOP 14); the answer
  is explained at the first free front-office counter and the case, its record complete
  (identity and request detail), finished;
* step times are drawn around the SOP's standards (log-normal), so some steps overrun;
* after the year is played, 40% of the finished tickets answer the SKM (:func:`add_survey`),
  written straight into ``survey_responses`` and ``survey_receipts`` by their contract
  (migration ``_v10_survey``): mostly 3s and 4s, waiting time and complaint handling rated
  lower, 3% of the elements left unanswered, half the respondents giving a profile.

The builder's own connection turns ``synchronous`` off: a benchmark fixture needs no
durability, and a year of fsyncs would take many minutes. :func:`cached_year` keeps built
years under the system's temporary directory, keyed by the schema version, the sizes and
this file's text, and copies the database for each run.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ult import accounts, sop
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.migrations import LATEST
from ult.queue import Queue, Ticket
from ult.settings import Settings, load_settings
from ult.store import checkpoint, connect
from ult.transaction import immediate

FRONT_OFFICE = tuple(f"Loket {n}" for n in range(1, 7))
BACK_OFFICE = ("Back Office 1", "Back Office 2")
SERVICE_WEIGHTS = {"A": 50, "B": 15, "C": 20, "D": 15}
OPEN_AT = time(8, 0)
LAST_ARRIVAL = time(15, 0)
PRIORITY_SHARE = 0.08
KIOSK_SHARE = 0.6
NO_SHOW_SHARE = 0.05
CANCEL_SHARE = 0.02
ESCALATE_SHARE = 0.12
FORWARD_SHARE = 1 / 3
NEXT_DAY_DISPOSITION_SHARE = 0.25
ACTING_FOR_SHARE = 0.05
CONSULT_SHARE = 0.5
RETURNING_SHARE = 0.3
SURVEY_SHARE = 0.4
SURVEY_SKIP_SHARE = 0.03
"""Shares of the visitors and cases (see the module docstring)."""

SURVEY_WEIGHTS = {
    "U1": (2, 6, 52, 40),
    "U2": (2, 8, 55, 35),
    "U3": (4, 14, 52, 30),  # the waiting time: the lowest
    "U4": (1, 2, 27, 70),  # the service is free
    "U5": (2, 6, 55, 37),
    "U6": (2, 6, 50, 42),
    "U7": (1, 4, 45, 50),
    "U8": (4, 12, 54, 30),  # complaint handling
    "U9": (2, 8, 55, 35),
}
"""How often each SKM element is answered 1, 2, 3 or 4 (a typical office: IKM about 83, B)."""
SURVEY_PROFILE = {
    "age": ("<20", "20-29", "30-39", "40-49", "50+"),
    "sex": ("L", "P"),
    "education": ("SD", "SMP", "SMA", "D3", "S1", "S2"),
    "occupation": ("PNS", "Swasta", "Wiraswasta", "Pelajar/Mahasiswa", "Lainnya"),
}

SETTINGS_TOML = "\n".join(
    [
        # The year is played at whatever hour the benchmark runs: the service hours are off.
        "[hours]",
        "enabled = false",
        "[queue]",
        "recall_cooldown_seconds = 15",
        "recalls_before_no_show = 0",
        *(
            f'[[counters]]\nname = "{name}"\nkind = "front_office"\nservices = ["A", "B", "C", "D"]'
            for name in FRONT_OFFICE
        ),
        *(
            f'[[counters]]\nname = "{name}"\nkind = "back_office"\nservices = []'
            for name in BACK_OFFICE
        ),
    ]
)
"""The office: six front-office counters serving every service, two back-office counters. A
no-show is allowed without a recall, so that a benchmark's caller can free a counter at once
(``bench_display.Caller``); the year's visitors who never come are still recalled
:data:`RECALLS` times first, as the office does."""
RECALLS = 2

MORNING = {name: f"petugas{n}" for n, name in enumerate(FRONT_OFFICE, 1)}
AFTERNOON = {**MORNING, "Loket 5": "petugas7", "Loket 6": "petugas8"}
BACK_OFFICERS = {"Back Office 1": "bo.rahma", "Back Office 2": "bo.hendra"}
UNIT_ACTORS = ("unit.umum", "unit.penjaminan", "unit.pemetaan")
RECEPTIONIST = "resepsionis"


@dataclass(frozen=True)
class Staff:
    """Who sits where: the front-office counters' morning and afternoon officers (the
    afternoon ones take over at 12:00 where they differ) and the back-office counters'
    officers, by counter name. The counters must exist in the settings played on."""

    morning: dict[str, str]
    afternoon: dict[str, str]
    back: dict[str, str]


YEAR_STAFF = Staff(MORNING, AFTERNOON, BACK_OFFICERS)
"""The benchmark office's staff (:data:`SETTINGS_TOML`)."""

FIRST_NAMES = ("Budi", "Siti", "Ahmad", "Dewi", "Rina", "Agus", "Yusuf", "Lestari", "Putri", "Hadi")
LAST_NAMES = ("Santoso", "Lubis", "Siregar", "Nasution", "Harahap", "Sinaga", "Pohan", "Ginting")
INSTITUTIONS = ("SMA Negeri 1 Medan", "SD Negeri 060", "SMP Swasta Harapan", "Dinas Pendidikan")
POSITIONS = {
    "front_office": "Pengelola Layanan Operasional",
    "back_office": "Analis Layanan",
    "unit": "Penata Kelola Pendidikan",
    "receptionist": "Petugas Resepsionis",
}
"""The position each role's officers hold in the year's accounts."""


@dataclass(frozen=True)
class YearSize:
    """How much history: ``days`` business days of ``visitors`` visitors each."""

    days: int = 250
    visitors: int = 200


def business_days(count: int, before: date) -> list[date]:
    """The ``count`` Monday-to-Friday days before ``before``, oldest first."""
    found: list[date] = []
    day = before
    while len(found) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found[::-1]


def make_home(root: Path, toml: str = SETTINGS_TOML) -> Settings:
    """An appliance home at ``root`` (settings file ``ult.toml``, database with the catalogue)."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "ult.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(root)})
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


def random_nik(rng: random.Random) -> str:
    """A possible NIK of North Sumatra (province 12, Medan 71): district, birth date, serial."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    day = born.day + (40 if rng.random() < 0.5 else 0)
    return f"1271{rng.randint(1, 21):02d}{day:02d}{born.month:02d}{born.year % 100:02d}" + (
        f"{rng.randint(1, 9999):04d}"
    )


@dataclass
class _Office:
    """One simulated office: the queue on a fake clock, and the counters' state."""

    queue: Queue
    clock: FakeClock
    rng: random.Random
    tz: object
    counter_ids: dict[str, int]
    staff: Staff
    free: list[str] = field(default_factory=list)
    ready: list[int] = field(default_factory=list)
    states: dict[int, str] = field(default_factory=dict)
    agenda: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)
    people: list[tuple[str, str, str, str]] = field(default_factory=list)
    _order: itertools.count = field(default_factory=itertools.count)

    # -- the agenda

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.agenda, (moment, next(self._order), action))

    def after(self, minutes: float, action: Callable[[], None]) -> None:
        self.at(self.clock.now + timedelta(minutes=minutes), action)

    def run_until(self, moment: datetime) -> None:
        while self.agenda and self.agenda[0][0] <= moment:
            when, _, action = heapq.heappop(self.agenda)
            self.clock.set(max(when, self.clock.now))
            action()

    def minutes(self, median: float) -> float:
        """A step's duration around ``median`` minutes: most within, some well over."""
        return max(0.2, self.rng.lognormvariate(math.log(median), 0.45))

    def officer(self, counter: str) -> str:
        local = self.clock.now.astimezone(self.tz)  # type: ignore[arg-type]
        return (self.staff.morning if local.hour < 12 else self.staff.afternoon)[counter]

    # -- visitors

    def arrive(self) -> None:
        rng = self.rng
        letter = rng.choices(list(SERVICE_WEIGHTS), weights=list(SERVICE_WEIGHTS.values()))[0]
        kiosk = rng.random() < KIOSK_SHARE
        issued = self.queue.issue(
            letter,
            actor="kiosk" if kiosk else RECEPTIONIST,
            priority=rng.random() < PRIORITY_SHARE,
            source="kiosk" if kiosk else "reception",
        )
        ticket = issued.ticket
        self.states[ticket.id] = ticket.state
        if kiosk:
            self.queue.record_print(ticket.id, actor="kiosk", printed=True)
        if rng.random() < CANCEL_SHARE:
            self.after(rng.uniform(5, 40), lambda: self.cancel(ticket.id))
        self.dispatch()

    def cancel(self, ticket_id: int) -> None:
        if self.states.get(ticket_id) == sop.WAITING:
            self.track(self.queue.cancel(ticket_id, actor=RECEPTIONIST, reason="Pengunjung pulang"))

    def track(self, ticket: Ticket) -> Ticket:
        self.states[ticket.id] = ticket.state
        return ticket

    def person(self) -> tuple[str, str, str, str]:
        rng = self.rng
        if self.people and rng.random() < RETURNING_SHARE:
            return rng.choice(self.people)
        found = (
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            random_nik(rng),
            rng.choice(INSTITUTIONS),
            f"08{rng.randint(10**9, 10**10 - 1)}",
        )
        self.people.append(found)
        return found

    # -- the front office

    def dispatch(self) -> None:
        """Every free counter takes an answer that came back, else calls the next ticket."""
        while self.free:
            counter = self.free.pop()
            if self.ready:
                self.explain(counter, self.ready.pop(0))
                continue
            called = self.queue.call_next(counter, actor=self.officer(counter))
            if called is None:
                self.free.append(counter)
                return
            self.track(called)
            if self.rng.random() < NO_SHOW_SHARE:
                self.after(1.0, lambda c=counter, t=called.id: self.recall(c, t, 1))
            else:
                self.after(self.minutes(1.5), lambda c=counter, t=called.id: self.serve(c, t))

    def release(self, counter: str) -> None:
        self.free.append(counter)
        self.dispatch()

    def recall(self, counter: str, ticket_id: int, done: int) -> None:
        actor = self.officer(counter)
        if done <= RECALLS:
            self.queue.recall(ticket_id, counter, actor=actor)
            self.after(1.0, lambda: self.recall(counter, ticket_id, done + 1))
            return
        self.track(self.queue.no_show(ticket_id, counter, actor=actor))
        self.release(counter)

    def serve(self, counter: str, ticket_id: int) -> None:
        queue, rng = self.queue, self.rng
        actor = self.officer(counter)
        self.track(queue.start(ticket_id, counter, actor=actor))
        name, nik, institution, phone = self.person()
        acting = rng.random() < ACTING_FOR_SHARE

        def identify() -> None:
            queue.identify(
                ticket_id,
                counter,
                actor=self.officer(counter),
                name=name,
                document_kind="ktp",
                document_number=nik,
                institution=institution,
                phone=phone,
                acting_for=acting,
                represents_name="Kepala Sekolah" if acting else None,
                represents_institution=institution if acting else None,
                letter_type="surat_tugas" if acting else None,
                letter_number=f"800/{ticket_id}/2026" if acting else None,
                letter_date=self.clock.now.astimezone(self.tz).date().isoformat()  # type: ignore[arg-type]
                if acting
                else None,
            )
            self.after(self.minutes(2.0), detail)

        def detail() -> None:
            queue.detail(ticket_id, counter, actor=self.officer(counter), text="Permohonan")
            if rng.random() < ESCALATE_SHARE:
                self.after(self.minutes(3.0), consult if rng.random() < CONSULT_SHARE else escalate)
            else:
                self.after(self.minutes(2.0), answer)

        def answer() -> None:
            self.track(
                queue.answer(
                    ticket_id, counter, actor=self.officer(counter), kind="available", text="Ok"
                )
            )
            self.after(self.minutes(3.0), lambda: self.explain(counter, ticket_id))

        def consult() -> None:
            self.track(queue.consult(ticket_id, counter, actor=self.officer(counter)))
            self.after(self.minutes(3.0), escalate)

        def escalate() -> None:
            self.track(
                queue.escalate(ticket_id, counter, actor=self.officer(counter), note="Perlu BO")
            )
            self.release(counter)
            back = rng.choice(list(self.staff.back))
            self.after(rng.uniform(2, 20), lambda: self.take(back, ticket_id))

        self.after(self.minutes(2.0), identify)

    def explain(self, counter: str, ticket_id: int) -> None:
        mode = "direct" if self.rng.random() < 0.8 else "indirect"
        self.track(self.queue.explain(ticket_id, counter, actor=self.officer(counter), mode=mode))
        self.after(self.minutes(2.5), lambda: self.finish(counter, ticket_id))

    def finish(self, counter: str, ticket_id: int) -> None:
        outcome = "resolved" if self.rng.random() < 0.95 else "unresolved"
        self.track(
            self.queue.finish(ticket_id, counter, actor=self.officer(counter), outcome=outcome)
        )
        self.release(counter)

    # -- the back office and the main units

    def take(self, back: str, ticket_id: int) -> None:
        queue, rng = self.queue, self.rng
        actor = self.staff.back[back]
        self.track(queue.take(ticket_id, back, actor=actor))
        if rng.random() >= FORWARD_SHARE:
            self.after(
                self.minutes(4.0),
                lambda: self.answer_ready(queue.resolve(ticket_id, back, actor=actor, text="Ok")),
            )
            return
        unit = rng.randrange(len(UNIT_ACTORS))

        def forward() -> None:
            self.track(queue.forward(ticket_id, back, actor=actor, unit=unit + 1))
            if rng.random() < NEXT_DAY_DISPOSITION_SHARE:
                self.at(self.next_morning(), dispose)
            else:
                self.after(rng.uniform(20, 90), dispose)

        def dispose() -> None:
            self.track(queue.disposition(ticket_id, actor=UNIT_ACTORS[unit], text="Disposisi"))
            self.after(self.minutes(2.0), relay)

        def relay() -> None:
            self.answer_ready(queue.relay(ticket_id, back, actor=actor))

        self.after(self.minutes(4.0), forward)

    def answer_ready(self, ticket: Ticket) -> None:
        self.track(ticket)
        self.ready.append(ticket.id)
        self.dispatch()

    # -- the officers' day

    def sit(self, day: date) -> None:
        """Every officer takes their counter at the start of their day; at noon the morning
        officers of the counters that change hands leave them to the afternoon ones; at the
        end of the day everybody leaves."""
        opening = datetime.combine(day, OPEN_AT, tzinfo=self.tz)  # type: ignore[arg-type]
        noon = datetime.combine(day, time(12, 0), tzinfo=self.tz)  # type: ignore[arg-type]
        self.at((opening - timedelta(minutes=15)).astimezone(UTC), self.take_counters)
        self.at(noon.astimezone(UTC), self.change_hands)

    def take_counters(self) -> None:
        for counter, officer in {**self.staff.morning, **self.staff.back}.items():
            self.queue.take_counter(counter, actor=officer)

    def change_hands(self) -> None:
        for counter, officer in self.staff.afternoon.items():
            if self.staff.morning[counter] != officer:
                self.queue.leave_counter(counter, actor=self.staff.morning[counter])
                self.queue.take_counter(counter, actor=officer)

    def leave_counters(self) -> None:
        for counter, officer in {**self.staff.afternoon, **self.staff.back}.items():
            self.queue.leave_counter(counter, actor=officer)

    def next_morning(self) -> datetime:
        local = self.clock.now.astimezone(self.tz)  # type: ignore[arg-type]
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(9, 30), tzinfo=self.tz)  # type: ignore[arg-type]
        return (start + timedelta(minutes=self.rng.uniform(0, 120))).astimezone(UTC)


def play_days(
    settings: Settings,
    days: list[date],
    visitors: int,
    *,
    seed: int = 11,
    durable: bool = False,
    staff: Staff = YEAR_STAFF,
) -> None:
    """Play ``visitors`` visitors on each of ``days`` (oldest first) through the domain, the
    counters held by ``staff`` (``scripts/demo`` plays a few days on the demo's own office).

    ``durable=False`` turns the builder connection's ``synchronous`` off (see the module
    docstring); the appliance's own connections keep theirs.
    """
    db = connect(settings.store.database)
    if not durable:
        db.execute("PRAGMA synchronous = OFF")
    tz = settings.office.tz
    first = datetime.combine(days[0], OPEN_AT, tzinfo=tz).astimezone(UTC)
    clock = FakeClock(first - timedelta(minutes=30))
    office = _Office(
        Queue(db, settings, clock=clock),
        clock,
        random.Random(seed),
        tz,
        {c.name: c.id for c in Queue(db, settings).counters()},
        staff,
        free=list(staff.morning),
    )
    for day in days:
        opening = datetime.combine(day, OPEN_AT, tzinfo=tz).astimezone(UTC)
        closing = datetime.combine(day, LAST_ARRIVAL, tzinfo=tz).astimezone(UTC)
        span = (closing - opening).total_seconds()
        office.sit(day)
        for offset in sorted(office.rng.uniform(0, span) for _ in range(visitors)):
            office.at(opening + timedelta(seconds=offset), office.arrive)
        office.run_until(opening + timedelta(hours=12))
        office.clock.set(max(opening + timedelta(hours=12), office.clock.now))
        office.leave_counters()
    # Dispositions still due after the last day stay open: cases open across days.
    checkpoint(db)
    db.close()


def add_survey(settings: Settings, *, seed: int = 13) -> int:
    """Responses of the SKM for :data:`SURVEY_SHARE` of the finished tickets, with their
    receipts, as the survey form writes them (no ticket id in a response; its day, service
    and counter kind only). Returns how many. Its own random stream: the played year stays
    the same whatever is drawn here."""
    rng = random.Random(seed)
    db = connect(settings.store.database)
    db.execute("PRAGMA synchronous = OFF")
    responses, receipts = [], []
    for ticket_id, day, service, escalated in db.execute(
        "SELECT id, day, service, back_office_counter_id IS NOT NULL FROM tickets "
        "WHERE state = ? ORDER BY id",
        (sop.DONE,),
    ):
        if rng.random() >= SURVEY_SHARE:
            continue
        answers = {
            code: rng.choices((1, 2, 3, 4), weights)[0]
            for code, weights in SURVEY_WEIGHTS.items()
            if rng.random() >= SURVEY_SKIP_SHARE
        }
        profile = (
            {key: rng.choice(choices) for key, choices in SURVEY_PROFILE.items()}
            if rng.random() < 0.5
            else {}
        )
        responses.append(
            (
                rng.randbytes(16).hex(),
                "skm",
                day,
                service,
                "back_office" if escalated else "front_office",
                json.dumps(answers),
                json.dumps(profile),
                "Antrean lebih cepat" if rng.random() < 0.05 else None,
            )
        )
        receipts.append((ticket_id, "skm"))
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO survey_responses (id, instrument, day, service, counter_kind, answers, "
            "profile, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            responses,
        )
        db.conn.executemany(
            "INSERT INTO survey_receipts (ticket_id, instrument) VALUES (?, ?)", receipts
        )
    checkpoint(db)
    db.close()
    return len(responses)


def build_year(root: Path, size: YearSize, *, today: date | None = None) -> Settings:
    """A home at ``root`` with ``size`` of history ending the business day before ``today``
    (default: the real date), with accounts for the officers."""
    settings = make_home(root)
    db = connect(settings.store.database)
    staff = [
        *(
            (name, "front_office")
            for name in sorted(set(MORNING.values()) | set(AFTERNOON.values()))
        ),
        *((name, "back_office") for name in BACK_OFFICERS.values()),
        *((name, "unit") for name in UNIT_ACTORS),
        (RECEPTIONIST, "receptionist"),
    ]
    for n, (username, role) in enumerate(staff, 1):
        # Officers on record as the reports show them: a full name, a NIP (born 1980-1990,
        # appointed 2010, serial n) and a position.
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        accounts.add_user(
            db,
            username,
            f"bench-{username}-9f3k2",
            role,
            full_name=f"{first} {last}, S.Pd.",
            nip=f"{1980 + n % 10}0{1 + n % 9}15 201003 1 {n:03d}",
            position=POSITIONS[role],
        )
    db.close()
    play_days(settings, business_days(size.days, today or date.today()), size.visitors)
    add_survey(settings)
    return settings


def cache_key(size: YearSize) -> str:
    """What a cached year depends on: schema version, sizes and this builder's text."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"v{LATEST}-{size.days}x{size.visitors}-{source}"


def cached_year(root: Path, size: YearSize, *, cache: Path | None = None) -> tuple[Settings, bool]:
    """A home at ``root`` holding a copy of a year of ``size``; built once per
    :func:`cache_key` under ``cache`` (default: the system temporary directory). Returns the
    settings and whether the year was built now."""
    store = (cache or Path(tempfile.gettempdir()) / "ult-year-cache") / cache_key(size)
    built = not (store / "ult.db").exists()
    if built:
        partial = store.with_name(store.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        build_year(partial, size)
        shutil.rmtree(store, ignore_errors=True)
        partial.rename(store)
    settings = make_home(root)
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.store.database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(store / "ult.db", settings.store.database)
    return settings, built
