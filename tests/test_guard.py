"""The destination guard (SSRF): decisions on every kind of internal address, the resolver
that applies them to what is connected to, and real crawls of hostile feeds on loopback."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from twisted.internet.interfaces import IResolutionReceiver
from zope.interface import implementer

from config import parse_config_text
from crawler.destinations import DestinationPolicy, literal_address
from crawler.guard import GuardedResolver, refusal_for
from tests.crawling import CycleRun, read_rows, run_cycle, write_config
from tests.outlets.hostile import (
    INTERNAL_HOST,
    SECOND_STORY,
    STORY,
    InternalService,
    add_hostile_routes,
    internal_links,
    malformed_links,
)
from tests.outlets.server import OutletServer

SOURCE = "http://news.example/feed.xml"
POLICY = DestinationPolicy(trusted_hosts=frozenset({"news.example"}))


# -- decisions on addresses written in the link (no DNS) -----------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.2/admin", "127.0.0.2 is a loopback address"),
        ("http://2130706434/admin", "2130706434 is a loopback address (127.0.0.2)"),
        ("http://0x7f000001/", "0x7f000001 is a loopback address (127.0.0.1)"),
        ("http://0177.0.0.1/", "0177.0.0.1 is a loopback address (127.0.0.1)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("http://169.254.10.1/", "169.254.10.1 is a link-local address"),
        ("http://10.255.255.1/", "10.255.255.1 is a private address"),
        ("http://172.16.0.5/", "172.16.0.5 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://[fd00::1]/", "fd00::1 is a private address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
        ("http://news.example:8080/x", "port 8080 is not 80, 443 or the source's own (80)"),
        ("http://93.184.215.14:22/", "port 22 is not 80, 443 or the source's own (80)"),
        ("http://news.example:99999/x", "port out of range"),
    ],
)
def test_internal_addresses_and_odd_ports_are_refused_with_the_reason(
    url: str, reason: str
) -> None:
    refusal = POLICY.url_refusal(url, SOURCE)
    assert refusal is not None and refusal.startswith(reason), refusal


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/news",
        "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/a",
        "https://other-outlet.example/a",
        "http://news.example/a",
        "https://news.example:443/a",
    ],
)
def test_public_addresses_and_names_pass_before_resolution(url: str) -> None:
    assert POLICY.url_refusal(url, SOURCE) is None


def test_a_configured_source_is_trusted_on_its_own_host_and_port() -> None:
    config = parse_config_text(
        '[[sources]]\nname = "Intranet"\nkind = "feed"\nurl = "http://10.1.2.3:8080/feed"\n'
    )
    policy = DestinationPolicy.from_config(config)
    feed = config.sources[0].url
    assert policy.url_refusal("http://10.1.2.3:8080/news/1", feed) is None
    assert policy.url_refusal("http://10.1.2.4:8080/news/1", feed) is not None
    assert policy.url_refusal("http://10.1.2.3:9000/news/1", feed) is not None


def test_allow_private_links_turns_the_address_checks_off() -> None:
    config = parse_config_text("[crawl]\nallow_private_links = true\n")
    policy = DestinationPolicy.from_config(config)
    assert policy.url_refusal("http://10.255.255.1/", SOURCE) is None
    assert policy.url_refusal("http://10.255.255.1:8080/", SOURCE) is not None  # ports still


def test_behind_a_proxy_localhost_is_refused_by_name() -> None:
    proxied = DestinationPolicy(frozenset({"news.example"}), behind_proxy=True)
    assert proxied.url_refusal("http://localhost/admin", SOURCE) is not None
    assert POLICY.url_refusal("http://localhost/admin", SOURCE) is None  # left to resolution
    assert literal_address("intranet.example") is None


# -- the resolver: decisions on the addresses a name resolves to -------------------------------


@implementer(IResolutionReceiver)
class Collected:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


class HostsFile:
    """A name resolver answering from a table, the way /etc/hosts would: a real resolver
    that needs no network. `answers` may change between two lookups (DNS rebinding)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    def resolveHostName(
        self, receiver: Any, hostName: str, portNumber: int = 0, *args: Any, **kwargs: Any
    ) -> Any:
        from scrapy.resolver import HostResolution
        from twisted.internet.address import IPv4Address, IPv6Address

        receiver.resolutionBegan(HostResolution(hostName))
        for host in self.answers.get(hostName, []):
            kind = IPv6Address if ":" in host else IPv4Address
            receiver.addressResolved(kind("TCP", host, portNumber))
        receiver.resolutionComplete()
        return receiver


class FakeReactor:
    def __init__(self, resolver: HostsFile) -> None:
        self.nameResolver = resolver


def resolve(resolver: GuardedResolver, name: str) -> list[str]:
    collected = Collected()
    resolver.resolveHostName(collected, name, 80)
    assert collected.complete
    return collected.addresses


@pytest.fixture
def hosts() -> HostsFile:
    return HostsFile(
        {
            "metadata.attacker.example": ["169.254.169.254"],
            "router.attacker.example": ["10.255.255.1"],
            "cgnat.attacker.example": ["100.64.1.1"],
            "mixed.attacker.example": ["93.184.215.14", "127.0.0.1"],
            "v6.attacker.example": ["fd12:3456::1"],
            "news.example": ["10.0.0.7"],
            "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        }
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("metadata.attacker.example", "a cloud metadata address (169.254.169.254)"),
        ("router.attacker.example", "a private address (10.255.255.1)"),
        ("cgnat.attacker.example", "a carrier-grade NAT address (100.64.1.1)"),
        ("v6.attacker.example", "a private address (fd12:3456::1)"),
    ],
)
def test_the_resolver_hands_no_internal_address_to_the_connection(
    hosts: HostsFile, name: str, reason: str
) -> None:
    resolver = GuardedResolver(FakeReactor(hosts), POLICY, cache_size=0)
    assert resolve(resolver, name) == []
    assert refusal_for(f"http://{name}/x") == f"refused: {name} is {reason}"


def test_the_resolver_keeps_public_addresses_and_trusted_hosts(hosts: HostsFile) -> None:
    resolver = GuardedResolver(FakeReactor(hosts), POLICY, cache_size=0)
    assert resolve(resolver, "public.example") == hosts.answers["public.example"]
    assert resolve(resolver, "mixed.attacker.example") == ["93.184.215.14"]
    assert resolve(resolver, "news.example") == ["10.0.0.7"]  # a configured source's host


def test_a_name_rebound_to_an_internal_address_is_refused_at_connection(
    hosts: HostsFile,
) -> None:
    """What is checked is what the connection gets: the check runs on the resolver's very
    answer, so a name that was public a moment ago and now points inside gains nothing."""
    hosts.answers["rebind.attacker.example"] = ["93.184.215.14"]
    resolver = GuardedResolver(FakeReactor(hosts), POLICY, cache_size=0)
    assert resolve(resolver, "rebind.attacker.example") == ["93.184.215.14"]
    from scrapy.resolver import dnscache

    dnscache.pop("rebind.attacker.example", None)  # the record's TTL ran out
    hosts.answers["rebind.attacker.example"] = ["127.0.0.1"]
    assert resolve(resolver, "rebind.attacker.example") == []


# -- real crawls on loopback ------------------------------------------------------------------


class HostileCrawl:
    """Two cycles over the hostile outlets, with an internal service on 127.0.0.2."""

    SOURCES: ClassVar[dict[str, str]] = {
        "Shore Gazette": "/ssrf/feed.xml",
        "Faulty Pages": "/ssrf/pages.xml",
        "Laughs": "/hostile/entities.xml",
        "Roster": "/hostile/external.xml",
    }

    def __init__(self, server: OutletServer, internal: InternalService, folder: Path) -> None:
        self.server = server
        self.internal = internal
        sources = [
            {"name": name, "kind": "feed", "url": server.url(path)}
            for name, path in self.SOURCES.items()
        ]
        self.config = write_config(folder / "newswatch.toml", sources)
        self.db_path = folder / "crawl.db"
        self.first: CycleRun = run_cycle(self.config, "--all")
        self.after_first = {row["name"]: dict(row) for row in self.rows("SELECT * FROM sources")}
        self.second: CycleRun = run_cycle(self.config, "--all")

    def rows(self, sql: str, *params: Any) -> list[Any]:
        return read_rows(self.db_path, sql, *params)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileCrawl]:
    import tempfile

    with OutletServer() as server:
        add_hostile_routes(server)
        try:
            internal = InternalService(server.httpd.server_address[1])
        except OSError as error:
            pytest.skip(f"cannot listen on {INTERNAL_HOST} (not Linux loopback?): {error}")
        with internal, tempfile.TemporaryDirectory() as folder:
            yield HostileCrawl(server, internal, Path(folder))


def test_no_internal_destination_is_ever_asked_anything(hostile: HostileCrawl) -> None:
    assert hostile.first.returncode == 0, hostile.first.stderr[-3000:]
    assert hostile.internal.paths == []
    asked_hosts = {entry.host for entry in hostile.server.log}
    assert asked_hosts == {"127.0.0.1"}  # never as localhost, 127.1 or 0.0.0.0


def test_each_refused_destination_is_recorded_with_its_reason(hostile: HostileCrawl) -> None:
    errors = [
        row["error"]
        for row in hostile.rows(
            "SELECT error FROM fetches WHERE source = 'Shore Gazette' AND status = 'error'"
        )
    ]
    port = hostile.server.httpd.server_address[1]
    expected = [
        f"refused: {INTERNAL_HOST} is a loopback address",
        "refused: localhost is a loopback address",
        "refused: 2130706434 is a loopback address (127.0.0.2)",
        "refused: ::1 is a loopback address",
        "refused: 0.0.0.0 is an unspecified address",
        "refused: 127.1 is a loopback address (127.0.0.1)",
        f"refused: port 22 is not 80, 443 or the source's own ({port})",
        f"redirect to http://{INTERNAL_HOST}:{port}/redirected refused: {INTERNAL_HOST} is a",
        f"redirect to http://{INTERNAL_HOST}:{port}/refreshed refused: {INTERNAL_HOST} is a",
    ]
    first_cycle = errors[: len(errors) // 2]
    for reason in expected:
        assert sum(error.startswith(reason) for error in first_cycle) == 1, (reason, errors)
    assert len(first_cycle) == len(internal_links(hostile.server))


def test_the_feed_goes_on_past_bad_and_refused_links(hostile: HostileCrawl) -> None:
    """Nine internal links and two malformed ones (port 99999, a broken IPv6 literal) cost
    the feed nothing: its two good articles are stored, and the source is healthy."""
    result = hostile.first.source("Shore Gazette")
    assert result["status"] == "ok"
    assert result["new_articles"] == 2
    assert result["dropped_links"] == len(internal_links(hostile.server)) + len(malformed_links())
    stored = hostile.rows("SELECT title, url, text FROM articles WHERE source = 'Shore Gazette'")
    assert sorted(row["title"] for row in stored) == sorted([STORY.title, SECOND_STORY.title])
    assert all(
        "SECRET" not in (row["text"] or "") for row in hostile.rows("SELECT * FROM articles")
    )
    health = hostile.after_first["Shore Gazette"]
    assert health["consecutive_errors"] == 0 and health["last_error"] is None
    assert health["dropped_links"] == result["dropped_links"]
    # Refused links are counted as such, not as pages that failed to load.
    assert health["page_errors"] == 0 and health["last_page_error"] is None


def test_page_failures_show_on_the_source_in_plain_words(hostile: HostileCrawl) -> None:
    errors = {
        row["url"].rsplit("/", 1)[-1]: row["error"]
        for row in hostile.rows("SELECT url, error FROM fetches WHERE source = 'Faulty Pages'")
        if row["error"]
    }
    assert errors["to-file"] == "redirect to a non-http address refused"
    assert errors["bomb"] == "page too large once decompressed (more than 1,000,000 bytes)"
    health = hostile.after_first["Faulty Pages"]
    assert health["page_errors"] == 2 and health["consecutive_errors"] == 0
    assert health["last_page_error"].endswith(hostile.server.url("/ssrf/bomb")) or health[
        "last_page_error"
    ].endswith(hostile.server.url("/ssrf/to-file"))


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        ("Laughs", "feed declares XML entities: refused"),
        ("Roster", "feed declares XML entities: refused"),
    ],
)
def test_entity_declaring_feeds_store_nothing_and_fail_the_source(
    hostile: HostileCrawl, source: str, cause: str
) -> None:
    assert hostile.first.source(source)["status"] == f"error: {cause}"
    assert hostile.rows("SELECT id FROM articles WHERE source = ?", source) == []
    assert hostile.after_first[source]["consecutive_errors"] == 1
    (health,) = hostile.rows("SELECT * FROM sources WHERE name = ?", source)
    assert health["last_error"] == cause
    assert health["consecutive_errors"] == 2  # counts up with the second cycle
    assert "&lol9;" not in str([row["title"] for row in hostile.rows("SELECT title FROM articles")])
