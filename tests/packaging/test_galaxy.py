# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as Galaxy ships it: build, contents, install into an empty path, run, galaxy-importer."""

from __future__ import annotations

import fnmatch
import json
import re
import tarfile
from pathlib import Path

import pytest
from conftest import PUBLISHER_KEY, REPO_ROOT, clean_environment, galaxy_metadata, run, tool

# Paths (or path components) that must never reach the tarball: test output, virtual environments, caches,
# build output, CI and editor files.
FORBIDDEN_COMPONENTS = (
    ".venv",
    ".venv-*",
    ".git",
    ".ci",
    ".cache",
    ".ansible",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".tox",
    ".benchmarks",
    "__pycache__",
    "*.pyc",
    "*.tar.gz",
    ".coverage*",
    "htmlcov",
    "importer_result.json",
)
FORBIDDEN_PREFIXES = ("tests/output/", "docs/build/", "build/", "dist/")
# What is at the top of the tarball, exactly: the collection and its documentation. The test runner's files
# (Makefile, noxfile.py, antsibull-nox.toml, .gitignore, tool caches such as .schemathesis/) and every other dot
# entry stay in the repository, except .ansible-lint: galaxy-importer lints the artifact with it (its mock_modules
# let the AWX example pass without the awx.awx collection).
TOP_LEVEL = {
    ".ansible-lint",
    "CHANGELOG.rst",
    "CONTRIBUTING.md",
    "FILES.json",
    "LICENSE",
    "MANIFEST.json",
    "README.md",
    "changelogs/",
    "docs/",
    "meta/",
    "plugins/",
    "requirements.txt",
    "roles/",
    "tests/",
}

REQUIRED_FILES = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "LICENSE",
    "requirements.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "plugins/modules/status_page_info.py",
    "plugins/modules/status_page_incident.py",
    "plugins/modules/status_page_maintenance.py",
    "plugins/modules/alert_maintenance_window.py",
    "plugins/module_utils/_client.py",
    "plugins/module_utils/_errors.py",
    "plugins/module_utils/_lifecycle.py",
    "plugins/doc_fragments/api.py",
    "roles/maintenance_window/meta/argument_specs.yml",
    "roles/maintenance_window/tasks/main.yml",
    "changelogs/changelog.yaml",
    "CHANGELOG.rst",
    "docs/awx/credential_type.yml",
    "docs/examples/execution-environment.yml",
)


def tarball_members(tarball: Path) -> list[str]:
    """Return the paths in the tarball, directories with a trailing slash."""
    with tarfile.open(tarball) as archive:
        return [member.name + ("/" if member.isdir() else "") for member in archive.getmembers()]


def test_tarball_holds_the_collection_and_nothing_else(collection_tarball: Path) -> None:
    members = tarball_members(collection_tarball)
    files = {member for member in members if not member.endswith("/")}

    missing = [path for path in REQUIRED_FILES if path not in files]
    assert not missing, f"missing from the tarball: {missing}"

    unwanted = [
        member
        for member in members
        if member.startswith(FORBIDDEN_PREFIXES)
        or any(fnmatch.fnmatch(part, pattern) for part in member.rstrip("/").split("/") for pattern in FORBIDDEN_COMPONENTS)
    ]
    assert not unwanted, f"the tarball holds files it must not ship: {unwanted[:20]}"


def test_tarball_top_level_is_the_collection_not_its_workshop(collection_tarball: Path) -> None:
    members = tarball_members(collection_tarball)
    top_level = {member.split("/")[0] + ("/" if "/" in member else "") for member in members}
    assert top_level == TOP_LEVEL, f"unexpected: {sorted(top_level - TOP_LEVEL)}, missing: {sorted(TOP_LEVEL - top_level)}"
    dot_entries = [member for member in members if member != ".ansible-lint"
                   and any(part.startswith(".") for part in member.rstrip("/").split("/"))]
    assert not dot_entries, f"the tarball holds dot files or directories: {dot_entries[:20]}"


def test_manifest_matches_galaxy_yml(collection_tarball: Path) -> None:
    meta = galaxy_metadata()

    with tarfile.open(collection_tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))

    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (meta["namespace"], meta["name"], meta["version"])
    assert info["license"] == ["GPL-3.0-or-later"]
    assert info["dependencies"] == {}


def test_installed_collection_runs_from_an_empty_path(installed_collections: Path, emulator, tmp_path: Path) -> None:
    installed = installed_collections / "ansible_collections" / "incident_io" / "status_page"
    assert (installed / "MANIFEST.json").is_file()
    assert (installed / "plugins" / "modules" / "status_page_info.py").is_file()

    # Only the empty path and the emulator: nothing from the checkout, credentials from the environment.
    env = clean_environment(
        ANSIBLE_COLLECTIONS_PATH=str(installed_collections),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_PYTHON_INTERPRETER=str(Path(tool("python"))),
        INCIDENT_API_KEY=PUBLISHER_KEY,
        INCIDENT_API_URL=emulator.url,
    )

    listing = run([tool("ansible-galaxy"), "collection", "list", "incident_io.status_page", "--format", "json"], tmp_path, env)
    assert list(json.loads(listing.stdout)) == [str(installed_collections / "ansible_collections")]

    result = run(
        [tool("ansible"), "localhost", "--one-line", "-m", "incident_io.status_page.status_page_info", "-a", 'status_page="Acme Cloud"'],
        tmp_path,
        env,
    )
    # --one-line prints "localhost | SUCCESS => {...}".
    status, _arrow, payload = result.stdout.strip().partition(" => ")
    assert status == "localhost | SUCCESS", result.stdout
    module_result = json.loads(payload)
    assert module_result["changed"] is False
    assert [page["name"] for page in module_result["status_pages"]] == ["Acme Cloud", "Globex Payments", "Initech Status"]
    assert module_result["status_page"]["id"] == "01JACMEPAGE000000000000001"
    assert all(entry["method"] == "GET" for entry in emulator.requests())

    # The role and the modules' documentation come from the installed copy as well.
    doc = run([tool("ansible-doc"), "--json", "-t", "role", "incident_io.status_page.maintenance_window"], tmp_path, env)
    assert "main" in json.loads(doc.stdout)["incident_io.status_page.maintenance_window"]["entry_points"]

    for module in ("status_page_info", "status_page_incident", "status_page_maintenance", "alert_maintenance_window"):
        doc = run([tool("ansible-doc"), "--json", f"incident_io.status_page.{module}"], tmp_path, env)
        assert json.loads(doc.stdout)[f"incident_io.status_page.{module}"]["doc"]["module"] == module


IMPORTER_CONFIG = """\
[galaxy-importer]
# ansible-test sanity runs in a container in Galaxy's own import; `make sanity` runs it here instead.
run_ansible_test = False
ansible_test_local_image = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
require_v1_or_greater = True
log_level_main = INFO
"""


def test_galaxy_importer_accepts_the_tarball_without_warnings(collection_tarball: Path, tmp_path: Path) -> None:
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text(IMPORTER_CONFIG, encoding="utf-8")
    env = clean_environment(GALAXY_IMPORTER_CONFIG=str(config), HOME=str(tmp_path))
    result = run([tool("python"), "-m", "galaxy_importer.main", str(collection_tarball)], tmp_path, env, timeout=900)
    output = result.stdout + result.stderr

    # galaxy-importer prints INFO messages bare and everything else as "LEVEL: message".
    problems = [line for line in output.splitlines() if re.match(r"^(WARNING|ERROR|CRITICAL)\b", line)]
    assert not problems, output
    assert "Importer processing completed successfully" in output, output

    data = json.loads((tmp_path / "importer_result.json").read_text(encoding="utf-8"))
    contents = {(item["content_type"], item["name"]) for item in data["contents"]}
    assert contents >= {
        ("module", "status_page_info"),
        ("module", "status_page_incident"),
        ("module", "status_page_maintenance"),
        ("module", "alert_maintenance_window"),
        ("role", "maintenance_window"),
    }


@pytest.mark.parametrize("path", ["requirements.txt", "meta/execution-environment.yml"])
def test_execution_environment_metadata_is_in_the_checkout(path: str) -> None:
    assert (REPO_ROOT / path).is_file()
