"""newswatch's extraction before and after stop 20, in one run, on the 181 real pages of
../shared/corpus/extraction: "metadata pass" is trafilatura with its metadata pass giving
title, author and date (crawler/extract.py until stop 20, rebuilt here from its parts);
"newswatch" is crawler.extract.extract_article, trafilatura for the text only and title,
author and date read from the tree by crawler/pagemeta.py.

    python bench/extraction_metadata.py [--list] [--judged FILE]

Prints CPU ms/page (process time, best of two passes, the two versions alternating), text
F1 against the ground truth (bench/extraction_bench.py's word tokens), and how often title,
author and date agree between the two versions, exactly and normalised (case, spaces and
punctuation ignored; dates compared on the day). --list prints every disagreement.

The corpus has no ground truth for titles and authors. --judged FILE reads hand judgements
of the pages where the versions disagree (JSON: {"authors": {key: [acceptable answers, each
a list of names; [] = no author]}, "titles": {key: [acceptable titles]}}, keys the first 10
hex digits of a page) and scores each version on them: right, partial (a right name inside
a longer or junk-laden answer), wrong, missed. Judgements stay outside the repository (they
are made from real pages); stop 20's are in /work/notes/s20/leanauthor-judged.json.
"""

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extraction_bench import scores  # noqa: E402  (bench/ is the script's folder)

from crawler.extract import (  # noqa: E402
    Extracted,
    assemble,
    canonical_link,
    declared_language,
    extract_article,
    load_page,
    trafilatura_fields,
)

CORPUS = REPO.parent / "shared" / "corpus" / "extraction"
_NOT_WORD = re.compile(r"[\W_]+")


def with_metadata_pass(body: bytes, url: str) -> Extracted:
    """extract_article as it was until stop 20: title, author and date from trafilatura's
    metadata pass."""
    tree = load_page(body, url)
    if tree is None:
        return Extracted(None, None, None, None, None, None)
    declared_lang, canonical = declared_language(tree), canonical_link(tree)
    found = trafilatura_fields(tree, url, with_metadata=True)
    if found is None:
        return Extracted(None, None, None, None, declared_lang, canonical)
    return assemble(
        found.get("title"),
        found.get("text"),
        found.get("author"),
        found.get("date"),
        declared_lang,
        canonical,
    )


def normalised(field: str, value: str | None) -> str:
    if value is None:
        return ""
    if field == "published_at":
        return value[:10]
    return _NOT_WORD.sub(" ", value.lower()).strip()


def names(value: str | None) -> frozenset[str]:
    """An author field's names, normalised ("; " separates them, as stored)."""
    return frozenset(n for n in (normalised("author", p) for p in (value or "").split(";")) if n)


def judge_author(value: str | None, acceptable: list[list[str]]) -> str:
    found = names(value)
    right = [frozenset(normalised("author", n) for n in answer) for answer in acceptable]
    if found in right:
        return "right"
    if not found:
        return "missed"
    text = normalised("author", value)
    if any(n and n in text for answer in right for n in answer):
        return "partial"
    return "wrong"


def judge_title(value: str | None, acceptable: list[str]) -> str:
    if normalised("title", value) in {normalised("title", t) for t in acceptable}:
        return "right"
    return "missed" if value is None else "wrong"


def print_judged(path: Path, keys: list[str], results: dict[str, list[Extracted]]) -> None:
    judged = json.loads(path.read_text(encoding="utf-8"))
    judges: dict[str, tuple[str, Callable[[str | None, Any], str]]] = {
        "authors": ("author", judge_author),
        "titles": ("title", judge_title),
    }
    print(f"\njudged ({path.name}){'':<6}{'right':>7}{'partial':>9}{'wrong':>7}{'missed':>8}")
    for section, (field, judge) in judges.items():
        table = judged.get(section, {})
        for name, extracted in results.items():
            verdicts = Counter(
                judge(getattr(page, field), table[key[:10]])
                for key, page in zip(keys, extracted, strict=True)
                if key[:10] in table
            )
            label = f"{section} ({sum(verdicts.values())}) {name}"
            print(
                f"{label:<32}{verdicts['right']:>5}{verdicts['partial']:>9}"
                f"{verdicts['wrong']:>7}{verdicts['missed']:>8}"
            )


def main() -> None:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is absent: the shared corpus is not beside this checkout")
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (key, gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()), item)
        for key, item in sorted(truth.items())
    ]
    versions = {"metadata pass": with_metadata_pass, "newswatch": extract_article}
    cpu = {name: float("inf") for name in versions}
    results: dict[str, list[Extracted]] = {}
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
    before, now = results["metadata pass"], results["newswatch"]
    print(f"\n{'agreement':<26}{'exact':>8}{'normalised':>12}{'both None':>11}")
    for field in ("title", "author", "published_at"):
        pairs = [(getattr(b, field), getattr(n, field)) for b, n in zip(before, now, strict=True)]
        exact = sum(b == n for b, n in pairs)
        norm = sum(normalised(field, b) == normalised(field, n) for b, n in pairs)
        none = sum(b is None and n is None for b, n in pairs)
        print(f"{field:<26}{exact:>8}{norm:>12}{none:>11}")
        if "--list" in sys.argv:
            for (key, _h, _i), (b, n) in zip(pages, pairs, strict=True):
                if normalised(field, b) != normalised(field, n):
                    print(f"   {key[:10]}: metadata pass {b!r}\n   {' ' * 10}  newswatch     {n!r}")
    if "--judged" in sys.argv:
        path = Path(sys.argv[sys.argv.index("--judged") + 1])
        print_judged(path, [key for key, _h, _i in pages], results)


if __name__ == "__main__":
    main()
