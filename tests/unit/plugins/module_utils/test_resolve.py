# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import (
    ResolveError,
    Resolver,
    flatten_structure,
    list_candidates,
    looks_like_id,
)
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import LIST_PAGES, PAGE_ID, READ_STRUCTURE, STRUCTURE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import make_client


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
