"""Screenshots of a page in headless Chromium (Debian's package: apt-get install chromium)."""

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium reaches for Google's hosts at every start,
# and a machine with a closed network refuses it, many times over.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def available() -> bool:
    if CHROMIUM.exists():
        return True
    print(f"{CHROMIUM} not found: screenshots skipped (apt-get install chromium)")
    return False


def screenshot(url: str, png: Path, width: int = 1280, height: int = 1100) -> bool:
    """Write a PNG of `url` (http:// or file://); True when it was written."""
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    try:
        subprocess.run(
            [
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return png.exists()
