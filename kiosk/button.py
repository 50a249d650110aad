"""The ticket-button daemon ``ult kiosk``: a press of a physical button becomes a paper ticket,
and the printer's one owner: print requests from the reception and the API are printed here.

Three kinds of thread, each with one job (PITFALLS, printer and button):

- **gpiozero's event thread** (lgpio's callback thread on a Pi; the pressing thread itself with
  mock pins) calls :meth:`ButtonDaemon._pressed`. It asks the :class:`PressGate` whether the
  press counts (contact bounce, a ticket still printing, the per-button minimum interval and
  cap per minute) and, if so, hands it to the worker through a :class:`queue.Queue`. No I/O,
  no database, no logging: a slow printer never delays the next edge.
- **One worker thread** owns everything slow: its own SQLite connection and
  :class:`~ult.queue.Queue` (a connection belongs to one thread; reopened when a restore
  replaced the file, checked before each press and each look for requests), the
  :class:`~kiosk.dispense.Dispenser` that checks, issues and prints, the LED and the buzzer.
  Between presses it tails the event log for print requests (:mod:`kiosk.owner`) and prints
  them in order, so every job of this process comes from this one thread.
  It re-checks the printer on its own (every 10 s while it cannot print, every 60 s otherwise),
  so the light returns to ready by itself when the printer comes back, and retries buttons,
  LED and buzzer that could not be claimed.
- **The main thread** waits for SIGTERM/SIGINT, or in ``--simulate`` reads the keyboard.

The LED tells the visitor and the receptionist what the machine can do: steady = ready, slow
blink = printing, fast blink = cannot print (printer offline, paper out, no printer, the last
print failed), a short flash every 3 seconds = closed (outside the service hours of
``[hours]``, or every button's service has reached its daily quota), off = not running.
A press while closed issues nothing and beeps twice.

With no button configured (``buttons = []`` in ``[kiosk]``) the daemon only owns the printer
and serves requests, and needs no GPIO at all: the LED and the buzzer belong to the buttons, so
``led_pin`` and ``buzzer_pin`` are then not claimed.

Pins are BCM numbers. gpiozero's ``bounce_time`` is not used: it can drop real presses, and
``when_held`` is not used either (it fires beside ``when_pressed``); bounce and rate limits are
decided here, from the times of the edges.

Text a person reads on the console is Indonesian (:data:`MESSAGES`); log lines are for
technicians (``journalctl -u ult-kiosk``) and stay English.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import signal
import sqlite3
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any, Final

import sqlite_utils
from gpiozero import LED, Button, Buzzer
from gpiozero.exc import BadPinFactory
from gpiozero.pins import Factory
from gpiozero.pins.mock import MockFactory, MockPin

from kiosk.dispense import Dispensed, Dispenser
from kiosk.messages import BUTTON_TEXT
from kiosk.owner import OwnerRunning, PrintRequest, RequestServer, hold_owner
from printer.messages import state_text
from printer.output import Check, PrinterSetupError, TicketOutput
from ult.clock import Clock, utc_now
from ult.errors import QueueError
from ult.logs import logging_at
from ult.notify import Notifier
from ult.queue import Queue
from ult.settings import Settings
from ult.sop import FINAL_STATES
from ult.store import FollowedFile, SchemaTooNew, migrate

log = logging.getLogger(__name__)

# Console text (Indonesian) lives in kiosk/messages.py with the rest of the package's.
MESSAGES: Final[dict[str, str]] = BUTTON_TEXT

EXIT_OK: Final = 0
EXIT_CONFIG: Final = 2

TICKET_CLOSED: Final = "ticket_closed"
"""Reason code of a print request not printed because its ticket was closed meanwhile."""
FAULT_RECHECK_SECONDS: Final = 10.0
"""Seconds between printer checks while it cannot print: recovery shows within this time."""
READY_RECHECK_SECONDS: Final = 60.0
"""Seconds between printer checks while it can print: a fault shows before the next press."""
DEVICE_RETRY_SECONDS: Final = 10.0
"""Seconds between attempts to claim a button, LED or buzzer pin that could not be claimed."""
SLOW_BLINK: Final = (0.5, 0.5)
"""LED on and off seconds while a ticket is printing."""
FAST_BLINK: Final = (0.1, 0.1)
"""LED on and off seconds while the printer cannot print."""
CLOSED_FLASH: Final = (0.2, 2.8)
"""LED on and off seconds while issuing is closed: a short flash, unlike either blink, so
nobody reads a closed kiosk as broken or as printing."""
CLOSED_CODES: Final = ("issuing_closed", "quota_reached")
"""Refusals of the service hours (:mod:`ult.hours`): the LED shows closed, not a fault."""
BEEP_SECONDS: Final = 0.1
"""Buzzer on time of one beep (seconds): one beep per ticket, three when none can be issued."""
_MAX_IDLE_WAIT: Final = 0.2
# The worker wakes at least this often (seconds of real time) to look at its clock (an
# injected clock may jump ahead without the worker's wait knowing) and for print requests:
# a reception print starts within this time.
_MINUTE: Final = 60.0

# Verdicts of PressGate.offer.
ACCEPTED: Final = "accepted"
BOUNCE: Final = "bounce"
BUSY: Final = "busy"
TOO_SOON: Final = "too_soon"
CAPPED: Final = "capped"
VERDICTS: Final = (ACCEPTED, BOUNCE, BUSY, TOO_SOON, CAPPED)

# Light modes.
LIGHT_OFF: Final = "off"
LIGHT_READY: Final = "ready"
LIGHT_PRINTING: Final = "printing"
LIGHT_FAULT: Final = "fault"
LIGHT_CLOSED: Final = "closed"


# --- the policy: which presses become tickets --------------------------------------------------


@dataclass
class _ButtonHistory:
    last_edge: float | None = None
    last_accepted: float | None = None
    capped_noticed: bool = False

    def __post_init__(self) -> None:
        self.accepted: deque[float] = deque()


class PressGate:
    """Decides, in microseconds, whether a press becomes a ticket. Thread-safe.

    ``PressGate(buttons, debounce_seconds=0.05, min_interval_seconds=3.0, max_per_minute=20,
    clock=time.monotonic)``; times are seconds of ``clock``. In order, a press is:

    - ``bounce``: within ``debounce_seconds`` of the previous edge (press or release) of the
      same button, i.e. contact chatter;
    - ``busy``: any button's accepted press is still being served (printing): dropped, and
      counted so the worker can log how many;
    - ``too_soon``: within ``min_interval_seconds`` of the button's last accepted press;
    - ``capped``: the button already had ``max_per_minute`` accepted presses in the last 60 s;
    - ``accepted``: the gate is now busy until :meth:`done`.
    """

    def __init__(
        self,
        buttons: int,
        *,
        debounce_seconds: float,
        min_interval_seconds: float,
        max_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.debounce_seconds = debounce_seconds
        self.min_interval_seconds = min_interval_seconds
        self.max_per_minute = max_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._history = [_ButtonHistory() for _ in range(buttons)]
        self._busy = False
        self._counts = dict.fromkeys(VERDICTS, 0)
        self._first_cap = False

    @property
    def busy(self) -> bool:
        """Whether an accepted press is being served."""
        return self._busy

    def counts(self) -> dict[str, int]:
        """Presses so far by verdict (a copy)."""
        with self._lock:
            return dict(self._counts)

    def offer(self, index: int) -> str:
        """The verdict on a press of button ``index`` (0-based) now; see the class."""
        with self._lock:
            verdict = self._judge(index, self._clock())
            self._counts[verdict] += 1
            return verdict

    def release(self, index: int) -> None:
        """Note a release edge: chatter right after a release is bounce, not a new press."""
        with self._lock:
            self._history[index].last_edge = self._clock()

    def cap_first_hit(self, index: int) -> bool:
        """True once per run of refusals by the cap, so the worker warns once, not per press."""
        with self._lock:
            history = self._history[index]
            if history.capped_noticed:
                return False
            history.capped_noticed = True
            return True

    def done(self) -> None:
        """The accepted press has been served: presses count again."""
        with self._lock:
            self._busy = False

    def _judge(self, index: int, now: float) -> str:
        history = self._history[index]
        previous_edge, history.last_edge = history.last_edge, now
        if previous_edge is not None and now - previous_edge < self.debounce_seconds:
            return BOUNCE
        if self._busy:
            return BUSY
        last = history.last_accepted
        if last is not None and now - last < self.min_interval_seconds:
            return TOO_SOON
        while history.accepted and now - history.accepted[0] >= _MINUTE:
            history.accepted.popleft()
        if len(history.accepted) >= self.max_per_minute:
            return CAPPED
        history.accepted.append(now)
        history.last_accepted = now
        history.capped_noticed = False
        self._busy = True
        return ACCEPTED


# --- hardware: the pin factory -----------------------------------------------------------------


def default_pin_factory(environ: Mapping[str, str] = os.environ) -> Factory:
    """The pin factory for real buttons: ``GPIOZERO_PIN_FACTORY`` if set, else lgpio.

    lgpio is chosen explicitly rather than through gpiozero's fallback chain: it works on the
    Pi 4 and the Pi 5, where RPi.GPIO and the native factory do not. Raises
    :class:`~gpiozero.exc.BadPinFactory` when no GPIO can be used (a laptop, CI: use
    ``--simulate``), or the named factory is unknown or fails to load.
    """
    name = environ.get("GPIOZERO_PIN_FACTORY", "").strip()
    if name:
        # gpiozero's own lookup (devices.py): the entry point by name, then lower-cased.
        found = {ep.name: ep for ep in entry_points(group="gpiozero_pin_factories")}
        entry = found.get(name) or found.get(name.lower())
        if entry is None:
            raise BadPinFactory(f"unknown pin factory {name!r} (GPIOZERO_PIN_FACTORY)")
        try:
            return entry.load()()
        except Exception as error:
            raise BadPinFactory(f"pin factory {name!r} failed: {error}") from error
    try:
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory()
    except Exception as error:  # ImportError without lgpio, lgpio.error without a gpiochip
        raise BadPinFactory(f"lgpio pin factory unavailable: {error}") from error


def _prepare_lgpio_directory(home: Path) -> None:
    """lgpio creates its notification pipes in the working directory (or ``LG_WD``).

    Under systemd the unit sets both; started by hand from a read-only directory, point
    ``LG_WD`` at the appliance home instead of failing at the first button.
    """
    if os.environ.get("LG_WD") or os.access(os.getcwd(), os.W_OK):
        return
    with contextlib.suppress(OSError):
        home.mkdir(parents=True, exist_ok=True)
    os.environ["LG_WD"] = str(home)
    log.info("working directory is not writable; lgpio uses LG_WD=%s", home)


# --- the daemon --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Press:
    index: int


@dataclass(frozen=True)
class _CapReached:
    index: int


_CHECK: Final = "check"
_STOP: Final = "stop"


class ButtonDaemon:
    """The buttons, the LED and the buzzer of ``[kiosk]``, and the worker that prints.

    ``ButtonDaemon(settings, pin_factory=None, clock=time.monotonic, output=None)``:

    - ``pin_factory``: a gpiozero pin factory (``MockFactory()`` in tests and ``--simulate``);
      ``None`` chooses :func:`default_pin_factory` (lgpio on a Pi), which the daemon then
      closes on :meth:`stop`, unless no pin is configured at all. Raises ``BadPinFactory``
      when there is no GPIO.
    - ``clock``: monotonic seconds for bounce, the minimum interval, the cap per minute and
      the re-check timers (inject a fake one in tests).
    - ``output``: where tickets go; ``None`` builds it from ``[printer]``, raising
      ``PrinterSetupError`` naming the key.
    - ``queue_clock``: the queue's UTC clock (tickets' times).
    - ``echo``: receives one Indonesian line per outcome (the console in ``--simulate``).
    - ``fault_recheck_seconds``, ``ready_recheck_seconds``, ``device_retry_seconds``: the
      worker's timers, in seconds of ``clock``.
    - ``notifier``: systemd's watchdog, pinged from every turn of the worker's loop (at
      least every :data:`_MAX_IDLE_WAIT` s while idle), so a worker stuck in a printer call
      or the database longer than ``WatchdogSec=`` gets the service restarted.

    :meth:`start` takes the printer (raises :class:`~kiosk.owner.OwnerRunning` when another
    owner has it), claims the pins and starts the worker; :meth:`stop` releases everything
    and turns the light off. Also usable as a context manager.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pin_factory: Factory | None = None,
        clock: Callable[[], float] = time.monotonic,
        output: TicketOutput | None = None,
        queue_clock: Clock = utc_now,
        echo: Callable[[str], None] | None = None,
        fault_recheck_seconds: float = FAULT_RECHECK_SECONDS,
        ready_recheck_seconds: float = READY_RECHECK_SECONDS,
        device_retry_seconds: float = DEVICE_RETRY_SECONDS,
        notifier: Notifier | None = None,
    ) -> None:
        self.settings = settings
        kiosk = settings.kiosk
        self.output = output if output is not None else TicketOutput.from_settings(settings.printer)
        # The LED and the buzzer belong to the buttons: a kiosk without buttons is only the
        # printer's owner and needs no GPIO at all, whatever led_pin's default says.
        self._led_pin = kiosk.led_pin if kiosk.buttons else None
        self._buzzer_pin = kiosk.buzzer_pin if kiosk.buttons else None
        pins = bool(kiosk.buttons)
        self._own_factory = pin_factory is None and pins
        self.pin_factory = (
            pin_factory if pin_factory is not None or not pins else default_pin_factory()
        )
        self._owner_lock: IO[bytes] | None = None
        # The worker's hold on the database (only the worker touches these).
        self._followed = FollowedFile(settings.store.database)
        self._db: sqlite_utils.Database | None = None
        self._dispenser: Dispenser | None = None
        self._requests: RequestServer | None = None
        self._clock = clock
        self._queue_clock = queue_clock
        self._echo = echo
        self.notifier = notifier or Notifier({})
        self.fault_recheck_seconds = fault_recheck_seconds
        self.ready_recheck_seconds = ready_recheck_seconds
        self.device_retry_seconds = device_retry_seconds
        self.gate = PressGate(
            len(kiosk.buttons),
            debounce_seconds=kiosk.debounce_ms / 1000,
            min_interval_seconds=kiosk.min_interval_seconds,
            max_per_minute=kiosk.max_per_minute,
            clock=clock,
        )
        self.buttons: list[Button | None] = [None] * len(kiosk.buttons)
        self.led: LED | None = None
        self.buzzer: Buzzer | None = None
        self._device_errors: dict[str, str] = {}
        self._inbox: queue.Queue[object] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._last_verdict: list[str | None] = [None] * len(kiosk.buttons)
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._started = threading.Event()
        self._startup_error: BaseException | None = None
        self._light = LIGHT_OFF
        self._printer: Check | None = None
        self._print_failed = False
        self._check_error: str | None = None
        self._next_check = 0.0
        self._next_retry = 0.0
        self._reported = dict.fromkeys(VERDICTS, 0)
        self.issued = 0
        """Tickets issued since :meth:`start` (printed or not)."""
        self.dropped_while_printing = 0
        """Presses dropped because a ticket was being printed, since :meth:`start`."""

    # ----------------------------------------------------------------- life cycle

    def __enter__(self) -> ButtonDaemon:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Claim the pins, open the database on the worker and check the printer.

        Returns once the worker has its database connection; the first printer check runs
        on the worker. Raises ``FileNotFoundError`` (no database: ``ult init``),
        ``sqlite3.Error`` or ``SchemaTooNew`` when the database cannot be used; pins that
        cannot be claimed are logged and retried, never raised.
        """
        if self._worker is not None:
            raise RuntimeError("ButtonDaemon already started")
        self._owner_lock = hold_owner(self.settings)
        self._attach_devices()
        self._worker = threading.Thread(target=self._work, name="ult-kiosk-worker", daemon=True)
        self._submit(_CHECK)
        self._worker.start()
        self._started.wait()
        if self._startup_error is not None:
            self._worker.join()
            self._worker = None
            self._release_devices()
            if self._own_factory:
                _close(self.pin_factory)
            self._let_go_of_printer()
            raise self._startup_error
        log.info(
            "ticket buttons ready: %s; LED %s; buzzer %s; printer %s",
            ", ".join(f"GPIO{b.pin}={b.service}" for b in self.settings.kiosk.buttons),
            _pin_text(self._led_pin),
            _pin_text(self._buzzer_pin),
            self.output.kind,
        )

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking presses, let the worker finish its ticket, turn the light off.

        ``timeout`` (seconds) bounds the wait for the worker; by default a few printer
        timeouts, the longest one ticket can take. Safe to call twice.
        """
        worker = self._worker
        if worker is None:
            return
        self._stopping = True
        # Buttons first: no press may arrive after the worker's last item.
        for index, button in enumerate(self.buttons):
            if button is not None:
                _close(button)
                self.buttons[index] = None
        if worker.is_alive():
            self._submit(_STOP)
            limit = (
                timeout if timeout is not None else 4 * self.settings.printer.timeout_seconds + 5
            )
            worker.join(limit)
            if worker.is_alive():
                log.error("worker did not stop within %.0f s (printer call stuck?)", limit)
        self._set_light(LIGHT_OFF)
        self._release_devices()
        if self._own_factory:
            _close(self.pin_factory)
        self._worker = None
        self._let_go_of_printer()
        counts = self.gate.counts()
        log.info(
            "stopped: %d tickets issued; presses dropped while printing %d, too soon %d, "
            "over the cap %d, bounce %d",
            self.issued,
            counts[BUSY],
            counts[TOO_SOON],
            counts[CAPPED],
            counts[BOUNCE],
        )

    def _let_go_of_printer(self) -> None:
        if self._owner_lock is not None:
            self._owner_lock.close()  # closing the file releases its flock
            self._owner_lock = None

    # ----------------------------------------------------------------- observation

    @property
    def light(self) -> str:
        """What the LED shows: ``"ready"``, ``"printing"``, ``"fault"``, ``"closed"`` or
        ``"off"``."""
        return self._light

    @property
    def printer_state(self) -> str | None:
        """The printer state of the last check (``"ready"``, ``"offline"``, ...), or None."""
        return None if self._printer is None else self._printer.state

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every handed-over press and check is done; False on ``timeout`` (s).

        Print requests are not counted: wait for their outcome on the event log."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def press(self, index: int) -> str:
        """Press and release button ``index`` (0-based) as a person would; return the verdict.

        With mock pins the edges go through gpiozero like a real press; otherwise (a real pin,
        or a button whose pin could not be claimed) the press handler is called directly.
        """
        button = self.buttons[index]
        pin = button.pin if button is not None else None
        if isinstance(pin, MockPin):
            self._last_verdict[index] = None
            pin.drive_low()
            pin.drive_high()
            verdict = self._last_verdict[index]
            if verdict is not None:
                return verdict
        return self._pressed(index)

    # ----------------------------------------------------------------- gpiozero's thread

    def _pressed(self, index: int) -> str:
        # Runs on gpiozero's event thread: decide and hand over, nothing slow.
        verdict = self.gate.offer(index)
        self._last_verdict[index] = verdict
        if verdict == ACCEPTED:
            self._submit(_Press(index))
        elif verdict == CAPPED and self.gate.cap_first_hit(index):
            self._submit(_CapReached(index))
        return verdict

    def _released(self, index: int) -> None:
        self.gate.release(index)

    def _submit(self, item: object) -> None:
        with self._idle:
            self._pending += 1
        self._inbox.put(item)

    # ----------------------------------------------------------------- the worker

    def _work(self) -> None:
        try:
            self._open_store()
            assert self._db is not None
            _check_button_services(self._db, self.settings)
        except Exception as error:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._startup_error = error
            self._started.set()
            with self._idle:
                self._pending = 0
                self._idle.notify_all()
            return
        try:
            self._started.set()
            self._loop()
        finally:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _open_store(self) -> None:
        """Open the database file now at the path, on the worker, with its own queue,
        dispenser and request server; close the previous connection, if any.

        Raises ``StoreUnavailable`` (or ``sqlite3.Error``) and keeps the previous connection
        when the file cannot be opened."""
        db = self._followed.open()
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        previous, self._db = self._db, db
        self._dispenser = Dispenser(
            Queue(db, self.settings, clock=self._queue_clock), self.output, self.settings
        )
        # A new server finds the new log's requests without an outcome: answered ones are
        # not served again, unanswered ones are, or recorded expired when too old.
        self._requests = RequestServer(
            db, partial(self._serve_request, self._dispenser), self._queue_clock
        )
        if previous is not None:
            previous.close()

    def _live(self) -> Dispenser:
        """The dispenser on the file now at the database path, reopened first when the file
        was replaced (a restore moves another file in place); a stat when it was not.

        Without this, tickets would be issued into the unlinked old file and requests
        appended to the new one never answered."""
        if self._followed.replaced():
            log.warning("database %s was replaced; reopening it", self._followed.path)
            self._open_store()
        assert self._dispenser is not None
        return self._dispenser

    def _loop(self) -> None:
        while True:
            self.notifier.ping()
            wait = min(self._next_check, self._next_retry) - self._clock()
            try:
                item = self._inbox.get(timeout=min(max(wait, 0.0), _MAX_IDLE_WAIT))
            except queue.Empty:
                item = None
            try:
                if item == _STOP:
                    return
                if isinstance(item, _Press):
                    self._serve(item.index)
                elif isinstance(item, _CapReached):
                    log.warning(
                        "button %s reached its cap of %d tickets per minute; presses are "
                        "refused until the minute is over",
                        self._button_name(item.index),
                        self.gate.max_per_minute,
                    )
                elif item == _CHECK or self._clock() >= self._next_check:
                    self._check()
                self._live()
                assert self._requests is not None
                self._requests.poll()
                if self._clock() >= self._next_retry:
                    self._attach_devices()
            except Exception:
                # Whatever went wrong with one ticket or check, the next press must work.
                log.exception("kiosk worker: unexpected error; carrying on")
                self._fault_until_checked()
            finally:
                if item is not None:
                    with self._idle:
                        self._pending -= 1
                        self._idle.notify_all()

    def _check(self) -> None:
        try:
            check = self._live().check(actor=self._actor())
        except Exception as error:
            # A status check that raises (database busy, a transport bug) is not a crash.
            # Logged once per distinct failure, not at every re-check (the journal shows
            # changes; the LED shows the state).
            text = f"{type(error).__name__}: {error}"
            if text != self._check_error:
                log.warning("printer check failed: %s", text)
                self._check_error = text
            self._fault_until_checked()
            return
        self._check_error = None
        self._print_failed = False
        self._take_state(check)

    def _serve_request(self, dispenser: Dispenser, request: PrintRequest, expired: bool) -> None:
        """Print one request of the reception or the API and record its outcome."""
        if expired:
            log.warning(
                "print request %d (ticket id %d) is too old to print; recorded failed",
                request.id,
                request.ticket_id,
            )
            dispenser.queue.record_print(
                request.ticket_id,
                actor=self._actor(),
                printed=False,
                reason="expired",
                request=request.id,
            )
            return
        ticket = dispenser.queue.ticket(request.ticket_id)
        if ticket.state in FINAL_STATES:
            # Closed (cancelled, done, expired) after the print was asked for: paper would
            # send a visitor to wait for a number nobody will call.
            log.warning(
                "print request %d: ticket %s is %s; not printed, recorded failed",
                request.id,
                ticket.label,
                ticket.state,
            )
            dispenser.queue.record_print(
                ticket.id,
                actor=self._actor(),
                printed=False,
                reason=TICKET_CLOSED,
                request=request.id,
            )
            return
        light = self._light
        self._set_light(LIGHT_PRINTING)
        try:
            result = dispenser.reprint(request.ticket_id, actor=request.actor, request=request.id)
        except Exception:
            # A driver bug or a ticket gone: the request still gets its answer, and the
            # ticket stays listed for reprint.
            log.exception("print request %d failed unexpectedly", request.id)
            dispenser.queue.record_print(
                request.ticket_id,
                actor=request.actor,
                printed=False,
                reason="error",
                request=request.id,
            )
            self._fault_until_checked()
            return
        label = result.issued.ticket.label if result.issued else str(request.ticket_id)
        log.info(
            "print request %d from %s: ticket %s %s",
            request.id,
            request.source,
            label,
            "printed" if result.printed else "sent, unconfirmed" if result.sent else "failed",
        )
        if result.printed or result.sent:
            self._set_light(light)
        else:
            self._print_failed = True
            self._fault_until_checked()

    def _serve(self, index: int) -> None:
        button = self.settings.kiosk.buttons[index]
        started = time.perf_counter()
        busy_before = self.gate.counts()[BUSY]
        self._set_light(LIGHT_PRINTING)
        result: Dispensed | None = None
        closed = False
        try:
            dispenser = self._live()
            result = dispenser.dispense(
                button.service, actor=self._actor(index), source="kiosk", priority=button.priority
            )
        except QueueError as error:
            closed = error.code in CLOSED_CODES
            if closed:
                log.info("button %s: closed (%s)", self._button_name(index), error.code)
                self._say("closed", number=index + 1, message=error.message)
            else:
                log.error(
                    "button %s: the queue refused a ticket: %s", self._button_name(index), error
                )
                self._say("refused", message=error.message)
        except Exception:
            log.exception("button %s: issuing a ticket failed", self._button_name(index))
            self._say("failed")
        finally:
            # Presses stay dropped until the ticket is recorded, not only printed.
            self.gate.done()
        dropped = self.gate.counts()[BUSY] - busy_before
        self.dropped_while_printing += dropped
        seconds = time.perf_counter() - started
        if closed:
            self._show_closed()
            self._beep(2)
        elif result is None:
            self._fault_until_checked()
        elif result.issued is None:
            self._take_state(result.check)
            self._beep(3)
        else:
            self.issued += 1
            label = result.issued.ticket.label
            if result.printed:
                self._print_failed = False
                self._take_state(result.check)
                self._beep(1)
                log.info(
                    "button %s: ticket %s printed in %.2f s",
                    self._button_name(index),
                    label,
                    seconds,
                )
                if result.preview is not None:
                    self._say("ticket_preview", label=label, path=result.preview)
                else:
                    self._say("ticket_printed", label=label)
            elif result.sent:
                # The bytes left but the printer could not confirm: the visitor probably has
                # the paper, the ticket stays on the reprint list.
                self._take_state(result.check)
                self._beep(1)
                log.info(
                    "button %s: ticket %s sent, not confirmed", self._button_name(index), label
                )
                self._say("ticket_sent", label=label)
            else:
                # Kept in the queue and marked by the Dispenser; the light shows the fault
                # until a check says the printer can print again.
                self._say("ticket_not_printed", label=label)
                self._beep(3)
                if not self._print_failed:
                    log.warning("printing failed: light shows the fault until the next check")
                self._print_failed = True
                self._fault_until_checked()
        if dropped:
            log.info("%d presses dropped while a ticket was printing", dropped)
        self._report_refusals()

    def _report_refusals(self) -> None:
        # One summary line per ticket rather than one line per refused press.
        counts = self.gate.counts()
        new = {v: counts[v] - self._reported[v] for v in (TOO_SOON, CAPPED, BOUNCE)}
        self._reported = counts
        if any(new.values()):
            log.info(
                "presses refused since the last ticket: too soon %d, over the cap %d, bounce %d",
                new[TOO_SOON],
                new[CAPPED],
                new[BOUNCE],
            )

    def _take_state(self, check: Check) -> None:
        """Show a printer check on the LED; log and tell the console once per change."""
        previous = self._printer
        self._printer = check
        now = self._clock()
        if check.can_issue:
            self._next_check = now + self.ready_recheck_seconds
            self._set_light(LIGHT_CLOSED if self._closed() else LIGHT_READY)
        else:
            self._next_check = now + self.fault_recheck_seconds
            self._set_light(LIGHT_FAULT)
        if previous is not None and (previous.state, previous.can_issue) == (
            check.state,
            check.can_issue,
        ):
            return
        if check.can_issue:
            log.info("printer %s (%s): light steady", check.state, check.detail or "-")
            self._say("printer_ready", state=state_text(check.state))
        else:
            log.warning(
                "printer cannot print: %s (%s); light blinks fast, re-checking every %g s",
                check.state,
                check.detail or "-",
                self.fault_recheck_seconds,
            )
            self._say("cannot_print", state=state_text(check.state))

    def _closed(self) -> bool:
        """Whether no button can issue now: outside the service hours, or every button's
        service at its daily quota. Read on the worker at each printer check, so the light
        turns to closed and back within :data:`READY_RECHECK_SECONDS` of the hours."""
        assert self._dispenser is not None
        queue = self._dispenser.queue
        services = {b.service for b in self.settings.kiosk.buttons}
        return all(queue.issuing_refusal(letter) is not None for letter in services)

    def _show_closed(self) -> None:
        """Closed after a refused press: shown until the next check, which is due sooner
        when the refusal was only this button's quota while another button can still issue."""
        self._set_light(LIGHT_CLOSED)
        self._next_check = min(self._next_check, self._clock() + self.fault_recheck_seconds)

    def _fault_until_checked(self) -> None:
        self._set_light(LIGHT_FAULT)
        self._next_check = self._clock() + self.fault_recheck_seconds

    # ----------------------------------------------------------------- devices

    def _attach_devices(self) -> None:
        """Claim every pin not yet claimed; log each failure once per distinct error."""
        kiosk = self.settings.kiosk
        if self._stopping:
            return  # stop() is releasing the pins: claiming them again would leak them
        for index, button_settings in enumerate(kiosk.buttons):
            if self.buttons[index] is None:
                self.buttons[index] = self._claim(
                    f"button {index + 1} (GPIO{button_settings.pin})",
                    partial(self._make_button, index, button_settings.pin),
                )
        if self._led_pin is not None and self.led is None:
            self.led = self._claim(
                f"LED (GPIO{self._led_pin})",
                partial(LED, self._led_pin, pin_factory=self.pin_factory),
            )
            if self.led is not None:
                self._show(self._light)
        if self._buzzer_pin is not None and self.buzzer is None:
            self.buzzer = self._claim(
                f"buzzer (GPIO{self._buzzer_pin})",
                partial(Buzzer, self._buzzer_pin, pin_factory=self.pin_factory),
            )
        self._next_retry = self._clock() + self.device_retry_seconds

    def _make_button(self, index: int, pin: int) -> Button:
        # pull_up: the button connects the pin to ground. bounce_time None: see module doc.
        button = Button(pin, pull_up=True, bounce_time=None, pin_factory=self.pin_factory)
        button.when_pressed = partial(self._pressed, index)
        button.when_released = partial(self._released, index)
        return button

    def _claim(self, name: str, make: Callable[[], Any]) -> Any:
        try:
            device = make()
        except BadPinFactory:
            raise
        except Exception as error:
            text = f"{type(error).__name__}: {error}"
            if self._device_errors.get(name) != text:
                log.error(
                    "%s cannot be used: %s; retrying every %g s",
                    name,
                    text,
                    self.device_retry_seconds,
                )
                self._device_errors[name] = text
            return None
        if self._device_errors.pop(name, None) is not None:
            log.info("%s is back", name)
        return device

    def _release_devices(self) -> None:
        for index, button in enumerate(self.buttons):
            if button is not None:
                _close(button)
                self.buttons[index] = None
        for device in (self.led, self.buzzer):
            if device is not None:
                _close(device)
        self.led = None
        self.buzzer = None

    def _set_light(self, mode: str) -> None:
        if mode == self._light:
            return  # restarting a blink would make it stutter
        self._show(mode)
        self._light = mode  # after the LED: whoever reads ``light`` sees the LED already so

    def _show(self, mode: str) -> None:
        led = self.led
        if led is None:
            return
        try:
            if mode == LIGHT_READY:
                led.on()
            elif mode == LIGHT_PRINTING:
                led.blink(*SLOW_BLINK)
            elif mode == LIGHT_FAULT:
                led.blink(*FAST_BLINK)
            elif mode == LIGHT_CLOSED:
                led.blink(*CLOSED_FLASH)
            else:
                led.off()
        except Exception:
            log.warning("LED could not be set to %s", mode, exc_info=True)

    def _beep(self, times: int) -> None:
        buzzer = self.buzzer
        if buzzer is None:
            return
        try:
            buzzer.beep(BEEP_SECONDS, BEEP_SECONDS, n=times, background=True)
        except Exception:
            log.warning("buzzer failed", exc_info=True)

    # ----------------------------------------------------------------- text

    def _button_name(self, index: int) -> str:
        button = self.settings.kiosk.buttons[index]
        return f"{index + 1} (GPIO{button.pin}, service {button.service})"

    def _actor(self, index: int | None = None) -> str:
        return "kiosk" if index is None else f"kiosk:tombol{index + 1}"

    def _say(self, key: str, **values: object) -> None:
        if self._echo is not None:
            self._echo(MESSAGES[key].format(**values))


def _pin_text(pin: int | None) -> str:
    return "none" if pin is None else f"GPIO{pin}"


def _close(device: Any) -> None:
    try:
        device.close()
    except Exception:
        log.debug("closing %r failed", device, exc_info=True)


# --- the command -------------------------------------------------------------------------------


def run(
    settings: Settings,
    *,
    simulate: bool,
    stdin: IO[Any] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """``ult kiosk [--simulate]``: run until SIGTERM/SIGINT (or ``q``/end of input when
    simulating); return the exit code.

    0: stopped normally. 2: configuration error (no GPIO, bad ``[printer]``, no database,
    another ``ult kiosk`` owns the printer), with the Indonesian message on stderr.
    ``--simulate`` uses gpiozero's mock pins and reads keys ``1``..``n`` from ``stdin``
    (single keys in a terminal, lines from a pipe); outcomes are printed on ``stdout``.
    """
    # Simulating, a person reads the terminal: the Indonesian lines say what happened, and
    # only the log's warnings and errors join them.
    with logging_at(logging.WARNING if simulate else logging.INFO):
        return _run(settings, simulate=simulate, stdin=stdin, stdout=stdout)


def _run(
    settings: Settings, *, simulate: bool, stdin: IO[Any] | None, stdout: IO[str] | None
) -> int:
    out = stdout if stdout is not None else sys.stdout

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    factory: Factory | None = MockFactory() if simulate else None
    if not simulate:
        _prepare_lgpio_directory(settings.home)
    path = settings.store.database
    notifier = Notifier()
    try:
        daemon = ButtonDaemon(
            settings, pin_factory=factory, echo=say if simulate else None, notifier=notifier
        )
        daemon.start()
    except BadPinFactory as error:
        log.error("no GPIO pin factory could be loaded (%s); without GPIO use --simulate", error)
        return _config_error("no_gpio", error=error)
    except PrinterSetupError as error:
        log.error("printer setup: %s", error)
        return _config_error("printer_setup", error=error)
    except OwnerRunning as error:
        log.error("another ult kiosk owns the printer (%s is locked)", error)
        return _config_error("owner_running", path=error)
    except ButtonServiceError as error:
        log.error("%s: service %s is not active in the database", error.key, error.letter)
        return _config_error("button_service", setting=error.key, letter=error.letter)
    except FileNotFoundError:
        log.error("database %s not found; run `ult init`", path)
        return _config_error("database_missing", path=path)
    except (sqlite3.Error, SchemaTooNew, OSError) as error:
        log.error("database %s cannot be opened: %s", path, error)
        return _config_error("database_error", path=path, error=error)

    stop = threading.Event()
    # start() returned: the worker has its database and the printer's lock; pins that are
    # missing are retried and shown on the LED, the reception's prints are served.
    notifier.ready(f"serving {len(settings.kiosk.buttons)} button(s), printer {daemon.output.kind}")
    try:
        with _stop_on_signals(stop):
            if simulate:
                _read_keys(daemon, stop, stdin if stdin is not None else sys.stdin, say)
            else:
                # A timed wait, so the signal handler's set() is seen promptly.
                while not stop.wait(1.0):
                    pass
    finally:
        notifier.stopping()
        daemon.stop()
        if factory is not None:
            _close(factory)
        if simulate:
            say(MESSAGES["stopped"].format(issued=daemon.issued))
    return EXIT_OK


class ButtonServiceError(ValueError):
    """A button's service is not an active service of the database (``key`` names it)."""

    def __init__(self, key: str, letter: str) -> None:
        super().__init__(f"{key}: {letter}")
        self.key = key
        self.letter = letter


def _check_button_services(db: Any, settings: Settings) -> None:
    """Refuse to start when a button would issue for a service the store does not offer:
    every press would be refused (the settings were edited but ``ult init`` not run)."""
    active = {r[0] for r in db.execute("SELECT letter FROM services WHERE active = 1")}
    for index, button in enumerate(settings.kiosk.buttons):
        if button.service not in active:
            raise ButtonServiceError(f"kiosk.buttons[{index}].service", button.service)


def _config_error(key: str, **values: object) -> int:
    print(MESSAGES[key].format(**values), file=sys.stderr, flush=True)
    return EXIT_CONFIG


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (``systemctl stop``) and SIGINT (Ctrl+C) set ``stop`` instead of killing us
    halfway through a ticket."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return

    def handler(signum: int, frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _read_keys(
    daemon: ButtonDaemon, stop: threading.Event, stdin: IO[Any], say: Callable[[str], None]
) -> None:
    """Keys ``1``..``n`` press the buttons, ``q`` or end of input quits.

    In a terminal the keys are read one by one (cbreak mode: no Enter needed, Ctrl+C still
    works); from a pipe each line's characters are taken in turn. ``select`` keeps the loop
    responsive to SIGTERM in both.
    """
    buttons = daemon.settings.kiosk.buttons
    say(MESSAGES["simulate_intro"])
    for number, button in enumerate(buttons, start=1):
        name = daemon.settings.service(button.service).name
        say(
            MESSAGES["simulate_key"].format(
                key=number, number=number, pin=button.pin, letter=button.service, name=name
            )
        )
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        say(MESSAGES["simulate_no_stdin"])
        stop.wait()
        return
    with _cbreak(fd):
        while not stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.2)
            except InterruptedError:
                continue
            if not ready:
                continue
            data = os.read(fd, 256)
            if not data:
                break  # end of input: finish what was pressed, then quit
            for key in data.decode("ascii", errors="replace"):
                if key in "qQ\x04":
                    stop.set()
                    break
                if key.isspace():
                    continue
                if key.isdigit() and 1 <= int(key) <= len(buttons):
                    _simulated_press(daemon, int(key) - 1, say)
                else:
                    say(MESSAGES["simulate_unknown_key"].format(key=key, count=len(buttons)))
    # Presses already handed over are still served: stop() queues behind them.


def _simulated_press(daemon: ButtonDaemon, index: int, say: Callable[[str], None]) -> None:
    verdict = daemon.press(index)
    kiosk = daemon.settings.kiosk
    number = index + 1
    if verdict == BOUNCE:
        say(MESSAGES["press_bounce"].format(number=number))
    elif verdict == BUSY:
        say(MESSAGES["press_busy"].format(number=number))
    elif verdict == TOO_SOON:
        say(MESSAGES["press_too_soon"].format(number=number, seconds=kiosk.min_interval_seconds))
    elif verdict == CAPPED:
        say(MESSAGES["press_capped"].format(number=number, limit=kiosk.max_per_minute))


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    """Single keys without Enter while in a terminal; nothing changes for a pipe or file."""
    if not os.isatty(fd):
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
