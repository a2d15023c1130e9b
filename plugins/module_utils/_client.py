# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""The one HTTP client of the collection: auth, JSON, pagination, typed errors, retries."""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import json
import time
import traceback
from urllib.parse import urlsplit

try:
    import requests
    from requests import exceptions as requests_exceptions

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib3 import exceptions as urllib3_exceptions
except ImportError:
    urllib3_exceptions = None

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.basic import env_fallback

COLLECTION_VERSION = "1.0.0"
DEFAULT_API_URL = "https://api.incident.io"
USER_AGENT = f"incident_io.status_page/{COLLECTION_VERSION} ansible-core/{ANSIBLE_CORE_VERSION}"

# The API's largest page: fewer round trips for every list read.
MAX_PAGE_SIZE = 250

# Backoff for 5xx and network failures; 429s wait for what Retry-After says instead.
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 10.0
# A Retry-After that cannot be parsed still deserves a pause (the terraform provider waits 10 s too).
RETRY_AFTER_FALLBACK_SECONDS = 10.0
RETRY_AFTER_MAX_SECONDS = 120.0

RETRYABLE_STATUSES = frozenset((500, 502, 503, 504))

CONNECTION_ARGUMENT_SPEC = {
    "api_key": {
        "type": "str",
        "required": True,
        "no_log": True,
        "fallback": (env_fallback, ["INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"]),
    },
    "api_url": {
        "type": "str",
        "default": DEFAULT_API_URL,
        "fallback": (env_fallback, ["INCIDENT_API_URL", "INCIDENT_ENDPOINT"]),
    },
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "float", "default": 30},
    "retries": {"type": "int", "default": 5},
}


def connection_argument_spec(**module_options) -> dict:
    """The connection options every module takes, plus the module's own options."""
    spec = {name: dict(option) for name, option in CONNECTION_ARGUMENT_SPEC.items()}
    spec.update(module_options)
    return spec


class StatusPageError(Exception):
    """Anything a module reports as its failure message."""

    def fail_json_kwargs(self) -> dict:
        return {"msg": str(self)}


class ConfigurationError(StatusPageError):
    """A connection option is unusable; raised before any request is sent."""


class APIError(StatusPageError):
    """The API answered with an error, or could not be reached."""

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int | None = None,
                 error_type: str | None = None, errors: list | None = None, request_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error_type = error_type
        self.errors = errors or []
        self.request_id = request_id

    @property
    def fields(self) -> list:
        return [e["source"]["field"] for e in self.errors if isinstance(e.get("source"), dict) and e["source"].get("field")]

    @property
    def codes(self) -> list:
        return [e.get("code") for e in self.errors if e.get("code")]

    def fail_json_kwargs(self) -> dict:
        result = {"msg": str(self), "status": self.status, "request_id": self.request_id}
        if self.error_type:
            result["error_type"] = self.error_type
        if self.errors:
            result["errors"] = self.errors
        return result


class AuthenticationError(APIError):
    """401: no key, or a key the API does not know."""


class ForbiddenError(APIError):
    """403: the key lacks the permission the operation needs."""


class NotFoundError(APIError):
    """404: the object does not exist (or the key cannot see it)."""


class RateLimitedError(APIError):
    """429 after every retry was used."""


class TransportError(APIError):
    """No HTTP answer: connection refused, DNS, TLS, timeout or a dropped connection.

    ``maybe_sent`` is true when the request may have reached the server, so a write may have landed.
    """

    def __init__(self, message: str, *, maybe_sent: bool, **kwargs):
        super().__init__(message, **kwargs)
        self.maybe_sent = maybe_sent


class UncertainWriteError(APIError):
    """A write failed in a way that leaves unknown whether it took effect, and retries are exhausted."""


ERROR_CLASSES = {401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError, 429: RateLimitedError}

PUBLISH_SCOPE = "status_pages.publish_updates"
PUBLISH_PERMISSION_HINT = (
    "the API key needs the permission 'Create status page incidents, status page maintenance windows, "
    f"and publish status page updates' (scope {PUBLISH_SCOPE})"
)
AUTHENTICATION_HINT = "check api_key or INCIDENT_API_KEY: the API did not accept the key"
TLS_HINT = ("the TLS connection to api_url failed: check that api_url is the https address of the API "
            "(plain http is only for loopback test servers) and, for a private CA, validate_certs")


def describe_api_error(status: int, body, method: str, path: str) -> tuple:
    """The message, type, errors and request_id of an error response, whatever its shape."""
    error_type = None
    errors = []
    request_id = None
    if isinstance(body, dict):
        error_type = body.get("type") if isinstance(body.get("type"), str) else None
        request_id = body.get("request_id") if isinstance(body.get("request_id"), str) else None
        raw_errors = body.get("errors")
        if isinstance(raw_errors, list):
            errors = [e for e in raw_errors if isinstance(e, dict)]
    details = []
    for error in errors:
        text = error.get("message") or error.get("code") or "error"
        source = error.get("source")
        if isinstance(source, dict) and source.get("field"):
            text = f"{source['field']}: {text}"
        details.append(text)
    message = f"{method} {path} failed with HTTP {status}"
    if error_type:
        message += f" {error_type}"
    if details:
        message += ": " + "; ".join(details)
    elif isinstance(body, str) and body.strip():
        message += ": " + body.strip()[:300]
    if status == 401:
        message += f" ({AUTHENTICATION_HINT})"
    # The API's own 403 text may already name the scope; saying it twice helps nobody.
    if status == 403 and PUBLISH_SCOPE not in message:
        message += f" ({PUBLISH_PERMISSION_HINT})"
    if request_id:
        message += f" [request_id {request_id}]"
    return message, error_type, errors, request_id


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: integer seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_url(api_url: str) -> str:
    """The base URL without a trailing slash; plain http is accepted for loopback hosts only."""
    parts = urlsplit(api_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"api_url must be an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"api_url must not carry a query or fragment, got {api_url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"api_url {api_url!r} uses plain http to a host that is not loopback; the API key would travel "
            "unencrypted. Use https (plain http is accepted only for 127.0.0.1, ::1 and localhost)"
        )
    return api_url.rstrip("/")


def _nothing_was_sent(exc: Exception) -> bool:
    """True when the failure happened before the request could reach the server."""
    if isinstance(exc, (requests_exceptions.ConnectTimeout, requests_exceptions.SSLError,
                        requests_exceptions.InvalidURL, requests_exceptions.InvalidSchema)):
        return True
    if isinstance(exc, requests_exceptions.ConnectionError) and urllib3_exceptions is not None:
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return isinstance(reason, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError))
    return False


class StatusPageClient:
    """One keep-alive session per module run, speaking JSON to the incident.io API."""

    def __init__(self, api_key: str, api_url: str = DEFAULT_API_URL, *, validate_certs: bool = True,
                 timeout: float = 30, retries: int = 5, session=None, sleep=None):
        if not api_key:
            raise ConfigurationError("api_key is required: set the option or the INCIDENT_API_KEY environment variable")
        if timeout is None or timeout <= 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if retries is None or retries < 0:
            raise ConfigurationError(f"retries must be 0 or more, got {retries!r}")
        self.base_url = validate_api_url(api_url)
        self._api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep if sleep is not None else time.sleep
        self.session = session if session is not None else requests.Session()
        self.session.verify = validate_certs
        self.session.headers.update({
            "Authorization": f"Bearer {api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        })

    @classmethod
    def from_params(cls, params: dict, **kwargs) -> StatusPageClient:
        return cls(params["api_key"], params["api_url"], validate_certs=params["validate_certs"],
                   timeout=params["timeout"], retries=params["retries"], **kwargs)

    def close(self) -> None:
        self.session.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "********") if self._api_key else text

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * (2 ** attempt))

    def _send_once(self, method: str, path: str, query: dict | None, body):
        """One HTTP exchange: (status, headers, decoded body) or a TransportError."""
        url = self.base_url + path
        try:
            response = self.session.request(method, url, params=query, json=body, timeout=self.timeout)
        except requests_exceptions.RequestException as exc:
            maybe_sent = not _nothing_was_sent(exc)
            kind = "the request may have reached the server" if maybe_sent else "nothing was sent"
            if isinstance(exc, requests_exceptions.SSLError):
                kind += "; " + TLS_HINT
            message = self._redact(f"{method} {path} failed: {type(exc).__name__}: {exc} ({kind})")
            raise TransportError(message, maybe_sent=maybe_sent, method=method, path=path) from None
        text = response.text
        try:
            decoded = json.loads(text) if text.strip() else None
        except ValueError:
            decoded = text
        return response.status_code, response.headers, decoded

    def request(self, method: str, path: str, *, query: dict | None = None, body=None,
                retry_when_maybe_sent: bool = True, expected: tuple = (200, 201, 204)):
        """Send one logical request with the collection's retry rules and return the decoded body.

        429 and failures before sending are retried for every method. 5xx answers, timeouts and dropped
        connections after sending are retried only when ``retry_when_maybe_sent`` (reads, and creates that
        carry an idempotency_key the API replays).
        """
        attempt = 0
        while True:
            try:
                status, headers, decoded = self._send_once(method, path, query, body)
            except TransportError as exc:
                if attempt >= self.retries or (exc.maybe_sent and not retry_when_maybe_sent):
                    raise
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if status in expected:
                if status != 204 and not isinstance(decoded, dict):
                    raise APIError(f"{method} {path} answered HTTP {status} with a body that is not a JSON object",
                                   method=method, path=path, status=status)
                return decoded if status != 204 else None
            message, error_type, errors, request_id = describe_api_error(status, decoded, method, path)
            error_class = ERROR_CLASSES.get(status, APIError)
            error = error_class(self._redact(message), method=method, path=path, status=status,
                                error_type=error_type, errors=errors, request_id=request_id)
            if attempt >= self.retries:
                raise error
            if status == 429:
                wait = parse_retry_after(headers.get("Retry-After"))
                self._sleep(min(RETRY_AFTER_MAX_SECONDS, RETRY_AFTER_FALLBACK_SECONDS if wait is None else wait))
            elif status in RETRYABLE_STATUSES and retry_when_maybe_sent:
                self._sleep(self._backoff(attempt))
            else:
                raise error
            attempt += 1

    def get(self, path: str, query: dict | None = None) -> dict:
        return self.request("GET", path, query=query)

    def create(self, path: str, body: dict) -> dict:
        """POST a create; it carries an idempotency_key, so a retry returns the object the first try made."""
        try:
            return self.request("POST", path, body=body, retry_when_maybe_sent=True)
        except APIError as exc:
            if not _maybe_landed(exc):
                raise
            raise _uncertain(exc, (
                "the object may or may not have been created. Running the task again is safe: the create carries "
                f"idempotency_key {body.get('idempotency_key')!r}, so the API answers with the object it made instead "
                "of making a second one. To check now, look at the status page or list it with status_page_info"
            )) from None

    def put(self, path: str, body: dict) -> dict:
        # A PUT sends the whole desired state: repeating it converges on the same result.
        try:
            return self.request("PUT", path, body=body, retry_when_maybe_sent=True)
        except APIError as exc:
            if not _maybe_landed(exc):
                raise
            raise _uncertain(exc, (
                "the change may or may not have been applied. Running the task again is safe: the PUT sends the "
                "whole desired state. To check now, look at the status page or read the object with status_page_info"
            )) from None

    def delete(self, path: str) -> None:
        attempt = 0
        while True:
            try:
                self.request("DELETE", path, retry_when_maybe_sent=False)
                return
            except NotFoundError:
                if attempt == 0:
                    raise
                # An earlier DELETE whose answer was lost did land: the object is gone, as asked.
                return
            except APIError as exc:
                if not _maybe_landed(exc):
                    raise
                if attempt >= self.retries:
                    raise _uncertain(exc, (
                        "the object may or may not have been deleted. Running the task again is safe: a repeated "
                        "delete of a deleted object changes nothing. To check now, look at the status page or read it "
                        "with status_page_info")) from None
            self._sleep(self._backoff(attempt))
            attempt += 1

    def post_update(self, path: str, body: dict, landed) -> dict | None:
        """POST an update (no idempotency_key exists for updates) so that it is published exactly once.

        When a send fails in a way that may have reached the server, ``landed()`` re-reads the object and
        says whether the update is already there; the update is sent again only if it is not. Returns the
        created update, or None when it was found to have landed.
        """
        attempt = 0
        while True:
            try:
                return self.request("POST", path, body=body, retry_when_maybe_sent=False)
            except APIError as exc:
                if not _maybe_landed(exc):
                    raise
                try:
                    found = landed()
                except APIError as read_error:
                    raise _uncertain(exc, (
                        f"the update may or may not have been published, and re-reading the object to find out failed "
                        f"({read_error}). Check the status page (or status_page_info) before running again: a re-run "
                        "that reads the update there publishes nothing")) from None
                if found:
                    return None
                if attempt >= self.retries:
                    raise UncertainWriteError(
                        f"{exc} -- the update was not found on the object after {attempt + 1} attempts; it was "
                        "probably not published. Check the status page (or status_page_info) before running again.",
                        method="POST", path=path, status=exc.status, error_type=exc.error_type,
                        errors=exc.errors, request_id=exc.request_id) from None
                self._sleep(self._backoff(attempt))
                attempt += 1

    def paginate(self, path: str, key: str, query: dict | None = None, page_size: int = MAX_PAGE_SIZE):
        """Yield every item of a list endpoint, following pagination_meta.after until it is absent."""
        params = dict(query or {})
        params["page_size"] = page_size
        seen_cursors = set()
        while True:
            page = self.get(path, params)
            items = page.get(key)
            if not isinstance(items, list):
                raise APIError(f"GET {path} answered without a {key!r} list", method="GET", path=path)
            yield from items
            cursor = (page.get("pagination_meta") or {}).get("after")
            if not cursor or not items:
                return
            if cursor in seen_cursors:
                raise APIError(f"GET {path} returned the pagination cursor {cursor!r} twice", method="GET", path=path)
            seen_cursors.add(cursor)
            params["after"] = cursor

    # The API's endpoints, named after what they read or write.

    def list_status_pages(self) -> list:
        return list(self.paginate("/v2/status_pages", "status_pages"))

    def get_structure(self, status_page_id: str) -> dict:
        return self.get(f"/v2/status_page_structures/{status_page_id}")

    def list_incidents(self, status_page_id: str, start_at: str | None = None, end_at: str | None = None) -> list:
        return list(self.paginate("/v2/status_page_incidents", "status_page_incidents",
                                  _time_window(status_page_id, start_at, end_at)))

    def list_maintenances(self, status_page_id: str, start_at: str | None = None, end_at: str | None = None) -> list:
        return list(self.paginate("/v2/status_page_maintenances", "status_page_maintenances",
                                  _time_window(status_page_id, start_at, end_at)))

    def get_incident(self, incident_id: str) -> dict:
        return self.get(f"/v2/status_page_incidents/{incident_id}")["status_page_incident"]

    def get_maintenance(self, maintenance_id: str) -> dict:
        return self.get(f"/v2/status_page_maintenances/{maintenance_id}")["status_page_maintenance"]

    # Alert maintenance windows (MaintenanceWindows V1). Each operation needs a scope of its own, reads included,
    # and a refusal names it. Creates carry no idempotency key: see create_alert_window.

    def list_alert_windows(self, status: str | None = None) -> list:
        """Every alert maintenance window, or those that are ``active``, ``upcoming`` or ``past``."""
        with _needs_alert_window_scope("view"):
            return list(self.paginate(ALERT_WINDOWS_PATH, "maintenance_windows", {"status": status} if status else None,
                                      page_size=ALERT_WINDOWS_MAX_PAGE_SIZE))

    def get_alert_window(self, window_id: str) -> dict:
        path = f"{ALERT_WINDOWS_PATH}/{window_id}"
        with _needs_alert_window_scope("view"):
            return _alert_window_of(self.get(path), "GET", path)

    def create_alert_window(self, body: dict, find_created) -> dict:
        """POST a window so that it is created exactly once, although the API has no idempotency key for it.

        A create whose answer was lost is never sent again blindly: ``find_created()`` looks for the window
        (by name and times) and returns it, or None when it is not there; only then is the create sent again.
        """
        attempt = 0
        while True:
            try:
                with _needs_alert_window_scope("create"):
                    answer = self.request("POST", ALERT_WINDOWS_PATH, body=body, retry_when_maybe_sent=False)
                return _alert_window_of(answer, "POST", ALERT_WINDOWS_PATH, committed=True)
            except APIError as exc:
                if not _maybe_landed(exc):
                    raise
                try:
                    found = find_created()
                except APIError as read_error:
                    raise _uncertain(exc, (
                        f"the alert maintenance window {body.get('name')!r} may or may not have been created, and "
                        f"looking for it failed ({read_error}). Running the task again is safe: it looks for the "
                        "window by name before creating one")) from None
                if found is not None:
                    return found
                if attempt >= self.retries:
                    raise UncertainWriteError(
                        f"{exc} -- the alert maintenance window {body.get('name')!r} was not found after "
                        f"{attempt + 1} attempts; it was probably not created. Running the task again is safe: it "
                        "looks for the window by name before creating one",
                        method="POST", path=ALERT_WINDOWS_PATH, status=exc.status, error_type=exc.error_type,
                        errors=exc.errors, request_id=exc.request_id) from None
                self._sleep(self._backoff(attempt))
                attempt += 1

    def update_alert_window(self, window_id: str, body: dict) -> dict:
        """PUT the whole window (the API replaces every field): repeating it converges on the same window."""
        path = f"{ALERT_WINDOWS_PATH}/{window_id}"
        try:
            with _needs_alert_window_scope("update"):
                return _alert_window_of(self.request("PUT", path, body=body, retry_when_maybe_sent=True), "PUT", path,
                                        committed=True)
        except APIError as exc:
            if not _maybe_landed(exc):
                raise
            raise _uncertain(exc, (
                f"the change of alert maintenance window {window_id} may or may not have been applied. Running the "
                "task again is safe: the PUT sends the whole window")) from None

    def archive_alert_window(self, window_id: str, ended_just_now: bool = False) -> None:
        """DELETE (archive) a window that is not active.

        With ``ended_just_now``, the window's end was moved to this host's "now" a moment ago; a server whose clock
        is behind may still count it as active and refuse, so the refusal is retried after a pause.
        """
        path = f"{ALERT_WINDOWS_PATH}/{window_id}"
        attempt = 0
        while True:
            still_active = False
            try:
                with _needs_alert_window_scope("destroy"):
                    self.request("DELETE", path, retry_when_maybe_sent=False)
                return
            except NotFoundError:
                if attempt == 0:
                    raise
                # An earlier DELETE whose answer was lost did land: the window is archived, as asked.
                return
            except APIError as exc:
                still_active = ended_just_now and exc.status in (400, 409, 422)
                if not still_active and not _maybe_landed(exc):
                    raise
                if attempt >= self.retries:
                    if still_active:
                        raise
                    raise _uncertain(exc, (
                        f"alert maintenance window {window_id} may or may not have been archived. Running the task "
                        "again is safe: archiving an archived window changes nothing")) from None
            self._sleep(ALERT_WINDOW_END_WAIT_SECONDS if still_active else self._backoff(attempt))
            attempt += 1


ALERT_WINDOWS_PATH = "/v1/maintenance_windows"
# The largest page the alert maintenance windows list accepts.
ALERT_WINDOWS_MAX_PAGE_SIZE = 50
# Pause before archiving again a window that the server still counts as active (its clock is behind ours).
ALERT_WINDOW_END_WAIT_SECONDS = 1.0
# The scope of each alert maintenance window operation (the spec's x-rbac-scopes), and what it allows.
ALERT_WINDOW_SCOPES = {
    "view": ("maintenance_windows.view", "see alert maintenance windows"),
    "create": ("maintenance_window.create", "create alert maintenance windows"),
    "update": ("maintenance_window.update", "change and end alert maintenance windows"),
    "destroy": ("maintenance_window.destroy", "archive alert maintenance windows"),
}


@contextlib.contextmanager
def _needs_alert_window_scope(operation: str):
    """Turn a 403 into a message that names the scope the refused operation needs."""
    try:
        yield
    except ForbiddenError as exc:
        scope, allows = ALERT_WINDOW_SCOPES[operation]
        # The generic hint names the status-page publish permission, which alert windows do not use.
        message = str(exc).replace(f" ({PUBLISH_PERMISSION_HINT})", "")
        raise ForbiddenError(
            f"{message} -- the API key lacks the scope {scope}, needed to {allows}; give the key that permission "
            "in incident.io (Settings > API keys) or use a key that has it",
            method=exc.method, path=exc.path, status=exc.status, error_type=exc.error_type, errors=exc.errors,
            request_id=exc.request_id) from None


def _alert_window_of(answer, method: str, path: str, committed: bool = False) -> dict:
    """The ``maintenance_window`` object of an answer, or an error that says whether the write took effect."""
    window = answer.get("maintenance_window") if isinstance(answer, dict) else None
    if isinstance(window, dict) and window.get("id"):
        return window
    outcome = " The write was accepted, so it took effect; run the task again to read the result." if committed else ""
    raise APIError(f"{method} {path} answered without a maintenance_window object that has an id.{outcome}",
                   method=method, path=path)


def _maybe_landed(exc: APIError) -> bool:
    """Whether a failed write may still have taken effect on the server."""
    if isinstance(exc, TransportError):
        return exc.maybe_sent
    return exc.status in RETRYABLE_STATUSES


def _uncertain(exc: APIError, outcome: str) -> UncertainWriteError:
    """The error of a write whose retries ran out without telling whether it took effect."""
    return UncertainWriteError(
        f"{exc} -- no attempt got a usable answer, so {outcome}",
        method=exc.method, path=exc.path, status=exc.status, error_type=exc.error_type, errors=exc.errors,
        request_id=exc.request_id)


def _time_window(status_page_id: str, start_at: str | None, end_at: str | None) -> dict:
    query = {"status_page_id": status_page_id}
    if start_at:
        query["start_at"] = start_at
    if end_at:
        query["end_at"] = end_at
    return query
