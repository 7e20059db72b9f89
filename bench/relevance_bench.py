"""Relevance benchmark: the watch profile against two naive baselines on the labelled sets.

    python bench/relevance_bench.py [--threshold 0.5] [--show-errors]

Prints precision, recall and F1 of the profile and of the baselines on each set under
tests/relevance/ (dev.jsonl was used while building the profile; holdout.jsonl only for
reporting; hard.jsonl, if present, was written after the profile was frozen; categories.jsonl
covers the error categories of the first blind evaluation; blind_a.jsonl and blind_b.jsonl
were written by authors who never saw the profile: blind_a's errors named the categories
that were then fixed (it is no longer blind), blind_b has never been used for any change),
then the mean time to score one article.
"""

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # score the checkout this file belongs to, not an installed copy

from config import ProfileConfig  # noqa: E402
from relevance import Profile, load_profile, score_article  # noqa: E402
from relevance.text import fold, is_cyrillic, to_latin, tokenize  # noqa: E402
from storage.seed import SEED_FACTS, read_seed_document, seed_body  # noqa: E402

SETS = ROOT / "tests" / "relevance"

# The six states in the languages of the sets, as word beginnings after the same folding
# the profile uses (so the baselines lose on logic, not on spelling).
COUNTRY_STEMS = (
    "azerbai", "azerbay", "ozarbay", "azirbai", "ozarboi",
    "kazakh", "kazak", "qazaq", "qazax", "kazah", "qozog", "kozog", "kazok",
    "kyrgyz", "kirgiz", "qirgiz", "kirgiz",
    "tajik", "tadjik", "tojik", "tacik",
    "turkmen", "turkman", "turikmen",
    "uzbek", "ozbek",
)  # fmt: skip
# A plain list of defense words in the same languages.
DEFENSE_STEMS = (
    "militar", "army", "armies", "defen", "exercis", "drill", "troop", "soldier", "weapon",
    "missile", "drone", "navy", "naval", "border guard", "clash",
    "voen", "armi", "oboron", "ucheni", "soldat", "oruj", "pogranich",
    "herbi", "ordu", "mudafie", "telim", "silah", "asker", "savunma", "tatbikat",
    "korganys", "jattygu", "karuly", "harbiy", "mudofaa", "qurol", "mashgulot",
    "korgoo", "kuraldu", "mudofia", "harbi", "artish", "mashk",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    title: str | None
    text: str | None
    relevant: bool


def read_set(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(
                Item(row["id"], row["lang"], row["title"], row["text"], bool(row["relevant"]))
            )
    return items


def _words(item: Item) -> list[str]:
    words = []
    for token in tokenize(f"{item.title or ''} {item.text or ''}"):
        folded = fold(token)
        words.append(to_latin(folded) if is_cyrillic(folded) else folded)
    return words


def _has(words: list[str], stems: tuple[str, ...]) -> bool:
    text = " ".join(words)  # so two-word stems such as "border guard" can match
    return any(word.startswith(stems) for word in words) or any(
        f" {stem}" in f" {text}" for stem in stems if " " in stem
    )


def baseline_country(item: Item) -> bool:
    """Relevant when any of the six states is named."""
    return _has(_words(item), COUNTRY_STEMS)


def baseline_country_and_defense(item: Item) -> bool:
    """Relevant when a state is named and any defense word occurs."""
    words = _words(item)
    return _has(words, COUNTRY_STEMS) and _has(words, DEFENSE_STEMS)


@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    f1: float
    errors: tuple[str, ...]


def evaluate(items: list[Item], predict: Callable[[Item], bool]) -> Result:
    tp = fp = fn = 0
    errors = []
    for item in items:
        guess = predict(item)
        tp += guess and item.relevant
        fp += guess and not item.relevant
        fn += item.relevant and not guess
        if guess != item.relevant:
            errors.append(("FP " if guess else "FN ") + f"{item.id}: {item.title}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Result(precision, recall, f1, tuple(errors))


def profile_predictor(profile: Profile) -> Callable[[Item], bool]:
    return lambda item: score_article(profile, item.title, item.text, item.lang).relevant


def time_scoring(profile: Profile, items: list[Item], rounds: int) -> tuple[float, float]:
    """Mean milliseconds per article: the first pass over the items (cold word cache) and
    the median of later passes (warm cache, as in a long crawl)."""
    passes = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            score_article(profile, item.title, item.text, item.lang)
        passes.append((time.perf_counter() - start) * 1000 / len(items))
    return passes[0], statistics.median(passes[1:] or passes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=ProfileConfig().threshold)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)

    seed = seed_body(read_seed_document(), SEED_FACTS.author)
    started = time.perf_counter()
    profile = load_profile(replace(ProfileConfig(), threshold=args.threshold), seed)
    load_ms = (time.perf_counter() - started) * 1000

    sets = {path.stem: read_set(path) for path in sorted(SETS.glob("*.jsonl"))}
    sets["all"] = [item for items in list(sets.values()) for item in items]
    predictors = {
        "profile": profile_predictor(profile),
        "baseline: any country name": baseline_country,
        "baseline: country AND defense word": baseline_country_and_defense,
    }
    print(f"threshold {args.threshold:.2f}; profile loaded in {load_ms:.0f} ms\n")
    print(f"{'set':<10} {'items':>5} {'relev.':>6}  {'method':<36} {'P':>6} {'R':>6} {'F1':>6}")
    for name, items in sets.items():
        positives = sum(item.relevant for item in items)
        for label, predict in predictors.items():
            result = evaluate(items, predict)
            print(
                f"{name:<10} {len(items):>5} {positives:>6}  {label:<36} "
                f"{result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}"
            )
            if args.show_errors and label == "profile":
                for error in result.errors:
                    print(f"{'':>24}{error}")
        print()

    cold, warm = time_scoring(profile, sets["all"], rounds=20)
    long_item = Item("seed", "en", SEED_FACTS.title, seed * 3, True)
    _, long_ms = time_scoring(profile, [long_item], rounds=50)
    print(
        f"scoring time per article: {cold:.3f} ms first pass, {warm:.3f} ms warm "
        f"(mean over {len(sets['all'])} items)"
    )
    print(f"long article ({len(long_item.text or '')} characters): {long_ms:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
