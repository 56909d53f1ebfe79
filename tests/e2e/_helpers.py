# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the e2e test files, each defined once. conftest.py keeps the fixtures, the simulator
and the ways to run ansible-playbook (run_playbook, run_tasks); everything else is here:

- reading results: recap, summary_lines, by_agent, assert_accounted, change_requests, read_results, hits
- inventories and plays: write_inventory (one host per operation), write_shared_token_inventory
  (many hosts sharing one token), write_slice_play, demo_vars, folded_counts
- running: run_fqcn (a playbook of the collection), run_inventory (a play over an inventory)
- the token's lock files: private_tmpdir, lock_files, assert_locks_free_and_clean
- processes: process_tree, kill_tree
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import re
import signal
import stat
import sys

import yaml

from conftest import ROOT, TOKENS, run_playbook

DEMO_INVENTORY = os.path.join(ROOT, "demo", "inventory", "hosts.yml")
VAULT_PASSWORD = os.path.join(ROOT, "demo", "vault-password.txt")
SLOTS_DIR = "wolkvox-slots-%d" % os.getuid()


# -- reading results ----------------------------------------------------------------------------

def recap(output):
    """host -> {ok, changed, failed, ...} from the PLAY RECAP of a run."""
    found = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        found[host] = dict((key, int(value)) for key, value in re.findall(r"(\w+)=(\d+)", fields))
    return found


def summary_lines(output):
    """operation -> the role's one-line summary of it."""
    return dict(re.findall(r'"msg": "(\w+) \(server \w+\): ([^"]*)"', output))


def by_agent(result):
    """agent_id -> its entry in a wolkvox_agent_status result."""
    return dict((a["agent_id"], a) for a in result["agents"])


def assert_accounted(result, wanted_ids):
    """Every requested agent appears once, in request order; the summary adds up."""
    ids = [a["agent_id"] for a in result["agents"]]
    assert ids == list(wanted_ids), ids
    summary = result["summary"]
    assert summary["total"] == len(wanted_ids)
    assert sum(summary.get(k, 0) for k in ("changed", "unchanged", "skipped", "pending", "failed")) == len(wanted_ids)


def change_requests(stats, agent_id=None):
    """change_status requests in the simulator's log, optionally for one agent."""
    return [e for e in stats["log"] if e["kind"] == "change_status" and (agent_id is None or e["agent_id"] == agent_id)]


def read_results(out):
    """host -> the result a play of write_slice_play kept in ``out``."""
    results = {}
    for path in sorted(glob.glob(str(out / "*.json"))):
        with open(path) as handle:
            results[os.path.basename(path)[:-5]] = json.load(handle)
    return results


def hits(text, secret):
    """How often a secret, or a telling part of it, occurs in a text."""
    parts = {secret, secret[4:-4] if len(secret) > 16 else secret}
    return sum(text.count(part) for part in parts)


# -- inventories and plays ----------------------------------------------------------------------

def write_inventory(tmp_path, sim, operations, name="hosts.yml"):
    """An inventory with one host per operation (plain tokens: test only) in group wolkvox_operations.

    operations: {operation name: {extra host vars}}."""
    hosts = {}
    for operation, extra in operations.items():
        server, token = TOKENS[operation]
        values = {"wolkvox_server": server, "wolkvox_token": token, "wolkvox_api_url": sim.url}
        values.update(extra)
        hosts[operation] = values
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"wolkvox_operations": {"hosts": hosts}}, sort_keys=False))
    return path


def write_shared_token_inventory(tmp_path, sim, hosts, per_host, operation="bogota_sales", start=5000, extra_vars=None):
    """An inventory of ``hosts`` hosts in group ``ops`` that all use the same server and token, each
    owning a slice of ``per_host`` agents (IDs from ``start``) in its ``my_agents``."""
    server, token = TOKENS[operation]
    inventory = {"ops": {"hosts": {}, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "wv_server": server,
        "wv_token": token,
        "wv_url": sim.url,
    }}}
    inventory["ops"]["vars"].update(extra_vars or {})
    for index in range(hosts):
        first = start + index * per_host
        inventory["ops"]["hosts"]["op%02d" % index] = {
            "my_agents": [str(first + i) for i in range(per_host)],
        }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path


def write_slice_play(tmp_path, status="ready", module_extra=None, task_extra=None):
    """A play over group ``ops``: each host moves its own agents, then writes its result to a file."""
    params = {
        "wolkvox_server": "{{ wv_server }}",
        "wolkvox_token": "{{ wv_token }}",
        "api_url": "{{ wv_url }}",
        "retry_delay": 0.01,
        "agent_id": "{{ my_agents }}",
        "status": status,
    }
    params.update(module_extra or {})
    task = {"name": "move my agents", "wolkvox.contact_center.wolkvox_agent_status": params,
            "register": "moved", "ignore_errors": True}
    task.update(task_extra or {})
    out = tmp_path / "results"
    out.mkdir(exist_ok=True)
    play = [{
        "hosts": "ops", "gather_facts": False,
        "tasks": [
            task,
            {"name": "keep the result", "ansible.builtin.copy": {
                "content": "{{ moved | to_json }}", "dest": str(out) + "/{{ inventory_hostname }}.json", "mode": "0600"}},
        ],
    }]
    path = tmp_path / "slices.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path, out


def demo_vars(operation):
    """The desired-state variables of an operation of the demo inventory."""
    path = os.path.join(ROOT, "demo", "inventory", "host_vars", operation, "vars.yml")
    with open(path) as handle:
        return yaml.safe_load(handle)


def folded_counts(states):
    """label -> count of {agent_id: label}, labels compared as the collection does."""
    counts = {}
    for label in states.values():
        key = label.strip().casefold()
        counts[key] = counts.get(key, 0) + 1
    return counts


# -- running ------------------------------------------------------------------------------------

def run_fqcn(sim, tmp_path, playbook, *args, inventory=None):
    """ansible-playbook wolkvox.contact_center.PLAYBOOK, from the installed build, against the
    simulator: the demo inventory (vaulted tokens) unless another inventory is given."""
    extra = ["-e", "wolkvox_api_url=%s" % sim.url] if inventory is None else []
    if inventory is None:
        extra += ["--vault-password-file", VAULT_PASSWORD]
    return run_playbook("wolkvox.contact_center.%s" % playbook, tmp_path, args=extra + list(args),
                        inventory=inventory or DEMO_INVENTORY)


def run_inventory(play, inventory, tmp_path, forks=20, env=None, args=()):
    """ansible-playbook PLAY over INVENTORY with ``forks`` forks."""
    return run_playbook(play, tmp_path, args=["-i", str(inventory), "-f", str(forks)] + list(args), env=env)


# -- the token's lock files ---------------------------------------------------------------------

def private_tmpdir(tmp_path, name="tmp"):
    """A private TMPDIR for the modules of one run, so its lock files are this test's alone."""
    path = tmp_path / name
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path)


def lock_files(tmpdir):
    return sorted(glob.glob(os.path.join(tmpdir, SLOTS_DIR, "*.lock")))


def assert_locks_free_and_clean(tmpdir, secrets):
    """Every lock file can be taken at once (no slot left held), and none names or holds a secret."""
    directory = os.path.join(tmpdir, SLOTS_DIR)
    info = os.lstat(directory)
    assert stat.S_ISDIR(info.st_mode) and info.st_mode & 0o077 == 0, oct(info.st_mode)
    paths = lock_files(tmpdir)
    assert paths, "no lock file was made in %s" % directory
    for path in paths:
        for secret in secrets:
            assert secret not in os.path.basename(path)
        with open(path, "rb") as handle:
            content = handle.read()
            assert content == b"", "a lock file has content"
            assert os.fstat(handle.fileno()).st_mode & 0o077 == 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return paths


# -- processes ----------------------------------------------------------------------------------

def process_tree(root):
    """The PIDs of ``root`` and all its descendants (Linux /proc). ansible-core's workers call
    setsid(), so killing ansible-playbook's process group does not reach them or their modules."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _signal_tree(root, sig):
    """Send ``sig`` to ``root`` and every descendant; return their PIDs."""
    pids = process_tree(root)
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    return pids


def kill_tree(root):
    """SIGKILL ``root`` and every descendant at once (stopped first, so none can fork meanwhile)."""
    _signal_tree(root, signal.SIGSTOP)
    return _signal_tree(root, signal.SIGKILL)
