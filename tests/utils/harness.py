# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test harness behind ``make test`` and its parts.

The harness needs nothing but a Python 3.9+ standard library and git. It

* finds one interpreter per ansible-core release in the matrix (pyenv's
  ``versions`` directory first, because pyenv shims fail without
  ``PYENV_VERSION``), plus one for the version-independent tools;
* builds pinned virtual environments under ``.venv/`` in the checkout;
* writes the offline pip bootstrap that ansible-test's ``--venv`` needs
  (see ``get_pip.py``) into ``~/.ansible/test/cache`` of the HOME in effect;
* copies the files git knows about (tracked, plus untracked but not ignored)
  into a temporary ``ansible_collections/incident_io/status_page`` directory,
  since ansible-test only runs inside such a tree and would otherwise pick up
  the checkout's ``.git`` and its untracked files;
* runs every step, streams its output, keeps going after a failure and ends
  with a summary and a non-zero exit status if any step failed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing as t

NAMESPACE = "incident_io"
COLLECTION = "status_page"

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UTILS_DIR = os.path.join(REPO_ROOT, "tests", "utils")
VENV_ROOT = os.environ.get("HARNESS_VENV_ROOT") or os.path.join(REPO_ROOT, ".venv")
LOG_DIR = os.path.join(REPO_ROOT, "tests", "output", "harness")

# Requirement files owned by other parts of the repository; missing ones are skipped.
UNIT_REQUIREMENTS = "tests/unit/requirements.txt"
INTEGRATION_REQUIREMENTS = "tests/integration/requirements.txt"
EMULATOR_REQUIREMENTS = "tests/emulator/requirements.txt"
EMULATOR_TESTS = "tests/emulator/tests"
BROWSER_REQUIREMENTS = "tests/browser/requirements.txt"
BROWSER_TESTS = "tests/browser"
DOCS_REQUIREMENTS = "docs/requirements.txt"
PACKAGING_REQUIREMENTS = "tests/packaging/requirements.txt"
PACKAGING_TESTS = "tests/packaging"
PACKAGING_TEST_TIMEOUT = 600
MUTATION_REQUIREMENTS = "tests/utils/mutation.txt"
MUTATION_DIR = os.path.join(REPO_ROOT, "tests", "output", "mutation")
# Share of mutants the unit tests must kill (docs/mutation-testing.md).
MUTATION_TARGET = "0.9"

# CI stops a run after 90 minutes; a hung step is killed well before that, and once the whole
# budget is spent the remaining steps are reported as failed instead of being started.
STEP_TIMEOUT = int(os.environ.get("HARNESS_STEP_TIMEOUT", "2400"))
TOTAL_TIMEOUT = int(os.environ.get("HARNESS_TOTAL_TIMEOUT", "4800"))
EMULATOR_TEST_TIMEOUT = 300


@dataclasses.dataclass(frozen=True)
class Flavour:
    """One ansible-core release line and the Python versions that may run it, preferred first."""

    ansible: str
    pythons: tuple[str, ...]

    @property
    def lock(self) -> str:
        """Return the repository-relative path of the pinned requirements."""
        return f"tests/utils/ansible-{self.ansible}.txt"

    @property
    def venv_name(self) -> str:
        """Return the directory name of the virtual environment under ``.venv``."""
        return f"ansible-{self.ansible}"


MATRIX = {
    "2.19": Flavour("2.19", ("3.11",)),
    "2.21": Flavour("2.21", ("3.13", "3.12")),
}

# Interpreters ansible-test may use for its multi-version sanity tests (import, compile) when present.
SANITY_PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")

# ansible-lint, antsibull-docs and antsibull-changelog need one ansible-core; the newest one.
TOOLS_PYTHONS = ("3.13", "3.12")
TOOLS_LOCK = "tests/utils/tools.txt"
EMULATOR_LOCK = "tests/utils/emulator-test.txt"

# Lines that sum up a run: pytest's last line, ansible-lint's verdict.
CLOSING_LINE_PATTERNS = (
    re.compile(r"^=+ .*\b(passed|failed|error|errors|skipped|deselected|no tests ran)\b.* in [0-9.]+s.* =+$"),
    re.compile(r"^(Passed|Failed): [0-9]+ failure"),
)

# Lines that say what went wrong, turned into short notes for the summary.
PROBLEM_PATTERNS = (
    (re.compile(r"^ERROR: Found ([0-9]+) (\S+) issue"), "{2}: {1} issue(s)"),
    (re.compile(r"^ERROR: Sanity test '?(\S+?)'? failed"), "{1} failed"),
    (re.compile(r"^NOTICE: To resume at this test target, use the option: --start-at (\S+)"), "failed: {1}"),
)
FAILURE_LIST_START = re.compile(r"^FATAL: The [0-9]+ .*test\(s\) listed below .*failed")
LOG_LEVEL_PREFIX = re.compile(r"^(FATAL|ERROR|WARNING|NOTICE|Running|=+)[: ]")
GENERIC_ERROR = re.compile(r"^(?:ERROR|FATAL|fatal: \[[^]]+\]: FAILED!): (.{0,160})")


class OutputDigest:
    """Picks the closing line, counts and problems out of a step's output."""

    def __init__(self, counters: dict[str, t.Pattern[str]]) -> None:
        self.counters = counters
        self.matches: dict[str, set[str]] = {label: set() for label in counters}
        self.closing = ""
        self.problems: list[str] = []
        self.errors: list[str] = []
        self.listing_failures = False

    def feed(self, line: str) -> None:
        """Take one line of output."""
        text = strip_ansi(line).strip()

        # ansible-test ends a failed run with "FATAL: The N ... test(s) listed below ... failed"
        # followed by one failed test or target per line.
        if self.listing_failures:
            if text and not LOG_LEVEL_PREFIX.match(text):
                note = f"failed: {text}"

                if note not in self.problems:
                    self.problems.append(note)

                return

            self.listing_failures = False

        if FAILURE_LIST_START.search(text):
            self.listing_failures = True
            return

        if any(pattern.search(text) for pattern in CLOSING_LINE_PATTERNS):
            self.closing = text.strip("= ")

        for label, pattern in self.counters.items():
            if pattern.search(text):
                # ansible-test repeats its warnings at the end; count each line once.
                self.matches[label].add(text)

        for pattern, template in PROBLEM_PATTERNS:
            match = pattern.search(text)

            if match:
                note = template.format(match.group(0), *match.groups())

                if note not in self.problems:
                    self.problems.append(note)

                return

        match = GENERIC_ERROR.search(text)

        if match and len(self.errors) < 2:
            self.errors.append(match.group(1))

    def describe(self, returncode: int) -> str:
        """Return the summary text for the step."""
        parts = []

        if self.matches:
            parts.append(", ".join(f"{len(lines)} {label}" for label, lines in self.matches.items()))

        if self.closing:
            parts.append(self.closing)

        if returncode != 0:
            problems = self.problems[:6] + ([f"... {len(self.problems) - 6} more"] if len(self.problems) > 6 else [])
            parts = [f"exit {returncode}"] + (problems or self.errors) + parts

        return "; ".join(part for part in parts if part)


class HarnessError(Exception):
    """A problem with the environment that stops the harness before the tests run."""


@dataclasses.dataclass
class StepResult:
    """The outcome of one step, for the summary."""

    name: str
    status: str
    seconds: float
    detail: str = ""


class Harness:
    """Runs the steps and remembers their outcomes."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.results: list[StepResult] = []
        self.work_dir = tempfile.mkdtemp(prefix="status_page-test-")
        self.deadline = time.monotonic() + TOTAL_TIMEOUT
        self.trees: dict[str, str] = {}
        self.python_links = os.path.join(VENV_ROOT, "pythons")
        os.makedirs(LOG_DIR, exist_ok=True)

    # Interpreters and virtual environments

    def find_python(self, versions: t.Sequence[str]) -> tuple[str, str]:
        """Return (version, path) of a working interpreter and put it on the steps' PATH."""
        version, path = find_python(versions)
        self.link_python(version, path)
        return version, path

    def link_python(self, version: str, path: str) -> None:
        """Expose a working ``pythonX.Y`` on PATH, ahead of pyenv shims that fail without PYENV_VERSION."""
        os.makedirs(self.python_links, exist_ok=True)
        link = os.path.join(self.python_links, f"python{version}")

        if os.path.islink(link) and os.readlink(link) == path:
            return

        # Replace atomically: another make in the same checkout may be reading the link.
        temporary = f"{link}.{os.getpid()}"
        os.symlink(path, temporary)
        os.replace(temporary, link)

    def link_all_pythons(self) -> list[str]:
        """Expose every working ``python3.X`` that exists here; return their versions."""
        found = []

        for version in SANITY_PYTHONS:
            try:
                self.find_python((version,))
            except HarnessError:
                continue

            found.append(version)

        return found

    def ensure_venv(self, name: str, python: str, requirement_files: t.Sequence[str]) -> str:
        """Create or refresh ``.venv/<name>`` with the given requirement files; return its directory."""
        venv_dir = os.path.join(VENV_ROOT, name)
        files = [path for path in requirement_files if os.path.exists(os.path.join(REPO_ROOT, path))]
        digest = hashlib.sha256(python.encode())

        for path in files:
            digest.update(path.encode())

            with open(os.path.join(REPO_ROOT, path), "rb") as requirement_file:
                digest.update(requirement_file.read())

        stamp_path = os.path.join(venv_dir, ".harness-stamp")
        stamp = digest.hexdigest()

        with venv_lock():
            if read_text(stamp_path) != stamp or not os.path.exists(venv_python(venv_dir)):
                self.build_venv(name, python, files, stamp)

        return venv_dir

    @staticmethod
    def build_venv(name: str, python: str, files: list[str], stamp: str) -> None:
        """(Re)create ``.venv/<name>`` and install the requirement files into it."""
        venv_dir = os.path.join(VENV_ROOT, name)
        stamp_path = os.path.join(venv_dir, ".harness-stamp")

        announce(f"preparing virtual environment .venv/{name} ({python}) from {', '.join(files)}")
        shutil.rmtree(venv_dir, ignore_errors=True)
        check_call([python, "-m", "venv", venv_dir])
        pip = [venv_python(venv_dir), "-m", "pip", "--disable-pip-version-check", "--quiet"]
        command = pip + ["install"]

        for path in files:
            command += ["-r", os.path.join(REPO_ROOT, path)]

        check_call(command)

        with open(stamp_path, "w", encoding="utf-8") as stamp_file:
            stamp_file.write(stamp)

    def ansible_venv(self, flavour: Flavour) -> tuple[str, str]:
        """Return (python version, venv directory) for an ansible-core release line."""
        version, python = self.find_python(flavour.pythons)
        venv_dir = self.ensure_venv(
            flavour.venv_name,
            python,
            [flavour.lock, UNIT_REQUIREMENTS, INTEGRATION_REQUIREMENTS, EMULATOR_REQUIREMENTS],
        )
        self.write_get_pip(venv_dir)
        return version, venv_dir

    def tools_venv(self) -> str:
        """Return the directory of the venv with ansible-lint and the antsibull tools."""
        _version, python = self.find_python(TOOLS_PYTHONS)
        return self.ensure_venv("tools", python, [TOOLS_LOCK])

    def emulator_venv(self) -> str:
        """Return the directory of the venv that runs the emulator's contract tests."""
        _version, python = self.find_python(TOOLS_PYTHONS)
        return self.ensure_venv("emulator", python, [EMULATOR_LOCK, EMULATOR_REQUIREMENTS])

    @staticmethod
    def write_get_pip(venv_dir: str) -> None:
        """Write the pip bootstrap stand-in where this venv's ansible-test looks for it."""
        source = subprocess.run(
            [venv_python(venv_dir), "-c", "import ansible_test, os; print(os.path.dirname(ansible_test.__file__))"],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout.strip()
        requirements_py = read_text(os.path.join(source, "_internal", "python_requirements.py")) or ""
        pip_versions = sorted(set(re.findall(r"\bpip='([0-9][0-9.]*)'", requirements_py)))

        if not pip_versions:
            raise HarnessError(f"cannot tell which pip release ansible-test in {venv_dir} bootstraps")

        cache_dir = os.path.expanduser(os.path.join("~", ".ansible", "test", "cache"))
        os.makedirs(cache_dir, exist_ok=True)
        stand_in = read_text(os.path.join(UTILS_DIR, "get_pip.py"))

        for pip_version in pip_versions:
            target = os.path.join(cache_dir, f"get_pip_{pip_version.replace('.', '_')}.py")

            if read_text(target) != stand_in:
                with open(target, "w", encoding="utf-8") as target_file:
                    target_file.write(stand_in)

    # Collection trees

    def tree(self, label: str) -> str:
        """Return a fresh copy of the collection under ``<tmp>/<label>/ansible_collections/...``."""
        if label in self.trees:
            return self.trees[label]

        collection_dir = os.path.join(self.work_dir, label, "ansible_collections", NAMESPACE, COLLECTION)
        copy_checkout(collection_dir)
        self.trees[label] = collection_dir
        return collection_dir

    def collect_output(self) -> None:
        """Keep ansible-test's reports (junit, bot, coverage) under tests/output/harness/<label>."""
        for label, collection_dir in self.trees.items():
            output = os.path.join(collection_dir, "tests", "output")

            if not os.path.isdir(output):
                continue

            destination = os.path.join(LOG_DIR, label)
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(output, destination, symlinks=True, ignore=shutil.ignore_patterns(".tmp"))

    def cleanup(self) -> None:
        """Remove the temporary trees unless asked to keep them."""
        if self.options.keep_tree:
            announce(f"kept the collection trees under {self.work_dir}")
        else:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # Steps

    def run_step(
        self,
        name: str,
        command: list[str],
        cwd: str,
        env: dict[str, str] | None = None,
        counters: dict[str, t.Pattern[str]] | None = None,
    ) -> bool:
        """Run one step, stream and log its output, and record the outcome."""
        budget = min(STEP_TIMEOUT, int(self.deadline - time.monotonic()))

        if budget <= 0:
            self.fail(name, f"not started: the harness's {TOTAL_TIMEOUT}s budget is spent")
            return False

        banner(f"{name}: {' '.join(command)}")
        log_path = os.path.join(LOG_DIR, re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-") + ".log")
        digest = OutputDigest(counters or {})
        started = time.monotonic()
        timed_out = threading.Event()

        with open(log_path, "w", encoding="utf-8") as log:
            try:
                with subprocess.Popen(
                    command,
                    cwd=cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    errors="replace",
                    start_new_session=True,
                ) as process:
                    watchdog = threading.Timer(budget, lambda: (timed_out.set(), kill_group(process)))
                    watchdog.daemon = True
                    watchdog.start()

                    try:
                        for line in process.stdout:  # type: ignore[union-attr]
                            sys.stdout.write(line)
                            sys.stdout.flush()
                            log.write(line)
                            digest.feed(line)

                        returncode = process.wait()
                    finally:
                        watchdog.cancel()
            except OSError as ex:
                returncode = 127
                digest.problems.append(str(ex))

        if timed_out.is_set():
            digest.problems.insert(0, f"killed after {budget}s")

        seconds = time.monotonic() - started
        status = "passed" if returncode == 0 else "FAILED"
        detail = digest.describe(returncode)
        self.results.append(StepResult(name, status, seconds, detail))
        banner(f"{name}: {status} in {format_seconds(seconds)} (log: {os.path.relpath(log_path, REPO_ROOT)})")
        return returncode == 0

    def skip(self, name: str, reason: str) -> None:
        """Record a step that had nothing to run."""
        banner(f"{name}: skipped, {reason}")
        self.results.append(StepResult(name, "skipped", 0.0, reason))

    def fail(self, name: str, reason: str) -> None:
        """Record a step that could not start."""
        banner(f"{name}: FAILED, {reason}")
        self.results.append(StepResult(name, "FAILED", 0.0, reason))

    def environment(self, *venv_dirs: str, collections_root: str | None = None) -> dict[str, str]:
        """Return the environment for a step: its venvs and working interpreters first on PATH."""
        env = dict(os.environ)
        paths = [os.path.join(venv_dir, "bin") for venv_dir in venv_dirs] + [self.python_links]
        env["PATH"] = os.pathsep.join(paths + [env.get("PATH", os.defpath)])
        env["VIRTUAL_ENV"] = venv_dirs[0] if venv_dirs else ""
        env.pop("PYTHONPATH", None)
        env.setdefault("ANSIBLE_FORCE_COLOR", "0")
        env["PYTHONDONTWRITEBYTECODE"] = "1"

        if collections_root:
            env["ANSIBLE_COLLECTIONS_PATH"] = collections_root

        return env

    def ansible_test(self, command: str, flavour: Flavour) -> None:
        """Run one ansible-test command for one matrix entry."""
        name = f"ansible-test {command} [core {flavour.ansible}]"

        try:
            version, venv_dir = self.ansible_venv(flavour)
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        name = f"ansible-test {command} [core {flavour.ansible}, py{version}]"
        collection_dir = self.tree(f"core-{flavour.ansible}")
        arguments = [os.path.join(venv_dir, "bin", "ansible-test"), command, "--color", "no"]

        counters: dict[str, t.Pattern[str]] = {}

        if command == "sanity":
            ensure_shellcheck(collection_dir)
            pythons = self.link_all_pythons()
            announce(f"Python versions available to the sanity tests: {', '.join(pythons)}")
            # ansible-test builds one venv per sanity test with its own pinned tools; without
            # --python the controller tests use this venv's Python and the import and compile
            # tests run on every supported Python found on PATH (missing ones are skipped).
            arguments += ["--venv"]
            counters = {
                "tests run": re.compile(r'^Running sanity test "'),
                "skipped": re.compile(r"^WARNING: Skipping sanity test"),
            }
        elif command == "units":
            if not glob.glob(os.path.join(collection_dir, "tests", "unit", "**", "test_*.py"), recursive=True):
                self.skip(name, "no unit tests in tests/unit")
                return

            arguments += ["--venv", "--python", version]
        elif command == "integration":
            if not integration_targets(collection_dir):
                self.skip(name, "no integration targets besides setup_*")
                return

            # The controller venv already holds requests and the emulator's dependencies,
            # and the inventory ansible-test writes for --local names this interpreter.
            arguments += ["--local", "--python", version, "--continue-on-error"]
            counters = {"targets": re.compile(r"^Running .+ integration test role")}

        arguments += self.options.ansible_test_args
        env = self.environment(venv_dir)
        env.pop("ANSIBLE_COLLECTIONS_PATH", None)
        self.run_step(name, arguments, collection_dir, env, counters)

        if command == "integration":
            self.reap_emulators(name, collection_dir)

    def reap_emulators(self, name: str, collection_dir: str) -> None:
        """Stop emulators that targets left running (a killed nested run skips its `always`)."""
        server = os.path.join(collection_dir, "tests", "emulator", "server.py").encode()
        leaked = []

        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue

            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    arguments = cmdline.read().split(b"\0")
            except OSError:
                continue

            if server in arguments:
                leaked.append(int(entry))

        for pid in leaked:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        if leaked:
            note = f"{len(leaked)} emulator(s) left running by the targets were killed (PIDs {', '.join(map(str, leaked))})"
            announce(note)

            if self.results and self.results[-1].name == name:
                self.results[-1].detail = f"{self.results[-1].detail}; {note}"

    def lint(self) -> None:
        """Run ansible-lint, antsibull-docs and antsibull-changelog once."""
        try:
            venv_dir = self.tools_venv()
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail("lint tools", str(ex))
            return

        collection_dir = self.tree("tools")
        collections_root = os.path.dirname(os.path.dirname(os.path.dirname(collection_dir)))
        env = self.environment(venv_dir, collections_root=collections_root)
        tool = os.path.join(venv_dir, "bin")
        self.run_step(
            "ansible-lint --profile production",
            [os.path.join(tool, "ansible-lint"), "--offline", "--profile", "production", "--nocolor"],
            collection_dir,
            env,
        )
        self.run_step(
            "antsibull-docs lint-collection-docs",
            [os.path.join(tool, "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."],
            collection_dir,
            env,
        )
        self.run_step("antsibull-changelog lint", [os.path.join(tool, "antsibull-changelog"), "lint"], collection_dir, env)
        self.run_step(
            "docs/bad-input.md matches the bad_input cases",
            [venv_python(venv_dir), "tests/utils/bad_input_table.py", "--check"],
            collection_dir,
            env,
        )

    def emulator_test(self) -> None:
        """Run the emulator's contract tests and Schemathesis against it (tests/emulator/tests), once."""
        name = "pytest tests/emulator/tests (contract tests, Schemathesis)"

        if not os.path.isdir(os.path.join(REPO_ROOT, EMULATOR_TESTS)):
            self.fail(name, f"{EMULATOR_TESTS} does not exist")
            return

        try:
            venv_dir = self.emulator_venv()
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        collection_dir = self.tree("tools")
        command = [venv_python(venv_dir), "-m", "pytest", EMULATOR_TESTS, "-p", "no:cacheprovider", "-ra", "--timeout", str(EMULATOR_TEST_TIMEOUT)]
        self.run_step(name, command, collection_dir, self.environment(venv_dir))

    def browser_test(self) -> None:
        """Run the subscriber-view test in headless Chromium once (it installs Chromium if needed)."""
        name = "pytest tests/browser"

        if not os.path.isdir(os.path.join(REPO_ROOT, BROWSER_TESTS)):
            self.skip(name, f"{BROWSER_TESTS} does not exist")
            return

        try:
            _version, python = self.find_python(TOOLS_PYTHONS)
            # With ansible-core importable the test drives the window through ansible-playbook.
            newest = MATRIX[list(MATRIX)[-1]]
            venv_dir = self.ensure_venv("browser", python, [BROWSER_REQUIREMENTS, EMULATOR_REQUIREMENTS, newest.lock])
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        collection_dir = self.tree("tools")
        command = [venv_python(venv_dir), "-m", "pytest", BROWSER_TESTS, "-p", "no:cacheprovider", "-ra"]
        self.run_step(name, command, collection_dir, self.environment(venv_dir))

    def docs(self) -> None:
        """Build the documentation site offline, with Sphinx warnings as errors."""
        name = "docs site (antsibull-docs, sphinx -W)"
        try:
            _version, python = self.find_python(("3.11",) + TOOLS_PYTHONS)
            venv_dir = self.ensure_venv("docs", python, [DOCS_REQUIREMENTS])
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        collection_dir = self.tree("tools")
        collections_root = os.path.dirname(os.path.dirname(os.path.dirname(collection_dir)))
        destination = os.path.join(REPO_ROOT, "docs", "build", "html")
        command = [venv_python(venv_dir), "docs/build_site.py", "--dest", destination]
        self.run_step(name, command, collection_dir, self.environment(venv_dir, collections_root=collections_root))

    def packaging_test(self) -> None:
        """Galaxy build and install, galaxy-importer, ansible-builder and an AWX-style ansible-runner job."""
        name = "pytest tests/packaging"
        try:
            _version, python = self.find_python(("3.11",) + TOOLS_PYTHONS)
            venv_dir = self.ensure_venv("packaging", python, [PACKAGING_REQUIREMENTS, EMULATOR_REQUIREMENTS])
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        collection_dir = self.tree("tools")
        command = [venv_python(venv_dir), "-m", "pytest", PACKAGING_TESTS, "-p", "no:cacheprovider", "-ra",
                   "--timeout", str(PACKAGING_TEST_TIMEOUT)]
        self.run_step(name, command, collection_dir, self.environment(venv_dir))

    def mutation(self) -> None:
        """Mutation testing of plugins/module_utils and plugins/modules with the unit tests; not part of `make test`."""
        name = "mutmut over plugins/module_utils and plugins/modules"
        flavour = MATRIX[list(MATRIX)[0]]

        try:
            _version, python = self.find_python(flavour.pythons)
            venv_dir = self.ensure_venv("mutation", python, [flavour.lock, UNIT_REQUIREMENTS, MUTATION_REQUIREMENTS])
        except (HarnessError, subprocess.CalledProcessError) as ex:
            self.fail(name, str(ex))
            return

        # mutmut runs beside an ansible_collections tree it copies into mutants/; tests/output keeps it for
        # `mutmut show` afterwards.
        command = [venv_python(venv_dir), "tests/utils/mutation.py", MUTATION_DIR, "--target", MUTATION_TARGET]
        self.run_step(name, command, REPO_ROOT, self.environment(venv_dir))

    def run_script(self, script: str, arguments: t.Sequence[str]) -> int:
        """Run one of the checkout's scripts (demo, bench) with the oldest ansible-core's venv, in the checkout."""
        _version, venv_dir = self.ansible_venv(MATRIX[list(MATRIX)[0]])
        env = self.environment(venv_dir)
        return subprocess.call([venv_python(venv_dir), script, *arguments], cwd=REPO_ROOT, env=env)

    def summary(self, wall_seconds: float) -> int:
        """Print the summary table and return the exit status."""
        banner("summary")
        width = max([len(result.name) for result in self.results] + [10])

        for result in self.results:
            print(f"  {result.status:<8} {result.name:<{width}} {format_seconds(result.seconds):>7}  {result.detail}")

        passed = sum(1 for result in self.results if result.status == "passed")
        failed = sum(1 for result in self.results if result.status == "FAILED")
        skipped = sum(1 for result in self.results if result.status == "skipped")
        print(f"wall time {format_seconds(wall_seconds)}")
        print(f"steps: {passed} passed, {failed} failed, {skipped} skipped")
        return 1 if failed or not self.results else 0


# Helpers


def announce(message: str) -> None:
    """Print a progress message of the harness itself."""
    print(f"--- {message}", flush=True)


def banner(message: str) -> None:
    """Print a visible separator line."""
    print(f"\n===== {message}", flush=True)


def format_seconds(seconds: float) -> str:
    """Return ``1m05s`` style durations."""
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s"


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes."""
    return ANSI_ESCAPE.sub("", text)


def read_text(path: str) -> str | None:
    """Return a file's text, or None if it does not exist."""
    try:
        with open(path, encoding="utf-8") as text_file:
            return text_file.read()
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def venv_lock() -> t.Iterator[None]:
    """Serialise venv builds between harness runs sharing one checkout."""
    os.makedirs(VENV_ROOT, exist_ok=True)

    with open(os.path.join(VENV_ROOT, ".lock"), "w", encoding="utf-8") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)

        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def venv_python(venv_dir: str) -> str:
    """Return the interpreter of a virtual environment."""
    return os.path.join(venv_dir, "bin", "python")


def check_call(command: list[str]) -> None:
    """Run a preparation command; show its output only if it fails."""
    result = subprocess.run(
        command,
        check=False,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )

    if result.returncode != 0:
        # pip warns about every missing extra index of the system-wide configuration; that is noise here.
        noise = re.compile(r"^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$")
        sys.stdout.write("".join(line for line in result.stdout.splitlines(True) if not noise.match(line)))
        raise subprocess.CalledProcessError(result.returncode, command)


def kill_group(process: subprocess.Popen) -> None:
    """Stop a step that ran past its time, with everything it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def find_python(versions: t.Sequence[str]) -> tuple[str, str]:
    """Return the first (version, path) of a working interpreter among the given versions."""
    for version in versions:
        for candidate in python_candidates(version):
            if python_works(candidate, version):
                return version, candidate

    raise HarnessError(f"no working Python {' or '.join(versions)} found (looked in pyenv's versions directory and on PATH)")


def python_candidates(version: str) -> list[str]:
    """Return possible paths of ``pythonX.Y``, real installations before PATH entries."""
    roots = []

    if os.environ.get("PYENV_ROOT"):
        roots.append(os.path.join(os.environ["PYENV_ROOT"], "versions"))

    # The running interpreter often lives in pyenv's versions directory even when PYENV_ROOT is unset.
    roots.append(os.path.dirname(sys.base_prefix))
    roots.append(os.path.expanduser(os.path.join("~", ".pyenv", "versions")))

    # pyenv's shims and bin directories on PATH name its root even when HOME and PYENV_ROOT say nothing.
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if os.path.basename(directory) in ("shims", "bin") and os.path.isdir(os.path.join(os.path.dirname(directory), "versions")):
            roots.append(os.path.join(os.path.dirname(directory), "versions"))
    candidates = []

    for root in roots:
        found = glob.glob(os.path.join(root, f"{version}*", "bin", f"python{version}"))
        candidates += sorted(found, key=lambda path: version_key(path.split(os.sep)[-3]), reverse=True)

    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep) + ["/usr/local/bin", "/usr/bin"]:
        candidates.append(os.path.join(directory, f"python{version}"))

    unique = []

    for candidate in candidates:
        if candidate not in unique and os.access(candidate, os.X_OK) and os.sep + "shims" + os.sep not in candidate:
            unique.append(candidate)

    return unique


def version_key(text: str) -> tuple[int, ...]:
    """Sort ``3.13.0`` after ``3.13.0rc1`` and ``3.9`` before ``3.13``."""
    return tuple(int(part) for part in re.findall(r"[0-9]+", text))


def python_works(path: str, version: str) -> bool:
    """Return True if the interpreter runs, is the wanted version and can create venvs."""
    try:
        result = subprocess.run(
            [path, "-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"],
            check=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False

    return result.returncode == 0 and result.stdout.strip() == version


def git_files() -> list[str]:
    """Return the files of the checkout: tracked ones plus untracked ones that are not ignored."""
    if not os.path.exists(os.path.join(REPO_ROOT, ".git")):
        raise HarnessError(f"{REPO_ROOT} is not a git checkout")

    output = subprocess.run(
        ["git", "-C", REPO_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout.decode("utf-8", "surrogateescape")
    return sorted(set(path for path in output.split("\0") if path))


def copy_checkout(collection_dir: str) -> None:
    """Copy the checkout's files into a real directory tree (ansible-test resolves symlinks)."""
    shutil.rmtree(collection_dir, ignore_errors=True)
    os.makedirs(collection_dir)

    for path in git_files():
        source = os.path.join(REPO_ROOT, path)

        # A tracked file deleted in the work tree is not part of what would be committed.
        if not os.path.lexists(source) or os.path.isdir(source):
            continue

        destination = os.path.join(collection_dir, path)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(source, destination, follow_symlinks=False)


def integration_targets(collection_dir: str) -> list[str]:
    """Return the integration targets that ansible-test would run (setup_* and prepare_* are helpers)."""
    targets_dir = os.path.join(collection_dir, "tests", "integration", "targets")

    if not os.path.isdir(targets_dir):
        return []

    return sorted(
        name
        for name in os.listdir(targets_dir)
        if os.path.isdir(os.path.join(targets_dir, name)) and not name.startswith(("setup_", "prepare_"))
    )


def ensure_shellcheck(collection_dir: str) -> None:
    """Install shellcheck for the sanity test of the same name when there are shell scripts to check."""
    if shutil.which("shellcheck"):
        return

    if not glob.glob(os.path.join(collection_dir, "**", "*.sh"), recursive=True):
        return

    if os.geteuid() != 0 or not shutil.which("apt-get"):
        announce("shellcheck is missing and cannot be installed here; ansible-test will skip its sanity test")
        return

    announce("installing shellcheck with apt-get for the shellcheck sanity test")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-qq", "install", "-y", "--no-install-recommends", "shellcheck"]
    output = ""

    # A fresh machine may have no package lists yet: update only when the first try fails.
    for command in (install, ["apt-get", "-qq", "update"], install):
        result = subprocess.run(
            command,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        output += result.stdout

        if shutil.which("shellcheck"):
            return

    sys.stdout.write(output)
    announce("shellcheck could not be installed; ansible-test will skip its sanity test")


def lock(options: argparse.Namespace) -> int:
    """Regenerate tests/utils/*.txt from the top-level pins in tests/utils/*.in."""
    del options

    # The emulator venv installs its lock together with the emulator's own requirements: what both need must be
    # pinned alike, so that lock resolves with those requirements as constraints.
    constraints = {EMULATOR_LOCK: [EMULATOR_REQUIREMENTS]}

    for lock_path in (TOOLS_LOCK, EMULATOR_LOCK):
        source = os.path.join(REPO_ROOT, lock_path[: -len(".txt")] + ".in")
        version, python = find_python(TOOLS_PYTHONS)

        with tempfile.TemporaryDirectory(prefix="status_page-lock-") as scratch:
            venv_dir = os.path.join(scratch, "venv")
            check_call([python, "-m", "venv", venv_dir])
            install = [venv_python(venv_dir), "-m", "pip", "--disable-pip-version-check", "--quiet", "install", "-r", source]

            for constraint in constraints.get(lock_path, []):
                install += ["-c", os.path.join(REPO_ROOT, constraint)]

            check_call(install)
            frozen = subprocess.run(
                [venv_python(venv_dir), "-m", "pip", "--disable-pip-version-check", "freeze", "--all", "--exclude", "pip"],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout

        header = f"# Generated by `make lock` from {os.path.basename(source)} with Python {version}; edit that file instead.\n"

        with open(os.path.join(REPO_ROOT, lock_path), "w", encoding="utf-8") as lock_file:
            lock_file.write(header + frozen)

        announce(f"wrote {lock_path}")

    return 0


def selected_flavours(options: argparse.Namespace) -> list[Flavour]:
    """Return the matrix entries named by --matrix."""
    names = [name for name in re.split(r"[\s,]+", options.matrix) if name]
    unknown = [name for name in names if name not in MATRIX]

    if unknown:
        raise HarnessError(f"unknown ansible-core release(s) {', '.join(unknown)}; choose from {', '.join(MATRIX)}")

    return [MATRIX[name] for name in names]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("test", "sanity", "units", "integration", "lint", "emulator-test", "browser-test",
                                            "docs", "packaging-test", "demo", "bench", "venvs", "lock", "mutation"))
    parser.add_argument("--matrix", default=" ".join(MATRIX), help="ansible-core releases to test, e.g. '2.19' or '2.19 2.21'")
    parser.add_argument("--keep-tree", action="store_true", help="keep the temporary collection trees for inspection")
    parser.add_argument("ansible_test_args", nargs="*", help="extra ansible-test arguments, e.g. target names (after --)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point."""
    options = parse_args(argv)

    try:
        flavours = selected_flavours(options)

        if options.command == "lock":
            return lock(options)
    except HarnessError as ex:
        print(f"ERROR: {ex}", file=sys.stderr)
        return 2

    harness = Harness(options)
    started = time.monotonic()

    if options.command in ("demo", "bench"):
        # Interactive tools, not test steps: their own output is the result.
        try:
            return harness.run_script(f"tests/utils/{options.command}.py", options.ansible_test_args)
        finally:
            harness.cleanup()

    try:
        if options.command == "venvs":
            for flavour in flavours:
                harness.ansible_venv(flavour)

            harness.tools_venv()
            harness.emulator_venv()
            return 0

        # Linters first: the pytest steps write screenshots and reports into the shared tree.
        if options.command in ("test", "lint"):
            harness.lint()

        if options.command in ("test", "emulator-test"):
            harness.emulator_test()

        if options.command in ("test", "browser-test"):
            harness.browser_test()

        if options.command in ("test", "docs"):
            harness.docs()

        if options.command in ("test", "packaging-test"):
            harness.packaging_test()

        # Too slow for CI (about half an hour): only on request.
        if options.command == "mutation":
            harness.mutation()

        for flavour in flavours:
            for command in ("sanity", "units", "integration"):
                if options.command in ("test", command):
                    harness.ansible_test(command, flavour)
    except HarnessError as ex:
        harness.fail(options.command, str(ex))
    except KeyboardInterrupt:
        harness.fail(options.command, "interrupted")
    finally:
        harness.collect_output()
        harness.cleanup()

    return harness.summary(time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
