# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The domain's words: agent IDs, state names and IDs, labels, and how labels are compared.

The agents API shows a state's label ("Active breaks"), while the change API takes its name or
ID ("ready", "logout", "7"); ``status_labels`` links the two. Pure: no I/O.
"""

from __future__ import annotations

import re

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError, shown

AGENT_ID_RE = re.compile(r"^[0-9]{1,20}\Z")
AUX_STATUS_RE = re.compile(r"^[0-9]{1,10}\Z")
DEFAULT_STATES = ("ready", "logout")
# The vendor's in-call state and after-call work: the default busy_states, so that no run with
# default settings cuts a contact (and an agent in a contact counts as adherent to ready).
DEFAULT_BUSY_STATES = ("Talk", "ACW")
BUILTIN_LABELS = {"ready": ("Ready",), "logout": ("Logout",)}
# How the agents API may say that a user is disabled (the vendor's "no", and its usual cousins).
DISABLED_VALUES = frozenset(("no", "n", "0", "false", "off", "disabled", "inactive"))


def _text(value):
    """A user value as stripped text, or None when it is not a string or a number."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip()
    return None


def parse_agent_id(agent_id):
    """An agent ID as text (digits only), or None when the value is not one."""
    text = _text(agent_id)
    return text if text is not None and AGENT_ID_RE.match(text) else None


def parse_status(status):
    """A state as sent to the API ('ready', 'logout' or an auxiliary state ID), or None."""
    text = _text(status)
    if text is not None:
        if text.lower() in DEFAULT_STATES:
            return text.lower()
        if AUX_STATUS_RE.match(text):
            return text
    return None


def validate_agent_id(agent_id):
    text = parse_agent_id(agent_id)
    if text is None:
        raise WolkvoxInputError(
            "agent_id %s is not valid: an agent ID is the agent's extension number, digits only" % shown(agent_id)
        )
    return text


def normalize_status(status):
    """Return the status as sent to the API: 'ready', 'logout' or an auxiliary state ID."""
    text = parse_status(status)
    if text is not None:
        return text
    raise WolkvoxInputError(
        "status %s is not valid: use 'ready', 'logout' or the numeric ID of an auxiliary state "
        "(column ID of the 'Agent States' tab in wolkvox Manager)" % shown(status)
    )


def fold(label):
    """How labels are compared: case-insensitive, surrounding blanks ignored."""
    return str(label).strip().casefold()


def is_disabled(record):
    """True when an agents API record says the user is disabled (a missing field: enabled)."""
    value = record.get("enabled")
    if value is None:
        return False
    if isinstance(value, bool):
        return not value
    return fold(value) in DISABLED_VALUES


def normalize_labels(status_labels):
    """status_labels (ID -> label or list of labels) merged with the built-in ones.

    Returns {status: (label, ...)} with the first label used for display."""
    labels = dict((k, tuple(v)) for k, v in BUILTIN_LABELS.items())
    for key, value in (status_labels or {}).items():
        try:
            status = normalize_status(key)
        except WolkvoxInputError:
            raise WolkvoxInputError(
                "status_labels has the key %s, which is not a state ID: the keys are state IDs and the values the "
                "labels the agents API shows, e.g. {'8': 'Lunch'}" % shown(key)
            )
        values = value if isinstance(value, (list, tuple)) else [value]
        clean = []
        for item in values:
            if _text(item) in (None, ""):
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
        text = _text(entry)
        if not text:
            raise WolkvoxInputError("%s has the entry %r: give a state ID, 'ready', 'logout' or a label" % (option, entry))
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


def display(status, labels):
    """How a desired state is shown in results and diffs: its first label, else its ID."""
    known = labels.get(status)
    return known[0] if known else status


def matches(label, status, labels):
    """True/False: does the label read show the desired state? None: the state has no label."""
    targets = labels.get(status)
    if targets is None:
        return None
    return label is not None and fold(label) in set(fold(t) for t in targets)
