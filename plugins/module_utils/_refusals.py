# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""When to stop sending: a state the API refuses as such (an ID the operation does not have),
or a refused token, costs a few requests, not one per agent. Used by the client's change_many()
as its ``gate``."""

from __future__ import annotations

import re
import threading

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxBusyError,
)


class RefusalGate(object):
    """Stops sending a state the API refuses as such (e.g. an ID the operation does not have).

    When the first ``LIMIT`` answers for one desired state are the same refusal, not about one
    agent (the text does not name it), and none succeeded, the remaining agents of that state are
    not sent. With 2 requests in flight at most LIMIT + 2 requests are spent on such a state. A
    refused token stops every state the same way."""

    LIMIT = 3

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = {}

    def _entry(self, key):
        return self._seen.setdefault(key, {"sig": None, "count": 0, "ok": False, "refused": None})

    def held(self, agent_id, status):
        with self._lock:
            for key in ("*", status):
                refused = self._seen.get(key, {}).get("refused")
                if refused is not None:
                    held = WolkvoxApiError(
                        "not sent: the API refused %s for the first %d agents (%s)"
                        % ("the token" if key == "*" else "state %s" % status, self.LIMIT, why(refused)),
                        http_status=refused.http_status, code=refused.code, error=refused.error, api_msg=refused.api_msg,
                    )
                    held.not_sent = why(refused)
                    return held
        return None

    def record(self, agent_id, status, ok, outcome):
        with self._lock:
            if ok:
                self._entry(status)["ok"] = True
                return
            if not isinstance(outcome, WolkvoxApiError) or isinstance(outcome, WolkvoxBusyError) or outcome.retryable:
                return
            text = " ".join(str(v) for v in (outcome.code, outcome.error, outcome.api_msg) if v is not None)
            if re.search(r"(?<![0-9])%s(?![0-9])" % re.escape(agent_id), text):
                return  # about this agent, not about the state
            entry = self._entry("*" if isinstance(outcome, WolkvoxAuthError) else status)
            sig = (outcome.http_status, str(outcome.code), str(outcome.error), str(outcome.api_msg))
            entry["count"] = entry["count"] + 1 if entry["sig"] == sig else 1
            entry["sig"] = sig
            if entry["count"] >= self.LIMIT and not entry["ok"]:
                entry["refused"] = outcome


def why(exc):
    """The reason of an error without the 'changing agent X to Y failed:' preamble."""
    text = str(exc)
    head, sep, tail = text.partition(" failed: ")
    return tail if sep and head.startswith("changing agent") else text
