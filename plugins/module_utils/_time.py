# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.

"""The one time parser: "now", "+15m", "-7d", "1h30m" and ISO 8601 to aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import TimeParseError

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# At most 15 digits a unit: int() refuses very long digit strings, and nothing needs more.
_DURATION_RE = re.compile(r"^(?:(\d{1,15})w)?(?:(\d{1,15})d)?(?:(\d{1,15})h)?(?:(\d{1,15})m)?(?:(\d{1,15})s)?$")
_RELATIVE_RE = re.compile(r"^(?:now)?\s*([+-])?\s*((?:\d+[wdhms])+)$")
# Written out by hand because datetime.fromisoformat() only learnt "Z" and most ISO 8601 forms in
# Python 3.11, and module code must run on the older Pythons ansible-core still supports.
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)

# Bounds that keep every sum of a time and a duration inside what datetime can hold; no status page needs more.
MIN_YEAR = 1900
MAX_YEAR = 9000
MAX_DURATION = timedelta(days=36525)

EXPECTED_FORMS = "an ISO 8601 time such as 2026-05-01T02:00:00Z, 'now', or an offset from now such as +15m, -7d or 1h30m"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_duration(value, option: str = "duration", allow_zero: bool = False) -> timedelta:
    """'30m', '1h30m', '2d', '90s' or a number of seconds to a timedelta."""
    if isinstance(value, timedelta):
        delta = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            delta = timedelta(seconds=value)
        except (OverflowError, ValueError):
            raise TimeParseError(f"{option}: {value!r} is not a duration in seconds") from None
    else:
        text = str(value).strip().lower().replace(" ", "")
        match = _DURATION_RE.match(text) if text else None
        if match is None or not any(match.groups()):
            raise TimeParseError(
                f"{option}: {value!r} is not a duration; use a number of weeks, days, hours, minutes and seconds "
                "such as 30m, 2h, 1h30m or 1d"
            )
        weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        try:
            delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
        except OverflowError:
            delta = timedelta.max
    if delta > MAX_DURATION:
        raise TimeParseError(f"{option}: {value!r} is longer than 100 years")
    if delta < timedelta(0):
        raise TimeParseError(f"{option}: {value!r} is negative; a duration must be positive")
    if delta == timedelta(0) and not allow_zero:
        raise TimeParseError(f"{option}: {value!r} is zero; a duration must be positive")
    return delta


def is_relative(value) -> bool:
    """True for 'now' and offsets from now, which are pinned when an object is created."""
    if isinstance(value, datetime):
        return False
    text = str(value).strip().lower()
    return text == "now" or bool(_RELATIVE_RE.match(text))


def parse_time(value, option: str = "time", now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (naive means UTC), 'now', or an offset such as +15m or -7d."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, (bool, int, float)) or value is None:
        raise TimeParseError(f"{option}: {value!r} is not a time; use {EXPECTED_FORMS}")
    text = str(value).strip()
    if not text:
        raise TimeParseError(f"{option}: an empty string is not a time; use {EXPECTED_FORMS}")
    lowered = text.lower()
    reference = now if now is not None else utcnow()
    if lowered == "now":
        return reference
    relative = _RELATIVE_RE.match(lowered)
    if relative:
        sign, amount = relative.groups()
        delta = parse_duration(amount, option, allow_zero=True)
        return _within_bounds(reference - delta if sign == "-" else reference + delta, value, option)
    iso = _ISO_RE.match(text)
    if iso is None:
        raise TimeParseError(f"{option}: {value!r} is not a time; use {EXPECTED_FORMS}")
    year, month, day, hour, minute, second, fraction, offset = iso.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          microsecond, tzinfo=_parse_offset(offset))
    except ValueError as exc:
        raise TimeParseError(f"{option}: {value!r} is not a valid date or time ({exc})") from None
    return _within_bounds(parsed, value, option).astimezone(timezone.utc)


def parse_api_time(value, field: str) -> datetime:
    """A time from an API answer: RFC 3339 only, never 'now' or an offset, which would move with the clock."""
    if not isinstance(value, str) or _ISO_RE.match(value.strip()) is None:
        raise TimeParseError(f"{field}: {value!r} is not an RFC 3339 time")
    return parse_time(value, option=field)


def _within_bounds(value: datetime, given, option: str) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise TimeParseError(f"{option}: {given!r} is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return value


def _parse_offset(offset: str | None) -> timezone:
    if offset is None or offset in ("Z", "z"):
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"UTC offset {offset} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a Z, as the API writes times; sub-second precision is kept only when present."""
    value = parse_time(value)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_time(value: str | None) -> str | None:
    """An API timestamp rewritten in the collection's one format, so that equal times compare equal."""
    if value is None:
        return None
    return format_time(parse_time(value, option="API time"))


class RequestedWindow:
    """The start and end a task asks for, and whether each is a fixed time (absolute) or one taken from now."""

    def __init__(self, start: datetime, start_absolute: bool, end: datetime | None, end_absolute: bool):
        self.start = start
        self.start_absolute = start_absolute
        self.end = end
        self.end_absolute = end_absolute


def requested_window(start_at, end_at=None, duration=None, now: datetime | None = None,
                     whole_seconds: bool = False) -> RequestedWindow:
    """The window of ``start_at`` and ``end_at`` or ``duration`` (the end is None when neither is given).

    Relative times ("now", "+15m") are taken from ``now``; with ``whole_seconds`` they are cut to whole seconds,
    for an API that may keep fewer digits than the clock gives. The end given by a duration is fixed only when
    the start is.
    """
    reference = now if now is not None else utcnow()

    def resolved(value, option):
        absolute = not is_relative(value)
        moment = parse_time(value, option=option, now=reference)
        return (moment if absolute or not whole_seconds else moment.replace(microsecond=0)), absolute

    start, start_absolute = resolved(start_at, "start_at")
    end, end_absolute = None, False
    if end_at is not None:
        end, end_absolute = resolved(end_at, "end_at")
        if end <= start:
            raise TimeParseError(f"end_at ({format_time(end)}) must be after start_at ({format_time(start)})")
    elif duration is not None:
        end = start + parse_duration(duration, option="duration")
        end_absolute = start_absolute
    return RequestedWindow(start, start_absolute, end, end_absolute)
