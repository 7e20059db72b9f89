"""Extraction settings: CPU per page and text quality of trafilatura calls, on real pages.

    python bench/extraction_settings.py

Extraction is half of a crawl's CPU (bench/crawl_profile.py); this weighs cheaper settings
against what they lose. Pages: the 181 real article pages with hand-made ground truth in
../shared/corpus/extraction (html/*.html.gz, ground-truth.json: articleBody). Quality is
word-level precision, recall and F1 of the extracted text against the article body (words
lowercased, counted as a bag). CPU is process time per page, best of two passes.
"""

import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extraction_bench import scores  # noqa: E402  (bench/ is the script's folder)

from crawler import extract  # noqa: E402
from crawler.extract import DATE_PARAMS, extract_article  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "extraction"


def _bare(**options: object) -> Callable[[bytes, str], str | None]:
    def call(html: bytes, url: str) -> str | None:
        document = trafilatura.bare_extraction(html, url=url, include_comments=False, **options)
        return document.as_dict().get("text") if document is not None else None

    return call


NEWSWATCH = "newswatch extract_article (now)"
FULL = "newswatch extract_article, full pass always"


def _always_full(html: bytes, url: str) -> str | None:
    """extract_article as before the fast pass came first: trafilatura's full pass."""
    threshold = extract.FULL_EXTRACTION_BELOW
    extract.FULL_EXTRACTION_BELOW = sys.maxsize  # every text is "short": the full pass runs
    try:
        return extract_article(html, url).text
    finally:
        extract.FULL_EXTRACTION_BELOW = threshold


VARIANTS: dict[str, Callable[[bytes, str], str | None]] = {
    NEWSWATCH: lambda html, url: extract_article(html, url).text,
    FULL: _always_full,
    "bare_extraction metadata, precision, default dates": _bare(
        with_metadata=True, favor_precision=True
    ),
    "bare_extraction metadata, no favor_precision": _bare(
        with_metadata=True, date_extraction_params=DATE_PARAMS
    ),
    "bare_extraction metadata, precision, fast": _bare(
        with_metadata=True, favor_precision=True, fast=True, date_extraction_params=DATE_PARAMS
    ),
    "bare_extraction no metadata, precision": _bare(favor_precision=True),
    "bare_extraction no metadata, precision, fast": _bare(favor_precision=True, fast=True),
    "trafilatura.extract (the loop's call)": lambda html, url: trafilatura.extract(html, url=url),
    "trafilatura.extract fast": lambda html, url: trafilatura.extract(html, url=url, fast=True),
}


def quality(found: str | None, truth: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 against the ground truth, as bench/extraction_bench.py
    scores them (one scoring for every extraction figure in bench/README.md)."""
    return scores(found or "", truth)


def main() -> None:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is absent: the shared corpus is not beside this checkout")
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()), item)
        for key, item in sorted(truth.items())
    ]
    sizes = sorted(len(html) for html, _item in pages)
    print(
        f"{len(pages)} real article pages (../shared/corpus/extraction), median "
        f"{sizes[len(sizes) // 2] / 1024:.0f} KB of HTML"
    )
    print(f"{'':<54}{'ms/page':>9}{'precision':>11}{'recall':>8}{'F1':>7}")
    found: dict[str, list[str | None]] = {}
    for name, call in VARIANTS.items():
        best = float("inf")
        for _ in range(2):
            started = time.process_time()
            texts = [call(html, item["url"]) for html, item in pages]
            best = min(best, time.process_time() - started)
        scores = [
            quality(text, item["articleBody"])
            for text, (_h, item) in zip(texts, pages, strict=True)
        ]
        p, r, f = (statistics.mean(s[i] for s in scores) for i in range(3))
        print(f"{name:<54}{1000 * best / len(pages):>9.2f}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
        found[name] = texts
    # newswatch runs the fast pass and the full one only for a short text: does it lose
    # anything against the full pass on every page?
    ours, full = found[NEWSWATCH], found[FULL]
    same = sum(a == b for a, b in zip(ours, full, strict=True))
    print(f"newswatch's text is the one of the full pass on {same} of {len(pages)} pages")


if __name__ == "__main__":
    main()
