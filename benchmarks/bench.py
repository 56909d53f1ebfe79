# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How close wolkvox_agent_status gets to the API's floor, next to what users would do instead.

The API allows 2 simultaneous requests per token, so N changes to one operation take at least
ceil(N / 2) x latency: the floor. Against the simulator (tools/wolkvox_simulator.py, in its own
process, with injected latency) this measures, interleaved and repeated (medians are reported):

  uri loop      ansible.builtin.uri in a loop, one agent per item (the baseline), on a slice
  module loop   wolkvox_agent_status in a loop, one agent per item, on the same slice
  bulk N        one wolkvox_agent_status task for N agents
  bare N        a bare client (http.client, 2 kept-alive connections, no Ansible), same N changes
  converged     the bulk task again when every agent is already in its state: requests and time
  ops x10       10 operations x M agents (10 tokens) with forks=10, through the role agent_status
                (or, while the role is missing, one bulk task per host delegated to localhost)
  ops x1        the same for one operation
  memory        the module process's peak RSS while it reads an agents answer of 60,000 records

and writes a Markdown table and a PNG chart (docs/benchmarks.md, docs/benchmarks.png).
Run it with tools/bench (or make bench), which builds and installs the collection first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIMULATOR = os.path.join(ROOT, "tools", "wolkvox_simulator.py")
sys.path.insert(0, os.path.dirname(SIMULATOR))
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position
FIXTURE = os.path.join(HERE, "fixture.json")
CALLBACKS = os.path.join(HERE, "callback_plugins")
BARE_CLIENT = os.path.join(HERE, "bare_client.py")
MEMORY_PROBE = os.path.join(HERE, "memory_probe.py")
BULK_START = 10000
OPS_START = 20000
BIG_START = 100000

TARGETS = {
    "bulk_vs_bare": 1.05,
    "speedup_vs_uri": 22.0,
    "converged_requests": 1,
    "converged_wall": 1.5,
    "ops_ratio": 1.2,
    "memory_mb": 100.0,
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
        self.context = ssl.create_default_context(cafile=self.ca_path) if self.ca_path else None
        self.latency = latency

    def admin(self, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self.context))
        with opener.open(request, timeout=120) as response:
            return json.loads(response.read().decode())

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

    def run(self, plays, inventory=None, args=(), env=None):
        """Run plays (a list, dumped as JSON, which is YAML); returns wall time, tasks and plays."""
        self.counter += 1
        base = os.path.join(self.workdir, "run%04d" % self.counter)
        playbook, timing = base + ".yml", base + ".timing.json"
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
        began = time.perf_counter()
        proc = subprocess.run([self.playbook_bin] + inv_args + [playbook] + list(args), cwd=self.workdir, env=environ,
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
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
        return {"wall": wall, "tasks": tasks, "plays": plays}


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
        params.update({"agent_id": "{{ item }}", "status": "ready"})
        task = {"name": "module loop", "wolkvox.contact_center.wolkvox_agent_status": params, "loop": self.ids(BULK_START, n)}
        run = self.ansible.run(localhost_play("module loop", [task]))
        stats = self.sim.stats()
        conc = self._check("module loop", stats, n, n)
        seconds = task_time(run, "module loop")["duration"]
        return {"n": n, "seconds": seconds, "wall": run["wall"], "requests": stats["total"], "concurrency": conc}

    def bulk(self, n, converged=False):
        self.sim.prepare("bench", max([n] + self.args.sizes), BULK_START)
        params = self.ansible.connection("bench")
        params.update({"agent_id": self.ids(BULK_START, n), "status": "logout" if converged else "ready"})
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
        """Peak RSS of the module process reading an agents answer of ``records`` records."""
        self.sim.prepare("big", records, BIG_START)
        probe_out = os.path.join(self.ansible.workdir, "memory.jsonl")
        if os.path.exists(probe_out):
            os.unlink(probe_out)
        wrapper = os.path.join(self.ansible.workdir, "rss-python")
        with open(wrapper, "w") as handle:
            handle.write('#!/bin/sh\nexec "%s" "%s" "%s" "$@"\n' % (self.ansible.python, MEMORY_PROBE, probe_out))
        os.chmod(wrapper, 0o755)
        params = self.ansible.connection("big")
        params.update({"agent_id": self.ids(BIG_START, requested), "status": "logout"})
        name = "read %d records" % records
        run = self.ansible.run(localhost_play(name, [{"name": name, "wolkvox.contact_center.wolkvox_agent_status": params}]),
                               env={"ANSIBLE_PYTHON_INTERPRETER": wrapper})
        with open(probe_out) as handle:
            lines = [json.loads(line) for line in handle if line.strip()]
        if len(lines) != 1:
            raise RuntimeError("expected one module process, the probe saw %d" % len(lines))
        stats = self.sim.stats()
        self._check(name, stats, 0, 1)
        task = task_time(run, name)
        return {"records": records, "requested": requested, "maxrss_mb": lines[0]["maxrss_kb"] / 1024.0,
                "seconds": task["duration"]}


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
        if key.startswith("memory"):
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


def verdicts(med, ratios, memory, args):
    big = ratios["big"]
    out = []

    def add(target, measured, ok, why=""):
        out.append([target, measured, ("met" if ok else "missed") + (" " + why if why else "")])

    bvb = ratios["bulk_vs_bare"].get(big, float("nan"))
    if math.isnan(bvb):
        bvb = None
    bulk_floor = med["bulk_%d" % big]["seconds"] / floor_seconds(big, args.latency) if "bulk_%d" % big in med else float("nan")
    bare_floor = med["bare_%d" % big]["seconds"] / floor_seconds(big, args.latency) if "bare_%d" % big in med else float("nan")
    if bvb is not None:
        add("bulk N=%d <= %.2fx the bare client" % (big, TARGETS["bulk_vs_bare"]),
            "%sx the bare client (bulk %sx floor, bare client %sx floor)" % (fmt(bvb, 3), fmt(bulk_floor, 3), fmt(bare_floor, 3)),
            bvb <= TARGETS["bulk_vs_bare"],
            "" if bvb <= TARGETS["bulk_vs_bare"] else "by %s%%" % fmt((bvb / TARGETS["bulk_vs_bare"] - 1) * 100, 1))
    speed = ratios["uri_vs_bulk"].get(big, float("nan"))
    if not math.isnan(speed):
        add("per agent, bulk N=%d >= %.0fx faster than the uri loop" % (big, TARGETS["speedup_vs_uri"]),
            "%sx" % fmt(speed, 1), speed >= TARGETS["speedup_vs_uri"],
            "" if speed >= TARGETS["speedup_vs_uri"] else "by %s%%" % fmt((1 - speed / TARGETS["speedup_vs_uri"]) * 100, 1))
    if "converged" in med:
        c = med["converged"]
        ok = c["requests"] == TARGETS["converged_requests"] and c["seconds"] <= TARGETS["converged_wall"]
        add("converged re-run N=%d: exactly 1 request, <= %.1f s" % (c["n"], TARGETS["converged_wall"]),
            "%d request(s), %s s (whole ansible-playbook run %s s)" % (c["requests"], fmt(c["seconds"]), fmt(c["wall"])), ok)
    ops = ratios["ops_ratio"]
    if not math.isnan(ops):
        add("%d operations x %d agents, forks=%d <= %.1fx one operation" % (args.ops, args.ops_agents, args.forks, TARGETS["ops_ratio"]),
            "%sx" % fmt(ops), ops <= TARGETS["ops_ratio"],
            "" if ops <= TARGETS["ops_ratio"] else "by %s%%" % fmt((ops / TARGETS["ops_ratio"] - 1) * 100, 1))
    if memory:
        add("peak memory reading %d agent records < %.0f MB" % (memory["records"], TARGETS["memory_mb"]),
            "%s MB" % fmt(memory["maxrss_mb"], 1) + (" (an empty task: %s MB)" % fmt(memory["baseline_mb"], 1) if memory["baseline_mb"] else ""),
            memory["maxrss_mb"] < TARGETS["memory_mb"])
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
            "- **bulk N=%d against the bare client** (%s s more): the module's fixed cost (start the module process, "
            "import, read the agents list once, return %d results) is about the converged re-run's time, %s s (%s%% of "
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
            "most %d per token and no busy rejection), so the API side is parallel. What does not fit is CPU: %d module "
            "processes start at once and make %d requests within about the %s s floor, on %d cores shared with the "
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
                   "argument validation, input checks and the summary line of the role" if many.get("via") == "role"
                   else "none besides the bulk task", fmt(many["seconds"] - many["bulk_task"]),
                   fmt(one["seconds"] - one["bulk_task"]), args.ops))
    if "uri_loop" in med and "module_loop" in med:
        lines.append(
            "- **the loops**: one module process per agent costs %s ms (uri) and %s ms (wolkvox_agent_status, which also "
            "reads the agents list each time) per agent, against %s ms in one bulk task: use one task for many agents."
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


def environment_text(args, ansible_version):
    return ("%s; Python %s; ansible-core %s; %d CPU cores; simulator latency %g ms; %s; %d repeat(s), medians"
            % (platform.system(), platform.python_version(), ansible_version, os.cpu_count() or 0, args.latency * 1000,
               "HTTPS" if args.tls else "HTTP", args.repeats))


def write_report(args, samples, ansible_version):
    med, ratios, floors, memory = summarize(samples, args)
    rows = rows_of(med, ratios, floors, args)
    table = markdown_table(HEADER, rows)
    goals = markdown_table(["target", "measured", "verdict"], verdicts(med, ratios, memory, args))
    mem_text = ""
    if memory:
        mem_text = ("The module process peaked at **%s MB** (resident set, `ru_maxrss`) while it read an agents answer of "
                    "%d records and planned %d of them%s.\n" % (
                        fmt(memory["maxrss_mb"], 1), memory["records"], memory["requested"],
                        "; the same module on a 1-agent operation peaks at %s MB" % fmt(memory["baseline_mb"], 1)
                        if memory["baseline_mb"] else ""))
    os.makedirs(args.out_dir, exist_ok=True)
    png = os.path.join(args.out_dir, args.name + ".png")
    has_chart = False if args.no_chart else chart(png, med, floors, args)
    cmd = ("tools/bench --repeats %d --slice %d --sizes %s --latency %g --ops %d --ops-agents %d --memory-records %d"
           % (args.repeats, args.slice, ",".join(str(n) for n in args.sizes), args.latency, args.ops, args.ops_agents,
              args.memory_records))
    text = """# Benchmarks

Generated by `make bench` (`%(cmd)s`) on %(date)s. Do not edit by hand: re-run it.

Environment: %(env)s.%(note)s

The API allows 2 simultaneous requests per token, so N changes to one operation can never take less
than **ceil(N/2) x latency: the floor**. Every scenario runs against the bundled simulator
(`tools/wolkvox_simulator.py`, its own process) with that latency injected in every answer and the
2-per-token limit enforced; the scenarios run interleaved, %(repeats)d time(s), and the table shows medians
(ratios are medians of the ratios within each repeat). Times of Ansible scenarios are task times
(start of the task to its last result: module start-up included, `ansible-playbook` start-up excluded);
(e) is the whole play.

## Results

%(table)s

- *floor*: ceil(N/2) x latency per token (operations run in parallel, each with its own token); for
  the converged re-run, one request.
- *bare client*: `benchmarks/bare_client.py`, the same requests over 2 kept-alive `http.client`
  connections with no Ansible, no locks and no retries: how much of the floor the simulator itself costs.
- *max in flight per token*: the highest number of simultaneous requests the simulator saw for one token.
- %(nagle)s

## Targets

%(goals)s

## Reading the results

%(analysis)s

## Memory

%(mem)s
## Chart

%(chart)s

## How to run

```bash
make bench                                # default parameters, writes docs/benchmarks.md and docs/benchmarks.png
tools/bench --repeats 1 --slice 20 --sizes 40,200 --memory-records 6000   # a quick look
tools/bench --help
```

The uri loop costs well over 0.25 s per agent, so it runs on a slice (`--slice`) and is compared per agent.
The benchmark is not part of CI; `tests/e2e/test_bench_smoke.py` runs a tiny version of it.
""" % {
        "nagle": ("The simulator answers with `TCP_NODELAY` on its connections, as a real server sends a small answer "
                  "at once (before that fix, each kept-alive exchange waited about 40 ms for the client's delayed ACK)."),
        "note": (" " + args.note.strip()) if args.note else "",
        "analysis": analysis(med, args) or "Not enough scenarios ran to say.",
        "cmd": cmd, "date": datetime.date.today().isoformat(), "env": environment_text(args, ansible_version),
        "repeats": args.repeats, "table": table, "goals": goals, "mem": mem_text or "Not measured.\n",
        "chart": "![Benchmark chart](%s.png)" % args.name if has_chart else "No chart (matplotlib is not installed).",
    }
    md = os.path.join(args.out_dir, args.name + ".md")
    with open(md, "w") as handle:
        handle.write(text)
    if args.samples_out:
        with open(args.samples_out, "w") as handle:
            json.dump({"samples": samples, "ansible_version": ansible_version}, handle, indent=1)
    print(table)
    print()
    print(goals)
    if mem_text:
        print()
        print(mem_text.strip())
    log("wrote %s%s" % (md, " and %s" % png if has_chart else ""))


# -- main -----------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark wolkvox_agent_status against the simulator.")
    parser.add_argument("--collections", required=True, help="directory with an installed build (ansible_collections/...)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of every scenario, interleaved (default 3)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds the simulator adds to every answer (default 0.02)")
    parser.add_argument("--slice", type=int, default=200, help="agents in the uri loop and the module loop (default 200)")
    parser.add_argument("--sizes", default="400,2000", help="agents in the bulk task, comma-separated (default 400,2000)")
    parser.add_argument("--converged", type=int, default=None, help="agents in the converged re-run (default: the largest size)")
    parser.add_argument("--ops", type=int, default=10, help="operations in parallel for (e) (default 10)")
    parser.add_argument("--ops-agents", type=int, default=200, help="agents per operation for (e) (default 200)")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks for (e) (default 10)")
    parser.add_argument("--memory-records", type=int, default=60000, help="records in the agents answer for memory (default 60000)")
    parser.add_argument("--memory-requested", type=int, default=2000, help="agents the memory task asks for (default 2000)")
    parser.add_argument("--tls", action="store_true", help="serve the simulator over HTTPS (default HTTP)")
    parser.add_argument("--only", default="", help="comma-separated scenarios: uri,loop,bulk,bare,converged,ops,memory")
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
    args.only = set(s.strip() for s in args.only.split(",") if s.strip())
    return args


def main(argv=None):
    args = parse_args(argv)
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
    try:
        ansible = Ansible(args.workdir, os.path.abspath(args.collections), python, sim)
        bench = Bench(args, sim, ansible)

        def want(name):
            return not args.only or name in args.only

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
            scenarios.append(("converged", lambda: bench.bulk(args.converged, converged=True)))
        if want("ops"):
            scenarios.append(("ops_many", lambda: bench.operations(args.ops)))
            scenarios.append(("ops_one", lambda: bench.operations(1)))
        samples = dict((scenario[0], []) for scenario in scenarios)
        for repeat in range(args.repeats):
            for key, func in scenarios:
                log("repeat %d/%d: %s" % (repeat + 1, args.repeats, key))
                result = func()
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
        if own_workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
