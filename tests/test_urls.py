"""URL canonicalisation and the trust given to a page's canonical link (pure functions)."""

import pytest

from crawler.urls import canonical_url, trusted_canonical

MAIN = "https://shirvanpost.az/news/coast-guard-patrol-boats"


@pytest.mark.parametrize(
    "variant",
    [
        MAIN,
        "HTTPS://ShirvanPost.AZ/news/coast-guard-patrol-boats",
        "https://shirvanpost.az:443/news/coast-guard-patrol-boats",
        "https://shirvanpost.az/news/coast-guard-patrol-boats#comments",
        "https://shirvanpost.az/news/coast-guard-patrol-boats/",
        "https://shirvanpost.az/news/coast-guard-patrol-boats/index.html",
        "https://shirvanpost.az/news/coast-guard-patrol-boats/index.php",
        "https://shirvanpost.az/news/coast-guard-patrol-boats?utm_source=rss&utm_medium=feed",
        "https://shirvanpost.az/news/coast-guard-patrol-boats?fbclid=IwAR0x&gclid=abc&yclid=7",
        "https://shirvanpost.az/news/coast-guard-patrol-boats?mc_cid=1&mc_eid=2&mc_tc=3",
        "https://shirvanpost.az/news/coast-guard-patrol-boats?amp=1",
        "https://shirvanpost.az/news/coast-guard-patrol-boats?amp",
        "https://shirvanpost.az/news/coast-guard-patrol-boats/amp/",
        "https://shirvanpost.az/news/coast-guard-patrol-boats/amp",
        "https://shirvanpost.az/news/./x/../coast-guard-patrol-boats",
        " https://shirvanpost.az/news/coast-guard-patrol-boats ",
    ],
)
def test_variants_of_one_article_share_its_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == MAIN


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://example.az", "http://example.az/"),
        ("http://example.az/index.html", "http://example.az/"),
        ("http://example.az:8080/a", "http://example.az:8080/a"),
        ("https://example.az/story.amp.html", "https://example.az/story.html"),
        # Sorted, one encoding: the same query written two ways is one address.
        ("https://example.az/view.php?id=5&cat=2", "https://example.az/view.php?cat=2&id=5"),
        ("https://example.az/x%7e?q=a%20b", "https://example.az/x~?q=a+b"),
        # A path of its own at the root is not an AMP marker.
        ("https://example.az/amp/", "https://example.az/amp"),
    ],
)
def test_canonical_forms(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Parameters that say which article a page is are kept (courlan would drop "cid").
        ("https://example.az/view.php?cid=1", "https://example.az/view.php?cid=2"),
        ("https://example.az/news?id=1", "https://example.az/news?id=2"),
        ("https://example.az/a", "https://example.az/A"),
        ("http://example.az/a", "https://example.az/a"),
        ("https://www.example.az/a", "https://example.az/a"),
    ],
)
def test_distinct_addresses_stay_distinct(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize(
    ("link", "fetched", "trusted"),
    [
        (MAIN, "https://amp.shirvanpost.az/news/coast-guard-patrol-boats", True),
        (MAIN, "https://m.shirvanpost.az/news/coast-guard-patrol-boats", True),
        (MAIN, "https://www.shirvanpost.az/amp/news/coast-guard-patrol-boats", True),
        (MAIN, "https://lankaranwire.az/lw-20261124-patrol", False),  # another outlet
        ("https://shirvanpost.az/", MAIN, False),  # a CMS's home page in every page
        ("https://shirvanpost.az/?p=123", MAIN, True),  # a WordPress article address
        ("https://shirvanpost.az/", "https://shirvanpost.az/index.html", True),
        ("javascript:alert(1)", MAIN, False),
        ("/news/coast-guard-patrol-boats", MAIN, False),  # relative: the spider resolves it
    ],
)
def test_when_a_canonical_link_is_trusted(link: str, fetched: str, trusted: bool) -> None:
    assert trusted_canonical(link, fetched) is trusted


def test_unparseable_address_is_kept_as_given() -> None:
    assert canonical_url("http://example.az:notaport/a") == "http://example.az:notaport/a"
