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
from ansible_collections.wolkvox.contact_center.plugins.module_utils import _wording as wording
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxInputError,
    WolkvoxNotSentError,
    WolkvoxQuotaError,
    shown,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._refusals import QUOTA_NOT_SENT, RefusalGate
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    display,
    fold,
    matches,
    normalize_labels,
    normalize_status,
    state_set,
)

# The vendor's in-call state and after-call work: no run with default settings cuts a contact.
DEFAULT_BUSY_STATES = ("Talk", "ACW")
PROGRESS_EVERY = 60  # seconds: the longest silence while busy_policy: wait waits


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
        self.logged_out_policy = params.get("logged_out_policy") or "skip"
        if self.logged_out_policy not in planner.LOGGED_OUT_POLICIES:
            raise WolkvoxInputError("%s %s is not valid: use skip or send" % (
                role_hint("logged_out_policy"), shown(self.logged_out_policy)))
        busy_states = params.get("busy_states")
        busy_states = list(DEFAULT_BUSY_STATES) if busy_states is None else busy_states
        self.rules = planner.Rules(
            self.labels,
            only_from=state_set(only_from, self.labels, role_hint("only_from")) if only_from is not None else None,
            except_from=state_set(except_from, self.labels, role_hint("except_from")),
            busy_states=state_set(busy_states, self.labels, role_hint("busy_states")),
            busy_policy=self.busy_policy,
            exclude=_excluded(params.get("exclude_agents")),
            force=self.force,
            logged_out_policy=self.logged_out_policy,
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
            held = isinstance(outcome, WolkvoxNotSentError)
            action["result"] = planner.FAILED
            action["msg"] = str(outcome)
            action["_why"] = getattr(outcome, "reason", None) or str(outcome)
            if held:
                action["_held"] = "quota" if isinstance(outcome.cause, WolkvoxQuotaError) else "refused"


def conditional(actions, rules):
    """Agents whose own condition (logged out, in a busy state) may be why the API refuses them."""
    found = set()
    for action in actions:
        previous = action.get("previous_status")
        if previous is None:
            continue
        if matches(previous, "logout", rules.labels) or fold(previous) in rules.busy_states:
            found.add(action["agent_id"])
    return found


def quota_stop(actions, exc, results=(planner.CHANGE, planner.WAIT)):
    """The quota is spent: the agents still to be sent are failed, not sent."""
    for action in actions:
        if action["result"] in results:
            action.update(result=planner.FAILED, reason=None, msg="not sent: %s" % QUOTA_NOT_SENT,
                          _why=exc.reason, _held="quota")


def wait_for_busy(task, request, actions, gate, sleep, clock):
    """Re-read every poll_interval until the waiting agents leave their busy state (then plan them
    again and send) or wait_timeout passes (then they are skipped as busy). A line at least every
    minute says that the task waits (task.progress, where the task can show one)."""
    started = clock()
    deadline = started + request.wait_timeout
    progress = getattr(task, "progress", None)
    header = task.params.get("diff_header") or "server %s" % task.client.server
    said = None
    while any(action["result"] == planner.WAIT for action in actions):
        if deadline - clock() <= 0:
            break
        next_read = min(clock() + request.poll_interval, deadline)
        while clock() < next_read:
            if progress is not None and (said is None or clock() - said >= PROGRESS_EVERY - 0.5):
                said = clock()
                waiting = sum(1 for action in actions if action["result"] == planner.WAIT)
                progress(wording.waiting_line(header, waiting, int(round(clock() - started)), request.wait_timeout))
            sleep(min(next_read - clock(), PROGRESS_EVERY))
        try:
            current, _order = read_current(task.client)
        except WolkvoxQuotaError as exc:
            quota_stop(actions, exc, results=(planner.WAIT,))
            return exc
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
    return None


def verify(task, request, actions):
    """One more read: a change accepted but not shown yet is 'pending'."""
    changed = [action for action in actions if action["result"] == planner.CHANGED]
    if not changed:
        return
    try:
        current, _order = read_current(task.client)
    except WolkvoxQuotaError as exc:
        task.warn("the changes were sent but not verified: %s" % exc.reason)
        for action in changed:
            action["msg"] += " (not verified: the daily quota is spent)"
        return
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


def not_read(request, exc):
    """The actions when the one read is refused for the quota: every named agent failed, not sent."""
    actions = [dict(agent_id=aid, status=status, previous_status=None, result=planner.CHANGE, reason=None, msg="")
               for aid, status in request.named]
    quota_stop(actions, exc)
    return actions


def run(task, sleep=time.sleep, clock=time.monotonic):
    # 1. Validate everything before any request (the client validates server, URL and token).
    request = Request(task.params)
    for status in request.unlabelled():
        task.warn(
            "state %s has no label in status_labels, so it cannot be compared with the current states and is sent "
            "on every run (always 'changed'): add status_labels: {'%s': '<label the agents API shows>'} "
            "(role: wolkvox_agent_status_labels)" % (status, status)
        )
    stopped = None  # the quota error that stopped the task, if any
    if request.empty:
        task.warn("no agent to change: agent_id / agents is empty, so nothing was read or sent")
        actions = []
    else:
        client = task.client
        # 2. One read for all agents, unless forced.
        try:
            current, order = ({}, []) if request.force else read_current(client)
        except WolkvoxQuotaError as exc:
            if request.all_agents:
                raise  # the agents are not known: the task fails with the quota's message
            current, order, stopped = None, [], exc
        if stopped is not None:
            actions = not_read(request, stopped)
        else:
            desired = planner.expand_all(order, request.named, request.all_status) if request.all_agents else request.named
            # 3-5. Plan, then send (or not, in check mode), wait, verify.
            actions = planner.plan(current, desired, request.rules)
            found = wording.unplaced_labels(actions, request.labels, request.rules.busy_states)
            if found:
                task.warn(wording.unplaced_warning(found, task.check_mode))
            if task.check_mode:
                for action in actions:
                    if action["result"] == planner.CHANGE:
                        action.update(result=planner.CHANGED, msg="would change (check mode): %s" % action["msg"])
                    elif action["result"] == planner.WAIT:
                        action.update(result=planner.SKIPPED, msg="busy (%s): would wait up to %d s for it to leave that "
                                      "state (check mode does not wait)" % (action["previous_status"], request.wait_timeout))
            else:
                gate = RefusalGate(conditional(actions, request.rules))
                send(client, actions, gate)
                stopped = wait_for_busy(task, request, actions, gate, sleep, clock)
                if request.verify:
                    verify(task, request, actions)
    summary = planner.summarize(actions)
    msg = wording.headline(summary, task.check_mode)
    skipped = wording.skipped_note(actions)
    result = dict(
        changed=summary["changed"] + summary["pending"] > 0,
        agents=actions,
        summary=summary,
        diff=planner.diff_of(actions, request.labels),
        msg=msg + ("; " + skipped if skipped else ""),
    )
    if task.params.get("diff_format") == "agents":
        header = task.params.get("diff_header") or "server %s" % task.params.get("wolkvox_server")
        result["diff"] = {"prepared": planner.diff_text(actions, request.labels, header)}
    # 6. Any failed agent fails the task, with every agent's result still returned.
    if summary["failed"]:
        result["failed"] = True
        result["msg"] = wording.failure_message(actions, summary) + ("; " + skipped if skipped else "")
        if stopped is not None:
            result["msg"] = "%s: %s" % (stopped.message, result["msg"])
            result["error"] = stopped.as_dict()
    for action in actions:
        action.pop("_why", None)
        action.pop("_held", None)
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
    busy_states=dict(type="list", elements="str", default=list(DEFAULT_BUSY_STATES)),
    busy_policy=dict(type="str", default="skip", choices=list(planner.BUSY_POLICIES)),
    wait_timeout=dict(type="int", default=300),
    poll_interval=dict(type="int", default=30),
    verify=dict(type="bool", default=False),
    logged_out_policy=dict(type="str", default="skip", choices=list(planner.LOGGED_OUT_POLICIES)),
    force=dict(type="bool", default=False),
    diff_format=dict(type="str", default="maps", choices=["maps", "agents"]),
    diff_header=dict(type="str"),
)
SPEC_KWARGS = dict(
    mutually_exclusive=[("agent_id", "agents"), ("force", "only_from"), ("force", "except_from")],
    required_by={"agent_id": "status"},
    supports_check_mode=True,
)
