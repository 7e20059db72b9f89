"""Loading newswatch's one configuration file into the dataclasses of `config.schema`.

Lookup order: an explicit path (--config) > $NEWSWATCH_CONFIG > ./newswatch.toml > the
built-in defaults. Every problem in a file is collected and reported at once, each naming
the file, the key and what was expected. A problem in one [[sources]] entry leaves that
source out, reported as a warning, and the other sources load: one bad line must not stop
all crawling.
"""

import dataclasses
import os
import re
import tomllib
import types
import typing
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from config.schema import (
    Config,
    CrawlConfig,
    DaemonConfig,
    DigestConfig,
    LeftOutSource,
    ProfileConfig,
    SourceConfig,
    StorageConfig,
)

CONFIG_ENV = "NEWSWATCH_CONFIG"
DEFAULT_FILE_NAME = "newswatch.toml"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


# A value the loader rejected (and reported); distinct from None, a valid value.
_INVALID = object()


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def default_config_text() -> str:
    """The commented default configuration shipped with newswatch."""
    return resources.files("config").joinpath("default_config.toml").read_text(encoding="utf-8")


def find_config_file(explicit: Path | None) -> tuple[Path | None, bool]:
    """Which file to load, and whether the user named it (then it must exist)."""
    if explicit is not None:
        return explicit, True
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env), True
    local = Path.cwd() / DEFAULT_FILE_NAME
    if local.exists():
        return local, False
    return None, False


# The settings that say where a daemon's files are, read line by line from a file that is
# not valid TOML as a whole (one bad line elsewhere leaves them readable).
_DAEMON_FILE_KEYS = {"storage": {"path"}, "daemon": {"pid_file", "log_file"}}
_TABLE_LINE = re.compile(r"^\s*\[\s*([A-Za-z_]+)\s*\]\s*(?:#.*)?$")
_STRING_LINE = re.compile(r"""^\s*([A-Za-z_]+)\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(?:#.*)?$""")


def defaults_beside(path: Path) -> Config:
    """Where a daemon started with the file at `path` keeps its database and PID file, when
    that file cannot be loaded (edited badly while the daemon runs): the built-in defaults
    relative to its folder, with the storage and daemon paths its readable lines still set."""
    table = tomllib.loads(default_config_text())
    section = ""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if header := _TABLE_LINE.match(line):
            section = header.group(1)
        elif (setting := _STRING_LINE.match(line)) and setting.group(1) in _DAEMON_FILE_KEYS.get(
            section, ()
        ):
            value = setting.group(2) if setting.group(2) is not None else setting.group(3)
            table.setdefault(section, {})[setting.group(1)] = value
    try:
        return _from_table(table, path, base=path.parent, file=path)
    except ConfigError:  # a path line that is itself wrong: the plain defaults
        return _from_table(tomllib.loads(default_config_text()), path, base=path.parent, file=path)


def load_config(explicit: Path | None = None) -> Config:
    """Load the configuration, or raise ConfigError listing every problem. A source that
    does not load is left out, with its problems in Config.left_out: the others load."""
    path, _named = find_config_file(explicit)
    if path is None:
        return _from_table(
            tomllib.loads(default_config_text()),
            Path("<built-in defaults>"),
            base=Path.cwd(),
            file=None,
        )
    if not path.exists():
        how = "given by --config" if explicit is not None else f"given by ${CONFIG_ENV}"
        raise ConfigError([f"{path}: configuration file not found ({how})"])
    config, _text = load_config_file(path)
    return config


def load_config_file(path: Path) -> tuple[Config, str]:
    """The configuration in the file at `path`, and the text it loaded from (a running
    daemon keeps the last text that loaded, to crawl with while the file has an error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read the file: {error}"]) from error
    return config_from_text(text, path), text


def config_from_text(text: str, path: Path) -> Config:
    """The configuration of the file at `path`, from its text as read earlier: its relative
    paths count from the file's folder, and its problems name the file."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from error
    return _from_table(table, path, base=path.resolve().parent, file=path)


def parse_config_text(
    text: str, name: str = "<text>", base: Path | None = None, strict: bool = False
) -> Config:
    """Load a configuration from TOML text (for tests, `init` and edits of the file; an edit
    finds a source by its place among the file's, so it asks for `strict`: every source)."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{name}: not valid TOML: {error}"]) from error
    return _from_table(table, Path(name), base=base or Path.cwd(), file=None, strict=strict)


def _from_table(
    table: dict[str, Any], where: Path, base: Path, file: Path | None, strict: bool = False
) -> Config:
    """The configuration of a parsed file. A [[sources]] entry that does not load is left
    out (Config.left_out) and the others load; with `strict`, it is an error as the rest."""
    errors: list[str] = []
    loader = _Loader(where, base, errors)
    sections: dict[str, Any] = {}
    known = {"storage", "crawl", "sources", "profile", "digest", "daemon"}
    for key in table:
        if key not in known:
            errors.append(
                f"{where}: unknown section or key [{key}] (expected one of: "
                f"{', '.join(sorted(known))})"
            )
    sections["storage"] = loader.section(StorageConfig, table.get("storage", {}), "[storage]")
    sections["crawl"] = loader.section(CrawlConfig, table.get("crawl", {}), "[crawl]")
    sections["profile"] = loader.section(ProfileConfig, table.get("profile", {}), "[profile]")
    sections["digest"] = loader.section(DigestConfig, table.get("digest", {}), "[digest]")
    sections["daemon"] = loader.section(DaemonConfig, table.get("daemon", {}), "[daemon]")
    sections["sources"], left_out = loader.sources(table.get("sources", []))
    if errors or (strict and left_out):
        # Run by hand, the whole list at once: the sources' problems too.
        raise ConfigError(errors + [problem for s in left_out for problem in s.problems])
    return Config(**sections, file=file, left_out=left_out)


class _Loader:
    """Builds dataclasses from TOML tables, collecting every problem instead of stopping."""

    def __init__(self, where: Path, base: Path, errors: list[str]) -> None:
        self.where = where
        self.base = base
        self.errors = errors

    def problem(self, place: str, message: str) -> None:
        self.errors.append(f"{self.where}: {place}: {message}")

    def sources(self, raw: Any) -> tuple[tuple[SourceConfig, ...], tuple[LeftOutSource, ...]]:
        """The sources that load, and those left out with their problems (which are not
        the file's errors: the other sources load without them)."""
        if not isinstance(raw, list):
            self.problem("sources", "expected an array of tables ([[sources]])")
            return (), ()
        built: list[SourceConfig] = []
        left_out: list[LeftOutSource] = []
        for number, entry in enumerate(raw, start=1):
            name = entry.get("name") if isinstance(entry, dict) else None
            label = f"[[sources]] #{number}" + (f" ({name!r})" if isinstance(name, str) else "")
            already = len(self.errors)
            source = self.source(entry, label, taken={s.name for s in built})
            problems = tuple(self.errors[already:])
            del self.errors[already:]
            if source is None or problems:
                left_out.append(LeftOutSource(name if isinstance(name, str) else None, problems))
            else:
                built.append(source)
        return tuple(built), tuple(left_out)

    def source(self, entry: Any, label: str, taken: set[str]) -> SourceConfig | None:
        source: SourceConfig | None = self.section(SourceConfig, entry, label)
        if source is None:
            return None
        if source.name in taken:
            self.problem(label, f"name {source.name!r} is used by an earlier source")
        if source.follow and source.kind != "site":
            self.problem(label, "follow: only sources of kind 'site' follow links")
        if source.kind == "site" and not source.follow:
            self.problem(
                label,
                "follow: is required for kind 'site' (regular expressions that the "
                "article URLs on its listing pages match)",
            )
        return source

    def section(self, cls: type, raw: Any, label: str) -> Any:
        if not isinstance(raw, dict):
            self.problem(label, "expected a table")
            return None
        fields = {f.name: f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        for key in raw:
            if key not in fields:
                self.problem(
                    f"{label} {key}",
                    f"unknown key (expected one of: {', '.join(sorted(fields))})",
                )
        values: dict[str, Any] = {}
        missing = False
        for name, spec in fields.items():
            place = f"{label} {name}"
            if name not in raw:
                if (
                    spec.default is dataclasses.MISSING
                    and spec.default_factory is dataclasses.MISSING
                ):
                    self.problem(place, "is required")
                    missing = True
                continue
            value = self.value(hints[name], raw[name], place)
            if value is _INVALID:
                missing = True
                continue
            check = spec.metadata.get("check")
            if check is not None and value is not None and not check(value):
                self.problem(place, f"expected {spec.metadata['expected']}, got {raw[name]!r}")
                missing = True
                continue
            values[name] = value
        if missing:
            return None
        return cls(**values)

    def value(self, hint: Any, raw: Any, place: str) -> Any:
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            return self.value(options[0], raw, place)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            # "[digest] email" names the nested table "[digest.email]"
            built = self.section(hint, raw, place.replace("] ", ".") + "]")
            return _INVALID if built is None else built
        if origin is tuple:
            (item,) = typing.get_args(hint)[:1]
            if not isinstance(raw, list):
                self.problem(place, f"expected a list, got {raw!r}")
                return _INVALID
            items = [self.value(item, element, place) for element in raw]
            return _INVALID if _INVALID in items else tuple(items)
        return self.scalar(hint, raw, place)

    def scalar(self, hint: Any, raw: Any, place: str) -> Any:
        if hint is bool:
            if isinstance(raw, bool):
                return raw
            self.problem(place, f"expected true or false, got {raw!r}")
        elif hint is int:
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
            self.problem(place, f"expected an integer, got {raw!r}")
        elif hint is float:
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return float(raw)
            self.problem(place, f"expected a number, got {raw!r}")
        elif hint is str:
            if isinstance(raw, str):
                return raw
            self.problem(place, f"expected a string, got {raw!r}")
        elif hint is Path:
            if isinstance(raw, str) and raw.strip():
                return self.base / Path(raw).expanduser()
            self.problem(place, f"expected a file path (a string), got {raw!r}")
        elif hint is timedelta:
            duration = parse_duration(raw)
            if duration is not None:
                return duration
            self.problem(
                place, f'expected a duration such as 90, "30s", "15m", "6h" or "1d", got {raw!r}'
            )
        else:  # pragma: no cover - a field type this loader does not know is a bug here
            raise TypeError(f"unsupported config field type {hint!r}")
        return _INVALID


def parse_duration(raw: Any) -> timedelta | None:
    """A number of seconds, or a string like "90s", "15m", "6h", "1d"; None if neither."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return timedelta(seconds=raw)
    if isinstance(raw, str):
        match = _DURATION.match(raw)
        if match:
            return timedelta(seconds=float(match.group(1)) * _DURATION_UNITS[match.group(2)])
    return None


def format_duration(duration: timedelta) -> str:
    """A duration the way parse_duration reads it back: "1d", "6h", "30m" or "90s"."""
    seconds = duration.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
