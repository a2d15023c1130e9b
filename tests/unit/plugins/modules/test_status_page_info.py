# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _time
from ansible_collections.incident_io.status_page.plugins.modules import status_page_info
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import LIST_PAGES, PAGE_ID, READ_STRUCTURE, STRUCTURE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import Call, api_error, run_module


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    # The outputs recorded for the tests (http_fake) hold the time range, which is relative to now.
    monkeypatch.setattr(_time, "utcnow", lambda: datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc))


MAINTENANCE = {
    "id": "M1", "name": "Upgrade", "status_page_id": PAGE_ID, "maintenance_status": "maintenance_scheduled",
    "published_at": "2026-05-01T00:00:00Z", "updates": [], "automate_maintenance_status": False,
    "component_maintenance_periods": [
        {"component_id": "C-REST", "start_at": "2026-05-01T02:00:00Z", "end_at": "2026-05-01T03:00:00Z"},
        {"component_id": "C-DB", "start_at": "2026-05-01T02:30:00+00:00", "end_at": "2026-05-01T04:00:00.000Z"},
    ],
}
OTHER_MAINTENANCE = dict(MAINTENANCE, id="M2", name="Other", component_maintenance_periods=[])
INCIDENT = {"id": "I1", "name": "Outage", "incident_status": "investigating", "updates": [], "component_impacts": []}


def list_maintenances(items):
    return Call("GET", "/v2/status_page_maintenances", json_body={"status_page_maintenances": items, "pagination_meta": {}})


def list_incidents(items):
    return Call("GET", "/v2/status_page_incidents", json_body={"status_page_incidents": items, "pagination_meta": {}})


def test_without_a_page_only_lists_pages(monkeypatch):
    result, session = run_module(monkeypatch, status_page_info.main, {}, [LIST_PAGES])
    assert result["changed"] is False
    assert [p["name"] for p in result["status_pages"]] == ["Acme Cloud", "Twin", "Twin"]
    assert "status_page" not in result and "components" not in result
    assert len(session.sent) == 1


def test_page_by_name_with_structure_is_two_requests(monkeypatch):
    args = {"status_page": "Acme Cloud", "include": ["structure"]}
    result, session = run_module(monkeypatch, status_page_info.main, args, [LIST_PAGES, READ_STRUCTURE])
    assert len(session.sent) == 2
    assert result["status_page"]["id"] == PAGE_ID
    assert result["structure"] == STRUCTURE
    assert result["components"][2] == {"id": "C-HOOKS-API", "name": "Webhooks", "group": "API", "sub_page": None, "hidden": False}
    assert "incidents" not in result and "maintenances" not in result


def test_everything_by_default_with_time_filters(monkeypatch):
    args = {"status_page": PAGE_ID}
    calls = [LIST_PAGES, READ_STRUCTURE, list_incidents([INCIDENT]), list_maintenances([MAINTENANCE])]
    result, session = run_module(monkeypatch, status_page_info.main, args, calls, check_mode=True)
    assert len(session.sent) == 4 and session.writes == []
    for sent in session.sent[2:]:
        assert sent["query"]["status_page_id"] == PAGE_ID
        assert sent["query"]["start_at"].endswith("Z") and "end_at" not in sent["query"]
    assert result["incidents"] == [INCIDENT]
    maintenance = result["maintenances"][0]
    assert (maintenance["start_at"], maintenance["end_at"]) == ("2026-05-01T02:00:00Z", "2026-05-01T04:00:00Z")
    assert maintenance["component_maintenance_periods"] == MAINTENANCE["component_maintenance_periods"]


def test_name_filter_and_explicit_range(monkeypatch):
    args = {"status_page": "Acme Cloud", "include": ["maintenances"], "name": "Upgrade",
            "since": "2026-05-01T00:00:00Z", "until": "2026-05-02"}
    calls = [LIST_PAGES, list_maintenances([MAINTENANCE, OTHER_MAINTENANCE])]
    result, session = run_module(monkeypatch, status_page_info.main, args, calls)
    assert [m["id"] for m in result["maintenances"]] == ["M1"]
    assert session.sent[1]["query"] == {"status_page_id": PAGE_ID, "start_at": "2026-05-01T00:00:00Z",
                                        "end_at": "2026-05-02T00:00:00Z", "page_size": 250}


@pytest.mark.parametrize("args, message", [
    ({"status_page": "Acme Cloud", "since": "last tuesday"}, "since: 'last tuesday' is not a time"),
    ({"status_page": "Acme Cloud", "until": "2026-99-01"}, "until: '2026-99-01' is not a valid date"),
    ({"status_page": "Acme Cloud", "since": "2026-05-02", "until": "2026-05-01"}, "until (2026-05-01T00:00:00Z) is before since"),
    ({"include": ["structure"]}, "include and name need status_page"),
    ({"name": "Upgrade"}, "include and name need status_page"),
    ({"api_url": "http://status.example.com"}, "api_url 'http://status.example.com' uses plain http"),
    ({"api_url": "not a url"}, "api_url must be an http(s) URL"),
    ({"timeout": 0}, "timeout must be a positive number"),
])
def test_bad_input_fails_before_any_request(monkeypatch, args, message):
    result, session = run_module(monkeypatch, status_page_info.main, args, [])
    assert result["failed"] and message in result["msg"]
    assert session.sent == []


def test_unknown_page_name_lists_candidates(monkeypatch):
    result, session = run_module(monkeypatch, status_page_info.main, {"status_page": "Nope"}, [LIST_PAGES])
    assert result["failed"]
    assert result["msg"].startswith("status_page: no status page named or with ID 'Nope'")
    assert "'Acme Cloud'" in result["msg"]
    assert len(session.sent) == 1


def test_server_error_surfaces_message_and_request_id(monkeypatch):
    body = api_error(401, "authentication_error", "invalid_api_key", "The API key is not valid", request_id="req-401")
    result, dummy_session = run_module(monkeypatch, status_page_info.main, {}, [Call("GET", "/v2/status_pages", status=401, json_body=body)])
    assert result["failed"]
    assert "HTTP 401 authentication_error: The API key is not valid" in result["msg"]
    assert result["request_id"] == "req-401" and result["status"] == 401
