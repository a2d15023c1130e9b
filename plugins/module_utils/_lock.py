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
import stat
import tempfile
import time

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:
    HAS_FCNTL = False

from ansible_collections.incident_io.status_page.plugins.module_utils._errors import LockTimeoutError

LOCK_PREFIX = "incident_io.status_page-"
DIRECTORY_PREFIX = "incident_io.status_page-locks-"
# Polling intervals while another run holds the lock: short at first, since most runs hold it for well under a
# second, then capped so that a long wait costs little.
FIRST_POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.25


class LockUnavailable(Exception):
    """The lock directory or file cannot be used safely; the run goes on unserialised."""


def lock_directory() -> str:
    """A directory only this user can write to, so no other user can plant, hold or remove its lock files."""
    path = os.path.join(tempfile.gettempdir(), f"{DIRECTORY_PREFIX}{os.getuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        raise LockUnavailable from None
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise LockUnavailable
    return path


def lock_path(*parts) -> str:
    """The lock file for an object named by ``parts`` (API URL, kind, page or ID, name)."""
    digest = hashlib.sha256("\0".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:32]
    return os.path.join(lock_directory(), f"{LOCK_PREFIX}{digest}.lock")


def _same_file(descriptor: int, path: str) -> bool:
    """Whether the locked descriptor is still the file at ``path`` (its holder removes it when done)."""
    try:
        current = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino)


def _acquire(path: str, deadline: float, what: str, timeout: float) -> int:
    """A descriptor holding the exclusive lock on the file now at ``path``."""
    poll = FIRST_POLL_SECONDS
    while True:
        # O_NOFOLLOW: a symbolic link planted under the lock's name must not be opened. O_CLOEXEC: a program the
        # run starts must not inherit the lock and hold it after the run ends.
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeoutError(
                            f"another run on this host has been managing {what} for more than {timeout:g} seconds "
                            f"(the timeout option), so this run sent nothing. Check for a hung ansible-playbook or AWX "
                            f"job on this host that manages the same object (fuser {path} names the process holding "
                            "it); when it has ended or been stopped, run the task again") from None
                    time.sleep(poll)
                    poll = min(MAX_POLL_SECONDS, poll * 2)
            # The run that held the lock may have removed the file after this run opened it; a lock on a removed
            # file excludes nobody, so start again with the file that is there now.
            if _same_file(descriptor, path):
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


@contextlib.contextmanager
def host_lock(*parts, timeout: float = 30, what: str = "this object"):
    """Hold an exclusive lock, shared by every process of this user on this host, for the object named by ``parts``.

    The API has no idempotency key for updates, so two runs that read an object at the same moment would both
    post the update it lacks. Runs on one host (forks of one play, parallel jobs on one controller or execution
    node) read, decide and write in turn instead; runs on different hosts are not serialised.

    The wait is bounded by ``timeout`` seconds, after which LockTimeoutError names ``what`` and the lock file.
    The lock files live in a directory private to the user and each is removed by the run that holds it when it
    is done, so none are left behind. The lock is best effort: when the directory or file cannot be used safely,
    the run goes on without it. The kernel releases the lock if the process dies.
    """
    descriptor = None
    path = None
    if HAS_FCNTL:
        try:
            path = lock_path(*parts)
            descriptor = _acquire(path, time.monotonic() + timeout, what, timeout)
        except (OSError, LockUnavailable):
            descriptor = None
    try:
        yield descriptor is not None
    finally:
        if descriptor is not None:
            # Removed while still held: a run waiting on this file finds it gone once it gets the lock, and opens
            # the next one, so removing never lets two runs in at once.
            with contextlib.suppress(OSError):
                os.unlink(path)
            # Closing the descriptor releases the lock.
            os.close(descriptor)
