# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How close wolkvox_agent_status gets to the API's floor, next to what users would do instead.

The API allows 2 simultaneous requests per token, so N changes to one operation take at least
ceil(N / 2) x latency: the floor. Against the simulator (tools/wolkvox_simulator, in its own
process, with injected latency) this measures, interleaved and repeated (medians are reported):

  uri loop      ansible.builtin.uri in a loop, one agent per item (the baseline), on a slice
  module loop   wolkvox_agent_status in a loop, one agent per item, on the same slice
  bulk N        one wolkvox_agent_status task for N agents
  bare N        a bare client (http.client, 2 kept-alive connections, no Ansible), same N changes
  converged     the bulk task again when every agent is already in its state: requests and time
  ops x10       10 operations x M agents (10 tokens) with forks=10, through the role agent_status
                (or, while the role is missing, one bulk task per host delegated to localhost)
  ops x1        the same for one operation
  fleet K       K = 5, 10, 20, 40 operations (inventory hosts, each its own server code and token, 50 agents,
                50 ms latency, forks 20), in a second simulator: the wall time of ansible-playbook for one
                ansible.builtin.ping per host (the baseline), wolkvox.contact_center.apply_agent_states applying,
                the same converged (exactly one request per operation, checked), and one plain
                wolkvox_agent_status task per host; each task's time and the CPU of the whole run
  memory        the peak RSS of ansible-playbook's processes while the task reads an agents answer of
                60,000 records (the task runs in-process, in the worker ansible-playbook forks)

and writes Markdown tables and PNG charts (docs/benchmarks.md, docs/benchmarks.png, docs/benchmarks-fleet.png).
Run it with tools/bench (or make bench), which builds and installs the collection first; --only and --skip
choose the parts (e.g. --only fleet,converged for a quick look at the fleet).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIMULATOR = os.path.join(ROOT, "tools", "wolkvox_simulator")  # a package: python -m wolkvox_simulator
sys.path.insert(0, os.path.dirname(SIMULATOR))
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position
FIXTURE = os.path.join(HERE, "fixture.json")
CALLBACKS = os.path.join(HERE, "callback_plugins")
BARE_CLIENT = os.path.join(HERE, "bare_client.py")
MEMORY_PROBE = os.path.join(HERE, "memory_probe.py")
BULK_START = 10000
OPS_START = 20000
BIG_START = 100000
FLEET_START = 30000

PARTS = ("uri", "loop", "bulk", "bare", "converged", "ops", "fleet", "memory")

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


def log(message):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def floor_seconds(n, latency, per_token=2):
    return math.ceil(n / float(per_token)) * latency


# -- the simulator --------------------------------------------------------------------------


class Simulator(object):
    """The simulator in its own process (so it does not share a GIL with what is measured)."""

    def __init__(self, workdir, latency, tls=False, fixture=FIXTURE):
        with open(fixture) as handle:
            self.operations = dict((op["name"], op) for op in json.load(handle)["operations"])
        self.proc, info = wolkvox_simulator.spawn(fixture, workdir, latency=latency, tls=tls)
        self.url = info["url"]
        self.ca_path = info.get("ca_path")
        self.latency = latency
        self.client = wolkvox_simulator.AdminClient(self.url, ca_path=self.ca_path, timeout=120)

    def admin(self, path, payload=None):
        return self.client.admin(path, payload)

    def connection(self, name):
        op = self.operations[name]
        return op["server"], op["token"]

    def prepare(self, name, count, start, status="Logout"):
        """The operation holds exactly agents start..start+count-1, all in ``status``; counters at zero."""
        self.admin("/__admin/agents", {"operation": name, "replace": True, "generate": count, "status": status, "start": start})
        self.reset_counters()

    def reset_counters(self):
        self.admin("/__admin/reset", {"state": False})

    def stats(self):
        stats = self.admin("/__admin/stats")
        stats.pop("log", None)
        return stats

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# -- ansible-playbook -----------------------------------------------------------------------


class Ansible(object):
    def __init__(self, workdir, collections, python, sim):
        self.workdir = workdir
        self.sim = sim
        self.python = python
        bindir = os.path.dirname(python)
        found = os.path.join(bindir, "ansible-playbook")
        self.playbook_bin = found if os.path.exists(found) else shutil.which("ansible-playbook")
        if not self.playbook_bin:
            raise RuntimeError("ansible-playbook not found next to %s nor on PATH" % python)
        self.env = dict(os.environ)
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_PYTHON_INTERPRETER": python,
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
            "ANSIBLE_CALLBACKS_ENABLED": "wolkvox_bench_timer",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_DEPRECATION_WARNINGS": "False",
            "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(workdir, "ansible-remote-tmp"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        if sim.ca_path:
            self.env["REQUESTS_CA_BUNDLE"] = sim.ca_path
        self.collections = collections
        self.counter = 0

    def has_role(self):
        return os.path.exists(os.path.join(self.collections, "ansible_collections", "wolkvox", "contact_center",
                                           "roles", "agent_status", "tasks", "main.yml"))

    def connection(self, name):
        server, token = self.sim.connection(name)
        params = {"wolkvox_server": server, "wolkvox_token": token, "api_url": self.sim.url}
        if self.sim.ca_path:
            params["ca_path"] = self.sim.ca_path
        return params

    def run(self, plays, inventory=None, args=(), env=None, prefix=()):
        """Run plays (a list, dumped as JSON, which is YAML) or a playbook by name (a str, e.g. an FQCN);
        returns wall time, tasks and plays. ``prefix`` runs ansible-playbook through a wrapper command."""
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


# -- the scenarios --------------------------------------------------------------------------


class Bench(object):
    def __init__(self, args, sim, ansible):
        self.args = args
        self.sim = sim
        self.ansible = ansible
        self.latency = args.latency

    def _check(self, what, stats, changes, reads):
        requests = stats["requests"]
        if requests["change_status"] != changes or requests["agents"] != reads:
            raise RuntimeError("%s: expected %d changes and %d reads, the simulator saw %s" % (what, changes, reads, requests))
        if any(v for v in stats["busy_rejections"].values()):
            raise RuntimeError("%s: the simulator rejected requests as busy: %s" % (what, stats["busy_rejections"]))
        return max(stats["max_concurrency"].values() or [0])

    def ids(self, start, count):
        return [str(start + i) for i in range(count)]

    def uri_loop(self):
        n = self.args.slice
        self.sim.prepare("bench", max(self.args.sizes), BULK_START)
        server, token = self.sim.connection("bench")
        uri = {
            "url": self.sim.url + "/api/v2/agentbox.php?api=change_status&agent_id={{ item }}&status=ready",
            "method": "POST",
            "headers": {"wolkvox-token": token, "wolkvox_server": server, "Accept": "application/json"},
            "return_content": True,
        }
        if self.sim.ca_path:
            uri["ca_path"] = self.sim.ca_path
        task = {"name": "uri loop", "ansible.builtin.uri": uri, "loop": self.ids(BULK_START, n)}
        run = self.ansible.run(localhost_play("uri loop", [task]))
        stats = self.sim.stats()
        conc = self._check("uri loop", stats, n, 0)
        seconds = task_time(run, "uri loop")["duration"]
        return {"n": n, "seconds": seconds, "wall": run["wall"], "requests": stats["total"], "concurrency": conc}

    def module_loop(self):
        n = self.args.slice
        self.sim.prepare("bench", max(self.args.sizes), BULK_START)
        params = self.ansible.connection("bench")
        params.update({"agent_id": "{{ item }}", "status": "ready", "logged_out_policy": "send"})
        task = {"name": "module loop", "wolkvox.contact_center.wolkvox_agent_status": params, "loop": self.ids(BULK_START, n)}
        run = self.ansible.run(localhost_play("module loop", [task]))
        stats = self.sim.stats()
        conc = self._check("module loop", stats, n, n)
        seconds = task_time(run, "module loop")["duration"]
        return {"n": n, "seconds": seconds, "wall": run["wall"], "requests": stats["total"], "concurrency": conc}

    def bulk(self, n, converged=False):
        self.sim.prepare("bench", max([n] + self.args.sizes), BULK_START)
        params = self.ansible.connection("bench")
        # The agents start logged out: send anyway (logged_out_policy: send), the send path is what is measured.
        params.update({"agent_id": self.ids(BULK_START, n), "status": "logout" if converged else "ready",
                       "logged_out_policy": "send"})
        name = "bulk converged" if converged else "bulk"
        run = self.ansible.run(localhost_play(name, [{"name": name, "wolkvox.contact_center.wolkvox_agent_status": params}]))
        stats = self.sim.stats()
        conc = self._check(name, stats, 0 if converged else n, 1)
        task = task_time(run, name)
        summary = task.get("summary") or {}
        expected = "unchanged" if converged else "changed"
        if summary.get(expected) != n:
            raise RuntimeError("%s %d: the module's summary is %s" % (name, n, summary))
        return {"n": n, "seconds": task["duration"], "wall": run["wall"], "requests": stats["total"],
                "api_calls": task.get("api_calls"), "concurrency": conc}

    @staticmethod
    def median_run(count, func):
        """The run of median time of ``count`` runs of ``func`` (for short scenarios on a noisy machine)."""
        runs = sorted((func() for dummy in range(count)), key=lambda r: r["seconds"])
        chosen = dict(runs[(len(runs) - 1) // 2])
        chosen["all_seconds"] = [r["seconds"] for r in runs]
        return chosen

    def converged_parts(self, n):
        """What the converged task time of N agents is made of, each in its own playbook: the same task (a list
        of N IDs), the same with ``all_agents`` (no list of N IDs to template and validate), the same with
        ``no_log`` (Ansible censors the result of N entries before it reaches the controller's callbacks) and a
        trivial debug task; and the engine alone, called in this process (validation, the one read, planning,
        the result)."""
        self.sim.prepare("bench", n, BULK_START)
        params = self.ansible.connection("bench")
        listed = dict(params, agent_id=self.ids(BULK_START, n), status="logout")
        module = "wolkvox.contact_center.wolkvox_agent_status"
        out = {"n": n}
        for task in ({"name": "list", module: listed},
                     {"name": "all_agents", module: dict(params, all_agents=True, status="logout")},
                     {"name": "no_log", module: listed, "no_log": True},
                     {"name": "debug", "ansible.builtin.debug": {"msg": "a trivial task"}}):
            run = self.ansible.run(localhost_play("converged parts", [task]))
            timing = task_time(run, task["name"])
            out[task["name"]] = timing["duration"]
            if task["name"] in ("list", "all_agents") and (timing.get("summary") or {}).get("unchanged") != n:
                raise RuntimeError("converged parts, %s: the summary is %s" % (task["name"], timing.get("summary")))
        stats = self.sim.stats()
        self._check("converged parts", stats, 0, 3)
        out["engine"], out["scrub"] = self.engine_alone(listed)
        out["n"] = n
        return out

    def engine_alone(self, params):
        """Seconds of the action plugin's own work, without Ansible, as its run() does it: validate ``params``,
        run the engine, scrub no_log values from the result."""
        if self.ansible.collections not in sys.path:
            sys.path.insert(0, self.ansible.collections)
        # pylint: disable=import-outside-toplevel,import-error
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        from ansible.module_utils.common.parameters import remove_values
        from ansible_collections.wolkvox.contact_center.plugins.action.wolkvox_agent_status import ActionModule
        from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC
        from ansible_collections.wolkvox.contact_center.plugins.plugin_utils import _action
        spec = dict(CONNECTION_SPEC)
        spec.update(ActionModule.ARGUMENT_SPEC)
        kwargs = dict((k, v) for k, v in ActionModule.SPEC_KWARGS.items() if k != "supports_check_mode")
        began = time.perf_counter()
        validation = ArgumentSpecValidator(spec, **kwargs).validate(params)
        task = _action._Task(validation.validated_parameters, False)  # pylint: disable=protected-access
        try:
            result = ActionModule.ENGINE(task)
        finally:
            getattr(task, "close_client", getattr(task, "close", None))()
        engine_done = time.perf_counter()
        result = remove_values(result, validation._no_log_values)  # pylint: disable=protected-access
        scrubbed = time.perf_counter()
        if validation.error_messages or result.get("summary", {}).get("unchanged") != len(params["agent_id"]):
            raise RuntimeError("the engine alone: %s %s" % (validation.error_messages, result.get("msg")))
        self.sim.reset_counters()
        return engine_done - began, scrubbed - engine_done

    def bare(self, n):
        self.sim.prepare("bench", max([n] + self.args.sizes), BULK_START)
        server, token = self.sim.connection("bench")
        cmd = [sys.executable, BARE_CLIENT, "--url", self.sim.url, "--server", server, "--token", token,
               "--start", str(BULK_START), "--count", str(n), "--status", "ready", "--threads", "2"]
        if self.sim.ca_path:
            cmd += ["--ca-path", self.sim.ca_path]
        env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            raise RuntimeError("the bare client failed: %s" % (proc.stdout + proc.stderr)[-2000:])
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        stats = self.sim.stats()
        conc = self._check("bare %d" % n, stats, n, 0)
        return {"n": n, "seconds": result["elapsed"], "wall": result["elapsed"], "requests": stats["total"], "concurrency": conc}

    def operations(self, count):
        m = self.args.ops_agents
        names = ["op%02d" % (i + 1) for i in range(count)]
        for name in names:
            self.sim.prepare(name, m, OPS_START)
        self.sim.reset_counters()
        hosts = {}
        for name in names:
            server, token = self.sim.connection(name)
            hosts[name] = {
                "ansible_connection": "local",
                "ansible_python_interpreter": self.ansible.python,
                "wolkvox_server": server,
                "wolkvox_token": token,
                "wolkvox_api_url": self.sim.url,
                "wolkvox_agent_status_agents": [{"agent_id": aid, "status": "ready"} for aid in self.ids(OPS_START, m)],
                "wolkvox_agent_status_logged_out_policy": "send",
            }
        inventory = {"all": {"children": {"wolkvox_operations": {"hosts": hosts}}}}
        play = {"name": "operations", "hosts": "wolkvox_operations", "gather_facts": False}
        if self.sim.ca_path:
            play["module_defaults"] = {"group/wolkvox.contact_center.wolkvox": {"ca_path": self.sim.ca_path}}
        if self.ansible.has_role():
            play["roles"] = ["wolkvox.contact_center.agent_status"]
            via = "role"
        else:
            params = {"wolkvox_server": "{{ wolkvox_server }}", "wolkvox_token": "{{ wolkvox_token }}",
                      "api_url": "{{ wolkvox_api_url }}", "agents": "{{ wolkvox_agent_status_agents }}"}
            play["tasks"] = [{"name": "bulk per operation", "wolkvox.contact_center.wolkvox_agent_status": params,
                              "delegate_to": "localhost"}]
            via = "play"
        run = self.ansible.run([play], inventory=inventory, args=["--forks", str(self.args.forks)])
        stats = self.sim.stats()
        conc = self._check("%d operations" % count, stats, count * m, count)
        if len(stats["max_concurrency"]) != count:
            raise RuntimeError("expected %d tokens at the simulator, saw %d" % (count, len(stats["max_concurrency"])))
        return {"n": count * m, "ops": count, "seconds": run["plays"][0]["duration"], "wall": run["wall"],
                "bulk_task": max(task["duration"] for task in run["tasks"]),
                "requests": stats["total"], "concurrency": conc, "via": via}

    def memory(self, records, requested):
        """Peak RSS of the processes of ansible-playbook (the controller and its forked worker, which runs
        the task in-process through the collection's action plugin) reading an agents answer of ``records``
        records: the largest of them, as ru_maxrss of the children of a wrapper (memory_probe.py)."""
        self.sim.prepare("big", records, BIG_START)
        probe_out = os.path.join(self.ansible.workdir, "memory.jsonl")
        if os.path.exists(probe_out):
            os.unlink(probe_out)
        params = self.ansible.connection("big")
        params.update({"agent_id": self.ids(BIG_START, requested), "status": "logout"})
        name = "read %d records" % records
        run = self.ansible.run(localhost_play(name, [{"name": name, "wolkvox.contact_center.wolkvox_agent_status": params}]),
                               prefix=[self.ansible.python, MEMORY_PROBE, probe_out])
        with open(probe_out) as handle:
            lines = [json.loads(line) for line in handle if line.strip()]
        if len(lines) != 1:
            raise RuntimeError("expected one ansible-playbook run, the probe saw %d" % len(lines))
        stats = self.sim.stats()
        self._check(name, stats, 0, 1)
        task = task_time(run, name)
        return {"records": records, "requested": requested, "maxrss_mb": lines[0]["maxrss_kb"] / 1024.0,
                "seconds": task["duration"]}


# -- the fleet ------------------------------------------------------------------------------

FLEET_PLAYBOOK = "wolkvox.contact_center.apply_agent_states"


def write_fleet_fixture(path, count, agents):
    """K operations, each its own server code and token, each with ``agents`` agents in Logout."""
    operations = [{
        "name": "fleet%02d" % (i + 1), "server": "5%03d" % (i + 1),
        "token": "bench-token-fleet%02d-not-a-secret" % (i + 1), "aux_states": {}, "agents": [],
        "generate": {"count": agents, "status": "Logout", "start": FLEET_START},
    } for i in range(count)]
    with open(path, "w") as handle:
        json.dump({"operations": operations}, handle, indent=1)
    return path


def task_kind(name):
    """Which task of a fleet run a callback entry is (by the task names of the role and the baseline)."""
    lowered = name.lower()
    if "validating arguments" in lowered:
        return "validate"
    if "put the agents" in lowered:
        return "status"
    if "summary" in lowered:
        return "summary"
    if "ping" in lowered:
        return "ping"
    return "other"


class Fleet(object):
    """Many operations in one run: ``ansible-playbook wolkvox.contact_center.apply_agent_states`` over K
    inventory hosts (one per operation, each its own server code and token), next to the cheapest run
    of the same inventory: one ``ansible.builtin.ping`` per host delegated to localhost."""

    def __init__(self, args, workdir, collections, python):
        self.args = args
        fixture = write_fleet_fixture(os.path.join(workdir, "fleet-fixture.json"), max(args.fleet_ops), args.fleet_agents)
        self.sim = Simulator(workdir, 0.0, tls=args.tls, fixture=fixture)
        self.sim.admin("/__admin/config", {"latency": args.fleet_latency})
        fleet_dir = os.path.join(workdir, "fleet")
        os.makedirs(fleet_dir, exist_ok=True)
        self.ansible = Ansible(fleet_dir, collections, python, self.sim)
        if not self.ansible.has_role():
            raise RuntimeError("the fleet benchmark needs the role agent_status in the installed collection")

    def stop(self):
        self.sim.stop()

    def names(self, count):
        return ["fleet%02d" % (i + 1) for i in range(count)]

    def inventory(self, count):
        hosts = {}
        for name in self.names(count):
            server, token = self.sim.connection(name)
            hosts[name] = {
                "ansible_connection": "local",
                "wolkvox_server": server,
                "wolkvox_token": token,
                "wolkvox_api_url": self.sim.url,
                "wolkvox_agent_status_all": "ready",
                "wolkvox_agent_status_logged_out_policy": "send",  # the agents start logged out
            }
            if self.sim.ca_path:
                hosts[name]["wolkvox_ca_path"] = self.sim.ca_path
        return {"all": {"children": {"wolkvox_operations": {"hosts": hosts}}}}

    def prepare(self, count):
        """Every agent of the first ``count`` operations in Logout (so applying ``ready`` changes them all)."""
        for name in self.names(count):
            self.sim.admin("/__admin/agents", {"operation": name, "replace": True, "generate": self.args.fleet_agents,
                                               "status": "Logout", "start": FLEET_START})
        self.sim.reset_counters()

    def _requests(self, count, what, changes_per_op, reads_per_op):
        """The simulator's counts for this run, per operation (by server code); raises if any is off."""
        stats = self.sim.admin("/__admin/stats")
        servers = dict((self.sim.connection(name)[0], name) for name in self.names(count))
        per_op = dict((name, {"agents": 0, "change_status": 0, "other": 0}) for name in servers.values())
        for entry in stats["log"]:
            name = servers.get(entry.get("server"))
            if name is None:
                raise RuntimeError("%s: a request for an operation not in the run: %s" % (what, entry.get("server")))
            per_op[name][entry["kind"] if entry["kind"] in ("agents", "change_status") else "other"] += 1
        requests = stats["requests"]
        if requests["agents"] != reads_per_op * count or requests["change_status"] != changes_per_op * count \
                or requests["other"]:
            raise RuntimeError("%s: expected %d read(s) and %d change(s) in all, the simulator saw %s"
                               % (what, reads_per_op * count, changes_per_op * count, requests))
        if len(stats["log"]) != stats["total"]:
            # The simulator's stats keep the last 5,000 requests: totals only.
            return {"requests": stats["total"], "per_op_min": None, "per_op_max": None,
                    "concurrency": max(stats["max_concurrency"].values() or [0])}
        wrong = dict((name, counts) for name, counts in per_op.items()
                     if counts != {"agents": reads_per_op, "change_status": changes_per_op, "other": 0})
        if wrong:
            raise RuntimeError("%s: expected %d read(s) and %d change(s) per operation, the simulator saw %s"
                               % (what, reads_per_op, changes_per_op, wrong))
        if any(stats["busy_rejections"].values()):
            raise RuntimeError("%s: the simulator rejected requests as busy: %s" % (what, stats["busy_rejections"]))
        totals = [sum(counts.values()) for counts in per_op.values()]
        return {"requests": stats["total"], "per_op_min": min(totals), "per_op_max": max(totals),
                "concurrency": max(stats["max_concurrency"].values() or [0])}

    def _run(self, plays, count):
        inventory = self.inventory(count)
        run = self.ansible.run(plays, inventory=inventory, args=["--forks", str(self.args.fleet_forks)])
        tasks = {}
        for task in run["tasks"]:
            kind = task_kind(task["name"])
            tasks[kind] = tasks.get(kind, 0.0) + task["duration"]
            if task["hosts"] != count:
                raise RuntimeError("task %r ran on %d of %d hosts" % (task["name"], task["hosts"], count))
        outside = run["wall"] - sum(tasks.values())
        return run, dict(tasks, outside=outside)

    def measure(self, count):
        """One repeat for K = ``count``: the ping baseline, applying, the converged re-run."""
        n = self.args.fleet_agents
        self.prepare(count)
        run, tasks = self._run([{"name": "baseline", "hosts": "wolkvox_operations", "gather_facts": False,
                                 "tasks": [{"name": "ping", "ansible.builtin.ping": {}, "delegate_to": "localhost"}]}],
                               count)
        baseline = {"wall": run["wall"], "cpu": run["cpu"], "tasks": tasks}
        baseline.update(self._requests(count, "baseline", 0, 0))
        self.sim.reset_counters()
        run, tasks = self._run(FLEET_PLAYBOOK, count)
        apply_ = {"wall": run["wall"], "cpu": run["cpu"], "tasks": tasks}
        apply_.update(self._requests(count, "apply, %d operations" % count, n, 1))
        self.sim.reset_counters()
        run, tasks = self._run(FLEET_PLAYBOOK, count)
        converged = {"wall": run["wall"], "cpu": run["cpu"], "tasks": tasks}
        converged.update(self._requests(count, "converged, %d operations" % count, 0, 1))
        # The same converged work as one plain task per host, without the role: what the role adds.
        self.sim.reset_counters()
        params = {"wolkvox_server": "{{ wolkvox_server }}", "wolkvox_token": "{{ wolkvox_token }}",
                  "api_url": "{{ wolkvox_api_url }}", "all_agents": True, "status": "ready",
                  "logged_out_policy": "send"}
        if self.sim.ca_path:
            params["ca_path"] = "{{ wolkvox_ca_path }}"
        run, tasks = self._run([{"name": "one task", "hosts": "wolkvox_operations", "gather_facts": False,
                                 "tasks": [{"name": "Put the agents into ready (one task, no role)",
                                            "wolkvox.contact_center.wolkvox_agent_status": params,
                                            "delegate_to": "localhost"}]}], count)
        one_task = {"wall": run["wall"], "cpu": run["cpu"], "tasks": tasks}
        one_task.update(self._requests(count, "one task per host, %d operations" % count, 0, 1))
        return {"ops": count, "agents": n, "latency": self.args.fleet_latency, "forks": self.args.fleet_forks,
                "floor": floor_seconds(n, self.args.fleet_latency),
                "baseline": baseline, "apply": apply_, "converged": converged, "one_task": one_task}


# -- the report -----------------------------------------------------------------------------


def median(values):
    return statistics.median(values) if values else float("nan")


def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return "%.*f" % (digits, value)


def summarize(samples, args):
    """Medians of each measure, and medians of the paired (same repeat) ratios."""
    lat = args.latency
    med = {}
    for key, runs in samples.items():
        if key.startswith("memory") or key.startswith("fleet_") or key in ("load", "converged_parts"):
            continue
        med[key] = {
            "n": runs[0]["n"],
            "seconds": median([r["seconds"] for r in runs]),
            "wall": median([r["wall"] for r in runs]),
            "requests": median([r["requests"] for r in runs]),
            "concurrency": max(r["concurrency"] for r in runs),
            "runs": len(runs),
        }
        if "via" in runs[0]:
            med[key]["via"] = runs[0]["via"]
        if "bulk_task" in runs[0]:
            med[key]["bulk_task"] = median([r["bulk_task"] for r in runs])

    def paired(a, b, per_agent=False):
        if a not in samples or b not in samples:
            return float("nan")
        ratios = []
        for ra, rb in zip(samples[a], samples[b]):
            x, y = ra["seconds"], rb["seconds"]
            if per_agent:
                x, y = x / ra["n"], y / rb["n"]
            ratios.append(x / y)
        return median(ratios)

    big = max(args.sizes)
    ratios = {
        "bulk_vs_bare": dict((n, paired("bulk_%d" % n, "bare_%d" % n)) for n in args.sizes),
        "uri_vs_bulk": dict((n, paired("uri_loop", "bulk_%d" % n, per_agent=True)) for n in args.sizes),
        "uri_vs_module_loop": paired("uri_loop", "module_loop", per_agent=True),
        "ops_ratio": paired("ops_many", "ops_one"),
        "big": big,
    }
    floors = {
        "uri_loop": floor_seconds(args.slice, lat),
        "module_loop": floor_seconds(args.slice, lat),
        "converged": lat,
        "ops_many": floor_seconds(args.ops_agents, lat),
        "ops_one": floor_seconds(args.ops_agents, lat),
    }
    for n in args.sizes:
        floors["bulk_%d" % n] = floors["bare_%d" % n] = floor_seconds(n, lat)
    memory = None
    if samples.get("memory"):
        memory = {
            "records": samples["memory"][0]["records"],
            "requested": samples["memory"][0]["requested"],
            "maxrss_mb": max(r["maxrss_mb"] for r in samples["memory"]),
            "baseline_mb": max(r["maxrss_mb"] for r in samples["memory_small"]) if samples.get("memory_small") else None,
        }
    return med, ratios, floors, memory


LABELS = [
    ("uri_loop", "(a) ansible.builtin.uri loop, one agent per item (baseline)"),
    ("module_loop", "(b) wolkvox_agent_status loop, one agent per item"),
]


def rows_of(med, ratios, floors, args):
    labels = list(LABELS)
    for n in args.sizes:
        labels.append(("bulk_%d" % n, "(c) one bulk wolkvox_agent_status task"))
        labels.append(("bare_%d" % n, "bare client: http.client, 2 kept-alive connections, no Ansible"))
    labels.append(("converged", "(d) the bulk task again, already converged"))
    labels.append(("ops_one", "(e) 1 operation, forks=%d" % args.forks))
    labels.append(("ops_many", "(e) %d operations in parallel, forks=%d" % (args.ops, args.forks)))
    uri_per_agent = med["uri_loop"]["seconds"] / med["uri_loop"]["n"] if "uri_loop" in med else float("nan")
    rows = []
    for key, label in labels:
        if key not in med:
            continue
        m = med[key]
        if key.startswith("ops_") and m.get("via"):
            label += " (%s)" % ("role agent_status" if m["via"] == "role" else "one bulk task per host")
        per_agent = m["seconds"] / m["n"]
        bare_key = "bare_%d" % m["n"] if key.startswith("bulk_") else None
        vs_bare = ratios["bulk_vs_bare"].get(m["n"]) if bare_key in med else None
        vs_uri = uri_per_agent / per_agent if key != "uri_loop" else 1.0
        if key.startswith("bulk_"):
            vs_uri = ratios["uri_vs_bulk"].get(m["n"], vs_uri)
        elif key == "module_loop":
            vs_uri = ratios["uri_vs_module_loop"]
        if key == "converged" or (vs_uri is not None and math.isnan(vs_uri)):
            vs_uri = None
        rows.append([
            label, str(m["n"]), "%d" % m["requests"], fmt(m["seconds"]), fmt(floors[key]),
            fmt(m["seconds"] / floors[key]), fmt(per_agent * 1000, 2) if key != "converged" else "-",
            fmt(vs_bare) if vs_bare is not None else "-", (fmt(vs_uri, 1) + "x") if vs_uri is not None else "-",
            str(m["concurrency"]),
        ])
    return rows


HEADER = ["scenario", "agents", "requests", "time s", "floor s", "x floor", "ms per agent", "x bare client",
          "faster than uri loop (per agent)", "max in flight per token"]


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for dummy in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def verdicts(med, ratios, memory, args, fleet=()):
    """One row per target: the issue's four first (fleet converged, fleet applying, converged single
    operation, single-operation results kept), then the older ones."""
    big = ratios["big"]
    out = []

    def add(target, measured, ok, why=""):
        out.append([target, measured, ("met" if ok else "missed") + (" " + why if why else "")])

    fleet_verdicts(fleet, add)
    if "converged" in med:
        c = med["converged"]
        ok = c["requests"] == TARGETS["converged_requests"] and c["seconds"] <= TARGETS["converged_task"]
        add("converged single operation N=%d: task time <= %.1f s, exactly 1 request" % (c["n"], TARGETS["converged_task"]),
            "%s s task time, %d request(s) (the whole ansible-playbook run: %s s)"
            % (fmt(c["seconds"], 3), c["requests"], fmt(c["wall"])),
            ok, "" if ok else ("by %s%% (see *Reading the results*)" % fmt((c["seconds"] / TARGETS["converged_task"] - 1) * 100, 1)
                               if c["requests"] == TARGETS["converged_requests"] else "(%d requests)" % c["requests"]))
    bvb = ratios["bulk_vs_bare"].get(big, float("nan"))
    if math.isnan(bvb):
        bvb = None
    bulk_floor = med["bulk_%d" % big]["seconds"] / floor_seconds(big, args.latency) if "bulk_%d" % big in med else float("nan")
    bare_floor = med["bare_%d" % big]["seconds"] / floor_seconds(big, args.latency) if "bare_%d" % big in med else float("nan")
    if not math.isnan(bulk_floor):
        add("bulk N=%d <= %.2fx the floor ceil(N/2) x latency" % (big, TARGETS["bulk_vs_floor"]),
            "%sx the floor (%s s for a floor of %s s)" % (
                fmt(bulk_floor, 3), fmt(med["bulk_%d" % big]["seconds"]), fmt(floor_seconds(big, args.latency))),
            bulk_floor <= TARGETS["bulk_vs_floor"],
            "" if bulk_floor <= TARGETS["bulk_vs_floor"] else "by %s%% (see *Reading the results*)"
            % fmt((bulk_floor / TARGETS["bulk_vs_floor"] - 1) * 100, 1))
    if bvb is not None:
        add("single operation kept: bulk N=%d <= %.2fx the bare client" % (big, TARGETS["bulk_vs_bare"]),
            "%sx the bare client (bulk %sx floor, bare client %sx floor)" % (fmt(bvb, 3), fmt(bulk_floor, 3), fmt(bare_floor, 3)),
            bvb <= TARGETS["bulk_vs_bare"],
            "" if bvb <= TARGETS["bulk_vs_bare"] else "by %s%% (see *Reading the results*)"
            % fmt((bvb / TARGETS["bulk_vs_bare"] - 1) * 100, 1))
    speed = ratios["uri_vs_bulk"].get(big, float("nan"))
    if not math.isnan(speed):
        add("single operation kept: per agent, bulk N=%d >= %.0fx faster than the uri loop" % (big, TARGETS["speedup_vs_uri"]),
            "%sx" % fmt(speed, 1), speed >= TARGETS["speedup_vs_uri"],
            "" if speed >= TARGETS["speedup_vs_uri"] else "by %s%%" % fmt((1 - speed / TARGETS["speedup_vs_uri"]) * 100, 1))
    ops = ratios["ops_ratio"]
    if not math.isnan(ops):
        add("%d operations x %d agents, forks=%d <= %.1fx one operation" % (args.ops, args.ops_agents, args.forks, TARGETS["ops_ratio"]),
            "%sx" % fmt(ops), ops <= TARGETS["ops_ratio"],
            "" if ops <= TARGETS["ops_ratio"] else "by %s%% (see *Reading the results*)"
            % fmt((ops / TARGETS["ops_ratio"] - 1) * 100, 1))
    if memory:
        added = memory["maxrss_mb"] - (memory["baseline_mb"] or 0.0)
        add("memory the task adds reading %d agent records < %.0f MB" % (memory["records"], TARGETS["memory_mb"]),
            "%s MB (peak %s MB against %s MB on a 1-agent operation)"
            % (fmt(added, 1), fmt(memory["maxrss_mb"], 1), fmt(memory["baseline_mb"], 1)),
            added < TARGETS["memory_mb"])
    return out


def analysis(med, args):
    """Where the time goes, from the figures measured (text for the report)."""
    lines = []
    big = max(args.sizes)
    bulk, bare, conv = med.get("bulk_%d" % big), med.get("bare_%d" % big), med.get("converged")
    if bulk and bare and conv:
        rounds = math.ceil(big / 2.0)
        rest = bulk["seconds"] - bare["seconds"] - conv["seconds"]
        lines.append(
            "- **bulk N=%d against the bare client** (%s s more): the task's fixed cost (template and validate its "
            "arguments, read the agents list once, return %d results) is about the converged re-run's time, %s s (%s%% of "
            "the floor); the remaining %s s is %s ms per round of 2 requests, the CPU that requests/urllib3 spend per "
            "request (measured alone at zero latency: about 0.6 ms of CPU per request, against 0.15 ms for http.client), "
            "on a machine whose cores also run the simulator and Ansible's controller. The bare client itself is %s%% "
            "above the floor: the simulator's own cost."
            % (big, fmt(bulk["seconds"] - bare["seconds"]), big, fmt(conv["seconds"]),
               fmt(conv["seconds"] / floor_seconds(big, args.latency) * 100, 1), fmt(rest), fmt(rest / rounds * 1000, 1),
               fmt((bare["seconds"] / floor_seconds(big, args.latency) - 1) * 100, 1)))
    many, one = med.get("ops_many"), med.get("ops_one")
    if many and one:
        lines.append(
            "- **%d operations against one**: every operation keeps its own 2 requests in flight (the simulator saw at "
            "most %d per token and no busy rejection), so the API side is parallel. What does not fit is CPU: %d forked "
            "workers of ansible-playbook run their tasks at once and make %d requests within about the %s s floor, on %d cores shared with the "
            "simulator and the controller. The run is CPU-bound, not API-bound; on a controller with more cores the "
            "ratio falls towards 1."
            % (args.ops, many["concurrency"], args.ops, many["requests"], fmt(floor_seconds(args.ops_agents, args.latency)),
               os.cpu_count() or 0))
        if "bulk_task" in many and "bulk_task" in one:
            lines.append(
                "  The bulk task itself took %s s for %d operations against %s s for one (%sx); the play's other tasks "
                "(%s) took %s s against %s s: with %d hosts their templating and result handling on the controller "
                "compete for the same cores."
                % (fmt(many["bulk_task"]), args.ops, fmt(one["bulk_task"]), fmt(many["bulk_task"] / one["bulk_task"]),
                   "argument validation and the summary line of the role" if many.get("via") == "role"
                   else "none besides the bulk task", fmt(many["seconds"] - many["bulk_task"]),
                   fmt(one["seconds"] - one["bulk_task"]), args.ops))
    if "uri_loop" in med and "module_loop" in med:
        lines.append(
            "- **the loops**: one task execution per agent costs %s ms (uri, a module process each) and %s ms "
            "(wolkvox_agent_status, in Ansible's own process, which also reads the agents list each time) per agent, "
            "against %s ms in one bulk task: use one task for many agents."
            % (fmt(med["uri_loop"]["seconds"] / med["uri_loop"]["n"] * 1000, 0),
               fmt(med["module_loop"]["seconds"] / med["module_loop"]["n"] * 1000, 0),
               fmt(bulk["seconds"] / bulk["n"] * 1000, 1) if bulk else "-"))
    return "\n".join(lines)


def chart(path, med, floors, args):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: no chart (tools/bench installs it)")
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    names, values, colors = [], [], []
    for key, name, color in [("uri_loop", "uri loop", "#c0392b"), ("module_loop", "module loop", "#e67e22")] + [
            ("bulk_%d" % n, "bulk %d" % n, "#2980b9") for n in args.sizes] + [
            ("bare_%d" % max(args.sizes), "bare client %d" % max(args.sizes), "#7f8c8d")]:
        if key in med:
            names.append(name)
            values.append(med[key]["seconds"] / med[key]["n"] * 1000)
            colors.append(color)
    names.append("floor")
    values.append(args.latency / 2 * 1000)
    colors.append("#27ae60")
    left.bar(names, values, color=colors)
    left.set_yscale("log")
    left.set_ylabel("ms per agent (log scale)")
    left.set_title("Time per agent changed (latency %g ms)" % (args.latency * 1000))
    for i, v in enumerate(values):
        left.text(i, v * 1.08, "%.1f" % v, ha="center", fontsize=8)
    left.tick_params(axis="x", rotation=25)
    groups = [("bulk_%d" % n, "bare_%d" % n, "N=%d" % n) for n in args.sizes] + [("ops_one", "ops_many", "operations")]
    xs, labels = [], []
    width = 0.27
    for i, (a, b, label) in enumerate(groups):
        if a not in med or b not in med:
            continue
        xs.append(i)
        labels.append(label)
        fl = floors[a]
        ya, yb = med[a]["seconds"] / fl, med[b]["seconds"] / fl
        first = "module" if a.startswith("bulk") else "1 operation"
        second = "bare client" if a.startswith("bulk") else "%d operations" % args.ops
        right.bar(i - width, ya, width, color="#2980b9" if a.startswith("bulk") else "#16a085", label=first if i == 0 or a == "ops_one" else None)
        right.bar(i, yb, width, color="#7f8c8d" if a.startswith("bulk") else "#8e44ad", label=second if i == 0 or a == "ops_one" else None)
        right.bar(i + width, 1.0, width, color="#27ae60", label="floor" if i == 0 else None)
        for x, y in ((i - width, ya), (i, yb)):
            right.text(x, y + 0.02, "%.2f" % y, ha="center", fontsize=8)
    right.set_xticks(xs)
    right.set_xticklabels(labels)
    right.set_ylabel("time / floor")
    right.set_title("Wall time relative to the floor ceil(N/2) x latency")
    right.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def converged_parts_summary(samples):
    runs = samples.get("converged_parts") or []
    if not runs:
        return None
    return dict((k, median([r[k] for r in runs])) for k in runs[0])


def converged_analysis(parts, med, args):
    """What the converged single-operation task time is made of (text for the report)."""
    if not parts:
        return ""
    n = int(parts["n"])
    list_t, all_t, nolog_t, debug_t, engine_t = (parts["list"], parts["all_agents"], parts["no_log"], parts["debug"],
                                                 parts["engine"])
    scrub_t = parts.get("scrub", 0.0)

    def cost(seconds):
        return "about %s s" % fmt(seconds, 3) if seconds > 0.005 else "nothing measurable (%s s)" % fmt(seconds, 3)

    conv = med.get("converged")
    return (
        "- **the converged single operation, N=%d** (task time %s s in (d); %s s in a second run, among its variants): "
        "a trivial `debug` task takes %s s; the action plugin's own work, called without Ansible, %s s: %s s for "
        "argument validation, the one read with its %g ms of latency, planning %d agents and the result, and %s s for "
        "scrubbing no_log values from the result (`remove_values` over its %d entries). The same converged task with "
        "`all_agents` instead of a list of %d IDs takes %s s: templating and validating that list in Ansible costs "
        "%s. With `no_log` (Ansible censors the result of %d entries before it reaches the controller) it takes "
        "%s s: carrying that result costs %s. So about %s%% of the task is Ansible handling the %d-ID argument "
        "and the %d-entry result."
        % (n, fmt(conv["seconds"], 3) if conv else "-", fmt(list_t, 3), fmt(debug_t, 3), fmt(engine_t + scrub_t, 3),
           fmt(engine_t, 3), args.latency * 1000, n, fmt(scrub_t, 3), n, n, fmt(all_t, 3), cost(list_t - all_t), n, fmt(nolog_t, 3), cost(list_t - nolog_t),
           fmt((max(0.0, list_t - all_t) + max(0.0, list_t - nolog_t)) / list_t * 100, 0), n, n))


# -- the fleet report -----------------------------------------------------------------------

FLEET_RUNS = [
    ("baseline", "baseline: one ansible.builtin.ping per host, delegated to localhost"),
    ("converged", "apply_agent_states, converged (nothing to send)"),
    ("apply", "apply_agent_states, applying (every agent changes)"),
    ("one_task", "one wolkvox_agent_status task per host, no role, converged"),
]
FLEET_TASKS = [("outside", "outside tasks"), ("validate", "argument validation"), ("status", "status task"),
               ("summary", "summary task"), ("ping", "ping task")]


def fleet_summary(samples):
    """Per K, sorted: medians of the wall times and of each task's time, and medians of the paired ratios."""
    out = []
    for key in sorted((k for k in samples if k.startswith("fleet_")), key=lambda k: int(k.split("_")[1])):
        runs = samples[key]
        first = runs[0]
        row = {"ops": first["ops"], "agents": first["agents"], "latency": first["latency"], "forks": first["forks"],
               "floor": first["floor"], "runs": len(runs)}
        for kind, dummy in FLEET_RUNS:
            present = [r[kind] for r in runs if kind in r]
            if not present:
                continue
            kinds = set(k for r in present for k in r["tasks"])
            row[kind] = {
                "wall": median([r["wall"] for r in present]),
                "cpu": median([r.get("cpu", float("nan")) for r in present]),
                "tasks": dict((k, median([r["tasks"].get(k, 0.0) for r in present])) for k in kinds),
                "requests": median([r["requests"] for r in present]),
                "per_op": (min(r["per_op_min"] for r in present) if all(r["per_op_min"] is not None for r in present) else None,
                           max(r["per_op_max"] for r in present) if all(r["per_op_max"] is not None for r in present) else None),
                "concurrency": max(r["concurrency"] for r in present),
            }
        row["conv_ratio"] = median([r["converged"]["wall"] / r["baseline"]["wall"] for r in runs])
        row["apply_ratio"] = median([r["apply"]["wall"] / (r["baseline"]["wall"] + r["floor"]) for r in runs])
        if all("one_task" in r for r in runs):
            row["one_task_ratio"] = median([r["one_task"]["wall"] / r["baseline"]["wall"] for r in runs])
        out.append(row)
    return out


def per_op_text(per_op):
    low, high = per_op
    if low is None:
        return "-"
    return "%d" % low if low == high else "%d-%d" % (low, high)


FLEET_HEADER = ["operations", "agents per operation", "baseline s (ping per host)", "apply s", "converged s",
                "floor s (one operation)", "converged / baseline (target <= %.1f)" % 1.1,
                "apply / (baseline + floor) (target <= %.1f)" % 1.2, "requests per operation, converged",
                "requests per operation, apply", "max in flight per token"]


def fleet_rows(fleet):
    rows = []
    for row in fleet:
        rows.append([
            str(row["ops"]), str(row["agents"]), fmt(row["baseline"]["wall"]), fmt(row["apply"]["wall"]),
            fmt(row["converged"]["wall"]), fmt(row["floor"]), fmt(row["conv_ratio"]), fmt(row["apply_ratio"]),
            per_op_text(row["converged"]["per_op"]), per_op_text(row["apply"]["per_op"]),
            str(max(row["apply"]["concurrency"], row["converged"]["concurrency"])),
        ])
    return rows


def fleet_breakdown_rows(fleet):
    rows = []
    for row in fleet:
        for kind, label in FLEET_RUNS:
            if kind not in row:
                continue
            tasks = row[kind]["tasks"]
            rows.append([str(row["ops"]), label, fmt(row[kind]["wall"]), fmt(row[kind]["cpu"])] +
                        [fmt(tasks[k]) if k in tasks else "-" for k, dummy in FLEET_TASKS])
    return rows


FLEET_BREAKDOWN_HEADER = ["operations", "run", "whole run s", "CPU s"] + ["%s s" % label for dummy, label in FLEET_TASKS]


def fleet_verdicts(fleet, add):
    """The two fleet targets, with the figures of every K."""
    if not fleet:
        return
    conv = ", ".join("K=%d: %sx" % (r["ops"], fmt(r["conv_ratio"], 3)) for r in fleet)
    requests_ok = all(r["converged"]["per_op"] == (1, 1) for r in fleet)
    missed = [r for r in fleet if r["conv_ratio"] > TARGETS["fleet_converged"]]
    add("fleet, converged run <= %.1fx one trivial module task per host, exactly 1 request per operation"
        % TARGETS["fleet_converged"],
        "%s; requests per operation: %s" % (conv, ", ".join(per_op_text(r["converged"]["per_op"]) for r in fleet)),
        not missed and requests_ok,
        "" if not missed else "at K=%s (see below)" % ", ".join(str(r["ops"]) for r in missed))
    app = ", ".join("K=%d: %sx" % (r["ops"], fmt(r["apply_ratio"], 3)) for r in fleet)
    missed = [r for r in fleet if r["apply_ratio"] > TARGETS["fleet_apply"]]
    add("fleet, applying run <= %.1fx (that trivial run + the API floor of one operation)" % TARGETS["fleet_apply"], app,
        not missed, "" if not missed else "at K=%s (see below)" % ", ".join(str(r["ops"]) for r in missed))


def fleet_analysis(fleet):
    """Where the time of the fleet runs goes, from the figures measured (text for the report)."""
    if not fleet:
        return ""
    lines = []
    for row in fleet:
        base, conv, app = row["baseline"], row["converged"], row["apply"]
        k = row["ops"]
        bt, ct, at = base["tasks"], conv["tasks"], app["tasks"]
        text = ("- **K=%d**: the baseline is %s s outside tasks (start-up, inventory, play) and %s s of ping (%s ms per "
                "host), %s s of CPU. The converged run is %s s outside tasks, then %s s argument validation, %s s status "
                "task and %s s summary (%s ms per host over its 3 tasks), %s s of CPU: %sx the baseline."
                % (k, fmt(bt.get("outside")), fmt(bt.get("ping")), fmt(bt.get("ping", 0) / k * 1000, 0), fmt(base.get("cpu")),
                   fmt(ct.get("outside")), fmt(ct.get("validate")), fmt(ct.get("status")), fmt(ct.get("summary")),
                   fmt((ct.get("validate", 0) + ct.get("status", 0) + ct.get("summary", 0)) / k * 1000, 0),
                   fmt(conv.get("cpu")), fmt(row["conv_ratio"])))
        if "one_task" in row:
            text += (" One wolkvox_agent_status task per host without the role does the same converged work in %s s "
                     "(its task %s s, %s s of CPU, %sx the baseline)."
                     % (fmt(row["one_task"]["wall"]), fmt(row["one_task"]["tasks"].get("status")),
                        fmt(row["one_task"].get("cpu")), fmt(row["one_task_ratio"])))
        text += (" Applying, the status task takes %s s for %d changes per operation (floor %s s) and the summary %s s."
                 % (fmt(at.get("status")), row["agents"], fmt(row["floor"]), fmt(at.get("summary"))))
        lines.append(text)
    for row in fleet:
        k, base, conv, app = row["ops"], row["baseline"], row["converged"], row["apply"]
        role_tasks = sum(conv["tasks"].get(t, 0.0) for t in ("validate", "status", "summary"))
        if row["conv_ratio"] > TARGETS["fleet_converged"]:
            text = ("- **Why the converged run misses at K=%d** (%sx): it takes %s s more than the baseline; its three "
                    "tasks per host take %s s against %s s for the one ping task"
                    % (k, fmt(row["conv_ratio"], 3), fmt(conv["wall"] - base["wall"]), fmt(role_tasks),
                       fmt(base["tasks"].get("ping"))))
            if "one_task" in row:
                text += ("; the same API work as one plain task per host takes %s s (%sx the baseline), so the role's "
                         "argument validation (%s s) and summary task (%s s) and the extra time of its status task "
                         "(%s s against %s s) are what exceed the target"
                         % (fmt(row["one_task"]["tasks"].get("status")), fmt(row["one_task_ratio"]),
                            fmt(conv["tasks"].get("validate")), fmt(conv["tasks"].get("summary")),
                            fmt(conv["tasks"].get("status")), fmt(row["one_task"]["tasks"].get("status"))))
            lines.append(text + ".")
        if row["apply_ratio"] > TARGETS["fleet_apply"]:
            lines.append(
                "- **Why the applying run misses at K=%d** (%sx): its status task takes %s s for a floor of %s s "
                "(%d operations x %d changes in flight at most %d per token, on %d cores shared with the simulator); "
                "argument validation %s s and summary %s s come on top, against the baseline's ping task of %s s."
                % (k, fmt(row["apply_ratio"], 3), fmt(app["tasks"].get("status")), fmt(row["floor"]), k, row["agents"],
                   app["concurrency"], os.cpu_count() or 0, fmt(app["tasks"].get("validate")),
                   fmt(app["tasks"].get("summary")), fmt(base["tasks"].get("ping"))))
    return "\n".join(lines)


def fleet_chart(path, fleet):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: no fleet chart (tools/bench installs it)")
        return False
    ks = [r["ops"] for r in fleet]
    fig, (left, right, parts) = plt.subplots(1, 3, figsize=(18, 5.2))
    series = [
        ("baseline (ping per host)", [r["baseline"]["wall"] for r in fleet], "#7f8c8d", "o", "-"),
        ("baseline + floor", [r["baseline"]["wall"] + r["floor"] for r in fleet], "#27ae60", "", "--"),
        ("apply_agent_states, applying", [r["apply"]["wall"] for r in fleet], "#c0392b", "s", "-"),
        ("apply_agent_states, converged", [r["converged"]["wall"] for r in fleet], "#2980b9", "^", "-"),
    ]
    if all("one_task" in r for r in fleet):
        series.append(("one status task per host, no role", [r["one_task"]["wall"] for r in fleet], "#8e44ad", "x", ":"))
    for label, values, color, marker, style in series:
        left.plot(ks, values, marker=marker or None, linestyle=style, color=color, label=label)
    left.set_xticks(ks)
    left.set_xlabel("operations (inventory hosts), %d agents each, forks=%d" % (fleet[0]["agents"], fleet[0]["forks"]))
    left.set_ylabel("ansible-playbook wall time, s")
    left.set_title("One run over K operations (latency %g ms)" % (fleet[0]["latency"] * 1000))
    left.legend(fontsize=8, loc="upper left")
    left.set_ylim(bottom=0)
    right.plot(ks, [r["conv_ratio"] for r in fleet], marker="^", color="#2980b9", label="converged / baseline")
    right.plot(ks, [r["apply_ratio"] for r in fleet], marker="s", color="#c0392b", label="apply / (baseline + floor)")
    right.axhline(TARGETS["fleet_converged"], color="#2980b9", linestyle="--", linewidth=1,
                  label="target %.1f (converged)" % TARGETS["fleet_converged"])
    right.axhline(TARGETS["fleet_apply"], color="#c0392b", linestyle="--", linewidth=1,
                  label="target %.1f (apply)" % TARGETS["fleet_apply"])
    for r in fleet:
        right.text(r["ops"], r["conv_ratio"] - 0.03, "%.2f" % r["conv_ratio"], ha="center", va="top", fontsize=8,
                   color="#2980b9")
        right.text(r["ops"], r["apply_ratio"] + 0.02, "%.2f" % r["apply_ratio"], ha="center", va="bottom", fontsize=8,
                   color="#c0392b")
    right.set_xticks(ks)
    right.set_xlabel("operations")
    right.set_ylabel("ratio (medians of ratios paired within a repeat)")
    right.set_title("Against the trivial run of the same inventory")
    right.set_ylim(0, max([1.4] + [r["conv_ratio"] + 0.15 for r in fleet] + [r["apply_ratio"] + 0.15 for r in fleet]))
    right.legend(fontsize=8, loc="lower right")
    # Where the time goes: baseline and converged run side by side, stacked by task.
    width = 0.38
    colors = {"outside": "#bdc3c7", "ping": "#7f8c8d", "validate": "#f39c12", "status": "#2980b9", "summary": "#8e44ad"}
    labelled = set()
    for i, r in enumerate(fleet):
        for x, kind in ((i - width / 2, "baseline"), (i + width / 2, "converged")):
            bottom = 0.0
            for part, label in FLEET_TASKS:
                value = r[kind]["tasks"].get(part)
                if not value:
                    continue
                parts.bar(x, value, width * 0.95, bottom=bottom, color=colors[part],
                          label=label if part not in labelled else None)
                labelled.add(part)
                bottom += value
            parts.text(x, bottom + 0.05, "ping" if kind == "baseline" else "conv.", ha="center", fontsize=7)
    parts.set_xticks(range(len(fleet)))
    parts.set_xticklabels(["K=%d" % k for k in ks])
    parts.set_ylabel("s (medians; a task's time spans all its hosts)")
    parts.set_title("Baseline and converged run, by task")
    parts.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def environment_text(args, ansible_version, loads=None):
    text = ("%s; Python %s; ansible-core %s; %d CPU cores; simulator latency %g ms (fleet part: %g ms); %s; %d repeat(s), "
            "medians" % (platform.system(), platform.python_version(), ansible_version, os.cpu_count() or 0,
                         args.latency * 1000, args.fleet_latency * 1000, "HTTPS" if args.tls else "HTTP", args.repeats))
    if loads:
        text += ("; 1-minute load average before each scenario (the benchmark's own runs included): %s to %s (median %s) on "
                 "%d cores"
                 % (fmt(min(loads), 1), fmt(max(loads), 1), fmt(median(loads), 1), os.cpu_count() or 0))
    return text


def command_text(args):
    """The tools/bench command line that reproduces the report."""
    cmd = ("tools/bench --repeats %d --slice %d --sizes %s --latency %g --ops %d --ops-agents %d --memory-records %d"
           % (args.repeats, args.slice, ",".join(str(n) for n in args.sizes), args.latency, args.ops, args.ops_agents,
              args.memory_records))
    cmd += " --converged-runs %d" % args.converged_runs
    cmd += (" --fleet-ops %s --fleet-agents %d --fleet-latency %g --fleet-forks %d"
            % (",".join(str(k) for k in args.fleet_ops), args.fleet_agents, args.fleet_latency, args.fleet_forks))
    if args.only:
        cmd += " --only %s" % ",".join(sorted(args.only))
    if args.skip:
        cmd += " --skip %s" % ",".join(sorted(args.skip))
    return cmd


def fleet_section(args, fleet, has_chart):
    if not fleet:
        return "Not measured (`--skip fleet`).\n"
    first = fleet[0]
    return """A BPO runs many operations (each its own server code and token) from one controller, often every few
minutes. For each K, an inventory of K hosts in the group `wolkvox_operations`, one per operation of the
simulator (each its own server code and token, %(agents)d agents, `wolkvox_agent_status_all: ready`,
`ansible_connection: local`), latency %(latency)g ms, `--forks %(forks)d`; in each repeat and for each K,
one after the other:

1. **baseline**: the cheapest run of that inventory, one `ansible.builtin.ping` task per host delegated to
   localhost (a module process per host);
2. **apply**: `ansible-playbook wolkvox.contact_center.apply_agent_states`, every agent in Logout, so
   %(agents)d changes per operation;
3. **converged**: the same again, nothing to send: the simulator must see exactly one request (the one read)
   per operation;
4. **one task**: one `wolkvox_agent_status` task per host (`all_agents`, `status: ready`), no role, on the
   converged floor: the same API work without the role's argument validation and summary task.

Times are the whole `ansible-playbook` run (its start-up included), medians of %(runs)d repeat(s); ratios are
medians of the ratios within each repeat. The floor of one operation is ceil(%(agents)d/2) x %(latency)g ms =
%(floor)s s (the operations run in parallel, each with its own token; the one read adds one latency more).

%(table)s

Where the time goes (medians, seconds; a task's time runs from its start to its last host's result, so with
K hosts it covers all of them; *outside tasks* is the run's wall time minus its tasks: interpreter start-up,
loading the collection, inventory, play set-up and the end):

%(breakdown)s

%(analysis)s

%(chart)s
""" % {
        "agents": first["agents"], "latency": first["latency"] * 1000, "forks": first["forks"], "runs": first["runs"],
        "floor": fmt(first["floor"]),
        "table": markdown_table(FLEET_HEADER, fleet_rows(fleet)),
        "breakdown": markdown_table(FLEET_BREAKDOWN_HEADER, fleet_breakdown_rows(fleet)),
        "analysis": fleet_analysis(fleet),
        "chart": "![Fleet benchmark chart](%s-fleet.png)" % args.name if has_chart else "No chart.",
    }


def write_report(args, samples, ansible_version):
    med, ratios, floors, memory = summarize(samples, args)
    fleet = fleet_summary(samples)
    rows = rows_of(med, ratios, floors, args)
    table = markdown_table(HEADER, rows) if rows else "Not measured."
    goals = markdown_table(["target", "measured", "verdict"], verdicts(med, ratios, memory, args, fleet))
    mem_text = ""
    if memory:
        mem_text = ("The largest process of the `ansible-playbook` run (the controller and the worker it forks, which runs "
                    "the task in-process) peaked at **%s MB** (resident set, `ru_maxrss`) while the task read an agents "
                    "answer of %d records and planned %d of them; the same run on a 1-agent operation peaks at %s MB: "
                    "the task added **%s MB**.\n" % (
                        fmt(memory["maxrss_mb"], 1), memory["records"], memory["requested"],
                        fmt(memory["baseline_mb"], 1), fmt(memory["maxrss_mb"] - (memory["baseline_mb"] or 0.0), 1)))
    os.makedirs(args.out_dir, exist_ok=True)
    png = os.path.join(args.out_dir, args.name + ".png")
    fleet_png = os.path.join(args.out_dir, args.name + "-fleet.png")
    has_chart = False if args.no_chart or not rows else chart(png, med, floors, args)
    has_fleet_chart = False if args.no_chart or not fleet else fleet_chart(fleet_png, fleet)
    text = """# Benchmarks

Generated by `make bench` (`%(cmd)s`) on %(date)s. Do not edit by hand: re-run it.

Environment: %(env)s.%(note)s

The API allows 2 simultaneous requests per token, so N changes to one operation can never take less
than **ceil(N/2) x latency: the floor**. Every scenario runs against the bundled simulator
(`tools/wolkvox_simulator`, its own process) with that latency injected in every answer and the
2-per-token limit enforced; the scenarios run interleaved, %(repeats)d time(s), and the tables show medians
(ratios are medians of the ratios within each repeat).

## Targets

%(goals)s

## Many operations in one run (fleet)

%(fleet)s
## One operation

Times of (a) to (d) are task times (start of the task to its last result; `ansible-playbook` start-up
excluded). `wolkvox_agent_status` runs in Ansible's own process (the collection's action plugin: no module
process); `ansible.builtin.uri` starts a module process per item. (d) runs %(conv_runs)d time(s) in each
repeat and the median one counts. (e) is the whole play.

%(table)s

- *floor*: ceil(N/2) x latency per token (operations run in parallel, each with its own token); for
  the converged re-run, one request.
- *bare client*: `benchmarks/bare_client.py`, the same requests over 2 kept-alive `http.client`
  connections with no Ansible, no locks and no retries: how much of the floor the simulator itself costs.
- *max in flight per token*: the highest number of simultaneous requests the simulator saw for one token.
- %(nagle)s

### Reading the results

%(analysis)s

### Memory

%(mem)s
### Chart

%(chart)s

## How to run

```bash
make bench                                # default parameters, writes docs/benchmarks.md and docs/benchmarks*.png
tools/bench --repeats 1 --slice 20 --sizes 40,200 --memory-records 6000 --fleet-ops 5,20   # a quick look
tools/bench --only fleet,converged        # the fleet part and the converged single operation only
tools/bench --skip uri,loop,memory        # everything but the slowest single-operation scenarios
tools/bench --only fleet --out-dir /tmp/bench   # a partial run, written elsewhere than docs/
tools/bench --help
```

Every run rewrites the report in `--out-dir` (default `docs/`) with the parts it ran.

The uri loop costs well over 0.25 s per agent, so it runs on a slice (`--slice`) and is compared per agent.
The benchmark is not part of CI; `tests/e2e/test_bench_smoke.py` runs a tiny version of it (the fleet part
included).
""" % {
        "nagle": ("The simulator answers with `TCP_NODELAY` on its connections, as a real server sends a small answer "
                  "at once (before that fix, each kept-alive exchange waited about 40 ms for the client's delayed ACK)."),
        "note": (" " + args.note.strip()) if args.note else "",
        "analysis": "\n".join(t for t in (converged_analysis(converged_parts_summary(samples), med, args),
                                          analysis(med, args)) if t) or "Not enough scenarios ran to say.",
        "cmd": command_text(args), "date": datetime.date.today().isoformat(),
        "env": environment_text(args, ansible_version, samples.get("load")),
        "repeats": args.repeats, "conv_runs": args.converged_runs, "table": table, "goals": goals, "mem": mem_text or "Not measured.\n",
        "fleet": fleet_section(args, fleet, has_fleet_chart),
        "chart": "![Benchmark chart](%s.png)" % args.name if has_chart else "No chart.",
    }
    md = os.path.join(args.out_dir, args.name + ".md")
    with open(md, "w") as handle:
        handle.write(text)
    if args.samples_out:
        with open(args.samples_out, "w") as handle:
            json.dump({"samples": samples, "ansible_version": ansible_version}, handle, indent=1)
    if rows:
        print(table)
        print()
    if fleet:
        print(markdown_table(FLEET_HEADER, fleet_rows(fleet)))
        print()
    print(goals)
    if mem_text:
        print()
        print(mem_text.strip())
    log("wrote %s%s" % (md, "".join(" and %s" % p for p, ok in ((png, has_chart), (fleet_png, has_fleet_chart)) if ok)))


# -- main -----------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark wolkvox_agent_status against the simulator.")
    parser.add_argument("--collections", required=True, help="directory with an installed build (ansible_collections/...)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of every scenario, interleaved (default 3)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds the simulator adds to every answer (default 0.02)")
    parser.add_argument("--slice", type=int, default=200, help="agents in the uri loop and the module loop (default 200)")
    parser.add_argument("--sizes", default="400,2000", help="agents in the bulk task, comma-separated (default 400,2000)")
    parser.add_argument("--converged", type=int, default=None, help="agents in the converged re-run (default: the largest size)")
    parser.add_argument("--converged-runs", type=int, default=3,
                        help="runs of the converged re-run (d) within each repeat; the median one counts (default 3)")
    parser.add_argument("--ops", type=int, default=10, help="operations in parallel for (e) (default 10)")
    parser.add_argument("--ops-agents", type=int, default=200, help="agents per operation for (e) (default 200)")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks for (e) (default 10)")
    parser.add_argument("--memory-records", type=int, default=60000, help="records in the agents answer for memory (default 60000)")
    parser.add_argument("--memory-requested", type=int, default=2000, help="agents the memory task asks for (default 2000)")
    parser.add_argument("--fleet-ops", default="5,10,20,40",
                        help="fleet part: operations (inventory hosts) per run, comma-separated (default 5,10,20,40)")
    parser.add_argument("--fleet-agents", type=int, default=50, help="fleet part: agents per operation (default 50)")
    parser.add_argument("--fleet-latency", type=float, default=0.05,
                        help="fleet part: seconds the simulator adds to every answer (default 0.05)")
    parser.add_argument("--fleet-forks", type=int, default=20, help="fleet part: ansible forks (default 20)")
    parser.add_argument("--tls", action="store_true", help="serve the simulator over HTTPS (default HTTP)")
    parser.add_argument("--only", default="", help="comma-separated parts to run, of: %s (default all)" % ",".join(PARTS))
    parser.add_argument("--skip", default="", help="comma-separated parts not to run (same names as --only)")
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "docs"), help="where the .md and .png go (default docs/)")
    parser.add_argument("--name", default="benchmarks", help="file name of the .md and .png (default benchmarks)")
    parser.add_argument("--no-chart", action="store_true", help="write no PNG")
    parser.add_argument("--workdir", help="scratch directory (default: a new temporary one)")
    parser.add_argument("--note", help="a sentence added to the report's environment line (e.g. the machine's load)")
    parser.add_argument("--samples-out", help="also write every measurement to this JSON file")
    parser.add_argument("--from-samples", help="run nothing: write the report from a --samples-out file (same options)")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(n) for n in args.sizes.split(",") if n.strip())
    if args.converged is None:
        args.converged = max(args.sizes)
    if args.ops > 10:
        parser.error("--ops: the fixture has 10 operations")
    args.fleet_ops = sorted(set(int(k) for k in args.fleet_ops.split(",") if k.strip()))
    if not args.fleet_ops or min(args.fleet_ops) < 1:
        parser.error("--fleet-ops: give one or more numbers of operations, each 1 or more")
    if args.fleet_agents < 1 or args.fleet_forks < 1:
        parser.error("--fleet-agents and --fleet-forks must be 1 or more")
    args.only = set(s.strip() for s in args.only.split(",") if s.strip())
    args.skip = set(s.strip() for s in args.skip.split(",") if s.strip())
    unknown = sorted((args.only | args.skip) - set(PARTS))
    if unknown:
        parser.error("unknown part(s) %s: choose from %s" % (", ".join(unknown), ",".join(PARTS)))
    return args


def main(argv=None):
    args = parse_args(argv)
    # Stopped (kill, CI timeout): unwind, so that the simulators stop and the scratch directory goes.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.from_samples:
        with open(args.from_samples) as handle:
            saved = json.load(handle)
        version = saved.get("ansible_version") if "samples" in saved else None
        if version is None:
            version = subprocess.run([sys.executable, "-c", "import ansible.release as r; print(r.__version__)"],
                                     capture_output=True, text=True, check=True).stdout.strip()
        write_report(args, saved.get("samples", saved), version)
        return 0
    own_workdir = args.workdir is None
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="wolkvox-bench-")
    os.makedirs(args.workdir, exist_ok=True)
    python = sys.executable
    version = subprocess.run([python, "-c", "import ansible.release as r; print(r.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    sim = Simulator(args.workdir, args.latency, tls=args.tls)
    fleet = None
    try:
        ansible = Ansible(args.workdir, os.path.abspath(args.collections), python, sim)
        bench = Bench(args, sim, ansible)

        def want(name):
            return (not args.only or name in args.only) and name not in args.skip

        scenarios = []
        if want("uri"):
            scenarios.append(("uri_loop", bench.uri_loop))
        if want("loop"):
            scenarios.append(("module_loop", bench.module_loop))
        for n in args.sizes:
            if want("bulk"):
                scenarios.append(("bulk_%d" % n, lambda n=n: bench.bulk(n)))
            if want("bare"):
                scenarios.append(("bare_%d" % n, lambda n=n: bench.bare(n)))
        if want("converged"):
            scenarios.append(("converged", lambda: bench.median_run(args.converged_runs,
                                                                    lambda: bench.bulk(args.converged, converged=True))))
            scenarios.append(("converged_parts", lambda: bench.converged_parts(args.converged)))
        if want("ops"):
            scenarios.append(("ops_many", lambda: bench.operations(args.ops)))
            scenarios.append(("ops_one", lambda: bench.operations(1)))
        if want("fleet"):
            log("fleet: a simulator with %d operations x %d agents, latency %g s"
                % (max(args.fleet_ops), args.fleet_agents, args.fleet_latency))
            fleet = Fleet(args, args.workdir, os.path.abspath(args.collections), python)
            for k in args.fleet_ops:
                scenarios.append(("fleet_%d" % k, lambda k=k: fleet.measure(k)))
        samples = dict((scenario[0], []) for scenario in scenarios)
        samples["load"] = []
        for repeat in range(args.repeats):
            for key, func in scenarios:
                log("repeat %d/%d: %s" % (repeat + 1, args.repeats, key))
                samples["load"].append(os.getloadavg()[0])
                result = func()
                if key == "converged_parts":
                    log("  %s" % ", ".join("%s %s s" % (k, fmt(v, 3)) for k, v in sorted(result.items()) if k != "n"))
                elif key.startswith("fleet_"):
                    log("  baseline %s s, apply %s s, converged %s s, one task %s s (%d requests converged)"
                        % (fmt(result["baseline"]["wall"]), fmt(result["apply"]["wall"]), fmt(result["converged"]["wall"]),
                           fmt(result["one_task"]["wall"]), result["converged"]["requests"]))
                else:
                    log("  %s s (%s requests)" % (fmt(result["seconds"], 3), result["requests"]))
                samples[key].append(result)
        if want("memory"):
            log("memory: an agents answer of %d records" % args.memory_records)
            samples["memory"] = [bench.memory(args.memory_records, min(args.memory_requested, args.memory_records))]
            samples["memory_small"] = [bench.memory(1, 1)]
            log("  %s MB (1-agent operation: %s MB)"
                % (fmt(samples["memory"][0]["maxrss_mb"], 1), fmt(samples["memory_small"][0]["maxrss_mb"], 1)))
        write_report(args, samples, version)
    finally:
        sim.stop()
        if fleet is not None:
            fleet.stop()
        if own_workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
