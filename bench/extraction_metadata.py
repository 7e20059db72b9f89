"""newswatch's extraction with trafilatura's metadata pass (before, crawler/extract.py) and
without it, title, author and date read from the tree by bench/_pagemeta_lean.py ("now"),
on the 181 real pages of ../shared/corpus/extraction, in one run.

    python bench/extraction_metadata.py [--list]

Prints CPU ms/page (process time, best of two passes, the two versions alternating), text
F1 against the ground truth (bench/extraction_bench.py's word tokens), and how often title,
author and date agree between the two versions, exactly and normalised (case, spaces and
punctuation ignored; dates compared on the day). --list prints every disagreement.
"""

import gzip
import json
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _pagemeta_lean import lean_extract_article  # noqa: E402  (bench/ is the script's folder)
from extraction_bench import scores  # noqa: E402

from crawler.extract import extract_article  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "extraction"
_NOT_WORD = re.compile(r"[\W_]+")


def normalised(field: str, value: str | None) -> str:
    if value is None:
        return ""
    if field == "published_at":
        return value[:10]
    return _NOT_WORD.sub(" ", value.lower()).strip()


def main() -> None:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is absent: the shared corpus is not beside this checkout")
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (key, gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()), item)
        for key, item in sorted(truth.items())
    ]
    versions = {"before (metadata pass)": extract_article, "now": lean_extract_article}
    cpu = {name: float("inf") for name in versions}
    results = {}
    for _ in range(2):
        for name, call in versions.items():
            started = time.process_time()
            results[name] = [call(html, item["url"]) for _k, html, item in pages]
            cpu[name] = min(cpu[name], time.process_time() - started)
    print(f"{len(pages)} real pages")
    print(f"{'':<26}{'ms/page':>9}{'precision':>11}{'recall':>8}{'F1':>7}")
    for name in versions:
        s = [
            scores(r.text or "", item["articleBody"])
            for r, (_k, _h, item) in zip(results[name], pages, strict=True)
        ]
        p, r, f = (statistics.mean(x[i] for x in s) for i in range(3))
        print(f"{name:<26}{1000 * cpu[name] / len(pages):>9.2f}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    before, now = results["before (metadata pass)"], results["now"]
    print(f"\n{'agreement with before':<26}{'exact':>8}{'normalised':>12}{'both None':>11}")
    for field in ("title", "author", "published_at"):
        pairs = [(getattr(b, field), getattr(n, field)) for b, n in zip(before, now, strict=True)]
        exact = sum(b == n for b, n in pairs)
        norm = sum(normalised(field, b) == normalised(field, n) for b, n in pairs)
        none = sum(b is None and n is None for b, n in pairs)
        print(f"{field:<26}{exact:>8}{norm:>12}{none:>11}")
        if "--list" in sys.argv:
            for (key, _h, _i), (b, n) in zip(pages, pairs, strict=True):
                if normalised(field, b) != normalised(field, n):
                    print(f"   {key}: before {b!r}\n   {' ' * len(key)}  now    {n!r}")


if __name__ == "__main__":
    main()
