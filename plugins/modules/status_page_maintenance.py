#!/usr/bin/python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: status_page_maintenance
short_description: Schedule, start, complete, reschedule and delete maintenance windows on an incident.io status page
version_added: 1.0.0
description:
  - Creates a maintenance window on an incident.io status page, moves it to in progress and to complete by
    publishing maintenance updates, reschedules or renames it, and deletes it.
  - Every run publishes at most what is missing. A re-run, a retried job or a concurrent run of the same task
    creates one window and posts each update once; in check mode nothing is written.
  - A window is found by O(id), or by its exact O(name) among the page's windows active since O(lookback) ago.
    A window that is not complete wins. When the only windows with that name are complete, O(state=scheduled)
    and O(state=in_progress) open a new window, because the next deploy is a new occurrence.
  - Windows are read with the API's time filters, so the cost of a run depends on the page's recent activity,
    not on its whole history.
extends_documentation_fragment:
  - incident_io.status_page.api
  - incident_io.status_page.attributes
  - incident_io.status_page.attributes.actiongroup_status_page
attributes:
  check_mode:
    support: full
    details:
      - Runs every read, sends no write, and returns the predicted window.
  diff_mode:
    support: full
    details:
      - The diff shows the name, state, start and end, components and latest message of the window.
  idempotent:
    support: full
    details:
      - A re-run with the same arguments publishes nothing. Relative times such as V(now) or V(+15m) are fixed
        when the window is created and never move it afterwards.
options:
  status_page:
    description:
      - Name or ID of the status page.
      - Required unless O(id) is given. With O(id), it is only used to check that the window is on this page
        and to resolve component names.
    type: str
  id:
    description:
      - ID of an existing maintenance window.
      - When given, no lookup by name happens and the module drives that window to O(state), moving it back to
        an earlier state if asked. With O(name), the window is renamed.
      - An ID that does not exist fails, except with O(state=absent), where it means the window is already gone.
      - An incident.io ID is letters and digits; anything else fails before any request is sent. Blank space around
        it is ignored.
    type: str
  name:
    description:
      - Title of the maintenance window, at most 200 characters.
      - Required unless O(id) is given.
      - Blank space around the name is ignored.
    type: str
  state:
    description:
      - The state the window should be in.
      - V(scheduled) creates the window if none is found (published as scheduled).
      - V(in_progress) creates the window already in progress if none is found, or moves the found window to in
        progress and puts its components under maintenance.
      - V(completed) completes the found window; every component returns to operational. When no window is found,
        nothing is done and a warning says so.
      - Looked up by O(name), a window that is already past O(state) (in progress when V(scheduled) is asked,
        for example after incident.io's automation moved it) is left as it is, with a warning, so that re-running
        an earlier step never undoes a later one. Given by O(id), the window is moved back.
      - V(absent) deletes the found window. By name, only a window that is not complete is deleted; completed
        windows are past occurrences and are deleted only by O(id).
    type: str
    default: scheduled
    choices: [scheduled, in_progress, completed, absent]
  start_at:
    description:
      - When the window starts.
      - An ISO 8601 time (naive means UTC), V(now), or an offset from now such as V(+15m) or V(+1d).
      - V(now) and offsets are fixed when the window is created; they never move an existing window. An absolute
        time that differs from an existing window's start reschedules it.
    type: str
    default: now
  end_at:
    description:
      - When the window ends. Same formats as O(start_at). Must be after O(start_at).
      - Mutually exclusive with O(duration). One of the two is required to create a window.
      - An absolute time that differs from an existing window's end reschedules it.
    type: str
  duration:
    description:
      - Length of the window from O(start_at), such as V(30m), V(2h) or V(1h30m).
      - Mutually exclusive with O(end_at). One of the two is required to create a window.
      - With an absolute O(start_at), the end it gives reschedules an existing window whose end differs.
    type: str
  components:
    description:
      - Components under maintenance, each by name, as V(Group/Name) or V(Sub-page/Name) when a name is not
        unique, or by ID.
      - References that land on one component (a name and its ID, say, or its group path and its sub-page path) are
        one component, listed once. Blank space around each name is ignored.
      - Results and diffs name a component by C(Group/Name) when it is in a group, by C(Sub-page/Name) or
        C(Sub-page/Group/Name) on a sub-page, and by its bare name otherwise, so that two components called
        C(Webhooks) never look alike; M(incident_io.status_page.status_page_incident) names them the same way. A run given
        only IDs reads no page structure, and names nothing.
      - Required to create a window, with at least one component.
      - The API cannot change the components of an existing window; a difference is reported as a warning and
        the window keeps its components.
    type: list
    elements: str
  msg:
    description:
      - Markdown text of the update this run publishes, at most 4096 characters.
      - When the window changes state, the update carries this message; when omitted, the default is
        C(Scheduled maintenance), C(Maintenance in progress) or C(Maintenance complete) for the target state.
      - When the window is already in O(state) and its latest update has a different message, one progress
        update with this message is posted. When omitted, a window already in O(state) gets no update.
    type: str
  notify_subscribers:
    description:
      - Whether the create and the updates this run publishes notify the page's subscribers.
      - The API does not notify when the page has more than 1000 subscribers.
      - Rescheduling, renaming and deleting never notify anybody.
    type: bool
    default: false
  automate:
    description:
      - Sets C(automate_maintenance_status) when the window is created, so that incident.io moves it to in
        progress at O(start_at) and to complete at O(end_at) on its own (and notifies, with O(notify_subscribers)).
      - Publishing an update that changes the window's state (O(state=in_progress) or O(state=completed) on a
        scheduled window) turns the automation off; progress messages do not.
      - Only applies when creating; not set means V(false). The API cannot change it on an existing window, so a
        difference is reported as a warning.
    type: bool
  idempotency_key:
    description:
      - Key that names the window to create, for example an AWX workflow job ID.
      - When not set, a key is derived from the page, the name and the completed windows of that name, so that
        retries and concurrent runs create one window and the next occurrence after a completed one gets a new key.
      - A given key names one window for good. Once that window is complete, O(state=scheduled) and
        O(state=in_progress) with the same key write nothing and warn, so a retried job never reopens a finished
        deploy.
    type: str
  lookback:
    description:
      - How far back windows are considered when looking one up by O(name), such as V(24h) or V(7d).
      - Windows that are not complete are always found, whenever they were created; completed windows only if
        they were active in this period.
    type: str
    default: 24h
notes:
  - Rescheduling and renaming use the API's C(PUT), which publishes no update and notifies nobody. To tell
    subscribers that the schedule changed, also pass a O(msg).
  - Deleting a window cannot be undone. It disappears from the status page with its updates, and nobody is notified.
  - A maintenance window can hold at most 100 updates; the module refuses to send the 101st.
  - The look-up by name relies on the API's time filter, not on the order of its lists.
  - Parallel runs on one host (forks of one play, parallel jobs on one controller or execution node) that manage
    the same window take turns through a lock file in a directory of the temporary directory that only the user can
    enter, so each update is posted once. A run waits at most O(timeout) seconds for another one, then fails naming
    the window and the lock file; each run removes its lock file when it is done. Runs
    on different hosts share no lock; opening a window is still safe there (its create carries the requested state
    and an idempotency key), but two of them moving the same window at the same moment can both post the update,
    because the API offers no idempotency key for updates. Use C(run_once) or a single job for such steps.
  - When every retry of a write fails without an answer that tells whether it took effect, the module fails with a
    message that says what may or may not have been published and how to check; re-running the task is safe.
seealso:
  - module: incident_io.status_page.status_page_info
  - module: incident_io.status_page.status_page_incident
  - name: incident.io status page API
    description: The maintenance endpoints this module uses.
    link: https://api-docs.incident.io/tag/Status-Pages-V2
author:
  - incident_io.status_page maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Open a maintenance window now, for 30 minutes, on named components
  incident_io.status_page.status_page_maintenance:
    status_page: Acme Cloud
    name: Deploy of the API
    state: in_progress
    duration: 30m
    components:
      - API/REST API
      - API/Webhooks
    msg: We are deploying a new version of the API.

- name: Schedule a window tomorrow at 02:00 UTC for two hours, and let incident.io run it
  incident_io.status_page.status_page_maintenance:
    status_page: Acme Cloud
    name: Database upgrade
    start_at: "{{ '%Y-%m-%d' | strftime(now(utc=true).timestamp() + 86400, utc=true) }}T02:00:00Z"
    duration: 2h
    components: [EU/Database]
    automate: true
    notify_subscribers: true
  register: upgrade

- name: Move the window to in progress
  incident_io.status_page.status_page_maintenance:
    id: "{{ upgrade.id }}"
    state: in_progress
    msg: The upgrade has started.

- name: Complete it
  incident_io.status_page.status_page_maintenance:
    id: "{{ upgrade.id }}"
    state: completed
    msg: The upgrade is done; everything is operational.

- name: Complete the deploy window from a separate play that only knows its name
  incident_io.status_page.status_page_maintenance:
    status_page: Acme Cloud
    name: Deploy of the API
    state: completed

- name: Delete a window that will not happen (this cannot be undone and notifies nobody)
  incident_io.status_page.status_page_maintenance:
    status_page: Acme Cloud
    name: Database upgrade
    state: absent

- name: Show what would be published, without writing anything
  incident_io.status_page.status_page_maintenance:
    status_page: Acme Cloud
    name: Deploy of the API
    state: in_progress
    duration: 30m
    components: [API/REST API]
  check_mode: true
  diff: true
  register: preview

- name: Set the credentials once and wrap a deploy, pinning the window to the AWX workflow job
  module_defaults:
    group/incident_io.status_page.status_page:
      api_key: "{{ vault_incident_api_key }}"
      status_page: Acme Cloud
  block:
    - name: Start the deploy window
      incident_io.status_page.status_page_maintenance:
        name: Deploy {{ release }}
        state: in_progress
        duration: 1h
        components: [Website, API/REST API]
        idempotency_key: "awx-{{ awx_workflow_job_id }}"

    - name: Deploy
      ansible.builtin.include_tasks: deploy.yml

    - name: End the deploy window
      incident_io.status_page.status_page_maintenance:
        name: Deploy {{ release }}
        state: completed
        msg: Version {{ release }} is live.
"""

RETURN = r"""
maintenance:
  description:
    - The maintenance window after the run, as the API returns it, plus top-level C(start_at), C(end_at) and
      C(components). In check mode, the predicted window (C(id) is V(null) for a window that would be created).
    - For O(state=absent), the window as it was before the deletion.
    - An empty dictionary when no window was found and none was created.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the window.
      type: str
      sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0SV
    status_page_id:
      description: ID of the status page.
      type: str
    name:
      description: Title of the window.
      type: str
      sample: Deploy of the API
    maintenance_status:
      description: Status of the window.
      type: str
      sample: maintenance_in_progress
    published_at:
      description: When the window was published.
      type: str
      sample: "2026-05-01T09:58:12.120000Z"
    start_at:
      description: Start of the window (UTC), from its component maintenance periods.
      type: str
      sample: "2026-05-01T10:00:00Z"
    end_at:
      description: End of the window (UTC), from its component maintenance periods.
      type: str
      sample: "2026-05-01T10:30:00Z"
    components:
      description:
        - Components of the window.
        - C(name) is the component's qualified name (C(Group/Name) in a group, C(Sub-page/Name) or
          C(Sub-page/Group/Name) on a sub-page, the bare name otherwise) when the run read the page structure (that
          is, when a component was given by name), otherwise V(null).
      type: list
      elements: dict
      sample: [{"id": "01JB5A7Z3KJ4W5M6N7P8Q9R0C1", "name": "API/REST API"}]
    automate_maintenance_status:
      description: Whether incident.io moves the window to in progress and complete on its own.
      type: bool
    updates:
      description: Updates published on the window, as the API returns them.
      type: list
      elements: dict
    component_maintenance_periods:
      description: The window's schedule per component, as the API returns it.
      type: list
      elements: dict
id:
  description: ID of the window; V(null) when there is none, or when it would be created in check mode.
  returned: success
  type: str
  sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0SV
action:
  description:
    - What the run did (or would do in check mode).
    - V(created), V(updated) (an update that changed the state to scheduled or in progress, or a progress message),
      V(rescheduled) (name or times changed with C(PUT) and nothing else), V(completed), V(deleted), or V(none).
  returned: success
  type: str
  sample: created
idempotency_key:
  description:
    - The key of the create this run sent or would send, or that the window of this name would be created with.
    - V(null) for a run by O(id) without O(idempotency_key).
  returned: success
  type: str
  sample: ansible-5d41402abc4b2a76b9719d911017c592ae7d2f01
diff:
  description: The window before and after the run, when diff mode is on.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(name), C(state), C(start_at), C(end_at), C(components) (by the names of
        C(maintenance.components), or by ID) and C(message) (latest update) before; empty for a create.
      type: dict
    after:
      description: The same fields after the run; empty for a delete.
      type: dict
"""

from ansible_collections.incident_io.status_page.plugins.module_utils._client import connection_argument_spec
from ansible_collections.incident_io.status_page.plugins.module_utils._errors import InputError, StatusPageError
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import (
    MAINTENANCES,
    ObjectRequest,
    ObjectRun,
    run_module,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    COMPLETE,
    COMPONENT_STATUS_BY_MAINTENANCE_STATUS,
    MAINTENANCE_STATUS_BY_STATE,
    MAINTENANCE_STATUS_ORDER,
    SCHEDULED,
    latest_update,
    maintenance_after_reschedule,
    maintenance_after_update,
    maintenance_from_create,
    maintenance_window,
    same_message,
    window_component_ids,
    with_window,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import clean_reference
from ansible_collections.incident_io.status_page.plugins.module_utils._time import format_time, parse_time

DEFAULT_MESSAGES = {
    "scheduled": "Scheduled maintenance",
    "in_progress": "Maintenance in progress",
    "completed": "Maintenance complete",
}


class MaintenanceRequest(ObjectRequest):
    """The module's options, parsed and checked before any request is sent."""

    EMPTY_MESSAGE_HINT = "; leave it out to use the default message"

    def __init__(self, params: dict, now):
        super().__init__(params, now)
        self.state = params["state"]
        self.deletes = self.state == "absent"
        self.closes = self.state == "completed"
        self.desired_status = MAINTENANCE_STATUS_BY_STATE.get(self.state)
        self.automate = params["automate"]
        if self.components is not None and not self.components and self.state in ("scheduled", "in_progress"):
            raise InputError("components: a maintenance window needs at least one component")
        if self.components is not None and any(not clean_reference(ref or "") for ref in self.components):
            raise InputError("components: a component name or ID must not be empty")
        self.read_schedule(params)
        self.read_lookback()

    def update_message(self) -> str:
        return self.message if self.message is not None else DEFAULT_MESSAGES[self.state]


class MaintenanceRun(ObjectRun):
    """One run of the module: rescheduling and incident.io's automation on top of the shared lifecycle."""

    KIND = MAINTENANCES
    REQUEST = MaintenanceRequest
    RESULT_KEY = "maintenance"
    GONE_ACTIONS = ("deleted",)

    def resolve_references(self, page_id: str, references: list) -> list:
        return [component["id"] for component in self.resolver.resolve_components(page_id, references)]

    def delete(self, current, closed: list, key) -> dict:
        request = self.request
        if current is None:
            if closed and request.id is None:
                ids = ", ".join(sorted(window["id"] for window in closed))
                self.warn(f"Only completed maintenance windows are named {request.name!r} ({ids}); completed windows "
                          "are past occurrences and are deleted only by id")
            return self.result("none", None, None, key)
        if not self.check_mode:
            self.client.delete_maintenance(current["id"])
        return self.result("deleted", current, None, key)

    def already_closed(self, latest: dict, key) -> dict:
        last = latest_update(latest) or {}
        if self.request.message is not None and not same_message(last.get("message"), self.request.message):
            self.warn(f"The maintenance window named {self.request.name!r} ({latest['id']}) is already complete; the "
                      "message was not posted. Give the window as id to add an update to a completed window")
        return super().already_closed(latest, key)

    def create_body(self, page_id: str, key: str) -> dict:
        request = self.request
        missing = [option for option, given in (("components", request.components),
                                                ("end_at or duration", request.end is not None)) if not given]
        if missing:
            raise StatusPageError(f"{' and '.join(missing)}: required to create the maintenance window "
                                  f"{request.name!r} (none that is open was found on this status page)")
        return {
            "status_page_id": page_id, "name": request.name, "maintenance_status": request.desired_status,
            "idempotency_key": key, "affected_component_ids": self.desired_components,
            "start_at": format_time(request.start), "end_at": format_time(request.end),
            "message": request.update_message(), "notify_subscribers": request.notify_subscribers,
            "automate_maintenance_status": bool(request.automate),
        }

    def predict_created(self, body: dict) -> dict:
        return maintenance_from_create(body, self.request.now)

    def after_create(self, created: dict, key: str) -> dict:
        order = MAINTENANCE_STATUS_ORDER
        if order.get(created.get("maintenance_status"), -1) < order[self.request.desired_status]:
            # The key's window was created by another run, in an earlier state: move it on from there instead of
            # reporting a create that did not bring it where this task asks.
            return self.converge(created, key)
        return self.result("created", None, created, key)

    def converge(self, current: dict, key) -> dict:
        request = self.request
        current_ids = window_component_ids(current)
        if self.desired_components is not None and set(self.desired_components) != set(current_ids):
            self.warn(f"components: the API cannot change the components of an existing maintenance window; window "
                      f"{current['id']} keeps {self.labels(current_ids)} instead of "
                      f"{self.labels(self.desired_components)}. Delete it and create it again to change them")
        # Once a window has moved on, its automation has done its job (or was turned off by a status update).
        automated = bool(current.get("automate_maintenance_status"))
        if request.automate is not None and automated != request.automate and \
                current.get("maintenance_status") == SCHEDULED:
            self.warn(f"automate: the API cannot change automate_maintenance_status of an existing window; window "
                      f"{current['id']} keeps {automated}")
        put_body = self.plan_reschedule(current)
        update_body = self.plan_update(current, current_ids)
        if update_body is not None:
            self.refuse_when_full(current)
        if put_body is None and update_body is None:
            return self.result("none", current, current, key)
        after = current
        if put_body is not None:
            after = maintenance_after_reschedule(after, put_body)
            if not self.check_mode:
                after = self.client.update_maintenance(current["id"], put_body)
        if update_body is None:
            return self.result("rescheduled", current, after, key)
        after = self.publish(after, update_body)
        return self.result("completed" if update_body.get("maintenance_status") == COMPLETE else "updated", current,
                           after, key)

    def plan_reschedule(self, current: dict):
        """The PUT body when a fixed time or (by id) the name differs from the window, else None."""
        request = self.request
        start_at, end_at = maintenance_window(current)
        new_name = request.name if request.id is not None and request.name is not None else current.get("name")
        new_start = format_time(request.start) if request.start_absolute else start_at
        new_end = format_time(request.end) if request.end is not None and request.end_absolute else end_at
        if (new_name, new_start, new_end) == (current.get("name"), start_at, end_at):
            return None
        if current.get("maintenance_status") == COMPLETE:
            self.warn(f"maintenance window {current['id']} is complete; a completed window is never rescheduled "
                      f"or renamed (asked: name {new_name!r}, {new_start} to {new_end})")
            return None
        if new_start is None or new_end is None or parse_time(new_end) <= parse_time(new_start):
            raise StatusPageError(self.unusable_schedule(current, new_start, new_end, start_at, end_at))
        return {"name": new_name, "start_at": new_start, "end_at": new_end}

    def unusable_schedule(self, current: dict, new_start, new_end, start_at, end_at) -> str:
        """Why the PUT cannot be sent, blaming only an option the task gave."""
        request = self.request
        given = [option for option, fixed in (("start_at", request.start_absolute),
                                              ("end_at", request.end is not None and request.end_absolute)) if fixed]
        if new_start is None or new_end is None:
            problem = f"reports no {'start' if new_start is None else 'end'}"
        else:
            problem = f"would end ({new_end}) before it starts ({new_start})"
        if not given:
            # Only the name changes: the API renames with a PUT that sends the schedule too, and the one the window
            # reports cannot be sent back.
            return (f"name: maintenance window {current['id']} cannot be renamed to {request.name!r}: the API renames "
                    f"with a PUT that also sends the schedule, and the window {problem}, which the API would refuse. "
                    "Give a schedule with absolute start_at and end_at (or duration) in the same task, or rename it "
                    "in the dashboard")
        return (f"{' and '.join(given)}: the window {problem}; maintenance window {current['id']} is scheduled "
                f"{start_at or 'without a start'} to {end_at or 'without an end'}. Give both start_at and end_at "
                "(or duration) to reschedule it")

    def plan_update(self, current: dict, current_ids: list):
        """The maintenance update to post, or None when the window already shows what was asked."""
        request = self.request
        desired, status = request.desired_status, current.get("maintenance_status")
        body = {"status_page_maintenance_id": current["id"], "notify_subscribers": request.notify_subscribers}
        if status != desired:
            order = MAINTENANCE_STATUS_ORDER
            if request.id is None and order.get(status, -1) > order[desired]:
                # A re-run of an earlier step (or incident.io's automation) must not undo a later one.
                self.warn(f"maintenance window {current['id']} is already {self.status_of(current)}, past the "
                          f"requested {request.state}; looked up by name, a window is never moved back (give it as "
                          "id to do that)")
                return None
            body.update(maintenance_status=desired, message=request.update_message())
            if desired in COMPONENT_STATUS_BY_MAINTENANCE_STATUS and current_ids:
                body["component_statuses"] = [
                    {"component_id": component_id, "component_status": COMPONENT_STATUS_BY_MAINTENANCE_STATUS[desired]}
                    for component_id in current_ids]
            return body
        if request.message is not None and not same_message((latest_update(current) or {}).get("message"),
                                                            request.message):
            body["message"] = request.message
            return body
        return None

    def predict_update(self, current: dict, body: dict, answer) -> dict:
        return maintenance_after_update(current, body, self.request.now, answer)

    def labels(self, component_ids: list) -> str:
        return "[" + ", ".join(self.label(cid) for cid in component_ids) + "]"

    def present(self, maintenance: dict) -> dict:
        return dict(with_window(maintenance), components=[
            {"id": cid, "name": self.component_names.get(cid)} for cid in window_component_ids(maintenance)])

    def describe(self, maintenance: dict) -> dict:
        start_at, end_at = maintenance_window(maintenance)
        return {
            "name": maintenance.get("name"),
            "state": self.status_of(maintenance),
            "start_at": start_at,
            "end_at": end_at,
            "components": sorted(self.label(cid) for cid in window_component_ids(maintenance)),
            "message": (latest_update(maintenance) or {}).get("message"),
        }

    def converge_predicted(self, predicted: dict) -> dict:
        for component in predicted.get("components") or []:
            if component.get("id") and component.get("name"):
                self.component_names[component["id"]] = component["name"]
        return self.converge(predicted, self.request.user_key)


MODULE_ARGS = dict(
    argument_spec=connection_argument_spec(
        status_page={"type": "str"},
        id={"type": "str"},
        name={"type": "str"},
        state={"type": "str", "default": "scheduled", "choices": ["scheduled", "in_progress", "completed", "absent"]},
        start_at={"type": "str", "default": "now"},
        end_at={"type": "str"},
        duration={"type": "str"},
        components={"type": "list", "elements": "str"},
        msg={"type": "str"},
        notify_subscribers={"type": "bool", "default": False},
        automate={"type": "bool"},
        idempotency_key={"type": "str", "no_log": False},
        lookback={"type": "str", "default": "24h"},
    ),
    mutually_exclusive=[["end_at", "duration"]],
    required_one_of=[["id", "name"], ["id", "status_page"]],
    supports_check_mode=True,
)


# run(module, client): what main() runs, and what the maintenance_window role runs in the controller's process.
run = MaintenanceRun.run_with


def run_on_predicted(module, client, predicted: dict) -> dict:
    """Check mode: drive a window that exists only as the prediction of a create this check run would send.

    The maintenance_window role uses it to show, in one check run, both the window it would open and the
    completion it would publish on it.
    """
    return MaintenanceRun.run_with(module, client, lambda maintenance_run: maintenance_run.converge_predicted(predicted))


def main():
    run_module(MODULE_ARGS, run)


if __name__ == "__main__":
    main()
