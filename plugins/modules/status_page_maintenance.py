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
      - Names that land on one component (a name and its ID, say) count as one component. Blank space around each
        name is ignored.
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
        - Components of the window. C(name) is V(null) when the page structure was not read (components given by ID).
      type: list
      elements: dict
      sample: [{"id": "01JB5A7Z3KJ4W5M6N7P8Q9R0C1", "name": "REST API"}]
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
      description: C(name), C(state), C(start_at), C(end_at), C(components) and C(message) (latest update) before;
        empty for a create.
      type: dict
    after:
      description: The same fields after the run; empty for a delete.
      type: dict
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
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    latest_update,
    maintenance_window,
    occurrence_key,
    unique_by_id,
    with_window,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._lock import host_lock
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import Resolver, clean_reference
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    format_time,
    parse_duration,
    parse_time,
    requested_window,
    utcnow,
)

SCHEDULED = "maintenance_scheduled"
IN_PROGRESS = "maintenance_in_progress"
COMPLETE = "maintenance_complete"
STATUS_BY_STATE = {"scheduled": SCHEDULED, "in_progress": IN_PROGRESS, "completed": COMPLETE}
STATE_BY_STATUS = {status: state for state, status in STATUS_BY_STATE.items()}
STATUS_ORDER = {SCHEDULED: 0, IN_PROGRESS: 1, COMPLETE: 2}
DEFAULT_MESSAGES = {
    "scheduled": "Scheduled maintenance",
    "in_progress": "Maintenance in progress",
    "completed": "Maintenance complete",
}
# What the components show after an update that moves the window to a state.
COMPONENT_STATUS_BY_STATUS = {SCHEDULED: "operational", IN_PROGRESS: "under_maintenance"}

MAX_NAME_LENGTH = 200
MAX_MESSAGE_LENGTH = 4096
MAX_UPDATES = 100
# A derived key can replay a completed occurrence that has left the lookback; each replay reveals one more
# closed ID, so a few attempts are plenty before asking the user for an explicit key.
MAX_OCCURRENCE_ATTEMPTS = 5


class MaintenanceRequest:
    """The module's options, parsed and validated before any request is sent."""

    def __init__(self, params: dict, now):
        self.now = now
        self.state = params["state"]
        # Surrounding blank space is never part of an ID, a name or a reference: a value typed as "a, b" or read
        # from a file with its newline means the same as without it.
        self.id = check_id_option(params["id"], "id")
        self.name = params["name"].strip() if params["name"] is not None else None
        self.status_page = params["status_page"].strip() if params["status_page"] is not None else None
        self.message = params["msg"]
        self.notify_subscribers = params["notify_subscribers"]
        self.automate = params["automate"]
        self.user_key = params["idempotency_key"]
        self.components = params["components"]

        if self.status_page is not None and not self.status_page:
            raise InputError("status_page: must not be empty")
        if self.name is not None:
            if not self.name:
                raise InputError("name: must not be empty")
            if len(self.name) > MAX_NAME_LENGTH:
                raise InputError(f"name: is {len(self.name)} characters long; the API accepts at most {MAX_NAME_LENGTH}")
        if self.message is not None:
            if not self.message.strip():
                raise InputError("msg: must not be empty; leave it out to use the default message")
            if len(self.message) > MAX_MESSAGE_LENGTH:
                raise InputError(
                    f"msg: is {len(self.message)} characters long; the API accepts at most {MAX_MESSAGE_LENGTH}")
        if self.user_key is not None and not self.user_key.strip():
            raise InputError("idempotency_key: must not be empty")
        if self.components is not None and not self.components and self.state in ("scheduled", "in_progress"):
            raise InputError("components: a maintenance window needs at least one component")
        if self.components is not None and any(not clean_reference(ref or "") for ref in self.components):
            raise InputError("components: a component name or ID must not be empty")

        window = requested_window(params["start_at"], params["end_at"], params["duration"], now)
        self.start, self.start_absolute = window.start, window.start_absolute
        # Whether the end is a fixed time that may reschedule an existing window.
        self.end, self.end_absolute = window.end, window.end_absolute
        self.lookback_start = now - parse_duration(params["lookback"], option="lookback")

    @property
    def desired_status(self):
        return STATUS_BY_STATE.get(self.state)

    def update_message(self) -> str:
        return self.message if self.message is not None else DEFAULT_MESSAGES[self.state]


def same_message(first, second) -> bool:
    """Messages compare equal when only line endings or surrounding blank space differ.

    YAML block scalars end with a newline that the text on the page does not show.
    """
    def normalized(text):
        return None if text is None else text.replace("\r\n", "\n").strip()
    return normalized(first) == normalized(second)


def is_complete(maintenance: dict) -> bool:
    return maintenance.get("maintenance_status") == COMPLETE


def window_component_ids(maintenance: dict) -> list:
    """IDs of the components a window covers, in the API's order, without repeats."""
    ids = []
    for period in maintenance.get("component_maintenance_periods") or []:
        if period.get("component_id") and period["component_id"] not in ids:
            ids.append(period["component_id"])
    if not ids:
        latest = latest_update(maintenance) or {}
        for entry in latest.get("component_statuses") or []:
            if entry.get("component_id") and entry["component_id"] not in ids:
                ids.append(entry["component_id"])
    return ids


def last_activity(maintenance: dict):
    """When a window last changed, to pick the most recent of several completed occurrences."""
    latest = latest_update(maintenance) or {}
    moments = [value for value in (latest.get("published_at"), maintenance.get("published_at")) if value]
    return max(parse_time(value, option="API time") for value in moments) if moments else parse_time("1970-01-01")


class MaintenanceRun:
    """One run of the module: read, decide, write unless check mode, and describe the result."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.resolver = Resolver(client)
        self.check_mode = module.check_mode
        self.warnings = []
        self.component_names = {}

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # ----- reads ---------------------------------------------------------------------------------

    def read_by_id(self, request: MaintenanceRequest, page_id):
        try:
            maintenance = self.client.get_maintenance(request.id)
        except NotFoundError as exc:
            if request.state == "absent":
                return None
            raise StatusPageError(
                f"id: no maintenance window with ID {request.id!r} exists, or this API key cannot see it "
                f"(HTTP 404{', request_id ' + exc.request_id if exc.request_id else ''})") from None
        if page_id is not None and maintenance.get("status_page_id") not in (None, page_id):
            raise StatusPageError(
                f"id: maintenance window {request.id} is on status page {maintenance.get('status_page_id')}, "
                f"not on status_page {request.status_page!r} ({page_id})")
        return maintenance

    def find_by_name(self, request: MaintenanceRequest, page_id: str) -> tuple:
        """(the open window with this name or None, the completed windows with this name)."""
        listed = self.client.list_maintenances(page_id, start_at=format_time(request.lookback_start))
        # A window listed twice (pages that shift while they are read) is one window, and counts once among the
        # completed ones that derive the next occurrence's key.
        named = unique_by_id([m for m in listed if m.get("name") == request.name])
        open_windows = [m for m in named if not is_complete(m)]
        closed = [m for m in named if is_complete(m)]
        if len(open_windows) > 1:
            ids = ", ".join(sorted(m["id"] for m in open_windows))
            raise StatusPageError(
                f"name: {len(open_windows)} maintenance windows named {request.name!r} are not complete ({ids}); "
                "give the one to manage as id")
        return (open_windows[0] if open_windows else None), closed

    def resolve_components(self, page_id: str, references: list) -> list:
        # References that land on one component (a name and its ID, say) are one component: the resolver's rule.
        resolved = self.resolver.resolve_components(page_id, references, option="components")
        if any(component.get("name") for component in resolved):
            # The structure was read to resolve names: it names the window's other components for free.
            for component in self.resolver.components(page_id):
                self.component_names.setdefault(component["id"], component["name"])
        return resolved

    # ----- the run -------------------------------------------------------------------------------

    def run(self, params: dict) -> dict:
        request = MaintenanceRequest(params, utcnow())
        page_id = self.resolver.status_page(request.status_page)["id"] if request.status_page else None
        desired_components = None
        if request.components and page_id is not None:
            desired_components = self.resolve_components(page_id, request.components)
        # Runs on this host that manage the same window read, decide and write in turn, so that parallel runs
        # of one task post each update once (the API has no idempotency key for updates).
        if request.id is not None:
            lock, what = (request.id, ""), f"maintenance window {request.id}"
        else:
            lock, what = (page_id, request.name), f"the maintenance window named {request.name!r} on status page {page_id}"
        with host_lock(self.client.base_url, "maintenance", *lock, timeout=self.client.timeout, what=what):
            return self.decide(request, page_id, desired_components, params)

    def decide(self, request, page_id, desired_components, params) -> dict:
        closed = []
        if request.id is not None:
            current = self.read_by_id(request, page_id)
            if current is not None and page_id is None:
                page_id = current.get("status_page_id")
            if request.components and desired_components is None and page_id is not None:
                desired_components = self.resolve_components(page_id, request.components)
        else:
            current, closed = self.find_by_name(request, page_id)

        key = request.user_key
        if key is None and request.id is None:
            key = occurrence_key(page_id, "maintenance", request.name, [m["id"] for m in closed])

        if request.state == "absent":
            return self.delete(request, current, closed, key)
        if current is None and request.state == "completed":
            if closed:
                return self.already_completed(request, max(closed, key=last_activity), key)
            self.warn(f"No maintenance window named {request.name!r} is open on this status page "
                      f"(looked back {params['lookback']}); nothing to complete")
            return self.result(False, "none", None, None, key)
        if current is None:
            return self.create(request, page_id, desired_components, closed, key)
        return self.converge(request, current, desired_components, key)

    def delete(self, request, current, closed, key) -> dict:
        if current is None:
            if closed and request.id is None:
                ids = ", ".join(sorted(m["id"] for m in closed))
                self.warn(f"Only completed maintenance windows are named {request.name!r} ({ids}); completed windows "
                          "are past occurrences and are deleted only by id")
            return self.result(False, "none", None, None, key)
        if not self.check_mode:
            self.client.delete_maintenance(current["id"])
        return self.result(True, "deleted", current, {}, key, before=current)

    def already_completed(self, request, latest_closed, key) -> dict:
        last = latest_update(latest_closed) or {}
        if request.message is not None and not same_message(last.get("message"), request.message):
            self.warn(f"The maintenance window named {request.name!r} ({latest_closed['id']}) is already complete; "
                      "the message was not posted. Give the window as id to add an update to a completed window")
        return self.result(False, "none", latest_closed, latest_closed, key, before=latest_closed)

    # ----- create --------------------------------------------------------------------------------

    def create(self, request, page_id, desired_components, closed, key) -> dict:
        missing = []
        if not request.components:
            missing.append("components")
        if request.end is None:
            missing.append("end_at or duration")
        if missing:
            raise StatusPageError(
                f"{' and '.join(missing)}: required to create the maintenance window {request.name!r} "
                f"(none that is open was found on this status page)")
        body = {
            "status_page_id": page_id,
            "name": request.name,
            "maintenance_status": request.desired_status,
            "idempotency_key": key,
            "affected_component_ids": [component["id"] for component in desired_components],
            "start_at": format_time(request.start),
            "end_at": format_time(request.end),
            "message": request.update_message(),
            "notify_subscribers": request.notify_subscribers,
            "automate_maintenance_status": bool(request.automate),
        }
        if self.check_mode:
            if request.user_key is not None and closed:
                self.warn(f"Completed maintenance windows named {request.name!r} exist; if idempotency_key "
                          f"{request.user_key!r} created one of them, the real run will write nothing")
            return self.result(True, "created", None, predict_created(body, request.now), key)

        closed_ids = [m["id"] for m in closed]
        for _attempt in range(MAX_OCCURRENCE_ATTEMPTS):
            created = self.client.create_maintenance(body)
            replayed_other = is_complete(created) or created.get("name") != request.name
            if not replayed_other:
                if STATUS_ORDER.get(created.get("maintenance_status"), -1) < STATUS_ORDER[request.desired_status]:
                    # The key's window was created by another run, in an earlier state: move it on from there
                    # instead of reporting a create that did not bring it where this task asks.
                    return self.converge(request, created, desired_components, body["idempotency_key"])
                return self.result(True, "created", None, created, body["idempotency_key"])
            if request.user_key is not None:
                self.warn(f"idempotency_key {request.user_key!r} already names maintenance window {created['id']} "
                          f"({created.get('name')!r}, {STATE_BY_STATUS.get(created.get('maintenance_status'), created.get('maintenance_status'))}); "
                          "nothing was written, so a finished deploy is not reopened. Use a new key for a new window")
                return self.result(False, "none", created, created, body["idempotency_key"], before=created)
            if created["id"] in closed_ids:
                # Deriving yet another key cannot help when the API answers different keys with one window.
                raise StatusPageError(
                    f"idempotency_key: the derived key {body['idempotency_key']!r} was answered with maintenance window "
                    f"{created['id']}, which this run already counted as a past occurrence named {request.name!r}; "
                    "the API replays that window whatever the key, so no new window was created and deriving another "
                    "key would not help. Give an idempotency_key to name the window to create")
            # The derived key belonged to an occurrence that has left the lookback (or was renamed since):
            # count it as a past occurrence and derive the next key.
            closed_ids.append(created["id"])
            body = dict(body, idempotency_key=occurrence_key(page_id, "maintenance", request.name, closed_ids))
        raise StatusPageError(
            f"idempotency_key: {MAX_OCCURRENCE_ATTEMPTS} derived keys for {request.name!r} all named earlier windows "
            f"({', '.join(closed_ids)}); give an idempotency_key or a longer lookback")

    # ----- existing window -----------------------------------------------------------------------

    def converge(self, request, current, desired_components, key) -> dict:
        by_id = request.id is not None
        start_at, end_at = maintenance_window(current)
        current_ids = window_component_ids(current)

        if desired_components is not None:
            desired_ids = [component["id"] for component in desired_components]
            if set(desired_ids) != set(current_ids):
                self.warn(
                    f"components: the API cannot change the components of an existing maintenance window; "
                    f"window {current['id']} keeps {self.describe_components(current_ids)} instead of "
                    f"{self.describe_components(desired_ids)}. Delete it and create it again to change them")
        # Once a window has moved on, its automation has done its job (or was turned off by a status update).
        if request.automate is not None and bool(current.get("automate_maintenance_status")) != request.automate \
                and current.get("maintenance_status") == SCHEDULED:
            self.warn(f"automate: the API cannot change automate_maintenance_status of an existing window; "
                      f"window {current['id']} keeps {bool(current.get('automate_maintenance_status'))}")

        put_body = self.plan_reschedule(request, current, start_at, end_at, by_id)
        update_body = self.plan_update(request, current, current_ids, by_id)
        if update_body is not None and len(current.get("updates") or []) >= MAX_UPDATES:
            raise StatusPageError(
                f"maintenance window {current['id']} already has {len(current['updates'])} updates, the most the API "
                f"allows; the update {update_body['message']!r} was not sent")

        if put_body is None and update_body is None:
            return self.result(False, "none", current, current, key, before=current)
        after = current
        if put_body is not None:
            after = predict_rescheduled(after, put_body)
            if not self.check_mode:
                after = self.client.update_maintenance(current["id"], put_body)
        if update_body is not None:
            after = self.post_update(after, update_body, request.now)
        if update_body is None:
            action = "rescheduled"
        elif update_body.get("maintenance_status") == COMPLETE:
            action = "completed"
        else:
            action = "updated"
        return self.result(True, action, current, after, key, before=current)

    def plan_reschedule(self, request, current, start_at, end_at, by_id):
        """The PUT body when a fixed time or (by id) the name differs from the window, else None."""
        new_name = request.name if by_id and request.name is not None else current.get("name")
        new_start = format_time(request.start) if request.start_absolute else start_at
        new_end = format_time(request.end) if request.end is not None and request.end_absolute else end_at
        if (new_name, new_start, new_end) == (current.get("name"), start_at, end_at):
            return None
        if is_complete(current):
            self.warn(f"maintenance window {current['id']} is complete; a completed window is never rescheduled "
                      f"or renamed (asked: name {new_name!r}, {new_start} to {new_end})")
            return None
        if new_start is None or new_end is None or parse_time(new_end) <= parse_time(new_start):
            raise StatusPageError(self.unusable_schedule(request, current, new_start, new_end, start_at, end_at))
        return {"name": new_name, "start_at": new_start, "end_at": new_end}

    @staticmethod
    def unusable_schedule(request, current, new_start, new_end, start_at, end_at) -> str:
        """Why the PUT cannot be sent, blaming only an option the task gave."""
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

    def plan_update(self, request, current, current_ids, by_id):
        """The maintenance update to post, or None when the window already shows what was asked."""
        desired = request.desired_status
        status = current.get("maintenance_status")
        last = latest_update(current) or {}
        body = {"status_page_maintenance_id": current["id"], "notify_subscribers": request.notify_subscribers}
        if status != desired:
            if not by_id and STATUS_ORDER.get(status, -1) > STATUS_ORDER[desired]:
                # A re-run of an earlier step (or incident.io's automation) must not undo a later one.
                self.warn(f"maintenance window {current['id']} is already {STATE_BY_STATUS.get(status, status)}, past "
                          f"the requested {request.state}; looked up by name, a window is never moved back "
                          "(give it as id to do that)")
                return None
            body["maintenance_status"] = desired
            body["message"] = request.update_message()
            if desired in COMPONENT_STATUS_BY_STATUS and current_ids:
                body["component_statuses"] = [
                    {"component_id": component_id, "component_status": COMPONENT_STATUS_BY_STATUS[desired]}
                    for component_id in current_ids
                ]
            return body
        if request.message is not None and not same_message(last.get("message"), request.message):
            body["message"] = request.message
            return body
        return None

    def post_update(self, current: dict, body: dict, now) -> dict:
        predicted = predict_updated(current, body, now)
        if self.check_mode:
            return predicted
        refreshed = {}

        def landed():
            refreshed["maintenance"] = self.client.get_maintenance(current["id"])
            last = latest_update(refreshed["maintenance"]) or {}
            return same_message(last.get("message"), body["message"]) and (
                "maintenance_status" not in body or last.get("maintenance_status") == body["maintenance_status"])

        update = self.client.post_maintenance_update(body, landed)
        if update is None:
            return refreshed["maintenance"]
        # An answer without the update's record leaves the prediction, which is what was posted.
        return predict_updated(current, body, now, update or None)

    # ----- result --------------------------------------------------------------------------------

    def describe_components(self, component_ids: list) -> str:
        return "[" + ", ".join(self.component_names.get(cid) or cid for cid in component_ids) + "]"

    def present(self, maintenance) -> dict:
        if not maintenance:
            return {}
        result = with_window(maintenance)
        result["components"] = [
            {"id": component_id, "name": self.component_names.get(component_id)}
            for component_id in window_component_ids(maintenance)
        ]
        return result

    def managed_fields(self, maintenance) -> dict:
        if not maintenance:
            return {}
        start_at, end_at = maintenance_window(maintenance)
        status = maintenance.get("maintenance_status")
        return {
            "name": maintenance.get("name"),
            "state": STATE_BY_STATUS.get(status, status),
            "start_at": start_at,
            "end_at": end_at,
            "components": sorted(self.component_names.get(cid) or cid for cid in window_component_ids(maintenance)),
            "message": (latest_update(maintenance) or {}).get("message"),
        }

    def result(self, changed, action, current, after, key, before=None) -> dict:
        shown = after if action != "deleted" else current
        result = {
            "changed": changed,
            "action": action,
            "id": (shown or {}).get("id"),
            "idempotency_key": key,
            "maintenance": self.present(shown),
        }
        if self.module._diff:
            result["diff"] = {"before": self.managed_fields(before), "after": self.managed_fields(after)}
        return result


def predict_created(body: dict, now) -> dict:
    """The window a create would return, for check mode."""
    published_at = format_time(now)
    component_status = "under_maintenance" if body["maintenance_status"] == IN_PROGRESS else "operational"
    return {
        "id": None,
        "status_page_id": body["status_page_id"],
        "name": body["name"],
        "published_at": published_at,
        "maintenance_status": body["maintenance_status"],
        "automate_maintenance_status": body["automate_maintenance_status"],
        "updates": [{
            "id": None,
            "status_page_maintenance_id": None,
            "published_at": published_at,
            "message": body["message"],
            "maintenance_status": body["maintenance_status"],
            "component_statuses": [{"component_id": cid, "component_status": component_status}
                                   for cid in body["affected_component_ids"]],
        }],
        "component_maintenance_periods": [{"component_id": cid, "start_at": body["start_at"], "end_at": body["end_at"]}
                                          for cid in body["affected_component_ids"]],
    }


def predict_rescheduled(current: dict, put_body: dict) -> dict:
    after = copy.deepcopy(current)
    after["name"] = put_body["name"]
    for period in after.get("component_maintenance_periods") or []:
        period["start_at"] = put_body["start_at"]
        period["end_at"] = put_body["end_at"]
    return after


def predict_updated(current: dict, body: dict, now, update=None) -> dict:
    """The window with an update appended: the one the API answered with, or the predicted one."""
    after = copy.deepcopy(current)
    status = body.get("maintenance_status") or current.get("maintenance_status")
    if update is None:
        last = latest_update(current) or {}
        statuses = {entry["component_id"]: entry["component_status"]
                    for entry in last.get("component_statuses") or [] if entry.get("component_id")}
        if status == COMPLETE:
            statuses = {component_id: "operational" for component_id in statuses or window_component_ids(current)}
        for entry in body.get("component_statuses") or []:
            statuses[entry["component_id"]] = entry["component_status"]
        update = {
            "id": None,
            "status_page_maintenance_id": current["id"],
            "published_at": format_time(now),
            "message": body["message"],
            "maintenance_status": status,
            "component_statuses": [{"component_id": cid, "component_status": cs} for cid, cs in statuses.items()],
        }
    after["maintenance_status"] = update.get("maintenance_status") or status
    after["updates"] = list(after.get("updates") or []) + [update]
    if "maintenance_status" in body:
        # Publishing a status change by hand ends incident.io's automation of the window.
        after["automate_maintenance_status"] = False
    return after


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


def run(module, client) -> dict:
    maintenance_run = MaintenanceRun(module, client)
    try:
        return maintenance_run.run(module.params)
    finally:
        for warning in maintenance_run.warnings:
            module.warn(warning)


def run_on_predicted(module, client, predicted: dict) -> dict:
    """Check mode: drive a window that exists only as the prediction of a create this check run would send.

    The maintenance_window role uses it to show, in one check run, both the window it would open and the
    completion it would publish on it.
    """
    maintenance_run = MaintenanceRun(module, client)
    for component in predicted.get("components") or []:
        if component.get("id") and component.get("name"):
            maintenance_run.component_names[component["id"]] = component["name"]
    try:
        request = MaintenanceRequest(module.params, utcnow())
        return maintenance_run.converge(request, predicted, None, module.params["idempotency_key"])
    finally:
        for warning in maintenance_run.warnings:
            module.warn(warning)


def main():
    run_module(MODULE_ARGS, run)


if __name__ == "__main__":
    main()
