"""`newswatch browse`: the live database in Datasette, read-only, on 127.0.0.1."""

import errno
import socket

import click

from scheduler.context import AppContext, echo

DEFAULT_PORT = 8001  # Datasette's own default


@click.command()
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port on 127.0.0.1.",
)
@click.pass_context
def browse(ctx: click.Context, port: int) -> None:
    """Browse the database in Datasette: search, facets, canned queries, while crawls go on.

    Served read-only and on this machine only (127.0.0.1); open the address it prints in a
    browser, Ctrl-C stops it. From another machine, forward the port over SSH
    (ssh -L 8001:127.0.0.1:8001 server).

    Example:

        newswatch browse --port 8001
    """
    app: AppContext = ctx.obj
    with app.reader() as storage:  # an older database is brought up to the current schema
        path = storage.path
    _check_port(port)
    from scheduler.browse_server import serve

    verbosity = ctx.find_root().params.get("verbose", 0)
    echo(f"browsing {path} (read-only) at http://127.0.0.1:{port}/ — Ctrl-C stops")
    serve(path, port, log_level="info" if verbosity else "warning")


def _check_port(port: int) -> None:
    """A port already taken is said plainly (uvicorn would log a traceback-like error)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    except OSError as error:
        taken = error.errno == errno.EADDRINUSE
        why = "is in use (another browse or Datasette?)" if taken else f"cannot be used: {error}"
        raise click.ClickException(f"port {port} {why}: choose another with --port") from error
    finally:
        probe.close()
