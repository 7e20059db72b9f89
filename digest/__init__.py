"""Digests: what is new since the last one, ranked and grouped, as text, Markdown, HTML, JSON
and Atom, written to files, printed or mailed. Reads the database through `storage` only.

    from digest import run_scheduled_digest
    run_scheduled_digest(config, storage, scheduled_at=fire_time)
"""

from digest.run import (
    DigestError,
    DigestResult,
    MailReport,
    collect_digest,
    is_digested,
    run_digest,
    run_scheduled_digest,
)

__all__ = [
    "DigestError",
    "DigestResult",
    "MailReport",
    "collect_digest",
    "is_digested",
    "run_digest",
    "run_scheduled_digest",
]
