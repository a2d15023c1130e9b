#!/usr/bin/python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: alert_maintenance_window
short_description: Keep on-call quiet during planned work with incident.io alert maintenance windows
version_added: 1.0.0
description:
  - Creates, changes, ends and archives incident.io alert maintenance windows. Between its start and its end, a
    window suppresses the alerts that match its O(conditions) (or escalates them to O(escalation_targets)), so a
    deploy does not page the on-call engineer for the alerts it causes itself.
  - A window is found by O(id), or by its exact O(name) among the windows that are active or upcoming (and, when
    that matters, the past ones that ended within O(lookback)).
  - The API answers in another shape than it accepts (condition subjects and operations come back with labels,
    the lead as a user object); the module compares both in one normal form, so a re-run with the same arguments
    sends no write.
  - The API has no idempotency key for these windows. Runs on one host that manage the same window take turns, and
    a create whose answer was lost is never sent again before the window has been looked for by name and times.
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
      - The diff shows every field the module manages, before and after, in the form the module compares them.
  idempotent:
    support: full
    details:
      - A re-run with the same arguments writes nothing. Relative times such as V(now) or V(+15m) are fixed when the
        window is created and never move it afterwards.
options:
  name:
    description:
      - Name of the window.
      - Required unless O(id) is given. Without O(id), it identifies the window; with O(id), a different value
        renames it.
      - Blank space around the name is ignored.
    type: str
  id:
    description:
      - ID of an existing window. No lookup by name happens; the module drives that window to O(state).
      - An ID that does not exist fails, except with O(state=absent), where it means the window is already gone.
      - An incident.io ID is letters and digits; anything else fails before any request is sent. Blank space around
        it is ignored.
    type: str
  state:
    description:
      - V(present) creates the window when none is found, or changes the found window with one update when one of
        the given options differs from it. Options that are not given are left as they are.
      - V(ended) ends an active window now (its end moves to the current time), so that alerts are routed normally
        again. The API refuses an end that is not after the start, so a window that started less than a second ago
        ends one second after its start. A window that has not started yet is archived instead, so that it never
        starts; a past window is left alone. When no window is found, nothing is done and a warning says so.
      - V(absent) archives the window, ending it first when it is active (the API refuses to archive an active
        window). By name, it archives the active or upcoming window with that name or, when there is none, the one
        that ended within O(lookback).
    type: str
    choices: [present, ended, absent]
    default: present
  start_at:
    description:
      - When the window starts. An ISO 8601 time (naive means UTC), V(now), or an offset from now such as V(+15m).
      - V(now) and offsets are fixed when the window is created; they never move an existing window. An absolute
        time that differs from an existing window's start moves it.
    type: str
    default: now
  end_at:
    description:
      - When the window ends. Same formats as O(start_at). Must be after O(start_at).
      - Mutually exclusive with O(duration). One of the two is required to create a window.
      - An absolute time that differs from an existing window's end moves it.
    type: str
  duration:
    description:
      - Length of the window from O(start_at), such as V(30m), V(2h) or V(1h30m).
      - Mutually exclusive with O(end_at). One of the two is required to create a window.
      - With an absolute O(start_at), the end it gives moves an existing window whose end differs.
    type: str
  lead:
    description:
      - The user who leads the maintenance, by email address, incident.io user ID, or Slack user ID (such as
        V(U02AYNF2XJM)).
      - Required to create a window.
      - When the API's answer does not carry the kind of value given (a user without Slack account, say), the lead
        cannot be compared and is left as it is, with a warning; give the lead by ID to avoid that.
    type: str
  conditions:
    description:
      - Which alerts the window applies to, as condition groups in the API's payload shape. An alert matches when
        it satisfies every condition of at least one group.
      - Each group is a mapping with a list C(conditions); each condition has C(subject), C(operation) and
        C(param_bindings). C(subject) is an engine reference such as C(alert.title) or
        C(alert.attributes.<attribute ID>); C(operation) is a value such as C(contains), C(is), C(one_of) or
        C(is_set); C(param_bindings) lists the operation's parameters, each with a C(value) (a mapping with a
        C(literal) or a C(reference)) or an C(array_value) (a list of such mappings). Left out, C(param_bindings)
        is an empty list.
      - The shape the API answers with (C(subject) as a mapping with C(label) and C(reference), C(operation) with
        C(label) and C(value), values with a C(label)) is accepted too, so the C(alert_condition_groups) of a
        returned window can be given back as they are.
      - The order of groups and of the conditions in a group does not matter.
      - Required to create a window, with at least one condition.
    type: list
    elements: dict
  escalation_targets:
    description:
      - Where matching alerts are escalated while the window is active, instead of being suppressed.
      - Each target has C(escalation_paths) or C(users) or both, each a parameter binding like those of
        O(conditions), whose literals are escalation path IDs or user IDs.
      - An empty list removes the targets of an existing window. Not given, they are left as they are.
    type: list
    elements: dict
  notify_channels:
    description:
      - Channels told when the window starts and ends.
      - An empty list removes the channels of an existing window. Not given, they are left as they are.
      - Channels are compared by C(channel_id) and C(channel_type); C(channel_name) is only a label.
    type: list
    elements: dict
    suboptions:
      channel_id:
        description: The provider's channel ID, such as a Slack channel ID.
        type: str
        required: true
      channel_type:
        description: The kind of channel, such as V(public) or V(private).
        type: str
        required: true
      channel_name:
        description: The channel's name, for people.
        type: str
  notification_message:
    description:
      - Text included in the notifications about the window. An empty string removes it.
    type: str
  notify_start_minutes_before:
    description: Minutes before the start at which O(notify_channels) are told.
    type: int
  notify_end_minutes_before:
    description: Minutes before the end at which O(notify_channels) are told.
    type: int
  incident_id:
    description:
      - ID of an incident that matching alerts are attached to while the window is active. An empty string removes it.
      - An incident.io ID is letters and digits; anything else fails before any request is sent.
    type: str
  resolve_on_end:
    description:
      - Whether the alerts that matched the window and still fire are resolved when it ends.
      - Not given, an existing window keeps its setting and a new one gets the API's default (V(false)).
    type: bool
  reroute_on_end:
    description:
      - Whether alerts that still fire go through alert routing again when the window ends.
      - Not given, an existing window keeps its setting and a new one gets the API's default (V(false)).
    type: bool
  show_in_sidebar:
    description:
      - Whether the window shows in the incident.io dashboard's sidebar while it is active.
      - Not given, an existing window keeps its setting and a new one shows there.
    type: bool
  lookback:
    description:
      - How far back past windows are considered when one is looked up by O(name), such as V(24h) or V(7d).
      - Active and upcoming windows are always found. Past windows are read only when they matter (O(state=ended)
        or O(state=absent) finding no active or upcoming window, or O(state=present) asking for a window that has
        already ended); the API cannot filter them by time, so this reads every past window.
    type: str
    default: 24h
notes:
  - Every operation needs its own scope on the API key, reads included - C(maintenance_windows.view) to read,
    C(maintenance_window.create) to create, C(maintenance_window.update) to change and to end, and
    C(maintenance_window.destroy) to archive. A refused request fails with a message that names the missing scope.
    The status-page permission of the other modules is not needed.
  - A change is sent as one C(PUT) that carries the whole window, as the API asks; fields this task does not give are
    sent as they are.
  - Ending an active window moves its end to the current time of the host that runs the module. When archiving right
    after that is refused because the API still counts the window as active (its clock is behind), the archive is
    retried after a pause, at most O(retries) times.
  - Parallel runs on one host (forks of one play, parallel jobs on one controller or execution node) that manage the
    same window take turns through a lock file, and a create whose answer was lost is looked for before it is sent
    again, so one window is created. Runs on different hosts share no lock, and the API offers no idempotency key for
    these windows; use C(run_once) or a single job to open a window.
seealso:
  - module: incident_io.status_page.status_page_maintenance
  - name: incident.io alert maintenance windows API
    description: The MaintenanceWindows V1 endpoints this module uses.
    link: https://api-docs.incident.io/tag/MaintenanceWindows-V1
author:
  - incident_io.status_page maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Keep on-call quiet for the API's alerts during the next hour's deploy
  incident_io.status_page.alert_maintenance_window:
    name: Deploy of the API
    duration: 1h
    lead: avery@acme.example
    conditions:
      - conditions:
          - subject: alert.title
            operation: contains
            param_bindings:
              - value: {literal: api}
    notification_message: The API is being deployed; its alerts are held back.
    notify_channels:
      - {channel_id: C0DEPLOYS, channel_type: public, channel_name: deploys}
  register: alert_window

- name: Route the alerts of one service to the platform on-call instead of dropping them
  incident_io.status_page.alert_maintenance_window:
    name: Database upgrade
    start_at: "2026-06-01T02:00:00Z"
    end_at: "2026-06-01T04:00:00Z"
    lead: 01G0J1EXE7AXZ2C93K61WBPYEH
    conditions:
      - conditions:
          - subject: alert.attributes.01GW2G3V0S59R238FAHPDS1R67
            operation: one_of
            param_bindings:
              - array_value: [{literal: database}, {literal: storage}]
    escalation_targets:
      - escalation_paths:
          array_value: [{literal: 01GW2G3V0S59R238FAHPDS1R68}]
    resolve_on_end: true

- name: End the deploy's window as soon as the deploy is done, so alerts are routed again
  incident_io.status_page.alert_maintenance_window:
    name: Deploy of the API
    state: ended

- name: Archive a window by ID
  incident_io.status_page.alert_maintenance_window:
    id: "{{ alert_window.id }}"
    state: absent

- name: Wrap a deploy in both windows, the status page's and the alerts'
  module_defaults:
    group/incident_io.status_page.status_page:
      api_key: "{{ vault_incident_api_key }}"
  block:
    - name: Tell subscribers
      incident_io.status_page.status_page_maintenance:
        status_page: Acme Cloud
        name: Deploy {{ release }}
        state: in_progress
        duration: 1h
        components: [API/REST API]

    - name: Keep on-call quiet
      incident_io.status_page.alert_maintenance_window:
        name: Deploy {{ release }}
        duration: 1h
        lead: avery@acme.example
        conditions:
          - conditions:
              - {subject: alert.title, operation: contains, param_bindings: [{value: {literal: api}}]}

    - name: Deploy
      ansible.builtin.include_tasks: deploy.yml

  always:
    - name: Route alerts normally again
      incident_io.status_page.alert_maintenance_window:
        name: Deploy {{ release }}
        state: ended

    - name: Tell subscribers the deploy is over
      incident_io.status_page.status_page_maintenance:
        status_page: Acme Cloud
        name: Deploy {{ release }}
        state: completed
"""

RETURN = r"""
window:
  description:
    - The window after the run, as the API returns it. In check mode, the predicted window (C(id) is V(null) for a
      window that would be created, and labels repeat the references).
    - For a window that was archived, the window as it was, with C(archived_at).
    - An empty dictionary when no window was found and none was created.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the window.
      type: str
      sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0SV
    name:
      description: Name of the window.
      type: str
    start_at:
      description: Start of the window.
      type: str
      sample: "2026-05-01T10:00:00Z"
    end_at:
      description: End of the window.
      type: str
      sample: "2026-05-01T11:00:00Z"
    lead:
      description: The lead, as an actor (C(user) with C(id), C(name), C(email), C(slack_user_id)).
      type: dict
    alert_condition_groups:
      description: The conditions, with labels.
      type: list
      elements: dict
    archived_at:
      description: When the window was archived; absent for a window that is not.
      type: str
id:
  description: ID of the window; V(null) when there is none, or when it would be created in check mode.
  returned: success
  type: str
  sample: 01JB5A7Z3KJ4W5M6N7P8Q9R0SV
status:
  description:
    - V(active), V(upcoming) or V(past) (by the clock of the host that ran the module), or V(archived); V(null) when
      there is no window.
  returned: success
  type: str
  sample: active
action:
  description:
    - What the run did (or would do in check mode) - V(created), V(updated), V(ended), V(archived) or V(none).
  returned: success
  type: str
  sample: created
diff:
  description: The managed fields before and after, when diff mode is on.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(name), C(status), C(start_at), C(end_at), C(lead), C(conditions) and the other managed fields
        before the run; empty for a create.
      type: dict
    after:
      description: The same fields after the run; empty for an archive.
      type: dict
"""

from datetime import timedelta

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import (
    InputError,
    NotFoundError,
    StatusPageError,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._client import check_id_option, connection_argument_spec
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import (
    ModuleRun,
    Request,
    not_found,
    run_module,
    stripped_option,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._lock import host_lock
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    ALERT_WINDOW_FLAGS,
    ALERT_WINDOW_STATES,
    ARCHIVED,
    alert_window_normal_form,
    alert_window_payload,
    alert_window_status,
    condition_groups_payload,
    describe_lead,
    escalation_targets_payload,
    lead_matches,
    lead_reference,
    notify_channels_payload,
    predicted_alert_window,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    format_time,
    normalize_time,
    parse_time,
    utcnow,
)


class AlertWindowRequest(Request):
    """The module's options, parsed and validated before any request is sent."""

    def __init__(self, params: dict, now):
        super().__init__(params, now)
        self.state = params["state"]
        # Surrounding blank space is never part of an ID or a name: a value read from a file keeps its newline. The ID
        # is checked before it can reach a URL path.
        self.id = check_id_option(params["id"], "id")
        self.name = stripped_option(params, "name")

        # Relative times in whole seconds: the window's times must read back as they were sent, to find it again
        # after a lost answer, and the API may keep fewer digits than the clock gives.
        self.read_schedule(params, whole_seconds=True)
        self.read_lookback()

        self.lead = lead_reference(params["lead"]) if params["lead"] is not None else None
        # What the task says about the window, by payload field; a field that is not here is left as it is.
        self.fields = {}
        if params["conditions"] is not None:
            if not params["conditions"]:
                raise InputError("conditions: needs at least one condition group; a window applies to the alerts its "
                                 "conditions match")
            self.fields["alert_condition_groups"] = condition_groups_payload(params["conditions"], "conditions")
        if params["escalation_targets"] is not None:
            self.fields["escalation_targets"] = escalation_targets_payload(params["escalation_targets"])
        if params["notify_channels"] is not None:
            self.fields["notify_channels"] = notify_channels_payload(
                [{key: value for key, value in channel.items() if value is not None} if isinstance(channel, dict)
                 else channel for channel in params["notify_channels"]])
        for name in ("notify_start_minutes_before", "notify_end_minutes_before"):
            if params[name] is not None:
                if params[name] < 0:
                    raise InputError(f"{name}: must be 0 or more minutes, got {params[name]}")
                self.fields[name] = params[name]
        if params["incident_id"] is not None:
            # An empty string removes the incident from the window.
            given = params["incident_id"]
            self.fields["incident_id"] = check_id_option(given, "incident_id") if given.strip() else ""
        if params["notification_message"] is not None:
            self.fields["notification_message"] = params["notification_message"]
        for name in ALERT_WINDOW_FLAGS:
            if params[name] is not None:
                self.fields[name] = params[name]

    def apply(self, current: dict) -> dict:
        """The payload of ``current`` with what the task says applied: the PUT body of a change."""
        payload = alert_window_payload(current)
        if self.id is not None and self.name is not None:
            payload["name"] = self.name
        if self.start_absolute:
            payload["start_at"] = format_time(self.start)
        if self.end is not None and self.end_absolute:
            payload["end_at"] = format_time(self.end)
        if self.lead is not None and lead_matches(self.lead, current) is False:
            payload["lead"] = dict(self.lead)
        for name, value in self.fields.items():
            payload[name] = value
        # Cleared fields are left out: the PUT replaces the whole window.
        return {name: value for name, value in payload.items() if value not in ("", [], None) or name in (
            "alert_condition_groups",) + ALERT_WINDOW_FLAGS}

    def create_payload(self) -> dict:
        payload = {
            "name": self.name,
            "lead": dict(self.lead),
            "start_at": format_time(self.start),
            "end_at": format_time(self.end),
            "alert_condition_groups": self.fields["alert_condition_groups"],
            "show_in_sidebar": True,
        }
        payload.update({name: value for name, value in self.fields.items() if value not in ("", [])})
        return payload


def end_now(current: dict, now) -> str:
    """The end of a window that ends now: never before its start, which the API would refuse."""
    start = parse_time(current["start_at"], "start_at")
    end = max(now.replace(microsecond=0), start + timedelta(seconds=1))
    return format_time(end)


def same_times(window: dict, start_at: str, end_at: str) -> bool:
    return (normalize_time(window.get("start_at")), normalize_time(window.get("end_at"))) == (start_at, end_at)


class AlertWindowRun(ModuleRun):
    """One run of the module: read, decide, write unless check mode, and describe the result."""

    REQUEST = AlertWindowRequest
    RESULT_KEY = "window"
    GONE_ACTIONS = ("archived",)

    def params(self) -> dict:
        # A caller other than AnsibleModule may leave out the options that are not set: they take their defaults.
        return dict(OPTION_DEFAULTS, **self.module.params)

    # ----- reads ---------------------------------------------------------------------------------

    def named(self, windows: list, name: str) -> list:
        """The windows with this name that are not archived: an archived window is gone, whatever list shows it."""
        return [window for window in windows if window.get("name") == name and not window.get("archived_at")]

    def current_by_name(self, name: str) -> list:
        """Active and upcoming windows with this name."""
        # Upcoming first: a window that starts between the two reads then shows in both lists rather than in none.
        found = {}
        for status in ("upcoming", "active"):
            for window in self.named(self.client.list_alert_windows(status), name):
                found[window["id"]] = window
        return list(found.values())

    def past_by_name(self, request: AlertWindowRequest) -> list:
        """Past windows with this name that ended within the lookback, latest end first."""
        past = [window for window in self.named(self.client.list_alert_windows("past"), request.name)
                if window.get("end_at") and parse_time(window["end_at"], "end_at") >= request.lookback_start]
        return sorted(past, key=lambda window: parse_time(window["end_at"], "end_at"), reverse=True)

    def read_by_id(self, request: AlertWindowRequest):
        try:
            return self.client.get_alert_window(request.id)
        except NotFoundError as exc:
            if request.state == "absent":
                return None
            raise not_found("alert maintenance window", request.id, exc) from None

    def find(self, request: AlertWindowRequest) -> tuple:
        """(the window the task is about or None, the IDs of every window with its name that was read)."""
        if request.id is not None:
            window = self.read_by_id(request)
            return window, [window["id"]] if window else []
        current = self.current_by_name(request.name)
        if len(current) > 1:
            ids = ", ".join(sorted(window["id"] for window in current))
            raise StatusPageError(f"name: {len(current)} active or upcoming alert maintenance windows are named "
                                  f"{request.name!r} ({ids}); give the one to manage as id")
        if current:
            return current[0], [current[0]["id"]]
        if request.state == "present" and not self.may_be_past(request):
            return None, []
        past = self.past_by_name(request)
        seen = [window["id"] for window in past]
        if request.state == "present":
            wanted = (format_time(request.start), format_time(request.end))
            return next((window for window in past if same_times(window, *wanted)), None), seen
        if request.state == "absent" and len(past) > 1:
            raise StatusPageError(
                f"name: {len(past)} alert maintenance windows named {request.name!r} ended within the lookback "
                f"({', '.join(sorted(seen))}); give the one to archive as id")
        return (past[0] if past else None), seen

    @staticmethod
    def may_be_past(request: AlertWindowRequest) -> bool:
        """Whether the window a present task asks for may already have ended: fixed times that lie in the past."""
        return request.start_absolute and request.end is not None and request.end_absolute and request.end <= request.now

    # ----- the run -------------------------------------------------------------------------------

    def run(self) -> dict:
        request = self.request
        # Runs on this host that manage the same window read, decide and write in turn: the API has no idempotency
        # key for these windows, so two runs that both found none would both create one.
        lock = ("id", request.id) if request.id is not None else ("name", request.name)
        with host_lock(self.client.base_url, "alert_maintenance_window", *lock):
            return self.decide(request)

    def decide(self, request: AlertWindowRequest) -> dict:
        current, seen_ids = self.find(request)
        status = alert_window_status(current, request.now) if current else None
        if request.state == "absent":
            if current is None or status == ARCHIVED:
                return self.result("none", current, current)
            return self.archive(request, current, status)
        if request.state == "ended":
            if current is None:
                self.warn(f"No alert maintenance window named {request.name!r} is active or upcoming, or ended within "
                          f"the lookback; nothing to end")
                return self.result("none", None, None)
            if status == "active":
                return self.end(request, current)
            if status == "upcoming":
                # Ending a window that has not started means it never starts; the API cannot end it before its start.
                return self.archive(request, current, status)
            return self.result("none", current, current)
        if current is None:
            return self.create(request, seen_ids)
        if status == ARCHIVED:
            raise StatusPageError(f"id: alert maintenance window {current['id']} was archived at "
                                  f"{normalize_time(current['archived_at'])} "
                                  "and cannot be changed; leave out id to create a new window")
        return self.converge(request, current)

    # ----- writes --------------------------------------------------------------------------------

    def create(self, request: AlertWindowRequest, seen_ids: list) -> dict:
        missing = [option for option, known in (("lead", request.lead is not None),
                                                ("conditions", "alert_condition_groups" in request.fields),
                                                ("end_at or duration", request.end is not None)) if not known]
        if missing:
            raise StatusPageError(f"{' and '.join(missing)}: required to create the alert maintenance window "
                                  f"{request.name!r} (no active or upcoming window with that name was found)")
        payload = request.create_payload()
        if self.check_mode:
            return self.result("created", None, predicted_alert_window(payload, now=request.now))

        def find_created():
            # The lost answer's window is the one with this name and these times that was not there before.
            statuses = ["upcoming", "active"] + (["past"] if request.end <= utcnow() else [])
            listed = [window for status in statuses for window in self.client.list_alert_windows(status)]
            candidates = [window for window in self.named(listed, request.name)
                          if window["id"] not in seen_ids and same_times(window, payload["start_at"], payload["end_at"])]
            return max(candidates, key=lambda window: window.get("created_at") or "") if candidates else None

        created = self.client.create_alert_window(payload, find_created)
        return self.result("created", None, created)

    def converge(self, request: AlertWindowRequest, current: dict) -> dict:
        if request.lead is not None and lead_matches(request.lead, current) is None:
            kind, value = next(iter(request.lead.items()))
            self.warn(f"lead: the lead of alert maintenance window {current['id']} ({describe_lead(current)}) has no "
                      f"{kind} in the API's answer, so it cannot be compared with {value!r} and is left as it is; "
                      "give the lead by ID to manage it")
        desired = request.apply(current)
        lead_changed = request.lead is not None and lead_matches(request.lead, current) is False
        if alert_window_normal_form(desired) == alert_window_normal_form(current) and not lead_changed:
            return self.result("none", current, current)
        if parse_time(desired["end_at"], "end_at") <= parse_time(desired["start_at"], "start_at"):
            raise StatusPageError(self.unusable_schedule(request, current, desired))
        after = self.put(request, current, desired)
        return self.result("updated", current, after)

    @staticmethod
    def unusable_schedule(request: AlertWindowRequest, current: dict, desired: dict) -> str:
        """Why the PUT cannot be sent, blaming only a time the task gave."""
        given = [option for option, fixed in (("start_at", request.start_absolute),
                                              ("end_at", request.end is not None and request.end_absolute)) if fixed]
        schedule = (f"alert maintenance window {current['id']} runs {normalize_time(current['start_at'])} to "
                    f"{normalize_time(current['end_at'])}")
        if not given:
            # The task changes something else: the API takes a change as a PUT of the whole window, schedule included,
            # and the schedule the window reports cannot be sent back.
            return (f"{schedule}, which ends before it starts; the API takes any change as a PUT of the whole window, "
                    "and would refuse that schedule. Give absolute start_at and end_at (or duration) in the same task "
                    "to fix the schedule along with the change")
        return (f"{' and '.join(given)}: the window would end ({desired['end_at']}) before it starts "
                f"({desired['start_at']}); {schedule}. Give both start_at and end_at (or duration) to move it")

    def put(self, request: AlertWindowRequest, current: dict, desired: dict) -> dict:
        if "lead" not in desired:
            raise StatusPageError(
                f"lead: the lead of alert maintenance window {current['id']} is not a user "
                f"({describe_lead(current) or 'none'}), and a change must name one; give lead")
        if self.check_mode:
            return predicted_alert_window(desired, current, request.now)
        return self.client.update_alert_window(current["id"], desired)

    def end(self, request: AlertWindowRequest, current: dict) -> dict:
        desired = alert_window_payload(current)
        desired["end_at"] = end_now(current, request.now)
        after = self.put(request, current, desired)
        return self.result("ended", current, after)

    def archive(self, request: AlertWindowRequest, current: dict, status: str) -> dict:
        ended_now = status == "active"
        if ended_now:
            # The API refuses to archive an active window: end it first.
            desired = alert_window_payload(current)
            desired["end_at"] = end_now(current, request.now)
            current_after_end = self.put(request, current, desired)
        else:
            current_after_end = current
        if not self.check_mode:
            self.client.archive_alert_window(current["id"], ended_just_now=ended_now)
        archived = dict(current_after_end, archived_at=format_time(request.now))
        return self.result("archived", current, archived)

    # ----- result --------------------------------------------------------------------------------

    def describe(self, window: dict) -> dict:
        """The managed fields of a window, for the diff."""
        request = self.request
        prefer = tuple(request.lead) + ("email", "slack_user_id", "id") if request.lead else ("email", "slack_user_id", "id")
        fields = alert_window_normal_form(window)
        fields["status"] = alert_window_status(window, request.now)
        fields["lead"] = describe_lead(window, prefer)
        return fields

    def result(self, action: str, before, after, **extra) -> dict:
        status = alert_window_status(after, self.request.now) if after else None
        return super().result(action, before, after, status=status, **extra)


MODULE_ARGS = dict(
    argument_spec=connection_argument_spec(
        name={"type": "str"},
        id={"type": "str"},
        state={"type": "str", "default": "present", "choices": list(ALERT_WINDOW_STATES)},
        start_at={"type": "str", "default": "now"},
        end_at={"type": "str"},
        duration={"type": "str"},
        lead={"type": "str"},
        conditions={"type": "list", "elements": "dict"},
        escalation_targets={"type": "list", "elements": "dict"},
        notify_channels={"type": "list", "elements": "dict", "options": {
            "channel_id": {"type": "str", "required": True},
            "channel_type": {"type": "str", "required": True},
            "channel_name": {"type": "str"},
        }},
        notification_message={"type": "str"},
        notify_start_minutes_before={"type": "int"},
        notify_end_minutes_before={"type": "int"},
        incident_id={"type": "str"},
        resolve_on_end={"type": "bool"},
        reroute_on_end={"type": "bool"},
        show_in_sidebar={"type": "bool"},
        lookback={"type": "str", "default": "24h"},
    ),
    mutually_exclusive=[["end_at", "duration"]],
    required_one_of=[["id", "name"]],
    supports_check_mode=True,
)


OPTION_DEFAULTS = {name: option.get("default") for name, option in MODULE_ARGS["argument_spec"].items()}


# run(module, client): what main() runs, and what the maintenance_window role runs in the controller's process.
run = AlertWindowRun.run_with


def main():
    run_module(MODULE_ARGS, run)


if __name__ == "__main__":
    main()
