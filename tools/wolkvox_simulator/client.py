# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A client of the simulator's test hooks (/__admin/), standard library only (urllib).

The e2e tests (tests/e2e/conftest.py) and the benchmarks (benchmarks/) drive the simulator through
it, as ``Running.admin`` (spawn.py). It never goes through a proxy (the simulator is on a loopback
address) and trusts the simulator's throw-away CA when given its path."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request


class AdminError(RuntimeError):
    """A test hook answered with an HTTP status other than 200."""

    def __init__(self, path, status, body):
        RuntimeError.__init__(self, "%s answered HTTP %s: %s" % (path, status, body))
        self.status = status
        self.body = body


def _drop_none(values):
    return dict((key, value) for key, value in values.items() if value is not None)


class AdminClient(object):
    """The /__admin/ hooks of a simulator at ``url`` (http or https; ``ca_path``: the CA to trust)."""

    def __init__(self, url, ca_path=None, timeout=30.0):
        self.url = url.rstrip("/")
        self.ca_path = ca_path
        self.timeout = timeout
        context = ssl.create_default_context(cafile=ca_path) if ca_path else None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   urllib.request.HTTPSHandler(context=context))

    @staticmethod
    def _path(path):
        return path if path.startswith("/") else "/__admin/" + path

    def call(self, path, payload=None):
        """(HTTP status, decoded JSON body) of one hook: GET without a payload, else POST. Never raises on a status."""
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(self.url + self._path(path), data=data,
                                         method="POST" if data is not None else "GET",
                                         headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            with exc:
                text = exc.read().decode("utf-8", "replace")
            try:
                return exc.code, json.loads(text)
            except ValueError:
                return exc.code, {"error": text}

    def admin(self, path, payload=None):
        """The decoded answer of one hook; raises AdminError unless it is HTTP 200."""
        status, body = self.call(path, payload)
        if status != 200:
            raise AdminError(self._path(path), status, body)
        return body

    # -- reading ----------------------------------------------------------------------------

    def stats(self):
        return self.admin("stats")

    def full_state(self):
        """Every operation: its agents' labels, time in state, contacts, modes and quota."""
        return self.admin("state")

    def agents_shown(self, operation):
        """{agent_id: the label the agents API shows now} of one operation."""
        return self.full_state()[operation]["agents"]

    def dialect(self):
        return self.stats()["dialect"]

    # -- changing ---------------------------------------------------------------------------

    def reset(self, state=True):
        """Zero the counters and logs; ``state``: also reload the fixture (agents, contacts, modes, quotas)."""
        return self.admin("reset", {"state": bool(state)})

    def set_agents(self, operation, agents=None, generate=None, status="Logout", start=1000, replace=False,
                   enabled=None, in_state_for=None):
        """Set labels ({id: label}), add ``generate`` agents from ``start``, enable/disable ({id: bool}),
        backdate the time in state (seconds for every agent named or generated, or {id: seconds})."""
        payload = {"operation": operation, "agents": agents or {}, "replace": replace}
        if generate:
            payload.update(generate=generate, status=status, start=start)
        payload.update(_drop_none({"enabled": enabled, "in_state_for": in_state_for}))
        return self.admin("agents", payload)

    def fault(self, kind, count=1, match="any", **extra):
        payload = dict(kind=kind, count=count, match=match)
        payload.update(extra)
        return self.admin("faults", payload)

    def config(self, **values):
        """Global settings (``latency``, ``max_per_token``), or an operation's modes (see set_operation)."""
        return self.admin("config", values)

    def set_operation(self, operation, contact_mode=None, logged_out_mode=None):
        """An operation's ``contact_mode`` (immediate, deferred, refuse) and ``logged_out_mode`` (accept, refuse)."""
        payload = _drop_none({"contact_mode": contact_mode, "logged_out_mode": logged_out_mode})
        payload["operation"] = operation
        return self.admin("config", payload)

    def contact(self, operation, agent_id, status=None, ends_in=None, then=None, end=False, acw=None):
        """Start (or replace) a contact of an agent, or ``end`` it now. Without ``status`` the vendor
        dialect shows "Talk" (the classic one refuses: give a label)."""
        payload = {"operation": operation, "agent_id": str(agent_id)}
        if end:
            payload["end"] = True
        else:
            payload.update(_drop_none({"status": status, "then": then, "acw": acw}))
            payload["ends_in"] = ends_in
        return self.admin("contact", payload)

    def quota(self, operation, used=None, limit=None):
        """Set an operation's daily quota (requests ``used`` today, its ``limit``) and return
        ``{"limit", "used"}``; with neither, only read it. Never costs a request of the quota."""
        body = self.admin("quota", dict(_drop_none({"used": used, "limit": limit}), operation=operation))
        return {"limit": body["limit"], "used": body["used"]}
