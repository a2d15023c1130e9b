# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    latest_update,
    maintenance_window,
    occurrence_key,
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
