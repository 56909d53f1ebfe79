# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wolkvox_agent_status: main() with patched args against a fake API (no network); asserts on the JSON."""

from __future__ import annotations

import json
import threading

import pytest
from requests.structures import CaseInsensitiveDict

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _client, _module
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient, WolkvoxError
from ansible_collections.wolkvox.contact_center.plugins.modules import wolkvox_agent_status
from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import (
    AnsibleExitJson,
    AnsibleFailJson,
    patch_exit_and_fail,
    set_module_args,
)

TOKEN = "tok-5ecr3t-ABCDEF0123456789"
CONNECTION = {"wolkvox_server": "0042", "wolkvox_token": TOKEN, "retry_delay": 0}
LABELS = {"7": "Active breaks"}


class FakeResponse(object):
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.text = json.dumps(body)
        self.content = self.text.encode("utf-8", "surrogatepass")
        self.headers = CaseInsensitiveDict()


class FakeApi(object):
    """The two calls of the vendor's API, over an in-memory operation."""

    def __init__(self):
        self.states = {"1001": "Ready", "1002": "Active breaks", "1003": "Logout", "1004": "Lunch", "1005": "ACW"}
        self.aux = {"7": "Active breaks", "8": "Lunch", "12": "Training"}
        self.broken = set()  # agents whose change the API refuses
        self.list_answer = None  # a canned answer for the agents list
        self.calls = []
        self.sessions = 0
        self.lock = threading.Lock()

    def request(self, method, url, params=None, **kwargs):
        with self.lock:
            self.calls.append((method, url, dict(params or {}), kwargs))
            if url.endswith("/api/v2/information.php"):
                if self.list_answer is not None:
                    return self.list_answer
                data = [{"agent_id": int(aid), "agent_name": "Agent %s" % aid, "agent_status": label}
                        for aid, label in sorted(self.states.items())]
                return FakeResponse(200, {"code": 200, "error": None, "msg": "%d records were found" % len(data), "data": data})
            agent, status = params["agent_id"], params["status"]
            if agent in self.broken:
                return FakeResponse(200, {"code": "400", "error": "Agent %s is in a call" % agent, "msg": None})
            label = {"ready": "Ready", "logout": "Logout"}.get(status) or self.aux.get(status)
            if agent not in self.states or label is None:
                return FakeResponse(200, {"code": "404", "error": "Agent or status does not exist", "msg": None})
            self.states[agent] = label
            return FakeResponse(200, {"code": "200", "error": None, "msg": "Agent status has been modified to %s" % label})

    def sent(self, method=None):
        return [c for c in self.calls if method is None or c[0] == method]


@pytest.fixture
def api(monkeypatch, tmp_path):
    fake = FakeApi()
    for name in ("WOLKVOX_SERVER", "WOLKVOX_TOKEN", "WOLKVOX_API_URL"):
        monkeypatch.delenv(name, raising=False)

    def session(client):
        fake.sessions += 1
        return fake

    monkeypatch.setattr(WolkvoxClient, "_session", session)
    # the token's lock files go to a private directory of this test, not to the shared temp dir
    monkeypatch.setattr(_client.tempfile, "gettempdir", lambda: str(tmp_path))
    patch_exit_and_fail(monkeypatch)
    return fake


def run(args, check_mode=False, diff=False, connection=True):
    """Run the module; return ('exit' | 'fail', result)."""
    full = dict(CONNECTION) if connection else {}
    full.update(args)
    full["_ansible_check_mode"] = check_mode
    full["_ansible_diff"] = diff
    with set_module_args(full):
        try:
            wolkvox_agent_status.main()
        except AnsibleExitJson as exc:
            return "exit", exc.result
        except AnsibleFailJson as exc:
            return "fail", exc.result
    raise AssertionError("the module neither exited nor failed")


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
    assert result["summary"] == {"total": 3, "changed": 2, "unchanged": 1, "skipped": 0, "failed": 0}
    assert result["diff"] == {"before": {"1002": "Active breaks", "1004": "Lunch"}, "after": {"1002": "Ready", "1004": "Ready"}}
    assert result["api_calls"] == 1
    assert [c[0] for c in api.calls] == ["GET"]
    assert api.states["1002"] == "Active breaks"


def test_apply_then_rerun_is_idempotent(api):
    args = {"agent_id": ["1001", "1002", "1003"], "status": "7", "status_labels": LABELS}
    how, result = run(args)
    assert how == "exit"
    assert result["changed"] is True
    assert results(result) == [("1001", "changed"), ("1002", "unchanged"), ("1003", "changed")]
    assert result["agents"][0] == {
        "agent_id": "1001", "status": "7", "previous_status": "Ready", "result": "changed",
        "msg": "Agent status has been modified to Active breaks",
    }
    assert result["summary"] == {"total": 3, "changed": 2, "unchanged": 1, "skipped": 0, "failed": 0}
    assert result["diff"] == {"before": {"1001": "Ready", "1003": "Logout"},
                              "after": {"1001": "Active breaks", "1003": "Active breaks"}}
    assert result["msg"] == "2 changed, 1 unchanged, 0 skipped, 0 failed of 3 agents"
    assert result["api_calls"] == 3
    posts = api.sent("POST")
    assert sorted(c[2]["agent_id"] for c in posts) == ["1001", "1003"]
    for method, url, params, kwargs in api.calls:
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
        "status_labels": LABELS,
    }, diff=True)
    assert how == "exit"
    assert results(result) == [("1003", "changed"), ("1001", "changed"), ("1002", "unchanged")]
    assert [a["status"] for a in result["agents"]] == ["ready", "logout", "7"]
    assert result["diff"]["after"] == {"1003": "Ready", "1001": "Logout"}
    assert result["api_calls"] == 3


def test_single_agent_id_and_aliases(api):
    how, result = run({"agent_ids": "1003", "status": " Ready ", "token": TOKEN, "wolkvox_server": "0042"},
                      connection=False)
    assert how == "exit"
    assert results(result) == [("1003", "changed")]
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
    # only_from is looked at first: an agent outside it is skipped, even one already in the desired state
    assert results(result) == [("1001", "skipped"), ("1002", "changed"), ("1004", "changed"), ("1005", "skipped")]
    assert result["agents"][3]["msg"] == "current state 'ACW' is not in only_from"
    assert result["summary"] == {"total": 4, "changed": 2, "unchanged": 0, "skipped": 2, "failed": 0}
    assert result["api_calls"] == 3


def test_force_sends_without_reading(api):
    how, result = run({"agent_id": ["1001", "1003"], "status": "ready", "force": True}, diff=True)
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
    how, result = run({"agent_id": ["1001"], "status": "12"})
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
                                  {"agent_id": "1003", "status": "ready"}, {"agent_id": "1001", "status": "ready"}]})
    assert how == "fail"
    assert result["msg"].startswith("2 of 4 agents failed: 9999: agent 9999 does not exist in this operation")
    assert "1003: changing agent 1003 to ready failed" in result["msg"]
    assert "Agent 1003 is in a call" in result["msg"]
    assert results(result) == [("1002", "changed"), ("9999", "failed"), ("1003", "failed"), ("1001", "unchanged")]
    assert result["summary"] == {"total": 4, "changed": 1, "unchanged": 1, "skipped": 0, "failed": 2}
    assert result["changed"] is True
    assert result["api_calls"] == 3  # one read, two changes; the refused change is an answer, not retried
    assert api.states["1002"] == "Ready"


def test_many_failures_are_summarized(api):
    api.broken.update(["1001", "1002", "1003", "1004", "1005"])
    how, result = run({"agent_id": ["1001", "1002", "1003", "1004", "1005"], "status": "8", "status_labels": {"8": "Nap"}})
    assert how == "fail"
    assert result["msg"].startswith("5 of 5 agents failed: 1001: ")
    assert result["msg"].endswith(" (and 2 more, see agents)")
    assert len(result["agents"]) == 5
    assert result["changed"] is False


def test_patched_client_methods(api, monkeypatch):
    sent = []

    def change_many(self, changes):
        sent.extend(changes)
        return [(True, "moved"), (False, WolkvoxError("changing agent 1005 to 7 failed: nope"))]

    monkeypatch.setattr(WolkvoxClient, "list_agents", lambda self: [
        {"agent_id": "1004", "agent_status": "Lunch"}, {"agent_id": "1005", "agent_status": "ACW"}])
    monkeypatch.setattr(WolkvoxClient, "change_many", change_many)
    how, result = run({"agent_id": ["1004", "1005"], "status": "7", "status_labels": LABELS})
    assert how == "fail"
    assert sent == [("1004", "7"), ("1005", "7")]
    assert result["agents"][0]["msg"] == "moved"
    assert result["agents"][1]["msg"] == "changing agent 1005 to 7 failed: nope"
    assert result["msg"] == "1 of 2 agents failed: 1005: changing agent 1005 to 7 failed: nope"
    assert result["api_calls"] == 0  # the patched methods made no request


def test_reading_the_agents_fails(api):
    api.list_answer = FakeResponse(200, {"code": "401", "error": "Invalid token", "msg": None})
    how, result = run({"agent_id": ["1001"], "status": "ready"})
    assert how == "fail"
    assert result["msg"] == "reading the agents list failed: HTTP 200, code '401', error 'Invalid token', msg None"
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
        ({"agent_id": ["1001"], "status": "ready", "status_labels": {"break": "Break"}}, "status 'break' is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "status_labels": {"7": ""}}, "status_labels['7'] has the label ''"),
        ({"agent_id": ["1001"], "status": "ready", "only_from": ["9"]}, "only_from has the state ID '9'"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_server": "00.42"}, "wolkvox_server '00.42' is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_server": "0042\n"}, "wolkvox_server '0042\\n' is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "api_url": "ftp://proxy.example.com"}, "only http:// and https://"),
        ({"agent_id": ["1001"], "status": "ready", "retries": -1}, "retries -1 is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "max_concurrency": 0}, "max_concurrency 0 is not valid"),
        ({"agent_id": ["1001"], "status": "ready", "wolkvox_token": "two words"}, "wolkvox_token is not valid"),
        ({"agent_id": ["1001"], "agents": [{"agent_id": "1001", "status": "ready"}]}, "mutually exclusive"),
        ({"agent_id": ["1001"], "status": "ready", "force": True, "only_from": ["ready"]}, "mutually exclusive"),
        ({"agent_id": ["1001"]}, "parameters are required together: agent_id, status"),
        ({"status": "ready"}, "parameters are required together: agent_id, status"),
        ({}, "one of the following is required: agent_id, agents"),
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

def test_token_never_in_the_module_output(monkeypatch, tmp_path, capsys):
    fake = FakeApi()
    fake.list_answer = FakeResponse(200, {"code": "401", "error": "token %s is not valid" % TOKEN, "msg": "got " + TOKEN})
    monkeypatch.delenv("WOLKVOX_API_URL", raising=False)
    monkeypatch.setattr(WolkvoxClient, "_session", lambda self: fake)
    monkeypatch.setattr(_client.tempfile, "gettempdir", lambda: str(tmp_path))
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
