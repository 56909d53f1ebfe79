# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How the status engine words its results for people: the task's ``msg`` (counts, the agents
left as they were, failures grouped by reason), the warning about labels the task cannot place,
and the progress line while it waits for busy agents. Pure: no I/O.
"""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import fold

FIRST_FAILURES = 3
SHOWN_IDS = 5
SHOWN_SKIPPED = 10
REFUSAL_LIMIT = 3  # RefusalGate.LIMIT, named in the failure message
# Reasons whose msg names the state the agent shows (excluded/disabled agents are never changed anyway).
SHOW_STATE = ("busy", "logged_out", "only_from", "except_from")


def prefixed(params, text):
    """``text`` under the operation's name when the task names one (the role does):
    'bogota_sales (server 0042): <text>'."""
    operation = params.get("operation")
    if not operation:
        return text
    return "%s (server %s): %s" % (operation, params.get("wolkvox_server"), text)


def diff_header(params):
    """The header of the readable diff: the operation and its server, else the server."""
    if params.get("diff_header"):
        return params["diff_header"]
    if params.get("operation"):
        return "%s (server %s)" % (params["operation"], params.get("wolkvox_server"))
    return "server %s" % params.get("wolkvox_server")


def headline(summary, check_mode):
    """'3 changed, 1 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 5 agents'."""
    text = "%d %s, %d unchanged, %d skipped (%d busy, %d logged out), %d pending, %d failed of %d agents" % (
        summary["changed"], "would change" if check_mode else "changed", summary["unchanged"], summary["skipped"],
        summary.get("skipped_busy", 0), summary.get("skipped_logged_out", 0), summary["pending"], summary["failed"],
        summary["total"])
    return text + (" (check mode: nothing sent)" if check_mode else "")


def idle_plan(moment):
    """The msg of a plan with no enforced entry active at its instant."""
    watched = moment.watched()
    note = " (but %d watch-only entr%s, never sent)" % (watched, "y" if watched == 1 else "ies") if watched else ""
    return "no plan entry is active at %s%s: nothing read, nothing sent" % (moment.when, note)


def task_message(summary, actions, check_mode, moment=None):
    """The task's msg: its counts, then why agents failed (grouped), the plan's instant, and the
    agents left as they were."""
    parts = [headline(summary, check_mode)]
    if summary["failed"]:
        parts.append(failure_message(actions, summary))
    if moment is not None:
        parts.append("plan at %s" % moment.when)
    skipped = skipped_note(actions)
    if skipped:
        parts.append(skipped)
    return "; ".join(parts)


def skipped_note(actions):
    """'skipped: 1001 Ana (busy: Talk), 1099 (excluded)': the agents left as they were, up to 10."""
    rows = []
    for action in actions:
        if action["result"] != "skipped":
            continue
        who = ("%s %s" % (action["agent_id"], action.get("agent_name") or "")).strip()
        why = action["reason"] or "skipped"
        if why in SHOW_STATE and action.get("previous_status") is not None:
            why = "%s: %s" % (why, action["previous_status"])
        rows.append("%s (%s)" % (who, why))
    if not rows:
        return ""
    more = " and %d more" % (len(rows) - SHOWN_SKIPPED) if len(rows) > SHOWN_SKIPPED else ""
    return "skipped: %s%s" % (", ".join(rows[:SHOWN_SKIPPED]), more)


def failure_message(actions, summary):
    """How many failed, grouped by reason, the biggest groups first. A failed action may carry
    ``_error`` (the WolkvoxError behind it): its ``reason`` groups, and a change held back without a
    request (``held``: 'quota' or 'refused') is counted as not sent."""
    groups = {}
    held = {}
    for action in actions:
        if action["result"] == "failed":
            error = action.get("_error")
            key = error.reason if error is not None else action["msg"]
            groups.setdefault(key, []).append(action["agent_id"])
            kind = getattr(error, "held", None)
            if kind:
                held.setdefault(key, {}).setdefault(kind, 0)
                held[key][kind] += 1
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    parts = []
    for reason, ids in ordered[:FIRST_FAILURES]:
        names = ", ".join(ids[:SHOWN_IDS]) + (" and %d more" % (len(ids) - SHOWN_IDS) if len(ids) > SHOWN_IDS else "")
        note = ""
        counts = held.get(reason, {})
        if counts.get("quota"):
            note = " (%d of them not sent: the quota was spent)" % counts["quota"]
        elif counts.get("refused"):
            note = " (%d of them not sent: the same refusal for the first %d agents means the API refuses this state)" % (
                counts["refused"], REFUSAL_LIMIT)
        parts.append("%d agent%s (%s): %s%s" % (len(ids), "" if len(ids) == 1 else "s", names, reason, note))
    more = " (and %d more reasons, see agents)" % (len(ordered) - FIRST_FAILURES) if len(ordered) > FIRST_FAILURES else ""
    return "%d of %d agents failed: %s%s" % (summary["failed"], summary["total"], "; ".join(parts), more)


def unplaced_labels(actions, labels, busy_states):
    """{label: count} of the states shown by agents about to be sent that are none of: a known
    state's label (Ready, Logout, status_labels) or a busy_states entry. In first-seen order."""
    known = set(fold(label) for values in labels.values() for label in values) | set(busy_states)
    found = {}
    for action in actions:
        previous = action.get("previous_status")
        if action["result"] != "change" or previous is None or fold(previous) in known:
            continue
        key = str(previous).strip()
        found[key] = found.get(key, 0) + 1
    return found


def unplaced_warning(found, check_mode):
    shown = ", ".join("%r (%d agent%s)" % (label, n, "" if n == 1 else "s") for label, n in found.items())
    return (
        "agents %s show states this task cannot place: %s. If one of these means the agent is handling a contact, "
        "add it to busy_states (role variable wolkvox_agent_status_busy_states) so that it is never cut; if it is an "
        "auxiliary state, add its ID to status_labels" % ("that would be changed" if check_mode else "being changed", shown)
    )


def waiting_line(header, waiting, waited, wait_timeout):
    return "%s: waiting for %d agent%s handling a contact (busy_states) to finish: %d s so far, at most %d s (wait_timeout)" % (
        header, waiting, "" if waiting == 1 else "s", waited, wait_timeout)
