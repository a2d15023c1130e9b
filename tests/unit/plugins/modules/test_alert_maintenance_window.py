# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import yaml

from ansible_collections.incident_io.status_page.plugins.module_utils import _lifecycle
from ansible_collections.incident_io.status_page.plugins.module_utils._client import StatusPageClient
from ansible_collections.incident_io.status_page.plugins.modules import alert_maintenance_window
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_URL,
    Call,
    UNSET,
    FakeSession,
    api_error,
    connection_reset,
    run_module,
)

NOW = datetime(2026, 5, 1, 10, 0, 0, 250000, tzinfo=timezone.utc)
PATH = "/v1/maintenance_windows"
NAME = "Deploy of the API"
WINDOW_ID = "01HZX0000000000000000WIN01"
OTHER_ID = "01HZX0000000000000000WIN02"
OLD_ID = "01HZX0000000000000000WIN00"
AVERY_ID = "01HZX00000000000000000USR1"
BLAKE_ID = "01HZX00000000000000000USR2"
# What a create with start_at=now and duration=30m sends.
START = "2026-05-01T10:00:00Z"
END = "2026-05-01T10:30:00Z"
# The start of the existing window of most tests: it has been active for ten minutes.
EARLIER = "2026-05-01T09:50:00Z"
CONDITIONS = [{"conditions": [
    {"subject": "alert.title", "operation": "contains", "param_bindings": [{"value": {"literal": "api"}}]},
]}]
BASE_ARGS = {"name": NAME, "duration": "30m", "lead": "avery@acme.example", "conditions": CONDITIONS}
FORBIDDEN = api_error(403, "resource_forbidden", "missing_permissions", "This API key is missing a scope", request_id="req-403")


def set_clock(monkeypatch, now):
    """The run reads the clock when it parses the options, and again when it looks for a window a lost answer made."""
    for module in (_lifecycle, alert_maintenance_window):
        monkeypatch.setattr(module, "utcnow", lambda: now)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    set_clock(monkeypatch, NOW)


def avery(**changes):
    user = {"id": AVERY_ID, "name": "Avery Lead", "email": "avery@acme.example", "slack_user_id": "U0ACME00001",
            "role": "responder"}
    user.update(changes)
    return {key: value for key, value in user.items() if value is not None}


def answered(window_id=WINDOW_ID, name=NAME, start=EARLIER, end=END, lead=None, **extra):
    """A window as the API answers it: labels on subjects, operations and bindings, the lead as an actor."""
    window = {
        "id": window_id, "name": name,
        "lead": lead if lead is not None else {"user": avery()},
        "start_at": start.replace("Z", ".000000Z"), "end_at": end.replace("Z", ".000000Z"),
        "alert_condition_groups": [{"conditions": [{
            "subject": {"label": "Alert title", "reference": "alert.title"},
            "operation": {"label": "contains", "value": "contains"},
            "param_bindings": [{"value": {"label": "api", "literal": "api"}}],
        }]}],
        "resolve_on_end": False, "reroute_on_end": False, "show_in_sidebar": True,
        "created_at": "2026-05-01T09:59:00.000000Z", "updated_at": "2026-05-01T09:59:00.000000Z",
    }
    window.update(extra)
    return window


def listed(status, *windows, query_after=None, after=None):
    query = {"status": status, "page_size": 50}
    if query_after:
        query["after"] = query_after
    meta = {"page_size": 50}
    if after:
        meta["after"] = after
    return Call("GET", PATH, query=query, json_body={"maintenance_windows": list(windows), "pagination_meta": meta})


def lookup(upcoming=(), active=()):
    return [listed("upcoming", *upcoming), listed("active", *active)]


def show(window, status=200):
    window_id = window["id"] if isinstance(window, dict) else window
    body = {"maintenance_window": window} if status == 200 else api_error(status, "not_found", "not_found", "Not found")
    return Call("GET", f"{PATH}/{window_id}", status=status, json_body=body)


def create_call(body=None, answer=None, status=201, raises=None):
    expected = {"name": NAME, "lead": {"email": "avery@acme.example"}, "start_at": START, "end_at": END,
                "alert_condition_groups": CONDITIONS, "show_in_sidebar": True}
    if body is not None:
        expected = body
    json_body = {"maintenance_window": answer if answer is not None else answered(start=START)} if status == 201 else answer
    return Call("POST", PATH, body=expected, status=status, json_body=json_body, raises=raises)


def put_call(body, answer=None, status=200, window_id=WINDOW_ID):
    json_body = {"maintenance_window": answer} if status == 200 else answer
    return Call("PUT", f"{PATH}/{window_id}", body=body, status=status, json_body=json_body)


def delete_call(status=204, window_id=WINDOW_ID, answer=None):
    return Call("DELETE", f"{PATH}/{window_id}", status=status, json_body=answer)


def whole(**changes):
    """The PUT body that describes answered() (the lead by its ID), with changes."""
    body = {"name": NAME, "lead": {"id": AVERY_ID}, "start_at": EARLIER, "end_at": END,
            "alert_condition_groups": CONDITIONS, "show_in_sidebar": True, "resolve_on_end": False,
            "reroute_on_end": False}
    body.update(changes)
    return body


def run(monkeypatch, args, calls, check_mode=False, diff=False):
    return run_module(monkeypatch, alert_maintenance_window.main, args, calls, check_mode=check_mode, diff=diff)


# ----- create ---------------------------------------------------------------------------------------


def test_create_on_an_empty_organisation_is_two_reads_and_one_post(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, lookup() + [create_call()])
    assert [call["method"] for call in session.sent] == ["GET", "GET", "POST"]
    assert result["changed"] is True and result["action"] == "created"
    assert result["id"] == WINDOW_ID and result["status"] == "active"
    assert result["window"]["lead"]["user"]["email"] == "avery@acme.example"


def test_create_in_check_mode_sends_only_reads_and_predicts_the_window(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, lookup(), check_mode=True, diff=True)
    assert session.writes == [] and len(session.sent) == 2
    assert result["changed"] is True and result["action"] == "created" and result["id"] is None
    window = result["window"]
    assert (window["start_at"], window["end_at"]) == (START, END) and window["show_in_sidebar"] is True
    subject = window["alert_condition_groups"][0]["conditions"][0]["subject"]
    assert subject == {"label": "alert.title", "reference": "alert.title"}
    assert result["diff"]["before"] == {}
    after = result["diff"]["after"]
    assert after["lead"] == "avery@acme.example" and after["conditions"] == CONDITIONS and after["status"] == "active"


def test_create_sends_every_given_option(monkeypatch):
    args = dict(BASE_ARGS, lead="U0ACME00002", start_at="2026-05-02T04:00:00+02:00", end_at="2026-05-02T04:00:00Z",
                notification_message="Deploying", notify_channels=[{"channel_id": "C1", "channel_type": "public"}],
                notify_start_minutes_before=10, notify_end_minutes_before=0, incident_id="01HZX0000000000000000INC01",
                resolve_on_end=True, reroute_on_end=False, show_in_sidebar=False,
                escalation_targets=[{"users": {"array_value": [{"literal": BLAKE_ID}]}}])
    del args["duration"]
    body = {"name": NAME, "lead": {"slack_user_id": "U0ACME00002"}, "start_at": "2026-05-02T02:00:00Z",
            "end_at": "2026-05-02T04:00:00Z", "alert_condition_groups": CONDITIONS, "show_in_sidebar": False,
            "notification_message": "Deploying", "notify_channels": [{"channel_id": "C1", "channel_type": "public"}],
            "notify_start_minutes_before": 10, "notify_end_minutes_before": 0,
            "incident_id": "01HZX0000000000000000INC01", "resolve_on_end": True, "reroute_on_end": False,
            "escalation_targets": [{"users": {"array_value": [{"literal": BLAKE_ID}]}}]}
    result, session = run(monkeypatch, args, lookup() + [create_call(body)])
    assert result["action"] == "created"


def test_relative_times_are_whole_seconds_pinned_at_create(monkeypatch):
    # NOW has a fraction of a second; the window is sent in whole seconds, so that it reads back as sent.
    args = dict(BASE_ARGS, start_at="+15m", duration="1h")
    body = {"name": NAME, "lead": {"email": "avery@acme.example"}, "start_at": "2026-05-01T10:15:00Z",
            "end_at": "2026-05-01T11:15:00Z", "alert_condition_groups": CONDITIONS, "show_in_sidebar": True}
    result, session = run(monkeypatch, args, lookup() + [create_call(body)])
    assert result["changed"]


@pytest.mark.parametrize("missing, message", [
    ("lead", "lead: required to create"),
    ("conditions", "conditions: required to create"),
    ("duration", "end_at or duration: required to create"),
])
def test_create_needs_a_lead_conditions_and_an_end(monkeypatch, missing, message):
    args = dict(BASE_ARGS)
    del args[missing]
    result, session = run(monkeypatch, args, lookup())
    assert result["failed"] and result["msg"].startswith(message) and NAME in result["msg"]
    assert session.writes == []


def test_forbidden_create_names_the_scope(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, lookup() + [create_call(status=403, answer=FORBIDDEN)])
    assert result["failed"] and result["status"] == 403 and result["request_id"] == "req-403"
    assert "This API key is missing a scope" in result["msg"]
    assert "lacks the scope maintenance_window.create" in result["msg"]
    # Not the status-page permission, which alert windows do not use.
    assert "status_pages.publish_updates" not in result["msg"]


def test_forbidden_read_names_the_view_scope(monkeypatch):
    calls = [Call("GET", PATH, query={"status": "upcoming", "page_size": 50}, status=403, json_body=FORBIDDEN)]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["failed"] and "lacks the scope maintenance_windows.view" in result["msg"]


# ----- a lost create answer ------------------------------------------------------------------------


def test_lost_create_answer_finds_the_window_instead_of_posting_twice(monkeypatch):
    lost = api_error(502, "api_error", "bad_gateway", "Bad gateway", request_id="req-502")
    old = answered(window_id=OLD_ID, start="2026-04-30T10:00:00Z", end="2026-04-30T10:30:00Z")
    calls = lookup() + [create_call(status=502, answer=lost)] + [
        listed("upcoming"), listed("active", old, answered(start=START))]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert [call["method"] for call in session.writes] == ["POST"]
    assert result["changed"] is True and result["action"] == "created" and result["id"] == WINDOW_ID


def test_lost_create_answer_of_a_window_already_over_finds_it_among_past_windows(monkeypatch):
    # A window whose fixed end has passed is listed as past once created: the look for the lost answer's window must
    # read the past list too, or the window would be created a second time.
    args = dict(BASE_ARGS, start_at="2026-05-01T08:00:00Z", end_at="2026-05-01T09:00:00Z")
    del args["duration"]
    past = answered(start="2026-05-01T08:00:00Z", end="2026-05-01T09:00:00Z")
    body = {"name": NAME, "lead": {"email": "avery@acme.example"}, "start_at": "2026-05-01T08:00:00Z",
            "end_at": "2026-05-01T09:00:00Z", "alert_condition_groups": CONDITIONS, "show_in_sidebar": True}
    calls = lookup() + [listed("past"), create_call(body, raises=connection_reset())] + lookup() + [listed("past", past)]
    result, session = run(monkeypatch, args, calls)
    assert [call["method"] for call in session.writes] == ["POST"]
    assert result["changed"] is True and result["action"] == "created" and result["id"] == WINDOW_ID


def test_lost_create_answer_with_two_matching_windows_takes_the_latest_created(monkeypatch):
    # Windows with this name and these times appeared (other runs created some too): the latest created is this run's,
    # and one whose answer has no created_at is not preferred to it.
    earlier = answered(window_id=OTHER_ID, start=START, created_at="2026-05-01T09:59:30.000000Z")
    later = answered(start=START, created_at="2026-05-01T10:00:00.100000Z")
    undated = answered(window_id=OLD_ID, start=START)
    del undated["created_at"]
    for listed_windows in ([earlier, later], [later, earlier], [undated, later], [later, undated]):
        calls = lookup() + [create_call(raises=connection_reset())] + lookup(active=listed_windows)
        result, session = run(monkeypatch, BASE_ARGS, calls)
        assert len(session.writes) == 1 and result["action"] == "created" and result["id"] == WINDOW_ID


def test_lost_create_that_did_not_land_is_sent_again(monkeypatch):
    calls = lookup() + [create_call(raises=connection_reset())] + lookup() + [create_call()]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert [call["method"] for call in session.writes] == ["POST", "POST"]
    assert result["action"] == "created" and result["id"] == WINDOW_ID


def test_lost_create_ignores_a_window_of_that_name_with_other_times(monkeypatch):
    elsewhere = answered(window_id=OTHER_ID, start="2026-05-01T10:05:00Z", end="2026-05-01T10:35:00Z")
    calls = lookup() + [create_call(raises=connection_reset())] + lookup(active=[elsewhere]) + [create_call()]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["id"] == WINDOW_ID and len(session.writes) == 2


def test_lost_create_answers_every_time_fail_saying_what_to_check(monkeypatch):
    args = dict(BASE_ARGS, retries=1)
    calls = lookup() + [create_call(raises=connection_reset())] + lookup() + [create_call(raises=connection_reset())] + lookup()
    result, session = run(monkeypatch, args, calls)
    assert result["failed"] and "was not found after 2 attempts" in result["msg"]
    assert "Running the task again is safe" in result["msg"]


# ----- re-runs and changes ------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_rerun_with_the_same_arguments_sends_no_write(monkeypatch, check_mode):
    result, session = run(monkeypatch, BASE_ARGS, lookup(active=[answered()]), check_mode=check_mode, diff=True)
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"
    assert result["id"] == WINDOW_ID and result["diff"]["before"] == result["diff"]["after"]


def test_rerun_compares_in_one_normal_form(monkeypatch):
    # The task gives the lead in capitals, the groups and conditions in another order, and one condition in the
    # answer's own labelled shape; the answer carries labels and the lead as an actor: all the same window.
    conditions = [
        {"conditions": [
            {"subject": {"label": "Service", "reference": "alert.attributes.ATTR1"},
             "operation": {"label": "is one of", "value": "one_of"},
             "param_bindings": [{"array_value": [{"label": "api", "literal": "api"}, {"literal": "web"}]}]},
            {"subject": "alert.title", "operation": "is_set"},
        ]},
        {"conditions": [{"subject": "alert.title", "operation": "contains", "param_bindings": [{"value": {"literal": "api"}}]}]},
    ]
    current = answered(alert_condition_groups=[
        {"conditions": [{"subject": {"label": "Alert title", "reference": "alert.title"},
                         "operation": {"label": "contains", "value": "contains"},
                         "param_bindings": [{"value": {"label": "api", "literal": "api"}}]}]},
        {"conditions": [
            {"subject": {"label": "Alert title", "reference": "alert.title"}, "operation": {"label": "is set", "value": "is_set"},
             "param_bindings": []},
            {"subject": {"label": "Service", "reference": "alert.attributes.ATTR1"},
             "operation": {"label": "is one of", "value": "one_of"},
             "param_bindings": [{"array_value": [{"label": "api", "literal": "api"}, {"label": "web", "literal": "web"}]}]},
        ]},
    ], start=START, notify_channels=[{"channel_id": "C1", "channel_type": "public", "channel_name": "deploys",
                                      "is_private": False}])
    args = dict(BASE_ARGS, lead="AVERY@acme.example", conditions=conditions, start_at=START, end_at=END,
                notify_channels=[{"channel_id": "C1", "channel_type": "public"}])
    del args["duration"]
    result, session = run(monkeypatch, args, lookup(active=[current]))
    assert session.writes == [] and result["changed"] is False


@pytest.mark.parametrize("lead", ["U0ACME00001", AVERY_ID, "avery@acme.example"])
def test_the_lead_matches_by_any_of_its_references(monkeypatch, lead):
    result, session = run(monkeypatch, dict(BASE_ARGS, lead=lead), lookup(active=[answered()]))
    assert session.writes == []


def test_a_lead_the_answer_cannot_compare_is_left_with_a_warning(monkeypatch):
    current = answered(lead={"user": avery(slack_user_id=None)})
    result, session = run(monkeypatch, dict(BASE_ARGS, lead="U0ACME00001"), lookup(active=[current]))
    assert session.writes == [] and result["changed"] is False
    assert any("cannot be compared" in warning and "slack_user_id" in warning for warning in result["warnings"])


def test_a_change_is_one_put_of_the_whole_window(monkeypatch):
    current = answered(incident_id="01HZX0000000000000000INC01", notify_end_minutes_before=5,
                       escalation_targets=[{"users": {"value": {"label": "Blake Oncall", "literal": BLAKE_ID}}}])
    body = whole(notification_message="Half way", incident_id="01HZX0000000000000000INC01", notify_end_minutes_before=5,
                 escalation_targets=[{"users": {"value": {"literal": BLAKE_ID}}}])
    updated = dict(current, notification_message="Half way")
    args = dict(BASE_ARGS, notification_message="Half way")
    result, session = run(monkeypatch, args, lookup(active=[current]) + [put_call(body, updated)], diff=True)
    assert result["changed"] is True and result["action"] == "updated"
    assert result["window"]["notification_message"] == "Half way"
    assert result["diff"]["before"]["notification_message"] is None
    assert result["diff"]["after"]["notification_message"] == "Half way"


def test_a_change_in_check_mode_sends_no_put(monkeypatch):
    args = dict(BASE_ARGS, resolve_on_end=True)
    result, session = run(monkeypatch, args, lookup(active=[answered()]), check_mode=True, diff=True)
    assert session.writes == [] and result["changed"] is True and result["action"] == "updated"
    assert result["window"]["resolve_on_end"] is True and result["window"]["id"] == WINDOW_ID
    assert result["diff"]["before"]["resolve_on_end"] is False and result["diff"]["after"]["resolve_on_end"] is True


@pytest.mark.parametrize("option, before, after", [
    ("reroute_on_end", False, True),
    ("resolve_on_end", False, True),
    ("show_in_sidebar", True, False),
    ("notify_start_minutes_before", 10, 15),
    ("notify_end_minutes_before", 5, 1),
])
def test_a_task_that_changes_one_flag_or_notice_reports_it_and_sends_it(monkeypatch, option, before, after):
    # Only this one field differs from the window: the run must see the change and send it within the whole window.
    current = answered(**{option: before})
    args = dict(BASE_ARGS, **{option: after})
    updated = dict(current, **{option: after})
    calls = lookup(active=[current]) + [put_call(whole(**{option: after}), updated)]
    result, session = run(monkeypatch, args, calls, diff=True)
    assert result["changed"] is True and result["action"] == "updated" and len(session.writes) == 1
    assert session.writes[0]["body"][option] == after
    assert result["window"][option] == after
    assert result["diff"]["before"][option] == before and result["diff"]["after"][option] == after


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_task_that_leaves_out_the_flags_and_notices_keeps_them(monkeypatch, check_mode):
    # A window whose flags and notices all differ from the module's defaults: a task that does not set them asks
    # for no change.
    current = answered(resolve_on_end=True, reroute_on_end=True, show_in_sidebar=False,
                       notify_start_minutes_before=10, notify_end_minutes_before=5)
    result, session = run(monkeypatch, BASE_ARGS, lookup(active=[current]), check_mode=check_mode)
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"


def test_empty_values_clear_optional_fields(monkeypatch):
    current = answered(notification_message="Deploying", incident_id="01HZX0000000000000000INC01",
                       notify_channels=[{"channel_id": "C1", "channel_type": "public", "is_private": False}])
    args = dict(BASE_ARGS, notification_message="", incident_id="", notify_channels=[])
    result, session = run(monkeypatch, args, lookup(active=[current]) + [put_call(whole(), answered())])
    assert result["action"] == "updated"


def test_a_new_lead_is_sent_as_given(monkeypatch):
    args = dict(BASE_ARGS, lead="blake@acme.example")
    calls = lookup(active=[answered()]) + [put_call(whole(lead={"email": "blake@acme.example"}), answered())]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated"


def test_relative_times_never_move_an_existing_window(monkeypatch):
    args = dict(BASE_ARGS, start_at="+5m", duration="2h")
    result, session = run(monkeypatch, args, lookup(active=[answered()]))
    assert session.writes == []


def test_an_absolute_end_moves_the_window(monkeypatch):
    args = dict(BASE_ARGS, end_at="2026-05-01T12:00:00Z")
    del args["duration"]
    calls = lookup(active=[answered()]) + [put_call(whole(end_at="2026-05-01T12:00:00Z"), answered(end="2026-05-01T12:00:00Z"))]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["window"]["end_at"].startswith("2026-05-01T12:00:00")


def test_rename_by_id(monkeypatch):
    args = {"id": WINDOW_ID, "name": "Deploy of the API v2"}
    calls = [show(answered()), put_call(whole(name="Deploy of the API v2"), answered(name="Deploy of the API v2"))]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["window"]["name"] == "Deploy of the API v2"


def test_a_window_whose_lead_is_not_a_user_needs_a_lead_to_change(monkeypatch):
    current = answered(lead={"workflow": {"id": "WF1", "name": "Nightly"}})
    result, session = run(monkeypatch, {"id": WINDOW_ID, "notification_message": "x"}, [show(current)])
    assert result["failed"] and result["msg"].startswith("lead:") and "workflow Nightly" in result["msg"]
    assert session.writes == []


def test_two_active_windows_with_the_name_fail_listing_them(monkeypatch):
    calls = lookup(upcoming=[answered(window_id=OTHER_ID)], active=[answered()])
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["failed"] and result["msg"].startswith("name: 2 active or upcoming")
    assert f"({WINDOW_ID}, {OTHER_ID})" in result["msg"] and session.writes == []


def test_a_window_in_both_lists_is_one_window(monkeypatch):
    # It started between the two reads.
    result, session = run(monkeypatch, BASE_ARGS, lookup(upcoming=[answered()], active=[answered()]))
    assert result["changed"] is False and session.writes == []


def test_lists_follow_the_cursor(monkeypatch):
    other = answered(window_id=OTHER_ID, name="Other")
    calls = [listed("upcoming"), listed("active", other, after=OTHER_ID), listed("active", answered(), query_after=OTHER_ID)]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["id"] == WINDOW_ID and session.writes == []


def test_present_with_past_fixed_times_finds_the_past_window(monkeypatch):
    args = dict(BASE_ARGS, start_at="2026-05-01T08:00:00Z", end_at="2026-05-01T09:00:00Z")
    del args["duration"]
    past = answered(start="2026-05-01T08:00:00Z", end="2026-05-01T09:00:00Z")
    result, session = run(monkeypatch, args, lookup() + [listed("past", past)])
    assert session.writes == [] and result["status"] == "past" and result["id"] == WINDOW_ID


def test_archived_window_by_id_cannot_be_changed(monkeypatch):
    archived = answered(archived_at="2026-05-01T09:00:00.000000Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "notification_message": "x"}, [show(archived)])
    assert result["failed"] and "was archived" in result["msg"] and session.writes == []


# ----- ended ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_ending_an_active_window_moves_its_end_to_now(monkeypatch, check_mode):
    ended = answered(end="2026-05-01T10:00:00Z")
    calls = lookup(active=[answered()]) + ([] if check_mode else [put_call(whole(end_at="2026-05-01T10:00:00Z"), ended)])
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, calls, check_mode=check_mode, diff=True)
    assert result["changed"] is True and result["action"] == "ended" and result["status"] == "past"
    assert result["window"]["end_at"].startswith("2026-05-01T10:00:00")
    assert result["diff"]["before"]["status"] == "active" and result["diff"]["after"]["status"] == "past"
    assert len(session.writes) == (0 if check_mode else 1)


def test_ending_a_window_keeps_its_flags_and_notices(monkeypatch):
    # The PUT that ends a window replaces all of it: it must send the window's own flags and notices, not false.
    flags = {"resolve_on_end": True, "reroute_on_end": True, "show_in_sidebar": False,
             "notify_start_minutes_before": 10, "notify_end_minutes_before": 5}
    ended = answered(end="2026-05-01T10:00:00Z", **flags)
    calls = lookup(active=[answered(**flags)]) + [put_call(whole(end_at="2026-05-01T10:00:00Z", **flags), ended)]
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, calls)
    assert result["changed"] is True and result["action"] == "ended" and len(session.writes) == 1
    assert {name: session.writes[0]["body"][name] for name in flags} == flags
    assert {name: result["window"][name] for name in flags} == flags


def test_ending_a_window_that_started_this_second_keeps_it_one_second_long(monkeypatch):
    current = answered(start=START)
    set_clock(monkeypatch, datetime(2026, 5, 1, 10, 0, 0, 900000, tzinfo=timezone.utc))
    calls = lookup(active=[current]) + [put_call(whole(start_at=START, end_at="2026-05-01T10:00:01Z"),
                                                 answered(start=START, end="2026-05-01T10:00:01Z"))]
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, calls)
    assert result["action"] == "ended"


def test_ending_a_past_window_changes_nothing(monkeypatch):
    past = answered(start="2026-05-01T08:00:00Z", end="2026-05-01T09:00:00Z")
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, lookup() + [listed("past", past)])
    assert result["changed"] is False and result["status"] == "past" and session.writes == []
    assert "warnings" not in result


def test_ending_an_upcoming_window_archives_it(monkeypatch):
    upcoming = answered(start="2026-05-01T12:00:00Z", end="2026-05-01T13:00:00Z")
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, lookup(upcoming=[upcoming]) + [delete_call()])
    assert result["action"] == "archived" and result["status"] == "archived"


def test_ending_a_window_nobody_opened_warns(monkeypatch):
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, lookup() + [listed("past")])
    assert result["changed"] is False and result["window"] == {} and result["status"] is None
    assert any("nothing to end" in warning for warning in result["warnings"])


def test_ending_needs_the_update_scope(monkeypatch):
    calls = lookup(active=[answered()]) + [put_call(whole(end_at="2026-05-01T10:00:00Z"), FORBIDDEN, status=403)]
    result, session = run(monkeypatch, {"name": NAME, "state": "ended"}, calls)
    assert result["failed"] and "lacks the scope maintenance_window.update" in result["msg"]


# ----- absent --------------------------------------------------------------------------------------------


def test_archiving_an_active_window_ends_it_first(monkeypatch):
    ended = answered(end="2026-05-01T10:00:00Z")
    calls = lookup(active=[answered()]) + [put_call(whole(end_at="2026-05-01T10:00:00Z"), ended), delete_call()]
    result, session = run(monkeypatch, {"name": NAME, "state": "absent"}, calls, diff=True)
    assert [call["method"] for call in session.writes] == ["PUT", "DELETE"]
    assert result["action"] == "archived" and result["status"] == "archived" and result["diff"]["after"] == {}


def test_archive_refused_while_the_server_still_counts_the_window_active_is_retried(monkeypatch):
    still_active = api_error(422, "validation_error", "window_active", "Cannot archive an active window")
    calls = lookup(active=[answered()]) + [put_call(whole(end_at="2026-05-01T10:00:00Z"), answered()),
                                           delete_call(422, answer=still_active), delete_call()]
    result, session = run(monkeypatch, {"name": NAME, "state": "absent"}, calls)
    assert result["action"] == "archived"


def test_archiving_in_check_mode_sends_nothing(monkeypatch):
    result, session = run(monkeypatch, {"name": NAME, "state": "absent"}, lookup(active=[answered()]), check_mode=True)
    assert session.writes == [] and result["action"] == "archived"


def test_archiving_the_one_past_window_within_the_lookback(monkeypatch):
    past = answered(start="2026-05-01T08:00:00Z", end="2026-05-01T09:00:00Z")
    too_old = answered(window_id=OLD_ID, start="2026-04-20T08:00:00Z", end="2026-04-20T09:00:00Z")
    result, session = run(monkeypatch, {"name": NAME, "state": "absent"}, lookup() + [listed("past", too_old, past), delete_call()])
    assert result["action"] == "archived" and result["id"] == WINDOW_ID


def test_archiving_by_name_refuses_to_guess_among_past_windows(monkeypatch):
    first = answered(start="2026-05-01T08:00:00Z", end="2026-05-01T09:00:00Z")
    second = answered(window_id=OTHER_ID, start="2026-05-01T06:00:00Z", end="2026-05-01T07:00:00Z")
    result, session = run(monkeypatch, {"name": NAME, "state": "absent"}, lookup() + [listed("past", first, second)])
    assert result["failed"] and "give the one to archive as id" in result["msg"] and session.writes == []


def test_archiving_an_unknown_id_is_nothing_to_do(monkeypatch):
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "absent"}, [show(WINDOW_ID, status=404)])
    assert result["changed"] is False and session.writes == []


def test_archiving_an_archived_window_is_nothing_to_do(monkeypatch):
    archived = answered(archived_at="2026-05-01T09:00:00.000000Z", end="2026-05-01T09:00:00Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "absent"}, [show(archived)])
    assert result["changed"] is False and result["status"] == "archived" and session.writes == []


def test_an_unknown_id_fails_for_present(monkeypatch):
    result, session = run(monkeypatch, {"id": WINDOW_ID}, [show(WINDOW_ID, status=404)])
    assert result["failed"] and result["msg"].startswith(f"id: no alert maintenance window with ID '{WINDOW_ID}'")


def test_a_404_without_request_id_still_fails_naming_id(monkeypatch):
    body = api_error(404, "not_found", "not_found", "Not found")
    del body["request_id"]
    result, session = run(monkeypatch, {"id": WINDOW_ID}, [Call("GET", f"{PATH}/{WINDOW_ID}", status=404, json_body=body)])
    assert result["failed"] and session.writes == []
    assert result["msg"] == (f"id: no alert maintenance window with ID {WINDOW_ID!r} exists, or this API key cannot "
                             "see it (HTTP 404)")


# ----- bad input: no request at all ----------------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"lead": "avery"}, "lead: 'avery' is not a user's email address"),
    ({"conditions": []}, "conditions: needs at least one condition group"),
    ({"conditions": [{"conditions": []}]}, "conditions[0].conditions: must be a non-empty list"),
    ({"conditions": [{"conditions": [{"subject": "alert.title"}]}]}, "conditions[0].conditions[0].operation: is required"),
    ({"conditions": [{"conditions": [{"subject": "alert.title", "operation": "contains",
                                      "param_bindings": [{"value": {"literal": 5}}]}]}]},
     "conditions[0].conditions[0].param_bindings[0].value.literal: must be a string, got int 5"),
    ({"conditions": [{"conditions": [{"subject": "alert.title", "operation": "contains", "params": []}]}]},
     "conditions[0].conditions[0]: unknown key 'params'"),
    ({"conditions": [{"groups": []}]}, "conditions[0]: unknown key 'groups'"),
    ({"escalation_targets": [{}]}, "escalation_targets[0]: needs escalation_paths or users"),
    ({"start_at": "2026-05-01T12:00:00Z", "duration": None, "end_at": "2026-05-01T11:00:00Z"},
     "end_at (2026-05-01T11:00:00Z) must be after start_at (2026-05-01T12:00:00Z)"),
    ({"duration": "soon"}, "duration: 'soon' is not a duration"),
    ({"notify_start_minutes_before": -5}, "notify_start_minutes_before: must be 0 or more minutes"),
    ({"incident_id": "../incidents"}, "incident_id: '../incidents' is not an incident.io ID; IDs are letters and digits"),
    ({"incident_id": "01HZX0000000000000000INC01#x"}, "incident_id: '01HZX0000000000000000INC01#x' is not an incident.io ID"),
    ({"name": "  "}, "name: must not be empty"),
    ({"lookback": "forever"}, "lookback: 'forever' is not a duration"),
])
def test_bad_input_fails_before_any_request(monkeypatch, changes, message):
    args = {key: value for key, value in dict(BASE_ARGS, **changes).items() if value is not None}
    result, session = run(monkeypatch, args, [])
    assert result["failed"] and result["msg"].startswith(message), result["msg"]
    assert session.sent == []


@pytest.mark.parametrize("window_id", [f"{WINDOW_ID}/../../status_pages", f"{WINDOW_ID}?status=active",
                                       f"{WINDOW_ID}#frag", f"{WINDOW_ID} {OTHER_ID}", "../maintenance_windows"])
@pytest.mark.parametrize("state", ["present", "ended", "absent"])
def test_an_id_that_would_leave_its_path_fails_before_any_request(monkeypatch, window_id, state):
    result, session = run(monkeypatch, {"id": window_id, "state": state}, [])
    assert result["failed"] and session.sent == []
    assert result["msg"] == (f"id: {window_id!r} is not an incident.io ID; IDs are letters and digits only, such as "
                             "01JB5A7Z3KJ4W5M6N7P8Q9R0SV")


def test_a_blank_id_fails_before_any_request(monkeypatch):
    result, session = run(monkeypatch, {"id": " \n", "name": NAME}, [])
    assert result["failed"] and result["msg"] == "id: must not be empty" and session.sent == []


def test_blank_space_around_an_id_is_not_part_of_it(monkeypatch):
    result, session = run(monkeypatch, {"id": f" {WINDOW_ID}\n", "state": "absent"}, [show(WINDOW_ID, status=404)])
    assert result["changed"] is False and session.sent[0]["path"] == f"{PATH}/{WINDOW_ID}"


def test_blank_space_around_a_name_is_not_part_of_it(monkeypatch):
    result, session = run(monkeypatch, dict(BASE_ARGS, name=f"  {NAME}\n"), lookup(active=[answered()]))
    assert result["changed"] is False and result["id"] == WINDOW_ID and session.writes == []


def test_a_new_windows_name_is_sent_without_blank_space_around_it(monkeypatch):
    result, session = run(monkeypatch, dict(BASE_ARGS, name=f"\t{NAME} "), lookup() + [create_call()])
    assert result["action"] == "created" and session.writes[0]["body"]["name"] == NAME


def test_an_empty_api_url_variable_counts_as_unset(monkeypatch):
    # What a credential with an empty field injects; the API's own URL applies.
    monkeypatch.setenv("INCIDENT_API_URL", "")
    monkeypatch.setenv("INCIDENT_ENDPOINT", " ")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "state": "absent", "api_url": UNSET}, [show(WINDOW_ID, status=404)])
    assert result["changed"] is False
    assert session.sent[0]["url"] == f"https://api.incident.io{PATH}/{WINDOW_ID}"


# ----- answers the module cannot use -------------------------------------------------------------------------


def test_a_create_answered_without_the_window_says_it_was_probably_created(monkeypatch):
    result, session = run(monkeypatch, BASE_ARGS, lookup() + [Call("POST", PATH, status=201, json_body={})])
    assert result["failed"] and len(session.writes) == 1
    assert result["msg"].startswith("POST /v1/maintenance_windows succeeded, but its answer has no maintenance_window "
                                    f"(got {{}}). The API accepted the request, so the alert maintenance window "
                                    f"{NAME!r} was probably created. Running the task again is safe: it looks for the "
                                    "window by name before creating one.")


def test_a_listed_window_without_a_usable_schedule_fails_before_any_write(monkeypatch):
    calls = [listed("upcoming"), listed("active", answered(end_at="in an hour"))]
    result, session = run(monkeypatch, BASE_ARGS, calls)
    assert result["failed"] and session.writes == []
    assert "maintenance_windows[0].end_at 'in an hour' is not an RFC 3339 time" in result["msg"]
    assert "Nothing was written" in result["msg"]


def test_an_archived_window_in_a_list_is_not_the_one_a_name_finds(monkeypatch):
    archived = answered(window_id=OLD_ID, archived_at="2026-05-01T09:55:00.000000Z")
    result, session = run(monkeypatch, BASE_ARGS, lookup(active=[archived]) + [create_call()])
    assert result["action"] == "created" and result["id"] == WINDOW_ID


# ----- schedules that cannot be sent back ------------------------------------------------------------------------


def test_a_change_by_id_of_a_window_reported_ending_before_it_starts_blames_no_option(monkeypatch):
    odd = answered(start="2026-05-01T11:00:00Z", end="2026-05-01T10:30:00Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "name": "Deploy of the API v2"}, [show(odd)])
    assert result["failed"] and session.writes == []
    assert result["msg"] == (
        f"alert maintenance window {WINDOW_ID} runs 2026-05-01T11:00:00Z to 2026-05-01T10:30:00Z, which ends before it "
        "starts; the API takes any change as a PUT of the whole window, and would refuse that schedule. Give absolute "
        "start_at and end_at (or duration) in the same task to fix the schedule along with the change")


def test_a_fixed_start_after_the_windows_end_blames_start_at(monkeypatch):
    args = {"id": WINDOW_ID, "start_at": "2026-05-01T11:00:00Z"}
    result, session = run(monkeypatch, args, [show(answered())])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("start_at: the window would end (2026-05-01T10:30:00Z) before it starts "
                                    f"(2026-05-01T11:00:00Z); alert maintenance window {WINDOW_ID} runs")


def test_a_change_with_a_relative_duration_of_a_window_ending_before_it_starts_blames_no_time(monkeypatch):
    # duration from a relative start never moves an existing window, so neither start_at nor end_at is to blame.
    odd = answered(start="2026-05-01T11:00:00Z", end="2026-05-01T10:30:00Z")
    args = {"id": WINDOW_ID, "name": "Deploy of the API v2", "duration": "30m"}
    result, session = run(monkeypatch, args, [show(odd)])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith(f"alert maintenance window {WINDOW_ID} runs 2026-05-01T11:00:00Z to ")
    assert "start_at:" not in result["msg"] and "end_at:" not in result["msg"]


def test_a_fixed_end_before_the_windows_start_blames_end_at(monkeypatch):
    upcoming = answered(start="2026-05-01T12:00:00Z", end="2026-05-01T13:00:00Z")
    result, session = run(monkeypatch, {"id": WINDOW_ID, "end_at": "2026-05-01T11:00:00Z"}, [show(upcoming)])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("end_at: the window would end (2026-05-01T11:00:00Z) before it starts "
                                    f"(2026-05-01T12:00:00Z); alert maintenance window {WINDOW_ID} runs")


# ----- run() with a stand-in for AnsibleModule -------------------------------------------------------------


class StandIn:
    """Only what run() may use: params, check_mode, _diff and warn()."""

    def __init__(self, params, check_mode=False, diff=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def stand_in_params(**given):
    spec = alert_maintenance_window.MODULE_ARGS["argument_spec"]
    params = {name: option.get("default") for name, option in spec.items()}
    params.update(api_key="inc_unit_test_key_7f3a9c", api_url=API_URL)
    params.update(given)
    return params


def test_run_works_with_a_stand_in_module():
    session = FakeSession(lookup(active=[answered()]) + [put_call(whole(end_at="2026-05-01T10:00:00Z"), answered())])
    module = StandIn(stand_in_params(name=NAME, state="ended"), diff=True)
    client = StatusPageClient.from_params(module.params, session=session, sleep=lambda seconds: None)
    result = alert_maintenance_window.run(module, client)
    session.assert_all_used()
    assert result["action"] == "ended" and "diff" in result


def test_run_fills_in_the_defaults_a_stand_in_leaves_out():
    session = FakeSession(lookup() + [create_call()])
    module = StandIn({"api_key": "inc_unit_test_key_7f3a9c", "api_url": API_URL, **BASE_ARGS})
    client = StatusPageClient(module.params["api_key"], API_URL, session=session, sleep=lambda seconds: None)
    result = alert_maintenance_window.run(module, client)
    session.assert_all_used()
    assert result["action"] == "created" and result["status"] == "active"


def test_run_passes_warnings_to_the_stand_in():
    session = FakeSession(lookup() + [listed("past")])
    module = StandIn(stand_in_params(name=NAME, state="ended"))
    client = StatusPageClient.from_params(module.params, session=session, sleep=lambda seconds: None)
    result = alert_maintenance_window.run(module, client)
    assert result["changed"] is False and any("nothing to end" in warning for warning in module.warnings)


def test_every_option_is_documented_and_declared():
    documented = set(yaml.safe_load(alert_maintenance_window.DOCUMENTATION)["options"])
    declared = set(alert_maintenance_window.MODULE_ARGS["argument_spec"])
    connection = {"api_key", "api_url", "validate_certs", "timeout", "retries"}
    assert declared - connection == documented
