"""The reasons a score gives, as stored in `articles.matched`: one vocabulary for scoring,
which writes them, and for the digest and the CLI, which read them.

A reason is written "group:value": a profile term is "<its group>:<its label>"
("place:Aktau", "defense:exercise"); the other reasons use the reserved groups below.
The scored terms come first, heaviest first, then the language, the seed similarity and the
rules; a long text's terms named only after its scored opening follow the seed similarity
(they did not count, but say what the article is about).
"""

from collections.abc import Iterable
from dataclasses import dataclass

SEED = "seed"  # "seed:0.42": similarity to the seed and reference articles
RULE = "rule"  # "rule:sport-context": a scoring rule that applied
LANGUAGE = "lang"  # "lang:regional": written in a language of the region
RESERVED = frozenset({SEED, RULE, LANGUAGE})
# Profile groups whose terms count against coverage (sport, screen fiction, a foreign theatre,
# a civil emergency): found in the article, but not what made it relevant.
COUNTER_GROUPS = frozenset(
    {"sport", "fiction", "foreign", "foreign-weak", "civil", "civil-weak", "aid"}
)


@dataclass(frozen=True)
class Reason:
    group: str
    value: str

    def __str__(self) -> str:
        return f"{self.group}:{self.value}" if self.group else self.value

    @property
    def is_term(self) -> bool:
        """A term of the profile found in the article."""
        return bool(self.group) and self.group not in RESERVED

    @property
    def supports(self) -> bool:
        """A term that speaks for the article being coverage (shown to readers)."""
        return not self.group or (self.is_term and self.group not in COUNTER_GROUPS)


def parse(text: str) -> Reason:
    group, separator, value = text.partition(":")
    return Reason(group, value) if separator else Reason("", text)


def seed_similarity(similarity: float) -> Reason:
    return Reason(SEED, f"{similarity:.2f}")


def rule(name: str) -> Reason:
    return Reason(RULE, name)


REGIONAL_LANGUAGE = Reason(LANGUAGE, "regional")


def scored_reasons(matched: Iterable[object]) -> list[Reason]:
    """The reasons up to the seed similarity (what was scored); values that are not strings
    (a hand-edited row) are skipped."""
    reasons = []
    for item in matched:
        if isinstance(item, str):
            reason = parse(item)
            if reason.group == SEED:
                break
            reasons.append(reason)
    return reasons


def supporting_terms(matched: Iterable[object]) -> list[str]:
    """The terms that made an article relevant, as a reader wants them, strongest first:
    "place:Aktau" is "Aktau"; the language, counter-terms and whatever follows the seed
    similarity (rules, terms that were not scored) are left out."""
    return [reason.value for reason in scored_reasons(matched) if reason.supports]
