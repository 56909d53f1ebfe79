# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bulk hot path against the API's floor: N changes to one operation, 2 requests in flight per token.

The floor is ceil(N/2) x latency. Against the simulator (its own process, that latency injected in every
answer, the 2-per-token limit enforced) this times, interleaved and repeated (best and median of the runs):

  engine         WolkvoxClient.change_many over the N changes, in this process (no Ansible)
  playbook       one wolkvox_agent_status task for the N agents in ansible-playbook (the task time)
  bare-requests  a bare requests client: one Session per thread, 2 threads, session.post(), no Ansible
  bare-http      benchmarks/bare_client.py: http.client over 2 kept-alive connections, no Ansible

For each run it prints the time, the ratio to the floor, the CPU of the client side per request (for
playbook: every process of the ansible-playbook run, its start-up included) and of the simulator per
request, and the 1-minute load average of the machine beside it (the simulator and the client share the
machine's cores: on a loaded machine every ratio rises; compare modes and versions run by run).

  python benchmarks/bulk_floor.py                           # N=2000, 20 ms, 3 runs of every mode
  python benchmarks/bulk_floor.py --modes engine --runs 5   # the engine alone
  python benchmarks/bulk_floor.py --collections DIR         # another version: DIR/ansible_collections/wolkvox/contact_center
  python benchmarks/bulk_floor.py --json                    # one JSON line at the end as well
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position

FIXTURE = os.path.join(HERE, "fixture.json")
CALLBACKS = os.path.join(HERE, "callback_plugins")
BARE_CLIENT = os.path.join(HERE, "bare_client.py")
START = 10000
MODES = ("engine", "playbook", "bare-requests", "bare-http")
NO_PROXY = "127.0.0.1,localhost"


def floor_seconds(n, latency, per_token=2):
    return math.ceil(n / float(per_token)) * latency


def proc_cpu(pid):
    """CPU seconds (user + system) of a process so far, from /proc; None where there is no /proc."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Bench(object):
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        with open(FIXTURE) as handle:
            op = [o for o in json.load(handle)["operations"] if o["name"] == "bench"][0]
        self.server, self.token = op["server"], op["token"]
        self.sim = wolkvox_simulator.Running(FIXTURE, workdir, latency=args.latency, tls=args.tls, admin_timeout=120)
        self.proc, self.url, self.ca_path = self.sim.proc, self.sim.url, self.sim.ca_path
        self.admin = self.sim.admin.admin
        self.collections = args.collections or self._link_collection()
        if self.collections not in sys.path:
            sys.path.insert(0, self.collections)
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = NO_PROXY
        if self.ca_path:
            os.environ["REQUESTS_CA_BUNDLE"] = self.ca_path

    def _link_collection(self):
        """A collections path whose wolkvox.contact_center is this checkout (a symlink)."""
        base = os.path.join(self.workdir, "collections")
        parent = os.path.join(base, "ansible_collections", "wolkvox")
        os.makedirs(parent)
        os.symlink(ROOT, os.path.join(parent, "contact_center"))
        return base

    def stop(self):
        self.sim.stop()

    def prepare(self):
        self.admin("/__admin/agents", {"operation": "bench", "replace": True, "generate": self.args.n,
                                       "status": "Logout", "start": START})
        self.admin("/__admin/reset", {"state": False})

    def check(self, mode, reads):
        stats = self.admin("/__admin/stats")
        requests = stats["requests"]
        if requests["change_status"] != self.args.n or requests["agents"] != reads:
            raise RuntimeError("%s: expected %d changes and %d reads, the simulator saw %s"
                               % (mode, self.args.n, reads, requests))
        if any(stats["busy_rejections"].values()):
            raise RuntimeError("%s: busy rejections %s" % (mode, stats["busy_rejections"]))
        return max(list(stats["max_concurrency"].values()) or [0])

    def ids(self):
        return [str(START + i) for i in range(self.args.n)]

    # -- the modes: each returns (seconds, client CPU seconds, reads the simulator must have seen) -----

    def engine(self):
        # pylint: disable=import-outside-toplevel,import-error
        from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
        client = WolkvoxClient(self.server, self.token, api_url=self.url, ca_path=self.ca_path)
        changes = [(agent_id, "ready") for agent_id in self.ids()]
        cpu, began = time.process_time(), time.perf_counter()
        results = client.change_many(changes)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        client.close()
        failed = [r for r in results if not r[0]]
        if failed or client.api_calls != self.args.n:
            raise RuntimeError("engine: %d failed (%s), %d api_calls" % (len(failed), failed[:1], client.api_calls))
        return seconds, cpu, 0

    def playbook(self):
        params = {"wolkvox_server": self.server, "wolkvox_token": self.token, "api_url": self.url,
                  "agent_id": self.ids(), "status": "ready", "logged_out_policy": "send"}
        if self.ca_path:
            params["ca_path"] = self.ca_path
        play = [{"name": "bulk", "hosts": "localhost", "gather_facts": False,
                 "tasks": [{"name": "bulk", "wolkvox.contact_center.wolkvox_agent_status": params}]}]
        path, timing = os.path.join(self.workdir, "bulk.yml"), os.path.join(self.workdir, "timing.json")
        with open(path, "w") as handle:
            json.dump(play, handle)
        bindir = os.path.dirname(sys.executable)
        playbook = os.path.join(bindir, "ansible-playbook")
        if not os.path.exists(playbook):
            playbook = shutil.which("ansible-playbook")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="wolkvox_bench_timer",
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
                   ANSIBLE_HOME=os.path.join(self.workdir, "ansible-home"),
                   ANSIBLE_LOCAL_TEMP=os.path.join(self.workdir, "ansible-tmp"), WOLKVOX_BENCH_TIMING=timing)
        cpu = children_cpu()
        proc = subprocess.run([playbook, "-i", "localhost,", "-c", "local", path], cwd=self.workdir, env=env,
                              capture_output=True, text=True, check=False)
        cpu = children_cpu() - cpu
        if proc.returncode != 0:
            raise RuntimeError("ansible-playbook failed:\n%s" % (proc.stdout + proc.stderr)[-3000:])
        with open(timing) as handle:
            task = [t for t in json.load(handle)["tasks"] if t["name"] == "bulk"][0]
        if (task.get("summary") or {}).get("changed") != self.args.n:
            raise RuntimeError("playbook: the summary is %s" % task.get("summary"))
        return task["end"] - task["start"], cpu, 1

    def bare_requests(self):
        import requests  # pylint: disable=import-outside-toplevel
        headers = {"wolkvox-token": self.token, "wolkvox_server": self.server, "Accept": "application/json"}
        url = self.url + "/api/v2/agentbox.php"
        cursor, lock, errors = iter(self.ids()), threading.Lock(), []

        def worker():
            with requests.Session() as session:
                while True:
                    with lock:
                        agent_id = next(cursor, None)
                    if agent_id is None:
                        return
                    answer = session.post(url, params={"api": "change_status", "agent_id": agent_id, "status": "ready"},
                                          headers=headers, timeout=30, allow_redirects=False,
                                          verify=self.ca_path or True)
                    if answer.status_code != 200 or answer.json().get("error"):
                        errors.append(answer.text)

        threads = [threading.Thread(target=worker) for dummy in range(2)]
        cpu, began = time.process_time(), time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        if errors:
            raise RuntimeError("bare-requests: %d errors (%s)" % (len(errors), errors[0][:200]))
        return seconds, cpu, 0

    def bare_http(self):
        cmd = [sys.executable, BARE_CLIENT, "--url", self.url, "--server", self.server, "--token", self.token,
               "--start", str(START), "--count", str(self.args.n), "--status", "ready", "--threads", "2"]
        if self.ca_path:
            cmd += ["--ca-path", self.ca_path]
        cpu = children_cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        cpu = children_cpu() - cpu
        if proc.returncode != 0:
            raise RuntimeError("the bare client failed: %s" % (proc.stdout + proc.stderr)[-2000:])
        return json.loads(proc.stdout.strip().splitlines()[-1])["elapsed"], cpu, 0

    def run(self, mode):
        self.prepare()
        sim_cpu = proc_cpu(self.proc.pid)
        seconds, cpu, reads = getattr(self, mode.replace("-", "_"))()
        sim_cpu = proc_cpu(self.proc.pid) - sim_cpu if sim_cpu is not None else None
        concurrency = self.check(mode, reads)
        floor = floor_seconds(self.args.n, self.args.latency)
        return {"mode": mode, "n": self.args.n, "seconds": seconds, "floor": floor, "ratio": seconds / floor,
                "client_cpu_ms": cpu / self.args.n * 1000,
                "sim_cpu_ms": sim_cpu / (self.args.n + reads) * 1000 if sim_cpu is not None else None,
                "load1": os.getloadavg()[0], "max_in_flight": concurrency}


def line(result):
    sim = "%.3f" % result["sim_cpu_ms"] if result["sim_cpu_ms"] is not None else "-"
    return ("%-13s N=%d  %7.3f s  floor %.2f s  x%.4f  (load %.2f)  client CPU %.3f ms/req  simulator CPU %s ms/req  "
            "max in flight %d" % (result["mode"], result["n"], result["seconds"], result["floor"], result["ratio"],
                                  result["load1"], result["client_cpu_ms"], sim, result["max_in_flight"]))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="agents changed in one task (default 2000)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds the simulator adds to every answer")
    parser.add_argument("--runs", type=int, default=3, help="runs of each mode, interleaved (default 3)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated, of: %s" % ", ".join(MODES))
    parser.add_argument("--collections", help="a collections path holding wolkvox.contact_center "
                                              "(default: this checkout, through a symlink in a temporary directory)")
    parser.add_argument("--tls", action="store_true", help="HTTPS, with the simulator's throw-away CA")
    parser.add_argument("--json", action="store_true", help="print every result as JSON at the end as well")
    args = parser.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in args.modes if m not in MODES]
    if unknown:
        parser.error("unknown mode(s): %s" % ", ".join(unknown))
    return args


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="wolkvox-bulk-floor.")
    bench = Bench(args, workdir)
    results = []
    try:
        for run in range(args.runs):
            for mode in args.modes:
                result = bench.run(mode)
                result["run"] = run + 1
                results.append(result)
                print("run %d  %s" % (run + 1, line(result)), flush=True)
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nbest of %d run(s) (the median ratio in brackets), %d CPU cores:" % (args.runs, os.cpu_count() or 0))
    for mode in args.modes:
        mine = [r for r in results if r["mode"] == mode]
        best = min(mine, key=lambda r: r["seconds"])
        print("  %s  [median x%.4f]" % (line(best), statistics.median(r["ratio"] for r in mine)))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
