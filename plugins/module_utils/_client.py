# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""The one HTTP client of the collection: auth, JSON, pagination, typed errors, retries, and every endpoint."""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import json
import math
import os
import re
import ssl
import time
import traceback
from urllib.parse import quote, urlsplit

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
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import (
    ERROR_CLASSES,
    APIError,
    ConfigurationError,
    ForbiddenError,
    InputError,
    NotFoundError,
    ShapeError,
    StatusPageError,
    TransportError,
    UncertainWriteError,
    UnexpectedAnswerError,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    check_answer,
    describe_json,
    excerpt,
    is_api_id,
)

# A copy of the version in galaxy.yml, which module code cannot read on a managed node;
# tests/unit/plugins/test_collection_version.py keeps the two equal.
COLLECTION_VERSION = "1.0.0"
DEFAULT_API_URL = "https://api.incident.io"
USER_AGENT = f"incident_io.status_page/{COLLECTION_VERSION} ansible-core/{ANSIBLE_CORE_VERSION}"
ACTION_GROUP = "group/incident_io.status_page.status_page"

# The API's largest page: fewer round trips for every list read.
MAX_PAGE_SIZE = 250

# Backoff for 5xx and network failures; 429s wait for what Retry-After says instead.
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 10.0
# A Retry-After that cannot be parsed still deserves a pause (the terraform provider waits 10 s too).
RETRY_AFTER_FALLBACK_SECONDS = 10.0
RETRY_AFTER_MAX_SECONDS = 120.0

RETRYABLE_STATUSES = frozenset((500, 502, 503, 504))
# Pause before sending again a write the server refused because it has not caught up with a change made a moment
# ago (archiving an alert window whose end was just moved to now, on a server whose clock is behind ours).
SETTLE_SECONDS = 1.0

STATUS_PAGES_PATH = "/v2/status_pages"
STRUCTURES_PATH = "/v2/status_page_structures"
INCIDENTS_PATH = "/v2/status_page_incidents"
INCIDENT_UPDATES_PATH = "/v2/status_page_incident_updates"
MAINTENANCES_PATH = "/v2/status_page_maintenances"
MAINTENANCE_UPDATES_PATH = "/v2/status_page_maintenance_updates"


def non_empty_env_fallback(*names):
    """The first of the environment variables that is set to something other than blank space.

    A credential or a container with an empty field injects an empty variable; that means "not set", so the
    next variable, or the option's default, applies instead of an empty value.
    """
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return value
    raise AnsibleFallbackNotFound


CONNECTION_ARGUMENT_SPEC = {
    # Not required in the argument spec: the client says every way to give a key when none is set.
    "api_key": {
        "type": "str",
        "no_log": True,
        "fallback": (non_empty_env_fallback, ["INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"]),
    },
    "api_url": {
        "type": "str",
        "default": DEFAULT_API_URL,
        "fallback": (non_empty_env_fallback, ["INCIDENT_API_URL", "INCIDENT_ENDPOINT"]),
    },
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "float", "default": 30},
    "retries": {"type": "int", "default": 5},
}

MISSING_API_KEY = (
    "api_key is required: set the api_key option, set it once for every module of the collection with "
    f"module_defaults for {ACTION_GROUP}, or set the INCIDENT_API_KEY environment variable"
)


def connection_argument_spec(**module_options) -> dict:
    """The connection options every module takes, plus the module's own options."""
    spec = {name: dict(option) for name, option in CONNECTION_ARGUMENT_SPEC.items()}
    spec.update(module_options)
    return spec


PUBLISH_SCOPE = "status_pages.publish_updates"
PUBLISH_PERMISSION_HINT = (
    "the API key needs the permission 'Create status page incidents, status page maintenance windows, "
    f"and publish status page updates' (scope {PUBLISH_SCOPE})"
)
READ_FORBIDDEN_HINT = (
    "reading needs no permission, so this API key cannot see this object: check that the key belongs to the "
    "organisation of the status page, and that the page is a public or customer page (internal status pages "
    "have no API access)"
)
AUTHENTICATION_HINT = "check api_key or INCIDENT_API_KEY: the API did not accept the key"
STATUS_PAGE_INFO = "incident_io.status_page.status_page_info"


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
        details.append(str(text))
    message = f"{method} {path} failed with HTTP {status}"
    if error_type:
        message += f" {error_type}"
    if details:
        message += ": " + "; ".join(details)
    elif isinstance(body, str) and body.strip():
        message += ": " + body.strip()[:300]
    if status == 401:
        message += f" ({AUTHENTICATION_HINT})"
    if status == 403:
        if method == "GET":
            message += f" ({READ_FORBIDDEN_HINT})"
        # The API's own 403 text may already name the scope; saying it twice helps nobody.
        elif PUBLISH_SCOPE not in message:
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
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        # float() also reads 'nan' and 'inf', which no sleep can take.
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
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
    try:
        parts = urlsplit(api_url or "")
        hostname = parts.hostname
        # Reading the port checks it: urlsplit accepts ports such as 99999 until asked.
        parts.port  # pylint: disable=pointless-statement
    except ValueError as exc:
        raise ConfigurationError(f"api_url is not a valid URL ({exc}), got {api_url!r}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigurationError(f"api_url must be an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"api_url must not carry a query or fragment, got {api_url!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("api_url must not carry a user name or password; give the key as api_key")
    if parts.scheme == "http" and not is_loopback_host(hostname):
        raise ConfigurationError(
            f"api_url {api_url!r} uses plain http to a host that is not loopback; the API key would travel "
            "unencrypted. Use https (plain http is accepted only for 127.0.0.1, ::1 and localhost)"
        )
    return api_url.rstrip("/")


def check_id_option(value, option: str) -> str | None:
    """An ID option without surrounding blank space, checked to be an API ID before it can reach a URL."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        raise InputError(f"{option}: must not be empty")
    if not is_api_id(cleaned):
        raise InputError(
            f"{option}: {value!r} is not an incident.io ID; IDs are letters and digits only, such as "
            "01JB5A7Z3KJ4W5M6N7P8Q9R0SV")
    return cleaned


def object_path(collection: str, object_id, what: str) -> str:
    """The path of one object. The ID is checked and percent-encoded, so it can only name that object."""
    if not is_api_id(object_id):
        raise StatusPageError(
            f"{what} {object_id!r} is not an incident.io ID (letters and digits); nothing was sent to "
            f"{collection}/... with it")
    return f"{collection}/{quote(object_id, safe='')}"


def _causes(exc: BaseException) -> list:
    """The exception and everything it wraps: requests and urllib3 nest the socket's error several levels deep."""
    chain = []
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if isinstance(current, BaseException) and not any(current is seen for seen in chain):
            chain.append(current)
            pending += [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
    return chain


# The operating system's words for a failure, such as "[Errno 111] Connection refused".
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] [^'\")(]+")
# What resolvers say when a name does not resolve, for the urllib3 releases without NameResolutionError.
_DNS_WORDS = ("Name or service not known", "nodename nor servname", "Temporary failure in name resolution",
              "No address associated", "getaddrinfo failed", "Failed to resolve")


def _nothing_was_sent(exc: Exception) -> bool:
    """True when the failure happened before the request could reach the server."""
    if isinstance(exc, (requests_exceptions.ConnectTimeout, requests_exceptions.SSLError,
                        requests_exceptions.InvalidURL, requests_exceptions.InvalidSchema,
                        requests_exceptions.InvalidHeader)):
        return True
    if isinstance(exc, requests_exceptions.ConnectionError) and urllib3_exceptions is not None:
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return isinstance(reason, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError))
    return False


def describe_transport_failure(exc: Exception, host: str, timeout: float) -> str:
    """What went wrong on the wire, in words, without the layers of wrapping requests adds."""
    chain = _causes(exc)
    kinds = {type(cause).__name__ for cause in chain}
    texts = " ".join(str(cause) for cause in chain)
    errno_text = _ERRNO_RE.search(texts)
    detail = errno_text.group(0).strip() if errno_text else ""
    if isinstance(exc, requests_exceptions.SSLError):
        # The ssl module's own words, such as "[SSL: CERTIFICATE_VERIFY_FAILED] ...", are the innermost error.
        reasons = [cause for cause in chain if isinstance(cause, ssl.SSLError)]
        return f"the TLS handshake with {host} failed ({reasons[-1] if reasons else exc})"
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return f"connecting to {host} timed out after {timeout:g} s"
    if isinstance(exc, requests_exceptions.ReadTimeout):
        return f"no answer came from {host} within {timeout:g} s (timeout)"
    if kinds & {"NameResolutionError", "gaierror"} or any(word in texts for word in _DNS_WORDS):
        return f"the host name of {host} could not be resolved (DNS{': ' + detail if detail else ''})"
    if "ConnectionRefusedError" in kinds or "refused" in texts.lower():
        return f"{host} refused the connection{' (' + detail + ')' if detail else ''}"
    if isinstance(exc, requests_exceptions.ConnectionError):
        return f"the connection to {host} failed or was dropped before an answer came ({detail or chain[-1]})"
    return f"{type(exc).__name__}: {exc}"


class StatusPageClient:
    """One keep-alive session per module run, speaking JSON to the incident.io API."""

    def __init__(self, api_key: str, api_url: str = DEFAULT_API_URL, *, validate_certs: bool = True,
                 timeout: float = 30, retries: int = 5, session=None, sleep=None):
        api_key = (api_key or "").strip()
        if not api_key:
            raise ConfigurationError(MISSING_API_KEY)
        if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in api_key):
            # An HTTP header cannot carry these, and the error requests would raise quotes the key.
            raise ConfigurationError("api_key contains blank space or control characters inside it; an incident.io "
                                     "API key is one word, such as inc_ followed by letters and digits")
        if timeout is None or timeout <= 0 or not math.isfinite(timeout):
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if retries is None or retries < 0:
            raise ConfigurationError(f"retries must be 0 or more, got {retries!r}")
        self.base_url = validate_api_url(api_url)
        self._host = urlsplit(self.base_url).netloc
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

    def _connection_hint(self, tls: bool) -> str:
        if self.base_url == DEFAULT_API_URL:
            hint = (f"api_url (or the INCIDENT_API_URL environment variable) is {DEFAULT_API_URL}, the incident.io API: "
                    "check that this host can reach it (network, DNS, proxy settings)")
        else:
            hint = (f"Check api_url (or the INCIDENT_API_URL environment variable): it is {self.base_url}, and the "
                    f"incident.io API is at {DEFAULT_API_URL}")
        if tls:
            hint += ("; plain http is only for loopback test servers, and for a server with a private CA set "
                     "validate_certs")
        return hint

    def _send_once(self, method: str, path: str, query: dict | None, body):
        """One HTTP exchange: (status, headers, decoded body, whether it was JSON) or a TransportError."""
        url = self.base_url + path
        try:
            # Redirects are not followed: a request goes to the configured API or nowhere, and requests would
            # turn a redirected POST into a GET.
            response = self.session.request(method, url, params=query, json=body, timeout=self.timeout,
                                            allow_redirects=False)
        except requests_exceptions.RequestException as exc:
            maybe_sent = not _nothing_was_sent(exc)
            what = describe_transport_failure(exc, self._host, self.timeout)
            sent = "the request may have reached the server" if maybe_sent else "nothing was sent"
            hint = self._connection_hint(isinstance(exc, requests_exceptions.SSLError))
            message = self._redact(f"{method} {url} failed: {what}; {sent}. {hint}")
            raise TransportError(message, maybe_sent=maybe_sent, method=method, path=path) from None
        text = response.text
        try:
            decoded, is_json = (json.loads(text), True) if text.strip() else (None, False)
        except ValueError:
            decoded, is_json = text, False
        return response.status_code, response.headers, decoded, is_json

    def request(self, method: str, path: str, *, query: dict | None = None, body=None,
                retry_when_maybe_sent: bool = True):
        """Send one logical request with the collection's retry rules and return the decoded body.

        429 and failures before sending are retried for every method. 5xx answers, timeouts and dropped
        connections after sending are retried only when ``retry_when_maybe_sent`` (reads, and creates that
        carry an idempotency_key the API replays). A success answers a JSON object, except for DELETE.
        """
        attempt = 0
        while True:
            try:
                status, headers, decoded, is_json = self._send_once(method, path, query, body)
            except TransportError as exc:
                if attempt >= self.retries or (exc.maybe_sent and not retry_when_maybe_sent):
                    raise
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if 200 <= status < 300:
                if method == "DELETE":
                    return None
                if not isinstance(decoded, dict):
                    raise UnexpectedAnswerError(
                        f"answered HTTP {status} with {self._describe_body(decoded, is_json)} instead of a JSON object",
                        method=method, path=path, status=status)
                return decoded
            if 300 <= status < 400:
                location = headers.get("Location") or "nowhere"
                raise APIError(
                    self._redact(f"{method} {path} answered HTTP {status}, a redirect to {location}, which the collection "
                                 f"does not follow. {self._connection_hint(False)}"),
                    method=method, path=path, status=status)
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

    def _describe_body(self, decoded, is_json: bool) -> str:
        if decoded is None:
            return "an empty body"
        if not is_json:
            return f"a body that is not JSON ({self._redact(excerpt(decoded))!r})"
        return f"JSON {describe_json(decoded)} ({self._redact(excerpt(json.dumps(decoded, sort_keys=True)))})"

    def _unwrap(self, method: str, path: str, answer: dict, envelope: str | None, kind: str | None):
        """The object the answer carries under ``envelope`` (the whole answer without one), checked as ``kind``."""
        value = answer if envelope is None else answer.get(envelope)
        where = envelope or "the answer"
        if envelope is not None and value is None:
            raise UnexpectedAnswerError(
                f"its answer has no {envelope} (got {self._redact(excerpt(answer))})", method=method, path=path)
        try:
            return check_answer(kind, value, where) if kind is not None else value
        except ShapeError as exc:
            raise UnexpectedAnswerError(
                f"its answer is not usable: {self._redact(str(exc))} (got {self._redact(excerpt(answer))})",
                method=method, path=path) from None

    def _read_outcome(self) -> str:
        return ("Nothing was written. Check that api_url (or INCIDENT_API_URL) is the incident.io API; it is "
                f"{self.base_url}. If it is, the answer does not match the API's documentation: report it with "
                "this message")

    def _call(self, outcome: str, send):
        """``send()``, with ``outcome`` added to the message of an answer that cannot be used."""
        try:
            return send()
        except UnexpectedAnswerError as exc:
            if exc.outcome:
                raise
            raise exc.with_outcome(outcome) from None

    def get(self, path: str, query: dict | None = None, envelope: str | None = None, kind: str | None = None) -> dict:
        return self._call(self._read_outcome(), lambda: self._unwrap(
            "GET", path, self.request("GET", path, query=query), envelope, kind))

    def create(self, path: str, body: dict, envelope: str | None = None, kind: str | None = None,
               what: str = "the object") -> dict:
        """POST a create; it carries an idempotency_key, so a retry returns the object the first try made."""
        rerun = (f"Running the task again is safe: the create carries idempotency_key {body.get('idempotency_key')!r}, "
                 "so the API answers with the object it made instead of making a second one")
        check = f"To check now, look at the status page or list it with {STATUS_PAGE_INFO}"
        return self._write("POST", path, body, envelope, kind,
                           accepted=f"The API accepted the request, so {what} was probably created. {rerun}. {check}",
                           uncertain=f"{what} may or may not have been created. {rerun}. {check}")

    def put(self, path: str, body: dict, envelope: str | None = None, kind: str | None = None,
            what: str = "the object") -> dict:
        # A PUT sends the whole desired state: repeating it converges on the same result.
        rerun = "Running the task again is safe: the PUT sends the whole desired state"
        check = f"To check now, look at the status page or read {what} with {STATUS_PAGE_INFO}"
        return self._write("PUT", path, body, envelope, kind,
                           accepted=f"The API accepted the change, so it was probably applied to {what}. {rerun}. {check}",
                           uncertain=f"the change to {what} may or may not have been applied. {rerun}. {check}")

    def _write(self, method: str, path: str, body: dict, envelope, kind, accepted: str, uncertain: str) -> dict:
        """A write that is safe to repeat: retried like a read, with what its failure means for the object."""
        try:
            return self._call(accepted, lambda: self._unwrap(
                method, path, self.request(method, path, body=body, retry_when_maybe_sent=True), envelope, kind))
        except UnexpectedAnswerError:
            raise
        except APIError as exc:
            if not _maybe_landed(exc):
                raise
            raise _uncertain(exc, uncertain) from None

    def delete(self, path: str, *, uncertain: str = "", refused_while_settling=None) -> None:
        """DELETE an object. A retry after a lost answer that finds it gone (404) has done what was asked.

        ``refused_while_settling(exc)`` says whether a refusal only means that the server has not caught up with a
        change made a moment ago; such a refusal is sent again after a pause.
        """
        uncertain = uncertain or (
            "the object may or may not have been deleted. Running the task again is safe: a repeated delete of a "
            f"deleted object changes nothing. To check now, look at the status page or read it with {STATUS_PAGE_INFO}")
        attempt = 0
        while True:
            settling = False
            try:
                self.request("DELETE", path, retry_when_maybe_sent=False)
                return
            except NotFoundError:
                if attempt == 0:
                    raise
                # An earlier DELETE whose answer was lost did land: the object is gone, as asked.
                return
            except APIError as exc:
                settling = refused_while_settling is not None and refused_while_settling(exc)
                if not settling and not _maybe_landed(exc):
                    raise
                if attempt >= self.retries:
                    if settling:
                        raise
                    raise _uncertain(exc, uncertain) from None
            self._sleep(SETTLE_SECONDS if settling else self._backoff(attempt))
            attempt += 1

    def post_update(self, path: str, body: dict, landed, envelope: str | None = None, kind: str | None = None) -> dict | None:
        """POST an update (no idempotency_key exists for updates) so that it is published exactly once.

        When a send fails in a way that may have reached the server, ``landed()`` re-reads the object and
        says whether the update is already there; the update is sent again only if it is not. Returns the
        created update ({} when the answer leaves it out), or None when it was found to have landed.
        """
        outcome = ("The API accepted the update, so it was probably published. Running the task again is safe: it "
                   "reads the object first and publishes nothing when the update is there. To check now, look at the "
                   f"status page or read the object with {STATUS_PAGE_INFO}")

        def send():
            answer = self._call(outcome, lambda: self.request("POST", path, body=body, retry_when_maybe_sent=False))
            if envelope is None or answer.get(envelope) is None:
                # The update's own record is optional in the answer: the caller knows what it posted.
                return answer if envelope is None else {}
            return self._call(outcome, lambda: self._unwrap("POST", path, answer, envelope, kind))

        found, answer = self._post_once(
            path, send, lambda: landed() or None,
            unknown=lambda error: (
                f"the update may or may not have been published, and re-reading the object to find out failed ({error}). "
                f"Check the status page (or {STATUS_PAGE_INFO}) before running again: a re-run that reads the update "
                "there publishes nothing"),
            not_found=lambda attempts: (
                f"the update was not found on the object after {attempts} attempts; it was probably not published. "
                f"Check the status page (or {STATUS_PAGE_INFO}) before running again."))
        return None if found else answer

    def _post_once(self, path: str, send, look, *, unknown, not_found) -> tuple:
        """(False, ``send()``'s answer), or (True, what ``look()`` found): a POST without an idempotency key, sent
        again only after ``look()`` found that no earlier attempt took effect.

        A failure that may have reached the server leaves the write's outcome unknown: ``look()`` reads the server
        and returns what the write made, or None. ``unknown(read_error)`` says what that means when the look fails
        too, ``not_found(attempts)`` when every attempt failed and the look found nothing.
        """
        attempt = 0
        while True:
            try:
                return False, send()
            except UnexpectedAnswerError:
                raise
            except APIError as exc:
                if not _maybe_landed(exc):
                    raise
                try:
                    found = look()
                except APIError as read_error:
                    raise _uncertain(exc, unknown(read_error)) from None
                if found is not None:
                    return True, found
                if attempt >= self.retries:
                    raise UncertainWriteError(
                        f"{exc} -- {not_found(attempt + 1)}", method="POST", path=path,
                        status=exc.status, error_type=exc.error_type, errors=exc.errors,
                        request_id=exc.request_id) from None
                self._sleep(self._backoff(attempt))
                attempt += 1

    def paginate(self, path: str, key: str, query: dict | None = None, page_size: int = MAX_PAGE_SIZE):
        """Yield every item of a list endpoint, following pagination_meta.after until it is absent."""
        params = dict(query or {})
        params["page_size"] = page_size
        seen_cursors = set()
        while True:
            page = self.get(path, params)
            items = self._call(self._read_outcome(), lambda page=page: self._unwrap("GET", path, page, key, key))
            yield from items
            meta = page.get("pagination_meta")
            cursor = meta.get("after") if isinstance(meta, dict) else None
            if cursor is not None and not isinstance(cursor, str):
                raise UnexpectedAnswerError(
                    f"its pagination_meta.after is {describe_json(cursor)}, not a string (got {excerpt(meta)})",
                    outcome=self._read_outcome(), method="GET", path=path)
            if not cursor or not items:
                return
            if cursor in seen_cursors:
                raise UnexpectedAnswerError(
                    f"it returned the pagination cursor {cursor!r} twice; following it would never end",
                    outcome=self._read_outcome(), method="GET", path=path)
            seen_cursors.add(cursor)
            params["after"] = cursor

    # The API's endpoints, named after what they read or write. IDs reach a path only through object_path().

    def list_status_pages(self) -> list:
        return list(self.paginate(STATUS_PAGES_PATH, "status_pages"))

    def get_structure(self, status_page_id: str) -> dict:
        return self.get(object_path(STRUCTURES_PATH, status_page_id, "status page ID"), kind="structure")

    def list_incidents(self, status_page_id: str, start_at: str | None = None, end_at: str | None = None) -> list:
        return list(self.paginate(INCIDENTS_PATH, "status_page_incidents", _time_window(status_page_id, start_at, end_at)))

    def list_maintenances(self, status_page_id: str, start_at: str | None = None, end_at: str | None = None) -> list:
        return list(self.paginate(MAINTENANCES_PATH, "status_page_maintenances",
                                  _time_window(status_page_id, start_at, end_at)))

    def get_incident(self, incident_id: str) -> dict:
        return self.get(object_path(INCIDENTS_PATH, incident_id, "incident ID"),
                        envelope="status_page_incident", kind="status_page_incident")

    def get_maintenance(self, maintenance_id: str) -> dict:
        return self.get(object_path(MAINTENANCES_PATH, maintenance_id, "maintenance window ID"),
                        envelope="status_page_maintenance", kind="status_page_maintenance")

    def create_incident(self, body: dict) -> dict:
        return self.create(INCIDENTS_PATH, body, envelope="status_page_incident", kind="status_page_incident",
                           what="the incident")

    def rename_incident(self, incident_id: str, name: str) -> dict:
        return self.put(object_path(INCIDENTS_PATH, incident_id, "incident ID"), {"name": name},
                        envelope="status_page_incident", kind="status_page_incident", what="the incident")

    def post_incident_update(self, body: dict, landed) -> dict | None:
        return self.post_update(INCIDENT_UPDATES_PATH, body, landed, envelope="status_page_incident_update",
                                kind="status_page_incident_update")

    def create_maintenance(self, body: dict) -> dict:
        return self.create(MAINTENANCES_PATH, body, envelope="status_page_maintenance", kind="status_page_maintenance",
                           what="the maintenance window")

    def update_maintenance(self, maintenance_id: str, body: dict) -> dict:
        return self.put(object_path(MAINTENANCES_PATH, maintenance_id, "maintenance window ID"), body,
                        envelope="status_page_maintenance", kind="status_page_maintenance",
                        what="the maintenance window")

    def delete_maintenance(self, maintenance_id: str) -> None:
        self.delete(object_path(MAINTENANCES_PATH, maintenance_id, "maintenance window ID"))

    def post_maintenance_update(self, body: dict, landed) -> dict | None:
        return self.post_update(MAINTENANCE_UPDATES_PATH, body, landed, envelope="status_page_maintenance_update",
                                kind="status_page_maintenance_update")

    # Alert maintenance windows (MaintenanceWindows V1). Each operation needs a scope of its own, reads included,
    # and a refusal names it. Creates carry no idempotency key: see create_alert_window.

    def list_alert_windows(self, status: str | None = None) -> list:
        """Every alert maintenance window, or those that are ``active``, ``upcoming`` or ``past``."""
        with _needs_alert_window_scope("view"):
            return list(self.paginate(ALERT_WINDOWS_PATH, "maintenance_windows", {"status": status} if status else None,
                                      page_size=ALERT_WINDOWS_MAX_PAGE_SIZE))

    def get_alert_window(self, window_id: str) -> dict:
        path = alert_window_path(window_id)
        with _needs_alert_window_scope("view"):
            return self.get(path, envelope="maintenance_window", kind="maintenance_window")

    def create_alert_window(self, body: dict, find_created) -> dict:
        """POST a window so that it is created exactly once, although the API has no idempotency key for it.

        A create whose answer was lost is never sent again blindly: ``find_created()`` looks for the window
        (by name and times) and returns it, or None when it is not there; only then is the create sent again.
        """
        window = f"the alert maintenance window {body.get('name')!r}"

        def send():
            with _needs_alert_window_scope("create"):
                return self._call(
                    f"The API accepted the request, so {window} was probably created. {ALERT_WINDOW_RERUN_CREATE}. "
                    f"{ALERT_WINDOW_CHECK}",
                    lambda: self._unwrap("POST", ALERT_WINDOWS_PATH, self.request(
                        "POST", ALERT_WINDOWS_PATH, body=body, retry_when_maybe_sent=False),
                        "maintenance_window", "maintenance_window"))

        dummy_found, created = self._post_once(
            ALERT_WINDOWS_PATH, send, find_created,
            unknown=lambda error: (f"{window} may or may not have been created, and looking for it failed ({error}). "
                                   f"{ALERT_WINDOW_RERUN_CREATE}"),
            not_found=lambda attempts: (f"{window} was not found after {attempts} attempts; it was probably not "
                                        f"created. {ALERT_WINDOW_RERUN_CREATE}"))
        return created

    def update_alert_window(self, window_id: str, body: dict) -> dict:
        """PUT the whole window (the API replaces every field): repeating it converges on the same window."""
        rerun = "Running the task again is safe: the PUT sends the whole window"
        with _needs_alert_window_scope("update"):
            return self._write(
                "PUT", alert_window_path(window_id), body, "maintenance_window", "maintenance_window",
                accepted=(f"The API accepted the change, so it was probably applied to alert maintenance window "
                          f"{window_id}. {rerun}. {ALERT_WINDOW_CHECK}"),
                uncertain=(f"the change of alert maintenance window {window_id} may or may not have been applied. "
                           f"{rerun}. {ALERT_WINDOW_CHECK}"))

    def archive_alert_window(self, window_id: str, ended_just_now: bool = False) -> None:
        """DELETE (archive) a window that is not active.

        With ``ended_just_now``, the window's end was moved to this host's "now" a moment ago; a server whose clock
        is behind may still count it as active and refuse, so the refusal is retried after a pause.
        """
        with _needs_alert_window_scope("destroy"):
            self.delete(alert_window_path(window_id), uncertain=(
                f"alert maintenance window {window_id} may or may not have been archived. Running the task again is "
                "safe: archiving an archived window changes nothing"),
                refused_while_settling=(lambda exc: exc.status in (400, 409, 422)) if ended_just_now else None)


ALERT_WINDOWS_PATH = "/v1/maintenance_windows"
# The largest page the alert maintenance windows list accepts.
ALERT_WINDOWS_MAX_PAGE_SIZE = 50
ALERT_WINDOW_RERUN_CREATE = "Running the task again is safe: it looks for the window by name before creating one"
# Check mode reads the windows and reports what it finds, without a write.
ALERT_WINDOW_CHECK = ("To check now, run the task again in check mode: it reports the window it finds and whether it "
                      "still differs")
# The scope of each alert maintenance window operation (the spec's x-rbac-scopes), and what it allows.
ALERT_WINDOW_SCOPES = {
    "view": ("maintenance_windows.view", "see alert maintenance windows"),
    "create": ("maintenance_window.create", "create alert maintenance windows"),
    "update": ("maintenance_window.update", "change and end alert maintenance windows"),
    "destroy": ("maintenance_window.destroy", "archive alert maintenance windows"),
}


def alert_window_path(window_id: str) -> str:
    return object_path(ALERT_WINDOWS_PATH, window_id, "alert maintenance window ID")


@contextlib.contextmanager
def _needs_alert_window_scope(operation: str):
    """Turn a 403 into a message that names the scope the refused operation needs."""
    try:
        yield
    except ForbiddenError as exc:
        scope, allows = ALERT_WINDOW_SCOPES[operation]
        # The generic hints speak of status pages: alert windows need no publish permission, and reading them does
        # need a scope of its own.
        message = str(exc).replace(f" ({PUBLISH_PERMISSION_HINT})", "").replace(f" ({READ_FORBIDDEN_HINT})", "")
        raise ForbiddenError(
            f"{message} -- the API key lacks the scope {scope}, needed to {allows}; give the key that permission "
            "in incident.io (Settings > API keys) or use a key that has it",
            method=exc.method, path=exc.path, status=exc.status, error_type=exc.error_type, errors=exc.errors,
            request_id=exc.request_id) from None


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
