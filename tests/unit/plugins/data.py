# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test data shared by the unit tests: one status page with a structure, shaped like the API's answers.

The page has what name resolution must cope with: a component in a group, the same name in two groups ("Webhooks"),
a hidden group and a hidden component, a sub-page with a group of its own, and two other pages with the same name
("Twin"). IDs shaped like the API's are used where a module tells IDs from names by their shape.
"""

from __future__ import annotations

from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import Call, api_error

PAGE_ID = "01HZX0000000000000000PAGE1"
PAGES = {
    "status_pages": [
        {"id": PAGE_ID, "name": "Acme Cloud"},
        {"id": "01HZX0000000000000000PAGE2", "name": "Twin"},
        {"id": "01HZX0000000000000000PAGE3", "name": "Twin"},
    ],
    "pagination_meta": {"page_size": 250},
}
STRUCTURE = {
    "current_structure": {"items": [
        {"component": {"component_id": "C-WEBSITE", "name": "Website", "hidden": False}},
        {"group": {"id": "G-API", "name": "API", "hidden": False, "components": [
            {"component_id": "C-REST", "name": "REST API", "hidden": False},
            {"component_id": "C-HOOKS-API", "name": "Webhooks", "hidden": False},
        ]}},
        {"group": {"id": "G-DASH", "name": "Dashboard", "hidden": True, "components": [
            {"component_id": "C-WEBAPP", "name": "Web App", "hidden": False},
            {"component_id": "C-HOOKS-DASH", "name": "Webhooks", "hidden": False},
        ]}},
        {"component": {"component_id": "C-INTERNAL", "name": "Internal Tools", "hidden": True}},
        {"sub_page": {"id": "S-EU", "name": "EU", "items": [
            {"component": {"component_id": "C-DB", "name": "Database"}},
            {"group": {"id": "G-STORAGE", "name": "Storage", "components": [
                {"component_id": "C-OBJ", "name": "Object Storage"},
            ]}},
        ]}},
    ]},
}
# The two reads that resolve names: the list of pages (one page of 250) and the page's structure.
LIST_PAGES = Call("GET", "/v2/status_pages", query={"page_size": 250}, json_body=PAGES)
READ_STRUCTURE = Call("GET", f"/v2/status_page_structures/{PAGE_ID}", json_body=STRUCTURE)

# ID-shaped component references, which need no structure read.
C1 = "01HZX00000000000000000CMP1"
C2 = "01HZX00000000000000000CMP2"
# The maintenance window most tests act on.
WINDOW_ID = "01HZX0000000000000000MNT01"

UNAVAILABLE = api_error(503, "api_error", "unavailable", "Service unavailable", request_id="req-503")
