# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the packaging tests: the built collection tarball, its installed copy, and the emulator.

Run from the collection root with a venv made from tests/packaging/requirements.txt and
tests/emulator/requirements.txt:

    python -m pytest tests/packaging
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
EMULATOR = REPO_ROOT / "tests" / "emulator" / "server.py"
PUBLISHER_KEY = "emulator-publisher-key"


def galaxy_metadata() -> dict:
    """Return galaxy.yml."""
    return yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def tool(name: str) -> str:
    """Return the path of a console script of this venv."""
    path = VENV_BIN / name

    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}: install tests/packaging/requirements.txt")

    return str(path)


def clean_environment(**extra: str) -> dict[str, str]:
    """Return an environment without the caller's Ansible or incident.io settings, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "INCIDENT_", "GALAXY_IMPORTER_")) and key != "PYTHONPATH"}
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", os.defpath)])
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command, return its result, fail the test with its output when it fails."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env or clean_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")

    return result


@pytest.fixture(scope="session")
def collection_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the collection from the checkout, as for a release, and return the tarball."""
    output = tmp_path_factory.mktemp("build")
    run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(output), str(REPO_ROOT)], cwd=output)
    meta = galaxy_metadata()
    tarball = output / f"{meta['namespace']}-{meta['name']}-{meta['version']}.tar.gz"
    assert tarball.is_file(), sorted(os.listdir(output))
    return tarball


@pytest.fixture(scope="session")
def installed_collections(tmp_path_factory: pytest.TempPathFactory, collection_tarball: Path) -> Path:
    """Install the tarball into an empty collections path and return that path."""
    path = tmp_path_factory.mktemp("collections")
    assert not any(path.iterdir())
    run(
        [tool("ansible-galaxy"), "collection", "install", "--collections-path", str(path), str(collection_tarball)],
        cwd=path,
    )
    return path


class Emulator:
    """The status-page API emulator running on 127.0.0.1."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url

    def control(self, method: str, path: str) -> dict:
        """Call a ``/_emulator`` endpoint and return its JSON answer."""
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", method=method)

        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()

        return json.loads(body) if body else {}

    def reset(self) -> None:
        """Go back to the seed."""
        self.control("POST", "reset")

    def state(self) -> dict:
        """Return the emulator's state."""
        return self.control("GET", "state")

    def requests(self) -> list[dict]:
        """Return the request log."""
        return self.control("GET", "requests")["requests"]


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """Start the emulator on a free port for the session; stop it by its PID afterwards."""
    directory = tmp_path_factory.mktemp("emulator")
    url_file = directory / "url"
    log = (directory / "emulator.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(EMULATOR), "--port", "0", "--url-file", str(url_file)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=clean_environment(),
    )

    try:
        deadline = time.monotonic() + 30

        while not url_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"the emulator did not start:\n{(directory / 'emulator.log').read_text(encoding='utf-8')}")

            time.sleep(0.05)

        yield Emulator(process, url_file.read_text(encoding="utf-8").strip())
    finally:
        os.kill(process.pid, signal.SIGTERM)

        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

        log.close()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The emulator, back at its seed for this test."""
    emulator_server.reset()
    return emulator_server
