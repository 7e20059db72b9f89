"""The real labelled items through the whole crawl, against the same items scored directly.

    python bench/relevance_crawled.py [--keep]

relevance_bench.py scores each real item's title and description in-process. Here the same
913 items (../shared/corpus/relevance/real-dev.jsonl) go the way a user's feeds go: one RSS
feed per real source, served on loopback with the source's language declared, crawled by
`python -m crawler.cycle --all` into a fresh database; every article link answers 404, so
each article is stored from its feed entry, as for a summary-only feed or a page that
failed. The stored `relevant` and `lang` are then compared with the labels and with the
direct score of the same title and description.

The shipped model was fitted on these items, so the precision and recall here are
in-sample: the honest figure is relevance_bench.py's cross-validated one. What this bench
measures is the path: whether feed parsing, cleaning, language identification and storage
keep the judgement the model makes (agreement), and that no item is lost on the way.
"""

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the checkout this file belongs to

from config import load_config  # noqa: E402
from relevance import profile_for, score_article  # noqa: E402
from relevance.language import identify_language  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "relevance" / "real-dev.jsonl"
ADDRESS = "127.0.0.31"


@dataclass(frozen=True)
class Row:
    id: str
    lang: str
    source: str
    date: str
    title: str
    description: str
    label: str


def read_rows() -> list[Row]:
    rows = []
    for line in REAL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            rows.append(
                Row(r["id"], r["lang"], r["source"], r.get("date") or "", r.get("title") or "",
                    r.get("description") or "", r["label"])
            )  # fmt: skip
    return rows


def feed_name(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", source) + ".xml"


def rss(source: str, rows: list[Row], base: str) -> str:
    """One source's items as RSS 2.0, its language (every service has one) declared."""
    items = []
    for row in rows:
        parts = [f"<title>{escape(row.title)}</title>", f"<link>{base}/a/{row.id}</link>"]
        if row.description:
            parts.append(f"<description>{escape(row.description)}</description>")
        if row.date:
            moment = datetime.fromisoformat(row.date.replace("Z", "+00:00"))
            parts.append(f"<pubDate>{format_datetime(moment)}</pubDate>")
        parts.append(f'<guid isPermaLink="false">{row.id}</guid>')
        items.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(source)}</title><link>{base}/</link>"
        f"<language>{rows[0].lang}</language>" + "\n".join(items) + "</channel></rss>\n"
    )


def write_web(folder: Path, by_source: dict[str, list[Row]], base: str) -> None:
    root = folder / "web" / ADDRESS
    root.mkdir(parents=True)
    for source, rows in by_source.items():
        (root / feed_name(source)).write_text(rss(source, rows, base), encoding="utf-8")


def write_config(folder: Path, by_source: dict[str, list[Row]], base: str) -> Path:
    lines = [
        "[storage]", f'path = "{folder / "crawled.db"}"', "",
        "[crawl]", "download_delay = 0", "concurrent_per_host = 8", "retry_times = 0",
        "max_articles_per_source = 1000", "",
    ]  # fmt: skip
    for source in by_source:
        lines += [
            "[[sources]]",
            f"name = {json.dumps(source)}",
            'kind = "feed"',
            f"url = {json.dumps(f'{base}/{feed_name(source)}')}",
            "",
        ]
    path = folder / "newswatch.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl(config: Path, folder: Path) -> float:
    port = 18_731
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_static_server.py"), str(folder / "web"),
         str(port), ADDRESS],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        run = [sys.executable, "-m", "scheduler", "--config", str(config)]
        subprocess.run([*run, "init"], cwd=ROOT, check=True, capture_output=True)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cycle", "--config", str(config), "--all"],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return time.monotonic() - started
    finally:
        server.terminate()
        server.wait()


def f1_line(name: str, pairs: list[tuple[bool, bool]]) -> str:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if truth and not said)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"  {name:<44} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  ({tp + fn} relevant, {tp + fp} said)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the web and the database")
    args = parser.parse_args(argv)
    if not REAL.is_file():
        print(f"{REAL}: absent; nothing to measure")
        return 0
    rows = read_rows()
    by_source: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_source[row.source].append(row)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="relevance-crawled-", dir=ROOT / "bench" / "out"))
    base = f"http://{ADDRESS}:18731"
    write_web(folder, by_source, base)
    config = write_config(folder, by_source, base)
    seconds = crawl(config, folder)

    db = sqlite3.connect(folder / "crawled.db")
    stored = {
        url.rsplit("/", 1)[-1]: (bool(relevant), lang, problem)
        for url, relevant, lang, problem in db.execute(
            "SELECT url, relevant, lang, page_problem FROM articles WHERE is_seed = 0"
        )
    }
    profile = profile_for(load_config(config).profile)
    direct = {}
    for row in rows:
        lang = identify_language(f"{row.title}\n{row.description}", row.lang)
        score = score_article(profile, row.title or None, row.description or None, lang)
        direct[row.id] = score.relevant

    print(f"real items: {len(rows)} from {len(by_source)} sources, crawled in {seconds:.1f} s")
    print(f"stored: {sum(1 for r in rows if r.id in stored)} of {len(rows)}; page problems: "
          f"{dict(Counter(p for _, _, p in stored.values()))}")  # fmt: skip
    labelled = [r for r in rows if r.label != "unsure" and r.id in stored]
    print(f"\nrelevance on the {len(labelled)} labelled items (in-sample: the model was fitted "
          "on them; relevance_bench.py has the cross-validated figure)")  # fmt: skip
    truth = {r.id: r.label == "relevant" for r in labelled}
    print(f1_line("crawled (stored `relevant`)", [(stored[i][0], t) for i, t in truth.items()]))
    print(
        f1_line(
            "direct (title + description in-process)", [(direct[i], t) for i, t in truth.items()]
        )
    )
    same = sum(1 for r in rows if r.id in stored and stored[r.id][0] == direct[r.id])
    print(f"  agreement, crawled and direct: {same} of {sum(1 for r in rows if r.id in stored)}")
    for r in rows:
        if r.id in stored and stored[r.id][0] != direct[r.id]:
            print(f"    differs: {r.id} {r.lang} crawled={stored[r.id][0]} direct={direct[r.id]} "
                  f"{r.title[:80]!r}")  # fmt: skip

    print("\nstored language = the service's language, per language")
    per: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        if r.id in stored:
            per[r.lang].append(stored[r.id][1] == r.lang)
    for lang in sorted(per):
        hits = per[lang]
        print(f"  {lang}: {sum(hits)}/{len(hits)} = {sum(hits) / len(hits):.3f}")
    if args.keep:
        print(f"\nkept: {folder}")
    else:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
