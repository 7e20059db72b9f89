"""A multi-threaded static server for the crawl benchmarks, when nginx is not installed, and
for the latency line (nginx cannot wait before answering).

    python bench/_static_server.py ROOT PORT ADDRESS… [--delay 0.05]

Serves ROOT/ADDRESS/ on ADDRESS:PORT for each address, with what a crawler's conditional GET
needs: an ETag (mtime and size, like nginx's) and Last-Modified on every file, and a 304 for
a matching If-None-Match or an If-Modified-Since not older than the file. HTTP/1.1 with
keep-alive; the listen backlog is large, so hundreds of simultaneous connections queue
instead of being refused (which would measure the server, not the crawler). Prints "ready"
once every address listens.
"""

import argparse
import functools
import os
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        super().do_GET()

    def send_head(self):  # type: ignore[no-untyped-def]
        self._etag = None
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            stat = os.stat(path)
            self._etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
            if self.headers.get("If-None-Match") == self._etag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        # The standard handler sends Last-Modified and answers If-Modified-Since.
        return super().send_head()

    def end_headers(self) -> None:
        if getattr(self, "_etag", None):
            self.send_header("ETag", self._etag)
        super().end_headers()


class BigBacklogServer(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("addresses", nargs="+")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    handler_class = type("DelayedHandler", (Handler,), {"delay": args.delay})
    servers = []
    for address in args.addresses:
        handler = functools.partial(handler_class, directory=str(args.root / address))
        servers.append(BigBacklogServer((address, args.port), handler))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
