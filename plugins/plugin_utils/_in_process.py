# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin util is private to the collection: it can change at any time.

"""Runs the collection's modules inside the controller's process, as the maintenance_window role does.

Shipping and starting a module costs Ansible about half a second, whatever the module sends; the role's API
calls are a handful of loopback-fast requests, so it runs them here instead. The module's own argument spec
validates the options (environment fallbacks and defaults included) and its own ``run()`` does the work, so a
run here behaves as the module does, only without the start-up.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Set

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import (
    StatusPageError,
    TransportError,
    UncertainWriteError,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.incident_io.status_page.plugins.module_utils._lifecycle import execute

# What a no_log value is replaced with: the placeholders of AnsibleModule, so results read as a module's would.
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
NO_LOG_MASK = "********"

# The keyword arguments of AnsibleModule that are argument-spec rules, as ArgumentSpecValidator names them.
VALIDATION_RULES = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


class ControllerModule:
    """What a module's ``run()`` uses of AnsibleModule, for a run inside the controller's process."""

    def __init__(self, params: dict, *, check_mode: bool, diff: bool):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings: list[str] = []

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)


class ModuleRunFailed(Exception):
    """A module run failed: ``result`` is what the module would have failed with."""

    def __init__(self, result: dict, *, may_have_written: bool):
        super().__init__(result.get("msg", "failed"))
        self.result = result
        self.may_have_written = may_have_written


def run_module_in_process(module_file, options: dict, *, check_mode: bool, diff: bool, run=None) -> dict:
    """Validate ``options`` with the module's argument spec, run it and return its result.

    ``module_file`` is the imported module (it defines ``MODULE_ARGS`` and ``run``); ``run`` replaces its
    ``run`` when given. Raises ModuleRunFailed with the module's failure result; never returns ``failed``.
    Values the argument spec marks ``no_log`` are removed from whatever is returned or raised.
    """
    spec = module_file.MODULE_ARGS
    validator = ArgumentSpecValidator(spec["argument_spec"], **{rule: spec[rule] for rule in VALIDATION_RULES if rule in spec})
    validation = validator.validate(options)
    no_log_values = validation._no_log_values
    if validation.error_messages:
        raise ModuleRunFailed(censor({"msg": validation.errors.msg}, no_log_values), may_have_written=False)
    if not HAS_REQUESTS:
        raise ModuleRunFailed({"msg": missing_required_lib("requests")}, may_have_written=False)
    module = ControllerModule(validation.validated_parameters, check_mode=check_mode, diff=diff)
    try:
        result = execute(module, run or module_file.run, raise_errors=True)
    except StatusPageError as exc:
        failure = dict(exc.fail_json_kwargs())
        if module.warnings:
            failure["warnings"] = module.warnings
        raise ModuleRunFailed(censor(failure, no_log_values), may_have_written=may_have_written(exc)) from None
    if module.warnings:
        result["warnings"] = module.warnings
    return censor(result, no_log_values)


def censor(value, no_log_values):
    """Return ``value`` without the strings of ``no_log_values``, as AnsibleModule censors a module's result.

    A string that is a no_log value becomes NO_LOG_PLACEHOLDER, a string that holds one has it masked, a number
    whose text holds one becomes the placeholder; containers are copied, dict keys kept. It stands in for
    ansible-core's ``remove_values()``, deprecated in 2.22, because these results reach the executor without a
    module's own censoring, and on 2.19 to 2.21 nothing else masks them.
    """
    secrets = sorted({str(secret) for secret in no_log_values if secret}, key=len, reverse=True)
    if not secrets:
        return value
    return _censored(value, secrets)


def _censored(value, secrets: list):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, bytes):
        return _censored(value.decode("utf-8", errors="surrogateescape"), secrets).encode("utf-8", errors="surrogateescape")
    if isinstance(value, str):
        if value in secrets:
            return NO_LOG_PLACEHOLDER
        if not any(secret in value for secret in secrets):
            # Unchanged, with whatever the controller attached to it (2.19's data tags).
            return value
        text = str(value)
        for secret in secrets:
            text = text.replace(secret, NO_LOG_MASK)
        return text
    if isinstance(value, (int, float)):
        return NO_LOG_PLACEHOLDER if any(secret in str(value) for secret in secrets) else value
    if isinstance(value, Mapping):
        return {key: _censored(item, secrets) for key, item in value.items()}
    if isinstance(value, Set):
        return {_censored(item, secrets) for item in value}
    if isinstance(value, (list, tuple)):
        return [_censored(item, secrets) for item in value]
    return value


def run_client_in_process(module_file, options: dict, call):
    """``call(client)`` with the client the module would build from ``options`` (its argument spec, environment
    fallbacks and defaults): for the reads and silent reschedules the role makes between module runs.

    Raises ModuleRunFailed like run_module_in_process().
    """
    return run_module_in_process(module_file, options, check_mode=False, diff=False,
                                 run=lambda module, client: {"answer": call(client)})["answer"]


def may_have_written(exc: StatusPageError) -> bool:
    """Whether the failed run may have changed something on the API (a write whose outcome is unknown)."""
    if isinstance(exc, UncertainWriteError):
        return True
    return isinstance(exc, TransportError) and exc.maybe_sent and exc.method in ("POST", "PUT", "DELETE")


def module_defaults_for(task, templar, fqcn: str) -> dict:
    """The ``module_defaults`` that apply to module ``fqcn`` at ``task``, for its action groups and its name.

    Ansible applies module_defaults to a task's own action only; the role's step runs other modules, so it
    reads them here, the way Ansible does: group entries first, then the module's own entry, later blocks
    (block, role, play inherited) overriding earlier ones key by key.
    """
    merged: dict = {}
    for entry in task.module_defaults or []:
        merged.update(entry)
    play = find_play(task)
    action_groups = getattr(play, "_action_groups", None) or {}
    groups = set(action_groups.get(fqcn, []))
    defaults: dict = {}
    for key, value in merged.items():
        if key.startswith("group/") and key[len("group/"):] in groups:
            defaults.update(templar.template(value) or {})
    defaults.update(templar.template(merged.get(fqcn, {})) or {})
    return defaults


def find_play(task):
    """The play a task belongs to (through blocks, includes and roles), or None."""
    current = task
    while current is not None:
        play = getattr(current, "_play", None)
        if play is not None:
            return play
        current = getattr(current, "_parent", None)
    return None


def task_environment(task, templar) -> dict:
    """The environment the task's ``environment`` keyword (with its inherited values) gives a module."""
    environments = task.environment or []
    if not isinstance(environments, list):
        environments = [environments]
    environment: dict = {}
    for entry in environments:
        if entry:
            templated = templar.template(entry)
            if isinstance(templated, dict):
                environment.update({str(name): str(value) for name, value in templated.items()})
    return environment


@contextlib.contextmanager
def environment_of(variables: dict):
    """Apply ``variables`` to os.environ for the duration, as a module started with them would see them."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
