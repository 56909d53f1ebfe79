# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet part of the benchmark (bench.py): K operations in one run of ansible-playbook, in a second
simulator whose fixture is written for the run (K operations, each its own server code and token)."""

from __future__ import annotations

import json
import os

from harness import FLEET_START, Ansible, Simulator, floor_seconds

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
    if "put the agents" in lowered or "apply the desired agent states" in lowered:
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
        self.sim.admin.config(latency=args.fleet_latency)
        fleet_dir = os.path.join(workdir, "fleet")
        os.makedirs(fleet_dir, exist_ok=True)
        self.ansible = Ansible(fleet_dir, collections, python, self.sim)

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
        """Every agent of the first ``count`` operations in Logout (so applying ``ready`` changes them all);
        counters at zero."""
        for name in self.names(count):
            self.sim.prepare(name, self.args.fleet_agents, FLEET_START)

    def _requests(self, count, what, changes_per_op, reads_per_op):
        """The simulator's counts for this run, per operation (by server code); raises if any is off."""
        stats = self.sim.admin.stats()  # with the log of requests
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
