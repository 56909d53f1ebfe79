# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/ci/plan.sh, the plan step of the example CI pipelines, against the simulator.

Its exit code says whether anything would change: 0 nothing, 2 changes pending, 1 failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

from conftest import ROOT, collections_path, connection

PLAN = os.path.join(ROOT, "docs", "ci", "plan.sh")


def write_playbook(tmp_path, sim, agents, **extra):
    params = connection(sim)
    params.update(extra)
    params["agents"] = agents
    play = [{
        "name": "Desired agent states",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": "Agents in their desired state", "wolkvox.contact_center.wolkvox_agent_status": params}],
    }]
    path = tmp_path / "desired.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def plan(tmp_path, playbook, apply=False):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "PLAN_LOG": str(tmp_path / "plan.log"),
    })
    if apply:
        command = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)]
    else:
        command = ["bash", PLAN, "-i", "localhost,", "-c", "local", str(playbook)]
    proc = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_plan_exit_codes_follow_pending_changes(fresh, tmp_path):
    # 1004 (Lunch) is logged in and not in a contact: a change the plan must see; 1003 is already Ready.
    playbook = write_playbook(tmp_path, fresh, [{"agent_id": "1004", "status": "ready"}, {"agent_id": "1003", "status": "ready"}],
                              status_labels={"8": "Lunch"})

    rc, output = plan(tmp_path, playbook)
    assert rc == 2, output
    assert "plan: CHANGES PENDING (1 changed task(s) on 1 host(s))" in output
    assert re.search(r"^-1004 Jorge D\S+z +Lunch\n\+1004 Jorge D\S+z +Ready$", output, re.M), output  # the diff
    assert (tmp_path / "plan.log").read_text().count("PLAY RECAP") == 1
    stats = fresh.stats()
    assert stats["requests"]["change_status"] == 0, "the plan sent a change"
    assert fresh.state()["1004"] == "Lunch"

    rc, output = plan(tmp_path, playbook, apply=True)
    assert rc == 0, output
    assert fresh.state()["1004"] == "Ready"

    rc, output = plan(tmp_path, playbook)
    assert rc == 0, output
    assert "plan: NO CHANGES" in output


def test_plan_failure_is_not_a_change(fresh, tmp_path):
    playbook = write_playbook(tmp_path, fresh, [{"agent_id": "999999", "status": "ready"}])
    rc, output = plan(tmp_path, playbook)
    assert rc == 1, output
    assert "plan: FAILED (ansible-playbook exited with 2)" in output
    assert "999999" in output


def test_plan_without_a_playbook_prints_usage(tmp_path):
    proc = subprocess.run(["bash", PLAN], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Exit codes" in proc.stderr
