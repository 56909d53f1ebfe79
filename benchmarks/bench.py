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

This file is the entry: the options and the order of the runs. The rest, by concern:
  harness.py       paths, targets, number helpers, the simulator (wolkvox_simulator.Running) and ansible-playbook
  scenarios.py     the single-operation scenarios (uri loop to memory)
  fleet.py         the fleet part
  analysis.py      the single operation's medians, table rows, verdicts and reading of the results
  fleet_report.py  the fleet's medians, tables, verdicts, reading and section
  charts.py        the PNG charts (matplotlib)
  report.py        the Markdown page, printed tables and samples
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from fleet import Fleet
from harness import ROOT, Ansible, Simulator, fmt, log
from report import write_report
from scenarios import Scenarios

PARTS = ("uri", "loop", "bulk", "bare", "converged", "ops", "fleet", "memory")


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


def ansible_version(python):
    return subprocess.run([python, "-c", "import ansible.release as r; print(r.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def report_from_samples(args):
    """--from-samples: the report again from a --samples-out file (or from a file of the samples alone)."""
    with open(args.from_samples) as handle:
        saved = json.load(handle)
    version = saved.get("ansible_version") if "samples" in saved else None
    write_report(args, saved.get("samples", saved), version or ansible_version(sys.executable))


def wanted(args, part):
    return (not args.only or part in args.only) and part not in args.skip


def plan(args, scenarios, fleet):
    """The runs of one repeat, in order: (key of the samples, function returning one sample)."""
    runs = []
    if wanted(args, "uri"):
        runs.append(("uri_loop", scenarios.uri_loop))
    if wanted(args, "loop"):
        runs.append(("module_loop", scenarios.module_loop))
    for n in args.sizes:
        if wanted(args, "bulk"):
            runs.append(("bulk_%d" % n, lambda n=n: scenarios.bulk(n)))
        if wanted(args, "bare"):
            runs.append(("bare_%d" % n, lambda n=n: scenarios.bare(n)))
    if wanted(args, "converged"):
        runs.append(("converged", lambda: scenarios.median_run(args.converged_runs,
                                                               lambda: scenarios.bulk(args.converged, converged=True))))
        runs.append(("converged_parts", lambda: scenarios.converged_parts(args.converged)))
    if wanted(args, "ops"):
        runs.append(("ops_many", lambda: scenarios.operations(args.ops)))
        runs.append(("ops_one", lambda: scenarios.operations(1)))
    if fleet is not None:
        for k in args.fleet_ops:
            runs.append(("fleet_%d" % k, lambda k=k: fleet.measure(k)))
    return runs


def log_result(key, result):
    if key == "converged_parts":
        log("  %s" % ", ".join("%s %s s" % (k, fmt(v, 3)) for k, v in sorted(result.items()) if k != "n"))
    elif key.startswith("fleet_"):
        log("  baseline %s s, apply %s s, converged %s s, one task %s s (%d requests converged)"
            % (fmt(result["baseline"]["wall"]), fmt(result["apply"]["wall"]), fmt(result["converged"]["wall"]),
               fmt(result["one_task"]["wall"]), result["converged"]["requests"]))
    else:
        log("  %s s (%s requests)" % (fmt(result["seconds"], 3), result["requests"]))


def measure(args, scenarios, fleet):
    """Every run of the plan, interleaved, --repeats times; then the memory part once. Returns the samples."""
    runs = plan(args, scenarios, fleet)
    samples = dict((key, []) for key, dummy in runs)
    samples["load"] = []
    for repeat in range(args.repeats):
        for key, func in runs:
            log("repeat %d/%d: %s" % (repeat + 1, args.repeats, key))
            samples["load"].append(os.getloadavg()[0])
            result = func()
            log_result(key, result)
            samples[key].append(result)
    if wanted(args, "memory"):
        log("memory: an agents answer of %d records" % args.memory_records)
        samples["memory"] = [scenarios.memory(args.memory_records, min(args.memory_requested, args.memory_records))]
        samples["memory_small"] = [scenarios.memory(1, 1)]
        log("  %s MB (1-agent operation: %s MB)"
            % (fmt(samples["memory"][0]["maxrss_mb"], 1), fmt(samples["memory_small"][0]["maxrss_mb"], 1)))
    return samples


def main(argv=None):
    args = parse_args(argv)
    # Stopped (kill, CI timeout): unwind, so that the simulators stop and the scratch directory goes.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.from_samples:
        report_from_samples(args)
        return 0
    own_workdir = args.workdir is None
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="wolkvox-bench-")
    os.makedirs(args.workdir, exist_ok=True)
    python = sys.executable
    collections = os.path.abspath(args.collections)
    version = ansible_version(python)
    sim = Simulator(args.workdir, args.latency, tls=args.tls)
    fleet = None
    try:
        scenarios = Scenarios(args, sim, Ansible(args.workdir, collections, python, sim))
        if wanted(args, "fleet"):
            log("fleet: a simulator with %d operations x %d agents, latency %g s"
                % (max(args.fleet_ops), args.fleet_agents, args.fleet_latency))
            fleet = Fleet(args, args.workdir, collections, python)
        write_report(args, measure(args, scenarios, fleet), version)
    finally:
        sim.stop()
        if fleet is not None:
            fleet.stop()
        if own_workdir:
            shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
