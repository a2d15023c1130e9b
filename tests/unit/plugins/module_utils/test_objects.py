# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import ShapeError
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    MAX_EXCERPT_LENGTH,
    check_answer,
    check_shape,
    describe_json,
    excerpt,
    is_api_id,
    latest_update,
    maintenance_window,
    occurrence_key,
    unique_by_id,
    with_window,
)


def test_window_spans_every_component_period():
    maintenance = {"component_maintenance_periods": [
        {"component_id": "A", "start_at": "2026-05-01T03:00:00+01:00", "end_at": "2026-05-01T05:00:00Z"},
        {"component_id": "B", "start_at": "2026-05-01T02:30:00Z", "end_at": "2026-05-01T04:00:00.000000Z"},
    ]}
    assert maintenance_window(maintenance) == ("2026-05-01T02:00:00Z", "2026-05-01T05:00:00Z")
    decorated = with_window(maintenance)
    assert decorated["start_at"] == "2026-05-01T02:00:00Z" and "start_at" not in maintenance


def test_window_of_an_ongoing_or_empty_maintenance():
    assert maintenance_window({"component_maintenance_periods": [{"component_id": "A", "start_at": "2026-05-01T02:00:00Z"}]}) == (
        "2026-05-01T02:00:00Z", None)
    assert maintenance_window({}) == (None, None)


def test_latest_update_sorts_by_publication_not_list_order():
    updates = [
        {"id": "new", "published_at": "2026-05-01T10:00:00Z"},
        {"id": "old", "published_at": "2026-05-01T09:00:00Z"},
    ]
    assert latest_update({"updates": updates})["id"] == "new"
    assert latest_update({"updates": list(reversed(updates))})["id"] == "new"
    assert latest_update({"updates": []}) is None


def test_latest_update_same_second_keeps_the_later_entry():
    updates = [{"id": "first", "published_at": "2026-05-01T10:00:00Z"}, {"id": "second", "published_at": "2026-05-01T10:00:00Z"}]
    assert latest_update({"updates": updates})["id"] == "second"


def test_occurrence_key_is_stable_and_moves_on_with_each_closed_occurrence():
    first = occurrence_key("P1", "maintenance", "Deploy", [])
    assert first == occurrence_key("P1", "maintenance", "Deploy", [])
    assert first.startswith("ansible-") and len(first) == len("ansible-") + 40
    second = occurrence_key("P1", "maintenance", "Deploy", ["M1"])
    assert second != first
    assert occurrence_key("P1", "maintenance", "Deploy", ["M2", "M1"]) == occurrence_key("P1", "maintenance", "Deploy", ["M1", "M2"])
    assert occurrence_key("P1", "incident", "Deploy", []) != first
    assert occurrence_key("P2", "maintenance", "Deploy", []) != first


@pytest.mark.parametrize("value, described", [
    ({}, "an object"), ([], "a list"), ("", "a string"), (True, "true"), (False, "false"), (0, "a number"),
    (1.5, "a number"), (None, "null"),
])
def test_json_types_in_words(value, described):
    assert describe_json(value) == described


@pytest.mark.parametrize("value, shown", [
    ("short", "short"),
    ("  lines\n\tand  spaces ", "lines and spaces"),
    ({"b": 1, "a": [1, "x"]}, '{"a": [1, "x"], "b": 1}'),
    ({"when": datetime(2026, 5, 1, tzinfo=timezone.utc)}, '{"when": "2026-05-01 00:00:00+00:00"}'),
    ("x" * MAX_EXCERPT_LENGTH, "x" * MAX_EXCERPT_LENGTH),
    ("x" * (MAX_EXCERPT_LENGTH + 1), "x" * (MAX_EXCERPT_LENGTH - 3) + "..."),
])
def test_excerpts_of_answers(value, shown):
    assert excerpt(value) == shown


@pytest.mark.parametrize("value, is_id", [
    ("01JB5A7Z3KJ4W5M6N7P8Q9R0SV", True), ("a", True), ("", False), ("a b", False), ("a/b", False), ("Ä", False),
    ("a\n", False), (None, False), (7, False),
])
def test_api_ids(value, is_id):
    assert is_api_id(value) is is_id


def _odd(value):
    """A reader that refuses what a shape cannot say."""
    if value["n"] % 2:
        raise ValueError(f"n: {value['n']} is odd")


@pytest.mark.parametrize("value, shape, problem", [
    ("x", "boolean", "where is a string, not true or false"),
    (0, "boolean", "where is a number, not true or false"),
    (True, "string", "where is true, not a string"),
    ("a b", "id", "where 'a b' is not an incident.io ID (letters and digits)"),
    ("now", "time", "where 'now' is not an RFC 3339 time"),
    ("2026-02-30T00:00:00Z", "time", "where '2026-02-30T00:00:00Z' is not an RFC 3339 time"),
    ({}, ("list", "string"), "where is an object, not a list"),
    (["a", 1], ("list", "string"), "where[1] is a number, not a string"),
    ([], ("object", ()), "where is a list, not an object"),
    ({"a": None}, ("object", (("a", "string", True),)), "where has no a"),
    ({"b": 1}, ("object", (("a", "string", True), ("b", "string", False))), "where has no a"),
    ({"a": "x", "b": 1}, ("object", (("a", "string", True), ("b", "string", False))), "where.b is a number, not a string"),
    ("1", "integer", "where is a string, not a whole number"),
    (1.5, "integer", "where is a number, not a whole number"),
    (False, "integer", "where is false, not a whole number"),
    ({"n": 3}, ("read", (("object", (("n", "integer", True),)), _odd)), "where.n: 3 is odd"),
    ({"n": "3"}, ("read", (("object", (("n", "integer", True),)), _odd)), "where.n is a string, not a whole number"),
    ([{"n": 2}, {"n": 1}], ("list", ("read", (("object", (("n", "integer", True),)), _odd))), "where[1].n: 1 is odd"),
])
def test_shapes_refused(value, shape, problem):
    with pytest.raises(ShapeError) as caught:
        check_shape(value, shape, "where")
    assert str(caught.value) == problem


@pytest.mark.parametrize("value, shape", [
    (True, "boolean"), ("x", "string"), ("A1", "id"), ("2026-05-01T10:00:00.5+02:00", "time"), ([], ("list", "id")),
    (["A", "B"], ("list", "id")), ({}, ("object", (("a", "string", False),))),
    ({"a": None, "b": "x", "extra": [1]}, ("object", (("a", "string", False), ("b", "string", True)))),
    (0, "integer"), (-5, "integer"), ({"n": 2}, ("read", (("object", (("n", "integer", True),)), _odd))),
])
def test_shapes_accepted(value, shape):
    assert check_shape(value, shape, "where") is None


def test_answers_are_checked_under_the_name_they_came_in():
    statuses = [{"component_id": "C1", "component_status": "x"}]
    incident = {"id": "I1", "updates": [{"message": "m", "component_statuses": statuses}]}
    assert check_answer("status_page_incident", incident) is incident
    with pytest.raises(ShapeError, match="^status_page_incidents\\[0\\] has no id$"):
        check_answer("status_page_incidents", [{}])
    with pytest.raises(ShapeError, match="^elsewhere has no id$"):
        check_answer("status_page_maintenance", {}, "elsewhere")


def test_an_object_listed_twice_is_kept_once_where_it_first_appears():
    first, second, again = {"id": "A", "n": 1}, {"id": "B"}, {"id": "A", "n": 2}
    assert unique_by_id([first, second, again]) == [first, second]
    assert unique_by_id([]) == []
