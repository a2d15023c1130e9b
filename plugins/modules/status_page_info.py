#!/usr/bin/python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: status_page_info
short_description: Read incident.io status pages, their components, incidents and maintenance windows
version_added: 1.0.0
description:
  - Lists the status pages an incident.io API key can see.
  - With O(status_page), also returns that page's structure and components, and its incidents and maintenance
    windows active in a time range.
  - Incidents and maintenance windows are read with the API's time filters, so the cost depends on the activity
    in the range, not on the page's whole history.
extends_documentation_fragment:
  - incident_io.status_page.api
  - incident_io.status_page.attributes
  - incident_io.status_page.attributes.info_module
  - incident_io.status_page.attributes.actiongroup_status_page
options:
  status_page:
    description:
      - Name or ID of the status page to describe.
      - When not set, only RV(status_pages) is returned.
    type: str
  include:
    description:
      - What to read about O(status_page).
      - Defaults to all three when O(status_page) is set.
      - Requires O(status_page).
    type: list
    elements: str
    choices: [structure, incidents, maintenances]
  since:
    description:
      - Only incidents and maintenance windows active at or after this time are returned.
      - An ISO 8601 time (naive means UTC), V(now), or an offset from now such as V(-30d) or V(-12h).
    type: str
    default: -30d
  until:
    description:
      - Only incidents and maintenance windows active at or before this time are returned.
      - Same formats as O(since). Not set means no upper bound.
    type: str
  name:
    description:
      - Only return incidents and maintenance windows with exactly this title.
    type: str
seealso:
  - module: incident_io.status_page.status_page_incident
  - module: incident_io.status_page.status_page_maintenance
  - name: incident.io status page API
    description: The API this module reads.
    link: https://api-docs.incident.io/tag/Status-Pages-V2
author:
  - incident_io.status_page maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: List every status page the API key can see
  incident_io.status_page.status_page_info:
  register: pages

- name: Read one page's components, incidents and maintenance windows of the last 30 days
  incident_io.status_page.status_page_info:
    status_page: Acme Cloud
  register: acme

- name: Show the components that are hidden from subscribers
  ansible.builtin.debug:
    msg: "{{ acme.components | selectattr('hidden') | map(attribute='name') | list }}"

- name: Read only the structure (two requests)
  incident_io.status_page.status_page_info:
    status_page: Acme Cloud
    include: [structure]

- name: Find this week's maintenance windows called "Database upgrade"
  incident_io.status_page.status_page_info:
    status_page: Acme Cloud
    include: [maintenances]
    name: Database upgrade
    since: -7d
  register: upgrades

- name: Set the credentials once for every module of the collection
  module_defaults:
    group/incident_io.status_page.status_page:
      api_key: "{{ vault_incident_api_key }}"
  block:
    - name: Read incidents of a given day
      incident_io.status_page.status_page_info:
        status_page: Acme Cloud
        include: [incidents]
        since: "2026-05-01T00:00:00Z"
        until: "2026-05-02T00:00:00Z"
"""

RETURN = r"""
status_pages:
  description: Every status page the API key can see.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the status page.
      type: str
      sample: 01FCNDV6P870EA6S7TK1DSYDG0
    name:
      description: Title of the status page.
      type: str
      sample: Acme Cloud
    public_url:
      description: Public address of the page, when the API gives it.
      type: str
      sample: https://status.acme.example
status_page:
  description: The status page named by O(status_page), as listed by the API.
  returned: when O(status_page) is set
  type: dict
  sample: {"id": "01FCNDV6P870EA6S7TK1DSYDG0", "name": "Acme Cloud"}
components:
  description: Every component placed on the page, flattened from the structure.
  returned: when O(status_page) is set and O(include) contains V(structure)
  type: list
  elements: dict
  contains:
    id:
      description: Component ID, as used in O(incident_io.status_page.status_page_incident#module:components).
      type: str
    name:
      description: Component name.
      type: str
    group:
      description: Name of the group the component is in, or V(null).
      type: str
    sub_page:
      description: Name of the sub-page the component is on, or V(null).
      type: str
    hidden:
      description: Whether the component (or its group) is hidden from subscribers.
      type: bool
structure:
  description: The page structure exactly as the API returns it (C(current_structure) and its siblings).
  returned: when O(status_page) is set and O(include) contains V(structure)
  type: dict
incidents:
  description:
    - Incidents active in the time range (and named O(name), when set), as the API returns them.
    - Order is not significant.
  returned: when O(status_page) is set and O(include) contains V(incidents)
  type: list
  elements: dict
  sample:
    - id: 01JB5A7Z3KJ4W5M6N7P8Q9R0ST
      name: Elevated API errors
      incident_status: monitoring
      published_at: "2026-05-01T10:00:00Z"
      updates: []
      component_impacts: []
maintenances:
  description:
    - Maintenance windows active in the time range (and named O(name), when set), as the API returns them,
      plus top-level C(start_at) and C(end_at) taken from their component maintenance periods.
    - Order is not significant.
  returned: when O(status_page) is set and O(include) contains V(maintenances)
  type: list
  elements: dict
  sample:
    - id: 01JB5A7Z3KJ4W5M6N7P8Q9R0SV
      name: Database upgrade
      maintenance_status: maintenance_complete
      start_at: "2026-05-01T02:00:00Z"
      end_at: "2026-05-01T04:00:00Z"
"""

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import StatusPageError
from ansible_collections.incident_io.status_page.plugins.module_utils._client import connection_argument_spec
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import run_module
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import with_window
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import Resolver, flatten_structure
from ansible_collections.incident_io.status_page.plugins.module_utils._time import format_time, parse_time

ALL_INCLUDES = ["structure", "incidents", "maintenances"]


def parse_range(params: dict) -> tuple:
    """(since, until) as API timestamps; fails before any request on bad input."""
    since = parse_time(params["since"], option="since")
    until = parse_time(params["until"], option="until") if params["until"] is not None else None
    if until is not None and until < since:
        raise StatusPageError(f"until ({format_time(until)}) is before since ({format_time(since)})")
    return format_time(since), format_time(until) if until is not None else None


def read_status_pages(module, client) -> dict:
    params = module.params
    include = params["include"]
    if params["status_page"] is None:
        if include or params["name"] is not None:
            raise StatusPageError("include and name need status_page: they describe one page")
    elif include is None:
        include = ALL_INCLUDES
    since, until = parse_range(params)

    # Blank space around a name is never meant (a value read from a file keeps its newline).
    name = params["name"].strip() if params["name"] is not None else None

    resolver = Resolver(client)
    result = {"changed": False, "status_pages": resolver.status_pages()}
    if params["status_page"] is None:
        return result
    page = resolver.status_page(params["status_page"])
    result["status_page"] = page
    if "structure" in include:
        structure = resolver.structure(page["id"])
        result["structure"] = structure
        result["components"] = [
            {key: component[key] for key in ("id", "name", "group", "sub_page", "hidden")}
            for component in flatten_structure(structure)
        ]
    if "incidents" in include:
        incidents = client.list_incidents(page["id"], start_at=since, end_at=until)
        result["incidents"] = [i for i in incidents if name is None or i.get("name") == name]
    if "maintenances" in include:
        maintenances = client.list_maintenances(page["id"], start_at=since, end_at=until)
        result["maintenances"] = [
            with_window(m) for m in maintenances if name is None or m.get("name") == name
        ]
    return result


MODULE_ARGS = dict(
    argument_spec=connection_argument_spec(
        status_page={"type": "str"},
        include={"type": "list", "elements": "str", "choices": ALL_INCLUDES},
        since={"type": "str", "default": "-30d"},
        until={"type": "str"},
        name={"type": "str"},
    ),
    supports_check_mode=True,
)


def main():
    run_module(MODULE_ARGS, read_status_pages)


if __name__ == "__main__":
    main()
