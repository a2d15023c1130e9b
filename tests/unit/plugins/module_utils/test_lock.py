# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import threading
import time

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _lock


@pytest.fixture(autouse=True)
def private_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(_lock.tempfile, "gettempdir", lambda: str(tmp_path))
    return tmp_path


def test_the_lock_file_depends_on_every_part(private_tmp):
    path = _lock.lock_path("https://api", "maintenance", "P1", "Deploy")
    assert os.path.dirname(path) == str(private_tmp)
    assert os.path.basename(path).startswith(_lock.LOCK_PREFIX)
    assert path == _lock.lock_path("https://api", "maintenance", "P1", "Deploy")
    assert path != _lock.lock_path("https://api", "maintenance", "P1", "Deploy 2")
    assert path != _lock.lock_path("https://api", "incident", "P1", "Deploy")
    # Parts are separated, so moving a character from one part to the next names another object.
    assert _lock.lock_path("a", "bc") != _lock.lock_path("ab", "c")


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


def test_runs_on_other_objects_do_not_wait():
    with _lock.host_lock("u", "maintenance", "P1", "Deploy"):
        started = time.monotonic()
        with _lock.host_lock("u", "maintenance", "P1", "Other"):
            pass
        assert time.monotonic() - started < 1


def test_an_unusable_lock_file_does_not_stop_the_run(private_tmp):
    # A symbolic link planted under the lock's name is not followed; the run goes on unserialised.
    path = _lock.lock_path("u", "incident", "P1", "Outage")
    os.symlink(str(private_tmp / "elsewhere"), path)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
    assert not (private_tmp / "elsewhere").exists()


def test_without_fcntl_the_run_is_not_serialised(monkeypatch):
    monkeypatch.setattr(_lock, "HAS_FCNTL", False)
    with _lock.host_lock("u", "incident", "P1", "Outage") as locked:
        assert locked is False
