"""sqlite-utils, loaded with numpy and pandas hidden: the storage modules import its names
from here, never from sqlite_utils itself.

sqlite-utils imports pandas and numpy, where installed, only to map their scalar types to
column types when it makes a column from a value. newswatch's migrations make its tables and
it stores Python values, so neither is needed there, and a process that needs neither
(a crawl cycle whose every source answers 304) no longer pays 0.15 s of CPU importing numpy.
"""

import sys

_HIDDEN = ("numpy", "pandas")


def _import_without(hidden: tuple[str, ...]) -> None:
    loaded = {name: sys.modules.get(name) for name in hidden}
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # None: importing it fails
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name, module in loaded.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


_import_without(_HIDDEN)

# isort: split
from sqlite_utils import Database  # noqa: E402  (after the import above)
from sqlite_utils.db import Table  # noqa: E402
from sqlite_utils.migrations import Migrations  # noqa: E402

__all__ = ["Database", "Migrations", "Table"]
