# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-doc shows every module and the role, on the ansible-core release the units run with, with no deprecation.

ansible-doc is where documentation keys that a release no longer supports show up: 2.19 prints a deprecation warning
for a role's ``attributes`` and 2.22 drops them without a word. These tests run on every release of the matrix.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# The directory that holds ansible_collections/ (ansible-test runs the units in such a tree).
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION_ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
ROLES = sorted(os.listdir(os.path.join(COLLECTION_ROOT, "roles")))


def ansible_doc(*args: str) -> subprocess.CompletedProcess:
    """Run ansible-doc of the ansible-core under test (the one this Python imports) on the collection."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="1",
               PYTHONPATH=os.pathsep.join(path for path in sys.path if path), COLUMNS="120")
    return subprocess.run([sys.executable, "-c", "from ansible.cli.doc import main; main()", *args], env=env, capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL, timeout=120)


@pytest.mark.parametrize("plugin_type, names, shown", [
    ("module", MODULES, "> MODULE "),
    ("role", ROLES, "> ROLE: "),
])
def test_ansible_doc_shows_everything_without_a_deprecation(plugin_type, names, shown):
    run = ansible_doc("-t", plugin_type, *(f"incident_io.status_page.{name}" for name in names))
    assert run.returncode == 0, run.stderr
    assert run.stdout.count(shown) == len(names), run.stdout[:2000]
    # Other warnings are about ansible-test's copy of ansible-core (its internal collections have no version).
    assert "DEPRECATION" not in run.stdout + run.stderr, run.stderr
    assert "DeprecationWarning" not in run.stderr


def test_the_role_shows_its_check_mode_and_idempotency_on_every_release():
    # What modules document as attributes; a role says it in its description, which every release shows.
    run = ansible_doc("-t", "role", "incident_io.status_page.maintenance_window")
    assert run.returncode == 0, run.stderr
    for entry_point in ("main", "start", "complete"):
        # Without colours, ansible-doc marks bold text with asterisks.
        section = re.split(r"ENTRY POINT: \W*(?:main|start|complete)\W* ", run.stdout)[("main", "start", "complete").index(entry_point) + 1]
        assert "Check mode: full support." in section
        assert "Idempotent: full support." in section
