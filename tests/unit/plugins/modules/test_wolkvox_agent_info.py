# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wolkvox_agent_info: main() with patched args against a fake agents list (no network)."""

from __future__ import annotations

import json

import pytest
from requests.structures import CaseInsensitiveDict

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _client
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
from ansible_collections.wolkvox.contact_center.plugins.modules import wolkvox_agent_info
from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import (
    AnsibleExitJson,
    AnsibleFailJson,
    patch_exit_and_fail,
    set_module_args,
)

CONNECTION = {"wolkvox_server": "0042", "wolkvox_token": "tok-unit-0123456789", "retry_delay": 0}
AGENTS = [
    (1001, "Ready"), (1002, "Active breaks"), (1003, " active BREAKS"), (1004, "Lunch"), (1005, "ACW"), (1006, None),
]


class FakeResponse(object):
    def __init__(self, body):
        self.status_code = 200
        self.text = json.dumps(body)
        self.content = self.text.encode("utf-8", "surrogatepass")
        self.headers = CaseInsensitiveDict()


class FakeApi(object):
    def __init__(self):
        self.calls = []

    def request(self, method, url, params=None, **kwargs):
        self.calls.append((method, url, dict(params or {})))
        data = [{"agent_id": aid, "agent_name": "Agent %s" % aid, "agent_status": label} for aid, label in AGENTS]
        return FakeResponse({"code": "200", "error": None, "msg": "%d records were found" % len(data), "data": data})


@pytest.fixture
def api(monkeypatch, tmp_path):
    fake = FakeApi()
    for name in ("WOLKVOX_SERVER", "WOLKVOX_TOKEN", "WOLKVOX_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(WolkvoxClient, "_session", lambda client: fake)
    monkeypatch.setattr(_client.tempfile, "gettempdir", lambda: str(tmp_path))
    patch_exit_and_fail(monkeypatch)
    return fake


def run(args, check_mode=False):
    full = dict(CONNECTION)
    full.update(args)
    full["_ansible_check_mode"] = check_mode
    with set_module_args(full):
        try:
            wolkvox_agent_info.main()
        except AnsibleExitJson as exc:
            return "exit", exc.result
        except AnsibleFailJson as exc:
            return "fail", exc.result
    raise AssertionError("the module neither exited nor failed")


def ids(result):
    return [agent["agent_id"] for agent in result["agents"]]


@pytest.mark.parametrize("args, expected_ids, by_status", [
    ({}, ["1001", "1002", "1003", "1004", "1005", "1006"],
     {"Ready": 1, "Active breaks": 2, "Lunch": 1, "ACW": 1, "": 1}),
    ({"agent_id": ["1005", "1001"]}, ["1001", "1005"], {"Ready": 1, "ACW": 1}),
    ({"agent_id": "1004"}, ["1004"], {"Lunch": 1}),
    ({"status": ["READY", "acw"]}, ["1001", "1005"], {"Ready": 1, "ACW": 1}),
    ({"status": ["7"], "status_labels": {"7": "Active breaks"}}, ["1002", "1003"], {"Active breaks": 2}),
    ({"status": ["7"], "status_labels": {"7": ["Pausa", "active breaks"]}}, ["1002", "1003"], {"Pausa": 2}),
    ({"status": ["logout"]}, [], {}),
    ({"status": ["Lunch"], "agent_id": ["1001", "1004"]}, ["1004"], {"Lunch": 1}),
])
def test_filters_and_counts(api, args, expected_ids, by_status):
    how, result = run(args)
    assert how == "exit"
    assert result["changed"] is False
    assert ids(result) == expected_ids
    assert all(isinstance(aid, str) for aid in ids(result))
    assert result["count"] == len(expected_ids)
    assert result["by_status"] == by_status
    assert sum(len(v) for v in result["agent_ids_by_status"].values()) == len(expected_ids)
    assert result["api_calls"] == 1 and len(api.calls) == 1
    assert api.calls[0][0] == "GET" and api.calls[0][2] == {"api": "agents"}


def test_unknown_ids_are_listed_not_fatal(api):
    how, result = run({"agent_id": ["4242", "1001", "4242", "77"]})
    assert how == "exit"
    assert ids(result) == ["1001"]
    assert result["not_found"] == ["4242", "77"]
    assert "not in this operation: 4242, 77" in result["msg"]


def test_check_mode_reads(api):
    how, result = run({"status": ["ready"]}, check_mode=True)
    assert how == "exit" and ids(result) == ["1001"]
    assert len(api.calls) == 1


@pytest.mark.parametrize("args, needle", [
    ({"status": ["7"]}, "'7'"),
    ({"status": [""]}, "status has the entry"),
    ({"agent_id": ["1001", "abc"]}, "'abc'"),
    ({"status_labels": {"x": "Break"}}, "'x'"),
])
def test_bad_input_fails_before_any_request(api, args, needle):
    how, result = run(args)
    assert how == "fail"
    assert needle in result["msg"]
    assert api.calls == []
