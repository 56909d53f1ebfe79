# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The single-operation scenarios of the benchmark (bench.py), each against the simulator's operations
of benchmarks/fixture.json, each checking what the simulator saw: the uri loop, the module loop, the
bulk task, the bare client, the converged re-run and what it is made of, many operations through the
role, and the memory of a large agents answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from harness import BARE_CLIENT, BIG_START, BULK_START, MEMORY_PROBE, NO_PROXY, OPS_START, import_collections, localhost_play, task_time

STATUS_MODULE = "wolkvox.contact_center.wolkvox_agent_status"


def ids(start, count):
    return [str(start + i) for i in range(count)]


class Scenarios(object):
    """Each scenario prepares its operation, runs once and returns its figures (a dict with at least
    ``n``, ``seconds``, ``wall``, ``requests`` and ``concurrency``)."""

    def __init__(self, args, sim, ansible):
        self.args = args
        self.sim = sim
        self.ansible = ansible

    def _check(self, what, stats, changes, reads):
        requests = stats["requests"]
        if requests["change_status"] != changes or requests["agents"] != reads:
            raise RuntimeError("%s: expected %d changes and %d reads, the simulator saw %s" % (what, changes, reads, requests))
        if any(v for v in stats["busy_rejections"].values()):
            raise RuntimeError("%s: the simulator rejected requests as busy: %s" % (what, stats["busy_rejections"]))
        return max(stats["max_concurrency"].values() or [0])

    def _loop(self, name, task, reads):
        """One task looping over the slice of agents, one per item (``reads``: the reads the loop makes)."""
        n = self.args.slice
        self.sim.prepare("bench", max(self.args.sizes), BULK_START)
        task = dict(task, name=name, loop=ids(BULK_START, n))
        run = self.ansible.run(localhost_play(name, [task]))
        stats = self.sim.stats()
        conc = self._check(name, stats, n, reads)
        return {"n": n, "seconds": task_time(run, name)["duration"], "wall": run["wall"], "requests": stats["total"],
                "concurrency": conc}

    def uri_loop(self):
        server, token = self.sim.connection("bench")
        uri = {
            "url": self.sim.url + "/api/v2/agentbox.php?api=change_status&agent_id={{ item }}&status=ready",
            "method": "POST",
            "headers": {"wolkvox-token": token, "wolkvox_server": server, "Accept": "application/json"},
            "return_content": True,
        }
        if self.sim.ca_path:
            uri["ca_path"] = self.sim.ca_path
        return self._loop("uri loop", {"ansible.builtin.uri": uri}, 0)

    def module_loop(self):
        params = self.ansible.connection("bench")
        params.update({"agent_id": "{{ item }}", "status": "ready", "logged_out_policy": "send"})
        return self._loop("module loop", {STATUS_MODULE: params}, self.args.slice)

    def bulk(self, n, converged=False):
        self.sim.prepare("bench", max([n] + self.args.sizes), BULK_START)
        params = self.ansible.connection("bench")
        # The agents start logged out: send anyway (logged_out_policy: send), the send path is what is measured.
        params.update({"agent_id": ids(BULK_START, n), "status": "logout" if converged else "ready",
                       "logged_out_policy": "send"})
        name = "bulk converged" if converged else "bulk"
        run = self.ansible.run(localhost_play(name, [{"name": name, STATUS_MODULE: params}]))
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
        listed = dict(params, agent_id=ids(BULK_START, n), status="logout")
        out = {"n": n}
        for task in ({"name": "list", STATUS_MODULE: listed},
                     {"name": "all_agents", STATUS_MODULE: dict(params, all_agents=True, status="logout")},
                     {"name": "no_log", STATUS_MODULE: listed, "no_log": True},
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
        import_collections(self.ansible.collections)
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
            task.close_client()
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
        env = dict(os.environ, **NO_PROXY)
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            raise RuntimeError("the bare client failed: %s" % (proc.stdout + proc.stderr)[-2000:])
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        stats = self.sim.stats()
        conc = self._check("bare %d" % n, stats, n, 0)
        return {"n": n, "seconds": result["elapsed"], "wall": result["elapsed"], "requests": stats["total"], "concurrency": conc}

    def operations(self, count):
        """``count`` operations of ``--ops-agents`` agents each, one inventory host each, through the role
        agent_status with ``--forks``: the play's time."""
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
                "wolkvox_agent_status_agents": [{"agent_id": aid, "status": "ready"} for aid in ids(OPS_START, m)],
                "wolkvox_agent_status_logged_out_policy": "send",
            }
        inventory = {"all": {"children": {"wolkvox_operations": {"hosts": hosts}}}}
        play = {"name": "operations", "hosts": "wolkvox_operations", "gather_facts": False,
                "roles": ["wolkvox.contact_center.agent_status"]}
        if self.sim.ca_path:
            play["module_defaults"] = {"group/wolkvox.contact_center.wolkvox": {"ca_path": self.sim.ca_path}}
        run = self.ansible.run([play], inventory=inventory, args=["--forks", str(self.args.forks)])
        stats = self.sim.stats()
        conc = self._check("%d operations" % count, stats, count * m, count)
        if len(stats["max_concurrency"]) != count:
            raise RuntimeError("expected %d tokens at the simulator, saw %d" % (count, len(stats["max_concurrency"])))
        return {"n": count * m, "ops": count, "seconds": run["plays"][0]["duration"], "wall": run["wall"],
                "bulk_task": max(task["duration"] for task in run["tasks"]),
                "requests": stats["total"], "concurrency": conc}

    def memory(self, records, requested):
        """Peak RSS of the processes of ansible-playbook (the controller and its forked worker, which runs
        the task in-process through the collection's action plugin) reading an agents answer of ``records``
        records: the largest of them, as ru_maxrss of the children of a wrapper (memory_probe.py)."""
        self.sim.prepare("big", records, BIG_START)
        probe_out = os.path.join(self.ansible.workdir, "memory.jsonl")
        if os.path.exists(probe_out):
            os.unlink(probe_out)
        params = self.ansible.connection("big")
        params.update({"agent_id": ids(BIG_START, requested), "status": "logout"})
        name = "read %d records" % records
        run = self.ansible.run(localhost_play(name, [{"name": name, STATUS_MODULE: params}]),
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
