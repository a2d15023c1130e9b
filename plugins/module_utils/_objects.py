# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.

"""The API's model: what its answers must hold, and pure views of its incidents, maintenances and alert maintenance
windows (no I/O here)."""

from __future__ import annotations

import copy
import hashlib
import json
import re

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import ShapeError, TimeParseError
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    format_time,
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


# What an answer must hold, as data: "string", "id" (an API ID), "time" (RFC 3339), "boolean" and "integer" are
# values; ("list", shape) is a list of that shape; ("object", fields) is an object whose fields are (name, shape,
# required); ("read", (shape, read)) is a value of that shape that read() also accepts (it raises ValueError for what
# it cannot use), for rules a shape cannot say, such as "a literal or a reference".
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


def _status_page_object(status_field: str, *own_fields) -> tuple:
    """An incident or a maintenance window: what both carry, then the fields of their own."""
    return ("object", (
        ("id", "id", True),
        ("status_page_id", "id", False),
        ("name", "string", False),
        ("published_at", "time", False),
        (status_field, "string", False),
        ("updates", ("list", _update(status_field)), False),
    ) + own_fields)


_COMPONENT_ID = ("component_id", "string", True)
_PERIOD = (("start_at", "time", False), ("end_at", "time", False))
_INCIDENT = _status_page_object(
    "incident_status",
    ("component_impacts", ("list", ("object", (_COMPONENT_ID, ("component_status", "string", True)) + _PERIOD)), False))
_MAINTENANCE = _status_page_object(
    "maintenance_status",
    ("automate_maintenance_status", "boolean", False),
    ("component_maintenance_periods", ("list", ("object", (_COMPONENT_ID,) + _PERIOD)), False))
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
        if kind == "read":
            inner_shape, read = inner
            check_shape(value, inner_shape, where)
            try:
                read(value)
            except ValueError as exc:
                raise ShapeError(f"{where}.{exc}") from None
            return
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
    if shape == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShapeError(f"{where} is {describe_json(value)}, not a whole number")
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


def unique_by_id(objects: list) -> list:
    """Each object once, where it first appears: a list read page by page may show an object twice, and a structure
    may place a component twice, but it is still one object."""
    unique = []
    seen = set()
    for obj in objects:
        if obj.get("id") not in seen:
            seen.add(obj.get("id"))
            unique.append(obj)
    return unique


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


# ----- status page incidents and maintenance windows: limits, vocabularies, views ----------------------------

MAX_NAME_LENGTH = 200
MAX_MESSAGE_LENGTH = 4096
MAX_UPDATES = 100

INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"]
RESOLVED = "resolved"
OPERATIONAL = "operational"
UNDER_MAINTENANCE = "under_maintenance"
# What an incident may set a component to; under_maintenance is for maintenance windows only.
INCIDENT_COMPONENT_STATUSES = [OPERATIONAL, "degraded_performance", "partial_outage", "full_outage"]

SCHEDULED = "maintenance_scheduled"
IN_PROGRESS = "maintenance_in_progress"
COMPLETE = "maintenance_complete"
MAINTENANCE_STATUS_BY_STATE = {"scheduled": SCHEDULED, "in_progress": IN_PROGRESS, "completed": COMPLETE}
MAINTENANCE_STATE_BY_STATUS = {status: state for state, status in MAINTENANCE_STATUS_BY_STATE.items()}
MAINTENANCE_STATUS_ORDER = {SCHEDULED: 0, IN_PROGRESS: 1, COMPLETE: 2}
# What a window's components show after an update that moves it to a status.
COMPONENT_STATUS_BY_MAINTENANCE_STATUS = {SCHEDULED: OPERATIONAL, IN_PROGRESS: UNDER_MAINTENANCE}


def same_message(first, second) -> bool:
    """Messages compare equal when only line endings or surrounding blank space differ.

    YAML block scalars end with a newline that the text on the page does not show.
    """
    def normalized(text):
        return None if text is None else text.replace("\r\n", "\n").strip()
    return normalized(first) == normalized(second)


def last_activity(obj: dict):
    """When an incident or window last changed, to pick the most recent of several closed occurrences."""
    latest = latest_update(obj) or {}
    moments = [value for value in (latest.get("published_at"), obj.get("published_at")) if value]
    return max(parse_time(value, option="API time") for value in moments) if moments else parse_time("1970-01-01")


def component_statuses(incident: dict) -> dict:
    """The current status of every component the incident has touched, by component ID.

    component_impacts is the API's timeline of non-operational periods, whose ongoing entries have no end_at,
    so it says what each component's status is now, however the updates list their component_statuses. Whether
    an update lists every affected component or only the changed ones is undocumented: replaying the updates
    oldest first is right under both readings, and it covers components the timeline never mentions.
    """
    statuses = {}
    updates = sorted(enumerate(incident.get("updates") or []),
                     key=lambda pair: (parse_time(pair[1].get("published_at") or "1970-01-01"), pair[0]))
    for _index, update in updates:
        if update.get("incident_status") == RESOLVED:
            statuses = dict.fromkeys(statuses, OPERATIONAL)
        for entry in update.get("component_statuses") or []:
            statuses[entry["component_id"]] = entry["component_status"]
    ongoing = {}
    for impact in incident.get("component_impacts") or []:
        component_id = impact["component_id"]
        statuses.setdefault(component_id, OPERATIONAL)
        if not impact.get("end_at"):
            started = parse_time(impact.get("start_at") or "1970-01-01")
            if component_id not in ongoing or started >= ongoing[component_id][0]:
                ongoing[component_id] = (started, impact["component_status"])
    impacted = {impact["component_id"] for impact in incident.get("component_impacts") or []}
    for component_id in impacted:
        statuses[component_id] = ongoing[component_id][1] if component_id in ongoing else OPERATIONAL
    if incident.get("incident_status") == RESOLVED:
        # The API sets every component to operational on resolve.
        statuses = dict.fromkeys(statuses, OPERATIONAL)
    return statuses


def window_component_ids(maintenance: dict) -> list:
    """IDs of the components a window covers, in the API's order, without repeats."""
    ids = []
    for period in maintenance.get("component_maintenance_periods") or []:
        if period.get("component_id") and period["component_id"] not in ids:
            ids.append(period["component_id"])
    if not ids:
        latest = latest_update(maintenance) or {}
        for entry in latest.get("component_statuses") or []:
            if entry.get("component_id") and entry["component_id"] not in ids:
                ids.append(entry["component_id"])
    return ids


def incident_after_update(incident: dict, body: dict, update: dict | None, now: str) -> dict:
    """The incident as it is after ``body`` was published (``update`` is the API's answer, if any)."""
    result = copy.deepcopy(incident)
    status = body.get("incident_status") or result.get("incident_status")
    published_at = (update or {}).get("published_at") or now
    if update is None:
        update = {
            "id": None, "status_page_incident_id": result.get("id"), "published_at": published_at,
            "message": body["message"], "incident_status": status,
            "component_statuses": list(body.get("component_statuses") or []),
        }
    result["updates"] = list(result.get("updates") or []) + [update]
    result["incident_status"] = status
    impacts = [dict(impact) for impact in result.get("component_impacts") or []]
    if status == RESOLVED:
        changes = {impact["component_id"]: OPERATIONAL for impact in impacts}
    else:
        changes = {entry["component_id"]: entry["component_status"] for entry in body.get("component_statuses") or []}
    for component_id, component_status in changes.items():
        for impact in impacts:
            if impact["component_id"] == component_id and not impact.get("end_at"):
                impact["end_at"] = published_at
        if component_status != OPERATIONAL:
            impacts.append({"component_id": component_id, "component_status": component_status,
                            "start_at": published_at})
    result["component_impacts"] = impacts
    return result


def maintenance_from_create(body: dict, now) -> dict:
    """The window a create body would open, as the API would answer it: for check mode, where nothing is sent."""
    opened = {"id": None, "status_page_id": body["status_page_id"], "name": body["name"],
              "published_at": format_time(now), "maintenance_status": body["maintenance_status"],
              "automate_maintenance_status": body["automate_maintenance_status"], "updates": [],
              "component_maintenance_periods": [{"component_id": cid, "start_at": body["start_at"],
                                                 "end_at": body["end_at"]} for cid in body["affected_component_ids"]]}
    status = UNDER_MAINTENANCE if body["maintenance_status"] == IN_PROGRESS else OPERATIONAL
    return maintenance_after_update(opened, {"message": body["message"], "component_statuses": [
        {"component_id": cid, "component_status": status} for cid in body["affected_component_ids"]]}, now)


def maintenance_after_reschedule(current: dict, put_body: dict) -> dict:
    """The window after a PUT of its name and schedule: every component's period moves."""
    after = copy.deepcopy(current)
    after["name"] = put_body["name"]
    for period in after.get("component_maintenance_periods") or []:
        period["start_at"] = put_body["start_at"]
        period["end_at"] = put_body["end_at"]
    return after


def maintenance_after_update(current: dict, body: dict, now, update=None) -> dict:
    """The window with an update appended: the one the API answered with, or the predicted one."""
    after = copy.deepcopy(current)
    status = body.get("maintenance_status") or current.get("maintenance_status")
    if update is None:
        last = latest_update(current) or {}
        statuses = {entry["component_id"]: entry["component_status"]
                    for entry in last.get("component_statuses") or [] if entry.get("component_id")}
        if status == COMPLETE:
            statuses = {component_id: OPERATIONAL for component_id in statuses or window_component_ids(current)}
        for entry in body.get("component_statuses") or []:
            statuses[entry["component_id"]] = entry["component_status"]
        update = {
            "id": None,
            "status_page_maintenance_id": current["id"],
            "published_at": format_time(now),
            "message": body["message"],
            "maintenance_status": status,
            "component_statuses": [{"component_id": cid, "component_status": cs} for cid, cs in statuses.items()],
        }
    after["maintenance_status"] = update.get("maintenance_status") or status
    after["updates"] = list(after.get("updates") or []) + [update]
    if "maintenance_status" in body:
        # Publishing a status change by hand ends incident.io's automation of the window.
        after["automate_maintenance_status"] = False
    return after


# ----- alert maintenance windows (MaintenanceWindows V1) ---------------------------------------------------
#
# The API accepts a window in one shape and answers in another: a condition's subject is sent as a reference and
# comes back as {label, reference}, its operation as a value and back as {label, value}, binding values come back
# with labels, and the lead is sent as a user reference (email, ID or Slack user ID) and comes back as an actor.
# Everything below reads either shape and reduces it to one normal form, so that the module compares like with like.

ALERT_WINDOW_STATES = ("present", "ended", "absent")
# The list's status filter, as the API defines it from the window's times.
ALERT_WINDOW_STATUSES = ("active", "upcoming", "past")
ARCHIVED = "archived"
LEAD_KINDS = ("id", "email", "slack_user_id")
# What the API answers that a payload never carries: labels, the channel's privacy, read-only timestamps.
ALERT_WINDOW_READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "archived_at")
ALERT_WINDOW_OPTIONAL_FIELDS = ("incident_id", "notification_message", "notify_start_minutes_before",
                                "notify_end_minutes_before")
ALERT_WINDOW_FLAGS = ("resolve_on_end", "reroute_on_end", "show_in_sidebar")

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Slack user IDs are a U or W and upper-case letters and digits (U02AYNF2XJM); incident.io IDs are longer ULIDs.
_SLACK_USER_RE = re.compile(r"^[UW][A-Z0-9]{6,15}$")


def lead_reference(value: str, option: str = "lead") -> dict:
    """The API's user reference for a lead given as an email address, an incident.io user ID or a Slack user ID."""
    text = (value or "").strip()
    if _EMAIL_RE.match(text):
        return {"email": text}
    if _SLACK_USER_RE.match(text):
        return {"slack_user_id": text}
    if is_api_id(text) and len(text) >= 20:
        return {"id": text}
    raise ValueError(
        f"{option}: {value!r} is not a user's email address, incident.io user ID (such as 01G0J1EXE7AXZ2C93K61WBPYEH) "
        "or Slack user ID (such as U02AYNF2XJM)")


def lead_user(window: dict) -> dict:
    """The lead of a window as {id, email, slack_user_id} (what is known), from an answer or a payload."""
    lead = window.get("lead")
    if not isinstance(lead, dict):
        return {}
    if isinstance(lead.get("user"), dict):
        user = lead["user"]
    elif any(kind in lead for kind in LEAD_KINDS):
        # A payload's user reference.
        user = lead
    else:
        # An actor that is not a user: an API key, a workflow or an alert.
        user = {}
    return {kind: user[kind] for kind in LEAD_KINDS if isinstance(user.get(kind), str) and user[kind]}


def lead_matches(reference: dict, window: dict):
    """True or False when the window's lead is (not) the referenced user; None when the answer cannot tell.

    The answer's user may lack the email or Slack ID the reference names (both are optional in the API's
    user object), and then the two cannot be compared.
    """
    current = lead_user(window)
    verdicts = []
    for kind, value in reference.items():
        if kind not in current:
            continue
        same = current[kind].lower() == value.lower() if kind == "email" else current[kind] == value
        verdicts.append(same)
    if not verdicts:
        return None
    return all(verdicts)


def describe_lead(window: dict, prefer: tuple = ("email", "slack_user_id", "id")):
    """One readable value for a window's lead, for diffs: the first known of ``prefer``."""
    user = lead_user(window)
    for kind in prefer:
        if user.get(kind):
            return user[kind]
    lead = window.get("lead") if isinstance(window.get("lead"), dict) else {}
    for actor in ("api_key", "workflow"):
        if isinstance(lead.get(actor), dict):
            return f"{actor} {lead[actor].get('name') or lead[actor].get('id')}"
    return None


def _check_keys(value, allowed: tuple, path: str, required: tuple = (), from_answer: bool = False) -> dict:
    """The mapping, checked to have the required keys and, unless it comes from an answer, no others.

    An answer may carry fields the API added after this was written: they are no part of a payload, so they are
    left out rather than refused. A task's own keys are checked, so that a misspelt one is not ignored.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{path}: must be a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - set(allowed))
    if unknown and not from_answer:
        raise ValueError(f"{path}: unknown key {unknown[0]!r}; expected {', '.join(allowed)}")
    for name in required:
        if value.get(name) is None:
            raise ValueError(f"{path}.{name}: is required")
    return value


def _text(value, path: str, keys: tuple = (), from_answer: bool = False) -> str:
    """A string, or the one of ``keys`` that an answer's labelled object carries it in."""
    if isinstance(value, dict) and keys:
        _check_keys(value, keys + ("label",), path, from_answer=from_answer)
        value = next((value[key] for key in keys if value.get(key) is not None), None)
    if not isinstance(value, str) or not value.strip():
        shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
        # YAML reads an unquoted 5 or yes as a number or a boolean; an empty string needs no such hint.
        hint = "" if value is None or isinstance(value, str) else " (quote numbers and booleans in YAML)"
        raise ValueError(f"{path}: must be a non-empty string, got {shown}{hint}")
    return value


def _binding_value(value, path: str, from_answer: bool = False) -> dict:
    _check_keys(value, ("literal", "reference", "label"), path, from_answer=from_answer)
    result = {}
    for key in ("literal", "reference"):
        if value.get(key) is not None:
            if not isinstance(value[key], str):
                raise ValueError(f"{path}.{key}: must be a string, got {type(value[key]).__name__} {value[key]!r} "
                                 "(quote numbers and booleans in YAML)")
            result[key] = value[key]
    if not result:
        raise ValueError(f"{path}: needs a literal or a reference")
    return result


def binding_payload(binding, path: str, from_answer: bool = False) -> dict:
    """A parameter binding without labels: {value: {literal|reference}} and/or {array_value: [...]}."""
    _check_keys(binding, ("value", "array_value"), path, from_answer=from_answer)
    result = {}
    if binding.get("value") is not None:
        result["value"] = _binding_value(binding["value"], f"{path}.value", from_answer)
    if binding.get("array_value") is not None:
        array = [_binding_value(item, item_path, from_answer)
                 for item_path, item in _listed(binding["array_value"], f"{path}.array_value", "values")]
        if array:
            result["array_value"] = array
    if not result:
        raise ValueError(f"{path}: needs a value or a non-empty array_value")
    return result


def _listed(value, option: str, shape: str) -> list:
    """(path, item) for each item of a list option, or an error that names the option and the expected shape."""
    if not isinstance(value, list):
        raise ValueError(f"{option}: must be a list of {shape}")
    return [(f"{option}[{index}]", item) for index, item in enumerate(value)]


def _canonical(item) -> str:
    return json.dumps(item, sort_keys=True)


def condition_groups_payload(groups, option: str = "conditions", from_answer: bool = False) -> list:
    """Condition groups in the API's payload shape, in a stable order, from the payload or the answer shape.

    Groups are alternatives and the conditions of a group all apply, so neither order means anything and both are
    sorted; the bindings of a condition are the operation's parameters, in order.
    """
    result = []
    for group_path, group in _listed(groups, option, "condition groups, each {conditions: [...]}"):
        _check_keys(group, ("conditions",), group_path, required=("conditions",), from_answer=from_answer)
        if not isinstance(group["conditions"], list) or not group["conditions"]:
            raise ValueError(f"{group_path}.conditions: must be a non-empty list of conditions, each "
                             "{subject, operation, param_bindings}")
        conditions = []
        for path, condition in _listed(group["conditions"], f"{group_path}.conditions", "conditions"):
            _check_keys(condition, ("subject", "operation", "param_bindings"), path, required=("subject", "operation"),
                        from_answer=from_answer)
            # Left out, a condition has no parameters (is_set, for example).
            bindings = condition.get("param_bindings")
            conditions.append({
                "subject": _text(condition["subject"], f"{path}.subject", ("reference",), from_answer),
                "operation": _text(condition["operation"], f"{path}.operation", ("value",), from_answer),
                "param_bindings": [binding_payload(binding, binding_path, from_answer) for binding_path, binding in _listed(
                    [] if bindings is None else bindings, f"{path}.param_bindings", "parameter bindings")],
            })
        result.append({"conditions": sorted(conditions, key=_canonical)})
    return sorted(result, key=_canonical)


def escalation_targets_payload(targets, option: str = "escalation_targets", from_answer: bool = False) -> list:
    """Escalation targets ({escalation_paths, users} bindings) without labels, in a stable order."""
    result = []
    for path, target in _listed(targets, option, "{escalation_paths, users} targets"):
        _check_keys(target, ("escalation_paths", "users"), path, from_answer=from_answer)
        cleaned = {part: binding_payload(target[part], f"{path}.{part}", from_answer)
                   for part in ("escalation_paths", "users") if target.get(part) is not None}
        if not cleaned:
            raise ValueError(f"{path}: needs escalation_paths or users")
        result.append(cleaned)
    return sorted(result, key=_canonical)


def notify_channels_payload(channels, option: str = "notify_channels", from_answer: bool = False) -> list:
    """Notify channels as the payload takes them, in a stable order."""
    result = []
    for path, channel in _listed(channels, option, "{channel_id, channel_type, channel_name} channels"):
        _check_keys(channel, ("channel_id", "channel_type", "channel_name", "is_private"), path, from_answer=from_answer)
        cleaned = {"channel_id": _text(channel.get("channel_id"), f"{path}.channel_id"),
                   "channel_type": _text(channel.get("channel_type"), f"{path}.channel_type")}
        # An answer's empty channel name is only a missing label.
        if channel.get("channel_name") is not None and not (from_answer and channel["channel_name"] == ""):
            cleaned["channel_name"] = _text(channel["channel_name"], f"{path}.channel_name")
        result.append(cleaned)
    return sorted(result, key=lambda channel: (channel["channel_id"], channel["channel_type"]))


def _channel_identity(channels: list) -> list:
    # A channel's name is only its human-readable label, which the API may fill in or refresh from Slack.
    return [{"channel_id": c["channel_id"], "channel_type": c["channel_type"]} for c in channels]


def alert_window_normal_form(window: dict) -> dict:
    """The fields of a window that a task manages, in one form whatever shape the window came in.

    The lead is left out: a reference and an actor are compared with lead_matches.
    """
    def listed(name, normalize):
        value = window.get(name)
        return normalize(value, name, from_answer=True) if value else []
    return {
        "name": window.get("name"),
        "start_at": normalize_time(window.get("start_at")),
        "end_at": normalize_time(window.get("end_at")),
        "conditions": listed("alert_condition_groups", condition_groups_payload),
        "escalation_targets": listed("escalation_targets", escalation_targets_payload),
        "notify_channels": _channel_identity(listed("notify_channels", notify_channels_payload)),
        "incident_id": window.get("incident_id") or None,
        "notification_message": window.get("notification_message") or None,
        "notify_start_minutes_before": window.get("notify_start_minutes_before"),
        "notify_end_minutes_before": window.get("notify_end_minutes_before"),
        "resolve_on_end": bool(window.get("resolve_on_end")),
        "reroute_on_end": bool(window.get("reroute_on_end")),
        "show_in_sidebar": bool(window.get("show_in_sidebar")),
    }


def alert_window_payload(window: dict) -> dict:
    """The create/update payload that describes an answered window, lead by the user's ID when it has one.

    The update replaces the whole window, so changing one field means sending every other one as it is.
    """
    payload = {
        "name": window.get("name"),
        "start_at": normalize_time(window.get("start_at")),
        "end_at": normalize_time(window.get("end_at")),
        "alert_condition_groups": condition_groups_payload(window.get("alert_condition_groups") or [],
                                                           "alert_condition_groups", from_answer=True),
        "show_in_sidebar": bool(window.get("show_in_sidebar")),
        "resolve_on_end": bool(window.get("resolve_on_end")),
        "reroute_on_end": bool(window.get("reroute_on_end")),
    }
    user = lead_user(window)
    if user:
        payload["lead"] = {"id": user["id"]} if "id" in user else user
    if window.get("escalation_targets"):
        payload["escalation_targets"] = escalation_targets_payload(window["escalation_targets"], from_answer=True)
    if window.get("notify_channels"):
        payload["notify_channels"] = notify_channels_payload(window["notify_channels"], from_answer=True)
    for name in ALERT_WINDOW_OPTIONAL_FIELDS:
        if window.get(name) not in (None, ""):
            payload[name] = window[name]
    return payload


def alert_window_status(window: dict, now) -> str:
    """archived, or active, upcoming or past by this host's clock, as the API's status filter defines them."""
    if window.get("archived_at"):
        return ARCHIVED
    end_at = window.get("end_at")
    if end_at and parse_time(end_at, "end_at") <= now:
        return "past"
    start_at = window.get("start_at")
    if start_at and now < parse_time(start_at, "start_at"):
        return "upcoming"
    return "active"


def predicted_alert_window(payload: dict, current: dict | None = None, now=None) -> dict:
    """The window the API would answer with after a create (``current`` None) or an update, for check mode.

    Labels are not known before the API answers: the prediction uses the references themselves.
    """
    def labelled(binding):
        result = {}
        if "value" in binding:
            result["value"] = dict(binding["value"], label=binding["value"].get("literal") or binding["value"].get("reference"))
        if binding.get("array_value"):
            result["array_value"] = [dict(item, label=item.get("literal") or item.get("reference"))
                                     for item in binding["array_value"]]
        return result

    stamp = normalize_time(now) if now is not None else None
    window = {key: value for key, value in (current or {}).items() if key in ALERT_WINDOW_READ_ONLY_FIELDS}
    window.setdefault("id", None)
    window.setdefault("created_at", stamp)
    window["updated_at"] = stamp
    # The lead stays the answered actor when the change keeps it; a new lead is only known by its reference.
    keeps_lead = bool(current) and lead_matches(payload.get("lead") or {}, current) is True
    window.update({
        "name": payload["name"],
        "lead": copy.deepcopy(current["lead"]) if keeps_lead else {"user": dict(payload.get("lead") or {})},
        "start_at": payload["start_at"],
        "end_at": payload["end_at"],
        "alert_condition_groups": [
            {"conditions": [{"subject": {"label": c["subject"], "reference": c["subject"]},
                             "operation": {"label": c["operation"], "value": c["operation"]},
                             "param_bindings": [labelled(b) for b in c["param_bindings"]]}
                            for c in group["conditions"]]}
            for group in payload["alert_condition_groups"]],
        "resolve_on_end": bool(payload.get("resolve_on_end")),
        "reroute_on_end": bool(payload.get("reroute_on_end")),
        "show_in_sidebar": bool(payload.get("show_in_sidebar")),
    })
    if payload.get("escalation_targets"):
        window["escalation_targets"] = [{part: labelled(target[part]) for part in target}
                                        for target in payload["escalation_targets"]]
    if payload.get("notify_channels"):
        window["notify_channels"] = [dict(channel) for channel in payload["notify_channels"]]
    for name in ALERT_WINDOW_OPTIONAL_FIELDS:
        if payload.get(name) is not None:
            window[name] = payload[name]
    return window


# What an alert maintenance window answer must hold. A change is a PUT of the whole window, built from the answer, so
# everything a PUT sends back must be readable: the schedule, the conditions and the flags, and the optional fields
# in their types. The lead may be missing or not a user (a change then asks for one). Defined here, after the
# reduction that reads the conditions, targets and channels the way the module compares them.
_BINDING_VALUE = ("object", (("literal", "string", False), ("reference", "string", False), ("label", "string", False)))
_BINDING = ("object", (("value", _BINDING_VALUE, False), ("array_value", ("list", _BINDING_VALUE), False)))
_CONDITION = ("object", (
    ("subject", ("object", (("reference", "string", True), ("label", "string", False))), True),
    ("operation", ("object", (("value", "string", True), ("label", "string", False))), True),
    ("param_bindings", ("list", _BINDING), False),
))
_NAMED_ACTOR = ("object", (("id", "string", False), ("name", "string", False)))
_ALERT_WINDOW = ("read", (("object", (
    ("id", "id", True),
    ("name", "string", True),
    ("start_at", "time", True),
    ("end_at", "time", True),
    ("archived_at", "time", False),
    ("created_at", "time", False),
    ("lead", ("object", (
        ("user", ("object", tuple((kind, "string", False) for kind in LEAD_KINDS)), False),
        ("api_key", _NAMED_ACTOR, False),
        ("workflow", _NAMED_ACTOR, False),
    )), False),
    ("alert_condition_groups", ("list", ("object", (("conditions", ("list", _CONDITION), True),))), True),
    ("escalation_targets", ("list", ("object", (("escalation_paths", _BINDING, False), ("users", _BINDING, False)))),
     False),
    ("notify_channels", ("list", ("object", (("channel_id", "string", True), ("channel_type", "string", True),
                                             ("channel_name", "string", False)))), False),
    ("incident_id", "string", False),
    ("notification_message", "string", False),
    ("notify_start_minutes_before", "integer", False),
    ("notify_end_minutes_before", "integer", False),
    ("resolve_on_end", "boolean", True),
    ("reroute_on_end", "boolean", True),
    ("show_in_sidebar", "boolean", True),
)), alert_window_normal_form))
ANSWER_SHAPES.update({
    "maintenance_window": _ALERT_WINDOW,
    "maintenance_windows": ("list", _ALERT_WINDOW),
})
