"""The baseline: a sequential crawl loop as anyone would write it in an afternoon.

    python bench/crawl_loop.py DATABASE FEED_URL…

For each feed in turn: download it (urllib), parse it (feedparser), and for each entry whose
link is not stored yet, download the page, extract its text (trafilatura.extract) and insert
a row (sqlite3; one transaction per feed). One request at a time, no politeness, no checks.
Prints a JSON line: feeds read, pages fetched, rows stored.
"""

import json
import sqlite3
import sys
import urllib.request

import feedparser
import trafilatura


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def main() -> None:
    database, feeds = sys.argv[1], sys.argv[2:]
    db = sqlite3.connect(database)
    db.execute(
        "CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, url TEXT UNIQUE, "
        "feed TEXT, title TEXT, published TEXT, text TEXT)"
    )
    pages = 0
    for feed in feeds:
        parsed = feedparser.parse(fetch(feed))
        with db:
            for entry in parsed.entries:
                url = entry.get("link")
                if not url or db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone():
                    continue
                html = fetch(url)
                pages += 1
                text = trafilatura.extract(html, url=url)
                db.execute(
                    "INSERT INTO articles (url, feed, title, published, text) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [url, feed, entry.get("title"), entry.get("published"), text],
                )
    stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(json.dumps({"feeds": len(feeds), "pages": pages, "stored": stored}))


if __name__ == "__main__":
    main()
