# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests of the emulator: every response is also checked against the spec (conftest)."""

from __future__ import annotations

import datetime
import json
import os
import time
import uuid

import pytest
import requests

from conftest import EMULATOR_DIR, PUBLISHER_KEY, READONLY_KEY, Client, error_of, iso, now, walk_pages

ACME = "01JACMEPAGE000000000000001"
GLOBEX = "01JGBXPAGE0000000000000001"
INITECH = "01JNTCHPAGE000000000000001"
WEBSITE = "01JACMECMP0000000000000001"
REST_API = "01JACMECMP0000000000000002"
WEBHOOKS_API = "01JACMECMP0000000000000003"
WEB_APP = "01JACMECMP0000000000000004"
DATABASE = "01JACMECMP0000000000000007"
OBJECT_STORAGE = "01JACMECMP0000000000000008"
GROUP_API = "01JACMEGRP0000000000000001"
SUB_PAGE_EU = "01JACMESPG0000000000000001"
CHECKOUT = "01JGBXCMP00000000000000001"
INITECH_WEBSITE = "01JNTCHCMP0000000000000001"
PUBLISH_LABEL = "Create status page incidents, status page maintenance windows, and publish status page updates"


def incident_body(**overrides):
    body = {"status_page_id": ACME, "name": "Elevated API latency", "incident_status": "investigating",
            "message": "Investigating.", "idempotency_key": str(uuid.uuid4()), "notify_subscribers": False,
            "component_statuses": [{"component_id": REST_API, "component_status": "degraded_performance"}]}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def maintenance_body(start=None, end=None, **overrides):
    start = start or now() + datetime.timedelta(hours=1)
    end = end or start + datetime.timedelta(hours=1)
    body = {"status_page_id": ACME, "name": "Database upgrade", "maintenance_status": "maintenance_scheduled",
            "message": "Scheduled.", "idempotency_key": str(uuid.uuid4()), "notify_subscribers": False,
            "affected_component_ids": [DATABASE, WEBSITE], "start_at": iso(start), "end_at": iso(end)}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def create_incident(api, **overrides):
    response = api.post("/v2/status_page_incidents", incident_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["status_page_incident"]


def create_maintenance(api, **overrides):
    response = api.post("/v2/status_page_maintenances", maintenance_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["status_page_maintenance"]


def incident_update(api, incident_id, **fields):
    body = {"status_page_incident_id": incident_id, "message": "Update.", "notify_subscribers": False}
    body.update(fields)
    return api.post("/v2/status_page_incident_updates", body)


def maintenance_update(api, maintenance_id, **fields):
    body = {"status_page_maintenance_id": maintenance_id, "message": "Update.", "notify_subscribers": False}
    body.update(fields)
    return api.post("/v2/status_page_maintenance_updates", body)


# ----- reads -------------------------------------------------------------------------------------


def test_list_and_show_status_pages(api):
    response = api.get("/v2/status_pages", key=READONLY_KEY)
    assert response.status_code == 200
    body = response.json()
    assert [page["name"] for page in body["status_pages"]] == ["Acme Cloud", "Globex Payments", "Initech Status"]
    assert body["pagination_meta"] == {"page_size": 25}
    assert body["status_pages"][0] == {"id": ACME, "name": "Acme Cloud", "public_url": "https://status.acme.example"}
    first = api.get("/v2/status_pages?page_size=2").json()
    assert first["pagination_meta"] == {"page_size": 2, "after": GLOBEX}
    second = api.get(f"/v2/status_pages?page_size=2&after={GLOBEX}").json()
    assert [page["id"] for page in second["status_pages"]] == [INITECH] and "after" not in second["pagination_meta"]
    assert api.get(f"/v2/status_pages/{GLOBEX}").json()["status_page"]["name"] == "Globex Payments"
    error_of(api.get("/v2/status_pages/01JUNKNWN00000000000000000"), 404, "not_found", "not_found")


def test_structure(api):
    body = api.get(f"/v2/status_page_structures/{ACME}").json()
    items = body["current_structure"]["items"]
    assert items[0] == {"component": {"component_id": WEBSITE, "name": "Website", "hidden": False, "display_uptime": True}}
    assert [c["name"] for c in items[1]["group"]["components"]] == ["REST API", "Webhooks"]
    assert [c["name"] for c in items[2]["group"]["components"]] == ["Web App", "Webhooks"]
    assert items[3]["component"]["name"] == "Internal Tools" and items[3]["component"]["hidden"] is True
    eu = items[4]["sub_page"]
    assert eu["name"] == "EU" and eu["items"][0]["component"]["name"] == "Database"
    assert eu["items"][1]["group"]["components"][0]["name"] == "Object Storage"
    assert body["management_meta"]["managed_by"] == "dashboard"
    initech = api.get(f"/v2/status_page_structures/{INITECH}").json()["current_structure"]["items"]
    assert initech == [{"component": {"component_id": INITECH_WEBSITE, "name": "Website", "hidden": False, "display_uptime": True}}]
    error_of(api.get("/v2/status_page_structures/nope"), 404, "not_found")


def test_availability(api):
    start = now() - datetime.timedelta(days=1)
    create_incident(api, component_statuses=[{"component_id": WEBSITE, "component_status": "full_outage"}])
    time.sleep(0.05)
    path = f"/v2/status_pages/{ACME}/components/{WEBSITE}/availability?start_at={iso(start)}&end_at={iso(now() + datetime.timedelta(hours=1))}"
    availability = api.get(path).json()["availability"]
    assert availability["component_id"] == WEBSITE and float(availability["availability_percent"]) < 100
    error_of(api.get(f"/v2/status_pages/{ACME}/components/{WEBSITE}/availability?start_at={iso(start)}"),
             400, "invalid_request_error", "missing_parameter", "end_at")
    error_of(api.get(f"/v2/status_pages/{ACME}/components/{CHECKOUT}/availability?start_at={iso(start)}&end_at={iso(now())}"),
             404, "not_found")


def test_v1_response_incidents(api):
    incident = create_incident(api)
    response = api.get(f"/v1/status-pages/{ACME}/incidents/{incident['id']}/response-incidents")
    assert response.status_code == 200 and response.json() == {"incidents": []}
    error_of(api.get(f"/v1/status-pages/{GLOBEX}/incidents/{incident['id']}/response-incidents"), 404, "not_found")


# ----- auth ----------------------------------------------------------------------------------------


def test_authentication_errors(api):
    error_of(api.get("/v2/status_pages", key=None), 401, "authentication_error", "missing_authorization_material")
    error_of(api.get("/v2/status_pages", key="not-a-key"), 401, "authentication_error", "invalid_api_key")
    error_of(api.get("/v2/status_pages", key=None, headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401, "authentication_error")


def test_forbidden_without_scope(api):
    body = error_of(api.post("/v2/status_page_incidents", incident_body(), key=READONLY_KEY), 403, "resource_forbidden", "missing_permissions")
    assert PUBLISH_LABEL in body["errors"][0]["message"] and "status_pages.publish_updates" in body["errors"][0]["message"]
    error_of(api.post("/v2/status_page_components", {"name": "X"}, key=READONLY_KEY), 403, "resource_forbidden", "missing_permissions")
    assert api.control("GET", "state")["incidents"] == []


# ----- incidents ---------------------------------------------------------------------------------------


def test_incident_lifecycle(api):
    incident = create_incident(api)
    assert incident["incident_status"] == "investigating" and len(incident["updates"]) == 1
    assert incident["component_impacts"] == [{"component_id": REST_API, "component_status": "degraded_performance",
                                              "start_at": incident["published_at"]}]
    response = incident_update(api, incident["id"], incident_status="identified",
                               component_statuses=[{"component_id": REST_API, "component_status": "full_outage"},
                                                   {"component_id": WEB_APP, "component_status": "operational"}])
    assert response.status_code == 201
    update = response.json()["status_page_incident_update"]
    assert update["incident_status"] == "identified" and update["status_page_incident_id"] == incident["id"]
    renamed = api.put(f"/v2/status_page_incidents/{incident['id']}", {"name": "API outage"})
    assert renamed.status_code == 200 and renamed.json()["status_page_incident"]["name"] == "API outage"
    assert len(renamed.json()["status_page_incident"]["updates"]) == 2
    resolved = incident_update(api, incident["id"], incident_status="resolved").json()["status_page_incident_update"]
    assert {c["component_status"] for c in resolved["component_statuses"]} == {"operational"}
    shown = api.get(f"/v2/status_page_incidents/{incident['id']}").json()["status_page_incident"]
    assert shown["incident_status"] == "resolved"
    assert [u["incident_status"] for u in shown["updates"]] == ["investigating", "identified", "resolved"]
    impacts = shown["component_impacts"]
    assert [(i["component_status"], "end_at" in i) for i in impacts] == [("degraded_performance", True), ("full_outage", True)]
    assert impacts[0]["end_at"] == impacts[1]["start_at"] == shown["updates"][1]["published_at"]
    assert impacts[1]["end_at"] == shown["updates"][2]["published_at"]
    error_of(api.get("/v2/status_page_incidents/01JUNKNWN00000000000000000"), 404, "not_found")
    error_of(api.put("/v2/status_page_incidents/01JUNKNWN00000000000000000", {"name": "x"}), 404, "not_found")
    error_of(incident_update(api, "01JUNKNWN00000000000000000"), 404, "not_found")


def test_resolve_rejects_component_statuses(api):
    incident = create_incident(api)
    statuses = [{"component_id": REST_API, "component_status": "operational"}]
    error_of(incident_update(api, incident["id"], incident_status="resolved", component_statuses=statuses),
             422, "validation_error", field="component_statuses")
    error_of(api.post("/v2/status_page_incidents", incident_body(incident_status="resolved")), 422, "validation_error", field="component_statuses")
    assert len(api.get(f"/v2/status_page_incidents/{incident['id']}").json()["status_page_incident"]["updates"]) == 1


def test_idempotency_replay_returns_current_state(api):
    body = incident_body()
    first = api.post("/v2/status_page_incidents", body).json()["status_page_incident"]
    incident_update(api, first["id"], incident_status="monitoring")
    replay = api.post("/v2/status_page_incidents", body)
    assert replay.status_code == 201
    replayed = replay.json()["status_page_incident"]
    assert replayed["id"] == first["id"] and replayed["incident_status"] == "monitoring"
    other_endpoint = api.post("/v2/status_page_maintenances", maintenance_body(idempotency_key=body["idempotency_key"]))
    assert other_endpoint.status_code == 201
    state = api.control("GET", "state")
    assert len(state["incidents"]) == 1 and len(state["maintenances"]) == 1


def test_update_cap(api):
    incident = create_incident(api)
    for index in range(99):
        assert incident_update(api, incident["id"], message=f"Update {index}").status_code == 201
    error_of(incident_update(api, incident["id"]), 422, "validation_error", "too_many_updates")
    assert len(api.get(f"/v2/status_page_incidents/{incident['id']}").json()["status_page_incident"]["updates"]) == 100


@pytest.mark.parametrize("overrides, code, field", [
    ({"name": None}, "is_required", "name"),
    ({"incident_status": "bogus"}, "invalid_value", "incident_status"),
    ({"name": "x" * 201}, "too_long", "name"),
    ({"message": "x" * 4097}, "too_long", "message"),
    ({"notify_subscribers": "yes"}, "invalid_type", "notify_subscribers"),
    ({"component_statuses": [{"component_id": REST_API, "component_status": "broken"}]}, "invalid_value",
     "component_statuses.0.component_status"),
    ({"component_statuses": [{"component_id": CHECKOUT, "component_status": "full_outage"}]}, "invalid_component",
     "component_statuses.0.component_id"),
    ({"statuses": []}, "unknown_field", "statuses"),
])
def test_incident_validation(api, overrides, code, field):
    body = error_of(api.post("/v2/status_page_incidents", incident_body(**overrides)), 422, "validation_error", code, field)
    assert body["errors"][0]["source"]["pointer"] == "/" + field.replace(".", "/")
    assert api.control("GET", "state")["incidents"] == []


def test_boundaries_accepted(api):
    create_incident(api, name="x" * 200, message="y" * 4096)


def test_unknown_status_page_in_body(api):
    error_of(api.post("/v2/status_page_incidents", incident_body(status_page_id="nope")), 404, "not_found", field="status_page_id")


def test_malformed_requests(api):
    error_of(api.post("/v2/status_page_incidents", data="{nope", headers={"Content-Type": "application/json"}),
             400, "invalid_request_error", "invalid_json")
    error_of(api.post("/v2/status_page_incidents", data="[1]"), 400, "invalid_request_error")
    error_of(api.get("/v2/status_page_incidents"), 400, "invalid_request_error", "missing_parameter", "status_page_id")
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&page_size=ten"), 400, "invalid_request_error", field="page_size")
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&start_at=yesterday"), 400, "invalid_request_error", field="start_at")
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&colour=red"), 400, "invalid_request_error", field="colour")
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&after=nope"), 400, "invalid_request_error", field="after")
    error_of(api.get("/v2/nothing_here"), 404, "not_found")
    response = api.request("PATCH", "/v2/status_page_incidents", json={})
    error_of(response, 405, "method_not_allowed")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "HEAD", "CONNECT", "QUERY", "BREW"])
def test_methods_the_spec_does_not_have_answer_405_in_the_api_shape(api, method):
    # http.server would answer these with its own 501 HTML page.
    response = api.request(method, "/v2/status_page_incidents", check=False)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, POST"
    if method != "HEAD":
        body = error_of(response, 405, "method_not_allowed", "method_not_allowed")
        assert body["errors"][0]["message"] == f"Method {method} is not allowed on /v2/status_page_incidents"
        assert response.headers["Content-Type"] == "application/json"
    else:
        assert response.content == b""
    # The connection stays usable: a HEAD answer carries no body that the next answer would be mistaken for.
    assert api.get("/v2/status_pages").status_code == 200


@pytest.mark.parametrize("size", [0, 251])
def test_page_size_out_of_range(api, size):
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&page_size={size}"), 422, "validation_error", field="page_size")


def test_retrospective_incident(api):
    start = now() - datetime.timedelta(days=2)
    body = {"status_page_id": ACME, "name": "Last week's outage", "idempotency_key": "retro-1", "updates": [
        {"incident_status": "investigating", "message": "Down.", "published_at": iso(start),
         "component_statuses": [{"component_id": WEBSITE, "component_status": "full_outage"}]},
        {"incident_status": "resolved", "message": "Fixed.", "published_at": iso(start + datetime.timedelta(hours=1))}]}
    incident = api.post("/v2/status_page_retrospective_incidents", body).json()["status_page_incident"]
    assert incident["incident_status"] == "resolved" and incident["published_at"].startswith(iso(start)[:19])
    assert incident["component_impacts"][0]["end_at"].startswith(iso(start + datetime.timedelta(hours=1))[:19])
    assert api.post("/v2/status_page_retrospective_incidents", body).json()["status_page_incident"]["id"] == incident["id"]
    body["idempotency_key"] = "retro-2"
    body["updates"][1]["incident_status"] = "monitoring"
    error_of(api.post("/v2/status_page_retrospective_incidents", body), 422, "validation_error", "must_be_resolved")


# ----- maintenances -------------------------------------------------------------------------------------


def test_maintenance_lifecycle(api):
    start = now() + datetime.timedelta(hours=1)
    maintenance = create_maintenance(api, start=start)
    assert maintenance["maintenance_status"] == "maintenance_scheduled" and maintenance["automate_maintenance_status"] is False
    periods = maintenance["component_maintenance_periods"]
    assert [p["component_id"] for p in periods] == [DATABASE, WEBSITE]
    assert periods[0]["start_at"].startswith(iso(start)[:19]) and "end_at" in periods[0]
    new_start, new_end = start + datetime.timedelta(days=1), start + datetime.timedelta(days=1, hours=2)
    updated = api.put(f"/v2/status_page_maintenances/{maintenance['id']}",
                      {"name": "Database upgrade (moved)", "start_at": iso(new_start), "end_at": iso(new_end)})
    assert updated.status_code == 200
    updated = updated.json()["status_page_maintenance"]
    assert updated["name"] == "Database upgrade (moved)" and len(updated["updates"]) == 1
    assert all(p["start_at"].startswith(iso(new_start)[:19]) and p["end_at"].startswith(iso(new_end)[:19])
               for p in updated["component_maintenance_periods"])
    progress = maintenance_update(api, maintenance["id"], maintenance_status="maintenance_in_progress").json()
    assert {c["component_status"] for c in progress["status_page_maintenance_update"]["component_statuses"]} == {"under_maintenance"}
    error_of(maintenance_update(api, maintenance["id"], maintenance_status="maintenance_complete",
                                component_statuses=[{"component_id": DATABASE, "component_status": "operational"}]),
             422, "validation_error", field="component_statuses")
    done = maintenance_update(api, maintenance["id"], maintenance_status="maintenance_complete").json()["status_page_maintenance_update"]
    assert {c["component_status"] for c in done["component_statuses"]} == {"operational"}
    shown = api.get(f"/v2/status_page_maintenances/{maintenance['id']}").json()["status_page_maintenance"]
    assert [u["maintenance_status"] for u in shown["updates"]] == ["maintenance_scheduled", "maintenance_in_progress", "maintenance_complete"]
    deleted = api.delete(f"/v2/status_page_maintenances/{maintenance['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    error_of(api.get(f"/v2/status_page_maintenances/{maintenance['id']}"), 404, "not_found")
    error_of(api.delete(f"/v2/status_page_maintenances/{maintenance['id']}"), 404, "not_found")


def test_maintenance_validation(api):
    start = now() + datetime.timedelta(hours=1)
    error_of(api.post("/v2/status_page_maintenances", maintenance_body(start=start, end=start - datetime.timedelta(minutes=1))),
             422, "validation_error", "invalid_time_range", "end_at")
    error_of(api.post("/v2/status_page_maintenances", maintenance_body(affected_component_ids=[WEBSITE, CHECKOUT])),
             422, "validation_error", "invalid_component", "affected_component_ids.1")
    error_of(api.post("/v2/status_page_maintenances", maintenance_body(start_at="2026-01-01T10:00:00")),
             422, "validation_error", "invalid_format", "start_at")
    error_of(api.post("/v2/status_page_maintenances", maintenance_body(maintenance_status="maintenance_started")),
             422, "validation_error", "invalid_value", "maintenance_status")
    maintenance = create_maintenance(api)
    error_of(api.put(f"/v2/status_page_maintenances/{maintenance['id']}", {"name": "x"}), 422, "validation_error", "is_required", "start_at")
    error_of(maintenance_update(api, maintenance["id"], component_statuses=[{"component_id": DATABASE, "component_status": "degraded_performance"}]),
             422, "validation_error", "invalid_value", "component_statuses.0.component_status")
    for dummy in range(99):
        assert maintenance_update(api, maintenance["id"]).status_code == 201
    error_of(maintenance_update(api, maintenance["id"]), 422, "validation_error", "too_many_updates")


def test_maintenance_automation(api):
    start = now() - datetime.timedelta(minutes=5)
    maintenance = create_maintenance(api, start=start, end=now() + datetime.timedelta(minutes=30), automate_maintenance_status=True)
    assert maintenance["maintenance_status"] == "maintenance_in_progress"
    assert [u["maintenance_status"] for u in maintenance["updates"]] == ["maintenance_scheduled", "maintenance_in_progress"]
    api.control("POST", "clock", {"advance_seconds": 3600})
    shown = api.get(f"/v2/status_page_maintenances/{maintenance['id']}").json()["status_page_maintenance"]
    assert shown["maintenance_status"] == "maintenance_complete" and len(shown["updates"]) == 3
    # A client update that sets maintenance_status switches automation off.
    future = create_maintenance(api, start=now() + datetime.timedelta(hours=2), automate_maintenance_status=True)
    maintenance_update(api, future["id"], maintenance_status="maintenance_scheduled")
    api.control("POST", "clock", {"advance_seconds": 6 * 3600})
    shown = api.get(f"/v2/status_page_maintenances/{future['id']}").json()["status_page_maintenance"]
    assert shown["automate_maintenance_status"] is False and shown["maintenance_status"] == "maintenance_scheduled"


# ----- lists, filters, pagination ---------------------------------------------------------------------------


def test_pagination_with_after(api):
    created = [create_incident(api, name=f"Incident {index}")["id"] for index in range(7)]
    seen, pages = walk_pages(api, f"/v2/status_page_incidents?status_page_id={ACME}", "status_page_incidents", 3)
    assert pages == 3 and seen == list(reversed(created))
    assert api.get(f"/v2/status_page_incidents?status_page_id={GLOBEX}").json()["status_page_incidents"] == []
    error_of(api.get("/v2/status_page_incidents?status_page_id=nope"), 404, "not_found")
    error_of(api.get("/v2/status_page_maintenances?status_page_id=nope"), 404, "not_found")


def test_filters(api):
    rest = create_incident(api)["id"]
    database = create_incident(api, component_statuses=[{"component_id": DATABASE, "component_status": "full_outage"}])["id"]
    storage = create_incident(api, component_statuses=[{"component_id": OBJECT_STORAGE, "component_status": "partial_outage"}])["id"]

    def ids(query, kind="incidents"):
        response = api.get(f"/v2/status_page_{kind}?status_page_id={ACME}&{query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()[f"status_page_{kind}"]}

    assert ids(f"component_id={REST_API}") == {rest}
    assert ids(f"group_id={GROUP_API}") == {rest}
    assert ids(f"sub_page_id={SUB_PAGE_EU}") == {database, storage}
    assert ids(f"component_id={WEBHOOKS_API}") == set()
    error_of(api.get(f"/v2/status_page_incidents?status_page_id={ACME}&component_id={CHECKOUT}"), 400, "invalid_request_error", field="component_id")
    maintenance = create_maintenance(api)["id"]
    assert ids(f"component_id={DATABASE}", "maintenances") == {maintenance}
    assert ids(f"group_id={GROUP_API}", "maintenances") == set()


def test_time_filters(api):
    past = now() - datetime.timedelta(days=10)
    retro = api.post("/v2/status_page_retrospective_incidents", {
        "status_page_id": ACME, "name": "Old", "idempotency_key": "old", "updates": [
            {"incident_status": "investigating", "message": "a", "published_at": iso(past),
             "component_statuses": [{"component_id": WEBSITE, "component_status": "full_outage"}]},
            {"incident_status": "resolved", "message": "b", "published_at": iso(past + datetime.timedelta(hours=2))}]}).json()
    old = retro["status_page_incident"]["id"]
    ongoing = create_incident(api)["id"]

    def ids(query, kind="incidents"):
        return {item["id"] for item in api.get(f"/v2/status_page_{kind}?status_page_id={ACME}&{query}").json()[f"status_page_{kind}"]}

    day = datetime.timedelta(days=1)
    assert ids(f"start_at={iso(now() - day)}") == {ongoing}
    assert ids(f"end_at={iso(now() - day)}") == {old}
    assert ids(f"start_at={iso(past + datetime.timedelta(hours=1))}&end_at={iso(past + datetime.timedelta(hours=1, minutes=5))}") == {old}
    assert ids(f"start_at={iso(past - 2 * day)}&end_at={iso(past - day)}") == set()
    assert ids(f"start_at={iso(past - day)}") == {old, ongoing}
    scheduled = create_maintenance(api, start=now() + 3 * day)["id"]
    # Scheduled and not complete: active from publication onwards, open-ended.
    assert ids(f"start_at={iso(now() + 10 * day)}", "maintenances") == {scheduled}
    assert ids(f"end_at={iso(now() - day)}", "maintenances") == set()


def test_history_bulk(api):
    started = time.monotonic()
    created = api.control("POST", "history", {"status_page_id": ACME, "incidents": 10000, "maintenances": 2000, "days": 365})
    assert created == {"incidents": 10000, "maintenances": 2000}
    body = api.get(f"/v2/status_page_incidents?status_page_id={ACME}&page_size=250&start_at={iso(now() - datetime.timedelta(days=3))}").json()
    assert 50 <= len(body["status_page_incidents"]) <= 120 and "after" not in body["pagination_meta"]
    assert all(item["incident_status"] == "resolved" for item in body["status_page_incidents"])
    assert time.monotonic() - started < 15


# ----- components ---------------------------------------------------------------------------------------------


def test_components_crud(api):
    listed = api.get("/v2/status_page_components").json()["status_page_components"]
    assert {"Website", "REST API", "Checkout"} <= {c["name"] for c in listed}
    created = api.post("/v2/status_page_components", {"name": "Search", "description": "Full text search"})
    assert created.status_code == 201
    component = created.json()["status_page_component"]
    assert component["description"] == "Full text search"
    updated = api.put(f"/v2/status_page_components/{component['id']}", {"name": "Search API"}).json()["status_page_component"]
    assert updated["name"] == "Search API" and "description" not in updated
    assert api.get(f"/v2/status_page_components/{component['id']}").status_code == 200
    assert api.delete(f"/v2/status_page_components/{component['id']}").status_code == 204
    error_of(api.get(f"/v2/status_page_components/{component['id']}"), 404, "not_found")
    error_of(api.delete(f"/v2/status_page_components/{WEBSITE}"), 422, "validation_error", "in_use")
    error_of(api.post("/v2/status_page_components", {"description": "x"}), 422, "validation_error", "is_required", "name")


# ----- rate limiting, faults, log, reset -------------------------------------------------------------------------


def test_rate_limit(api):
    ok = api.get("/v2/status_pages")
    assert ok.headers["X-RateLimit-Limit"] == "1200" and int(ok.headers["X-RateLimit-Remaining"]) >= 1198
    api.control("POST", "rate_limit", {"capacity": 2, "refill_per_second": 0.5})
    assert api.get("/v2/status_pages").status_code == 200
    assert api.get("/v2/status_pages").status_code == 200
    limited = api.get("/v2/status_pages")
    body = error_of(limited, 429, "too_many_requests", "too_many_requests")
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Reset" in limited.headers
    assert body["rate_limit"]["limit"] == 2 and body["rate_limit"]["remaining"] == 0
    # Per key: another key has its own bucket.
    assert api.get("/v2/status_pages", key=READONLY_KEY).status_code == 200
    assert requests.get(f"{api.url}/_emulator/state", timeout=5).status_code == 200


def test_fault_before_commits_nothing(api):
    api.control("POST", "faults", {"method": "POST", "path": "/v2/status_page_incidents", "action": "status", "status": 503,
                                   "headers": {"Retry-After": "1"}})
    assert len(api.control("GET", "faults")["faults"]) == 1
    response = api.post("/v2/status_page_incidents", incident_body(), check=False)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.json()["type"] == "api_error"
    assert api.control("GET", "state")["incidents"] == [] and api.control("GET", "faults")["faults"] == []


def test_fault_after_commits_then_replay(api):
    api.control("POST", "faults", {"method": "POST", "path": "/v2/status_page_*", "when": "after", "status": 502})
    body = incident_body()
    assert api.post("/v2/status_page_incidents", body, check=False).status_code == 502
    state = api.control("GET", "state")
    assert len(state["incidents"]) == 1
    replay = api.post("/v2/status_page_incidents", body)
    assert replay.status_code == 201 and replay.json()["status_page_incident"]["id"] == state["incidents"][0]["id"]
    assert len(api.control("GET", "state")["incidents"]) == 1


def test_fault_drop_and_delay(api):
    api.control("POST", "faults", {"method": "POST", "path": "/v2/status_page_incidents", "action": "drop", "when": "after"})
    with pytest.raises(requests.ConnectionError):
        api.post("/v2/status_page_incidents", incident_body(), check=False)
    assert len(api.control("GET", "state")["incidents"]) == 1
    api.control("POST", "faults", {"method": "GET", "path": "/v2/status_pages", "action": "drop", "count": 2})
    for dummy in range(2):
        with pytest.raises(requests.ConnectionError):
            api.get("/v2/status_pages", check=False)
    assert api.get("/v2/status_pages").status_code == 200
    api.control("POST", "faults", {"method": "GET", "path": "/v2/status_pages", "action": "delay", "delay": 0.4})
    started = time.monotonic()
    assert api.get("/v2/status_pages").status_code == 200
    assert time.monotonic() - started >= 0.4
    api.control("POST", "faults", {"method": "GET", "path": "/v2/status_pages", "action": "delay", "delay": 5})
    api.control("DELETE", "faults")
    assert api.control("GET", "faults") == {"faults": []}


def test_request_log_redacts_key(api):
    api.control("DELETE", "requests")
    api.post("/v2/status_page_incidents", incident_body())
    api.get("/v2/status_pages?page_size=5", key=READONLY_KEY)
    api.get("/v2/status_pages", key=None)
    api.control("GET", "state")
    log = api.control("GET", "requests")["requests"]
    assert len(log) == 3 and [entry["seq"] - log[0]["seq"] for entry in log] == [0, 1, 2]
    assert log[0]["method"] == "POST" and log[0]["status"] == 201 and log[0]["body"]["name"] == "Elevated API latency"
    assert log[1]["query"] == {"page_size": "5"} and log[1]["authorization"] == "Bearer [REDACTED]"
    assert log[2]["authorization"] is None and log[2]["status"] == 401
    assert len({entry["request_id"] for entry in log}) == 3
    text = json.dumps(log)
    assert PUBLISHER_KEY not in text and READONLY_KEY not in text


def test_reset(api):
    create_incident(api)
    api.control("POST", "rate_limit", {"capacity": 5})
    api.control("POST", "faults", {"method": "GET", "path": "/v2/status_pages", "count": 3})
    api.control("POST", "reset")
    state = api.control("GET", "state")
    assert state["incidents"] == [] and state["maintenances"] == [] and state["rate_limit"]["capacity"] == 1200
    assert api.control("GET", "faults") == {"faults": []} and api.control("GET", "requests") == {"requests": []}
    assert api.get("/v2/status_pages").status_code == 200


def test_reset_to_another_seed_and_back(api):
    demo_seed = os.path.join(EMULATOR_DIR, "seeds", "demo.yml")
    api.control("POST", "reset", {"seed": demo_seed})
    assert [page["name"] for page in api.control("GET", "state")["status_pages"]] == ["Acme Cloud"]
    assert api.get("/v2/status_pages", check=False).status_code == 401, "the default seed's keys are gone"
    assert api.get("/v2/status_pages", key="demo-publisher-key").status_code == 200
    refused = api.session.post(f"{api.url}/_emulator/reset", json={"seed": "/no/such/seed.yml"}, timeout=10)
    assert error_of(refused, 400, "invalid_request_error", "invalid_value", "seed")["errors"][0]["message"].startswith("cannot load the seed")
    assert api.get("/v2/status_pages", key="demo-publisher-key").status_code == 200, "a refused seed changes nothing"
    api.control("POST", "reset")
    assert len(api.control("GET", "state")["status_pages"]) == 3, "a reset without a seed goes back to the first one"


def test_sandboxes_are_independent_emulators(api):
    demo_seed = os.path.join(EMULATOR_DIR, "seeds", "demo.yml")
    assert api.control("PUT", "sandboxes/side", {"seed": demo_seed}) == {"path": "/sandboxes/side"}
    try:
        side = Client(api.url + "/sandboxes/side", key="demo-publisher-key")
        create_incident(side)
        assert len(side.control("GET", "state")["incidents"]) == 1 and len(side.control("GET", "requests")["requests"]) == 1
        assert api.control("GET", "state")["incidents"] == [] and api.control("GET", "requests") == {"requests": []}
        assert "Acme Cloud" in side.session.get(side.url + "/", timeout=10).text
        side.control("POST", "reset")
        assert side.control("GET", "state")["incidents"] == []
    finally:
        api.control("DELETE", "sandboxes/side")
    gone = api.session.get(f"{api.url}/sandboxes/side/v2/status_pages", timeout=10)
    assert gone.status_code == 404
