"""Long fuzz runs of the parsers: random mutations of invented feeds, sitemaps, listing pages
and configurations (tests/fuzzing.py), for as long as asked. Every input that lets an
exception other than the parser's own escape is kept in tests/fuzz_regressions/, where
tests/test_fuzz.py replays it for ever after.

    python bench/fuzz.py --minutes 10 --kinds feed sitemap

Prints, per kind: inputs run, how many the parser refused with its own error (a cause a
person reads), how many parsed, and how many let an exception escape (the target is 0).
"""

import argparse
import hashlib
import logging
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.feeds import FeedError, parse_feed
from crawler.sitemaps import SitemapError, parse_sitemap
from tests.fuzzing import REGRESSIONS, SEEDS, escaped, mutate


def refused(kind: str, data: bytes) -> bool:
    """Whether the parser turned the input down with its own error (for the counts)."""
    try:
        if kind == "feed":
            parse_feed(data, "http://herald.example/feeds/rss.xml")
        elif kind == "sitemap":
            parse_sitemap(data, "https://daily.example/sitemap.xml", 1_000_000)
    except (FeedError, SitemapError):
        return True
    except Exception:  # counted as escaped by the caller
        return False
    return False


def keep(kind: str, data: bytes) -> Path:
    REGRESSIONS.mkdir(exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = REGRESSIONS / f"{kind}-fuzz-{digest}.bin"
    path.write_bytes(data)
    return path


def run(kinds: list[str], seconds: float, seed: int) -> dict[str, Counter[str]]:
    rng = random.Random(seed)
    counts = {kind: Counter[str]() for kind in kinds}
    deadline = time.monotonic() + seconds
    corpus = {kind: list(SEEDS[kind]) for kind in kinds}
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        parent = rng.choice(corpus[kind])
        data = mutate(parent, rng, steps=rng.choice((1, 3, 8)))
        counts[kind]["inputs"] += 1
        error = escaped(kind, data)
        if error is not None:
            counts[kind]["escaped"] += 1
            path = keep(kind, data)
            print(f"{kind}: {type(error).__name__}: {error} -> kept as {path.name}", flush=True)
            continue
        if kind in ("feed", "sitemap") and refused(kind, data):
            counts[kind]["refused"] += 1
        else:
            counts[kind]["parsed"] += 1
            # Mutants that still parse are grown further: deeper damage, same structure.
            if len(corpus[kind]) < 200 and len(data) < 20_000:
                corpus[kind].append(data)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--kinds", nargs="+", default=["feed", "sitemap"], choices=sorted(SEEDS))
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # each dropped entry is logged; millions of lines here
    started = time.monotonic()
    counts = run(args.kinds, args.minutes * 60, args.seed)
    elapsed = time.monotonic() - started
    print(f"fuzz run: {elapsed:.0f} s, seed {args.seed}")
    print(f"{'kind':<10}{'inputs':>10}{'refused':>10}{'parsed':>10}{'escaped':>10}")
    for kind, count in counts.items():
        print(
            f"{kind:<10}{count['inputs']:>10}{count['refused']:>10}"
            f"{count['parsed']:>10}{count['escaped']:>10}"
        )


if __name__ == "__main__":
    main()
