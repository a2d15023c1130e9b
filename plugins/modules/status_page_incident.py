#!/usr/bin/python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: status_page_incident
short_description: Publish, update, resolve and rename incidents on an incident.io status page
version_added: 1.0.0
description:
  - Opens an incident on a public or customer incident.io status page, moves it through C(investigating),
    C(identified) and C(monitoring), changes the status of its components, resolves it, and renames it.
  - The task states what the incident should look like now. The module compares that with the incident's latest
    update and publishes one update only when the status, a listed component's status or the message differs,
    so re-running a task never posts a duplicate update.
  - Without O(id), the incident is found by its exact O(name) among the page's incidents active within
    O(lookback). An unresolved incident with that name is the one the task drives; when every incident with that
    name is resolved, a status other than V(resolved) opens a new one.
  - Every incident is created with an idempotency key, so retries, re-runs and concurrent runs of the same task
    open one incident.
extends_documentation_fragment:
  - incident_io.status_page.api
  - incident_io.status_page.attributes
  - incident_io.status_page.attributes.actiongroup_status_page
attributes:
  check_mode:
    support: full
    details:
      - Reads the page and the incident, and returns the incident the run would produce without sending any write.
  diff_mode:
    support: full
    details:
      - Shows the name, status, component statuses and latest message before and after.
  idempotent:
    support: full
    details:
      - A run whose status, components and message already match the incident's latest update writes nothing.
options:
  status_page:
    description:
      - Name or ID of the status page the incident is on.
      - Required unless O(id) is given. With O(id), the incident must be on this page.
    type: str
  id:
    description:
      - ID of an existing status page incident to drive to the requested state, whatever its current state
        (a resolved incident is reopened when O(incident_status) is not V(resolved)).
      - When given, no lookup by name happens, and a different O(name) renames the incident.
      - An incident.io ID is letters and digits; anything else fails before any request is sent. Blank space around
        it is ignored.
    type: str
  name:
    description:
      - Title of the incident, at most 200 characters. Blank space around it is ignored.
      - Required unless O(id) is given. Without O(id) it identifies the incident; with O(id) a different value
        renames the incident (the rename notifies nobody and adds no update).
    type: str
  incident_status:
    description:
      - Status the incident should have after the run.
      - When not set, a new incident opens as V(investigating) and an existing one keeps its status, so that a
        task that only renames, or only changes components or the message, does not move the incident back to
        V(investigating).
      - V(resolved) ends the incident and sets every component back to operational.
      - Resolving an incident that is already resolved, or one that does not exist, changes nothing (a resolved
        incident gets no further update, whatever O(msg) says).
    type: str
    choices: [investigating, identified, monitoring, resolved]
  msg:
    description:
      - Markdown text of the update this run publishes, at most 4096 characters.
      - Required whenever the run must publish, that is when it opens an incident or when O(incident_status) or a
        status in O(components) differs from the incident's current one.
      - When only the message differs from the latest update, an update carrying the new message is published.
        When not set and nothing else differs, nothing is published.
    type: str
  components:
    description:
      - Status each listed component should have, as a mapping of component to status.
      - A component is given by its ID, its name, C(Group/Name), C(Sub-page/Name) or C(Sub-page/Group/Name).
        A name that matches several components fails and lists them. Names that land on one component (a name and its ID, say) count as
        one component, and fail if they ask for two statuses. Blank space around each name is ignored.
      - Statuses are V(operational), V(degraded_performance), V(partial_outage) and V(full_outage).
      - Components not listed keep their current status.
      - Must not be set with O(incident_status=resolved); resolving sets every component to operational.
    type: dict
  notify_subscribers:
    description:
      - Whether the update this run publishes notifies the page's subscribers.
      - The API ignores this on pages with more than 1000 subscribers.
    type: bool
    default: false
  idempotency_key:
    description:
      - Key sent when the incident is created, for example the ID of the CI job or AWX workflow that opened it.
      - When not set, a key is derived from the page, the name and the resolved incidents with that name, so
        that every occurrence of a named incident gets its own key.
      - A given key names exactly one incident. Once that incident is resolved, running again with the same key and
        a status other than V(resolved) writes nothing and warns, so a retried job never reopens a finished
        incident.
      - Not used with O(id).
    type: str
  lookback:
    description:
      - How far back incidents are considered when looking one up by O(name), as a duration such as V(24h), V(90m)
        or V(7d).
      - Unresolved incidents are always found. A resolved incident whose activity ended longer ago than this is
        not seen, so it can neither be reused nor reported as resolved.
      - Not used with O(id).
    type: str
    default: 24h
notes:
  - The current status of each component is read from the incident's C(component_impacts), the API's documented
    timeline of component impacts (a component with an ongoing impact has that impact's status; one whose impacts
    have all ended is operational). A component the timeline never mentions takes its status from the updates'
    C(component_statuses), applied oldest first, which gives the same answer whether the API lists every affected
    component in each update or only the changed ones.
  - An update carries the message and only what changes, that is O(incident_status) when it differs and the listed
    components whose status differs.
  - The API allows 100 updates per incident; the module refuses to send the 101st.
  - Parallel runs on one host (forks of one play, parallel jobs on one controller or execution node) that manage
    the same incident take turns through a lock file in a directory of the temporary directory that only the user can
    enter, so each update is posted once. A run waits at most O(timeout) seconds for another one, then fails naming
    the incident and the lock file; each run removes its lock file when it is done. Runs
    on different hosts share no lock; opening an incident is still safe there (its create carries the requested state
    and an idempotency key), but two of them updating the same incident at the same moment can both post the update,
    because the API offers no idempotency key for updates. Use C(run_once) or a single job for such steps.
  - When every retry of a write fails without an answer that tells whether it took effect, the module fails with a
    message that says what may or may not have been published and how to check; re-running the task is safe.
  - Renaming (with O(id)) uses the API's PUT, which notifies nobody and publishes no update.
  - Messages are compared with the latest update after trimming surrounding whitespace, so a YAML block scalar's
    trailing newline does not cause an update on every run.
  - Writing needs an API key with the permission
    C(Create status page incidents, status page maintenance windows, and publish status page updates).
seealso:
  - module: incident_io.status_page.status_page_info
  - module: incident_io.status_page.status_page_maintenance
  - name: incident.io status page API
    description: The API this module drives.
    link: https://api-docs.incident.io/tag/Status-Pages-V2
author:
  - incident_io.status_page maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Set the credentials once for every module of the collection
  module_defaults:
    group/incident_io.status_page.status_page:
      api_key: "{{ vault_incident_api_key }}"
  block:
    - name: Open an incident with two components degraded
      incident_io.status_page.status_page_incident:
        status_page: Acme Cloud
        name: Elevated API error rates
        incident_status: investigating
        msg: We are investigating elevated error rates on the API and webhooks.
        components:
          API/REST API: degraded_performance
          API/Webhooks: degraded_performance
        notify_subscribers: true
      register: outage

    - name: Move to monitoring once the fix is out
      incident_io.status_page.status_page_incident:
        status_page: Acme Cloud
        name: Elevated API error rates
        incident_status: monitoring
        msg: A fix has been deployed and we are monitoring the results.
        components:
          API/REST API: operational
          API/Webhooks: operational

    - name: Resolve the incident
      incident_io.status_page.status_page_incident:
        status_page: Acme Cloud
        name: Elevated API error rates
        incident_status: resolved
        msg: Error rates are back to normal. We apologise for the disruption.
        notify_subscribers: true

    - name: Rename the incident once its cause is known
      incident_io.status_page.status_page_incident:
        id: "{{ outage.id }}"
        name: API errors caused by an expired certificate

    - name: See what a task would publish, without publishing it
      incident_io.status_page.status_page_incident:
        status_page: Acme Cloud
        name: Elevated API error rates
        incident_status: identified
        msg: We have identified the cause.
      check_mode: true
      diff: true
      register: preview

# Resolve ad hoc from the command line, with only the key in the environment:
#   export INCIDENT_API_KEY=inc_...
#   ansible localhost -m incident_io.status_page.status_page_incident \
#     -a 'status_page="Acme Cloud" name="Elevated API error rates" incident_status=resolved msg="Resolved."'

- name: Deploy, and tell customers when the deploy fails
  module_defaults:
    group/incident_io.status_page.status_page:
      api_key: "{{ vault_incident_api_key }}"
  block:
    - name: Deploy the release
      ansible.builtin.command: /usr/local/bin/deploy --release "{{ release }}"
      changed_when: true
  rescue:
    - name: Open an incident for the failed deploy
      incident_io.status_page.status_page_incident:
        status_page: Acme Cloud
        name: "Degraded service after release {{ release }}"
        msg: A release did not complete. We are rolling it back.
        components:
          Website: partial_outage
        # One incident per pipeline run, even if the job is retried.
        idempotency_key: "deploy-{{ tower_job_id | default(release) }}"
    - name: Fail the play after telling customers
      ansible.builtin.fail:
        msg: Deploy of {{ release }} failed; status page incident opened.
"""

RETURN = r"""
incident:
  description:
    - The incident after the run, as the API returns it, plus C(components) (predicted in check mode, where a new
      incident has no C(id)).
    - Absent when O(incident_status=resolved) found no incident to resolve.
  returned: when an incident was found or created
  type: dict
  contains:
    id:
      description: ID of the incident.
      type: str
      sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0ST
    status_page_id:
      description: ID of the status page.
      type: str
    name:
      description: Title of the incident.
      type: str
      sample: Elevated API error rates
    incident_status:
      description: Current status.
      type: str
      sample: monitoring
    published_at:
      description: When the incident was first published.
      type: str
      sample: "2026-05-01T10:00:00.000000Z"
    updates:
      description: The incident's updates, each with C(id), C(message), C(incident_status), C(published_at) and
        C(component_statuses).
      type: list
      elements: dict
    component_impacts:
      description: Timeline of non-operational periods per component; C(end_at) is absent while ongoing.
      type: list
      elements: dict
    components:
      description:
        - Every component the incident affects with its current status.
        - C(name) is the component's C(Group/Name) when the run read the page structure (that is, when a component
          was given by name), otherwise V(null).
      type: list
      elements: dict
      sample: [{"id": "01JACMECMP0000000000000002", "name": "API/REST API", "status": "degraded_performance"}]
id:
  description: ID of the incident (V(null) for an incident that check mode predicts would be created).
  returned: when an incident was found or created
  type: str
  sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0ST
action:
  description:
    - What the run did (or would do, in check mode).
    - V(created) opened an incident, V(updated) published an update, V(resolved) published the resolving update,
      V(renamed) only renamed the incident, V(none) wrote nothing.
    - A run that renames and publishes reports the update's action.
  returned: always
  type: str
  sample: updated
idempotency_key:
  description:
    - The key used, or that would be used, to create the incident.
    - V(null) with O(id) when no O(idempotency_key) was given.
  returned: always
  type: str
  sample: ansible-3f5c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39
diff:
  description: The name, status, component statuses and latest message before and after (C(before) is empty for a
    created incident).
  returned: when diff mode is on
  type: dict
  sample:
    before: {"name": "Elevated API error rates", "incident_status": "investigating",
             "components": {"API/REST API": "degraded_performance"}, "message": "We are investigating."}
    after: {"name": "Elevated API error rates", "incident_status": "monitoring",
            "components": {"API/REST API": "operational"}, "message": "A fix has been deployed."}
"""

import copy

from ansible_collections.incident_io.status_page.plugins.module_utils._client import (
    InputError,
    NotFoundError,
    StatusPageError,
    check_id_option,
    connection_argument_spec,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import run_module
from ansible_collections.incident_io.status_page.plugins.module_utils._lock import host_lock
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    latest_update,
    occurrence_key,
    unique_by_id,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import (
    Resolver,
    clean_reference,
    looks_like_id,
    qualified_name,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    format_time,
    parse_duration,
    parse_time,
    utcnow,
)

INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"]
COMPONENT_STATUSES = ["operational", "degraded_performance", "partial_outage", "full_outage"]
MAINTENANCE_COMPONENT_STATUSES = ["under_maintenance"]
RESOLVED = "resolved"
DEFAULT_STATUS = "investigating"
OPERATIONAL = "operational"
MAX_NAME_LENGTH = 200
MAX_MESSAGE_LENGTH = 4096
MAX_UPDATES = 100
# A derived key can belong to an occurrence that has left the lookback; each replayed resolved incident
# moves the key on. More than a handful in a row means something else is wrong.
MAX_CREATE_ATTEMPTS = 5


def clean_params(params: dict) -> dict:
    """The options without the blank space around IDs, names and page references, which is never meant."""
    cleaned = dict(params)
    for option in ("status_page", "name"):
        if cleaned[option] is not None:
            cleaned[option] = cleaned[option].strip()
    cleaned["id"] = check_id_option(params["id"], "id")
    return cleaned


def validate_input(params: dict) -> list:
    """Check every option before any request; returns the components as [(reference, status)]."""
    params = clean_params(params)
    for option in ("status_page", "name"):
        if params[option] is not None and not params[option]:
            raise InputError(f"{option}: must not be empty")
    if params["id"] is None:
        for option in ("status_page", "name"):
            if params[option] is None:
                raise InputError(f"{option}: required unless id is given")
    if params["name"] is not None:
        if len(params["name"]) > MAX_NAME_LENGTH:
            raise StatusPageError(
                f"name: is {len(params['name'])} characters long; the API allows at most {MAX_NAME_LENGTH}")
    if params["msg"] is not None:
        if not params["msg"].strip():
            raise StatusPageError("msg: must not be empty")
        if len(params["msg"]) > MAX_MESSAGE_LENGTH:
            raise StatusPageError(
                f"msg: is {len(params['msg'])} characters long; the API allows at most {MAX_MESSAGE_LENGTH}")
    parse_duration(params["lookback"], option="lookback")
    components = []
    problems = []
    for reference, status in (params["components"] or {}).items():
        if status in MAINTENANCE_COMPONENT_STATUSES:
            problems.append(f"{reference!r} is set to {status!r}, a maintenance status; incidents use "
                            f"{', '.join(COMPONENT_STATUSES)} (use status_page_maintenance for maintenance)")
        elif status not in COMPONENT_STATUSES:
            problems.append(f"{reference!r} is set to {status!r}, which is not a component status; use one of "
                            f"{', '.join(COMPONENT_STATUSES)}")
        elif not clean_reference(reference):
            problems.append("a component name or ID must not be empty")
        else:
            components.append((str(reference), status))
    if problems:
        raise StatusPageError("components: " + "; ".join(problems))
    if components and params["incident_status"] == RESOLVED:
        raise StatusPageError(
            "components: must not be set with incident_status resolved; resolving sets every component to operational")
    return components


def _normalize_message(message) -> str:
    return (message or "").replace("\r\n", "\n").strip()


def component_statuses(incident: dict) -> dict:
    """The current status of every component the incident has touched, by component ID.

    component_impacts is the API's timeline of non-operational periods, whose ongoing entries have no end_at,
    so it says what each component's status is now, however the updates list their component_statuses. Whether
    an update lists every affected component or only the changed ones is undocumented: replaying the updates
    oldest first is right under both readings, and it covers components the timeline never mentions.
    """
    statuses = {}
    updates = sorted(enumerate(incident.get("updates") or []),
                     key=lambda pair: (parse_time(pair[1].get("published_at") or "1970-01-01"), pair[0]))
    for _index, update in updates:
        if update.get("incident_status") == RESOLVED:
            statuses = dict.fromkeys(statuses, OPERATIONAL)
        for entry in update.get("component_statuses") or []:
            statuses[entry["component_id"]] = entry["component_status"]
    ongoing = {}
    for impact in incident.get("component_impacts") or []:
        component_id = impact["component_id"]
        statuses.setdefault(component_id, OPERATIONAL)
        if not impact.get("end_at"):
            started = parse_time(impact.get("start_at") or "1970-01-01")
            if component_id not in ongoing or started >= ongoing[component_id][0]:
                ongoing[component_id] = (started, impact["component_status"])
    impacted = {impact["component_id"] for impact in incident.get("component_impacts") or []}
    for component_id in impacted:
        statuses[component_id] = ongoing[component_id][1] if component_id in ongoing else OPERATIONAL
    if incident.get("incident_status") == RESOLVED:
        # The API sets every component to operational on resolve.
        statuses = dict.fromkeys(statuses, OPERATIONAL)
    return statuses


def plan_update(incident: dict, desired_status: str, desired_components: dict, message) -> dict | None:
    """The update body that brings the incident to the desired state, or None when nothing differs.

    The body carries the message, plus incident_status and component_statuses only where they change. Its
    ``needs_message`` entry says whether the status or a component differs, which is when a message is required.
    """
    current_status = incident.get("incident_status")
    current_components = component_statuses(incident)
    if desired_status is None:
        desired_status = current_status
        if current_status == RESOLVED and any(
                current_components.get(cid, OPERATIONAL) != status for cid, status in desired_components.items()):
            raise StatusPageError(
                f"components: incident {incident.get('id')} is resolved, so every component is operational; set "
                "incident_status to reopen it with other component statuses")
    if current_status == RESOLVED and desired_status == RESOLVED:
        return None
    status_changes = current_status != desired_status
    component_changes = []
    if desired_status != RESOLVED:
        component_changes = [
            {"component_id": component_id, "component_status": status}
            for component_id, status in desired_components.items()
            if current_components.get(component_id, OPERATIONAL) != status
        ]
    latest = latest_update(incident)
    message_changes = message is not None and (
        latest is None or _normalize_message(latest.get("message")) != _normalize_message(message))
    if not (status_changes or component_changes or message_changes):
        return None
    body = {"status_page_incident_id": incident.get("id"), "message": message}
    if status_changes:
        body["incident_status"] = desired_status
    if component_changes:
        body["component_statuses"] = component_changes
    return body


def apply_update(incident: dict, body: dict, update: dict | None, now: str) -> dict:
    """The incident as it is after ``body`` was published (``update`` is the API's answer, if any)."""
    result = copy.deepcopy(incident)
    status = body.get("incident_status") or result.get("incident_status")
    published_at = (update or {}).get("published_at") or now
    if update is None:
        update = {
            "id": None, "status_page_incident_id": result.get("id"), "published_at": published_at,
            "message": body["message"], "incident_status": status,
            "component_statuses": list(body.get("component_statuses") or []),
        }
    result["updates"] = list(result.get("updates") or []) + [update]
    result["incident_status"] = status
    impacts = [dict(impact) for impact in result.get("component_impacts") or []]
    if status == RESOLVED:
        changes = {impact["component_id"]: OPERATIONAL for impact in impacts}
    else:
        changes = {entry["component_id"]: entry["component_status"] for entry in body.get("component_statuses") or []}
    for component_id, component_status in changes.items():
        for impact in impacts:
            if impact["component_id"] == component_id and not impact.get("end_at"):
                impact["end_at"] = published_at
        if component_status != OPERATIONAL:
            impacts.append({"component_id": component_id, "component_status": component_status,
                            "start_at": published_at})
    result["component_impacts"] = impacts
    return result


def predicted_incident(body: dict, now: str) -> dict:
    """The incident a create with ``body`` would return."""
    impacts = [
        {"component_id": entry["component_id"], "component_status": entry["component_status"], "start_at": now}
        for entry in body.get("component_statuses") or [] if entry["component_status"] != OPERATIONAL
    ]
    return {
        "id": None, "status_page_id": body["status_page_id"], "name": body["name"], "published_at": now,
        "incident_status": body["incident_status"], "component_impacts": impacts,
        "updates": [{"id": None, "status_page_incident_id": None, "published_at": now, "message": body["message"],
                     "incident_status": body["incident_status"],
                     "component_statuses": list(body.get("component_statuses") or [])}],
    }


def find_by_name(client, status_page_id: str, name: str, since: str) -> tuple:
    """(the unresolved incident with this name or None, the resolved ones) among incidents active since ``since``."""
    # An incident listed twice (pages that shift while they are read) is one incident, and counts once among the
    # resolved ones that derive the next occurrence's key.
    named = unique_by_id([i for i in client.list_incidents(status_page_id, start_at=since) if i.get("name") == name])
    unresolved = [i for i in named if i.get("incident_status") != RESOLVED]
    resolved = [i for i in named if i.get("incident_status") == RESOLVED]
    if len(unresolved) > 1:
        ids = ", ".join(sorted(i["id"] for i in unresolved))
        raise StatusPageError(
            f"name: {len(unresolved)} unresolved incidents are named {name!r} on this status page ({ids}); "
            "pass the one to drive as id")
    return (unresolved[0] if unresolved else None), resolved


class IncidentRun:
    """One run of the module: read, compare, write unless check mode."""

    def __init__(self, module, client):
        self.module = module
        self.params = clean_params(module.params)
        self.client = client
        self.resolver = Resolver(client)
        self.check_mode = module.check_mode
        self.now = format_time(utcnow())
        self.component_names = {}

    def resolve_components(self, status_page_id: str, references: list) -> dict:
        """Desired status by component ID; names the components when the structure was read anyway."""
        if not references:
            return {}
        # References that land on one component are one component (the resolver's rule, as for maintenance).
        desired = self.resolver.resolve_component_statuses(status_page_id, dict(references))
        if not all(looks_like_id(clean_reference(ref)) for ref, _status in references):
            # The structure was read to resolve the names: name every component with it, at no extra cost.
            self.component_names = {c["id"]: qualified_name(c) for c in self.resolver.components(status_page_id)}
        return desired

    def describe(self, incident: dict | None) -> dict:
        """The managed fields, for diff."""
        if incident is None:
            return {}
        latest = latest_update(incident)
        return {
            "name": incident.get("name"),
            "incident_status": incident.get("incident_status"),
            "components": {self.component_names.get(cid) or cid: status
                           for cid, status in sorted(component_statuses(incident).items())},
            "message": latest.get("message") if latest else None,
        }

    def with_components(self, incident: dict) -> dict:
        result = dict(incident)
        result["components"] = [
            {"id": cid, "name": self.component_names.get(cid), "status": status}
            for cid, status in sorted(component_statuses(incident).items())
        ]
        return result

    def finish(self, action: str, before: dict | None, after: dict | None, key, warnings=()) -> dict:
        result = {"changed": action != "none", "action": action, "idempotency_key": key}
        if after is not None:
            result["incident"] = self.with_components(after)
            result["id"] = after.get("id")
        if self.module._diff:
            result["diff"] = {"before": self.describe(before), "after": self.describe(after)}
        for warning in warnings:
            self.module.warn(warning)
        return result

    def run(self) -> dict:
        params = self.params
        references = validate_input(params)
        desired_status = params["incident_status"]
        page = self.resolver.status_page(params["status_page"]) if params["status_page"] else None
        desired_components = self.resolve_components(page["id"], references) if page else {}
        # Runs on this host that manage the same incident read, decide and write in turn, so that parallel runs
        # of one task post each update once (the API has no idempotency key for updates).
        if params["id"]:
            lock, what = (params["id"], ""), f"incident {params['id']}"
        else:
            lock, what = (page["id"], params["name"]), f"the incident named {params['name']!r} on status page {page['id']}"
        with host_lock(self.client.base_url, "incident", *lock, timeout=self.client.timeout, what=what):
            return self.decide(page, references, desired_status, desired_components)

    def decide(self, page, references, desired_status, desired_components) -> dict:
        params = self.params
        if params["id"]:
            try:
                incident = self.client.get_incident(params["id"])
            except NotFoundError as exc:
                raise StatusPageError(
                    f"id: no status page incident with ID {params['id']!r} exists (or the API key cannot see it; "
                    f"HTTP 404{', request_id ' + exc.request_id if exc.request_id else ''})"
                ) from None
            if page and incident.get("status_page_id") != page["id"]:
                raise StatusPageError(
                    f"id: incident {params['id']} is on status page {incident.get('status_page_id')}, not on "
                    f"{params['status_page']!r} ({page['id']})")
            if page is None and references:
                if incident.get("status_page_id") is None:
                    raise StatusPageError(
                        f"components: the API's answer for incident {incident['id']} names no status page, so the "
                        "components cannot be looked up; give status_page too")
                desired_components = self.resolve_components(incident["status_page_id"], references)
            return self.drive(incident, desired_status, desired_components, params["idempotency_key"])

        lookback = parse_duration(params["lookback"], option="lookback")
        since = format_time(parse_time(self.now) - lookback)
        incident, resolved = find_by_name(self.client, page["id"], params["name"], since)
        closed_ids = [i["id"] for i in resolved]
        key = params["idempotency_key"] or occurrence_key(page["id"], "incident", params["name"], closed_ids)
        if incident is not None:
            return self.drive(incident, desired_status, desired_components, key)
        if desired_status == RESOLVED:
            if resolved:
                latest = max(resolved, key=lambda i: parse_time(i.get("published_at") or "1970-01-01"))
                return self.finish("none", latest, latest, key)
            return self.finish("none", None, None, key, warnings=[
                f"No incident named {params['name']!r} was found on the status page within the last "
                f"{params['lookback']} (lookback); nothing to resolve."])
        return self.create(page["id"], desired_status or DEFAULT_STATUS, desired_components, closed_ids, key)

    def create(self, status_page_id: str, desired_status: str, desired_components: dict, closed_ids: list,
               key: str) -> dict:
        params = self.params
        if params["msg"] is None:
            raise StatusPageError(
                f"msg: required to open the incident {params['name']!r} (no unresolved incident with that name "
                "was found)")
        body = {
            "status_page_id": status_page_id,
            "name": params["name"],
            "incident_status": desired_status,
            "message": params["msg"],
            "idempotency_key": key,
            "notify_subscribers": params["notify_subscribers"],
        }
        if desired_components:
            body["component_statuses"] = [
                {"component_id": cid, "component_status": status} for cid, status in desired_components.items()]
        user_key = params["idempotency_key"] is not None
        if self.check_mode:
            warnings = []
            if user_key and closed_ids:
                warnings.append(
                    f"idempotency_key {key!r} may already belong to a resolved incident named {params['name']!r}; "
                    "if so, the real run will not open a new incident.")
            return self.finish("created", None, predicted_incident(body, self.now), key, warnings)
        closed_ids = list(closed_ids)
        for _attempt in range(MAX_CREATE_ATTEMPTS):
            created = self.client.create_incident(body)
            if created.get("incident_status") != RESOLVED:
                break
            if user_key:
                # The key named an incident that has since been resolved: that occurrence is over, and a retried
                # job must not reopen it.
                return self.finish("none", created, created, key, warnings=[
                    f"idempotency_key {key!r} belongs to incident {created.get('id')}, which is resolved; "
                    "nothing was published. Use a new idempotency_key to open a new incident."])
            if created["id"] in closed_ids:
                # Deriving yet another key cannot help when the API answers different keys with one incident.
                raise StatusPageError(
                    f"idempotency_key: the derived key {key!r} was answered with incident {created['id']}, which this "
                    f"run already counted as a past occurrence named {params['name']!r}; the API replays that "
                    "incident whatever the key, so no new incident was opened and deriving another key would not "
                    "help. Give an idempotency_key to name the incident to open")
            # The derived key belonged to an occurrence that has left the lookback: move on to the next one.
            closed_ids.append(created["id"])
            key = occurrence_key(status_page_id, "incident", params["name"], closed_ids)
            body = dict(body, idempotency_key=key)
        else:
            raise StatusPageError(
                f"idempotency_key: {MAX_CREATE_ATTEMPTS} creates in a row returned resolved incidents named "
                f"{params['name']!r}; set lookback wider or pass an idempotency_key")
        if plan_update(created, desired_status, desired_components, params["msg"]) is None:
            return self.finish("created", None, created, key)
        # The API replayed an incident another run opened with the same key, in another state: drive it.
        return self.drive(self.client.get_incident(created["id"]), desired_status, desired_components, key)

    def drive(self, incident: dict, desired_status: str, desired_components: dict, key) -> dict:
        params = self.params
        rename = bool(params["id"]) and params["name"] is not None and params["name"] != incident.get("name")
        body = plan_update(incident, desired_status, desired_components, params["msg"])
        if body is not None and params["msg"] is None:
            # Without a message, plan_update only plans an update when the status or a component differs.
            raise StatusPageError(
                f"msg: required to publish the update that {self.explain(incident, body)} on incident "
                f"{incident.get('id')}")
        if body is not None:
            updates = len(incident.get("updates") or [])
            if updates >= MAX_UPDATES:
                raise StatusPageError(
                    f"incident {incident.get('id')} already has {updates} updates, the most the API allows "
                    f"({MAX_UPDATES}); nothing was sent. Resolve it from the dashboard and open a new incident.")
            body["notify_subscribers"] = params["notify_subscribers"]
        if body is None and not rename:
            return self.finish("none", incident, incident, key)

        after = incident
        if rename:
            if self.check_mode:
                after = dict(after, name=params["name"])
            else:
                after = self.client.rename_incident(incident["id"], params["name"])
        if body is not None:
            after = self.publish(after, body)
        if body is None:
            action = "renamed"
        elif body.get("incident_status") == RESOLVED:
            action = "resolved"
        else:
            action = "updated"
        return self.finish(action, incident, after, key)

    def explain(self, incident: dict, body: dict) -> str:
        changes = []
        if "incident_status" in body:
            changes.append(f"moves it from {incident.get('incident_status')} to {body['incident_status']}")
        if body.get("component_statuses"):
            labels = [self.component_names.get(e["component_id"]) or e["component_id"]
                      for e in body["component_statuses"]]
            changes.append(f"changes the status of {', '.join(labels)}")
        return " and ".join(changes)

    def publish(self, incident: dict, body: dict) -> dict:
        """Post one update (exactly once, even when a send fails ambiguously) and return the incident after it."""
        if self.check_mode:
            return apply_update(incident, body, None, self.now)
        updates_before = len(incident.get("updates") or [])
        reread = {}

        def landed() -> bool:
            current = self.client.get_incident(incident["id"])
            reread["incident"] = current
            latest = latest_update(current)
            return (
                len(current.get("updates") or []) > updates_before and latest is not None
                and _normalize_message(latest.get("message")) == _normalize_message(body["message"])
                and latest.get("incident_status") == (body.get("incident_status") or incident.get("incident_status"))
            )

        answer = self.client.post_incident_update(body, landed)
        if answer is None:
            return reread["incident"]
        # An answer without the update's record leaves the prediction, which is what was posted.
        return apply_update(incident, body, answer or None, self.now)


MODULE_ARGS = dict(
    argument_spec=connection_argument_spec(
        status_page={"type": "str"},
        id={"type": "str"},
        name={"type": "str"},
        # No default: an existing incident keeps its status when the option is not set (see the docs).
        incident_status={"type": "str", "choices": INCIDENT_STATUSES},
        msg={"type": "str"},
        components={"type": "dict"},
        notify_subscribers={"type": "bool", "default": False},
        idempotency_key={"type": "str", "no_log": False},
        lookback={"type": "str", "default": "24h"},
    ),
    supports_check_mode=True,
)


def run(module, client) -> dict:
    # Input is checked before any request, so a bad option never costs one.
    validate_input(module.params)
    return IncidentRun(module, client).run()


def main():
    run_module(MODULE_ARGS, run)


if __name__ == "__main__":
    main()
