"""Serve a folder on 127.0.0.1 (any free port, printed on the first line) for benchmarks.

Unlike `python -m http.server`, the listen backlog is large, so hundreds of simultaneous
connections queue instead of being dropped (which would measure the server, not the crawler).

    python bench/_static_server.py FOLDER
"""

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class BigBacklogServer(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


handler = functools.partial(QuietHandler, directory=sys.argv[1])
with BigBacklogServer(("127.0.0.1", 0), handler) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
