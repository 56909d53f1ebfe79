# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wolkvox_agent_info: main() with patched args against a fake agents list (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.modules import wolkvox_agent_info
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import needs_zoneinfo
from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import run_module

CONNECTION = {"wolkvox_server": "0042", "wolkvox_token": "tok-unit-0123456789", "retry_delay": 0}
AGENTS = {
    "1001": "Ready", "1002": "Active breaks", "1003": " active BREAKS", "1004": "Lunch", "1005": "ACW", "1006": None,
}


@pytest.fixture
def agents_api(api):
    """The shared fake operation, with this file's agents."""
    api.states = dict(AGENTS)
    return api


def run(args, check_mode=False):
    return run_module(wolkvox_agent_info.main, dict(CONNECTION, **args), check_mode=check_mode)


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
def test_filters_and_counts(agents_api, args, expected_ids, by_status):
    how, result = run(args)
    assert how == "exit"
    assert result["changed"] is False
    assert ids(result) == expected_ids
    assert all(isinstance(aid, str) for aid in ids(result))
    assert result["count"] == len(expected_ids)
    assert result["by_status"] == by_status
    assert sum(len(v) for v in result["agent_ids_by_status"].values()) == len(expected_ids)
    assert result["api_calls"] == 1 and len(agents_api.calls) == 1
    assert agents_api.calls[0][0] == "GET" and agents_api.calls[0][2] == {"api": "agents"}


def test_unknown_ids_are_listed_not_fatal(agents_api):
    how, result = run({"agent_id": ["4242", "1001", "4242", "77"]})
    assert how == "exit"
    assert ids(result) == ["1001"]
    assert result["not_found"] == ["4242", "77"]
    assert "not in this operation: 4242, 77" in result["msg"]


def test_check_mode_reads(agents_api):
    how, result = run({"status": ["ready"]}, check_mode=True)
    assert how == "exit" and ids(result) == ["1001"]
    assert len(agents_api.calls) == 1


@pytest.mark.parametrize("args, needle", [
    ({"status": ["7"]}, "'7'"),
    ({"status": [""]}, "status has the entry"),
    ({"agent_id": ["1001", "abc"]}, "'abc'"),
    ({"status_labels": {"x": "Break"}}, "'x'"),
])
def test_bad_input_fails_before_any_request(agents_api, args, needle):
    how, result = run(args)
    assert how == "fail"
    assert needle in result["msg"]
    assert agents_api.calls == []


PLAN = [
    {"all_agents": True, "status": "ready", "from": "00:00", "to": "23:59"},
    {"agents": ["1004"], "status": "8", "from": "00:00", "to": "23:59", "enforce": False},
]


@needs_zoneinfo
def test_plan_adherence_through_main_costs_no_request(agents_api):
    agents_api.records["1006"] = {"enabled": "no"}  # a disabled user: never planned
    how, result = run({"plan": PLAN, "plan_timezone": "America/Bogota", "plan_at": "2026-11-25T12:30",
                       "status_labels": {"8": "Lunch"}})
    assert how == "exit" and result["changed"] is False
    assert result["adherence"] == {"adherent": 3, "not_adherent": 2, "unplanned": 1, "unknown": 0}
    assert [a["agent_id"] for a in result["not_adherent"]] == ["1002", "1003"]
    assert result["plan_moment"] == "2026-11-25 12:30 (America/Bogota)"
    planned = dict((a["agent_id"], (a["planned_status"], a["adherent"])) for a in result["agents"])
    assert planned["1004"] == ("8", True) and planned["1005"] == ("ready", True) and planned["1006"] == (None, None)
    assert [a["disabled"] for a in result["agents"]] == [False] * 5 + [True]
    assert result["api_calls"] == 1 and len(agents_api.calls) == 1


@pytest.mark.parametrize("args, needle", [
    ({"plan": [{"all_agents": True, "status": "ready", "from": "08:00"}]}, "plan[0]: 'to' is missing"),
    ({"plan": ["ready"]}, "plan[0]: an entry must be a mapping"),
    ({"plan": PLAN, "plan_timezone": "Bogota"}, "plan_timezone 'Bogota'"),
    ({"plan_at": "2026-11-25T12:30"}, "given without plan"),
])
def test_bad_plan_fails_before_any_request(agents_api, args, needle):
    how, result = run(args)
    assert how == "fail"
    assert needle in result["msg"], result["msg"]
    assert agents_api.calls == []
