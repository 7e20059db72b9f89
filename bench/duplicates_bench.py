"""Near-duplicate detection: precision and recall on a generated set, and the cost of a lookup
at 10,000 and 100,000 stored articles (a real SQLite file, through storage's own code).

Run from the repository root:

    python bench/duplicates_bench.py [--stories 400] [--sizes 10000 100000]

The text is synthetic: sentences of made-up words drawn from a Zipf-weighted vocabulary,
with per-topic names and stock phrases shared by every outlet. Each story has an original,
three syndicated copies on other outlets with controlled damage (light: glued words and a
credit line; medium: plus the outlet's header and footer and an edited sentence; heavy: plus
three edited sentences, a dropped sentence and a cut last paragraph), and two distinct
articles on the same event by other outlets (same topic, names and a shared quote from an
official statement), which must not be grouped with it. Everything is stored in a random
order (copies often before their original), as crawls see it.
"""

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import Article, Storage  # noqa: E402
from storage.copies import find_candidates  # noqa: E402
from storage.neardup import choose_original, fingerprint, outlet_of  # noqa: E402
from storage.timeutil import to_iso  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
CONSONANTS = "bcdfghjklmnprstvyz"
VOWELS = "aeiou"
OUTLETS = [f"outlet{n:02d}.example" for n in range(30)]
DAMAGES = ("light", "medium", "heavy")


def made_up_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 2, 2, 3, 3, 4))
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))


class Language:
    """A vocabulary with Zipf weights, topic names, and stock phrases."""

    def __init__(self, rng: random.Random, words: int = 6000, topics: int = 40) -> None:
        self.rng = rng
        self.words = list(dict.fromkeys(made_up_word(rng) for _ in range(words * 2)))[:words]
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]
        self.topics = [[made_up_word(rng).capitalize() for _ in range(30)] for _ in range(topics)]
        self.stock = [
            " ".join(rng.choices(self.words[:200], k=rng.randint(3, 6))) for _ in range(40)
        ]

    def sentence(self, topic: int) -> str:
        rng = self.rng
        words = rng.choices(self.words, self.weights, k=rng.randint(8, 24))
        for _ in range(rng.randint(1, 4)):  # names of the topic's people and places
            words.insert(rng.randrange(len(words)), rng.choice(self.topics[topic]))
        if rng.random() < 0.4:
            words.insert(rng.randrange(len(words)), rng.choice(self.stock))
        return " ".join(words).capitalize() + "."

    def paragraphs(self, topic: int, sentences: int, quote: str) -> list[list[str]]:
        body = [self.sentence(topic) for _ in range(sentences)]
        body.insert(self.rng.randrange(1, len(body)), quote)
        cuts = sorted(self.rng.sample(range(1, len(body)), min(len(body) - 1, len(body) // 4)))
        return [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]


@dataclass
class Item:
    story: int  # the truth: copies share their original's story
    kind: str  # "original", "light", "medium", "heavy", "distinct"
    article: Article


def glue(text: str, rng: random.Random, share: float) -> str:
    """Remove a share of the spaces, as copies made from hard-wrapped lines do."""
    return "".join("" if c == " " and rng.random() < share else c for c in text)


def render(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


def copy_of(
    language: Language, paragraphs: list[list[str]], topic: int, outlet: str, damage: str
) -> str:
    rng = language.rng
    body = [list(p) for p in paragraphs]
    edits = {"light": 0, "medium": 1, "heavy": 3}[damage]
    for _ in range(edits):
        p = rng.randrange(len(body))
        body[p][rng.randrange(len(body[p]))] = language.sentence(topic)
    if damage == "heavy":
        p = rng.randrange(len(body))
        if len(body[p]) > 1:
            del body[p][rng.randrange(len(body[p]))]
        if len(body) > 2:
            body[-1] = body[-1][: max(1, len(body[-1]) // 2)]
    credit = f"{rng.choice(language.topics[topic])}, {rng.randint(1, 28)} (By {outlet}) —"
    text = credit + "\n\n" + render(body)
    if damage != "light":
        house = random.Random(outlet)  # each outlet's own header and footer
        header = " ".join(house.choices(language.words[:800], k=house.randint(5, 25)))
        footer = " ".join(house.choices(language.words[:800], k=house.randint(20, 70)))
        text = f"{header}.\n\n{text}\n\n{footer}."
    return glue(text, rng, {"light": 0.05, "medium": 0.1, "heavy": 0.15}[damage])


def generate(stories: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    language = Language(rng)
    items: list[Item] = []
    for story in range(stories):
        topic = rng.randrange(len(language.topics))
        published = START + timedelta(hours=story * 3)
        statement = language.sentence(topic)  # an official statement every outlet quotes
        outlets = rng.sample(OUTLETS, 6)
        paragraphs = language.paragraphs(topic, rng.randint(6, 40), statement)
        items.append(
            Item(story, "original", _article(outlets[0], story, 0, render(paragraphs), published))
        )
        for number, damage in enumerate(DAMAGES, start=1):
            text = copy_of(language, paragraphs, topic, outlets[number], damage)
            when = published + timedelta(hours=rng.randint(1, 48))
            items.append(Item(story, damage, _article(outlets[number], story, number, text, when)))
        for number in (4, 5):
            other = render(language.paragraphs(topic, rng.randint(6, 40), statement))
            when = published + timedelta(hours=rng.randint(0, 24))
            own_story = stories + story * 2 + number  # its own story
            items.append(
                Item(own_story, "distinct", _article(outlets[number], story, number, other, when))
            )
    rng.shuffle(items)
    return items


def _article(outlet: str, story: int, number: int, text: str, published: datetime) -> Article:
    url = f"https://{outlet}/news/{story}-{number}"
    return Article(
        url=url, canonical_url=url, source=outlet, published_at=to_iso(published), text=text
    )


def pairs(count: int) -> int:
    return count * (count - 1) // 2


def evaluate(items: list[Item], storage: Storage) -> None:
    """Print pairwise precision and recall (two articles grouped together vs. being one
    story), and how many copies reached their original's group, by damage."""
    group_of = {
        row["canonical_url"]: row["g"]
        for row in storage.db.query(
            "SELECT canonical_url, coalesce(duplicate_of, id) AS g FROM articles"
        )
    }
    stored = [(item, group_of[item.article.canonical_url]) for item in items]
    stories: dict[int, list[int]] = {}
    groups: dict[int, list[int]] = {}
    for item, group in stored:
        stories.setdefault(item.story, []).append(group)
        groups.setdefault(group, []).append(item.story)
    true_pairs = sum(pairs(len(members)) for members in stories.values())
    found_pairs = sum(pairs(len(members)) for members in groups.values())
    right_pairs = sum(pairs(n) for m in stories.values() for n in Counter(m).values())
    kinds = ", ".join(f"{kind} {n}" for kind, n in Counter(i.kind for i in items).items())
    print(f"articles stored: {len(stored)} ({kinds})")
    wrong = found_pairs - right_pairs
    print(f"pairwise precision {right_pairs / found_pairs:.4f} ({wrong} wrong of {found_pairs})")
    missed = true_pairs - right_pairs
    print(f"pairwise recall    {right_pairs / true_pairs:.4f} ({missed} missed of {true_pairs})")
    original = {item.story: group for item, group in stored if item.kind == "original"}
    print("syndicated copies in their original's group (recall), by damage:")
    for damage in (*DAMAGES, "all"):
        copies = [
            (i, g) for i, g in stored if i.kind == damage or (damage == "all" and i.kind in DAMAGES)
        ]
        linked = sum(group == original[item.story] for item, group in copies)
        print(f"  {damage:6} {linked}/{len(copies)} = {linked / len(copies):.4f}")
    distinct = [group for item, group in stored if item.kind == "distinct"]
    grouped = sum(len(groups[group]) > 1 for group in distinct)
    print(f"distinct same-event articles put in a group: {grouped}/{len(distinct)}")


def measure_quality(stories: int, seed: int, folder: Path) -> None:
    items = generate(stories, seed)
    with Storage.open(folder / "quality.db") as storage:
        started = time.perf_counter()
        for start in range(0, len(items), 50):
            storage.articles.store_many(item.article for item in items[start : start + 50])
        each_ms = (time.perf_counter() - started) / len(items) * 1000
        print(f"stored {len(items)} articles, {each_ms:.2f} ms each")
        evaluate(items, storage)


def filler(rng: random.Random, language: Language, number: int) -> Article:
    topic = rng.randrange(len(language.topics))
    text = " ".join(language.sentence(topic) for _ in range(rng.randint(6, 16)))
    outlet = OUTLETS[number % len(OUTLETS)]
    url = f"https://{outlet}/fill/{number}"
    when = to_iso(START + timedelta(minutes=number))
    return Article(url=url, canonical_url=url, source=outlet, published_at=when, text=text)


def measure_lookups(sizes: list[int], seed: int, folder: Path, queries: int = 1000) -> None:
    rng = random.Random(seed)
    language = Language(rng)
    path = folder / "lookup.db"
    with Storage.open(path) as storage:
        stored = 0
        insert_seconds = 0.0
        for size in sorted(sizes):
            while stored < size:
                batch = [filler(rng, language, stored + n) for n in range(min(500, size - stored))]
                started = time.perf_counter()
                storage.articles.store_many(batch)
                insert_seconds += time.perf_counter() - started
                stored += len(batch)
            texts = [filler(rng, language, 10**7 + n).text for n in range(queries // 2)]
            # Half the queries are copies of stored articles (so candidates are found and
            # verified), half are new texts.
            for article_id in rng.sample(range(1, stored + 1), queries // 2):
                (text,) = storage.db.execute(
                    "SELECT text FROM articles WHERE id = ?", [article_id]
                ).fetchone()
                texts.append("Reposted. " + text)
            started = time.perf_counter()
            prints = [fingerprint(text) for text in texts]
            fingerprint_ms = (time.perf_counter() - started) / len(texts) * 1000
            started = time.perf_counter()
            matched = 0
            for found in prints:
                assert found is not None
                match = choose_original(
                    outlet_of("https://query.example/"), find_candidates(storage.db, found)
                )
                matched += match is not None
            lookup_ms = (time.perf_counter() - started) / len(prints) * 1000
            print(
                f"{stored:>7} stored: lookup {lookup_ms:.3f} ms/article (index probes, "
                f"candidate verification, decision; {matched}/{len(prints)} queries matched); "
                f"fingerprint {fingerprint_ms:.3f} ms/article; store so far "
                f"{insert_seconds / stored * 1000:.2f} ms/article (fingerprint, lookup, row, "
                "FTS, bands, in batches of 500)"
            )
            print(f"         {sizes_text(storage, path)}")


def sizes_text(storage: Storage, path: Path) -> str:
    """The file's size and the index's share of it (dbstat, where SQLite has it)."""
    total = path.stat().st_size / 2**20
    try:
        rows = storage.db.execute(
            "SELECT name, sum(pgsize) FROM dbstat "
            "WHERE name IN ('article_bands', 'article_fingerprints') GROUP BY name"
        ).fetchall()
    except sqlite3.OperationalError:  # built without dbstat
        rows = []
    parts = ", ".join(f"{name} {size / 2**20:.0f} MiB" for name, size in sorted(rows))
    return f"file {total:.0f} MiB" + (f", of which {parts}" if parts else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("== precision and recall ==")
        measure_quality(args.stories, args.seed, Path(folder))
        print("\n== lookup cost ==")
        measure_lookups(args.sizes, args.seed, Path(folder))


if __name__ == "__main__":
    main()
