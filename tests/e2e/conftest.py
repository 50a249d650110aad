"""End to end in a real browser: the real ``ult admin`` (waitress) over a fresh appliance home,
driven by Debian's ``chromium`` through Playwright.

Playwright is only the driver here: it never downloads a browser (the appliance and CI have no
internet for that). It launches the Debian package's binary by ``executable_path``: ``make
test`` installs ``chromium`` with the other Debian packages the suite calls (Makefile,
``TEST_APT_PACKAGES``). ``ULT_E2E_CHROMIUM`` names another binary. Without a browser the tests
skip with the reason, except under CI (``CI`` set), where a missing browser is an install step
that went wrong and fails the run.

Select them with ``pytest -m e2e`` (``make e2e``); leave them out with ``-m "not e2e"``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import hours_off
from ult import sitting
from ult.clock import Clock
from ult.queue import Queue
from ult.settings import load_settings
from ult.store import connect

if TYPE_CHECKING:  # imported for real only by the fixtures: a missing package skips
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
"""Where Debian's package puts the browser (Raspberry Pi OS names it the same)."""

SERVER_START_S = 20.0
"""Longest wait for ``ult admin`` to answer its first request."""

PASSWORD = "rahasia-e2e"
USERS = {"supervisor": "spv-e2e", "front_office": "fo-e2e"}
"""The accounts of the test appliance (all with :data:`PASSWORD`): the first supervisor, as a
technician creates it, and the front office the tests log in as."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: drives the real server in Debian's chromium (Playwright); make e2e"
    )


def _chromium() -> str | None:
    wanted = os.environ.get("ULT_E2E_CHROMIUM")
    for candidate in (wanted,) if wanted else CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: see `make test`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        _unavailable(
            "Debian's chromium is not installed: `make test` installs it "
            "(or `apt-get install chromium`; ULT_E2E_CHROMIUM names another binary)"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless chromium for the session (each test opens its own contexts)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: `make test` installs the dev extra")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium_path, headless=True)
        yield launched
        launched.close()


# ----------------------------------------------------------------------------- the appliance


def _ult_command() -> list[str]:
    """``ult`` of the interpreter running the tests (the one in .venv)."""
    script = Path(sys.executable).with_name("ult")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ult.cli import main; sys.exit(main())"]


@dataclass
class Appliance:
    """A running ``ult admin`` over its own ULT_HOME."""

    home: Path
    env: dict[str, str]
    base_url: str = ""
    process: subprocess.Popen | None = None
    voice_build: subprocess.Popen | None = None
    """``ult voice build`` running meanwhile (:func:`fresh_appliance` with ``voice``)."""
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.home / "admin.log"

    def ult(self, *args: str, stdin: str | None = None) -> str:
        """Run ``ult ARGS`` against this home; its output (fails the test on exit != 0)."""
        done = subprocess.run(
            [*_ult_command(), *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"ult {' '.join(args)}: {done.stdout}{done.stderr}"
        if args[:1] == ("init",):
            # The browser tests run at any hour; the service hours have tests of their own.
            hours_off(self.home / "ult.toml")
        return done.stdout

    def issue(self, service: str = "A") -> str:
        """Issue a ticket with ``ult issue``; its label (``A-001``)."""
        out = self.ult("issue", service, "--actor", "e2e")
        found = re.search(r"\b[A-Z]-\d{3}\b", out)
        assert found, f"no ticket label in: {out}"
        return found.group(0)

    def url(self, path: str) -> str:
        return self.base_url + path

    def server_log(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        except FileNotFoundError:
            return ""


LISTENING = re.compile(r"listening on (http://\S+?)/? ")
"""The line ``ult admin`` logs once its socket is bound (with ``--port 0``, the port chosen)."""


def _wait_until_up(appliance: Appliance) -> None:
    """Read the URL from the server's log line, then wait for its first answer."""
    assert appliance.process is not None
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if appliance.process.poll() is not None:
            pytest.fail(
                f"ult admin exited with {appliance.process.returncode}:\n{appliance.server_log()}"
            )
        if not appliance.base_url:
            found = LISTENING.search(appliance.server_log())
            if found:
                appliance.base_url = found.group(1)
        if appliance.base_url:
            try:
                with urllib.request.urlopen(appliance.url("/login"), timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.05)
    pytest.fail(
        f"ult admin did not answer within {SERVER_START_S:.0f} s:\n{appliance.server_log()}"
    )


def fresh_appliance(
    home: Path,
    *,
    users: Mapping[str, str] = USERS,
    password: str = PASSWORD,
    settings_edit: Callable[[str], str] | None = None,
    voice: bool = False,
) -> Appliance:
    """An appliance over the empty folder ``home``, not yet serving: ``ult init`` (service
    hours off), then ``settings_edit`` (ult.toml's text → the text to write instead), then
    ``ult user add`` of each ``{role: username}`` in ``users`` with ``password``. With
    ``voice``, ``ult voice build`` (espeak-ng, for the board's announcements) starts right
    after ``ult init`` and runs meanwhile; :func:`running_admin` waits for it."""
    env = {k: v for k, v in os.environ.items() if k != "ULT_CONFIG"}
    env.update(ULT_HOME=str(home), PYTHONUNBUFFERED="1")
    appliance = Appliance(home, env)
    appliance.ult("init")
    if voice:
        appliance.voice_build = subprocess.Popen(
            [*_ult_command(), "voice", "build"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    if settings_edit is not None:
        config = home / "ult.toml"
        config.write_text(settings_edit(config.read_text(encoding="utf-8")), encoding="utf-8")
    for role, username in users.items():
        appliance.ult("user", "add", username, "--role", role, "--password-stdin", stdin=password)
    return appliance


@contextmanager
def running_admin(appliance: Appliance) -> Iterator[Appliance]:
    """``ult admin`` serving ``appliance`` on 127.0.0.1 and a port the kernel picks
    (``--port 0``: no race with other programs), its output in ``appliance.log``; yields
    once it answers (and its voice build, if any, succeeded). On exit the server is
    terminated (killed after 10 s) and a voice build still running is killed."""
    with appliance.log.open("wb") as log:
        appliance.process = subprocess.Popen(
            [*_ult_command(), "admin", "--host", "127.0.0.1", "--port", "0"],
            env=appliance.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    voice = appliance.voice_build
    try:
        _wait_until_up(appliance)
        if voice is not None:
            voice_out, _ = voice.communicate(timeout=60)
            assert voice.returncode == 0, f"ult voice build: {voice_out}"
        yield appliance
    finally:
        if voice is not None and voice.poll() is None:
            voice.kill()
            voice.wait()
        appliance.process.terminate()
        try:
            appliance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            appliance.process.kill()
            appliance.process.wait()


@contextmanager
def domain(appliance: Appliance, clock: Clock | None = None) -> Iterator[Queue]:
    """The queue domain on the appliance's database (the server reads the same file), on
    ``clock`` (default: the real one); the connection closes on exit."""
    settings = load_settings(environ={"ULT_HOME": str(appliance.home)})
    db = connect(settings.store.database)
    try:
        yield Queue(db, settings) if clock is None else Queue(db, settings, clock=clock)
    finally:
        db.close()


@pytest.fixture(scope="session")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """``ult init`` in a fresh home, one account per test role, the voice pack, then
    ``ult admin`` serving it (:func:`fresh_appliance`, :func:`running_admin`)."""
    with running_admin(fresh_appliance(tmp_path_factory.mktemp("e2e-home"), voice=True)) as up:
        yield up


def clear_counter(appliance: Appliance, name: str) -> None:
    """Whatever an earlier test left at counter ``name`` (an officer sitting, a visitor
    held, a pause) is cleared, through the queue domain on the appliance's database: the
    appliance serves every browser test of this worker, in whatever order they run."""
    with domain(appliance) as queue:
        counter = next(c for c in queue.counters() if c.name == name)
        held = sitting.holder(queue.db, counter.id)
        if held is not None:
            queue.leave_counter(counter.id, actor=held.username)
        for (ticket_id,) in queue.db.execute(
            "SELECT id FROM tickets WHERE counter_id = ?", [counter.id]
        ).fetchall():
            queue.cancel(ticket_id, actor="e2e", reason="Dibersihkan untuk uji berikutnya")
        if counter.paused:
            queue.resume(counter.id, actor="e2e")


# ----------------------------------------------------------------------------- the browser


def aborted_live_poll(url: str, failure: str | None) -> bool:
    """True for a page's live part (``.../live``, polled on events and timers) or the
    board's announcement WAV that the browser aborted because the page navigated away or
    closed: the test's own doing, under load. Any other URL or network error is a fault."""
    path = urlsplit(url).path
    # The board's announcement WAV is fetched as its call arrives; a test that reloads the
    # board (another size) cuts it off like a live poll.
    return failure == "net::ERR_ABORTED" and (
        path.endswith("/live") or path == "/board/announcement.wav"
    )


@dataclass
class Console:
    """What the browser reported as wrong: console errors (CSP violations among them),
    uncaught exceptions, failed requests."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url") or ""
        # The browser asks for /favicon.ico by itself; its 404 is no fault of a page.
        if not url.endswith("/favicon.ico"):
            self.problems.append(f"console: {message.text} ({url})")

    def _request_failed(self, request: Request) -> None:
        # An event stream cut when its page closes or navigates away is no fault, nor is the
        # shared worker's script load aborted by leaving the page while it loads.
        if aborted_live_poll(request.url, request.failure):
            return
        if "/board/events" not in request.url and "/stream-worker.js" not in request.url:
            self.problems.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture
def console() -> Console:
    return Console()


OFFICE_SCREEN = {"width": 1366, "height": 768}
"""The office PC's screen, at which staff pages are tested."""


def office_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser context (its own cookies) as the office's machines have it: locale
    id-ID, time zone Asia/Jakarta, 10 s default timeout; ``options`` go to
    ``browser.new_context`` (``viewport=...``). The caller closes it."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **options)
    context.set_default_timeout(10_000)
    return context


def watched_page(context: BrowserContext, console: Console) -> Page:
    """A new page of ``context``, watched by ``console``."""
    page = context.new_page()
    console.watch(page)
    return page


@contextmanager
def staff_page(
    browser: Browser,
    appliance: Appliance,
    role: str | None,
    console: Console,
    *,
    viewport: Mapping[str, int] | None = OFFICE_SCREEN,
) -> Iterator[Page]:
    """A watched page in a context of its own (:func:`office_context`, at ``viewport``;
    ``None``: Playwright's default), logged in as the account of ``role`` (``None``: not
    logged in, as the board or a visitor); the context closes on exit. More pages of the
    same session: ``watched_page(page.context, console)``."""
    context = office_context(browser, **({"viewport": viewport} if viewport else {}))
    try:
        page = watched_page(context, console)
        if role is not None:
            log_in(page, appliance, role)
        yield page
    finally:
        context.close()


@pytest.fixture
def new_page(browser: Browser, console: Console) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)`` → a page in a fresh :func:`office_context`, watched
    by ``console``; every context closes after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        context = office_context(browser, **options)
        contexts.append(context)
        return watched_page(context, console)

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, appliance: Appliance, role: str, password: str = PASSWORD) -> None:
    """Fill and send the login form as the account of ``role``; returns once the page it
    leads to has loaded (a test that moves on at once would abort that page's scripts)."""
    page.goto(appliance.url("/login"))
    page.get_by_label("Nama pengguna").fill(USERS[role])
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
