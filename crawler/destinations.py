"""Which addresses newswatch may connect to: the address policy of the destination guard,
without Scrapy, so that a one-off fetch outside a crawl (`sources add`'s discovery) applies
the same rules as the crawl's guard (crawler/guard.py, which explains them)."""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from config import Config
from crawler.urls import link_problem

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

    def trusting(self, url: str) -> "DestinationPolicy":
        """This policy, with the host of `url` trusted too (the address a user typed)."""
        host = urlsplit(url).hostname
        if not host:
            return self
        return replace(self, trusted_hosts=self.trusted_hosts | {normal_host(host)})

    def destination_refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched by a plain fetch outside the crawl: its host, written
        as an address or resolved here, is internal and not trusted. A name that does not
        resolve is left to the fetch, which reports it."""
        host = urlsplit(url).hostname or ""
        if not host or self.trusts(host):
            return None
        literal = literal_address(host, localhost_too=True)
        if literal is not None:
            return self.address_refusal(host, literal)
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            refusal = self.address_refusal(host, address)
            if refusal is not None:
                return refusal
        return None
