# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.

"""The API's model: what its answers must hold, and pure views of its objects (no I/O here)."""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    TimeParseError,
    normalize_time,
    parse_api_time,
    parse_time,
)

# The API's IDs are opaque, but every ID it has ever issued is letters and digits (26-character ULIDs today).
# Anything else must never reach a URL path, where '/', '?', '#' or '..' would address another resource.
_API_ID_RE = re.compile(r"[A-Za-z0-9]+")
MAX_EXCERPT_LENGTH = 200


def is_api_id(value) -> bool:
    return isinstance(value, str) and bool(_API_ID_RE.fullmatch(value))


class ShapeError(ValueError):
    """An answer lacks what the collection relies on, or holds it as another JSON type."""


def describe_json(value) -> str:
    """The JSON type of a value, in words."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def excerpt(value) -> str:
    """A short rendering of an answer, for messages."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = " ".join(text.split())
    return text if len(text) <= MAX_EXCERPT_LENGTH else text[:MAX_EXCERPT_LENGTH - 3] + "..."


# What an answer must hold, as data: "string", "id" (an API ID), "time" (RFC 3339) and "boolean" are values;
# ("list", shape) is a list of that shape; ("object", fields) is an object whose fields are (name, shape, required).
# Absent and null count as missing: optional fields may be left out, as the API leaves them out; the required ones
# are those without which the collection cannot tell what the object is.
_COMPONENT_STATUS = ("object", (("component_id", "string", True), ("component_status", "string", True)))


def _update(status_field: str) -> tuple:
    return ("object", (
        ("published_at", "time", False),
        ("message", "string", False),
        (status_field, "string", False),
        ("component_statuses", ("list", _COMPONENT_STATUS), False),
    ))


_INCIDENT_UPDATE = _update("incident_status")
_MAINTENANCE_UPDATE = _update("maintenance_status")
_INCIDENT = ("object", (
    ("id", "id", True),
    ("status_page_id", "id", False),
    ("name", "string", False),
    ("published_at", "time", False),
    ("incident_status", "string", False),
    ("updates", ("list", _INCIDENT_UPDATE), False),
    ("component_impacts", ("list", ("object", (
        ("component_id", "string", True),
        ("component_status", "string", True),
        ("start_at", "time", False),
        ("end_at", "time", False),
    ))), False),
))
_MAINTENANCE = ("object", (
    ("id", "id", True),
    ("status_page_id", "id", False),
    ("name", "string", False),
    ("published_at", "time", False),
    ("maintenance_status", "string", False),
    ("automate_maintenance_status", "boolean", False),
    ("updates", ("list", _MAINTENANCE_UPDATE), False),
    ("component_maintenance_periods", ("list", ("object", (
        ("component_id", "string", True),
        ("start_at", "time", False),
        ("end_at", "time", False),
    ))), False),
))
_STRUCTURE_COMPONENT = ("object", (("component_id", "string", True), ("name", "string", True),
                                   ("hidden", "boolean", False)))
_STRUCTURE_GROUP = ("object", (
    ("id", "string", False),
    ("name", "string", True),
    ("hidden", "boolean", False),
    ("components", ("list", _STRUCTURE_COMPONENT), False),
))
_STRUCTURE_SUB_PAGE = ("object", (
    ("id", "string", False),
    ("name", "string", True),
    ("items", ("list", ("object", (("component", _STRUCTURE_COMPONENT, False), ("group", _STRUCTURE_GROUP, False)))),
     False),
))
_STRUCTURE_ITEM = ("object", (
    ("component", _STRUCTURE_COMPONENT, False),
    ("group", _STRUCTURE_GROUP, False),
    ("sub_page", _STRUCTURE_SUB_PAGE, False),
))

# What each kind of answer must hold, by the name the API wraps it in.
ANSWER_SHAPES = {
    "status_page_incident": _INCIDENT,
    "status_page_incidents": ("list", _INCIDENT),
    "status_page_incident_update": _INCIDENT_UPDATE,
    "status_page_maintenance": _MAINTENANCE,
    "status_page_maintenances": ("list", _MAINTENANCE),
    "status_page_maintenance_update": _MAINTENANCE_UPDATE,
    "status_pages": ("list", ("object", (("id", "string", True), ("name", "string", False)))),
    "structure": ("object", (("current_structure", ("object", (("items", ("list", _STRUCTURE_ITEM), False),)), True),)),
}


def check_answer(kind: str, value, where: str | None = None):
    """``value`` if it holds what the collection relies on for ``kind``; otherwise a ShapeError saying what not."""
    check_shape(value, ANSWER_SHAPES[kind], where or kind)
    return value


def check_shape(value, shape, where: str) -> None:
    """Raise a ShapeError naming the first place where ``value`` does not have ``shape``."""
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list":
            if not isinstance(value, list):
                raise ShapeError(f"{where} is {describe_json(value)}, not a list")
            for index, item in enumerate(value):
                check_shape(item, inner, f"{where}[{index}]")
            return
        if not isinstance(value, dict):
            raise ShapeError(f"{where} is {describe_json(value)}, not an object")
        for name, field_shape, required in inner:
            if value.get(name) is not None:
                check_shape(value[name], field_shape, f"{where}.{name}")
            elif required:
                raise ShapeError(f"{where} has no {name}")
        return
    if shape == "boolean":
        if not isinstance(value, bool):
            raise ShapeError(f"{where} is {describe_json(value)}, not true or false")
        return
    if not isinstance(value, str):
        raise ShapeError(f"{where} is {describe_json(value)}, not a string")
    if shape == "id" and not is_api_id(value):
        raise ShapeError(f"{where} {excerpt(value)!r} is not an incident.io ID (letters and digits)")
    if shape == "time":
        try:
            parse_api_time(value, where)
        except TimeParseError:
            raise ShapeError(f"{where} {excerpt(value)!r} is not an RFC 3339 time") from None


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
