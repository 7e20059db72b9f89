"""Article text extraction measured on real pages with ground truth (../shared/corpus/
extraction: 181 pages of 126 sites, each with its article body as a person marked it).

    python bench/extraction_bench.py

Prints token precision, recall and F1 (bags of lowercase words, averaged over pages) of
crawler.extract.extract_article alone, and with the recurring-boilerplate filter
(crawler/boilerplate.py) fed by the earlier pages of the same site in corpus order, at its
threshold and at the loosest one (a paragraph seen once before on the site), beside how
many paragraphs each dropped.
"""

import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.boilerplate import (
    MIN_RECURRENCE,
    edge_keys,
    without_recurring_edges,
)
from crawler.extract import extract_article

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "extraction"
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def scores(found: str, truth: str) -> tuple[float, float, float]:
    got, want = words(found), words(truth)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def extracted_texts() -> list[tuple[str, str, str]]:
    """(site, extracted text, true text) for every page, in corpus order."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for name, record in sorted(truth.items()):
        body = gzip.decompress((CORPUS / "html" / f"{name}.html.gz").read_bytes())
        page = extract_article(body, record["url"])
        text = "\n".join(part for part in (page.title, page.text) if part)
        pages.append((urlsplit(record["url"]).hostname or "", text, record["articleBody"]))
    return pages


def filtered(pages: list[tuple[str, str, str]], threshold: int) -> tuple[list[str], int]:
    """Each page's text with the site's recurring edges dropped, counting only the site's
    pages before it; and how many paragraphs were dropped in all."""
    seen: dict[str, Counter[int]] = {}
    texts, dropped = [], 0
    for site, text, _truth in pages:
        paragraphs = text.split("\n")
        counter = seen.setdefault(site, Counter())
        kept = without_recurring_edges(paragraphs, dict(counter), threshold)
        dropped += len(paragraphs) - len(kept)
        counter.update(edge_keys(paragraphs))
        texts.append("\n".join(kept))
    return texts, dropped


def report(label: str, texts: list[str], pages: list[tuple[str, str, str]], dropped: int) -> None:
    rows = [scores(text, truth) for text, (_s, _t, truth) in zip(texts, pages, strict=True)]
    n = len(rows)
    p, r, f = (sum(row[i] for row in rows) / n for i in range(3))
    print(f"{label:<44}{p:>10.4f}{r:>10.4f}{f:>10.4f}{dropped:>10}")


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent")
    started = time.monotonic()
    pages = extracted_texts()
    sites = Counter(site for site, _t, _g in pages)
    print(
        f"{len(pages)} pages, {len(sites)} sites, at most {max(sites.values())} pages per "
        f"site; extraction {time.monotonic() - started:.1f} s"
    )
    print(f"{'':<44}{'precision':>10}{'recall':>10}{'F1':>10}{'dropped':>10}")
    report("extraction alone (before)", [t for _s, t, _g in pages], pages, 0)
    texts, dropped = filtered(pages, MIN_RECURRENCE)
    report(f"+ recurring edges, threshold {MIN_RECURRENCE} (after)", texts, pages, dropped)
    texts, dropped = filtered(pages, 1)
    report("+ recurring edges, threshold 1 (loosest)", texts, pages, dropped)


if __name__ == "__main__":
    main()
