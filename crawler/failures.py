"""One short, actionable line for each way a fetch can fail."""

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawler.guard import RefusedDestination, refusal_for
from crawler.urls import ALLOWED_SCHEMES

# SQLite's own words for faults of this machine, and what a person can do about them. Such a
# fault says nothing about the source: it is not backed off for it.
LOCAL_FAULTS = {
    "database or disk is full": "database or disk is full",
    "disk i/o error": "disk read or write error",
    "database is locked": "database is locked by another program",
    "unable to open database file": "cannot open the database file (missing folder, "
    "permissions or a full disk?)",
    "readonly database": "the database is read-only (permissions?)",
}


def is_refusal(cause: str | None) -> bool:
    """Whether a page's cause says newswatch refused to fetch it (an internal address, a
    bad link), rather than that fetching it failed."""
    if not cause:
        return False
    return cause.startswith("refused") or " refused: " in cause


def describe_failure(failure: Failure, timeout: float, max_bytes: int) -> str:
    """Turn a download failure into the cause a person reads in `newswatch sources`."""
    return describe_error(failure.value, getattr(failure, "request", None), timeout, max_bytes)


def describe_error(
    error: BaseException | None, request: Request | None, timeout: float, max_bytes: int
) -> str:
    """The cause of a request's failure, from the error it raised."""
    text = str(error)
    if isinstance(error, RefusedDestination):
        return text
    if isinstance(error, (DownloadTimeoutError, TwistedTimeoutError)):
        return f"timeout after {timeout:g} s"
    if isinstance(error, DownloadCancelledError) and "max size" in text:
        return f"page too large (more than {max_bytes:,} bytes)"
    if isinstance(error, DownloadCancelledError):
        return "download cancelled"
    if isinstance(error, ResponseDataLossError):
        return "connection closed before the response was complete"
    if isinstance(error, CannotResolveHostError):
        refused = refusal_for(request.url) if request is not None else None
        host = urlsplit(request.url).hostname if request is not None else None
        unresolved = f"host name {host} could not be resolved (DNS)" if host else None
        return refused or unresolved or "host name could not be resolved (DNS)"
    if isinstance(error, DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(error, UnsupportedURLSchemeError):
        return "URL scheme not allowed (only http and https)"
    if isinstance(error, HttpError):
        return describe_response(error.response)
    if isinstance(error, IgnoreRequest):
        return _ignored(text, max_bytes)
    if isinstance(error, ValueError) and "port" in text.lower():
        return "malformed address (port out of range)"
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def _ignored(text: str, max_bytes: int) -> str:
    if "robots.txt" in text:
        return "blocked by robots.txt"
    if "redirect" in text:
        return "too many redirects"
    if "decompression" in text:
        return f"page too large once decompressed (more than {max_bytes:,} bytes)"
    return text or "request dropped"


def describe_response(response: object) -> str:
    """A response the spider cannot use: its status, or a refused redirect."""
    status = getattr(response, "status", 0)
    if 300 <= status < 400:
        headers = getattr(response, "headers", {})
        location = (headers.get("Location") or b"").decode("latin-1").strip()
        scheme = location.partition(":")[0].lower() if ":" in location else ""
        if location and scheme and scheme not in ALLOWED_SCHEMES and "/" not in scheme:
            return "redirect to a non-http address refused"
        return f"HTTP {status} redirect not followed"
    return describe_status(status)


def describe_status(status: int) -> str:
    return f"HTTP {status}"


def describe_storage_error(message: str) -> str:
    """A storage failure during a crawl, said as the local fault it is."""
    lowered = message.lower()
    for known, plain in LOCAL_FAULTS.items():
        if known in lowered:
            return f"{plain} (local fault; the source was not backed off)"
    return f"{message} (local fault; the source was not backed off)"
