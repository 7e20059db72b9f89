"""Relevance benchmark: the learned model against two naive baselines, on real and invented items.

    python bench/relevance_bench.py [--show-errors] [--no-real]

Prints, in one run (a few minutes: some 45 model fits):
- precision, recall and F1 per language and overall on the REAL development set
  (../shared/corpus/relevance/real-dev.jsonl, `unsure` left out), CROSS-VALIDATED: 5 stratified
  folds, each item scored by a model fitted (and its threshold chosen, by an inner 5-fold
  cross-validation) without that item's fold; the in-repo invented sets take part in the same
  folds and are reported the same way; beside it the named features alone (the first round's
  model) in the same folds;
- the same model validated on unseen OUTLETS (5 folds, every source's items in one fold) and on
  unseen TIME (fitted on all but the newest 20% of the real items, tested on those);
- the two baselines (any name of a state of the region; such a name AND a military word), which
  learn nothing;
- full texts: the 181 real pages of ../shared/corpus/extraction (general news, none of it
  regional defense: all negatives, never used for fitting) scored with their whole text by the
  shipped model; and every real item scored with its summary padded by other, irrelevant
  items' summaries of its language (a long text), by its cross-validation model;
- the seed article, a copy and a follow-up of it;
- the shipped model (relevance/model.json) on the in-repo sets: in-sample, since it was fitted
  on them, so only a regression check;
- language identification per language on the real set, from the text alone and with the
  service's declared language as the prior;
- the cost of scoring a title-only item and a 10,000-character article.
"""

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # score the checkout this file belongs to, not an installed copy

from config import ProfileConfig  # noqa: E402
from relevance import Profile, load_profile, score_article  # noqa: E402
from relevance.language import identify_language  # noqa: E402
from relevance.model import Model  # noqa: E402
from relevance.text import plain_word, tokenize  # noqa: E402
from relevance.training import (  # noqa: E402
    Example,
    Inputs,
    Settings,
    assign_folds,
    cross_validate,
    read_invented,
    read_real,
    source_folds,
    time_split,
)
from storage.seed import SEED_FACTS, read_seed_document, seed_body  # noqa: E402

SETS = ROOT / "tests" / "relevance"
REAL = ROOT.parent / "shared" / "corpus" / "relevance" / "real-dev.jsonl"
EXTRACTION = ROOT.parent / "shared" / "corpus" / "extraction"
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)

# The states of the region in the languages of the sets, as word beginnings after the same
# folding the profile uses (so the baselines lose on logic, not on spelling).
COUNTRY_STEMS = (
    "azerbai", "azerbay", "ozarbay", "azirbai", "ozarboi", "азербай", "ադրբեջան", "აზერბაიჯან",
    "kazakh", "kazak", "qazaq", "qazax", "kazah", "qozog", "kozog", "kazok", "gazagys",
    "ղազախ", "ყაზახ",
    "kyrgyz", "kirgiz", "qirgiz", "kyrgyz", "gyrgyz", "ղրղզ", "ყირგიზ",
    "tajik", "tadjik", "tojik", "tacik", "tajik", "tadzh", "tajig", "տաջիկ", "ტაჯიკ",
    "turkmen", "turkman", "turikmen", "թուրքմեն", "თურქმენ",
    "uzbek", "ozbek", "ozbeg", "ուզբեկ", "უზბეკ",
    "armeni", "ermeni", "armanist", "armyan", "հայաստան", "հայկական", "სომხ",
    "georgia", "gruzi", "gurcu", "gurju", "gurji", "gurcis", "վրաստան", "վրացական",
    "საქართველო", "ქართ",
)  # fmt: skip
# A plain list of military words in the same languages.
DEFENSE_STEMS = (
    "militar", "army", "armies", "defen", "exercis", "drill", "troop", "soldier", "weapon",
    "missile", "drone", "navy", "naval", "border guard", "clash", "war",
    "voen", "armi", "oboron", "ucheni", "soldat", "oruj", "pogranich", "voin",
    "herbi", "ordu", "mudafie", "telim", "silah", "asker", "askar", "savunma", "tatbikat",
    "korganys", "jattygu", "karuly", "harbi", "mudofaa", "qurol", "kurol", "mashgulot",
    "korgoo", "kuraldu", "mudofia", "artish", "mashk", "sarbaz", "sarboz", "nizom",
    "esger", "gosun", "yarag", "harby",
    "բանակ", "զինվոր", "ռազմական", "պաշտպան", "զենք",
    "არმი", "სამხედრო", "ჯარ", "თავდაცვ", "იარაღ",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    title: str | None
    text: str | None
    relevant: bool


def as_items(examples: list[Example]) -> list[Item]:
    return [Item(e.id, e.lang, e.title, e.text, e.relevant) for e in examples]


def _words(item: Item) -> list[str]:
    return [plain_word(token) for token in tokenize(f"{item.title or ''} {item.text or ''}")]


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


def table_line(name: str, items: int, positives: int, label: str, result: Result) -> str:
    return (
        f"{name:<14} {items:>5} {positives:>6}  {label:<40} "
        f"{result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}"
    )


def report(
    title: str,
    groups: dict[str, list[Item]],
    predictors: dict[str, Callable[[Item], bool]],
    show_errors: bool,
) -> None:
    print(title)
    print(f"{'set':<14} {'items':>5} {'relev.':>6}  {'method':<40} {'P':>6} {'R':>6} {'F1':>6}")
    for name, items in groups.items():
        positives = sum(item.relevant for item in items)
        for label, predict in predictors.items():
            result = evaluate(items, predict)
            print(table_line(name, len(items), positives, label, result))
            if show_errors and label.startswith("model"):
                for error in result.errors:
                    print(f"{'':>24}{error}")
        print()


def validated(
    examples: list[Example],
    inputs: list[Inputs],
    assigned: list[int],
    settings: Settings,
    tag: str,
) -> tuple[dict[str, bool], dict[int, Model]]:
    """Each tested example's verdict from the model of its fold (training.cross_validate)."""
    started = time.perf_counter()
    models = cross_validate(examples, inputs, assigned, settings)
    verdicts = {
        f"{e.set}/{e.id}": models[assigned[n]].logit(*inputs[n]) >= 0.0
        for n, e in enumerate(examples)
        if assigned[n] >= 0
    }
    print(f"({tag}: {len(models)} models fitted in {time.perf_counter() - started:.0f} s)")
    return verdicts, models


def by_language(items: list[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = {"all": items}
    for item in items:
        groups.setdefault(item.lang, []).append(item)
    return groups


def language_lines(path: Path) -> None:
    """Language identification per language of the real set (every item, unsure too)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    totals: dict[str, list[int]] = {}
    started = time.perf_counter()
    for row in rows:
        text = f"{row['title']}\n{row.get('description') or ''}"
        counts = totals.setdefault(row["lang"], [0, 0, 0])
        counts[0] += 1
        counts[1] += identify_language(text) == row["lang"]
        counts[2] += identify_language(text, row["lang"]) == row["lang"]
    per_item = (time.perf_counter() - started) * 1000 / (2 * len(rows))
    print("language identification on the real set: items given their service's language")
    print(f"{'lang':<6} {'items':>5}  {'text alone':>12}  {'with declared prior':>20}")
    for lang, (items, alone, prior) in sorted(totals.items()):
        print(f"{lang:<6} {items:>5}  {alone / items:>12.3f}  {prior / items:>20.3f}")
    print(f"({per_item:.3f} ms per identification)\n")


def time_scoring(profile: Profile, title: str, text: str | None, rounds: int) -> float:
    """Median milliseconds to score one article (after a first, cold, call)."""
    score_article(profile, title, text, "en")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        score_article(profile, title, text, "en")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def long_article(seed: str, characters: int) -> str:
    """The seed text repeated (with each copy's words shuffled in a fixed way, so the word
    cache does not make it look cheaper) to `characters`."""
    words = seed.split()
    parts = []
    length = 0
    turn = 0
    while length < characters:
        turn += 1
        shuffled = words[turn % len(words) :] + words[: turn % len(words)]
        part = " ".join(f"{w}{turn}" if i % 7 == 0 else w for i, w in enumerate(shuffled))
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)[:characters]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--no-real", action="store_true", help="skip the real development set")
    args = parser.parse_args(argv)

    seed = seed_body(read_seed_document(), SEED_FACTS.author)
    started = time.perf_counter()
    profile = load_profile(ProfileConfig(), seed)
    load_ms = (time.perf_counter() - started) * 1000
    print(f"profile and model loaded in {load_ms:.0f} ms; threshold {profile.threshold:.2f}\n")

    invented = {path.stem: read_invented(path) for path in sorted(SETS.glob("*.jsonl"))}
    real = [] if args.no_real or not REAL.exists() else read_real(REAL)
    examples = real + [e for items in invented.values() for e in items]
    inputs = [profile.inputs(e.title, e.text, e.lang) for e in examples]
    random_folds = assign_folds(examples)
    verdicts, models = validated(examples, inputs, random_folds, Settings(), "random folds")
    named, _ = validated(
        examples, inputs, random_folds, Settings(grams=False), "named features alone"
    )
    baselines = {
        "baseline: any name of a regional state": baseline_country,
        "baseline: state name AND military word": baseline_country_and_defense,
    }

    def predict(table: dict[str, bool], prefix: str) -> Callable[[Item], bool]:
        return lambda item: table[f"{prefix}/{item.id}"]

    if real:
        by_source, _ = validated(
            examples, inputs, source_folds(examples), Settings(), "outlet folds"
        )
        by_time, _ = validated(examples, inputs, time_split(examples), Settings(), "time split")
        by_source_named, _ = validated(
            examples, inputs, source_folds(examples), Settings(grams=False), "outlet folds, named"
        )
        by_time_named, _ = validated(
            examples, inputs, time_split(examples), Settings(grams=False), "time split, named"
        )
        print()
        report(
            "REAL development set, 5-fold cross-validated (model fitted and threshold chosen "
            "without the scored fold)",
            by_language(as_items(real)),
            {
                "model (5-fold cross-validated)": predict(verdicts, "real-dev"),
                "named features alone (same folds)": predict(named, "real-dev"),
                **baselines,
            },
            args.show_errors,
        )
        report(
            "REAL development set, unseen outlets (5 folds by source) and unseen time (the "
            "newest 20%, fitted on the older items)",
            {"all": as_items(real)},
            {
                "model, folds by outlet": predict(by_source, "real-dev"),
                "named features alone, folds by outlet": predict(by_source_named, "real-dev"),
            },
            show_errors=False,
        )
        newest = [e for n, e in enumerate(examples) if time_split(examples)[n] == 0]
        report(
            "",
            {"newest 20%": as_items(newest)},
            {
                "model, fitted on the older items": predict(by_time, "real-dev"),
                "named features alone, older items": predict(by_time_named, "real-dev"),
                **baselines,
            },
            show_errors=False,
        )
        long_texts(profile, examples, models, random_folds)
    else:
        print(f"{REAL}: absent or skipped; no real-data numbers\n")
    for name, items in invented.items():
        report(
            f"in-repo set {name}: cross-validated in the same folds, and the shipped model "
            "(in-sample: fitted on it)",
            {name: as_items(items)},
            {
                "model (5-fold cross-validated)": predict(verdicts, name),
                "model as shipped (in-sample)": lambda item: (
                    score_article(profile, item.title, item.text, item.lang).relevant
                ),
                **baselines,
            },
            args.show_errors,
        )
    weights = {
        name: [m.weights.get(name, 0.0) for m in models.values()] for name in models[0].weights
    }
    steady = sum(1 for values in weights.values() if min(values) * max(values) > 0)
    print(f"named-feature weights with the same sign in all 5 folds: {steady} of {len(weights)}\n")

    full_texts(profile)
    seed_lines(profile, seed)
    if REAL.exists():
        language_lines(REAL)
    title_ms = time_scoring(profile, SEED_FACTS.title, None, rounds=2000)
    text = long_article(seed, 10_000)
    article_ms = time_scoring(profile, SEED_FACTS.title, text, rounds=200)
    plain_ms = time_scoring_baseline(SEED_FACTS.title, text, rounds=200)
    print(f"scoring cost: title only {title_ms:.3f} ms (target <= 1 ms)")
    print(f"scoring cost: 10,000-character article {article_ms:.3f} ms (target <= 5 ms)")
    print(f"baseline (region AND military word) on the same article: {plain_ms:.3f} ms")
    return 0


def full_texts(profile: Profile) -> None:
    """The extraction corpus's real pages (general news: all negatives), with their whole
    text and with the title alone; the title is the page's <title>."""
    truth_file = EXTRACTION / "ground-truth.json"
    if not truth_file.exists():
        print(f"{truth_file}: absent; no full-text numbers\n")
        return
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    rows = []
    for key, page in truth.items():
        raw = gzip.decompress((EXTRACTION / "html" / f"{key}.html.gz").read_bytes())
        raw = raw.decode("utf-8", "replace")
        found = TITLE.search(raw)
        title = html.unescape(found.group(1)).strip() if found else None
        text = page["articleBody"]
        lang = identify_language(f"{title or ''}\n{text[:500]}")
        whole = score_article(profile, title, text, lang)
        alone = score_article(profile, title, None, lang)
        rows.append((whole.relevance, alone.relevance, len(text), title or page["url"]))
    rows.sort(reverse=True)
    n = len(rows)
    print(f"FULL TEXTS: {n} real pages of general news (all not relevant), shipped model")
    print(f"  relevant with the whole text: {sum(r[0] >= 0.5 for r in rows)} of {n}")
    print(f"  relevant with the title alone: {sum(r[1] >= 0.5 for r in rows)} of {n}")
    for whole, alone, length, title in rows[:5]:
        print(f"  highest: {whole:.3f} (title alone {alone:.3f}, {length} chars) {title[:70]}")
    print()


def long_texts(
    profile: Profile, examples: list[Example], models: dict[int, Model], folds: list[int]
) -> None:
    """Do long texts inflate scores? Every real item scored by its cross-validation model with
    its summary followed by other items' summaries of its language, all of them irrelevant
    (~600 words), beside the item as it is; with the shipped lead_words and with the model
    reading the whole text."""
    fillers: dict[str, list[str]] = {}
    for e in examples:
        if e.real and not e.relevant and e.text:
            fillers.setdefault(e.lang, []).append(e.text)
    whole_profile = profile.with_options(lead_words=0)
    rows: dict[str, list[tuple[bool, bool]]] = {"as is": [], "padded": [], "padded, whole": []}
    for n, e in enumerate(examples):
        if not e.real:
            continue
        others = [t for t in fillers.get(e.lang, []) if t != e.text]
        padding = []
        for turn in range(len(others)):
            padding.append(others[(n + turn) % len(others)])
            if sum(len(p.split()) for p in padding) >= 600:
                break
        long_text = "\n\n".join([e.text or "", *padding])
        model = models[folds[n]]
        rows["as is"].append(
            (model.logit(*profile.inputs(e.title, e.text, e.lang)) >= 0, e.relevant)
        )
        rows["padded"].append(
            (model.logit(*profile.inputs(e.title, long_text, e.lang)) >= 0, e.relevant)
        )
        rows["padded, whole"].append(
            (model.logit(*whole_profile.inputs(e.title, long_text, e.lang)) >= 0, e.relevant)
        )
    print("LONG TEXTS: real items, cross-validated models; padded = summary + ~600 words of")
    print("other, irrelevant summaries of the same language")
    print(f"{'view':<36} {'false-positive rate':>20} {'recall':>8}")
    for name, pairs in rows.items():
        negatives = [guess for guess, truth in pairs if not truth]
        positives = [guess for guess, truth in pairs if truth]
        label = {
            "as is": "as labelled",
            "padded": f"padded, lead_words {profile.options['lead_words']:.0f}",
            "padded, whole": "padded, whole text read",
        }[name]
        print(
            f"{label:<36} {sum(negatives) / len(negatives):>20.3f} "
            f"{sum(positives) / len(positives):>8.3f}"
        )
    print()


def seed_lines(profile: Profile, seed: str) -> None:
    """The seed, a syndicated copy with its own header and footer, a shortened copy and a
    follow-up written from its opening (invented wording around the seed's text)."""
    paragraphs = [p for p in seed.split("\n") if p.strip()]
    variants = {
        "the seed": (SEED_FACTS.title, seed),
        "copy with outlet header and footer": (
            SEED_FACTS.title,
            "BAKU, April 8 (Our Agency)\n" + seed + "\nAll rights reserved. Follow us.",
        ),
        "shortened copy (first half)": (
            SEED_FACTS.title,
            "\n".join(paragraphs[: len(paragraphs) // 2]),
        ),
        "title alone": (SEED_FACTS.title, None),
        "follow-up (its opening, new lead)": (
            "Baku and Central Asian capitals widen strategic ties",
            "A week after the talks, officials returned to the agenda. " + " ".join(paragraphs[:2]),
        ),
    }
    print("SEED: its copies and follow-ups (shipped model)")
    for name, (title, text) in variants.items():
        score = score_article(profile, title, text, "en")
        verdict = "relevant" if score.relevant else "NOT relevant"
        similar = score.breakdown["seed"]["similarity"]
        print(f"  {name:<36} {score.relevance:.3f} {verdict}  (seed similarity {similar:.2f})")
    print()


def time_scoring_baseline(title: str, text: str, rounds: int) -> float:
    item = Item("long", "en", title, text, True)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        baseline_country_and_defense(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
