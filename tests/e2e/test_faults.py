# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults of the network and of the API, through ansible-playbook against the simulator:
every agent is accounted for, retries are bounded and counted, errors are clean."""

from __future__ import annotations

import pytest

from _helpers import assert_accounted, by_agent, change_requests
from conftest import run_tasks, status_task

IDS = [str(5000 + i) for i in range(40)]


@pytest.fixture(autouse=True)
def logged_in(fresh):
    """1001 (Logout) and 1005 (ACW) of the demo floor logged in and idle: these tests are about
    faults, and logged-out or busy agents are not sent by default."""
    fresh.set_agents("bogota_sales", {"1001": "Training", "1005": "Training"})
    fresh.reset(state=False)
    return fresh


# Logged-in agents (a logged-out one is skipped by default): the faults, not the floor, are tested.
def generated(sim, count=40, status="Training"):
    sim.set_agents("bogota_sales", generate=count, status=status, start=5000)
    sim.reset(state=False)


def test_503_burst_shorter_than_retries_succeeds(fresh, tmp_path):
    generated(fresh)
    fresh.fault("http", count=1, match="agents", status=503)
    fresh.fault("http", count=3, match="change_status", status=503)
    fresh.fault("http", count=2, match="change_status", status=502)
    fresh.fault("http", count=1, match="change_status", status=504)
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=IDS, status="ready", retries=3)])
    result = run.result
    assert run.rc == 0 and not result.get("failed"), result["msg"]
    assert_accounted(result, IDS)
    assert result["summary"]["changed"] == 40
    stats = fresh.stats()
    # 1 read + 40 changes + 7 answers that were retried; the module counts exactly what was sent.
    assert stats["total"] == 48 and result["api_calls"] == 48
    assert all(fresh.state()[i] == "Ready" for i in IDS)
    assert stats["faults_pending"] == 0


def test_503_burst_longer_than_retries_fails_only_affected_agents(fresh, tmp_path):
    generated(fresh)
    hit = ["5003", "5017", "5031"]
    for agent in hit:
        fresh.fault("http", count=50, match="change_status", status=503, agent_id=agent)
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=IDS, status="ready", retries=2)])
    result = run.result
    assert result["failed"] is True
    assert result["msg"].split("; ", 1)[1].startswith("3 of 40 agents failed: 3 agents (5003, 5017, 5031): ")
    assert_accounted(result, IDS)
    agents = by_agent(result)
    state = fresh.state()
    stats = fresh.stats()
    for agent in IDS:
        if agent in hit:
            assert agents[agent]["result"] == "failed"
            assert "HTTP 503" in agents[agent]["msg"] and "after 2 retries" in agents[agent]["msg"], agents[agent]
            assert state[agent] == "Training"
            assert len(change_requests(stats, agent)) == 3  # 1 try + 2 retries, no more
        else:
            assert agents[agent]["result"] == "changed", agents[agent]
            assert state[agent] == "Ready"
            assert len(change_requests(stats, agent)) == 1  # none lost, none sent twice
    assert result["summary"] == {"total": 40, "changed": 37, "unchanged": 0, "skipped": 0, "pending": 0,
                                 "failed": 3, "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["api_calls"] == stats["total"] == 1 + 37 + 3 * 3
    assert "Traceback" not in run.output


def test_unpinned_burst_results_match_the_server(fresh, tmp_path):
    # A burst that hits whichever requests come first: which agents fail depends on timing, so
    # the test checks the invariant instead: a result says "changed" exactly when the server changed.
    generated(fresh)
    fresh.fault("http", count=12, match="change_status", status=503)
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=IDS, status="ready", retries=1)]).result
    assert_accounted(result, IDS)
    state = fresh.state()
    for agent in result["agents"]:
        assert agent["result"] in ("changed", "failed")
        assert (agent["result"] == "changed") == (state[agent["agent_id"]] == "Ready"), agent
        if agent["result"] == "failed":
            assert "HTTP 503" in agent["msg"]
    stats = fresh.stats()
    assert stats["faults_pending"] == 0
    # Each 503 cost one request; each agent then made one more (its success), unless it failed.
    assert result["api_calls"] == stats["total"] == 1 + 12 + result["summary"]["changed"]


def test_retry_after_is_honoured_and_busy_answers_retried(fresh, tmp_path):
    fresh.fault("http", count=1, match="agents", status=429, retry_after="0.6")
    fresh.fault("busy", count=2, match="change_status")
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001"], status="ready", retries=3)]).result
    assert result["changed"] is True and result["api_calls"] == 5
    log = fresh.stats()["log"]
    busy = 403 if fresh.dialect == "vendor" else 200  # the dialect's token-busy answer
    assert [e["answer"] for e in log] == [429, 200, busy, busy, 200]
    assert log[1]["t"] - log[0]["t"] >= 0.6  # waited as long as Retry-After asked
    assert log[1]["t"] - log[0]["t"] < 3.0


def test_other_errors_are_not_retried(fresh, tmp_path):
    fresh.fault("http", count=5, match="change_status", status=500, agent_id="1001")
    fresh.fault("http", count=5, match="change_status", status=404, agent_id="1002")
    fresh.fault("error200", count=5, match="change_status", agent_id="1004", code=500, error="Internal error")
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "1002", "1004", "1005"], status="ready")])
    result = run.result
    assert [a["result"] for a in result["agents"]] == ["failed", "failed", "failed", "changed"]
    stats = fresh.stats()
    assert len(change_requests(stats)) == 4 and result["api_calls"] == 5
    assert "HTTP 500" in result["agents"][0]["msg"] and "HTML page" in result["agents"][0]["msg"]
    assert "HTTP 404" in result["agents"][1]["msg"]
    assert "Internal error" in result["agents"][2]["msg"] and "500" in result["agents"][2]["msg"]
    assert "Traceback" not in run.output


def test_slow_answer_is_retried_then_fails_with_a_timeout(fresh, tmp_path):
    # A timed-out request keeps running on the server; lift the simulator's per-token limit so
    # the retries are not refused as "busy" while the abandoned ones finish.
    fresh.config(max_per_token=10)
    fresh.fault("slow", count=1, match="agents", delay=1.2)
    fresh.fault("slow", count=3, match="change_status", delay=1.2, agent_id="1002")
    tasks = [
        # One slow answer, then a quick one: success after a retry.
        status_task(fresh, agent_id=["1001"], status="ready", timeout=0.4, retries=2),
        # Slower than the timeout every time: a clear timeout message after the retries.
        status_task(fresh, agent_id=["1002"], status="ready", timeout=0.4, retries=2),
    ]
    run = run_tasks(tmp_path, tasks)
    ok, slow = run.results
    assert ok["changed"] is True and ok["api_calls"] == 3  # read (timed out), read, change
    assert slow["failed"] is True
    msg = slow["agents"][0]["msg"]
    assert "within 0.4 seconds (timeout)" in msg and "after 2 retries" in msg, msg
    assert slow["api_calls"] == 4
    assert "Traceback" not in run.output


def test_dropped_connections_are_retried_then_reported(fresh, tmp_path):
    fresh.fault("drop", count=2, match="change_status", agent_id="1001")
    fresh.fault("drop", count=9, match="change_status", agent_id="1002")
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "1002"], status="ready", retries=2)])
    result = run.result
    assert [a["result"] for a in result["agents"]] == ["changed", "failed"]
    msg = result["agents"][1]["msg"]
    assert "connection broke" in msg and "after 2 retries" in msg, msg
    assert result["api_calls"] == 1 + 3 + 3
    assert "Traceback" not in run.output


BAD_BODIES = [
    ({"kind": "garbage"}, "not JSON"),
    ({"kind": "truncated"}, "perhaps cut short"),
    ({"kind": "empty"}, "an empty body"),
    ({"kind": "html"}, "HTML page instead of JSON (Internal Server Error)"),
    ({"kind": "not_object"}, "JSON that is not an object"),
    ({"kind": "error200", "code": 500, "error": "Internal error"}, "code 500, error 'Internal error'"),
    ({"kind": "error200", "code": "403", "error": "Forbidden"}, "code '403', error 'Forbidden'"),
    ({"kind": "code", "code": "500"}, "code '500'"),
]


def test_bad_bodies_fail_cleanly_without_retry(fresh, tmp_path):
    # One play, one task per bad body; each task's read takes the next queued fault.
    for spec in BAD_BODIES:
        fault = dict(spec[0])
        fresh.fault(fault.pop("kind"), count=1, match="agents", **fault)
    tasks = [status_task(fresh, agent_id=["1001"], status="ready")] * len(BAD_BODIES)
    run = run_tasks(tmp_path, tasks)
    for (fault, needle), result in zip(BAD_BODIES, run.results):
        assert result["failed"] is True, (fault, result)
        assert needle in result["msg"], (fault, result["msg"])
        assert result["msg"].startswith("reading the agents list failed: HTTP ")
        assert result["api_calls"] == 1, fault  # an answer, even a bad one, is not retried
        assert len(result["msg"]) < 400
    assert fresh.stats()["requests"]["change_status"] == 0
    assert "Traceback" not in run.output


def test_code_as_number_or_string_is_success(fresh, tmp_path):
    fresh.fault("code", count=1, match="agents", code="200")
    fresh.fault("code", count=1, match="change_status", code=202, agent_id="1001")
    fresh.fault("code", count=1, match="change_status", code="201", agent_id="1002")
    result = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001", "1002"], status="ready")]).result
    assert [a["result"] for a in result["agents"]] == ["changed", "changed"]
    assert result["api_calls"] == 3
