# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The decisions of the maintenance_window role's step: which batch opens, when the window is finished, how."""

from __future__ import annotations

import types

import pytest

from ansible.parsing.dataloader import DataLoader

from ansible_collections.incident_io.status_page.plugins.action import maintenance_window_step as step_module
from ansible_collections.incident_io.status_page.plugins.action.maintenance_window_step import ActionModule

from ansible_collections.incident_io.status_page.tests.unit.plugins.data import WINDOW_ID

RUN_ID = "play-uuid-1"
HOSTS = ["web01", "web02", "web03", "web04"]
# An include of the role at the top level (no deploy around it), without a page: the key of its records.
RECORD_KEY = "0|None|Release"
MESSAGES = {"complete_message": "Done.", "failure_message": "Failed.", "keep_open_message": "Still going."}


class Templar:
    @staticmethod
    def template(value):
        return value


def make_play(strategy="linear", serial=None, max_fail_percentage=None):
    return types.SimpleNamespace(_uuid=RUN_ID, strategy=strategy, serial=serial or [],
                                 max_fail_percentage=max_fail_percentage, _action_groups={})


def make_action(args, play, *, check_mode=False, any_errors_fatal=False):
    task = types.SimpleNamespace(args=dict(args), action="incident_io.status_page.maintenance_window_step",
                                 check_mode=check_mode, diff=False, module_defaults=[], environment=[],
                                 any_errors_fatal=any_errors_fatal, async_val=0,
                                 _parent=types.SimpleNamespace(_play=play))
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None))
    play_context = types.SimpleNamespace(check_mode=check_mode, diff=False)
    return ActionModule(task, connection, play_context, DataLoader(), Templar(), None)


def window(state="open", batch=("web01", "web02"), batch_number=1, **extra):
    record = {"id": WINDOW_ID, "maintenance": {"id": WINDOW_ID, "name": "Release", "maintenance_status": "maintenance_in_progress"},
              "idempotency_key": "key-1", "deploy_tasks": "/deploy.yml", "run_deploy": True, "record_key": RECORD_KEY,
              "deploy_run": {"id": RUN_ID, "window": "Release", "batch": list(batch), "batch_number": batch_number,
                             "state": state, "outcome": None}}
    record.update(extra)
    return record


def task_vars(*, me="web01", batch=("web01", "web02"), active=tuple(HOSTS), done=(), failed=(), prepared=None, records=None,
              own_window=None):
    """The variables a host sees: its batch, the play's hosts, and every host's facts."""
    hostvars = {}
    for host in HOSTS:
        facts = {"__maintenance_window_host": {"run_id": RUN_ID}} if host in (prepared if prepared is not None else HOSTS) else {}
        if host in done:
            facts["__maintenance_window_done"] = RUN_ID
        if host in failed:
            facts["__maintenance_window_failure"] = {"run": RUN_ID, "stage": "deploy", "error": "boom"}
        if records and host in records:
            facts["maintenance_window"] = records[host]
        hostvars[host] = facts
    variables = {"inventory_hostname": me, "ansible_play_batch": list(batch), "ansible_play_hosts": list(active),
                 "ansible_play_hosts_all": list(HOSTS), "hostvars": hostvars, "playbook_dir": "/"}
    if own_window is not None:
        variables["maintenance_window"] = own_window
    return variables


class Client:
    """The client calls the step makes between module runs (reads and silent reschedules), and their answers."""

    def __init__(self, calls, window):
        self.calls, self.window = calls, window

    def get_maintenance(self, window_id):
        self.calls.append(("GET", window_id, None))
        return self.window

    def update_maintenance(self, window_id, body):
        self.calls.append(("PUT", window_id, body))
        self.window = dict(self.window, component_maintenance_periods=[
            {"component_id": "C1", "start_at": body["start_at"], "end_at": body["end_at"]}])
        return self.window


def in_progress(end="2999-01-01T00:00:00Z", status="maintenance_in_progress", start="2026-05-01T10:00:00Z"):
    return {"id": WINDOW_ID, "name": "Release", "maintenance_status": status, "automate_maintenance_status": True,
            "updates": [{"published_at": "2026-05-01T10:30:00Z", "message": "Done."}],
            "component_maintenance_periods": [{"component_id": "C1", "start_at": start, "end_at": end}]}


@pytest.fixture
def window_calls(monkeypatch):
    """The step's reads and reschedules of the window; the window answered is ``window_calls.window``."""
    calls = WindowCalls()
    client = Client(calls, in_progress())
    calls.client = client
    monkeypatch.setattr(ActionModule, "on_window", lambda self, window_id, call: call(client))
    return calls


class WindowCalls(list):
    client = None

    def answer(self, window):
        self.client.window = window


@pytest.fixture
def published(monkeypatch):
    """Records the module runs the step makes, and answers them as the module would."""
    calls = []

    def run_maintenance(self, options, predicted=None, **_modes):
        calls.append(options)
        status = {"completed": "maintenance_complete", "in_progress": "maintenance_in_progress"}[options["state"]]
        return {"changed": True, "id": WINDOW_ID, "idempotency_key": options.get("idempotency_key"),
                "maintenance": {"id": WINDOW_ID, "name": "Release", "maintenance_status": status}}

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    return calls


def finish(play, variables, **args):
    return make_action(dict({"step": "finish", "name": "Release"}, **MESSAGES, **args), play).run(task_vars=variables)


def test_prepare_says_how_the_steps_run():
    result = make_action({"step": "prepare"}, make_play(strategy="free")).run(task_vars=task_vars())
    assert result == {"changed": False, "run_id": RUN_ID, "run_once": False, "batch": ["web01", "web02"]}
    assert make_action({"step": "prepare"}, make_play()).run(task_vars=task_vars())["run_once"] is True


def test_first_batch_of_a_rolling_deploy_keeps_the_window_open(published):
    result = finish(make_play(serial=[2]), task_vars(done=["web01", "web02"], own_window=window()))
    assert published == []
    assert result["outcome"] == "continues"
    assert result["deploy_run"]["state"] == "open"
    assert result["changed"] is False


def test_last_batch_completes_the_window(published):
    variables = task_vars(me="web03", batch=["web03", "web04"], done=HOSTS,
                          own_window=window(batch=["web03", "web04"], batch_number=2))
    result = finish(make_play(serial=[2]), variables)
    assert [(call["state"], call["msg"], call["id"]) for call in published] == [("completed", "Done.", WINDOW_ID)]
    assert result["outcome"] == "success"
    assert result["deploy_run"]["state"] == "finished"


def test_a_failure_in_an_earlier_batch_makes_the_end_a_failure(published):
    variables = task_vars(me="web03", batch=["web03", "web04"], active=["web02", "web03", "web04"], done=HOSTS,
                          failed=["web01"], own_window=window(batch=["web03", "web04"], batch_number=2))
    result = finish(make_play(serial=[2]), variables)
    assert [call["msg"] for call in published] == ["Failed."]
    assert result["outcome"] == "complete"
    assert result["failed_hosts"] == ["web01"]


def test_a_batch_that_failed_entirely_finishes_the_window_before_ansible_stops(published):
    variables = task_vars(done=["web01", "web02"], failed=["web01", "web02"], own_window=window())
    result = finish(make_play(serial=[2]), variables)
    assert [call["msg"] for call in published] == ["Failed."]
    assert result["outcome"] == "complete"


def test_one_failure_in_a_batch_keeps_the_window_open(published):
    result = finish(make_play(serial=[2]), task_vars(done=["web01", "web02"], failed=["web01"], own_window=window()))
    assert published == []
    assert result["outcome"] == "continues"


@pytest.mark.parametrize("play, fatal", [
    (make_play(serial=[2], max_fail_percentage=25), False),
    (make_play(serial=[2]), True),
])
def test_max_fail_percentage_and_any_errors_fatal_finish_the_window(published, play, fatal):
    action = make_action(dict({"step": "finish", "name": "Release"}, **MESSAGES), play, any_errors_fatal=fatal)
    result = action.run(task_vars=task_vars(done=["web01", "web02"], failed=["web02"], own_window=window()))
    assert [call["msg"] for call in published] == ["Failed."]
    assert result["outcome"] == "complete"


def test_max_fail_percentage_not_exceeded_keeps_the_window_open(published):
    result = finish(make_play(serial=[2], max_fail_percentage=50),
                    task_vars(done=["web01", "web02"], failed=["web02"], own_window=window()))
    assert published == []
    assert result["outcome"] == "continues"


def test_a_host_lost_during_the_deploy_counts_as_failed(published):
    # web02 became unreachable: it is no longer active and never got to `always`; web01 is the last one.
    variables = task_vars(me="web01", batch=["web01"], active=["web01"], done=["web01"], own_window=window())
    result = finish(make_play(), variables)
    assert [call["msg"] for call in published] == ["Failed."]
    assert "web02" in result["failed_hosts"]


def test_free_strategy_waits_for_the_other_hosts_of_the_batch(published):
    variables = task_vars(me="web02", batch=HOSTS, done=["web02"], own_window=window(batch=HOSTS))
    result = finish(make_play(strategy="free"), variables)
    assert published == []
    assert result["outcome"] == "waiting"
    assert result["waiting_for"] == ["web01", "web03", "web04"]


def test_free_strategy_last_host_finishes(published):
    variables = task_vars(me="web02", batch=HOSTS, done=HOSTS, failed=["web04"], own_window=window(batch=HOSTS))
    result = finish(make_play(strategy="free"), variables)
    assert [call["msg"] for call in published] == ["Failed."]
    assert result["outcome"] == "complete"


def test_keep_open_publishes_in_progress(published):
    variables = task_vars(done=["web01", "web02"], failed=["web01", "web02"], own_window=window())
    finish(make_play(serial=[2]), variables, on_failure="keep_open")
    assert [(call["state"], call["msg"]) for call in published] == [("in_progress", "Still going.")]


def test_a_window_that_was_never_opened_is_left_alone(published):
    failed_open = {"open_failed": True, "msg": "maintenance_window_deploy_tasks: ...", "may_have_written": False}
    variables = task_vars(done=["web01", "web02"], own_window=failed_open)
    result = finish(make_play(serial=[2]), variables)
    assert published == []
    assert result["outcome"] == "none"


def test_a_window_a_lost_create_may_have_made_is_completed_by_name(published):
    failed_open = {"open_failed": True, "msg": "POST failed", "may_have_written": True}
    result = finish(make_play(serial=[2]), task_vars(done=["web01", "web02"], own_window=failed_open), status_page="Acme")
    assert [(call["name"], call["msg"], "id" in call) for call in published] == [("Release", "Failed.", False)]
    assert result["outcome"] == "complete"


def test_later_batch_reuses_the_window_and_only_reads_it(published, window_calls):
    records = {"web01": window(), "web02": window()}
    variables = task_vars(me="web03", batch=["web03", "web04"], records=records)
    result = make_action({"step": "open", "name": "Release", "deploy_tasks": "/missing.yml"}, make_play(serial=[2])).run(
        task_vars=variables)
    assert published == []
    # The window is read to make sure it is still in progress; its deadline is far enough ahead to stay.
    assert window_calls == [("GET", WINDOW_ID, None)]
    assert result["id"] == WINDOW_ID
    assert result["ansible_facts"]["__maintenance_window_records"][RECORD_KEY]["deploy_run"]["batch_number"] == 2
    assert result["deploy_run"]["batch_number"] == 2
    assert result["deploy_run"]["batch"] == ["web03", "web04"]


def test_a_batch_after_the_deploy_ended_does_not_deploy(published):
    records = {"web01": window(state="finished", outcome="complete")}
    records["web01"]["deploy_run"]["outcome"] = "complete"
    variables = task_vars(me="web03", batch=["web03", "web04"], records=records)
    result = make_action({"step": "open", "name": "Release", "deploy_tasks": "/missing.yml", "fail_on_error": False},
                         make_play(serial=[2])).run(task_vars=variables)
    assert published == []
    assert result["open_failed"] is True
    assert "already ended in this play after batch 1" in result["msg"]


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    ("- name: [unclosed\n", "is not valid YAML"),
    ("name: not a list\n", "must be a list of tasks"),
])
def test_deploy_file_is_checked_before_anything_is_published(published, tmp_path, content, problem):
    path = tmp_path / "deploy.yml"
    if content is not None:
        path.write_text(content)
    action = make_action({"step": "open", "name": "Release", "status_page": "Acme", "components": ["Website"],
                          "deploy_tasks": str(path)}, make_play())
    result = action.run(task_vars=task_vars())
    assert result["failed"] is True
    assert result["msg"].startswith(f"maintenance_window_deploy_tasks: '{path}' {problem}")
    assert published == []


def test_missing_page_is_named_by_its_role_variable(published, tmp_path):
    path = tmp_path / "deploy.yml"
    path.write_text("- ansible.builtin.debug: {msg: hi}\n")
    result = make_action({"step": "open", "name": "Release", "components": ["Website"], "deploy_tasks": str(path)},
                         make_play()).run(task_vars=task_vars())
    assert result["msg"].startswith("maintenance_window_status_page: required to open the window")
    assert published == []


@pytest.fixture
def finished_window(monkeypatch):
    calls = []

    def run_maintenance(self, options, predicted=None, **_modes):
        calls.append(options["idempotency_key"])
        complete = options["idempotency_key"] in ("awx-1", step_module.next_key("awx-1", "W1"))
        window_id = {"awx-1": "W1", step_module.next_key("awx-1", "W1"): "W2"}.get(options["idempotency_key"], "W3")
        return {"changed": not complete, "id": window_id, "idempotency_key": options["idempotency_key"],
                "maintenance": {"id": window_id, "name": "Release",
                                "maintenance_status": "maintenance_complete" if complete else "maintenance_in_progress",
                                "updates": [{"published_at": "2026-05-01T10:30:00Z", "message": "Done."}]}}

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    return calls


def start(when_finished):
    return make_action({"step": "start", "name": "Release", "status_page": "Acme", "components": ["Website"],
                        "idempotency_key": "awx-1", "when_finished": when_finished}, make_play()).run(task_vars=task_vars())


def test_rerun_of_a_finished_deploy_fails_by_default(finished_window):
    result = start("fail")
    assert result["failed"] is True
    assert "names maintenance window W1 ('Release'), completed at 2026-05-01T10:30:00Z" in result["msg"]
    assert "give a new maintenance_window_idempotency_key" in result["msg"]
    assert finished_window == ["awx-1"]


def test_rerun_of_a_finished_deploy_can_skip(finished_window):
    result = start("skip")
    assert result.get("failed") is not True
    assert result["run_deploy"] is False
    assert result["changed"] is False
    assert finished_window == ["awx-1"]


def test_rerun_of_a_finished_deploy_can_open_the_next_window(finished_window):
    result = start("new_window")
    assert result["run_deploy"] is True
    assert result["id"] == "W3"
    # Each finished window in the chain is replayed by its key before the next one is opened.
    assert finished_window == ["awx-1", step_module.next_key("awx-1", "W1"),
                               step_module.next_key(step_module.next_key("awx-1", "W1"), "W2")]


def test_next_key_is_stable_and_does_not_grow():
    first = step_module.next_key("awx-1", "W1")
    assert first == step_module.next_key("awx-1", "W1")
    assert first != step_module.next_key("awx-1", "W2")
    second = step_module.next_key(first, "W2")
    assert second.startswith("awx-1~next-") and len(second) == len(first)


def test_check_mode_publishes_on_the_predicted_window_in_a_later_batch(monkeypatch):
    seen = []

    def run_maintenance(self, options, predicted=None, **_modes):
        seen.append((options["state"], predicted))
        completed = {"id": None, "name": "Release", "maintenance_status": "maintenance_complete"}
        return {"changed": True, "id": None, "maintenance": completed}

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    predicted = window(batch=["web03", "web04"], batch_number=2, id=None, predicted=True)
    predicted["maintenance"] = {"id": None, "name": "Release", "maintenance_status": "maintenance_in_progress"}
    variables = task_vars(me="web03", batch=["web03", "web04"], done=HOSTS, own_window=predicted)
    action = make_action(dict({"step": "finish", "name": "Release"}, **MESSAGES), make_play(serial=[2]), check_mode=True)
    result = action.run(task_vars=variables)
    assert seen == [("completed", predicted["maintenance"])]
    assert result["changed"] is True


CONDITIONS = [{"conditions": [{"subject": "alert.title", "operation": "contains",
                               "param_bindings": [{"value": {"literal": "web app"}}]}]}]


@pytest.fixture
def alert_runs(monkeypatch):
    runs = []

    def run_alert(self, options, *, check_mode):
        runs.append((options.get("state"), options.get("id"), options.get("name"), check_mode))
        return {"changed": True, "action": options.get("state"), "id": "ALERT1"}

    monkeypatch.setattr(ActionModule, "run_alert", run_alert)
    return runs


@pytest.mark.parametrize("on_failure, ended", [("complete", True), ("incident", True), ("keep_open", False)])
def test_finishing_ends_the_alert_window_unless_kept_open(published, alert_runs, monkeypatch, on_failure, ended):
    monkeypatch.setattr(ActionModule, "open_incident", lambda self, published: {"changed": True})
    record = window(alert_window={"id": "ALERT1", "window": {"name": "Release"}})
    variables = task_vars(done=["web01", "web02"], failed=["web01", "web02"], own_window=record)
    result = finish(make_play(serial=[2]), variables, on_failure=on_failure)
    assert alert_runs == ([("ended", "ALERT1", None, False)] if ended else [])
    assert (result.get("alert_window", {}).get("action") == "ended") is ended


def test_a_batch_that_keeps_the_window_open_keeps_the_alert_window(published, alert_runs):
    record = window(alert_window={"id": "ALERT1"})
    finish(make_play(serial=[2]), task_vars(done=["web01", "web02"], own_window=record), alert_conditions=CONDITIONS)
    assert alert_runs == []


def test_without_alert_conditions_nothing_about_alert_windows_is_sent(published, alert_runs):
    finish(make_play(), task_vars(batch=HOSTS, done=HOSTS, own_window=window(batch=HOSTS)))
    assert alert_runs == []


def test_complete_ends_the_alert_window_by_name_in_a_later_play(published, alert_runs):
    action = make_action(dict({"step": "complete", "name": "Release", "status_page": "Acme", "alert_conditions": CONDITIONS},
                              **MESSAGES), make_play())
    result = action.run(task_vars=task_vars())
    assert [call["state"] for call in published] == ["completed"]
    assert alert_runs == [("ended", None, "Release", False)]
    assert result["alert_window"]["id"] == "ALERT1"


def test_play_run_id_ignores_the_batch_suffix_ansible_runner_adds():
    play = make_play()
    play._uuid = "02fc0000-0001-0b3f-c03b-000000000004"
    first = step_module.play_run_id(play)
    play._uuid = "02fc0000-0001-0b3f-c03b-000000000004_2"
    assert step_module.play_run_id(play) == first == "02fc0000-0001-0b3f-c03b-000000000004"


# ----- one deploy, one window: keys, joins, deadlines, who finishes ------------------------------------------------

AWX_SLICE = {"awx_workflow_job_id": 77, "awx_job_template_id": 12, "awx_job_id": 78}


class OpenAnswers(list):
    """The maintenance module runs of the open and join steps; ``found`` is the window's state before them (None: the
    run creates it), ``action`` what the module reports."""

    found = None
    action = None


@pytest.fixture
def opened(monkeypatch):
    runs = OpenAnswers()

    def run_maintenance(self, options, predicted=None, *, check_mode=None, diff=None):
        runs.append(dict(options, check_mode=check_mode))
        action = runs.action or ("created" if runs.found is None else "none")
        result = {"changed": action != "none", "action": action, "id": WINDOW_ID,
                  "idempotency_key": options.get("idempotency_key") or "derived-key",
                  "maintenance": in_progress(end="2026-05-01T11:00:00Z")}
        if diff:
            result["diff"] = {"before": {"state": runs.found} if runs.found else {}, "after": {"state": "in_progress"}}
        return result

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    return runs


def open_step(tmp_path, variables=None, play=None, **args):
    path = tmp_path / "deploy.yml"
    path.write_text("[]\n")
    action = make_action(dict({"step": "open", "name": "Release", "status_page": "Acme", "components": ["Website"],
                               "deploy_tasks": str(path)}, **args), play or make_play())
    return action.run(task_vars=variables or task_vars())


def awx_vars(**extra):
    return dict(task_vars(**extra), **AWX_SLICE)


def test_the_slices_of_an_awx_job_share_one_derived_key_and_every_window_has_a_deadline(opened, tmp_path):
    result = open_step(tmp_path, awx_vars())
    assert opened[0]["idempotency_key"].startswith("awx-77-12-")
    # Every slice derives the same key; another page (or window name) gets another one.
    assert open_step(tmp_path, awx_vars())["idempotency_key"] == opened[0]["idempotency_key"]
    assert open_step(tmp_path, awx_vars(), status_page="Globex")["idempotency_key"] != opened[0]["idempotency_key"]
    assert opened[0]["automate"] is True
    assert result["joined"] is False and result["deadline"] == "2026-05-01T11:00:00Z"
    record = result["ansible_facts"]["__maintenance_window_records"]["0|Acme|Release"]
    assert record["id"] == WINDOW_ID and record["deploy_run"]["batch_number"] == 1


def test_a_run_outside_awx_is_a_deploy_of_its_own(opened, tmp_path):
    open_step(tmp_path)
    play = make_play()
    play._uuid = "another-play-run"
    open_step(tmp_path, play=play)
    assert opened[0]["idempotency_key"].startswith(f"run-{RUN_ID}-")
    assert opened[1]["idempotency_key"].startswith("run-another-play-run-")


def test_a_given_key_and_automate_win_over_the_derived_ones(opened, tmp_path):
    open_step(tmp_path, awx_vars(), idempotency_key="4711", automate=False)
    assert opened[0]["idempotency_key"] == "4711" and opened[0]["automate"] is False


def test_a_run_that_finds_the_window_in_progress_joins_it_and_moves_its_deadline(opened, window_calls, tmp_path):
    opened.found = "in_progress"
    result = open_step(tmp_path)
    assert result["joined"] is True
    [(method, window_id, body)] = window_calls
    assert (method, window_id) == ("PUT", WINDOW_ID)
    # Later than the deadline it found, even when the run's own span would end sooner.
    assert body["end_at"] > "2026-05-01T11:00:00Z" and body["start_at"] == "2026-05-01T10:00:00Z"
    assert result["deadline"] == body["end_at"]


def test_a_slice_of_an_awx_job_leaves_the_window_to_its_deadline(published):
    result = finish(make_play(), awx_vars(batch=HOSTS, done=HOSTS, own_window=window(batch=HOSTS)))
    assert published == []
    assert result["outcome"] == "left_open" and result["changed"] is False
    assert "a job of AWX workflow job 77" in result["warnings"][0]
    assert "completes it at its deadline" in result["warnings"][0]
    assert result["deploy_run"]["state"] == "finished"


def test_finished_by_this_run_completes_even_in_an_awx_job(published):
    result = finish(make_play(), awx_vars(batch=HOSTS, done=HOSTS, own_window=window(batch=HOSTS)), finished_by="this_run")
    assert [call["state"] for call in published] == ["completed"]
    assert result["outcome"] == "success"


def test_finished_by_another_job_never_completes(published):
    result = finish(make_play(), task_vars(batch=HOSTS, done=HOSTS, own_window=window(batch=HOSTS)),
                    finished_by="another_job")
    assert published == [] and result["outcome"] == "left_open"


@pytest.mark.parametrize("joined, reason", [(True, "another run or job had opened"), ("join", "entry point join")])
def test_a_run_that_joined_a_window_never_finishes_it(published, joined, reason):
    record = window(batch=HOSTS, joined=joined)
    result = finish(make_play(), task_vars(batch=HOSTS, done=HOSTS, failed=["web02"], own_window=record),
                    finished_by="this_run" if joined == "join" else "auto")
    assert published == []
    assert result["outcome"] == "left_open" and reason in result["warnings"][0]
    assert result["failed_hosts"] == ["web02"]


def test_the_opener_leaves_the_window_in_progress_when_another_run_moved_its_deadline(published, window_calls):
    window_calls.answer(in_progress(end="2026-05-01T11:00:01Z"))
    record = window(batch=HOSTS, deadline="2026-05-01T11:00:00Z")
    result = finish(make_play(), task_vars(batch=HOSTS, done=HOSTS, own_window=record))
    assert published == [] and window_calls == [("GET", WINDOW_ID, None)]
    assert "another run joined it while this one deployed" in result["warnings"][0]


def test_the_opener_completes_when_nobody_joined(published, window_calls):
    window_calls.answer(in_progress(end="2026-05-01T11:00:00Z"))
    record = window(batch=HOSTS, deadline="2026-05-01T11:00:00Z")
    result = finish(make_play(), task_vars(batch=HOSTS, done=HOSTS, own_window=record))
    assert [call["state"] for call in published] == ["completed"] and result["outcome"] == "success"


def test_a_later_batch_never_deploys_under_a_window_completed_meanwhile(published, window_calls):
    window_calls.answer(in_progress(status="maintenance_complete"))
    variables = task_vars(me="web03", batch=["web03", "web04"], records={"web01": window()})
    result = make_action({"step": "open", "name": "Release", "fail_on_error": False}, make_play(serial=[2])).run(
        task_vars=variables)
    assert result["open_failed"] is True and published == []
    assert f"maintenance window {WINDOW_ID} ('Release') was completed at 2026-05-01T10:30:00Z while this deploy" in result["msg"]


def test_a_later_batch_moves_a_near_deadline_on_silently(published, window_calls, monkeypatch):
    monkeypatch.setattr(step_module, "utcnow", lambda: step_module.parse_time("2026-05-01T10:20:00Z"))
    window_calls.answer(in_progress(end="2026-05-01T10:25:00Z"))
    variables = task_vars(me="web03", batch=["web03", "web04"], records={"web01": window()})
    result = make_action({"step": "open", "name": "Release", "duration": "30m"}, make_play(serial=[2])).run(
        task_vars=variables)
    assert window_calls[1] == ("PUT", WINDOW_ID, {"name": "Release", "start_at": "2026-05-01T10:00:00Z",
                                                  "end_at": "2026-05-01T10:50:00Z"})
    assert result["deadline"] == "2026-05-01T10:50:00Z" and published == []


@pytest.mark.parametrize("action", ["created", "updated"])
def test_join_fails_before_deploying_when_no_window_is_in_progress(opened, window_calls, tmp_path, action):
    opened.action = action
    result = open_step(tmp_path, step="join", idempotency_key="77")
    assert result["failed"] is True and window_calls == []
    assert result["msg"].startswith("No maintenance window named 'Release' is in progress on status page 'Acme' under "
                                    "idempotency_key '77'")
    # Found without writing: the module ran in check mode only.
    assert [run["check_mode"] for run in opened] == [True]


def test_join_deploys_inside_the_open_window_and_moves_its_deadline(opened, window_calls, tmp_path):
    opened.found = "in_progress"
    result = open_step(tmp_path, awx_vars(), step="join", idempotency_key="77")
    assert result["joined"] == "join" and result["run_deploy"] is True and result["changed"] is False
    assert [run["check_mode"] for run in opened] == [True] and opened[0]["idempotency_key"] == "77"
    assert [call[0] for call in window_calls] == ["PUT"]


def test_the_record_of_another_page_is_not_reused(opened, window_calls, tmp_path):
    # The same window name on two pages, one include after the other: the second one opens its own window.
    first = window()
    first["record_key"] = "0|Acme|Release"
    variables = task_vars(me="web03", batch=["web03", "web04"], records={"web01": first})
    result = open_step(tmp_path, variables, play=make_play(serial=[2]), status_page="Globex")
    assert len(opened) == 1 and opened[0]["status_page"] == "Globex"
    assert result["record_key"] == "0|Globex|Release" and result["deploy_run"]["batch_number"] == 1


def test_nesting_depth_counts_the_deploy_includes_above_a_task():
    def node(parent, action="block", raw=None):
        return types.SimpleNamespace(_parent=parent, action=action, args={"_raw_params": raw} if raw else {})

    outer_deploy = node(node(None), "ansible.builtin.include_tasks", step_module.DEPLOY_INCLUDE)
    other_include = node(outer_deploy, "ansible.builtin.include_tasks", "other.yml")
    inner_task = node(node(other_include))
    assert step_module.nesting_depth(node(node(None))) == 0
    assert step_module.nesting_depth(inner_task) == 1
    inner_deploy = node(inner_task, "ansible.builtin.include_tasks", step_module.DEPLOY_INCLUDE)
    assert step_module.nesting_depth(node(inner_deploy)) == 2


@pytest.mark.parametrize("deploy_failed, message, outcome", [(False, "Done.", "success"), (True, "Failed.", "complete")])
def test_complete_publishes_how_the_deploy_ended(published, deploy_failed, message, outcome):
    action = make_action(dict({"step": "complete", "name": "Release", "status_page": "Acme", "deploy_failed": deploy_failed},
                              **MESSAGES), make_play())
    result = action.run(task_vars=task_vars())
    assert [(call["state"], call["msg"]) for call in published] == [("completed", message)]
    assert result["outcome"] == outcome


# ----- one deploy on several pages ---------------------------------------------------------------------------------

PAGES = [{"status_page": "Acme", "components": ["Website"]}, {"status_page": "Globex", "components": ["Checkout"]}]


def pages_step(tmp_path, variables=None, **args):
    path = tmp_path / "deploy.yml"
    path.write_text("[]\n")
    action = make_action(dict({"step": "open", "name": "Release", "status_pages": PAGES, "deploy_tasks": str(path)},
                              **args), make_play())
    return action.run(task_vars=variables or task_vars())


def test_every_page_is_checked_before_any_page_shows_the_window(monkeypatch, tmp_path):
    runs = []

    def run_maintenance(self, options, predicted=None, *, check_mode=None, diff=None):
        runs.append((options["status_page"], check_mode))
        if options["status_page"] == "Nowhere":
            raise step_module.StepError("status_page: no status page named 'Nowhere'")
        return {"changed": True, "action": "created", "id": WINDOW_ID, "maintenance": in_progress()}

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    pages = PAGES + [{"status_page": "Nowhere", "components": ["Website"]}]
    result = pages_step(tmp_path, status_pages=pages)
    assert result["failed"] is True and "no status page named 'Nowhere'" in result["msg"]
    assert runs == [("Acme", True), ("Globex", True), ("Nowhere", True)]


def test_several_pages_open_a_window_each_with_a_key_each(opened, tmp_path):
    result = pages_step(tmp_path, idempotency_key="4711", alert_lead="5m")
    real = [run for run in opened if not run["check_mode"]]
    assert [run["status_page"] for run in opened if run["check_mode"]] == ["Acme", "Globex"]
    assert [(run["status_page"], run["components"], run["idempotency_key"]) for run in real] == [
        ("Acme", ["Website"], "4711/Acme"), ("Globex", ["Checkout"], "4711/Globex")]
    assert [window["record_key"] for window in result["windows"]] == ["0|Acme|Release", "0|Globex|Release"]
    assert sorted(result["ansible_facts"]["__maintenance_window_records"]) == ["0|Acme|Release", "0|Globex|Release"]
    assert result["id"] == WINDOW_ID and result["record_key"] == "0|Acme|Release"


def test_several_pages_are_finished_each_after_the_deploy(published):
    records = {key: window(batch=HOSTS, record_key=key) for key in ("0|Acme|Release", "0|Globex|Release")}
    variables = task_vars(batch=HOSTS, done=HOSTS)
    variables["ansible_facts"] = {"__maintenance_window_records": records}
    result = finish(make_play(), variables, status_pages=PAGES)
    assert [(call["state"], call["msg"]) for call in published] == [("completed", "Done."), ("completed", "Done.")]
    assert [window["outcome"] for window in result["windows"]] == ["success", "success"]
    finished = result["ansible_facts"]["__maintenance_window_records"]
    assert {record["deploy_run"]["state"] for record in finished.values()} == {"finished"}


def test_status_pages_and_status_page_are_not_given_together(published, tmp_path):
    result = pages_step(tmp_path, status_page="Acme")
    assert result["failed"] is True and result["msg"].startswith("maintenance_window_status_pages: give either it")
    assert published == []


def test_each_failed_host_is_told_what_failed_and_what_was_published(published):
    variables = task_vars(batch=HOSTS, done=HOSTS, failed=["web02"], own_window=window(batch=HOSTS))
    result = finish(make_play(), variables)
    assert result["outcome"] == "complete"
    assert result["host_failures"] == {
        "web02": "The deploy failed on this host (boom). The maintenance window was completed with the failure message."}


def test_hosts_whose_window_could_not_be_opened_are_told_nothing_ran(published):
    failed_open = {"open_failed": True, "msg": "status_page: no status page named 'Nope'"}
    variables = task_vars(batch=["web01", "web02"], done=["web01", "web02"], own_window=failed_open,
                          records={"web02": failed_open})
    result = finish(make_play(serial=[2]), variables, status_page="Nope")
    assert published == [] and result["outcome"] == "none"
    assert result["host_failures"] == {host: "The maintenance window could not be opened, so the deploy did not run "
                                             "(status_page: no status page named 'Nope'). Nothing was published."
                                       for host in ("web01", "web02")}


def test_a_page_that_fails_to_open_after_another_opened_leaves_that_one_to_be_finished(monkeypatch, tmp_path):
    def run_maintenance(self, options, predicted=None, *, check_mode=None, diff=None):
        if options["status_page"] == "Globex" and not check_mode:
            raise step_module.StepError("POST /v2/status_page_maintenances failed: HTTP 503", may_have_written=True)
        return {"changed": True, "action": "created", "id": WINDOW_ID, "maintenance": in_progress()}

    monkeypatch.setattr(ActionModule, "run_maintenance", run_maintenance)
    result = pages_step(tmp_path, fail_on_error=False)
    assert result["open_failed"] is True and result["may_have_written"] is True
    records = result["ansible_facts"]["__maintenance_window_records"]
    assert list(records) == ["0|Acme|Release"] and records["0|Acme|Release"]["may_have_written"] is True
