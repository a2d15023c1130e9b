# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routing and validation against the vendored structural copy of the official spec."""

from __future__ import annotations

import copy
import datetime
import json
import os
import re

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from api_errors import ApiError, error_item, invalid_request

SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spec")
SPEC_PATH = os.path.join(SPEC_DIR, "status-pages-openapi.json")
ALERT_WINDOWS_SPEC_PATH = os.path.join(SPEC_DIR, "alert-maintenance-windows-openapi.json")
# The emulated API is the union of the vendored extracts: their paths and schema names do not overlap.
SPEC_PATHS = (SPEC_PATH, ALERT_WINDOWS_SPEC_PATH)
METHODS = ("get", "put", "post", "delete", "patch")

# Codes for schema violations. Only ``is_required`` appears in the API's documentation;
# the others are the emulator's own names (README.md lists them).
KEYWORD_CODES = {
    "required": "is_required",
    "maxLength": "too_long",
    "minLength": "too_short",
    "maximum": "too_large",
    "minimum": "too_small",
    "enum": "invalid_value",
    "type": "invalid_type",
    "format": "invalid_format",
    "additionalProperties": "unknown_field",
}


def parse_time(value):
    """Parse an RFC 3339 timestamp into an aware UTC datetime."""
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp without offset")
    return parsed.astimezone(datetime.timezone.utc)


def _strict(node):
    """Copy of a schema tree where objects refuse undeclared properties.

    The live API is believed to ignore unknown body fields; refusing them here makes a
    misspelt optional field (``component_status`` for ``component_statuses``) fail loudly
    in tests instead of being dropped without notice.
    """
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _strict(value) if key != "properties" else {name: _strict(sub) for name, sub in value.items()}
              for key, value in node.items()}
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


class Operation:
    """One operation of the spec with a compiled path pattern."""

    def __init__(self, method, template, spec_operation):
        self.method = method.upper()
        self.template = template
        self.operation_id = spec_operation["operationId"]
        self.parameters = spec_operation.get("parameters", [])
        body = spec_operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        self.body_schema = body.get("schema")
        self.responses = spec_operation.get("responses", {})
        self.pattern = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")


class Spec:
    """The vendored spec: route matching, request validation and response validation."""

    def __init__(self, paths=SPEC_PATHS):
        self.document = None
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                self._merge(json.load(handle), path)
        self.operations = []
        for template, path_item in self.document["paths"].items():
            for method in METHODS:
                if method in path_item:
                    self.operations.append(Operation(method, template, path_item[method]))
        self._strict_components = _strict(self.document["components"])
        self._validators = {}

    def _merge(self, document, path):
        if self.document is None:
            self.document = document
            return
        for template, path_item in document["paths"].items():
            if template in self.document["paths"]:
                raise ValueError(f"{path}: path {template} is already defined by another vendored spec")
            self.document["paths"][template] = path_item
        for section, entries in document.get("components", {}).items():
            merged = self.document.setdefault("components", {}).setdefault(section, {})
            for name, value in entries.items():
                if name in merged and merged[name] != value:
                    raise ValueError(f"{path}: components.{section}.{name} differs from another vendored spec's")
                merged[name] = value

    def _validator(self, schema, strict):
        cache_key = (json.dumps(schema, sort_keys=True), strict)
        validator = self._validators.get(cache_key)
        if validator is None:
            components = self._strict_components if strict else self.document["components"]
            root = dict(_strict(schema) if strict else copy.deepcopy(schema))
            root["components"] = components
            validator = OAS30Validator(root, format_checker=oas30_format_checker)
            self._validators[cache_key] = validator
        return validator

    def match(self, method, path):
        """Return ``(operation, path_params)``; raise 404 for unknown paths, 405 for other methods."""
        allowed = []
        for operation in self.operations:
            found = operation.pattern.match(path)
            if found:
                if operation.method == method:
                    return operation, found.groupdict()
                allowed.append(operation.method)
        if allowed:
            raise ApiError(405, [error_item("method_not_allowed", f"Method {method} is not allowed on {path}")],
                           headers={"Allow": ", ".join(sorted(set(allowed)))})
        raise ApiError.single(404, "not_found", f"No route for {method} {path}")

    def parse_query(self, operation, query):
        """Coerce and validate query parameters.

        Missing, repeated or unparseable parameters are 400 ``invalid_request_error`` (the API
        describes 400 as "a missing header or querying a resource that doesn't exist");
        well-typed values outside the declared range are 422, like body violations.
        """
        declared = {param["name"]: param for param in operation.parameters if param["in"] == "query"}
        for name in query:
            if name not in declared:
                raise invalid_request("unknown_parameter", f"Unknown query parameter {name!r}", name)
        result = {}
        for name, param in declared.items():
            schema = param.get("schema", {})
            values = query.get(name)
            if values is None or values == [""]:
                if param.get("required"):
                    raise invalid_request("missing_parameter", f"The query parameter {name!r} is required", name)
                if "default" in schema:
                    result[name] = schema["default"]
                continue
            if len(values) > 1:
                raise invalid_request("invalid_parameter", f"The query parameter {name!r} was given more than once", name)
            value = values[0]
            if schema.get("type") == "integer":
                try:
                    value = int(value, 10)
                except ValueError:
                    raise invalid_request("invalid_parameter", f"The query parameter {name!r} must be an integer", name) from None
            if schema.get("format") == "date-time":
                try:
                    if not oas30_format_checker.conforms(value, "date-time"):
                        raise ValueError(value)
                    value = parse_time(value)
                except ValueError:
                    raise invalid_request("invalid_parameter", f"The query parameter {name!r} must be an RFC 3339 timestamp", name) from None
            else:
                errors = sorted(self._validator(schema, False).iter_errors(value), key=lambda err: err.validator)
                if errors:
                    code = KEYWORD_CODES.get(errors[0].validator, "invalid_value")
                    raise ApiError.single(422, code, f"{name}: {errors[0].message}", name)
            result[name] = value
        return result

    def validate_body(self, operation, body):
        """Raise 422 ``validation_error`` listing every violation of the request schema."""
        if operation.body_schema is None:
            return
        errors = []
        for err in self._validator(operation.body_schema, True).iter_errors(body):
            path = [str(part) for part in err.absolute_path]
            if err.validator == "required":
                missing = err.message.split("'")[1]
                path.append(missing)
                message = f"{missing} is required"
            elif err.validator == "additionalProperties":
                extra = re.findall(r"'([^']+)'", err.message.split("(")[-1])
                path.append(extra[0] if extra else "")
                message = f"{path[-1]} is not a known field"
            elif err.validator == "maxLength":
                message = f"{'.'.join(path)} must be at most {err.validator_value} characters"
            elif err.validator == "enum":
                message = f"{'.'.join(path)} must be one of: {', '.join(map(str, err.validator_value))}"
            else:
                message = f"{'.'.join(path) or 'body'}: {err.message}"
            errors.append(error_item(KEYWORD_CODES.get(err.validator, "invalid_value"), message, ".".join(path)))
        if errors:
            errors.sort(key=lambda item: item["source"]["field"])
            raise ApiError(422, errors)

    def response_errors(self, method, template, status, body, strict=True):
        """Messages for every way ``body`` differs from the documented response (tests use this)."""
        for operation in self.operations:
            if operation.method == method and operation.template == template:
                break
        else:
            return [f"no operation {method} {template}"]
        response = operation.responses.get(str(status))
        if response is None and status >= 400 and not any(code >= "400" for code in operation.responses) \
                and "ErrorResponse" in self.document["components"]["schemas"]:
            # Operations of the 2026-08-21 spec declare no error responses at all; the later revision declares
            # ErrorResponse for every 4xx/5xx of every operation, so that is the shape their errors must have.
            response = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        if response is None:
            return [f"status {status} is not documented for {method} {template}"]
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [] if body is None else [f"status {status} must have no body"]
        return [f"{list(err.absolute_path)}: {err.message}" for err in self._validator(schema, strict).iter_errors(body)]
