# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _info, the engine of wolkvox_agent_info: select, count, one read (shared FakeApi)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._info import headline, quota_of, run, select, shown_label, whole
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import normalize_labels

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
    params = dict(agent_id=None, status=None, status_labels={})
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
