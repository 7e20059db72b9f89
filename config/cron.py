"""Crontab lines: validation with the configuration, and weekdays counted as crontab does.

The one table of weekday names: config validation reads it, and so does the daemon, which
turns crontab weekday numbers into names for APScheduler (APScheduler 3 counts 0 as Monday,
crontab as Sunday).
"""

import re

# Day-of-week names by crontab number (0 and 7 are Sunday).
CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# minute, hour, day of month, month, day of week
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_CRON_NAMES: tuple[dict[str, int], ...] = (
    {},
    {},
    {},
    {name: number for number, name in enumerate(_MONTHS, start=1)},
    {name: number for number, name in enumerate(CRON_WEEKDAYS)},
)
_CRON_ITEM = re.compile(r"^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?$")


def _cron_value(text: str, position: int) -> int | None:
    if text.isdigit():
        return int(text)
    return _CRON_NAMES[position].get(text)


def is_valid_cron(value: str) -> bool:
    """Five crontab fields, every value within its field's range."""
    fields = value.lower().split()
    if len(fields) != 5:
        return False
    for position, field_text in enumerate(fields):
        low, high = _CRON_RANGES[position]
        for item in field_text.split(","):
            match = _CRON_ITEM.match(item)
            if match is None or match.group(2) == "0":
                return False
            if match.group(1) == "*":
                continue
            bounds = [_cron_value(part, position) for part in match.group(1).split("-")]
            if any(bound is None or not low <= bound <= high for bound in bounds):
                return False
            if len(bounds) == 2 and bounds[0] > bounds[1]:  # type: ignore[operator]
                return False
    return True


def weekday_names(field: str) -> str:
    """A crontab day-of-week field (already validated) as day names ("mon,tue"), so that a
    scheduler counting from Monday fires on the days crontab would; "*" stays "*"."""
    if field == "*":
        return field
    days: list[str] = []
    for item in field.lower().split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        else:
            ends = [_weekday_number(part) for part in span.split("-")]
            first, last = ends[0], ends[-1]
        for number in range(first, last + 1, step):
            name = CRON_WEEKDAYS[number % 7]
            if name not in days:
                days.append(name)
    return ",".join(days)


def _weekday_number(text: str) -> int:
    return int(text) if text.isdigit() else CRON_WEEKDAYS.index(text[:3])
