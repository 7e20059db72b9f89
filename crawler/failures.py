"""One short, actionable line for each way a fetch can fail."""

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure


def describe_failure(failure: Failure, timeout: float, max_bytes: int) -> str:
    """Turn a download failure into the cause a person reads in `newswatch sources`."""
    error = failure.value
    text = str(error)
    if isinstance(error, (DownloadTimeoutError, TwistedTimeoutError)):
        return f"timeout after {timeout:g} s"
    if isinstance(error, DownloadCancelledError) and "max size" in text:
        return f"response exceeded {max_bytes} bytes"
    if isinstance(error, ResponseDataLossError):
        return "connection closed before the response was complete"
    if isinstance(error, CannotResolveHostError):
        return "host name could not be resolved (DNS)"
    if isinstance(error, DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(error, UnsupportedURLSchemeError):
        return "URL scheme not allowed (only http and https)"
    if isinstance(error, IgnoreRequest):
        if "robots.txt" in text:
            return "blocked by robots.txt"
        if "redirect" in text:
            return "too many redirects"
        return text or "request dropped"
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def describe_status(status: int) -> str:
    return f"HTTP {status}"
