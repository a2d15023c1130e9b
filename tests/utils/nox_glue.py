# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What noxfile.py needs that neither nox nor antsibull-nox provides.

* Interpreters: pyenv's shims fail without PYENV_VERSION, so every pythonX.Y under pyenv's ``versions`` directory is
  linked into ``.venv/pythons``, which goes first on PATH: nox finds the matrix Pythons there, and ansible-test
  finds them for the import and compile sanity tests.
* ansible-test's --venv bootstraps pip with a script it downloads from a host that may be unreachable: get_pip.py
  is written to ``~/.ansible/test/cache/get_pip_<pip version>.py`` (of the HOME in effect) instead.
* One emulator per integration run, started before ansible-test and stopped by PID after it; its address, keys and
  seed IDs go into the collection copy's tests/integration/integration_config.yml, which ansible-test hands to every
  target (see tests/integration/targets/setup_emulator).
"""

from __future__ import annotations

import atexit
import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nox
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON_LINKS = REPO_ROOT / ".venv" / "pythons"
# Interpreters ansible-test may use for the import and compile sanity tests, when present.
PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
# ansible-test stops a command that runs longer (minutes); CI stops everything after 90.
ANSIBLE_TEST_TIMEOUT_MINUTES = "40"


def prepare_environment() -> None:
    """Link the interpreters, put them first on PATH, pin ansible-core, and keep the steps' output plain."""
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), os.path.dirname(sys.base_prefix)]
    roots += [str(Path(entry).parent) for entry in os.environ.get("PATH", "").split(os.pathsep) if entry.endswith("/shims")]
    PYTHON_LINKS.mkdir(parents=True, exist_ok=True)
    for version in PYTHONS:
        found = sorted((path for root in roots if root for path in glob.glob(f"{root}/versions/{version}*/bin/python{version}")),
                       key=lambda path: [int(part) for part in re.findall(r"[0-9]+", path.split("/versions/")[-1].split("/")[0])])
        if found:
            link = PYTHON_LINKS / f"python{version}"
            # Replaced atomically: another run in the same checkout may be reading the link.
            temporary = link.with_name(f"{link.name}.{os.getpid()}")
            temporary.unlink(missing_ok=True)
            temporary.symlink_to(found[-1])
            temporary.replace(link)
    os.environ["PATH"] = os.pathsep.join([str(PYTHON_LINKS), os.environ.get("PATH", os.defpath)])
    os.environ["PIP_CONSTRAINT"] = str(REPO_ROOT / "tests" / "utils" / "constraints.txt")
    os.environ.setdefault("ANTSIBULL_NOX_TIMEOUT", ANSIBLE_TEST_TIMEOUT_MINUTES)
    os.environ.setdefault("ANSIBLE_FORCE_COLOR", "0")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"):
        os.environ.pop(name, None)


def pin_ansible_core(session_name: str, release: str) -> None:
    """Make the ansible-test session ``session_name`` install ansible-core ``release`` and keep its HOME to itself.

    antsibull-nox asks pip for ``ansible-core>=X.Y,<X.Y+1`` and installs it before any callback of ours runs, so the
    pin (tests/utils/constraints-<release>.txt) goes into the environment of the session's whole run: pip reads
    PIP_CONSTRAINT at each install. The shared constraints.txt tells releases apart only by the Python version, and a
    session's release is its own.

    ansible-test keeps the virtual environments of the sanity tests under ~/.ansible/test/venv, named by Python and
    requirements, and removes one it finds half built: two sessions that run at once (make test's JOBS) and need the
    same one would break each other's. So each session gets a HOME of its own, short (the environments' script
    shebangs are limited to 127 characters) and stable across runs (the environments are kept for the next run);
    pip's cache stays shared.
    """
    registered = nox.registry.get()[session_name]
    run = registered.func
    constraints = str(REPO_ROOT / "tests" / "utils" / f"constraints-{release}.txt")
    checkout = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:8]
    home = Path(tempfile.gettempdir()) / f"status_page-{os.getuid()}-{checkout}-{session_name.replace('ansible-test-', '')}"

    def run_pinned(session, *args, **kwargs):
        saved = {name: os.environ.get(name) for name in ("PIP_CONSTRAINT", "HOME", "PIP_CACHE_DIR")}
        os.environ.setdefault("PIP_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "pip"))
        home.mkdir(mode=0o700, exist_ok=True)
        os.environ.update(PIP_CONSTRAINT=constraints, HOME=str(home))
        try:
            return run(session, *args, **kwargs)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    run_pinned.__doc__ = run.__doc__
    registered.func = run_pinned


def first_python(versions: tuple[str, ...]) -> str:
    """Return the first of the versions that is linked (or the first, for ansible-test to report as missing)."""
    return next((version for version in versions if (PYTHON_LINKS / f"python{version}").exists()), versions[0])


def write_get_pip() -> None:
    """Write the pip bootstrap stand-in for every pip release that an ansible-test of .nox/ bootstraps."""
    stand_in = (REPO_ROOT / "tests" / "utils" / "get_pip.py").read_text(encoding="utf-8")
    cache = Path(os.path.expanduser("~/.ansible/test/cache"))
    cache.mkdir(parents=True, exist_ok=True)
    pattern = str(REPO_ROOT / ".nox" / "*" / "lib" / "python3*" / "site-packages" / "ansible_test" / "_internal" / "python_requirements.py")
    for requirements in glob.glob(pattern):
        for version in set(re.findall(r"\bpip='([0-9][0-9.]*)'", Path(requirements).read_text(encoding="utf-8"))):
            (cache / f"get_pip_{version.replace('.', '_')}.py").write_text(stand_in, encoding="utf-8")


# A requirement of ansible-test's sanity tests on an archive from GitHub instead of a release on PyPI.
GITHUB_ARCHIVE_PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+) @ https://github\.com/\S+$", re.MULTILINE)
# The release that stands in for each (ansible-core 2.22 pins an unreleased dill commit, for Python 3.14, which the
# matrix does not run pylint on; pylint 4 accepts the release on 3.13).
RELEASED_PINS = {"dill": "dill==0.4.1"}


def pin_released_sanity_requirements() -> None:
    """Replace ansible-test's GitHub archive pins (of every ansible-test in .nox/) with PyPI releases.

    The archive's host may be unreachable where the tests run, and without it pip fails the whole sanity run.
    """
    pattern = str(REPO_ROOT / ".nox" / "*" / "lib" / "python3*" / "site-packages" / "ansible_test" / "_data" / "requirements" / "sanity.*.txt")
    for requirements in map(Path, glob.glob(pattern)):
        text = requirements.read_text(encoding="utf-8")
        pinned = GITHUB_ARCHIVE_PIN.sub(lambda match: RELEASED_PINS.get(match["name"].lower(), match[0]), text)
        if pinned != text:
            # Replaced atomically: a parallel session may be reading the file.
            temporary = requirements.with_name(f"{requirements.name}.{os.getpid()}")
            temporary.write_text(pinned, encoding="utf-8")
            temporary.replace(requirements)


def before_sanity() -> None:
    """Bootstrap pip for --venv, pin released sanity requirements, and install shellcheck for its sanity test."""
    write_get_pip()
    pin_released_sanity_requirements()
    if shutil.which("shellcheck"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("shellcheck is missing and cannot be installed here; ansible-test will skip its sanity test", flush=True)
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Two sanity sessions may run at once (make test's JOBS): the second waits for the first's dpkg lock.
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=300"]
    install = ["apt-get", "-qq", *wait_for_lock, "install", "-y", "--no-install-recommends", "shellcheck"]
    # A fresh machine may have no package lists yet: update only when the first try fails.
    for command in (install, ["apt-get", "-qq", *wait_for_lock, "update"], install):
        subprocess.run(command, check=False, env=env, stdin=subprocess.DEVNULL)
        if shutil.which("shellcheck"):
            return
    print("shellcheck could not be installed; ansible-test will skip its sanity test", flush=True)


def drop_scratch() -> None:
    """Remove ansible-test's scratch directory from the copy (cwd) before antsibull-nox copies tests/output back.

    It holds nothing worth keeping, and antsibull-nox 1.10's copy walks the tree bottom-up, creating each directory
    without its parents, so a nested leftover such as .tmp/integration/... makes the copy, and the session, fail.
    """
    shutil.rmtree(Path("tests") / "output" / ".tmp", ignore_errors=True)


class IntegrationEmulator:
    """The emulator of one integration session: started in the collection copy, stopped by PID."""

    def __init__(self, session_name: str) -> None:
        self.session_name = session_name
        self.process: subprocess.Popen | None = None
        atexit.register(self.stop)

    def start(self) -> None:
        """Start tests/emulator/server.py on 127.0.0.1 and write integration_config.yml (cwd: the copy)."""
        self.stop()
        log_dir = REPO_ROOT / "tests" / "output" / "emulator"
        log_dir.mkdir(parents=True, exist_ok=True)
        url_file = Path(tempfile.mkdtemp(prefix="status_page-emulator-")) / "url"
        with open(log_dir / f"{self.session_name}.log", "w", encoding="utf-8") as log:
            # The nox runner's Python has the emulator's requirements (tests/utils/nox.in).
            self.process = subprocess.Popen([sys.executable, "tests/emulator/server.py", "--port", "0", "--url-file", str(url_file)],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while not url_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start; see {log_dir / self.session_name}.log")
            time.sleep(0.1)
        seed = yaml.safe_load(Path("tests/emulator/seeds/default.yml").read_text(encoding="utf-8"))
        config = {
            "emulator_url": url_file.read_text(encoding="utf-8").strip(),
            "emulator_publisher_key": "emulator-publisher-key",
            "emulator_readonly_key": "emulator-readonly-key",
            "emulator_ids": seed["ids"],
        }
        shutil.rmtree(url_file.parent)
        Path("tests/integration/integration_config.yml").write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
        write_get_pip()

    def finish(self) -> None:
        """After ansible-test: stop the emulator, drop the scratch directory."""
        self.stop()
        drop_scratch()

    def stop(self) -> None:
        """Stop the emulator by PID: SIGTERM, then SIGKILL if it is still there after 15 seconds."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def write_lock(session, source: Path) -> None:
    """Install the top-level pins of ``source`` into the session's (fresh) venv and write what pip chose next to it."""
    session.install("-r", str(source))
    frozen = session.run("python", "-m", "pip", "freeze", "--exclude", "pip", "--exclude", "setuptools", silent=True)
    version = session.run("python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])", silent=True).strip()
    header = f"# Generated by `make lock` from {source.name} with Python {version}; edit that file instead.\n"
    source.with_suffix(".txt").write_text(header + frozen, encoding="utf-8")
