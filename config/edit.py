"""Editing the configuration file in place: sources added, removed, paused, resumed and
renamed, the file's comments and layout kept (tomlkit).

The file stays the one source of truth, so every edit is checked before it is written: the
edited text must load, with the sources changed as asked and every other setting as it was;
otherwise nothing is written. Edits hold an exclusive lock on the file (two commands adding
sources at once both land) and replace it atomically (a crash leaves the old file or the new
one, never half of one).
"""

import contextlib
import fcntl
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, Comment, Table

from config.loader import ConfigError, parse_config_text
from config.schema import Config

_SOURCES_HEADER = re.compile(r"^\s*\[\[\s*sources\s*\]\]\s*(#.*)?$")
# Any table header line: [name], [a.b], [[name]] (quoted keys are not used in our files).
_ANY_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_.\- ]+\]\]?\s*(#.*)?$")
_COMMENT = re.compile(r"^\s*#")


class ConfigEditError(Exception):
    """An edit that was not made (the message says why); the file is unchanged."""


@dataclass(frozen=True)
class SourceEntry:
    """A source as it is written into the file (durations as typed: "30m")."""

    name: str
    kind: str
    url: str
    interval: str | None = None
    follow: tuple[str, ...] = ()
    max_pages: int | None = None
    tags: tuple[str, ...] = ()
    paused: bool = False

    def as_table(self) -> dict[str, Any]:
        """The keys of its [[sources]] table, in the order a person would write them."""
        table: dict[str, Any] = {"name": self.name, "kind": self.kind, "url": self.url}
        if self.interval is not None:
            table["interval"] = self.interval
        if self.follow:
            table["follow"] = list(self.follow)
        if self.max_pages is not None:
            table["max_pages"] = self.max_pages
        if self.tags:
            table["tags"] = list(self.tags)
        if self.paused:
            table["paused"] = True
        return table


def entry_problems(entry: SourceEntry) -> list[str]:
    """What is wrong with a source as it would be written (empty when it would load)."""
    text = tomlkit.dumps({"sources": [entry.as_table()]})
    try:
        parse_config_text(text, "source", strict=True)
    except ConfigError as error:
        # "source: [[sources]] #1 ('x') url: expected …" → "url: expected …"
        return [_key_and_message(problem) for problem in error.problems]
    return []


def _key_and_message(problem: str) -> str:
    parts = problem.split(": ", 2)
    if len(parts) < 3:
        return problem
    key = parts[1].rsplit(" ", 1)[-1]
    return f"{key}: {parts[2]}" if re.fullmatch(r"[a-z_]+", key) else parts[2]


def add_sources(path: Path, entries: Sequence[SourceEntry]) -> Config:
    """Append these sources, in order, after the configured ones."""
    names = [entry.name for entry in entries]

    def change(text: str, before: Config) -> str:
        taken = {source.name for source in before.sources}
        clashes = [name for name in names if name in taken]
        if clashes or len(set(names)) < len(names):
            clash = clashes[0] if clashes else next(n for n in names if names.count(n) > 1)
            raise ConfigEditError(f"{path}: a source named {clash!r} is already configured")
        document = tomlkit.parse(text)
        sources = document.get("sources")
        if sources is None:
            sources = tomlkit.aot()
            document.append("sources", sources)
        for entry in entries:
            _append(sources, entry)
        return tomlkit.dumps(document)

    def expected(before: Config, after: Config) -> bool:
        kept = after.sources[: len(before.sources)] == before.sources
        return kept and [s.name for s in after.sources[len(before.sources) :]] == names

    return _edit(path, change, expected)


def remove_source(path: Path, name: str) -> Config:
    """Remove a source's table, with the comment lines directly above its header."""

    def change(text: str, before: Config) -> str:
        document = tomlkit.parse(text)
        sources = document.get("sources")
        index = _index_of(path, before, name)
        if isinstance(sources, Array):
            del sources[index]
            return tomlkit.dumps(document)
        return _without_table(path, text, index, len(before.sources))

    def expected(before: Config, after: Config) -> bool:
        return after.sources == tuple(s for s in before.sources if s.name != name)

    return _edit(path, change, expected)


def set_paused(path: Path, name: str, paused: bool) -> Config:
    """Pause a source (`paused = true`) or resume it (the key removed)."""

    def change(text: str, before: Config) -> str:
        document = tomlkit.parse(text)
        table = _table_of(document, _index_of(path, before, name))
        if paused:
            table["paused"] = True
        elif "paused" in table:
            del table["paused"]
        return tomlkit.dumps(document)

    def expected(before: Config, after: Config) -> bool:
        return after.sources == tuple(
            replace(s, paused=paused) if s.name == name else s for s in before.sources
        )

    return _edit(path, change, expected)


def rename_source(path: Path, old: str, new: str) -> Config:
    """Give a source another name, in place."""

    def change(text: str, before: Config) -> str:
        if any(source.name == new for source in before.sources):
            raise ConfigEditError(f"{path}: a source named {new!r} is already configured")
        document = tomlkit.parse(text)
        _table_of(document, _index_of(path, before, old))["name"] = new
        return tomlkit.dumps(document)

    def expected(before: Config, after: Config) -> bool:
        return after.sources == tuple(
            replace(s, name=new) if s.name == old else s for s in before.sources
        )

    return _edit(path, change, expected)


# -- the edit, checked and written -------------------------------------------------------


def _edit(
    path: Path,
    change: Callable[[str, Config], str],
    expected: Callable[[Config, Config], bool],
) -> Config:
    """Apply `change` to the file's text under the lock, check it, write it; return the
    configuration as it now loads."""
    path = path.resolve()  # a symlinked config is edited where it lives
    with _locked(path):
        text = _read(path)
        before = _parse(path, text)
        try:
            edited = change(text, before)
        except tomlkit.exceptions.TOMLKitError as error:
            raise ConfigEditError(f"{path}: cannot edit the file: {error}") from error
        if text.endswith("\n") and not text.endswith("\n\n"):
            edited = edited.rstrip("\n") + "\n"  # no blank line left at the end of the file
        after = _parse(path, edited, when="after the edit")
        same_settings = replace(after, sources=()) == replace(before, sources=())
        if not same_settings or not expected(before, after):
            # tomlkit or the line edit did something else than asked: keep the file as it is.
            raise ConfigEditError(
                f"{path}: the edit would change more than asked; the file is left as it is "
                "(edit it by hand)"
            )
        _write_atomically(path, edited)
    return after


def _parse(path: Path, text: str, when: str | None = None) -> Config:
    try:
        # Strict: a source is found by its place among the file's tables, which a source
        # left out would shift; a file with one is edited by hand.
        return parse_config_text(text, str(path), base=path.parent, strict=True)
    except ConfigError as error:
        lead = f"{path}: the configuration would not load {when}:" if when else ""
        problems = "\n  ".join(error.problems)
        raise ConfigEditError(f"{lead}\n  {problems}" if lead else problems) from error


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigEditError(f"{path}: cannot read the file: {error}") from error


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file as it is now. The file is replaced by each edit, so a
    lock taken on a file that was replaced meanwhile is let go and taken again."""
    while True:
        try:
            handle = os.open(path, os.O_RDONLY)
        except OSError as error:
            raise ConfigEditError(f"{path}: cannot open the file: {error}") from error
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            current = os.stat(path).st_ino
        except OSError:
            current = None
        if current == os.fstat(handle).st_ino:
            break
        os.close(handle)
    try:
        yield
    finally:
        os.close(handle)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ConfigEditError(f"{path}: cannot write the file: {error}") from error


# -- finding and changing tables -----------------------------------------------------------


def _index_of(path: Path, config: Config, name: str) -> int:
    for index, source in enumerate(config.sources):
        if source.name == name:
            return index
    names = ", ".join(repr(source.name) for source in config.sources) or "none"
    raise ConfigEditError(f"{path}: no source named {name!r} (configured: {names})")


def _table_of(document: tomlkit.TOMLDocument, index: int) -> Any:
    """The index-th source's table (an inline table when sources is an inline array)."""
    return document["sources"][index]


def _append(sources: Any, entry: SourceEntry) -> None:
    if isinstance(sources, Array):
        inline = tomlkit.inline_table()
        inline.update(entry.as_table())
        sources.append(inline)
        return
    if not isinstance(sources, AoT):
        raise ConfigEditError("`sources` is neither [[sources]] tables nor an array of them")
    # Comment lines at the end of the last table are those above the header that follows
    # (tomlkit files them under the table before): they move down with that header.
    header_comments = _take_header_comments(sources[-1]) if len(sources) else []
    if len(sources) and not sources[-1].as_string().endswith("\n\n"):
        sources[-1].add(tomlkit.nl())  # a blank line between tables, as a person writes
    table: Table = tomlkit.table()
    for key, value in entry.as_table().items():
        table[key] = value
    table.add(tomlkit.nl())
    for comment in header_comments:
        table.add(comment)
    sources.append(table)


def _take_header_comments(table: Table) -> list[Comment]:
    """Remove and return the comment lines that end a table's body."""
    body = table.value.body
    taken: list[Comment] = []
    while body and body[-1][0] is None:
        item = body[-1][1]
        if not isinstance(item, Comment):
            break
        body.pop()
        taken.insert(0, item)
    return taken


def _without_table(path: Path, text: str, index: int, count: int) -> str:
    """The text without the index-th [[sources]] table.

    tomlkit files the comment lines above a table header under the table before it, so
    deleting a table there would delete the next source's comments and keep the removed
    one's. Lines are cut instead: the header's own comment block above it, the table, down
    to the comment block directly above the next header (which stays with that header).
    """
    lines = text.splitlines(keepends=True)
    headers = [n for n, line in enumerate(lines) if _SOURCES_HEADER.match(line)]
    if len(headers) != count:
        raise ConfigEditError(
            f"{path}: cannot find the [[sources]] tables in the file's text; edit it by hand"
        )
    start = headers[index]
    following = [n for n, line in enumerate(lines) if n > start and _ANY_HEADER.match(line)]
    end = following[0] if following else len(lines)
    if following:
        while end - 1 > start and _COMMENT.match(lines[end - 1]):
            end -= 1
    while start > 0 and _COMMENT.match(lines[start - 1]):
        start -= 1
    head, tail = lines[:start], lines[end:]
    if not tail:  # the last table of the file: no blank lines left dangling at its end
        while head and not head[-1].strip():
            head.pop()
    return "".join(head + tail)
