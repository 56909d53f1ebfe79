# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How many requests one token has in flight.

- TokenSlots: at most ``max_concurrency`` per (server, token) across every process of one
  controller user (lock files held with ``flock``), so parallel forks never exceed it together.
- InFlightLimit: within one task, fewer requests in flight after a "token busy" answer (someone
  else, another controller or tool, uses the token too), and back up after a run of successes.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import stat
import tempfile
import threading
import time

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - non-POSIX controller
    fcntl = None
    HAS_FCNTL = False

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxLocalError


class TokenSlots(object):
    """A counting semaphore of ``size`` slots per (server, token), shared by every process of
    one controller user: one lock file per slot, held with ``flock``. The kernel drops a lock
    when its holder dies, so a killed run never leaves a slot taken. File names carry a hash
    of server and token, never the token.

    Each slot's file is opened once per process and kept open (``close()`` closes them; a file
    deleted meanwhile is opened again), so a request costs two ``flock`` calls and an ``fstat``,
    no ``open``. Within the process each slot is used by
    one thread at a time (a list of the slots no thread of ours holds): ``flock`` locks belong to
    an open file, so two threads must never share one. A child process forked with slots open
    gets open files shared with its parent, whose locks it must not take over: it opens its own."""

    POLL = 0.002
    POLL_MAX = 0.025

    def __init__(self, server, token, size, directory=None):
        self.size = max(1, int(size))
        self.paths = []
        self._reset()
        if not HAS_FCNTL:
            return
        directory = directory or os.path.join(tempfile.gettempdir(), "wolkvox-slots-%d" % os.getuid())
        self._ensure_private_dir(directory)
        key = hashlib.sha256(("%s\0%s" % (server, token)).encode("utf-8")).hexdigest()[:32]
        self.paths = [os.path.join(directory, "%s.%d.lock" % (key, i)) for i in range(self.size)]

    def _reset(self):
        """This process's own state: no file open, every slot free (also in a forked child)."""
        self._pid = os.getpid()
        self._fds = [None] * self.size
        self._free = list(range(self.size))  # slots no thread of this process holds or tries
        self._cond = threading.Condition(threading.Lock())

    @staticmethod
    def _ensure_private_dir(directory):
        try:
            try:
                os.mkdir(directory, 0o700)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
            info = os.lstat(directory)
        except OSError as exc:
            raise WolkvoxLocalError(
                "cannot make the lock directory %s of the token's concurrency limit (%s); set TMPDIR to a "
                "writable directory of the controller" % (directory, exc.strerror)
            )
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise WolkvoxLocalError(
                "the lock directory %s is not a private directory of this user; remove it and retry" % directory
            )

    def _fd(self, index):
        fd = self._fds[index]
        if fd is None:
            path = self.paths[index]
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except OSError as exc:
                raise WolkvoxLocalError(
                    "cannot open the lock file %s of the token's concurrency limit (%s)" % (path, exc.strerror)
                )
            self._fds[index] = fd
        return fd

    def _take(self, index):
        """Lock slot ``index``'s file without waiting; False when another process holds it."""
        fd = self._fd(index)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            removed = os.fstat(fd).st_nlink == 0
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EINTR):
                return False
            raise WolkvoxLocalError(
                "cannot lock the lock file %s of the token's concurrency limit (%s)" % (self.paths[index], exc.strerror)
            )
        if removed:
            # The file was deleted while open (a clean-up of the temporary directory): other processes
            # would lock a new one. Drop this one and lock the file that is there now, as they do.
            self._close(index)
            return self._take(index)
        return True

    def acquire(self):
        """Block until a slot is free; return a handle for release()."""
        if self._pid != os.getpid():
            self._forked()
        cond = self._cond
        with cond:
            while not self._free:
                cond.wait()
            index = self._free.pop()
        if not self.paths:
            return index
        try:
            if self._take(index):
                return index
            pause = self.POLL
            tried = 1
            while True:
                # Another process holds that slot: try the others no thread of ours holds, then
                # poll, backing off a little, so that twenty waiting forks do not spin the CPUs.
                if tried >= self.size:
                    time.sleep(pause * (1 + random.random()))
                    pause = min(self.POLL_MAX, pause * 1.5)
                    tried = 0
                with cond:
                    if self._free:
                        self._free.insert(0, index)
                        index = self._free.pop()
                if self._take(index):
                    return index
                tried += 1
        except BaseException:
            self._give_back(index)
            raise

    def release(self, handle):
        if self.paths and self._pid == os.getpid():
            try:
                fcntl.flock(self._fds[handle], fcntl.LOCK_UN)
            except (OSError, TypeError):
                self._close(handle)  # closing the file drops its lock in any case
        self._give_back(handle)

    def _give_back(self, index):
        with self._cond:
            self._free.append(index)
            self._cond.notify()

    def _close(self, index):
        fd, self._fds[index] = self._fds[index], None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _forked(self):
        # The open files (and their locks) are shared with the parent: let them be (closing this
        # process's copies neither drops the parent's locks nor needs its state) and start afresh.
        for fd in self._fds:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._reset()

    def close(self):
        """Close this process's lock files (dropping any lock still held)."""
        if self._pid != os.getpid():
            self._forked()
            return
        for index in range(self.size):
            self._close(index)

    def __del__(self):
        try:
            if getattr(self, "_pid", None) == os.getpid():
                self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer  pylint: disable=broad-except
            pass


class InFlightLimit(object):
    """An adaptive cap on this task's requests in flight (additive increase, multiplicative
    decrease): halved (at least 1) by a busy answer, one more after ``RECOVER`` successes in a
    row, never above ``ceiling``."""

    RECOVER = 8

    def __init__(self, ceiling):
        self.ceiling = max(1, int(ceiling))
        self.limit = self.ceiling
        self.lowest = self.ceiling
        self.in_flight = 0
        self.successes = 0
        self.busy_answers = 0
        self._cond = threading.Condition(threading.Lock())
        self._waiting = 0  # threads waiting in acquire(): release() wakes them only when there are any

    def acquire(self):
        with self._cond:
            while self.in_flight >= self.limit:
                self._waiting += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiting -= 1
            self.in_flight += 1

    def release(self, busy=False, ok=False):
        with self._cond:
            self.in_flight -= 1
            if busy:
                self.busy_answers += 1
                self.successes = 0
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
            elif ok:
                self.successes += 1
                if self.limit < self.ceiling and self.successes >= self.RECOVER:
                    self.limit += 1
                    self.successes = 0
            if self._waiting:
                self._cond.notify_all()
