# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the fault, shared-token, secrets and TLS suites (conftest.py stays as it is)."""

from __future__ import annotations

import fcntl
import glob
import json
import os
import stat
import sys

import yaml

from conftest import TOKENS, run_playbook

SLOTS_DIR = "wolkvox-slots-%d" % os.getuid()


def change_requests(stats, agent_id=None):
    """change_status requests in the simulator's log, optionally for one agent."""
    return [e for e in stats["log"] if e["kind"] == "change_status" and (agent_id is None or e["agent_id"] == agent_id)]


def by_agent(result):
    return dict((a["agent_id"], a) for a in result["agents"])


def assert_accounted(result, wanted_ids):
    """Every requested agent appears once, in request order; the summary adds up."""
    ids = [a["agent_id"] for a in result["agents"]]
    assert ids == list(wanted_ids), ids
    summary = result["summary"]
    assert summary["total"] == len(wanted_ids)
    assert sum(summary[k] for k in ("changed", "unchanged", "skipped", "failed")) == len(wanted_ids)


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


def write_inventory(tmp_path, sim, hosts, per_host, operation="bogota_sales", start=5000, extra_vars=None):
    """An inventory of ``hosts`` hosts that all use the same server and token, each owning a slice
    of ``per_host`` agents (IDs from ``start``)."""
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


def read_results(out):
    results = {}
    for path in sorted(glob.glob(str(out / "*.json"))):
        with open(path) as handle:
            results[os.path.basename(path)[:-5]] = json.load(handle)
    return results


def run_inventory(play, inventory, tmp_path, forks=20, env=None, args=()):
    return run_playbook(play, tmp_path, args=["-i", str(inventory), "-f", str(forks)] + list(args), env=env)


def hits(text, secret):
    """How often a secret, or a telling part of it, occurs in a text."""
    parts = {secret, secret[4:-4] if len(secret) > 16 else secret}
    return sum(text.count(part) for part in parts)


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


def kill_tree(root):
    """SIGKILL ``root`` and every descendant at once (stopped first, so none can fork meanwhile)."""
    import signal

    pids = process_tree(root)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            pass
    pids = process_tree(root)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids
