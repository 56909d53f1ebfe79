# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _refusals: when the task stops sending a state, and what never holds an agent back."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxAgentRefusedError,
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxNotSentError,
    WolkvoxQuotaError,
    WolkvoxTokenBusyError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._refusals import RefusalGate


def _refused(code="404", error="Agent or status does not exist", cls=WolkvoxApiError, **kwargs):
    return cls("changing agent x to 99 failed: HTTP 200, code %r, error %r, msg None" % (code, error),
               http_status=200, code=code, error=error, api_msg=None, **kwargs)


NOT_LOGGED_IN = dict(code=400, error="BAD REQUEST")


@pytest.mark.parametrize(
    "answers, held_states",
    [
        # (agent_id, status, ok, error) in order; which states are then held
        ([("1001", "99", False, _refused())] * 3, {"99"}),
        ([("1001", "99", False, _refused())] * 2, set()),
        ([("1001", "99", True, "ok")] + [("1002", "99", False, _refused())] * 3, set()),  # a success: not the state
        ([("1001", "99", False, _refused()), ("1002", "99", False, _refused(error="other")), ("1003", "99", False, _refused())],
         set()),
        ([("1001", "99", False, _refused(error="Agent 1001 is in a call"))] * 3, set()),  # names the agent
        ([("1001", "99", False, _refused(cls=WolkvoxTokenBusyError))] * 3, set()),  # busy: not a refusal
        ([("1001", "99", False, _refused(retryable=True))] * 3, set()),  # a fault: not a refusal
        ([("1001", "99", False, _refused(code="401", error="Invalid token", cls=WolkvoxAuthError))] * 3, {"99", "ready", "7"}),
        ([("1001", "99", False, _refused())] * 3 + [("1002", "7", False, _refused())], {"99"}),
        # typed as about the agent (409 "Agent busy", "THE AGENT IS NOT LOGGED IN"): never counted
        ([("1001", "ready", False, _refused(code=409, error="CONFLICT", cls=WolkvoxAgentRefusedError))] * 3, set()),
        # words that name no agent, for agents whose own condition (logged out, busy) may be the cause
        ([("2001", "ready", False, _refused(**NOT_LOGGED_IN)), ("2002", "ready", False, _refused(**NOT_LOGGED_IN)),
          ("2003", "ready", False, _refused(**NOT_LOGGED_IN))], set()),
        # the same words for agents in no such condition: a refusal of the state
        ([("3001", "ready", False, _refused(**NOT_LOGGED_IN)), ("3002", "ready", False, _refused(**NOT_LOGGED_IN)),
          ("3003", "ready", False, _refused(**NOT_LOGGED_IN))], {"ready"}),
        ([("1001", "99", False, _refused(code=403, error="FORBIDDEN", cls=WolkvoxQuotaError))], {"99", "ready", "7"}),
    ],
    ids=["three", "two", "success-first", "different", "about-agent", "busy", "fault", "token", "per-state",
         "agent-typed", "conditional-agents", "unconditional-agents", "quota-at-once"],
)
def test_refusal_gate(answers, held_states):
    gate = RefusalGate(conditional={"2001", "2002", "2003"})
    for agent_id, status, ok, outcome in answers:
        gate.record(agent_id, status, ok, outcome)
    held = set(status for status in ("99", "ready", "7") if gate.held("1009", status) is not None)
    assert held == held_states
    for status in held:
        error = gate.held("1009", status)
        assert isinstance(error, WolkvoxNotSentError) and isinstance(error.cause, WolkvoxApiError)
        assert str(error).startswith("not sent: ")
        assert error.reason == error.cause.reason


def test_a_spent_quota_holds_everything_back_with_its_own_words():
    gate = RefusalGate()
    gate.record("1001", "ready", False, WolkvoxQuotaError("x failed: TOKEN LIMIT EXCEEDED", reason="TOKEN LIMIT EXCEEDED"))
    held = gate.held("1002", "7")
    assert str(held) == "not sent: the operation's daily quota is spent"
    assert held.reason == "TOKEN LIMIT EXCEEDED"
