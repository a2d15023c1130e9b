# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted stand-in for requests.Session: every call must be expected, in order, and all must be used.

A missing or an extra call fails the test, so a check-mode test that scripts only reads proves that no
write was sent.

Every module run also compares its whole outcome (the result or failure, the warnings, and the requests sent) with
the one recorded for that test in modules/outputs/<test file>.json, so a change of any message, return value or
request fails a test, not only the parts a test asserts by hand. After a deliberate change, re-record them with
UPDATE_OUTPUTS=1 (without pytest-xdist: `pytest -p no:xdist tests/unit/plugins/modules`) and review the diff.
"""

from __future__ import annotations

import json
import os
import threading
from urllib.parse import urlsplit

import pytest
import requests
from urllib3 import exceptions as urllib3_exceptions

from ansible.module_utils import basic
from ansible.module_utils import _internal as ansible_internal
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _lock

API_URL = "https://api.incident.test"
API_KEY = "inc_unit_test_key_7f3a9c"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The value of an argument that run_module() leaves out (api_key and api_url are otherwise always given).
UNSET = object()


class Call:
    """One expected request and its scripted answer (or the exception the transport raises)."""

    def __init__(self, method: str, path: str, *, query=None, body=None, status: int = 200, json_body=None,
                 text: str | None = None, headers: dict | None = None, raises: Exception | None = None):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.status = status
        self.json_body = json_body
        self.text = text
        self.headers = headers or {}
        self.raises = raises

    def __repr__(self):
        return f"Call({self.method} {self.path})"


class FakeResponse:
    def __init__(self, call: Call):
        self.status_code = call.status
        self.headers = requests.structures.CaseInsensitiveDict(call.headers)
        if call.text is not None:
            self.text = call.text
        elif call.json_body is not None:
            self.text = json.dumps(call.json_body)
        else:
            self.text = ""


class FakeSession:
    def __init__(self, calls):
        self.expected = list(calls)
        self.sent = []
        self.headers = {}
        self.verify = True
        self.closed = False

    def request(self, method, url, params=None, json=None, timeout=None, allow_redirects=True):
        parts = urlsplit(url)
        # A copy: the client reuses its query dict for the next page.
        self.sent.append({"method": method, "path": parts.path, "query": None if params is None else dict(params), "body": json,
                          "headers": dict(self.headers), "timeout": timeout, "url": url,
                          "allow_redirects": allow_redirects, "verify": self.verify})
        assert self.expected, f"unexpected extra request: {method} {parts.path} {params} {json}"
        call = self.expected.pop(0)
        assert (method, parts.path) == (call.method, call.path), f"expected {call}, got {method} {parts.path}"
        if call.query is not None:
            assert params == call.query, f"{call}: query {params} != {call.query}"
        if call.body is not None:
            if callable(call.body):
                assert call.body(json), f"{call}: body {json} rejected"
            else:
                assert json == call.body, f"{call}: body {json} != {call.body}"
        if call.raises is not None:
            raise call.raises
        return FakeResponse(call)

    def close(self):
        self.closed = True

    def assert_all_used(self):
        assert not self.expected, f"expected requests never sent: {self.expected}"

    @property
    def writes(self):
        return [r for r in self.sent if r["method"] in WRITE_METHODS]


def connection_refused() -> Exception:
    reason = urllib3_exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, "/", reason=reason))


def connection_reset() -> Exception:
    return requests.exceptions.ConnectionError(
        urllib3_exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


def read_timeout() -> Exception:
    return requests.exceptions.ReadTimeout("HTTPSConnectionPool: Read timed out. (read timeout=30)")


def api_error(status: int, error_type: str, code: str, message: str, field: str | None = None,
              request_id: str = "req-0001") -> dict:
    error = {"code": code, "message": message}
    if field:
        error["source"] = {"field": field, "pointer": "/" + field.replace(".", "/")}
    return {"type": error_type, "status": status, "request_id": request_id, "errors": [error]}


def make_client(calls, **kwargs):
    """A client wired to a FakeSession; sleeps are recorded, not slept."""
    session = FakeSession(calls)
    sleeps = []
    options = {"session": session, "sleep": sleeps.append}
    options.update(kwargs)
    client = _client.StatusPageClient(API_KEY, API_URL, **options)
    return client, session, sleeps


FROM_PARAMS = _client.StatusPageClient.from_params.__func__
OUTPUTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "modules", "outputs")
_OUTPUTS_LOCK = threading.Lock()


def check_recorded_output(outcome: dict, run_number: int) -> None:
    """Compare the outcome of a module run with the one recorded for the running test (see the module docstring)."""
    test_file, test_name = os.environ["PYTEST_CURRENT_TEST"].rsplit(" ", 1)[0].split("::", 1)
    key = f"{test_name} #{run_number}"
    path = os.path.join(OUTPUTS_DIR, os.path.basename(test_file).replace(".py", ".json"))
    # The lock directory lives in the test's own temporary directory.
    text = json.dumps(outcome, sort_keys=True, default=str).replace(_lock.tempfile.gettempdir(), "<tmp>")
    observed = json.loads(text)
    with _OUTPUTS_LOCK:
        recorded = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                recorded = json.load(handle)
        if os.environ.get("UPDATE_OUTPUTS") == "1":
            recorded[key] = observed
            os.makedirs(OUTPUTS_DIR, exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(dict(sorted(recorded.items())), handle, indent=1, sort_keys=True)
                handle.write("\n")
            return
    assert key in recorded, f"no recorded output for {key} in {path}: record it with UPDATE_OUTPUTS=1"
    assert observed == recorded[key], f"{key}: the output differs from the recorded one in {path}"


class ModuleExit(Exception):
    def __init__(self, result: dict, failed: bool):
        super().__init__(result)
        self.result = result
        self.failed = failed


def run_module(monkeypatch, module_main, args: dict, calls, check_mode: bool = False, diff: bool = False):
    """Run a module's main() against scripted calls; returns (result, session). Asserts every call was used."""
    session = FakeSession(calls)
    monkeypatch.setattr(_client.requests, "Session", lambda: session)
    sleeps = []
    # The client's waits are recorded, not slept (other waits, such as the lock's, stay real).
    monkeypatch.setattr(_client.StatusPageClient, "from_params",
                        classmethod(lambda cls, params: FROM_PARAMS(cls, params, sleep=sleeps.append)))

    def exit_json(self, **kwargs):
        assert "failed" not in kwargs, "a failure must go through fail_json"
        raise ModuleExit(kwargs, failed=False)

    def fail_json(self, **kwargs):
        assert isinstance(kwargs.get("msg"), str) and kwargs["msg"], "fail_json needs a message"
        kwargs["failed"] = True
        raise ModuleExit(kwargs, failed=True)

    warned = []
    # A test may have replaced warn() to collect warnings itself; both see every warning.
    collect = basic.AnsibleModule.warn

    def warn(self, message):
        warned.append(message)
        collect(self, message)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", warn)
    module_args = {"api_key": API_KEY, "api_url": API_URL}
    module_args.update(args)
    # A task that does not set an option at all, so that its fallbacks and default apply.
    module_args = {name: value for name, value in module_args.items() if value is not UNSET}
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = diff
    # exit_json is patched, so warnings are collected here the way the real one adds them to the result.
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
    # Modules run on a target, never in the controller: once a test of a controller plugin has imported controller
    # code, Ansible would send the module's warnings to the controller's display instead of its result.
    monkeypatch.setattr(ansible_internal, "is_controller", False)
    with patch_module_args(module_args):
        with pytest.raises(ModuleExit) as caught:
            module_main()
    session.assert_all_used()
    warnings = list(ansible_warnings.get_warning_messages())
    if warnings:
        caught.value.result["warnings"] = warnings
    assert API_KEY not in json.dumps(caught.value.result, default=str), "the API key leaked into the result"
    # The n-th run of the test: counted on its own monkeypatch, which lives exactly as long as the test.
    monkeypatch.recorded_runs = getattr(monkeypatch, "recorded_runs", 0) + 1
    check_recorded_output({
        "result": caught.value.result, "warnings": warned, "sleeps": sleeps,
        "requests": [[sent["method"], sent["path"], sent["query"], sent["body"]] for sent in session.sent],
    }, monkeypatch.recorded_runs)
    return caught.value.result, session
