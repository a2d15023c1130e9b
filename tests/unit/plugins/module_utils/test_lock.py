# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import threading
import time

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _errors, _lock


@pytest.fixture(autouse=True)
def private_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(_lock.tempfile, "gettempdir", lambda: str(tmp_path))
    return tmp_path


def lock_dir(tmp_path):
    return tmp_path / f"{_lock.DIRECTORY_PREFIX}{os.getuid()}"


def test_the_lock_file_depends_on_every_part(private_tmp):
    path = _lock.lock_path("https://api", "maintenance", "P1", "Deploy")
    assert os.path.dirname(path) == str(lock_dir(private_tmp))
    assert os.path.basename(path).startswith(_lock.LOCK_PREFIX)
    assert path == _lock.lock_path("https://api", "maintenance", "P1", "Deploy")
    assert path != _lock.lock_path("https://api", "maintenance", "P1", "Deploy 2")
    assert path != _lock.lock_path("https://api", "incident", "P1", "Deploy")
    # Parts are separated, so moving a character from one part to the next names another object.
    assert _lock.lock_path("a", "bc") != _lock.lock_path("ab", "c")


def test_lock_files_live_in_a_directory_only_the_user_can_enter(private_tmp):
    with _lock.host_lock("u", "maintenance", "P1", "Deploy") as locked:
        assert locked
        info = os.lstat(lock_dir(private_tmp))
        assert stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
        assert stat.S_IMODE(info.st_mode) == 0o700
        files = os.listdir(lock_dir(private_tmp))
        assert len(files) == 1 and stat.S_IMODE(os.stat(lock_dir(private_tmp) / files[0]).st_mode) == 0o600
    # Nothing is left in the shared temporary directory but the private one.
    assert os.listdir(private_tmp) == [lock_dir(private_tmp).name]


def test_no_lock_file_is_left_behind(private_tmp):
    for number in range(20):
        with _lock.host_lock("u", "incident", "P1", f"Outage {number}") as locked:
            assert locked
    assert os.listdir(lock_dir(private_tmp)) == []


def test_runs_on_the_same_object_take_turns():
    events = []
    first_holds = threading.Event()

    def first():
        with _lock.host_lock("u", "maintenance", "P1", "Deploy") as locked:
            assert locked
            events.append("first in")
            first_holds.set()
            time.sleep(0.2)
            events.append("first out")

    def second():
        first_holds.wait()
        with _lock.host_lock("u", "maintenance", "P1", "Deploy"):
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert events == ["first in", "first out", "second in"]


def test_removing_the_file_never_lets_two_runs_in_at_once(private_tmp):
    # Each run removes its file when done while others wait on it: a lost increment would show two runs inside.
    counter = {"value": 0, "inside": 0, "most_inside": 0}

    def run():
        for dummy_round in range(15):
            with _lock.host_lock("u", "incident", "P1", "Outage", timeout=10) as locked:
                assert locked
                counter["inside"] += 1
                counter["most_inside"] = max(counter["most_inside"], counter["inside"])
                value = counter["value"]
                time.sleep(0.001)
                counter["value"] = value + 1
                counter["inside"] -= 1

    threads = [threading.Thread(target=run) for dummy_thread in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert counter == {"value": 90, "inside": 0, "most_inside": 1}
    assert os.listdir(lock_dir(private_tmp)) == []


@contextlib.contextmanager
def held_by_a_hung_run(*parts):
    """The lock of ``parts`` held by another thread until the block ends."""
    holding = threading.Event()
    release = threading.Event()

    def hung_run():
        with _lock.host_lock(*parts):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hung_run)
    thread.start()
    try:
        assert holding.wait(5)
        yield
    finally:
        release.set()
        thread.join(5)


def test_the_wait_is_bounded_by_the_timeout(private_tmp):
    with held_by_a_hung_run("u", "maintenance", "P1", "Deploy"):
        started = time.monotonic()
        with pytest.raises(_errors.LockTimeoutError) as caught:
            with _lock.host_lock("u", "maintenance", "P1", "Deploy", timeout=0.3, what="maintenance window 'Deploy'"):
                pytest.fail("the lock was held by another run")
        waited = time.monotonic() - started
    assert 0.3 <= waited < 2
    path = _lock.lock_path("u", "maintenance", "P1", "Deploy")
    assert str(caught.value) == (
        "another run on this host has been managing maintenance window 'Deploy' for more than 0.3 seconds (the timeout "
        "option), so this run sent nothing. Check for a hung ansible-playbook or AWX job on this host that manages the "
        f"same object (fuser {path} names the process holding it); when it has ended or been stopped, run the task "
        "again")


def test_another_users_directory_is_not_used(private_tmp):
    # A directory others can write to could hold planted files: the run goes on unserialised instead.
    os.mkdir(lock_dir(private_tmp), 0o700)
    os.chmod(lock_dir(private_tmp), 0o777)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert os.listdir(lock_dir(private_tmp)) == []


def test_a_link_in_place_of_the_directory_is_not_followed(private_tmp):
    elsewhere = private_tmp / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    os.symlink(str(elsewhere), lock_dir(private_tmp))
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert os.listdir(elsewhere) == []


def test_an_unusable_lock_file_does_not_stop_the_run(private_tmp):
    # A symbolic link planted under the lock's name is not followed; the run goes on unserialised.
    path = _lock.lock_path("u", "incident", "P1", "Outage")
    os.symlink(str(private_tmp / "elsewhere"), path)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert not (private_tmp / "elsewhere").exists()


def test_without_fcntl_the_run_is_not_serialised(monkeypatch, private_tmp):
    monkeypatch.setattr(_lock, "HAS_FCNTL", False)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert os.listdir(private_tmp) == []


def test_the_lock_file_is_opened_without_following_links_nor_leaking_into_children(monkeypatch):
    opened = []
    real_open = os.open

    def recording_open(path, flags, mode=0o777):
        descriptor = real_open(path, flags, mode)
        opened.append((flags, mode, fcntl.fcntl(descriptor, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))
        return descriptor

    monkeypatch.setattr(_lock.os, "open", recording_open)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked
    flags, mode, close_on_exec = opened[0]
    assert flags & (os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW) == os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
    assert mode == 0o600 and close_on_exec


def test_a_file_in_place_of_the_directory_is_not_used(private_tmp):
    lock_dir(private_tmp).write_text("planted")
    os.chmod(lock_dir(private_tmp), 0o600)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert lock_dir(private_tmp).read_text() == "planted"


def test_a_directory_that_cannot_be_made_leaves_the_run_unserialised(monkeypatch, private_tmp):
    monkeypatch.setattr(_lock.tempfile, "gettempdir", lambda: str(private_tmp / "missing" / "deeper"))
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False


def test_same_file_looks_at_the_name_itself(private_tmp):
    target = private_tmp / "lock"
    target.write_text("")
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.symlink(target, private_tmp / "link")
        assert _lock._same_file(descriptor, str(target))  # pylint: disable=protected-access
        assert not _lock._same_file(descriptor, str(private_tmp / "link"))  # pylint: disable=protected-access
        assert not _lock._same_file(descriptor, str(private_tmp / "gone"))  # pylint: disable=protected-access
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("timeout, expected_polls", [
    # 0.02 + 0.04 + 0.08 + 0.16 + 0.25 * 4 = 1.30, the first moment past the deadline.
    (1.27, [0.02, 0.04, 0.08, 0.16, 0.25, 0.25, 0.25, 0.25]),
    # The deadline is the moment the wait starts: no wait at all.
    (0, []),
])
def test_the_wait_polls_more_and_more_slowly_until_the_deadline(monkeypatch, timeout, expected_polls):
    clock = {"now": 100.0}
    polls = []

    def sleep(seconds):
        polls.append(seconds)
        clock["now"] += seconds

    with held_by_a_hung_run("u", "maintenance", "P1", "Deploy"):
        monkeypatch.setattr(_lock.time, "monotonic", lambda: clock["now"])
        monkeypatch.setattr(_lock.time, "sleep", sleep)
        with pytest.raises(_errors.LockTimeoutError):
            with _lock.host_lock("u", "maintenance", "P1", "Deploy", timeout=timeout):
                pytest.fail("the lock was held by another run")
    assert polls == pytest.approx(expected_polls)
