# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test sessions of the collection: `nox --list` shows them, `make help` the usual ways to run them.

antsibull-nox provides the sessions of antsibull-nox.toml (ansible-lint, docs-check) and the ansible-test sessions,
each in a temporary ansible_collections/incident_io/status_page copy of the files git knows about. There is no
container engine here, so ansible-test runs with --venv (sanity, units) or --local (integration) instead of
antsibull-nox's default --docker. The glue that no library provides is in tests/utils/nox_glue.py.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nox

import antsibull_nox
from antsibull_nox.sessions import prepare_collections


def load_glue():
    """Import tests/utils/nox_glue.py, which is no package (tests/utils is not importable as one)."""
    spec = importlib.util.spec_from_file_location("nox_glue", Path(__file__).parent / "tests" / "utils" / "nox_glue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nox_glue = load_glue()

nox.options.reuse_venv = "yes"
# A matrix Python that is missing fails the run instead of skipping its sessions.
nox.options.error_on_missing_interpreters = True

nox_glue.prepare_environment()
antsibull_nox.load_antsibull_nox_toml()

# ansible-core release -> Pythons that run its unit tests, preferred first. nox runs each ansible-test session on the
# lowest controller Python of the release that is found (3.11 for 2.19, 3.12 for 2.21, 3.13 for 2.22).
MATRIX = {"2.19": ("3.11",), "2.21": ("3.13", "3.12"), "2.22": ("3.13",)}
# The oldest and the newest supported release run the integration tests too (see CONTRIBUTING.md, "What runs where").
INTEGRATION_RELEASES = ("2.19", "2.22")
TOOLS = "tests/utils/tools.txt"
EMULATOR_REQUIREMENTS = "tests/emulator/requirements.txt"
PYTEST = ("-p", "no:cacheprovider", "-ra")


for core, unit_pythons in MATRIX.items():
    antsibull_nox.add_ansible_test_session(
        name=f"ansible-test-sanity-{core}",
        description=f"ansible-test sanity with ansible-core {core}: --venv, import and compile on every Python found",
        ansible_test_params=["sanity", "--color", "no", "--venv"],
        default=True,
        ansible_core_version=core,
        ansible_core_source="pypi",
        callback_before=nox_glue.before_sanity,
        callback_after=nox_glue.drop_scratch,
    )
    antsibull_nox.add_ansible_test_session(
        name=f"ansible-test-units-{core}",
        description=f"ansible-test units with ansible-core {core} (--venv --python {unit_pythons[0]})",
        ansible_test_params=["units", "--color", "no", "--venv", "--python", nox_glue.first_python(unit_pythons)],
        default=True,
        ansible_core_version=core,
        ansible_core_source="pypi",
        callback_before=nox_glue.write_get_pip,
        callback_after=nox_glue.drop_scratch,
    )
    nox_glue.pin_ansible_core(f"ansible-test-sanity-{core}", core)
    nox_glue.pin_ansible_core(f"ansible-test-units-{core}", core)
    if core not in INTEGRATION_RELEASES:
        continue
    emulator = nox_glue.IntegrationEmulator(f"ansible-test-integration-{core}")
    antsibull_nox.add_ansible_test_session(
        name=emulator.session_name,
        description=f"ansible-test integration with ansible-core {core} (--local), against one emulator per run",
        ansible_test_params=["integration", "--color", "no", "--local", "--requirements", "--continue-on-error"],
        default=True,
        ansible_core_version=core,
        ansible_core_source="pypi",
        callback_before=emulator.start,
        callback_after=emulator.finish,
    )
    nox_glue.pin_ansible_core(emulator.session_name, core)


def collection_copy(session: nox.Session) -> Path:
    """Return a fresh ansible_collections/incident_io/status_page copy of the files git knows about."""
    prepared = prepare_collections(session, install_in_site_packages=False, install_out_of_tree=True)
    if prepared is None:
        session.error("no collection copy without a virtual environment")
    return prepared.current_path


def run_in_copy(session: nox.Session, *command: str, **kwargs) -> None:
    """Run a command in a collection copy; keep what it wrote to tests/output in the checkout's tests/output."""
    copy = collection_copy(session)
    try:
        with session.chdir(copy):
            session.run(*command, **kwargs)
    finally:
        if (copy / "tests" / "output").is_dir():
            shutil.copytree(copy / "tests" / "output", Path(__file__).parent / "tests" / "output", dirs_exist_ok=True)


@nox.session(name="changelog-lint")
def changelog_lint(session: nox.Session) -> None:
    """antsibull-changelog lint (fragments and config)."""
    session.install("-c", TOOLS, "antsibull-changelog")
    session.run("antsibull-changelog", "lint")


@nox.session(name="bad-input-table")
def bad_input_table(session: nox.Session) -> None:
    """Check that docs/bad-input.md is what tests/utils/bad_input_table.py makes of the bad_input cases."""
    session.install("-c", TOOLS, "pyyaml")
    session.run("python", "tests/utils/bad_input_table.py", "--check")


@nox.session(python=">=3.12,<3.14")
def emulator(session: nox.Session) -> None:
    """The emulator's own tests: every pytest file under tests/emulator (contract, alert windows, HTML view)."""
    # ansible-core only for the collection copy: antsibull-nox lists the installed collections with ansible-galaxy (in
    # a parallel make test, no earlier session of the same nox process has done it).
    session.install("-r", "tests/utils/emulator-test.txt", "-r", EMULATOR_REQUIREMENTS, "ansible-core")
    # pytest-timeout (per test): a hung emulator fails the run instead of stalling CI.
    run_in_copy(session, "python", "-m", "pytest", "tests/emulator", *PYTEST, "--timeout", "300", *session.posargs)


@nox.session(python=">=3.12,<3.14")
def browser(session: nox.Session) -> None:
    """The subscriber's page view in headless Chromium (installs Debian's chromium when missing)."""
    # With ansible-core importable, the test moves the window through ansible-playbook as the demo does.
    session.install("-r", "tests/browser/requirements.txt", "-r", EMULATOR_REQUIREMENTS, "ansible-core")
    run_in_copy(session, "python", "-m", "pytest", "tests/browser", *PYTEST, *session.posargs)


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the documentation site offline into docs/build/html (antsibull-docs, Sphinx warnings as errors)."""
    session.install("-r", "docs/requirements.txt")
    destination = Path(__file__).parent / "docs" / "build" / "html"
    run_in_copy(session, "python", "docs/build_site.py", "--dest", str(destination))


@nox.session(python="3.11")
def packaging(session: nox.Session) -> None:
    """Galaxy build and install, galaxy-importer, ansible-builder and an AWX-style ansible-runner job."""
    session.install("-r", "tests/packaging/requirements.txt", "-r", EMULATOR_REQUIREMENTS)
    run_in_copy(session, "python", "-m", "pytest", "tests/packaging", *PYTEST, "--timeout", "600", *session.posargs)


def install_controller(session: nox.Session) -> None:
    """ansible-core (pinned by tests/utils/constraints.txt), requests and the emulator's requirements."""
    session.install("ansible-core", "-r", "tests/integration/requirements.txt", "-r", EMULATOR_REQUIREMENTS)


@nox.session(python="3.11", default=False)
def demo(session: nox.Session) -> None:
    """A deploy wrapped in a maintenance window, against the emulator (`-- --keep` leaves it running)."""
    install_controller(session)
    session.run("python", "tests/utils/demo.py", *session.posargs)


@nox.session(python="3.11", default=False)
def bench(session: nox.Session) -> None:
    """Request counts and timings against the emulator (`-- --runs N`); prints a table."""
    install_controller(session)
    session.run("python", "tests/utils/bench.py", *session.posargs)


@nox.session(python="3.11", default=False)
def mutation(session: nox.Session) -> None:
    """mutmut over plugins/module_utils and plugins/modules with the unit tests (about 20 minutes; not in make test)."""
    session.install("ansible-core", "-r", "tests/unit/requirements.txt", "-r", "tests/utils/mutation.txt")
    # mutmut works in a copy of its own under tests/output/mutation, kept for `mutmut show <mutant>` afterwards.
    work_dir = Path(__file__).parent / "tests" / "output" / "mutation"
    session.run("python", "tests/utils/mutation.py", str(work_dir), "--target", "0.9", *session.posargs)


@nox.session(python="3.11", default=False, reuse_venv=False)
@nox.parametrize("name", ["nox", "tools"])
def lock(session: nox.Session, name: str) -> None:
    """Re-pin tests/utils/<name>.txt from tests/utils/<name>.in, with the runner's Python."""
    nox_glue.write_lock(session, Path("tests/utils") / f"{name}.in")


@nox.session(name="lock-emulator-test", python=">=3.12,<3.14", default=False, reuse_venv=False)
def lock_emulator_test(session: nox.Session) -> None:
    """Re-pin tests/utils/emulator-test.txt from tests/utils/emulator-test.in, with the emulator session's Python."""
    nox_glue.write_lock(session, Path("tests/utils") / "emulator-test.in")
