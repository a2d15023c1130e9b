# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/examples/execution-environment.yml through ``ansible-builder create``.

Building the image needs podman or docker, which CI does not have. Instead, the test checks the build context
that ``ansible-builder create`` writes, and replays, outside a container, the two steps of its Containerfile
that bring in this collection and its Python dependency: the galaxy stage's ``ansible-galaxy collection
install -r requirements.yml`` (run in the context's ``_build``, which the Containerfile copies to ``/build``)
and the builder stage's ``introspect.py``, whose output the image's ``pip install`` reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from conftest import REPO_ROOT, run, tool

EXAMPLE = REPO_ROOT / "docs" / "examples" / "execution-environment.yml"
COLLECTION = "incident_io.status_page"


def definition() -> dict:
    """Return the example EE definition."""
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def create_context(definition_file: Path, context: Path) -> str:
    """Run ``ansible-builder create`` and return the Containerfile it wrote."""
    run(
        [
            tool("ansible-builder"),
            "create",
            "--file",
            str(definition_file),
            "--context",
            str(context),
            "--output-filename",
            "Containerfile",
        ],
        cwd=definition_file.parent,
    )
    return (context / "Containerfile").read_text(encoding="utf-8")


def test_collection_declares_requests_for_ansible_builder() -> None:
    meta = yaml.safe_load((REPO_ROOT / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
    python_requirements = REPO_ROOT / meta["dependencies"]["python"]
    lines = [line.split("#")[0].strip() for line in python_requirements.read_text(encoding="utf-8").splitlines()]
    packages = [line for line in lines if line]
    assert [package.split(">=")[0] for package in packages] == ["requests"]
    # An EE combines every collection's requirements: no pins and no upper bounds, no ansible-core.
    assert not any(operator in package for package in packages for operator in ("==", "<", "~=", "!="))


def test_example_asks_for_the_collection_from_galaxy(tmp_path: Path) -> None:
    data = definition()
    assert data["version"] == 3
    assert [entry["name"] for entry in data["dependencies"]["galaxy"]["collections"]] == [COLLECTION]
    # The collection brings requests itself (meta/execution-environment.yml): the EE need not repeat it.
    assert "python" not in data["dependencies"]

    copy = tmp_path / "execution-environment.yml"
    shutil.copy(EXAMPLE, copy)
    containerfile = create_context(copy, tmp_path / "context")
    requirements = yaml.safe_load((tmp_path / "context" / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert requirements == data["dependencies"]["galaxy"]
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile
    assert f'ARG EE_BASE_IMAGE="{data["images"]["base_image"]["name"]}"' in containerfile


def test_context_installs_the_collection_and_requests(collection_tarball: Path, tmp_path: Path) -> None:
    # Galaxy is out of reach here: the same definition, with the collection taken from the tarball built from
    # this checkout. additional_build_files copies it into the context's _build/, which becomes /build, the
    # working directory of the galaxy stage.
    data = definition()
    data["additional_build_files"] = [{"src": str(collection_tarball), "dest": "collections"}]
    data["dependencies"]["galaxy"] = {
        "collections": [{"name": f"collections/{collection_tarball.name}", "type": "file"}],
    }
    definition_file = tmp_path / "execution-environment.yml"
    definition_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    context = tmp_path / "context"
    containerfile = create_context(definition_file, context)
    build = context / "_build"

    assert (build / "collections" / collection_tarball.name).is_file()
    assert "COPY _build /build" in containerfile
    assert "WORKDIR /build" in containerfile
    assert "RUN ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ansible-galaxy collection install" in containerfile
    assert '-r requirements.yml --collections-path "/usr/share/ansible/collections"' in containerfile
    assert "introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt" in containerfile
    assert "RUN /output/scripts/assemble" in containerfile
    assert "ansible-core>=2.19.0,<2.20.0" in containerfile

    # The galaxy stage, as the Containerfile runs it (in /build = _build).
    collections = tmp_path / "usr-share-ansible-collections"
    run(
        [tool("ansible-galaxy"), "collection", "install", "-r", "requirements.yml", "--collections-path", str(collections)],
        cwd=build,
    )
    installed = collections / "ansible_collections" / "incident_io" / "status_page"
    assert (installed / "plugins" / "modules" / "status_page_maintenance.py").is_file()
    assert (installed / "meta" / "execution-environment.yml").is_file()

    # The builder stage: introspect.py writes the requirements that assemble then pip-installs into the image.
    pip_file = tmp_path / "src-requirements.txt"
    bindep_file = tmp_path / "src-bindep.txt"
    run(
        [
            tool("python"),
            str(build / "scripts" / "introspect.py"),
            "introspect",
            f"--write-bindep={bindep_file}",
            f"--write-pip={pip_file}",
            str(collections),
        ],
        cwd=tmp_path,
    )
    pip_lines = [line.strip() for line in pip_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert pip_lines == [f"requests>=2.25.0  # from collection {COLLECTION}"]
    assert not bindep_file.exists() or not bindep_file.read_text(encoding="utf-8").strip()
