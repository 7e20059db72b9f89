"""The watch profile: term groups read from TOML and compiled into lookup tables.

Compiling once per profile keeps scoring to a few dictionary look-ups per word.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .text import Keys, name_key, tokenize, word_keys

SHIPPED_PROFILE = "profile.toml"
AXES = ("region", "defense", "foreign", "sport", "civil")
SCORING_DEFAULTS: dict[str, float] = {
    "title_factor": 2.0,
    "region_scale": 1.0,
    "defense_scale": 1.0,
    "foreign_share": 0.5,
    "seed_weight": 0.25,
    "language_region": 1.2,
    "language_actor": 0.5,
    "max_tokens": 2500,
    "lead_words": 0,
}
_GROUP_KEYS = {"name", "names", "block", "cue", "terms", *AXES}
# A prefix shorter than this would match too many unrelated words; later words of a phrase
# have the first word as context, so they may be shorter.
MIN_PREFIX = 4
MIN_PREFIX_IN_PHRASE = 3


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Word:
    """How one word of a term matches: `space` names which key of a token it compares with."""

    space: str  # "plain", "name", "cyrillic", "spelled" or a stemmer ("en", "tr", "ru")
    key: str
    prefix: bool = False
    alternatives: tuple[tuple[str, str], ...] = ()  # further (space, key) pairs, any may match

    def matches(self, keys: Keys) -> bool:
        own = getattr(keys, self.space)
        if self.prefix:
            return (bool(own) and own.startswith(self.key)) or any(
                getattr(keys, s).startswith(k) for s, k in self.alternatives
            )
        return own == self.key or any(getattr(keys, s) == k for s, k in self.alternatives)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Group:
    name: str
    weights: dict[str, float]  # axis -> weight
    names: bool = False
    block: bool = False
    cue: bool = False  # a citing word: places next to it are cited, not actors


@dataclass(frozen=True, eq=False)
class Term:
    group: Group
    label: str
    words: tuple[Word, ...]

    @property
    def concept(self) -> str:
        return f"{self.group.name}:{self.label}"


@dataclass
class Index:
    """First-word look-up tables: exact keys per space, and prefixes per space and length."""

    exact: dict[tuple[str, str], list[Term]] = field(default_factory=dict)
    prefixes: dict[str, dict[int, dict[str, list[Term]]]] = field(default_factory=dict)

    def add(self, term: Term) -> None:
        first = term.words[0]
        for space, key in ((first.space, first.key), *first.alternatives):
            if first.prefix:
                by_length = self.prefixes.setdefault(space, {})
                by_length.setdefault(len(key), {}).setdefault(key, []).append(term)
            else:
                self.exact.setdefault((space, key), []).append(term)

    def candidates(self, keys: Keys) -> list[Term]:
        """Terms whose first word matches this token."""
        found: list[Term] = []
        for space in ("plain", "name", "en", "tr", "ru", "cyrillic", "spelled"):
            key = getattr(keys, space)
            if not key:
                continue
            found.extend(self.exact.get((space, key), ()))
            for length, table in self.prefixes.get(space, {}).items():
                if length <= len(key):
                    found.extend(table.get(key[:length], ()))
        # One term can be reached through several spaces; keep each once, in order.
        return list(dict.fromkeys(found))


def read_shipped_profile() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(SHIPPED_PROFILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def read_profile_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProfileError(f"{path}: cannot read the profile file: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: not valid TOML: {error}") from error


def merge_profiles(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` on top of `base`: scoring keys replace, groups merge by name, terms by label."""
    scoring = {**base.get("scoring", {}), **extra.get("scoring", {})}
    groups = {group["name"]: dict(group) for group in base.get("groups", [])}
    for group in extra.get("groups", []):
        name = group.get("name")
        if name not in groups:
            groups[name] = dict(group)
            continue
        merged = {**groups[name], **{k: v for k, v in group.items() if k != "terms"}}
        merged["terms"] = {**groups[name].get("terms", {}), **group.get("terms", {})}
        groups[name] = merged
    return {"scoring": scoring, "groups": list(groups.values())}


def _word(text: str, names: bool, in_phrase: bool, where: str) -> Word:
    """Compile one word of a term (see the syntax in profile.toml)."""
    spelled = text.startswith("==")
    exact = text.startswith("=")
    prefix = text.endswith("*")
    raw = text.strip("=*")
    keys = word_keys(raw)
    shortest = MIN_PREFIX_IN_PHRASE if in_phrase else MIN_PREFIX
    if prefix and (spelled or not exact) and len(keys.plain) < shortest:
        raise ProfileError(f"{where}: prefix {text!r} is shorter than {shortest} letters")
    if spelled:
        return Word(space="spelled", key=keys.spelled, prefix=prefix)
    if exact:
        # Spelt in Cyrillic, it matches only Cyrillic words: in Latin letters its key is
        # another language's word ("=генерал" is "general", "=полк" "Polk", "=гол" "göl").
        return Word(space="cyrillic" if keys.cyrillic else "plain", key=keys.plain)
    # A name also matches by its plain key: a lower-case word (an adjective, "казахская")
    # has no name key (see text.word_keys), so it must be spelt like the term.
    space, key = ("name", name_key(keys.plain)) if names else ("plain", keys.plain)
    plain = (("plain", keys.plain),) if names else ()
    if prefix:
        return Word(space=space, key=key, prefix=True, alternatives=plain)
    stems = tuple((s, getattr(keys, s)) for s in ("en", "tr", "ru") if getattr(keys, s))
    return Word(space=space, key=key, alternatives=plain + stems)


def _split_words(variant: str) -> list[str]:
    """A variant's words, keeping the =/* markers on the word they belong to."""
    words: list[str] = []
    for chunk in variant.replace("-", " ").split():
        marker_start = next((m for m in ("==", "=") if chunk.startswith(m)), "")
        marker_end = "*" if chunk.endswith("*") else ""
        parts = tokenize(chunk.strip("=*"))
        for number, part in enumerate(parts):
            start = marker_start if number == 0 else ""
            end = marker_end if number == len(parts) - 1 else ""
            words.append(start + part + end)
    return words


def compile_term(group: Group, label: str, variant: str, where: str) -> Term:
    words = _split_words(variant)
    if not words:
        raise ProfileError(f"{where}: empty term {variant!r}")
    compiled = tuple(
        _word(word, group.names, in_phrase=number > 0, where=where)
        for number, word in enumerate(words)
    )
    return Term(group=group, label=label, words=compiled)


def compile_groups(raw_groups: Iterable[dict[str, Any]], source: str) -> list[Term]:
    """Every term of every group, or ProfileError naming the first bad entry."""
    terms: list[Term] = []
    for number, raw in enumerate(raw_groups, start=1):
        where = f"{source}: [[groups]] #{number} ({raw.get('name', '?')})"
        unknown = set(raw) - _GROUP_KEYS
        if unknown:
            raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ProfileError(f"{where}: a group needs a name")
        weights = {axis: float(raw.get(axis, 0.0)) for axis in AXES}
        group = Group(
            name=raw["name"],
            weights=weights,
            names=bool(raw.get("names", False)),
            block=bool(raw.get("block", False)),
            cue=bool(raw.get("cue", False)),
        )
        for label, variants in raw.get("terms", {}).items():
            if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                raise ProfileError(f"{where} {label}: expected a list of strings")
            terms.extend(compile_term(group, label, v, f"{where} {label}") for v in variants)
    return terms


def scoring_options(raw: dict[str, Any], source: str) -> dict[str, float]:
    unknown = set(raw) - set(SCORING_DEFAULTS)
    if unknown:
        raise ProfileError(f"{source}: [scoring]: unknown keys {sorted(unknown)}")
    options = {**SCORING_DEFAULTS, **raw}
    for key, value in options.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ProfileError(f"{source}: [scoring] {key}: expected a number >= 0")
    return {key: float(value) for key, value in options.items()}
