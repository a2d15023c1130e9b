# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Any answer the spec allows, and answers it does not: the modules end in a result or a StatusPageError.

Every answer is drawn from the response schema of the vendored OpenAPI documents (tests/emulator/spec: the status
pages and the alert maintenance windows) for the operation the request addresses; every request is checked against
the same documents (spec_answers.SpecSession).
The unusual answers replace any value of a valid answer with any JSON, or answer with something that is not JSON.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.incident_io.status_page.plugins.module_utils import _lock
from ansible_collections.incident_io.status_page.plugins.module_utils._errors import (
    StatusPageError,
    UnexpectedAnswerError,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._client import StatusPageClient
from ansible_collections.incident_io.status_page.plugins.modules import (
    alert_maintenance_window,
    status_page_incident,
    status_page_info,
    status_page_maintenance,
)
from ansible_collections.incident_io.status_page.tests.unit.plugins.spec_answers import (
    ALERT_WINDOW_ID,
    ALERT_WINDOW_NAME,
    API_KEY,
    API_URL,
    BY_ID,
    COMPONENT_IDS,
    INCIDENT_ID,
    LEAD_EMAIL,
    PAGE_ID,
    WINDOW_ID,
    SpecSession,
)

COMPONENT_ID = COMPONENT_IDS[0]
# The realistic times replace hypothesis-jsonschema's own date-time strategy, on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Overriding standard format 'date-time'"),
    # The collection's own logic (answer shapes), the same on every release, and the most expensive unit tests: they
    # run once, on the oldest supported ansible-core (CONTRIBUTING.md, "What runs where").
    pytest.mark.skipif(tuple(int(part) for part in ANSIBLE_CORE_VERSION.split(".")[:2]) >= (2, 20),
                       reason="property tests run on the oldest supported ansible-core only"),
]


def pages(*names) -> set:
    """The operationIds of status-page operations, by their name in the spec."""
    return {f"Status Pages V2#{name}" for name in names}


def alert_windows(*names) -> set:
    """The operationIds of alert maintenance window operations, by their name in the spec."""
    return {f"MaintenanceWindows V1#{name}" for name in names}


# Tasks as users write them, each with the operations it must reach on answers the spec allows. Together they
# reach every operation the module calls (test_the_tasks_reach_every_operation_of_the_client checks the list).
INCIDENT_TASKS = [
    ({"status_page": "Acme Cloud", "name": "Outage", "msg": "Investigating.",
      "components": {"Website": "degraded_performance"}},
     pages("ListStatusPages", "ShowStatusPageStructure")),
    # A name no generated incident has: the module opens the incident.
    ({"status_page": PAGE_ID, "name": "New outage", "msg": "Investigating.", "components": {COMPONENT_ID: "full_outage"}},
     pages("ListStatusPageIncidents", "CreateStatusPageIncident", "CreateStatusPageIncidentUpdate")),
    ({"status_page": PAGE_ID, "name": "Outage", "incident_status": "resolved", "msg": "Fixed."},
     pages("ListStatusPageIncidents", "CreateStatusPageIncidentUpdate")),
    ({"status_page": PAGE_ID, "name": "New outage", "incident_status": "identified", "msg": "Found.",
      "idempotency_key": "job-1"},
     pages("ListStatusPageIncidents", "CreateStatusPageIncident")),
    ({"id": INCIDENT_ID, "incident_status": "monitoring", "msg": "Watching.", "components": {"Website": "operational"}},
     pages("ShowStatusPageIncident", "ShowStatusPageStructure")),
    ({"id": INCIDENT_ID, "name": "Renamed outage"}, pages("ShowStatusPageIncident", "UpdateStatusPageIncident")),
    ({"id": INCIDENT_ID, "name": "Outage", "msg": "More news.", "notify_subscribers": True},
     pages("ShowStatusPageIncident", "CreateStatusPageIncidentUpdate")),
]
MAINTENANCE_TASKS = [
    ({"status_page": "Acme Cloud", "name": "Deploy", "components": ["Website"], "duration": "30m",
      "state": "in_progress"},
     pages("ListStatusPages", "ShowStatusPageStructure")),
    ({"status_page": PAGE_ID, "name": "New deploy", "components": [COMPONENT_ID], "start_at": "+1h", "duration": "1h"},
     pages("ListStatusPageMaintenances", "CreateStatusPageMaintenance")),
    ({"status_page": PAGE_ID, "name": "Deploy", "state": "completed", "msg": "Done."},
     pages("ListStatusPageMaintenances", "CreateStatusPageMaintenanceUpdate")),
    ({"status_page": PAGE_ID, "name": "Deploy", "state": "absent"},
     pages("ListStatusPageMaintenances")),
    ({"status_page": PAGE_ID, "name": "Deploy", "components": [COMPONENT_ID], "duration": "30m",
      "idempotency_key": "job-2", "state": "in_progress"},
     pages("ListStatusPageMaintenances", "CreateStatusPageMaintenance")),
    ({"id": WINDOW_ID, "state": "in_progress", "msg": "Started."},
     pages("ShowStatusPageMaintenance", "CreateStatusPageMaintenanceUpdate")),
    ({"id": WINDOW_ID, "name": "Renamed deploy"}, pages("ShowStatusPageMaintenance")),
    ({"id": WINDOW_ID, "start_at": "2031-01-01T10:00:00Z", "end_at": "2031-01-01T11:00:00Z", "state": "in_progress"},
     pages("ShowStatusPageMaintenance", "UpdateStatusPageMaintenance", "CreateStatusPageMaintenanceUpdate")),
    ({"id": WINDOW_ID, "state": "absent"}, pages("ShowStatusPageMaintenance", "DeleteStatusPageMaintenance")),
    ({"id": WINDOW_ID, "status_page": "Acme Cloud", "components": ["Website"], "state": "scheduled"},
     pages("ListStatusPages", "ShowStatusPageStructure")),
]
INFO_TASKS = [
    ({}, pages("ListStatusPages")),
    ({"status_page": "Acme Cloud"},
     pages("ListStatusPages", "ShowStatusPageStructure", "ListStatusPageIncidents", "ListStatusPageMaintenances")),
    ({"status_page": PAGE_ID, "include": ["incidents"], "name": "Outage"}, pages("ListStatusPages", "ListStatusPageIncidents")),
    ({"status_page": PAGE_ID, "include": ["structure", "maintenances"]},
     pages("ListStatusPages", "ShowStatusPageStructure", "ListStatusPageMaintenances")),
]
CONDITIONS = [{"conditions": [
    {"subject": "alert.title", "operation": "contains", "param_bindings": [{"value": {"literal": "api"}}]},
]}]
ALERT_WINDOW_TASKS = [
    # A name no generated window has: the module creates the window.
    ({"name": "New deploy", "duration": "30m", "lead": LEAD_EMAIL, "conditions": CONDITIONS},
     alert_windows("List", "Create")),
    # The active or upcoming window of that name, changed by a PUT of the whole window.
    ({"name": ALERT_WINDOW_NAME, "start_at": "+1h", "duration": "1h", "lead": LEAD_EMAIL, "conditions": CONDITIONS,
      "notification_message": "Deploying", "resolve_on_end": True},
     alert_windows("List", "Update")),
    # Ending an active window moves its end; ending an upcoming one archives it.
    ({"name": ALERT_WINDOW_NAME, "state": "ended"}, alert_windows("List", "Update", "Delete")),
    ({"name": ALERT_WINDOW_NAME, "state": "absent", "lookback": "7d"}, alert_windows("List", "Update", "Delete")),
    ({"id": ALERT_WINDOW_ID, "name": "Renamed deploy"}, alert_windows("Show", "Update")),
    ({"id": ALERT_WINDOW_ID, "state": "absent"}, alert_windows("Show", "Delete")),
]
MODULES = {
    "alert_maintenance_window": (alert_maintenance_window.MODULE_ARGS, alert_maintenance_window.run,
                                 ALERT_WINDOW_TASKS),
    "status_page_incident": (status_page_incident.MODULE_ARGS, status_page_incident.run, INCIDENT_TASKS),
    "status_page_maintenance": (status_page_maintenance.MODULE_ARGS, status_page_maintenance.run, MAINTENANCE_TASKS),
    "status_page_info": (status_page_info.MODULE_ARGS, status_page_info.read_status_pages, INFO_TASKS),
}
CASES = [(name, index) for name in sorted(MODULES) for index in range(len(MODULES[name][2]))]
# Every operation of the client, by the spec's operationId, with the client method that calls it.
CLIENT_OPERATIONS = {
    "list_status_pages": pages("ListStatusPages"), "get_structure": pages("ShowStatusPageStructure"),
    "list_incidents": pages("ListStatusPageIncidents"), "get_incident": pages("ShowStatusPageIncident"),
    "create_incident": pages("CreateStatusPageIncident"), "rename_incident": pages("UpdateStatusPageIncident"),
    "post_incident_update": pages("CreateStatusPageIncidentUpdate"),
    "list_maintenances": pages("ListStatusPageMaintenances"), "get_maintenance": pages("ShowStatusPageMaintenance"),
    "create_maintenance": pages("CreateStatusPageMaintenance"),
    "update_maintenance": pages("UpdateStatusPageMaintenance"),
    "delete_maintenance": pages("DeleteStatusPageMaintenance"),
    "post_maintenance_update": pages("CreateStatusPageMaintenanceUpdate"),
    "list_alert_windows": alert_windows("List"), "get_alert_window": alert_windows("Show"),
    "create_alert_window": alert_windows("Create"), "update_alert_window": alert_windows("Update"),
    "archive_alert_window": alert_windows("Delete"),
}
EXAMPLES_PER_TASK = 40


class StandIn:
    """What run() may use of a module: params, check_mode, _diff and warn()."""

    def __init__(self, params: dict, check_mode: bool, diff: bool):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def module_params(module_args: dict, task: dict) -> dict:
    validator = ArgumentSpecValidator(
        module_args["argument_spec"],
        mutually_exclusive=module_args.get("mutually_exclusive"),
        required_one_of=module_args.get("required_one_of"),
    )
    result = validator.validate(dict(task, api_key=API_KEY, api_url=API_URL))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def run_once(module_name: str, index: int, data, unusual: bool):
    """One run of a task against drawn answers; returns (result or the StatusPageError, the session)."""
    module_args, run, tasks = MODULES[module_name]
    task = tasks[index][0]
    # Most runs write: the decisions after a write are where a committed change must still be reported.
    check_mode = data.draw(st.sampled_from([False, False, False, True]), label="check_mode")
    module = StandIn(module_params(module_args, task), check_mode, data.draw(st.booleans(), label="diff"))
    session = SpecSession(data, unusual=unusual)
    client = StatusPageClient(API_KEY, API_URL, session=session, sleep=lambda seconds: None)
    try:
        outcome = run(module, client)
    except StatusPageError as exc:
        outcome = exc
    if check_mode:
        assert session.writes == [], "check mode sent a write"
    if isinstance(outcome, StatusPageError):
        message = str(outcome)
        assert message and API_KEY not in message
        if isinstance(outcome, UnexpectedAnswerError):
            # What was asked, what came back, and what it means for the object.
            assert message.startswith(f"{outcome.method} {outcome.path} succeeded, but ")
            assert "Nothing was written" in message or "probably" in message
    else:
        assert isinstance(outcome, dict) and isinstance(outcome.get("changed"), bool)
    return outcome, session


@pytest.fixture(autouse=True)
def private_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(_lock.tempfile, "gettempdir", lambda: str(tmp_path))


def property_settings(examples: int):
    # derandomize: the same examples on every run (but for Python's hash randomisation), so that the operations
    # a task reaches do not depend on luck.
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def test_the_tasks_reach_every_operation_of_the_client():
    # The client's endpoint methods are its public methods, less the generic ones they are built on.
    generic = {"request", "get", "create", "put", "delete", "post_update", "paginate", "close", "from_params"}
    endpoints = {name for name in vars(StatusPageClient) if not name.startswith("_") and name not in generic}
    assert endpoints == set(CLIENT_OPERATIONS)
    operations = set().union(*CLIENT_OPERATIONS.values())
    assert operations <= set(BY_ID), f"not in the vendored specs: {sorted(operations - set(BY_ID))}"
    reached = set().union(*(expected for dummy, dummy_run, tasks in MODULES.values() for dummy_task, expected in tasks))
    assert reached == operations


@pytest.mark.parametrize("module_name, index", CASES)
def test_every_answer_the_spec_allows_ends_in_a_result_or_a_clear_error(module_name, index):
    reached = set()
    outcomes = set()

    @property_settings(EXAMPLES_PER_TASK)
    @given(data=st.data())
    def check(data):
        outcome, session = run_once(module_name, index, data, unusual=False)
        reached.update(session.operations)
        outcomes.add(type(outcome).__name__)

    check()
    expected = MODULES[module_name][2][index][1]
    assert expected <= reached, f"never reached: {sorted(expected - reached)}"
    # Results occur, not only errors.
    assert "dict" in outcomes


@pytest.mark.parametrize("module_name, index", CASES)
def test_answers_off_the_spec_end_in_a_result_or_a_clear_error(module_name, index):
    @property_settings(EXAMPLES_PER_TASK // 2)
    @given(data=st.data())
    def check(data):
        run_once(module_name, index, data, unusual=True)

    check()
