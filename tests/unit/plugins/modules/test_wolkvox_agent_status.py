# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wolkvox_agent_status: main() with patched args against a fake API (no network); asserts on the JSON."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _module, _status
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxError
from ansible_collections.wolkvox.contact_center.plugins.modules import wolkvox_agent_status
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import TOKEN, FakeResponse
from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import run_module, set_module_args

CONNECTION = {"wolkvox_server": "0042", "wolkvox_token": TOKEN, "retry_delay": 0}
LABELS = {"7": "Active breaks"}


def run(args, check_mode=False, diff=False, connection=True):
    """Run the module against the ``api`` fixture; return ('exit' | 'fail', result)."""
    full = dict(CONNECTION) if connection else {}
    full.update(args)
    return run_module(wolkvox_agent_status.main, full, check_mode=check_mode, diff=diff)


def results(result):
    return [(a["agent_id"], a["result"]) for a in result["agents"]]


# --------------------------------------------------------------------------------------------
# check mode, apply, idempotence
# --------------------------------------------------------------------------------------------

def test_check_mode_sends_nothing(api, monkeypatch):
    def no_change(*args, **kwargs):
        raise AssertionError("change_many called in check mode")

    monkeypatch.setattr(WolkvoxClient, "change_many", no_change)
    how, result = run({"agent_id": ["1001", "1002", "1004"], "status": "ready", "status_labels": LABELS},
                      check_mode=True, diff=True)
    assert how == "exit"
    assert result["changed"] is True
    assert results(result) == [("1001", "unchanged"), ("1002", "changed"), ("1004", "changed")]
    assert result["agents"][1]["msg"] == "would change (check mode): Active breaks -> Ready"
    assert result["summary"] == {"total": 3, "changed": 2, "unchanged": 1, "skipped": 0, "pending": 0, "failed": 0,
                                 "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["msg"] == ("2 would change, 1 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents "
                             "(check mode: nothing sent)")
    # --diff readable by default: the agents that would change, before and after together, with their names.
    assert result["diff"] == {"prepared": "--- before: server 0042\n+++ after: server 0042\n"
                                          "-1002 Agent 1002  Active breaks\n+1002 Agent 1002  Ready\n"
                                          "-1004 Agent 1004  Lunch\n+1004 Agent 1004  Ready\n"}
    assert result["api_calls"] == 1
    assert [c[0] for c in api.calls] == ["GET"]
    assert api.states["1002"] == "Active breaks"


def test_apply_then_rerun_is_idempotent(api):
    args = {"agent_id": ["1001", "1002", "1003"], "status": "7", "status_labels": LABELS, "logged_out_policy": "send",
            "diff_format": "maps"}
    how, result = run(args)
    assert how == "exit"
    assert result["changed"] is True
    assert results(result) == [("1001", "changed"), ("1002", "unchanged"), ("1003", "changed")]
    assert result["agents"][0] == {
        "agent_id": "1001", "status": "7", "previous_status": "Ready", "result": "changed",
        "msg": "Agent status has been modified to Active breaks", "reason": None, "agent_name": "Agent 1001",
    }
    assert result["summary"] == {"total": 3, "changed": 2, "unchanged": 1, "skipped": 0, "pending": 0, "failed": 0,
                                 "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["diff"] == {"before": {"1001": "Ready", "1003": "Logout"},
                              "after": {"1001": "Active breaks", "1003": "Active breaks"}}
    assert result["msg"] == "2 changed, 1 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents"
    assert result["api_calls"] == 3
    posts = api.sent("POST")
    assert sorted(c[2]["agent_id"] for c in posts) == ["1001", "1003"]
    for _method, url, params, kwargs in api.calls:
        assert url.startswith("https://wv0042.wolkvox.com/api/v2/")
        assert kwargs["allow_redirects"] is False
        assert TOKEN not in url and TOKEN not in json.dumps(params)

    api.calls = []
    how, result = run(args)
    assert how == "exit"
    assert result["changed"] is False
    assert result["summary"]["unchanged"] == 3
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["api_calls"] == 1
    assert len(api.calls) == 1


def test_one_read_for_many_agents(api):
    for i in range(2000, 2040):
        api.states[str(i)] = "Logout"
    how, result = run({"agent_id": [str(i) for i in range(2000, 2040)], "status": "LOGOUT"})
    assert how == "exit"
    assert result["changed"] is False
    assert result["api_calls"] == 1
    assert len(api.sent("GET")) == 1


def test_agents_form_with_different_targets(api):
    how, result = run({
        "agents": [{"agent_id": "1003", "status": "ready"}, {"agent_id": "1001", "status": "logout"},
                   {"agent_id": "1002", "status": "7"}],
        "status_labels": LABELS, "logged_out_policy": "send", "diff_format": "maps",
    }, diff=True)
    assert how == "exit"
    assert results(result) == [("1003", "changed"), ("1001", "changed"), ("1002", "unchanged")]
    assert [a["status"] for a in result["agents"]] == ["ready", "logout", "7"]
    assert result["diff"]["after"] == {"1003": "Ready", "1001": "Logout"}
    assert result["api_calls"] == 3


def test_single_agent_id_and_aliases(api):
    how, result = run({"agent_ids": "1004", "status": " Ready ", "token": TOKEN, "wolkvox_server": "0042"},
                      connection=False)
    assert how == "exit"
    assert results(result) == [("1004", "changed")]
    assert result["agents"][0]["status"] == "ready"


def test_connection_from_environment(api, monkeypatch):
    monkeypatch.setenv("WOLKVOX_SERVER", "0099")
    monkeypatch.setenv("WOLKVOX_TOKEN", TOKEN)
    monkeypatch.setenv("WOLKVOX_API_URL", "http://127.0.0.1:18080/")
    how, result = run({"agent_id": "1001", "status": "ready"}, connection=False)
    assert how == "exit"
    assert result["changed"] is False
    assert api.calls[0][1] == "http://127.0.0.1:18080/api/v2/information.php"


def test_only_from_skips_the_others(api):
    how, result = run({"agent_id": ["1001", "1002", "1004", "1005"], "status": "ready",
                       "only_from": ["7", "lunch"], "status_labels": LABELS})
    assert how == "exit"
    # Contract Part 2: an agent already in the desired state is unchanged whatever only_from says
    # (only_from used to be looked at first and skipped it)
    assert results(result) == [("1001", "unchanged"), ("1002", "changed"), ("1004", "changed"), ("1005", "skipped")]
    assert result["agents"][3]["msg"] == "current state 'ACW' is not in only_from"
    assert result["agents"][3]["reason"] == "only_from"
    assert result["summary"] == {"total": 4, "changed": 2, "unchanged": 1, "skipped": 1, "pending": 0, "failed": 0,
                                 "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["api_calls"] == 3


def test_force_sends_without_reading(api):
    how, result = run({"agent_id": ["1001", "1003"], "status": "ready", "force": True, "diff_format": "maps"}, diff=True)
    assert how == "exit"
    assert results(result) == [("1001", "changed"), ("1003", "changed")]
    assert [a["previous_status"] for a in result["agents"]] == [None, None]
    assert api.sent("GET") == []
    assert result["api_calls"] == 2
    assert result["diff"] == {"before": {"1001": None, "1003": None}, "after": {"1001": "Ready", "1003": "Ready"}}


def test_force_in_check_mode(api):
    how, result = run({"agent_id": ["1001"], "status": "logout", "force": True}, check_mode=True)
    assert how == "exit"
    assert result["changed"] is True
    assert result["api_calls"] == 0
    assert api.calls == []


def test_aux_state_without_label_is_sent_with_a_hint(api):
    how, result = run({"agent_id": ["1001"], "status": "12", "diff_format": "maps"})
    assert how == "exit"
    assert results(result) == [("1001", "changed")]
    msg = result["agents"][0]["msg"]
    assert msg.startswith("Agent status has been modified to Training (note: ")
    assert "status_labels" in msg
    assert result["diff"]["after"] == {"1001": "12"}


def test_nothing_requested(api):
    how, result = run({"agents": []})
    assert how == "exit"
    assert result["changed"] is False
    assert result["agents"] == []
    assert result["summary"]["total"] == 0
    assert result["api_calls"] == 0
    assert api.calls == []


# --------------------------------------------------------------------------------------------
# failures
# --------------------------------------------------------------------------------------------

def test_partial_failure_returns_every_agent(api):
    api.broken.add("1003")
    how, result = run({"agents": [{"agent_id": "1002", "status": "ready"}, {"agent_id": "9999", "status": "ready"},
                                  {"agent_id": "1003", "status": "ready"}, {"agent_id": "1001", "status": "ready"}],
                       "logged_out_policy": "send"})
    assert how == "fail"
    # failures are grouped by reason: "<n> agent(s) (<ids>): <reason>"
    assert result["msg"].split("; ", 1)[1].startswith("2 of 4 agents failed: 1 agent (9999): agent 9999 does not exist in this operation")
    assert "; 1 agent (1003): HTTP 200, code '400'" in result["msg"]
    assert result["agents"][2]["msg"].startswith("changing agent 1003 to ready failed")
    assert "Agent 1003 is in a call" in result["msg"]
    assert results(result) == [("1002", "changed"), ("9999", "failed"), ("1003", "failed"), ("1001", "unchanged")]
    assert result["summary"] == {"total": 4, "changed": 1, "unchanged": 1, "skipped": 0, "pending": 0, "failed": 2,
                                 "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["changed"] is True
    assert result["api_calls"] == 3  # one read, two changes; the refused change is an answer, not retried
    assert api.states["1002"] == "Ready"


def test_many_failures_are_summarized(api):
    api.broken.update(["1001", "1002", "1003", "1004", "1005"])
    how, result = run({"agent_id": ["1001", "1002", "1003", "1004", "1005"], "status": "8", "status_labels": {"8": "Nap"},
                       "logged_out_policy": "send", "busy_states": []})
    assert how == "fail"
    assert result["msg"].split("; ", 1)[1].startswith("5 of 5 agents failed: 1 agent (1001): ")
    assert result["msg"].endswith(" (and 2 more reasons, see agents)")
    assert len(result["agents"]) == 5
    assert result["changed"] is False


def test_patched_client_methods(api, monkeypatch):
    sent = []

    def change_many(self, changes, gate=None):
        sent.extend(changes)
        return [(True, "moved"), (False, WolkvoxError("changing agent 1005 to 7 failed: nope", reason="nope"))]

    monkeypatch.setattr(WolkvoxClient, "list_agents", lambda self: [
        {"agent_id": "1004", "agent_status": "Lunch"}, {"agent_id": "1005", "agent_status": "ACW"}])
    monkeypatch.setattr(WolkvoxClient, "change_many", change_many)
    how, result = run({"agent_id": ["1004", "1005"], "status": "7", "status_labels": LABELS, "busy_states": []})
    assert how == "fail"
    assert sent == [("1004", "7"), ("1005", "7")]
    assert result["agents"][0]["msg"] == "moved"
    assert result["agents"][1]["msg"] == "changing agent 1005 to 7 failed: nope"
    assert result["msg"].split("; ", 1)[1] == "1 of 2 agents failed: 1 agent (1005): nope"
    assert result["api_calls"] == 0  # the patched methods made no request


def test_reading_the_agents_fails(api):
    api.list_answer = FakeResponse(200, {"code": "401", "error": "Invalid token", "msg": None})
    how, result = run({"agent_id": ["1001"], "status": "ready"})
    assert how == "fail"
    assert result["msg"].startswith("reading the agents list failed: HTTP 200, code '401', error 'Invalid token', msg None")
    assert result["msg"].endswith(": authentication failed - check wolkvox_token (it must be a token of this operation), "
                                  "and wolkvox_server '0042' (the server code that token belongs to)")
    assert result["error"] == {"http_status": 200, "code": "401", "error": "Invalid token", "msg": None}
    assert result["api_calls"] == 1
    assert api.sent("POST") == []


def test_server_errors_are_retried_and_counted(api):
    api.list_answer = FakeResponse(503, {"code": "503", "error": "down", "msg": None})
    how, result = run({"agent_id": ["1001"], "status": "ready", "retries": 2})
    assert how == "fail"
    assert "HTTP 503" in result["msg"]
    assert result["msg"].endswith("(after 2 retries)")
    assert result["api_calls"] == 3


@pytest.mark.parametrize(
    "args, must_contain",
    [
        ({"agent_id": ["1001"], "status": "break"}, "status 'break' is not valid"),
        ({"agent_id": ["1001", "12a"], "status": "ready"}, "agent_id '12a' is not valid"),
        ({"agents": [{"agent_id": "1001", "status": "lunch"}]}, "status 'lunch' is not valid"),
        ({"agents": [{"agent_id": "1001", "status": "ready"}, {"agent_id": "1001", "status": "7"}]},
         "agent_id '1001' is asked for twice"),
        ({"agent_id": ["1001"], "status": "ready", "status_labels": {"break": "Break"}}, "status_labels has the key 'break'"),
        ({"agent_id": ["1001"], "status": "ready", "status_labels": {"7": ""}}, "status_labels['7'] has the label ''"),
        ({"agent_id": ["1001"], "status": "ready", "only_from": ["9"]}, "only_from (role variable wolkvox_agent_status_only_from) has the state ID '9'"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_server": "00.42"}, "wolkvox_server '00.42' is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_server": "0042\n"}, "wolkvox_server '0042\\n' is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "api_url": "ftp://proxy.example.com"}, "only http:// and https://"),
        ({"agent_id": ["1001"], "status": "ready", "retries": -1}, "retries (role variable wolkvox_retries) -1 is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "max_concurrency": 0}, "max_concurrency (role variable wolkvox_max_concurrency) 0 is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_token": "two words"}, "wolkvox_token is not valid"),
        ({"agent_id": ["1001"], "agents": [{"agent_id": "1001", "status": "ready"}]}, "mutually exclusive"),
        ({"agent_id": ["1001"], "status": "ready", "force": True, "only_from": ["ready"]}, "mutually exclusive"),
        ({"agent_id": ["1001"]}, "missing parameter(s) required by 'agent_id': status"),
        ({"status": "ready"}, "say which agents: agent_id with status, agents, all_agents with status, or plan"),
        ({}, "say which agents: agent_id with status, agents, all_agents with status, or plan"),
    ],
)
def test_bad_input_fails_before_any_request(api, monkeypatch, args, must_contain):
    monkeypatch.setattr(WolkvoxClient, "list_agents", lambda self: pytest.fail("list_agents called"))
    monkeypatch.setattr(WolkvoxClient, "change_many", lambda self, changes: pytest.fail("change_many called"))
    how, result = run(args)
    assert how == "fail"
    assert must_contain in result["msg"]
    assert result.get("api_calls", 0) == 0
    assert api.calls == []
    assert api.sessions == 0


def test_missing_connection_options_fail(api, monkeypatch):
    monkeypatch.delenv("WOLKVOX_SERVER", raising=False)
    monkeypatch.delenv("WOLKVOX_TOKEN", raising=False)
    how, result = run({"agent_id": ["1001"], "status": "ready"}, connection=False)
    assert how == "fail"
    assert "wolkvox_server" in result["msg"] and "wolkvox_token" in result["msg"]
    assert api.calls == []


def test_requests_missing(api, monkeypatch):
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", ImportError("No module named 'requests'"))
    how, result = run({"agent_id": ["1001"], "status": "ready"})
    assert how == "fail"
    assert "requests" in result["msg"]
    assert "No module named 'requests'" in result["exception"]
    assert api.calls == []


# --------------------------------------------------------------------------------------------
# the real output: the token never reaches it
# --------------------------------------------------------------------------------------------

def test_token_never_in_the_module_output(fake_api, monkeypatch, capsys):
    fake_api.list_answer = FakeResponse(200, {"code": "401", "error": "token %s is not valid" % TOKEN, "msg": "got " + TOKEN})
    monkeypatch.delenv("WOLKVOX_API_URL", raising=False)
    args = dict(CONNECTION, agent_id=["1001"], status="ready")
    with set_module_args(args):
        with pytest.raises(SystemExit) as exc:
            wolkvox_agent_status.main()
    assert exc.value.code == 1
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["failed"] is True
    assert "is not valid" in result["msg"]
    assert TOKEN not in out
    assert result["api_calls"] == 1
    # ansible-core up to 2.20 echoes the (masked) arguments; 2.21 leaves "invocation" out.
    if "invocation" in result:
        assert result["invocation"]["module_args"]["wolkvox_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


# --------------------------------------------------------------------------------------------
# Part 2: stricter connection input, clean failures, the live-floor options
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("server", [34, 42.0])
def test_server_given_as_a_number_fails_before_any_request(api, server):
    how, result = run({"agent_id": ["1001"], "status": "ready", "wolkvox_server": server})
    assert how == "fail"
    assert result["msg"].startswith("wolkvox_server was given as the number %s" % server)
    assert "Quote it" in result["msg"]
    assert api.calls == [] and api.sessions == 0
    assert result["api_calls"] == 0


@pytest.mark.parametrize("args", [
    {"agent_id": ["1001"], "status": "break"},
    {"agent_id": ["1001"], "status": "ready", "wolkvox_server": "00.42"},
    {"all_agents": True, "status": "ready", "force": True},
])
def test_a_failure_without_api_details_has_no_error_key(api, args):
    how, result = run(args)
    assert how == "fail"
    assert "error" not in result
    assert "exception" not in result


def test_failed_agents_leave_out_the_error_key(api):
    how, result = run({"agent_id": ["9999"], "status": "ready"})
    assert how == "fail"
    assert "error" not in result
    assert result["agents"][0]["result"] == "failed"


def test_live_floor_options_are_accepted(api):
    api.states.update({"1006": "On call", "1007": "Ready"})
    api.records["1007"] = {"enabled": "no"}
    how, result = run({
        "all_agents": True, "status": "logout", "agents": [{"agent_id": "1002", "status": "ready"}],
        "exclude_agents": ["1001"], "except_from": ["Lunch"], "busy_states": ["On call"], "busy_policy": "skip",
        "logged_out_policy": "send",
        "wait_timeout": 60, "poll_interval": 5, "verify": True, "status_labels": LABELS,
    }, diff=True)
    assert how == "exit"
    assert [(a["agent_id"], a["result"], a["reason"]) for a in result["agents"]] == [
        ("1001", "skipped", "excluded"), ("1002", "changed", None), ("1003", "unchanged", None),
        ("1004", "skipped", "except_from"), ("1005", "changed", None), ("1006", "skipped", "busy"),
        ("1007", "skipped", "disabled"),
    ]
    assert result["summary"]["skipped_busy"] == 1
    assert result["api_calls"] == 4  # one read, two changes, one verifying read
    assert result["msg"] == ("2 changed, 1 unchanged, 4 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 7 agents; skipped: "
                             "1001 Agent 1001 (excluded), 1004 Agent 1004 (except_from: Lunch), 1006 Agent 1006 "
                             "(busy: On call), 1007 Agent 1007 (disabled)")


@pytest.mark.parametrize("args, must_contain", [
    ({"busy_policy": "sometimes"}, "value of busy_policy must be one of: skip, wait, force"),
    ({"force": True, "except_from": ["ACW"]}, "mutually exclusive"),
    ({"wait_timeout": 0}, "wait_timeout (role variable wolkvox_agent_status_wait_timeout) 0 is not valid"),
    ({"all_agents": True}, "all_agents and agent_id are mutually exclusive"),
])
def test_live_floor_options_are_validated_before_any_request(api, args, must_contain):
    how, result = run(dict({"agent_id": ["1001"], "status": "ready"}, **args))
    assert how == "fail"
    assert must_contain in result["msg"]
    assert api.calls == []


def test_wait_in_check_mode_does_not_wait(api, monkeypatch):
    api.states["1001"] = "On call"

    def no_sleep(seconds):
        raise AssertionError("slept %s s in check mode" % seconds)

    monkeypatch.setattr(_status.run, "__defaults__", (no_sleep, _status.run.__defaults__[1]))
    how, result = run({"agent_id": ["1001"], "status": "ready", "busy_states": ["On call"], "busy_policy": "wait"},
                      check_mode=True)
    assert how == "exit"
    assert result["agents"][0]["result"] == "skipped"
    assert "would wait up to 300 s" in result["agents"][0]["msg"]
    assert result["api_calls"] == 1
