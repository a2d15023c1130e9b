# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.

"""The one name resolver: status pages and components by name or ID."""

from __future__ import annotations

import re

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import ResolveError
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import is_api_id, unique_by_id

# The API's IDs are 26-character ULIDs (Crockford base32). A reference shaped like one is used as an ID
# without a lookup, which keeps by-ID runs at the request floor; the API itself rejects an unknown one.
_ULID_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
MAX_LISTED_CANDIDATES = 10


def looks_like_id(reference: str) -> bool:
    return bool(_ULID_RE.fullmatch(reference or ""))


def clean_reference(reference) -> str:
    """A name or ID as typed, without the blank space a list typed as 'a, b' leaves around it."""
    return str(reference).strip()


def list_candidates(names: list) -> str:
    """At most ten names, then how many more there are."""
    shown = ", ".join(repr(name) for name in names[:MAX_LISTED_CANDIDATES])
    if len(names) > MAX_LISTED_CANDIDATES:
        shown += f" and {len(names) - MAX_LISTED_CANDIDATES} more"
    return shown or "none"


def flatten_structure(structure: dict) -> list:
    """Every component of a page structure as {id, name, group, group_id, sub_page, sub_page_id, hidden}."""
    components = []

    def add(component, group=None, sub_page=None, group_hidden=False):
        components.append({
            "id": component["component_id"],
            "name": component.get("name"),
            "group": group.get("name") if group else None,
            "group_id": group.get("id") if group else None,
            "sub_page": sub_page.get("name") if sub_page else None,
            "sub_page_id": sub_page.get("id") if sub_page else None,
            "hidden": bool(component.get("hidden") or group_hidden),
        })

    def walk(items, sub_page=None):
        for item in items or []:
            if item.get("component"):
                add(item["component"], sub_page=sub_page)
            if item.get("group"):
                group = item["group"]
                for component in group.get("components") or []:
                    add(component, group=group, sub_page=sub_page, group_hidden=bool(group.get("hidden")))
            if item.get("sub_page") and sub_page is None:
                walk(item["sub_page"].get("items"), sub_page=item["sub_page"])

    walk(((structure or {}).get("current_structure") or {}).get("items"))
    return components


def qualified_name(component: dict) -> str:
    """The most specific way to write a component's name: Sub-page/Group/Name."""
    return "/".join(part for part in (component.get("sub_page"), component.get("group"), component["name"]) if part)


def _reference_forms(component: dict) -> set:
    forms = {component["name"], qualified_name(component)}
    if component.get("group"):
        forms.add(f"{component['group']}/{component['name']}")
    if component.get("sub_page"):
        forms.add(f"{component['sub_page']}/{component['name']}")
    return forms


class Resolver:
    """Resolves names against one read of the status page list and one read per page structure."""

    def __init__(self, client):
        self.client = client
        self._status_pages = None
        self._structures = {}

    def status_pages(self) -> list:
        if self._status_pages is None:
            self._status_pages = self.client.list_status_pages()
        return self._status_pages

    def status_page(self, reference: str, option: str = "status_page") -> dict:
        """The page with this ID or exact name; an ID-shaped reference is trusted without a read."""
        reference = clean_reference(reference)
        if not reference:
            raise ResolveError(f"{option}: must not be empty")
        if looks_like_id(reference) and self._status_pages is None:
            return {"id": reference}
        pages = self.status_pages()
        by_id = [page for page in pages if page.get("id") == reference]
        by_name = unique_by_id([page for page in pages if page.get("name") == reference])
        found = by_id[:1] or by_name
        if len(found) == 1:
            if not is_api_id(found[0].get("id")):
                raise ResolveError(
                    f"{option}: GET /v2/status_pages lists {reference!r} with the ID {found[0].get('id')!r}, which is "
                    "not an incident.io ID (letters and digits); nothing was sent with it. Check that api_url is the "
                    "incident.io API")
            return found[0]
        if not by_name:
            raise ResolveError(
                f"{option}: no status page named or with ID {reference!r} is visible to this API key; "
                f"status pages: {list_candidates([page.get('name') for page in pages])}"
            )
        raise ResolveError(
            f"{option}: {len(by_name)} status pages are named {reference!r}; use one of their IDs: "
            f"{list_candidates([page.get('id') for page in by_name])}"
        )

    def structure(self, status_page_id: str) -> dict:
        if status_page_id not in self._structures:
            self._structures[status_page_id] = self.client.get_structure(status_page_id)
        return self._structures[status_page_id]

    def components(self, status_page_id: str) -> list:
        return flatten_structure(self.structure(status_page_id))

    def component_names(self, status_page_id: str) -> dict:
        """{component ID: name} for results and diffs, when the page's structure was read; otherwise {}.

        The name is the component's qualified name (Group/Name in a group, Sub-page/Name or Sub-page/Group/Name on
        a sub-page, the bare name otherwise), so that two components called "Webhooks" never look alike. Names
        cost nothing once a name was resolved; a run given only IDs reads no structure to name them.
        """
        if status_page_id not in self._structures:
            return {}
        return {component["id"]: qualified_name(component) for component in self.components(status_page_id)}

    def component(self, status_page_id: str, reference: str, option: str = "components") -> dict:
        return self.resolve_components(status_page_id, [reference], option)[0]

    def resolve_components(self, status_page_id: str, references: list, option: str = "components") -> list:
        """Components by ID, Name, Group/Name, Sub-page/Name or Sub-page/Group/Name, in the order given.

        References that land on the same component (a name and its ID, or a group path and a sub-page path)
        are one component: it is listed once, where it was first named. ID-shaped references need no structure
        read; the structure is read once for all names.
        """
        return unique_by_id([component for _reference, component in self._resolve(status_page_id, references, option)])

    def resolve_component_statuses(self, status_page_id: str, statuses: dict, option: str = "components") -> dict:
        """{component ID: status} from {reference: status}; references that land on one component are one entry.

        The same component asked for with two different statuses is an error naming both references.
        """
        references = list(statuses)
        desired = {}
        named_as = {}
        problems = []
        for reference, component in self._resolve(status_page_id, references, option):
            status = statuses[reference]
            if component["id"] in desired and desired[component["id"]] != status:
                problems.append(
                    f"{named_as[component['id']]!r} and {clean_reference(reference)!r} are the same component, set to "
                    f"{desired[component['id']]!r} and {status!r}; give it once")
                continue
            desired.setdefault(component["id"], status)
            named_as.setdefault(component["id"], clean_reference(reference))
        if problems:
            raise ResolveError(f"{option}: " + "; ".join(problems))
        return desired

    def _resolve(self, status_page_id: str, references: list, option: str) -> list:
        """[(reference, component)] in the order given; fails listing every reference that is unknown or ambiguous."""
        cleaned = [clean_reference(reference) for reference in references]
        if any(not reference for reference in cleaned):
            raise ResolveError(f"{option}: a component name or ID must not be empty")
        if all(looks_like_id(reference) for reference in cleaned) and status_page_id not in self._structures:
            return [(original, {"id": reference, "name": None, "group": None, "sub_page": None})
                    for original, reference in zip(references, cleaned)]
        components = self.components(status_page_id)
        resolved = []
        problems = []
        for original, reference in zip(references, cleaned):
            by_id = [c for c in components if c["id"] == reference]
            matches = unique_by_id(by_id or [c for c in components if reference in _reference_forms(c)])
            if len(matches) == 1:
                resolved.append((original, matches[0]))
            elif not matches and looks_like_id(reference):
                # Not placed on this page's structure; the API decides whether it may be used.
                resolved.append((original, {"id": reference, "name": None, "group": None, "sub_page": None}))
            elif not matches:
                problems.append(
                    f"no component {reference!r} on this status page; components: "
                    f"{list_candidates([qualified_name(c) for c in components])}"
                )
            else:
                described = [f"{qualified_name(c)} ({c['id']})" for c in matches]
                problems.append(
                    f"{reference!r} matches {len(matches)} components, name one as Group/Name or Sub-page/Name "
                    f"or by ID: {list_candidates(described)}"
                )
        if problems:
            raise ResolveError(f"{option}: " + "; ".join(problems))
        return resolved
