# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_info: one read of the agents list, filtered and counted."""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _planner as planner
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import validate_agent_id


def select(agents, agent_ids=None, statuses=None):
    """The agents (API order) whose id is in agent_ids and whose folded state is in statuses.

    Either filter may be None (no filter). Returns (selected, ids asked for but not found)."""
    wanted = None if agent_ids is None else set(agent_ids)
    selected = []
    for agent in agents:
        if wanted is not None and agent["agent_id"] not in wanted:
            continue
        if statuses is not None and planner.fold(agent.get("agent_status") or "") not in statuses:
            continue
        selected.append(agent)
    found = set(agent["agent_id"] for agent in agents)
    missing = [aid for aid in (agent_ids or []) if aid not in found]
    return selected, missing


def count_by_status(agents):
    """label -> number of agents, labels as the API shows them (blanks trimmed)."""
    counts = {}
    for agent in agents:
        label = str(agent.get("agent_status") or "").strip()
        counts[label] = counts.get(label, 0) + 1
    return counts


def read_agents(module):
    p = module.params
    agent_ids = None
    if p["agent_id"] is not None:
        agent_ids = []
        for one in p["agent_id"]:
            aid = validate_agent_id(one)
            if aid not in agent_ids:
                agent_ids.append(aid)
    labels = planner.normalize_labels(p["status_labels"])
    statuses = planner.state_set(p["status"], labels, "status") if p["status"] is not None else None
    client = module.client
    selected, missing = select(client.list_agents(), agent_ids, statuses)
    by_status = count_by_status(selected)
    return dict(
        changed=False,
        agents=selected,
        count=len(selected),
        by_status=by_status,
        missing_agent_ids=missing,
        msg="%d agents (%s)" % (len(selected), ", ".join("%s: %d" % kv for kv in sorted(by_status.items())) or "none"),
    )
