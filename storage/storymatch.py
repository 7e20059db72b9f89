"""Which story an article belongs to, and which thread a new story continues: pure decisions
over plain values (no SQL), tested without a crawl.

A story is compared with an article as a vector: each key (storage/storykeys.py) weighs its
kind times its rarity (idf), and the story's vector sums its articles' keys. The article
joins the best story whose cosine with it, times a Gaussian of the days between them
(σ = 3 days, after Miranda et al. 2018), reaches `JOIN_AT`, unless their editions differ
(Unity-2024 and Unity-2025 are two events, however alike they read). A story that joins no
earlier story starts a thread of its own unless it continues one: it names the same series
(another edition of one exercise), or nearly all it names is named by a story of the weeks
around it.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from storage.storykeys import idf

SIGMA_DAYS = 3.0
# Stories further apart than this are not even looked at (the Gaussian is ~0.004 there).
STORY_WINDOW_DAYS = 10
JOIN_AT = 0.5
# One happening: an article further than this from a story's first report is another one
# (a thread may link them), so a story cannot creep along a chain of reports for weeks.
STORY_SPAN_DAYS = 10
# At least this many keys (years and editions aside) in common: one shared place is no event.
MIN_SHARED = 2
# Threads: a slower decay, over a longer reach; another edition of a series links anyway.
THREAD_SIGMA_DAYS = 45.0
THREAD_WINDOW_DAYS = 550
THREAD_AT = 0.9
# A copy joins its original's story if their keys agree this much and it is dated within
# this many days of the story.
COPY_AT = 0.7
COPY_WINDOW_DAYS = 30
# Keys that only date an article: they never make two articles one event by themselves.
_DATING = ("y:", "e:", "o:")
# Keys that name something: what a thread is followed by.
_NAMING = ("n:", "m:", "s:")


@dataclass(frozen=True)
class Candidate:
    """A stored story, as far as comparing it with one article needs."""

    story_id: int
    thread_id: int
    first_day: float | None
    last_day: float | None
    sumsq: float  # sum over the story's keys of (weight × its articles with the key)²
    shared: Mapping[str, int]  # of the article's keys: how many of the story's articles have it
    editions: frozenset[str] = frozenset()  # "e:2024", "o:5"
    # Whether its articles carry profile concepts; if none does (the seed, articles stored
    # unscored), the article is compared by its names view.
    has_concepts: bool = True


@dataclass(frozen=True)
class Choice:
    story_id: int | None  # None: a story of its own
    score: float


def weigh(
    weights: Mapping[str, float], counts: Mapping[str, int], articles: int
) -> dict[str, float]:
    """An article's vector: each key's kind weight times its idf (`counts`: articles per key
    among the `articles` counted), most telling first."""
    vector = {
        key: weight * idf(counts.get(key, 0), articles)
        for key, weight in weights.items()
        if weight > 0
    }
    return dict(sorted(vector.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class Views:
    """An article's vector, and its names view (see StoryKeys.names_view)."""

    vector: Mapping[str, float]
    names: Mapping[str, float]

    def for_story(self, candidate: "Candidate") -> Mapping[str, float]:
        return self.vector if candidate.has_concepts else self.names


def norm(vector: Mapping[str, float]) -> float:
    return math.sqrt(sum(value * value for value in vector.values()))


def day_gap(day: float | None, first: float | None, last: float | None) -> float:
    """Days from `day` to the span [first, last] (0 inside it; 0 when a date is unknown)."""
    if day is None or first is None or last is None:
        return 0.0
    return max(0.0, first - day, day - last)


def decay(gap: float, sigma: float = SIGMA_DAYS) -> float:
    return math.exp(-(gap * gap) / (2 * sigma * sigma))


def editions_differ(ours: frozenset[str], theirs: frozenset[str]) -> bool:
    """Two editions of something: both name an edition year (or ordinal) and none in common."""
    for prefix in ("e:", "o:"):
        mine = {e for e in ours if e.startswith(prefix)}
        other = {e for e in theirs if e.startswith(prefix)}
        if mine and other and not mine & other:
            return True
    return False


def cosine(vector: Mapping[str, float], length: float, candidate: Candidate) -> float:
    if length <= 0 or candidate.sumsq <= 0:
        return 0.0
    dot = sum(vector[key] * vector[key] * n for key, n in candidate.shared.items() if key in vector)
    return dot / (length * math.sqrt(candidate.sumsq))


def _telling(shared: Iterable[str]) -> int:
    return sum(1 for key in shared if not key.startswith(_DATING))


def story_score(
    views: Views, day: float | None, editions: frozenset[str], candidate: Candidate
) -> float:
    """How well the article fits the story: 0 when it cannot belong to it."""
    vector = views.for_story(candidate)
    if editions_differ(editions, candidate.editions):
        return 0.0
    if _telling(k for k in candidate.shared if k in vector) < MIN_SHARED:
        return 0.0
    gap = day_gap(day, candidate.first_day, candidate.last_day)
    if gap > STORY_WINDOW_DAYS or _span(day, candidate) > STORY_SPAN_DAYS:
        return 0.0
    return cosine(vector, norm(vector), candidate) * decay(gap)


def _span(day: float | None, candidate: Candidate) -> float:
    """How long the story would run with the article in it, in days."""
    days = [d for d in (day, candidate.first_day, candidate.last_day) if d is not None]
    return max(days) - min(days) if days else 0.0


def choose_story(
    views: Views,
    day: float | None,
    editions: frozenset[str],
    candidates: Iterable[Candidate],
) -> Choice:
    """The story the article joins (the best above `JOIN_AT`), or None for a new one."""
    best = Choice(None, 0.0)
    for candidate in candidates:
        score = story_score(views, day, editions, candidate)
        if score >= JOIN_AT and score > best.score:
            best = Choice(candidate.story_id, score)
    return best


def is_naming(key: str) -> bool:
    """A key that names something (a profile concept with a capitalised label, a name, a
    series), as opposed to a topic word, a number or a date."""
    if key.startswith(_NAMING):
        return True
    if key.startswith("c:"):
        label = key.split(":", 2)[-1]
        return label[:1].isupper()
    return False


def thread_score(naming: Mapping[str, float], day: float | None, candidate: Candidate) -> float:
    """How surely a new story continues the candidate's: 1 for another edition of the same
    series; else the share of the article's named things (`naming`: its naming keys'
    weights) the story also names, decaying over weeks."""
    gap = day_gap(day, candidate.first_day, candidate.last_day)
    if gap > THREAD_WINDOW_DAYS:
        return 0.0
    shared = [key for key in candidate.shared if key in naming]
    if any(key.startswith("s:") for key in shared):
        return 1.0
    total = sum(value * value for value in naming.values())
    if total <= 0 or len(shared) < MIN_SHARED + 1:
        return 0.0
    found = sum(naming[key] * naming[key] for key in shared)
    return found / total * decay(gap, THREAD_SIGMA_DAYS)


def choose_thread(views: Views, day: float | None, candidates: Iterable[Candidate]) -> Choice:
    """The story whose thread a new story continues (the best above `THREAD_AT`), or None."""
    naming = {key: value for key, value in views.vector.items() if is_naming(key)}
    names = {key: value for key, value in views.names.items() if is_naming(key)}
    best = Choice(None, 0.0)
    for candidate in candidates:
        score = thread_score(naming if candidate.has_concepts else names, day, candidate)
        if score >= THREAD_AT and (best.story_id is None or score > best.score):
            best = Choice(candidate.story_id, score)
    return best


def same_text_cosine(one: Mapping[str, float], other: Mapping[str, float]) -> float:
    """Cosine of two articles' vectors."""
    lengths = norm(one) * norm(other)
    if lengths <= 0:
        return 0.0
    return sum(value * other[key] for key, value in one.items() if key in other) / lengths


def copy_joins(
    copy: Mapping[str, float],
    original: Mapping[str, float],
    editions: tuple[frozenset[str], frozenset[str]],
    gap: float,
) -> bool:
    """Whether a copy joins its original's story: it says what the original says (a
    template the near-duplicate index took for a copy — a stock notice with other names and
    numbers — does not), and it is dated near the story."""
    if gap > COPY_WINDOW_DAYS or editions_differ(*editions):
        return False
    return same_text_cosine(copy, original) >= COPY_AT


def sumsq_growth(vector: Mapping[str, float], counts_before: Mapping[str, int]) -> float:
    """How much a story's sum of squares grows when the article (its vector) joins it: a key
    its n articles had goes from (w·n)² to (w·(n+1))²."""
    return sum(value * value * (2 * counts_before.get(key, 0) + 1) for key, value in vector.items())
