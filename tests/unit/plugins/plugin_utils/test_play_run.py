# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import types

import pytest

from ansible.executor.playbook_executor import PlaybookExecutor

from ansible_collections.incident_io.status_page.plugins.plugin_utils._play_run import (
    BatchOutcome,
    batch_sizes,
    runs_in_lockstep,
)

SERIALS = [[], [0], [-1], [1], [2], [3], [10], ["25%"], ["50%"], ["10%"], ["100%"], [1, 3], [1, "50%"], ["20%", 2, 5],
           [2, 0]]


def ansible_batches(serial, host_count: int) -> list:
    """The batch sizes ansible-core itself cuts, from PlaybookExecutor._get_serialized_batches."""
    hosts = [f"web{number:02d}" for number in range(host_count)]
    executor = types.SimpleNamespace(_inventory=types.SimpleNamespace(get_hosts=lambda pattern, order=None: list(hosts)))
    play = types.SimpleNamespace(serial=list(serial), hosts="all", order=None)
    return [len(batch) for batch in PlaybookExecutor._get_serialized_batches(executor, play)]


@pytest.mark.parametrize("serial", SERIALS, ids=str)
@pytest.mark.parametrize("host_count", [1, 2, 3, 4, 7, 10, 50])
def test_batch_sizes_are_ansibles(serial, host_count):
    assert batch_sizes(serial, host_count) == ansible_batches(serial, host_count)


def test_batch_sizes_of_no_hosts():
    assert batch_sizes([2], 0) == []


@pytest.mark.parametrize("strategy, lockstep", [
    (None, True), ("linear", True), ("ansible.builtin.linear", True), ("debug", True),
    ("free", False), ("ansible.builtin.free", False), ("host_pinned", False),
])
def test_runs_in_lockstep(strategy, lockstep):
    assert runs_in_lockstep(strategy) is lockstep


def outcome(**changes) -> BatchOutcome:
    values = {"size": 4, "started": 4, "failed": 0, "lost": 0, "lockstep": True, "any_errors_fatal": False,
              "max_fail_percentage": None}
    values.update(changes)
    return BatchOutcome(**values)


@pytest.mark.parametrize("changes, stops", [
    ({}, False),
    ({"failed": 3}, False),
    ({"failed": 4}, True),
    ({"failed": 2, "lost": 2}, True),
    # Hosts that failed before the role count as failed hosts of the batch.
    ({"started": 2, "failed": 2}, True),
    ({"started": 3, "failed": 1}, False),
    ({"failed": 1, "any_errors_fatal": True}, True),
    ({"lost": 1, "any_errors_fatal": True}, True),
    ({"any_errors_fatal": True}, False),
    # Ansible stops when the failed share is above the percentage, not at it.
    ({"failed": 1, "max_fail_percentage": 25}, False),
    ({"failed": 2, "max_fail_percentage": 25}, True),
    ({"failed": 1, "max_fail_percentage": 0}, True),
    ({"max_fail_percentage": 0}, False),
    # Unreachable hosts are not failed hosts for max_fail_percentage.
    ({"lost": 2, "max_fail_percentage": 25}, False),
    ({"failed": 3, "max_fail_percentage": 100}, False),
    # The free strategy supports neither any_errors_fatal nor max_fail_percentage.
    ({"failed": 1, "any_errors_fatal": True, "lockstep": False}, False),
    ({"failed": 2, "max_fail_percentage": 25, "lockstep": False}, False),
    ({"failed": 4, "lockstep": False}, True),
])
def test_stops_play(changes, stops):
    assert outcome(**changes).stops_play() is stops
