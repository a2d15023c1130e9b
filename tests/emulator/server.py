# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local emulator of the incident.io status-page API (HTTP layer and command line).

python tests/emulator/server.py --port 0 [--seed FILE] [--url-file PATH] [--log-level LEVEL]
"""

from __future__ import annotations

import argparse
import http.server
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

import pages
from api_errors import ApiError, error_item, invalid_request
from control import Faults, RateLimiter, RequestLog, rfc3339_in
from store import Store, load_seed
from validation import Spec

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SEED = os.path.join(HERE, "seeds", "default.yml")
LOG = logging.getLogger("emulator")

PUBLISH = ("status_pages.publish_updates",
           "Create status page incidents, status page maintenance windows, and publish status page updates")
CONFIGURE = ("status_pages.configure", "Configure status pages")
# The alert maintenance window scopes (x-rbac-scopes of the spec); their dashboard labels are not documented.
WINDOWS_VIEW = ("maintenance_windows.view", None)
WINDOW_CREATE = ("maintenance_window.create", None)
WINDOW_UPDATE = ("maintenance_window.update", None)
WINDOW_DESTROY = ("maintenance_window.destroy", None)

STATUS_PREFIX = "/status/"
SANDBOX_PREFIX = "/sandboxes/"

# operationId -> (required scope or None, handler(store, path_params, query, body))
ROUTES = {
    "Status Pages V2#ListStatusPages": (None, lambda s, p, q, b: s.list_status_pages(q)),
    "Status Pages V2#ShowStatusPage": (None, lambda s, p, q, b: s.show_status_page(p["status_page_id"])),
    "Status Pages V2#ShowStatusPageStructure": (None, lambda s, p, q, b: s.show_structure(p["status_page_id"])),
    "Status Pages V2#ShowStatusPageComponentAvailability": (
        None, lambda s, p, q, b: s.availability(p["status_page_id"], p["component_id"], q)),
    "Status Pages V2#ListStatusPageIncidents": (None, lambda s, p, q, b: s.list_incidents(q)),
    "Status Pages V2#CreateStatusPageIncident": (PUBLISH, lambda s, p, q, b: s.create_incident(b)),
    "Status Pages V2#ShowStatusPageIncident": (None, lambda s, p, q, b: s.show_incident(p["status_page_incident_id"])),
    "Status Pages V2#UpdateStatusPageIncident": (PUBLISH, lambda s, p, q, b: s.rename_incident(p["status_page_incident_id"], b)),
    "Status Pages V2#CreateStatusPageIncidentUpdate": (PUBLISH, lambda s, p, q, b: s.create_incident_update(b)),
    "Status Pages V2#CreateStatusPageRetrospectiveIncident": (PUBLISH, lambda s, p, q, b: s.create_retrospective_incident(b)),
    "Status Pages V2#ListStatusPageMaintenances": (None, lambda s, p, q, b: s.list_maintenances(q)),
    "Status Pages V2#CreateStatusPageMaintenance": (PUBLISH, lambda s, p, q, b: s.create_maintenance(b)),
    "Status Pages V2#ShowStatusPageMaintenance": (None, lambda s, p, q, b: s.show_maintenance(p["status_page_maintenance_id"])),
    "Status Pages V2#UpdateStatusPageMaintenance": (
        PUBLISH, lambda s, p, q, b: s.update_maintenance(p["status_page_maintenance_id"], b)),
    "Status Pages V2#DeleteStatusPageMaintenance": (PUBLISH, lambda s, p, q, b: s.delete_maintenance(p["status_page_maintenance_id"])),
    "Status Pages V2#CreateStatusPageMaintenanceUpdate": (PUBLISH, lambda s, p, q, b: s.create_maintenance_update(b)),
    "Status Page Components V2#List": (None, lambda s, p, q, b: s.list_components()),
    "Status Page Components V2#Create": (CONFIGURE, lambda s, p, q, b: s.create_component(b)),
    "Status Page Components V2#Show": (None, lambda s, p, q, b: s.show_component(p["id"])),
    "Status Page Components V2#Update": (CONFIGURE, lambda s, p, q, b: s.update_component(p["id"], b)),
    "Status Page Components V2#Destroy": (CONFIGURE, lambda s, p, q, b: s.delete_component(p["id"])),
    "Status Pages V1#ListResponseIncidents": (None, lambda s, p, q, b: s.list_response_incidents(p["id"], p["incident_id"])),
    "MaintenanceWindows V1#List": (WINDOWS_VIEW, lambda s, p, q, b: s.list_alert_windows(q)),
    "MaintenanceWindows V1#Create": (WINDOW_CREATE, lambda s, p, q, b: s.create_alert_window(b)),
    "MaintenanceWindows V1#Show": (WINDOWS_VIEW, lambda s, p, q, b: s.show_alert_window(p["id"])),
    "MaintenanceWindows V1#Update": (WINDOW_UPDATE, lambda s, p, q, b: s.update_alert_window(p["id"], b)),
    "MaintenanceWindows V1#Delete": (WINDOW_DESTROY, lambda s, p, q, b: s.archive_alert_window(p["id"])),
}


class Response:
    """What goes back on the wire; ``drop`` closes the connection without an answer."""

    def __init__(self, status, body=None, headers=None, drop=False):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.drop = drop


def error_response(error, request_id, headers=None):
    merged = dict(headers or {})
    merged.update(error.headers)
    return Response(error.status, error.body(request_id), merged)


class Emulator:
    """Everything behind the socket: state, spec, log, faults and rate limits."""

    def __init__(self, seed):
        self.initial_seed = self.seed = seed
        self.spec = Spec()
        self.store = Store(seed)
        self.log = RequestLog()
        self.faults = Faults()
        self.rate_limiter = RateLimiter(seed.get("rate_limit"))
        self.keys = {entry["key"]: entry for entry in seed.get("api_keys", [])}

    def reset(self, seed=None):
        """Back to ``seed`` (its pages, keys and rate limit), or to the seed the emulator started with."""
        seed = self.initial_seed if seed is None else seed
        if seed is not self.seed:
            self.seed = seed
            self.store = Store(seed)
            self.keys = {entry["key"]: entry for entry in seed.get("api_keys", [])}
        self.store.reset()
        self.log.clear(restart_seq=True)
        self.faults.clear()
        self.rate_limiter = RateLimiter(self.seed.get("rate_limit"))

    # ----- the API ---------------------------------------------------------------------------------

    def api(self, method, path, query, raw_body, authorization):
        request_id = str(uuid.uuid4())
        body = None
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = None
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "method": method, "path": path,
                 "query": {name: values[0] for name, values in query.items()}, "body": body, "status": None,
                 "request_id": request_id,
                 "authorization": None if authorization is None else ("Bearer [REDACTED]" if authorization.startswith("Bearer ") else "[REDACTED]")}
        fault = self.faults.take(method, path)
        if fault is not None and fault.when == "before":
            if fault.action == "delay":
                time.sleep(fault.delay)
            else:
                response = self._fault_response(fault, request_id)
                entry["status"] = None if response.drop else response.status
                self.log.add(entry)
                return response
            fault = None
        response = self._process(method, path, query, raw_body, authorization, request_id)
        if fault is not None:
            if fault.action == "delay":
                time.sleep(fault.delay)
            else:
                response = self._fault_response(fault, request_id)
        response.headers["X-Request-Id"] = request_id
        entry["status"] = None if response.drop else response.status
        self.log.add(entry)
        return response

    @staticmethod
    def _fault_response(fault, request_id):
        if fault.action == "drop":
            return Response(0, drop=True)
        error = ApiError(fault.status, [error_item("injected_fault", f"Fault injected by the emulator (HTTP {fault.status})")])
        headers = dict(fault.headers)
        headers["X-Request-Id"] = request_id
        return Response(fault.status, error.body(request_id), headers)

    def _process(self, method, path, query, raw_body, authorization, request_id):
        rate_headers = {}
        try:
            operation, path_params = self.spec.match(method, path)
            key = self._authenticate(authorization)
            rate_headers = self._rate_limit(key, operation)
            scope, handler = ROUTES[operation.operation_id]
            if scope is not None and scope[0] not in key.get("scopes", []):
                what = f'the "{scope[1]}" permission (scope {scope[0]})' if scope[1] else f"the scope {scope[0]}"
                raise ApiError.single(403, "missing_permissions", f"This API key is missing {what}")
            params = self.spec.parse_query(operation, query)
            body = None
            if operation.body_schema is not None:
                body = self._parse_body(raw_body)
                self.spec.validate_body(operation, body)
            status, payload = handler(self.store, path_params, params, body)
            return Response(status, payload, rate_headers)
        except ApiError as error:
            return error_response(error, request_id, rate_headers)
        except Exception:  # pylint: disable=broad-exception-caught
            LOG.exception("internal error on %s %s", method, path)
            return Response(500, {"type": "api_error", "status": 500, "request_id": request_id,
                                  "errors": [{"code": "internal_error", "message": "Internal error in the emulator"}]})

    def _authenticate(self, authorization):
        token = None
        if authorization and authorization.startswith("Bearer "):
            token = authorization[len("Bearer "):].strip()
        if not authorization or not authorization.strip() or (token is not None and not token):
            raise ApiError.single(401, "missing_authorization_material", "No authorization material provided in request")
        key = self.keys.get(token)
        if key is None:
            raise ApiError.single(401, "invalid_api_key", "The API key provided is not valid (expected Authorization: Bearer <key>)")
        return key

    def _rate_limit(self, key, operation):
        buckets = ["default"]
        if operation.operation_id.endswith("#CreateStatusPageRetrospectiveIncident"):
            buckets.append("retrospective")
        headers = {}
        for bucket in buckets:
            allowed, headers, retry_after, limit = self.rate_limiter.consume(key["key"], bucket)
            if not allowed:
                headers["Retry-After"] = str(retry_after)
                raise ApiError(429, [error_item("too_many_requests",
                                                "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.")],
                               headers=headers,
                               extra={"rate_limit": {"name": key.get("name", "api_key"), "limit": limit, "remaining": 0,
                                                     "retry_after": rfc3339_in(retry_after)}})
        return headers

    @staticmethod
    def _parse_body(raw_body):
        if not raw_body:
            raise invalid_request("missing_body", "A JSON request body is required")
        try:
            body = json.loads(raw_body)
        except ValueError as exc:
            raise invalid_request("invalid_json", f"The request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise invalid_request("invalid_body", "The request body must be a JSON object")
        return body

    # ----- /_emulator/ ---------------------------------------------------------------------------------

    def control(self, method, path, raw_body):
        request_id = str(uuid.uuid4())
        try:
            body = None
            if method in ("POST", "PUT"):
                body = self._parse_body(raw_body or b"{}")
            return Response(*self._control(method, path[len("/_emulator/"):].rstrip("/"), body))
        except ApiError as error:
            return error_response(error, request_id)

    def _control(self, method, name, body):
        # pylint: disable=too-many-return-statements
        if (method, name) == ("GET", "requests"):
            return 200, {"requests": self.log.dump()}
        if (method, name) == ("DELETE", "requests"):
            self.log.clear()
            return 204, None
        if (method, name) == ("GET", "state"):
            state = self.store.state()
            state["rate_limit"] = dict(self.rate_limiter.config)
            return 200, state
        if (method, name) == ("POST", "reset"):
            self.reset(_seed_from(body))
            return 200, {"reset": True}
        if (method, name) == ("GET", "faults"):
            return 200, {"faults": self.faults.dump()}
        if (method, name) == ("POST", "faults"):
            return 201, {"fault": self.faults.add(body).to_api()}
        if (method, name) == ("DELETE", "faults"):
            self.faults.clear()
            return 204, None
        if (method, name) == ("GET", "rate_limit"):
            return 200, {"rate_limit": dict(self.rate_limiter.config)}
        if (method, name) == ("POST", "rate_limit"):
            return 200, {"rate_limit": self.rate_limiter.configure(body)}
        if (method, name) == ("POST", "history"):
            return 201, self._history(body)
        if (method, name) == ("GET", "clock"):
            return 200, {"now": self.store.state()["now"], "offset_seconds": self.store.clock_offset}
        if (method, name) == ("POST", "clock"):
            offset = body.get("offset_seconds", self.store.clock_offset + body.get("advance_seconds", 0))
            if isinstance(offset, bool) or not isinstance(offset, (int, float)):
                raise invalid_request("invalid_value", "offset_seconds / advance_seconds must be numbers", "offset_seconds")
            self.store.clock_offset = float(offset)
            return 200, {"now": self.store.state()["now"], "offset_seconds": self.store.clock_offset}
        raise ApiError.single(404, "not_found", f"No control endpoint {method} /_emulator/{name}")

    def _history(self, body):
        counts = {}
        for name in ("incidents", "maintenances", "days"):
            value = body.get(name, 0 if name != "days" else 30)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (name == "days" and value <= 0):
                raise invalid_request("invalid_value", f"{name} must be a non-negative number", name)
            counts[name] = value
        if not isinstance(body.get("status_page_id"), str):
            raise invalid_request("is_required", "status_page_id is required", "status_page_id")
        return self.store.history(body["status_page_id"], int(counts["incidents"]), int(counts["maintenances"]), counts["days"])


def _seed_from(body):
    """The seed named by a control request's ``seed`` (a file path), or None when it names none."""
    if not body or body.get("seed") is None:
        return None
    if not isinstance(body["seed"], str):
        raise invalid_request("invalid_value", "seed must be the path of a seed file", "seed")
    try:
        return load_seed(body["seed"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise invalid_request("invalid_value", f"cannot load the seed {body['seed']!r}: {exc}", "seed") from None


class Sandboxes:
    """Independent emulators behind one server, each under ``/sandboxes/<name>`` (for runs side by side)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.emulators = {}

    def control(self, method, name, raw_body):
        request_id = str(uuid.uuid4())
        try:
            if not name or "/" in name:
                raise invalid_request("invalid_value", "a sandbox name is one path segment", "name")
            if method == "PUT":
                seed = _seed_from(json.loads(raw_body or b"{}"))
                with self.lock:
                    self.emulators[name] = Emulator(seed if seed is not None else load_seed(DEFAULT_SEED))
                return Response(201, {"path": SANDBOX_PREFIX + name})
            if method == "DELETE":
                with self.lock:
                    self.emulators.pop(name, None)
                return Response(204)
            raise ApiError.single(405, "method_not_allowed", "Sandboxes are created with PUT and removed with DELETE")
        except ValueError:
            return error_response(invalid_request("invalid_json", "The request body is not valid JSON"), request_id)
        except ApiError as error:
            return error_response(error, request_id)

    def route(self, path):
        """Return (emulator, path inside it) for a path under /sandboxes/, or (None, path)."""
        name, dummy_slash, rest = path[len(SANDBOX_PREFIX):].partition("/")
        with self.lock:
            return self.emulators.get(name), "/" + rest


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; otherwise Nagle plus delayed ACKs add ~40 ms per keep-alive request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server_version = "incident-io-status-page-emulator"

    def version_string(self):
        return self.server_version

    def _handle(self):
        emulator = self.server.emulator
        split = urlsplit(self.path)
        path = split.path
        if path.startswith("/_emulator/sandboxes/"):
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length > 0 else b""
            self._send(self.server.sandboxes.control(self.command, path[len("/_emulator/sandboxes/"):], raw_body))
            return
        if path.startswith(SANDBOX_PREFIX):
            emulator, path = self.server.sandboxes.route(path)
            if emulator is None:
                self._send(error_response(ApiError.single(404, "not_found", "No such sandbox"), str(uuid.uuid4())))
                return
        split = split._replace(path=path)
        # The subscriber's view is not part of the API: no key, no rate limit, no request log.
        if self.command == "GET" and (split.path == "/" or split.path.startswith(STATUS_PREFIX)):
            self._send_view(emulator.store, split.path)
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length > 0 else b""
        if split.path.startswith("/_emulator/"):
            response = emulator.control(self.command, split.path, raw_body)
        else:
            query = parse_qs(split.query, keep_blank_values=True)
            response = emulator.api(self.command, split.path, query, raw_body, self.headers.get("Authorization"))
        self._send(response)

    def _send(self, response):
        if response.drop:
            self.close_connection = True
            return
        payload = b"" if response.body is None else json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        # A HEAD answer has headers only: a body would be read as the start of the next answer.
        if response.status != 204 and self.command != "HEAD":
            self.wfile.write(payload)

    def _send_view(self, store, path):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)
        try:
            if path == "/":
                status, text = 200, pages.render_index(store)
            else:
                page_id = unquote(path[len(STATUS_PREFIX):]).rstrip("/")
                text = pages.render_status_page(store, page_id)
                status, text = (200, text) if text is not None else (404, pages.render_not_found(page_id))
        except Exception:  # pylint: disable=broad-exception-caught
            LOG.exception("internal error rendering %s", path)
            status, text = 500, pages.document("Internal error", "<h1>Internal error in the emulator</h1>")
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def __getattr__(self, name):
        # http.server answers a method it has no do_<METHOD> for with its own 501 HTML page; every method reaches
        # the API's routing instead, which answers 405 (or 404) in the API's error shape.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.info("%s - %s", self.address_string(), format % args)


class EmulatorServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, emulator):
        super().__init__(("127.0.0.1", port), Handler)
        self.emulator = emulator
        self.sandboxes = Sandboxes()


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp_path = tempfile.mkstemp(prefix=".emulator-url-", dir=directory)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(tmp_path, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Emulator of the incident.io status-page API, on 127.0.0.1 only.")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default)")
    parser.add_argument("--seed", default=DEFAULT_SEED, help="YAML or JSON seed file (default: seeds/default.yml)")
    parser.add_argument("--url-file", help="also write the URL to this file (atomically)")
    parser.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")

    server = EmulatorServer(args.port, Emulator(load_seed(args.seed)))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # The file is in place before the URL is printed, so a reader of either sees a working server.
    if args.url_file:
        write_atomically(args.url_file, url + "\n")
    print(url, flush=True)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
