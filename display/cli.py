"""The board's ``ult`` commands: ``ult display`` and ``ult voice``. Registered in the
``ult.commands`` entry-point group (``pyproject.toml``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import click

from display.messages import CLI
from ult.cli import EXIT_REFUSED, EXIT_USAGE, App, fail, handled, pass_app
from ult.logs import logging_at


def _size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``; 320..7680 pixels each side."""
    width, _, height = text.lower().partition("x")
    if not (width.isdecimal() and height.isdecimal()):
        raise click.BadParameter(CLI["size_invalid"].format(size=text[:20]))
    size = (int(width), int(height))
    if not all(320 <= side <= 7680 for side in size):
        raise click.BadParameter(CLI["size_invalid"].format(size=text[:20]))
    return size


@click.command("display")
@click.option(
    "--windowed",
    metavar="WxH",
    help="Run in a window of this size (pixels) on a desktop instead of full screen.",
)
@click.option(
    "--hub",
    metavar="URL",
    help="Follow the admin app at URL (http://host:port) instead of the local database.",
)
@click.option(
    "--screenshot",
    "screenshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render the board into this PNG and exit (with --follow: keep it up to date).",
)
@click.option(
    "--follow",
    is_flag=True,
    help="With --screenshot: run the live board without a screen, rewriting the PNG.",
)
@click.option(
    "--size",
    help="Screenshot size in pixels, WIDTHxHEIGHT (default 1920x1080).",
)
@click.option("--silent", is_flag=True, help="Do not speak the calls.")
@pass_app
@handled
def display_command(
    app: App,
    windowed: str | None,
    hub: str | None,
    screenshot_path: Path | None,
    follow: bool,
    size: str | None,
    silent: bool,
) -> None:
    """The caller board: full screen (KMS/DRM on a Pi), a window, or a screenshot."""
    if follow and screenshot_path is None:
        raise click.UsageError(CLI["display_follow_needs_file"])
    if windowed is not None and (screenshot_path is not None or size is not None):
        raise click.UsageError(CLI["display_options_clash"])
    if size is not None and screenshot_path is None:
        raise click.UsageError(CLI["display_size_needs_file"])
    if hub is not None and screenshot_path is not None and not follow:
        raise click.UsageError(CLI["display_hub_needs_follow"])
    window = _size(windowed) if windowed is not None else None
    shot_size = _size(size or "1920x1080")
    if hub is not None:
        parts = urlsplit(hub)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(CLI["display_hub_invalid"].format(hub=hub[:80]))
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if screenshot_path is not None and not follow:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        from display.snapshot import screenshot

        try:
            written = screenshot(app.settings, app.db, screenshot_path, shot_size)
        except OSError as error:
            fail(CLI["screenshot_failed"].format(path=screenshot_path, error=error), EXIT_USAGE)
        click.echo(CLI["screenshot_written"].format(path=written))
        return
    from display.service import DisplayError, run_display

    names = [] if hub is not None else [c.name for c in app.queue().counters()]
    if follow:
        click.echo(CLI["display_following"].format(path=screenshot_path))
    with logging_at(logging.INFO, ("display", "ult")):
        try:
            run_display(
                app.settings,
                counter_names=names,
                hub=hub,
                windowed=window,
                follow_png=screenshot_path if follow else None,
                size=shot_size,
                silent=silent,
            )
        except DisplayError as error:
            message = CLI["display_failed"].format(error=error)
            if "INVOCATION_ID" not in os.environ:  # set by systemd for its services only
                message += "\n" + CLI["display_by_hand"]
            fail(message, EXIT_USAGE)


@click.group()
def voice() -> None:
    """The spoken announcements: build the voice pack, show or write an announcement.

    The default pack lives in $ULT_HOME/voice/default; an office's own recordings go in
    $ULT_HOME/voice/custom (one WAV per word, same names), and missing words fall back.
    """


def _voice_packs(app: App) -> tuple[Path, Path]:
    """``(pack, default_pack)``: the office's own recordings when present, else the default."""
    from display.service import voice_packs

    return voice_packs(app.settings.home)


@voice.command("build")
@pass_app
@handled
def voice_build(app: App) -> None:
    """Create the default voice pack with espeak-ng's Indonesian voice (one WAV per word)."""
    from display.voice import VoiceError, build_default_pack, default_vocabulary, error_text

    names = [counter.name for counter in app.queue().counters()]
    _, default = _voice_packs(app)
    try:
        written = build_default_pack(default, words=default_vocabulary(names))
    except (VoiceError, ValueError) as error:
        fail(CLI["voice_failed"].format(error=error_text(error)), EXIT_USAGE)
    click.echo(CLI["voice_built"].format(count=len(written), path=default))


_COME_BACK = click.option(
    "--come-back",
    is_flag=True,
    help='A returned case\'s visitor called back: "silakan kembali ke" instead of "menuju".',
)


@voice.command("text")
@click.argument("label")
@click.argument("counter")
@_COME_BACK
def voice_text(label: str, counter: str, come_back: bool) -> None:
    """Print the words announced for LABEL at COUNTER (e.g. A-123 "Loket 2")."""
    from display.voice import announcement_text, error_text

    try:
        click.echo(announcement_text(label, counter, come_back=come_back))
    except ValueError as error:
        fail(CLI["voice_refused"].format(error=error_text(error)), EXIT_USAGE)


@voice.command("say")
@click.argument("label")
@click.argument("counter")
@click.option(
    "--wav",
    "wav",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the announcement.",
)
@_COME_BACK
@pass_app
@handled
def voice_say(app: App, label: str, counter: str, wav: Path, come_back: bool) -> None:
    """Write the whole announcement (chime, then the words) as one WAV, as the board plays it:
    the words said ``[display] announce_times`` times, the chime once."""
    from display.service import wav_maker
    from display.voice import VoiceError, error_text

    # The board's own maker (display.service), so the file is what the board plays.
    make_wav = wav_maker(app.settings.home, times=app.settings.display.announce_times)
    try:
        data = make_wav(label, counter, come_back=come_back)
    except (VoiceError, ValueError) as error:
        fail(CLI["voice_refused"].format(error=error_text(error)), EXIT_REFUSED)
    temporary = wav.with_name(f".{wav.name}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, wav)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        fail(CLI["voice_refused"].format(error=error.strerror or error), EXIT_REFUSED)
    click.echo(CLI["voice_written"].format(path=wav))
