# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator: its operations (``model``), the counters and logs of the test hooks, and what it
answers to each API request, in the dialect it was started with (``dialects``).

``Simulator(fixture).start()`` serves from a background thread (``server``)."""

from __future__ import annotations

import ipaddress
import json
import tempfile
import threading
import time

from .dialects import DIALECTS, fault_answer, with_code
from .model import Operation, token_key

READS = ("agents", "token_info", "real_time")
KINDS = ("change_status",) + READS + ("other",)
ROUTES = {
    ("/api/v2/agentbox.php", "change_status"): "change_status",
    ("/api/v2/information.php", "agents"): "agents",
    ("/api/v2/information.php", "token_info"): "token_info",
    ("/api/v2/real_time.php", "agents"): "real_time",
}
METHODS = {"change_status": "POST", "agents": "GET", "token_info": "GET", "real_time": "GET"}
LOG_KEPT = 5000


class Simulator(object):
    """The simulator's state and HTTP server. ``start()`` serves from a background thread."""

    def __init__(self, fixture, host="127.0.0.1", port=0, tls=False, latency=0.0, max_per_token=2, vendor=False,
                 dialect=None):
        """``vendor=True`` (or ``dialect="vendor"``): the vendor's documented answers; else the classic ones."""
        name = dialect or ("vendor" if vendor else "classic")
        if name not in DIALECTS:
            raise ValueError("dialect must be one of %s, not %r" % (", ".join(sorted(DIALECTS)), dialect))
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the simulator only listens on loopback addresses, not %s" % host)
        self.fixture = fixture
        self.host = host
        self.port = port
        self.tls = tls
        self.latency = float(latency)
        self.max_per_token = int(max_per_token)
        self.dialect = DIALECTS[name]
        self.lock = threading.Lock()
        self.operations = {}
        self.load()
        self.reset()
        self.httpd = None
        self.thread = None
        self.ca_path = None
        self._tmp = None

    # -- state --------------------------------------------------------------------------

    def load(self):
        """(Re)load the fixture: agents, contacts, modes and quotas as it says."""
        with open(self.fixture) as handle:
            spec = json.load(handle)
        now = time.time()
        operations = [Operation(op, now) for op in spec["operations"]]
        with self.lock:
            self.operations = dict((op.name, op) for op in operations)
        if len(self.operations) != len(operations):
            raise ValueError("operation names must be unique in %s" % self.fixture)

    def find(self, server, token):
        """The operation a request is for: its server code and its token must both match."""
        for op in self.operations.values():
            if op.server == server and op.token == token:
                return op
        return None

    def operation(self, name):
        """An operation by name, or by server code when only one operation has it."""
        if name in self.operations:
            return self.operations[name]
        found = [op for op in self.operations.values() if op.server == str(name)]
        return found[0] if len(found) == 1 else None

    def reset(self):
        """Zero the counters, the logs and the queued faults (the operations stay as they are)."""
        with self.lock:
            self.counts = dict((kind, 0) for kind in KINDS + ("admin",))
            self.inflight = {}
            self.max_seen = {}
            self.busy = {}
            self.faults = []
            self.log = []
            self.changes = []
            self.contacts_cut = dict((name, 0) for name in self.operations)

    def expire(self):
        """End the contacts whose time has come (the caller holds the lock)."""
        now = time.time()
        for op in self.operations.values():
            if op.contacts:
                op.expire(now)

    def stats(self):
        with self.lock:
            self.expire()
            return {
                "dialect": self.dialect.name,
                "requests": dict(self.counts),
                "total": sum(self.counts[kind] for kind in KINDS),
                "max_concurrency": dict(self.max_seen),
                "busy_rejections": dict(self.busy),
                "faults_pending": len(self.faults),
                "log": list(self.log[-LOG_KEPT:]),
                "changes": [dict(change) for change in self.changes[-LOG_KEPT:]],
                "changes_total": len(self.changes),
                "contacts_cut": dict(self.contacts_cut),
                "quota": dict((name, op.quota_state()) for name, op in self.operations.items()),
            }

    def state(self):
        """Every operation's agents as the agents API would show them now, their contacts and settings."""
        with self.lock:
            self.expire()
            now = time.time()
            return dict(
                (name, {
                    "server": op.server,
                    "agents": dict((aid, op.shown_status(aid)) for aid in op.agents),
                    "in_state_for": dict((aid, round(op.in_state_for(aid, now), 3)) for aid in op.agents),
                    "contacts": op.contacts_state(now),
                    "contact_mode": op.contact_mode,
                    "logged_out_mode": op.logged_out_mode,
                    "quota": op.quota_state(),
                })
                for name, op in self.operations.items()
            )

    def record_change(self, op, agent_id, status, label, outcome, contact=None):
        """Log one change_status that reached an operation (the caller holds the lock)."""
        now = time.time()
        applied = outcome in ("applied", "cut_contact")
        change = {
            "operation": op.name, "agent_id": agent_id, "status": status, "label": label, "t": now,
            "contact": contact["status"] if contact else None, "outcome": outcome,
            "applied": applied, "applied_t": now if applied else None, "superseded": False,
        }
        if len(self.changes) < 100000:
            self.changes.append(change)
        return change

    # -- serving ------------------------------------------------------------------------

    def start(self):
        from .server import make_server  # pylint: disable=import-outside-toplevel

        self.httpd = make_server(self)
        if self.tls:
            import ssl  # pylint: disable=import-outside-toplevel

            from .tls import make_certificates  # pylint: disable=import-outside-toplevel

            self._tmp = tempfile.mkdtemp(prefix="wolkvox-sim-tls-")
            cert, key, self.ca_path = make_certificates(self._tmp, self.host)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        return self

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    # -- the API ------------------------------------------------------------------------

    def take_fault(self, kind, agent_id):
        with self.lock:
            for fault in self.faults:
                if fault["match"] not in ("any", kind):
                    continue
                if fault.get("agent_id") and fault["agent_id"] != agent_id:
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return dict(fault)
        return None

    def handle_api(self, method, path, query, headers):
        """Returns (http_status, extra_headers, body_bytes), or None to hang up."""
        kind = ROUTES.get((path, (query.get("api") or [""])[0]), "other")
        server = headers.get("wolkvox_server") or ""
        token = headers.get("wolkvox-token") or ""
        agent_id = (query.get("agent_id") or [""])[0]
        tkey = token_key(token) if token else "-"
        with self.lock:
            self.expire()
            self.counts[kind] += 1
            now = self.inflight.get(tkey, 0) + 1
            self.inflight[tkey] = now
            self.max_seen[tkey] = max(self.max_seen.get(tkey, 0), now)
            entry = None
            if len(self.log) < 100000:
                entry = {
                    "kind": kind, "method": method, "server": server, "agent_id": agent_id,
                    "status": (query.get("status") or [""])[0], "token": tkey,
                    "token_in_url": bool(token) and token in path + json.dumps(query),
                    "t": time.time(), "has_token": bool(token), "answer": None,
                }
                self.log.append(entry)
        answer = None
        try:
            answer = self._handle_api(kind, method, server, token, query, agent_id, tkey, now)
            return answer
        finally:
            with self.lock:
                self.inflight[tkey] -= 1
                if entry is not None and answer is not None:
                    entry["answer"] = answer[0]

    def _handle_api(self, kind, method, server, token, query, agent_id, tkey, inflight):
        """The answer to one API request: a fault, a busy refusal, or the real answer."""
        if inflight > self.max_per_token:
            with self.lock:
                self.busy[tkey] = self.busy.get(tkey, 0) + 1
            time.sleep(self.latency)
            return self.dialect.busy(self.max_per_token)
        fault = self.take_fault(kind, agent_id)
        if fault and fault["kind"] == "slow":
            time.sleep(fault.get("delay", 5.0))
            fault = None
        time.sleep(self.latency)
        if fault and fault["kind"] == "code":
            return with_code(self.answer(kind, method, server, token, query), fault.get("code", 202))
        if fault:
            return fault_answer(fault, self.dialect, self.max_per_token)
        return self.answer(kind, method, server, token, query)

    def answer(self, kind, method, server, token, query):
        dialect = self.dialect
        if not token:
            return dialect.no_token()
        op = self.find(server, token)
        if op is None:
            return dialect.wrong_token()
        if kind == "other":
            return dialect.unknown_api()
        if method != METHODS[kind]:
            return dialect.wrong_method(kind)
        if kind == "change_status":
            return self.change_status(op, (query.get("agent_id") or [""])[0], (query.get("status") or [""])[0])
        with self.lock:
            self.expire()
            if op.quota_spent():
                return dialect.quota_spent()  # refused, and not counted
            op.quota_used += 1
            now = time.time()
            if kind == "token_info":
                return dialect.token_info(op.token_record(now))
            if kind == "real_time":
                rows = [(position, op.real_time_record(aid, now)) for position, aid in enumerate(op.agents)]
                return dialect.real_time([(position, record) for position, record in rows if record is not None])
            data = []
            for agent in op.agents.values():
                record = dict(agent)
                record["agent_status"] = op.shown_status(record["agent_id"])
                if op.numeric_ids:
                    record["agent_id"] = int(record["agent_id"])
                data.append(record)
        return dialect.agents(data)

    def change_status(self, op, agent_id, status):
        """One change_status for an operation: refused, applied, cutting a contact, or deferred."""
        dialect = self.dialect
        if not agent_id or not status:
            return dialect.missing_parameters()
        label = op.label_of(status)
        with self.lock:
            self.expire()
            now = time.time()
            agent = op.agents.get(agent_id)
            if agent is None:
                self.record_change(op, agent_id, status, label, "unknown_agent")
                return dialect.unknown_agent(agent_id)
            contact = op.contacts.get(agent_id)
            if label is None:
                # A refusal of the state itself: the same answer whatever the agent.
                self.record_change(op, agent_id, status, label, "invalid_status", contact)
                return dialect.unknown_status(status)
            if agent["enabled"] != "yes":
                self.record_change(op, agent_id, status, label, "disabled", contact)
                return dialect.disabled(agent_id)
            if op.logged_out_mode == "refuse" and label != "Logout" and op.logged_out(agent_id):
                self.record_change(op, agent_id, status, label, "not_logged_in", contact)
                return dialect.not_logged_in()
            if contact is None:
                self.record_change(op, agent_id, status, label, "applied")
                op.set_label(agent_id, label, now)
            elif op.contact_mode == "refuse":
                self.record_change(op, agent_id, status, label, "refused", contact)
                return dialect.in_contact(agent_id)
            elif op.contact_mode == "deferred":
                if contact["queued"] is not None:
                    contact["queued"]["superseded"] = True
                contact["queued"] = self.record_change(op, agent_id, status, label, "deferred", contact)
            else:
                self.record_change(op, agent_id, status, label, "cut_contact", contact)
                self.contacts_cut[op.name] = self.contacts_cut.get(op.name, 0) + 1
                op.set_label(agent_id, label, now)
        return dialect.changed(label)
