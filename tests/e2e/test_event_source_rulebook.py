# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real ansible-rulebook (pinned, requirements/rulebook.txt, installed by tools/setup-rulebook)
runs the collection's rulebook wolkvox.contact_center.plan_adherence against the simulator: an
agent that strays from the shift plan is an out_of_adherence event, whose rule runs the playbook
wolkvox.contact_center.apply_agent_states for that operation, which puts the agent back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from _helpers import VAULT_PASSWORD, write_inventory
from conftest import ROOT, TOKENS, collections_path

SERVER, TOKEN = TOKENS["bogota_sales"]
LABELS = {"7": "Active breaks", "8": "Lunch", "9": "Training"}
# 1003 (Marta Ruiz, Ready in the fixture) is planned ready all day.
PLAN = [{"agents": ["1003"], "status": "ready", "from": "00:00", "to": "12:00"},
        {"agents": ["1003"], "status": "ready", "from": "12:00", "to": "00:00"}]


@pytest.fixture(scope="session")
def rulebook_venv():
    """The venv of ansible-rulebook: tools/setup-rulebook installs it (and Java 17 if missing) or
    says why it cannot; it is quick once installed. Never skipped: a failure fails the test."""
    try:
        done = subprocess.run([os.path.join(ROOT, "tools", "setup-rulebook")], capture_output=True, text=True,
                              timeout=540, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("tools/setup-rulebook did not finish within %ss" % exc.timeout)
    if done.returncode != 0:
        pytest.fail("tools/setup-rulebook failed (exit %d), so ansible-rulebook cannot be tested:\n%s"
                    % (done.returncode, (done.stdout + done.stderr)[-3000:]))
    print(done.stdout.strip().splitlines()[-1])
    venv = os.environ.get("WOLKVOX_RULEBOOK_VENV") or os.path.join(
        os.environ.get("WOLKVOX_VENV") or os.path.join(ROOT, ".venv"), "rulebook")
    assert os.access(os.path.join(venv, "bin", "ansible-rulebook"), os.X_OK), done.stdout
    return venv


def wait_for(what, check, timeout, proc, output):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            pytest.fail("ansible-rulebook ended (exit %s) before %s:\n%s" % (proc.returncode, what, read(output)[-6000:]))
        time.sleep(0.2)
    pytest.fail("%s did not happen within %ss:\n%s" % (what, timeout, read(output)[-6000:]))


def read(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def stop(proc):
    """SIGINT to ansible-rulebook's process group (as Ctrl-C would), then SIGKILL if need be."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def inventory_file(sim, tmp_path, rulebook_venv):
    """An inventory file of its own (plain token, test only) with the plan; the watch names the URL."""
    inventory = write_inventory(tmp_path, sim, {"bogota_sales": {
        "ansible_connection": "local",
        "ansible_python_interpreter": os.path.join(rulebook_venv, "bin", "python"),
        "wolkvox_retry_delay": 0.01,
        "wolkvox_agent_status_labels": LABELS,
        "wolkvox_agent_status_plan": PLAN,
    }})
    return str(inventory), {"wolkvox_api_url": sim.url}, {}


def demo_inventory(sim, tmp_path, rulebook_venv):
    """The demo's inventory directory (vaulted tokens, group_vars and host_vars; 1003 ready), the
    vault password from ANSIBLE_VAULT_PASSWORD_FILE and the URL from WOLKVOX_API_URL, for the
    source and the playbook alike (docs/event-driven.md)."""
    del tmp_path, rulebook_venv
    env = {"ANSIBLE_VAULT_PASSWORD_FILE": VAULT_PASSWORD, "WOLKVOX_API_URL": sim.url}
    return os.path.join(ROOT, "demo", "inventory") + os.sep, {}, env


@pytest.mark.slow
@pytest.mark.parametrize("inventory", [inventory_file, demo_inventory], ids=["inventory file", "demo directory, vaulted"])
def test_an_out_of_adherence_rule_runs_the_apply_playbook_and_the_agent_is_put_back(fresh, rulebook_venv, tmp_path,
                                                                                    inventory):
    sim = fresh
    inventory, watch_vars, extra_env = inventory(sim, tmp_path, rulebook_venv)
    watch = tmp_path / "watch.yml"
    watch_vars.update({
        "wolkvox_operation": "bogota_sales",
        "wolkvox_server": SERVER,
        "wolkvox_agent_status_labels": LABELS,
        "wolkvox_agent_status_plan": PLAN,
        "wolkvox_watch_interval": 1,
        "wolkvox_watch_grace": 1,
    })
    watch.write_text(yaml.safe_dump(watch_vars))
    env = dict(os.environ)
    env.update({
        "PATH": os.path.join(rulebook_venv, "bin") + os.pathsep + env.get("PATH", ""),
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "WOLKVOX_TOKEN": TOKEN,  # the rulebook names no token: the source reads it from here
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "NO_PROXY": "127.0.0.1,localhost",
    })
    env.update(extra_env)
    env.pop("VIRTUAL_ENV", None)
    output = tmp_path / "rulebook.log"
    started = time.monotonic()
    with open(output, "w") as log:
        proc = subprocess.Popen(
            [os.path.join(rulebook_venv, "bin", "ansible-rulebook"), "-r", "wolkvox.contact_center.plan_adherence",
             "-i", inventory, "--vars", str(watch), "--print-events", "-v"],
            cwd=str(tmp_path), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # The source has read the agents twice: it knows where 1003 is (Ready, adherent).
        wait_for("two polls of the source", lambda: sim.stats()["requests"]["agents"] >= 2, 60, proc, output)
        sim.set_agents("bogota_sales", {"1003": "Lunch"})
        moved_at = time.monotonic()
        wait_for("1003 put back to Ready", lambda: sim.state()["1003"] == "Ready", 45, proc, output)
        back_in = time.monotonic() - moved_at
        wait_for("the adherent_again event", lambda: "adherent_again" in read(output), 15, proc, output)
    finally:
        stop(proc)
    text = read(output)
    sys.stdout.write("ansible-rulebook ran %.1fs; 1003 back in %.1fs\n" % (time.monotonic() - started, back_in))
    assert TOKEN not in text, "the token is in ansible-rulebook's output"
    for needle in ("'type': 'out_of_adherence'", "'type': 'state_changed'", "'previous_status': 'Ready'",
                   "'planned_status': 'ready'", "'operation': 'bogota_sales'", "PLAY RECAP"):
        assert needle in text, "%s not in the output:\n%s" % (needle, text[-6000:])
    assert "Traceback" not in text, text[-6000:]
    changes = [c for c in sim.stats()["changes"] if c["agent_id"] == "1003"]
    assert [(c["status"], c["applied"]) for c in changes] == [("ready", True)], changes
