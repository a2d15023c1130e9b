# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import contextlib
import copy
from datetime import datetime, timezone

import pytest

from ansible.module_utils import basic

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _lifecycle, _lock
from ansible_collections.incident_io.status_page.plugins.module_utils._client import PUBLISH_PERMISSION_HINT
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import occurrence_key
from ansible_collections.incident_io.status_page.plugins.modules import status_page_maintenance
from ansible_collections.incident_io.status_page.plugins.plugin_utils._in_process import run_module_in_process
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import C1, C2, LIST_PAGES, PAGE_ID, READ_STRUCTURE, WINDOW_ID
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_KEY,
    API_URL,
    Call,
    FakeSession,
    api_error,
    connection_reset,
    run_module,
)

NOW = datetime(2026, 5, 1, 10, 0, 0, tzinfo=timezone.utc)
LOOKBACK_START = "2026-04-30T10:00:00Z"
NAME = "Deploy of the API"
OTHER_ID = "01HZX0000000000000000MNT02"
OLD_ID = "01HZX0000000000000000MNT00"

BASE_ARGS = {"status_page": PAGE_ID, "name": NAME, "components": [C1, C2], "duration": "30m"}
# A task that posts only a message on the scheduled window, and the update it sends.
HALF_WAY_ARGS = dict(BASE_ARGS, msg="Half way")
HALF_WAY_BODY = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False, "message": "Half way"}
DERIVED_KEY = occurrence_key(PAGE_ID, "maintenance", NAME, [])


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(_lifecycle, "utcnow", lambda: NOW)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, message: seen.append(message))
    return seen


def update(status, message, published_at, components=(C1, C2), component_status=None):
    default = {"maintenance_scheduled": "operational", "maintenance_in_progress": "under_maintenance",
               "maintenance_complete": "operational"}[status]
    return {
        "id": "U-" + published_at, "status_page_maintenance_id": WINDOW_ID, "published_at": published_at,
        "message": message, "maintenance_status": status,
        "component_statuses": [{"component_id": c, "component_status": component_status or default} for c in components],
    }


def window(status="maintenance_scheduled", message="Scheduled maintenance", *, window_id=WINDOW_ID, name=NAME,
           start="2026-05-01T10:00:00.000000Z", end="2026-05-01T10:30:00.000000Z", components=(C1, C2),
           updates=None, automate=False):
    return {
        "id": window_id, "status_page_id": PAGE_ID, "name": name, "published_at": "2026-05-01T09:59:00.000000Z",
        "maintenance_status": status, "automate_maintenance_status": automate,
        "updates": updates if updates is not None else [update(status, message, "2026-05-01T09:59:00.000000Z", components)],
        "component_maintenance_periods": [{"component_id": c, "start_at": start, "end_at": end} for c in components],
    }


def completed_window(window_id=WINDOW_ID, message="Maintenance complete", completed_at="2026-05-01T09:00:00.000000Z"):
    return window("maintenance_complete", window_id=window_id, updates=[
        update("maintenance_in_progress", "Maintenance in progress", "2026-05-01T08:00:00.000000Z"),
        update("maintenance_complete", message, completed_at),
    ])


def list_windows(*items):
    return Call("GET", "/v2/status_page_maintenances",
                query={"status_page_id": PAGE_ID, "start_at": LOOKBACK_START, "page_size": 250},
                json_body={"status_page_maintenances": list(items), "pagination_meta": {"page_size": 250}})


def show_window(item, status=200):
    body = {"status_page_maintenance": item} if status == 200 else api_error(status, "not_found", "not_found", "Not found")
    return Call("GET", f"/v2/status_page_maintenances/{item['id'] if isinstance(item, dict) else item}",
                status=status, json_body=body)


def create_call(body=None, answer=None, status=201, **fields):
    expected = {
        "status_page_id": PAGE_ID, "name": NAME, "maintenance_status": "maintenance_scheduled",
        "idempotency_key": DERIVED_KEY, "affected_component_ids": [C1, C2], "start_at": "2026-05-01T10:00:00Z",
        "end_at": "2026-05-01T10:30:00Z", "message": "Scheduled maintenance", "notify_subscribers": False,
        "automate_maintenance_status": False,
    }
    expected.update(fields)
    if body is not None:
        expected = body
    if answer is None:
        answer = window(expected["maintenance_status"], expected["message"], components=expected["affected_component_ids"])
    json_body = {"status_page_maintenance": answer} if status == 201 else answer
    return Call("POST", "/v2/status_page_maintenances", body=expected, status=status, json_body=json_body)


def update_call(body, status=201, raises=None, answer=None):
    if answer is None and status == 201:
        answer = {"status_page_maintenance_update": {
            "id": "U-NEW", "status_page_maintenance_id": body["status_page_maintenance_id"],
            "published_at": "2026-05-01T10:00:01.000000Z", "message": body["message"],
            "maintenance_status": body.get("maintenance_status", "maintenance_scheduled"), "component_statuses": []}}
    return Call("POST", "/v2/status_page_maintenance_updates", body=body, status=status, json_body=answer, raises=raises)


def run(monkeypatch, args, calls, check_mode=False, diff=False):
    return run_module(monkeypatch, status_page_maintenance.main, args, calls, check_mode=check_mode, diff=diff)


# ----- create ---------------------------------------------------------------------------------------


def test_open_by_ids_on_an_empty_page_is_one_list_and_one_post(monkeypatch, warnings):
    result, session = run(monkeypatch, BASE_ARGS, [list_windows(), create_call()])
    assert len(session.sent) == 2 and len(session.writes) == 1
    assert result["changed"] is True and result["action"] == "created"
    assert result["id"] == WINDOW_ID and result["idempotency_key"] == DERIVED_KEY
    maintenance = result["maintenance"]
    assert (maintenance["start_at"], maintenance["end_at"]) == ("2026-05-01T10:00:00Z", "2026-05-01T10:30:00Z")
    assert maintenance["components"] == [{"id": C1, "name": None}, {"id": C2, "name": None}]
    assert warnings == []


def test_create_in_check_mode_sends_only_the_read(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, [list_windows()], check_mode=True, diff=True)
    assert session.writes == [] and len(session.sent) == 1
    assert result["changed"] is True and result["action"] == "created"
    assert result["id"] is None and result["idempotency_key"] == DERIVED_KEY
    predicted = result["maintenance"]
    assert predicted["name"] == NAME and predicted["maintenance_status"] == "maintenance_scheduled"
    assert (predicted["start_at"], predicted["end_at"]) == ("2026-05-01T10:00:00Z", "2026-05-01T10:30:00Z")
    assert predicted["updates"][0]["message"] == "Scheduled maintenance"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["state"] == "scheduled"


def test_create_by_names_adds_the_page_and_structure_reads(monkeypatch):
    args = dict(BASE_ARGS, status_page="Acme Cloud", components=["API/REST API", "EU/Database"], state="in_progress",
                msg="Deploying v2", notify_subscribers=True, automate=True)
    created = window("maintenance_in_progress", "Deploying v2", components=("C-REST", "C-DB"))
    calls = [LIST_PAGES, READ_STRUCTURE, list_windows(),
             create_call(answer=created, maintenance_status="maintenance_in_progress", affected_component_ids=["C-REST", "C-DB"],
                         message="Deploying v2", notify_subscribers=True, automate_maintenance_status=True)]
    result, session = run(monkeypatch, args, calls, diff=True)
    assert len(session.sent) == 4
    assert result["maintenance"]["components"] == [{"id": "C-REST", "name": "API/REST API"}, {"id": "C-DB", "name": "EU/Database"}]
    assert result["diff"] == {"before": {}, "after": {
        "name": NAME, "state": "in_progress", "start_at": "2026-05-01T10:00:00Z", "end_at": "2026-05-01T10:30:00Z",
        "components": ["API/REST API", "EU/Database"], "message": "Deploying v2"}}


@pytest.mark.parametrize("state, status, message", [
    ("scheduled", "maintenance_scheduled", "Scheduled maintenance"),
    ("in_progress", "maintenance_in_progress", "Maintenance in progress"),
])
def test_create_uses_the_state_and_its_default_message(monkeypatch, state, status, message):
    args = dict(BASE_ARGS, state=state)
    result, session = run(monkeypatch, args, [list_windows(), create_call(maintenance_status=status, message=message)])
    assert result["maintenance"]["maintenance_status"] == status


def test_schedule_with_absolute_times_and_end_at(monkeypatch):
    args = dict(BASE_ARGS, start_at="2026-05-02T04:00:00+02:00", end_at="2026-05-02T04:00:00Z")
    del args["duration"]
    calls = [list_windows(), create_call(start_at="2026-05-02T02:00:00Z", end_at="2026-05-02T04:00:00Z")]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "created"


def test_relative_start_is_pinned_at_create(monkeypatch):
    args = dict(BASE_ARGS, start_at="+15m", duration="1h")
    calls = [list_windows(), create_call(start_at="2026-05-01T10:15:00Z", end_at="2026-05-01T11:15:00Z")]
    run(monkeypatch, args, calls)


@pytest.mark.parametrize("missing, message", [
    ("components", "components: required to create the maintenance window"),
    ("duration", "end_at or duration: required to create the maintenance window"),
])
def test_create_needs_components_and_an_end(monkeypatch, missing, message):
    args = dict(BASE_ARGS)
    del args[missing]
    result, session = run(monkeypatch, args, [list_windows()])
    assert result["failed"] and result["msg"].startswith(message)
    assert session.writes == []


def test_forbidden_create_names_the_permission(monkeypatch):
    body = api_error(403, "resource_forbidden", "missing_permissions", "Missing permissions")
    result, session = run(monkeypatch, BASE_ARGS, [list_windows(), create_call(status=403, answer=body)])
    assert result["failed"] and result["status"] == 403
    assert PUBLISH_PERMISSION_HINT in result["msg"]


# ----- re-runs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("extra", [{}, {"msg": "Scheduled maintenance"}, {"start_at": "now", "duration": "2h"}])
def test_rerun_is_reads_only(monkeypatch, warnings, check_mode, extra):
    args = dict(BASE_ARGS, **extra)
    result, session = run(monkeypatch, args, [list_windows(window())], check_mode=check_mode)
    assert session.writes == [] and len(session.sent) == 1
    assert result["changed"] is False and result["action"] == "none"
    assert result["id"] == WINDOW_ID and result["idempotency_key"] == DERIVED_KEY
    assert warnings == []


def test_lookup_ignores_other_names_and_list_order(monkeypatch):
    listed = [window(window_id=OTHER_ID, name="Other"), completed_window(window_id=OLD_ID), window()]
    result, session = run(monkeypatch, BASE_ARGS, [list_windows(*listed)])
    assert result["id"] == WINDOW_ID and session.writes == []


def test_two_open_windows_with_the_name_fail_listing_them(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, [list_windows(window(window_id=OTHER_ID), window())])
    assert result["failed"]
    assert f"are not completed ({WINDOW_ID}, {OTHER_ID})" in result["msg"] and result["msg"].startswith("name:")
    assert session.writes == []


# ----- progress messages and transitions -----------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_new_message_in_the_same_state_posts_one_progress_update(monkeypatch, check_mode):
    args = dict(BASE_ARGS, msg="Deploy is half way")
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False, "message": "Deploy is half way"}
    calls = [list_windows(window())] + ([] if check_mode else [update_call(body)])
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "updated"
    assert len(session.writes) == (0 if check_mode else 1)
    assert result["maintenance"]["maintenance_status"] == "maintenance_scheduled"
    assert result["maintenance"]["updates"][-1]["message"] == "Deploy is half way"
    assert result["diff"]["before"]["message"] == "Scheduled maintenance"
    assert result["diff"]["after"]["message"] == "Deploy is half way"


def test_progress_message_rerun_compares_with_the_latest_update(monkeypatch):
    updates = [update("maintenance_scheduled", "Deploy is half way", "2026-05-01T09:59:30.000000Z"),
               update("maintenance_scheduled", "Scheduled maintenance", "2026-05-01T09:59:00.000000Z")]
    args = dict(BASE_ARGS, msg="Deploy is half way")
    result, session = run(monkeypatch, args, [list_windows(window(updates=updates))])
    assert result["changed"] is False and session.writes == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_in_progress_puts_the_window_components_under_maintenance(monkeypatch, check_mode):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "in_progress", "msg": "Deploy started",
            "notify_subscribers": True}
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": True, "maintenance_status": "maintenance_in_progress",
            "message": "Deploy started", "component_statuses": [
                {"component_id": C1, "component_status": "under_maintenance"},
                {"component_id": C2, "component_status": "under_maintenance"}]}
    calls = [list_windows(window())] + ([] if check_mode else [update_call(body)])
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "updated"
    assert len(session.writes) == (0 if check_mode else 1)
    assert result["maintenance"]["maintenance_status"] == "maintenance_in_progress"
    assert result["diff"]["before"]["state"] == "scheduled" and result["diff"]["after"]["state"] == "in_progress"
    if check_mode:
        assert result["maintenance"]["updates"][-1]["component_statuses"] == body["component_statuses"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_complete_never_sends_component_statuses(monkeypatch, check_mode):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed"}
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False,
            "maintenance_status": "maintenance_complete", "message": "Maintenance complete"}
    current = window("maintenance_in_progress", "Maintenance in progress", automate=True)
    calls = [list_windows(current)] + ([] if check_mode else [update_call(body)])
    result, session = run(monkeypatch, args, calls, check_mode=check_mode)
    assert result["action"] == "completed" and result["changed"] is True
    assert len(session.writes) == (0 if check_mode else 1)
    assert result["maintenance"]["maintenance_status"] == "maintenance_complete"
    assert result["maintenance"]["automate_maintenance_status"] is False
    if check_mode:
        assert {s["component_status"] for s in result["maintenance"]["updates"][-1]["component_statuses"]} == {"operational"}


def test_complete_again_writes_nothing_and_warns_nothing(monkeypatch, warnings):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed", "msg": "Maintenance complete"}
    older = completed_window(window_id=OLD_ID, completed_at="2026-04-30T23:00:00.000000Z", message="Older")
    result, session = run(monkeypatch, args, [list_windows(completed_window(), older)])
    assert result["changed"] is False and result["action"] == "none" and result["id"] == WINDOW_ID
    assert session.writes == [] and warnings == []


def test_the_diff_of_completing_a_completed_window_shows_it_unchanged(monkeypatch):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed"}
    result, session = run(monkeypatch, args, [list_windows(completed_window())], diff=True)
    assert result["changed"] is False and session.writes == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["before"]["state"] == "completed" and result["diff"]["before"]["message"] == "Maintenance complete"


def test_complete_by_name_does_not_post_a_new_message_on_a_completed_window(monkeypatch, warnings):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed", "msg": "All done"}
    result, session = run(monkeypatch, args, [list_windows(completed_window())])
    assert result["changed"] is False and session.writes == []
    assert "already complete; the message was not posted" in warnings[0]


@pytest.mark.parametrize("check_mode", [False, True])
def test_complete_with_nothing_open_warns(monkeypatch, warnings, check_mode):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed"}
    result, session = run(monkeypatch, args, [list_windows(window(name="Other"))], check_mode=check_mode)
    assert result["changed"] is False and result["action"] == "none"
    assert result["id"] is None and result["maintenance"] == {}
    assert session.writes == []
    assert warnings == [f"No maintenance window named {NAME!r} is open on this status page (looked back 24h); nothing to complete"]


def test_by_name_a_window_past_the_requested_state_is_not_moved_back(monkeypatch, warnings):
    current = window("maintenance_in_progress", "This maintenance is now in progress.", automate=True)
    result, session = run(monkeypatch, dict(BASE_ARGS, msg="Scheduled"), [list_windows(current)])
    assert result["changed"] is False and session.writes == []
    assert "never moved back" in warnings[0]


def test_by_id_a_completed_window_is_moved_back_to_in_progress(monkeypatch):
    args = {"id": WINDOW_ID, "state": "in_progress"}
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False,
            "maintenance_status": "maintenance_in_progress", "message": "Maintenance in progress",
            "component_statuses": [{"component_id": C1, "component_status": "under_maintenance"},
                                   {"component_id": C2, "component_status": "under_maintenance"}]}
    result, session = run(monkeypatch, args, [show_window(completed_window()), update_call(body)])
    assert result["action"] == "updated" and len(session.sent) == 2
    assert result["idempotency_key"] is None


def test_the_101st_update_is_refused_before_sending(monkeypatch):
    updates = [update("maintenance_scheduled", f"Update {n}", f"2026-05-01T09:{n // 60:02d}:{n % 60:02d}Z") for n in range(100)]
    args = dict(BASE_ARGS, state="in_progress")
    result, session = run(monkeypatch, args, [list_windows(window(updates=updates))])
    assert result["failed"] and "already has 100 updates" in result["msg"]
    assert session.writes == []


# ----- exactly once ------------------------------------------------------------------------------


def test_an_update_that_landed_despite_a_503_is_not_sent_again(monkeypatch):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed"}
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False,
            "maintenance_status": "maintenance_complete", "message": "Maintenance complete"}
    landed = completed_window()
    calls = [list_windows(window("maintenance_in_progress")),
             update_call(body, status=503, answer=api_error(503, "api_error", "unavailable", "Unavailable")),
             show_window(landed)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1
    assert result["changed"] is True and result["action"] == "completed"
    assert result["maintenance"]["updates"] == landed["updates"]


def test_an_update_lost_on_a_reset_is_sent_again_only_after_a_read(monkeypatch):
    args, body = HALF_WAY_ARGS, HALF_WAY_BODY
    calls = [list_windows(window()), update_call(body, raises=connection_reset()), show_window(window()), update_call(body)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 2 and result["action"] == "updated"
    assert result["maintenance"]["updates"][-1]["message"] == "Half way"


def test_a_create_replaying_a_window_another_run_scheduled_moves_it_to_in_progress(monkeypatch):
    args = dict(BASE_ARGS, state="in_progress")
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False,
            "maintenance_status": "maintenance_in_progress", "message": "Maintenance in progress",
            "component_statuses": [{"component_id": C1, "component_status": "under_maintenance"},
                                   {"component_id": C2, "component_status": "under_maintenance"}]}
    calls = [list_windows(),
             create_call(maintenance_status="maintenance_in_progress", message="Maintenance in progress",
                         answer=window()),
             update_call(body)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 2
    assert result["changed"] is True and result["action"] == "updated"
    assert result["maintenance"]["maintenance_status"] == "maintenance_in_progress"


def test_a_create_replaying_a_window_already_further_along_reports_the_create(monkeypatch):
    # incident.io's automation may have moved the window on by the time the create answers.
    args = dict(BASE_ARGS, automate=True)
    calls = [list_windows(), create_call(automate_maintenance_status=True,
                                         answer=window("maintenance_in_progress", automate=True))]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1 and result["action"] == "created" and result["changed"] is True


def test_the_read_decide_write_runs_under_the_host_lock(monkeypatch):
    held = []

    @contextlib.contextmanager
    def recording_lock(*parts, timeout, what):
        assert timeout == 30 and what
        held.append(parts)
        try:
            yield True
        finally:
            held.append("released")

    monkeypatch.setattr(_lifecycle, "host_lock", recording_lock)
    run(monkeypatch, BASE_ARGS, [list_windows(), create_call()])
    assert held == [("https://api.incident.test", "maintenance", PAGE_ID, NAME), "released"]
    held.clear()
    run(monkeypatch, {"id": WINDOW_ID, "state": "absent"}, [show_window(WINDOW_ID, status=404)])
    assert held == [("https://api.incident.test", "maintenance", WINDOW_ID, ""), "released"]


# ----- occurrences ---------------------------------------------------------------------------------


def test_after_a_completed_window_the_next_run_opens_a_new_occurrence(monkeypatch):
    key = occurrence_key(PAGE_ID, "maintenance", NAME, [OLD_ID])
    new = window("maintenance_in_progress", "Maintenance in progress", window_id=OTHER_ID)
    calls = [list_windows(completed_window(window_id=OLD_ID)),
             create_call(answer=new, idempotency_key=key, maintenance_status="maintenance_in_progress",
                         message="Maintenance in progress")]
    result, session = run(monkeypatch, dict(BASE_ARGS, state="in_progress"), calls)
    assert result["action"] == "created" and result["id"] == OTHER_ID and result["idempotency_key"] == key


def test_a_window_listed_twice_is_one_window_and_one_occurrence(monkeypatch):
    # Pages that shift while they are read can list a window twice; the key of the next occurrence stays the one a
    # single listing gives, so a re-run that reads it once creates nothing new.
    key = occurrence_key(PAGE_ID, "maintenance", NAME, [OLD_ID])
    new = window("maintenance_in_progress", "Maintenance in progress", window_id=OTHER_ID)
    old = completed_window(window_id=OLD_ID)
    calls = [list_windows(old, old),
             create_call(answer=new, idempotency_key=key, maintenance_status="maintenance_in_progress",
                         message="Maintenance in progress")]
    result, session = run(monkeypatch, dict(BASE_ARGS, state="in_progress"), calls)
    assert result["action"] == "created" and result["idempotency_key"] == key
    current = window("maintenance_in_progress", "Maintenance in progress")
    result, session = run(monkeypatch, dict(BASE_ARGS, state="in_progress"), [list_windows(current, old, current)])
    assert result["changed"] is False and result["id"] == WINDOW_ID and session.writes == []


def test_a_derived_key_that_replays_an_old_occurrence_is_derived_again(monkeypatch):
    second_key = occurrence_key(PAGE_ID, "maintenance", NAME, [OLD_ID])
    calls = [list_windows(),
             create_call(answer=completed_window(window_id=OLD_ID)),
             create_call(idempotency_key=second_key)]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert len(session.writes) == 2
    assert result["action"] == "created" and result["id"] == WINDOW_ID and result["idempotency_key"] == second_key


def test_a_user_key_of_a_finished_window_never_reopens_it(monkeypatch, warnings):
    args = dict(BASE_ARGS, state="in_progress", idempotency_key="awx-4242")
    calls = [list_windows(completed_window()),
             create_call(answer=completed_window(), idempotency_key="awx-4242", maintenance_status="maintenance_in_progress",
                         message="Maintenance in progress")]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1
    assert result["changed"] is False and result["action"] == "none" and result["id"] == WINDOW_ID
    assert "idempotency_key 'awx-4242' already names maintenance window" in warnings[0]


@pytest.mark.parametrize("replayed, where", [
    (dict(name="Deploy of the billing service"), "('Deploy of the billing service', in_progress)"),
    (dict(status_page_id="01HZX0000000000000000PAGE9"), "on status page 01HZX0000000000000000PAGE9"),
], ids=["another name", "another page"])
def test_a_user_key_that_names_another_deploys_window_fails_and_writes_nothing_more(monkeypatch, replayed, where):
    # Two pipelines given one key: the API replays the first one's window, whatever this task asks for.
    other = dict(window("maintenance_in_progress", "Maintenance in progress", window_id=OTHER_ID), **replayed)
    args = dict(BASE_ARGS, state="in_progress", idempotency_key="4711")
    calls = [list_windows(), create_call(answer=other, idempotency_key="4711", maintenance_status="maintenance_in_progress",
                                         message="Maintenance in progress")]
    result, session = run(monkeypatch, args, calls)
    assert result["failed"] is True and len(session.writes) == 1
    assert result["msg"].startswith(f"idempotency_key: '4711' already names maintenance window {OTHER_ID}")
    assert where in result["msg"] and f"not the maintenance window {NAME!r} on status page {PAGE_ID}" in result["msg"]


def test_a_user_key_in_check_mode_predicts_the_create_and_warns_when_it_may_be_used(monkeypatch, warnings):
    args = dict(BASE_ARGS, idempotency_key="awx-4242")
    result, session = run(monkeypatch, args, [list_windows(completed_window())], check_mode=True)
    assert session.writes == []
    assert result["changed"] is True and result["action"] == "created" and result["idempotency_key"] == "awx-4242"
    assert "the real run writes nothing" in warnings[0]


def test_a_user_key_creates_when_nothing_is_open(monkeypatch):
    args = dict(BASE_ARGS, idempotency_key="awx-4242")
    result, session = run(monkeypatch, args, [list_windows(), create_call(idempotency_key="awx-4242")])
    assert result["action"] == "created" and result["idempotency_key"] == "awx-4242"


def test_a_lost_answer_to_a_message_only_update_that_landed_is_not_sent_again(monkeypatch):
    # No maintenance_status in the body: the re-read update must carry the window's own status to count as landed.
    args, body = HALF_WAY_ARGS, HALF_WAY_BODY
    landed = window(updates=[update("maintenance_scheduled", "Scheduled maintenance", "2026-05-01T09:59:00.000000Z"),
                             update("maintenance_scheduled", "Half way", "2026-05-01T10:00:01.000000Z")])
    calls = [list_windows(window()), update_call(body, raises=connection_reset()), show_window(landed)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1
    assert result["changed"] is True and result["action"] == "updated"
    assert result["maintenance"]["updates"] == landed["updates"]


def test_a_lost_message_only_update_whose_reread_shows_another_status_is_sent_again(monkeypatch):
    # The latest update has the message but moved the window on: another run's update, so this one is sent.
    args, body = HALF_WAY_ARGS, HALF_WAY_BODY
    moved = window("maintenance_in_progress", updates=[
        update("maintenance_scheduled", "Scheduled maintenance", "2026-05-01T09:59:00.000000Z"),
        update("maintenance_in_progress", "Half way", "2026-05-01T10:00:01.000000Z")])
    calls = [list_windows(window()), update_call(body, raises=connection_reset()), show_window(moved),
             update_call(body)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 2 and result["action"] == "updated"
    assert result["maintenance"]["updates"][-1]["id"] == "U-NEW"


# ----- by id, reschedule, rename ------------------------------------------------------------------


def test_unknown_id_fails_with_a_clear_message(monkeypatch):
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "completed"}, [show_window(WINDOW_ID, status=404)])
    assert result["failed"] and result["msg"].startswith(f"id: no maintenance window with ID {WINDOW_ID!r} exists")
    assert session.writes == []


def test_id_on_another_page_fails(monkeypatch):
    other = dict(window(), status_page_id="01HZX0000000000000000PAGE2")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "status_page": PAGE_ID}, [show_window(other)])
    assert result["failed"] and "is on status page 01HZX0000000000000000PAGE2" in result["msg"]
    assert session.writes == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_absolute_times_that_differ_reschedule_with_put(monkeypatch, check_mode):
    args = {"status_page": PAGE_ID, "name": NAME, "start_at": "2026-05-02T02:00:00Z", "duration": "2h"}
    put_body = {"name": NAME, "start_at": "2026-05-02T02:00:00Z", "end_at": "2026-05-02T04:00:00Z"}
    moved = window(start="2026-05-02T02:00:00.000000Z", end="2026-05-02T04:00:00.000000Z")
    calls = [list_windows(window())]
    if not check_mode:
        calls.append(Call("PUT", f"/v2/status_page_maintenances/{WINDOW_ID}", body=put_body,
                          json_body={"status_page_maintenance": moved}))
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "rescheduled"
    assert len(session.writes) == (0 if check_mode else 1)
    assert (result["maintenance"]["start_at"], result["maintenance"]["end_at"]) == ("2026-05-02T02:00:00Z", "2026-05-02T04:00:00Z")
    assert result["diff"]["before"]["start_at"] == "2026-05-01T10:00:00Z"
    assert result["diff"]["after"]["end_at"] == "2026-05-02T04:00:00Z"


def test_only_the_end_given_keeps_the_start(monkeypatch):
    args = {"status_page": PAGE_ID, "name": NAME, "end_at": "2026-05-01T11:00:00Z"}
    put_body = {"name": NAME, "start_at": "2026-05-01T10:00:00Z", "end_at": "2026-05-01T11:00:00Z"}
    calls = [list_windows(window()), Call("PUT", f"/v2/status_page_maintenances/{WINDOW_ID}", body=put_body,
                                          json_body={"status_page_maintenance": window(end="2026-05-01T11:00:00Z")})]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "rescheduled"


def test_an_end_before_the_window_start_fails_before_writing(monkeypatch):
    args = {"status_page": PAGE_ID, "name": NAME, "start_at": "-1h", "end_at": "2026-05-01T09:30:00Z"}
    result, session = run(monkeypatch, args, [list_windows(window())])
    assert result["failed"] and result["msg"].startswith("end_at: the window would end (2026-05-01T09:30:00Z) before it starts")
    assert session.writes == []


def test_rename_by_id_and_progress_message_in_one_run(monkeypatch):
    args = {"id": WINDOW_ID, "name": "Deploy of the API, part 2", "msg": "Renamed"}
    put_body = {"name": "Deploy of the API, part 2", "start_at": "2026-05-01T10:00:00Z", "end_at": "2026-05-01T10:30:00Z"}
    renamed = window(name="Deploy of the API, part 2")
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False, "message": "Renamed"}
    calls = [show_window(window()),
             Call("PUT", f"/v2/status_page_maintenances/{WINDOW_ID}", body=put_body, json_body={"status_page_maintenance": renamed}),
             update_call(body)]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["maintenance"]["name"] == "Deploy of the API, part 2"


def test_a_completed_window_is_never_rescheduled(monkeypatch, warnings):
    args = {"id": WINDOW_ID, "state": "completed", "start_at": "2026-05-02T02:00:00Z", "duration": "2h"}
    result, session = run(monkeypatch, args, [show_window(completed_window())])
    assert result["changed"] is False and session.writes == []
    assert "a completed window is never rescheduled" in warnings[0]


def test_different_components_are_reported_not_ignored(monkeypatch, warnings):
    args = dict(BASE_ARGS, status_page="Acme Cloud", components=["Website"])
    current = window(components=("C-REST", "C-DB"))
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_windows(current)])
    assert result["changed"] is False and session.writes == []
    assert warnings == [f"components: the API cannot change the components of an existing maintenance window; window "
                        f"{WINDOW_ID} keeps [API/REST API, EU/Database] instead of [Website]. Delete it and create it again to change them"]
    assert result["maintenance"]["components"] == [{"id": "C-REST", "name": "API/REST API"}, {"id": "C-DB", "name": "EU/Database"}]


def test_automate_cannot_change_on_an_existing_window(monkeypatch, warnings):
    result, session = run(monkeypatch, dict(BASE_ARGS, automate=True), [list_windows(window())])
    assert result["changed"] is False and session.writes == []
    assert warnings[0].startswith("automate: the API cannot change automate_maintenance_status")


# ----- absent ------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_deletes_the_open_window(monkeypatch, check_mode):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "absent"}
    calls = [list_windows(window(), completed_window(window_id=OLD_ID))]
    if not check_mode:
        calls.append(Call("DELETE", f"/v2/status_page_maintenances/{WINDOW_ID}", status=204))
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "deleted" and result["id"] == WINDOW_ID
    assert len(session.writes) == (0 if check_mode else 1)
    assert result["diff"]["after"] == {} and result["diff"]["before"]["name"] == NAME


def test_absent_by_id(monkeypatch):
    calls = [show_window(completed_window()), Call("DELETE", f"/v2/status_page_maintenances/{WINDOW_ID}", status=204)]
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "absent"}, calls)
    assert result["action"] == "deleted"


def test_absent_by_id_already_gone(monkeypatch):
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "absent"}, [show_window(WINDOW_ID, status=404)])
    assert result["changed"] is False and result["action"] == "none" and session.writes == []


def test_absent_with_nothing_found(monkeypatch, warnings):
    result, session = run(monkeypatch, {"status_page": PAGE_ID, "name": NAME, "state": "absent"}, [list_windows()])
    assert result["changed"] is False and result["action"] == "none" and session.writes == [] and warnings == []


def test_absent_by_name_leaves_completed_windows(monkeypatch, warnings):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "absent"}
    result, session = run(monkeypatch, args, [list_windows(completed_window())])
    assert result["changed"] is False and session.writes == []
    assert "deleted only by id" in warnings[0]


# ----- input errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ({"end_at": "2026-05-01T09:00:00Z", "duration": None}, "end_at (2026-05-01T09:00:00Z) must be after start_at (2026-05-01T10:00:00Z)"),
    ({"end_at": "now", "duration": None}, "end_at (2026-05-01T10:00:00Z) must be after start_at"),
    ({"duration": "0m"}, "duration: '0m' is zero"),
    ({"duration": "soon"}, "duration: 'soon' is not a duration"),
    ({"start_at": "tomorrow"}, "start_at: 'tomorrow' is not a time"),
    ({"end_at": "2026-13-01", "duration": None}, "end_at: '2026-13-01' is not a valid date"),
    ({"end_at": "2026-05-02T00:00:00Z"}, "parameters are mutually exclusive: end_at|duration"),
    ({"lookback": "ages"}, "lookback: 'ages' is not a duration"),
    ({"name": "x" * 201}, "name: is 201 characters long; the API accepts at most 200"),
    ({"msg": "x" * 4097}, "msg: is 4097 characters long; the API accepts at most 4096"),
    ({"components": []}, "components: a maintenance window needs at least one component"),
    ({"name": None}, "one of the following is required: id, name"),
    ({"status_page": None}, "one of the following is required: id, status_page"),
    ({"state": "running"}, "value of state must be one of"),
    ({"id": "01HZX/../../status_pages"}, "id: '01HZX/../../status_pages' is not an incident.io ID"),
    ({"id": "01HZX?status_page_id=x"}, "id: '01HZX?status_page_id=x' is not an incident.io ID"),
    ({"id": "  "}, "id: must not be empty"),
    ({"name": " "}, "name: must not be empty"),
    ({"status_page": " "}, "status_page: must not be empty"),
    ({"components": ["Website", " "]}, "components: a component name or ID must not be empty"),
    ({"lookback": "99999999w"}, "lookback: '99999999w' is longer than 100 years"),
])
def test_bad_input_fails_before_any_request(monkeypatch, args, message):
    merged = dict(BASE_ARGS)
    merged.update(args)
    merged = {key: value for key, value in merged.items() if value is not None}
    result, session = run(monkeypatch, merged, [])
    assert result["failed"] and message in result["msg"], result["msg"]
    assert session.sent == []


@pytest.mark.parametrize("components, message", [
    (["Nope"], "components: no component 'Nope' on this status page"),
    (["Webhooks"], "components: 'Webhooks' matches 2 components"),
])
def test_unknown_or_ambiguous_component_fails_before_writing(monkeypatch, components, message):
    args = dict(BASE_ARGS, status_page="Acme Cloud", components=components)
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE])
    assert result["failed"] and result["msg"].startswith(message)
    assert session.writes == []


def test_unknown_page_fails_before_writing(monkeypatch):
    result, session = run(monkeypatch, dict(BASE_ARGS, status_page="Nope"), [LIST_PAGES])
    assert result["failed"] and result["msg"].startswith("status_page: no status page named or with ID 'Nope'")
    assert session.writes == []


def test_ambiguous_page_fails_before_writing(monkeypatch):
    result, session = run(monkeypatch, dict(BASE_ARGS, status_page="Twin"), [LIST_PAGES])
    assert result["failed"] and result["msg"].startswith("status_page: 2 status pages are named 'Twin'")


def test_module_does_not_mutate_the_api_objects(monkeypatch):
    current = window()
    snapshot = copy.deepcopy(current)
    body = HALF_WAY_BODY
    run(monkeypatch, HALF_WAY_ARGS, [list_windows(current), update_call(body)])
    assert current == snapshot


def test_a_block_scalar_message_matches_the_same_text(monkeypatch):
    updates = [update("maintenance_scheduled", "Deploy is half way", "2026-05-01T09:59:30.000000Z")]
    args = dict(BASE_ARGS, msg="Deploy is half way\r\n")
    result, session = run(monkeypatch, args, [list_windows(window(updates=updates))])
    assert result["changed"] is False and session.writes == []


def test_a_component_named_twice_is_sent_once(monkeypatch):
    args = dict(BASE_ARGS, status_page="Acme Cloud", components=["API/REST API", "C-REST", "Website"])
    calls = [LIST_PAGES, READ_STRUCTURE, list_windows(),
             create_call(affected_component_ids=["C-REST", "C-WEBSITE"],
                         answer=window(components=("C-REST", "C-WEBSITE")))]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "created" and len(session.writes) == 1


def test_automate_is_not_reported_once_the_window_has_moved_on(monkeypatch, warnings):
    current = window("maintenance_in_progress", "Maintenance in progress")
    result, session = run(monkeypatch, dict(BASE_ARGS, state="in_progress", automate=True), [list_windows(current)])
    assert result["changed"] is False and session.writes == [] and warnings == []


# ----- any answer, any input -------------------------------------------------------------------------------


def test_blank_space_around_the_id_is_dropped(monkeypatch):
    result, session = run(monkeypatch, {"id": f" {WINDOW_ID}\n", "state": "absent"},
                          [show_window(window()), Call("DELETE", f"/v2/status_page_maintenances/{WINDOW_ID}", status=204)])
    assert result["action"] == "deleted" and session.sent[0]["path"] == f"/v2/status_page_maintenances/{WINDOW_ID}"


def test_blank_space_around_the_name_and_components_is_dropped(monkeypatch):
    args = dict(BASE_ARGS, status_page=" Acme Cloud", name=f" {NAME} ", components=[" API/REST API", "Website "])
    calls = [LIST_PAGES, READ_STRUCTURE, list_windows(),
             create_call(affected_component_ids=["C-REST", "C-WEBSITE"], answer=window(components=("C-REST", "C-WEBSITE")))]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "created" and session.writes[0]["body"]["name"] == NAME


def test_a_derived_key_answered_with_an_id_already_seen_stops_at_once(monkeypatch):
    second_key = occurrence_key(PAGE_ID, "maintenance", NAME, [OLD_ID])
    calls = [list_windows(),
             create_call(answer=completed_window(window_id=OLD_ID)),
             create_call(answer=completed_window(window_id=OLD_ID), idempotency_key=second_key)]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert len(session.writes) == 2
    assert result["failed"] and result["msg"].startswith(
        f"idempotency_key: the derived key {second_key!r} was answered with maintenance window {OLD_ID}, which this "
        "run already counted as a past occurrence named 'Deploy of the API'")
    assert result["msg"].count(OLD_ID) == 1


def test_a_derived_key_answered_with_a_listed_past_occurrence_stops_at_once(monkeypatch):
    key = occurrence_key(PAGE_ID, "maintenance", NAME, [OLD_ID])
    calls = [list_windows(completed_window(window_id=OLD_ID)),
             create_call(answer=completed_window(window_id=OLD_ID), idempotency_key=key)]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert len(session.writes) == 1 and result["failed"] and "no new maintenance window was created" in result["msg"]


@pytest.mark.parametrize("current, problem", [
    (window(start="2026-05-01T10:30:00.000000Z", end="2026-05-01T10:00:00.000000Z"),
     "would end (2026-05-01T10:00:00Z) before it starts (2026-05-01T10:30:00Z)"),
    (window(components=()), "reports no start"),
])
def test_a_rename_by_id_of_an_odd_schedule_blames_only_the_name(monkeypatch, current, problem):
    result, session = run(monkeypatch, {"id": WINDOW_ID, "name": "Deploy, renamed"}, [show_window(current)])
    assert result["failed"] and result["msg"].startswith(
        f"name: maintenance window {WINDOW_ID} cannot be renamed to 'Deploy, renamed': the API renames with a PUT "
        f"that also sends the schedule, and the window {problem}, which the API would refuse.")
    assert "start_at:" not in result["msg"] and "end_at:" not in result["msg"]
    assert session.writes == []


def test_a_rename_with_a_relative_duration_of_an_odd_schedule_blames_only_the_name(monkeypatch):
    # A duration from a relative start never moves an existing window: the task gave no time to blame.
    current = window(start="2026-05-01T10:30:00.000000Z", end="2026-05-01T10:00:00.000000Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "name": "Deploy, renamed", "duration": "30m"},
                          [show_window(current)])
    assert result["failed"] and result["msg"].startswith(f"name: maintenance window {WINDOW_ID} cannot be renamed")
    assert "start_at:" not in result["msg"] and "end_at:" not in result["msg"]
    assert session.writes == []


def test_an_odd_schedule_with_a_start_given_blames_the_start(monkeypatch):
    current = window(end="2026-05-01T10:00:00.000000Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "start_at": "2026-05-01T10:15:00Z"}, [show_window(current)])
    assert result["failed"] and result["msg"].startswith(
        "start_at: the window would end (2026-05-01T10:00:00Z) before it starts (2026-05-01T10:15:00Z)")


def test_an_empty_answer_to_the_create_says_what_happened(monkeypatch):
    calls = [list_windows(), Call("POST", "/v2/status_page_maintenances", status=201, json_body={})]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["failed"] and result["msg"].startswith(
        "POST /v2/status_page_maintenances succeeded, but its answer has no status_page_maintenance (got {}). The "
        "API accepted the request, so the maintenance window was probably created. Running the task again is safe")
    assert DERIVED_KEY in result["msg"]


def test_a_window_locked_by_a_hung_run_fails_after_timeout(monkeypatch, tmp_path):
    monkeypatch.setattr(_lock.tempfile, "gettempdir", lambda: str(tmp_path))
    with _lock.host_lock("https://api.incident.test", "maintenance", PAGE_ID, NAME):
        result, session = run(monkeypatch, dict(BASE_ARGS, timeout=0.2), [])
    assert result["failed"] and result["msg"].startswith(
        f"another run on this host has been managing the maintenance window named {NAME!r} on status page {PAGE_ID} "
        "for more than 0.2 seconds (the timeout option), so this run sent nothing.")
    assert session.sent == []


@pytest.mark.parametrize("state, status, component_status, automate", [
    ("scheduled", "maintenance_scheduled", "operational", False),
    ("in_progress", "maintenance_in_progress", "under_maintenance", True),
])
def test_check_mode_predicts_the_created_window_field_by_field(monkeypatch, state, status, component_status, automate):
    args = dict(BASE_ARGS, state=state, automate=automate, msg="Deploying", start_at="+5m")
    result, session = run(monkeypatch, args, [list_windows()], check_mode=True)
    start, end = "2026-05-01T10:05:00Z", "2026-05-01T10:35:00Z"
    assert result["maintenance"] == {
        "id": None, "status_page_id": PAGE_ID, "name": NAME, "published_at": "2026-05-01T10:00:00Z",
        "maintenance_status": status, "automate_maintenance_status": automate,
        "updates": [{"id": None, "status_page_maintenance_id": None, "published_at": "2026-05-01T10:00:00Z",
                     "message": "Deploying", "maintenance_status": status,
                     "component_statuses": [{"component_id": C1, "component_status": component_status},
                                            {"component_id": C2, "component_status": component_status}]}],
        "component_maintenance_periods": [{"component_id": C1, "start_at": start, "end_at": end},
                                          {"component_id": C2, "start_at": start, "end_at": end}],
        "start_at": start, "end_at": end,
        "components": [{"id": C1, "name": None}, {"id": C2, "name": None}],
    }
    assert session.writes == []


@pytest.mark.parametrize("newest_first", [True, False])
def test_the_most_recently_active_completed_occurrence_is_reported(monkeypatch, newest_first):
    args = {"status_page": PAGE_ID, "name": NAME, "state": "completed"}
    published = "2026-05-01T08:00:00.000000Z"
    newest = dict(completed_window(completed_at="2026-05-01T09:30:00.000000Z"), published_at=published)
    older = dict(completed_window(window_id=OLD_ID, completed_at="2026-05-01T09:20:00.000000Z"), published_at=published)
    # A window without updates is as recent as its publication.
    unpublished = dict(completed_window(window_id=OTHER_ID), updates=[], published_at="2026-05-01T09:25:00.000000Z")
    listed = [newest, older, unpublished] if newest_first else [older, unpublished, newest]
    result, session = run(monkeypatch, args, [list_windows(*listed)])
    assert result["id"] == WINDOW_ID and result["action"] == "none"
    later_publication = dict(unpublished, published_at="2026-05-01T09:45:00.000000Z")
    republished = [later_publication if w is unpublished else w for w in listed]
    result, session = run(monkeypatch, args, [list_windows(*republished)])
    assert result["id"] == OTHER_ID


# ----- answers the spec allows that are unusual ------------------------------------------------------------------


IN_PROGRESS_BODY = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False,
                    "maintenance_status": "maintenance_in_progress", "message": "Deploy started", "component_statuses": [
                        {"component_id": C1, "component_status": "under_maintenance"},
                        {"component_id": C2, "component_status": "under_maintenance"}]}


def in_progress_record(**changes):
    """The API's record of IN_PROGRESS_BODY, with changes."""
    record = {"id": "U-NEW", "status_page_maintenance_id": WINDOW_ID, "published_at": "2026-05-01T10:00:01.000000Z",
              "message": "Deploy started", "maintenance_status": "maintenance_in_progress",
              "component_statuses": IN_PROGRESS_BODY["component_statuses"]}
    record.update(changes)
    return {"status_page_maintenance_update": {key: value for key, value in record.items() if value is not None}}


def not_found_without_request_id():
    body = api_error(404, "not_found", "not_found", "Not found")
    del body["request_id"]
    return body


def test_a_404_without_request_id_still_fails_with_the_id_message(monkeypatch):
    calls = [Call("GET", f"/v2/status_page_maintenances/{WINDOW_ID}", status=404, json_body=not_found_without_request_id())]
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "completed"}, calls)
    assert result["failed"] and session.writes == []
    assert result["msg"] == (f"id: no maintenance window with ID {WINDOW_ID!r} exists, or this API key cannot see it "
                             "(HTTP 404)")


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_window_without_component_periods_takes_its_components_from_the_latest_update(monkeypatch, check_mode):
    # The spec requires component_maintenance_periods, not that it has items: the latest update names the components.
    current = dict(window(), component_maintenance_periods=[])
    args = {"status_page": PAGE_ID, "name": NAME, "state": "in_progress", "msg": "Deploy started"}
    calls = [list_windows(current)] + ([] if check_mode else [update_call(IN_PROGRESS_BODY, answer=in_progress_record())])
    result, session = run(monkeypatch, args, calls, check_mode=check_mode)
    assert result["action"] == "updated" and len(session.writes) == (0 if check_mode else 1)
    assert result["maintenance"]["components"] == [{"id": C1, "name": None}, {"id": C2, "name": None}]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_window_without_updates_gets_the_message_as_an_update(monkeypatch, check_mode):
    # An empty updates list is allowed by the spec: no message to compare with means the message is new.
    current = window(updates=[])
    args = dict(BASE_ARGS, msg="Deploy is half way")
    body = {"status_page_maintenance_id": WINDOW_ID, "notify_subscribers": False, "message": "Deploy is half way"}
    calls = [list_windows(current)] + ([] if check_mode else [update_call(body)])
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "updated"
    assert len(session.writes) == (0 if check_mode else 1)
    assert [u["message"] for u in result["maintenance"]["updates"]] == ["Deploy is half way"]
    assert result["diff"]["before"]["message"] is None and result["diff"]["after"]["message"] == "Deploy is half way"


@pytest.mark.parametrize("answer", [{}, {"status_page_maintenance_update": None, "request_id": "req-0002"}],
                         ids=["empty", "other-fields"])
def test_an_update_answered_without_its_record_reports_what_was_posted(monkeypatch, answer):
    # The spec lets the answer leave the update out: the result shows the update as posted, at the run's time, and
    # never takes whatever else the answer holds for the update's record.
    args = dict(BASE_ARGS, state="in_progress", msg="Deploy started")
    result, session = run(monkeypatch, args, [list_windows(window()), update_call(IN_PROGRESS_BODY, answer=answer)])
    assert result["changed"] is True and result["action"] == "updated" and len(session.writes) == 1
    maintenance = result["maintenance"]
    assert maintenance["maintenance_status"] == "maintenance_in_progress"
    assert maintenance["updates"][-1] == {
        "id": None, "status_page_maintenance_id": WINDOW_ID, "published_at": "2026-05-01T10:00:00Z",
        "message": "Deploy started", "maintenance_status": "maintenance_in_progress",
        "component_statuses": [{"component_id": C1, "component_status": "under_maintenance"},
                               {"component_id": C2, "component_status": "under_maintenance"}]}


def test_an_update_record_without_maintenance_status_keeps_the_status_posted(monkeypatch):
    args = dict(BASE_ARGS, state="in_progress", msg="Deploy started")
    calls = [list_windows(window()), update_call(IN_PROGRESS_BODY, answer=in_progress_record(maintenance_status=None))]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["maintenance"]["maintenance_status"] == "maintenance_in_progress"


def test_an_update_record_with_another_status_is_the_windows_status(monkeypatch):
    # The API's record of the update wins over what was asked: the window is what the API says it is.
    args = dict(BASE_ARGS, state="in_progress", msg="Deploy started")
    calls = [list_windows(window()),
             update_call(IN_PROGRESS_BODY, answer=in_progress_record(maintenance_status="maintenance_complete"))]
    result, session = run(monkeypatch, args, calls)
    assert result["maintenance"]["maintenance_status"] == "maintenance_complete"


def test_a_window_without_maintenance_status_is_moved_to_the_requested_state(monkeypatch):
    # Found by name, a window whose answer leaves out maintenance_status is not past any state: it is moved on.
    current = window()
    del current["maintenance_status"]
    args = {"status_page": PAGE_ID, "name": NAME, "state": "in_progress", "msg": "Deploy started"}
    calls = [list_windows(current), update_call(IN_PROGRESS_BODY, answer=in_progress_record())]
    result, session = run(monkeypatch, args, calls)
    assert result["changed"] is True and result["action"] == "updated" and len(session.writes) == 1
    assert result["maintenance"]["maintenance_status"] == "maintenance_in_progress"


def test_a_create_answered_without_maintenance_status_moves_the_window_to_the_requested_state(monkeypatch):
    # The create's answer does not say the window is in progress: an update brings it there, instead of a create
    # reported for a window whose status is unknown.
    created = window("maintenance_in_progress", "Deploy started")
    del created["maintenance_status"]
    args = dict(BASE_ARGS, state="in_progress", msg="Deploy started")
    calls = [list_windows(),
             create_call(answer=created, maintenance_status="maintenance_in_progress", message="Deploy started"),
             update_call(IN_PROGRESS_BODY, answer=in_progress_record())]
    result, session = run(monkeypatch, args, calls)
    assert [w["method"] for w in session.writes] == ["POST", "POST"]
    assert result["changed"] is True and result["maintenance"]["maintenance_status"] == "maintenance_in_progress"


def test_an_update_without_published_at_counts_as_the_oldest(monkeypatch):
    # The message to compare with is that of the latest published update; one without a time is older than any.
    updates = [update("maintenance_scheduled", "Deploy is half way", "2026-05-01T09:59:30.000000Z"),
               dict(update("maintenance_scheduled", "Scheduled maintenance", "x"), published_at=None)]
    args = dict(BASE_ARGS, msg="Deploy is half way")
    result, session = run(monkeypatch, args, [list_windows(window(updates=updates))])
    assert result["changed"] is False and session.writes == []


# ----- check mode on a window only predicted (the maintenance_window role) ------------------------------------------


@pytest.mark.parametrize("state, status, message, component_status", [
    ("completed", "maintenance_complete", "Maintenance complete", "operational"),
    ("in_progress", "maintenance_in_progress", "Maintenance in progress", "under_maintenance"),
])
def test_run_on_predicted_drives_the_predicted_window_without_a_request(monkeypatch, state, status, message, component_status):
    # The role's check run predicts the window a create would open, then what its next step would publish on it:
    # nothing exists to read, so the second run must send no request at all and build on the prediction.
    args = dict(BASE_ARGS, status_page="Acme Cloud", components=["API/REST API", "EU/Database"])
    opened, _session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_windows()], check_mode=True)
    predicted = opened["maintenance"]
    session = FakeSession([])
    monkeypatch.setattr(_client.requests, "Session", lambda: session)
    options = {"api_key": API_KEY, "api_url": API_URL, "status_page": "Acme Cloud", "name": NAME, "state": state}
    result = run_module_in_process(
        status_page_maintenance, options, check_mode=True, diff=True,
        run=lambda module, client: status_page_maintenance.run_on_predicted(module, client, predicted))
    assert session.sent == []
    assert result["changed"] is True and result["action"] == ("completed" if state == "completed" else "updated")
    maintenance = result["maintenance"]
    assert maintenance["maintenance_status"] == status and maintenance["id"] is None
    assert maintenance["updates"][-1]["message"] == message
    assert maintenance["updates"][-1]["component_statuses"] == [
        {"component_id": "C-REST", "component_status": component_status},
        {"component_id": "C-DB", "component_status": component_status}]
    assert maintenance["components"] == [{"id": "C-REST", "name": "API/REST API"}, {"id": "C-DB", "name": "EU/Database"}]
    assert result["diff"]["before"]["state"] == "scheduled" and result["diff"]["after"]["state"] == state
    assert result["diff"]["after"]["components"] == ["API/REST API", "EU/Database"]
    assert predicted["maintenance_status"] == "maintenance_scheduled", "the prediction passed in was changed"
