import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from config import ConfigError, parse_config_text
from scheduler.cli import cli


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def test_init_then_stats_shows_the_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    first = run("init")
    assert first.exit_code == 0, first.output
    assert "seed article: stored as #1" in first.output
    assert (tmp_path / "newswatch.toml").exists()
    second = run("init")
    assert "seed article: already stored as #1" in second.output
    stats = run("stats")
    assert stats.exit_code == 0
    assert "articles:   1" in stats.output
    assert "AzerNews (via MENAFN)" in stats.output
    rows = (
        sqlite3.connect(tmp_path / "newswatch.db")
        .execute("SELECT title, author, is_seed, published_at FROM articles")
        .fetchall()
    )
    assert rows == [
        (
            "Azerbaijan Prioritises Expanding Relations With Central Asian Countries At "
            "Strategic Level",
            "Qabil Ashirov",
            1,
            "2024-04-08T00:00:00Z",
        )
    ]


def test_the_default_config_written_by_init_is_valid_and_lists_real_outlets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    run("init")
    listing = run("sources")
    assert listing.exit_code == 0
    assert "AzerNews" in listing.output and "Eurasianet" in listing.output
    assert "never" in listing.output


def test_search_finds_the_seed_and_reports_bad_queries(config_file: Path) -> None:
    found = run("--config", str(config_file), "search", "Oymasha")
    assert found.exit_code == 0
    assert "Azerbaijan Prioritises" in found.output and "[Oymasha]" in found.output
    missing = run("--config", str(config_file), "search", "nonexistentword")
    assert "no article matches" in missing.output
    bad = run("--config", str(config_file), "search", '"unbalanced')
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output
    assert "not valid" in bad.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[crawl]\ntimeot = 5\n", "[crawl] timeot: unknown key"),
        ("[crawl]\ntimeout = 'soon'\n", "[crawl] timeout: expected a number, got 'soon'"),
        ("[crawl\ntimeout = 5\n", "not valid TOML"),
        ("[digest]\nschedule = 'daily'\n", "schedule: expected a cron expression"),
        ("[digest]\nschedule = '61 7 * * *'\n", "schedule: expected a cron expression"),
        ("sources = 'x'\n", "sources: expected an array of tables"),
        # Outside the sources, the file's error is the whole list's: its bad source too.
        ("[crawl]\ntimeout = 0\n[[sources]]\nname='x'\nkind='rss'\n", "kind: expected one of"),
    ],
)
def test_bad_config_gives_one_clear_message_and_exit_2(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    result = run("--config", str(path), "stats")
    assert result.exit_code == 2
    assert expected in result.output
    assert str(path) in result.output
    assert "Traceback" not in result.output


GOOD_SOURCE = '[[sources]]\nname = "Good"\nkind = "feed"\nurl = "http://good.test/rss"\n'


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("name='x'\nkind='rss'\nurl='http://a.test/'", "#1 ('x') kind: expected one of"),
        ("name='x'\nkind='feed'", "#1 ('x') url: is required"),
        ("name='x'\nkind='feed'\nurl='ftp://a.test/'", "#1 ('x') url: expected an http://"),
        ("name='x'\nkind='feed'\nurl='http://a.test/'\ninterval='soon'", "interval: expected a"),
        ("name='x'\nkind='feed'\nurl='http://a.test/'\nintervall='1h'", "intervall: unknown key"),
        ("name='x'\nkind='site'\nurl='http://a.test/'", "#1 ('x'): follow: is required"),
        ("name=3\nkind='feed'\nurl='http://a.test/'", "#1 name: expected a string, got 3"),
        ("name='Good'\nkind='feed'\nurl='a.test'", "#1 ('Good') url: expected"),
    ],
)
def test_a_bad_source_is_left_out_with_a_warning_and_the_others_load(
    tmp_path: Path, entry: str, expected: str
) -> None:
    path = tmp_path / "newswatch.toml"
    path.write_text(
        f'[storage]\npath = "test.db"\n\n[[sources]]\n{entry}\n\n{GOOD_SOURCE}', encoding="utf-8"
    )
    init = run("--config", str(path), "init")
    assert init.exit_code == 0, init.output
    assert "sources: 1 configured" in init.stdout
    listing = run("--config", str(path), "sources", "--json")
    assert listing.exit_code == 0
    assert [source["name"] for source in json.loads(listing.stdout)] == ["Good"]
    warning = listing.stderr.strip()
    assert warning.startswith(f"warning: {path}: [[sources]] #1")
    assert expected in warning and warning.endswith("left out until that is fixed)")
    assert len(warning.splitlines()) == 1 and "Traceback" not in listing.output


def test_an_edit_of_a_file_with_a_source_left_out_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """Edits find a source by its place among the file's tables: with one left out, the
    places would not match, so the file is left for the person to fix."""
    path = tmp_path / "newswatch.toml"
    text = f'[storage]\npath = "test.db"\n\n[[sources]]\nname="x"\n\n{GOOD_SOURCE}'
    path.write_text(text, encoding="utf-8")
    assert run("--config", str(path), "init").exit_code == 0
    paused = run("--config", str(path), "sources", "pause", "Good")
    assert paused.exit_code != 0
    assert "[[sources]] #1 ('x') kind: is required" in paused.stderr
    assert "Traceback" not in paused.output
    assert path.read_text(encoding="utf-8") == text


def test_duplicate_names_leave_the_later_source_out(tmp_path: Path) -> None:
    text = GOOD_SOURCE + "\n" + GOOD_SOURCE.replace("good.test", "other.test")
    config = parse_config_text(text, "dup.toml")
    assert [s.url for s in config.sources] == ["http://good.test/rss"]
    assert config.warnings == [
        "dup.toml: [[sources]] #2 ('Good'): name 'Good' is used by an earlier source "
        "(this source is left out until that is fixed)"
    ]
    with pytest.raises(ConfigError):
        parse_config_text(text, "dup.toml", strict=True)


def test_every_problem_in_a_config_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[crawl]\ntimeout = -1\nfoo = 1\n[storage]\npath = 3\n", encoding="utf-8")
    result = run("--config", str(path), "stats")
    assert result.exit_code == 2
    for fragment in ("[crawl] timeout", "[crawl] foo", "[storage] path"):
        assert fragment in result.output


def test_missing_config_file_given_by_option_or_env(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = run("--config", str(missing), "stats")
    assert result.exit_code == 2
    assert "not found" in result.output and str(missing) in result.output
    via_env = run("stats", env={"NEWSWATCH_CONFIG": str(missing)})
    assert via_env.exit_code == 2
    assert "NEWSWATCH_CONFIG" in via_env.output


def test_storage_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    config = folder / "nw.toml"
    config.write_text('[storage]\npath = "data.db"\n', encoding="utf-8")
    result = run("--config", str(config), "init")
    assert result.exit_code == 0
    assert (folder / "data.db").exists()
    assert run("--config", str(config), "stats").exit_code == 0


def test_a_command_in_the_wrong_folder_names_what_it_looked_for_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    for command in (["stats"], ["search", "Aktau"], ["crawl"], ["digest", "-o", "-"], ["start"]):
        result = run(*command)
        assert result.exit_code == 1, command
        assert f"no database at {tmp_path / 'newswatch.db'}" in result.output
        assert "built-in defaults, as no newswatch.toml is in" in result.output
        assert "newswatch init" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_reading_command_with_another_config_keeps_the_other_sources_health(
    tmp_path: Path,
) -> None:
    two = tmp_path / "two.toml"
    two.write_text(
        '[storage]\npath = "shared.db"\n'
        '[[sources]]\nname = "A"\nkind = "feed"\nurl = "http://a.test/rss"\n'
        '[[sources]]\nname = "B"\nkind = "feed"\nurl = "http://b.test/rss"\n',
        encoding="utf-8",
    )
    one = tmp_path / "one.toml"
    one.write_text('[storage]\npath = "shared.db"\n', encoding="utf-8")
    assert run("--config", str(two), "init").exit_code == 0
    for command in (["search", "Aktau"], ["stats"], ["sources"], ["explain", "1"]):
        assert run("--config", str(one), *command).exit_code == 0, command
    names = sqlite3.connect(tmp_path / "shared.db").execute("SELECT name FROM sources")
    assert sorted(row[0] for row in names) == ["A", "B"]


def test_unusable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "broken.db").write_bytes(b"not a database at all" * 50)
    config = tmp_path / "nw.toml"
    config.write_text('[storage]\npath = "broken.db"\n', encoding="utf-8")
    result = run("--config", str(config), "stats")
    assert result.exit_code == 1
    assert "broken.db" in result.output
    assert "Traceback" not in result.output


def _all_commands(group: click.Group) -> list[click.Command]:
    return list(group.commands.values())


@pytest.mark.parametrize("command", _all_commands(cli), ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command: click.Command) -> None:
    assert command.help, f"{command.name} has no help text"
    assert "Example" in command.help, f"{command.name}'s help has no example"
    assert run(command.name, "--help").exit_code == 0


def test_stats_counts_per_source(config_file: Path) -> None:
    from storage import Article, Storage

    with Storage.open(config_file.parent / "test.db") as storage:
        storage.articles.add_many(
            [
                Article(
                    url=f"http://a.test/{n}",
                    canonical_url=f"http://a.test/{n}",
                    source="Outlet A",
                    relevant=n % 2 == 0,
                    matched=("x",),
                )
                for n in range(4)
            ]
        )
        # Outlet B carries one of them word for word: stored once, as B's address of it.
        text = "Sappers cleared the Agdam road of mines before the convoy passed. " * 5
        first, verbatim = (
            Article(
                url=url,
                canonical_url=url,
                source=source,
                title="Agdam road cleared",
                text=text,
                relevant=True,
                matched=("x",),
            )
            for url, source in (
                ("http://a.test/agdam", "Outlet A"),
                ("http://b.test/1", "Outlet B"),
            )
        )
        assert storage.articles.add_many([first, verbatim])[1] is None
    result = run("--config", str(config_file), "stats")
    assert "articles:   6" in result.output
    assert "relevant:   4" in result.output  # three of Outlet A's and the seed
    assert "verbatim copies: 1" in result.output
    rows = {
        line.split()[1]: line.split()[2:6]
        for line in result.output.splitlines()
        if line.startswith("Outlet ")
    }
    assert rows == {"A": ["5", "3", "0", "0"], "B": ["0", "0", "0", "1"]}


def test_stored_text_cannot_drive_the_terminal(config_file: Path) -> None:
    """Titles, sources and errors are strangers' text: escape sequences, carriage returns
    and bidi overrides reach the terminal as visible \\uXXXX, never as themselves."""
    from storage import Article, FetchRecord, SourceOutcome, Storage

    hostile = "Caspian \x1b[2J\x1b[31mdrills\x1b[0m \u202eevil\u202c\r\x07 report"
    with Storage.open(config_file.parent / "test.db") as storage:
        storage.articles.add(
            Article(
                url="http://a.test/1",
                canonical_url="http://a.test/1",
                source="Outlet \u202eA",
                title=hostile,
                text=f"{hostile} text about the Caspian drills",
            )
        )
    config_file.write_text(
        config_file.read_text()
        + '\n[[sources]]\nname = "Outlet \u202eA"\nkind = "feed"\nurl = "http://a.test/rss"\n'
    )
    with Storage.open(config_file.parent / "test.db") as storage:
        storage.sources.sync([("Outlet \u202eA", "feed", "http://a.test/rss")])
        storage.sources.record_fetches(
            [FetchRecord("Outlet \u202eA", "http://a.test/rss", "t", "t", "error", hostile)],
            SourceOutcome("Outlet \u202eA", "2026-11-24T07:00:00Z", error=hostile),
            interval=timedelta(hours=1),
        )
    for command in (["search", "drills"], ["stats"], ["sources"]):
        output = run("--config", str(config_file), *command).output
        assert not any(c in output for c in "\x1b\u202e\u202c\r\x07"), (command, output)
        assert "\\u001b" in output or "\\u202e" in output, (command, output)


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Naval exercises near the port", "exercise"),
        ("Учения у мыса Оймаша завершились", "Oymasha"),
        ("Azərbaycan ordusu təlimlər keçirib", "telimler"),
        ("The Tyub-Karagan peninsula drill", "Tyub-Karagan"),
    ],
)
def test_search_meets_words_the_way_relevance_does(
    config_file: Path, stored: str, query: str
) -> None:
    from storage import Article, Storage

    with Storage.open(config_file.parent / "test.db") as storage:
        storage.articles.add(
            Article(
                url="http://a.test/1", canonical_url="http://a.test/1", source="A", title=stored
            )
        )
    found = run("--config", str(config_file), "search", query)
    assert found.exit_code == 0
    assert stored in found.output
    assert stored not in run("--config", str(config_file), "search", f"{query} -{query}").output


def test_search_finds_a_place_in_every_language_and_script(config_file: Path) -> None:
    from config import ProfileConfig
    from relevance import profile_for, score_article
    from storage import Article, Storage

    titles = {
        "en": "Kazakhstan holds naval drills off Aktau",
        "ru": "Казахстан провёл военно-морские учения у Актау",
        "kk": "Қазақстан әскери теңізшілері Ақтау маңында жаттығу өткізді",
        "az": "Qazaxıstan hərbi dənizçiləri Xəzərdə təlim keçirib",
        "ky": "Бишкекте кар жаап, жолдор жабылды",  # snow in Bishkek: not Kazakhstan
    }
    profile = profile_for(ProfileConfig())
    with Storage.open(config_file.parent / "test.db") as storage:
        for number, (lang, title) in enumerate(titles.items()):
            url = f"http://a.test/{number}"
            article_id = storage.articles.add(
                Article(url=url, canonical_url=url, source="A", title=title, lang=lang)
            )
            score = score_article(profile, title, None, lang)
            assert article_id is not None
            storage.articles.update_scores(
                [(article_id, score.relevance, score.relevant, score.matched)]
            )
    found = run("--config", str(config_file), "search", "Kazakhstan").output
    assert [lang for lang, title in titles.items() if title in found] == ["en", "ru", "kk", "az"]
    assert found.index(titles["en"]) < found.index(titles["kk"])  # found by its text: first
    left_out = run("--config", str(config_file), "search", "Kazakhstan -Xəzər").output
    assert titles["az"] not in left_out and titles["kk"] in left_out


def test_an_older_database_gets_search_keys_for_its_articles(tmp_path: Path) -> None:
    from shutil import copyfile

    from storage import Storage

    old = tmp_path / "v1.db"
    copyfile(Path(__file__).parent / "fixtures" / "newswatch-v1.db", old)
    with Storage.open(old) as upgraded:
        missing = upgraded.db.execute(
            "SELECT count(*) FROM articles WHERE search_keys IS NULL"
        ).fetchone()[0]
        titles = [row[0] for row in upgraded.db.execute("SELECT title FROM articles")]
        hits = upgraded.articles.search(titles[0].split()[0])
    assert missing == 0 and hits
