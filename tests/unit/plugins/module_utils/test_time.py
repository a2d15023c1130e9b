# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    TimeParseError,
    format_time,
    is_relative,
    normalize_time,
    parse_duration,
    parse_time,
    requested_window,
)

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("now", NOW),
    ("NOW", NOW),
    ("+15m", NOW + timedelta(minutes=15)),
    ("-7d", NOW - timedelta(days=7)),
    ("1h30m", NOW + timedelta(hours=1, minutes=30)),
    ("now+2h", NOW + timedelta(hours=2)),
    ("now - 1w", NOW - timedelta(weeks=1)),
    ("+45s", NOW + timedelta(seconds=45)),
    ("2026-05-02T02:00:00Z", datetime(2026, 5, 2, 2, tzinfo=timezone.utc)),
    ("2026-05-02T02:00:00+02:00", datetime(2026, 5, 2, 0, tzinfo=timezone.utc)),
    ("2026-05-02T02:00:00-0130", datetime(2026, 5, 2, 3, 30, tzinfo=timezone.utc)),
    ("2026-05-02T02:00:00", datetime(2026, 5, 2, 2, tzinfo=timezone.utc)),
    ("2026-05-02 02:00", datetime(2026, 5, 2, 2, tzinfo=timezone.utc)),
    ("2026-05-02", datetime(2026, 5, 2, tzinfo=timezone.utc)),
    ("2021-08-17T13:28:57.801578Z", datetime(2021, 8, 17, 13, 28, 57, 801578, tzinfo=timezone.utc)),
    ("2021-08-17T13:28:57.801578123Z", datetime(2021, 8, 17, 13, 28, 57, 801578, tzinfo=timezone.utc)),
])
def test_accepted_forms_give_aware_utc(text, expected):
    parsed = parse_time(text, "start_at", now=NOW)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_datetime_objects_are_made_aware_utc():
    assert parse_time(datetime(2026, 1, 1, 10)) == datetime(2026, 1, 1, 10, tzinfo=timezone.utc)
    paris = timezone(timedelta(hours=1))
    assert parse_time(datetime(2026, 1, 1, 10, tzinfo=paris)) == datetime(2026, 1, 1, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, fragment", [
    ("", "empty string"),
    ("yesterday", "is not a time"),
    ("30", "is not a time"),
    ("2026-13-01T00:00:00Z", "not a valid date"),
    ("2026-02-30", "not a valid date"),
    ("2026-05-01T25:00:00Z", "not a valid date"),
    ("2026-05-01T02:00:00+25:00", "not a valid date"),
    ("+15x", "is not a time"),
    ("15 minutes", "is not a time"),
])
def test_rejected_times_name_the_option(text, fragment):
    with pytest.raises(TimeParseError) as caught:
        parse_time(text, "end_at", now=NOW)
    assert str(caught.value).startswith("end_at: ")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("30m", timedelta(minutes=30)),
    ("2h", timedelta(hours=2)),
    ("1h30m", timedelta(minutes=90)),
    ("1d", timedelta(days=1)),
    ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
    ("90S", timedelta(seconds=90)),
    (600, timedelta(minutes=10)),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("0m", "is zero"),
    (0, "is zero"),
    ("-5m", "is not a duration"),
    (-5, "is negative"),
    ("soon", "is not a duration"),
    ("", "is not a duration"),
    ("5", "is not a duration"),
    ("m", "is not a duration"),
])
def test_rejected_durations_name_the_option(text, fragment):
    with pytest.raises(TimeParseError) as caught:
        parse_duration(text, "duration")
    assert str(caught.value).startswith("duration: ")
    assert fragment in str(caught.value)


def test_relative_detection():
    assert is_relative("now") and is_relative("+15m") and is_relative("1h30m") and is_relative("-7d")
    assert not is_relative("2026-05-01T00:00:00Z") and not is_relative(NOW)


def test_format_and_normalize():
    assert format_time(datetime(2026, 5, 1, 2, tzinfo=timezone.utc)) == "2026-05-01T02:00:00Z"
    assert format_time(datetime(2026, 5, 1, 2, 0, 0, 5000, tzinfo=timezone.utc)) == "2026-05-01T02:00:00.005000Z"
    assert normalize_time("2026-05-01T04:00:00+02:00") == "2026-05-01T02:00:00Z"
    assert normalize_time(None) is None


def test_requested_window_fixed_and_relative():
    now = datetime(2026, 5, 1, 10, 0, 0, 750000, tzinfo=timezone.utc)
    fixed = requested_window("2026-05-01T12:00:00+02:00", duration="1h", now=now)
    assert (fixed.start, fixed.start_absolute) == (datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc), True)
    assert (fixed.end, fixed.end_absolute) == (datetime(2026, 5, 1, 11, 0, tzinfo=timezone.utc), True)
    relative = requested_window("+15m", end_at="2026-05-01T11:00:00Z", now=now)
    assert relative.start == now + timedelta(minutes=15) and relative.start_absolute is False and relative.end_absolute
    whole = requested_window("now", duration="30m", now=now, whole_seconds=True)
    assert whole.start == now.replace(microsecond=0) and whole.end == whole.start + timedelta(minutes=30)
    assert whole.end_absolute is False
    assert requested_window("now", now=now).end is None


def test_requested_window_refuses_an_end_before_its_start():
    with pytest.raises(TimeParseError, match=r"^end_at \(2026-05-01T09:00:00Z\) must be after start_at"):
        requested_window("2026-05-01T10:00:00Z", end_at="2026-05-01T09:00:00Z")
