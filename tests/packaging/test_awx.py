# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs run the way AWX runs them, against the emulator.

AWX hands a job to ansible-runner: a private data directory whose ``project/`` holds the playbooks, the
inventory, the extra variables (the job template's, the survey's or the workflow's, plus ``awx_job_id`` and, in a
workflow, ``awx_workflow_job_id``), and the environment that the credentials inject. Here the credential is the
custom type of docs/awx/credential_type.yml, its injectors rendered as AWX renders them, and the collection comes
from the tarball built from this checkout, as from a project's collections/requirements.yml or an EE.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import ansible_runner
import jinja2.sandbox
import pytest
import yaml
from conftest import PUBLISHER_KEY, REPO_ROOT, VENV_BIN, clean_environment, run, tool

AWX_DIR = REPO_ROOT / "docs" / "awx"
EXAMPLES_DIR = REPO_ROOT / "docs" / "examples"
ACME = "01JACMEPAGE000000000000001"
WEBSITE = "01JACMECMP0000000000000001"


def credential_type() -> dict:
    """Return docs/awx/credential_type.yml."""
    return yaml.safe_load((AWX_DIR / "credential_type.yml").read_text(encoding="utf-8"))


def injected_environment(inputs: dict[str, str]) -> dict[str, str]:
    """Render the credential type's env injectors with a credential's inputs, as AWX does (Jinja2, sandboxed)."""
    definition = credential_type()
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    values = {name: inputs.get(name, field.get("default", "")) for name, field in fields.items()}
    sandbox = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return {name: sandbox.from_string(template).render(**values) for name, template in definition["injectors"]["env"].items()}


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job gets the API key from the injected credential only, never from the test's own environment."""
    for key in list(os.environ):
        if key.startswith(("INCIDENT_", "ANSIBLE_")):
            monkeypatch.delenv(key)

    monkeypatch.setenv("PATH", os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", os.defpath)]))


def run_job(
    tmp_path: Path,
    installed_collections: Path,
    playbook: Path,
    extravars: dict,
    credential: dict[str, str],
    inventory: Path | None = None,
) -> ansible_runner.Runner:
    """Run one AWX-style job with ansible-runner and return the runner."""
    private_data_dir = tmp_path / f"job-{extravars['awx_job_id']}"
    project = private_data_dir / "project"
    shutil.copytree(playbook.parent, project)
    envvars = {
        # What the project sync or the execution environment provides.
        "ANSIBLE_COLLECTIONS_PATH": str(installed_collections),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_NOCOLOR": "1",
        # What the credential injects.
        **injected_environment(credential),
    }
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=playbook.name,
        inventory=str(inventory) if inventory else "localhost ansible_connection=local ansible_python_interpreter=" + str(VENV_BIN / "python"),
        envvars=envvars,
        extravars=extravars,
        quiet=True,
        timeout=300,
    )
    return runner


def job_output(runner: ansible_runner.Runner) -> str:
    """Return the job's stdout."""
    return runner.stdout.read()


def maintenances(emulator, name: str) -> list[dict]:
    """Return the emulator's maintenance windows with this name."""
    return [window for window in emulator.state()["maintenances"] if window["name"] == name]


def check_no_secret_leaked(runner: ansible_runner.Runner, output: str) -> None:
    """The key is in the job's environment only: never in its output or its events."""
    assert PUBLISHER_KEY not in output
    assert all(PUBLISHER_KEY not in json.dumps(event) for event in runner.events)


def test_credential_type_injects_the_collections_variables() -> None:
    definition = credential_type()
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    assert set(fields) == {"api_key", "api_url"}
    assert fields["api_key"]["secret"] is True
    assert not fields["api_url"].get("secret", False)
    assert definition["inputs"]["required"] == ["api_key"]
    assert definition["kind"] == "cloud"
    assert definition["injectors"] == {"env": {"INCIDENT_API_KEY": "{{ api_key }}", "INCIDENT_API_URL": "{{ api_url }}"}}
    assert injected_environment({"api_key": "k"}) == {"INCIDENT_API_KEY": "k", "INCIDENT_API_URL": "https://api.incident.io"}


def test_register_playbook_passes_the_definition_verbatim(tmp_path: Path) -> None:
    # awx.awx is not installed here: a stand-in module of the same name records what the playbook sends, so that
    # the injectors' "{{ api_key }}" reaches AWX untemplated.
    record = tmp_path / "received.json"
    modules = tmp_path / "collections" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    modules.mkdir(parents=True)
    stand_in = textwrap.dedent(
        """\
        import json
        import os

        from ansible.module_utils.basic import AnsibleModule

        module = AnsibleModule(argument_spec={
            "name": {"type": "str"}, "description": {"type": "str"}, "kind": {"type": "str"},
            "inputs": {"type": "dict"}, "injectors": {"type": "dict"}, "state": {"type": "str"},
            "organization": {"type": "str"}, "credential_type": {"type": "str"},
        })
        with open(os.environ["AWX_STAND_IN_RECORD"], "a") as record:
            record.write(json.dumps({"module": os.environ.get("AWX_STAND_IN_NAME", ""), "params": module.params}) + "\\n")
        module.exit_json(changed=True)
        """
    )
    (modules / "credential_type.py").write_text(stand_in, encoding="utf-8")
    (modules / "credential.py").write_text(stand_in, encoding="utf-8")
    env = clean_environment(
        ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"),
        ANSIBLE_PYTHON_INTERPRETER=tool("python"),
        AWX_STAND_IN_RECORD=str(record),
    )
    run([tool("ansible-playbook"), "register_credential_type.yml", "-e", "incident_api_key=secret-key"], AWX_DIR, env)

    received = [json.loads(line)["params"] for line in record.read_text(encoding="utf-8").splitlines()]
    definition = credential_type()
    assert len(received) == 2
    assert received[0]["name"] == definition["name"] == received[1]["credential_type"]
    assert received[0]["kind"] == "cloud"
    assert received[0]["inputs"] == definition["inputs"]
    assert received[0]["injectors"] == definition["injectors"]
    assert received[1]["inputs"] == {"api_key": "secret-key"}


def test_deploy_job_template_opens_and_completes_the_window(emulator, installed_collections: Path, tmp_path: Path) -> None:
    name = "Web app release 2026.06.1 (job 501)"
    extravars = {
        # The job template's extra variables (or a survey's): the role's variables.
        "release": "2026.06.1",
        "maintenance_window_status_page": "Acme Cloud",
        "maintenance_window_name": name,
        "maintenance_window_components": ["Website"],
        "maintenance_window_duration": "20m",
        "maintenance_window_complete_message": "Release 2026.06.1 is live.",
        # What AWX adds to every job.
        "awx_job_id": 501,
        "awx_job_template_name": "Deploy the web app",
    }
    runner = run_job(
        tmp_path,
        installed_collections,
        EXAMPLES_DIR / "deploy.yml",
        extravars,
        {"api_key": PUBLISHER_KEY, "api_url": emulator.url},
        inventory=EXAMPLES_DIR / "inventory.yml",
    )
    output = job_output(runner)
    assert (runner.status, runner.rc) == ("successful", 0), output
    check_no_secret_leaked(runner, output)
    # Three hosts in two batches: the migrations the example runs "once" run once for the whole deploy.
    assert output.count('"msg": "Migrating the database for release 2026.06.1"') == 1, output

    windows = maintenances(emulator, name)
    assert len(windows) == 1, windows
    window = windows[0]
    assert window["status_page_id"] == ACME
    assert window["maintenance_status"] == "maintenance_complete"
    assert [update["maintenance_status"] for update in window["updates"]] == ["maintenance_in_progress", "maintenance_complete"]
    assert window["updates"][-1]["message"] == "Release 2026.06.1 is live."
    assert [period["component_id"] for period in window["component_maintenance_periods"]] == [WEBSITE]

    log = emulator.requests()
    assert log and all(entry["authorization"] == "Bearer [REDACTED]" for entry in log)
    assert all(entry["status"] < 400 for entry in log), log
    # One window and two updates for three hosts: the API calls ran once, on the controller.
    writes = [entry for entry in log if entry["method"] != "GET"]
    assert [(entry["method"], entry["path"]) for entry in writes] == [
        ("POST", "/v2/status_page_maintenances"),
        ("POST", "/v2/status_page_maintenance_updates"),
    ]


def test_workflow_start_and_complete_in_separate_jobs(emulator, installed_collections: Path, tmp_path: Path) -> None:
    credential = {"api_key": PUBLISHER_KEY, "api_url": emulator.url}
    # The workflow's extra variables reach every job of the workflow, with the workflow job's ID.
    workflow_vars = {
        "maintenance_window_status_page": "Acme Cloud",
        "maintenance_window_name": "Database upgrade",
        "maintenance_window_components": ["EU/Database"],
        "awx_workflow_job_id": 4242,
    }

    started = run_job(tmp_path, installed_collections, AWX_DIR / "maintenance_start.yml", {**workflow_vars, "awx_job_id": 4243}, credential)
    output = job_output(started)
    assert (started.status, started.rc) == ("successful", 0), output
    [window] = maintenances(emulator, "Database upgrade")
    assert window["maintenance_status"] == "maintenance_in_progress"
    keys = emulator.state()["idempotency_keys"]["POST /v2/status_page_maintenances"]
    assert keys == {"4242": window["id"]}

    # The deploy job template (sliced or not) deploys inside the window and leaves it in progress for the last node.
    deployed = run_job(tmp_path, installed_collections, AWX_DIR / "maintenance_deploy.yml",
                       {**workflow_vars, "awx_job_id": 4244, "awx_job_template_id": 17}, credential,
                       inventory=EXAMPLES_DIR / "inventory.yml")
    output = job_output(deployed)
    assert (deployed.status, deployed.rc) == ("successful", 0), output
    assert "entry point join, which never finishes the window" in output
    check_no_secret_leaked(deployed, output)
    [window] = maintenances(emulator, "Database upgrade")
    assert window["maintenance_status"] == "maintenance_in_progress" and len(window["updates"]) == 1

    # The complete job shares no facts with the start job.
    completed = run_job(tmp_path, installed_collections, AWX_DIR / "maintenance_complete.yml", {**workflow_vars, "awx_job_id": 4245}, credential)
    output = job_output(completed)
    assert (completed.status, completed.rc) == ("successful", 0), output
    check_no_secret_leaked(completed, output)
    [window] = maintenances(emulator, "Database upgrade")
    assert window["maintenance_status"] == "maintenance_complete"
    assert [update["maintenance_status"] for update in window["updates"]] == ["maintenance_in_progress", "maintenance_complete"]

    # Relaunching either job of the same workflow writes nothing: the workflow job ID names the window. A relaunched
    # complete job succeeds; a relaunched start job fails, naming the finished window, so that the deploy node that
    # follows it in the workflow does not run with nothing on the page.
    emulator.control("DELETE", "requests")

    relaunched = run_job(tmp_path, installed_collections, AWX_DIR / "maintenance_complete.yml", {**workflow_vars, "awx_job_id": 4246}, credential)
    assert (relaunched.status, relaunched.rc) == ("successful", 0), job_output(relaunched)
    relaunched = run_job(tmp_path, installed_collections, AWX_DIR / "maintenance_start.yml", {**workflow_vars, "awx_job_id": 4247}, credential)
    output = job_output(relaunched)
    assert relaunched.status == "failed", output
    assert f"names maintenance window {window['id']} ('Database upgrade'), completed at" in output
    assert "give a new maintenance_window_idempotency_key" in output
    check_no_secret_leaked(relaunched, output)

    # At most a create carrying the same idempotency key, which the API answers with the existing window.
    writes = [entry for entry in emulator.requests() if entry["method"] != "GET"]
    assert all((entry["method"], entry["path"], entry["body"]["idempotency_key"]) == ("POST", "/v2/status_page_maintenances", "4242") for entry in writes), (
        writes
    )
    assert len(emulator.state()["maintenances"]) == 1
    [window] = maintenances(emulator, "Database upgrade")
    assert window["maintenance_status"] == "maintenance_complete"
    assert len(window["updates"]) == 2
