# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start the simulator in its own process: ``python -m wolkvox_simulator``, with the directory that
holds the package put on PYTHONPATH, on a free port of 127.0.0.1. ``spawn()`` returns the process
and its start-up line; ``Running`` holds both with an AdminClient and stops the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from .client import AdminClient

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def command(fixture, port=0, latency=0.0, tls=False, vendor=False, max_per_token=None, ready_file=None):
    """The argv that starts the simulator (run it with ``environment()``)."""
    args = [sys.executable, "-m", "wolkvox_simulator", "--fixture", str(fixture), "--port", str(port),
            "--latency", str(latency)]
    if max_per_token is not None:
        args += ["--max-per-token", str(max_per_token)]
    if ready_file:
        args += ["--ready-file", str(ready_file)]
    if tls:
        args.append("--tls")
    if vendor:
        args.append("--vendor")
    return args


def environment(base=None):
    """``base`` (default os.environ) with the package's directory first on PYTHONPATH."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([TOOLS] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def spawn(fixture, workdir, latency=0.0, tls=False, timeout=30.0, vendor=False, max_per_token=None, dialect=None):
    """Start the simulator in its own process (no GIL shared with what it serves) on a free port.
    ``vendor=True`` (or ``dialect="vendor"``): in the vendor's dialect.

    Returns (process, info) once it listens; info is its start-up line: url, port, ca_path, pid, dialect."""
    if dialect not in (None, "classic", "vendor"):
        raise ValueError("dialect must be classic or vendor, not %r" % dialect)
    vendor = dialect == "vendor" if dialect else vendor
    ready = os.path.join(str(workdir), "sim-ready-%d.json" % time.time_ns())
    args = command(fixture, latency=latency, tls=tls, vendor=vendor, max_per_token=max_per_token, ready_file=ready)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, env=environment())  # pylint: disable=consider-using-with
    deadline = time.time() + timeout
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            proc.wait()
            raise RuntimeError("the simulator did not start (%s)" % " ".join(args[1:]))
        time.sleep(0.02)
    with open(ready) as handle:
        info = json.load(handle)
    os.unlink(ready)
    return proc, info


class Running(object):
    """A simulator started by ``spawn()`` in its own process, until ``stop()``: its ``url``, ``ca_path``
    (None without TLS), ``dialect``, ``info`` (the start-up line), ``proc`` and ``admin``, an
    AdminClient of its /__admin/ hooks (``admin_timeout``: seconds per hook). A context manager too."""

    def __init__(self, fixture, workdir, latency=0.0, tls=False, vendor=False, dialect=None, max_per_token=None,
                 timeout=30.0, admin_timeout=30.0):
        self.proc, self.info = spawn(fixture, workdir, latency=latency, tls=tls, timeout=timeout, vendor=vendor,
                                     max_per_token=max_per_token, dialect=dialect)
        self.url = self.info["url"]
        self.ca_path = self.info.get("ca_path")
        self.dialect = self.info["dialect"]
        self.admin = AdminClient(self.url, ca_path=self.ca_path, timeout=admin_timeout)

    def stop(self):
        """Terminate the process; kill it if it has not ended within 10 s."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
