# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_status: validate, read once, plan, send, account."""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _planner as planner

FIRST_FAILURES = 3


def current_states(client):
    """{agent_id: label} from one read of the agents list."""
    return dict((agent["agent_id"], agent.get("agent_status")) for agent in client.list_agents())


def execute(client, actions, check_mode):
    """Send the planned changes (none in check mode) and turn 'change' into 'changed' or 'failed'."""
    pending = [action for action in actions if action["result"] == planner.CHANGE]
    if check_mode:
        for action in pending:
            action["result"] = planner.CHANGED
            action["msg"] = "would change (check mode): %s" % action["msg"]
        return
    outcomes = client.change_many([(action["agent_id"], action["status"]) for action in pending])
    for action, (ok, outcome) in zip(pending, outcomes):
        note = action["msg"] if "status_labels" in action["msg"] else ""
        if ok:
            action["result"] = planner.CHANGED
            action["msg"] = outcome + (" (note: %s)" % note if note else "")
        else:
            action["result"] = planner.FAILED
            action["msg"] = str(outcome)


def headline(summary):
    return "%(changed)d changed, %(unchanged)d unchanged, %(skipped)d skipped, %(failed)d failed of %(total)d agents" % summary


def failure_message(actions, summary):
    failed = [action for action in actions if action["result"] == planner.FAILED]
    reasons = "; ".join("%s: %s" % (action["agent_id"], action["msg"]) for action in failed[:FIRST_FAILURES])
    more = " (and %d more, see agents)" % (len(failed) - FIRST_FAILURES) if len(failed) > FIRST_FAILURES else ""
    return "%d of %d agents failed: %s%s" % (summary["failed"], summary["total"], reasons, more)


def apply_states(module):
    p = module.params
    # 1. Validate everything before any request (the client validates server, URL and token).
    desired = planner.normalize_targets(agent_id=p["agent_id"], status=p["status"], agents=p["agents"])
    labels = planner.normalize_labels(p["status_labels"])
    only_from = planner.state_set(p["only_from"], labels, "only_from") if p["only_from"] is not None else None
    client = module.client
    # 2. One read for all agents, unless forced (or nothing is asked for).
    current = current_states(client) if desired and not p["force"] else {}
    # 3-5. Plan, then send (or not, in check mode).
    actions = planner.plan(current, desired, labels, only_from=only_from, force=p["force"])
    execute(client, actions, module.check_mode)
    summary = planner.summarize(actions)
    diff = planner.diff_of(actions, labels)
    result = dict(
        changed=summary["changed"] > 0,
        agents=actions,
        summary=summary,
        diff=diff,
        msg=headline(summary),
    )
    # 6. Any failed agent fails the task, with every agent's result still returned.
    if summary["failed"]:
        result["failed"] = True
        result["msg"] = failure_message(actions, summary)
    return result
