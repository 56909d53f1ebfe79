# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's demo command works as written (so it cannot rot): it converges, reports and previews
a shift plan, says before each step which inventory, playbook and desired states it applies, prints
no warning, runs with the run-time requirements only, and leaves nothing behind (its temporary
directory removed and the simulator stopped, also when interrupted with Ctrl-C)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ROOT, TOKENS

DEMO = os.path.join(ROOT, "tools", "demo")
APPLY = "wolkvox.contact_center.apply_agent_states"
REPORT = "wolkvox.contact_center.report_agent_states"
INVENTORY_LINE = "inventory: demo/inventory (3 operations: bogota_sales, bogota_support, medellin_collections)"
# What the demo's inventory asks for (demo/inventory/host_vars), one line per operation.
DESIRED = [
    "  bogota_sales (server 0042): 1001 ready, 1002 7 (Active breaks), 1003 ready, 1004 9 (Training), 1005 logout",
    "  bogota_support (server 0042): 2001 ready, 2002 4 (Training), 2003 ready",
    "  medellin_collections (server 0117): every agent ready; only agents now in 12 (Active breaks), 13 (Feedback)",
]
# The shift plan of step 4 (demo/inventory/group_vars/plan_example.yml), one line per entry.
PLAN = [
    "  bogota_sales (server 0042): shift plan of 5 entries (America/Bogota), evaluated at 2026-11-25T12:30:",
    "      08:00-17:00 mon,tue,wed,thu,fri, every agent: ready",
    "      12:00-13:00 mon,tue,wed,thu,fri, agents 1001, 1002: 8 (Lunch)",
    "      13:00-14:00 mon,tue,wed,thu,fri, agents 1003, 1004: 8 (Lunch)",
    "      14:00-15:00 mon,tue,wed,thu,fri, agents 1005: 8 (Lunch)",
    "      17:00-08:00 every day, every agent: logout",
]
# Step 4's own arguments, as the command line shows them (quoted for a shell).
PLAN_ARGS = (r'-e target=bogota_sales -e @demo/inventory/group_vars/plan_example.yml '
             r'-e \{\"wolkvox_agent_status_agents\":\ \[\]\} -e wolkvox_agent_status_at=2026-11-25T12:30 --check --diff')
# The report reads, and changes nothing.
REPORT_READS = [
    "operations read (nothing is changed):",
    "  bogota_sales (server 0042)",
    "  bogota_support (server 0042)",
    "  medellin_collections (server 0117)",
]
# The command line printed before a run (the simulator's port varies); args: the step's own arguments.
COMMAND = (r"^command: ansible-playbook -i demo/inventory --vault-password-file demo/vault-password\.txt "
           r"-e wolkvox_api_url=http://127\.0\.0\.1:\d+ ?(?P<args>.*?) %s$")


def demo_env(tmp_path):
    """The environment of a demo run: its own TMPDIR, to see what it leaves behind."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    return dict(os.environ, TMPDIR=str(tmpdir)), tmpdir


def steps(output):
    """{step number: the output from its ==> line to the next ==> line} (colours removed)."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    parts = re.split(r"^==> ", plain, flags=re.M)
    return {int(part[0]): part for part in parts if part[:1].isdigit()}


def refuses_connections(url):
    try:
        urllib.request.urlopen(url + "/", timeout=3)  # pylint: disable=consider-using-with
    except urllib.error.HTTPError:
        return False  # it answered
    except (urllib.error.URLError, OSError):
        return True
    return False


def test_tools_demo_converges_then_reports(tmp_path):
    report = tmp_path / "report"
    env, tmpdir = demo_env(tmp_path)
    proc = subprocess.run([DEMO, str(report)], capture_output=True, text=True, timeout=600, check=False, env=env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    second = output.split("second run (changed=0 everywhere):", 1)[1]
    recaps = re.findall(r"^(\w+)\s+: ok=\d+\s+changed=(\d+)", second, re.M)[:3]
    assert sorted(host for host, changed in recaps) == sorted(TOKENS), recaps
    assert all(changed == "0" for host, changed in recaps), recaps
    data = json.loads((report / "agent-states.json").read_text(encoding="utf-8"))
    assert data, "the JSON report is empty"
    assert (report / "agent-states.md").exists() and (report / "agent-states.csv").exists()
    # The first run, on the demo floor (tools/fixtures/demo.json): the agents shown as Logout stay
    # logged out (the API cannot log an agent in) and 1005, in after-call work, is not cut off.
    first = output.split("second run (changed=0 everywhere):", 1)[0]
    assert ("bogota_sales (server 0042): 1 changed, 2 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, "
            "0 failed of 5 agents; skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)") in first
    assert ("bogota_support (server 0042): 1 changed, 0 unchanged, 2 skipped (0 busy, 2 logged out), 0 pending, "
            "0 failed of 3 agents") in first
    assert "cannot place" not in output  # the demo inventory places every label its agents show
    # The shift plan preview: bogota_sales at Wednesday 12:30, lunch for 1001 and 1002, nothing sent.
    # 1001 is still logged out and 1005 still in ACW: both skipped, neither in the diff.
    preview = output.split("shift plan preview (bogota_sales, Wednesday 12:30):", 1)[1]
    assert re.search(r"^-1002 Luis Perez +Active breaks$", preview, re.M), preview
    assert re.search(r"^\+1002 Luis Perez +Lunch$", preview, re.M), preview
    assert re.search(r"^\+1004 Jorge Díaz +Ready$", preview, re.M), preview
    assert not re.search(r"^[-+](1001|1003|1005) ", preview, re.M), preview
    assert ("2 would change, 1 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 5 agents "
            "(check mode: nothing sent); plan at 2026-11-25 12:30 (America/Bogota); skipped: 1001 Ana Gomez "
            "(logged_out: Logout), 1005 Sofia Leon (busy: ACW)") in preview
    for _server, token in TOKENS.values():
        assert token not in output

    # No warning at all: not Ansible's (the collections path, localhost, the inventory), not pip's.
    assert "WARNING" not in output, [line for line in output.splitlines() if "WARNING" in line]
    # Nothing left behind: the temporary directory (collections, Ansible's files, the token slots) is gone.
    assert not list(tmpdir.iterdir()), sorted(p.name for p in tmpdir.iterdir())
    assert refuses_connections(re.search(r"^simulator: (\S+)", output, re.M).group(1))

    # Run-time requirements only, in the demo's own venv.
    venv = re.search(r"^==> setting up (\S+) \(requirements/runtime\.txt: ", re.sub(r"\x1b\[[0-9;]*m", "", output),
                     re.M).group(1)
    assert os.path.basename(venv) == "demo", venv
    assert os.path.exists(os.path.join(venv, "bin", "ansible-playbook"))
    for test_tool in ("pytest", "ansible-lint", "antsibull-docs"):
        assert not os.path.exists(os.path.join(venv, "bin", test_tool)), test_tool

    # Before each step: the inventory, the playbook, the command and what it applies.
    found = steps(output)
    assert sorted(found) == [1, 2, 3, 4], sorted(found)
    for number, playbook, wanted, args in ((1, APPLY, DESIRED, ""), (2, APPLY, DESIRED, ""),
                                           (3, REPORT, REPORT_READS, "-e report_dir=%s" % report),
                                           (4, APPLY, PLAN, PLAN_ARGS)):
        before_run = found[number].split("\nPLAY [", 1)[0]
        assert INVENTORY_LINE in before_run, before_run
        assert "\n".join(wanted) in before_run, before_run
        assert "\nplaybook: %s\n" % playbook in before_run, before_run
        command = re.search(COMMAND % re.escape(playbook), before_run, re.M)
        assert command and command.group("args") == args, before_run


def test_tools_demo_cleans_up_when_interrupted(tmp_path):
    """Ctrl-C during the first run (SIGINT to the demo's whole process group, as a terminal sends it):
    the demo stops with status 130, the simulator stops and the temporary directory is removed."""
    env, tmpdir = demo_env(tmp_path)
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([DEMO], stdout=out, stderr=subprocess.STDOUT, env=env,  # pylint: disable=consider-using-with
                                start_new_session=True)
    try:
        deadline = time.time() + 300
        while "TASK [wolkvox.contact_center.agent_status : Apply" not in log.read_text(encoding="utf-8"):
            assert proc.poll() is None, "the demo ended before its first run: %s" % log.read_text(encoding="utf-8")[-3000:]
            assert time.time() < deadline, "the demo did not reach its first run"
            time.sleep(0.05)
        assert list(tmpdir.iterdir()), "the demo's temporary directory is not in TMPDIR"
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 130, log.read_text(encoding="utf-8")[-3000:]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log.read_text(encoding="utf-8")
    assert not list(tmpdir.iterdir()), sorted(p.name for p in tmpdir.iterdir())
    assert refuses_connections(re.search(r"^simulator: (\S+)", output, re.M).group(1)), "the simulator still answers"
    assert "the simulator is stopped and" in output, output[-2000:]
