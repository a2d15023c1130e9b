# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Answers generated from the vendored OpenAPI documents, and a session that checks every request against them.

``SpecSession`` stands in for requests.Session: it answers each request with an answer drawn from the response
schema of the operation the request addresses (hypothesis-jsonschema), and fails the test when a request is off
the contract (a path or method the spec does not have, a path parameter that is not an API ID, an undeclared or
missing query parameter, a body the request schema refuses).
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import jsonschema
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# The status-page endpoints and the alert maintenance window endpoints (MaintenanceWindows V1) come in two cuts.
SPEC_PATHS = [os.path.join(COLLECTION_ROOT, "tests", "emulator", "spec", name)
              for name in ("status-pages-openapi.json", "alert-maintenance-windows-openapi.json")]
API_URL = "https://api.incident.test"
API_KEY = "inc_property_test_key_2c9e"
MAX_REQUESTS = 60
# After this many pages of one list, the answer leaves pagination_meta.after out (as the last page does).
MAX_PAGES = 3
MAX_ITEMS = 2
_API_ID = re.compile(r"[A-Za-z0-9]+")
# jsonschema checks date-time only with an optional package installed; this check needs none.
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("z", "Z")).tzinfo is not None


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as spec_file:
        return json.load(spec_file)


SPECS = [_load(path) for path in SPEC_PATHS]


def _inline(node, schemas: dict, seen=()):
    """The schema with every local $ref replaced by what it points to in ``schemas`` (no reference is recursive)."""
    if isinstance(node, list):
        return [_inline(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        assert name not in seen, f"recursive reference {name}"
        return _inline(schemas[name], schemas, seen + (name,))
    result = {}
    for key, value in node.items():
        if key == "properties":
            result[key] = {name: _inline(sub, schemas, seen) for name, sub in value.items()}
        elif key == "format" and value == "int64":
            # JSON Schema does not know OpenAPI's int64; the integer type already says it.
            continue
        else:
            result[key] = _inline(value, schemas, seen)
    return result


def _rewrite(node, adjust):
    """A copy of a schema where ``adjust`` has rewritten every subschema, innermost first."""
    if isinstance(node, list):
        return [_rewrite(item, adjust) for item in node]
    if not isinstance(node, dict):
        return node
    return adjust({key: (_rewrite(value, adjust) if key != "properties"
                         else {name: _rewrite(sub, adjust) for name, sub in value.items()})
                   for key, value in node.items()})


def _strict(node):
    """The schema where objects refuse undeclared properties: a misspelt field in a request must not pass."""
    def refuse_undeclared(schema):
        if schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
        return schema
    return _rewrite(node, refuse_undeclared)


class Operation:
    def __init__(self, method: str, template: str, spec_operation: dict, schemas: dict):
        self.method = method.upper()
        self.template = template
        self.operation_id = spec_operation["operationId"]
        self.pattern = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")
        self.query = {p["name"]: p for p in spec_operation.get("parameters", []) if p["in"] == "query"}
        self.query_schemas = {name: _inline(parameter["schema"], schemas) for name, parameter in self.query.items()}
        body = spec_operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        self.body_schema = _strict(_inline(body, schemas)) if body else None
        self.status, response = sorted((code, answer) for code, answer in spec_operation["responses"].items()
                                       if code.startswith("2"))[0]
        self.status = int(self.status)
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        self.answer_schema = _inline(schema, schemas) if schema else None


OPERATIONS = [Operation(method, template, operation, spec["components"]["schemas"])
              for spec in SPECS
              for template, item in spec["paths"].items()
              for method, operation in item.items() if method in ("get", "put", "post", "delete", "patch")]
BY_ID = {operation.operation_id: operation for operation in OPERATIONS}
assert len(BY_ID) == len(OPERATIONS), "an operationId occurs in both documents"


def match(method: str, path: str):
    for operation in OPERATIONS:
        found = operation.pattern.match(path)
        if found and operation.method == method:
            return operation, found.groupdict()
    return None, None


# Realistic times, in the many ways RFC 3339 allows, so that most answers reach the modules' decisions. The
# unbounded ones hypothesis-jsonschema draws by default (year 1 to 9999) are used by the tests of unusual answers.
_NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _rfc3339(moment: datetime, offset_minutes: int, fraction: str, lower: bool) -> str:
    zone = timezone(timedelta(minutes=offset_minutes))
    text = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S") + fraction
    if offset_minutes == 0:
        text += "Z"
    else:
        sign = "+" if offset_minutes > 0 else "-"
        text += f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    return text.lower() if lower else text


# Hours and days before and after now, each give or take a quarter of an hour, so that windows are past, active
# and upcoming alike (a bare integer range would mostly give now itself, which hypothesis draws first).
_OFFSETS = st.builds(lambda hours, seconds: timedelta(hours=hours, seconds=seconds),
                     st.sampled_from([-48, -3, -1, 1, 3, 48]), st.integers(-900, 900))
REALISTIC_TIMES = st.builds(
    _rfc3339,
    _OFFSETS.map(lambda offset: _NOW + offset),
    st.sampled_from([0, 0, 0, 60, -300, 330, 840, -720]),
    st.sampled_from(["", "", ".5", ".123456", ".123456789"]),
    st.booleans(),
)

PAGE_ID = "01HZX0000000000000000PAGE1"
INCIDENT_ID = "01HZX000000000000000INC001"
WINDOW_ID = "01HZX0000000000000000MNT01"
ALERT_WINDOW_ID = "01HZX00000000000000AWIN01"
ALERT_WINDOW_NAME = "Deploy of the API"
LEAD_EMAIL = "avery@acme.example"
COMPONENT_IDS = ["01HZX00000000000000000CMP1", "01HZX00000000000000000CMP2"]
# The IDs and names an answer's objects take most of the time, by the key the answer wraps them in: those of the
# tasks the property tests run, and one other, so that lists hold matches, namesakes and strangers.
POOLS = {
    "status_pages": {"id": [PAGE_ID, "01HZX0000000000000000PAGE2"], "name": ["Acme Cloud", "Twin"]},
    "status_page_incident": {"id": [INCIDENT_ID, "01HZX000000000000000INC002"], "name": ["Outage", "Renamed outage"]},
    "status_page_maintenance": {"id": [WINDOW_ID, "01HZX0000000000000000MNT02"], "name": ["Deploy", "Renamed deploy"]},
    "current_structure": {"id": ["01HZX0000000000000000GRP01"], "name": ["Website", "REST API", "API"]},
}
POOLS["status_page_incidents"] = POOLS["status_page_incident_update"] = POOLS["status_page_incident"]
POOLS["status_page_maintenances"] = POOLS["status_page_maintenance_update"] = POOLS["status_page_maintenance"]
# Alert windows also carry conditions, whose subjects, operations and values the module reads and sends back.
POOLS["maintenance_window"] = POOLS["maintenance_windows"] = {
    "id": [ALERT_WINDOW_ID, "01HZX00000000000000AWIN02"],
    "name": [ALERT_WINDOW_NAME, "Renamed deploy"],
    "email": [LEAD_EMAIL, "blake@acme.example"],
    "reference": ["alert.title", "alert.attributes.01HZX00000000000000000ATT1"], "value": ["contains", "one_of"],
    "literal": ["api", "database"], "channel_id": ["C0DEPLOYS"], "channel_type": ["public", "private"],
    "channel_name": ["deploys"]}
SHARED_POOLS = {"status_page_id": [PAGE_ID], "component_id": COMPONENT_IDS,
                "status_page_incident_id": [INCIDENT_ID], "status_page_maintenance_id": [WINDOW_ID]}
# True 19 times in 20 (hypothesis favours the ends of integer ranges, so a range would not do).
MOSTLY = st.sampled_from([True] * 19 + [False])
TIME_KEYS = ("published_at", "start_at", "end_at", "created_at", "updated_at", "archived_at")
# Optional fields that end what a task can do with an object (an archived alert window cannot be changed), left out of
# most answers so that the rest of the decisions are reached too.
RARE_KEYS = ("archived_at",)
# The keys that identify an object beside its name.
ID_KEYS = ("id", "component_id")


@st.composite
def steered(draw, strategy):
    """A generated answer where most IDs, names and times are taken from small pools, and rare fields are rare.

    Left alone, no generated list would hold the incident or window a task names, nor a structure the component
    a task names; the pools make those matches likely, and the answer stays valid for its schema.
    """
    value = draw(strategy)
    if not isinstance(value, dict):
        return value
    steered_value = {key: _steer(draw, item, dict(POOLS.get(key, {}), **SHARED_POOLS)) for key, item in value.items()}
    pages = steered_value.get("status_pages")
    if isinstance(pages, list) and pages and isinstance(pages[0], dict) and draw(MOSTLY):
        # Two pooled names for two or three pages leave the tasks' page out (or twice in) too often: most lists
        # start with it.
        pages[0] = dict(pages[0], id=PAGE_ID, name=POOLS["status_pages"]["name"][0])
    structure = steered_value.get("current_structure")
    if isinstance(structure, dict) and isinstance(structure.get("items"), list) and draw(MOSTLY):
        # Drawn items are often groups without components or empty sub-pages: most structures get one component
        # of the pool at the top level, so that a task naming a component usually finds it.
        component = {"component_id": draw(st.sampled_from(COMPONENT_IDS)),
                     "name": draw(st.sampled_from(POOLS["current_structure"]["name"])),
                     "hidden": draw(st.booleans()), "display_uptime": draw(st.booleans())}
        structure["items"] = [{"component": component}] + structure["items"]
    return steered_value


def _steer(draw, value, pools):
    if isinstance(value, list):
        return [_steer(draw, item, pools) for item in value]
    if not isinstance(value, dict):
        return value
    # An object that takes a pooled name mostly takes the ID at the same place of its ID pool: namesakes in a list
    # are then mostly one object listed twice, as an API that pages while objects change lists it, rather than the
    # ambiguity that ends a run; the other draws keep namesakes with other IDs.
    chosen = None
    if isinstance(value.get("name"), str) and "name" in pools and draw(MOSTLY):
        chosen = draw(st.sampled_from(range(len(pools["name"]))))
    result = {}
    for key, item in value.items():
        if key in RARE_KEYS and draw(MOSTLY):
            continue
        if key == "name" and chosen is not None:
            item = pools["name"][chosen]
        elif isinstance(item, str) and key in ID_KEYS and chosen is not None and chosen < len(pools.get(key, ())) \
                and draw(MOSTLY):
            item = pools[key][chosen]
        elif isinstance(item, str) and key in pools and draw(MOSTLY):
            item = draw(st.sampled_from(pools[key]))
        elif isinstance(item, str) and key in TIME_KEYS:
            item = draw(REALISTIC_TIMES)
        else:
            item = _steer(draw, item, pools)
        result[key] = item
    # Most windows end after they start.
    if all(isinstance(result.get(key), str) for key in ("start_at", "end_at")) and draw(MOSTLY):
        start, end = sorted((result["start_at"], result["end_at"]), key=_moment)
        result.update(start_at=start, end_at=end)
    return result


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.upper())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
NOT_JSON = st.sampled_from(["<html><body>Bad gateway</body></html>", "OK", "{", "[1,", "Thu, 01 Jan 1970"]) | st.text(
    max_size=20).filter(lambda text: not _is_json(text))


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _replace(value, path, new):
    if not path:
        return new
    result = copy.copy(value)
    result[path[0]] = _replace(value[path[0]], path[1:], new)
    return result


@st.composite
def mutated(draw, strategy):
    """A valid answer with one value anywhere in it, or the whole answer, replaced by any JSON at all."""
    value = draw(strategy)
    path = draw(st.sampled_from(list(_paths(value))))
    return _replace(value, path, draw(JSON_VALUES))


_STRATEGIES = {}


def _bounded(node):
    """The schema with at most a few items per list: any answer it allows, the spec allows, and few keep it fast."""
    def few_items(schema):
        if schema.get("type") == "array":
            schema.setdefault("maxItems", MAX_ITEMS)
        return schema
    return _rewrite(node, few_items)


def _complete_answers(schema: dict, formats):
    """Answers where every object holds every property it declares and nothing else, and no list or string is empty.

    The lists of the answer itself hold one or a few items, the lists inside them one. Built object by object, once:
    hypothesis-jsonschema would rebuild the strategy of every nested object at every draw, which makes large objects
    (an alert window's conditions, a page's structure) slow to draw.
    """
    def strategy(node, top=False):
        if node.get("type") == "object" and node.get("properties"):
            return st.fixed_dictionaries({name: strategy(sub) for name, sub in node["properties"].items()})
        if node.get("type") == "array":
            return st.lists(strategy(node.get("items", {})), min_size=1, max_size=MAX_ITEMS if top else 1)
        if node.get("type") == "string" and "enum" not in node:
            node = dict(node, minLength=max(1, node.get("minLength", 0)))
        return from_schema(node, custom_formats=formats)
    return st.fixed_dictionaries({name: strategy(sub, top=True) for name, sub in schema.get("properties", {}).items()})


def answer_strategy(operation: Operation, realistic: bool):
    key = (operation.operation_id, realistic)
    if key not in _STRATEGIES:
        formats = {"date-time": REALISTIC_TIMES} if realistic else None
        schema = _bounded(operation.answer_schema)
        # The spec requires little of an answer (nothing at the top level of most), so half the answers would be {},
        # and few of the rest would hold a usable condition; most answers carry everything they declare, at every
        # level, without empty lists or strings, to reach further into the modules' decisions. (Fields the spec does
        # not declare are left to the other answers: drawing them everywhere is slow.)
        complete_answers = _complete_answers(schema, formats)
        spec_answers = from_schema(schema, custom_formats=formats)
        _STRATEGIES[key] = steered(MOSTLY.flatmap(lambda full: complete_answers if full else spec_answers))
    return _STRATEGIES[key]


class Response:
    def __init__(self, status: int, text: str):
        self.status_code = status
        self.text = text
        self.headers = {}


class SpecSession:
    """requests.Session for one example: answers from the spec, and every request checked against it."""

    def __init__(self, data, unusual: bool = False):
        self.data = data
        self.unusual = unusual
        self.headers = {}
        self.verify = True
        self.sent = []
        self.pages = {}

    def close(self):
        pass

    @property
    def operations(self) -> set:
        return {entry["operation"] for entry in self.sent}

    @property
    def writes(self) -> list:
        return [entry for entry in self.sent if entry["method"] != "GET"]

    def request(self, method, url, params=None, json=None, timeout=None, allow_redirects=True):  # pylint: disable=redefined-outer-name
        assert not allow_redirects, "redirects must not be followed"
        assert len(self.sent) < MAX_REQUESTS, f"more than {MAX_REQUESTS} requests: {[e['path'] for e in self.sent]}"
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == API_URL and not parts.query and not parts.fragment, url
        operation = self.check_contract(method, parts.path, params, json)
        self.sent.append({"method": method, "path": parts.path, "query": params, "body": json,
                          "operation": operation.operation_id})
        return self.answer(operation, parts.path, json)

    @staticmethod
    def check_contract(method, path, params, body) -> Operation:
        operation, path_params = match(method, path)
        assert operation is not None, f"{method} {path} is not an operation of the spec"
        for name, value in path_params.items():
            assert _API_ID.fullmatch(unquote(value)), f"{method} {path}: {name} {value!r} is not an API ID"
        params = params or {}
        for name, value in params.items():
            assert name in operation.query, f"{method} {path}: undeclared query parameter {name}"
            jsonschema.validate(value, operation.query_schemas[name], format_checker=FORMATS)
        for name, declared in operation.query.items():
            assert not declared.get("required") or params.get(name), f"{method} {path}: {name} is required"
        if operation.body_schema is not None:
            assert isinstance(body, dict), f"{method} {path} needs a JSON object body"
            jsonschema.validate(body, operation.body_schema, format_checker=FORMATS)
        else:
            assert body is None, f"{method} {path} takes no body"
        return operation

    def answer(self, operation: Operation, path: str, body=None) -> Response:
        data = self.data
        if operation.answer_schema is None:
            return Response(operation.status, "")
        mode = "valid"
        if self.unusual:
            mode = data.draw(st.sampled_from(["valid", "unbounded", "mutated", "not JSON"]), label="answer kind")
        if mode == "not JSON":
            return Response(operation.status, data.draw(NOT_JSON, label=f"{operation.operation_id} answer"))
        strategy = answer_strategy(operation, realistic=mode == "valid")
        if mode == "mutated":
            strategy = mutated(strategy)
        answer = data.draw(strategy, label=f"{operation.operation_id} answer")
        if mode == "valid" and operation.method == "POST" and isinstance(body, dict) and body.get("name"):
            # A create answers with the object it made, under the name it was sent (most of the time: a replayed
            # key answers with an object that may have been renamed since).
            for value in answer.values():
                if isinstance(value, dict) and "name" in value and data.draw(MOSTLY):
                    value["name"] = body["name"]
        if isinstance(answer, dict) and isinstance(answer.get("pagination_meta"), dict):
            self.pages[path] = self.pages.get(path, 0) + 1
            if self.pages[path] >= MAX_PAGES:
                answer["pagination_meta"].pop("after", None)
            elif "after" in answer["pagination_meta"] and data.draw(MOSTLY, label="a new cursor"):
                # Drawn cursors repeat often ("0" is the first string drawn), which ends the read; mostly they do not.
                answer["pagination_meta"]["after"] = f"cursor{self.pages[path]}"
        return Response(operation.status, json.dumps(answer))
