"""Time a digest of many articles: gathering, the chart and each format.

Run from the repository root:

    python bench/digest_render.py [--articles 500]
"""

import argparse
import random
import string
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import parse_config_text  # noqa: E402
from digest.render import FORMATS, render  # noqa: E402
from digest.run import FEED_MAX_ENTRIES, FEED_WINDOW, chart_png, collect_digest, data_uri  # noqa: E402
from storage import Article, Storage  # noqa: E402
from storage.timeutil import to_iso  # noqa: E402

NOW = datetime(2024, 7, 15, 7, 0, tzinfo=UTC)


def story_text(number: int) -> str:
    """A text of its own for each story: identical texts would be stored once (the same
    normalised text is one article) and similar ones grouped as copies."""
    rng = random.Random(number)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(250)]
    return "Joint exercise report. " + " ".join(words) + "."


def fill(storage: Storage, count: int) -> None:
    originals = []
    for number in range(count):
        seen = to_iso(NOW - timedelta(minutes=5 + number * 2))
        originals.append(
            Article(
                url=f"https://bench.example/a/{number}",
                canonical_url=f"https://bench.example/a/{number}",
                source=f"Outlet {number % 12}",
                title=f"Caspian exercise report number {number}: Oymasha, Aktau, Тюб-Караган",
                author="Bench Author",
                published_at=seen,
                text=story_text(number),
                relevance=0.5 + (number % 50) / 100,
                relevant=True,
                matched=("Oymasha", "Aktau"),
                first_seen_at=seen,
            )
        )
    ids = storage.articles.add_many(originals)
    copies = [
        Article(
            url=f"https://copies.example/c/{n}",
            canonical_url=f"https://copies.example/c/{n}",
            source=f"Copier {n % 5}",
            title="copy",
            duplicate_of=ids[n],
            first_seen_at=to_iso(NOW - timedelta(minutes=1)),
        )
        for n in range(0, count, 2)
    ]
    storage.articles.add_many(copies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        config = parse_config_text(f'[storage]\npath = "{Path(scratch) / "b.db"}"')
        with Storage.open(config.storage.path) as storage:
            storage.prepare(config)
            fill(storage, args.articles)
            since = NOW - timedelta(days=2)
            started = time.perf_counter()
            digest = collect_digest(config, storage, since, NOW, NOW)
            print(f"gather {len(digest.entries)} stories: {time.perf_counter() - started:.3f} s")
            started = time.perf_counter()
            png = chart_png(digest)
            print(f"chart ({len(png) // 1024} KiB): {time.perf_counter() - started:.3f} s")
            for fmt in FORMATS:
                started = time.perf_counter()
                if fmt == "atom":
                    feed = collect_digest(
                        config, storage, NOW - FEED_WINDOW, NOW, NOW, False, FEED_MAX_ENTRIES
                    )
                    text = render(fmt, feed)
                else:
                    text = render(fmt, digest, data_uri(png))
                elapsed = time.perf_counter() - started
                print(f"{fmt:8} {len(text) // 1024:5} KiB: {elapsed:.3f} s")


if __name__ == "__main__":
    main()
