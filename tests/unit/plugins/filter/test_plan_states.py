# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan_states filter: a thin wrapper of _plan (whose tables are in test__plan.py)."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.contact_center.plugins.filter.plan_states import FilterModule, plan_states

BOGOTA = "America/Bogota"
NOTHING = {"agents": [], "all_agents": None}
CONTRACT_PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    {"agents": ["1001", "1002"], "status": "8", "from": "12:00", "to": "13:00"},
    {"all_agents": True, "status": "logout", "from": "17:00", "to": "08:00"},
]
EVERYONE_READY = [{"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00"}]


def test_filter_is_registered():
    assert FilterModule().filters()["plan_states"] is plan_states


def test_filter_positional_arguments():
    assert plan_states(CONTRACT_PLAN, "2026-11-25T12:30", BOGOTA) == {
        "agents": [{"agent_id": "1001", "status": "8"}, {"agent_id": "1002", "status": "8"}], "all_agents": "ready"}


def test_filter_default_timezone_is_utc():
    assert plan_states(EVERYONE_READY, at="2026-11-25T08:00Z") == {"agents": [], "all_agents": "ready"}
    assert plan_states(EVERYONE_READY, at="2026-11-25T14:00-05:00") == NOTHING  # 19:00 UTC


def test_filter_leaves_out_watch_only_entries():
    plan = [dict(EVERYONE_READY[0], enforce=False)]
    assert plan_states(plan, at="2026-11-25T10:00Z") == NOTHING


def test_filter_raises_ansible_filter_error_naming_the_role_variable():
    with pytest.raises(AnsibleFilterError, match=re.escape("wolkvox_agent_status_plan[0]: 'status' is missing")):
        plan_states([{"all_agents": True, "from": "08:00", "to": "17:00"}], at="2026-11-25T10:00")
    with pytest.raises(AnsibleFilterError, match=re.escape("wolkvox_agent_status_timezone 'Bogota' is not a known time zone")):
        plan_states([], at="2026-11-25T10:00", timezone="Bogota")
