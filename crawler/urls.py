"""URL rules: which links may be fetched, and the canonical form an article is stored under."""

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from storage.neardup import outlet_of

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
        "twclid",
        "ttclid",
        "wbraid",
        "gbraid",
        "_hsenc",
        "_hsmi",
        "__twitter_impression",
        "at_medium",
        "at_campaign",
    }
)
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
# Not courlan's tracker list: it also drops "cid", "source" and "uid", which some news sites
# use to say which article a page is (/view.php?cid=123), and would fold distinct articles.

# Last path segments that name a directory's default page.
INDEX_PAGES = frozenset(
    {"index.html", "index.htm", "index.php", "index.shtml", "index.asp", "default.aspx"}
)


# Longer links are not article addresses (browsers and servers cut around 2,000-8,000).
MAX_URL_LENGTH = 2048
# Characters that never belong in a link as given (controls, spaces, bidi and zero-width
# marks that make an address read as another); a link containing one is refused, not fixed.
_BAD_URL_CHARACTERS = re.compile(
    r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def link_problem(url: str) -> str | None:
    """Why a link may not become a request, or None when it may: an absolute http(s) URL
    with a sound host (a name, an IPv4 address or a bracketed IPv6 one), a port 1-65535,
    no control characters or spaces, at most MAX_URL_LENGTH characters."""
    if len(url) > MAX_URL_LENGTH:
        return f"link longer than {MAX_URL_LENGTH} characters"
    if _BAD_URL_CHARACTERS.search(url):
        return "control, space or invisible characters in the link"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        if "port" in str(error).lower():
            return "port out of range (1-65535)"
        return f"malformed link ({str(error).lower()})"
    scheme = parts.scheme.lower()
    if scheme and scheme not in ALLOWED_SCHEMES:
        return f"scheme {scheme!r} is not http(s)"
    if not scheme or not parts.hostname:
        return "not an absolute http(s) URL"
    if port == 0:
        return "port 0 is not a port"
    return _host_problem(parts.hostname, parts.netloc)


def _host_problem(host: str, netloc: str) -> str | None:
    if "[" in netloc:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"malformed IPv6 address {host!r}"
        return None
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return "host name is not a valid (international) domain name"
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return "host name is not a valid domain name"
    return None


def is_fetchable(url: str) -> bool:
    """Only sound absolute http(s) URLs are ever requested (see link_problem)."""
    return link_problem(url) is None


def absolute_url(base: str, link: str) -> str:
    """Resolve a possibly relative link against the page or feed it came from. A link that
    cannot be resolved (a broken IPv6 literal, say) comes back as given, to be refused."""
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link.strip()


def refusal_reason(url: str) -> str:
    """Why a link is not fetched, for the log."""
    return link_problem(url) or "not an absolute http(s) URL"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form an article URL is stored under, so that one article has one address.

    w3lib (Scrapy's own URL library) does the generic part: lowercase scheme and host, IDN
    hosts as punycode, one percent-encoding, dot segments resolved, no fragment, query
    parameters sorted. On top of it: no default port, no tracking parameters, no AMP marker
    (?amp=1, /amp, .amp.html), no index page (/index.html, /index.php) and no trailing slash
    except for the site's root. Each is a variant of the same page on news sites.
    """
    try:
        normal = canonicalize_url(url.strip(), keep_fragments=False)
        parts = urlsplit(normal)
        port = parts.port
    except ValueError:  # an unparseable port or host: keep the address as it came
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not _is_tracking(k) and not _is_amp(k, v)])
    return urlunsplit((scheme, host, _canonical_path(parts.path), query, ""))


def _is_amp(name: str, value: str) -> bool:
    lowered = name.lower()
    return lowered == "amp" or (lowered == "outputtype" and value.lower() == "amp")


def _canonical_path(path: str) -> str:
    """ "/a/", "/a/index.html" and "/a/amp/" are variants of "/a"; "/a.amp.html" of "/a.html"."""
    head, _, last = (path or "/").rpartition("/")
    if last.lower() in INDEX_PAGES:
        path = head + "/"
    path = path.rstrip("/")
    if path.lower().endswith("/amp") and path.count("/") > 1:  # not the site's own /amp
        path = path[: -len("/amp")].rstrip("/")
    lowered = path.lower()
    if lowered.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif lowered.endswith(".amp"):
        path = path[: -len(".amp")]
    return path or "/"


def trusted_canonical(link: str, fetched: str) -> bool:
    """Whether a page's canonical link (rel=canonical, og:url) may be its stored address.

    Only on the same site (www., m., amp. hosts count as the site): another outlet's link
    would give a copy the original's address. And not the site's home page unless that is
    what was fetched: some CMSs put the home page in every page's canonical link, which
    would fold every article into one.
    """
    if not is_fetchable(link) or outlet_of(link) != outlet_of(fetched):
        return False
    return not _is_home_page(link) or _is_home_page(fetched)


def _is_home_page(url: str) -> bool:
    parts = urlsplit(canonical_url(url))
    return parts.path == "/" and not parts.query  # "/?p=123" is a WordPress article
