"""Scoring an article against a compiled profile: a pure function over plain values.

The score multiplies two strengths, region and defense, so that a story needs both (a
country name alone, or defense news with no regional place, scores near zero). Foreign
theatres lower it when they outweigh the region (the region is then not a main actor), sport
and civil-emergency vocabulary damp the defense side, and similarity to the seed and
reference articles adds a bounded share on top.

Who the main actor is: places named next to a citing word ("lessons of Karabakh", "опыт
Украины") are cited, not acting, and do not count in that comparison; a regional language
counts there only in part (`language_actor`), so a Kazakh-language report on Russia's
Northern Fleet is not made regional by its language alone.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

from . import model as learned
from . import ngrams
from .model import Model
from .profile import AXES, Index, Term
from .reasons import REGIONAL_LANGUAGE, rule, seed_similarity
from .text import ABLATIVE_ENDINGS, SOURCE_WORDS, Keys, fold, is_ablative, tokenize, word_keys

# Character n-grams of words at least this long: shorter ones are mostly function words
# that make any two texts of one language look alike.
GRAM_SIZE = 4
GRAM_MIN_WORD = 5
# The two parts of the similarity; concepts carry across languages, n-grams do not.
CONCEPT_SHARE = 0.6
# The per-token cache is dropped when it grows past this many distinct words.
CACHE_LIMIT = 200_000
# The place nearest a citing word ("lessons", "уроки", "örnek") on each side is cited, if it
# is at most this many words before ("Karabakh war lessons") or after it ("lessons from the
# war in Ukraine"); a subject further before ("Kazakh army draws lessons") is not.
CITE_BEFORE = 2
CITE_AFTER = 5
# The axes on which a cited place does not count as an actor.
PLACE_AXES = ("region", "foreign")
# Similarity to the seed or a reference article from which an article is a copy or a close
# follow-up: its relevance is at least that similarity, whatever the model says. No real item
# of the development set reaches 0.45 (the 181 real general-news pages: 0.32 at most), while a
# follow-up built on the seed's opening paragraphs is at ~0.56.
CLOSE_TO_REFERENCE = 0.5


@dataclass(frozen=True)
class Score:
    relevance: float  # 0..1
    relevant: bool  # relevance >= threshold
    matched: tuple[str, ...]  # human-readable reasons: "place:Aktau", "seed:0.42", …
    breakdown: dict[str, Any]  # per-component numbers for `newswatch explain`


@dataclass(frozen=True)
class Reference:
    """A seed or reference article reduced to the two vectors similarity compares."""

    name: str
    concepts: dict[str, float]
    grams: dict[str, float]

    # Each article is compared with every reference: their lengths are worked out once.
    @cached_property
    def concepts_length(self) -> float:
        return length(self.concepts)

    @cached_property
    def grams_length(self) -> float:
        return length(self.grams)


@dataclass
class Analysis:
    """What the profile found in one article."""

    title: Counter[str] = field(default_factory=Counter)  # concept -> mentions in the title
    body: Counter[str] = field(default_factory=Counter)  # concept -> mentions in the text
    # Of those, the mentions that are no actor: cited as a lesson, or named as a source.
    cited_title: Counter[str] = field(default_factory=Counter)
    cited_body: Counter[str] = field(default_factory=Counter)
    terms: dict[str, Term] = field(default_factory=dict)  # concept -> a term of it
    grams: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    body_tokens: int = 0
    regional_language: bool = False  # written in a language of the region
    title_words: list[str] = field(default_factory=list)
    body_words: list[str] = field(default_factory=list)
    # The whole text read up to max_tokens, when this analysis is only its opening: the
    # similarity to the seed compares whole texts (copies and follow-ups).
    whole: "Analysis | None" = None


class Matcher:
    """Finds profile terms in token lists. Each distinct word's keys, candidate terms and
    n-grams are worked out once and cached: news vocabulary repeats, so a crawl mostly hits."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._cache: dict[str, tuple[Keys, list[Term], tuple[str, ...]]] = {}

    def lookup(self, token: str) -> tuple[Keys, list[Term], tuple[str, ...]]:
        hit = self._cache.get(token)
        if hit is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            keys = word_keys(token)
            hit = (keys, self.index.candidates(keys), _grams(keys.plain))
            self._cache[token] = hit
        return hit

    def matches(self, tokens: list[str]) -> tuple[list[tuple[str, ...]], list[tuple[int, Term]]]:
        """The n-grams of every token and the (start, term) matches, longest first and
        non-overlapping, so "armed forces" is not also counted as "armed"."""
        looked_up = [self.lookup(token) for token in tokens]
        grams = [entry[2] for entry in looked_up]
        singles: list[tuple[int, Term]] = []
        phrases: list[tuple[int, Term]] = []
        for start, entry in enumerate(looked_up):
            for term in entry[1]:
                if len(term.words) == 1:
                    singles.append((start, term))
                    continue
                end = start + len(term.words)
                if end > len(looked_up):
                    continue
                following = [e[0] for e in looked_up[start + 1 : end]]
                if all(w.matches(k) for w, k in zip(term.words[1:], following, strict=True)):
                    phrases.append((start, term))
        return grams, _resolve(singles, phrases)


def _resolve(
    singles: list[tuple[int, Term]], phrases: list[tuple[int, Term]]
) -> list[tuple[int, Term]]:
    """Keep each word for one term: longer phrases first, then a stop (block) term, then the
    first single-word term found for it."""
    taken: set[int] = set()
    kept = []
    for start, term in sorted(phrases, key=lambda m: (-len(m[1].words), m[0])):
        span = range(start, start + len(term.words))
        if not taken.intersection(span):
            taken.update(span)
            kept.append((start, term))
    taken.update(start for start, term in singles if term.group.block)
    for start, term in singles:
        if start not in taken:
            taken.add(start)
            kept.append((start, term))
    return [(start, term) for start, term in kept if not term.group.block]


def analyse(matcher: Matcher, title: str | None, text: str | None, max_tokens: int) -> Analysis:
    result = Analysis()
    budget = int(max_tokens)
    for field_name, content in (("title", title), ("body", text)):
        if not content or budget <= 0:
            continue
        tokens = tokenize(content)[:budget]
        budget -= len(tokens)
        result.tokens += len(tokens)
        grams, found = matcher.matches(tokens)
        if field_name == "body":
            result.body_tokens = len(tokens)
            result.body_words = tokens
        else:
            result.title_words = tokens
        counter = result.title if field_name == "title" else result.body
        cited = result.cited_title if field_name == "title" else result.cited_body
        for _, term in found:
            counter[term.concept] += 1
            result.terms.setdefault(term.concept, term)
        not_acting = {**_sources(matcher, tokens, found), **_cited(found)}
        for term in not_acting.values():
            cited[term.concept] += 1
        result.grams.update(chain.from_iterable(grams))
    return result


def _cited(found: list[tuple[int, Term]]) -> dict[int, Term]:
    """The place mentions next to a citing word (see CITE_BEFORE), by position."""
    places = sorted(
        (start, term)
        for start, term in found
        if any(term.group.weights[axis] for axis in PLACE_AXES)
    )
    cited: dict[int, Term] = {}
    for cue, term in found:
        if not term.group.cue:
            continue
        before = [(s, t) for s, t in places if cue - CITE_BEFORE <= s < cue]
        after = [(s, t) for s, t in places if cue < s <= cue + CITE_AFTER]
        for start, place in before[-1:] + after[:1]:
            cited[start] = place
    return cited


def _sources(matcher: Matcher, tokens: list[str], found: list[tuple[int, Term]]) -> dict[int, Term]:
    """The place mentions named as a source, by position: "from Russia", "из России",
    "Ресейден", "Rusya'dan"."""
    sources: dict[int, Term] = {}
    for start, term in found:
        if not any(term.group.weights[axis] for axis in PLACE_AXES):
            continue
        first = term.words[0]
        keys = matcher.lookup(tokens[start])[0]
        after = start + len(term.words)
        if (
            is_ablative(getattr(keys, first.space) or keys.plain, first.key)
            or (after < len(tokens) and tokens[after].lower() in ABLATIVE_ENDINGS)
            or any(fold(tokens[i]) in SOURCE_WORDS for i in range(max(0, start - 2), start))
        ):
            sources[start] = term
    return sources


def _grams(word: str) -> tuple[str, ...]:
    if len(word) < GRAM_MIN_WORD:
        return ()
    padded = f"_{word}_"
    return tuple(padded[i : i + GRAM_SIZE] for i in range(len(padded) - GRAM_SIZE + 1))


def mass(title_count: int, body_count: int, title_factor: float) -> float:
    """How much one concept's mentions weigh: a title mention counts `title_factor` times,
    and repeats add less and less (the tenth "army" says little the first did not)."""
    mentions = title_factor * title_count + body_count
    return 1.0 + math.log(mentions) if mentions > 1 else mentions


def concept_masses(analysis: Analysis, title_factor: float) -> dict[str, float]:
    return {
        concept: mass(analysis.title[concept], analysis.body[concept], title_factor)
        for concept in analysis.terms
    }


def actor_masses(analysis: Analysis, title_factor: float) -> dict[str, float]:
    """Like concept_masses, leaving out the mentions that are cited or a source."""
    return {
        concept: mass(
            analysis.title[concept] - analysis.cited_title[concept],
            analysis.body[concept] - analysis.cited_body[concept],
            title_factor,
        )
        for concept in analysis.terms
    }


def concept_vector(analysis: Analysis, title_factor: float) -> dict[str, float]:
    """Concept ids are language-independent, so this vector compares across languages."""
    masses = concept_masses(analysis, title_factor)
    return {
        concept: m * max(analysis.terms[concept].group.weights.values())
        for concept, m in masses.items()
    }


def gram_vector(analysis: Analysis) -> dict[str, float]:
    return {gram: 1.0 + math.log(count) for gram, count in analysis.grams.items()}


def length(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def cosine(a: dict[str, float], b: dict[str, float], b_length: float | None = None) -> float:
    """The cosine of two vectors; `b_length` is b's length when it is known."""
    if not a or not b:
        return 0.0
    norm = length(a) * (length(b) if b_length is None else b_length)
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    return dot / norm if norm else 0.0


def make_reference(name: str, analysis: Analysis, title_factor: float) -> Reference:
    return Reference(
        name=name,
        concepts=concept_vector(analysis, title_factor),
        grams=gram_vector(analysis),
    )


def similarity(
    analysis: Analysis, references: list[Reference], title_factor: float
) -> dict[str, float | str]:
    """The best similarity to any reference, with its two parts."""
    best: dict[str, float | str] = {"similarity": 0.0, "reference": "", "concepts": 0.0}
    best["ngrams"] = 0.0
    concepts = concept_vector(analysis, title_factor)
    grams = gram_vector(analysis)
    for reference in references:
        by_concept = cosine(concepts, reference.concepts, reference.concepts_length)
        by_gram = cosine(grams, reference.grams, reference.grams_length)
        value = CONCEPT_SHARE * by_concept + (1 - CONCEPT_SHARE) * by_gram
        if value > float(best["similarity"]):
            best = {
                "similarity": value,
                "reference": reference.name,
                "concepts": by_concept,
                "ngrams": by_gram,
            }
    return best


def strength(evidence: float, scale: float) -> float:
    """0 with no evidence, approaching 1 as evidence grows; `scale` is the evidence at 0.63."""
    return 1.0 - math.exp(-evidence / scale) if scale > 0 else float(evidence > 0)


@dataclass
class Evidence:
    """What the profile's weights make of an analysis, before the learned model reads it."""

    masses: dict[str, float]  # concept -> mass
    axes: dict[str, float]  # axis -> evidence
    acting: dict[str, float]  # region/foreign evidence of acting (not cited) places
    region: float
    defense: float
    civil: float
    actor: float
    seed: dict[str, float | str]
    features: dict[str, float]
    grams: dict[int, float]  # the n-gram vector (bucket -> value)
    words: tuple[list[str], list[str]]  # the title's and the text's tokens it was built from


def weigh(analysis: Analysis, references: list[Reference], options: dict[str, float]) -> Evidence:
    """The evidence on each axis and the model's features (see model.py)."""
    title_factor = options["title_factor"]
    masses = concept_masses(analysis, title_factor)
    evidence = {axis: 0.0 for axis in AXES}
    groups: dict[str, float] = {}
    for concept, m in masses.items():
        group = analysis.terms[concept].group
        groups[group.name] = groups.get(group.name, 0.0) + m
        for axis, weight in group.weights.items():
            evidence[axis] += weight * m
    # Who acts: the place evidence without cited mentions, the language only in part.
    acting = {axis: 0.0 for axis in PLACE_AXES}
    for concept, m in actor_masses(analysis, title_factor).items():
        for axis in PLACE_AXES:
            acting[axis] += analysis.terms[concept].group.weights[axis] * m
    if analysis.regional_language:
        evidence["region"] += options["language_region"]
        acting["region"] += options["language_region"] * options["language_actor"]

    region = strength(evidence["region"], options["region_scale"])
    # Sport reuses the words of war ("defence", "attack", "shot"): any sport term damps hard.
    # Civil emergencies reuse the words of drills ("учения", "təlim", "evacuation"); weapons
    # and fighting carry negative civil weight, so a shelled village's evacuation stays.
    civil = max(0.0, evidence["civil"])
    damped = evidence["defense"] * math.exp(-evidence["sport"] - civil)
    defense = strength(damped, options["defense_scale"])
    actor = _actor_factor(acting["region"], acting["foreign"], options["foreign_share"])
    seed = similarity(analysis.whole or analysis, references, title_factor)
    features = {
        learned.CORE: region * defense * actor,
        learned.PAIR: region * defense,
        learned.REGION: region,
        learned.DEFENSE: defense,
        learned.FOREIGN: strength(acting["foreign"], 1.0),
        learned.NOT_ACTOR: 1.0 - actor,
        learned.SPORT: strength(evidence["sport"], 1.0),
        learned.CIVIL: strength(civil, 1.0),
        learned.SEED: float(seed["similarity"]),
        learned.LANGUAGE: float(analysis.regional_language),
        learned.TITLE_ONLY: float(analysis.body_tokens == 0),
    }
    weights_of = {analysis.terms[c].group.name: analysis.terms[c].group.weights for c in masses}
    for name, m in groups.items():
        gate = _gate(weights_of[name], region, defense, actor)
        features[f"group:{name}"] = strength(m, 1.0) * gate
    words = (analysis.title_words, analysis.body_words)
    grams = ngrams.vector(*words)
    return Evidence(
        masses, evidence, acting, region, defense, civil, actor, seed, features, grams, words
    )


def _gate(weights: dict[str, float], region: float, defense: float, actor: float) -> float:
    """A defense group counts with a regional actor, a place group with defense words, a
    foreign group as far as the foreign places outweigh the region as the main actor."""
    if weights["defense"] > 0 and weights["region"] <= 0:
        return region
    if weights["region"] > 0 and weights["defense"] <= 0:
        return defense
    if weights["foreign"] > 0:
        return 1.0 - actor
    return 1.0


def combine(
    analysis: Analysis,
    references: list[Reference],
    options: dict[str, float],
    threshold: float,
    model: Model,
    explained: bool = True,
) -> Score:
    """The score; with `explained`, also its breakdown for `newswatch explain` (a third of
    the scoring's cost, so storing, which keeps only the score and reasons, goes without)."""
    if not analysis.tokens:  # nothing to read: no evidence either way
        return _empty(threshold)
    weighed = weigh(analysis, references, options)
    evidence, seed = weighed.axes, weighed.seed
    contributions = model.contributions(weighed.features, weighed.grams)
    logit = model.bias + sum(contributions.values())
    relevance = learned.sigmoid(logit)
    rules = _rules(evidence, weighed.actor, cited=bool(analysis.cited_title or analysis.cited_body))
    similar = float(seed["similarity"])
    if similar >= CLOSE_TO_REFERENCE and similar > relevance:
        relevance = similar
        rules.append(str(rule("close-to-reference")))
    relevance = round(min(1.0, max(0.0, relevance)), 4)

    language = [str(REGIONAL_LANGUAGE)] if analysis.regional_language else []
    seed_reason = str(seed_similarity(similar))
    reasons = _reasons(analysis, weighed.masses)
    matched = reasons + language + [seed_reason] + rules + _further_terms(analysis, reasons)
    if not explained:
        return Score(relevance, relevance >= threshold, tuple(matched), breakdown={})
    breakdown = {
        "threshold": threshold,
        "relevance": relevance,
        "core": round(weighed.features[learned.CORE], 4),
        "region": {
            "evidence": round(evidence["region"], 3),
            "strength": round(weighed.region, 4),
            "regional_language": analysis.regional_language,
        },
        "defense": {
            "evidence": round(evidence["defense"], 3),
            "sport": round(evidence["sport"], 3),
            "civil": round(weighed.civil, 3),
            "strength": round(weighed.defense, 4),
        },
        "foreign": {
            "evidence": round(evidence["foreign"], 3),
            "acting_region": round(weighed.acting["region"], 3),
            "acting_foreign": round(weighed.acting["foreign"], 3),
            "actor_factor": round(weighed.actor, 4),
        },
        "seed": {k: round(v, 4) if isinstance(v, float) else v for k, v in seed.items()},
        "model": {
            "bias": round(model.bias, 3),
            "logit": round(logit, 3),
            "contributions": {
                name: round(value, 3)
                for name, value in sorted(contributions.items(), key=lambda kv: -abs(kv[1]))
            },
        },
        "terms": _term_rows(analysis, weighed, contributions),
        "ngrams": _top_grams(model, weighed),
        "rules": rules,
        "tokens": analysis.tokens,
    }
    return Score(
        relevance=relevance,
        relevant=relevance >= threshold,
        matched=tuple(matched),
        breakdown=breakdown,
    )


def _empty(threshold: float) -> Score:
    return Score(
        relevance=0.0,
        relevant=threshold <= 0.0,
        matched=(str(seed_similarity(0.0)),),
        breakdown={
            "threshold": threshold,
            "relevance": 0.0,
            "core": 0.0,
            "region": {"evidence": 0.0, "strength": 0.0, "regional_language": False},
            "defense": {"evidence": 0.0, "sport": 0.0, "civil": 0.0, "strength": 0.0},
            "foreign": {
                "evidence": 0.0,
                "acting_region": 0.0,
                "acting_foreign": 0.0,
                "actor_factor": 1.0,
            },
            "seed": {"similarity": 0.0, "reference": "", "concepts": 0.0, "ngrams": 0.0},
            "model": {"bias": 0.0, "logit": 0.0, "contributions": {}},
            "terms": [],
            "ngrams": {"for": [], "against": []},
            "rules": ["rule:empty"],
            "tokens": 0,
        },
    )


# How many n-grams explain names on each side.
TOP_GRAMS = 6


def _top_grams(model: Model, weighed: Evidence) -> dict[str, list[list[Any]]]:
    """The n-grams that pushed the logit most up ("for") and down ("against")."""
    shares = model.gram_shares(weighed.grams)
    ranked = sorted(shares.items(), key=lambda kv: kv[1])
    against = [(k, v) for k, v in ranked[:TOP_GRAMS] if v < 0]
    found = [(k, v) for k, v in ranked[::-1][:TOP_GRAMS] if v > 0]
    named = ngrams.names(*weighed.words, {k for k, _ in against + found})
    return {
        side: [[ngrams.readable(named[k]), round(v, 3)] for k, v in pairs]
        for side, pairs in (("for", found), ("against", against))
    }


def _actor_factor(region: float, foreign: float, share: float) -> float:
    """1 while the region holds at least `share` of the acting place evidence, then falling
    off to 0 when only foreign places act."""
    if foreign <= 0 or share <= 0:
        return 1.0
    return min(1.0, (region / (region + foreign)) / share)


def _rules(evidence: dict[str, float], actor: float, cited: bool) -> list[str]:
    rules = []
    if evidence["region"] > 0 and evidence["defense"] <= 0:
        rules.append(str(rule("no-defense-term")))
    if evidence["defense"] > 0 and evidence["region"] <= 0:
        rules.append(str(rule("no-regional-actor")))
    if actor < 1.0:
        rules.append(str(rule(f"foreign-theatre x{actor:.2f}")))
    if evidence["sport"] > 0 and evidence["defense"] > 0:
        rules.append(str(rule("sport-context")))
    if evidence["civil"] > 0 and evidence["defense"] > 0:
        rules.append(str(rule("civil-emergency")))
    if cited:
        rules.append(str(rule("cited-not-actor")))
    return rules


def _reasons(analysis: Analysis, masses: dict[str, float]) -> list[str]:
    """Concepts that fired, the heaviest first."""
    order = sorted(masses, key=lambda c: (-masses[c], c))
    return [concept for concept in order if not analysis.terms[concept].group.block]


def _further_terms(analysis: Analysis, reasons: list[str]) -> list[str]:
    """Concepts a long text names only after its opening (which alone is scored): listed
    last, they did not count, but they say what the article is about (stories compare them)."""
    if analysis.whole is None:
        return []
    whole = analysis.whole
    named = sorted(set(whole.title) | set(whole.body))
    return [c for c in named if c not in reasons and not whole.terms[c].group.block]


def _term_rows(
    analysis: Analysis, weighed: Evidence, contributions: dict[str, float]
) -> list[dict[str, Any]]:
    """One row per concept: mentions, weight per axis, and its share of the logit."""
    shares = _logit_shares(analysis, weighed, contributions)
    rows = []
    for concept in _reasons(analysis, weighed.masses):
        weights = analysis.terms[concept].group.weights
        row: dict[str, Any] = {
            "concept": concept,
            "title": analysis.title[concept],
            "text": analysis.body[concept],
        }
        row.update(
            {axis: round(w * weighed.masses[concept], 3) for axis, w in weights.items() if w}
        )
        row["logit"] = round(shares.get(concept, 0.0), 3)
        rows.append(row)
    return rows


def _logit_shares(
    analysis: Analysis, weighed: Evidence, contributions: dict[str, float]
) -> dict[str, float]:
    """What each concept contributed to the logit: a group's feature is split among its
    concepts by mass; the region x defense features half to the region side, half to the
    defense side, each split by the concepts' evidence on that axis."""
    by_axis: dict[str, dict[str, float]] = {axis: {} for axis in AXES}
    by_group: dict[str, dict[str, float]] = {}
    for concept, m in weighed.masses.items():
        group = analysis.terms[concept].group
        by_group.setdefault(group.name, {})[concept] = m
        for axis, weight in group.weights.items():
            if weight > 0:
                by_axis[axis][concept] = weight * m
    shares: dict[str, float] = {}

    def spread(amount: float, parts: dict[str, float]) -> None:
        total = sum(parts.values())
        for concept, part in parts.items():
            shares[concept] = shares.get(concept, 0.0) + amount * part / total

    for name, value in contributions.items():
        if name.startswith("group:") and by_group.get(name[6:]):
            spread(value, by_group[name[6:]])
        elif name in (learned.CORE, learned.PAIR):
            for axis in ("region", "defense"):
                if by_axis[axis]:
                    spread(value / 2, by_axis[axis])
        elif name in (learned.REGION, learned.DEFENSE, learned.SPORT):
            if by_axis[name]:
                spread(value, by_axis[name])
        elif name == learned.CIVIL and by_axis["civil"]:
            spread(value, by_axis["civil"])
        elif name in (learned.FOREIGN, learned.NOT_ACTOR) and by_axis["foreign"]:
            spread(value, by_axis["foreign"])
    return shares
