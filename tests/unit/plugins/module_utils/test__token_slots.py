# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _token_slots: the token's limit across processes (TokenSlots) and the adaptive
cap on one task's requests in flight (InFlightLimit)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxError, WolkvoxLocalError
from ansible_collections.wolkvox.contact_center.plugins.module_utils import _token_slots
from ansible_collections.wolkvox.contact_center.plugins.module_utils._token_slots import InFlightLimit, TokenSlots
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import TOKEN


# --------------------------------------------------------------------------------------------
# TokenSlots: the cross-process semaphore
# --------------------------------------------------------------------------------------------

def waiting_acquire(slots, wait=0.3):
    """A thread asking ``slots`` for a slot, given ``wait`` seconds: (the thread, what it got so far)."""
    got = []
    waiter = threading.Thread(target=lambda: got.append(slots.acquire()))
    waiter.daemon = True
    waiter.start()
    waiter.join(wait)
    return waiter, got


def test_slots_are_shared_by_instances_and_never_name_the_token(tmp_path):
    directory = str(tmp_path / "slots")
    first = TokenSlots("0042", TOKEN, 2, directory)
    second = TokenSlots("0042", TOKEN, 2, directory)  # another "process" with the same token
    held = [first.acquire(), second.acquire()]
    waiter, got = waiting_acquire(first)
    assert not got, "a third request got a slot of a token limited to 2"
    second.release(held.pop())
    waiter.join(5)
    assert got
    first.release(got[0])
    first.release(held.pop())
    names = os.listdir(directory)
    assert len(names) == 2 and all(TOKEN not in name and TOKEN[4:-4] not in name for name in names)
    assert all(os.path.getsize(os.path.join(directory, name)) == 0 for name in names)
    assert os.stat(directory).st_mode & 0o777 == 0o700


def test_other_tokens_and_servers_have_their_own_slots(tmp_path):
    directory = str(tmp_path / "slots")
    ours = TokenSlots("0042", TOKEN, 1, directory)
    other_token = TokenSlots("0042", TOKEN + "x", 1, directory)
    other_server = TokenSlots("0117", TOKEN, 1, directory)
    held = [ours.acquire(), other_token.acquire(), other_server.acquire()]  # none waits for another
    assert len(set(ours.paths + other_token.paths + other_server.paths)) == 3
    for slots, handle in zip((ours, other_token, other_server), held):
        slots.release(handle)


def test_a_killed_holder_frees_its_slot(tmp_path):
    directory = str(tmp_path / "slots")
    slots = TokenSlots("0042", TOKEN, 1, directory)
    script = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, slots.paths[0]], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        got = []
        waiter = threading.Thread(target=lambda: got.append(slots.acquire()))
        waiter.daemon = True
        waiter.start()
        waiter.join(0.3)
        assert not got
        started = time.time()
        holder.kill()  # SIGKILL: no clean-up code runs
        waiter.join(5)
        assert got and time.time() - started < 1.0
        slots.release(got[0])
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_shared_or_foreign_lock_directory_is_refused(tmp_path):
    directory = tmp_path / "open"
    directory.mkdir()
    directory.chmod(0o755)
    with pytest.raises(WolkvoxError) as info:
        TokenSlots("0042", TOKEN, 2, str(directory))
    assert "not a private directory" in str(info.value) and TOKEN not in str(info.value)
    assert isinstance(info.value, WolkvoxLocalError)
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(WolkvoxError):
        TokenSlots("0042", TOKEN, 2, str(link))


def test_a_lock_directory_that_cannot_be_made_is_a_clean_error(tmp_path):
    with pytest.raises(WolkvoxError) as info:
        TokenSlots("0042", TOKEN, 2, str(tmp_path / "missing" / "slots"))
    assert "cannot make the lock directory" in str(info.value) and "TMPDIR" in str(info.value)
    assert isinstance(info.value, WolkvoxLocalError)


HOLDER = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


def test_a_slot_costs_no_open_once_its_file_is_open(tmp_path, monkeypatch):
    opened = []
    real_open = os.open
    slots = TokenSlots("0042", TOKEN, 2, str(tmp_path / "slots"))
    monkeypatch.setattr(_token_slots.os, "open", lambda path, *args: opened.append(path) or real_open(path, *args))
    for dummy in range(50):
        slots.release(slots.acquire())
    assert len(opened) <= 2 and set(opened) <= set(slots.paths)
    slots.close()
    slots.release(slots.acquire())  # usable again after close(): the file is opened again
    assert len(opened) <= 3
    slots.close()


def test_threads_of_one_process_never_share_a_slot(tmp_path):
    slots = TokenSlots("0042", TOKEN, 3, str(tmp_path / "slots"))
    other = TokenSlots("0042", TOKEN, 3, str(tmp_path / "slots"))  # another process's instance: the same files
    holding, most, shared = set(), [0], []
    lock = threading.Lock()

    def work(instance):
        for dummy in range(150):
            handle = instance.acquire()
            path = instance.paths[handle]
            with lock:
                if path in holding:
                    shared.append(path)
                holding.add(path)
                most[0] = max(most[0], len(holding))
            time.sleep(0)
            with lock:
                holding.discard(path)
            instance.release(handle)

    threads = [threading.Thread(target=work, args=(slots if i % 2 else other,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not shared and most[0] <= 3


def test_a_slot_held_elsewhere_is_skipped_for_a_free_one(tmp_path):
    slots = TokenSlots("0042", TOKEN, 2, str(tmp_path / "slots"))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, slots.paths[1]], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.time()
        handle = slots.acquire()
        assert handle == 0 and time.time() - started < 0.5
        slots.release(handle)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_lock_file_deleted_while_open_is_opened_again(tmp_path):
    """A clean-up of the temporary directory may delete a lock file a long-lived client keeps open:
    locking the deleted file would not keep out a process that opens the new one."""
    slots = TokenSlots("0042", TOKEN, 1, str(tmp_path / "slots"))
    slots.release(slots.acquire())
    os.unlink(slots.paths[0])
    handle = slots.acquire()
    assert os.path.exists(slots.paths[0])
    other = TokenSlots("0042", TOKEN, 1, str(tmp_path / "slots"))  # another process, opening the file there now
    waiter, got = waiting_acquire(other)
    assert not got, "two holders of the only slot"
    slots.release(handle)
    waiter.join(5)
    assert got
    other.release(got[0])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_does_not_take_over_its_parents_slot(tmp_path):
    slots = TokenSlots("0042", TOKEN, 1, str(tmp_path / "slots"))
    handle = slots.acquire()  # the parent holds the only slot: its file is open, and locked
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child shares that open file: it must still wait for the parent
        try:
            got = []
            waiter = threading.Thread(target=lambda: got.append(slots.acquire()))
            waiter.daemon = True
            waiter.start()
            waiter.join(0.5)
            os.write(write, b"early" if got else b"waits")
            waiter.join(10)
            os.write(write, b" then got it" if got else b" never")
        finally:
            os._exit(0)  # pylint: disable=protected-access
    os.close(write)
    try:
        first = os.read(read, 5)
        slots.release(handle)
        rest = b""
        while True:
            chunk = os.read(read, 100)
            if not chunk:
                break
            rest += chunk
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert (first, rest) == (b"waits", b" then got it")
    slots.release(slots.acquire())  # the parent's own slot works as before


def test_a_lock_that_fails_for_another_reason_is_a_clean_error(tmp_path, monkeypatch):
    slots = TokenSlots("0042", TOKEN, 2, str(tmp_path / "slots"))

    def broken(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    with monkeypatch.context() as patch:
        patch.setattr(_token_slots.fcntl, "flock", broken)
        with pytest.raises(WolkvoxLocalError, match=r"cannot lock the lock file .*\(No locks available\)") as info:
            slots.acquire()
    assert TOKEN not in str(info.value)
    handles = [slots.acquire(), slots.acquire()]  # the slot was given back
    assert sorted(handles) == [0, 1]
    for handle in handles:
        slots.release(handle)


# --------------------------------------------------------------------------------------------
# InFlightLimit: halved by a busy answer, back up after a run of successes
# --------------------------------------------------------------------------------------------

def _answers(limit, answers):
    """Feed answers ('busy', 'ok', 'fail') one request at a time; the limit after each."""
    seen = []
    for answer in answers:
        limit.acquire()
        limit.release(busy=answer == "busy", ok=answer == "ok")
        seen.append(limit.limit)
    return seen


R = InFlightLimit.RECOVER


@pytest.mark.parametrize(
    "ceiling, answers, expected",
    [
        (2, ["busy"], [1]),
        (2, ["busy", "busy"], [1, 1]),  # never below 1
        (8, ["busy", "busy", "busy", "busy"], [4, 2, 1, 1]),
        (5, ["busy"], [2]),
        (2, ["busy"] + ["ok"] * R, [1] + [1] * (R - 1) + [2]),  # back up after RECOVER successes
        (2, ["ok"] * (3 * R), [2] * (3 * R)),  # never above the ceiling
        (4, ["busy", "busy"] + ["ok"] * (2 * R), [2, 1] + [1] * (R - 1) + [2] + [2] * (R - 1) + [3]),
        # a busy answer restarts the run of successes; a failure neither lowers nor counts
        (2, ["busy"] + ["ok"] * (R - 1) + ["busy"] + ["ok"] * (R - 1), [1] * (2 * R)),
        (2, ["busy"] + ["ok"] * (R - 1) + ["fail", "ok"], [1] * R + [1, 2]),
        (0, ["ok"], [1]),  # a ceiling below 1 is 1
    ],
    ids=["halved", "min-1", "halves-to-1", "odd", "recovers", "ceiling", "recovers-one-at-a-time",
         "busy-resets-run", "failure-neutral", "ceiling-at-least-1"],
)
def test_in_flight_limit(ceiling, answers, expected):
    limit = InFlightLimit(ceiling)
    assert _answers(limit, answers) == expected
    assert limit.busy_answers == answers.count("busy")
    assert limit.lowest == min([max(1, ceiling)] + expected)
    assert limit.in_flight == 0


def test_in_flight_limit_holds_requests_back():
    limit = InFlightLimit(2)
    limit.acquire()
    limit.acquire()
    limit.release(busy=True)  # limit 1, one still in flight
    assert limit.limit == 1 and limit.in_flight == 1
    entered = threading.Event()

    def third():
        limit.acquire()
        entered.set()
        limit.release(ok=True)

    waiter = threading.Thread(target=third)
    waiter.daemon = True
    waiter.start()
    assert not entered.wait(0.2), "a request went out above the lowered limit"
    limit.release(ok=True)
    assert entered.wait(5)
    waiter.join(5)
    assert limit.in_flight == 0
