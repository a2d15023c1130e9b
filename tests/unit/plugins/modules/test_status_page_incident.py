# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import contextlib
import copy
from datetime import timedelta

import pytest


from ansible_collections.incident_io.status_page.plugins.module_utils import _lifecycle
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import component_statuses, occurrence_key
from ansible_collections.incident_io.status_page.plugins.module_utils._time import parse_time
from ansible_collections.incident_io.status_page.plugins.modules import status_page_incident
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import LIST_PAGES, PAGE_ID, READ_STRUCTURE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    Call,
    api_error,
    read_timeout,
    run_module,
)

NAME = "Elevated API error rates"
INCIDENT_ID = "01HZX000000000000000INC001"
OTHER_ID = "01HZX000000000000000INC002"
OPENED = "We are investigating elevated error rates."
IDENTIFIED = "We have identified the cause."

OPEN_ARGS = {
    "status_page": "Acme Cloud",
    "name": NAME,
    "msg": OPENED,
    "components": {"API/REST API": "degraded_performance", "API/Webhooks": "degraded_performance"},
}


# The clock of every test: the outputs recorded for the tests (http_fake) hold times derived from it.
NOW = parse_time("2026-05-01T12:00:00Z")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(_lifecycle, "utcnow", lambda: NOW)


def update(message, status="investigating", components=None, published_at="2026-05-01T10:00:00Z", update_id="U1"):
    return {
        "id": update_id, "status_page_incident_id": INCIDENT_ID, "published_at": published_at, "message": message,
        "incident_status": status,
        "component_statuses": [{"component_id": cid, "component_status": cs} for cid, cs in (components or {}).items()],
    }


def incident(status="investigating", updates=None, impacts=None, name=NAME, incident_id=INCIDENT_ID):
    if updates is None:
        updates = [update(OPENED, "investigating", {"C-REST": "degraded_performance", "C-HOOKS-API": "degraded_performance"})]
    if impacts is None:
        impacts = [
            {"component_id": "C-REST", "component_status": "degraded_performance", "start_at": "2026-05-01T10:00:00Z"},
            {"component_id": "C-HOOKS-API", "component_status": "degraded_performance", "start_at": "2026-05-01T10:00:00Z"},
        ]
    return {
        "id": incident_id, "status_page_id": PAGE_ID, "name": name, "published_at": "2026-05-01T10:00:00Z",
        "incident_status": status, "updates": updates, "component_impacts": impacts,
    }


def resolved_incident(incident_id=OTHER_ID, name=NAME):
    return incident(
        "resolved", incident_id=incident_id, name=name,
        updates=[update(OPENED, "investigating", {"C-REST": "full_outage"}, "2026-05-01T08:00:00Z", "U0"),
                 update("Fixed.", "resolved", {"C-REST": "operational"}, "2026-05-01T09:00:00Z", "U00")],
        impacts=[{"component_id": "C-REST", "component_status": "full_outage", "start_at": "2026-05-01T08:00:00Z",
                  "end_at": "2026-05-01T09:00:00Z"}])


def list_incidents(*items):
    return Call("GET", "/v2/status_page_incidents",
                json_body={"status_page_incidents": list(items), "pagination_meta": {"page_size": 250}})


def show(item):
    return Call("GET", f"/v2/status_page_incidents/{item['id']}", json_body={"status_page_incident": item})


def created(item, status=201):
    return Call("POST", "/v2/status_page_incidents", status=status, json_body={"status_page_incident": item})


def posted_update(item_update, body=None):
    return Call("POST", "/v2/status_page_incident_updates", status=201, body=body,
                json_body={"status_page_incident_update": item_update})


def run(monkeypatch, args, calls, check_mode=False, diff=False):
    return run_module(monkeypatch, status_page_incident.main, args, calls, check_mode=check_mode, diff=diff)


def derived_key(closed_ids=()):
    return occurrence_key(PAGE_ID, "incident", NAME, list(closed_ids))


# --- create ---------------------------------------------------------------------------------------------------------

def test_open_by_names_is_list_pages_structure_one_list_and_one_post(monkeypatch):
    result, session = run(monkeypatch, OPEN_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(incident())])
    assert [(r["method"], r["path"]) for r in session.sent] == [
        ("GET", "/v2/status_pages"), ("GET", f"/v2/status_page_structures/{PAGE_ID}"),
        ("GET", "/v2/status_page_incidents"), ("POST", "/v2/status_page_incidents")]
    assert session.writes[0]["body"] == {
        "status_page_id": PAGE_ID, "name": NAME, "incident_status": "investigating", "message": OPENED,
        "idempotency_key": derived_key(), "notify_subscribers": False,
        "component_statuses": [{"component_id": "C-REST", "component_status": "degraded_performance"},
                               {"component_id": "C-HOOKS-API", "component_status": "degraded_performance"}],
    }
    assert result["changed"] is True and result["action"] == "created"
    assert result["id"] == INCIDENT_ID and result["idempotency_key"] == derived_key()
    assert result["incident"]["components"] == [
        {"id": "C-HOOKS-API", "name": "API/Webhooks", "status": "degraded_performance"},
        {"id": "C-REST", "name": "API/REST API", "status": "degraded_performance"}]


def test_lookup_uses_a_start_filter_of_now_minus_lookback(monkeypatch):
    args = dict(OPEN_ARGS, lookback="2h")
    _result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(incident())])
    query = session.sent[2]["query"]
    assert query["status_page_id"] == PAGE_ID and "end_at" not in query and query["page_size"] == 250
    assert NOW - parse_time(query["start_at"]) == timedelta(hours=2)


def test_open_in_check_mode_predicts_without_writing(monkeypatch):
    result, session = run(monkeypatch, OPEN_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents()], check_mode=True,
                          diff=True)
    assert session.writes == []
    assert result["changed"] is True and result["action"] == "created" and result["id"] is None
    predicted = result["incident"]
    assert predicted["name"] == NAME and predicted["incident_status"] == "investigating"
    assert predicted["updates"][0]["message"] == OPENED
    assert {c["name"]: c["status"] for c in predicted["components"]} == {
        "API/REST API": "degraded_performance", "API/Webhooks": "degraded_performance"}
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == {
        "name": NAME, "incident_status": "investigating", "message": OPENED,
        "components": {"API/REST API": "degraded_performance", "API/Webhooks": "degraded_performance"}}


@pytest.mark.parametrize("check_mode", [False, True])
def test_rerun_writes_nothing(monkeypatch, check_mode):
    others = [incident(name="Another incident", incident_id=OTHER_ID), resolved_incident("01HZX000000000000000INC003")]
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(others[0], incident(), others[1])]
    result, session = run(monkeypatch, OPEN_ARGS, calls, check_mode=check_mode)
    assert session.writes == [] and len(session.sent) == 3
    assert result["changed"] is False and result["action"] == "none" and result["id"] == INCIDENT_ID
    # Only resolved incidents with the same name count towards the key; other names and open ones do not.
    assert result["idempotency_key"] == derived_key(["01HZX000000000000000INC003"])


def test_the_diff_of_a_rerun_shows_the_incident_unchanged(monkeypatch):
    # No change is a diff whose before and after are the same incident, never an empty before.
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(incident())]
    result, session = run(monkeypatch, OPEN_ARGS, calls, diff=True)
    assert result["changed"] is False and session.writes == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["before"]["name"] == NAME and result["diff"]["before"]["incident_status"] == "investigating"


def test_the_diff_of_an_incident_without_updates(monkeypatch):
    # The spec allows an incident with no updates yet: its diff shows no message instead of failing.
    args = dict(OPEN_ARGS, msg="We are looking into it.")
    current = incident(updates=[])
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(current)]
    result, session = run(monkeypatch, args, calls, check_mode=True, diff=True)
    assert result["changed"] is True and session.writes == []
    assert result["diff"]["before"]["message"] is None
    assert result["diff"]["after"]["message"] == "We are looking into it."


def test_rerun_with_trailing_newline_in_message_writes_nothing(monkeypatch):
    args = dict(OPEN_ARGS, msg=OPENED + "\n")
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(incident())])
    assert session.writes == [] and result["changed"] is False


def test_open_with_component_ids_needs_no_structure_read(monkeypatch):
    component_id = "01HZX0000000000000000CMP01"
    args = {"status_page": PAGE_ID, "name": NAME, "msg": OPENED, "components": {component_id: "full_outage"}}
    answer = incident(updates=[update(OPENED, components={component_id: "full_outage"})], impacts=[])
    result, session = run(monkeypatch, args, [list_incidents(), created(answer)])
    assert len(session.sent) == 2
    assert session.writes[0]["body"]["component_statuses"] == [
        {"component_id": component_id, "component_status": "full_outage"}]
    assert result["incident"]["components"] == [{"id": component_id, "name": None, "status": "full_outage"}]


def test_open_without_status_opens_as_investigating_and_sends_notify(monkeypatch):
    args = {"status_page": PAGE_ID, "name": NAME, "msg": OPENED, "notify_subscribers": True}
    answer = incident(updates=[update(OPENED)], impacts=[])
    result, session = run(monkeypatch, args, [list_incidents(), created(answer)])
    body = session.writes[0]["body"]
    assert body["incident_status"] == "investigating" and body["notify_subscribers"] is True
    assert "component_statuses" not in body
    assert result["action"] == "created"


def test_only_resolved_incidents_with_the_name_open_a_new_occurrence(monkeypatch):
    old = resolved_incident()
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(old), created(incident())]
    result, session = run(monkeypatch, OPEN_ARGS, calls)
    assert session.writes[0]["body"]["idempotency_key"] == derived_key([OTHER_ID]) != derived_key()
    assert result["action"] == "created" and result["id"] == INCIDENT_ID


def test_an_incident_listed_twice_is_one_incident_and_one_occurrence(monkeypatch):
    # Pages that shift while they are read can list an incident twice; the key of the next occurrence stays the one
    # a single listing gives, so a re-run that reads it once creates nothing new.
    old = resolved_incident()
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(old, old), created(incident())]
    result, session = run(monkeypatch, OPEN_ARGS, calls)
    assert session.writes[0]["body"]["idempotency_key"] == derived_key([OTHER_ID])
    current = incident()
    result, session = run(monkeypatch, dict(OPEN_ARGS), [LIST_PAGES, READ_STRUCTURE, list_incidents(current, old, current)])
    assert result["changed"] is False and result["id"] == INCIDENT_ID and session.writes == []


def test_derived_key_replaying_a_resolved_incident_moves_to_the_next_key(monkeypatch):
    # The occurrence behind the first key was resolved long ago (outside lookback): the API replays it.
    forgotten = resolved_incident("01HZX000000000000000INC009")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(forgotten), created(incident())]
    result, session = run(monkeypatch, OPEN_ARGS, calls)
    keys = [w["body"]["idempotency_key"] for w in session.writes]
    assert keys == [derived_key(), derived_key(["01HZX000000000000000INC009"])]
    assert result["action"] == "created" and result["idempotency_key"] == keys[1]


def test_derived_key_replaying_resolved_incidents_forever_fails(monkeypatch):
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents()]
    calls += [created(resolved_incident(f"01HZX000000000000000INC10{n}")) for n in range(5)]
    result, _session = run(monkeypatch, OPEN_ARGS, calls)
    assert result["failed"] and result["msg"].startswith("idempotency_key: 5 derived keys for")


def test_user_key_that_belongs_to_a_resolved_incident_writes_nothing_more(monkeypatch):
    args = dict(OPEN_ARGS, idempotency_key="deploy-4711")
    finished = resolved_incident()
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(finished), created(finished)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1 and session.writes[0]["body"]["idempotency_key"] == "deploy-4711"
    assert result["changed"] is False and result["action"] == "none" and result["id"] == OTHER_ID
    assert result["idempotency_key"] == "deploy-4711"
    assert any("deploy-4711" in w and "resolved" in w for w in result["warnings"])


def test_user_key_that_names_an_open_incident_of_another_name_fails_and_writes_nothing_more(monkeypatch):
    # One key given to two runbooks: the API replays the first one's incident, whatever this task asks for.
    args = dict(OPEN_ARGS, idempotency_key="deploy-4711")
    other = incident(name="Checkout errors", incident_id=OTHER_ID)
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(other)]
    result, session = run(monkeypatch, args, calls)
    assert result["failed"] is True and len(session.writes) == 1
    assert result["msg"].startswith(
        f"idempotency_key: 'deploy-4711' already names incident {OTHER_ID} ('Checkout errors', investigating), not the "
        f"incident {NAME!r} on status page {PAGE_ID}")


def test_user_key_in_check_mode_warns_when_a_resolved_namesake_exists(monkeypatch):
    args = dict(OPEN_ARGS, idempotency_key="deploy-4711")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(resolved_incident())]
    result, session = run(monkeypatch, args, calls, check_mode=True)
    assert session.writes == [] and result["action"] == "created"
    assert any("may belong to a resolved incident" in w for w in result["warnings"])


def test_user_key_opens_a_new_incident(monkeypatch):
    args = dict(OPEN_ARGS, idempotency_key="deploy-4712")
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(incident())])
    assert session.writes[0]["body"]["idempotency_key"] == "deploy-4712"
    assert result["action"] == "created" and "warnings" not in result


def test_create_replaying_an_open_incident_in_another_state_drives_it(monkeypatch):
    # A concurrent run opened it with the same key and has since moved it on.
    elsewhere = incident("identified", updates=[update(OPENED), update(IDENTIFIED, "identified", published_at="2026-05-01T10:05:00Z", update_id="U2")],
                         impacts=[])
    args = dict(OPEN_ARGS)
    del args["components"]
    calls = [LIST_PAGES, list_incidents(), created(elsewhere), show(elsewhere),
             posted_update(update(OPENED, "investigating", update_id="U3", published_at="2026-05-01T10:06:00Z"),
                           body={"status_page_incident_id": INCIDENT_ID, "message": OPENED,
                                 "incident_status": "investigating", "notify_subscribers": False})]
    result, _session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["incident"]["incident_status"] == "investigating"


# --- updates --------------------------------------------------------------------------------------------------------

IDENTIFY_ARGS = dict(OPEN_ARGS, incident_status="identified", msg=IDENTIFIED)


def test_new_status_and_message_post_one_update_without_components(monkeypatch):
    answer = update(IDENTIFIED, "identified", {"C-REST": "degraded_performance", "C-HOOKS-API": "degraded_performance"},
                    "2026-05-01T10:10:00Z", "U2")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(incident()), posted_update(answer)]
    result, session = run(monkeypatch, IDENTIFY_ARGS, calls, diff=True)
    assert session.writes[0]["body"] == {"status_page_incident_id": INCIDENT_ID, "message": IDENTIFIED,
                                         "incident_status": "identified", "notify_subscribers": False}
    assert result["changed"] is True and result["action"] == "updated"
    assert result["incident"]["incident_status"] == "identified"
    assert result["incident"]["updates"][-1]["id"] == "U2"
    assert result["diff"]["before"]["incident_status"] == "investigating"
    assert result["diff"]["after"]["incident_status"] == "identified"
    assert result["diff"]["after"]["message"] == IDENTIFIED


def test_new_status_in_check_mode_predicts_the_update(monkeypatch):
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(incident())]
    result, session = run(monkeypatch, IDENTIFY_ARGS, calls, check_mode=True)
    assert session.writes == []
    assert result["action"] == "updated" and result["incident"]["incident_status"] == "identified"
    assert result["incident"]["updates"][-1]["message"] == IDENTIFIED


def identified_incident():
    return incident("identified", updates=[
        update(OPENED, "investigating", {"C-REST": "degraded_performance", "C-HOOKS-API": "degraded_performance"}),
        update(IDENTIFIED, "identified", {}, "2026-05-01T10:10:00Z", "U2"),
    ])


@pytest.mark.parametrize("check_mode", [False, True])
def test_same_status_and_message_again_writes_nothing(monkeypatch, check_mode):
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident())]
    result, session = run(monkeypatch, IDENTIFY_ARGS, calls, check_mode=check_mode)
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"


def test_updates_are_compared_by_time_not_by_list_order(monkeypatch):
    current = identified_incident()
    current["updates"].reverse()
    result, session = run(monkeypatch, IDENTIFY_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents(current)])
    assert session.writes == [] and result["changed"] is False


def test_component_change_sends_only_the_changed_component(monkeypatch):
    args = dict(IDENTIFY_ARGS, msg="REST API recovered.",
                components={"API/REST API": "operational", "API/Webhooks": "degraded_performance"})
    answer = update("REST API recovered.", "identified", {"C-REST": "operational"}, "2026-05-01T10:20:00Z", "U3")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident()), posted_update(answer)]
    result, session = run(monkeypatch, args, calls)
    assert session.writes[0]["body"] == {
        "status_page_incident_id": INCIDENT_ID, "message": "REST API recovered.", "notify_subscribers": False,
        "component_statuses": [{"component_id": "C-REST", "component_status": "operational"}]}
    assert result["action"] == "updated"
    assert {c["name"]: c["status"] for c in result["incident"]["components"]} == {
        "API/REST API": "operational", "API/Webhooks": "degraded_performance"}


def test_component_change_in_check_mode(monkeypatch):
    args = dict(IDENTIFY_ARGS, components={"API/REST API": "full_outage"})
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident())]
    result, session = run(monkeypatch, args, calls, check_mode=True, diff=True)
    assert session.writes == [] and result["action"] == "updated"
    assert result["diff"]["before"]["components"]["API/REST API"] == "degraded_performance"
    assert result["diff"]["after"]["components"]["API/REST API"] == "full_outage"


def test_only_a_new_message_posts_a_message_only_update(monkeypatch):
    args = dict(IDENTIFY_ARGS, msg="Still working on it.")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident()),
             posted_update(update("Still working on it.", "identified", {}, "2026-05-01T10:30:00Z", "U4"))]
    _result, session = run(monkeypatch, args, calls)
    assert session.writes[0]["body"] == {"status_page_incident_id": INCIDENT_ID, "message": "Still working on it.",
                                         "notify_subscribers": False}


def test_without_message_nothing_is_published_when_only_the_message_would_differ(monkeypatch):
    args = dict(IDENTIFY_ARGS)
    del args["msg"]
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident())])
    assert session.writes == [] and result["action"] == "none"


def test_missing_message_fails_after_reads_before_any_write(monkeypatch):
    args = dict(IDENTIFY_ARGS, incident_status="monitoring")
    del args["msg"]
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident())])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("msg: required to publish the update that moves it from identified to monitoring")


def test_missing_message_for_a_create_fails_before_any_write(monkeypatch):
    args = dict(OPEN_ARGS)
    del args["msg"]
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(resolved_incident())],
                          check_mode=True)
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("msg: required to open the incident")


def test_the_101st_update_is_refused_before_sending(monkeypatch):
    full = identified_incident()
    full["updates"] = [update(f"Update {n}", "identified", {}, f"2026-05-01T{10 + n // 60:02d}:{n % 60:02d}:00Z", f"U{n}")
                       for n in range(100)]
    args = dict(IDENTIFY_ARGS, msg="One more.")
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(full)])
    assert result["failed"] and session.writes == []
    assert "already has 100 updates" in result["msg"]


# --- resolve --------------------------------------------------------------------------------------------------------

RESOLVE_ARGS = {"status_page": "Acme Cloud", "name": NAME, "incident_status": "resolved", "msg": "Fixed."}


@pytest.mark.parametrize("check_mode", [False, True])
def test_resolve_sends_no_component_statuses(monkeypatch, check_mode):
    calls = [LIST_PAGES, list_incidents(identified_incident())]
    if not check_mode:
        calls.append(posted_update(update("Fixed.", "resolved", {"C-REST": "operational", "C-HOOKS-API": "operational"},
                                          "2026-05-01T11:00:00Z", "U5")))
    result, session = run(monkeypatch, RESOLVE_ARGS, calls, check_mode=check_mode)
    if not check_mode:
        assert session.writes[0]["body"] == {"status_page_incident_id": INCIDENT_ID, "message": "Fixed.",
                                             "incident_status": "resolved", "notify_subscribers": False}
    else:
        assert session.writes == []
    assert result["changed"] is True and result["action"] == "resolved"
    assert result["incident"]["incident_status"] == "resolved"
    assert all(c["status"] == "operational" for c in result["incident"]["components"])
    assert all(i.get("end_at") for i in result["incident"]["component_impacts"])


@pytest.mark.parametrize("message", ["Fixed.", "A different closing note."])
def test_resolving_a_resolved_incident_is_a_no_op(monkeypatch, message):
    args = dict(RESOLVE_ARGS, msg=message)
    result, session = run(monkeypatch, args, [LIST_PAGES, list_incidents(resolved_incident())])
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"
    assert result["id"] == OTHER_ID and "warnings" not in result


@pytest.mark.parametrize("check_mode", [False, True])
def test_resolving_when_nothing_is_found_warns(monkeypatch, check_mode):
    result, session = run(monkeypatch, RESOLVE_ARGS, [LIST_PAGES, list_incidents(incident(name="Something else"))],
                          check_mode=check_mode)
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"
    assert result["incident"] == {} and result["id"] is None
    assert any("nothing to resolve" in w for w in result["warnings"])


def test_resolve_without_message_fails_naming_message(monkeypatch):
    args = dict(RESOLVE_ARGS)
    del args["msg"]
    result, session = run(monkeypatch, args, [LIST_PAGES, list_incidents(identified_incident())])
    assert result["failed"] and session.writes == [] and result["msg"].startswith("msg: ")


@pytest.mark.parametrize("check_mode", [False, True])
def test_two_unresolved_incidents_with_the_name_fail_listing_them(monkeypatch, check_mode):
    calls = [LIST_PAGES, list_incidents(incident(), incident(incident_id=OTHER_ID))]
    result, session = run(monkeypatch, RESOLVE_ARGS, calls, check_mode=check_mode)
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("name: 2 incidents named")
    assert INCIDENT_ID in result["msg"] and OTHER_ID in result["msg"]


# --- by id and rename -----------------------------------------------------------------------------------------------

def test_by_id_reads_only_the_incident(monkeypatch):
    args = {"id": INCIDENT_ID, "incident_status": "identified", "msg": IDENTIFIED}
    result, session = run(monkeypatch, args, [show(identified_incident())])
    assert len(session.sent) == 1 and result["action"] == "none" and result["idempotency_key"] is None


@pytest.mark.parametrize("check_mode", [False, True])
def test_rename_by_id(monkeypatch, check_mode):
    args = {"id": INCIDENT_ID, "name": "Expired certificate"}
    calls = [show(identified_incident())]
    if not check_mode:
        calls.append(Call("PUT", f"/v2/status_page_incidents/{INCIDENT_ID}", body={"name": "Expired certificate"},
                          json_body={"status_page_incident": dict(identified_incident(), name="Expired certificate")}))
    result, session = run(monkeypatch, args, calls, check_mode=check_mode, diff=True)
    assert len(session.writes) == (0 if check_mode else 1)
    assert result["action"] == "renamed" and result["changed"] is True
    assert result["incident"]["name"] == "Expired certificate"
    assert result["incident"]["incident_status"] == "identified", "a rename keeps the status"
    assert result["diff"]["before"]["name"] == NAME and result["diff"]["after"]["name"] == "Expired certificate"


def test_rename_again_writes_nothing(monkeypatch):
    current = dict(identified_incident(), name="Expired certificate")
    result, session = run(monkeypatch, {"id": INCIDENT_ID, "name": "Expired certificate"}, [show(current)])
    assert session.writes == [] and result["action"] == "none"


def test_rename_and_update_together(monkeypatch):
    args = {"id": INCIDENT_ID, "name": "Expired certificate", "incident_status": "monitoring", "msg": "Renewed."}
    renamed = dict(identified_incident(), name="Expired certificate")
    calls = [show(identified_incident()),
             Call("PUT", f"/v2/status_page_incidents/{INCIDENT_ID}", json_body={"status_page_incident": renamed}),
             posted_update(update("Renewed.", "monitoring", {}, "2026-05-01T11:00:00Z", "U9"))]
    result, _session = run(monkeypatch, args, calls)
    assert result["action"] == "updated"
    assert result["incident"]["name"] == "Expired certificate" and result["incident"]["incident_status"] == "monitoring"


def test_by_id_reopens_a_resolved_incident(monkeypatch):
    args = {"id": OTHER_ID, "incident_status": "investigating", "msg": "It is back.",
            "components": {"C-REST": "partial_outage"}}
    calls = [show(resolved_incident()), READ_STRUCTURE,
             posted_update(update("It is back.", "investigating", {"C-REST": "partial_outage"}, "2026-05-01T12:00:00Z", "U7"))]
    result, session = run(monkeypatch, args, calls)
    assert session.writes[0]["body"] == {
        "status_page_incident_id": OTHER_ID, "message": "It is back.", "incident_status": "investigating",
        "notify_subscribers": False, "component_statuses": [{"component_id": "C-REST", "component_status": "partial_outage"}]}
    assert result["action"] == "updated"
    assert result["incident"]["components"] == [{"id": "C-REST", "name": "API/REST API", "status": "partial_outage"}]


@pytest.mark.parametrize("check_mode", [False, True])
def test_by_id_resolving_a_resolved_incident_is_a_no_op(monkeypatch, check_mode):
    args = {"id": OTHER_ID, "incident_status": "resolved", "msg": "Another closing note."}
    result, session = run(monkeypatch, args, [show(resolved_incident())], check_mode=check_mode)
    assert session.writes == [] and result["action"] == "none" and result["changed"] is False


def test_by_id_reopen_in_check_mode(monkeypatch):
    args = {"id": OTHER_ID, "status_page": PAGE_ID, "incident_status": "identified", "msg": "It is back.",
            "components": {"API/REST API": "partial_outage"}}
    result, session = run(monkeypatch, args, [READ_STRUCTURE, show(resolved_incident())], check_mode=True, diff=True)
    assert session.writes == [] and result["action"] == "updated"
    assert result["diff"]["before"]["incident_status"] == "resolved"
    assert result["diff"]["after"] == {"name": NAME, "incident_status": "identified", "message": "It is back.",
                                       "components": {"API/REST API": "partial_outage"}}


def test_missing_message_names_the_changed_components(monkeypatch):
    args = {"id": INCIDENT_ID, "components": {"API/REST API": "full_outage"}}
    result, session = run(monkeypatch, args, [show(identified_incident()), READ_STRUCTURE])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("msg: required to publish the update that changes the status of API/REST API")


def test_components_on_a_resolved_incident_without_a_status_fail(monkeypatch):
    args = {"id": OTHER_ID, "msg": "x", "components": {"C-REST": "partial_outage"}}
    result, session = run(monkeypatch, args, [show(resolved_incident()), READ_STRUCTURE])
    assert result["failed"] and session.writes == [] and result["msg"].startswith("components: ")


def test_unknown_id_fails_naming_id(monkeypatch):
    body = api_error(404, "not_found", "not_found", "Status page incident not found", request_id="req-404")
    result, session = run(monkeypatch, {"id": "01HZX000000000000000NOPE01", "incident_status": "resolved", "msg": "x"},
                          [Call("GET", "/v2/status_page_incidents/01HZX000000000000000NOPE01", status=404, json_body=body)])
    assert result["failed"] and session.writes == []
    assert result["msg"].startswith("id: no incident with ID '01HZX000000000000000NOPE01'")
    assert "request_id req-404" in result["msg"]


def test_id_on_another_page_fails(monkeypatch):
    other_page = dict(identified_incident(), status_page_id="01HZX0000000000000000PAGE2")
    args = {"id": INCIDENT_ID, "status_page": PAGE_ID, "incident_status": "resolved", "msg": "x"}
    result, session = run(monkeypatch, args, [show(other_page)])
    assert result["failed"] and session.writes == [] and result["msg"].startswith("id: incident ")


# --- exactly once ---------------------------------------------------------------------------------------------------

def test_ambiguous_update_failure_that_landed_is_not_sent_again(monkeypatch):
    landed = copy.deepcopy(identified_incident())
    landed["incident_status"] = "resolved"
    landed["updates"].append(update("Fixed.", "resolved", {}, "2026-05-01T11:00:00Z", "U5"))
    calls = [LIST_PAGES, list_incidents(identified_incident()),
             Call("POST", "/v2/status_page_incident_updates", raises=read_timeout()), show(landed)]
    result, session = run(monkeypatch, RESOLVE_ARGS, calls)
    assert len(session.writes) == 1
    assert result["action"] == "resolved" and result["incident"]["updates"][-1]["id"] == "U5"


def test_ambiguous_update_failure_that_did_not_land_is_sent_again(monkeypatch):
    calls = [LIST_PAGES, list_incidents(identified_incident()),
             Call("POST", "/v2/status_page_incident_updates", status=502, text="Bad gateway"),
             show(identified_incident()),
             posted_update(update("Fixed.", "resolved", {}, "2026-05-01T11:00:00Z", "U5"))]
    result, session = run(monkeypatch, RESOLVE_ARGS, calls)
    assert len(session.writes) == 2 and result["action"] == "resolved"


def test_an_earlier_update_with_the_same_message_does_not_count_as_landed(monkeypatch):
    # The latest update already carries this message; only a newer update proves the send landed.
    args = dict(IDENTIFY_ARGS, components={"API/REST API": "full_outage"})
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident()),
             Call("POST", "/v2/status_page_incident_updates", raises=read_timeout()),
             show(identified_incident()),
             posted_update(update(IDENTIFIED, "identified", {"C-REST": "full_outage"}, "2026-05-01T11:00:00Z", "U6"))]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 2 and result["action"] == "updated"


def test_a_lost_answer_to_a_message_only_update_that_landed_is_not_sent_again(monkeypatch):
    # The update changes only the message: the re-read update carries the incident's unchanged status, which is
    # what proves that the lost send landed.
    args = dict(IDENTIFY_ARGS, msg="Still working on it.")
    landed = copy.deepcopy(identified_incident())
    landed["updates"].append(update("Still working on it.", "identified", {}, "2026-05-01T11:00:00Z", "U7"))
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident()),
             Call("POST", "/v2/status_page_incident_updates", raises=read_timeout()), show(landed)]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 1
    assert session.writes[0]["body"] == {"status_page_incident_id": INCIDENT_ID, "message": "Still working on it.",
                                         "notify_subscribers": False}
    assert result["changed"] is True and result["action"] == "updated"
    assert result["incident"]["updates"][-1]["id"] == "U7"


def test_a_lost_message_only_update_whose_reread_shows_another_status_is_sent_again(monkeypatch):
    # A newer update with the same message but another status is someone else's update, not this one.
    args = dict(IDENTIFY_ARGS, msg="Still working on it.")
    other = copy.deepcopy(identified_incident())
    other["incident_status"] = "monitoring"
    other["updates"].append(update("Still working on it.", "monitoring", {}, "2026-05-01T11:00:00Z", "U7"))
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(identified_incident()),
             Call("POST", "/v2/status_page_incident_updates", raises=read_timeout()), show(other),
             posted_update(update("Still working on it.", "identified", {}, "2026-05-01T11:00:01Z", "U8"))]
    result, session = run(monkeypatch, args, calls)
    assert len(session.writes) == 2 and session.writes[0]["body"] == session.writes[1]["body"]
    assert result["action"] == "updated" and result["incident"]["updates"][-1]["id"] == "U8"


def test_a_404_without_request_id_still_fails_naming_id(monkeypatch):
    body = api_error(404, "not_found", "not_found", "Status page incident not found")
    del body["request_id"]
    result, session = run(monkeypatch, {"id": OTHER_ID, "incident_status": "resolved", "msg": "x"},
                          [Call("GET", f"/v2/status_page_incidents/{OTHER_ID}", status=404, json_body=body)])
    assert result["failed"] and session.writes == []
    assert result["msg"] == f"id: no incident with ID {OTHER_ID!r} exists, or this API key cannot see it (HTTP 404)"


def test_an_update_and_an_impact_without_times_count_as_the_oldest(monkeypatch):
    # published_at and start_at are left out (the collection's answer shape reads a null as absent): the update is
    # replayed first and the impact is ongoing, so the incident already shows what the task asks.
    opened = update(OPENED, "investigating", {"C-REST": "degraded_performance", "C-HOOKS-API": "degraded_performance"})
    del opened["published_at"]
    current = incident("identified", updates=[update(IDENTIFIED, "identified", {}, "2026-05-01T10:10:00Z", "U2"), opened],
                       impacts=[{"component_id": "C-REST", "component_status": "degraded_performance"}])
    result, session = run(monkeypatch, IDENTIFY_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents(current)])
    assert session.writes == [] and result["changed"] is False and result["action"] == "none"
    assert component_statuses(current) == {"C-REST": "degraded_performance", "C-HOOKS-API": "degraded_performance"}


# --- input errors ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"name": NAME, "msg": "x"}, "status_page: required unless id is given"),
    ({"status_page": "Acme Cloud", "msg": "x"}, "name: required unless id is given"),
    (dict(OPEN_ARGS, name="x" * 201), "name: is 201 characters long; the API accepts at most 200"),
    (dict(OPEN_ARGS, msg="x" * 4097), "msg: is 4097 characters long; the API accepts at most 4096"),
    (dict(OPEN_ARGS, msg="  "), "msg: must not be empty"),
    (dict(OPEN_ARGS, name=" "), "name: must not be empty"),
    ({"id": "", "status_page": "Acme Cloud", "name": NAME}, "id: must not be empty"),
    (dict(OPEN_ARGS, components={"Website": "under_maintenance"}), "components: 'Website' is set to 'under_maintenance', a maintenance status"),
    (dict(OPEN_ARGS, components={"Website": "down"}), "components: 'Website' is set to 'down', which is not a component status"),
    (dict(RESOLVE_ARGS, components={"Website": "operational"}), "components: must not be set with incident_status resolved"),
    (dict(OPEN_ARGS, lookback="yesterday"), "lookback: 'yesterday' is not a duration"),
    ({"id": INCIDENT_ID, "incident_status": "bogus"}, "value of incident_status must be one of"),
    (dict(OPEN_ARGS, api_url="http://api.example.com"), "api_url 'http://api.example.com' uses plain http"),
])
def test_bad_input_fails_before_any_request(monkeypatch, args, message):
    result, session = run(monkeypatch, args, [])
    assert result["failed"] and message in result["msg"], result["msg"]
    assert session.sent == []


@pytest.mark.parametrize("components, message", [
    ({"Webhooks": "full_outage"}, "components: 'Webhooks' matches 2 components"),
    ({"Nope": "full_outage"}, "components: no component 'Nope' on this status page"),
    ({"API/REST API": "full_outage", "C-REST": "partial_outage"},
     "components: 'API/REST API' and 'C-REST' are the same component, set to 'full_outage' and 'partial_outage'"),
])
def test_bad_components_fail_after_the_structure_read(monkeypatch, components, message):
    result, session = run(monkeypatch, dict(OPEN_ARGS, components=components), [LIST_PAGES, READ_STRUCTURE])
    assert result["failed"] and result["msg"].startswith(message) and session.writes == []


@pytest.mark.parametrize("page, message", [
    ("Nope", "status_page: no status page named or with ID 'Nope'"),
    ("Twin", "status_page: 2 status pages are named 'Twin'"),
])
def test_unknown_or_ambiguous_page_fails(monkeypatch, page, message):
    result, session = run(monkeypatch, dict(OPEN_ARGS, status_page=page), [LIST_PAGES])
    assert result["failed"] and result["msg"].startswith(message) and session.writes == []


def test_key_without_publish_permission_tells_which_permission(monkeypatch):
    body = api_error(403, "resource_forbidden", "missing_permissions", "API key is missing a required scope")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(), Call("POST", "/v2/status_page_incidents", status=403, json_body=body)]
    result, _session = run(monkeypatch, OPEN_ARGS, calls)
    assert result["failed"] and result["status"] == 403
    assert "Create status page incidents, status page maintenance windows, and publish status page updates" in result["msg"]


# --- reading component statuses ---------------------------------------------------------------------------------------

def test_component_statuses_from_impacts_win_over_updates():
    item = incident(updates=[update(OPENED, components={"C-REST": "full_outage"})], impacts=[
        {"component_id": "C-REST", "component_status": "full_outage", "start_at": "2026-05-01T10:00:00Z",
         "end_at": "2026-05-01T10:30:00Z"},
        {"component_id": "C-REST", "component_status": "partial_outage", "start_at": "2026-05-01T10:30:00Z"},
    ])
    assert component_statuses(item) == {"C-REST": "partial_outage"}


def test_component_statuses_with_closed_impacts_only_are_operational():
    item = incident(updates=[update(OPENED, components={"C-REST": "full_outage"})], impacts=[
        {"component_id": "C-REST", "component_status": "full_outage", "start_at": "2026-05-01T10:00:00Z",
         "end_at": "2026-05-01T10:30:00Z"}])
    assert component_statuses(item) == {"C-REST": "operational"}


@pytest.mark.parametrize("second_update", [
    {"C-REST": "operational"},                                    # updates list only what changed
    {"C-REST": "operational", "C-DB": "partial_outage"},           # updates list every affected component
])
def test_component_statuses_replay_updates_under_both_readings(second_update):
    item = incident(impacts=[], updates=[
        update(OPENED, components={"C-REST": "full_outage", "C-DB": "partial_outage"}),
        update("Better.", components=second_update, published_at="2026-05-01T10:30:00Z", update_id="U2"),
    ])
    assert component_statuses(item) == {"C-REST": "operational", "C-DB": "partial_outage"}


def test_component_statuses_of_a_resolved_incident_are_operational():
    item = incident("resolved", impacts=[], updates=[update(OPENED, components={"C-REST": "full_outage"}),
                                                     update("Done.", "resolved", published_at="2026-05-01T11:00:00Z")])
    assert component_statuses(item) == {"C-REST": "operational"}


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
    others = [incident(name="Another incident", incident_id=OTHER_ID)]
    run(monkeypatch, OPEN_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents(others[0], incident())])
    assert held == [("https://api.incident.test", "incident", PAGE_ID, NAME), "released"]
    held.clear()
    body = api_error(404, "not_found", "not_found", "Status page incident not found")
    run(monkeypatch, {"id": "01HZX000000000000000NOPE01", "incident_status": "resolved", "msg": "x"},
        [Call("GET", "/v2/status_page_incidents/01HZX000000000000000NOPE01", status=404, json_body=body)])
    assert held == [("https://api.incident.test", "incident", "01HZX000000000000000NOPE01", ""), "released"]


# --- any answer, any input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("incident_id", ["01HZX/../../status_pages", "01HZX?status_page_id=x", "abc#frag", "a b"])
def test_an_id_that_would_leave_its_path_fails_before_any_request(monkeypatch, incident_id):
    result, session = run(monkeypatch, {"id": incident_id, "incident_status": "resolved", "msg": "x"}, [])
    assert result["failed"] and result["msg"].startswith(f"id: {incident_id!r} is not an incident.io ID")
    assert session.sent == []


def test_blank_space_around_the_id_name_page_and_components_is_dropped(monkeypatch):
    args = dict(OPEN_ARGS, status_page=" Acme Cloud ", name=f" {NAME}\n",
                components={" API/REST API": "degraded_performance", "API/Webhooks ": "degraded_performance"})
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents(incident())])
    assert result["changed"] is False and result["id"] == INCIDENT_ID
    result, session = run(monkeypatch, {"id": f" {INCIDENT_ID} ", "name": f" {NAME} "}, [show(incident())])
    assert session.sent[0]["path"] == f"/v2/status_page_incidents/{INCIDENT_ID}" and result["changed"] is False


def test_a_component_given_twice_with_one_status_is_sent_once(monkeypatch):
    args = dict(OPEN_ARGS, components={"API/REST API": "full_outage", "C-REST": "full_outage"})
    opened = incident(updates=[update(OPENED, components={"C-REST": "full_outage"})], impacts=[
        {"component_id": "C-REST", "component_status": "full_outage", "start_at": "2026-05-01T10:00:00Z"}])
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(opened)]
    result, session = run(monkeypatch, args, calls)
    assert session.writes[0]["body"]["component_statuses"] == [{"component_id": "C-REST", "component_status": "full_outage"}]


def test_a_derived_key_answered_with_an_id_already_seen_stops_at_once(monkeypatch):
    forgotten = resolved_incident("01HZX000000000000000INC009")
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(), created(forgotten), created(forgotten)]
    result, session = run(monkeypatch, OPEN_ARGS, calls)
    assert len(session.writes) == 2
    assert result["failed"] and result["msg"].startswith(
        f"idempotency_key: the derived key {derived_key(['01HZX000000000000000INC009'])!r} was answered with "
        "incident 01HZX000000000000000INC009, which this run already counted as a past occurrence")
    assert result["msg"].count("01HZX000000000000000INC009") == 1


def test_a_derived_key_answered_with_a_listed_past_occurrence_stops_at_once(monkeypatch):
    past = resolved_incident()
    result, session = run(monkeypatch, OPEN_ARGS, [LIST_PAGES, READ_STRUCTURE, list_incidents(past), created(past)])
    assert len(session.writes) == 1 and result["failed"] and "no new incident was created" in result["msg"]


def test_an_empty_answer_to_the_create_says_what_happened(monkeypatch):
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents(),
             Call("POST", "/v2/status_page_incidents", status=201, json_body={})]
    result, session = run(monkeypatch, OPEN_ARGS, calls)
    assert result["failed"] and result["msg"].startswith(
        "POST /v2/status_page_incidents succeeded, but its answer has no status_page_incident (got {}). The API "
        "accepted the request, so the incident was probably created. Running the task again is safe")
    assert derived_key() in result["msg"] and "status_page_info" in result["msg"]


def test_an_update_answered_without_its_record_reports_what_was_posted(monkeypatch):
    args = {"id": INCIDENT_ID, "incident_status": "identified", "msg": IDENTIFIED}
    calls = [show(incident()), Call("POST", "/v2/status_page_incident_updates", status=201, json_body={})]
    result, session = run(monkeypatch, args, calls)
    assert result["action"] == "updated" and result["incident"]["incident_status"] == "identified"
    assert result["incident"]["updates"][-1]["message"] == IDENTIFIED


def test_check_mode_predicts_the_opened_incident_field_by_field(monkeypatch):
    args = dict(OPEN_ARGS, incident_status="identified",
                components={"API/REST API": "full_outage", "Website": "operational"})
    result, session = run(monkeypatch, args, [LIST_PAGES, READ_STRUCTURE, list_incidents()], check_mode=True)
    now = "2026-05-01T12:00:00Z"
    statuses = [{"component_id": "C-REST", "component_status": "full_outage"},
                {"component_id": "C-WEBSITE", "component_status": "operational"}]
    assert result["incident"] == {
        "id": None, "status_page_id": PAGE_ID, "name": NAME, "published_at": now, "incident_status": "identified",
        # An operational component has no impact: the API's timeline lists only degraded ones.
        "component_impacts": [{"component_id": "C-REST", "component_status": "full_outage", "start_at": now}],
        "updates": [{"id": None, "status_page_incident_id": None, "published_at": now, "message": OPENED,
                     "incident_status": "identified", "component_statuses": statuses}],
        "components": [{"id": "C-REST", "name": "API/REST API", "status": "full_outage"},
                       {"id": "C-WEBSITE", "name": "Website", "status": "operational"}],
    }
    assert session.writes == []
