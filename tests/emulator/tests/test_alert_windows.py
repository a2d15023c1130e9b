# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests of the emulated alert maintenance windows (MaintenanceWindows V1).

Every answer is also checked against the vendored spec's response schemas (conftest).
"""

from __future__ import annotations

import datetime

import pytest

from conftest import READONLY_KEY, error_of, iso, now, walk_pages

PATH = "/v1/maintenance_windows"
SCHEDULER_KEY = "emulator-alert-scheduler-key"
AVERY = "01JACMEPRS0000000000000001"
BLAKE = "01JACMEPRS0000000000000002"
SERVICE_ATTRIBUTE = "01JACMEATR0000000000000001"
PLATFORM_PATH = "01JACMEESC0000000000000001"


def window_body(start=None, end=None, **overrides):
    start = start or now() - datetime.timedelta(minutes=5)
    end = end or start + datetime.timedelta(hours=1)
    body = {
        "name": "Deploy of the API",
        "lead": {"email": "avery@acme.example"},
        "start_at": iso(start),
        "end_at": iso(end),
        "show_in_sidebar": True,
        "alert_condition_groups": [{"conditions": [
            {"subject": "alert.title", "operation": "contains", "param_bindings": [{"value": {"literal": "api"}}]},
        ]}],
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def create(api, **overrides):
    response = api.post(PATH, window_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["maintenance_window"]


def windows(api):
    return api.control("GET", "state")["alert_maintenance_windows"]


def test_create_answers_in_the_labelled_shape(api):
    body = window_body(
        alert_condition_groups=[
            {"conditions": [
                {"subject": f"alert.attributes.{SERVICE_ATTRIBUTE}", "operation": "one_of",
                 "param_bindings": [{"array_value": [{"literal": "api"}, {"literal": "web"}]}]},
                {"subject": "alert.title", "operation": "is_set", "param_bindings": []},
            ]},
        ],
        escalation_targets=[{"users": {"array_value": [{"literal": BLAKE}]},
                             "escalation_paths": {"value": {"literal": PLATFORM_PATH}}}],
        notify_channels=[{"channel_id": "C0DEPLOYS", "channel_type": "private", "channel_name": "deploys"}],
        notify_start_minutes_before=15, notification_message="Deploy in progress", resolve_on_end=True,
    )
    response = api.post(PATH, body)
    assert response.status_code == 201, response.text
    window = response.json()["maintenance_window"]
    assert window["lead"] == {"user": {"id": AVERY, "name": "Avery Lead", "email": "avery@acme.example",
                                       "slack_user_id": "U0ACME00001", "role": "responder"}}
    first, second = window["alert_condition_groups"][0]["conditions"]
    assert first["subject"] == {"label": "Service", "reference": f"alert.attributes.{SERVICE_ATTRIBUTE}"}
    assert first["operation"] == {"label": "is one of", "value": "one_of"}
    assert first["param_bindings"] == [{"array_value": [{"literal": "api", "label": "api"}, {"literal": "web", "label": "web"}]}]
    assert second["subject"] == {"label": "Alert title", "reference": "alert.title"} and second["param_bindings"] == []
    assert window["escalation_targets"] == [{
        "users": {"array_value": [{"literal": BLAKE, "label": "Blake Oncall"}]},
        "escalation_paths": {"value": {"literal": PLATFORM_PATH, "label": "Platform on-call"}}}]
    assert window["notify_channels"] == [{"channel_id": "C0DEPLOYS", "channel_type": "private", "channel_name": "deploys",
                                          "is_private": True}]
    assert window["notify_start_minutes_before"] == 15 and "notify_end_minutes_before" not in window
    assert (window["resolve_on_end"], window["reroute_on_end"], window["show_in_sidebar"]) == (True, False, True)
    assert window["start_at"].startswith(body["start_at"][:19]) and window["end_at"].startswith(body["end_at"][:19])
    assert "archived_at" not in window and "incident_id" not in window
    assert api.get(f"{PATH}/{window['id']}").json()["maintenance_window"] == window


@pytest.mark.parametrize("lead", [{"email": "AVERY@acme.example"}, {"id": AVERY}, {"slack_user_id": "U0ACME00001"},
                                  {"id": AVERY, "email": "avery@acme.example"}])
def test_lead_by_email_id_or_slack_id(api, lead):
    assert create(api, lead=lead)["lead"]["user"]["id"] == AVERY


@pytest.mark.parametrize("lead, code, field", [
    ({}, "is_required", "lead"),
    ({"email": "nobody@acme.example"}, "unknown_user", "lead.email"),
    ({"slack_user_id": "U0NOBODY"}, "unknown_user", "lead.slack_user_id"),
    ({"id": AVERY, "email": "blake@acme.example"}, "invalid_value", "lead"),
])
def test_lead_errors(api, lead, code, field):
    error_of(api.post(PATH, window_body(lead=lead)), 422, "validation_error", code, field)
    assert windows(api) == []


def test_status_filter_and_clock(api):
    active = create(api, name="Active")["id"]
    upcoming = create(api, name="Upcoming", start=now() + datetime.timedelta(hours=2))["id"]
    past = create(api, name="Past", start=now() - datetime.timedelta(hours=3), end=now() - datetime.timedelta(hours=2))["id"]

    def ids(status=None):
        query = f"?status={status}" if status else ""
        return [window["id"] for window in api.get(PATH + query).json()["maintenance_windows"]]

    assert ids("active") == [active] and ids("upcoming") == [upcoming] and ids("past") == [past]
    # Newest first.
    assert ids() == [past, upcoming, active]
    api.control("POST", "clock", {"advance_seconds": 3 * 3600})
    assert set(ids("past")) == {active, upcoming, past} and ids("active") == [] and ids("upcoming") == []
    error_of(api.get(f"{PATH}?status=finished"), 422, "validation_error", "invalid_value", "status")


def test_put_replaces_the_whole_window(api):
    window = create(api, notification_message="Deploying", incident_id="01JINCIDENT000000000000001", resolve_on_end=True,
                    notify_end_minutes_before=5)
    body = window_body(name="Deploy of the API (extended)", lead={"slack_user_id": "U0ACME00002"},
                       end=now() + datetime.timedelta(hours=3))
    response = api.put(f"{PATH}/{window['id']}", body)
    assert response.status_code == 200, response.text
    updated = response.json()["maintenance_window"]
    assert updated["id"] == window["id"] and updated["name"] == "Deploy of the API (extended)"
    assert updated["lead"]["user"]["id"] == BLAKE and updated["end_at"].startswith(body["end_at"][:19])
    # Left out of the PUT: cleared, or back to the default.
    for field in ("notification_message", "incident_id", "notify_end_minutes_before"):
        assert field not in updated
    assert updated["resolve_on_end"] is False and updated["created_at"] == window["created_at"]
    error_of(api.put(f"{PATH}/{window['id']}", {"name": "only a name"}), 422, "validation_error", "is_required", "lead")
    error_of(api.put(f"{PATH}/01JUNKNWN00000000000000000", body), 404, "not_found", "not_found")


def test_archive_is_refused_while_active(api):
    window = create(api)
    error_of(api.delete(f"{PATH}/{window['id']}"), 422, "validation_error", "window_active")
    assert windows(api)[0]["status"] == "active" and "archived_at" not in windows(api)[0]
    # Ending it early is a PUT with end_at = now; then it can be archived.
    ended = api.put(f"{PATH}/{window['id']}", window_body(start=now() - datetime.timedelta(minutes=5), end=now()))
    assert ended.status_code == 200, ended.text
    archived = api.delete(f"{PATH}/{window['id']}")
    assert archived.status_code == 204 and archived.content == b""
    assert api.get(PATH).json()["maintenance_windows"] == []
    shown = api.get(f"{PATH}/{window['id']}").json()["maintenance_window"]
    assert "archived_at" in shown
    error_of(api.delete(f"{PATH}/{window['id']}"), 404, "not_found", "not_found")
    error_of(api.put(f"{PATH}/{window['id']}", window_body()), 422, "validation_error", "archived")


def test_upcoming_window_can_be_archived(api):
    window = create(api, start=now() + datetime.timedelta(days=1))
    assert api.delete(f"{PATH}/{window['id']}").status_code == 204


@pytest.mark.parametrize("overrides, code, field", [
    ({"show_in_sidebar": None}, "is_required", "show_in_sidebar"),
    ({"alert_condition_groups": None}, "is_required", "alert_condition_groups"),
    ({"name": " "}, "is_required", "name"),
    ({"start_at": "tomorrow"}, "invalid_format", "start_at"),
    ({"show_in_sidebar": "yes"}, "invalid_type", "show_in_sidebar"),
    ({"conditions": []}, "unknown_field", "conditions"),
    ({"notify_start_minutes_before": -1}, "too_small", "notify_start_minutes_before"),
    ({"notify_channels": [{"channel_id": "C1"}]}, "is_required", "notify_channels.0.channel_type"),
    ({"alert_condition_groups": [{"conditions": [{"subject": "alert.colour", "operation": "contains",
                                                  "param_bindings": [{"value": {"literal": "x"}}]}]}]},
     "invalid_value", "alert_condition_groups.0.conditions.0.subject"),
    ({"alert_condition_groups": [{"conditions": [{"subject": "alert.title", "operation": "resembles",
                                                  "param_bindings": [{"value": {"literal": "x"}}]}]}]},
     "invalid_value", "alert_condition_groups.0.conditions.0.operation"),
    ({"alert_condition_groups": [{"conditions": [{"subject": "alert.title", "operation": "contains",
                                                  "param_bindings": []}]}]},
     "invalid_value", "alert_condition_groups.0.conditions.0.param_bindings"),
    ({"alert_condition_groups": [{"conditions": [{"subject": "alert.title", "operation": "one_of",
                                                  "param_bindings": [{"value": {"literal": "x"}}]}]}]},
     "is_required", "alert_condition_groups.0.conditions.0.param_bindings.0.array_value"),
    ({"alert_condition_groups": [{"conditions": [{"subject": "alert.title", "operation": "contains",
                                                  "param_bindings": [{"value": {}}]}]}]},
     "is_required", "alert_condition_groups.0.conditions.0.param_bindings.0.value"),
])
def test_validation(api, overrides, code, field):
    error_of(api.post(PATH, window_body(**overrides)), 422, "validation_error", code, field)
    assert windows(api) == []


def test_end_before_start(api):
    start = now() + datetime.timedelta(hours=1)
    error_of(api.post(PATH, window_body(start=start, end=start)), 422, "validation_error", "invalid_time_range", "end_at")


def test_pagination(api):
    created = [create(api, name=f"Window {index}")["id"] for index in range(7)]
    seen, pages = walk_pages(api, PATH, "maintenance_windows", 3)
    assert pages == 3 and seen == list(reversed(created))
    assert api.get(f"{PATH}?page_size=50").json()["pagination_meta"] == {"page_size": 50}
    for size in (0, 51):
        error_of(api.get(f"{PATH}?page_size={size}"), 422, "validation_error", field="page_size")
    error_of(api.get(f"{PATH}?after=nope"), 400, "invalid_request_error", "invalid_parameter", "after")


@pytest.mark.parametrize("key, method, needs", [
    (READONLY_KEY, "GET", "maintenance_windows.view"),
    (READONLY_KEY, "POST", "maintenance_window.create"),
    (SCHEDULER_KEY, "PUT", "maintenance_window.update"),
    (SCHEDULER_KEY, "DELETE", "maintenance_window.destroy"),
])
def test_scopes_per_operation(api, key, method, needs):
    window = create(api, start=now() + datetime.timedelta(days=1))
    path = PATH if method in ("GET", "POST") else f"{PATH}/{window['id']}"
    response = api.request(method, path, key=key, json=window_body(name="Changed") if method in ("POST", "PUT") else None)
    body = error_of(response, 403, "resource_forbidden", "missing_permissions")
    assert needs in body["errors"][0]["message"]
    assert [(w["id"], w["name"], "archived_at" in w) for w in windows(api)] == [(window["id"], window["name"], False)]


def test_scheduler_key_may_read_and_create(api):
    window = api.post(PATH, window_body(), key=SCHEDULER_KEY)
    assert window.status_code == 201
    assert api.get(f"{PATH}/{window.json()['maintenance_window']['id']}", key=SCHEDULER_KEY).status_code == 200


def test_lost_create_answer_commits_the_window(api):
    api.control("POST", "faults", {"method": "POST", "path": PATH, "when": "after", "status": 502})
    assert api.post(PATH, window_body(), check=False).status_code == 502
    assert len(windows(api)) == 1
    # Nothing to replay: a second POST makes a second window (there is no idempotency key).
    create(api)
    assert len(windows(api)) == 2


def test_reset_forgets_windows(api):
    create(api)
    api.control("POST", "reset")
    state = api.control("GET", "state")
    assert state["alert_maintenance_windows"] == [] and [user["id"] for user in state["users"]][0] == AVERY
