# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local simulator of the Wolkvox agent APIs, over real HTTP(S) on a loopback address.

Serves, for several operations at once (routed by the ``wolkvox_server`` header, each with
its own token, auxiliary states and agents, loaded from a JSON fixture):

  POST /api/v2/agentbox.php?api=change_status&agent_id=..&status=..
  GET  /api/v2/information.php?api=agents

and reproduces the vendor's documented behaviour and quirks: errors with HTTP 200 and the
error in the body, ``code`` sometimes a string and sometimes a number, labels (not IDs) in
the agents list, ``enabled`` as "yes"/"no" in every agent record, and at most 2 simultaneous
requests per token (a third gets the vendor's "token cannot be consumed simultaneously" error).

It also plays a live floor: agents in a contact (a call, ringing, after-call work) show the
contact's label while it lasts, and each operation's contact mode says what a change_status
does to an agent in a contact (cut it, defer the change to the contact's end, or refuse it).

Answers of change_status (all HTTP 200 but the 405 of a GET):
  success           {"code": "200", "error": null, "msg": "Agent status has been modified to <label>"}
  unknown agent     {"code": "404", "error": "The agent does not exist", "msg": "agent_id <id>"}
  unknown state     {"code": 400, "error": "Invalid status", "msg": "status <status> does not exist"}
                    (the same for every agent of the operation: a refusal of the state itself)
  disabled agent    {"code": "403", "error": "The agent is disabled", "msg": "agent_id <id>"}
  in a contact      {"code": "409", "error": "The agent is in a contact", "msg": "agent_id <id>"} (mode "refuse")
  bad token/server  {"code": "401", "error": "Invalid token or server", "msg": "Access denied"}

Fixture (JSON): ``{"operations": [operation, ...]}``. Keys of an operation:
  name                unique name (default: the server code); the admin hooks' ``operation``
  server              server code, matched against the ``wolkvox_server`` header (required)
  token               token, matched against the ``wolkvox-token`` header (required)
  aux_states          {"<ID>": "<label>"}: auxiliary states; ``ready`` and ``logout`` always exist
  agents              list of agents (below)
  generate            {"count": N, "status": "<label>", "start": 1000}: N more agents, IDs from ``start``
  agent_id_as_number  true: the agents list gives ``agent_id`` as a number (a quirk of some operations)
  contact_mode        what change_status does to an agent in a contact: "immediate" (default: applied
                      at once, the contact is cut), "deferred" (answered as a success, applied when the
                      contact ends), "refuse" (answered with the 409 error above, nothing changes)
Keys of an agent:
  agent_id            the extension (required)
  agent_name          default "Agent <id>"
  agent_status        the state's label, e.g. "Ready", "Logout", "ACW", "Active breaks" (default "Logout")
  enabled             true/false or "yes"/"no" (default yes); a disabled agent's changes are refused (403)
  contact             {"status": "On call", "ends_in": 5, "then": "ACW"}: a contact in progress; the agents
                      list shows ``status`` until it ends after ``ends_in`` seconds from loading (omitted or
                      null: until ended by the admin hook), then ``then`` (default "Ready"), or the state of
                      a change deferred meanwhile

Contacts end lazily: every API request and admin call first ends the contacts whose time has come.

Test hooks (never part of the vendor API), under /__admin/ (``operation`` is a name, or a server
code that only one operation has):

  GET  /__admin/stats     requests by kind, highest concurrency per token, busy rejections, pending
                          faults, ``log`` (every API request), ``changes`` (every change_status that
                          reached an operation, with its outcome) and ``contacts_cut`` ({operation: n})
  POST /__admin/reset     ``{}`` zero the counters, log and changes; ``{"state": true}`` also reloads the
                          fixture (agents, contacts, contact modes)
  GET  /__admin/state     ``{operation: {"server", "agents": {id: label shown now}, "contacts": {id:
                          {"status", "ends_in_remaining", "then", "queued"}}, "contact_mode"}}``
  POST /__admin/agents    ``{"operation", "agents": {id: label}, "replace": false}`` set labels (ending any
                          contact of those agents) or add agents; ``{"operation", "generate": N, "status",
                          "start"}`` add N agents; ``{"operation", "enabled": {id: false}}`` disable/enable
  POST /__admin/contact   ``{"operation", "agent_id", "status": "On call", "ends_in": 3, "then": "Ready"}``
                          start (or replace) a contact; ``{"operation", "agent_id", "end": true}`` end it now
  POST /__admin/config    ``{"latency": s, "max_per_token": n}`` (global); ``{"operation", "contact_mode": m}``
  POST /__admin/faults    queue faults: ``{"kind", "count", "match", "status", "delay", "location", "agent_id",
                          "retry_after", "code", "error"}`` (``match``: "any", "agents" or "change_status")

Each entry of ``changes``: ``operation``, ``agent_id``, ``status`` (as sent), ``label`` (the state it
names, null if none), ``t`` (arrival, seconds since the epoch), ``contact`` (the contact's label when it
arrived, or null), ``outcome`` ("applied", "cut_contact" (applied, the contact cut), "deferred",
"refused", "disabled", "invalid_status", "unknown_agent"), ``applied`` (whether the agent's state was set
by it, at once or when its contact ended), ``applied_t`` and ``superseded`` (a deferred change replaced
by a later one before the contact ended, never applied).

Fault kinds: http (``status``, default 503, optional ``retry_after``), busy, garbage, empty, html,
truncated, not_object, redirect (``location``, ``status`` default 302), slow (``delay`` seconds, then the normal answer),
error200 (an error in a 200 answer, ``code``/``error``), drop (close the connection without an
answer), code (the normal answer, with its ``code`` replaced, e.g. 202 or "201").

Every API request is logged (``log`` in the stats) with the time it arrived (``t``, seconds since
the epoch), whether it carried a token (``has_token``; the token itself never: ``token`` is a
short hash) and the HTTP status answered (``answer``, null for a dropped connection).

Run: python tools/wolkvox_simulator.py --fixture tools/fixtures/demo.json [--port 0] [--tls]
     [--latency S] [--max-per-token N] [--ready-file PATH]
It prints one JSON line with its URL once it listens. It binds only to loopback addresses.
See docs/simulator.md.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import signal
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFAULT_STATES = {"ready": "Ready", "logout": "Logout"}
BUILTIN_LABELS = ("Ready", "ACW", "Logout")
BUSY_ERROR = "The same token cannot be consumed simultaneously"
DIALECTS = ("classic", "vendor")
LOGGED_OUT_MODES = ("accept", "refuse")
READS = ("agents", "token_info")  # counted in the daily quota; change_status is not

# The answers that differ per dialect: (HTTP status, error, msg) in the vendor's dialect (real HTTP
# statuses, its words) and in the classic one (HTTP 200, the error in the body). "%(x)s" is filled in.
ANSWERS = {
    "no_token": ((401, "UNAUTHORIZED", "PLEASE ENTER THE WOLKVOX-TOKEN"),
                 ("401", "Invalid token or server", "Access denied")),
    "bad_token": ((403, "FORBIDDEN", "PLEASE VALIDATE TOKEN"), ("401", "Invalid token or server", "Access denied")),
    "busy": ((403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (%(limit)s)"),
             (429, BUSY_ERROR, None)),
    "quota": ((403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED"), ("403", "TOKEN LIMIT EXCEEDED", "the daily quota is spent")),
    "unknown_api": ((400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST"), ("404", "Unknown API", None)),
    "params": ((400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED"), ("400", "Some parameters are required", None)),
    "no_records": ((404, "NOT FOUND", "Validate dates entered"), None),
    "unknown_agent": ((404, "NOT FOUND", "THE AGENT DOES NOT EXIST"),
                      ("404", "The agent does not exist", "agent_id %(agent_id)s")),
    "invalid_status": ((400, "BAD REQUEST", "THE STATUS YOU WANT TO ASSIGN DOES NOT EXIST"),
                       (400, "Invalid status", "status %(status)s does not exist")),
    "disabled": ((403, "FORBIDDEN", "THE AGENT IS DISABLED"), ("403", "The agent is disabled", "agent_id %(agent_id)s")),
    "in_contact": ((409, "CONFLICT", "Agent busy"), ("409", "The agent is in a contact", "agent_id %(agent_id)s")),
    "not_logged_in": ((400, "BAD REQUEST", "THE AGENT IS NOT LOGGED IN"), ("400", "The agent is not logged in", None)),
}
CONTACT_MODES = ("immediate", "deferred", "refuse")


def token_key(token):
    """How the simulator names a token in its stats (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def yes_no(value):
    """An ``enabled`` value of a fixture or admin call (true/false, "yes"/"no", 1/0) as the API writes it."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("yes", "y", "true", "1", "on"):
            return "yes"
        if text in ("no", "n", "false", "0", "off"):
            return "no"
        raise ValueError("enabled must be true/false or yes/no, not %r" % value)
    return "yes" if value else "no"


def logged_out_mode(value):
    mode = str(value or "accept").strip().lower()
    if mode not in LOGGED_OUT_MODES:
        raise ValueError("logged_out_mode must be one of %s, not %r" % (", ".join(LOGGED_OUT_MODES), value))
    return mode


def contact_mode(value):
    mode = str(value or "immediate").strip().lower()
    if mode not in CONTACT_MODES:
        raise ValueError("contact_mode must be one of %s, not %r" % (", ".join(CONTACT_MODES), value))
    return mode


class Operation(object):
    def __init__(self, spec):
        self.server = str(spec["server"])
        self.token = str(spec["token"])
        self.name = spec.get("name", self.server)
        self.aux_states = dict((str(k), str(v)) for k, v in spec.get("aux_states", {}).items())
        self.numeric_ids = bool(spec.get("agent_id_as_number", False))
        self.logged_out_mode = logged_out_mode(spec.get("logged_out_mode"))
        self.licences = int(spec.get("licences", 10))
        self.quota_limit = int(spec.get("quota", self.licences * 1000))
        self.quota_used = int(spec.get("quota_used", 0))
        self.contact_mode = contact_mode(spec.get("contact_mode"))
        self.agents = {}
        # agent_id -> {"status", "ends_at" (epoch seconds or None), "then", "queued" (a change entry or None)}
        self.contacts = {}
        for agent in spec.get("agents", []):
            agent_id = str(agent["agent_id"])
            self.add_agent(agent_id, agent.get("agent_status", "Logout"), agent.get("agent_name"),
                           yes_no(agent.get("enabled", True)))
            contact = agent.get("contact")
            if contact:
                self.start_contact(agent_id, contact["status"], contact.get("ends_in"), contact.get("then"))
        gen = spec.get("generate")
        if gen:
            self.generate(int(gen["count"]), gen.get("status", "Logout"), int(gen.get("start", 1000)))

    def add_agent(self, agent_id, status, name=None, enabled="yes"):
        self.agents[agent_id] = {
            "agent_id": agent_id,
            "agent_name": name or "Agent %s" % agent_id,
            "agent_dni": "10%s" % agent_id.zfill(8),
            "agent_status": status,
            "last_use": "2026-11-24 08:00:00",
            "agent_sso": "",
            "enabled": enabled,
        }

    def generate(self, count, status, start):
        for i in range(count):
            self.add_agent(str(start + i), status)

    def label_of(self, status):
        key = status.strip().lower()
        if key in DEFAULT_STATES:
            return DEFAULT_STATES[key]
        return self.aux_states.get(status.strip())

    # -- contacts (the caller holds the simulator's lock) ---------------------------------

    def shown_status(self, agent_id):
        """The label the agents API shows for an agent now: its contact's while it lasts."""
        contact = self.contacts.get(agent_id)
        return contact["status"] if contact else self.agents[agent_id]["agent_status"]

    def start_contact(self, agent_id, status, ends_in=None, then=None):
        previous = self.contacts.get(agent_id)
        self.contacts[agent_id] = {
            "status": str(status),
            "ends_at": None if ends_in is None else time.time() + float(ends_in),
            "then": str(then) if then is not None else "Ready",
            # A change deferred during the contact it replaces still waits for the contact's end.
            "queued": previous["queued"] if previous else None,
        }

    def end_contact(self, agent_id, when):
        """End an agent's contact: it shows the change deferred meanwhile, else the contact's ``then``."""
        contact = self.contacts.pop(agent_id, None)
        if contact is None:
            return False
        queued = contact["queued"]
        if queued is not None:
            self.agents[agent_id]["agent_status"] = queued["label"]
            queued["applied"] = True
            queued["applied_t"] = when
        else:
            self.agents[agent_id]["agent_status"] = contact["then"]
        return True

    def drop_contact(self, agent_id):
        """Forget an agent's contact without applying anything (its deferred change is superseded)."""
        contact = self.contacts.pop(agent_id, None)
        if contact is not None and contact["queued"] is not None:
            contact["queued"]["superseded"] = True
        return contact

    def expire(self, now):
        for agent_id, contact in list(self.contacts.items()):
            if contact["ends_at"] is not None and contact["ends_at"] <= now:
                self.end_contact(agent_id, contact["ends_at"])

    def contacts_state(self, now):
        return dict(
            (agent_id, {
                "status": c["status"],
                "ends_in_remaining": None if c["ends_at"] is None else round(max(0.0, c["ends_at"] - now), 3),
                "then": c["then"],
                "queued": c["queued"]["label"] if c["queued"] is not None else None,
            })
            for agent_id, c in self.contacts.items()
        )


class Simulator(object):
    """The simulator's state and HTTP server. ``start()`` serves from a background thread."""

    def __init__(self, fixture, host="127.0.0.1", port=0, tls=False, latency=0.0, max_per_token=2, dialect="classic"):
        if dialect not in DIALECTS:
            raise ValueError("dialect must be one of %s, not %r" % (", ".join(DIALECTS), dialect))
        self.dialect = dialect
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the simulator only listens on loopback addresses, not %s" % host)
        self.fixture = fixture
        self.host = host
        self.port = port
        self.tls = tls
        self.latency = float(latency)
        self.max_per_token = int(max_per_token)
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
        with open(self.fixture) as handle:
            spec = json.load(handle)
        operations = [Operation(op) for op in spec["operations"]]
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
        with self.lock:
            self.counts = {"agents": 0, "change_status": 0, "token_info": 0, "other": 0, "admin": 0}
            self.inflight = {}
            self.max_seen = {}
            self.busy = {}
            self.faults = []
            self.log = []
            self.errors = 0
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
                "requests": dict(self.counts),
                "total": self.counts["agents"] + self.counts["change_status"] + self.counts["token_info"]
                + self.counts["other"],
                "max_concurrency": dict(self.max_seen),
                "busy_rejections": dict(self.busy),
                "faults_pending": len(self.faults),
                "log": list(self.log[-5000:]),
                "changes": [dict(change) for change in self.changes[-5000:]],
                "changes_total": len(self.changes),
                "contacts_cut": dict(self.contacts_cut),
                "dialect": self.dialect,
                "quota": dict((name, {"limit": op.quota_limit, "used": op.quota_used})
                              for name, op in self.operations.items()),
            }

    def state(self):
        """Every operation's agents as the agents API would show them now, and their contacts."""
        with self.lock:
            self.expire()
            now = time.time()
            return dict(
                (name, {
                    "server": op.server,
                    "agents": dict((aid, op.shown_status(aid)) for aid in op.agents),
                    "contacts": op.contacts_state(now),
                    "contact_mode": op.contact_mode,
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
        handler = type("Handler", (_Handler,), {"sim": self})
        self.httpd = _Server((self.host, self.port), handler)
        self.httpd.daemon_threads = True
        if self.tls:
            import ssl

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
        """Returns (http_status, extra_headers, body_bytes)."""
        api = (query.get("api") or [""])[0]
        if path == "/api/v2/agentbox.php" and api == "change_status":
            kind = "change_status"
        elif path == "/api/v2/information.php" and api == "agents":
            kind = "agents"
        elif path == "/api/v2/information.php" and api == "token_info":
            kind = "token_info"
        else:
            kind = "other"
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

    def _handle_api(self, kind, method, server, token, query, agent_id, tkey, now):
        """The answer to one API request: a fault, a busy refusal, or the real answer."""
        if now > self.max_per_token:
            with self.lock:
                self.busy[tkey] = self.busy.get(tkey, 0) + 1
            time.sleep(self.latency)
            return self.error("busy", limit=self.max_per_token)
        fault = self.take_fault(kind, agent_id)
        if fault and fault["kind"] == "slow":
            time.sleep(fault.get("delay", 5.0))
            fault = None
        time.sleep(self.latency)
        if fault and fault["kind"] == "code":
            status, extra, body = self.answer(kind, method, server, token, query)
            data = json.loads(body.decode("utf-8"))
            data["code"] = fault.get("code", 202)
            return status, extra, json.dumps(data).encode("utf-8")
        if fault and fault["kind"] in ("busy", "vendor_busy"):
            if fault["kind"] == "vendor_busy":
                return _error(ANSWERS["busy"][0], {"limit": self.max_per_token}, "vendor")
            return self.error("busy", limit=self.max_per_token)
        if fault:
            return _fault(fault)
        return self.answer(kind, method, server, token, query)

    def error(self, name, **values):
        """The answer ``name`` of ANSWERS in this simulator's dialect."""
        vendor, classic = ANSWERS[name]
        return _error(vendor if self.dialect == "vendor" else classic, values, self.dialect)

    def answer(self, kind, method, server, token, query):
        if not token:
            return self.error("no_token")
        op = self.find(server, token)
        if op is None:
            return self.error("bad_token")
        if kind == "other":
            return self.error("unknown_api")
        if kind in READS:
            if method != "GET":
                return _json(405, {"code": 405, "error": "Method not allowed", "msg": None})
            with self.lock:
                if op.quota_used >= op.quota_limit:
                    return self.error("quota")
                op.quota_used += 1
        success_code = "" if self.dialect == "vendor" else 200
        if kind == "token_info":
            return _json(200, self.token_info(op))
        if kind == "agents":
            with self.lock:
                self.expire()
                data = []
                for agent in op.agents.values():
                    record = dict(agent)
                    record["agent_status"] = op.shown_status(record["agent_id"])
                    if op.numeric_ids:
                        record["agent_id"] = int(record["agent_id"])
                    data.append(record)
            if not data and self.dialect == "vendor":
                return self.error("no_records")
            return _json(200, {"code": success_code, "error": None, "msg": "%d records were found" % len(data),
                               "data": data})
        if method != "POST":
            return _json(405, {"code": "405", "error": "Method not allowed", "msg": None})
        agent_id = (query.get("agent_id") or [""])[0]
        status = (query.get("status") or [""])[0]
        if not agent_id or not status:
            return self.error("params")
        label = op.label_of(status)
        with self.lock:
            self.expire()
            agent = op.agents.get(agent_id)
            if agent is None:
                self.record_change(op, agent_id, status, label, "unknown_agent")
                return self.error("unknown_agent", agent_id=agent_id)
            contact = op.contacts.get(agent_id)
            if label is None:
                # A refusal of the state itself: the same answer whatever the agent.
                self.record_change(op, agent_id, status, label, "invalid_status", contact)
                return self.error("invalid_status", status=status)
            if agent["enabled"] != "yes":
                self.record_change(op, agent_id, status, label, "disabled", contact)
                return self.error("disabled", agent_id=agent_id)
            if (op.logged_out_mode == "refuse" and contact is None and label != "Logout"
                    and op.shown_status(agent_id).strip().lower() == "logout"):
                self.record_change(op, agent_id, status, label, "not_logged_in")
                return self.error("not_logged_in")
            if contact is None:
                self.record_change(op, agent_id, status, label, "applied")
                agent["agent_status"] = label
            elif op.contact_mode == "refuse":
                self.record_change(op, agent_id, status, label, "refused", contact)
                return self.error("in_contact", agent_id=agent_id)
            elif op.contact_mode == "deferred":
                if contact["queued"] is not None:
                    contact["queued"]["superseded"] = True
                contact["queued"] = self.record_change(op, agent_id, status, label, "deferred", contact)
            else:
                self.record_change(op, agent_id, status, label, "cut_contact", contact)
                op.drop_contact(agent_id)
                self.contacts_cut[op.name] = self.contacts_cut.get(op.name, 0) + 1
                agent["agent_status"] = label
        return _json(200, {"code": "200", "error": None, "msg": "Agent status has been modified to %s" % label})

    def token_info(self, op):
        """The token_info answer: a record in the classic dialect (numbers), a list of one record of
        digit strings with the vendor's own misspelling in the vendor's."""
        left = max(op.quota_limit - op.quota_used, 0)
        if self.dialect == "vendor":
            record = {"token_limit": str(op.quota_limit), "token_use_today": str(op.quota_used),
                      "available_consumition_options": str(left), "hours_to_restart_count": "7"}
            return {"code": "0", "error": None, "msg": "1 records were found", "data": [record]}
        record = {"token_limit": op.quota_limit, "token_use_today": op.quota_used,
                  "available_consumption_options": left, "hours_to_restart_count": 7}
        return {"code": 200, "error": None, "msg": "1 records were found", "data": record}


def _error(answer, values, dialect):
    """(status, headers, body) of one row of ANSWERS: the vendor's real HTTP status, or HTTP 200."""
    code, error, msg = answer
    msg = msg % values if msg else msg
    if dialect == "vendor":
        return _json(int(code), {"code": int(code), "error": error, "msg": msg})
    return _json(200, {"code": code, "error": error, "msg": msg})


def _json(status, body, headers=None):
    return status, headers or {}, json.dumps(body).encode("utf-8")


def _fault(fault):
    kind = fault["kind"]
    if kind == "http":
        status = int(fault.get("status", 503))
        headers = {}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        return status, headers, b"<html><body><h1>%d Service Unavailable</h1></body></html>" % status
    if kind == "busy":
        return _json(200, {"code": 429, "error": BUSY_ERROR, "msg": None})
    if kind == "garbage":
        return 200, {}, b"\x00\xffnot json at all {{"
    if kind == "empty":
        return 200, {}, b""
    if kind == "html":
        return 500, {"Content-Type": "text/html"}, b"<html><body>Internal Server Error</body></html>"
    if kind == "truncated":
        return 200, {}, b'{"code": "200", "error": null, "msg": "Agent status has been mod'
    if kind == "not_object":
        return 200, {}, b'["200"]'
    if kind == "redirect":
        return int(fault.get("status", 302)), {"Location": fault.get("location", "http://127.0.0.1:9/")}, b""
    if kind == "drop":
        return None
    if kind == "forbidden_empty":
        # What the vendor answers a caller outside the operation's IP allow-list, or during maintenance.
        return 403, {}, b""
    if kind == "error200":
        return _json(200, {"code": fault.get("code", 500), "error": fault.get("error", "Internal error"), "msg": None})
    raise ValueError("unknown fault kind %r" % kind)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that hangs up (a timeout, a killed run) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY the body would wait for the
    # client's delayed ACK (~40 ms) on every kept-alive answer, a cost the real API does not have.
    disable_nagle_algorithm = True
    sim = None  # set by Simulator.start()

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        return

    def _send(self, status, headers, body):
        self.send_response(status)
        headers = dict(headers)
        headers.setdefault("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        if parts.path.startswith("/__admin/"):
            status, body = self.sim_admin(method, parts.path, payload)
            self._send(status, {}, json.dumps(body).encode("utf-8"))
            return
        headers = dict((k.lower(), v) for k, v in self.headers.items())
        answer = self.sim.handle_api(method, parts.path, query, headers)
        if answer is None:  # the "drop" fault: hang up without a word
            self.close_connection = True
            return
        status, extra, body = answer
        extra = dict(extra)
        # Like a PHP script that never calls header(): JSON labelled text/html, no charset.
        extra.setdefault("Content-Type", "text/html")
        self._send(status, extra, body)

    def sim_admin(self, method, path, payload):
        sim = self.sim
        try:
            data = json.loads(payload.decode("utf-8")) if payload else {}
        except ValueError:
            return 400, {"error": "admin payload is not JSON"}
        if not isinstance(data, dict):
            return 400, {"error": "admin payload is not a JSON object"}
        with sim.lock:
            sim.expire()
        if path == "/__admin/stats":
            return 200, sim.stats()
        if path == "/__admin/state":
            return 200, sim.state()
        if method != "POST":
            return 405, {"error": "POST only"}
        if path == "/__admin/reset":
            if data.get("state"):
                sim.load()
            sim.reset()
            return 200, {"ok": True}
        if path == "/__admin/config":
            return self.admin_config(data)
        if path == "/__admin/quota":
            op = sim.operation(str(data.get("operation", data.get("server"))))
            if op is None:
                return 404, {"error": "unknown operation"}
            with sim.lock:
                if data.get("limit") is not None:
                    op.quota_limit = int(data["limit"])
                if data.get("used") is not None:
                    op.quota_used = int(data["used"])
                return 200, {"ok": True, "limit": op.quota_limit, "used": op.quota_used}
        if path == "/__admin/agents":
            return self.admin_agents(data)
        if path == "/__admin/contact":
            return self.admin_contact(data)
        if path == "/__admin/faults":
            fault = {
                "kind": data.get("kind", "http"),
                "count": int(data.get("count", 1)),
                "match": data.get("match", "any"),
            }
            for key in ("status", "delay", "location", "agent_id", "retry_after", "code", "error"):
                if key in data:
                    fault[key] = data[key]
            with sim.lock:
                sim.faults.append(fault)
            return 200, {"ok": True}
        return 404, {"error": "unknown admin path"}

    def admin_config(self, data):
        sim = self.sim
        op = None
        lo_mode = None
        if "logged_out_mode" in data:
            op = sim.operation(str(data.get("operation", data.get("server"))))
            if op is None:
                return 404, {"error": "logged_out_mode needs the name of an operation the fixture has"}
            try:
                lo_mode = logged_out_mode(data["logged_out_mode"])
            except ValueError as exc:
                return 400, {"error": str(exc)}
            with sim.lock:
                op.logged_out_mode = lo_mode
            if "contact_mode" not in data:
                return 200, {"ok": True, "logged_out_mode": {op.name: lo_mode}}
        if "contact_mode" in data:
            op = sim.operation(str(data.get("operation", data.get("server"))))
            if op is None:
                return 404, {"error": "contact_mode needs the name of an operation the fixture has"}
            try:
                mode = contact_mode(data["contact_mode"])
            except ValueError as exc:
                return 400, {"error": str(exc)}
        if "latency" in data:
            sim.latency = float(data["latency"])
        if "max_per_token" in data:
            sim.max_per_token = int(data["max_per_token"])
        answer = {"ok": True, "latency": sim.latency, "max_per_token": sim.max_per_token}
        if op is not None:
            with sim.lock:
                op.contact_mode = mode
            answer["contact_mode"] = {op.name: mode}
        return 200, answer

    def admin_agents(self, data):
        sim = self.sim
        op = sim.operation(str(data.get("operation", data.get("server"))))
        if op is None:
            return 404, {"error": "unknown operation"}
        enabled = {}
        try:
            for aid, value in (data.get("enabled") or {}).items():
                enabled[str(aid)] = yes_no(value)
        except ValueError as exc:
            return 400, {"error": str(exc)}
        with sim.lock:
            if data.get("replace"):
                op.agents = {}
                for aid in list(op.contacts):
                    op.drop_contact(aid)
            for aid, label in (data.get("agents") or {}).items():
                aid = str(aid)
                if aid in op.agents:
                    # The label given is what the agent shows from now on: any contact is over.
                    op.drop_contact(aid)
                    op.agents[aid]["agent_status"] = label
                else:
                    op.add_agent(aid, label)
            if data.get("generate"):
                op.generate(int(data["generate"]), data.get("status", "Logout"), int(data.get("start", 1000)))
            unknown = sorted(aid for aid in enabled if aid not in op.agents)
            if unknown:
                return 404, {"error": "unknown agents: %s" % ", ".join(unknown)}
            for aid, value in enabled.items():
                op.agents[aid]["enabled"] = value
        return 200, {"ok": True, "agents": len(op.agents)}

    def admin_contact(self, data):
        sim = self.sim
        op = sim.operation(str(data.get("operation", data.get("server"))))
        if op is None:
            return 404, {"error": "unknown operation"}
        agent_id = str(data.get("agent_id", ""))
        with sim.lock:
            if agent_id not in op.agents:
                return 404, {"error": "unknown agent: %s" % agent_id}
            if data.get("end"):
                ended = op.end_contact(agent_id, time.time())
                return 200, {"ok": True, "ended": ended}
            if not data.get("status"):
                return 400, {"error": "a contact needs a status (its label, e.g. \"On call\"), or end: true"}
            try:
                ends_in = None if data.get("ends_in") is None else float(data["ends_in"])
            except (TypeError, ValueError):
                return 400, {"error": "ends_in must be a number of seconds or null"}
            op.start_contact(agent_id, data["status"], ends_in, data.get("then"))
        return 200, {"ok": True}

    def do_GET(self):  # noqa: N802 - BaseHTTPRequestHandler's naming
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def do_PUT(self):  # noqa: N802
        self._route("PUT")


def make_certificates(directory, host):
    """A throw-away CA and a server certificate for ``host`` (and localhost), signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"wolkvox simulator test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"%s" % host)]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName(u"localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = [os.path.join(directory, name) for name in ("server.pem", "server.key", "ca.pem")]
    with open(paths[0], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as handle:
        handle.write(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))
    with open(paths[2], "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    return paths


def spawn(fixture, workdir, latency=0.0, tls=False, timeout=30.0, dialect="classic"):
    """Start the simulator in its own process (no GIL shared with what it serves) on a free port.

    Returns (process, info) once it listens; info has url, port, ca_path and pid."""
    import subprocess

    ready = os.path.join(str(workdir), "sim-ready-%d.json" % time.time_ns())
    args = [sys.executable, os.path.abspath(__file__), "--fixture", fixture, "--port", "0",
            "--latency", str(latency), "--ready-file", ready]
    if tls:
        args.append("--tls")
    if dialect == "vendor":
        args.append("--vendor")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("the simulator did not start")
        time.sleep(0.02)
    with open(ready) as handle:
        return proc, json.load(handle)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Local simulator of the Wolkvox agent APIs (loopback only).")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument(
        "--fixture", default=os.path.join(here, "fixtures", "demo.json"), metavar="PATH",
        help="JSON file of the operations to serve: {\"operations\": [{name, server, token, aux_states, agents, "
             "generate, agent_id_as_number, contact_mode}]}, each agent {agent_id, agent_name, agent_status, enabled, "
             "contact: {status, ends_in, then}} (see the module docstring and docs/simulator.md; "
             "default: tools/fixtures/demo.json)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1; "
                                                            "any other address is refused)")
    parser.add_argument("--port", type=int, default=0, help="TCP port to listen on; 0 (the default) picks a free port")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a certificate from a throw-away CA (its path is ca_path in the start-up line)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="S",
                        help="seconds added to every API answer (default 0; changeable with POST /__admin/config)")
    parser.add_argument("--max-per-token", type=int, default=2, metavar="N",
                        help="simultaneous requests allowed per token before the vendor's busy error (default 2, "
                             "the vendor's limit)")
    parser.add_argument("--vendor", action="store_true",
                        help="answer in the vendor's documented dialect: real HTTP statuses with its JSON error "
                             "bodies and words, read codes \"\" and \"0\" (default: the classic dialect, errors in "
                             "HTTP 200 bodies)")
    parser.add_argument("--ready-file", metavar="PATH",
                        help="also write the start-up JSON line (url, port, ca_path, pid) to this file, atomically, "
                             "once listening")
    args = parser.parse_args(argv)
    sim = Simulator(args.fixture, args.host, args.port, args.tls, args.latency, args.max_per_token,
                    dialect="vendor" if args.vendor else "classic").start()
    line = json.dumps({"url": sim.url, "port": sim.port, "ca_path": sim.ca_path, "pid": os.getpid(),
                       "dialect": sim.dialect})
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as handle:
            handle.write(line + "\n")
        os.rename(args.ready_file + ".tmp", args.ready_file)
    print(line, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
