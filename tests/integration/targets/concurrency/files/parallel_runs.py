#!/usr/bin/env python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one playbook as N separate ansible-playbook processes whose module tasks start at the same moment.

Every run waits at a barrier (the playbook's first task calls this script with --barrier) until all N have
started, so the slow start of ansible-playbook does not spread the runs apart. Prints a JSON summary:
{"rcs": [...], "results": [registered result of each run], "spread": seconds between the first and last release}.

Usage: parallel_runs.py --runs N --playbook FILE --vars FILE --workdir DIR [--separate-tmp]
       parallel_runs.py --barrier DIR --run-id I     (from inside a run)
"""

import argparse
import json
import os
import subprocess
import sys
import time

BARRIER_TIMEOUT = 120.0


def barrier(workdir, run_id):
    """Announce this run, then wait for the signal that every run has announced itself."""
    with open(os.path.join(workdir, f"ready-{run_id}"), "w", encoding="utf-8"):
        pass
    deadline = time.monotonic() + BARRIER_TIMEOUT
    go = os.path.join(workdir, "go")
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(0.005)
    sys.stdout.write(json.dumps({"released": time.time()}))


def launch(args):
    os.makedirs(args.workdir, exist_ok=True)
    processes = []
    for run_id in range(args.runs):
        log = open(os.path.join(args.workdir, f"run-{run_id}.log"), "w", encoding="utf-8")
        command = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
                   "-e", f"@{args.vars}", "-e", f"run_id={run_id} workdir={args.workdir}", args.playbook]
        env = dict(os.environ)
        if args.separate_tmp:
            # A temporary directory of its own per run: as if each ran on another host, where no lock is shared.
            env["TMPDIR"] = os.path.join(args.workdir, f"tmp-{run_id}")
            os.makedirs(env["TMPDIR"], exist_ok=True)
        processes.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env), log))
    deadline = time.monotonic() + BARRIER_TIMEOUT
    while sum(os.path.exists(os.path.join(args.workdir, f"ready-{i}")) for i in range(args.runs)) < args.runs:
        if time.monotonic() > deadline or any(process.poll() is not None for process, _log in processes):
            break
        time.sleep(0.02)
    with open(os.path.join(args.workdir, "go"), "w", encoding="utf-8"):
        pass
    rcs = []
    for process, log in processes:
        rcs.append(process.wait())
        log.close()
    results = []
    for run_id in range(args.runs):
        path = os.path.join(args.workdir, f"result-{run_id}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                results.append(json.load(handle))
        else:
            with open(os.path.join(args.workdir, f"run-{run_id}.log"), encoding="utf-8") as handle:
                results.append({"failed": True, "msg": "no result", "log": handle.read()[-3000:]})
    print(json.dumps({"rcs": rcs, "results": results}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int)
    parser.add_argument("--playbook")
    parser.add_argument("--vars")
    parser.add_argument("--workdir")
    parser.add_argument("--separate-tmp", action="store_true")
    parser.add_argument("--barrier")
    parser.add_argument("--run-id")
    args = parser.parse_args()
    if args.barrier:
        barrier(args.barrier, args.run_id)
    else:
        launch(args)


if __name__ == "__main__":
    main()
