# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator checked against the vendored spec by Schemathesis, a tool written elsewhere.

Every check runs (response schemas, status codes, content types, undeclared methods, ignored auth, use after free,
...) over the coverage, fuzzing and stateful phases; ../schemathesis.toml holds the settings and the answers the
emulator's documented strict readings give.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys

from conftest import EMULATOR_DIR, PUBLISHER_KEY, Client

CONFIG = os.path.join(EMULATOR_DIR, "schemathesis.toml")
SPEC = os.path.join(EMULATOR_DIR, "spec", "status-pages-openapi.json")
RUN_TIMEOUT = 240


def test_schemathesis_finds_no_difference_between_the_emulator_and_the_spec(emulator_url, tmp_path):
    control = Client(emulator_url)
    control.control("POST", "reset")
    # Schemathesis sends thousands of requests; the reset afterwards brings back the seed's rate limit.
    control.control("POST", "rate_limit", {"capacity": 10 ** 9, "refill_per_second": 10 ** 9})
    try:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", CONFIG, "run", SPEC, "--url", emulator_url,
             "--no-color", "--report", "junit", "--report-dir", str(tmp_path)],
            cwd=tmp_path, env=dict(os.environ, EMULATOR_API_KEY=PUBLISHER_KEY, PYTHONIOENCODING="utf-8"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=RUN_TIMEOUT,
            check=False)
        logged = control.control("GET", "requests")["requests"]
    finally:
        control.control("POST", "reset")
    print(run.stdout)
    assert run.returncode == 0, run.stdout[-10000:]
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in run.stdout, f"the {phase} phase did not run and pass"
    assert "Tested: 22" in run.stdout

    statuses = collections.Counter(entry["status"] for entry in logged)
    assert not [status for status in statuses if status is None or status >= 500], statuses
    # Methods the spec does not have were tried, and answered in the API's error shape (405, with Allow).
    undeclared = [entry for entry in logged if entry["method"] in ("OPTIONS", "TRACE", "PATCH")]
    assert undeclared and {entry["status"] for entry in undeclared} <= {404, 405}
    # The stateful phase reached the emulator's logic: objects were created, then read, changed and deleted.
    done = {(entry["method"], entry["path"].count("/"), entry["status"]) for entry in logged}
    assert {("POST", 2, 201), ("PUT", 3, 200), ("DELETE", 3, 204)} <= done, sorted(done)
