"""Stories: how well articles are grouped into stories (and stories into threads) on a
labelled multilingual set, and what assigning one article costs with 10,000 and 100,000
stored, through storage's own code on a real SQLite file.

Run from the repository root:

    python bench/stories_bench.py [--sizes 10000 100000] [--quick]

The labelled set (bench/stories_events.py): invented events of the region — joint exercises
and their next editions, border clashes, arms deliveries, ministers' visits, depot blasts —
each reported by two to six invented outlets in English, Russian, Azerbaijani and Kazakh in
their own words, with follow-ups (an exercise ends, a ceasefire) and syndicated copies, and
look-alikes planted on purpose (the next year's edition of an exercise; two incidents of one
kind with the same actors in one week). Articles are stored as a crawl stores them
(`Articles.store_incoming`, batches of 25, in arrival order, each scored by the shipped
relevance profile, whose matched concepts are what storage's stories read).

Scores: pairwise precision / recall / F1 over pairs of articles (same story in the labels
and in the database) and BCubed precision / recall / F1 (per article, the share of its
cluster that belongs with it, averaged), beside two plain baselines computed in the same
run: "copies only" (a story = a near-duplicate group) and "title words" (same language,
title word overlap ≥ 0.5 within 3 days, linked transitively). Threads are scored the same
way (labels: one thread per exercise series, else one per event).

Cost: a background of generated articles (another seed, denser: ~20 events a day) is
stored, then 300 more are stored and the time `assign_story` takes for each is measured,
beside the time the rest of storing takes for them (decision, near-duplicate lookup, insert).
"""

import argparse
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.articles as storage_articles  # noqa: E402
from bench.stories_events import (  # noqa: E402
    Report,
    arrival_order,
    iso,
    plan_events,
    reports_for,
)
from config import ProfileConfig  # noqa: E402
from relevance import profile_for, storage_scorer  # noqa: E402
from storage import Article, Incoming, Storage  # noqa: E402
from storage.models import Score  # noqa: E402

BATCH = 25
START = datetime(2024, 1, 1, 6, tzinfo=UTC)


def scorer() -> Callable[[Article], Score]:
    return storage_scorer(profile_for(ProfileConfig()))


def as_incoming(report: Report) -> Incoming:
    return Incoming(
        Article(
            url=report.url,
            canonical_url=report.url,
            source=report.outlet,
            title=report.title,
            text=report.text,
            lang=report.lang,
            published_at=iso(report.published),
        )
    )


def store(storage: Storage, reports: Iterable[Report], score: Callable[[Article], Score]) -> None:
    items = iter(reports)
    while batch := list(itertools.islice(items, BATCH)):
        storage.articles.store_incoming([as_incoming(r) for r in batch], score)


# -- scores ---------------------------------------------------------------------------------


def pairwise(truth: Sequence[Hashable], found: Sequence[Hashable]) -> tuple[float, float, float]:
    """Precision, recall, F1 over pairs of items put together."""
    both = same_truth = same_found = 0
    for i, j in itertools.combinations(range(len(truth)), 2):
        t, f = truth[i] == truth[j], found[i] == found[j]
        both += t and f
        same_truth += t
        same_found += f
    precision = both / same_found if same_found else 1.0
    recall = both / same_truth if same_truth else 1.0
    return precision, recall, _f1(precision, recall)


def bcubed(truth: Sequence[Hashable], found: Sequence[Hashable]) -> tuple[float, float, float]:
    by_truth: dict[Hashable, set[int]] = defaultdict(set)
    by_found: dict[Hashable, set[int]] = defaultdict(set)
    for index, (t, f) in enumerate(zip(truth, found, strict=True)):
        by_truth[t].add(index)
        by_found[f].add(index)
    precision = recall = 0.0
    for t, f in zip(truth, found, strict=True):
        common = len(by_truth[t] & by_found[f])
        precision += common / len(by_found[f])
        recall += common / len(by_truth[t])
    n = len(truth)
    return precision / n, recall / n, _f1(precision / n, recall / n)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def title_baseline(reports: Sequence[Report]) -> list[int]:
    """Same language, title word overlap (Jaccard) ≥ 0.5, within 3 days, transitively."""
    parent = list(range(len(reports)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    words = [set(re.findall(r"\w{4,}", r.title.lower())) for r in reports]
    for i, j in itertools.combinations(range(len(reports)), 2):
        a, b = reports[i], reports[j]
        if a.lang != b.lang or abs((a.published - b.published).days) > 3:
            continue
        union = words[i] | words[j]
        if union and len(words[i] & words[j]) / len(union) >= 0.5:
            parent[root(i)] = root(j)
    return [root(i) for i in range(len(reports))]


def line(name: str, scores: tuple[float, float, float]) -> str:
    p, r, f = scores
    return f"  {name:<34} P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def quality(folder: Path, seed: int, months: int, per_month: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    events = plan_events(seed, START, months, per_month)
    reports = reports_for(events, seed)
    by_url = {r.url: r for r in reports}
    print(
        f"labelled set: {len(events)} events, {len(reports)} articles "
        f"({sum(r.copy_of is not None for r in reports)} syndicated copies; languages "
        + ", ".join(
            f"{lang} {sum(r.lang == lang for r in reports)}" for lang in "en ru az kk".split()
        )
        + ")"
    )
    with Storage.open(folder / "quality.db") as storage:
        storage.ensure_seed()
        started = time.perf_counter()
        store(storage, arrival_order(reports, seed), scorer())
        elapsed = time.perf_counter() - started
        rows = [row for row in storage.articles.export() if row["url"] in by_url]
        threads = {s["id"]: s["thread_id"] for s in storage.stories.listing(limit=10**6)}
    ordered = [by_url[row["url"]] for row in rows]
    truth = [r.event for r in ordered]
    found = [row["story"] for row in rows]
    copies = [row["duplicate_of"] or row["id"] for row in rows]
    titles = title_baseline(ordered)
    stories = len(set(found))
    print(f"stored in {elapsed:.1f} s; {stories} stories for {len(set(truth))} events")
    print("stories, pairwise:")
    print(line("newswatch", pairwise(truth, found)))
    print(line("baseline: copies only", pairwise(truth, copies)))
    print(line("baseline: title words, same language", pairwise(truth, titles)))
    print("stories, BCubed:")
    print(line("newswatch", bcubed(truth, found)))
    print(line("baseline: copies only", bcubed(truth, copies)))
    print(line("baseline: title words, same language", bcubed(truth, titles)))
    multilingual = defaultdict(set)
    for report, story in zip(ordered, found, strict=True):
        multilingual[story].add(report.lang)
    print(
        f"stories with more than one language: "
        f"{sum(len(langs) > 1 for langs in multilingual.values())} of {stories}"
    )
    thread_truth = [r.thread for r in ordered]
    thread_found = [threads[story] for story in found]
    print("threads, pairwise:")
    print(line("newswatch", pairwise(thread_truth, thread_found)))
    print(line("newswatch, BCubed", bcubed(thread_truth, thread_found)))
    _errors(ordered, found)


def _errors(reports: Sequence[Report], found: Sequence[Any], shown: int = 6) -> None:
    """A few wrongly merged and wrongly split pairs, to read."""
    merged, split = [], []
    for i, j in itertools.combinations(range(len(reports)), 2):
        a, b = reports[i], reports[j]
        if a.copy_of is not None or b.copy_of is not None:
            continue
        if found[i] == found[j] and a.event != b.event:
            merged.append((a, b))
        elif found[i] != found[j] and a.event == b.event:
            split.append((a, b))
    for label, pairs in (("merged, not one event", merged), ("one event, split", split)):
        print(f"  {label}: {len(pairs)} pairs; e.g.")
        for a, b in pairs[:shown]:
            print(f"    [{a.lang} {a.published:%m-%d}] {a.title[:70]}")
            print(f"    [{b.lang} {b.published:%m-%d}] {b.title[:70]}")


# -- cost -----------------------------------------------------------------------------------


class Timed:
    """storage.articles.assign_story, timed."""

    def __init__(self) -> None:
        self.original = storage_articles.assign_story
        self.seconds: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds.append(time.perf_counter() - started)


def cost(folder: Path, sizes: Sequence[int], probe: int = 300) -> None:
    score = scorer()
    # ~22 events a day over three years: denser than any real watch list, so more
    # candidate stories per article than in practice.
    months = 36
    events = plan_events(7, START - timedelta(days=365), months, 700, distinct=False)
    background = reports_for(events, 7)
    probes = reports_for(plan_events(8, START + timedelta(days=400), 2, 60), 8)[:probe]
    background = list(arrival_order(background, 7))
    timer = Timed()
    storage_articles.assign_story = timer  # type: ignore[assignment]
    try:
        with Storage.open(folder / "cost.db") as storage:
            stored = 0
            for size in sizes:
                if size > len(background):
                    print(f"  (only {len(background)} background articles; {size} skipped)")
                    continue
                started = time.perf_counter()
                store(storage, background[stored:size], score)
                fill = time.perf_counter() - started
                print(
                    f"  {size:>7,} stored (added {size - stored:,} in {fill:.0f} s, "
                    f"{fill / max(1, size - stored) * 1000:.2f} ms each with scoring)"
                )
                stored = size
                timer.seconds.clear()
                started = time.perf_counter()
                for report in probes:
                    storage.articles.store_incoming([as_incoming(report)], score)
                total = (time.perf_counter() - started) / len(probes)
                story = statistics.mean(timer.seconds)
                p95 = statistics.quantiles(timer.seconds, n=20)[18]
                print(
                    f"  {size:>7,} stored: assign_story {story * 1000:.2f} ms per article "
                    f"(p95 {p95 * 1000:.2f} ms); the rest of storing it (decision, "
                    f"near-duplicates, insert, scoring) {(total - story) * 1000:.2f} ms"
                )
                # The probes stay stored: the next size is measured with them in.
                probes = reports_for(
                    plan_events(8 + size, START + timedelta(days=400), 2, 60), 8 + size
                )[:probe]
    finally:
        storage_articles.assign_story = timer.original


# -- real data --------------------------------------------------------------------------------

REAL_DEV = ROOT.parent / "shared" / "corpus" / "relevance" / "real-dev.jsonl"


def real(folder: Path, path: Path = REAL_DEV, show: int = 1000) -> None:
    """Cluster the real development items (title + description, 10 languages) as a crawl
    would store them, oldest first, and list every story of more than one article with the
    labeller's English gloss of each item, to read."""
    if not path.exists():
        print(f"  {path} is not there: real-data run skipped")
        return
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    items.sort(key=lambda item: (item["date"], item["id"]))
    by_url = {item["url"]: item for item in items}
    with Storage.open(folder / "real.db") as storage:
        storage.ensure_seed()
        incoming = [
            Incoming(
                Article(
                    url=item["url"],
                    canonical_url=item["url"],
                    source=item["source"],
                    title=item["title"],
                    text=item["description"] or None,
                    lang=item["lang"],
                    published_at=item["date"],
                )
            )
            for item in items
        ]
        score = scorer()
        for start in range(0, len(incoming), BATCH):
            storage.articles.store_incoming(incoming[start : start + BATCH], score)
        rows = [row for row in storage.articles.export() if row["url"] in by_url]
    stories: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        stories[row["story"]].append(by_url[row["url"]])
    multi = {story: members for story, members in stories.items() if len(members) > 1}
    languages = {story: {m["lang"] for m in members} for story, members in multi.items()}
    print(
        f"real items: {len(rows)} stored ({len(items)} in the file), {len(stories)} stories; "
        f"{len(multi)} of more than one article ({sum(len(m) for m in multi.values())} "
        f"articles), {sum(len(langs) > 1 for langs in languages.values())} in more than one "
        "language"
    )
    for number, (story, members) in enumerate(sorted(multi.items())):
        if number >= show:
            break
        print(f"  story #{story} ({len(members)} articles, {', '.join(sorted(languages[story]))})")
        for member in members:
            print(f"    {member['date'][:10]} {member['lang']} {member['id']}: {member['gloss']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="a small set, no cost run")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="*",
        default=[11, 12],
        help="labelled sets to score (11: the one the thresholds were tuned on; 12: held out)",
    )
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--real", type=Path, default=REAL_DEV, help="real items (JSON lines)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stories-bench-") as tmp:
        folder = Path(tmp)
        months, per_month = (6, 6) if args.quick else (24, 8)
        for seed in args.seeds:
            role = {11: "tuned on", 12: "held out"}.get(seed, "another")
            print(f"== labelled set, seed {seed} ({role}) ==")
            quality(folder / f"set-{seed}", seed, months, per_month)
        print("real data:")
        real(folder, args.real)
        if not args.quick and not args.no_cost:
            print("cost per article:")
            cost(folder, args.sizes)


if __name__ == "__main__":
    main()
