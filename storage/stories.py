"""Stories and threads in the database.

`assign_story` gives a newly stored article its story, in the write transaction that stores
it (storage/articles.py calls it once per new row): a copy joins its original's story; any
other article is reduced to its keys (storage/storykeys.py), the stories of the days around
it that share its most telling keys are read through an index, and the pure decision
(storage/storymatch.py) picks one or none. A new story may continue the thread of an earlier
one. Nothing is re-clustered: the cost per article stays flat as the database grows
(bench/stories_bench.py). `backfill_stories` does the same, oldest first, for articles stored
before stories existed. `Stories` holds the reads of the CLI and the digest.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from storage.errors import wraps_errors
from storage.models import json_list
from storage.sqlite_import import Database
from storage.storykeys import LEAD_CHARS, StoryKeys, publication_day, story_keys
from storage.storymatch import (
    STORY_SPAN_DAYS,
    STORY_WINDOW_DAYS,
    THREAD_WINDOW_DAYS,
    Candidate,
    Views,
    choose_story,
    choose_thread,
    copy_joins,
    day_gap,
    is_naming,
    sumsq_growth,
    weigh,
)
from storage.timeutil import to_iso

# The article's keys (its most telling first) that look stories up; the others only score.
LOOKUP_KEYS = 12
MIN_LOOKUP_KEYS = 3
# A key more articles have than this (or this share of all) is too common to look up by.
COMMON_KEY_ARTICLES = 200
COMMON_KEY_SHARE = 0.01
# A story without a series continues a thread only if it names nearly all a story of the
# matter names: its rarest names are enough to find that story by.
THREAD_LOOKUP_KEYS = 3
# Stories compared with one article at most (those sharing most looked-up keys first).
MAX_CANDIDATES = 60
# Keys kept per article: a very long lead cannot make a very long row.
MAX_KEYS = 300
COUNT_CHUNK = 500  # keys per counting query (SQLite's variable limit is far above)
TOTAL = ""  # the story_key_counts row that counts all articles
_DATING = ("y:", "e:", "o:")


def keys_of(row: Mapping[str, Any]) -> StoryKeys:
    """An article row's story keys (title, text, matched, published_at, first_seen_at)."""
    return story_keys(
        row.get("title"),
        row.get("text"),
        json_list(row.get("matched")),
        row.get("published_at"),
        row.get("first_seen_at"),
        row.get("lang"),
    )


def assign_story(
    db: Database, article_id: int, row: Mapping[str, Any], same_as: int | None = None
) -> int:
    """Put a just-inserted article into its story (a new one if none fits) and return the
    story's id. `row` holds the article's columns (a `duplicate_of` there joins that article's
    story); `same_as` is the article the near-duplicate index found it copies or now heads
    the group of (its story is joined if the article says what that one says)."""
    keys = keys_of(row)
    counts = _key_counts(db, {**keys.weights, **keys.names_view})
    total = counts.get(TOTAL, 0)
    views = Views(
        dict(islice(weigh(keys.weights, counts, total).items(), MAX_KEYS)),
        dict(islice(weigh(keys.names_view, counts, total).items(), MAX_KEYS)),
    )
    vector = views.vector
    original = row.get("duplicate_of") or same_as
    if original is not None:
        # A copy the near-duplicate index found (`same_as`) is checked; one its caller
        # declared (an import, the backfill of stored groups) is taken as it is.
        checked = same_as is not None
        story = _copied_story(db, original, keys, views, counts, checked)
        if story is not None:
            _join(db, story, article_id, row, keys.day)
            return story
    # A story may run on after the article's day (an article published late), at most as
    # long as a story runs.
    days = (STORY_WINDOW_DAYS, STORY_WINDOW_DAYS + STORY_SPAN_DAYS)
    candidates = _candidates(db, views, keys, _story_lookup(views, counts), days)
    choice = choose_story(views, keys.day, keys.editions, candidates)
    if choice.story_id is None:
        story = _new_story(db, row, keys.day)
        db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story, article_id])
        before: dict[str, int] = {}
    else:
        story = choice.story_id
        chosen = next(c for c in candidates if c.story_id == story)
        before = dict(chosen.shared)
        _join(db, story, article_id, row, keys.day)
    _add_keys(db, story, keys, vector, before)
    # A new story may continue a thread; a story joined by a report that names a series
    # (its first reports may not have) may show it does.
    if choice.story_id is None or any(key.startswith("s:") for key in vector):
        _follow_thread(db, story, views, keys)
    return story


def _copied_story(
    db: Database,
    original: int,
    keys: StoryKeys,
    views: Views,
    counts: Mapping[str, int],
    checked: bool = True,
) -> int | None:
    """The story a copy joins: its original's (always, for a copy of the seed or one not
    `checked`), unless the copy does not say what the original says or is dated far from
    its story — then the near-duplicate index took a template for a copy (a ministry's stock
    notice with other names and numbers), and the copy is placed like any article."""
    found = list(
        db.query(
            f"""
            SELECT a.story_id, a.is_seed, a.title, substr(a.text, 1, {LEAD_CHARS}) AS text,
                   a.matched, a.published_at, a.first_seen_at, a.lang,
                   s.first_published_at, s.last_published_at
            FROM articles a JOIN stories s ON s.id = a.story_id WHERE a.id = ?
            """,
            [original],
        )
    )
    if not found:
        return None
    row = found[0]
    story: int = row["story_id"]
    if row["is_seed"] or not checked:
        return story
    theirs = keys_of(row)
    # Without concepts on either side (an original stored unscored), they compare by names.
    with_concepts = _has_concept(theirs.weights) and _has_concept(keys.weights)
    mine = views.vector if with_concepts else views.names
    their_weights = theirs.weights if with_concepts else theirs.names_view
    more = _key_counts(db, [key for key in their_weights if key not in counts])
    other = weigh(their_weights, {**counts, **more}, counts.get(TOTAL, 0))
    first = publication_day(row["first_published_at"], None)
    gap = day_gap(keys.day, first, publication_day(row["last_published_at"], None))
    fits = copy_joins(mine, other, (keys.editions, theirs.editions), gap)
    return story if fits else None


def _has_concept(weights: Mapping[str, float]) -> bool:
    return any(key.startswith("c:") for key in weights)


def _key_counts(db: Database, keys: Iterable[str]) -> dict[str, int]:
    """How many articles have each key (all of them: the rarest are what is kept)."""
    wanted = list(dict.fromkeys([TOTAL, *keys]))
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), COUNT_CHUNK):
        chunk = wanted[start : start + COUNT_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT key, articles FROM story_key_counts WHERE key IN ({marks})"
        counts.update(db.execute(sql, chunk).fetchall())
    return counts


def _candidates(
    db: Database,
    views: Views,
    keys: StoryKeys,
    looked_up: Sequence[str],
    days: tuple[float, float],
) -> list[Candidate]:
    """The stories whose last article falls in `days` (before, after the article's day) and
    that share one of the `looked_up` keys, with what comparing them needs."""
    if keys.day is None or not looked_up:
        return []
    marks = ", ".join("?" for _ in looked_up)
    low = int(keys.day - days[0]) - 1
    high = int(keys.day + days[1]) + 1
    ids = [
        story
        for story, _hits in db.execute(
            f"""
            SELECT story_id, count(*) AS hits FROM story_keys
            WHERE key IN ({marks}) AND last_day BETWEEN ? AND ?
            GROUP BY story_id ORDER BY hits DESC, story_id DESC LIMIT ?
            """,
            [*looked_up, low, high, MAX_CANDIDATES],
        ).fetchall()
    ]
    if not ids:
        return []
    id_marks = ", ".join("?" for _ in ids)
    article_keys = list(dict.fromkeys([*views.vector, *views.names, *keys.editions]))
    key_marks = ", ".join("?" for _ in article_keys)
    shared: dict[int, dict[str, int]] = {story: {} for story in ids}
    editions: dict[int, set[str]] = {story: set() for story in ids}
    for story, key, count in db.execute(
        f"""
        SELECT story_id, key, articles FROM story_keys
        WHERE story_id IN ({id_marks}) AND key IN ({key_marks})
        """,
        [*ids, *article_keys],
    ).fetchall():
        shared[story][key] = count
    for story, key in db.execute(
        f"""
        SELECT story_id, key FROM story_keys WHERE story_id IN ({id_marks})
          AND ((key >= 'e:' AND key < 'e;') OR (key >= 'o:' AND key < 'o;'))
        """,
        ids,
    ).fetchall():
        editions[story].add(key)
    conceptual = {
        story
        for (story,) in db.execute(
            f"""
            SELECT DISTINCT story_id FROM story_keys
            WHERE story_id IN ({id_marks}) AND key >= 'c:' AND key < 'c;'
            """,
            ids,
        ).fetchall()
    }
    rows = db.execute(
        f"""
        SELECT s.id, s.thread_id, s.first_published_at, s.last_published_at,
               coalesce(n.sumsq, 0)
        FROM stories s LEFT JOIN story_norms n ON n.story_id = s.id
        WHERE s.id IN ({id_marks})
        """,
        ids,
    ).fetchall()
    return [
        Candidate(
            story_id=story,
            thread_id=thread or story,
            first_day=publication_day(first, None),
            last_day=publication_day(last, None),
            sumsq=sumsq,
            shared=shared[story],
            editions=frozenset(editions[story]),
            has_concepts=story in conceptual,
        )
        for story, thread, first, last, sumsq in rows
    ]


def _story_lookup(views: Views, counts: Mapping[str, int]) -> list[str]:
    """The keys to look up the stories an article may join by: its most telling ones (in
    either view), leaving out those so common that their stories of a month are many (a
    story the article fits shares its rarer keys too), but never all."""
    common = max(COMMON_KEY_ARTICLES, COMMON_KEY_SHARE * counts.get(TOTAL, 0))
    found: list[str] = []
    for vector in (views.vector, views.names):
        telling = [key for key in vector if not key.startswith(_DATING)]  # most telling first
        rare = [key for key in telling if counts.get(key, 0) <= common]
        found += (rare if len(rare) >= MIN_LOOKUP_KEYS else telling[:MIN_LOOKUP_KEYS])[:LOOKUP_KEYS]
    return list(dict.fromkeys(found))


def _thread_lookup(views: Views) -> list[str]:
    """The keys to look up the threads a story may continue by: the series it names if any
    (another edition links whatever its date); else its rarest names, which a story on the
    same matter must name too (a thread asks for nearly all of them)."""
    both = [*views.vector, *views.names]
    series = [key for key in both if key.startswith("s:")]
    if series:
        return list(dict.fromkeys(series))
    naming = [key for key in views.vector if is_naming(key)][:THREAD_LOOKUP_KEYS]
    names = [key for key in views.names if is_naming(key)][:THREAD_LOOKUP_KEYS]
    return list(dict.fromkeys([*naming, *names]))


def _moment(day: float | None) -> str | None:
    if day is None:
        return None
    return to_iso(datetime.fromtimestamp(day * 86400, UTC))


def _new_story(db: Database, row: Mapping[str, Any], day: float | None) -> int:
    when = _moment(day)
    languages = [row["lang"]] if row.get("lang") else []
    cursor = db.execute(
        """
        INSERT INTO stories (title, first_published_at, last_published_at, article_count,
                             outlet_count, languages)
        VALUES (?, ?, ?, 1, 1, ?)
        """,
        [row.get("title"), when, when, json.dumps(languages)],
    )
    story = cursor.lastrowid
    assert story is not None
    db.execute("UPDATE stories SET thread_id = ? WHERE id = ?", [story, story])
    return story


def _join(
    db: Database, story: int, article_id: int, row: Mapping[str, Any], day: float | None
) -> None:
    """Count the article in its story: articles, outlets, languages, dates, headline."""
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story, article_id])
    found = db.execute(
        "SELECT first_published_at, last_published_at, languages FROM stories WHERE id = ?",
        [story],
    ).fetchone()
    first, last, languages_json = found
    new_outlet = (
        db.execute(
            "SELECT 1 FROM articles WHERE story_id = ? AND source = ? AND id != ? LIMIT 1",
            [story, row.get("source"), article_id],
        ).fetchone()
        is None
    )
    languages = json_list(languages_json)
    lang = row.get("lang")
    if lang and lang not in languages:
        languages.append(lang)
    when = _moment(day)
    if when is not None:
        first = min(first, when) if first else when
        last = max(last, when) if last else when
    db.execute(
        """
        UPDATE stories SET article_count = article_count + 1, outlet_count = outlet_count + ?,
               languages = ?, first_published_at = ?, last_published_at = ?
        WHERE id = ?
        """,
        [int(new_outlet), json.dumps(languages), first, last, story],
    )
    if row.get("duplicate_of") is None and row.get("title"):
        _choose_title(db, story)


def retitle_story_of(db: Database, article_id: int) -> None:
    """Choose the headline of the article's story again (its title was edited)."""
    row = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is not None and row[0] is not None:
        _choose_title(db, row[0])


def _choose_title(db: Database, story: int) -> None:
    """The story's headline: its earliest original report in English, else its earliest."""
    db.execute(
        """
        UPDATE stories SET title = coalesce((
            SELECT title FROM articles
            WHERE story_id = :story AND duplicate_of IS NULL AND coalesce(title, '') != ''
            ORDER BY coalesce(lang, '') = 'en' DESC, coalesce(published_at, first_seen_at), id
            LIMIT 1), title)
        WHERE id = :story
        """,
        {"story": story},
    )


def _add_keys(
    db: Database,
    story: int,
    keys: StoryKeys,
    vector: Mapping[str, float],
    before: Mapping[str, int],
) -> None:
    """The article's keys into its story's vector, and into the counts that make rarity."""
    day = int(keys.day) if keys.day is not None else 0
    stored = [*vector, *keys.editions]
    db.conn.executemany(
        """
        INSERT INTO story_keys (story_id, key, articles, last_day) VALUES (?, ?, 1, ?)
        ON CONFLICT (story_id, key) DO UPDATE
        SET articles = articles + 1, last_day = max(last_day, excluded.last_day)
        """,
        [(story, key, day) for key in stored],
    )
    db.execute(
        """
        INSERT INTO story_norms (story_id, sumsq) VALUES (?, ?)
        ON CONFLICT (story_id) DO UPDATE SET sumsq = sumsq + excluded.sumsq
        """,
        [story, sumsq_growth(vector, before)],
    )
    db.conn.executemany(
        """
        INSERT INTO story_key_counts (key, articles) VALUES (?, 1)
        ON CONFLICT (key) DO UPDATE SET articles = articles + 1
        """,
        [(key,) for key in [TOTAL, *vector]],
    )


def _follow_thread(db: Database, story: int, views: Views, keys: StoryKeys) -> None:
    """Link the story's thread with another thread this article shows it continues: an
    earlier (or later) edition of the series it names, or a story on the same matter."""
    thread = db.execute("SELECT thread_id FROM stories WHERE id = ?", [story]).fetchone()[0]
    days = (THREAD_WINDOW_DAYS, THREAD_WINDOW_DAYS)
    found = _candidates(db, views, keys, _thread_lookup(views), days)
    candidates = [c for c in found if c.thread_id != thread]
    choice = choose_thread(views, keys.day, candidates)
    if choice.story_id is not None:
        other = next(c for c in candidates if c.story_id == choice.story_id)
        join_threads(db, thread, other.thread_id)


def join_threads(db: Database, one: int, other: int) -> int:
    """Make two threads one; its id is its earliest story's (the contract of thread_id)."""
    root = db.execute(
        """
        SELECT id FROM stories WHERE thread_id IN (?, ?)
        ORDER BY coalesce(first_published_at, '9999'), id LIMIT 1
        """,
        [one, other],
    ).fetchone()[0]
    db.execute("UPDATE stories SET thread_id = ? WHERE thread_id IN (?, ?)", [root, one, other])
    return int(root)


def backfill_stories(db: Database, batch: int = 200) -> int:
    """Give every article without a story its story, as if they were stored now one by one,
    oldest first (copies after the originals they join). Returns how many were placed."""
    rows = db.execute(
        "SELECT id, published_at, first_seen_at, duplicate_of FROM articles WHERE story_id IS NULL"
    ).fetchall()
    order = sorted(
        rows,
        key=lambda r: (r[3] is not None, publication_day(r[1], r[2]) or 0.0, r[0]),
    )
    ids = [r[0] for r in order]
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        marks = ", ".join("?" for _ in chunk)
        found = {
            row["id"]: row
            for row in db.query(
                f"""
                SELECT id, title, substr(text, 1, {LEAD_CHARS}) AS text, matched, published_at,
                       first_seen_at, source, lang, duplicate_of
                FROM articles WHERE id IN ({marks})
                """,
                chunk,
            )
        }
        for article_id in chunk:
            assign_story(db, article_id, found[article_id])
    return len(ids)


# -- reads ---------------------------------------------------------------------------------

_STORY_COLUMNS = """
    s.id, s.title, s.first_published_at, s.last_published_at, s.article_count,
    s.outlet_count, s.languages, s.thread_id
"""


def _story(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "languages": json_list(row.get("languages"))}


class Stories:
    """What the CLI and the digest read about stories and threads."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @wraps_errors
    def get(self, story_id: int) -> dict[str, Any] | None:
        rows = list(
            self.db.query(f"SELECT {_STORY_COLUMNS} FROM stories s WHERE s.id = ?", [story_id])
        )
        return _story(rows[0]) if rows else None

    @wraps_errors
    def seed_story(self) -> int | None:
        """The story of the seed article (None on a database without one)."""
        found = self.db.execute(
            "SELECT story_id FROM articles WHERE is_seed = 1 ORDER BY id LIMIT 1"
        ).fetchone()
        return found[0] if found else None

    @wraps_errors
    def thread(self, story_id: int) -> list[dict[str, Any]]:
        """The stories of this story's thread, first published first."""
        return [
            _story(row)
            for row in self.db.query(
                f"""
                SELECT {_STORY_COLUMNS} FROM stories s
                WHERE s.thread_id = (SELECT thread_id FROM stories WHERE id = ?)
                ORDER BY s.first_published_at, s.id
                """,
                [story_id],
            )
        ]

    @wraps_errors
    def articles(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The articles of these stories, first published first (then first stored)."""
        if not story_ids:
            return []
        marks = ", ".join("?" for _ in story_ids)
        return list(
            self.db.query(
                f"""
                SELECT id, story_id, title, source, lang, url, published_at, first_seen_at,
                       duplicate_of, relevant, relevance, is_seed
                FROM articles WHERE story_id IN ({marks})
                ORDER BY coalesce(published_at, first_seen_at), id
                """,
                list(story_ids),
            )
        )

    @wraps_errors
    def listing(
        self, since: str | None = None, relevant_only: bool = False, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Stories last published at or after `since` (all if None), latest first;
        `relevant_only`: those with at least one relevant article (or the seed)."""
        where = ["1 = 1"]
        params: dict[str, Any] = {"limit": limit}
        if since is not None:
            where.append("s.last_published_at >= :since")
            params["since"] = since
        if relevant_only:
            where.append(
                "EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id "
                "AND (a.relevant = 1 OR a.is_seed = 1))"
            )
        return [
            _story(row)
            for row in self.db.query(
                f"""
                SELECT {_STORY_COLUMNS},
                       (SELECT count(*) FROM stories t WHERE t.thread_id = s.thread_id)
                           AS thread_stories
                FROM stories s WHERE {" AND ".join(where)}
                ORDER BY s.last_published_at DESC, s.id DESC LIMIT :limit
                """,
                params,
            )
        ]

    @wraps_errors
    def weekly_counts(self, story_ids: Sequence[int]) -> list[tuple[str, int]]:
        """Articles of these stories per week (Monday's date), by publication date; as for
        their stories, a date later than a day after the article was first seen is wrong
        (storykeys.publication_day), and when it was first seen counts instead."""
        if not story_ids:
            return []
        marks = ", ".join("?" for _ in story_ids)
        rows = self.db.execute(
            f"""
            SELECT date(CASE WHEN published_at IS NULL
                               OR julianday(published_at) > julianday(first_seen_at) + 1
                             THEN first_seen_at ELSE published_at END,
                        'weekday 0', '-6 days') AS week,
                   count(*)
            FROM articles WHERE story_id IN ({marks})
            GROUP BY week HAVING week IS NOT NULL ORDER BY week
            """,
            list(story_ids),
        ).fetchall()
        return [(week, count) for week, count in rows]

    @wraps_errors
    def for_digest(self, story_ids: Iterable[int], since: str) -> dict[int, dict[str, Any]]:
        """For each story: its row, `seed_thread` (it is on the seed's thread) and `update`:
        the story or its thread was in an earlier digest (a relevant article of the thread,
        first seen before `since`, fell in a recorded digest's period) — the seed's thread
        always is, the seed being every digest's reference."""
        ids = sorted(set(story_ids))
        if not ids:
            return {}
        params: dict[str, Any] = {f"id{n}": value for n, value in enumerate(ids)}
        params["since"] = since
        named = ", ".join(f":id{n}" for n in range(len(ids)))
        result = {}
        for row in self.db.query(
            f"""
            SELECT {_STORY_COLUMNS},
                   coalesce(s.thread_id = (SELECT t.thread_id FROM stories t
                                           JOIN articles a ON a.story_id = t.id
                                           WHERE a.is_seed = 1 LIMIT 1), 0) AS seed_thread,
                   EXISTS (
                       SELECT 1 FROM stories t
                       JOIN articles a ON a.story_id = t.id
                       JOIN digests d ON a.first_seen_at >= d.since AND a.first_seen_at < d.until
                       WHERE t.thread_id = s.thread_id AND a.first_seen_at < :since
                         AND a.relevant = 1
                   ) AS shown_before
            FROM stories s WHERE s.id IN ({named})
            """,
            params,
        ):
            story = _story(row)
            story["seed_thread"] = bool(story["seed_thread"])
            story["update"] = story["seed_thread"] or bool(story.pop("shown_before"))
            result[story["id"]] = story
        return result
