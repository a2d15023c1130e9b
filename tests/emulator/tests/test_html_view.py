# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML subscriber's view (``/`` and ``/status/<status_page_id>``) follows the store's live state."""

from __future__ import annotations

import datetime
import re

import requests

from test_contract import (ACME, DATABASE, GLOBEX, GROUP_API, REST_API, WEB_APP, WEBSITE, create_incident, create_maintenance,
                           incident_update, maintenance_update, now)

INTERNAL_TOOLS = "01JACMECMP0000000000000006"
ROW = re.compile(r'<li class="component" data-component-id="([^"]+)" data-status="([^"]+)"><div class="row">'
                 r'<span class="name">([^<]*)<.*?<span class="status ([a-z_]+)" data-status="[a-z_]+">([^<]+)</span>')


def view(api, page_id=ACME):
    response = requests.get(f"{api.url}/status/{page_id}", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response.text


def rows(page):
    """{component_id: (name, status class, status word)} for every component row."""
    found = {}
    for component_id, status, name, css, word in ROW.findall(page):
        assert status == css
        found[component_id] = (name, css, word)
    return found


def banner(page):
    return re.search(r'<div class="banner ([a-z_]+)" data-status="[a-z_]+">([^<]+)</div>', page).group(2)


def test_index_lists_pages_without_key_log_or_rate_limit(api):
    api.control("POST", "rate_limit", {"capacity": 1, "refill_per_second": 0.001})
    for attempt in range(5):
        response = requests.get(api.url + "/", timeout=10)
        assert response.status_code == 200, attempt
    for page_id in (ACME, GLOBEX):
        assert f'<a href="/status/{page_id}">' in response.text
        assert requests.get(f"{api.url}/status/{page_id}", timeout=10).status_code == 200
    assert "Acme Cloud" in response.text and "Globex Payments" in response.text
    assert api.control("GET", "requests") == {"requests": []}
    missing = requests.get(f"{api.url}/status/01JUNKNWN00000000000000000", timeout=10)
    assert missing.status_code == 404 and "text/html" in missing.headers["Content-Type"]
    # Other methods stay with the API's routing.
    assert requests.post(api.url + "/", timeout=10).json()["type"] == "not_found"


def test_all_operational_at_first(api):
    page = view(api)
    assert banner(page) == "All systems operational"
    assert {row[2] for row in rows(page).values()} == {"Operational"}
    assert "No incidents or maintenance." in page


def test_in_progress_maintenance_puts_its_components_under_maintenance(api):
    scheduled = create_maintenance(api, name="Later work", affected_component_ids=[DATABASE])
    page = view(api)
    assert rows(page)[DATABASE][2] == "Operational"
    assert "Later work" in page and "Scheduled" in page

    window = create_maintenance(api, name="Deploy", maintenance_status="maintenance_in_progress", message="Deploying.",
                                affected_component_ids=[WEBSITE, WEB_APP], start=now())
    page = view(api)
    found = rows(page)
    assert found[WEBSITE] == ("Website", "under_maintenance", "Under maintenance")
    assert found[WEB_APP][1:] == ("under_maintenance", "Under maintenance")
    assert found[REST_API][2] == "Operational"
    assert banner(page) == "Maintenance in progress"
    # In progress first, then scheduled.
    assert page.index("Deploy") < page.index("Later work")

    assert maintenance_update(api, window["id"], maintenance_status="maintenance_complete", message="All done.").status_code == 201
    page = view(api)
    assert rows(page)[WEBSITE][2] == "Operational"
    assert banner(page) == "All systems operational"
    history = page[page.index('class="card history"'):]
    assert "Deploy" in history and "All done." in history
    assert scheduled["id"] in page


def test_automated_maintenance_moves_when_the_page_is_read(api):
    create_maintenance(api, name="Automated", automate_maintenance_status=True, affected_component_ids=[DATABASE],
                       start=now() + datetime.timedelta(minutes=5))
    assert rows(view(api))[DATABASE][2] == "Operational"
    api.control("POST", "clock", {"advance_seconds": 600})
    page = view(api)
    assert rows(page)[DATABASE][2] == "Under maintenance"
    assert "This maintenance is now in progress." in page


def test_incident_statuses_worst_wins_and_resolve(api):
    incident = create_incident(api, name="API errors", message="Looking into it.",
                               component_statuses=[{"component_id": REST_API, "component_status": "degraded_performance"}])
    page = view(api)
    assert rows(page)[REST_API][1:] == ("degraded_performance", "Degraded performance")
    assert re.search(f'data-group-id="{GROUP_API}" data-status="degraded_performance"', page)
    assert banner(page) == "Some systems are experiencing degraded performance"

    create_maintenance(api, maintenance_status="maintenance_in_progress", affected_component_ids=[REST_API], start=now())
    assert incident_update(api, incident["id"], incident_status="identified", message="Found it.",
                           component_statuses=[{"component_id": REST_API, "component_status": "partial_outage"}]).status_code == 201
    page = view(api)
    assert rows(page)[REST_API][1:] == ("partial_outage", "Partial outage")
    # Updates newest first, times in UTC.
    assert page.index("Found it.") < page.index("Looking into it.")
    assert re.search(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", page)

    assert incident_update(api, incident["id"], incident_status="resolved", message="Fixed.").status_code == 201
    page = view(api)
    assert rows(page)[REST_API][1:] == ("under_maintenance", "Under maintenance")
    assert "Ongoing incidents" not in page
    assert "Fixed." in page[page.index('class="card history"'):]


def test_full_outage_banner(api):
    create_incident(api, component_statuses=[{"component_id": WEBSITE, "component_status": "full_outage"},
                                             {"component_id": DATABASE, "component_status": "partial_outage"}])
    page = view(api)
    assert rows(page)[WEBSITE][1:] == ("full_outage", "Full outage")
    assert rows(page)[DATABASE][1:] == ("partial_outage", "Partial outage")
    assert '<div class="banner full_outage"' in page


def test_text_is_escaped(api):
    nasty = '<script>alert("x")</script> & <b>bold</b>'
    create_incident(api, name=nasty, message=nasty)
    assert api.put(f"/v2/status_page_components/{WEBSITE}", {"name": "Web<site>", "description": "a & b"}).status_code == 200
    page = view(api)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert rows(page)[WEBSITE][0] == "Web&lt;site&gt;"
    assert "a &amp; b" in page


def test_hidden_components_are_not_shown(api):
    create_incident(api, name="Internal only", component_statuses=[{"component_id": INTERNAL_TOOLS, "component_status": "full_outage"}])
    page = view(api)
    assert INTERNAL_TOOLS not in page and "Internal Tools" not in page
    assert banner(page) == "All systems operational"
    assert "Internal only" in page


def test_history_covers_fourteen_days_and_stays_short(api):
    api.control("POST", "history", {"status_page_id": ACME, "incidents": 600, "maintenances": 0, "days": 28})
    page = view(api)
    days = re.findall(r'<div class="day"><h3>([^<]+)</h3>', page)
    assert len(days) == 14
    today = datetime.datetime.fromisoformat(api.control("GET", "clock")["now"].replace("Z", "+00:00"))
    assert days[0] == today.strftime("%d %b %Y")
    assert page.count('class="past incident"') <= 14 * 10
    assert "more</li>" in page
