"""A child process that must not outlive the process that started it, and that exits
without tearing itself down (Scrapy-free: the crawl cycle and the page worker use it)."""

import contextlib
import ctypes
import logging
import os
import signal
import sys
from typing import NoReturn

PR_SET_PDEATHSIG = 1


def stop_with_parent(what: str) -> None:
    """Linux: have the kernel send us SIGTERM when the process that started us dies, even by
    SIGKILL, so that a killed parent leaves nothing of ours running behind it. `what` names
    this process in the message printed when the parent is already gone."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the request took effect
        sys.exit(f"the process that started this {what} is gone")


def exit_at_once(code: int) -> NoReturn:
    """Exit without tearing the interpreter down: freeing the objects of the modules loaded
    one by one cost the crawl cycle 0.1 s of CPU (some 800 modules) and the page worker
    50 ms (trafilatura, numpy, the language model), which the cycle waited for. Everything
    the process writes is closed or flushed by then (database, answers, reactor); the logs
    and whatever is still buffered (the summary, a library's prints) are flushed here."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a reader gone: nothing left to tell it
            stream.flush()
    os._exit(code)
