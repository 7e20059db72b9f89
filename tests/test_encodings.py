"""Feeds whose declared encoding is wrong, yet decodes without an error (single-byte
encodings read any bytes): read in the encoding the text supports, and said so."""

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.documents import decode_document
from scheduler.cli import cli
from tests.crawling import init_database, run_cycle, write_config
from tests.outlets.articles import CP1251_DAILY, CYRILLIC_DAILY, FixtureArticle
from tests.outlets.server import OutletServer, Reply, rss_feed

ARTICLES = (*CYRILLIC_DAILY, *CP1251_DAILY)


def feed_text(declared: str, articles: tuple[FixtureArticle, ...] = ARTICLES) -> str:
    items = [
        {
            "title": article.title,
            "link": f"http://outlet.test/{article.slug}.html",
            "description": " ".join(article.paragraphs),
        }
        for article in articles
    ]
    return rss_feed("Кириллица и мы", items, encoding=declared)


@pytest.mark.parametrize(
    ("written_in", "declared"),
    [("koi8-r", "windows-1251"), ("cp1251", "iso-8859-1"), ("cp1251", "koi8-r")],
)
def test_a_wrong_single_byte_declaration_is_read_as_the_text_shows(
    written_in: str, declared: str
) -> None:
    text = feed_text(declared)
    decoded = decode_document(text.encode(written_in), f"application/rss+xml; charset={declared}")
    assert decoded.text == text
    assert decoded.misdeclared is not None and "but reads as" in decoded.misdeclared


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (feed_text("windows-1251"), "cp1251"),
        (feed_text("koi8-r"), "koi8-r"),
        # Latin-script feeds with a few accented letters, each in its own right encoding.
        (
            rss_feed(
                "Le Monde",
                [{"title": "Défense: l'été des exercices à Bakou", "link": "x"}],
                "windows-1252",
            ),
            "cp1252",
        ),
        (
            rss_feed(
                "Zeitung",
                [{"title": "Übung der Marine im Kaspischen Meer", "link": "x"}],
                "iso-8859-1",
            ),
            "iso8859-1",
        ),
        (
            rss_feed(
                "Haber",
                [{"title": "Türkiye ve Azerbaycan ortak tatbikat başlattı", "link": "x"}],
                "windows-1254",
            ),
            "cp1254",
        ),
    ],
)
def test_a_right_single_byte_declaration_is_kept(text: str, encoding: str) -> None:
    decoded = decode_document(text.encode(encoding))
    assert decoded.text == text and decoded.misdeclared is None


def test_a_misdeclared_feed_is_stored_readable_and_scored_as_its_twin(tmp_path: Path) -> None:
    """koi8-r bytes declared windows-1251 in the XML and the header: before, stored as
    "лЙТЙММЙГБ"-mojibake with relevance near 0. Its pages answer 404, so the feed's own text
    is what is stored; its twin is the same feed in UTF-8, crawled into another database."""
    stored = {}
    with OutletServer() as server:
        for name, written_in, declared in (
            ("twin", "utf-8", "utf-8"),
            ("koi8", "koi8-r", "windows-1251"),
        ):
            body = feed_text(declared, CYRILLIC_DAILY[:1]).encode(written_in)
            server.web.routes[f"/{name}/rss.xml"] = lambda body=body, declared=declared: Reply(
                200, body, f"application/rss+xml; charset={declared}"
            )
            feed = {"name": "Feed", "kind": "feed", "url": server.url(f"/{name}/rss.xml")}
            (tmp_path / name).mkdir()
            config = write_config(tmp_path / name / "nw.toml", [feed])
            init_database(config)
            run = run_cycle(config, "--all")
            assert run.returncode == 0, run.stderr[-3000:]
            db = sqlite3.connect(tmp_path / name / "crawl.db")
            stored[name] = db.execute(
                "SELECT title, text, lang, relevant FROM articles WHERE source = 'Feed'"
            ).fetchall()
    assert f"feed {server.url('/koi8/rss.xml')}: declares cp1251 but reads as koi8-r" in run.stderr
    assert stored["koi8"] == stored["twin"]
    (title, _text, lang, relevant), *_ = stored["koi8"]
    assert (title, lang, relevant) == (CYRILLIC_DAILY[0].title, "ru", 1)


def test_sources_add_shows_and_names_a_misdeclared_feed_by_its_real_title(tmp_path: Path) -> None:
    with OutletServer() as server:
        body = feed_text("utf-8").encode("cp1251")  # cp1251 bytes declared UTF-8
        server.web.routes["/old/rss.xml"] = lambda: Reply(200, body, "application/rss+xml")
        config = write_config(tmp_path / "nw.toml", [])
        init_database(config)
        result = CliRunner().invoke(
            cli, ["--config", str(config), "sources", "add", server.url("/old/rss.xml")]
        )
    assert result.exit_code == 0, result.output
    assert 'found: RSS 2.0 "Кириллица и мы"' in result.output
    assert 'name = "Кириллица и мы"' in config.read_text(encoding="utf-8")
