# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""The flow every module shares: build the client, run the module's state machine, report the outcome.

A module defines ``MODULE_ARGS`` (the keyword arguments of ``AnsibleModule``) and ``run(module, client)``,
its state machine, which returns the result dictionary. ``module`` is anything with ``params``,
``check_mode``, ``_diff`` and ``warn()``: an ``AnsibleModule`` when the module runs as a module, or the
controller-side stand-in of ``plugin_utils/_in_process.py`` when the maintenance_window role runs it
inside the controller's process.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import StatusPageError
from ansible_collections.incident_io.status_page.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    StatusPageClient,
)


def execute(module, run, *, raise_errors: bool = False) -> dict:
    """Run ``run(module, client)`` and return its result, or ``failed`` with the message of a StatusPageError.

    With ``raise_errors``, a StatusPageError propagates instead, for callers that act on its kind.
    """
    try:
        client = StatusPageClient.from_params(module.params)
        try:
            return run(module, client)
        finally:
            client.close()
    except StatusPageError as exc:
        if raise_errors:
            raise
        return dict(exc.fail_json_kwargs(), failed=True)
    except ValueError as exc:
        if raise_errors:
            raise StatusPageError(str(exc)) from None
        return {"failed": True, "msg": str(exc)}


def run_module(module_args: dict, run) -> None:
    """The ``main()`` of every module."""
    module = AnsibleModule(**module_args)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    result = execute(module, run)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
