"""Hostile outlets for the loopback fixture web: a feed whose items point at internal
addresses (SSRF), a redirect and a meta refresh that lead there, broken links beside good
ones, feeds that declare entities, a compression bomb; and an "internal service" on
127.0.0.2 (same port) that must never be asked anything.

Every address here is on loopback: the refusals of other internal ranges (169.254.169.254,
10.x, CGNAT …) are tested on the guard's decisions, never by sending traffic.
"""

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.outlets.articles import FixtureArticle
from tests.outlets.server import OutletServer, Reply, article_page, rss_feed

INTERNAL_HOST = "127.0.0.2"

STORY = FixtureArticle(
    slug="ssrf-story",
    title="Border posts on the Caspian shore get new radar",
    author="Nigar Huseynova",
    date="2026-11-23T08:00:00Z",
    lang="en",
    paragraphs=(
        "Three border posts on the Caspian shore received coastal radar sets this week, "
        "the State Border Service said on Monday in a short statement.",
        "The sets replace equipment installed more than fifteen years ago and cover the "
        "approaches to the ports of Alat and Lankaran, according to the statement.",
    ),
)
SECOND_STORY = FixtureArticle(
    slug="ssrf-second",
    title="Naval cadets finish their winter training cruise",
    author="Nigar Huseynova",
    date="2026-11-22T08:00:00Z",
    lang="en",
    paragraphs=(
        "Forty naval cadets returned to Baku on Sunday after a two-week training cruise "
        "that took them along the western coast of the Caspian Sea.",
        "The cruise included navigation drills, a search-and-rescue exercise and visits to "
        "two coastal stations, the naval academy said.",
    ),
)


class InternalService:
    """A server on 127.0.0.2, on the outlet server's port, standing for an admin console or
    a metadata endpoint: anything it is asked is a leak."""

    def __init__(self, port: int) -> None:
        self.paths: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.paths.append(self.path)
                body = b"<html><body><p>INTERNAL SECRET admin token 4711</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((INTERNAL_HOST, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "InternalService":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def internal_links(server: OutletServer) -> dict[str, str]:
    """The nine internal destinations a hostile feed links to (label: link)."""
    port = server.httpd.server_address[1]
    base = server.base
    return {
        "another loopback address": f"http://{INTERNAL_HOST}:{port}/admin",
        "localhost (a name, refused at resolution)": f"http://localhost:{port}/ssrf/story",
        "decimal IPv4": f"http://2130706434:{port}/admin",  # 127.0.0.2
        "IPv6 loopback": f"http://[::1]:{port}/admin",
        "unspecified address": f"http://0.0.0.0:{port}/admin",
        "short IPv4 form of the source's own host": f"http://127.1:{port}/ssrf/story",
        "a port that is neither the source's nor 80/443": "http://127.0.0.1:22/",
        "302 to another loopback address": f"{base}/ssrf/redirect",
        "meta refresh to another loopback address": f"{base}/ssrf/refresh",
    }


def malformed_links() -> list[str]:
    return ["http://127.0.0.1:99999/ssrf/story", "http://[::1/ssrf/story"]


def add_hostile_routes(server: OutletServer) -> None:
    port = server.httpd.server_address[1]
    internal = f"http://{INTERNAL_HOST}:{port}"
    r = server.web.routes
    r["/ssrf/story"] = lambda: Reply(200, article_page(STORY, "Shore Gazette").encode())
    r["/ssrf/second"] = lambda: Reply(200, article_page(SECOND_STORY, "Shore Gazette").encode())
    r["/ssrf/redirect"] = lambda: Reply(
        302, b"", headers={"Location": f"{internal}/redirected"}, cacheable=False
    )
    r["/ssrf/refresh"] = lambda: Reply(
        200,
        f'<html><head><meta http-equiv="refresh" content="0; url={internal}/refreshed">'
        "</head><body>Moved</body></html>".encode(),
    )
    r["/ssrf/to-file"] = lambda: Reply(
        302, b"", headers={"Location": "file:///etc/passwd"}, cacheable=False
    )
    r["/ssrf/bomb"] = lambda: Reply(
        200,
        gzip.compress(b"<html><body>" + b"\0" * 3_000_000 + b"</body></html>"),
        headers={"Content-Encoding": "gzip"},
    )
    r["/ssrf/feed.xml"] = lambda: Reply(
        200, ssrf_feed(server).encode(), "application/rss+xml", cacheable=False
    )
    r["/ssrf/pages.xml"] = lambda: Reply(
        200, page_faults_feed(server).encode(), "application/rss+xml", cacheable=False
    )
    r["/hostile/entities.xml"] = lambda: Reply(200, ENTITIES_FEED, "application/rss+xml")
    r["/hostile/external.xml"] = lambda: Reply(200, EXTERNAL_FEED, "application/rss+xml")


def _item(title: str, link: str) -> dict[str, str]:
    return {"title": title, "link": link, "description": f"About {title}."}


def ssrf_feed(server: OutletServer) -> str:
    items = [_item(label, link) for label, link in internal_links(server).items()]
    items += [_item("A malformed link", link) for link in malformed_links()]
    items += [
        _item(STORY.title, server.url("/ssrf/story")),
        _item(SECOND_STORY.title, server.url("/ssrf/second")),
    ]
    return rss_feed("Shore Gazette", items)


def page_faults_feed(server: OutletServer) -> str:
    return rss_feed(
        "Faulty Pages",
        [
            _item("Redirected to a file", server.url("/ssrf/to-file")),
            _item("A compression bomb", server.url("/ssrf/bomb")),
        ],
    )


ENTITIES_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>Caspian drills update &lol9;</title><link>/ssrf/story</link></item>
</channel></rss>"""

EXTERNAL_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Roster</title>
<item><title>Border guard roster &x;</title><link>/ssrf/second</link></item>
</channel></rss>"""
