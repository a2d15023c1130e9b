# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The model of alert maintenance windows in _objects: one normal form for what the API accepts and answers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    alert_window_normal_form,
    alert_window_payload,
    alert_window_status,
    check_answer,
    condition_groups_payload,
    describe_lead,
    escalation_targets_payload,
    lead_matches,
    lead_reference,
    notify_channels_payload,
    predicted_alert_window,
)

PAYLOAD = {
    "name": "Deploy",
    "lead": {"email": "avery@acme.example"},
    "start_at": "2026-05-01T10:00:00Z",
    "end_at": "2026-05-01T10:30:00+00:00",
    "alert_condition_groups": [
        {"conditions": [
            {"subject": "alert.title", "operation": "contains", "param_bindings": [{"value": {"literal": "api"}}]},
            {"subject": "alert.attributes.A1", "operation": "one_of",
             "param_bindings": [{"array_value": [{"literal": "x"}, {"reference": "alert.title"}]}]},
        ]},
        {"conditions": [{"subject": "alert.description", "operation": "is_set", "param_bindings": []}]},
    ],
    "notify_channels": [{"channel_id": "C2", "channel_type": "private"}, {"channel_id": "C1", "channel_type": "public"}],
    "show_in_sidebar": True,
}
ANSWER = {
    "id": "W1", "name": "Deploy", "created_at": "2026-05-01T09:00:00Z", "updated_at": "2026-05-01T09:00:00Z",
    "lead": {"user": {"id": "U1", "name": "Avery Lead", "email": "Avery@Acme.example", "role": "responder"}},
    "start_at": "2026-05-01T10:00:00.000000Z",
    "end_at": "2026-05-01T10:30:00.000000Z",
    "alert_condition_groups": [
        {"conditions": [{"subject": {"label": "Alert description", "reference": "alert.description"},
                         "operation": {"label": "is set", "value": "is_set"}, "param_bindings": []}]},
        {"conditions": [
            {"subject": {"label": "Service", "reference": "alert.attributes.A1"},
             "operation": {"label": "is one of", "value": "one_of"},
             "param_bindings": [{"array_value": [{"label": "x", "literal": "x"},
                                                 {"label": "Alert title", "reference": "alert.title"}]}]},
            {"subject": {"label": "Alert title", "reference": "alert.title"},
             "operation": {"label": "contains", "value": "contains"},
             "param_bindings": [{"value": {"label": "api", "literal": "api"}}]},
        ]},
    ],
    "notify_channels": [{"channel_id": "C1", "channel_type": "public", "channel_name": "general", "is_private": False},
                        {"channel_id": "C2", "channel_type": "private", "is_private": True}],
    "resolve_on_end": False, "reroute_on_end": False, "show_in_sidebar": True,
}


def test_payload_and_answer_have_one_normal_form():
    assert alert_window_normal_form(PAYLOAD) == alert_window_normal_form(ANSWER)


@pytest.mark.parametrize("change", [
    {"name": "Deploy 2"},
    {"end_at": "2026-05-01T10:31:00Z"},
    {"show_in_sidebar": False},
    {"notification_message": "x"},
    {"notify_channels": [{"channel_id": "C1", "channel_type": "public"}]},
    {"alert_condition_groups": PAYLOAD["alert_condition_groups"][:1]},
])
def test_every_managed_difference_shows(change):
    assert alert_window_normal_form(dict(PAYLOAD, **change)) != alert_window_normal_form(ANSWER)


def test_binding_order_is_kept_because_it_is_the_operations_parameters():
    a_then_b = [{"value": {"literal": "a"}}, {"value": {"literal": "b"}}]
    first = [{"conditions": [{"subject": "s", "operation": "o", "param_bindings": a_then_b}]}]
    second = [{"conditions": [{"subject": "s", "operation": "o", "param_bindings": list(reversed(a_then_b))}]}]
    assert condition_groups_payload(first) != condition_groups_payload(second)


def test_payload_of_an_answer_is_what_a_put_sends():
    payload = alert_window_payload(ANSWER)
    assert payload["lead"] == {"id": "U1"}
    assert payload["alert_condition_groups"] == condition_groups_payload(PAYLOAD["alert_condition_groups"])
    assert payload["notify_channels"] == [{"channel_id": "C1", "channel_type": "public", "channel_name": "general"},
                                          {"channel_id": "C2", "channel_type": "private"}]
    assert "id" not in payload and "created_at" not in payload and "incident_id" not in payload
    assert (payload["start_at"], payload["end_at"]) == ("2026-05-01T10:00:00Z", "2026-05-01T10:30:00Z")


@pytest.mark.parametrize("text, reference", [
    ("avery@acme.example", {"email": "avery@acme.example"}),
    (" U02AYNF2XJM ", {"slack_user_id": "U02AYNF2XJM"}),
    ("W0ACME00001", {"slack_user_id": "W0ACME00001"}),
    ("01G0J1EXE7AXZ2C93K61WBPYEH", {"id": "01G0J1EXE7AXZ2C93K61WBPYEH"}),
])
def test_lead_reference_by_kind(text, reference):
    assert lead_reference(text) == reference


@pytest.mark.parametrize("text", ["avery", "", "U1", "01G0J1EXE7/../X", "a@b"])
def test_lead_reference_refuses_what_is_no_user(text):
    with pytest.raises(ValueError, match="^lead: "):
        lead_reference(text)


def test_lead_matches_says_when_it_cannot_tell():
    assert lead_matches({"email": "avery@acme.EXAMPLE"}, ANSWER) is True
    assert lead_matches({"id": "U2"}, ANSWER) is False
    assert lead_matches({"slack_user_id": "U0ACME00001"}, ANSWER) is None
    assert lead_matches({"id": "U1"}, {"lead": {"workflow": {"id": "WF", "name": "Nightly"}}}) is None
    assert describe_lead({"lead": {"workflow": {"id": "WF", "name": "Nightly"}}}) == "workflow Nightly"
    assert describe_lead(ANSWER, ("id",)) == "U1"


@pytest.mark.parametrize("now, status", [
    (datetime(2026, 5, 1, 9, 59, 59, tzinfo=timezone.utc), "upcoming"),
    (datetime(2026, 5, 1, 10, 0, 0, tzinfo=timezone.utc), "active"),
    (datetime(2026, 5, 1, 10, 29, 59, tzinfo=timezone.utc), "active"),
    (datetime(2026, 5, 1, 10, 30, 0, tzinfo=timezone.utc), "past"),
])
def test_status_by_the_clock(now, status):
    assert alert_window_status(ANSWER, now) == status
    assert alert_window_status(dict(ANSWER, archived_at="2026-05-01T09:30:00Z"), now) == "archived"


def test_channels_compare_without_their_names():
    assert notify_channels_payload([{"channel_id": "C1", "channel_type": "public", "channel_name": None}]) == [
        {"channel_id": "C1", "channel_type": "public"}]
    renamed = dict(ANSWER, notify_channels=[dict(c, channel_name="renamed") for c in ANSWER["notify_channels"]])
    assert alert_window_normal_form(renamed) == alert_window_normal_form(ANSWER)


def test_prediction_of_a_create_and_of_a_change():
    now = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
    created = predicted_alert_window(PAYLOAD, now=now)
    assert created["id"] is None and created["created_at"] == "2026-05-01T09:00:00Z"
    assert created["lead"] == {"user": {"email": "avery@acme.example"}}
    assert alert_window_normal_form(created) == alert_window_normal_form(PAYLOAD)
    changed = predicted_alert_window(dict(alert_window_payload(ANSWER), name="Renamed"), ANSWER, now)
    assert changed["id"] == "W1" and changed["name"] == "Renamed" and changed["lead"]["user"]["name"] == "Avery Lead"


def test_fields_an_answer_adds_are_left_out_but_a_tasks_own_are_refused():
    condition = {"subject": {"label": "Alert title", "reference": "alert.title", "kind": "text"},
                 "operation": {"label": "contains", "value": "contains"}, "negated": False,
                 "param_bindings": [{"value": {"label": "api", "literal": "api", "kind": "text"}, "weight": 1}]}
    groups = [{"id": "G1", "conditions": [condition]}]
    expected = [{"conditions": [{"subject": "alert.title", "operation": "contains",
                                 "param_bindings": [{"value": {"literal": "api"}}]}]}]
    assert condition_groups_payload(groups, "alert_condition_groups", from_answer=True) == expected
    assert alert_window_payload(dict(ANSWER, alert_condition_groups=groups))["alert_condition_groups"] == expected
    with pytest.raises(ValueError, match=r"^conditions\[0\]: unknown key 'id'; expected conditions$"):
        condition_groups_payload(groups)
    with pytest.raises(ValueError, match=r"^targets\[0\]: unknown key 'teams'"):
        escalation_targets_payload([{"teams": {}}], "targets")
    assert escalation_targets_payload([{"users": {"value": {"literal": "U1"}}, "teams": {}}], from_answer=True) == [
        {"users": {"value": {"literal": "U1"}}}]


def test_an_answers_empty_channel_name_is_a_missing_label_but_a_tasks_is_refused():
    channel = {"channel_id": "C1", "channel_type": "public", "channel_name": ""}
    assert notify_channels_payload([channel], from_answer=True) == [{"channel_id": "C1", "channel_type": "public"}]
    with pytest.raises(ValueError) as caught:
        notify_channels_payload([channel])
    # An empty string needs no hint about quoting numbers in YAML; a number does.
    assert str(caught.value) == "notify_channels[0].channel_name: must be a non-empty string, got str ''"
    with pytest.raises(ValueError, match=r"got int 5 \(quote numbers and booleans in YAML\)$"):
        notify_channels_payload([dict(channel, channel_name=5)])


@pytest.mark.parametrize("answer", [
    ANSWER,
    {key: value for key, value in ANSWER.items() if key not in ("lead", "notify_channels", "created_at", "updated_at")},
    dict(ANSWER, lead={"workflow": {"id": "WF1", "name": "Nightly"}}, archived_at="2026-05-01T11:00:00Z"),
    dict(ANSWER, incident_id="01HZX0000000000000000INC01", notification_message="", notify_start_minutes_before=0),
])
def test_window_answers_the_module_can_use(answer):
    assert check_answer("maintenance_window", answer) is answer
    assert check_answer("maintenance_windows", [answer, answer]) == [answer, answer]
