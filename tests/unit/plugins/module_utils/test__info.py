# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _info, the engine of wolkvox_agent_info: select, count, one read (shared FakeApi);
time in state (one more read) and adherence to a plan (no read)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._info import (
    adherence,
    attach_real_time,
    headline,
    hms,
    longest_first,
    quota_of,
    run,
    seconds_of,
    select,
    shown_label,
    whole,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import MODULE_NAMES, PlanError, moment
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import normalize_labels
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import needs_zoneinfo

LABELS = normalize_labels({"7": ["Pausa", "Active breaks"]})
AGENTS = [
    {"agent_id": "1001", "agent_status": "Ready"},
    {"agent_id": "1002", "agent_status": "Active breaks"},
    {"agent_id": "1003", "agent_status": " active BREAKS"},
    {"agent_id": "1004", "agent_status": "Lunch"},
    {"agent_id": "1005", "agent_status": " lunch "},
    {"agent_id": "1006", "agent_status": None},
]


@pytest.mark.parametrize(
    "label, expected",
    [("Ready", "Ready"), (" READY ", "Ready"), ("active breaks", "Pausa"), ("Lunch ", "Lunch"), ("", "")],
)
def test_shown_label(label, expected):
    assert shown_label(label, LABELS) == expected


@pytest.mark.parametrize(
    "agent_ids, states, ids, by_status",
    [
        (None, None, ["1001", "1002", "1003", "1004", "1005", "1006"],
         {"Ready": ["1001"], "Pausa": ["1002", "1003"], "Lunch": ["1004", "1005"], "": ["1006"]}),
        ({"1005", "1001"}, None, ["1001", "1005"], {"Ready": ["1001"], "lunch": ["1005"]}),
        (None, {"pausa", "active breaks"}, ["1002", "1003"], {"Pausa": ["1002", "1003"]}),
        ({"1003"}, {"lunch"}, [], {}),
        (None, {""}, ["1006"], {"": ["1006"]}),
    ],
)
def test_select_keeps_api_order_and_counts_one_key_per_state(agent_ids, states, ids, by_status):
    selected, ids_by_status = select(AGENTS, agent_ids, states, LABELS)
    assert [agent["agent_id"] for agent in selected] == ids
    assert ids_by_status == by_status


@pytest.mark.parametrize(
    "count, by_status, expected",
    [
        (0, {}, "0 agents"),
        (1, {"Ready": 1}, "1 agent: 1 Ready"),
        (3, {"Ready": 1, "": 1, "ACW": 1}, "3 agents: 1 (no state), 1 ACW, 1 Ready"),
    ],
)
def test_headline(count, by_status, expected):
    assert headline(count, by_status) == expected


def _params(**kwargs):
    params = dict(agent_id=None, status=None, status_labels={}, quota=False, real_time=False, plan=None, plan_at=None,
                  plan_timezone="UTC")
    params.update(kwargs)
    return params


def test_run_reads_once_and_reports_unknown_ids(make_task, fake_api):
    task = make_task(_params(agent_id=["4242", "1001", "4242", " 1003"], status_labels={"7": "Active breaks"}))
    result = run(task)
    assert [agent["agent_id"] for agent in result["agents"]] == ["1001", "1003"]
    assert result["not_found"] == ["4242"]
    assert result["count"] == 2 and result["by_status"] == {"Ready": 1, "Logout": 1}
    assert result["msg"] == "2 agents: 1 Logout, 1 Ready; not in this operation: 4242"
    assert result["changed"] is False
    assert len(fake_api.calls) == 1 and task.client.api_calls == 1


@pytest.mark.parametrize(
    "params, must_contain",
    [
        (_params(status=["7"]), "status has the state ID '7'"),
        (_params(agent_id=["1001", "abc"]), "agent_id 'abc' is not valid"),
        (_params(status_labels={"x": "Break"}), "status_labels has the key 'x', which is not a state ID"),
    ],
)
def test_run_validates_before_the_read(make_task, fake_api, params, must_contain):
    with pytest.raises(WolkvoxInputError, match=re.escape(must_contain)):
        run(make_task(params))
    assert fake_api.calls == []


@pytest.mark.parametrize("value, expected", [(5, 5), ("5", 5), (" 12 ", 12), ("7.0", 7), (3.0, 3), (True, None),
                                             (None, None), ("", None), ("x", None), ("1e3", None), ("-2", -2)])
def test_whole(value, expected):
    assert whole(value) == expected


@pytest.mark.parametrize("record, expected", [
    ({"token_limit": "10000", "token_use_today": "1234", "available_consumition_options": "8766",
      "hours_to_restart_count": "7"}, (10000, 1234, 8766, 7)),
    ({"token_limit": 10000, "token_use_today": 1234, "available_consumption_options": 8000}, (10000, 1234, 8000, None)),
    ({"token_limit": 10000, "token_use_today": 12500}, (10000, 12500, 0, None)),  # computed, never negative
    ({}, (None, None, None, None)),
])
def test_quota_of(record, expected):
    quota = quota_of(record)
    assert (quota["limit"], quota["used_today"], quota["remaining"], quota["hours_to_reset"]) == expected
    assert quota["raw"] is record


# -- time in state ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (1260, 1260), ("1260", 1260), (" 75 ", 75), (0, 0), (12.7, 12), ("00:21:00", 1260), ("1:02:03", 3723),
    ("100:00:00", 360000), ("00:00:07.250", 7), (" 02:00:00 ", 7200),
    (None, None), ("", None), (-5, None), ("-00:01:00", None), ("12:60:00", None), ("21:00", None), ("soon", None),
    (True, None), ([], None), ({}, None),
])
def test_seconds_of_reads_both_formats_of_the_vendor(value, expected):
    assert seconds_of(value) == expected


@pytest.mark.parametrize("seconds, expected", [(0, "00:00:00"), (1260, "00:21:00"), (3723, "01:02:03"),
                                               (360000, "100:00:00"), (None, "?")])
def test_hms(seconds, expected):
    assert hms(seconds) == expected


def test_attach_real_time_gives_null_to_agents_without_a_session():
    agents = [{"agent_id": "1001"}, {"agent_id": "1002"}, {"agent_id": "1003"}]
    records = [{"agent_id": "1003", "time_state_now": 42}, {"agent_id": "1002", "time_state_now": "01:00:00"},
               {"agent_id": "9999", "time_state_now": 5}]
    assert attach_real_time(agents, records) == 2
    assert [a["time_in_state"] for a in agents] == [None, 3600, 42]
    assert agents[0]["real_time"] is None and agents[1]["real_time"] is records[1]


def test_longest_first_puts_agents_without_a_time_last_in_their_order():
    agents = [{"agent_id": "1", "time_in_state": None}, {"agent_id": "2", "time_in_state": 60},
              {"agent_id": "3", "time_in_state": 600}, {"agent_id": "4", "time_in_state": None},
              {"agent_id": "5", "time_in_state": 60}]
    assert [a["agent_id"] for a in longest_first(agents)] == ["3", "2", "5", "1", "4"]


# -- adherence --------------------------------------------------------------------------------------

PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00"},
    {"agents": ["1002", "1004"], "status": "8", "from": "12:00", "to": "13:00"},
    {"agents": ["1005"], "status": "7", "from": "12:00", "to": "13:00", "enforce": False},
    {"agents": ["1003"], "status": "12", "from": "12:00", "to": "13:00"},
]
PLAN_LABELS = normalize_labels({"7": "Active breaks", "8": "Lunch"})
FLOOR = [
    {"agent_id": "1001", "agent_status": "Ready"},
    {"agent_id": "1002", "agent_status": " LUNCH"},
    {"agent_id": "1003", "agent_status": "Ready"},
    {"agent_id": "1004", "agent_status": "Logout"},
    {"agent_id": "1005", "agent_status": "Active breaks"},
    {"agent_id": "1006", "agent_status": "Active breaks", "enabled": "no"},
]


def _at(hour, minute=0):
    return moment(PLAN, at="2026-11-25T%02d:%02d" % (hour, minute), timezone="UTC", names=MODULE_NAMES)


def test_adherence_at_lunch_time():
    agents = [dict(a) for a in FLOOR]
    counts, away, unlabelled = adherence(agents, _at(12, 30), PLAN_LABELS)
    assert counts == {"adherent": 3, "not_adherent": 1, "unplanned": 1, "unknown": 1}
    by_id = dict((a["agent_id"], a) for a in agents)
    # The all_agents entry; a named entry, labels folded; a watch-only entry counts.
    assert (by_id["1001"]["planned_status"], by_id["1001"]["adherent"], by_id["1001"]["planned_entry"]) == ("ready", True, 0)
    assert (by_id["1002"]["planned_status"], by_id["1002"]["planned_label"], by_id["1002"]["adherent"]) == ("8", "Lunch", True)
    assert (by_id["1005"]["planned_status"], by_id["1005"]["adherent"], by_id["1005"]["planned_entry"]) == ("7", True, 2)
    # Logged out while the plan says lunch: not adherent.
    assert [a["agent_id"] for a in away] == ["1004"] and by_id["1004"]["adherent"] is False
    # State 12 has no label: cannot be compared.
    assert by_id["1003"]["adherent"] is None and by_id["1003"]["planned_label"] == "12"
    assert unlabelled == {"12": ["1003"]}
    # A disabled user is never planned.
    assert by_id["1006"]["planned_status"] is None and by_id["1006"]["adherent"] is None


@pytest.mark.parametrize("label, busy, adherent", [
    ("Talk", {"talk", "acw"}, True),  # in a call while the plan says ready: adherent
    ("ACW", {"talk", "acw"}, True),
    ("Talk", set(), False),  # busy_states [] turns it off
    ("Ringing", {"talk", "acw"}, False),  # not a busy state
])
def test_an_agent_in_a_contact_is_adherent_to_ready(label, busy, adherent):
    agents = [{"agent_id": "1001", "agent_status": label}]
    counts, away, _unlabelled = adherence(agents, _at(10), PLAN_LABELS, busy)
    assert agents[0]["adherent"] is adherent and agents[0]["planned_status"] == "ready"
    assert (counts["adherent"], len(away)) == ((1, 0) if adherent else (0, 1))


def test_an_agent_in_a_contact_is_not_adherent_to_a_break():
    agents = [{"agent_id": "1002", "agent_status": "Talk"}]
    _counts, away, _unlabelled = adherence(agents, _at(12, 30), PLAN_LABELS, {"talk", "acw"})
    assert agents[0]["planned_status"] == "8" and agents[0]["adherent"] is False and away == agents


def test_adherence_after_hours_plans_nobody():
    agents = [dict(a) for a in FLOOR]
    counts, away, _unlabelled = adherence(agents, _at(18), PLAN_LABELS)
    assert counts == {"adherent": 0, "not_adherent": 0, "unplanned": 6, "unknown": 0}
    assert away == [] and all(a["planned_status"] is None and a["adherent"] is None for a in agents)


# -- run(): one more read for the real-time list, none for the plan ---------------------------------

REAL_TIME = [
    {"agent_id": 1001, "agent_status": "Ready", "time_state_now": 30},
    {"agent_id": "1002", "agent_status": "Active breaks", "time_state_now": "00:25:00"},
    {"agent_id": "1004", "agent_status": "Lunch", "time_state_now": "1:10:00"},
    {"agent_id": "1005", "agent_status": "ACW", "time_state_now": "95"},
]
NOW = dt.datetime(2026, 11, 25, 17, 30, 5, tzinfo=dt.timezone.utc)  # 12:30:05 in Bogota


@pytest.fixture
def real_time_api(fake_api, response, monkeypatch):
    """The shared FakeApi, answering real_time.php too (1003 is logged out: no session)."""
    answer = fake_api.request

    def request(method, url, params=None, **kwargs):
        if url.endswith("/api/v2/real_time.php"):
            with fake_api.lock:
                fake_api.calls.append((method, url, dict(params or {}), kwargs))
            data = [dict(record) for record in REAL_TIME]
            return response(200, {"code": "0", "error": None, "msg": "%d records" % len(data), "data": data})
        return answer(method, url, params, **kwargs)

    monkeypatch.setattr(fake_api, "request", request)
    return fake_api


def test_run_real_time_is_one_more_request(make_task, real_time_api):
    task = make_task(_params(real_time=True))
    result = run(task, now=lambda: NOW)
    times = dict((a["agent_id"], a["time_in_state"]) for a in result["agents"])
    assert times == {"1001": 30, "1002": 1500, "1003": None, "1004": 4200, "1005": 95}
    assert result["agents"][2]["real_time"] is None and result["agents"][1]["real_time"]["time_state_now"] == "00:25:00"
    assert "adherence" not in result and "not_adherent" not in result
    assert [c[2] for c in real_time_api.calls] == [{"api": "agents"}, {"api": "agents"}]
    assert [c[1].rsplit("/", 1)[1] for c in real_time_api.calls] == ["information.php", "real_time.php"]
    assert task.client.api_calls == 2
    assert "time in state: 4 with a session, 1 without" in result["msg"]
    assert result["read_at"] == {"utc": "2026-11-25T17:30:05Z", "local": "2026-11-25T17:30:05+00:00",
                                 "timezone": "UTC"}


def test_run_without_real_time_adds_nothing(make_task, real_time_api):
    result = run(make_task(_params()), now=lambda: NOW)
    assert all("time_in_state" not in a and "planned_status" not in a for a in result["agents"])
    assert [a["disabled"] for a in result["agents"]] == [False] * 5
    assert len(real_time_api.calls) == 1


BOGOTA_PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00"},
    {"agents": ["1002", "1004"], "status": "8", "from": "12:00", "to": "13:00"},
]


@needs_zoneinfo
def test_run_plan_at_the_read_longest_first(make_task, real_time_api, readable):
    # FakeApi: 1001 Ready, 1002 Active breaks, 1003 Logout, 1004 Lunch, 1005 ACW
    task = make_task(_params(real_time=True, plan=BOGOTA_PLAN, plan_timezone="America/Bogota",
                             status_labels={"8": "Lunch"}))
    result = run(task, now=lambda: NOW)
    assert result["plan_moment"] == "2026-11-25 12:30:05 (America/Bogota)"
    assert result["read_at"]["local"] == "2026-11-25T12:30:05-05:00" and result["read_at"]["timezone"] == "America/Bogota"
    # 1005 in after-call work (a default busy state) while the plan says ready: adherent
    assert result["adherence"] == {"adherent": 3, "not_adherent": 2, "unplanned": 0, "unknown": 0}
    # longest in their state first; 1003 (logged out: no session) last
    assert [a["agent_id"] for a in result["not_adherent"]] == ["1002", "1003"]
    assert [a["planned_status"] for a in result["agents"]] == ["ready", "8", "ready", "8", "ready"]
    assert task.client.api_calls == 2  # the plan costs no request
    assert readable(result["msg"])
    assert ("plan at 2026-11-25 12:30:05 (America/Bogota): 3 adherent, 2 not adherent, 0 unplanned; not adherent: "
            "1002 Agent 1002 (Active breaks for 00:25:00, planned Lunch), "
            "1003 Agent 1003 (Logout, no session, planned Ready)") in result["msg"]
    assert task.warnings == []


@needs_zoneinfo
def test_run_plan_at_another_instant_in_api_order_without_real_time(make_task, real_time_api):
    task = make_task(_params(plan=BOGOTA_PLAN, plan_timezone="America/Bogota", plan_at="2026-11-25T09:00",
                             status_labels={"8": "Lunch"}))
    result = run(task, now=lambda: NOW)
    assert result["plan_moment"] == "2026-11-25 09:00 (America/Bogota)"
    assert result["adherence"] == {"adherent": 2, "not_adherent": 3, "unplanned": 0, "unknown": 0}
    assert [a["agent_id"] for a in result["not_adherent"]] == ["1002", "1003", "1004"]
    assert all("time_in_state" not in a for a in result["agents"])
    assert len(real_time_api.calls) == 1
    assert "not adherent: 1002 Agent 1002 (Active breaks, planned Ready)" in result["msg"]


@needs_zoneinfo
def test_run_plan_with_a_state_without_label_warns(make_task, real_time_api):
    task = make_task(_params(plan=BOGOTA_PLAN, plan_at="2026-11-25T12:30"))
    result = run(task, now=lambda: NOW)
    assert result["adherence"]["unknown"] == 2
    assert [a["adherent"] for a in result["agents"]] == [True, None, False, None, True]
    assert len(task.warnings) == 1
    assert "state 8 (agents 1002, 1004)" in task.warnings[0] and "status_labels: {'8': '<label>'}" in task.warnings[0]


@needs_zoneinfo
def test_run_with_every_option_makes_three_requests(make_task, real_time_api, response):
    answer = real_time_api.request

    def request(method, url, params=None, **kwargs):
        if (params or {}).get("api") == "token_info":
            real_time_api.calls.append((method, url, dict(params), kwargs))
            return response(200, {"code": "0", "error": None, "data": {"token_limit": 10000, "token_use_today": 3}})
        return answer(method, url, params, **kwargs)

    real_time_api.request = request
    task = make_task(_params(quota=True, real_time=True, plan=BOGOTA_PLAN))
    result = run(task, now=lambda: NOW)
    assert task.client.api_calls == 3
    assert result["quota"]["limit"] == 10000 and "adherence" in result
    assert all(c[0] == "GET" for c in real_time_api.calls)


@needs_zoneinfo
@pytest.mark.parametrize("params, error, must_contain", [
    (_params(plan_at="2026-11-25T12:30"), WolkvoxInputError, "plan_at '2026-11-25T12:30' is given without plan"),
    (_params(plan=[{"all_agents": True, "status": "ready", "from": "8:00", "to": "17:00"}]), PlanError,
     "plan[0]: 'from' '8:00' is not valid"),
    (_params(plan=BOGOTA_PLAN, plan_timezone="Bogota"), PlanError, "plan_timezone 'Bogota' is not a known time zone"),
    (_params(plan_timezone="Mars/Olympus"), PlanError, "plan_timezone 'Mars/Olympus'"),
    (_params(plan=BOGOTA_PLAN, plan_at="tomorrow"), PlanError, "plan_at 'tomorrow' is not valid"),
    (_params(plan=BOGOTA_PLAN + [{"agents": ["1002"], "status": "7", "from": "12:00", "to": "12:45"}],
             plan_at="2026-11-25T12:30"), PlanError, "plan entries 1 and 2 are both active"),
])
def test_run_validates_the_plan_before_the_read(make_task, real_time_api, params, error, must_contain):
    with pytest.raises(error, match=re.escape(must_contain)):
        run(make_task(params), now=lambda: NOW)
    assert real_time_api.calls == []
