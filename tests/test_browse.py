"""`newswatch browse`: a real Datasette process on a free loopback port, read over HTTP
while a writer keeps writing to the same database file."""

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from storage import Article, Storage
from tests.crawling import REPO

WRITES = 100  # articles the writer stores, one transaction each, while pages are read


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def article(number: int, source: str = "Caspian Herald") -> Article:
    return Article(
        url=f"http://herald.test/{number}",
        canonical_url=f"http://herald.test/{number}",
        source=source,
        title=f"Drill number {number} off Aktau",
        text=f"Report {number}: naval units rehearsed mine clearance near Aktau, Kazakhstan.",
        lang="en" if number % 2 else "ru",
        relevance=0.8,
        relevant=True,
        matched=("place:Aktau", "place:Kazakhstan", "defense:exercise"),
    )


@pytest.fixture
def served(config_file: Path) -> Iterator[str]:
    """`newswatch browse` running as its own process; yields the database's base URL."""
    with Storage.open_configured(_config(config_file)) as storage:
        storage.articles.add_many([article(n) for n in range(3)])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "--config", str(config_file), "browse", "--port",
         str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(base + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"browse did not start: {process.communicate()[0]}")
            time.sleep(0.2)
        yield f"{base}/test"
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
        assert "database is locked" not in output and "Traceback" not in output, output


def _config(config_file: Path):
    from config import load_config

    return load_config(config_file)


def test_browse_serves_the_live_database_while_it_is_written(
    served: str, config_file: Path
) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with Storage.open(config_file.parent / "test.db") as storage:
                for number in range(100, 100 + WRITES):
                    storage.articles.add(article(number, source="Steppe Wire"))
                    time.sleep(0.02)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    pages = [
        "",
        "/articles",
        "/articles?_search=Aktau",
        "/articles.json?_facet=source&_facet=lang&_facet=relevant",
        "/todays_relevant_coverage",
        "/sources_in_error",
        "/articles_per_week_per_country.json?_shape=objects",
        "/articles/1",
    ]
    rounds = rounds_while_writing = 0
    while writer.is_alive() or rounds < 2:
        writing = writer.is_alive()
        for page in pages:
            status, body = get(served + page)
            assert status == 200, (page, body[:500])
            assert "database is locked" not in body, page
        rounds += 1
        rounds_while_writing += writing and writer.is_alive()
    writer.join()
    assert rounds_while_writing >= 2  # the reads did overlap the writes
    assert errors == []
    # What the writer stored is there on the next page load.
    status, body = get(served + "/todays_relevant_coverage.json?_shape=objects")
    titles = {row["title"] for row in json.loads(body)["rows"]}
    assert status == 200 and f"Drill number {100 + WRITES - 1} off Aktau" in titles
    assert len(titles) == 3 + WRITES  # the seed, first seen today too, is no coverage


def test_browse_ships_descriptions_facets_search_and_queries(served: str) -> None:
    status, page = get(served + "/articles")
    assert status == 200
    assert "A syndicated copy on another outlet is its own row" in page  # table description
    assert 'name="_search"' in page  # full-text search box
    facets = json.loads(get(served + "/articles.json")[1])["facet_results"]
    assert {"source", "lang", "relevant"} <= set(facets)
    root = served.rsplit("/", 1)[0]
    columns = json.loads(get(root + "/-/metadata.json")[1])["databases"]["test"]["tables"]
    assert "first_seen_at" in columns["articles"]["columns"]
    found = json.loads(get(served + "/articles.json?_search=" + quote("Oymasha"))[1])
    assert [row[0] for row in found["rows"]] == [1]  # the seed
    weeks = json.loads(get(served + "/articles_per_week_per_country.json?_shape=objects")[1])
    kazakhstan = [row for row in weeks["rows"] if row["country"] == "Kazakhstan"]
    assert kazakhstan and kazakhstan[0]["articles"] >= 3
    assert kazakhstan[0]["week"] <= time.strftime("%Y-%m-%d", time.gmtime())
    timeline = json.loads(get(served + "/story_timeline.json?_shape=objects&story=")[1])
    assert timeline["rows"][0]["title"].startswith("Azerbaijan Prioritises")  # the seed's thread
    assert timeline["rows"][0]["outlet_names"] == "AzerNews (via MENAFN)"
    tables = json.loads(get(served + ".json")[1])["tables"]
    hidden = {table["name"] for table in tables if table["hidden"]}
    assert {"article_bands", "article_fingerprints", "articles_fts", "story_keys"} <= hidden
    assert "articles" not in hidden and "sources" not in hidden


def test_browse_cannot_write(config_file: Path) -> None:
    from scheduler.browse_server import make_datasette

    path = config_file.parent / "test.db"
    with Storage.open_configured(_config(config_file)):
        pass
    datasette = make_datasette(path)
    database = datasette.get_database("test")
    with pytest.raises(sqlite3.OperationalError, match="read-only"):
        asyncio.run(database.execute_write("DELETE FROM articles"))
    rows = asyncio.run(database.execute("SELECT count(*) FROM articles")).rows
    assert rows[0][0] == 1
    reader = database.connect()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("DELETE FROM articles")
    reader.close()


def test_browse_says_when_the_port_is_taken(config_file: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["--config", str(config_file), "browse", "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"port {port} is in use" in result.output and "--port" in result.output
