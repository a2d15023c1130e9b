# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import TimeParseError
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    EXPECTED_FORMS,
    format_time,
    is_relative,
    normalize_time,
    parse_api_time,
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


@pytest.mark.parametrize("value, message", [
    ("", "start_at: an empty string is not a time; use " + EXPECTED_FORMS),
    (None, "start_at: None is not a time; use " + EXPECTED_FORMS),
    (True, "start_at: True is not a time; use " + EXPECTED_FORMS),
    (1.5, "start_at: 1.5 is not a time; use " + EXPECTED_FORMS),
    ("next week", "start_at: 'next week' is not a time; use " + EXPECTED_FORMS),
    ("2026-02-30", "start_at: '2026-02-30' is not a valid date or time (day is out of range for month)"),
    ("2026-05-01T02:00:00+24:00", "start_at: '2026-05-01T02:00:00+24:00' is not a valid date or time (UTC offset "
                                  "+24:00 is out of range)"),
    ("2026-05-01T02:00:00+05:60", "start_at: '2026-05-01T02:00:00+05:60' is not a valid date or time (UTC offset "
                                  "+05:60 is out of range)"),
    ("1899-12-31T23:59:59Z", "start_at: '1899-12-31T23:59:59Z' is outside the years 1900 to 9000"),
    ("9001-01-01T00:00:00Z", "start_at: '9001-01-01T00:00:00Z' is outside the years 1900 to 9000"),
    ("+99999w", "start_at: '99999w' is longer than 100 years"),
])
def test_time_messages(value, message):
    with pytest.raises(TimeParseError) as caught:
        parse_time(value, "start_at", now=NOW)
    assert str(caught.value) == message


def test_a_relative_time_outside_the_years_names_what_was_given():
    with pytest.raises(TimeParseError) as caught:
        parse_time("+2d", "end_at", now=datetime(9000, 12, 31, tzinfo=timezone.utc))
    assert str(caught.value) == "end_at: '+2d' is outside the years 1900 to 9000"


@pytest.mark.parametrize("text, expected", [
    ("1900-01-01T00:00:00Z", datetime(1900, 1, 1, tzinfo=timezone.utc)),
    ("9000-12-31T23:00:00-00:59", datetime(9000, 12, 31, 23, 59, tzinfo=timezone.utc)),
    ("2026-05-01t02:00:00z", datetime(2026, 5, 1, 2, tzinfo=timezone.utc)),
    ("2026-05-01T02:00:00.5+0530", datetime(2026, 4, 30, 20, 30, 0, 500000, tzinfo=timezone.utc)),
    ("2026-05-01T02:00:00-05", datetime(2026, 5, 1, 7, tzinfo=timezone.utc)),
    ("2026-05-01T02:00:00+23:59", datetime(2026, 4, 30, 2, 1, tzinfo=timezone.utc)),
    ("+0m", NOW),
])
def test_edges_of_what_is_accepted(text, expected):
    assert parse_time(text, now=NOW) == expected


def test_times_are_in_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert format_time(parse_time("2026-05-01T10:00:00+02:00")) == "2026-05-01T08:00:00Z"
        assert format_time(parse_time(datetime(2026, 5, 1, 10, tzinfo=timezone(timedelta(hours=2))))) == (
            "2026-05-01T08:00:00Z")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("value, message", [
    (float("nan"), "duration: nan is not a duration in seconds"),
    (1e20, "duration: 1e+20 is not a duration in seconds"),
    ("soon", "duration: 'soon' is not a duration; use a number of weeks, days, hours, minutes and seconds such as 30m, "
             "2h, 1h30m or 1d"),
    ("36526d", "duration: '36526d' is longer than 100 years"),
    ("999999999999999w", "duration: '999999999999999w' is longer than 100 years"),
    ("0s", "duration: '0s' is zero; a duration must be positive"),
    (timedelta(minutes=-1), "duration: datetime.timedelta(days=-1, seconds=86340) is negative; a duration must be "
                            "positive"),
])
def test_duration_messages(value, message):
    with pytest.raises(TimeParseError) as caught:
        parse_duration(value)
    assert str(caught.value) == message


@pytest.mark.parametrize("value, expected", [
    (timedelta(minutes=5), timedelta(minutes=5)),
    ("1h 30m", timedelta(minutes=90)),
    ("36525d", timedelta(days=36525)),
])
def test_more_durations(value, expected):
    assert parse_duration(value) == expected


@pytest.mark.parametrize("value, message", [
    ("now", "field: 'now' is not an RFC 3339 time"),
    (5, "field: 5 is not an RFC 3339 time"),
    ("2026-02-30T00:00:00Z", "field: '2026-02-30T00:00:00Z' is not a valid date or time (day is out of range for "
                             "month)"),
])
def test_api_times_are_rfc_3339_only(value, message):
    with pytest.raises(TimeParseError) as caught:
        parse_api_time(value, "field")
    assert str(caught.value) == message


def test_an_api_time_that_cannot_be_normalised_names_it():
    with pytest.raises(TimeParseError, match="^API time: 'soon' is not a time"):
        normalize_time("soon")
