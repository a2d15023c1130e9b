# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import types

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _client
from ansible_collections.incident_io.status_page.plugins.modules import status_page_maintenance
from ansible_collections.incident_io.status_page.plugins.plugin_utils._in_process import (
    NO_LOG_MASK,
    NO_LOG_PLACEHOLDER,
    ModuleRunFailed,
    censor,
    environment_of,
    find_play,
    module_defaults_for,
    run_module_in_process,
    task_environment,
)
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import C1, PAGE_ID, WINDOW_ID
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_KEY,
    API_URL,
    Call,
    FakeSession,
    connection_reset,
)

MAINTENANCE = "incident_io.status_page.status_page_maintenance"
GROUP = "incident_io.status_page.status_page"


class Templar:
    """Templates nothing: the values in these tests are plain."""

    @staticmethod
    def template(value):
        return value


def task(module_defaults=None, environment=None, action_groups=None):
    play = types.SimpleNamespace(_action_groups=action_groups if action_groups is not None else {MAINTENANCE: [GROUP]})
    block = types.SimpleNamespace(_play=play, _parent=None)
    return types.SimpleNamespace(module_defaults=module_defaults, environment=environment, _parent=block)


def test_module_defaults_group_then_module_then_later_blocks():
    at_task = task(module_defaults=[
        {f"group/{GROUP}": {"api_key": "play-key", "api_url": "https://play", "timeout": 5},
         MAINTENANCE: {"api_url": "https://module"}},
        {f"group/{GROUP}": {"api_key": "block-key"}},
        {"incident_io.status_page.status_page_incident": {"api_key": "incident-key"}},
    ])
    # The block's group entry replaces the play's one as a whole, as in Ansible; the module's entry wins over both.
    assert module_defaults_for(at_task, Templar(), MAINTENANCE) == {"api_key": "block-key", "api_url": "https://module"}


def test_module_defaults_of_a_group_the_module_is_not_in():
    at_task = task(module_defaults=[{f"group/{GROUP}": {"api_key": "group-key"}}], action_groups={})
    assert module_defaults_for(at_task, Templar(), MAINTENANCE) == {}


def test_module_defaults_none():
    assert module_defaults_for(task(), Templar(), MAINTENANCE) == {}


def test_find_play_through_parents():
    play = object()
    inner = types.SimpleNamespace(_parent=types.SimpleNamespace(_parent=types.SimpleNamespace(_play=play)))
    assert find_play(inner) is play
    assert find_play(types.SimpleNamespace(_parent=None)) is None


def test_task_environment_merges_in_order():
    at_task = task(environment=[{"INCIDENT_API_URL": "https://first", "A": 1}, None, {"INCIDENT_API_URL": "https://second"}])
    assert task_environment(at_task, Templar()) == {"INCIDENT_API_URL": "https://second", "A": "1"}


def test_environment_of_restores(monkeypatch):
    monkeypatch.setenv("INCIDENT_API_URL", "https://before")
    monkeypatch.delenv("INCIDENT_TEST_NEW", raising=False)
    with environment_of({"INCIDENT_API_URL": "https://during", "INCIDENT_TEST_NEW": "x"}):
        assert os.environ["INCIDENT_API_URL"] == "https://during"
        assert os.environ["INCIDENT_TEST_NEW"] == "x"
    assert os.environ["INCIDENT_API_URL"] == "https://before"
    assert "INCIDENT_TEST_NEW" not in os.environ


@pytest.fixture
def session(monkeypatch):
    holder = {}

    def make(calls):
        holder["session"] = FakeSession(calls)
        monkeypatch.setattr(_client.requests, "Session", lambda: holder["session"])
        monkeypatch.setattr(_client.time, "sleep", lambda seconds: None)
        return holder["session"]

    return make


WINDOW = {
    "id": WINDOW_ID, "status_page_id": PAGE_ID, "name": "Release", "maintenance_status": "maintenance_in_progress",
    "published_at": "2026-05-01T10:00:00Z", "automate_maintenance_status": False,
    "component_maintenance_periods": [{"component_id": C1, "start_at": "2026-05-01T10:00:00Z", "end_at": "2026-05-01T11:00:00Z"}],
    "updates": [{"id": "01HZX00000000000000000UPD1", "status_page_maintenance_id": WINDOW_ID, "message": "Started",
                 "maintenance_status": "maintenance_in_progress", "published_at": "2026-05-01T10:00:00Z",
                 "component_statuses": [{"component_id": C1, "component_status": "under_maintenance"}]}],
}


def test_in_process_run_takes_the_key_from_the_environment_and_hides_it(session, monkeypatch):
    monkeypatch.setenv("INCIDENT_API_KEY", API_KEY)
    fake = session([Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": WINDOW})])
    result = run_module_in_process(status_page_maintenance, {"api_url": API_URL, "id": WINDOW_ID, "state": "in_progress"},
                                   check_mode=False, diff=True)
    fake.assert_all_used()
    assert fake.sent[0]["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert result["changed"] is False
    assert result["id"] == WINDOW_ID
    assert result["diff"]["before"]["state"] == "in_progress"
    assert API_KEY not in json.dumps(result)


def test_in_process_check_mode_sends_no_write(session):
    fake = session([Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": WINDOW})])
    result = run_module_in_process(status_page_maintenance, {"api_key": API_KEY, "api_url": API_URL, "id": WINDOW_ID,
                                                             "state": "completed"}, check_mode=True, diff=False)
    fake.assert_all_used()
    assert fake.writes == []
    assert result["changed"] is True
    assert result["maintenance"]["maintenance_status"] == "maintenance_complete"


def test_in_process_validation_error_names_the_option_and_sends_nothing(session, monkeypatch):
    monkeypatch.delenv("INCIDENT_API_KEY", raising=False)
    monkeypatch.delenv("INCIDENT_IO_API_KEY", raising=False)
    fake = session([])
    with pytest.raises(ModuleRunFailed) as caught:
        run_module_in_process(status_page_maintenance, {"api_url": API_URL, "id": WINDOW_ID}, check_mode=False, diff=False)
    assert "api_key" in caught.value.result["msg"]
    assert caught.value.may_have_written is False
    assert fake.sent == []


def test_in_process_failure_keeps_the_api_message_and_says_a_write_may_have_landed(session):
    fake = session([Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": WINDOW})]
                   + [Call("POST", "/v2/status_page_maintenance_updates", raises=connection_reset()),
                      Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": WINDOW})] * 2)
    with pytest.raises(ModuleRunFailed) as caught:
        run_module_in_process(status_page_maintenance, {"api_key": API_KEY, "api_url": API_URL, "id": WINDOW_ID,
                                                        "state": "completed", "retries": 1}, check_mode=False, diff=False)
    fake.assert_all_used()
    assert caught.value.may_have_written is True
    assert f"POST {API_URL}/v2/status_page_maintenance_updates failed: the connection to " in caught.value.result["msg"]
    assert API_KEY not in json.dumps(caught.value.result)


def test_in_process_warnings_are_returned(session):
    complete = dict(WINDOW, maintenance_status="maintenance_complete")
    fake = session([Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": complete})])
    result = run_module_in_process(status_page_maintenance, {"api_key": API_KEY, "api_url": API_URL, "id": WINDOW_ID,
                                                             "name": "Renamed", "state": "completed"},
                                   check_mode=False, diff=False)
    fake.assert_all_used()
    assert any("is complete" in warning for warning in result["warnings"])


def test_in_process_result_has_the_key_masked_where_an_answer_echoes_it(session):
    # A window whose name holds the key (as a careless template could make it): the result must not show it.
    echoing = dict(WINDOW, name=f"Release {API_KEY}")
    fake = session([Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", json_body={"status_page_maintenance": echoing})])
    result = run_module_in_process(status_page_maintenance, {"api_key": API_KEY, "api_url": API_URL, "id": WINDOW_ID,
                                                             "state": "in_progress"}, check_mode=False, diff=True)
    fake.assert_all_used()
    assert API_KEY not in json.dumps(result)
    assert result["maintenance"]["name"] == f"Release {NO_LOG_MASK}"


def test_censor_replaces_masks_and_copies():
    value = {"whole": "s3cret-value", "inside": "key=s3cret-value;", "number": 12345, "other": 7, "flag": True,
             "none": None, "nested": [("s3cret-value", b"b s3cret-value"), {"s3cret-value"}], "s3cret-value": "key kept"}
    censored = censor(value, {"s3cret-value", "12345", ""})
    assert censored == {"whole": NO_LOG_PLACEHOLDER, "inside": f"key={NO_LOG_MASK};", "number": NO_LOG_PLACEHOLDER,
                        "other": 7, "flag": True, "none": None,
                        "nested": [[NO_LOG_PLACEHOLDER, f"b {NO_LOG_MASK}".encode()], {NO_LOG_PLACEHOLDER}],
                        "s3cret-value": "key kept"}
    assert value["inside"] == "key=s3cret-value;"


def test_censor_masks_the_longer_secret_first():
    # "abc" inside "abcdef": masking the short one first would leave "def" of the long one printed.
    assert censor("x abcdef y", ["abc", "abcdef"]) == f"x {NO_LOG_MASK} y"


def test_censor_without_secrets_returns_the_value():
    value = {"a": ["b"]}
    assert censor(value, set()) is value
