"""`newswatch rescore` and `newswatch explain` on a real database."""

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import cli
from storage import Article, Storage

DRILL = (
    "Azerbaijan and Kazakhstan hold joint naval exercise in the Caspian",
    "The navies of Azerbaijan and Kazakhstan began a joint exercise near Aktau, the defence "
    "ministries said, with warships practising air defence and mine clearance.",
)
CONCERT = (
    "Baku jazz festival opens with a sold-out concert",
    "The annual jazz festival in Baku opened on Friday with a sold-out concert by a local "
    "quartet, the organisers said.",
)


def config(folder: Path, threshold: float) -> Path:
    path = folder / f"nw-{threshold}.toml"
    path.write_text(f'[storage]\npath = "nw.db"\n[profile]\nthreshold = {threshold}\n')
    return path


def store_unscored(folder: Path) -> dict[str, int]:
    with Storage.open(folder / "nw.db") as storage:
        ids = storage.articles.add_many(
            Article(
                url=f"http://a.test/{n}",
                canonical_url=f"http://a.test/{n}",
                source="Outlet",
                title=title,
                text=text,
                lang="en",
            )
            for n, (title, text) in enumerate((DRILL, CONCERT))
        )
    return {"drill": ids[0], "concert": ids[1]}


def scores(folder: Path) -> dict[int, tuple[float, int]]:
    db = sqlite3.connect(folder / "nw.db")
    try:
        rows = db.execute("SELECT id, relevance, relevant FROM articles WHERE is_seed = 0")
        return {row[0]: (row[1], row[2]) for row in rows}
    finally:
        db.close()


def test_rescore_scores_stored_articles_and_reports_flips(tmp_path: Path) -> None:
    ids = store_unscored(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path, 0.5)), "rescore"])
    assert result.exit_code == 0, result.output
    assert "rescored 2 articles: 1 became relevant, 0 no longer relevant" in result.output
    after = scores(tmp_path)
    assert after[ids["drill"]][1] == 1 and after[ids["concert"]][1] == 0
    strict = CliRunner().invoke(cli, ["--config", str(config(tmp_path, 0.9999)), "rescore"])
    assert "0 became relevant, 1 no longer relevant" in strict.output
    assert scores(tmp_path)[ids["drill"]][1] == 0


def test_explain_names_the_terms_and_the_seed_similarity(tmp_path: Path) -> None:
    ids = store_unscored(tmp_path)
    result = CliRunner().invoke(
        cli, ["--config", str(config(tmp_path, 0.5)), "explain", str(ids["drill"])]
    )
    assert result.exit_code == 0, result.output
    assert "RELEVANT" in result.output
    assert "Aktau" in result.output and "seed similarity" in result.output
    missing = CliRunner().invoke(cli, ["--config", str(config(tmp_path, 0.5)), "explain", "999"])
    assert missing.exit_code == 1 and "no article #999" in missing.output


def test_a_missing_reference_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "nw.toml"
    path.write_text('[storage]\npath = "nw.db"\n[profile]\nreferences = ["gone.txt"]\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "rescore"])
    assert result.exit_code == 2  # a configuration problem
    assert "gone.txt" in result.output and "Traceback" not in result.output


def test_rescore_with_a_broken_profile_is_a_configuration_problem(tmp_path: Path) -> None:
    ids = store_unscored(tmp_path)
    (tmp_path / "mine.toml").write_text("[places\n", encoding="utf-8")  # not TOML
    path = tmp_path / "broken.toml"
    path.write_text('[storage]\npath = "nw.db"\n[profile]\nfile = "mine.toml"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "rescore"])
    assert result.exit_code == 2, result.output  # as every configuration problem
    assert "relevance profile is not usable" in result.output and "mine.toml" in result.output
    assert scores(tmp_path)[ids["drill"]] == (None, 0)  # nothing scored with half a profile
