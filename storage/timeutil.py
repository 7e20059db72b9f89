"""Timestamps as stored: UTC, ISO 8601, second precision, ending in "Z" (sortable as text)."""

from datetime import UTC, datetime


def to_iso(moment: datetime) -> str:
    """Format a datetime as stored; naive datetimes are taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Not strftime: glibc writes year 1 as "1", and stored times must sort as text.
    moment = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return moment.isoformat() + "Z"


def utc_now() -> str:
    return to_iso(datetime.now(UTC))


def from_iso(text: str) -> datetime:
    """Parse a stored timestamp (or any ISO 8601 string) into an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
