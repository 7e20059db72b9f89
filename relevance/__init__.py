"""Relevance: does an article cover regional defense, and why.

A pure core with no Scrapy import: load a Profile once (`load_profile`), then call
`score_article` for each article; `explain` turns a Score into lines a person reads.
"""

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config import ProfileConfig
from storage.cleantext import plain_text
from storage.models import Article
from storage.models import Score as StoredScore
from storage.seed import SEED_FACTS, read_seed_document, seed_body
from textkeys import tokenize, word_keys

from .model import Model, load_model
from .profile import (
    Index,
    ProfileError,
    Term,
    compile_groups,
    merge_profiles,
    read_profile_file,
    read_shipped_profile,
    scoring_options,
)
from .scoring import Analysis, Matcher, Reference, Score, analyse, combine, make_reference, weigh
from .text import bulletin_lead, regional_language

__all__ = [
    "Profile",
    "ProfileError",
    "Score",
    "build_profile",
    "explain",
    "load_profile",
    "profile_for",
    "score_article",
    "storage_scorer",
]


class Profile:
    """A compiled watch profile with its reference articles; build once, score many."""

    def __init__(
        self,
        terms: list[Term],
        options: dict[str, float],
        threshold: float,
        references: list[tuple[str, str]],
        model: Model | None = None,
    ) -> None:
        index = Index()
        for term in terms:
            index.add(term)
        self.terms = terms
        self.options = options
        self.threshold = threshold
        self.model = model if model is not None else _shipped_model()
        self.matcher = Matcher(index)
        self.references: list[Reference] = [
            make_reference(name, self._analyse(None, text), options["title_factor"])
            for name, text in references
        ]

    def _analyse(self, title: str | None, text: str | None) -> Analysis:
        return analyse(self.matcher, title, text, int(self.options["max_tokens"]))

    def analysis(self, title: str | None, text: str | None, lang: str | None) -> Analysis:
        """What the profile finds in the title and the opening of the text (`lead_words`: the
        model learned from titles and feed summaries, so a long article is judged by the same
        view, and its length cannot add up evidence); the whole text is kept for the seed.
        Markup is read as the crawl reads a feed's summary, so that the model is fitted on
        what it will score, and scores a raw summary as it scores the stored one."""
        title, text = plain_text(title), plain_text(text)
        whole = self._analyse(title, text)
        found = whole
        story = bulletin_lead(text, title)
        if story is not None:  # a bulletin: its lead story decides, the others are other news
            found = self._analyse(title, story)
        lead = int(self.options["lead_words"])
        if lead and found.body_tokens > lead:
            found = self._analyse(title, " ".join(found.body_words[:lead]))
        if found is not whole:
            found.whole = whole
        found.regional_language = regional_language(f"{title or ''} {text or ''}", lang)
        return found

    def features(self, title: str | None, text: str | None, lang: str | None) -> dict[str, float]:
        """The learned model's named features for one article."""
        return self.inputs(title, text, lang)[0]

    def inputs(
        self, title: str | None, text: str | None, lang: str | None
    ) -> tuple[dict[str, float], dict[int, float]]:
        """The learned model's input for one article: its named features and its n-gram
        vector (what training and the bench fit)."""
        weighed = weigh(self.analysis(title, text, lang), self.references, self.options)
        return weighed.features, weighed.grams

    def with_model(self, model: Model) -> "Profile":
        """This profile scoring with another model (cross-validation); terms are shared."""
        other = object.__new__(Profile)
        other.__dict__.update(self.__dict__)
        other.model = model
        return other

    def with_options(self, **options: float) -> "Profile":
        """This profile with some scoring options changed (the bench reads long texts whole
        with lead_words=0); terms and references are shared."""
        other = object.__new__(Profile)
        other.__dict__.update(self.__dict__)
        other.options = {**self.options, **options}
        return other


@functools.cache
def _shipped_model() -> Model:
    return load_model()


def build_profile(
    data: dict[str, Any],
    threshold: float,
    references: list[tuple[str, str]],
    source: str = "profile",
) -> Profile:
    """A Profile from already-read profile data (the shipped one, possibly merged)."""
    terms = compile_groups(data.get("groups", []), source)
    options = scoring_options(data.get("scoring", {}), source)
    return Profile(terms, options, threshold, references)


def load_profile(config: ProfileConfig, seed_text: str) -> Profile:
    """The shipped profile, extended by the user's profile file if the config names one
    (`file`), with the seed and the configured reference articles to compare against."""
    data = read_shipped_profile()
    source = "shipped profile"
    user_file: Path | None = config.file
    if user_file is not None:
        data = merge_profiles(data, read_profile_file(user_file))
        source = f"{user_file} (over the shipped profile)"
    references = [("seed", seed_text)]
    for path in config.references:
        try:
            references.append((path.name, path.read_text(encoding="utf-8")))
        except OSError as error:
            raise ProfileError(f"{path}: cannot read the reference article: {error}") from error
    return build_profile(data, config.threshold, references, source)


@functools.cache
def profile_for(config: ProfileConfig) -> Profile:
    """The profile for this configuration, compared against the seed; built once per process
    (a cycle runs a crawler per source, and each would otherwise build its own)."""
    return load_profile(config, seed_body(read_seed_document(), SEED_FACTS.author))


def score_article(
    profile: Profile,
    title: str | None,
    text: str | None,
    lang: str | None = None,
    explained: bool = True,
) -> Score:
    """Score one article (title and/or text; either may be missing). Matching does not depend
    on `lang` (feeds mislabel languages and mix scripts); a language of the region counts as
    region evidence (local outlets write "the army" without naming their country).
    `explained=False` leaves the breakdown empty: the score and reasons only, for storing."""
    analysis = profile.analysis(title, text, lang)
    score = combine(
        analysis, profile.references, profile.options, profile.threshold, profile.model, explained
    )
    if explained:
        score.breakdown["lang"] = lang
    return score


def storage_scorer(profile: Profile) -> Callable[[Article], StoredScore]:
    """What storage calls for each text it will store: (relevance, relevant, matched)."""

    def score(article: Article) -> StoredScore:
        scored = score_article(profile, article.title, article.text, article.lang, explained=False)
        return scored.relevance, scored.relevant, scored.matched

    return score


def concepts_named(profile: Profile, word: str) -> list[str]:
    """The profile's concepts a typed word names, as `articles.matched` records them
    ("Kazakhstan", "Қазақстан" and "Qazaxıstan" all name "place:Kazakhstan"): what search
    adds to the word, so that it finds the articles in every language and script. Stop,
    cue and counter groups are no concepts here; a word of several parts names none."""
    tokens = tokenize(word)
    if len(tokens) != 1:
        return []
    keys = word_keys(tokens[0])
    named = [
        term
        for term in profile.matcher.index.candidates(keys)
        if len(term.words) == 1
        and term.words[0].matches(keys)
        and not term.group.block
        and not term.group.cue
        and any(weight > 0 for weight in term.group.weights.values())
    ]
    # The most specific spelling wins: "Kazakhstan" also starts like a short prefix of
    # another name ("Газа*" folds like "Каза…"), which scoring resolves by context.
    longest = max((len(term.words[0].key) for term in named), default=0)
    return list(dict.fromkeys(t.concept for t in named if len(t.words[0].key) == longest))


def explain(score: Score) -> str:
    """A multi-line breakdown of a score: verdict, each axis, the learned contributions, the
    terms and what each contributed, the seed, the rules."""
    b = score.breakdown
    verdict = "RELEVANT" if score.relevant else "not relevant"
    seed = b["seed"]
    model = b["model"]
    lines = [
        f"relevance {score.relevance:.2f} (threshold {b['threshold']:.2f}): {verdict}",
        f"  region   strength {b['region']['strength']:.2f}  evidence {b['region']['evidence']}"
        + (" (with: written in a regional language)" if b["region"]["regional_language"] else ""),
        f"  defense  strength {b['defense']['strength']:.2f}  evidence {b['defense']['evidence']}"
        + (f" (damped by sport {b['defense']['sport']})" if b["defense"]["sport"] else "")
        + (
            f" (damped by civil emergency {b['defense']['civil']})" if b["defense"]["civil"] else ""
        ),
        f"  foreign  evidence {b['foreign']['evidence']}  "
        f"main-actor factor {b['foreign']['actor_factor']:.2f} "
        f"(acting: region {b['foreign']['acting_region']}, "
        f"foreign {b['foreign']['acting_foreign']})",
        f"  core (region x defense x actor) {b['core']:.2f}",
        f"  seed similarity {seed['similarity']:.2f} to {seed['reference'] or '-'} "
        f"(concepts {seed['concepts']:.2f}, n-grams {seed['ngrams']:.2f})",
        f"  learned model: logit {model['logit']:+.2f} (probability "
        f"{1 / (1 + math.exp(-model['logit'])):.2f}) = bias {model['bias']:+.2f}"
        + "".join(f"; {name} {value:+.2f}" for name, value in model["contributions"].items()),
    ]
    if "close-to-reference" in b.get("rules", []):
        lines.append(
            "  relevance = seed similarity: the article is this close to a reference article "
            "(the seed), whatever the model says"
        )
    if b["terms"]:
        lines.append("  terms (mentions in title/text, weight per axis, share of the logit):")
        for row in b["terms"]:
            axes = ", ".join(
                f"{axis} {row[axis]}"
                for axis in ("region", "defense", "foreign", "sport", "civil")
                if axis in row
            )
            lines.append(
                f"    {row['concept']:<36} {row['title']}/{row['text']}  {axes}"
                f"  logit {row['logit']:+.2f}"
            )
    else:
        lines.append("  terms: none of the profile's terms occur")
    grams = b.get("ngrams") or {}
    for side in ("for", "against"):
        if grams.get(side):
            listed = ", ".join(f"{gram!r} {share:+.2f}" for gram, share in grams[side])
            lines.append(f"  n-grams {side} (share of the logit): {listed}")
    for rule in b["rules"]:
        lines.append(f"  {rule}")
    return "\n".join(lines)
