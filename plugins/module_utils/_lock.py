# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""Take turns with the other runs on this host that manage the same object."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:
    HAS_FCNTL = False

LOCK_PREFIX = "incident_io.status_page-"


def lock_path(*parts) -> str:
    """The lock file for an object named by ``parts`` (API URL, kind, page or ID, name)."""
    digest = hashlib.sha256("\0".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:32]
    return os.path.join(tempfile.gettempdir(), f"{LOCK_PREFIX}{digest}.lock")


@contextlib.contextmanager
def host_lock(*parts):
    """Hold an exclusive lock, shared by every process on this host, for the object named by ``parts``.

    The API has no idempotency key for updates, so two runs that read an object at the same moment would both
    post the update it lacks. Runs on one host (forks of one play, parallel jobs on one controller or execution
    node) read, decide and write in turn instead; runs on different hosts are not serialised.

    The lock is advisory and best effort: when the file cannot be opened (another user's file, a read-only
    temporary directory) or locked, the run goes on without it. The kernel releases it if the process dies.
    """
    descriptor = None
    if HAS_FCNTL:
        try:
            # O_NOFOLLOW: a symbolic link planted under the lock's name must not be opened.
            descriptor = os.open(lock_path(*parts), os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            if descriptor is not None:
                os.close(descriptor)
            descriptor = None
    try:
        yield descriptor is not None
    finally:
        if descriptor is not None:
            # Closing the descriptor releases the lock.
            os.close(descriptor)
