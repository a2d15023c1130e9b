# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of the maintenance_window role, run inside the controller's process (see the module's docs)."""

from __future__ import annotations

import hashlib
import os
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.playbook.helpers import load_list_of_blocks
from ansible.plugins.action import ActionBase

from ansible_collections.incident_io.status_page.plugins.module_utils._objects import latest_update
from ansible_collections.incident_io.status_page.plugins.modules import alert_maintenance_window as alert_module
from ansible_collections.incident_io.status_page.plugins.modules import status_page_incident as incident_module
from ansible_collections.incident_io.status_page.plugins.modules import status_page_maintenance as maintenance_module
from ansible_collections.incident_io.status_page.plugins.plugin_utils._in_process import (
    ModuleRunFailed,
    censor,
    environment_of,
    find_play,
    module_defaults_for,
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

COMPLETE = "maintenance_complete"
# What a window fact carries from step to step and from batch to batch.
WINDOW_KEYS = ("id", "maintenance", "idempotency_key", "deploy_tasks", "run_deploy", "predicted", "alert_window")

STEP_ARGUMENT_SPEC = {
    "step": {"type": "str", "required": True, "choices": ["prepare", "open", "finish", "start", "complete"]},
    "fail_on_error": {"type": "bool", "default": True},
    "status_page": {"type": "str"},
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
        return self.open_window()

    def step_open(self) -> dict:
        """Entry point `main`, before the deploy: check everything, then open the play run's one window."""
        earlier = self.run_records()
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
            reused = {key: latest[key] for key in WINDOW_KEYS if key in latest}
            return dict(reused, changed=False, action="none", deploy_run=dict(
                run, batch=run["batch"] if same_batch else batch,
                batch_number=run["batch_number"] if same_batch else run["batch_number"] + 1))
        deploy_tasks = self.check_deploy_tasks()
        opened = self.open_window()
        opened["deploy_tasks"] = deploy_tasks
        opened["deploy_run"] = {
            "id": self.run_id,
            "window": self.args["name"],
            "batch": list(self.task_vars.get("ansible_play_batch") or []),
            "batch_number": 1,
            "state": "open",
            "outcome": None,
        }
        return opened

    def step_finish(self) -> dict:
        """Entry point `main`, after the deploy of a batch: keep the window open or finish it."""
        window = self.task_vars.get(WINDOW_FACT) or {}
        run = dict(window.get("deploy_run") or {})
        failures = self.failures()
        open_failed = bool(window.get("open_failed")) or any(failure.get("stage") == "open" for failure in failures.values())
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
                return self.unchanged(window, run, outcome="continues", later_hosts=len(later))
        return self.finish_window(window, run, deploy_failed=deploy_failed, lost=lost, open_failed=open_failed)

    def step_complete(self) -> dict:
        """Entry point `complete`: publish that the window is complete, and end its alert window."""
        window = self.task_vars.get(WINDOW_FACT) or {}
        published = self.publish(window, "completed", self.args["complete_message"])
        self.with_alert_window_ended(window, published)
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

    def open_window(self) -> dict:
        options = self.module_options(MAINTENANCE_MODULE, OPEN_OPTIONS, state="in_progress", start_at="now",
                                      msg=self.args["start_message"])
        for option in ("status_page", "name", "components"):
            if not options.get(option):
                raise StepError(f"maintenance_window_{option}: required to open the window; set the variable, or "
                                f"{option} in module_defaults for group/incident_io.status_page.status_page")
        if options.get("duration") is None and options.get("end_at") is None:
            options["duration"] = DEFAULT_DURATION
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

    def open_status_page_window(self, options: dict) -> dict:
        opened = self.run_maintenance(options)
        window = opened.get("maintenance") or {}
        if window.get("maintenance_status") != COMPLETE:
            opened["run_deploy"] = True
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
        run = dict(run, state="finished", outcome=outcome)
        if outcome == "none":
            return self.unchanged(window, run, outcome=outcome)
        if outcome == "keep_open":
            published = self.publish(window, "in_progress", self.args["keep_open_message"])
        else:
            message = self.args["complete_message"] if outcome == "success" else self.args["failure_message"]
            published = self.publish(window, "completed", message)
        published["deploy_run"] = run
        published["outcome"] = outcome
        published["failed_hosts"] = failed
        if outcome == "incident":
            incident = self.open_incident(published)
            published["incident"] = incident
            published["changed"] = published.get("changed", False) or incident.get("changed", False)
        if outcome != "keep_open":
            self.with_alert_window_ended(window, published)
        return published

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

    def run_maintenance(self, options: dict, predicted: dict | None = None) -> dict:
        run = None
        if predicted is not None:
            def run(module, client):
                return maintenance_module.run_on_predicted(module, client, predicted)
        try:
            return run_module_in_process(maintenance_module, options, check_mode=self.check_mode, diff=self.diff, run=run)
        except ModuleRunFailed as exc:
            raise StepError(exc.result["msg"], may_have_written=exc.may_have_written,
                            **{key: value for key, value in exc.result.items() if key != "msg"}) from None

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

    def run_records(self) -> list:
        """The window records of this play run and window that earlier batches (or other hosts) left."""
        records = []
        for host in self.play_hosts():
            record = self.hostvar(host, WINDOW_FACT)
            run = record.get("deploy_run") if isinstance(record, dict) else None
            if isinstance(run, dict) and run.get("id") == self.run_id and run.get("window") == self.args["name"]:
                records.append(record)
        return records

    def batch_size(self, batch_number: int, fallback: int) -> int:
        sizes = batch_sizes(getattr(self.play, "serial", None), len(self.play_hosts()))
        return sizes[batch_number - 1] if 0 < batch_number <= len(sizes) else fallback

    @staticmethod
    def carry(window: dict, published: dict) -> dict:
        """The published result, keeping the role's own keys of the window fact."""
        for key in ("deploy_tasks", "run_deploy", "deploy_run", "predicted", "alert_window"):
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
