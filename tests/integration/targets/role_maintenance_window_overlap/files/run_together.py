#!/usr/bin/env python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start several ansible-playbook runs at once (each after its own delay) and wait for all of them.

The shapes of scale: the slices of a sliced AWX job, two pipelines deploying at the same time. The spec file is JSON:
{"inventory": PATH, "files": DIR, "common": {extra vars of every run},
 "runs": [{"name": "slice-1", "playbook": "deploy.yml", "vars": {...}, "limit": "web01", "delay": 0}]}.
Each run is `ansible-playbook -i INVENTORY DIR/PLAYBOOK -e COMMON+{run_name}+VARS [--limit LIMIT]`. Prints
{"runs": [{"name", "rc", "started", "ended", "output"}]} with times as seconds since the epoch.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

RUN_TIMEOUT = 120


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    start = time.time()
    pending = sorted(enumerate(spec["runs"]), key=lambda item: item[1].get("delay", 0))
    started = {}
    while pending:
        index, run = pending[0]
        wait = start + run.get("delay", 0) - time.time()
        if wait > 0:
            time.sleep(wait)
        output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        extra_vars = dict(spec["common"], run_name=run["name"], **run.get("vars", {}))
        argv = ["ansible-playbook", "-i", spec["inventory"], os.path.join(spec["files"], run.get("playbook", "deploy.yml")),
                "-e", json.dumps(extra_vars)] + (["--limit", run["limit"]] if run.get("limit") else [])
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=dict(os.environ))
        started[index] = (process, output, time.time())
        pending.pop(0)
    results = []
    for index, run in enumerate(spec["runs"]):
        process, output, began = started[index]
        try:
            rc = process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            rc = process.wait()
        output.seek(0)
        results.append({"name": run["name"], "rc": rc, "started": began, "ended": time.time(),
                        "output": output.read()[-20000:]})
    print(json.dumps({"runs": results}))


if __name__ == "__main__":
    main()
