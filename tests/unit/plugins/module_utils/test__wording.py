# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _wording: the task's msg, the unplaced-labels warning, the waiting line."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxNotSentError,
    WolkvoxQuotaError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._wording import (
    diff_header,
    failure_message,
    headline,
    prefixed,
    skipped_note,
    unplaced_labels,
    unplaced_warning,
    waiting_line,
)
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import summary_counts


# --------------------------------------------------------------------------------------------
# failure_message / headline
# --------------------------------------------------------------------------------------------

def _failed(agent_id, why, held=None):
    """A failed action with the error behind it (structured: its reason, and why it was held back)."""
    if held == "quota":
        error = WolkvoxNotSentError("not sent", cause=WolkvoxQuotaError(why), reason=why)
    elif held == "refused":
        error = WolkvoxNotSentError("not sent", cause=WolkvoxApiError(why), reason=why)
    else:
        error = WolkvoxApiError("changing failed: " + why, reason=why)
    return {"agent_id": agent_id, "result": "failed", "msg": "x", "_error": error}


def test_failure_message_groups_identical_failures_biggest_first():
    actions = ([_failed(str(1000 + i), "refused") for i in range(40)] + [_failed("7", "in a call")] +
               [_failed(str(2000 + i), "gone") for i in range(3)] + [{"agent_id": "9", "result": "changed", "msg": "ok"}])
    summary = {"failed": 44, "total": 45}
    assert failure_message(actions, summary) == (
        "44 of 45 agents failed: 40 agents (1000, 1001, 1002, 1003, 1004 and 35 more): refused; "
        "3 agents (2000, 2001, 2002): gone; 1 agent (7): in a call"
    )


def test_failure_message_without_why_uses_msg():
    actions = [{"agent_id": "1", "result": "failed", "msg": "agent 1 does not exist"}]
    assert failure_message(actions, {"failed": 1, "total": 1}) == "1 of 1 agents failed: 1 agent (1): agent 1 does not exist"


@pytest.mark.parametrize(
    "summary, check_mode, expected",
    [
        (summary_counts(total=3, changed=1, unchanged=1, skipped=1), False,
         "1 changed, 1 unchanged, 1 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents"),
        (summary_counts(total=3, changed=1, unchanged=1, skipped=1), True,
         "1 would change, 1 unchanged, 1 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents "
         "(check mode: nothing sent)"),
        (summary_counts(total=4, changed=1, pending=2, skipped=1, skipped_busy=1), False,
         "1 changed, 0 unchanged, 1 skipped (1 busy, 0 logged out), 2 pending, 0 failed of 4 agents"),
    ],
)
def test_headline(summary, check_mode, expected):
    assert headline(summary, check_mode) == expected


def test_headline_counts_logged_out_agents():
    summary = summary_counts(total=5, changed=1, skipped=4, skipped_busy=1, skipped_logged_out=3)
    assert headline(summary, False) == "1 changed, 0 unchanged, 4 skipped (1 busy, 3 logged out), 0 pending, 0 failed of 5 agents"


@pytest.mark.parametrize("params, text, header", [
    (dict(wolkvox_server="0042"), "3 changed", "server 0042"),
    (dict(wolkvox_server="0042", operation="bogota_sales"), "bogota_sales (server 0042): 3 changed",
     "bogota_sales (server 0042)"),
    (dict(wolkvox_server="0042", diff_header="my header"), "3 changed", "my header"),
])
def test_the_operation_names_the_msg_and_the_diff(params, text, header):
    assert prefixed(params, "3 changed") == text
    assert diff_header(params) == header


def test_failure_message_says_which_agents_were_held_back_and_why():
    actions = [_failed("1", "refused"), _failed("2", "refused", held="refused"), _failed("3", "quota!", held="quota")]
    assert failure_message(actions, {"failed": 3, "total": 3}) == (
        "3 of 3 agents failed: 2 agents (1, 2): refused (1 of them not sent: the same refusal for the first 3 agents "
        "means the API refuses this state); 1 agent (3): quota! (1 of them not sent: the quota was spent)")


def _skipped(agent_id, reason, previous=None, name=None):
    action = {"agent_id": agent_id, "result": "skipped", "reason": reason, "previous_status": previous, "msg": "x"}
    if name:
        action["agent_name"] = name
    return action


def test_skipped_note_names_the_agents_left_as_they_were():
    actions = [_skipped("1001", "busy", "Talk", "Ana"), _skipped("1099", "excluded"),
               {"agent_id": "1002", "result": "changed", "reason": None, "previous_status": "Ready"},
               _skipped("1003", "logged_out", "Logout", "Luis Perez")]
    assert skipped_note(actions) == "skipped: 1001 Ana (busy: Talk), 1099 (excluded), 1003 Luis Perez (logged_out: Logout)"
    assert skipped_note(actions[2:3]) == ""


def test_skipped_note_shows_ten_then_counts():
    actions = [_skipped(str(i), "excluded") for i in range(13)]
    assert skipped_note(actions).endswith("8 (excluded), 9 (excluded) and 3 more")


def test_unplaced_labels_are_those_of_agents_about_to_be_sent_that_no_rule_knows():
    labels = {"ready": ("Ready",), "logout": ("Logout",), "7": ("Active breaks",)}
    actions = [{"result": "change", "previous_status": p} for p in ("On call", "active breaks ", "Ready", "On call", "Ringing")]
    actions.append({"result": "skipped", "previous_status": "Wrap"})  # not about to be sent
    actions.append({"result": "change", "previous_status": "talk"})  # a busy_states entry (folded)
    assert unplaced_labels(actions, labels, {"talk", "acw"}) == {"On call": 2, "Ringing": 1}
    text = unplaced_warning({"On call": 2, "Ringing": 1}, check_mode=False)
    assert "'On call' (2 agents), 'Ringing' (1 agent)" in text
    assert "if one of these means the agent is handling a contact, add it to busy_states" in text.lower()


def test_waiting_line():
    assert waiting_line("bogota (server 0042)", 2, 60, 300) == (
        "bogota (server 0042): waiting for 2 agents handling a contact (busy_states) to finish: 60 s so far, "
        "at most 300 s (wait_timeout)")
