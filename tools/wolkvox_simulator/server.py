# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP side of the simulator: a threading server, its request handler, and the test hooks
under /__admin/ (never part of the vendor's API; docs/simulator.md lists them)."""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .dialects import FAULT_KINDS
from .model import contact_mode, count, logged_out_mode, seconds, yes_no

FAULT_KEYS = ("status", "delay", "location", "agent_id", "retry_after", "code", "error")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up (a timeout, a killed run) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)


def make_server(sim):
    """A server bound to the simulator's (loopback) host and port, not yet serving."""
    handler = type("Handler", (_Handler,), {"sim": sim})
    return _Server((sim.host, sim.port), handler)


class AdminRefusal(Exception):
    """An admin call that cannot be done: its HTTP status and why."""

    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY the body would wait for the
    # client's delayed ACK (~40 ms) on every kept-alive answer, a cost the real API does not have.
    disable_nagle_algorithm = True
    sim = None  # set by make_server()

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature  pylint: disable=redefined-builtin
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
            try:
                status, body = 200, self.admin(method, parts.path, payload)
            except AdminRefusal as exc:
                status, body = exc.status, {"error": str(exc)}
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

    def do_GET(self):  # noqa: N802 - BaseHTTPRequestHandler's naming
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def do_PUT(self):  # noqa: N802
        self._route("PUT")

    # -- the test hooks -------------------------------------------------------------------

    def admin(self, method, path, payload):
        sim = self.sim
        try:
            data = json.loads(payload.decode("utf-8")) if payload else {}
        except ValueError:
            raise AdminRefusal(400, "admin payload is not JSON") from None
        if not isinstance(data, dict):
            raise AdminRefusal(400, "admin payload is not a JSON object")
        with sim.lock:
            sim.expire()
        if path == "/__admin/stats":
            return sim.stats()
        if path == "/__admin/state":
            return sim.state()
        if method != "POST":
            raise AdminRefusal(405, "POST only")
        routes = {
            "/__admin/reset": self.admin_reset,
            "/__admin/config": self.admin_config,
            "/__admin/agents": self.admin_agents,
            "/__admin/contact": self.admin_contact,
            "/__admin/faults": self.admin_faults,
            "/__admin/quota": self.admin_quota,
        }
        if path not in routes:
            raise AdminRefusal(404, "unknown admin path")
        try:
            return routes[path](data)
        except ValueError as exc:
            raise AdminRefusal(400, str(exc)) from None

    def _operation(self, data, why="unknown operation"):
        op = self.sim.operation(str(data.get("operation", data.get("server"))))
        if op is None:
            raise AdminRefusal(404, why)
        return op

    def admin_reset(self, data):
        if data.get("state"):
            self.sim.load()
        self.sim.reset()
        return {"ok": True}

    def admin_config(self, data):
        sim = self.sim
        modes = {}
        if "contact_mode" in data:
            modes["contact_mode"] = contact_mode(data["contact_mode"])
        if "logged_out_mode" in data:
            modes["logged_out_mode"] = logged_out_mode(data["logged_out_mode"])
        op = self._operation(data, "%s needs the name of an operation the fixture has" % " and ".join(modes)) if modes else None
        if "latency" in data:
            sim.latency = seconds("latency", data["latency"])
        if "max_per_token" in data:
            sim.max_per_token = count("max_per_token", data["max_per_token"])
        answer = {"ok": True, "latency": sim.latency, "max_per_token": sim.max_per_token, "dialect": sim.dialect.name}
        with sim.lock:
            for key, mode in modes.items():
                setattr(op, key, mode)
                answer[key] = {op.name: mode}
        return answer

    def admin_agents(self, data):
        sim = self.sim
        op = self._operation(data)
        enabled = dict((str(aid), yes_no(value)) for aid, value in (data.get("enabled") or {}).items())
        in_state_for = data.get("in_state_for")
        backdate = {}
        if isinstance(in_state_for, dict):
            backdate = dict((str(aid), seconds("in_state_for", value)) for aid, value in in_state_for.items())
            in_state_for = None
        else:
            in_state_for = seconds("in_state_for", in_state_for, None)
        with sim.lock:
            now = time.time()
            if data.get("replace"):
                op.clear()
            named = []
            for aid, label in (data.get("agents") or {}).items():
                aid = str(aid)
                named.append(aid)
                if aid in op.agents:
                    # The label given is what the agent shows from now on: any contact is over.
                    op.set_label(aid, label, now)
                else:
                    op.add_agent(aid, label, when=now)
            if data.get("generate"):
                start = int(data.get("start", 1000))
                op.generate(int(data["generate"]), data.get("status", "Logout"), start, when=now)
                named.extend(str(start + i) for i in range(int(data["generate"])))
            unknown = sorted(aid for aid in list(enabled) + list(backdate) if aid not in op.agents)
            if unknown:
                raise AdminRefusal(404, "unknown agents: %s" % ", ".join(unknown))
            for aid, value in enabled.items():
                op.agents[aid]["enabled"] = value
            if in_state_for is not None:
                backdate.update((aid, in_state_for) for aid in named)
            for aid, value in backdate.items():
                op.backdate(aid, value, now)
        return {"ok": True, "agents": len(op.agents)}

    def admin_contact(self, data):
        sim = self.sim
        op = self._operation(data)
        agent_id = str(data.get("agent_id", ""))
        with sim.lock:
            if agent_id not in op.agents:
                raise AdminRefusal(404, "unknown agent: %s" % agent_id)
            now = time.time()
            if data.get("end"):
                return {"ok": True, "ended": op.end_contact(agent_id, now)}
            status = data.get("status") or sim.dialect.default_contact_status
            if not status:
                raise AdminRefusal(400, "a contact needs a status (its label, e.g. \"On call\"), or end: true")
            try:
                ends_in = None if data.get("ends_in") is None else seconds("ends_in", data["ends_in"])
            except ValueError:
                raise AdminRefusal(400, "ends_in must be a number of seconds or null") from None
            op.start_contact(agent_id, status, ends_in, data.get("then"), data.get("acw"), now)
        return {"ok": True}

    def admin_faults(self, data):
        fault = {
            "kind": data.get("kind", "http"),
            "count": int(data.get("count", 1)),
            "match": data.get("match", "any"),
        }
        if fault["kind"] not in FAULT_KINDS:
            raise AdminRefusal(400, "unknown fault kind %r (one of %s)" % (fault["kind"], ", ".join(FAULT_KINDS)))
        for key in FAULT_KEYS:
            if key in data:
                fault[key] = data[key]
        with self.sim.lock:
            self.sim.faults.append(fault)
        return {"ok": True}

    def admin_quota(self, data):
        op = self._operation(data)
        values = {}
        for key in ("used", "limit"):
            if data.get(key) is not None:
                values[key] = count(key, data[key])
        with self.sim.lock:
            op.quota_used = values.get("used", op.quota_used)
            op.quota_limit = values.get("limit", op.quota_limit)
            answer = {"ok": True, "operation": op.name}
            answer.update(op.quota_state())
        return answer
