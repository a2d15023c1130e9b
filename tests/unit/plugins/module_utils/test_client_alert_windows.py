# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client's alert maintenance window endpoints: scopes in refusals, no blind retry of a create."""

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
WINDOW = {"id": "W1", "name": "Deploy"}
FORBIDDEN = api_error(403, "resource_forbidden", "missing_permissions", "Forbidden", request_id="req-403")


def test_list_asks_for_the_largest_page_and_follows_the_cursor():
    calls = [
        Call("GET", PATH, query={"status": "active", "page_size": 50},
             json_body={"maintenance_windows": [{"id": "A"}], "pagination_meta": {"page_size": 50, "after": "A"}}),
        Call("GET", PATH, query={"status": "active", "page_size": 50, "after": "A"},
             json_body={"maintenance_windows": [{"id": "B"}], "pagination_meta": {"page_size": 50}}),
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


def test_an_answer_without_the_window_is_an_error_that_says_the_write_took_effect():
    client, session, dummy_sleeps = make_client([Call("POST", PATH, status=201, json_body={})])
    with pytest.raises(_errors.APIError, match="without a maintenance_window object.*took effect"):
        client.create_alert_window({"name": "Deploy"}, lambda: None)


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
    with pytest.raises(_errors.UncertainWriteError, match="may or may not have been applied"):
        client.update_alert_window("W1", {"name": "Deploy"})


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
