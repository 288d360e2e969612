"""The one way govledger writes a time: UTC, ``YYYY-MM-DDTHH:MM:SSZ``.

Block times, record dates, report and CLI output all go through these two
functions. This module imports nothing of the project's own.
"""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(value: datetime) -> str:
    """Render a datetime in the one canonical form ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).

    A naive datetime is taken as UTC.
    """
    v = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


#: The range of UNIX times a calendar date can be written for (years 1 to 9999).
_FIRST = int(datetime(1, 1, 1, tzinfo=UTC).timestamp())
_LAST = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def format_timestamp(seconds: int | float) -> str:
    """A UNIX time (a block time) in the same form as :func:`format_time`.

    A time no calendar date can hold (a contract's uint64 can say year 2 billion) is
    written as the number it is, ``UNIX time N``, rather than failing.
    """
    whole = int(seconds)
    if not _FIRST <= whole <= _LAST:
        return f"UNIX time {whole}"
    return format_time(datetime.fromtimestamp(whole, UTC))
