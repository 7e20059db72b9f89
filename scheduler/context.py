"""What every command shares: the configuration it runs with and the database it opens.

Commands live in several modules; they all take an AppContext and turn domain errors into
one-line CLI errors here, so no command module needs the CLI module that registers it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from config import (
    DEFAULT_FILE_NAME,
    Config,
    ConfigError,
    defaults_beside,
    find_config_file,
    load_config,
)
from scheduler.output import terminal_safe

if TYPE_CHECKING:
    # Imported where a database is opened: `newswatch crawl` only starts a child and need
    # not load storage (sqlite-utils, numpy: ~0.25 s and 30 MiB).
    from storage import Storage


class ConfigProblem(click.ClickException):
    """A configuration that cannot be used: exit code 2, like a usage error."""

    exit_code = 2


@dataclass
class AppContext:
    config_option: Path | None
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_option)
            except ConfigError as error:
                raise ConfigProblem(
                    "configuration is not usable:\n  " + "\n  ".join(error.problems)
                ) from error
            # Every command says which sources a bad line left out, once, where the person
            # reads it: on stderr, so output meant for a pipe (--json) stays clean.
            for warning in self._config.warnings:
                echo(f"warning: {warning}", err=True)
        return self._config

    @contextmanager
    def storage(self) -> Iterator["Storage"]:
        """The configured database for a command that writes: seed stored and sources
        registered. Only `init` creates a database (see `existing_database`)."""
        from storage import Storage

        self.existing_database()
        with domain_errors():
            storage = Storage.open_configured(self.config)
        with _closing(storage):
            yield storage

    @contextmanager
    def reader(self) -> Iterator["Storage"]:
        """The configured database for a command that only reads: opened read-only, nothing
        prepared, so it works on a database the user may not write and another config file
        cannot change what is stored."""
        from storage import Storage

        self.existing_database()
        with domain_errors():
            storage = Storage.open_readonly(self.config.storage.path)
        with _closing(storage):
            yield storage

    def existing_database(self) -> Path:
        """The configured database's path; a command run in the wrong folder is told which
        configuration and database it looked for, instead of starting an empty database."""
        path = self.config.storage.path
        if not path.exists():
            raise click.ClickException(
                f"no database at {path} (configuration: {self.config_description}); "
                "run `newswatch init` to create it there, or give --config"
            )
        return path

    def daemon_config(self) -> tuple[Config, str | None]:
        """The configuration `stop` and `status` find the daemon by, and a warning. A file
        edited badly while the daemon runs must not keep the user from stopping it: its
        problems become the warning, and the default daemon files beside the file are used
        (a `[daemon] pid_file` it moved elsewhere cannot be read then)."""
        try:
            return self.config, None
        except ConfigProblem as problem:
            path, _named = find_config_file(self.config_option)
            if path is None or not path.exists():
                raise
            fallback = defaults_beside(path)
            warning = (
                f"warning: {problem.message}\n"
                f"  looking for the daemon by the default files beside it ({fallback.pid_path})"
            )
            return fallback, warning

    @property
    def config_description(self) -> str:
        if self.config.file is None:
            return f"built-in defaults, as no {DEFAULT_FILE_NAME} is in {Path.cwd()}"
        return str(self.config.file)


@contextmanager
def _closing(storage: "Storage") -> Iterator[None]:
    try:
        with domain_errors():
            yield
    finally:
        storage.close()


@contextmanager
def domain_errors() -> Iterator[None]:
    """Show a storage failure as one line and a non-zero exit, never a traceback."""
    from storage import StorageError

    try:
        yield
    except StorageError as error:
        raise click.ClickException(str(error)) from error


def echo(text: object = "", **kwargs: Any) -> None:
    """click.echo for what may hold stored text (titles, sources' errors, snippets): each
    line's control characters and bidi or invisible marks are shown as \\uXXXX, so a title
    cannot move the cursor, recolour the terminal or turn a line around."""
    lines = str(text).split("\n")
    click.echo("\n".join(terminal_safe(line) for line in lines), **kwargs)
