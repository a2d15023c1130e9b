# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of the maintenance_window role, run inside the controller's process (see the module's docs)."""

from __future__ import annotations

import copy
import hashlib
import os
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.playbook.helpers import load_list_of_blocks
from ansible.plugins.action import ActionBase

from ansible_collections.incident_io.status_page.plugins.module_utils._objects import latest_update, maintenance_window
from ansible_collections.incident_io.status_page.plugins.module_utils._time import format_time, parse_duration, parse_time, utcnow
from ansible_collections.incident_io.status_page.plugins.modules import alert_maintenance_window as alert_module
from ansible_collections.incident_io.status_page.plugins.modules import status_page_incident as incident_module
from ansible_collections.incident_io.status_page.plugins.modules import status_page_maintenance as maintenance_module
from ansible_collections.incident_io.status_page.plugins.plugin_utils._in_process import (
    ModuleRunFailed,
    censor,
    environment_of,
    find_play,
    module_defaults_for,
    run_client_in_process,
    run_module_in_process,
    task_environment,
)
from ansible_collections.incident_io.status_page.plugins.plugin_utils._play_run import (
    BatchOutcome,
    batch_sizes,
    runs_in_lockstep,
)

MAINTENANCE_MODULE = "incident_io.status_page.status_page_maintenance"
INCIDENT_MODULE = "incident_io.status_page.status_page_incident"
ALERT_MODULE = "incident_io.status_page.alert_maintenance_window"

CONNECTION_OPTIONS = ("api_key", "api_url", "validate_certs", "timeout", "retries")
# Options of the modules that the role passes on; anything else module_defaults sets for them is ignored,
# because the role decides it (state, times, messages) or it does not apply to the call.
OPEN_OPTIONS = CONNECTION_OPTIONS + ("status_page", "name", "components", "duration", "end_at", "notify_subscribers",
                                     "automate", "idempotency_key", "lookback")
PUBLISH_BY_ID_OPTIONS = CONNECTION_OPTIONS + ("status_page", "notify_subscribers")
PUBLISH_BY_NAME_OPTIONS = PUBLISH_BY_ID_OPTIONS + ("name", "idempotency_key", "lookback")
INCIDENT_OPTIONS = CONNECTION_OPTIONS + ("status_page", "notify_subscribers", "lookback")
# The alert window takes its name and times from the status-page window, and the role's lead and conditions;
# module_defaults for alert_maintenance_window may add the rest.
ALERT_OPTIONS = CONNECTION_OPTIONS + (
    "lead", "conditions", "escalation_targets", "notify_channels", "notification_message", "notify_start_minutes_before",
    "notify_end_minutes_before", "resolve_on_end", "reroute_on_end", "show_in_sidebar", "lookback")

DEFAULT_DURATION = "1h"
# A retried job whose key names a finished window may deploy under a new window; each such window gets a key
# derived from the last one, so a chain of retries stays bounded and replays what it already created.
MAX_NEW_WINDOWS = 20

# Facts the role's tasks set on each host, read here across hosts.
FAILURE_FACT = "__maintenance_window_failure"
DONE_FACT = "__maintenance_window_done"
HOST_FACT = "__maintenance_window_host"
WINDOW_FACT = "maintenance_window"
# The steps' own records of the deploys of the play run, by record key (see record_key()): a fact that the open and
# finish steps return, so that two includes of the role in one play (in a row or nested) never read each other's
# window from the `maintenance_window` variable that the last of them registered.
RECORDS_FACT = "__maintenance_window_records"
# The role's task that includes the deploy file: an include of the role below it is nested in that deploy.
DEPLOY_INCLUDE = "{{ maintenance_window.deploy_tasks }}"

COMPLETE = "maintenance_complete"
IN_PROGRESS = "maintenance_in_progress"
# What a window fact carries from step to step and from batch to batch.
WINDOW_KEYS = ("id", "maintenance", "idempotency_key", "deploy_tasks", "run_deploy", "predicted", "alert_window",
               "record_key", "joined", "deadline")
# The role's own keys of a window fact, which a module run's result does not have: carried onto it.
ROLE_KEYS = tuple(key for key in WINDOW_KEYS if key not in ("id", "maintenance", "idempotency_key")) + ("deploy_run",)
# What a failed host is told was published, by the finishing step's outcome.
FAILURE_NOTES = {
    "complete": "The maintenance window was completed with the failure message.",
    "keep_open": "The maintenance window was left in progress: complete it once the deploy is fixed.",
    "incident": "The maintenance window was completed and an incident was opened.",
    "none": "Nothing was published.",
    "continues": "The maintenance window stays in progress while the next batches deploy.",
    "waiting": "The maintenance window stays in progress until the other hosts finish.",
}
# What the result of a step on several pages keeps of each page's result, in ``windows``.
PAGE_RESULT_KEYS = ("id", "maintenance", "idempotency_key", "action", "changed", "outcome", "record_key", "joined",
                    "deadline", "incident", "left_open_reason")
# A later batch moves the deadline on when less than this share of the window's span is left before it.
DEADLINE_MARGIN = 0.5

STEP_ARGUMENT_SPEC = {
    "step": {"type": "str", "required": True, "choices": ["prepare", "open", "join", "finish", "start", "complete"]},
    "fail_on_error": {"type": "bool", "default": True},
    "status_page": {"type": "str"},
    "status_pages": {"type": "list", "elements": "dict", "options": {
        "status_page": {"type": "str", "required": True},
        "components": {"type": "list", "elements": "str"},
    }},
    "name": {"type": "str"},
    "components": {"type": "list", "elements": "str"},
    "duration": {"type": "str"},
    "deploy_tasks": {"type": "str"},
    "start_message": {"type": "str"},
    "complete_message": {"type": "str"},
    "failure_message": {"type": "str"},
    "keep_open_message": {"type": "str"},
    "on_failure": {"type": "str", "default": "complete", "choices": ["complete", "keep_open", "incident"]},
    "when_finished": {"type": "str", "default": "fail", "choices": ["fail", "skip", "new_window"]},
    "finished_by": {"type": "str", "default": "auto", "choices": ["auto", "this_run", "another_job"]},
    "deploy_failed": {"type": "bool", "default": False},
    "incident_name": {"type": "str"},
    "incident_message": {"type": "str"},
    "incident_status": {"type": "str", "default": "investigating", "choices": ["investigating", "identified", "monitoring"]},
    "incident_components": {"type": "list", "elements": "str"},
    "incident_component_status": {"type": "str", "default": "degraded_performance",
                                  "choices": ["degraded_performance", "partial_outage", "full_outage"]},
    "notify_subscribers": {"type": "bool"},
    "automate": {"type": "bool"},
    "idempotency_key": {"type": "str", "no_log": False},
    "lookback": {"type": "str"},
    "alert_conditions": {"type": "list", "elements": "dict"},
    "alert_lead": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "api_url": {"type": "str"},
    "validate_certs": {"type": "bool"},
    "timeout": {"type": "float"},
    "retries": {"type": "int"},
}


class StepError(Exception):
    """The step fails with this message (and these extra result keys)."""

    def __init__(self, message: str, **result):
        super().__init__(message)
        self.result = dict(result, msg=message)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    # Everything happens in the controller's process: no connection to the host is needed.
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self.task_vars = task_vars or {}
        validation = ArgumentSpecValidator(STEP_ARGUMENT_SPEC).validate(self._task.args)
        self.no_log_values = validation._no_log_values
        if validation.error_messages:
            return self.failed(result, {"msg": f"{self._task.action}: {validation.errors.msg}"})
        self.args = validation.validated_parameters
        self.check_mode = bool(self._task.check_mode)
        self.diff = bool(self._task.diff)
        self.play = find_play(self._task)
        self.run_id = play_run_id(self.play)
        step = getattr(self, "step_" + self.args["step"])
        try:
            with environment_of(task_environment(self._task, self._templar)):
                outcome = step()
        except StepError as exc:
            if not self.args["fail_on_error"]:
                result.update(exc.result, changed=False, open_failed=True)
                return censor(result, self.no_log_values)
            return self.failed(result, exc.result)
        result.update(outcome)
        return censor(result, self.no_log_values)

    def failed(self, result: dict, failure: dict) -> dict:
        result.update(failure)
        result["failed"] = True
        return censor(result, self.no_log_values)

    # ----- steps ---------------------------------------------------------------------------------------------

    def step_prepare(self) -> dict:
        """Per host, before anything else: which play run this is, and how the role's steps run in it."""
        return {
            "changed": False,
            "run_id": self.run_id,
            "run_once": runs_in_lockstep(getattr(self.play, "strategy", None)),
            "batch": list(self.task_vars.get("ansible_play_batch") or []),
        }

    def step_start(self) -> dict:
        """Entry point `start`: open the window (or find it open) and publish that it is in progress."""
        return self.each_page(lambda page: page.open_window(), preflight=True)

    def step_open(self) -> dict:
        """Entry point `main`, before the deploy: check everything, then open the play run's one window."""
        return self.each_page(lambda page: page.begin_deploy(joins=False), preflight=True)

    def step_join(self) -> dict:
        """Entry point `join`: deploy inside a window that another job opened, and never finish it."""
        return self.each_page(lambda page: page.begin_deploy(joins=True))

    # ----- one deploy on several pages ---------------------------------------------------------------------------

    def page_steps(self) -> list:
        """This step once per page of status_pages (each a copy of the step with that page and its components), or
        the step itself for one page."""
        pages = self.args["status_pages"]
        if not pages:
            return [self]
        if self.args["status_page"] or self.args["components"]:
            raise StepError("maintenance_window_status_pages: give either it, or maintenance_window_status_page and "
                            "maintenance_window_components, not both")
        seen, steps = set(), []
        for number, page in enumerate(pages):
            if page["status_page"] in seen:
                raise StepError(f"maintenance_window_status_pages: status page {page['status_page']!r} is given twice")
            seen.add(page["status_page"])
            step = copy.copy(self)
            step.args = dict(self.args, status_page=page["status_page"], components=page["components"], status_pages=None)
            if self.args["idempotency_key"]:
                # A key names one window on one page: each page's window gets a key of its own, derived from it.
                step.args["idempotency_key"] = f"{self.args['idempotency_key']}/{page['status_page']}"
            if number:
                # One alert window for the deploy, whatever the number of pages: the first page's step keeps it.
                step.args["alert_conditions"] = None
            steps.append(step)
        return steps

    def each_page(self, run, *, preflight: bool = False) -> dict:
        """``run(step)`` for each page, after checking every page that has no window yet, so that a page that does
        not resolve stops the deploy before any page shows anything."""
        steps = self.page_steps()
        if len(steps) == 1:
            return run(steps[0])
        if preflight:
            self.check_deploy_tasks()
            for step in steps:
                if not step.run_records(step.record_key()):
                    step.run_maintenance(step.window_options(msg=self.args["start_message"]), check_mode=True)
        results = []
        for step in steps:
            try:
                results.append(run(step))
            except StepError as exc:
                if results:
                    # The pages opened so far show the window: the finishing step must finish them.
                    facts = self.combined(results).get("ansible_facts") or {RECORDS_FACT: {}}
                    for page in results:
                        record = facts[RECORDS_FACT].get(page.get("record_key"))
                        if record is not None:
                            facts[RECORDS_FACT][page["record_key"]] = dict(record, may_have_written=True)
                    exc.result.update(may_have_written=True, ansible_facts=facts)
                raise
        return self.combined(results)

    @staticmethod
    def combined(results: list) -> dict:
        """One result for the pages' results: the first page's, with every page's window in ``windows``."""
        result = dict(results[0])
        result["windows"] = [{key: page[key] for key in PAGE_RESULT_KEYS if key in page} for page in results]
        result["changed"] = any(page.get("changed") for page in results)
        records, own = {}, {}
        for page in results:
            page_records = ((page.get("ansible_facts") or {}).get(RECORDS_FACT)) or {}
            records.update(page_records)
            # Each page's result holds the others' records as they were before: its own record is the one to keep.
            if page.get("record_key") in page_records:
                own[page["record_key"]] = page_records[page["record_key"]]
        records.update(own)
        if records:
            result["ansible_facts"] = {RECORDS_FACT: records}
        warnings = [warning for page in results for warning in page.get("warnings") or []]
        if warnings:
            result["warnings"] = warnings
        diffs = [page["diff"] for page in results if page.get("diff")]
        if diffs:
            result["diff"] = diffs
        reasons = [page["left_open_reason"] for page in results if page.get("left_open_reason")]
        if reasons:
            result["left_open_reason"] = " ".join(reasons)
        return result

    def begin_deploy(self, *, joins: bool) -> dict:
        key = self.record_key()
        earlier = self.run_records(key)
        if earlier:
            latest = max(earlier, key=lambda record: record["deploy_run"]["batch_number"])
            run = latest["deploy_run"]
            if run["state"] == "finished":
                raise StepError(
                    f"The deploy {run['window']!r} already ended in this play after batch {run['batch_number']} "
                    f"({run['outcome']}); its maintenance window was finished, so this batch does not deploy.",
                    deploy_run=run)
            batch = list(self.task_vars.get("ansible_play_batch") or [])
            same_batch = self.task_vars.get("inventory_hostname") in run["batch"]
            reused = {name: latest[name] for name in WINDOW_KEYS if name in latest}
            if not same_batch:
                reused.update(self.keep_alive(reused))
            return self.with_record(dict(reused, changed=False, action="none", deploy_run=dict(
                run, batch=run["batch"] if same_batch else batch,
                batch_number=run["batch_number"] if same_batch else run["batch_number"] + 1)))
        deploy_tasks = self.check_deploy_tasks()
        opened = self.join_window() if joins else self.open_window()
        opened["deploy_tasks"] = deploy_tasks
        opened["record_key"] = key
        opened["deploy_run"] = {
            "id": self.run_id,
            "window": self.args["name"],
            "batch": list(self.task_vars.get("ansible_play_batch") or []),
            "batch_number": 1,
            "state": "open",
            "outcome": None,
        }
        return self.with_record(opened)

    def step_finish(self) -> dict:
        """Entry point `main`, after the deploy of a batch: keep the window open or finish it, and say why each host
        of the batch whose deploy failed (or never ran) fails."""
        finished = self.each_page(lambda page: page.finish_page())
        finished["host_failures"] = self.host_failures(finished)
        return finished

    def host_failures(self, finished: dict) -> dict:
        """What each failed host of this play run is told: what failed, then what subscribers were shown."""
        published = FAILURE_NOTES.get(finished.get("outcome") or "none", "")
        if finished.get("outcome") == "left_open":
            published = "The " + finished.get("left_open_reason", "maintenance window stays in progress.")
        failures = {}
        for host, failure in self.failures().items():
            if failure.get("stage") == "open":
                continue
            error = failure.get("error") or ""
            failures[host] = "The deploy failed on this host" + (f" ({error})." if error else ".")
        for host in self.open_failed_hosts():
            error = self.window_fact_of(host).get("msg") or ""
            failures[host] = ("The maintenance window could not be opened, so the deploy did not run"
                              + (f" ({error})." if error else "."))
        return {host: f"{what} {published}".rstrip() for host, what in failures.items()}

    def open_failed_hosts(self) -> list:
        """The hosts of this batch for which the open step failed: they did not deploy."""
        return [host for host in self.task_vars.get("ansible_play_batch") or [] if self.window_fact_of(host).get("open_failed")]

    def window_fact_of(self, host: str) -> dict:
        """What the role's last step registered for ``host`` (this host's from its own variables)."""
        own = host == self.task_vars.get("inventory_hostname")
        window = self.task_vars.get(WINDOW_FACT) if own else self.hostvar(host, WINDOW_FACT)
        return window if isinstance(window, dict) else {}

    def finish_page(self) -> dict:
        key = self.record_key()
        window = self.own_record(key)
        run = dict(window.get("deploy_run") or {})
        failures = self.failures()
        open_failed = (bool(window.get("open_failed")) or bool(self.open_failed_hosts())
                       or any(failure.get("stage") == "open" for failure in failures.values()))
        if not run:
            # The window was never opened (the open step failed): finish only what a failed create may have left.
            run = {"id": self.run_id, "window": self.args["name"], "batch_number": 1,
                   "batch": list(self.task_vars.get("ansible_play_batch") or []), "state": "open", "outcome": None}
        done = self.hosts_with(DONE_FACT, self.run_id)
        active = list(self.task_vars.get("ansible_play_hosts") or [])
        batch = list(self.task_vars.get("ansible_play_batch") or [])
        me = self.task_vars.get("inventory_hostname")
        still_deploying = [host for host in batch if host not in done and host != me]
        if still_deploying:
            # Free strategy: the last host of the batch to get here finishes for all of them.
            return self.unchanged(window, run, outcome="waiting", waiting_for=still_deploying)
        prepared = self.hosts_with(HOST_FACT, self.run_id, field="run_id")
        lost = sorted(host for host in prepared if host not in done and host not in active)
        later = [host for host in active if host not in done and host not in batch]
        deploy_failed = sorted(host for host, failure in failures.items() if failure.get("stage") != "open")
        if later and not open_failed:
            this_batch = set(run.get("batch") or batch) | set(batch)
            outcome = BatchOutcome(
                size=self.batch_size(run.get("batch_number", 1), len(this_batch)),
                started=len(this_batch),
                failed=len([host for host in deploy_failed if host in this_batch]),
                lost=len([host for host in lost if host in this_batch]),
                lockstep=runs_in_lockstep(getattr(self.play, "strategy", None)),
                any_errors_fatal=bool(self._task.any_errors_fatal),
                max_fail_percentage=getattr(self.play, "max_fail_percentage", None),
            )
            if not outcome.stops_play():
                return self.with_record(self.unchanged(window, run, outcome="continues", later_hosts=len(later)))
        return self.with_record(self.finish_window(window, run, deploy_failed=deploy_failed, lost=lost,
                                                   open_failed=open_failed))

    def step_complete(self) -> dict:
        """Entry point `complete`: publish how the deploy ended (success, or per on_failure), and end its alert window."""
        several = bool(self.args["status_pages"])
        return self.each_page(lambda page: page.complete_page(by_name=several))

    def complete_page(self, *, by_name: bool) -> dict:
        # With several pages, each page's window is found by its page and name, not from the fact of the first one.
        window = {} if by_name else self.task_vars.get(WINDOW_FACT) or {}
        outcome = self.args["on_failure"] if self.args["deploy_failed"] else "success"
        published = self.publish_outcome(window, outcome)
        published["outcome"] = outcome
        return published

    # ----- opening ---------------------------------------------------------------------------------------------

    def check_deploy_tasks(self) -> str:
        """The absolute path of the deploy's task file, once it is known to exist and to hold valid tasks."""
        given = self.args["deploy_tasks"]
        if not given:
            raise StepError("maintenance_window_deploy_tasks: required; name the task file with the deploy")
        base = self.task_vars.get("playbook_dir") or os.getcwd()
        path = given if os.path.isabs(given) else os.path.join(base, given)
        what = f"maintenance_window_deploy_tasks: {given!r}"
        if given != path:
            what += f" (relative to the playbook's directory, {path})"
        if not os.path.isfile(path):
            raise StepError(f"{what} does not exist; nothing was published. Give the path of the task file with the "
                            "deploy, absolute or relative to the playbook's directory")
        try:
            tasks = self._loader.load_from_file(path)
        except AnsibleError as exc:
            raise StepError(f"{what} is not valid YAML; nothing was published: {exc.message}") from None
        if tasks is None:
            tasks = []
        if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
            raise StepError(f"{what} must be a list of tasks; nothing was published")
        try:
            load_list_of_blocks(tasks, play=self.play, variable_manager=getattr(self._task, "_variable_manager", None),
                                loader=self._loader)
        except AnsibleError as exc:
            raise StepError(f"{what} does not hold valid tasks; nothing was published: {exc.message}") from None
        return path

    def window_options(self, **forced) -> dict:
        """The maintenance module's options for this deploy's window: the role's, module_defaults', the deploy's key."""
        options = self.module_options(MAINTENANCE_MODULE, OPEN_OPTIONS, state="in_progress", start_at="now", **forced)
        for option in ("status_page", "name", "components"):
            if not options.get(option):
                raise StepError(f"maintenance_window_{option}: required to open the window; set the variable, or "
                                f"{option} in module_defaults for group/incident_io.status_page.status_page")
        if options.get("duration") is None and options.get("end_at") is None:
            options["duration"] = DEFAULT_DURATION
        if options.get("automate") is None:
            # The window's deadline: incident.io completes it at end_at on its own, so that a play that dies (or a
            # job that never finishes it) cannot leave it in progress for ever.
            options["automate"] = True
        if not options.get("idempotency_key"):
            options["idempotency_key"] = self.deploy_key()
        return options

    def deploy_key(self) -> str:
        """The key of this deploy's window when none is given.

        The slices of a sliced AWX job share the workflow job and the job template: they are one deploy, with one
        window. Any other run is a deploy of its own (the play run), so that two runs never share a window by
        accident; one that finds a window of its name already in progress deploys inside it (it joins).
        """
        what = hashlib.sha256(self.record_key().encode()).hexdigest()[:12]
        awx = self.awx_job()
        if awx:
            return f"awx-{awx['workflow_job_id']}-{awx['job_template_id']}-{what}"
        return f"run-{self.run_id}-{what}"

    def open_window(self) -> dict:
        options = self.window_options(msg=self.args["start_message"])
        if self.wants_alert_window():
            # Reads only: a wrong lead or condition fails here, before the status page shows anything.
            self.run_alert(self.alert_options(state="present", start_at="now", duration=options.get("duration"),
                                              end_at=options.get("end_at")), check_mode=True)
        opened = self.open_status_page_window(options)
        if self.check_mode and opened.get("action") == "created":
            # Only a prediction: later steps (and batches) of this check run publish on it as if it existed.
            opened["predicted"] = True
        if opened.get("run_deploy") and self.wants_alert_window():
            opened["alert_window"] = self.open_alert_window(opened)
        return opened

    def join_window(self) -> dict:
        """The window another job opened, found without writing; its deadline moves on to cover this job too."""
        options = self.window_options()
        probe = self.run_maintenance(options, check_mode=True)
        window = probe.get("maintenance") or {}
        if probe.get("action") != "none" or window.get("maintenance_status") != IN_PROGRESS:
            # The key the task gave: a derived one names nothing the user could look for.
            given = self.args["idempotency_key"]
            key = f" under idempotency_key {given!r}" if given else ""
            found = f" (window {window['id']} is {window.get('maintenance_status')})" if window.get("id") else ""
            raise StepError(
                f"No maintenance window named {options['name']!r} is in progress on status page "
                f"{options['status_page']!r}{key}{found}: the entry point join deploys only inside a window that "
                "another job opened (the role's entry point start, as docs/awx/maintenance_start.yml does). Nothing "
                "was published or deployed")
        joined = {key: value for key, value in probe.items() if key in ("id", "maintenance", "idempotency_key")}
        # "join": the entry point, which never finishes the window, whatever maintenance_window_finished_by says.
        joined.update(changed=False, action="none", run_deploy=True, joined="join", warnings=probe.get("warnings") or [])
        if not self.check_mode:
            joined["deadline"] = self.extend_deadline(window, join=True)
        return joined

    def open_status_page_window(self, options: dict) -> dict:
        # The diff's "before" tells whether another run had the window in progress already.
        opened = self.run_maintenance(options, diff=True)
        before = ((opened.get("diff") or {}).get("before") or {})
        if not self.diff:
            opened.pop("diff", None)
        window = opened.get("maintenance") or {}
        if window.get("maintenance_status") != COMPLETE:
            opened["run_deploy"] = True
            joined = before.get("state") == "in_progress"
            opened["joined"] = joined
            _start, end = maintenance_window(window)
            opened["deadline"] = end
            if joined and not self.check_mode and window.get("id"):
                # Another run deploys under this window: moving its deadline tells that run it is not alone.
                opened["deadline"] = self.extend_deadline(window, join=True)
            return opened
        policy = self.args["when_finished"]
        if policy == "skip":
            opened["run_deploy"] = False
            opened.setdefault("warnings", []).append(
                f"{finished_window(window, opened)}; the deploy is skipped (maintenance_window_when_finished=skip)")
            return opened
        if policy == "fail":
            raise StepError(
                f"{finished_window(window, opened)}, so this deploy already ran and nothing was published or "
                "deployed now. To deploy again, give a new maintenance_window_idempotency_key; to make such re-runs "
                "skip the deploy or deploy under a new window, set maintenance_window_when_finished to skip or "
                "new_window", maintenance=window, id=window.get("id"), idempotency_key=opened.get("idempotency_key"))
        key = opened.get("idempotency_key")
        for _attempt in range(MAX_NEW_WINDOWS):
            key = next_key(key, window.get("id"))
            opened = self.run_maintenance(dict(options, idempotency_key=key))
            window = opened.get("maintenance") or {}
            if window.get("maintenance_status") != COMPLETE:
                opened["run_deploy"] = True
                opened.setdefault("warnings", []).append(
                    f"The key {options['idempotency_key']!r} names a finished window; this deploy runs under a new "
                    f"window with key {key!r} (maintenance_window_when_finished=new_window)")
                return opened
        raise StepError(f"maintenance_window_idempotency_key {options['idempotency_key']!r}: {MAX_NEW_WINDOWS} windows "
                        "were already opened and finished under it; give a new key")

    # ----- finishing -------------------------------------------------------------------------------------------

    def wants_alert_window(self) -> bool:
        return bool(self.args["alert_conditions"])

    def alert_options(self, **forced) -> dict:
        options = self.module_options(ALERT_MODULE, ALERT_OPTIONS, name=self.args["name"], **forced)
        if self.args["alert_conditions"]:
            options["conditions"] = self.args["alert_conditions"]
        if self.args["alert_lead"]:
            options["lead"] = self.args["alert_lead"]
        return options

    def run_alert(self, options: dict, *, check_mode: bool) -> dict:
        try:
            return run_module_in_process(alert_module, options, check_mode=check_mode, diff=self.diff)
        except ModuleRunFailed as exc:
            raise StepError(f"alert maintenance window: {exc.result['msg']}", may_have_written=exc.may_have_written,
                            **{key: value for key, value in exc.result.items() if key != "msg"}) from None

    def open_alert_window(self, opened: dict) -> dict:
        """Open the alert window over the status-page window's own times, so that both cover the same deploy."""
        window = opened.get("maintenance") or {}
        try:
            return self.run_alert(self.alert_options(state="present", start_at=window.get("start_at") or "now",
                                                     end_at=window.get("end_at")), check_mode=self.check_mode)
        except StepError as exc:
            # The status page already shows the window: the finishing step must complete it.
            exc.result["may_have_written"] = True
            exc.result.update(id=opened.get("id"), maintenance=window, idempotency_key=opened.get("idempotency_key"))
            raise

    def end_alert_window(self, window: dict) -> dict | None:
        """End the alert window of the deploy (found by ID, or by name), so that alerts route normally again."""
        known = window.get("alert_window") or {}
        if not known and not self.wants_alert_window():
            return None
        if known.get("id"):
            options = self.module_options(ALERT_MODULE, CONNECTION_OPTIONS, id=known["id"], state="ended")
        elif self.check_mode and known:
            # Predicted in this check run: ending it is part of what the run would do.
            return {"changed": True, "action": "ended", "id": None}
        else:
            options = self.module_options(ALERT_MODULE, CONNECTION_OPTIONS + ("lookback",), name=self.args["name"], state="ended")
        return self.run_alert(options, check_mode=self.check_mode)

    def finish_window(self, window: dict, run: dict, *, deploy_failed: list, lost: list, open_failed: bool) -> dict:
        """Publish the play run's outcome on its window, after the last batch or before Ansible stops the play."""
        failed = deploy_failed + [host for host in lost if host not in deploy_failed]
        if open_failed:
            # Nothing was deployed; a create whose answer was lost may still have made the window.
            outcome = "complete" if window.get("may_have_written") else "none"
        elif failed:
            outcome = self.args["on_failure"]
        else:
            outcome = "success"
        if outcome == "none":
            return self.unchanged(window, dict(run, state="finished", outcome=outcome), outcome=outcome)
        if not open_failed:
            reason = self.why_another_job_finishes(self.run_view(window))
            if reason:
                return self.left_open(window, run, reason, failed)
        run = dict(run, state="finished", outcome=outcome)
        published = self.publish_outcome(window, outcome, deploy_run=run, failed_hosts=failed)
        return published

    def publish_outcome(self, window: dict, outcome: str, **details) -> dict:
        """Publish ``outcome`` (success, or an on_failure choice) on the window, with the incident and the alert window."""
        if outcome == "keep_open":
            published = self.publish(window, "in_progress", self.args["keep_open_message"])
        else:
            message = self.args["complete_message"] if outcome == "success" else self.args["failure_message"]
            published = self.publish(window, "completed", message)
        published.update(details, outcome=outcome)
        if outcome == "incident":
            incident = self.open_incident(published)
            published["incident"] = incident
            published["changed"] = published.get("changed", False) or incident.get("changed", False)
        if outcome != "keep_open":
            self.with_alert_window_ended(window, published)
        return published

    def run_view(self, window: dict) -> dict:
        """The window as this play run knows it from every host's record: whether the run (any of its hosts) opened
        it, and the latest deadline one of its hosts set. With the free strategy each host opens on its own, and
        all but the first find the window in progress."""
        records = [window] + self.run_records(window.get("record_key") or self.record_key())
        records = [record for record in records if record.get("id") == window.get("id")]
        if any(record.get("joined") == "join" for record in records):
            joined = "join"
        else:
            joined = bool(records) and all(record.get("joined") for record in records)
        deadlines = [parse_time(record["deadline"]) for record in records if record.get("deadline")]
        return dict(window, joined=joined, deadline=format_time(max(deadlines)) if deadlines else None)

    def why_another_job_finishes(self, window: dict) -> str | None:
        """Why this run must not finish the window (someone else may still deploy under it), or None."""
        policy = self.args["finished_by"]
        if window.get("joined") == "join":
            return "this job deployed with the role's entry point join, which never finishes the window"
        if policy == "this_run":
            return None
        if policy == "another_job":
            return "maintenance_window_finished_by is another_job"
        if window.get("joined"):
            return ("this run deployed inside a window that another run or job had opened, and cannot know whether "
                    "that one still deploys")
        awx = self.awx_job()
        if awx:
            return (f"this run is a job of AWX workflow job {awx['workflow_job_id']}, whose other jobs (the slices of a "
                    "sliced job) may still deploy under the window, and AWX tells no job how many there are")
        if self.check_mode or not window.get("id") or not window.get("deadline"):
            return None
        current = self.read_window(window["id"])
        _start, end = maintenance_window(current)
        if current.get("maintenance_status") != COMPLETE and end and parse_time(end) > parse_time(window["deadline"]):
            return (f"another run joined it while this one deployed (it moved the deadline from {window['deadline']} "
                    f"to {end})")
        return None

    def left_open(self, window: dict, run: dict, reason: str, failed: list) -> dict:
        """Leave the window in progress for whoever finishes it, and say who that is."""
        known = window.get("maintenance") or {}
        end = window.get("deadline") or maintenance_window(known)[1]
        if known.get("automate_maintenance_status") is False:
            who = ("Nothing completes it on its own (its automate_maintenance_status is off): complete it with the "
                   "role's entry point complete, as docs/awx/maintenance_complete.yml does")
        else:
            who = (f"incident.io completes it at its deadline, {end or 'its end'}, unless a job with the role's entry "
                   "point complete (the finish node of the workflow, docs/awx/) completes it first")
        note = f"maintenance window {window.get('id')} stays in progress: {reason}. {who}"
        result = self.unchanged(window, dict(run, state="finished", outcome="left_open"), outcome="left_open",
                                failed_hosts=failed, left_open_reason=note)
        result["warnings"] = [note[0].upper() + note[1:]]
        return result

    def with_alert_window_ended(self, window: dict, published: dict) -> None:
        ended = self.end_alert_window(window)
        if ended is not None:
            published["alert_window"] = ended
            published["changed"] = published.get("changed", False) or ended.get("changed", False)

    def publish(self, window: dict, state: str, message: str) -> dict:
        """Publish ``state`` with ``message`` on the window of the fact, or the one found by page and name."""
        name = self.args["name"]
        known = window.get("maintenance") or {}
        same_window = name is None or known.get("name") == name
        if window.get("id") and same_window:
            options = self.module_options(MAINTENANCE_MODULE, PUBLISH_BY_ID_OPTIONS, id=window["id"], state=state, msg=message)
            return self.carry(window, self.run_maintenance(options))
        if self.check_mode and known and same_window and window.get("predicted"):
            # The window this check run would have created: predict what publishing on it would show.
            options = self.module_options(MAINTENANCE_MODULE, PUBLISH_BY_NAME_OPTIONS, name=known.get("name"), state=state,
                                          msg=message, idempotency_key=window.get("idempotency_key"))
            return self.carry(window, self.run_maintenance(options, predicted=known))
        if not name:
            raise StepError("No maintenance window to update: this host has no maintenance_window fact from `start`, so "
                            "set maintenance_window_status_page and maintenance_window_name to say which window it is.")
        options = self.module_options(MAINTENANCE_MODULE, PUBLISH_BY_NAME_OPTIONS, name=name, state=state, msg=message)
        if window.get("idempotency_key") and same_window:
            options["idempotency_key"] = window["idempotency_key"]
        return self.carry(window, self.run_maintenance(options))

    def open_incident(self, published: dict) -> dict:
        components = self.args["incident_components"] or self.args["components"] or \
            [component["id"] for component in (published.get("maintenance") or {}).get("components") or []]
        key = published.get("idempotency_key")
        options = self.module_options(
            INCIDENT_MODULE, INCIDENT_OPTIONS,
            name=self.args["incident_name"], incident_status=self.args["incident_status"], msg=self.args["incident_message"],
            components={component: self.args["incident_component_status"] for component in components},
            # A retried job reuses the window's key: derive the incident's from it so that the retry opens no second one.
            idempotency_key=f"{key}-incident" if key else None)
        if options.get("status_page") is None:
            options["status_page"] = (published.get("maintenance") or {}).get("status_page_id")
        try:
            return run_module_in_process(incident_module, options, check_mode=self.check_mode, diff=self.diff)
        except ModuleRunFailed as exc:
            raise StepError(f"The maintenance window was completed, but opening the incident failed: {exc.result['msg']}",
                            **{key: value for key, value in exc.result.items() if key != "msg"}) from None

    # ----- module runs -----------------------------------------------------------------------------------------

    def module_options(self, fqcn: str, allowed: tuple, **forced) -> dict:
        """Options for a module run: the role's values, else module_defaults, else (in the module) the environment."""
        defaults = module_defaults_for(self._task, self._templar, fqcn)
        options = {name: value for name, value in defaults.items() if name in allowed}
        for name in allowed:
            if self.args.get(name) is not None:
                options[name] = self.args[name]
        options.update({name: value for name, value in forced.items() if value is not None})
        if "duration" in options and options.get("end_at") is not None and self.args.get("duration") is None:
            # end_at from module_defaults and the role's own default duration would contradict each other.
            options.pop("duration")
        return options

    def run_maintenance(self, options: dict, predicted: dict | None = None, *, check_mode: bool | None = None,
                        diff: bool | None = None) -> dict:
        run = None
        if predicted is not None:
            def run(module, client):
                return maintenance_module.run_on_predicted(module, client, predicted)
        try:
            return run_module_in_process(maintenance_module, options, run=run,
                                         check_mode=self.check_mode if check_mode is None else check_mode,
                                         diff=self.diff if diff is None else diff)
        except ModuleRunFailed as exc:
            raise StepError(exc.result["msg"], may_have_written=exc.may_have_written,
                            **{key: value for key, value in exc.result.items() if key != "msg"}) from None

    def on_window(self, window_id: str, call):
        """``call(client)`` for the window ``window_id``, with the connection the maintenance module would use."""
        options = self.module_options(MAINTENANCE_MODULE, CONNECTION_OPTIONS, id=window_id)
        try:
            return run_client_in_process(maintenance_module, options, call)
        except ModuleRunFailed as exc:
            raise StepError(f"maintenance window {window_id}: {exc.result['msg']}", may_have_written=exc.may_have_written,
                            **{key: value for key, value in exc.result.items() if key != "msg"}) from None

    def read_window(self, window_id: str) -> dict:
        return self.on_window(window_id, lambda client: client.get_maintenance(window_id))

    # ----- the deadline ----------------------------------------------------------------------------------------

    def deadline_span(self, start: str | None, end: str | None):
        """How long the window may stay in progress after the last sign of life: the duration, or its scheduled span."""
        options = self.module_options(MAINTENANCE_MODULE, ("duration", "end_at"))
        if options.get("duration") is not None:
            return parse_duration(options["duration"])
        if options.get("end_at") is None or not (start and end):
            return parse_duration(DEFAULT_DURATION)
        return parse_time(end) - parse_time(start)

    def extend_deadline(self, window: dict, *, join: bool = False) -> str | None:
        """Keep the window's end (the deadline at which incident.io completes it) ahead of a deploy that is alive.

        A PUT moves it without publishing or notifying. A run that joins a window always moves it, if only by a
        second: the run that opened it sees that someone else deploys under it too.
        """
        start, end = maintenance_window(window)
        if not start:
            return end
        span = self.deadline_span(start, end)
        now = utcnow()
        current_end = parse_time(end) if end else None
        if current_end is not None and not join and current_end - now >= span * DEADLINE_MARGIN:
            return end
        new_end = now + span
        if current_end is not None and join:
            new_end = max(new_end, current_end + (parse_duration("1s")))
        elif current_end is not None and new_end <= current_end:
            return end
        body = {"name": window.get("name"), "start_at": start, "end_at": format_time(new_end)}
        moved = self.on_window(window["id"], lambda client: client.update_maintenance(window["id"], body))
        return maintenance_window(moved)[1] or body["end_at"]

    def keep_alive(self, record: dict) -> dict:
        """A later batch: the window must still be in progress, and its deadline ahead of this batch."""
        if self.check_mode or record.get("predicted") or not record.get("id"):
            return {}
        current = self.read_window(record["id"])
        if current.get("maintenance_status") == COMPLETE:
            last = latest_update(current) or {}
            raise StepError(
                f"maintenance window {current.get('id')} ({current.get('name')!r}) was completed at "
                f"{last.get('published_at') or 'an unknown time'} while this deploy still runs (its deadline passed, "
                "or another job completed it), so this batch does not deploy under a window that says the maintenance "
                "is over. Give maintenance_window_duration a span longer than a batch takes", deploy_run=record.get("deploy_run"))
        return {"deadline": self.extend_deadline(current)}

    # ----- the play run's state, from the hosts' facts ---------------------------------------------------------

    def hostvar(self, host: str, name: str):
        hostvars = self.task_vars.get("hostvars") or {}
        try:
            return hostvars[host].get(name)
        except (KeyError, AttributeError, AnsibleError):
            return None

    def play_hosts(self) -> list:
        return list(self.task_vars.get("ansible_play_hosts_all") or [])

    def hosts_with(self, fact: str, run_id: str, field: str | None = None) -> set:
        """Hosts whose ``fact`` (or its ``field``) is ``run_id``."""
        found = set()
        for host in self.play_hosts():
            value = self.hostvar(host, fact)
            if field is not None:
                value = value.get(field) if isinstance(value, dict) else None
            if value == run_id:
                found.add(host)
        return found

    def failures(self) -> dict:
        """The hosts whose deploy (or the opening of the window) failed in this play run, with what failed."""
        failures = {}
        for host in self.play_hosts():
            failure = self.hostvar(host, FAILURE_FACT)
            if isinstance(failure, dict) and failure.get("run") == self.run_id:
                failures[host] = failure
        return failures

    def records_of(self, host: str | None = None) -> dict:
        """The step records a host holds (this host's without ``host``), by record key."""
        facts = self.task_vars.get("ansible_facts") if host is None else self.hostvar(host, "ansible_facts")
        records = facts.get(RECORDS_FACT) if isinstance(facts, dict) else None
        return dict(records) if isinstance(records, dict) else {}

    def run_records(self, key: str) -> list:
        """The records of this play run's deploy ``key`` that earlier batches (or other hosts) left."""
        records = []
        for host in self.play_hosts():
            candidates = list(self.records_of(host).values()) + [self.hostvar(host, WINDOW_FACT)]
            for record in candidates:
                run = record.get("deploy_run") if isinstance(record, dict) else None
                if isinstance(run, dict) and run.get("id") == self.run_id and record.get("record_key") == key:
                    records.append(record)
        return records

    def own_record(self, key: str) -> dict:
        """This host's record of deploy ``key``: the one the steps keep, else what the open step registered."""
        record = self.records_of().get(key)
        if isinstance(record, dict) and (record.get("deploy_run") or {}).get("id") == self.run_id:
            return record
        registered = self.task_vars.get(WINDOW_FACT) or {}
        # A failed open step registers no record of its own, only what it may have written.
        if registered.get("record_key") in (None, key):
            return registered
        return {}

    def with_record(self, result: dict) -> dict:
        """The step's result, with its record added to the hosts' records (as a fact the strategy sets on them)."""
        key = result.get("record_key")
        if key:
            record = {name: value for name, value in result.items() if name in WINDOW_KEYS + ("deploy_run",)}
            records = self.records_of()
            records[key] = record
            result["ansible_facts"] = {RECORDS_FACT: records}
        return result

    def record_key(self) -> str:
        """What tells this include of the role from the others of the play: page, window name, nesting depth."""
        page = self.module_options(MAINTENANCE_MODULE, ("status_page",)).get("status_page")
        return f"{nesting_depth(self._task)}|{page}|{self.args['name']}"

    def awx_job(self) -> dict | None:
        """The AWX workflow job this run is a job of (a sliced job's slices all are), or None outside one."""
        workflow = self.task_vars.get("awx_workflow_job_id")
        if workflow in (None, ""):
            return None
        return {"workflow_job_id": str(workflow), "job_template_id": str(self.task_vars.get("awx_job_template_id") or "")}

    def batch_size(self, batch_number: int, fallback: int) -> int:
        sizes = batch_sizes(getattr(self.play, "serial", None), len(self.play_hosts()))
        return sizes[batch_number - 1] if 0 < batch_number <= len(sizes) else fallback

    @staticmethod
    def carry(window: dict, published: dict) -> dict:
        """The published result, keeping the role's own keys of the window fact."""
        for key in ROLE_KEYS:
            if key in window:
                published.setdefault(key, window[key])
        return published

    @staticmethod
    def unchanged(window: dict, run: dict, **details) -> dict:
        result = {key: value for key, value in window.items() if key in WINDOW_KEYS}
        result.update(details, changed=False, action="none", deploy_run=run)
        return result


def play_run_id(play) -> str:
    """What identifies the play run across its batches: the play's UUID.

    ansible-runner (and so AWX) appends ``_<n>`` to it in every batch after the first, in its display callback;
    that suffix is not part of the play's identity.
    """
    return re.sub(r"_[0-9]+$", "", str(getattr(play, "_uuid", None) or "play"))


def nesting_depth(task) -> int:
    """How many deploys of the role this task runs inside: the includes of a deploy file above it."""
    depth, current = 0, getattr(task, "_parent", None)
    while current is not None:
        if getattr(current, "action", None) in ("include_tasks", "ansible.builtin.include_tasks") and \
                (getattr(current, "args", None) or {}).get("_raw_params") == DEPLOY_INCLUDE:
            depth += 1
        current = getattr(current, "_parent", None)
    return depth


def finished_window(window: dict, opened: dict) -> str:
    last = latest_update(window) or {}
    when = last.get("published_at") or "an earlier run"
    return (f"maintenance_window_idempotency_key {opened.get('idempotency_key')!r} names maintenance window "
            f"{window.get('id')} ({window.get('name')!r}), completed at {when}")


def next_key(key: str, finished_id: str) -> str:
    """The key of the window that follows ``finished_id`` under ``key``: stable, so a retry replays it."""
    digest = hashlib.sha256(f"{key}\n{finished_id}".encode()).hexdigest()[:16]
    base = key.split("~next-")[0]
    return f"{base}~next-{digest}"
