# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mutation testing: how many small bugs planted in plugins/module_utils and plugins/modules the unit tests catch.

    python tests/utils/mutation.py WORK_DIR [--target 0.9]

`make mutation` runs it (nox session `mutation`: ansible-core, the unit test requirements and
tests/utils/mutation.txt). It copies the collection into WORK_DIR/ansible_collections/incident_io/status_page, runs
mutmut there over both directories with the unit tests (tests/unit, less the property tests of
test_any_answer.py, whose hundreds of generated runs per mutant would take hours), prints the score per file and
the surviving mutants, and exits 1 when fewer than --target of the mutants are killed. The run takes about twenty
minutes on two cores.

Afterwards, in WORK_DIR: `mutmut show <name>` prints a mutant's diff, `mutmut results` lists them all.
docs/mutation-testing.md records the score and why the surviving mutants are equivalent.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = os.path.join("ansible_collections", "incident_io", "status_page")
MUTATED = ("plugins/module_utils", "plugins/modules")
UNIT_TESTS = "tests/unit"
# Statuses mutmut reports, and whether the tests caught the mutant.
CAUGHT = {"killed": True, "timeout": True, "caught by type check": True, "segfault": True,
          "survived": False, "no tests": False, "suspicious": False}
NOT_COUNTED = {"skipped", "not checked"}

SETUP_CFG = """\
[mutmut]
source_paths =
{sources}
pytest_add_cli_args_test_selection =
    {collection}/{unit_tests}
pytest_add_cli_args =
    -p
    no:cacheprovider
    --ignore={collection}/{unit_tests}/plugins/modules/test_any_answer.py
also_copy =
    conftest.py
{unmutated}
"""
# ansible-test installs Ansible's collection loader before the unit tests run; mutmut runs pytest itself, and
# without the loader the action plugin's tests cannot resolve ansible.builtin.* tasks.
CONFTEST = """\
import os

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

_AnsibleCollectionFinder(paths=[os.path.dirname(os.path.abspath(__file__))])._install()
"""


def copy_collection(work_dir: str) -> None:
    """The files git knows about (tracked, and untracked but not ignored), as the unit tests see them."""
    target = os.path.join(work_dir, COLLECTION)
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(target)
    listed = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            check=True, stdout=subprocess.PIPE).stdout.decode("utf-8", "surrogateescape")
    for path in sorted(set(filter(None, listed.split("\0")))):
        source = os.path.join(ROOT, path)
        if os.path.isfile(source):
            os.makedirs(os.path.dirname(os.path.join(target, path)), exist_ok=True)
            shutil.copy2(source, os.path.join(target, path))
    with open(os.path.join(work_dir, "conftest.py"), "w", encoding="utf-8") as conftest:
        conftest.write(CONFTEST)
    with open(os.path.join(work_dir, "setup.cfg"), "w", encoding="utf-8") as config:
        config.write(SETUP_CFG.format(collection=COLLECTION, unit_tests=UNIT_TESTS,
                                      sources="\n".join(f"    {COLLECTION}/{path}" for path in MUTATED),
                                      unmutated="\n".join(f"    {COLLECTION}/{path}" for path in unmutated())))


def unmutated() -> list:
    """Everything of the collection outside MUTATED, which the unit tests import or read (action plugins,
    plugin_utils, tests, galaxy.yml and the docs that name the version)."""
    plugins = os.path.join(ROOT, "plugins")
    listed = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            check=True, stdout=subprocess.PIPE).stdout.decode("utf-8", "surrogateescape")
    top_level = {path.split("/", 1)[0] for path in listed.split("\0") if path} - {"plugins"}
    return sorted(top_level | {f"plugins/{name}" for name in os.listdir(plugins)
                               if os.path.isdir(os.path.join(plugins, name)) and f"plugins/{name}" not in MUTATED})


def mutmut(work_dir: str, *arguments: str, log=None) -> str:
    command = [os.path.join(os.path.dirname(sys.executable), "mutmut"), *arguments]
    if log is None:
        return subprocess.run(command, cwd=work_dir, check=True, stdout=subprocess.PIPE, text=True).stdout
    # mutmut's progress display rewrites one line thousands of times: it goes to the log, not the terminal.
    subprocess.run(command, cwd=work_dir, check=True, stdout=log, stderr=subprocess.STDOUT)
    return ""


def results(work_dir: str) -> dict:
    """{mutant name: status} of every mutant."""
    statuses = {}
    for line in mutmut(work_dir, "results", "--all", "true").splitlines():
        name, separator, status = line.strip().rpartition(": ")
        if separator and name:
            statuses[name] = status
    return statuses


def file_of(mutant: str) -> str:
    """The source file of a mutant named like ansible_collections....plugins.modules.x.x_function__mutmut_3."""
    module = mutant.rsplit(".", 1)[0]
    return module.split("status_page.", 1)[-1].replace(".", "/") + ".py"


def report(statuses: dict, target: float) -> int:
    per_file = collections.defaultdict(collections.Counter)
    for mutant, status in statuses.items():
        per_file[file_of(mutant)][status] += 1
    print(f"{'file':<44} {'mutants':>8} {'killed':>8} {'survived':>9} {'score':>7}")
    totals = collections.Counter()
    for path in sorted(per_file):
        counts = per_file[path]
        totals.update(counts)
        print(line_of(path, counts))
    print(line_of("all", totals))
    survivors = sorted(name for name, status in statuses.items() if not CAUGHT.get(status, status in NOT_COUNTED))
    if survivors:
        print(f"\n{len(survivors)} mutants the tests did not catch (mutmut show <name> prints one):")
        for name in survivors:
            print(f"  {name}: {statuses[name]}")
    score = caught(totals) / max(1, counted(totals))
    print(f"\nmutation score: {score:.1%} of {counted(totals)} mutants killed (target {target:.0%})")
    return 0 if score >= target else 1


def counted(counts: collections.Counter) -> int:
    return sum(number for status, number in counts.items() if status not in NOT_COUNTED)


def caught(counts: collections.Counter) -> int:
    return sum(number for status, number in counts.items() if CAUGHT.get(status, False))


def line_of(label: str, counts: collections.Counter) -> str:
    total = counted(counts)
    killed = caught(counts)
    score = killed / total if total else 1.0
    return f"{label:<44} {total:>8} {killed:>8} {total - killed:>9} {score:>7.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_dir", help="where the collection is copied and mutmut keeps its mutants")
    parser.add_argument("--target", type=float, default=0.9, help="share of mutants to kill (default 0.9)")
    parser.add_argument("--report-only", action="store_true", help="report the results of the last run in WORK_DIR")
    args = parser.parse_args()
    work_dir = os.path.abspath(args.work_dir)
    if not args.report_only:
        copy_collection(work_dir)
        log_path = os.path.join(work_dir, "mutmut.log")
        print(f"mutmut run in {work_dir} (progress in {log_path})", flush=True)
        with open(log_path, "w", encoding="utf-8") as log:
            mutmut(work_dir, "run", log=log)
    return report(results(work_dir), args.target)


if __name__ == "__main__":
    sys.exit(main())
