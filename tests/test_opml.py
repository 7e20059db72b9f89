"""OPML import and export: another reader's file (miniflux's layout, with folders) imports,
and newswatch's own export re-imports to the same sources."""

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from click.testing import CliRunner, Result

from config import load_config
from scheduler.cli import cli
from tests.crawling import write_config

MINIFLUX = Path(__file__).parent / "opml" / "miniflux.opml"


def newswatch(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_a_miniflux_export_with_folders_imports(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "newswatch.toml",
        [{"name": "Herald", "kind": "feed", "url": "http://caspianherald.test/rss.xml"}],
    )
    result = newswatch(config, "sources", "import", str(MINIFLUX))
    assert result.exit_code == 0, result.output
    assert "imported 5 sources (5 feed)" in result.output
    assert "left out http://caspianherald.test/rss.xml: already configured as 'Herald'" in (
        result.output
    )
    assert "left out gopher://old.test/feed: url: expected an http:// or https:// URL" in (
        result.output
    )
    sources = {s.name: s for s in load_config(config).sources}
    assert sources["Shirvan Post"].tags == ("Caucasus",)
    assert sources["Shirvan Post"].url == "http://shirvanpost.test/rss.xml"
    # The same title again gets a number; the entity in the URL is decoded.
    assert sources["Shirvan Post (2)"].url == "http://shirvanpost.test/central-asia/rss.xml"
    assert sources["Shirvan Post (2)"].tags == ("Central Asia",)
    assert sources["Lankaran Wire"].url == (
        "http://lankaranwire.test/feed.xml?lang=en&section=defense"
    )
    assert sources["Степной вестник"].kind == "feed"
    assert sources["ganjacourier.test"].tags == ("Central Asia",)  # no title: the host
    # Importing again adds nothing.
    again = newswatch(config, "sources", "import", str(MINIFLUX))
    assert "imported 0 sources" in again.output
    assert len(load_config(config).sources) == 6


def test_an_export_is_opml_2_and_reimports_to_the_same_sources(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "newswatch.toml",
        [
            {"name": "A & B", "kind": "feed", "url": "http://ab.test/rss?x=1&y=2",
             "interval": "2h", "tags": ["Caucasus", "Defense"]},
            {"name": "Daily", "kind": "sitemap", "url": "http://daily.test/robots.txt",
             "paused": True},
            {"name": "Valley", "kind": "site", "url": "http://valley.test/",
             "follow": ["/story/\\d+", "/news/"], "max_pages": 2, "tags": ["Caucasus"]},
            {"name": "Кириллица", "kind": "feed", "url": "http://cyr.test/feed"},
        ],
    )  # fmt: skip
    exported = newswatch(config, "sources", "export")
    assert exported.exit_code == 0
    document = ElementTree.fromstring(exported.stdout_bytes)
    assert document.tag == "opml" and document.get("version") == "2.0"
    assert document.findtext("head/title") == "newswatch sources"
    assert document.findtext("head/dateCreated")
    outlines = [o for o in document.iter("outline") if o.get("xmlUrl")]
    assert {o.get("text") for o in outlines} == {"A & B", "Daily", "Valley", "Кириллица"}
    assert all(o.get("type") == "rss" and o.get("title") for o in outlines)
    folder = document.find("body/outline[@text='Caucasus']")
    assert folder is not None and [o.get("text") for o in folder] == ["A & B", "Valley"]

    opml_file = tmp_path / "sources.opml"
    written = newswatch(config, "sources", "export", "--output", str(opml_file))
    assert written.exit_code == 0 and "wrote 4 sources" in written.output
    from_file = ElementTree.parse(opml_file).getroot()
    assert [o.attrib for o in from_file.iter("outline")] == [
        o.attrib for o in document.iter("outline")
    ]
    fresh = tmp_path / "fresh.toml"
    fresh.write_text('[storage]\npath = "fresh.db"\n', encoding="utf-8")
    imported = newswatch(fresh, "sources", "import", str(opml_file))
    assert imported.exit_code == 0, imported.output
    assert "imported 4 sources (2 feed, 1 site, 1 sitemap)" in imported.output
    original = {s.name: s for s in load_config(config).sources}
    again = {s.name: s for s in load_config(fresh).sources}
    assert again == original


def test_feeds_only_leaves_out_sitemaps_and_sites(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "newswatch.toml",
        [
            {"name": "Feed", "kind": "feed", "url": "http://feed.test/rss"},
            {"name": "Map", "kind": "sitemap", "url": "http://map.test/sitemap.xml"},
        ],
    )
    exported = newswatch(config, "sources", "export", "--feeds-only")
    texts = [o.get("text") for o in ElementTree.fromstring(exported.stdout_bytes).iter("outline")]
    assert texts == ["Feed"]


def test_a_file_that_is_no_opml_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    config = write_config(tmp_path / "newswatch.toml", [])
    before = config.read_text(encoding="utf-8")
    for name, content in [
        ("page.opml", b"<html><body><p>not a subscription list</p></body></html>"),
        ("empty.opml", b""),
        ("binary.opml", bytes(range(256)) * 4),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        result = newswatch(config, "sources", "import", str(path))
        assert result.exit_code == 1, (name, result.output)
        assert str(path) in result.output and "Traceback" not in result.output
    assert config.read_text(encoding="utf-8") == before


def test_a_broken_opml_with_feeds_imports_what_it_can(tmp_path: Path) -> None:
    config = write_config(tmp_path / "newswatch.toml", [])
    broken = MINIFLUX.read_bytes().replace(b"</body>", b"").replace(b"&amp;", b"&")
    path = tmp_path / "broken.opml"
    path.write_bytes(broken)
    result = newswatch(config, "sources", "import", str(path))
    assert result.exit_code == 0, result.output
    assert len(load_config(config).sources) == 6
    assert load_config(config).source("Shirvan Post").tags == ("Caucasus",)
