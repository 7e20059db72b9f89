"""Render a sample HTML digest and screenshot it with headless Chromium, to look at it.

Run from the repository root:

    python bench/digest_screenshot.py [--out bench/out]

Writes <out>/digest-sample.html (chart embedded as a data: URI) and, when /usr/bin/chromium
exists, <out>/digest-screenshot.png. The sample: the sixty invented stories of
tests/test_digest_look.py (six countries, four languages, nine weeks), or with --fixtures the
digest tests' own (copies, a followed story, sources in error).
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import _chromium as chromium  # noqa: E402  (bench/ is the script's folder)
from digest_fixtures import (  # noqa: E402
    LOOK_START,
    LOOK_STORIES,
    LOOK_UNTIL,
    NOW,
    fill,
    look_story,
    make_config,
)

from digest import run_digest  # noqa: E402
from storage import Storage  # noqa: E402


def render_sample(out: Path, fixtures: bool = False) -> Path:
    target = out / "digest-sample.html"
    with tempfile.TemporaryDirectory() as scratch:
        config = make_config(Path(scratch))
        with Storage.open(config.storage.path) as storage:
            if fixtures:
                fill(storage, config)
                run_digest(config, storage, NOW, formats=["html"], output=target, dry_run=True)
                return target
            storage.prepare(config)
            for n in range(LOOK_STORIES):
                storage.articles.add(look_story(n))
            run_digest(
                config,
                storage,
                LOOK_UNTIL,
                since=LOOK_START,
                formats=["html"],
                output=target,
                dry_run=True,
            )
    return target


def screenshot(page: Path, png: Path, width: int = 1000, height: int = 1600) -> bool:
    return chromium.available() and chromium.screenshot(page.resolve().as_uri(), png, width, height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--fixtures", action="store_true", help="the digest tests' sample")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    page = render_sample(args.out, args.fixtures)
    print(f"wrote {page}")
    png = args.out / "digest-screenshot.png"
    if screenshot(page, png, height=args.height):
        print(f"wrote {png}")


if __name__ == "__main__":
    main()
