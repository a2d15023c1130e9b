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
        A name that matches several components fails and lists them. Blank space around each name is ignored.
      - References that land on one component (a name and its ID, say, or its group path and its sub-page path) are
        one component, listed once; they fail when they ask for two different statuses.
      - Results and diffs name a component by C(Group/Name) when it is in a group, by C(Sub-page/Name) or
        C(Sub-page/Group/Name) on a sub-page, and by its bare name otherwise, so that two components called
        C(Webhooks) never look alike; M(incident_io.status_page.status_page_maintenance) names them the same way. A run given
        only IDs reads no page structure, and names nothing.
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
    - An empty dictionary when no incident was found and none was opened (O(incident_status=resolved) with nothing
      to resolve).
  returned: success
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
        - C(name) is the component's qualified name (C(Group/Name) in a group, C(Sub-page/Name) or
          C(Sub-page/Group/Name) on a sub-page, the bare name otherwise) when the run read the page structure (that
          is, when a component was given by name), otherwise V(null).
      type: list
      elements: dict
      sample: [{"id": "01JACMECMP0000000000000002", "name": "API/REST API", "status": "degraded_performance"}]
id:
  description: ID of the incident; V(null) when there is none, or for an incident that check mode predicts would be
    opened.
  returned: success
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
  description: The name, status, component statuses (by the names of C(incident.components), or by ID) and latest
    message before and after (C(before) is empty for a created incident).
  returned: when diff mode is on
  type: dict
  sample:
    before: {"name": "Elevated API error rates", "incident_status": "investigating",
             "components": {"API/REST API": "degraded_performance"}, "message": "We are investigating."}
    after: {"name": "Elevated API error rates", "incident_status": "monitoring",
            "components": {"API/REST API": "operational"}, "message": "A fix has been deployed."}
"""

from ansible_collections.incident_io.status_page.plugins.module_utils._client import connection_argument_spec
from ansible_collections.incident_io.status_page.plugins.module_utils._errors import InputError, StatusPageError
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import (
    INCIDENTS,
    ObjectRequest,
    ObjectRun,
    run_module,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_STATUSES,
    OPERATIONAL,
    RESOLVED,
    UNDER_MAINTENANCE,
    component_statuses,
    incident_after_update,
    latest_update,
    same_message,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import clean_reference
from ansible_collections.incident_io.status_page.plugins.module_utils._time import format_time

DEFAULT_STATUS = "investigating"


class IncidentRequest(ObjectRequest):
    """The module's options, parsed and checked before any request is sent."""

    def __init__(self, params: dict, now):
        super().__init__(params, now)
        if self.id is None:
            for option in ("status_page", "name"):
                if getattr(self, option) is None:
                    raise InputError(f"{option}: required unless id is given")
        self.incident_status = params["incident_status"]
        self.closes = self.incident_status == RESOLVED
        self.components = []
        problems = []
        for reference, status in (params["components"] or {}).items():
            if status == UNDER_MAINTENANCE:
                problems.append(f"{reference!r} is set to {status!r}, a maintenance status; incidents use "
                                f"{', '.join(INCIDENT_COMPONENT_STATUSES)} (use status_page_maintenance for maintenance)")
            elif status not in INCIDENT_COMPONENT_STATUSES:
                problems.append(f"{reference!r} is set to {status!r}, which is not a component status; use one of "
                                f"{', '.join(INCIDENT_COMPONENT_STATUSES)}")
            elif not clean_reference(reference):
                problems.append("a component name or ID must not be empty")
            else:
                self.components.append((str(reference), status))
        if problems:
            raise InputError("components: " + "; ".join(problems))
        if self.components and self.closes:
            raise InputError("components: must not be set with incident_status resolved; resolving sets every "
                             "component to operational")
        self.read_lookback()


def plan_update(incident: dict, desired_status, desired_components: dict, message) -> dict | None:
    """The update that brings the incident to the desired state, or None when nothing differs.

    It carries the message, plus incident_status and component_statuses only where they change.
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
    message_changes = message is not None and (latest is None or not same_message(latest.get("message"), message))
    if not (status_changes or component_changes or message_changes):
        return None
    body = {"status_page_incident_id": incident.get("id"), "message": message}
    if status_changes:
        body["incident_status"] = desired_status
    if component_changes:
        body["component_statuses"] = component_changes
    return body


class IncidentRun(ObjectRun):
    """One run of the module: the incident's own rules on top of the shared lifecycle."""

    KIND = INCIDENTS
    REQUEST = IncidentRequest
    RESULT_KEY = "incident"

    @property
    def now(self) -> str:
        return format_time(self.request.now)

    def resolve_references(self, page_id: str, references: list) -> dict:
        return self.resolver.resolve_component_statuses(page_id, dict(references))

    def plan(self, incident: dict, status=None) -> dict | None:
        return plan_update(incident, status or self.request.incident_status, self.desired_components or {},
                           self.request.message)

    def create_body(self, page_id: str, key: str) -> dict:
        request = self.request
        if request.message is None:
            raise StatusPageError(f"msg: required to open the incident {request.name!r} (no unresolved incident with "
                                  "that name was found)")
        body = {"status_page_id": page_id, "name": request.name, "incident_status": self.opening_status(),
                "message": request.message, "idempotency_key": key, "notify_subscribers": request.notify_subscribers}
        if self.desired_components:
            body["component_statuses"] = [{"component_id": cid, "component_status": status}
                                          for cid, status in self.desired_components.items()]
        return body

    def predict_created(self, body: dict) -> dict:
        opened = {"id": None, "status_page_id": body["status_page_id"], "name": body["name"], "published_at": self.now,
                  "incident_status": body["incident_status"], "component_impacts": [], "updates": []}
        answer = {"id": None, "status_page_incident_id": None, "published_at": self.now, "message": body["message"],
                  "incident_status": body["incident_status"],
                  "component_statuses": list(body.get("component_statuses") or [])}
        return incident_after_update(opened, body, answer, self.now)

    def opening_status(self) -> str:
        return self.request.incident_status or DEFAULT_STATUS

    def after_create(self, created: dict, key: str) -> dict:
        if self.plan(created, self.opening_status()) is None:
            return self.result("created", None, created, key)
        # The API replayed an incident another run opened with the same key, in another state: drive it there.
        return self.converge(self.client.get_incident(created["id"]), key, self.opening_status())

    def converge(self, incident: dict, key, status=None) -> dict:
        request = self.request
        rename = request.id is not None and request.name is not None and request.name != incident.get("name")
        body = self.plan(incident, status)
        if body is not None:
            if request.message is None:
                # Without a message, plan_update only plans an update when the status or a component differs.
                raise StatusPageError(f"msg: required to publish the update that {self.explain(incident, body)} on "
                                      f"incident {incident.get('id')}")
            self.refuse_when_full(incident)
            body["notify_subscribers"] = request.notify_subscribers
        elif not rename:
            return self.result("none", incident, incident, key)
        after = incident
        if rename:
            after = dict(after, name=request.name) if self.check_mode else \
                self.client.rename_incident(incident["id"], request.name)
        if body is None:
            return self.result("renamed", incident, after, key)
        after = self.publish(after, body)
        return self.result("resolved" if body.get("incident_status") == RESOLVED else "updated", incident, after, key)

    def explain(self, incident: dict, body: dict) -> str:
        changes = []
        if "incident_status" in body:
            changes.append(f"moves it from {incident.get('incident_status')} to {body['incident_status']}")
        if body.get("component_statuses"):
            labels = [self.label(entry["component_id"]) for entry in body["component_statuses"]]
            changes.append(f"changes the status of {', '.join(labels)}")
        return " and ".join(changes)

    def predict_update(self, current: dict, body: dict, answer) -> dict:
        return incident_after_update(current, body, answer, self.now)

    def present(self, incident: dict) -> dict:
        return dict(incident, components=[{"id": cid, "name": self.component_names.get(cid), "status": status}
                                          for cid, status in sorted(component_statuses(incident).items())])

    def describe(self, incident: dict) -> dict:
        latest = latest_update(incident)
        return {
            "name": incident.get("name"),
            "incident_status": incident.get("incident_status"),
            "components": {self.label(cid): status for cid, status in sorted(component_statuses(incident).items())},
            "message": latest.get("message") if latest else None,
        }


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


# run(module, client): what main() runs, and what the maintenance_window role runs in the controller's process.
run = IncidentRun.run_with


def main():
    run_module(MODULE_ARGS, run)


if __name__ == "__main__":
    main()
