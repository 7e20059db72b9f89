"""URL rules: which links may be fetched, and the canonical form an article is stored under."""

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

ALLOWED_SCHEMES = ("http", "https")

# Query parameters that only track the reader; the same article with or without them is one.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref_src",
        "cmpid",
        "ocid",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")


def is_fetchable(url: str) -> bool:
    """Only absolute http(s) URLs with a host are ever requested."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


def absolute_url(base: str, link: str) -> str:
    """Resolve a possibly relative link against the page or feed it came from."""
    return urljoin(base, link.strip())


def refusal_reason(url: str) -> str:
    """Why a link is not fetched, for the log."""
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme and scheme not in ALLOWED_SCHEMES:
        return f"scheme {scheme!r} is not http(s)"
    return "not an absolute http(s) URL"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form an article URL is stored under.

    Lowercase scheme and host, no default port, no fragment, no tracking parameters, and no
    empty path; other query parameters keep their order (some sites route by them).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, host, parts.path or "/", query, ""))
