"""Where the crawler may connect: the destination guard against server-side request forgery.

Feeds, sitemaps and pages are written by strangers, and every link in them becomes a request
from the machine newswatch runs on. Without a guard, a feed item linking to
http://169.254.169.254/latest/meta-data/ (a cloud's metadata endpoint), to a router's admin
page on 10.x or to a database console on 127.0.0.1 would be fetched, stored and printed in
the digest.

Two checks, in the manner of the `advocate` and `ssrf-filter` libraries:

- `DestinationGuardMiddleware`, before any download (redirects and meta refreshes come back
  through it as new requests): the link is sound (crawler.urls.link_problem), its port is
  80, 443 or the source's own, and a host written as an address (127.0.0.2, 2130706434,
  [::1], localhost) is a public one.
- `GuardedResolver`, the reactor's name resolver: a host name is checked on the addresses it
  resolves to, and only public ones are handed to the connection. What is checked is what
  is connected to, so a name that resolves to a public address for a first look and to
  127.0.0.1 a moment later (DNS rebinding) gains nothing.

A host that a configured source lives on is trusted (an intranet feed, the tests' loopback
server), and `crawl.allow_private_links = true` turns the address checks off. Through an
HTTP proxy (http_proxy), names are resolved by the proxy: only the checks on addresses
written in the link apply.
"""

import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

from config import Config
from crawler.addon import config_from_settings
from crawler.meta import PRIMARY
from crawler.urls import link_problem

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOWED_PORTS = frozenset(DEFAULT_PORTS.values())
CGNAT = ipaddress.ip_network("100.64.0.0/10")
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


class RefusedDestination(IgnoreRequest):
    """A request the guard refused; the message is the reason a person reads."""


def address_problem(address: Address) -> str | None:
    """Why an address is not a public one, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in CGNAT, "a carrier-grade NAT address"),
        (any(address in net for net in PRIVATE_NETWORKS), "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def literal_address(host: str, localhost_too: bool = False) -> Address | None:
    """The address a host stands for without any DNS: an IP literal, or an IPv4 address in
    one of the old forms the C library still reads (2130706434, 0x7f000002, 127.1,
    0177.0.0.1); with `localhost_too`, localhost (RFC 6761: always loopback). None for a
    name."""
    host = host.strip("[]").split("%")[0].rstrip(".").lower()
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if localhost_too and (host == "localhost" or host.endswith(".localhost")):
        return ipaddress.ip_address("127.0.0.1")
    if host[:1].isdigit() and set(host) <= set("0123456789abcdefx."):
        try:
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def normal_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


@dataclass(frozen=True)
class DestinationPolicy:
    """Which hosts may resolve to internal addresses (those configured sources live on, and
    the proxies), and whether internal addresses are allowed at all."""

    trusted_hosts: frozenset[str]
    allow_private: bool = False
    # Through a proxy, names are resolved there, out of the resolver's sight: localhost is
    # then refused by name.
    behind_proxy: bool = False

    @classmethod
    def from_config(cls, config: Config, proxies: Iterable[str] = ()) -> "DestinationPolicy":
        hosts = [urlsplit(source.url).hostname or "" for source in config.sources]
        proxies = list(proxies)
        hosts += [urlsplit(proxy).hostname or "" for proxy in proxies]
        return cls(
            trusted_hosts=frozenset(normal_host(h) for h in hosts if h),
            allow_private=config.crawl.allow_private_links,
            behind_proxy=bool(proxies),
        )

    def trusts(self, host: str) -> bool:
        return self.allow_private or normal_host(host) in self.trusted_hosts

    def address_refusal(self, host: str, address: Address) -> str | None:
        """Why `host` may not be connected to at `address`, or None."""
        if self.trusts(host):
            return None
        problem = address_problem(address)
        if problem is None:
            return None
        if normal_host(host) == str(address):
            return f"{address} is {problem}"
        return f"{host} is {problem} ({address})"

    def url_refusal(self, url: str, source_url: str) -> str | None:
        """Why a request for `url`, made for the source at `source_url`, is refused before
        any connection: an unsound link, an unexpected port, an internal address literal."""
        problem = link_problem(url)
        if problem is not None:
            return problem
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
        source = urlsplit(source_url)
        source_port = source.port or DEFAULT_PORTS.get(source.scheme.lower(), 80)
        if port not in ALLOWED_PORTS | {source_port}:
            return f"port {port} is not 80, 443 or the source's own ({source_port})"
        address = literal_address(host, localhost_too=self.behind_proxy)
        if address is None:
            return None
        return self.address_refusal(host, address)


# Host → why its resolved addresses were refused: the resolver knows the reason, the
# errback that reports the failed request only sees "no address for this host".
_refused_hosts: dict[str, str] = {}


def refusal_for(url: str) -> str | None:
    """The reason the resolver refused the host of `url`, if it did."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return _refused_hosts.get(normal_host(host or ""))


def proxy_urls() -> list[str]:
    """The proxies Scrapy's HttpProxyMiddleware takes from the environment."""
    return [url for scheme, url in getproxies().items() if scheme in ("http", "https")]


@provider(IResolutionReceiver)
class _GuardedReceiver:
    """Passes on only the addresses the policy allows, and remembers why others were not."""

    def __init__(self, receiver: Any, host: str, policy: DestinationPolicy) -> None:
        self.receiver = receiver
        self.host = host
        self.policy = policy
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        try:
            ip = ipaddress.ip_address(str(getattr(address, "host", "")).split("%")[0])
        except (AttributeError, ValueError):
            self.refused.append(f"{self.host} resolved to an unknown kind of address")
            return
        reason = self.policy.address_refusal(self.host, ip)
        if reason is None:
            self.receiver.addressResolved(address)
        else:
            self.refused.append(reason)

    def resolutionComplete(self) -> None:
        if self.refused:
            reason = self.refused[0]
            _refused_hosts[normal_host(self.host)] = f"refused: {reason}"
            logger.warning("refused connecting to %s: %s", self.host, reason)
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """The crawl's name resolver (TWISTED_DNS_RESOLVER): Scrapy's caching resolver (IPv4 and
    IPv6), with every answer filtered through the destination policy just before the
    connection is made to it."""

    def __init__(self, reactor: Any, policy: DestinationPolicy, cache_size: int) -> None:
        self.reactor = reactor
        self.policy = policy
        self.inner = CachingHostnameResolver(reactor, cache_size)

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> "GuardedResolver":
        config = config_from_settings(crawler.settings)
        enabled = crawler.settings.getbool("DNSCACHE_ENABLED")
        cache_size = crawler.settings.getint("DNSCACHE_SIZE") if enabled else 0
        return cls(reactor, DestinationPolicy.from_config(config, proxy_urls()), cache_size)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        receiver = _GuardedReceiver(resolutionReceiver, hostName, self.policy)
        return self.inner.resolveHostName(
            receiver,  # type: ignore[arg-type]  # implements IResolutionReceiver
            hostName,
            portNumber,
            addressTypes,
            transportSemantics,
        )


class DestinationGuardMiddleware:
    """Refuse, before download, a request whose link is unsound, whose port is unexpected or
    whose host is an internal address written as such. Redirect targets and meta refreshes
    are new requests and pass here too."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        config = config_from_settings(crawler.settings)
        self.policy = DestinationPolicy.from_config(config, proxy_urls())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DestinationGuardMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        source = getattr(spider, "source", None)
        source_url = source.url if source is not None else request.url
        reason = self.policy.url_refusal(request.url, source_url)
        if reason is None:
            return
        if request.meta.get("redirect_urls"):
            reason = f"redirect to {request.url[:200]} refused: {reason}"
        else:
            reason = f"refused: {reason}"
        self.crawler.stats.inc_value("newswatch/refused_destinations")
        level = logging.ERROR if request.meta.get(PRIMARY) else logging.WARNING
        logger.log(level, "%s: %s", request.url[:200], reason)
        raise RefusedDestination(reason)
