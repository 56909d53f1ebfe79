# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every part of the benchmark (bench.py) shares: where its files are, the targets, the number
helpers, the simulator (in its own process) and ansible-playbook run with the timing callback.

This is the benchmark's one place that edits ``sys.path``: the simulator package lives in ``tools/``
(not installed), and the engine is timed alone from the installed build (``import_collections()``)."""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(ROOT, "tools")  # holds the package wolkvox_simulator
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position

FIXTURE, CALLBACKS, BARE_CLIENT, MEMORY_PROBE = (os.path.join(HERE, name) for name in (
    "fixture.json", "callback_plugins", "bare_client.py", "memory_probe.py"))
# The first agent ID of each scenario's operations.
BULK_START, OPS_START, BIG_START, FLEET_START = 10000, 20000, 100000, 30000
NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
# Every run of ansible-playbook: the timing callback (callback_plugins/), no colours, no warnings, no retry files.
ANSIBLE_SETTINGS = {"ANSIBLE_CALLBACK_PLUGINS": CALLBACKS, "ANSIBLE_CALLBACKS_ENABLED": "wolkvox_bench_timer",
                    "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_HOST_KEY_CHECKING": "False",
                    "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_LOCALHOST_WARNING": "False",
                    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False", "ANSIBLE_DEPRECATION_WARNINGS": "False"}

TARGETS = {
    "bulk_vs_bare": 1.05,
    "bulk_vs_floor": 1.06,
    "speedup_vs_uri": 30.0,
    "converged_requests": 1,
    "converged_task": 0.3,
    "ops_ratio": 1.2,
    "memory_mb": 100.0,
    "fleet_converged": 0.5,
    "fleet_apply": 0.8,
}


def import_collections(collections):
    """Make ``ansible_collections`` importable from an installed build (``collections``)."""
    if collections not in sys.path:
        sys.path.insert(0, collections)


def log(message):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def floor_seconds(n, latency, per_token=2):
    return math.ceil(n / float(per_token)) * latency


def median(values):
    return statistics.median(values) if values else float("nan")


def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return "%.*f" % (digits, value)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for dummy in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# -- the simulator --------------------------------------------------------------------------


class Simulator(wolkvox_simulator.Running):
    """The simulator in its own process (so it does not share a GIL with what is measured), with the
    operations of its fixture by name."""

    def __init__(self, workdir, latency, tls=False, fixture=FIXTURE):
        with open(fixture) as handle:
            self.operations = dict((op["name"], op) for op in json.load(handle)["operations"])
        wolkvox_simulator.Running.__init__(self, fixture, workdir, latency=latency, tls=tls, admin_timeout=120)

    def connection(self, name):
        op = self.operations[name]
        return op["server"], op["token"]

    def prepare(self, name, count, start, status="Logout"):
        """The operation holds exactly agents start..start+count-1, all in ``status``; counters at zero."""
        self.admin.set_agents(name, generate=count, status=status, start=start, replace=True)
        self.reset_counters()

    def reset_counters(self):
        self.admin.reset(state=False)

    def stats(self):
        """The counters, without the log of requests."""
        stats = self.admin.stats()
        stats.pop("log", None)
        return stats


# -- ansible-playbook -----------------------------------------------------------------------


class Ansible(object):
    """ansible-playbook with the installed build and the timing callback (callback_plugins/)."""

    def __init__(self, workdir, collections, python, sim):
        self.workdir = workdir
        self.sim = sim
        self.python = python
        found = os.path.join(os.path.dirname(python), "ansible-playbook")
        self.playbook_bin = found if os.path.exists(found) else shutil.which("ansible-playbook")
        if not self.playbook_bin:
            raise RuntimeError("ansible-playbook not found next to %s nor on PATH" % python)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=python,
                        **ANSIBLE_SETTINGS, **NO_PROXY)
        for name, folder in (("HOME", "ansible-home"), ("LOCAL_TEMP", "ansible-tmp"), ("REMOTE_TEMP", "ansible-remote-tmp")):
            self.env["ANSIBLE_" + name] = os.path.join(workdir, folder)
        if sim.ca_path:
            self.env["REQUESTS_CA_BUNDLE"] = sim.ca_path
        self.collections = collections
        self.counter = 0

    def connection(self, name):
        server, token = self.sim.connection(name)
        params = {"wolkvox_server": server, "wolkvox_token": token, "api_url": self.sim.url}
        if self.sim.ca_path:
            params["ca_path"] = self.sim.ca_path
        return params

    def run(self, plays, inventory=None, args=(), env=None, prefix=()):
        """Run plays (a list, dumped as JSON, which is YAML) or a playbook by name (a str, e.g. an FQCN);
        returns wall time, CPU, tasks and plays. ``prefix`` runs ansible-playbook through a wrapper command."""
        self.counter += 1
        base = os.path.join(self.workdir, "run%04d" % self.counter)
        playbook, timing = base + ".yml", base + ".timing.json"
        if isinstance(plays, str):
            playbook = plays
        else:
            with open(playbook, "w") as handle:
                json.dump(plays, handle)
        environ = dict(self.env)
        environ["WOLKVOX_BENCH_TIMING"] = timing
        environ.update(env or {})
        if inventory is None:
            inv_args = ["-i", "localhost,", "-c", "local"]
        else:
            inv_path = base + ".inventory.yml"
            with open(inv_path, "w") as handle:
                json.dump(inventory, handle)
            inv_args = ["-i", inv_path]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        proc = subprocess.run(list(prefix) + [self.playbook_bin] + inv_args + [playbook] + list(args), cwd=self.workdir,
                              env=environ, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of ansible-playbook and every process it waited for (workers, module processes).
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        if proc.returncode != 0 or not os.path.exists(timing):
            raise RuntimeError("ansible-playbook failed (rc %d):\n%s" % (proc.returncode, (proc.stdout + proc.stderr)[-4000:]))
        with open(timing) as handle:
            data = json.load(handle)
        tasks = [t for t in data["tasks"] if t["end"] is not None]
        for task in tasks:
            task["duration"] = task["end"] - task["start"]
            if task["failed"]:
                raise RuntimeError("task %r failed: %s" % (task["name"], task.get("msg")))
        plays = [dict(p, duration=p["end"] - p["start"]) for p in data["plays"]]
        return {"wall": wall, "cpu": cpu, "tasks": tasks, "plays": plays}


def task_time(run, name):
    for task in run["tasks"]:
        if task["name"] == name:
            return task
    raise RuntimeError("no timing for task %r" % name)


def localhost_play(name, tasks):
    return [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
