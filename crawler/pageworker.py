"""The page worker: `python -m crawler.pageworker`, a child of the crawl process that
extracts article pages (crawler.extract) so that the crawl uses a second core, and computes
ahead what storing the page's text will need: its near-duplicate fingerprint, content hash,
relevance score and search keys (storage.models.Worked), for the text as the pipelines clean
it. Storing uses them only for an article whose text (and title and language) turns out to
be exactly that; for any other (the outlet's recurring paragraphs trimmed, the feed's title
used) it computes them again. (Story keys stay in the crawl process: they depend on the
stored row, its dates among them.)

It imports no Scrapy, and it never touches the database: the crawl process keeps fetching
and stays the only writer. It reads requests on stdin and answers on stdout, one at a time
and in order, until stdin closes (the crawl is over, or the crawl process died).

Frames, all integers big-endian:
  request  REQUEST (url length, body length), the URL in UTF-8, the page's bytes
  answer   ANSWER (length), then JSON: {"page": Extracted's fields, "worked": ... or null}
           or {"error": "..."} when extraction raised (the crawl process then extracts the
           page itself, so that it fails there as it would without a worker).
"""

import argparse
import json
import logging
import os
import struct
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from config import ProfileConfig
from crawler.cleaning import MAX_TEXT_CHARS, clean_text, one_line
from crawler.extract import Extracted, extract_article
from crawler.parent import exit_at_once, stop_with_parent
from storage.models import Article, Score, Worked, content_hash
from storage.neardup import Fingerprint, fingerprint
from storage.searchkeys import search_keys

REQUEST = struct.Struct(">II")
ANSWER = struct.Struct(">I")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def request_frame(url: str, body: bytes) -> bytes:
    encoded = url.encode("utf-8", errors="surrogateescape")
    return REQUEST.pack(len(encoded), len(body)) + encoded + body


def answer_frame(answer: dict[str, object]) -> bytes:
    data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return ANSWER.pack(len(data)) + data


def page_from_answer(answer: dict[str, Any]) -> tuple[Extracted, Worked | None]:
    page = Extracted(**answer["page"])
    found = answer.get("worked")
    text = cleaned_text(page)
    if not found or text is None or "search_keys" not in found:
        return page, None  # nothing computed ahead: storing computes it all
    signature = found["fingerprint"]
    score = found["score"]
    worked = Worked(
        title=one_line(page.title),
        text=text,
        lang=page.lang,
        fingerprint=Fingerprint(bytes.fromhex(signature[0]), signature[1]) if signature else None,
        content_hash=found["content_hash"],
        score=(score[0], score[1], tuple(score[2])) if score else None,
        search_keys=found["search_keys"],
    )
    return page, worked


Scorer = Callable[[Article], Score]


def cleaned_text(page: Extracted) -> str | None:
    """The page's text as the pipelines clean it (both processes work it out, so that the
    answer need not carry the text twice)."""
    text = clean_text(page.text)
    return text[:MAX_TEXT_CHARS] if text is not None else None


def worked_for(page: Extracted, score: Scorer | None) -> dict[str, Any] | None:
    """What storing the page's text will need, for the text as the pipelines clean it."""
    text = cleaned_text(page)
    if text is None:
        return None
    title = one_line(page.title)
    found = fingerprint(text)
    article = Article(url="", canonical_url="", source="", title=title, text=text, lang=page.lang)
    return {
        "fingerprint": [found.signature.hex(), found.shingles] if found else None,
        "content_hash": content_hash(text),
        "score": list(score(article)) if score is not None else None,
        "search_keys": search_keys(title, text),
    }


def answer_for(url: str, body: bytes, score: Scorer | None = None) -> dict[str, object]:
    try:
        page = extract_article(body, url)
    except Exception as error:  # reported to the crawl process, which extracts it itself
        return {"error": f"{type(error).__name__}: {error}"}
    try:
        worked = worked_for(page, score)
    except Exception:  # the crawl process computes it all itself
        logging.getLogger(__name__).exception("%s: nothing computed ahead", url[:200])
        worked = None
    return {"page": asdict(page), "worked": worked}


# A page that takes every step a real one takes (trafilatura, the language model, the
# fingerprint, scoring), so that their imports and models load as soon as the worker starts:
# the crawl starts it once a source lists pages to fetch, while they are still downloading.
# Its answer is thrown away.
WARM_UP_PAGE = (
    b"<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + b"<p>A paragraph of plain words, long enough to be taken as the text of a page.</p>" * 4
    + b"</article></body></html>"
)


def warm_up(score: Scorer | None) -> None:
    answer_for("http://warm-up.invalid/", WARM_UP_PAGE, score)


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def serve(requests: BinaryIO, answers: BinaryIO, score: Scorer | None = None) -> None:
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
        url_text = url.decode("utf-8", "surrogateescape")
        answers.write(answer_frame(answer_for(url_text, body, score)))
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.pageworker", description=__doc__)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--profile", help="the crawl's [profile] as JSON (profile_arguments)")
    args = parser.parse_args(argv)
    stop_with_parent("page worker")
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    # The answers get their own copy of stdout; anything a library prints (while it loads,
    # too) goes to stderr and cannot break a frame.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    score = _scorer(args.profile) if args.profile else None
    warm_up(score)
    try:
        serve(sys.stdin.buffer, answers, score)
    except BrokenPipeError:  # the crawl process is gone
        return 0
    return 0


def profile_argument(profile: ProfileConfig) -> str:
    """The crawl's [profile] for the worker's command line."""
    return json.dumps(
        {
            "threshold": profile.threshold,
            "references": [str(path) for path in profile.references],
            "file": str(profile.file) if profile.file else None,
        }
    )


def _scorer(argument: str) -> Scorer | None:
    """The crawl's relevance scorer, or None (the crawl process then scores)."""
    from relevance import ProfileError, profile_for, storage_scorer

    fields = json.loads(argument)
    profile = ProfileConfig(
        threshold=fields["threshold"],
        references=tuple(Path(path) for path in fields["references"]),
        file=Path(fields["file"]) if fields["file"] else None,
    )
    try:
        return storage_scorer(profile_for(profile))
    except ProfileError as error:
        logging.getLogger(__name__).warning("relevance is scored in the crawl process: %s", error)
        return None


if __name__ == "__main__":
    exit_at_once(main())
