"""The house rules, checked: which package may import which, no import circles, SQL only in
storage/, cheap configuration, and each registry tied to its implementations."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "textkeys", "storage", "relevance", "crawler", "digest", "scheduler")
# Which of our packages each package may import (dependencies point down).
MAY_IMPORT = {
    "config": {"config"},
    "textkeys": {"textkeys"},
    "storage": {"storage", "textkeys", "config"},
    "relevance": {"relevance", "storage", "textkeys", "config"},
    "crawler": {"crawler", "relevance", "storage", "textkeys", "config"},
    "digest": {"digest", "relevance", "storage", "textkeys", "config"},
    "scheduler": {"scheduler", "crawler", "digest", "relevance", "storage", "textkeys", "config"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """Modules imported when the module is imported: top-level statements, including those
    under try/if, not those inside functions or under `if TYPE_CHECKING`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = module_name(path) if path.name == "__init__.py" else package
                    for _ in range(node.level - 1):
                        anchor = anchor.rsplit(".", 1)[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    # "from package import module" imports the module; else the names
                    # come from `base` itself.
                    submodule = f"{base}.{alias.name}"
                    found.add(
                        submodule
                        if (REPO / submodule.replace(".", "/")).with_suffix(".py").exists()
                        else base
                    )
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return found


def source_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))]


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in source_files()}
    graph = {}
    for name, path in modules.items():
        graph[name] = {imported for imported in top_level_imports(path) if imported in modules}
    return graph


def test_packages_import_only_the_floors_below_them() -> None:
    wrong = []
    for name, imported in import_graph().items():
        package = name.split(".")[0]
        for target in imported:
            if target.split(".")[0] not in MAY_IMPORT[package]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_circle() -> None:
    graph = import_graph()
    circles: list[list[str]] = []
    finished: set[str] = set()

    def walk(trail: list[str]) -> None:
        for target in sorted(graph[trail[-1]]):
            if target in trail:
                circles.append([*trail[trail.index(target) :], target])
            elif target not in finished:
                walk([*trail, target])
        finished.add(trail[-1])

    for start in sorted(graph):
        if start not in finished:
            walk([start])
    assert circles == []


SQL = re.compile(
    r"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX|VIRTUAL)|PRAGMA\s+\w+)",
    re.IGNORECASE,
)


def test_no_sql_outside_storage() -> None:
    offenders = []
    for path in source_files():
        if module_name(path).startswith("storage"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and SQL.search(node.value):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return {line.split(".")[0] for line in result.stdout.split()}


def test_reading_the_configuration_loads_no_heavy_module() -> None:
    loaded = imported_after("import config; config.load_config()")
    assert loaded & {"numpy", "datasketch", "sqlite_utils", "scrapy", "twisted", "storage"} == set()


@pytest.mark.parametrize("module", ["scheduler.cli", "scheduler.daemon", "scheduler.jobs"])
def test_the_scheduler_never_imports_scrapy(module: str) -> None:
    loaded = imported_after(f"import {module}")
    assert "scrapy" not in loaded and "twisted" not in loaded


def test_the_cli_imports_no_command_module_it_does_not_run() -> None:
    # `newswatch crawl` and `newswatch --help` must not pay for the daemon, digest or stories.
    loaded = imported_after("import scheduler.cli")
    assert loaded & {"apscheduler", "jinja2", "digest", "relevance", "datasette"} == set()
    # Nor for tables it prints only at the end (tabulate: 23 ms before the cycle starts).
    assert "tabulate" not in loaded


def test_the_cli_opens_storage_only_when_a_command_needs_the_database() -> None:
    # `newswatch crawl` only starts a crawl child: sqlite-utils and numpy cost it ~0.25 s.
    loaded = imported_after("import scheduler.cli")
    assert loaded & {"storage", "sqlite_utils", "numpy"} == set()


def test_relevance_imports_no_scrapy() -> None:
    assert "scrapy" not in imported_after("import relevance")


def test_every_source_kind_has_a_spider_of_that_kind() -> None:
    from config import SOURCE_KINDS
    from crawler.cycle import SPIDERS

    assert set(SPIDERS) == set(SOURCE_KINDS)
    assert all(spider.kind == kind == spider.name for kind, spider in SPIDERS.items())


def test_every_digest_format_has_a_renderer() -> None:
    from config import DIGEST_FORMATS
    from digest.render import RENDERERS

    assert set(RENDERERS) == set(DIGEST_FORMATS)
