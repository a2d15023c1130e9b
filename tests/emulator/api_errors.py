# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API's error shape: ``{type, status, request_id, errors: [{code, message, source?}]}``."""

from __future__ import annotations

# HTTP status -> ErrorResponse.type, as declared on every operation of the newest spec.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "resource_forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    422: "validation_error",
    429: "too_many_requests",
}


def field_pointer(field):
    """JSON pointer for a dotted field path (``a.0.b`` -> ``/a/0/b``)."""
    return "/" + field.replace(".", "/") if field else ""


def error_item(code, message, field=None):
    item = {"code": code, "message": message}
    if field is not None:
        item["source"] = {"field": field, "pointer": field_pointer(field)}
    return item


class ApiError(Exception):
    """An error answered in the API's shape; ``errors`` are items built by :func:`error_item`."""

    def __init__(self, status, errors, headers=None, extra=None):
        super().__init__(errors[0]["message"] if errors else str(status))
        self.status = status
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    @classmethod
    def single(cls, status, code, message, field=None):
        return cls(status, [error_item(code, message, field)])

    def body(self, request_id):
        result = {
            "type": ERROR_TYPES.get(self.status, "api_error"),
            "status": self.status,
            "request_id": request_id,
            "errors": self.errors,
        }
        result.update(self.extra)
        return result


def not_found(what, field=None):
    return ApiError.single(404, "not_found", f"{what} not found", field)


def validation_error(code, message, field=None):
    return ApiError.single(422, code, message, field)


def invalid_request(code, message, field=None):
    return ApiError.single(400, code, message, field)
