"""The page worker: `python -m crawler.pageworker`, a child of the crawl process that
extracts article pages (crawler.extract) so that the crawl uses a second core.

It imports no Scrapy, and it never touches the database: the crawl process keeps fetching
and stays the only writer. It reads requests on stdin and answers on stdout, one at a time
and in order, until stdin closes (the crawl is over, or the crawl process died).

Frames, all integers big-endian:
  request  REQUEST (url length, body length), the URL in UTF-8, the page's bytes
  answer   ANSWER (length), then JSON: {"page": Extracted's fields} or {"error": "..."}
           when extraction raised (the crawl process then extracts the page itself, so
           that it fails there as it would without a worker).
"""

import argparse
import json
import logging
import os
import struct
import sys
from dataclasses import asdict
from typing import BinaryIO

from crawler.extract import Extracted, extract_article
from crawler.parent import stop_with_parent

REQUEST = struct.Struct(">II")
ANSWER = struct.Struct(">I")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def request_frame(url: str, body: bytes) -> bytes:
    encoded = url.encode("utf-8", errors="surrogateescape")
    return REQUEST.pack(len(encoded), len(body)) + encoded + body


def answer_frame(answer: dict[str, object]) -> bytes:
    data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return ANSWER.pack(len(data)) + data


def page_from_answer(answer: dict[str, object]) -> Extracted:
    fields = answer["page"]
    assert isinstance(fields, dict)
    return Extracted(**fields)


def answer_for(url: str, body: bytes) -> dict[str, object]:
    try:
        return {"page": asdict(extract_article(body, url))}
    except Exception as error:  # reported to the crawl process, which extracts it itself
        return {"error": f"{type(error).__name__}: {error}"}


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until the stream ends."""
    while True:
        header = _read_exactly(requests, REQUEST.size)
        if header is None:
            return
        url_size, body_size = REQUEST.unpack(header)
        url = _read_exactly(requests, url_size)
        body = _read_exactly(requests, body_size)
        if url is None or body is None:
            return
        answers.write(answer_frame(answer_for(url.decode("utf-8", "surrogateescape"), body)))
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.pageworker", description=__doc__)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    stop_with_parent("page worker")
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    # The answers get their own copy of stdout; anything a library prints goes to stderr
    # and cannot break a frame.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, answers)
    except BrokenPipeError:  # the crawl process is gone
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
