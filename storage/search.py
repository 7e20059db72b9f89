"""Search that meets words the way relevance does: "exercise" finds "exercises", "Oymasha"
finds "Оймаша", "telimler" finds "təlimlər".

Each article carries `search_keys`, indexed with its title and text: every word's keys from
`textkeys` (folded and in Latin letters, and its English, Turkish and Russian stems). A query
typed as words looks for each word as typed or by any of its keys.
"""

import re
from collections.abc import Mapping, Sequence

from storage.errors import SearchQueryError
from storage.searchkeys import keys_of, search_keys
from storage.sqlite_import import Database
from textkeys import tokenize

# Characters and words that make a query use FTS5 syntax on purpose.
FTS_SYNTAX = re.compile(r'["()*:^+]|\b(AND|OR|NOT|NEAR)\b')


def _either(forms: Sequence[str]) -> str:
    return "(" + " OR ".join(f'"{form}"' for form in dict.fromkeys(forms)) + ")"


def _word_match(typed: str) -> str:
    """One typed word: as typed, or each of its parts ("Tyub-Karagan": tyub, karagan) by one
    of its keys."""
    parts = [_either(keys_of(part)) for part in tokenize(typed) if keys_of(part)]
    if not parts:
        return _either([typed])
    return f'("{typed}" OR ({" AND ".join(parts)}))'


def match_expression(query: str) -> str:
    """A query typed as words, in FTS5 terms: each word found as typed (quoted, so
    "Tyub-Karagan" or "S-400" work) or by one of its keys; a word with a leading minus
    excluded ("Aktau -drill"). A query already in FTS5 syntax is taken as it is."""
    if FTS_SYNTAX.search(query):
        return query
    words = typed_words(query)
    wanted = [_word_match(typed) for typed, excluded in words if not excluded]
    unwanted = [_word_match(typed) for typed, excluded in words if excluded]
    return " AND ".join(wanted) + "".join(f" NOT {words}" for words in unwanted)


def typed_words(query: str) -> list[tuple[str, bool]]:
    """The words of a query typed as words, each with whether a leading minus excludes it;
    raises SearchQueryError when no word is left to look for."""
    words = []
    for word in query.split():
        excluded = word.startswith("-") and len(word) > 1
        typed = word.lstrip("-" if excluded else "").replace('"', "")
        if typed:
            words.append((typed, excluded))
    if all(excluded for _typed, excluded in words):
        raise SearchQueryError(f"search query {query!r} has no word to look for")
    return words


def concept_conditions(
    query: str, concepts: Mapping[str, Sequence[str]]
) -> tuple[str, list[str], str] | None:
    """A query typed as words, as SQL over `articles`: each word found by the full-text
    index (as match_expression finds it) or among the profile concepts relevance matched in
    the article (`concepts`: typed word -> concept ids, "place:Kazakhstan"), so that a name
    finds its articles in every language and script; a -word leaves out both. None when no
    word names a concept, or the query is in FTS5 syntax (taken as it is). Also an FTS5
    expression matching any wanted word, for ranking and snippets."""
    if FTS_SYNTAX.search(query) or not any(concepts.values()):
        return None
    clauses: list[str] = []
    params: list[str] = []
    wanted: list[str] = []
    for typed, excluded in typed_words(query):
        clause = "articles.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        match = _word_match(typed)
        params.append(match)
        if not excluded:
            wanted.append(match)
        named = list(concepts.get(typed, ()))
        if named:
            marks = ", ".join("?" for _ in named)
            clause += (
                " OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(articles.matched) "
                f"THEN articles.matched ELSE '[]' END) WHERE value IN ({marks}))"
            )
            params.extend(named)
        clauses.append(f"{'NOT ' if excluded else ''}({clause})")
    return " AND ".join(clauses), params, " OR ".join(wanted)


_BACKFILL_BATCH = 500


def index_stored_articles(db: Database) -> int:
    """Give every article without search keys its keys (after the migration that adds them);
    return how many were given."""
    done = 0
    last_id = 0
    while True:
        rows = db.execute(
            "SELECT id, title, text FROM articles WHERE id > ? AND search_keys IS NULL "
            "ORDER BY id LIMIT ?",
            [last_id, _BACKFILL_BATCH],
        ).fetchall()
        if not rows:
            return done
        db.conn.executemany(
            "UPDATE articles SET search_keys = ? WHERE id = ?",
            [(search_keys(title, text), article_id) for article_id, title, text in rows],
        )
        done += len(rows)
        last_id = rows[-1][0]
