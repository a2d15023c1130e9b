# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.

"""Pure views of the API's incident and maintenance objects, shared by the modules (no I/O here)."""

from __future__ import annotations

import hashlib

from ansible_collections.incident_io.status_page.plugins.module_utils._time import normalize_time, parse_time


def maintenance_window(maintenance: dict) -> tuple:
    """(start_at, end_at) of a maintenance window.

    The API has no top-level start/end on a maintenance: the window only shows in the per-component
    maintenance periods, so the window is their earliest start and latest end.
    """
    periods = maintenance.get("component_maintenance_periods") or []
    starts = [parse_time(p["start_at"], "start_at") for p in periods if p.get("start_at")]
    ends = [parse_time(p["end_at"], "end_at") for p in periods if p.get("end_at")]
    start_at = normalize_time(min(starts)) if starts else None
    end_at = normalize_time(max(ends)) if ends else None
    return start_at, end_at


def with_window(maintenance: dict) -> dict:
    """The maintenance with top-level start_at and end_at taken from its component periods."""
    start_at, end_at = maintenance_window(maintenance)
    result = dict(maintenance)
    result["start_at"] = start_at
    result["end_at"] = end_at
    return result


def latest_update(obj: dict) -> dict | None:
    """The most recently published update; the API's order of updates is not documented, so sort."""
    updates = obj.get("updates") or []
    if not updates:
        return None
    return max(enumerate(updates), key=lambda pair: (parse_time(pair[1].get("published_at") or "1970-01-01"), pair[0]))[1]


def occurrence_key(status_page_id: str, kind: str, name: str, closed_ids) -> str:
    """The idempotency_key of the next occurrence of a named incident or maintenance window.

    Concurrent runs and retries see the same closed occurrences, so they derive the same key and the API
    replays one object to all of them. Once that object is resolved or completed it joins the closed set,
    and the next occurrence gets a new key.
    """
    material = "\n".join([status_page_id, kind, name] + sorted(closed_ids))
    return "ansible-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]
