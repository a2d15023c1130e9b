# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin util is private to the collection: it can change at any time.

"""Where a play run stands: its batches, which hosts are still to deploy, and whether Ansible will stop it.

The maintenance_window role opens one window per play run and finishes it after the last batch, or before
Ansible ends the play. Ansible says neither which batch is the last nor whether a failure will stop the play,
so this module works both out from the play's settings and the hosts' progress, with Ansible's own rules
(ansible-core's PlaybookExecutor and linear strategy):

* the play stops after a batch in which every host failed or became unreachable;
* with ``any_errors_fatal``, after any failure;
* with ``max_fail_percentage``, when the hosts that failed in the batch are more than that share of the batch.

The free strategy (and host_pinned) supports neither ``any_errors_fatal`` nor ``max_fail_percentage``.
"""

from __future__ import annotations

import dataclasses

from ansible.utils.helpers import pct_to_int

# Strategies whose hosts run each task together, so that one host can act for the batch (run_once).
LOCKSTEP_STRATEGIES = frozenset(("linear", "ansible.builtin.linear", "debug", "ansible.builtin.debug"))


def runs_in_lockstep(strategy) -> bool:
    return (strategy or "linear") in LOCKSTEP_STRATEGIES


def batch_sizes(serial, host_count: int) -> list:
    """The sizes of the play's batches, as ansible-core's PlaybookExecutor cuts them."""
    serial_list = list(serial or []) or [-1]
    sizes = []
    remaining = host_count
    index = 0
    while remaining > 0:
        size = pct_to_int(serial_list[index], host_count)
        if size <= 0 or size > remaining:
            size = remaining
        sizes.append(size)
        remaining -= size
        index = min(index + 1, len(serial_list) - 1)
    return sizes


@dataclasses.dataclass
class BatchOutcome:
    """What happened to one batch of a play run, for the decision whether Ansible goes on."""

    size: int                # hosts Ansible put in the batch
    started: int             # hosts of the batch that reached the role
    failed: int              # hosts of the batch whose deploy failed
    lost: int                # hosts of the batch that became unreachable during the deploy
    lockstep: bool
    any_errors_fatal: bool
    max_fail_percentage: float | None

    def stops_play(self) -> bool:
        """Whether Ansible ends the play after this batch once the failed hosts are failed."""
        failed_before_role = max(0, self.size - self.started)
        failed = failed_before_role + self.failed
        if failed + self.lost >= self.size:
            return True
        if not self.lockstep:
            return False
        if self.any_errors_fatal and failed + self.lost > 0:
            return True
        return self.max_fail_percentage is not None and failed / self.size > self.max_fail_percentage / 100.0
