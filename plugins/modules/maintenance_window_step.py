#!/usr/bin/python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: maintenance_window_step
short_description: One step of the maintenance_window role (open, finish or complete the deploy's window)
version_added: 1.0.0
description:
  - The engine of the role C(incident_io.status_page.maintenance_window).
    Use the role; this action is documented so that the role's tasks can be read, and for wrappers of its own.
  - Runs on the controller, inside its process, whatever host the task runs for, and never connects to the host.
    It runs M(incident_io.status_page.status_page_maintenance) and M(incident_io.status_page.status_page_incident)
    there, with their own option checks, environment fallbacks and defaults, and returns what they return.
  - Options the modules take come, in this order, from the task, from C(module_defaults) for the module (or its
    action group C(group/incident_io.status_page.status_page)), from the environment, then from the module's
    default. An option left out of the task (or omitted with C(omit)) does not hide its C(module_defaults).
  - V(prepare) records, per host, which play run this is and whether the role's steps run once per batch
    (C(linear) strategy) or once per host (C(free)).
  - V(open) opens the play run's window in the first batch, after checking the deploy's task file and, in the
    module, the page, the components, the times and the credentials; a failure there publishes nothing. Later
    batches (and other hosts, with C(free)) reuse the window; they read it, fail when it was completed meanwhile,
    and move its deadline (the end at which incident.io completes it) on when it is less than half the duration away.
  - V(join) is V(open) for a window that another job opened; it finds the window without writing, fails when none
    is in progress, moves its deadline on, and V(finish) never finishes such a window.
  - A window belongs to one deploy, named by O(idempotency_key); without one, by the AWX workflow job and job
    template (C(awx_workflow_job_id), C(awx_job_template_id)) in a job of an AWX workflow, else by the play run.
    A run that finds the window of its name already in progress joins it and moves its deadline on.
  - V(finish) keeps the window in progress while later batches are still to deploy, and finishes it (per
    O(on_failure)) after the last batch, or after a batch whose failures make Ansible stop the play (every host
    of the batch failed, C(any_errors_fatal), C(max_fail_percentage)), when this run may finish it
    (O(finished_by)); otherwise it leaves the window in progress and warns who will finish it (RV(outcome=left_open)).
  - V(start) opens the window (entry point C(start) of the role); V(complete) completes the window of the
    C(maintenance_window) fact, or the one found by O(status_page) and O(name) (entry point C(complete)).
extends_documentation_fragment:
  - incident_io.status_page.attributes
attributes:
  check_mode:
    support: full
    details:
      - Sends no write. In check mode, V(finish) and V(complete) show the completion they would publish on the
        window that V(open) would create.
  diff_mode:
    support: full
    details:
      - Returns the diff of the window (and of the incident) that the modules return.
  idempotent:
    support: full
    details:
      - As the modules it runs. With the same O(idempotency_key), a re-run of a finished deploy publishes
        nothing (see O(when_finished)).
options:
  step:
    description: Which step to run.
    type: str
    required: true
    choices: [prepare, open, join, finish, start, complete]
  fail_on_error:
    description:
      - When V(false), a failure does not fail the task; the result has RV(open_failed=true) and the message in
        C(msg), so that the role can fail every host of the batch itself, each in its own rescue.
    type: bool
    default: true
  status_page:
    description: Name or ID of the status page.
    type: str
  name:
    description: Title of the maintenance window.
    type: str
  components:
    description: Components under maintenance, by name, C(Group/Name), C(Sub-page/Name) or ID.
    type: list
    elements: str
  duration:
    description:
      - Planned length of the window, such as V(30m).
      - When neither this option nor C(module_defaults) gives a duration or an end, V(1h).
    type: str
  deploy_tasks:
    description:
      - Task file of the deploy, absolute or relative to the playbook's directory. V(open) checks that it exists
        and holds valid tasks before it publishes anything, and returns its absolute path as RV(deploy_tasks).
    type: str
  start_message:
    description: Text published when the window opens.
    type: str
  complete_message:
    description: Text published when the window is completed after a successful deploy.
    type: str
  failure_message:
    description: Text published when the window is completed after a failed deploy.
    type: str
  keep_open_message:
    description: Text published on the window left in progress after a failed deploy (O(on_failure=keep_open)).
    type: str
  on_failure:
    description: What V(finish) publishes when the deploy failed on any host.
    type: str
    choices: [complete, keep_open, incident]
    default: complete
  when_finished:
    description:
      - What V(open) and V(start) do when O(idempotency_key) names a window that is already complete (a retried
        job whose deploy already ran).
      - V(fail) fails before any host deploys, naming the window and when it completed.
      - V(skip) skips the deploy (ok, not changed).
      - V(new_window) opens a new window, with a key derived from the given one and the finished window, and deploys.
    type: str
    choices: [fail, skip, new_window]
    default: fail
  finished_by:
    description:
      - Who finishes the window after the deploy.
      - V(auto) lets this run finish it when it knows nobody else still deploys under it, that is when the run
        opened the window, nobody moved the deadline the run set, and the run is not a job of an AWX workflow job.
      - V(this_run) always lets it finish; V(another_job) never does (entry point C(complete) or the deadline will).
    type: str
    choices: [auto, this_run, another_job]
    default: auto
  deploy_failed:
    description: For V(complete), whether the deploy failed; V(true) finishes the window per O(on_failure).
    type: bool
    default: false
  incident_name:
    description: Title of the incident opened with O(on_failure=incident).
    type: str
  incident_message:
    description: Text of the incident opened with O(on_failure=incident).
    type: str
  incident_status:
    description: Status of that incident.
    type: str
    choices: [investigating, identified, monitoring]
    default: investigating
  incident_components:
    description: Components of that incident; when not set, O(components).
    type: list
    elements: str
  incident_component_status:
    description: Status of each of the incident's components.
    type: str
    choices: [degraded_performance, partial_outage, full_outage]
    default: degraded_performance
  notify_subscribers:
    description: Whether what is published notifies the page's subscribers.
    type: bool
  automate:
    description: Whether incident.io's automation runs the window.
    type: bool
  idempotency_key:
    description: Key that names the deploy's window, such as the AWX workflow job ID.
    type: str
  lookback:
    description: How far back windows are looked up by name.
    type: str
  api_key:
    description: incident.io API key; see M(incident_io.status_page.status_page_maintenance).
    type: str
  api_url:
    description: Base URL of the API; see M(incident_io.status_page.status_page_maintenance).
    type: str
  validate_certs:
    description: Whether to check the API's TLS certificate.
    type: bool
  timeout:
    description: Seconds to wait for each request.
    type: float
  retries:
    description: How many times a request is retried.
    type: int
notes:
  - The facts the role's tasks set on each host (C(__maintenance_window_host), C(__maintenance_window_failure),
    C(__maintenance_window_done)) and the one V(open) and V(finish) return (C(__maintenance_window_records), the
    records of the play run's deploys by page, window name and nesting) are how V(finish) sees every host of the
    play run; they are private to the role.
seealso:
  - module: incident_io.status_page.status_page_maintenance
  - module: incident_io.status_page.status_page_incident
author:
  - incident_io.status_page maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Open the deploy's window, as the maintenance_window role does
  incident_io.status_page.maintenance_window_step:
    step: start
    status_page: Acme Cloud
    name: Release 42
    components: [Website]
    duration: 30m
  run_once: true
  register: maintenance_window
"""

RETURN = r"""
id:
  description: ID of the window; V(null) when it would be created in check mode.
  returned: success, for every step but V(prepare)
  type: str
maintenance:
  description: The window, as M(incident_io.status_page.status_page_maintenance) returns it.
  returned: success, for every step but V(prepare)
  type: dict
action:
  description: What the module run did, as M(incident_io.status_page.status_page_maintenance) says; V(none) when no request was needed.
  returned: success, for every step but V(prepare)
  type: str
idempotency_key:
  description: The key of the window's create.
  returned: success, for every step but V(prepare)
  type: str
deploy_tasks:
  description: Absolute path of the deploy's task file.
  returned: V(open)
  type: str
run_deploy:
  description: Whether the deploy runs (V(false) when O(when_finished=skip) skipped it).
  returned: V(open)
  type: bool
predicted:
  description: V(true) in check mode when the window does not exist and was only predicted.
  returned: in check mode, when the window would be created
  type: bool
deploy_run:
  description: The play run's window, for the later steps and batches.
  returned: V(open) and V(finish)
  type: dict
outcome:
  description:
    - What V(finish) did. V(success), V(complete), V(keep_open) or V(incident) once the deploy is over; V(continues)
      while later batches are still to deploy; V(waiting) while other hosts of the batch still deploy (free
      strategy); V(none) when the window was never opened; V(left_open) when this run may not finish the window
      (O(finished_by)), which RV(left_open_reason) explains.
    - For V(complete), V(success), or with O(deploy_failed=true) the O(on_failure) choice.
  returned: V(finish) and V(complete)
  type: str
left_open_reason:
  description: Why the window stays in progress, and who finishes it (its deadline, or entry point C(complete)).
  returned: V(finish), when RV(outcome=left_open)
  type: str
joined:
  description:
    - V(true) when the window was already in progress, opened by another run; V(join) for the step V(join).
  returned: V(open) and V(join)
  type: raw
deadline:
  description: The window's end as this run last saw or set it, when incident.io completes it on its own.
  returned: V(open) and V(join), when known
  type: str
record_key:
  description: What tells this include of the role from others in the play (nesting depth, page and window name).
  returned: V(open), V(join) and V(finish)
  type: str
failed_hosts:
  description: Hosts whose deploy failed or that were lost during it, over the whole play run.
  returned: V(finish), once the deploy is over
  type: list
  elements: str
incident:
  description: The return of M(incident_io.status_page.status_page_incident) when an incident was opened.
  returned: V(finish) with O(on_failure=incident) after a failed deploy
  type: dict
open_failed:
  description: V(true) when the step failed and O(fail_on_error=false) returned the failure instead; C(msg) says why.
  returned: when the step failed with O(fail_on_error=false)
  type: bool
may_have_written:
  description: Whether a failed step may have created the window (an answer lost after the create was sent).
  returned: when a module run failed
  type: bool
run_id:
  description: Identifies the play run.
  returned: V(prepare)
  type: str
run_once:
  description: Whether the role's other steps run once per batch.
  returned: V(prepare)
  type: bool
batch:
  description: The hosts of the batch.
  returned: V(prepare)
  type: list
  elements: str
diff:
  description: The window (and incident) before and after, when diff mode is on.
  returned: when diff mode is on and a module ran
  type: dict
"""
