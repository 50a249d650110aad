"""``ult admin``: the staff web app under waitress. Registered in the ``ult.commands``
entry-point group (``pyproject.toml``).
"""

from __future__ import annotations

import click

from ult.cli import EXIT_USAGE, App, fail, handled, pass_app


@click.command("admin")
@click.option("--host", help="Listen on this address instead of [admin] host (0.0.0.0: all).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Listen on this TCP port instead of [admin] port (0: any free port, logged).",
)
@pass_app
@handled
def admin_command(app: App, host: str | None, port: int | None) -> None:
    """Serve the staff pages, the JSON API and the board stream (waitress) until
    SIGTERM or Ctrl+C. Logs one line with the URL once it listens."""
    # Opening the database as every command does: a missing one is refused with the usual
    # "run ult init" message (exit 2), and an older schema is upgraded before serving.
    app.db  # noqa: B018
    app.close()
    from admin.server import ServeError, serve

    try:
        serve(app.settings, host=host, port=port)
    except ServeError as error:
        fail(str(error), EXIT_USAGE)
