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

The address policy itself (which addresses are internal, which hosts are trusted) is in
crawler/destinations.py, without Scrapy: `sources add`'s discovery applies it too.

A host that a configured source lives on is trusted (an intranet feed, the tests' loopback
server), and `crawl.allow_private_links = true` turns the address checks off. Through an
HTTP proxy (http_proxy), names are resolved by the proxy: only the checks on addresses
written in the link apply.
"""

import functools
import ipaddress
import logging
from collections.abc import Sequence
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
from crawler.destinations import DestinationPolicy, normal_host
from crawler.meta import PRIMARY

logger = logging.getLogger(__name__)


class RefusedDestination(IgnoreRequest):
    """A request the guard refused; the message is the reason a person reads."""


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


@functools.lru_cache(maxsize=4)
def _policy(config: Config, proxies: tuple[str, ...]) -> DestinationPolicy:
    """One policy per configuration and proxies: every source's crawler makes this
    middleware, and a policy reads every configured source (0.8 ms a crawler at 200 sources,
    quadratic in sources)."""
    return DestinationPolicy.from_config(config, proxies)


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
        return cls(reactor, _policy(config, tuple(proxy_urls())), cache_size)

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
        self.policy = _policy(config, tuple(proxy_urls()))

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
