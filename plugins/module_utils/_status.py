# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_status: read once, plan, send, wait, verify, account.

``run(task)`` takes an EngineTask (_runner: the module, or the action plugin on the controller)
and returns the result dict. The task's options are validated first (_status_options.TaskOptions);
the words of its msg come from _wording.
"""

from __future__ import annotations

import time

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _planner as planner
from ansible_collections.wolkvox.contact_center.plugins.module_utils import _wording as wording
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxNotSentError, WolkvoxQuotaError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._refusals import QUOTA_NOT_SENT, RefusalGate
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import display, fold, matches
from ansible_collections.wolkvox.contact_center.plugins.module_utils._status_options import TaskOptions

PROGRESS_EVERY = 60  # seconds: the longest silence while busy_policy: wait waits


def read_current(client):
    """{agent_id: record} and the API's order, from one read of the agents list."""
    records = client.list_agents()
    return dict((record["agent_id"], record) for record in records), [record["agent_id"] for record in records]


def send(client, actions, gate):
    """Send the planned changes; each 'change' becomes 'changed' or 'failed' (with its ``_error``)."""
    todo = [action for action in actions if action["result"] == planner.CHANGE]
    outcomes = client.change_many([(action["agent_id"], action["status"]) for action in todo], gate=gate)
    for action, (ok, outcome) in zip(todo, outcomes):
        note = action.get("_note")
        if ok:
            action["result"] = planner.CHANGED
            action["msg"] = outcome + (" (note: %s)" % note if note else "")
        else:
            action["result"] = planner.FAILED
            action["msg"] = str(outcome)
            action["_error"] = outcome


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
                          _error=WolkvoxNotSentError("not sent: %s" % QUOTA_NOT_SENT, cause=exc, reason=exc.reason))


def wait_for_busy(task, options, actions, gate, sleep, clock):
    """Re-read every poll_interval until the waiting agents leave their busy state (then plan them
    again and send) or wait_timeout passes (then they are skipped as busy). A line at least every
    minute says that the task waits (task.progress)."""
    started = clock()
    deadline = started + options.wait_timeout
    header = wording.diff_header(dict(task.params, wolkvox_server=task.client.server))
    said = None
    while any(action["result"] == planner.WAIT for action in actions):
        if deadline - clock() <= 0:
            break
        next_read = min(clock() + options.poll_interval, deadline)
        while clock() < next_read:
            if said is None or clock() - said >= PROGRESS_EVERY - 0.5:
                said = clock()
                waiting = sum(1 for action in actions if action["result"] == planner.WAIT)
                task.progress(wording.waiting_line(header, waiting, int(round(clock() - started)), options.wait_timeout))
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
            aid = action["agent_id"]
            action.update(planner.plan_one(aid, action["status"], current.get(aid), options.rules_for(aid)))
            replanned.append(action)
        send(task.client, replanned, gate)
    waited = int(round(clock() - started))
    for action in actions:
        if action["result"] == planner.WAIT:
            action.update(result=planner.SKIPPED, reason="busy",
                          msg="still busy (%s) after waiting %d s (wait_timeout): not sent" % (action["previous_status"], waited))
    return None


def verify(task, options, actions):
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
        same = matches(shown_now, action["status"], options.labels)
        if same is None:
            action["msg"] += " (not verified: state %s has no label in status_labels)" % action["status"]
        elif not same:
            action["result"] = planner.PENDING
            action["msg"] = "accepted by the API, but the agents list still shows %r instead of %r (%s)" % (
                shown_now, display(action["status"], options.labels), action["msg"])


def not_read(options, exc):
    """The actions when the one read is refused for the quota: every named agent failed, not sent."""
    actions = [dict(agent_id=aid, status=status, previous_status=None, result=planner.CHANGE, reason=None, msg="")
               for aid, status in options.named]
    quota_stop(actions, exc)
    return actions


def apply(task, options, sleep, clock):
    """Read once (unless forced), plan, then send, wait and verify (or, in check mode, say what
    would be sent). Returns (actions, the quota error that stopped the task or None)."""
    try:
        current, order = ({}, []) if options.force else read_current(task.client)
    except WolkvoxQuotaError as exc:
        if options.all_agents:
            raise  # the agents are not known: the task fails with the quota's message
        return not_read(options, exc), exc
    actions = planner.plan(current, options.desired(order), options.rules, options.rules_for)
    found = wording.unplaced_labels(actions, options.labels, options.rules.busy_states)
    if found:
        task.warn(wording.unplaced_warning(found, task.check_mode))
    if task.check_mode:
        for action in actions:
            if action["result"] == planner.CHANGE:
                action.update(result=planner.CHANGED, msg="would change (check mode): %s" % action["msg"])
            elif action["result"] == planner.WAIT:
                action.update(result=planner.SKIPPED, msg="busy (%s): would wait up to %d s for it to leave that "
                              "state (check mode does not wait)" % (action["previous_status"], options.wait_timeout))
        return actions, None
    gate = RefusalGate(conditional(actions, options.rules))
    send(task.client, actions, gate)
    stopped = wait_for_busy(task, options, actions, gate, sleep, clock)
    if options.verify:
        verify(task, options, actions)
    return actions, stopped


def run(task, sleep=time.sleep, clock=time.monotonic):
    params = task.params
    # 1. Validate everything before any request (the client validates server, URL and token).
    options = TaskOptions(params)
    if options.idle:
        # A plan with no enforced entry active at its instant: nothing read, nothing sent.
        result = dict(changed=False, agents=[], summary=planner.summarize([]), diff={"before": {}, "after": {}},
                      msg=wording.prefixed(params, wording.idle_plan(options.moment)))
        result["plan"] = plan_of(options.moment)
        return result
    for status in options.unlabelled():
        task.warn(
            "state %s has no label in status_labels, so it cannot be compared with the current states and is sent "
            "on every run (always 'changed'): add status_labels: {'%s': '<label the agents API shows>'} "
            "(role: wolkvox_agent_status_labels)" % (status, status)
        )
    stopped = None  # the quota error that stopped the task, if any
    if options.empty:
        task.warn("no agent to change: agent_id / agents is empty, so nothing was read or sent")
        actions = []
    else:
        # 2-5. One read for all agents (unless forced), plan, send (not in check mode), wait, verify.
        actions, stopped = apply(task, options, sleep, clock)
    summary = planner.summarize(actions)
    result = dict(
        changed=summary["changed"] + summary["pending"] > 0,
        agents=actions,
        summary=summary,
        msg=wording.task_message(summary, actions, task.check_mode, options.moment),
    )
    if params.get("diff_format", "agents") == "agents":
        result["diff"] = {"prepared": planner.diff_text(actions, options.labels, wording.diff_header(params))}
    else:
        result["diff"] = planner.diff_of(actions, options.labels)
    if options.moment is not None:
        result["plan"] = plan_of(options.moment)
    # 6. Any failed agent fails the task, with every agent's result still returned.
    if summary["failed"]:
        result["failed"] = True
        if stopped is not None:
            result["msg"] = "%s: %s" % (stopped.message, result["msg"])
            result["error"] = stopped.as_dict()
    result["msg"] = wording.prefixed(params, result["msg"])
    for action in actions:
        action.pop("_error", None)
        action.pop("_note", None)
    return result


def plan_of(moment):
    """What the result says of the plan: the instant evaluated and the entries active then."""
    return dict(at=moment.local, timezone=moment.zone_name, active_entries=moment.active,
                watch_only=moment.watched())
