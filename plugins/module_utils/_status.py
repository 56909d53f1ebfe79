# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_status: validate, read once, plan, send, wait, verify, account.

``run(task)`` takes any object with ``params``, ``check_mode``, ``client`` and ``warn(msg)``
(the module, or the action plugin on the controller) and returns the result dict.
"""

from __future__ import annotations

import time

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _planner as planner
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError, shown
from ansible_collections.wolkvox.contact_center.plugins.module_utils._refusals import RefusalGate, why
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    display,
    matches,
    normalize_labels,
    normalize_status,
    state_set,
)

FIRST_FAILURES = 3
SHOWN_IDS = 5


class Request(object):
    """The task's options, validated before any request."""

    def __init__(self, params):
        self.all_agents = bool(params.get("all_agents"))
        self.force = bool(params.get("force"))
        status = params.get("status")
        if self.all_agents:
            if status is None:
                raise WolkvoxInputError("all_agents needs status: the state for every agent of the operation")
            if params.get("agent_id") is not None:
                raise WolkvoxInputError("all_agents and agent_id are mutually exclusive: all_agents already names every agent")
            if self.force:
                raise WolkvoxInputError("all_agents and force are mutually exclusive: all_agents needs the read that force skips")
            try:
                self.all_status = normalize_status(status)
            except WolkvoxInputError as exc:
                raise WolkvoxInputError("all_agents with %s (role variable wolkvox_agent_status_all)" % exc)
            self.named = planner.normalize_targets(agents=params.get("agents"))
        else:
            self.all_status = None
            if params.get("agent_id") is None and params.get("agents") is None:
                raise WolkvoxInputError("say which agents: agent_id with status, agents, or all_agents with status")
            if params.get("agents") is not None and status is not None:
                raise WolkvoxInputError("status and agents are mutually exclusive (unless all_agents is true)")
            self.named = planner.normalize_targets(agent_id=params.get("agent_id"), status=status, agents=params.get("agents"))
        self.labels = normalize_labels(params.get("status_labels"))
        only_from = params.get("only_from")
        except_from = params.get("except_from") or []
        if self.force and except_from:
            raise WolkvoxInputError("except_from and force are mutually exclusive: except_from needs the read that force skips")
        self.busy_policy = params.get("busy_policy") or "skip"
        if self.busy_policy not in planner.BUSY_POLICIES:
            raise WolkvoxInputError("busy_policy %s is not valid: use skip, wait or force" % shown(self.busy_policy))
        self.wait_timeout = _bounded(params, "wait_timeout", 300, 1, 3600)
        self.poll_interval = _bounded(params, "poll_interval", 30, 1, 600)
        self.verify = bool(params.get("verify"))
        self.rules = planner.Rules(
            self.labels,
            only_from=state_set(only_from, self.labels, role_hint("only_from")) if only_from is not None else None,
            except_from=state_set(except_from, self.labels, role_hint("except_from")),
            busy_states=state_set(params.get("busy_states") or [], self.labels, role_hint("busy_states")),
            busy_policy=self.busy_policy,
            exclude=_excluded(params.get("exclude_agents")),
            force=self.force,
        )

    @property
    def empty(self):
        return not self.all_agents and not self.named

    def unlabelled(self):
        """Desired auxiliary states with no label (they cannot be compared), in order of appearance."""
        states = [status for _aid, status in self.named] + ([self.all_status] if self.all_status else [])
        found = []
        for status in states:
            if status not in self.labels and status not in found:
                found.append(status)
        return found


def _excluded(values):
    try:
        return planner.agent_ids(values, "exclude_agents")
    except WolkvoxInputError as exc:
        raise WolkvoxInputError("%s (role variable wolkvox_agent_status_exclude_agents)" % exc)


def role_hint(option):
    """An option's name as module users and role users know it."""
    var = "wolkvox_agent_status_labels" if option == "status_labels" else "wolkvox_agent_status_" + option
    return "%s (role variable %s)" % (option, var)


def _bounded(params, name, default, low, high):
    value = params.get(name)
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WolkvoxInputError(
            "%s %s is not valid: it must be a whole number of seconds from %d to %d" % (role_hint(name), shown(value), low, high))
    return value


def read_current(client):
    """{agent_id: record} and the API's order, from one read of the agents list."""
    records = client.list_agents()
    return dict((record["agent_id"], record) for record in records), [record["agent_id"] for record in records]


def send(client, actions, gate):
    """Send the planned changes; each 'change' becomes 'changed' or 'failed'."""
    todo = [action for action in actions if action["result"] == planner.CHANGE]
    outcomes = client.change_many([(action["agent_id"], action["status"]) for action in todo], gate=gate)
    for action, (ok, outcome) in zip(todo, outcomes):
        note = action["msg"] if "status_labels" in action["msg"] or "busy" in action["msg"] else ""
        if ok:
            action["result"] = planner.CHANGED
            action["msg"] = outcome + (" (note: %s)" % note if note else "")
        else:
            action["result"] = planner.FAILED
            action["msg"] = str(outcome)
            action["_why"] = getattr(outcome, "not_sent", None) or why(outcome)
            action["_not_sent"] = hasattr(outcome, "not_sent")


def wait_for_busy(task, request, actions, gate, sleep, clock):
    """Re-read every poll_interval until the waiting agents leave their busy state (then plan them
    again and send) or wait_timeout passes (then they are skipped as busy)."""
    started = clock()
    deadline = started + request.wait_timeout
    while any(action["result"] == planner.WAIT for action in actions):
        left = deadline - clock()
        if left <= 0:
            break
        sleep(min(request.poll_interval, left))
        current, _order = read_current(task.client)
        replanned = []
        for action in actions:
            if action["result"] != planner.WAIT:
                continue
            fresh = planner.plan_one(action["agent_id"], action["status"], current.get(action["agent_id"]), request.rules)
            action.update(fresh)
            replanned.append(action)
        send(task.client, replanned, gate)
    waited = int(round(clock() - started))
    for action in actions:
        if action["result"] == planner.WAIT:
            action.update(result=planner.SKIPPED, reason="busy",
                          msg="still busy (%s) after waiting %d s (wait_timeout): not sent" % (action["previous_status"], waited))


def verify(task, request, actions):
    """One more read: a change accepted but not shown yet is 'pending'."""
    changed = [action for action in actions if action["result"] == planner.CHANGED]
    if not changed:
        return
    current, _order = read_current(task.client)
    for action in changed:
        record = current.get(action["agent_id"])
        shown_now = record.get("agent_status") if record else None
        same = matches(shown_now, action["status"], request.labels)
        if same is None:
            action["msg"] += " (not verified: state %s has no label in status_labels)" % action["status"]
        elif not same:
            action["result"] = planner.PENDING
            action["msg"] = "accepted by the API, but the agents list still shows %r instead of %r (%s)" % (
                shown_now, display(action["status"], request.labels), action["msg"])


def headline(summary, check_mode):
    parts = ["%d %s" % (summary["changed"], "would change" if check_mode else "changed"),
             "%d unchanged" % summary["unchanged"], "%d skipped" % summary["skipped"]]
    if summary["pending"]:
        parts.append("%d pending" % summary["pending"])
    text = "%s, %d failed of %d agents" % (", ".join(parts), summary["failed"], summary["total"])
    if summary["skipped_busy"]:
        text += " (%d skipped as busy)" % summary["skipped_busy"]
    return text + (" (check mode: nothing sent)" if check_mode else "")


def failure_message(actions, summary):
    """How many failed, grouped by reason, the biggest groups first."""
    groups = {}
    not_sent = {}
    for action in actions:
        if action["result"] == planner.FAILED:
            key = action.get("_why") or action["msg"]
            groups.setdefault(key, []).append(action["agent_id"])
            not_sent[key] = not_sent.get(key, 0) + (1 if action.get("_not_sent") else 0)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    parts = []
    for reason, ids in ordered[:FIRST_FAILURES]:
        names = ", ".join(ids[:SHOWN_IDS]) + (" and %d more" % (len(ids) - SHOWN_IDS) if len(ids) > SHOWN_IDS else "")
        held = " (%d of them not sent: the same refusal for the first %d agents means the API refuses this state)" % (
            not_sent[reason], RefusalGate.LIMIT) if not_sent[reason] else ""
        parts.append("%d agent%s (%s): %s%s" % (len(ids), "" if len(ids) == 1 else "s", names, reason, held))
    more = " (and %d more reasons, see agents)" % (len(ordered) - FIRST_FAILURES) if len(ordered) > FIRST_FAILURES else ""
    return "%d of %d agents failed: %s%s" % (summary["failed"], summary["total"], "; ".join(parts), more)


def run(task, sleep=time.sleep, clock=time.monotonic):
    # 1. Validate everything before any request (the client validates server, URL and token).
    request = Request(task.params)
    for status in request.unlabelled():
        task.warn(
            "state %s has no label in status_labels, so it cannot be compared with the current states and is sent "
            "on every run (always 'changed'): add status_labels: {'%s': '<label the agents API shows>'} "
            "(role: wolkvox_agent_status_labels)" % (status, status)
        )
    if request.empty:
        task.warn("no agent to change: agent_id / agents is empty, so nothing was read or sent")
        actions = []
    else:
        client = task.client
        # 2. One read for all agents, unless forced.
        current, order = ({}, []) if request.force else read_current(client)
        desired = planner.expand_all(order, request.named, request.all_status) if request.all_agents else request.named
        # 3-5. Plan, then send (or not, in check mode), wait, verify.
        actions = planner.plan(current, desired, request.rules)
        if task.check_mode:
            for action in actions:
                if action["result"] == planner.CHANGE:
                    action.update(result=planner.CHANGED, msg="would change (check mode): %s" % action["msg"])
                elif action["result"] == planner.WAIT:
                    action.update(result=planner.SKIPPED, msg="busy (%s): would wait up to %d s for it to leave that state "
                                  "(check mode does not wait)" % (action["previous_status"], request.wait_timeout))
        else:
            gate = RefusalGate()
            send(client, actions, gate)
            wait_for_busy(task, request, actions, gate, sleep, clock)
            if request.verify:
                verify(task, request, actions)
    summary = planner.summarize(actions)
    result = dict(
        changed=summary["changed"] + summary["pending"] > 0,
        agents=actions,
        summary=summary,
        diff=planner.diff_of(actions, request.labels),
        msg=headline(summary, task.check_mode),
    )
    if task.params.get("diff_format") == "agents":
        header = task.params.get("diff_header") or "server %s" % task.params.get("wolkvox_server")
        result["diff"] = {"prepared": planner.diff_text(actions, request.labels, header)}
    # 6. Any failed agent fails the task, with every agent's result still returned.
    if summary["failed"]:
        result["failed"] = True
        result["msg"] = failure_message(actions, summary)
    for action in actions:
        action.pop("_why", None)
        action.pop("_not_sent", None)
    return result


# The module's own options (the connection options are merged in by _module / the action plugin).
ARGUMENT_SPEC = dict(
    agent_id=dict(type="list", elements="str", aliases=["agent_ids"]),
    status=dict(type="str"),
    agents=dict(
        type="list",
        elements="dict",
        options=dict(agent_id=dict(type="str", required=True), status=dict(type="str", required=True)),
    ),
    all_agents=dict(type="bool", default=False),
    status_labels=dict(type="dict", default={}),
    only_from=dict(type="list", elements="str"),
    except_from=dict(type="list", elements="str", default=[]),
    exclude_agents=dict(type="list", elements="str", default=[]),
    busy_states=dict(type="list", elements="str", default=[]),
    busy_policy=dict(type="str", default="skip", choices=list(planner.BUSY_POLICIES)),
    wait_timeout=dict(type="int", default=300),
    poll_interval=dict(type="int", default=30),
    verify=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    diff_format=dict(type="str", default="maps", choices=["maps", "agents"]),
    diff_header=dict(type="str"),
)
SPEC_KWARGS = dict(
    mutually_exclusive=[("agent_id", "agents"), ("force", "only_from"), ("force", "except_from")],
    required_by={"agent_id": "status"},
    supports_check_mode=True,
)
