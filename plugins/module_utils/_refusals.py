# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""When to stop sending: a state the API refuses as such (an ID the operation does not have),
a refused token or a spent quota costs a few requests, not one per agent; a refusal that
depends on the agent never holds back another agent. Used by the client's change_many() as its
``gate``."""

from __future__ import annotations

import re
import threading

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxAgentRefusedError,
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxNotSentError,
    WolkvoxQuotaError,
    WolkvoxTokenBusyError,
)

QUOTA_NOT_SENT = "the operation's daily quota is spent"


class RefusalGate(object):
    """Stops sending a state the API refuses as such (e.g. an ID the operation does not have).

    When the first ``LIMIT`` counted answers for one desired state are the same refusal and none
    succeeded, the remaining agents of that state are not sent. With 2 requests in flight at most
    LIMIT + 2 requests are spent on such a state. A refused token stops every state the same way;
    a spent quota stops everything at once.

    Never counted: back-pressure and faults (retried), refusals typed as about the agent
    (WolkvoxAgentRefusedError: in a contact, not logged in, disabled...), answers whose text names
    the agent, and refusals of agents in ``conditional`` - the agents whose own condition (logged
    out, in a contact) may be what the API refuses, whatever words it uses."""

    LIMIT = 3

    def __init__(self, conditional=None):
        self._lock = threading.Lock()
        self._seen = {}
        self._conditional = frozenset(conditional or ())

    def _entry(self, key):
        return self._seen.setdefault(key, {"sig": None, "count": 0, "ok": False, "refused": None, "reason": None})

    def held(self, agent_id, status):
        """A WolkvoxNotSentError when the change must not be sent, else None."""
        with self._lock:
            for key in ("*", status):
                entry = self._seen.get(key)
                if entry is None or entry["refused"] is None:
                    continue
                refused = entry["refused"]
                if isinstance(refused, WolkvoxQuotaError):
                    return WolkvoxNotSentError("not sent: %s" % QUOTA_NOT_SENT, cause=refused, reason=refused.reason)
                what = "the token" if key == "*" else "state %s" % status
                return WolkvoxNotSentError(
                    "not sent: the API refused %s for the first %d agents (%s)" % (what, self.LIMIT, refused.reason),
                    cause=refused, reason=refused.reason)
        return None

    def record(self, agent_id, status, ok, outcome):
        with self._lock:
            if ok:
                self._entry(status)["ok"] = True
                return
            if isinstance(outcome, WolkvoxQuotaError):
                self._entry("*")["refused"] = outcome  # nothing more for this token today
                return
            if not self._counts(agent_id, outcome):
                return
            entry = self._entry("*" if isinstance(outcome, WolkvoxAuthError) else status)
            sig = (outcome.http_status, str(outcome.code), str(outcome.error), str(outcome.api_msg))
            entry["count"] = entry["count"] + 1 if entry["sig"] == sig else 1
            entry["sig"] = sig
            if entry["count"] >= self.LIMIT and not entry["ok"]:
                entry["refused"] = outcome

    def _counts(self, agent_id, outcome):
        """Whether a refusal may be a refusal of the state (or of the token) itself."""
        if not isinstance(outcome, WolkvoxApiError) or outcome.retryable:
            return False
        if isinstance(outcome, (WolkvoxTokenBusyError, WolkvoxAgentRefusedError)):
            return False
        if isinstance(outcome, WolkvoxAuthError):
            return True
        if agent_id in self._conditional:
            return False
        text = " ".join(str(v) for v in (outcome.code, outcome.error, outcome.api_msg) if v is not None)
        return not re.search(r"(?<![0-9])%s(?![0-9])" % re.escape(agent_id), text)
