# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""Pure decisions, no I/O: "current states vs desired states -> actions".

Real runs and check mode use the same plan, so check mode cannot say something else than
what a real run does.
"""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import (
    AUX_STATUS_RE,
    WolkvoxInputError,
    normalize_status,
    validate_agent_id,
)

BUILTIN_LABELS = {"ready": ("Ready",), "logout": ("Logout",)}

CHANGE = "change"
CHANGED = "changed"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
FAILED = "failed"
RESULTS = (CHANGED, UNCHANGED, SKIPPED, FAILED)


def fold(label):
    """How labels are compared: case-insensitive, surrounding blanks ignored."""
    return str(label).strip().casefold()


def normalize_labels(status_labels):
    """status_labels (ID -> label or list of labels) merged with the built-in ones.

    Returns {status: (label, ...)} with the first label used for display."""
    labels = dict((k, tuple(v)) for k, v in BUILTIN_LABELS.items())
    for key, value in (status_labels or {}).items():
        status = normalize_status(key)
        values = value if isinstance(value, (list, tuple)) else [value]
        clean = []
        for item in values:
            if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
                raise WolkvoxInputError(
                    "status_labels[%r] has the label %r: a label must be a non-empty text "
                    "(as the agents API shows it, e.g. 'Active breaks')" % (key, item)
                )
            clean.append(str(item).strip())
        if not clean:
            raise WolkvoxInputError("status_labels[%r] has no label" % (key,))
        if status in BUILTIN_LABELS:
            given = set(fold(lab) for lab in clean)
            clean += [lab for lab in BUILTIN_LABELS[status] if fold(lab) not in given]
        labels[status] = tuple(clean)
    return labels


def state_set(entries, labels, option):
    """Folded labels matching a list of states given as 'ready'/'logout', an ID, or a label."""
    folded = set()
    for entry in entries or []:
        if not isinstance(entry, (str, int)) or isinstance(entry, bool) or not str(entry).strip():
            raise WolkvoxInputError("%s has the entry %r: give a state ID, 'ready', 'logout' or a label" % (option, entry))
        text = str(entry).strip()
        key = text.lower()
        if key in labels:
            folded.update(fold(lab) for lab in labels[key])
        elif AUX_STATUS_RE.match(text):
            raise WolkvoxInputError(
                "%s has the state ID %r, which has no label in status_labels: the agents API shows labels, "
                "not IDs, so add status_labels: {'%s': '<label>'}" % (option, text, text)
            )
        else:
            folded.add(fold(text))
    return folded


def normalize_targets(agent_id=None, status=None, agents=None):
    """The desired states in request order as [(agent_id, status)], validated.

    Accepts either agent_id (one or a list) with status, or agents [{agent_id, status}].
    The same agent twice with the same state is kept once; with two states it is an error."""
    pairs = []
    if agents is not None:
        for index, item in enumerate(agents):
            if not isinstance(item, dict) or "agent_id" not in item or "status" not in item:
                raise WolkvoxInputError("agents[%d] is %r: each entry needs agent_id and status" % (index, item))
            unknown = sorted(set(item) - set(("agent_id", "status")))
            if unknown:
                raise WolkvoxInputError("agents[%d] has unknown keys %s: only agent_id and status are allowed" % (index, unknown))
            pairs.append((validate_agent_id(item["agent_id"]), normalize_status(item["status"])))
    else:
        ids = agent_id if isinstance(agent_id, (list, tuple)) else [agent_id]
        wanted = normalize_status(status)
        pairs = [(validate_agent_id(one), wanted) for one in ids]
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


def display(status, labels):
    """How a desired state is shown in results and diffs: its first label, else its ID."""
    known = labels.get(status)
    return known[0] if known else status


def plan(current, desired, labels, only_from=None, force=False):
    """Decide, per requested agent, what to do.

    current: {agent_id: label} from one read of the agents list (ignored with force).
    desired: [(agent_id, status)] in request order.
    labels: normalize_labels() output. only_from: folded state_set() or None.
    Returns one action dict per agent, in request order, whose result is
    'change', 'unchanged', 'skipped' or 'failed'."""
    actions = []
    for agent_id, status in desired:
        action = {"agent_id": agent_id, "status": status, "previous_status": None, "result": CHANGE, "msg": ""}
        actions.append(action)
        if force:
            action["msg"] = "sent without reading the current state (force)"
            continue
        if agent_id not in current:
            action["result"] = FAILED
            action["msg"] = "agent %s does not exist in this operation (not in its agents list)" % agent_id
            continue
        previous = current[agent_id]
        action["previous_status"] = previous
        folded = fold(previous) if previous is not None else ""
        if only_from is not None and folded not in only_from:
            action["result"] = SKIPPED
            action["msg"] = "current state %r is not in only_from" % (previous,)
            continue
        targets = labels.get(status)
        if targets is None:
            action["msg"] = (
                "state %s has no label in status_labels, so the current state %r cannot be compared with it: "
                "sent anyway; add status_labels: {'%s': '<label>'} to make this idempotent" % (status, previous, status)
            )
            continue
        if folded in set(fold(t) for t in targets):
            action["result"] = UNCHANGED
            action["msg"] = "already %s" % previous
            continue
        action["msg"] = "%s -> %s" % (previous, display(status, labels))
    return actions


def summarize(actions):
    summary = dict((name, 0) for name in RESULTS)
    for action in actions:
        summary[action["result"]] = summary.get(action["result"], 0) + 1
    summary["total"] = len(actions)
    return summary


def diff_of(actions, labels):
    """before/after maps (agent_id -> state) of the agents that change."""
    before, after = {}, {}
    for action in actions:
        if action["result"] in (CHANGE, CHANGED):
            before[action["agent_id"]] = action["previous_status"]
            after[action["agent_id"]] = display(action["status"], labels)
    return {"before": before, "after": after}
