# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _status_options (which agents: exactly one form, decided in Python, with messages
naming the role's variables when the role passes them through) and of plans run by the status
engine (an instant with no enforced entry makes no request; entry rules; watch-only entries)."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _status
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._status_options import TaskOptions
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import needs_zoneinfo

# What the role passes when only one of its forms is set (its defaults: empty values).
ROLE = dict(option_names="role", agents=[], status="", plan=[], plan_at="", plan_timezone="UTC", only_from=[],
            except_from=[], exclude_agents=[], status_labels={}, busy_states=["Talk", "ACW"])
READY_ALL_DAY = {"all_agents": True, "status": "ready", "from": "00:00", "to": "23:59"}
WED_1000 = "2026-11-25T10:00"  # a Wednesday


def run(task, fake_time):
    return _status.run(task, sleep=fake_time.sleep, clock=fake_time)


# --------------------------------------------------------------------------------------------
# Every input error the role's Jinja used to catch, now here, before any request
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    pytest.param(ROLE, "set one of wolkvox_agent_status_agents (a list of {agent_id, status}), wolkvox_agent_status_all "
                 "(one state for every agent) or wolkvox_agent_status_plan (states over the day)", id="role-no-form"),
    pytest.param(dict(ROLE, status="ready", agents=[{"agent_id": "1001", "status": "ready"}]),
                 "set only one of wolkvox_agent_status_agents, wolkvox_agent_status_all and wolkvox_agent_status_plan "
                 "(this operation sets wolkvox_agent_status_agents and wolkvox_agent_status_all)", id="role-agents-and-all"),
    pytest.param(dict(ROLE, status="ready", plan=[READY_ALL_DAY]),
                 "set only one of wolkvox_agent_status_agents, wolkvox_agent_status_all and wolkvox_agent_status_plan "
                 "(this operation sets wolkvox_agent_status_all and wolkvox_agent_status_plan)", id="role-all-and-plan"),
    pytest.param(dict(ROLE, status="lunch"),
                 "all_agents with status 'lunch' is not valid", id="role-all-bad-state"),
    pytest.param(dict(ROLE, plan=[dict(READY_ALL_DAY, status="break")]),
                 "wolkvox_agent_status_plan[0]: 'status' 'break' is not valid", id="role-plan-bad-entry"),
    pytest.param(dict(ROLE, plan=[READY_ALL_DAY], plan_timezone="Bogota"),
                 "wolkvox_agent_status_timezone 'Bogota' is not a known time zone", id="role-plan-bad-timezone"),
    pytest.param(dict(ROLE, plan=[READY_ALL_DAY], plan_at="noon"),
                 "wolkvox_agent_status_at 'noon' is not valid", id="role-plan-bad-at"),
    pytest.param(dict(ROLE, plan=[dict(READY_ALL_DAY, except_from=["9"])], plan_at=WED_1000),
                 "wolkvox_agent_status_plan[0].except_from has the state ID '9', which has no label", id="role-entry-rule-id"),
    pytest.param(dict(ROLE, agents=[{"agent_id": "ana", "status": "ready"}]),
                 "agents[0]: agent_id 'ana' is not valid", id="role-agents-bad-id"),
    pytest.param({"plan": [READY_ALL_DAY], "agent_id": ["1001"], "status": "ready"},
                 "set exactly one of agent_id (with status), agents, all_agents (with status) and plan: this task sets plan "
                 "and agent_id", id="module-plan-and-agent-id"),
    pytest.param({"plan": [READY_ALL_DAY], "all_agents": True, "status": "ready"},
                 "this task sets plan and all_agents", id="module-plan-and-all-agents"),
    pytest.param({"plan": [READY_ALL_DAY], "force": True}, "plan and force are mutually exclusive", id="module-plan-force"),
    pytest.param({"plan": [dict(READY_ALL_DAY, to="25:00")]},
                 "plan[0]: 'to' '25:00' is not valid", id="module-plan-names-its-option"),
    pytest.param({}, "say which agents: agent_id with status, agents, all_agents with status, or plan", id="module-no-form"),
])
def test_input_errors_before_any_request(make_task, fake_api, fake_time, params, message):
    with pytest.raises(WolkvoxInputError) as caught:
        run(make_task(params), fake_time)
    assert message in str(caught.value)
    assert fake_api.calls == []


@pytest.mark.parametrize("params, named, all_status", [
    (dict(ROLE, agents=[{"agent_id": "1001", "status": "ready"}]), [("1001", "ready")], None),
    (dict(ROLE, status=" Logout "), [], "logout"),
    ({"agent_id": "1001", "status": "7"}, [("1001", "7")], None),
    ({"all_agents": True, "status": "ready", "agents": [{"agent_id": "1002", "status": "8"}]}, [("1002", "8")], "ready"),
])
def test_the_forms(params, named, all_status):
    options = TaskOptions(params)
    assert (options.named, options.all_status) == (named, all_status)


def test_the_role_passes_an_empty_only_from_which_means_not_set():
    assert TaskOptions(dict(ROLE, status="ready")).rules.only_from is None
    assert TaskOptions(dict(ROLE, status="ready", only_from=["ready"])).rules.only_from == {"ready"}


# --------------------------------------------------------------------------------------------
# Plans in the engine
# --------------------------------------------------------------------------------------------

@needs_zoneinfo
def test_no_enforced_entry_active_reads_and_sends_nothing(make_task, fake_api, fake_time):
    plan = [dict(READY_ALL_DAY, days=["sat"]), dict(READY_ALL_DAY, enforce=False)]
    task = make_task(dict(ROLE, plan=plan, plan_at=WED_1000, plan_timezone="America/Bogota",
                          operation="bogota_sales", wolkvox_server="0042"))
    result = run(task, fake_time)
    assert fake_api.calls == [] and task.client.api_calls == 0
    assert result["changed"] is False and result["agents"] == [] and result["summary"]["total"] == 0
    assert result["msg"] == ("bogota_sales (server 0042): no plan entry is active at 2026-11-25 10:00 (America/Bogota) "
                             "(but 1 watch-only entry, never sent): nothing read, nothing sent")
    assert result["plan"] == {"at": "2026-11-25 10:00", "timezone": "America/Bogota", "active_entries": [1], "watch_only": 1}


def test_an_active_plan_is_applied_and_its_instant_named(make_task, fake_api, fake_time):
    # 1001 Ready, 1002 Active breaks, 1003 Logout, 1004 Lunch, 1005 ACW
    plan = [dict(READY_ALL_DAY, except_from=["7"]),           # leaves 1002 on its own break
            {"agents": ["1004"], "status": "8", "from": "09:00", "to": "11:00"},
            {"agents": ["1001"], "status": "12", "from": "09:00", "to": "11:00", "enforce": False}]
    task = make_task({"plan": plan, "plan_at": WED_1000, "status_labels": {"7": "Active breaks", "8": "Lunch"}})
    result = run(task, fake_time)
    by_id = dict((a["agent_id"], (a["result"], a["reason"], a["status"])) for a in result["agents"])
    assert by_id == {"1002": ("skipped", "except_from", "ready"), "1003": ("skipped", "logged_out", "ready"),
                     "1004": ("unchanged", None, "8"), "1005": ("skipped", "busy", "ready")}
    assert "1001" not in by_id  # named by a watch-only entry: the all_agents entry does not apply to it
    assert fake_api.sent("POST") == [] and len(fake_api.sent("GET")) == 1
    assert result["msg"].startswith("0 changed, 1 unchanged, 3 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 4 agents; "
                                    "plan at 2026-11-25 10:00 (UTC); skipped: 1002 Agent 1002 (except_from: Active breaks)")
    assert result["plan"]["active_entries"] == [0, 1, 2]


def test_a_plan_entry_sends_what_it_says(make_task, fake_api, fake_time):
    fake_api.states["1003"] = "Training"
    plan = [{"agents": ["1003", "1004"], "status": "ready", "from": "09:00", "to": "11:00", "only_from": ["Training"]}]
    result = run(make_task({"plan": plan, "plan_at": WED_1000}), fake_time)
    assert [(a["agent_id"], a["result"], a["reason"]) for a in result["agents"]] == [
        ("1003", "changed", None), ("1004", "skipped", "only_from")]
    assert [call[2]["agent_id"] for call in fake_api.sent("POST")] == ["1003"]


def test_the_role_names_the_operation_in_its_msg_and_its_diff(make_task, fake_api, fake_time):
    task = make_task(dict(ROLE, agents=[{"agent_id": "1004", "status": "ready"}], operation="bogota_sales",
                          wolkvox_server="0042"), check_mode=True)
    result = run(task, fake_time)
    assert result["msg"] == ("bogota_sales (server 0042): 1 would change, 0 unchanged, 0 skipped (0 busy, 0 logged out), "
                             "0 pending, 0 failed of 1 agents (check mode: nothing sent)")
    assert result["diff"]["prepared"].startswith("--- before: bogota_sales (server 0042)\n+++ after: bogota_sales (server 0042)\n")
