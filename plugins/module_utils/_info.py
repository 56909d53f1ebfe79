# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_info: validate the filters, read once, select, count."""

from __future__ import annotations

import re

from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    fold,
    normalize_labels,
    state_set,
    validate_agent_id,
)


def shown_label(label, labels):
    """How a state read from the API is counted: the first label of a known state it matches
    (so 'active breaks ' and 'Active breaks' count as one), else the label without surrounding blanks."""
    folded = fold(label)
    for known in labels.values():
        if folded in set(fold(one) for one in known):
            return known[0]
    return str(label).strip()


def select(agents, agent_ids, states, labels):
    """The agents whose ID is in agent_ids (None: any) and whose state is in states (None: any),
    in the API's order, and ids_by_status (label -> [agent_id]) of those agents."""
    selected = []
    ids_by_status = {}
    shown = {}
    for agent in agents:
        status = agent.get("agent_status")
        label = "" if status is None else status
        if agent_ids is not None and agent["agent_id"] not in agent_ids:
            continue
        if states is not None and fold(label) not in states:
            continue
        selected.append(agent)
        # One key per state however its case or blanks vary: the first spelling seen names it.
        key = shown.setdefault(fold(label), shown_label(label, labels))
        ids_by_status.setdefault(key, []).append(agent["agent_id"])
    return selected, ids_by_status


def headline(count, by_status):
    if not count:
        return "0 agents"
    parts = ", ".join("%d %s" % (number, label or "(no state)") for label, number in sorted(by_status.items()))
    return "%d agent%s: %s" % (count, "" if count == 1 else "s", parts)


def whole(value):
    """A number or a digit string of the token_info record as an int, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r"^\s*-?[0-9]+(?:\.0*)?\s*\Z", value):
        return int(float(value))
    return None


def quota_of(record):
    """The token_info record as {limit, used_today, remaining, hours_to_reset, raw}."""
    limit = whole(record.get("token_limit"))
    used = whole(record.get("token_use_today"))
    remaining = None
    for key in ("available_consumption_options", "available_consumition_options"):  # the vendor spells it both ways
        if remaining is None:
            remaining = whole(record.get(key))
    if remaining is None and limit is not None and used is not None:
        remaining = max(limit - used, 0)
    return dict(limit=limit, used_today=used, remaining=remaining,
                hours_to_reset=whole(record.get("hours_to_restart_count")), raw=record)


def run(task):
    p = task.params
    # Every filter is validated before the request.
    labels = normalize_labels(p["status_labels"])
    agent_ids = None
    if p["agent_id"] is not None:
        agent_ids = []
        for one in p["agent_id"]:
            aid = validate_agent_id(one)
            if aid not in agent_ids:
                agent_ids.append(aid)
    states = state_set(p["status"], labels, "status") if p["status"] is not None else None
    agents = task.client.list_agents()
    selected, ids_by_status = select(agents, set(agent_ids) if agent_ids is not None else None, states, labels)
    present = set(agent["agent_id"] for agent in agents)
    not_found = [aid for aid in agent_ids or [] if aid not in present]
    by_status = dict((label, len(ids)) for label, ids in ids_by_status.items())
    msg = headline(len(selected), by_status)
    if not_found:
        msg += "; not in this operation: %s" % ", ".join(not_found)
    extra = {}
    if p.get("quota"):
        extra["quota"] = quota = quota_of(task.client.token_info())
        msg += "; quota: %s of %s requests used today, %s left" % (
            _or_unknown(quota["used_today"]), _or_unknown(quota["limit"]), _or_unknown(quota["remaining"]))
    result = dict(
        changed=False,
        agents=selected,
        count=len(selected),
        by_status=by_status,
        agent_ids_by_status=ids_by_status,
        not_found=not_found,
        msg=msg,
    )
    result.update(extra)
    return result


def _or_unknown(value):
    return "?" if value is None else str(value)


ARGUMENT_SPEC = dict(
    agent_id=dict(type="list", elements="str", aliases=["agent_ids"]),
    status=dict(type="list", elements="str"),
    status_labels=dict(type="dict", default={}),
    quota=dict(type="bool", default=False),
)
SPEC_KWARGS = dict(supports_check_mode=True)
