# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _errors, _lifecycle
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import API_KEY, API_URL, FakeSession

MODULE_ARGS = {"argument_spec": _client.connection_argument_spec(), "supports_check_mode": True}


class StandIn:
    def __init__(self, params):
        self.params = dict({"api_key": API_KEY, "api_url": API_URL, "validate_certs": True, "timeout": 30,
                            "retries": 5}, **params)
        self.check_mode = False
        self._diff = False

    def warn(self, message):
        raise AssertionError(message)


@pytest.fixture(name="session")
def fixture_session(monkeypatch):
    session = FakeSession([])
    monkeypatch.setattr(_client.requests, "Session", lambda: session)
    return session


def test_a_run_returns_its_result_and_closes_the_session(session):
    assert _lifecycle.execute(StandIn({}), lambda module, client: {"changed": False}) == {"changed": False}
    assert session.closed


@pytest.mark.parametrize("error, expected", [
    (_errors.StatusPageError("name: bad"), {"failed": True, "msg": "name: bad"}),
    (_errors.APIError("GET /x failed", status=500, request_id="r-1", error_type="api_error",
                      errors=[{"code": "boom"}]),
     {"failed": True, "msg": "GET /x failed", "status": 500, "request_id": "r-1", "error_type": "api_error",
      "errors": [{"code": "boom"}]}),
    (ValueError("start_at: bad"), {"failed": True, "msg": "start_at: bad"}),
])
def test_a_failure_becomes_the_result_of_the_run(session, error, expected):
    def run(module, client):
        raise error

    assert _lifecycle.execute(StandIn({}), run) == expected
    assert session.closed


def test_a_missing_key_fails_before_a_session_is_made(monkeypatch):
    monkeypatch.setattr(_client.requests, "Session", lambda: pytest.fail("no session without a key"))
    assert _lifecycle.execute(StandIn({"api_key": None}), lambda module, client: pytest.fail("not run")) == {
        "failed": True, "msg": _client.MISSING_API_KEY}


class Exit(Exception):
    pass


def run_main(monkeypatch, run):
    outcome = {}

    def exit_json(self, **kwargs):
        outcome.update(kwargs, called="exit_json")
        raise Exit

    def fail_json(self, **kwargs):
        outcome.update(kwargs, called="fail_json")
        raise Exit

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    with patch_module_args({"api_key": API_KEY, "api_url": API_URL}):
        with pytest.raises(Exit):
            _lifecycle.run_module(MODULE_ARGS, run)
    return outcome


def test_run_module_reports_a_failure_through_fail_json(monkeypatch, session):
    def run(module, client):
        raise _errors.StatusPageError("name: bad")

    assert run_main(monkeypatch, run) == {"msg": "name: bad", "called": "fail_json"}


def test_run_module_reports_a_result_through_exit_json(monkeypatch, session):
    assert run_main(monkeypatch, lambda module, client: {"changed": True, "id": "X"}) == {
        "changed": True, "id": "X", "called": "exit_json"}


def test_run_module_without_requests_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(_lifecycle, "HAS_REQUESTS", False)
    monkeypatch.setattr(_lifecycle, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    outcome = run_main(monkeypatch, lambda module, client: pytest.fail("not run"))
    assert outcome["called"] == "fail_json"
    assert outcome["msg"] == basic.missing_required_lib("requests")
    assert outcome["exception"] == "Traceback: No module named 'requests'"


@pytest.mark.parametrize("kind", [_lifecycle.INCIDENTS, _lifecycle.MAINTENANCES], ids=lambda kind: kind.name)
@pytest.mark.parametrize("operation, method", [("get", "get_{}"), ("list", "list_{}s"), ("create", "create_{}"),
                                               ("post_update", "post_{}_update")])
def test_every_kind_reaches_its_endpoints_on_the_client(session, kind, operation, method):
    client = _client.StatusPageClient(API_KEY, API_URL)
    endpoint = kind.endpoint(client, operation)
    assert endpoint.__self__ is client and endpoint.__name__ == method.format(kind.name)


def test_a_404_on_the_id_option_names_the_object_and_the_request():
    error = _errors.NotFoundError("GET /v2/x failed with HTTP 404", status=404, request_id="req-9")
    assert str(_lifecycle.not_found("maintenance window", "01ABC", error)) == (
        "id: no maintenance window with ID '01ABC' exists, or this API key cannot see it (HTTP 404, request_id req-9)")
    assert str(_lifecycle.not_found("incident", "01ABC", _errors.NotFoundError("x", status=404))) == (
        "id: no incident with ID '01ABC' exists, or this API key cannot see it (HTTP 404)")
