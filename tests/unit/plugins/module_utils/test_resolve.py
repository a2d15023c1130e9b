# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import ResolveError
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import (
    Resolver,
    flatten_structure,
    list_candidates,
    looks_like_id,
)
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import LIST_PAGES, PAGE_ID, READ_STRUCTURE, STRUCTURE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import Call, make_client


def test_flatten_structure():
    flat = {c["id"]: c for c in flatten_structure(STRUCTURE)}
    assert list(flat) == ["C-WEBSITE", "C-REST", "C-HOOKS-API", "C-WEBAPP", "C-HOOKS-DASH", "C-INTERNAL", "C-DB", "C-OBJ"]
    assert flat["C-REST"]["group"] == "API" and flat["C-REST"]["sub_page"] is None
    assert flat["C-OBJ"] == {"id": "C-OBJ", "name": "Object Storage", "group": "Storage", "group_id": "G-STORAGE",
                             "sub_page": "EU", "sub_page_id": "S-EU", "hidden": False}
    assert flat["C-INTERNAL"]["hidden"] and flat["C-WEBAPP"]["hidden"], "hidden groups hide their components"
    assert flatten_structure({}) == []


@pytest.mark.parametrize("reference", ["Acme Cloud", PAGE_ID])
def test_status_page_by_name_or_id_one_read(reference):
    client, session, dummy_sleeps = make_client([LIST_PAGES])
    resolver = Resolver(client)
    resolver.status_pages()
    assert resolver.status_page(reference)["name"] == "Acme Cloud"
    assert resolver.status_page(reference)["id"] == PAGE_ID
    session.assert_all_used()


def test_id_shaped_page_needs_no_read():
    client, session, dummy_sleeps = make_client([])
    assert Resolver(client).status_page(PAGE_ID) == {"id": PAGE_ID}
    assert session.sent == []


def test_unknown_page_lists_candidates():
    client, dummy_session, dummy_sleeps = make_client([LIST_PAGES])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).status_page("Nope")
    assert str(caught.value).startswith("status_page: no status page named or with ID 'Nope'")
    assert "'Acme Cloud', 'Twin', 'Twin'" in str(caught.value)


def test_ambiguous_page_lists_ids():
    client, dummy_session, dummy_sleeps = make_client([LIST_PAGES])
    with pytest.raises(ResolveError, match="2 status pages are named 'Twin'; use one of their IDs: '01HZX0000000000000000PAGE2', '01HZX0000000000000000PAGE3'"):
        Resolver(client).status_page("Twin")


@pytest.mark.parametrize("reference, expected_id", [
    ("Website", "C-WEBSITE"),
    ("REST API", "C-REST"),
    ("API/Webhooks", "C-HOOKS-API"),
    ("Dashboard/Webhooks", "C-HOOKS-DASH"),
    ("EU/Database", "C-DB"),
    ("Database", "C-DB"),
    ("EU/Object Storage", "C-OBJ"),
    ("Storage/Object Storage", "C-OBJ"),
    ("EU/Storage/Object Storage", "C-OBJ"),
    ("C-WEBAPP", "C-WEBAPP"),
])
def test_component_forms(reference, expected_id):
    client, session, dummy_sleeps = make_client([READ_STRUCTURE])
    assert Resolver(client).component(PAGE_ID, reference)["id"] == expected_id
    session.assert_all_used()


def test_components_share_one_structure_read():
    client, session, dummy_sleeps = make_client([READ_STRUCTURE])
    resolver = Resolver(client)
    found = resolver.resolve_components(PAGE_ID, ["Website", "API/Webhooks", "Database"])
    assert [c["id"] for c in found] == ["C-WEBSITE", "C-HOOKS-API", "C-DB"]
    assert resolver.resolve_components(PAGE_ID, ["Web App"])[0]["id"] == "C-WEBAPP"
    session.assert_all_used()


def test_id_shaped_components_need_no_read():
    client, session, dummy_sleeps = make_client([])
    ids = ["01HZX00000000000000000CMP1", "01HZX00000000000000000CMP2"]
    assert [c["id"] for c in Resolver(client).resolve_components(PAGE_ID, ids)] == ids
    assert session.sent == []


def test_ambiguous_component_lists_the_matches():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).resolve_components(PAGE_ID, ["Webhooks"])
    text = str(caught.value)
    assert text.startswith("components: 'Webhooks' matches 2 components")
    assert "'API/Webhooks (C-HOOKS-API)', 'Dashboard/Webhooks (C-HOOKS-DASH)'" in text


def test_unknown_components_are_all_reported_with_candidates():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).resolve_components(PAGE_ID, ["Website", "Mainframe", "Fax"], option="components")
    text = str(caught.value)
    assert "no component 'Mainframe'" in text and "no component 'Fax'" in text
    assert "'EU/Storage/Object Storage'" in text


def test_candidates_are_capped_at_ten():
    assert list_candidates([f"c{i}" for i in range(13)]).endswith("'c9' and 3 more")
    assert list_candidates([]) == "none"


def test_looks_like_id():
    assert looks_like_id("01FCNDV6P870EA6S7TK1DSYDG0")
    assert not looks_like_id("Acme Cloud") and not looks_like_id("01FCNDV6P870EA6S7TK1DSYDGU") and not looks_like_id("")


# One component placed twice: in the API group, and again on the EU sub-page (components are organisation-wide).
TWICE_PLACED = {"current_structure": {"items": [
    {"group": {"id": "G-API", "name": "API", "components": [{"component_id": "C-REST", "name": "REST API"}]}},
    {"sub_page": {"id": "S-EU", "name": "EU", "items": [{"component": {"component_id": "C-REST", "name": "REST API"}}]}},
]}}


@pytest.mark.parametrize("references", [
    [" Dashboard/Web App"], ["Dashboard/Web App\n"], ["  C-WEBAPP "], ["Web App", " Dashboard/Web App "],
])
def test_blank_space_around_a_reference_is_not_part_of_it(references):
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    assert [c["id"] for c in Resolver(client).resolve_components(PAGE_ID, references)] == ["C-WEBAPP"]


def test_a_page_name_with_blank_space_around_it():
    client, dummy_session, dummy_sleeps = make_client([LIST_PAGES])
    assert Resolver(client).status_page("  Acme Cloud\n")["id"] == PAGE_ID
    assert Resolver(make_client([])[0]).status_page(f" {PAGE_ID} ") == {"id": PAGE_ID}


@pytest.mark.parametrize("references", [
    ["API/REST API", "C-REST"],
    ["REST API", "API/REST API", "C-REST"],
])
def test_references_that_land_on_one_component_are_one_component(references):
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    found = Resolver(client).resolve_components(PAGE_ID, ["Website"] + references)
    assert [c["id"] for c in found] == ["C-WEBSITE", "C-REST"]


@pytest.mark.parametrize("reference", ["REST API", "API/REST API", "EU/REST API"])
def test_a_component_placed_twice_is_not_ambiguous(reference):
    structure = Call("GET", f"/v2/status_page_structures/{PAGE_ID}", json_body=TWICE_PLACED)
    client, dummy_session, dummy_sleeps = make_client([structure])
    resolver = Resolver(client)
    assert [c["id"] for c in resolver.resolve_components(PAGE_ID, [reference, "API/REST API", "EU/REST API"])] == [
        "C-REST"]


def test_statuses_of_one_component_given_twice():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    resolver = Resolver(client)
    assert resolver.resolve_component_statuses(PAGE_ID, {"API/REST API": "full_outage", "C-REST": "full_outage",
                                                         "Website": "partial_outage"}) == {
        "C-REST": "full_outage", "C-WEBSITE": "partial_outage"}
    with pytest.raises(ResolveError) as caught:
        resolver.resolve_component_statuses(PAGE_ID, {"API/REST API": "full_outage", " C-REST": "partial_outage"})
    assert str(caught.value) == ("components: 'API/REST API' and 'C-REST' are the same component, set to "
                                 "'full_outage' and 'partial_outage'; give it once")


@pytest.mark.parametrize("reference, message", [
    ("  ", "status_page: must not be empty"),
])
def test_an_empty_page_reference(reference, message):
    client, session, dummy_sleeps = make_client([])
    with pytest.raises(ResolveError, match=f"^{message}$"):
        Resolver(client).status_page(reference)
    assert session.sent == []


def test_an_empty_component_reference():
    client, session, dummy_sleeps = make_client([])
    with pytest.raises(ResolveError, match="^components: a component name or ID must not be empty$"):
        Resolver(client).resolve_components(PAGE_ID, ["Website", " "])
    assert session.sent == []


def test_a_page_whose_id_is_not_an_api_id_is_never_used():
    pages = {"status_pages": [{"id": "P1/../x", "name": "Odd"}], "pagination_meta": {"page_size": 250}}
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=pages)])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).status_page("Odd")
    assert str(caught.value).startswith("status_page: GET /v2/status_pages lists 'Odd' with the ID 'P1/../x', which is "
                                        "not an incident.io ID")
    assert len(session.sent) == 1


def test_the_same_page_listed_twice_is_one_page():
    pages = {"status_pages": [{"id": "P1", "name": "Acme"}, {"id": "P1", "name": "Acme"}]}
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=pages)])
    assert Resolver(client).status_page("Acme")["id"] == "P1"


def test_ten_candidates_are_listed_without_a_count():
    names = [f"c{i}" for i in range(10)]
    assert list_candidates(names) == ", ".join(repr(name) for name in names)


def test_what_flattening_says_of_each_component():
    flat = flatten_structure(STRUCTURE)
    assert flat[0] == {"id": "C-WEBSITE", "name": "Website", "group": None, "group_id": None, "sub_page": None,
                       "sub_page_id": None, "hidden": False}
    assert flat[3] == {"id": "C-WEBAPP", "name": "Web App", "group": "Dashboard", "group_id": "G-DASH",
                       "sub_page": None, "sub_page_id": None, "hidden": True}
    assert flat[6]["hidden"] is False and flat[5]["hidden"] is True


def test_a_page_listed_twice_is_found_by_its_id():
    pages = {"status_pages": [{"id": "P1", "name": "Acme"}, {"id": "P1", "name": "Acme"}]}
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=pages)])
    resolver = Resolver(client)
    resolver.status_pages()
    assert resolver.status_page("P1") == {"id": "P1", "name": "Acme"}


def test_a_page_whose_id_is_not_an_api_id_names_what_to_check():
    pages = {"status_pages": [{"id": "P 1", "name": "Odd"}]}
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=pages)])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).status_page("Odd", option="page")
    assert str(caught.value) == ("page: GET /v2/status_pages lists 'Odd' with the ID 'P 1', which is not an incident.io "
                                 "ID (letters and digits); nothing was sent with it. Check that api_url is the "
                                 "incident.io API")


def test_one_component_names_the_option_it_came_from():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError, match="^component: no component 'Nope' on this status page"):
        Resolver(client).component(PAGE_ID, "Nope", option="component")
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError, match="^components: no component 'Nope' on this status page"):
        Resolver(client).component(PAGE_ID, "Nope")


def test_every_component_asked_for_with_two_statuses_is_named():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).resolve_component_statuses(PAGE_ID, {
            "API/REST API": "full_outage", "C-REST": "partial_outage",
            "Website": "full_outage", "C-WEBSITE": "degraded_performance"})
    assert str(caught.value) == (
        "components: 'API/REST API' and 'C-REST' are the same component, set to 'full_outage' and 'partial_outage'; "
        "give it once; 'Website' and 'C-WEBSITE' are the same component, set to 'full_outage' and "
        "'degraded_performance'; give it once")


def test_components_given_by_id_alone_are_not_looked_up():
    ids = ["01HZX00000000000000000CMP1", " 01HZX00000000000000000CMP2"]
    client, session, dummy_sleeps = make_client([])
    assert Resolver(client).resolve_components(PAGE_ID, ids) == [
        {"id": "01HZX00000000000000000CMP1", "name": None, "group": None, "sub_page": None},
        {"id": "01HZX00000000000000000CMP2", "name": None, "group": None, "sub_page": None}]


def test_an_id_not_placed_on_the_page_is_left_to_the_api():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    found = Resolver(client).resolve_components(PAGE_ID, ["Website", "01HZX00000000000000000CMP9"])
    assert found[1] == {"id": "01HZX00000000000000000CMP9", "name": None, "group": None, "sub_page": None}
    assert found[0]["name"] == "Website"


def test_unknown_and_ambiguous_references_are_reported_together():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    with pytest.raises(ResolveError) as caught:
        Resolver(client).resolve_components(PAGE_ID, ["Webhooks", "Fax"])
    assert str(caught.value) == (
        "components: 'Webhooks' matches 2 components, name one as Group/Name or Sub-page/Name or by ID: "
        "'API/Webhooks (C-HOOKS-API)', 'Dashboard/Webhooks (C-HOOKS-DASH)'; no component 'Fax' on this status page; "
        "components: 'Website', 'API/REST API', 'API/Webhooks', 'Dashboard/Web App', 'Dashboard/Webhooks', "
        "'Internal Tools', 'EU/Database', 'EU/Storage/Object Storage'")


def test_component_names_are_qualified_once_the_structure_was_read():
    client, dummy_session, dummy_sleeps = make_client([READ_STRUCTURE])
    resolver = Resolver(client)
    assert resolver.component_names(PAGE_ID) == {}
    resolver.resolve_components(PAGE_ID, ["Website"])
    names = resolver.component_names(PAGE_ID)
    # A bare name at the top level, Group/Name in a group, the sub-page first on a sub-page.
    assert names["C-WEBSITE"] == "Website" and names["C-REST"] == "API/REST API"
    assert names["C-HOOKS-API"] == "API/Webhooks" and names["C-HOOKS-DASH"] == "Dashboard/Webhooks"
    assert names["C-DB"] == "EU/Database" and names["C-OBJ"] == "EU/Storage/Object Storage"


def test_components_given_by_id_read_no_structure_and_are_not_named():
    client, session, dummy_sleeps = make_client([])
    resolver = Resolver(client)
    assert [c["id"] for c in resolver.resolve_components(PAGE_ID, ["01HZX00000000000000000CMP1"])] == [
        "01HZX00000000000000000CMP1"]
    assert resolver.component_names(PAGE_ID) == {} and session.sent == []
