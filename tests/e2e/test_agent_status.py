# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wolkvox_agent_status through ansible-playbook against the simulator over HTTP."""

from __future__ import annotations

import re

import pytest

from conftest import TOKENS, connection, run_tasks, status_task


def posts(stats):
    return stats["requests"]["change_status"]


def reads(stats):
    return stats["requests"]["agents"]


def test_change_then_idempotent_rerun(fresh, tmp_path):
    task = status_task(fresh, agent_id=["1004", "1002", "1003"], status="ready")
    run = run_tasks(tmp_path, [task])
    first = run.result
    assert run.rc == 0, run.output
    assert first["changed"] is True
    assert [a["result"] for a in first["agents"]] == ["changed", "changed", "unchanged"]
    assert [a["previous_status"] for a in first["agents"]] == ["Lunch", "Active breaks", "Ready"]
    assert first["summary"] == {"total": 3, "changed": 2, "unchanged": 1, "skipped": 0, "pending": 0,
                                "failed": 0, "skipped_busy": 0, "skipped_logged_out": 0}
    assert first["api_calls"] == 3
    assert fresh.state()["1004"] == "Ready" and fresh.state()["1002"] == "Ready"

    fresh.reset(state=False)
    again = run_tasks(tmp_path, [task]).result
    assert again["changed"] is False
    assert again["summary"]["unchanged"] == 3
    stats = fresh.stats()
    assert stats["total"] == 1 and reads(stats) == 1, stats["requests"]
    assert again["api_calls"] == 1


def test_check_mode_predicts_and_sends_nothing(fresh, tmp_path):
    task = status_task(fresh, agent_id=["1001", "1003"], status="logout", diff_format="maps")
    run = run_tasks(tmp_path, [task], check_mode=True, diff=True)
    result = run.result
    assert result["changed"] is True
    assert [a["result"] for a in result["agents"]] == ["unchanged", "changed"]
    assert "check mode" in result["agents"][1]["msg"]
    assert result["diff"] == {"before": {"1003": "Ready"}, "after": {"1003": "Logout"}}
    stats = fresh.stats()
    assert posts(stats) == 0 and reads(stats) == 1
    assert fresh.state()["1003"] == "Ready"


def test_diff_shows_before_and_after(fresh, tmp_path):
    # Readable by default: each agent's state before and after together, with its name, under the server.
    run = run_tasks(tmp_path, [status_task(fresh, agent_id="1002", status="8")], diff=True,
                    vars={}, args=())
    assert run.result["diff"] == {"prepared": "--- before: server 0042\n+++ after: server 0042\n"
                                              "-1002 Luis Perez  Active breaks\n+1002 Luis Perez  8\n"}
    # The default callback prints that text as the task's diff.
    assert re.search(r"^-1002 Luis Perez +Active breaks\n\+1002 Luis Perez +8$", run.stdout, re.M), run.stdout[-2000:]
    # diff_format: maps gives Part 1's before/after maps of agent_id -> state.
    fresh.reset()
    run = run_tasks(tmp_path, [status_task(fresh, agent_id="1002", status="8", diff_format="maps")], diff=True,
                    vars={}, args=())
    assert run.result["diff"] == {"before": {"1002": "Active breaks"}, "after": {"1002": "8"}}
    assert '"1002": "Active breaks"' in run.stdout and '"1002": "8"' in run.stdout


def test_bulk_300_agents_one_read_and_bounded_concurrency(fresh, tmp_path):
    fresh.set_agents("bogota_sales", generate=300, status="Training", start=5000)
    fresh.config(latency=0.005)
    fresh.reset(state=False)
    ids = [str(5000 + i) for i in range(300)]
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=ids, status="ready")]).result
    assert result["summary"]["changed"] == 300
    assert [a["agent_id"] for a in result["agents"]] == ids
    stats = fresh.stats()
    assert reads(stats) == 1 and posts(stats) == 300
    assert max(stats["max_concurrency"].values()) <= 2
    assert stats["busy_rejections"] == {}
    assert result["api_calls"] == 301


def test_only_from_skips_others(fresh, tmp_path):
    task = status_task(fresh, agent_id=["1005", "1002", "1003", "1004"], status="ready",
                       only_from=["7", "lunch"], status_labels={"7": "Active breaks"}, busy_states=[])
    result = run_tasks(tmp_path, [task]).result
    # 1003 is already Ready: unchanged whatever only_from says (the contract's precedence order, Part 2).
    assert [a["result"] for a in result["agents"]] == ["skipped", "changed", "unchanged", "changed"]
    assert "only_from" in result["agents"][0]["msg"] and result["agents"][0]["reason"] == "only_from"
    assert fresh.state()["1005"] == "ACW"
    assert result["summary"]["skipped"] == 1


def test_unknown_agent_fails_task_but_others_change(fresh, tmp_path):
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "4242", "1002"], status="logout")])
    result = run.result
    assert result["failed"] is True
    assert result["msg"].split("; ", 1)[1].startswith("1 of 3 agents failed: 1 agent (4242): agent 4242 does not exist")
    assert [a["agent_id"] for a in result["agents"]] == ["1001", "4242", "1002"]
    assert [a["result"] for a in result["agents"]] == ["unchanged", "failed", "changed"]
    assert fresh.state()["1002"] == "Logout"
    assert "Traceback" not in run.output


def test_api_error_for_one_agent_is_reported_per_agent(fresh, tmp_path):
    # State 99 is not configured in the operation: the API answers HTTP 200 with an error body.
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1004"], status="99")]).result
    assert result["failed"] is True
    assert result["agents"][0]["result"] == "failed"
    assert "does not exist" in result["agents"][0]["msg"].lower()  # both dialects' words for an unknown state


@pytest.mark.parametrize("options, needle", [
    ({"agent_id": ["1001", "10x2"], "status": "ready"}, "'10x2'"),
    ({"agent_id": ["1001"], "status": "coffee"}, "'coffee'"),
    ({"agents": [{"agent_id": "1001", "status": "ready"}, {"agent_id": "1002", "status": "-3"}]}, "'-3'"),
    ({"agent_id": ["1001"], "status": "ready", "wolkvox_server": "evil.example.com/x"}, "'evil.example.com/x'"),
    ({"agent_id": ["1001"], "status": "ready", "only_from": ["7"]}, "'7'"),
])
def test_bad_input_fails_before_any_request(fresh, tmp_path, options, needle):
    result = run_tasks(tmp_path, [status_task(fresh, **options)]).result
    assert result["failed"] is True
    assert needle in result["msg"], result["msg"]
    assert fresh.stats()["total"] == 0


def test_bad_token_fails_clearly(fresh, tmp_path):
    run = run_tasks(tmp_path, [status_task(fresh, agent_id="1001", status="ready", wolkvox_token="wrong-token-value")])
    result = run.result
    assert result["failed"] is True
    assert "authentication failed - check wolkvox_token" in result["msg"]
    assert ("Invalid token" in result["msg"] and "401" in result["msg"]) or "PLEASE VALIDATE TOKEN" in result["msg"]
    assert "wrong-token-value" not in run.output
    assert "Traceback" not in run.output


def test_non_json_body_fails_clearly(fresh, tmp_path):
    fresh.fault("garbage", match="agents")
    run = run_tasks(tmp_path, [status_task(fresh, agent_id="1001", status="ready")])
    result = run.result
    assert result["failed"] is True
    assert "not JSON" in result["msg"]
    assert "Traceback" not in run.output


def test_labels_match_regardless_of_case_and_blanks(fresh, tmp_path):
    # Agent 3004 shows "active breaks " (odd case, trailing blank); the label is given as "ACTIVE BREAKS".
    task = status_task(fresh, "medellin_collections", agent_id=["3004", "3001"], status="12",
                       status_labels={"12": "  ACTIVE BREAKS"})
    result = run_tasks(tmp_path, [task]).result
    assert [a["result"] for a in result["agents"]] == ["unchanged", "changed"]
    assert fresh.state("medellin_collections")["3001"] == "Active breaks"


def test_aux_state_without_label_is_sent_with_a_hint(fresh, tmp_path):
    result = run_tasks(tmp_path, [status_task(fresh, agent_id="1003", status="9")]).result
    assert result["agents"][0]["result"] == "changed"
    assert "status_labels" in result["agents"][0]["msg"]


def test_force_sends_without_reading(fresh, tmp_path):
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1003"], status="ready", force=True)]).result
    assert result["changed"] is True and result["agents"][0]["previous_status"] is None
    stats = fresh.stats()
    assert reads(stats) == 0 and posts(stats) == 1


def test_agents_form_numeric_ids_and_module_defaults(fresh, tmp_path):
    server, token = TOKENS["bogota_support"]
    task = {
        "wolkvox.contact_center.wolkvox_agent_status": {
            "agents": [{"agent_id": 2002, "status": "Ready"}, {"agent_id": "2001", "status": "LOGOUT"}],
            "status_labels": {"3": ["Break", "Pausa"]},
        },
        "module_defaults": {"group/wolkvox.contact_center.wolkvox": connection(fresh, "bogota_support")},
    }
    result = run_tasks(tmp_path, [task]).result
    assert [a["result"] for a in result["agents"]] == ["changed", "unchanged"]
    assert server == "0042" and token not in str(result)


def test_environment_fallbacks(fresh, tmp_path):
    server, token = TOKENS["bogota_sales"]
    env = {"WOLKVOX_SERVER": server, "WOLKVOX_TOKEN": token, "WOLKVOX_API_URL": fresh.url}
    task = {"wolkvox.contact_center.wolkvox_agent_status": {"agent_id": "1004", "status": "ready"}}
    result = run_tasks(tmp_path, [task], env=env).result
    assert result["changed"] is True and result["api_calls"] == 2
