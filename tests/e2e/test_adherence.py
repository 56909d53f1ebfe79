# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wolkvox_agent_info against the simulator: time in state from the real-time API (one more request,
both of the vendor's formats, null for a logged-out agent) and adherence to a shift plan at two
instants (counts, planned states, the order of not_adherent); nothing is ever sent."""

from __future__ import annotations

import re

from conftest import connection, run_tasks

OP = "bogota_sales"
# The demo floor (tools/fixtures/demo.json): 1001 Logout, 1002 Active breaks, 1003 Ready, 1004 Lunch, 1005 ACW.
LABELS = {"7": "Active breaks", "8": "Lunch"}
# Seconds each logged-in agent has already shown its state (1001 is logged out: no session, no time).
IN_STATE_FOR = {"1002": 1500, "1003": 3725, "1004": 4000, "1005": 300}
SLACK = 120  # seconds the clock may run between the backdating and the read
PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    {"agents": ["1002", "1004"], "status": "8", "from": "12:00", "to": "13:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    # watch only: where 1005 should be (for adherence), never sent
    {"agents": ["1005"], "status": "7", "from": "12:00", "to": "13:00", "enforce": False},
    {"all_agents": True, "status": "logout", "from": "17:00", "to": "08:00"},
]


def info_task(sim, **options):
    params = connection(sim, OP)
    params.update(options)
    return {"wolkvox.contact_center.wolkvox_agent_info": params}


def by_id(result):
    return dict((agent["agent_id"], agent) for agent in result["agents"])


def backdate(sim):
    sim.set_agents(OP, in_state_for=IN_STATE_FOR)
    sim.reset(state=False)  # counters at zero; the floor as it is


def test_time_in_state_in_both_formats_and_null_without_a_session_in_one_more_request(fresh, tmp_path):
    backdate(fresh)
    plain, timed = run_tasks(tmp_path, [info_task(fresh), info_task(fresh, real_time=True)]).results
    assert plain["api_calls"] == 1 and timed["api_calls"] == 2
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 2 and stats["requests"]["real_time"] == 1
    assert stats["total"] == 3 and stats["requests"]["change_status"] == 0
    assert all("time_in_state" not in agent for agent in plain["agents"])

    agents = by_id(timed)
    assert list(agents) == ["1001", "1002", "1003", "1004", "1005"]
    for agent_id, seconds in IN_STATE_FOR.items():
        got = agents[agent_id]["time_in_state"]
        assert isinstance(got, int) and seconds <= got < seconds + SLACK, (agent_id, got)
        assert agents[agent_id]["real_time"]["agent_id"] == agent_id
    # Logged out: absent from the real-time list.
    assert agents["1001"]["time_in_state"] is None and agents["1001"]["real_time"] is None
    raw = dict((aid, agent["real_time"]["time_state_now"]) for aid, agent in agents.items() if agent["real_time"])
    if fresh.dialect == "vendor":
        # The vendor gives both formats in one list: HH:MM:SS (1002, 1004) and seconds (1003, 1005).
        assert re.match(r"^\d{2}:\d{2}:\d{2}$", raw["1002"]) and re.match(r"^\d{2}:\d{2}:\d{2}$", raw["1004"]), raw
        assert isinstance(raw["1003"], int) and isinstance(raw["1005"], int), raw
    else:
        assert all(isinstance(value, int) for value in raw.values()), raw
    assert "time in state: 4 with a session, 1 without" in timed["msg"]


def test_adherence_at_two_instants_of_a_plan_sends_nothing(fresh, tmp_path):
    backdate(fresh)
    common = dict(plan=PLAN, plan_timezone="America/Bogota", status_labels=LABELS)
    lunch, morning, saturday = run_tasks(tmp_path, [
        info_task(fresh, plan_at="2026-11-25T12:30", real_time=True, **common),   # a Wednesday
        info_task(fresh, plan_at="2026-11-25T10:00", **common),
        info_task(fresh, plan_at="2026-11-28T10:00", **common),                   # a Saturday
    ]).results

    # 12:30: lunch for 1002 and 1004, a break watched for 1005, ready for the others.
    assert lunch["plan_moment"] == "2026-11-25 12:30 (America/Bogota)"
    assert dict((aid, a["planned_status"]) for aid, a in by_id(lunch).items()) == {
        "1001": "ready", "1002": "8", "1003": "ready", "1004": "8", "1005": "7"}
    assert dict((aid, a["adherent"]) for aid, a in by_id(lunch).items()) == {
        "1001": False, "1002": False, "1003": True, "1004": True, "1005": False}
    assert lunch["adherence"] == {"adherent": 2, "not_adherent": 3, "unplanned": 0, "unknown": 0}
    # Longest in their state first; 1001, logged out (no session), last.
    assert [a["agent_id"] for a in lunch["not_adherent"]] == ["1002", "1005", "1001"]
    assert [a["time_in_state"] is None for a in lunch["not_adherent"]] == [False, False, True]
    assert "not adherent: 1002 Luis Perez (Active breaks for 00:2" in lunch["msg"]

    # 10:00: everyone ready; without real_time, in the API's order. 1005 in after-call work (a default
    # busy state) is handling a contact, which is what ready is for: adherent.
    assert morning["plan_moment"] == "2026-11-25 10:00 (America/Bogota)"
    assert set(a["planned_status"] for a in morning["agents"]) == {"ready"}
    assert morning["adherence"] == {"adherent": 2, "not_adherent": 3, "unplanned": 0, "unknown": 0}
    assert [a["agent_id"] for a in morning["not_adherent"]] == ["1001", "1002", "1004"]
    assert [a["planned_label"] for a in morning["not_adherent"]] == ["Ready"] * 3
    assert by_id(morning)["1005"]["adherent"] is True

    # Saturday 10:00: no entry is active.
    assert saturday["adherence"] == {"adherent": 0, "not_adherent": 0, "unplanned": 5, "unknown": 0}
    assert saturday["not_adherent"] == []

    stats = fresh.stats()
    assert stats["requests"]["change_status"] == 0 and stats["changes_total"] == 0
    # One read each, and one more for the real-time list: the plan costs nothing.
    assert stats["requests"]["agents"] == 3 and stats["requests"]["real_time"] == 1 and stats["total"] == 4
    assert [lunch["api_calls"], morning["api_calls"], saturday["api_calls"]] == [2, 1, 1]


def test_a_disabled_user_is_never_planned(fresh, tmp_path):
    fresh.set_agents(OP, {"1003": "Active breaks"}, enabled={"1003": False})
    fresh.reset(state=False)
    result = run_tasks(tmp_path, [info_task(fresh, plan=PLAN, plan_timezone="America/Bogota",
                                            plan_at="2026-11-25T10:00", status_labels=LABELS)]).result
    agent = by_id(result)["1003"]
    assert agent["disabled"] is True and agent["planned_status"] is None and agent["adherent"] is None
    assert result["adherence"]["unplanned"] == 1
    assert "1003" not in [a["agent_id"] for a in result["not_adherent"]]


def test_a_bad_plan_fails_before_any_request(fresh, tmp_path):
    bad = [dict(PLAN[0], **{"from": 800})]
    conflicting = PLAN + [{"agents": ["1002"], "status": "7", "from": "12:00", "to": "12:45"}]
    first, second, third = run_tasks(tmp_path, [
        info_task(fresh, plan=bad),
        info_task(fresh, plan=conflicting, plan_at="2026-11-25T12:30", plan_timezone="America/Bogota",
                  status_labels=LABELS),
        info_task(fresh, plan_at="2026-11-25T12:30"),
    ]).results
    assert first["failed"] and "plan[0]: 'from' 800 is not valid" in first["msg"], first["msg"]
    assert second["failed"] and "plan entries 1 and 4 are both active at 2026-11-25 12:30 America/Bogota" in second["msg"]
    assert third["failed"] and "plan_at '2026-11-25T12:30' is given without plan" in third["msg"]
    assert fresh.stats()["total"] == 0
