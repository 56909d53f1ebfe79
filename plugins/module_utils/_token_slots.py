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
    of server and token, never the token."""

    POLL = 0.002
    POLL_MAX = 0.025

    def __init__(self, server, token, size, directory=None):
        self.size = max(1, int(size))
        self.local = threading.BoundedSemaphore(self.size)
        self.paths = []
        if not HAS_FCNTL:
            return
        directory = directory or os.path.join(tempfile.gettempdir(), "wolkvox-slots-%d" % os.getuid())
        self._ensure_private_dir(directory)
        key = hashlib.sha256(("%s\0%s" % (server, token)).encode("utf-8")).hexdigest()[:32]
        self.paths = [os.path.join(directory, "%s.%d.lock" % (key, i)) for i in range(self.size)]

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

    def acquire(self):
        """Block until a slot is free; return a handle for release()."""
        self.local.acquire()
        if not self.paths:
            return None
        start = random.randrange(self.size)
        pause = self.POLL
        try:
            while True:
                for i in range(self.size):
                    path = self.paths[(start + i) % self.size]
                    try:
                        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    except OSError as exc:
                        raise WolkvoxLocalError(
                            "cannot open the lock file %s of the token's concurrency limit (%s)" % (path, exc.strerror)
                        )
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except (IOError, OSError):
                        os.close(fd)
                        continue
                    return fd
                # Every slot is taken by another process: poll, backing off a little, so that
                # twenty waiting forks do not spin the controller's CPUs.
                time.sleep(pause * (1 + random.random()))
                pause = min(self.POLL_MAX, pause * 1.5)
        except BaseException:
            self.local.release()
            raise

    def release(self, handle):
        if handle is not None:
            os.close(handle)  # closing the descriptor drops the flock
        self.local.release()


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
        self._cond = threading.Condition()

    def acquire(self):
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
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
            self._cond.notify_all()
