# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client's alert maintenance window endpoints: scopes in refusals, no blind retry of a create, IDs that stay in
their path, and answers checked like every other."""

from __future__ import annotations

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _errors
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import UNAVAILABLE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    Call,
    api_error,
    connection_reset,
    make_client,
    read_timeout,
)

PATH = "/v1/maintenance_windows"
# The least a window answer must hold: what a PUT of the whole window sends back.
WINDOW = {"id": "W1", "name": "Deploy", "start_at": "2026-05-01T10:00:00Z", "end_at": "2026-05-01T11:00:00Z",
          "alert_condition_groups": [{"conditions": [{"subject": {"label": "Alert title", "reference": "alert.title"},
                                                      "operation": {"label": "contains", "value": "contains"},
                                                      "param_bindings": [{"value": {"label": "api", "literal": "api"}}]}]}],
          "resolve_on_end": False, "reroute_on_end": False, "show_in_sidebar": True}
FORBIDDEN = api_error(403, "resource_forbidden", "missing_permissions", "Forbidden", request_id="req-403")


def test_list_asks_for_the_largest_page_and_follows_the_cursor():
    calls = [
        Call("GET", PATH, query={"status": "active", "page_size": 50},
             json_body={"maintenance_windows": [dict(WINDOW, id="A")], "pagination_meta": {"page_size": 50, "after": "A"}}),
        Call("GET", PATH, query={"status": "active", "page_size": 50, "after": "A"},
             json_body={"maintenance_windows": [dict(WINDOW, id="B")], "pagination_meta": {"page_size": 50}}),
    ]
    client, session, dummy_sleeps = make_client(calls)
    assert [window["id"] for window in client.list_alert_windows("active")] == ["A", "B"]
    session.assert_all_used()


def test_list_without_status_sends_no_filter():
    client, session, dummy_sleeps = make_client([Call("GET", PATH, query={"page_size": 50},
                                                      json_body={"maintenance_windows": [], "pagination_meta": {}})])
    assert client.list_alert_windows() == []


@pytest.mark.parametrize("operation, call, scope", [
    ("list", Call("GET", PATH, status=403, json_body=FORBIDDEN), "maintenance_windows.view"),
    ("get", Call("GET", f"{PATH}/W1", status=403, json_body=FORBIDDEN), "maintenance_windows.view"),
    ("create", Call("POST", PATH, status=403, json_body=FORBIDDEN), "maintenance_window.create"),
    ("update", Call("PUT", f"{PATH}/W1", status=403, json_body=FORBIDDEN), "maintenance_window.update"),
    ("archive", Call("DELETE", f"{PATH}/W1", status=403, json_body=FORBIDDEN), "maintenance_window.destroy"),
])
def test_a_refusal_names_the_scope_of_the_operation(operation, call, scope):
    client, session, dummy_sleeps = make_client([call])
    actions = {
        "list": client.list_alert_windows,
        "get": lambda: client.get_alert_window("W1"),
        "create": lambda: client.create_alert_window({"name": "Deploy"}, lambda: None),
        "update": lambda: client.update_alert_window("W1", {"name": "Deploy"}),
        "archive": lambda: client.archive_alert_window("W1"),
    }
    with pytest.raises(_errors.ForbiddenError) as caught:
        actions[operation]()
    message = str(caught.value)
    assert f"lacks the scope {scope}" in message and "[request_id req-403]" in message
    assert _client.PUBLISH_SCOPE not in message and caught.value.status == 403
    # Reading alert windows needs a scope: the status pages' "reading needs no permission" would mislead.
    assert "reading needs no permission" not in message
    assert caught.value.request_id == "req-403"


def test_a_forbidden_read_names_the_view_scope_and_not_the_status_pages_rule():
    client, session, dummy_sleeps = make_client([Call("GET", f"{PATH}/W1", status=403, json_body=FORBIDDEN)])
    with pytest.raises(_errors.ForbiddenError) as caught:
        client.get_alert_window("W1")
    assert str(caught.value) == (
        "GET /v1/maintenance_windows/W1 failed with HTTP 403 resource_forbidden: Forbidden [request_id req-403] -- the "
        "API key lacks the scope maintenance_windows.view, needed to see alert maintenance windows; give the key that "
        "permission in incident.io (Settings > API keys) or use a key that has it")


# ----- IDs that become URLs, and answers ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["W1/../../status_pages", "W1?status=active", "W1#frag", " W1", "W1\n", "", "Ä1"])
def test_an_id_that_would_leave_its_path_is_never_sent(value):
    client, session, dummy_sleeps = make_client([])
    for send in (client.get_alert_window, lambda window_id: client.update_alert_window(window_id, {"name": "Deploy"}),
                 client.archive_alert_window):
        with pytest.raises(_errors.StatusPageError) as caught:
            send(value)
        assert str(caught.value) == (f"alert maintenance window ID {value!r} is not an incident.io ID (letters and "
                                     "digits); nothing was sent to /v1/maintenance_windows/... with it")
    assert session.sent == []


def test_an_answer_without_the_window_says_nothing_was_written_after_a_read():
    client, session, dummy_sleeps = make_client([Call("GET", f"{PATH}/W1", json_body={})])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.get_alert_window("W1")
    assert str(caught.value).startswith(
        "GET /v1/maintenance_windows/W1 succeeded, but its answer has no maintenance_window (got {}). Nothing was "
        "written.")


def test_an_answer_without_the_window_after_a_create_says_it_was_probably_created_and_how_to_check():
    client, session, dummy_sleeps = make_client([Call("POST", PATH, status=201, json_body={})])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.create_alert_window({"name": "Deploy"}, lambda: pytest.fail("looked for an accepted create"))
    assert str(caught.value) == (
        "POST /v1/maintenance_windows succeeded, but its answer has no maintenance_window (got {}). The API accepted "
        "the request, so the alert maintenance window 'Deploy' was probably created. Running the task again is safe: "
        "it looks for the window by name before creating one. To check now, run the task again in check mode: it "
        "reports the window it finds and whether it still differs")
    assert len(session.sent) == 1


def test_a_create_answered_with_something_that_is_not_json_says_it_was_probably_created():
    client, session, dummy_sleeps = make_client([Call("POST", PATH, status=201, text="<html>Created</html>")])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.create_alert_window({"name": "Deploy"}, lambda: pytest.fail("looked for an accepted create"))
    assert "a body that is not JSON ('<html>Created</html>')" in str(caught.value)
    assert "'Deploy' was probably created" in str(caught.value)


def test_an_unusable_answer_after_a_change_says_it_was_probably_applied():
    calls = [Call("PUT", f"{PATH}/W1", json_body={"maintenance_window": dict(WINDOW, end_at="soon")})]
    client, session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.update_alert_window("W1", {"name": "Deploy"})
    message = str(caught.value)
    assert message.startswith("PUT /v1/maintenance_windows/W1 succeeded, but its answer is not usable: "
                              "maintenance_window.end_at 'soon' is not an RFC 3339 time")
    assert message.endswith("The API accepted the change, so it was probably applied to alert maintenance window W1. "
                            "Running the task again is safe: the PUT sends the whole window. To check now, run the "
                            "task again in check mode: it reports the window it finds and whether it still differs")
    assert len(session.sent) == 1


def _condition(**changes):
    condition = dict(WINDOW["alert_condition_groups"][0]["conditions"][0])
    condition.update(changes)
    return {"alert_condition_groups": [{"conditions": [condition]}]}


@pytest.mark.parametrize("changes, problem", [
    ({"id": "W/1"}, "maintenance_window.id 'W/1' is not an incident.io ID (letters and digits)"),
    ({"id": None}, "maintenance_window has no id"),
    ({"name": None}, "maintenance_window has no name"),
    ({"start_at": 1777629600}, "maintenance_window.start_at is a number, not a string"),
    ({"end_at": None}, "maintenance_window has no end_at"),
    ({"archived_at": "yesterday"}, "maintenance_window.archived_at 'yesterday' is not an RFC 3339 time"),
    ({"alert_condition_groups": None}, "maintenance_window has no alert_condition_groups"),
    ({"alert_condition_groups": {}}, "maintenance_window.alert_condition_groups is an object, not a list"),
    (_condition(subject="alert.title"), "maintenance_window.alert_condition_groups[0].conditions[0].subject is a "
                                        "string, not an object"),
    (_condition(operation={"label": "contains"}), "maintenance_window.alert_condition_groups[0].conditions[0]."
                                                  "operation has no value"),
    (_condition(param_bindings=[{"value": {"label": "api"}}]),
     "maintenance_window.alert_condition_groups[0].conditions[0].param_bindings[0].value: needs a literal or a "
     "reference"),
    ({"alert_condition_groups": [{"conditions": []}]},
     "maintenance_window.alert_condition_groups[0].conditions: must be a non-empty list of conditions"),
    ({"notify_channels": [{"channel_id": "C1"}]}, "maintenance_window.notify_channels[0] has no channel_type"),
    ({"escalation_targets": [{}]}, "maintenance_window.escalation_targets[0]: needs escalation_paths or users"),
    ({"notify_start_minutes_before": "10"}, "maintenance_window.notify_start_minutes_before is a string, not a whole "
                                            "number"),
    ({"notify_end_minutes_before": True}, "maintenance_window.notify_end_minutes_before is true, not a whole number"),
    ({"resolve_on_end": None}, "maintenance_window has no resolve_on_end"),
    ({"show_in_sidebar": "yes"}, "maintenance_window.show_in_sidebar is a string, not true or false"),
    ({"lead": {"user": {"email": 7}}}, "maintenance_window.lead.user.email is a number, not a string"),
    ({"lead": "avery@acme.example"}, "maintenance_window.lead is a string, not an object"),
])
def test_a_window_answer_the_module_cannot_use_is_named(changes, problem):
    window = {key: value for key, value in dict(WINDOW, **changes).items() if value is not None}
    client, session, dummy_sleeps = make_client([Call("GET", f"{PATH}/W1", json_body={"maintenance_window": window})])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.get_alert_window("W1")
    assert f"its answer is not usable: {problem}" in str(caught.value)


def test_a_listed_window_the_module_cannot_use_is_named_by_its_place():
    windows = [WINDOW, dict(WINDOW, id="W2", start_at="now")]
    calls = [Call("GET", PATH, json_body={"maintenance_windows": windows, "pagination_meta": {"page_size": 50}})]
    client, session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.UnexpectedAnswerError, match=r"maintenance_windows\[1\]\.start_at 'now' is not an RFC 3339"):
        client.list_alert_windows()


def test_fields_the_api_added_and_a_window_without_lead_or_options_are_usable():
    condition = dict(WINDOW["alert_condition_groups"][0]["conditions"][0], negated=False)
    condition["param_bindings"] = [{"value": {"label": "api", "literal": "api", "kind": "text"}, "weight": 1}]
    window = dict(WINDOW, alert_condition_groups=[{"conditions": [condition], "id": "G1"}], colour="blue",
                  notify_channels=[{"channel_id": "C1", "channel_type": "public", "channel_name": "", "topic": "x"}])
    client, session, dummy_sleeps = make_client([Call("GET", f"{PATH}/W1", json_body={"maintenance_window": window})])
    assert client.get_alert_window("W1") == window


def test_a_create_is_never_retried_before_looking_for_it():
    looked = []

    def find_created():
        looked.append(True)
        return None if len(looked) == 1 else WINDOW

    calls = [Call("POST", PATH, raises=read_timeout()), Call("POST", PATH, status=503, json_body=UNAVAILABLE)]
    client, session, sleeps = make_client(calls)
    assert client.create_alert_window({"name": "Deploy"}, find_created) == WINDOW
    assert len(looked) == 2 and len(sleeps) == 1
    session.assert_all_used()


def test_a_create_refused_outright_is_not_looked_for():
    invalid = api_error(422, "validation_error", "invalid_value", "Unknown subject", field="alert_condition_groups.0")
    client, session, dummy_sleeps = make_client([Call("POST", PATH, status=422, json_body=invalid)])
    with pytest.raises(_errors.APIError, match="alert_condition_groups.0: Unknown subject"):
        client.create_alert_window({"name": "Deploy"}, lambda: pytest.fail("looked for a refused create"))


def test_a_failed_look_after_a_lost_create_says_what_to_do():
    def find_created():
        raise _errors.APIError("GET /v1/maintenance_windows failed with HTTP 500")

    client, session, dummy_sleeps = make_client([Call("POST", PATH, raises=connection_reset())])
    with pytest.raises(_errors.UncertainWriteError, match="may or may not have been created.*looking for it failed"):
        client.create_alert_window({"name": "Deploy"}, find_created)


def test_update_is_retried_because_it_sends_the_whole_window():
    calls = [Call("PUT", f"{PATH}/W1", status=503, json_body=UNAVAILABLE),
             Call("PUT", f"{PATH}/W1", json_body={"maintenance_window": WINDOW})]
    client, session, sleeps = make_client(calls)
    assert client.update_alert_window("W1", {"name": "Deploy"}) == WINDOW
    assert len(sleeps) == 1


def test_update_whose_retries_run_out_says_it_may_have_landed():
    calls = [Call("PUT", f"{PATH}/W1", raises=read_timeout()), Call("PUT", f"{PATH}/W1", raises=read_timeout())]
    client, session, dummy_sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.UncertainWriteError) as caught:
        client.update_alert_window("W1", {"name": "Deploy"})
    assert str(caught.value).endswith(
        "-- no attempt got a usable answer, so the change of alert maintenance window W1 may or may not have been "
        "applied. Running the task again is safe: the PUT sends the whole window. To check now, run the task again in "
        "check mode: it reports the window it finds and whether it still differs")


def test_archive_of_a_missing_window_is_not_found():
    missing = api_error(404, "not_found", "not_found", "Not found")
    client, session, dummy_sleeps = make_client([Call("DELETE", f"{PATH}/W1", status=404, json_body=missing)])
    with pytest.raises(_errors.NotFoundError):
        client.archive_alert_window("W1")


def test_archive_whose_answer_was_lost_counts_a_later_not_found_as_done():
    missing = api_error(404, "not_found", "not_found", "Not found")
    calls = [Call("DELETE", f"{PATH}/W1", raises=connection_reset()),
             Call("DELETE", f"{PATH}/W1", status=404, json_body=missing)]
    client, session, dummy_sleeps = make_client(calls)
    assert client.archive_alert_window("W1") is None
    session.assert_all_used()


def test_archive_refused_as_active_is_retried_only_right_after_an_end():
    active = api_error(422, "validation_error", "window_active", "Cannot archive an active window")
    client, session, dummy_sleeps = make_client([Call("DELETE", f"{PATH}/W1", status=422, json_body=active)])
    with pytest.raises(_errors.APIError, match="Cannot archive an active window"):
        client.archive_alert_window("W1")
    calls = [Call("DELETE", f"{PATH}/W1", status=422, json_body=active), Call("DELETE", f"{PATH}/W1", status=204)]
    client, session, sleeps = make_client(calls)
    client.archive_alert_window("W1", ended_just_now=True)
    assert sleeps == [_client.SETTLE_SECONDS]
    calls = [Call("DELETE", f"{PATH}/W1", status=422, json_body=active)] * 3
    client, session, sleeps = make_client(calls, retries=2)
    with pytest.raises(_errors.APIError, match="Cannot archive an active window"):
        client.archive_alert_window("W1", ended_just_now=True)
    assert len(sleeps) == 2
