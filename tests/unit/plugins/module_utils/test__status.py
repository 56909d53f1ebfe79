# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _status, the engine of wolkvox_agent_status: a real WolkvoxClient over the
shared FakeApi, with a fake clock whose sleep moves it on (tests/unit/conftest.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _status
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._status_options import ARGUMENT_SPEC, TaskOptions

FLOOR = {"1001": "On call", "1002": "Lunch", "1003": "Ready", "1004": "Ringing", "1005": "ACW"}


def run(task, fake_time):
    return _status.run(task, sleep=fake_time.sleep, clock=fake_time)


def results(result):
    return [(a["agent_id"], a["result"], a["reason"]) for a in result["agents"]]


def agent(result, agent_id):
    return [a for a in result["agents"] if a["agent_id"] == agent_id][0]


def posts(api):
    return [call[2]["agent_id"] for call in api.sent("POST")]


# --------------------------------------------------------------------------------------------
# TaskOptions: every option checked before any request
# --------------------------------------------------------------------------------------------

def one(**extra):
    """The parameters of a task for agent 1001, with ``extra``."""
    return dict({"agent_id": ["1001"], "status": "ready"}, **extra)


@pytest.mark.parametrize(
    "params, must_contain",
    [
        ({"all_agents": True}, "all_agents needs status"),
        ({"all_agents": True, "status": "ready", "agent_id": ["1001"]}, "all_agents and agent_id are mutually exclusive"),
        ({"all_agents": True, "status": "ready", "force": True}, "all_agents and force are mutually exclusive"),
        (one(force=True, except_from=["ACW"]), "except_from and force are mutually exclusive"),
        ({"status": "ready"}, "say which agents: agent_id with status, agents, all_agents with status, or plan"),
        ({"agents": [{"agent_id": "1001", "status": "ready"}], "status": "ready"}, "status and agents are mutually exclusive"),
        ({"all_agents": True, "status": "lunch"},
         "all_agents with status 'lunch' is not valid: use 'ready', 'logout' or the numeric ID of an auxiliary state"),
        ({"all_agents": True, "status": "ready", "agents": [{"agent_id": "1001", "status": "x"}]},
         "agents[0] (agent 1001): status 'x' is not valid"),
        (one(wait_timeout=0),
         "wait_timeout (role variable wolkvox_agent_status_wait_timeout) 0 is not valid: it must be a whole number of seconds from 1 to 3600"),
        (one(wait_timeout=3601), "wait_timeout (role variable wolkvox_agent_status_wait_timeout) 3601 is not valid"),
        (one(wait_timeout=1.5), "wait_timeout (role variable wolkvox_agent_status_wait_timeout) 1.5 is not valid"),
        (one(wait_timeout=True), "wait_timeout (role variable wolkvox_agent_status_wait_timeout) True is not valid"),
        (one(wait_timeout="60"), "wait_timeout (role variable wolkvox_agent_status_wait_timeout) '60' is not valid"),
        (one(poll_interval=0),
         "poll_interval (role variable wolkvox_agent_status_poll_interval) 0 is not valid: it must be a whole number of seconds from 1 to 600"),
        (one(poll_interval=601), "poll_interval (role variable wolkvox_agent_status_poll_interval) 601 is not valid"),
        (one(busy_policy="sometimes"), "busy_policy 'sometimes' is not valid: use skip, wait or force"),
        (one(exclude_agents=["1002", "boss"]), "exclude_agents[1]: agent_id 'boss' is not valid"),
        (one(busy_states=["9"]), "busy_states (role variable wolkvox_agent_status_busy_states) has the state ID '9'"),
        (one(except_from=[""]), "except_from (role variable wolkvox_agent_status_except_from) has the entry ''"),
        (one(only_from=["9"]), "only_from (role variable wolkvox_agent_status_only_from) has the state ID '9'"),
        (one(status_labels={"x": "Break"}), "status_labels has the key 'x', which is not a state ID"),
    ],
)
def test_bad_requests_fail_before_any_request(make_task, fake_api, fake_time, params, must_contain):
    task = make_task(params)
    with pytest.raises(WolkvoxInputError) as exc:
        run(task, fake_time)
    assert must_contain in str(exc.value)
    assert fake_api.calls == []
    assert task.client.api_calls == 0


@pytest.mark.parametrize(
    "params, wait_timeout, poll_interval, busy_policy",
    [
        ({}, 300, 30, "skip"),
        ({"wait_timeout": 1, "poll_interval": 1, "busy_policy": "wait"}, 1, 1, "wait"),
        ({"wait_timeout": 3600, "poll_interval": 600, "busy_policy": "force"}, 3600, 600, "force"),
        ({"wait_timeout": None, "poll_interval": None, "busy_policy": None}, 300, 30, "skip"),
    ],
)
def test_request_defaults_and_bounds(params, wait_timeout, poll_interval, busy_policy):
    request = TaskOptions(dict(params, agent_id=["1001"], status="ready"))
    assert (request.wait_timeout, request.poll_interval, request.busy_policy) == (wait_timeout, poll_interval, busy_policy)


def test_argument_spec_has_the_live_floor_options():
    for name, kind, default in (("all_agents", "bool", False), ("exclude_agents", "list", []), ("except_from", "list", []),
                                ("busy_states", "list", ["Talk", "ACW"]), ("busy_policy", "str", "skip"),
                                ("wait_timeout", "int", 300), ("poll_interval", "int", 30), ("verify", "bool", False),
                                ("logged_out_policy", "str", "skip")):
        assert ARGUMENT_SPEC[name]["type"] == kind
        assert ARGUMENT_SPEC[name]["default"] == default
    assert ARGUMENT_SPEC["busy_policy"]["choices"] == ["skip", "wait", "force"]
    assert ARGUMENT_SPEC["logged_out_policy"]["choices"] == ["skip", "send"]


# --------------------------------------------------------------------------------------------
# all_agents, agents and exclude_agents together; empty requests; warnings
# --------------------------------------------------------------------------------------------

def test_all_agents_with_agents_and_exclude_agents(make_task, fake_api, fake_time):
    fake_api.states = {"1001": "Ready", "1002": "Lunch", "1003": "Ready", "1004": "Training", "1005": "Logout"}
    task = make_task({"all_agents": True, "status": "logout", "agents": [{"agent_id": "1002", "status": "ready"},
                                                                         {"agent_id": "9999", "status": "ready"}],
                      "exclude_agents": ["1003"]})
    result = run(task, fake_time)
    assert results(result) == [
        ("1001", "changed", None), ("1002", "changed", None), ("1003", "skipped", "excluded"), ("1004", "changed", None),
        ("1005", "unchanged", None), ("9999", "failed", None),
    ]
    assert [a["status"] for a in result["agents"]] == ["logout", "ready", "logout", "logout", "logout", "ready"]
    assert sorted(posts(fake_api)) == ["1001", "1002", "1004"]
    assert len(fake_api.sent("GET")) == 1  # one read for the whole operation
    assert fake_api.states["1003"] == "Ready"
    assert result["failed"] is True
    assert result["msg"].split("; ", 1)[1].startswith("1 of 6 agents failed: 1 agent (9999): agent 9999 does not exist")


def test_a_converged_all_agents_run_is_one_request(make_task, fake_api, fake_time):
    fake_api.states = {"1001": "Logout", "1002": "logout"}
    task = make_task({"all_agents": True, "status": "logout"})
    result = run(task, fake_time)
    assert result["changed"] is False
    assert task.client.api_calls == 1
    assert result["msg"] == "0 changed, 2 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 2 agents"


@pytest.mark.parametrize("params", [{"agent_id": [], "status": "ready"}, {"agents": []}])
def test_an_empty_request_warns_and_sends_nothing(make_task, fake_api, fake_time, params):
    task = make_task(params)
    result = run(task, fake_time)
    assert fake_api.calls == []
    assert result["agents"] == [] and result["changed"] is False
    assert task.warnings == ["no agent to change: agent_id / agents is empty, so nothing was read or sent"]


def test_an_unlabelled_desired_state_warns_once_per_state(make_task, fake_api, fake_time):
    task = make_task({"agents": [{"agent_id": "1001", "status": "12"}, {"agent_id": "1002", "status": "12"},
                                 {"agent_id": "1003", "status": "13"}, {"agent_id": "1004", "status": "ready"},
                                 {"agent_id": "1005", "status": "7"}],
                      "status_labels": {"7": "Active breaks"}})
    run(task, fake_time)
    task.warnings = [w for w in task.warnings if "cannot place" not in w]  # the unplaced labels (tested below)
    assert len(task.warnings) == 2
    assert task.warnings[0].startswith("state 12 has no label in status_labels")
    assert task.warnings[1].startswith("state 13 has no label in status_labels")
    assert "add status_labels: {'12': '<label the agents API shows>'}" in task.warnings[0]
    assert "wolkvox_agent_status_labels" in task.warnings[0]


def test_an_unlabelled_all_agents_state_warns_once(make_task, fake_api, fake_time):
    task = make_task({"all_agents": True, "status": "12", "agents": [{"agent_id": "1001", "status": "12"}]})
    run(task, fake_time)
    task.warnings = [w for w in task.warnings if "cannot place" not in w]
    assert len(task.warnings) == 1 and "state 12 " in task.warnings[0]


# --------------------------------------------------------------------------------------------
# Early stop: a state the API refuses as such is not sent to every agent
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("agents", [40, 200])
def test_a_refused_state_stops_after_three_identical_refusals(make_task, fake_api, fake_time, agents):
    fake_api.states = dict((str(2000 + i), "Ready") for i in range(agents))
    task = make_task({"agent_id": sorted(fake_api.states), "status": "99"}, max_concurrency=2)
    result = run(task, fake_time)
    sent = posts(fake_api)
    assert 3 <= len(sent) <= 5  # at most LIMIT + 2 in flight
    assert result["summary"]["failed"] == agents
    held = [a for a in result["agents"] if a["msg"].startswith("not sent: ")]
    assert len(held) == agents - len(sent)
    assert held[0]["msg"] == ("not sent: the API refused state 99 for the first 3 agents (HTTP 200, code '404', "
                              "error 'Agent or status does not exist', msg None)")
    assert result["msg"].split("; ", 1)[1] == (
        "%d of %d agents failed: %d agents (2000, 2001, 2002, 2003, 2004 and %d more): HTTP 200, code '404', "
        "error 'Agent or status does not exist', msg None (%d of them not sent: the same refusal for the first 3 "
        "agents means the API refuses this state)" % (agents, agents, agents, agents - 5, len(held))
    )
    assert all("_why" not in a and "_held" not in a for a in result["agents"])


def test_refusals_about_one_agent_do_not_stop_the_others(make_task, fake_api, fake_time):
    fake_api.states = dict((str(3000 + i), "Lunch") for i in range(10))
    fake_api.broken = set(fake_api.states)
    task = make_task({"agent_id": sorted(fake_api.states), "status": "ready"})
    result = run(task, fake_time)
    assert sorted(posts(fake_api)) == sorted(fake_api.states)  # every agent was tried
    assert result["summary"]["failed"] == 10
    assert result["msg"].split("; ", 1)[1].startswith("10 of 10 agents failed: 1 agent (3000): HTTP 200, code '400', error 'Agent 3000 is in a call'")
    assert result["msg"].endswith(" (and 7 more reasons, see agents)")


# --------------------------------------------------------------------------------------------
# busy_policy: skip, force, wait (and check mode, which never waits)
# --------------------------------------------------------------------------------------------

BUSY_TASK = {"agent_id": ["1001", "1002", "1003"], "status": "ready", "busy_states": ["On call", "Ringing"]}


def test_busy_skip(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    result = run(make_task(dict(BUSY_TASK)), fake_time)
    assert results(result) == [("1001", "skipped", "busy"), ("1002", "changed", None), ("1003", "unchanged", None)]
    assert posts(fake_api) == ["1002"]
    assert result["summary"]["skipped_busy"] == 1
    assert result["msg"] == ("1 changed, 1 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 3 agents; "
                             "skipped: 1001 Agent 1001 (busy: On call)")


def test_busy_force_sends_with_a_note(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    result = run(make_task(dict(BUSY_TASK, busy_policy="force")), fake_time)
    assert results(result)[0] == ("1001", "changed", None)
    assert agent(result, "1001")["msg"] == ("Agent status has been modified to Ready (note: On call -> Ready "
                                            "(busy, sent anyway: busy_policy is force))")
    assert sorted(posts(fake_api)) == ["1001", "1002"]


def test_check_mode_with_wait_never_waits_and_sends_nothing(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    task = make_task(dict(BUSY_TASK, busy_policy="wait", wait_timeout=120), check_mode=True)
    result = run(task, fake_time)
    assert fake_time.sleeps == []
    assert fake_api.sent("POST") == []
    assert len(fake_api.sent("GET")) == 1
    assert results(result) == [("1001", "skipped", "busy"), ("1002", "changed", None), ("1003", "unchanged", None)]
    assert agent(result, "1001")["msg"] == ("busy (On call): would wait up to 120 s for it to leave that state "
                                            "(check mode does not wait)")
    assert agent(result, "1002")["msg"] == "would change (check mode): Lunch -> Ready"
    assert result["msg"] == ("1 would change, 1 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 3 agents "
                             "(check mode: nothing sent); skipped: 1001 Agent 1001 (busy: On call)")
    assert result["changed"] is True
    assert fake_api.states == FLOOR


def test_wait_then_send_when_the_agent_leaves_its_busy_state(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    read_at = []

    def on_read(number):
        read_at.append(fake_time.now)
        if number == 3:  # the second poll: the call has ended, the agent is in after-call work
            fake_api.states["1001"] = "ACW"

    fake_api.on_read = on_read
    task = make_task(dict(BUSY_TASK, busy_policy="wait", wait_timeout=300, poll_interval=10))
    result = run(task, fake_time)
    assert fake_time.sleeps == [10, 10]
    assert [round(t - read_at[0], 6) for t in read_at] == [0, 10, 20]  # a read every poll_interval
    assert results(result) == [("1001", "changed", None), ("1002", "changed", None), ("1003", "unchanged", None)]
    assert agent(result, "1001")["previous_status"] == "ACW"
    assert posts(fake_api) == ["1002", "1001"]
    assert task.client.api_calls == 5  # 3 reads, 2 changes
    assert "failed" not in result


def test_wait_until_the_timeout_then_skip_as_busy(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    task = make_task(dict(BUSY_TASK, busy_policy="wait", wait_timeout=25, poll_interval=10))
    result = run(task, fake_time)
    assert fake_time.sleeps == [10, 10, 5]
    assert len(fake_api.sent("GET")) == 4
    assert posts(fake_api) == ["1002"]
    assert results(result)[0] == ("1001", "skipped", "busy")
    assert agent(result, "1001")["msg"] == "still busy (On call) after waiting 25 s (wait_timeout): not sent"
    assert "failed" not in result  # agents still busy do not fail the task
    assert result["summary"]["skipped_busy"] == 1


def test_wait_replans_an_agent_that_reached_the_desired_state_by_itself(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)

    def on_read(number):
        if number == 2:
            fake_api.states["1004"] = "Ready"

    fake_api.on_read = on_read
    task = make_task({"agent_id": ["1004"], "status": "ready", "busy_states": ["Ringing"], "busy_policy": "wait",
                      "poll_interval": 5})
    result = run(task, fake_time)
    assert results(result) == [("1004", "unchanged", None)]
    assert fake_api.sent("POST") == []
    assert fake_time.sleeps == [5]


def test_no_busy_agent_no_wait(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    run(make_task({"agent_id": ["1002"], "status": "ready", "busy_states": ["On call"], "busy_policy": "wait"}), fake_time)
    assert fake_time.sleeps == []
    assert len(fake_api.sent("GET")) == 1


# --------------------------------------------------------------------------------------------
# verify: one more read; a change not shown yet is pending
# --------------------------------------------------------------------------------------------

def test_verify_marks_a_change_not_shown_as_pending(make_task, fake_api, fake_time):
    fake_api.lagging = {"1002"}
    task = make_task({"agent_id": ["1001", "1002", "1003"], "status": "7", "status_labels": {"7": "Active breaks"},
                      "verify": True, "logged_out_policy": "send"})
    result = run(task, fake_time)
    assert results(result) == [("1001", "changed", None), ("1002", "unchanged", None), ("1003", "changed", None)]
    fake_api.states["1001"] = "Lunch"
    fake_api.lagging = {"1001"}
    task = make_task({"agent_id": ["1001", "1003"], "status": "ready", "verify": True, "logged_out_policy": "send",
                      "diff_format": "maps"})
    before = len(fake_api.sent("GET"))
    result = run(task, fake_time)
    assert len(fake_api.sent("GET")) - before == 2  # the read, and exactly one more
    assert results(result) == [("1001", "pending", None), ("1003", "changed", None)]
    assert agent(result, "1001")["msg"] == ("accepted by the API, but the agents list still shows 'Lunch' instead of "
                                            "'Ready' (Agent status has been modified to Ready)")
    assert result["changed"] is True
    assert result["summary"]["pending"] == 1 and result["summary"]["changed"] == 1
    assert result["diff"]["after"] == {"1001": "Ready", "1003": "Ready"}
    assert "1 pending" in result["msg"]


def test_verify_only_pending_still_means_changed(make_task, fake_api, fake_time):
    fake_api.lagging = {"1001"}
    result = run(make_task({"agent_id": ["1001"], "status": "logout", "verify": True}), fake_time)
    assert results(result) == [("1001", "pending", None)]
    assert result["summary"]["changed"] == 0
    assert result["changed"] is True


def test_verify_cannot_check_an_unlabelled_state(make_task, fake_api, fake_time):
    result = run(make_task({"agent_id": ["1001"], "status": "12", "verify": True}), fake_time)
    assert results(result) == [("1001", "changed", None)]
    assert agent(result, "1001")["msg"].endswith(" (not verified: state 12 has no label in status_labels)")


def test_verify_without_changes_reads_once(make_task, fake_api, fake_time):
    result = run(make_task(one(verify=True)), fake_time)
    assert result["changed"] is False
    assert len(fake_api.sent("GET")) == 1


def test_without_verify_no_second_read(make_task, fake_api, fake_time):
    fake_api.lagging = {"1001"}
    result = run(make_task({"agent_id": ["1001"], "status": "logout"}), fake_time)
    assert results(result) == [("1001", "changed", None)]
    assert len(fake_api.sent("GET")) == 1


def test_waiting_prints_a_line_at_least_every_minute(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    task = make_task(dict(BUSY_TASK, busy_policy="wait", wait_timeout=300, poll_interval=30))
    lines = []
    task.progress = lines.append
    run(task, fake_time)
    assert [line.split(": ", 1)[1] for line in lines] == [
        "waiting for 1 agent handling a contact (busy_states) to finish: %d s so far, at most 300 s (wait_timeout)" % t
        for t in (0, 60, 120, 180, 240)]
    assert lines[0].startswith("server 0042: ")


def test_waiting_with_a_long_poll_interval_still_speaks_every_minute(make_task, fake_api, fake_time):
    fake_api.states = dict(FLOOR)
    task = make_task(dict(BUSY_TASK, busy_policy="wait", wait_timeout=600, poll_interval=600))
    lines = []
    task.progress = lines.append
    run(task, fake_time)
    assert len(lines) == 10
    assert max(fake_time.sleeps) <= 60
    assert len(fake_api.sent("GET")) == 2  # the first read and one at the deadline


def test_default_busy_states_are_talk_and_acw(make_task, fake_api, fake_time):
    fake_api.states = {"1001": "Talk", "1002": "acw", "1003": "Lunch"}
    result = run(make_task({"agent_id": ["1001", "1002", "1003"], "status": "logout"}), fake_time)
    assert results(result) == [("1001", "skipped", "busy"), ("1002", "skipped", "busy"), ("1003", "changed", None)]
    assert posts(fake_api) == ["1003"]
    result = run(make_task({"agent_id": ["1001"], "status": "logout", "busy_states": []}), fake_time)
    assert results(result) == [("1001", "changed", None)]


def test_a_spent_quota_on_the_read_fails_each_named_agent_not_sent(make_task, fake_api, fake_time):
    from ansible_collections.wolkvox.contact_center.tests.unit.conftest import FakeResponse
    fake_api.list_answer = FakeResponse(403, {"code": 403, "error": "FORBIDDEN", "msg": "TOKEN LIMIT EXCEEDED"})
    task = make_task({"agent_id": ["1001", "1002"], "status": "ready"})
    result = run(task, fake_time)
    assert result["failed"] is True
    assert [a["msg"] for a in result["agents"]] == ["not sent: the operation's daily quota is spent"] * 2
    assert "daily quota of API requests is spent" in result["msg"]
    assert task.client.api_calls == 1
    assert result["error"]["msg"] == "TOKEN LIMIT EXCEEDED"


def test_a_spent_quota_with_all_agents_fails_the_task(make_task, fake_api, fake_time):
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxQuotaError
    from ansible_collections.wolkvox.contact_center.tests.unit.conftest import FakeResponse
    fake_api.list_answer = FakeResponse(200, {"code": "403", "error": "TOKEN LIMIT EXCEEDED", "msg": None})
    with pytest.raises(WolkvoxQuotaError):
        run(make_task({"all_agents": True, "status": "ready"}), fake_time)


def test_unplaced_labels_are_warned_once(make_task, fake_api, fake_time):
    fake_api.states = {"1001": "On hold", "1002": "On hold", "1003": "Ringing", "1004": "Ready"}
    task = make_task({"all_agents": True, "status": "ready"})
    run(task, fake_time)
    warned = [w for w in task.warnings if "cannot place" in w]
    assert len(warned) == 1 and "'On hold' (2 agents), 'Ringing' (1 agent)" in warned[0]
