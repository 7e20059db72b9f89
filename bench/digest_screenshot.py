"""Render a sample HTML digest and screenshot it with headless Chromium, to look at it.

Run from the repository root:

    python bench/digest_screenshot.py [--out bench/out]

Writes <out>/digest-sample.html (chart embedded as a data: URI) and, when /usr/bin/chromium
exists, <out>/digest-screenshot.png. The sample data are the test fixtures.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import _chromium as chromium  # noqa: E402  (bench/ is the script's folder)
from digest_fixtures import NOW, fill, make_config  # noqa: E402

from digest import run_digest  # noqa: E402
from storage import Storage  # noqa: E402


def render_sample(out: Path) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        config = make_config(Path(scratch))
        with Storage.open(config.storage.path) as storage:
            fill(storage, config)
            target = out / "digest-sample.html"
            run_digest(config, storage, NOW, formats=["html"], output=target, dry_run=True)
    return target


def screenshot(page: Path, png: Path, width: int = 1000, height: int = 1600) -> bool:
    return chromium.available() and chromium.screenshot(page.resolve().as_uri(), png, width, height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    page = render_sample(args.out)
    print(f"wrote {page}")
    png = args.out / "digest-screenshot.png"
    if screenshot(page, png, height=args.height):
        print(f"wrote {png}")


if __name__ == "__main__":
    main()
