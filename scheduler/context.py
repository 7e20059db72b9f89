"""What every command shares: the configuration it runs with and the database it opens.

Commands live in several modules; they all take an AppContext and turn domain errors into
one-line CLI errors here, so no command module needs the CLI module that registers it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from config import Config, ConfigError, load_config
from storage import Storage, StorageError
from storage.cleantext import terminal_safe


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
        return self._config

    @contextmanager
    def storage(self) -> Iterator[Storage]:
        """The configured database, seed stored and sources registered."""
        with domain_errors():
            storage = Storage.open_configured(self.config)
        try:
            with domain_errors():
                yield storage
        finally:
            storage.close()


@contextmanager
def domain_errors() -> Iterator[None]:
    """Show a storage failure as one line and a non-zero exit, never a traceback."""
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
