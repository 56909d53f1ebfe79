# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""Pure decisions, no I/O: "current states vs desired states -> actions".

Real runs and check mode use the same plan, so check mode cannot say something else than
what a real run does. Imports only the domain's words (_states) and the error types (_errors).

Per agent, in this order (the first rule that applies decides):
  1. in exclude_agents -> skipped (excluded); its record says enabled: no -> skipped (disabled)
  2. not in the operation -> failed
  3. already in the desired state -> unchanged (whatever only_from, except_from, busy_states say)
  3b. logged out (desired state not logout) -> skipped (logged_out), unless logged_out_policy is send
  4. not in only_from, or in except_from -> skipped (only_from / except_from)
  5. in busy_states -> per busy_policy: skipped (busy), wait, or sent (force)
  6. otherwise -> change
"""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError, shown
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    display,
    fold,
    is_disabled,
    matches,
    normalize_status,
    validate_agent_id,
)

CHANGE = "change"
WAIT = "wait"
CHANGED = "changed"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
PENDING = "pending"
FAILED = "failed"
RESULTS = (CHANGED, UNCHANGED, SKIPPED, PENDING, FAILED)
REASONS = ("excluded", "disabled", "logged_out", "only_from", "except_from", "busy")
BUSY_POLICIES = ("skip", "wait", "force")
LOGGED_OUT_POLICIES = ("skip", "send")
LOGGED_OUT_MSG = "logged out: not sent (the API cannot log an agent in; set logged_out_policy: send to send anyway)"


def _entry_error(index, agent_id, exc):
    where = "agents[%d]" % index + (" (agent %s)" % agent_id if agent_id is not None else "")
    return WolkvoxInputError("%s: %s" % (where, exc))


def normalize_targets(agent_id=None, status=None, agents=None):
    """The desired states in request order as [(agent_id, status)], validated.

    Accepts agent_id (one or a list) with status, and/or agents [{agent_id, status}].
    The same agent twice with the same state is kept once; with two states it is an error."""
    pairs = []
    for index, item in enumerate(agents or []):
        if not isinstance(item, dict) or "agent_id" not in item or "status" not in item:
            raise WolkvoxInputError("agents[%d] is %s: each entry needs agent_id and status" % (index, shown(item)))
        unknown = sorted(set(item) - set(("agent_id", "status")))
        if unknown:
            raise WolkvoxInputError("agents[%d] has unknown keys %s: only agent_id and status are allowed" % (index, unknown))
        try:
            aid = validate_agent_id(item["agent_id"])
        except WolkvoxInputError as exc:
            raise _entry_error(index, None, exc)
        try:
            pairs.append((aid, normalize_status(item["status"])))
        except WolkvoxInputError as exc:
            raise _entry_error(index, aid, exc)
    if agent_id is not None:
        ids = agent_id if isinstance(agent_id, (list, tuple)) else [agent_id]
        wanted = normalize_status(status)
        pairs.extend((validate_agent_id(one), wanted) for one in ids)
    seen = {}
    ordered = []
    for aid, wanted in pairs:
        if aid in seen:
            if seen[aid] != wanted:
                raise WolkvoxInputError(
                    "agent_id %r is asked for twice with different states (%r and %r)" % (aid, seen[aid], wanted)
                )
            continue
        seen[aid] = wanted
        ordered.append((aid, wanted))
    return ordered


def agent_ids(values, option):
    """A list of agent IDs (exclude_agents), validated, as a set of str."""
    found = set()
    for index, value in enumerate(values or []):
        try:
            found.add(validate_agent_id(value))
        except WolkvoxInputError as exc:
            raise WolkvoxInputError("%s[%d]: %s" % (option, index, exc))
    return found


def expand_all(current_order, named, all_status):
    """Desired states of every agent of the operation (API order): each named agent keeps its own
    state, every other one gets ``all_status``; named agents the operation lacks come last."""
    own = dict(named)
    desired = [(aid, own.pop(aid, all_status)) for aid in current_order]
    desired.extend((aid, status) for aid, status in named if aid in own)
    return desired


class Rules(object):
    """What the task asks besides the desired states (validated values)."""

    def __init__(self, labels, only_from=None, except_from=None, busy_states=None, busy_policy="skip",
                 exclude=None, force=False, logged_out_policy="skip"):
        self.labels = labels
        self.logged_out_policy = logged_out_policy
        self.only_from = only_from
        self.except_from = except_from or set()
        self.busy_states = busy_states or set()
        self.busy_policy = busy_policy
        self.exclude = exclude or set()
        self.force = force

    def narrowed(self, only_from, except_from):
        """These rules with a plan entry's own only_from / except_from added: an agent is changed only
        when both allow it (only_from sets intersect, except_from sets join)."""
        narrowed = Rules(self.labels, only_from=self.only_from, except_from=set(self.except_from) | set(except_from or ()),
                         busy_states=self.busy_states, busy_policy=self.busy_policy, exclude=self.exclude,
                         force=self.force, logged_out_policy=self.logged_out_policy)
        if only_from is not None:
            narrowed.only_from = set(only_from) if self.only_from is None else set(self.only_from) & set(only_from)
        return narrowed


def _skip(action, reason, msg):
    action.update(result=SKIPPED, reason=reason, msg=msg)
    return action


def plan_one(agent_id, status, record, rules):
    """The action for one agent. ``record`` is its agents API record (None: not in the operation)."""
    action = {"agent_id": agent_id, "status": status, "previous_status": None, "result": CHANGE, "reason": None, "msg": ""}
    if record is not None:
        action["previous_status"] = record.get("agent_status")
        if record.get("agent_name"):
            action["agent_name"] = record["agent_name"]
    previous = action["previous_status"]
    if agent_id in rules.exclude:
        return _skip(action, "excluded", "in exclude_agents: never changed")
    if rules.force:
        action["msg"] = "sent without reading the current state (force)"
        return action
    if record is None:
        action.update(result=FAILED, msg="agent %s does not exist in this operation (not in its agents list)" % agent_id)
        return action
    if is_disabled(record):
        return _skip(action, "disabled", "disabled user (enabled: %s): never changed" % record.get("enabled"))
    same = matches(previous, status, rules.labels)
    if same:
        action.update(result=UNCHANGED, msg="already %s" % previous)
        return action
    if rules.logged_out_policy == "skip" and status != "logout" and matches(previous, "logout", rules.labels):
        return _skip(action, "logged_out", LOGGED_OUT_MSG)
    folded = fold(previous) if previous is not None else ""
    if rules.only_from is not None and folded not in rules.only_from:
        return _skip(action, "only_from", "current state %r is not in only_from" % (previous,))
    if folded in rules.except_from:
        return _skip(action, "except_from", "current state %r is in except_from" % (previous,))
    target = display(status, rules.labels)
    if folded in rules.busy_states:
        if rules.busy_policy == "skip":
            return _skip(action, "busy", "busy (%s): not sent, busy_policy is skip" % previous)
        if rules.busy_policy == "wait":
            action.update(result=WAIT, reason="busy", msg="busy (%s): waiting for it to leave that state" % previous)
            return action
        action["msg"] = "%s -> %s (busy, sent anyway: busy_policy is force)" % (previous, target)
        action["_note"] = action["msg"]
        return action
    if same is None:
        action["msg"] = (
            "state %s has no label in status_labels, so the current state %r cannot be compared with it: "
            "sent anyway; add status_labels: {'%s': '<label>'} to make this idempotent" % (status, previous, status)
        )
        action["_note"] = action["msg"]
        return action
    action["msg"] = "%s -> %s" % (previous, target)
    return action


def plan(current, desired, rules, rules_for=None):
    """One action per desired (agent_id, status), in order. current: {agent_id: record}.
    ``rules_for(agent_id)``, when given, picks each agent's rules (a plan entry's own)."""
    return [plan_one(agent_id, status, current.get(agent_id), rules_for(agent_id) if rules_for else rules)
            for agent_id, status in desired]


def summarize(actions):
    summary = dict((name, 0) for name in RESULTS)
    for action in actions:
        summary[action["result"]] = summary.get(action["result"], 0) + 1
    summary["total"] = len(actions)
    for reason in ("busy", "logged_out"):
        summary["skipped_" + reason] = sum(1 for action in actions if action["result"] == SKIPPED and action["reason"] == reason)
    return summary


def diff_of(actions, labels):
    """before/after maps (agent_id -> state) of the agents that change (or would, or are pending)."""
    before, after = {}, {}
    for action in actions:
        if action["result"] in (CHANGE, CHANGED, PENDING):
            before[action["agent_id"]] = action["previous_status"]
            after[action["agent_id"]] = display(action["status"], labels)
    return {"before": before, "after": after}


def diff_text(actions, labels, header):
    """The diff for people: under a header naming the operation, two lines per agent that changes
    (or would, or is pending), its state before and after, with its name."""
    rows = []
    for action in actions:
        if action["result"] in (CHANGE, CHANGED, PENDING):
            name = "%s %s" % (action["agent_id"], action.get("agent_name") or "")
            rows.append((name.strip(), action["previous_status"], display(action["status"], labels)))
    if not rows:
        return ""
    width = max(len(name) for name, _b, _a in rows)
    lines = ["--- before: %s" % header, "+++ after: %s" % header]
    for name, before, after in rows:
        lines.append("-%s  %s" % (name.ljust(width), "(not read: force)" if before is None else before))
        lines.append("+%s  %s" % (name.ljust(width), after))
    return "\n".join(lines) + "\n"
