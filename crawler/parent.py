"""A child process that must not outlive the process that started it (Scrapy-free)."""

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def stop_with_parent(what: str) -> None:
    """Linux: have the kernel send us SIGTERM when the process that started us dies, even by
    SIGKILL, so that a killed parent leaves nothing of ours running behind it. `what` names
    this process in the message printed when the parent is already gone."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the request took effect
        sys.exit(f"the process that started this {what} is gone")
