# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The usual mistakes of a tired operator, through ansible-playbook against the simulator: each
gets a message that says what to fix, before any request where the input is wrong."""

from __future__ import annotations

import os
import re
import subprocess

from _helpers import recap, run_fqcn, summary_lines, write_inventory
from conftest import collections_path, run_tasks, status_task


def test_an_unquoted_server_code_fails_before_any_request(fresh, tmp_path):
    # YAML reads wolkvox_server: 0042 as the number 34, in a task as in module_defaults.
    task = status_task(fresh, agent_id=["1001"], status="ready")
    task["wolkvox.contact_center.wolkvox_agent_status"]["wolkvox_server"] = 34
    run = run_tasks(tmp_path, [task])
    assert run.result["failed"] is True
    assert run.result["msg"].startswith("wolkvox_server was given as the number 34, not as text")
    assert 'Quote it, e.g. wolkvox_server: "0042"' in run.result["msg"]
    assert fresh.stats()["total"] == 0


def test_an_unquoted_server_code_in_the_inventory_fails_the_role_before_any_request(fresh, tmp_path):
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": {"wolkvox_agent_status_all": "ready"}})
    inventory.write_text(inventory.read_text().replace("wolkvox_server: '0042'", "wolkvox_server: 0042"))
    assert "wolkvox_server: 0042\n" in inventory.read_text()
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc != 0
    assert "wolkvox_server was given as the number 34" in run.output and "Quote it" in run.output
    assert recap(run.output)["bogota_sales"]["failed"] == 1
    assert fresh.stats()["total"] == 0


def test_a_wrong_token_says_what_to_check(fresh, tmp_path):
    task = status_task(fresh, agent_id=["1001"], status="ready", wolkvox_token="sim-token-of-another-operation")
    result = run_tasks(tmp_path, [task]).result
    assert result["failed"] is True
    assert "authentication failed - check wolkvox_token" in result["msg"]
    assert "wolkvox_server '0042'" in result["msg"]
    assert result["api_calls"] == 1


def test_a_typo_in_a_long_list_names_the_entry_and_the_agent(fresh, tmp_path):
    agents = [{"agent_id": str(1001 + i), "status": "ready"} for i in range(5)]
    agents[3]["status"] = "logut"
    result = run_tasks(tmp_path, [status_task(fresh, agents=agents)]).result
    assert result["failed"] is True
    assert result["msg"].startswith("agents[3] (agent 1004): status 'logut' is not valid")
    # An input error carries no API details: no 'error' dict of nulls.
    assert "error" not in result
    assert fresh.stats()["total"] == 0


def test_a_state_the_operation_lacks_is_tried_at_most_5_times_and_the_failures_are_grouped(fresh, tmp_path):
    fresh.set_agents("bogota_sales", generate=40, status="Ready", start=5000)
    fresh.reset(state=False)
    ids = [str(5000 + i) for i in range(40)]
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=ids, status="99", status_labels={"99": "Gone"})]).result
    assert result["failed"] is True
    assert fresh.stats()["requests"]["change_status"] <= 5
    assert result["msg"].split("; ", 1)[1].startswith("40 of 40 agents failed: 40 agents (5000, 5001, 5002, 5003, 5004 and 35 more): ")
    assert result["msg"].lower().count("does not exist") == 1  # the API's reason, once (its words differ per dialect)
    not_sent = [a for a in result["agents"] if a["msg"].startswith("not sent: ")]
    assert len(not_sent) >= 35 and all(a["result"] == "failed" for a in not_sent)


def test_a_state_without_a_label_warns_once(fresh, tmp_path):
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "1003"], status="8")])
    assert run.rc == 0, run.output[-2000:]
    warnings = re.findall(r"\[WARNING\]: state 8 has no label in status_labels", run.output)
    assert len(warnings) == 1, run.output
    assert "add status_labels: {'8': '<label the agents API shows>'}" in run.output


def test_an_empty_list_warns_and_reads_nothing(fresh, tmp_path):
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=[], status="ready")])
    assert run.rc == 0 and run.result["changed"] is False
    assert "[WARNING]: no agent to change" in run.output
    assert fresh.stats()["total"] == 0


def test_check_mode_says_would_change(fresh, tmp_path):
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1004", "1002"], status="ready")], check_mode=True).result
    assert result["msg"] == ("2 would change, 0 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 2 agents "
                             "(check mode: nothing sent)")
    # Agents left as they were are named, with the reason and the state they show.
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "1005"], status="ready")], check_mode=True).result
    assert result["msg"] == ("0 would change, 0 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 2 agents "
                             "(check mode: nothing sent); skipped: 1001 Ana Gomez (logged_out: Logout), "
                             "1005 Sofia Leon (busy: ACW)")
    assert fresh.stats()["requests"]["change_status"] == 0


def test_the_diff_of_200_agents_is_two_lines_per_agent_with_names_under_the_operation(fresh, tmp_path):
    fresh.set_agents("bogota_sales", generate=200, status="Training", start=6000)
    fresh.reset(state=False)
    ids = [str(6000 + i) for i in range(200)]
    task = status_task(fresh, agent_id=ids, status="ready", diff_format="agents", diff_header="bogota_sales (server 0042)")
    run = run_tasks(tmp_path, [task], check_mode=True, diff=True)
    assert run.rc == 0, run.output[-2000:]
    lines = run.stdout.splitlines()
    start = lines.index("--- before: bogota_sales (server 0042)")
    assert lines[start + 1] == "+++ after: bogota_sales (server 0042)"
    body = lines[start + 2:start + 2 + 400]
    for i, agent in enumerate(ids):
        assert re.match(r"^-%s Agent %s +Training$" % (agent, agent), body[2 * i]), body[2 * i]
        assert re.match(r"^\+%s Agent %s +Ready$" % (agent, agent), body[2 * i + 1]), body[2 * i + 1]
    # The machine-readable results stay: every agent with its previous and desired state.
    assert [a["previous_status"] for a in run.result["agents"]] == ["Training"] * 200


def test_the_role_documentation_describes_the_inventory_and_the_playbooks(tmp_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path())
    proc = subprocess.run(["ansible-doc", "-t", "role", "wolkvox.contact_center.agent_status"],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    for needle in ("wolkvox_operations", "target", "report_dir", "wolkvox_report_formats", "apply_agent_states",
                   "logout_agents", "report_agent_states", "wolkvox_retry_delay", "wolkvox_agent_status_plan",
                   "wolkvox_agent_status_busy_policy"):
        assert needle in text, needle


def test_the_role_summary_line_names_the_operation_and_counts_busy_and_pending(fresh, tmp_path):
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": {"wolkvox_agent_status_all": "ready"}})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc == 0, run.output[-2000:]
    assert summary_lines(run.stdout)["bogota_sales"] == (
        "2 changed, 1 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 5 agents; "
        "skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)")
