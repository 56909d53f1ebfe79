# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the simulator words its answers: two dialects, and the faults a test can queue.

``Classic`` (the default) answers as the collection first met the API: errors with HTTP 200 and
the error in the body, ``code`` sometimes a string and sometimes a number. ``Vendor`` answers as
the vendor's documentation says: reads with ``code`` "" (agents) or "0" (token_info, real_time),
and every error with its real HTTP status and ``{"code": <status>, "error", "msg"}`` in the
vendor's words. Every method returns ``(http_status, extra_headers, body_bytes)``.
docs/simulator.md has the table of every answer in each dialect."""

from __future__ import annotations

import json

BUSY_ERROR = "The same token cannot be consumed simultaneously"
NO_RECORDS = "Validate dates entered"


def as_json(status, body, headers=None):
    return status, headers or {}, json.dumps(body).encode("utf-8")


def records_found(number):
    return "%d records were found" % number


def hms(total):
    """Seconds as the vendor's "HH:MM:SS"."""
    total = int(total)
    return "%02d:%02d:%02d" % (total // 3600, total // 60 % 60, total % 60)


class Classic(object):
    """Errors in HTTP 200 bodies, ``code`` "200"/200: today's behaviour of the simulator."""

    name = "classic"
    default_contact_status = None  # a contact started by the admin hook needs its label

    @staticmethod
    def changed(label):
        return as_json(200, {"code": "200", "error": None, "msg": "Agent status has been modified to %s" % label})

    # -- refusals before the request reaches an operation ---------------------------------

    @staticmethod
    def no_token():
        return Classic.wrong_token()

    @staticmethod
    def wrong_token():
        # The vendor's PHP answers a bad token or server with HTTP 200 and the error in the body.
        return as_json(200, {"code": "401", "error": "Invalid token or server", "msg": "Access denied"})

    @staticmethod
    def busy(max_per_token):
        del max_per_token
        return as_json(200, {"code": 429, "error": BUSY_ERROR, "msg": None})

    @staticmethod
    def quota_spent():
        return as_json(200, {"code": "403", "error": "TOKEN LIMIT EXCEEDED", "msg": "the daily quota is spent"})

    @staticmethod
    def unknown_api():
        return as_json(404, {"code": "404", "error": "Unknown API", "msg": None})

    @staticmethod
    def wrong_method(kind):
        code = "405" if kind == "change_status" else 405
        return as_json(405, {"code": code, "error": "Method not allowed", "msg": None})

    @staticmethod
    def missing_parameters():
        return as_json(200, {"code": "400", "error": "Some parameters are required", "msg": None})

    # -- reads ------------------------------------------------------------------------------

    @staticmethod
    def agents(records):
        return as_json(200, {"code": 200, "error": None, "msg": records_found(len(records)), "data": records})

    @staticmethod
    def token_info(record):
        return as_json(200, {"code": 200, "error": None, "msg": records_found(1), "data": dict(record)})

    @staticmethod
    def real_time(rows):
        """``rows``: (position of the agent in the operation's list, record with time_state_now in seconds)."""
        data = [record for _position, record in rows]
        return as_json(200, {"code": 200, "error": None, "msg": records_found(len(data)), "data": data})

    # -- refusals of change_status ---------------------------------------------------------

    @staticmethod
    def unknown_agent(agent_id):
        return as_json(200, {"code": "404", "error": "The agent does not exist", "msg": "agent_id %s" % agent_id})

    @staticmethod
    def unknown_status(status):
        # A refusal of the state itself: the same answer whatever the agent.
        return as_json(200, {"code": 400, "error": "Invalid status", "msg": "status %s does not exist" % status})

    @staticmethod
    def disabled(agent_id):
        return as_json(200, {"code": "403", "error": "The agent is disabled", "msg": "agent_id %s" % agent_id})

    @staticmethod
    def in_contact(agent_id):
        return as_json(200, {"code": "409", "error": "The agent is in a contact", "msg": "agent_id %s" % agent_id})

    @staticmethod
    def not_logged_in():
        # Names no agent: a refusal that depends on the agent, worded like one of the state.
        return as_json(200, {"code": "400", "error": "The agent is not logged in",
                             "msg": "Only an agent with a session can be given a status"})


def vendor_error(status, error, msg):
    return as_json(status, {"code": status, "error": error, "msg": msg})


class Vendor(Classic):
    """The vendor's documented answers: real HTTP statuses, its words, its read codes."""

    name = "vendor"
    default_contact_status = "Talk"

    @staticmethod
    def no_token():
        return vendor_error(401, "UNAUTHORIZED", "PLEASE ENTER THE WOLKVOX-TOKEN")

    @staticmethod
    def wrong_token():
        return vendor_error(403, "FORBIDDEN", "PLEASE VALIDATE TOKEN")

    @staticmethod
    def busy(max_per_token):
        return vendor_error(403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (%d)" % max_per_token)

    @staticmethod
    def quota_spent():
        return vendor_error(403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED")

    @staticmethod
    def unknown_api():
        return vendor_error(400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST")

    @staticmethod
    def wrong_method(kind):
        del kind
        return vendor_error(405, "METHOD NOT ALLOWED", "THE METHOD YOU USED IS NOT ALLOWED")

    @staticmethod
    def missing_parameters():
        return vendor_error(400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED")

    @staticmethod
    def agents(records):
        if not records:
            return vendor_error(404, "NOT FOUND", NO_RECORDS)
        return as_json(200, {"code": "", "error": None, "msg": records_found(len(records)), "data": records})

    @staticmethod
    def token_info(record):
        # A list of one record, digit strings, and the vendor's own spelling of one key.
        spelling = {"available_consumption_options": "available_consumition_options"}
        data = dict((spelling.get(key, key), str(value)) for key, value in record.items())
        return as_json(200, {"code": "0", "error": None, "msg": records_found(1), "data": [data]})

    @staticmethod
    def real_time(rows):
        # Both formats of time_state_now occur: seconds for even positions, "HH:MM:SS" for odd ones.
        data = []
        for position, record in rows:
            record = dict(record)
            if position % 2:
                record["time_state_now"] = hms(record["time_state_now"])
            data.append(record)
        return as_json(200, {"code": "0", "error": None, "msg": records_found(len(data)), "data": data})

    @staticmethod
    def unknown_agent(agent_id):
        del agent_id
        return vendor_error(404, "NOT FOUND", "THE AGENT DOES NOT EXIST")

    @staticmethod
    def unknown_status(status):
        del status
        return vendor_error(400, "BAD REQUEST", "THE STATUS YOU WANT TO ASSIGN DOES NOT EXIST")

    @staticmethod
    def disabled(agent_id):
        del agent_id
        return vendor_error(403, "FORBIDDEN", "THE AGENT IS DISABLED")

    @staticmethod
    def in_contact(agent_id):
        del agent_id
        return vendor_error(409, "CONFLICT", "Agent busy")

    @staticmethod
    def not_logged_in():
        return vendor_error(400, "BAD REQUEST", "THE AGENT IS NOT LOGGED IN")


DIALECTS = {"classic": Classic(), "vendor": Vendor()}

FAULT_KINDS = ("http", "busy", "vendor_busy", "forbidden_empty", "garbage", "empty", "html", "truncated",
               "not_object", "redirect", "slow", "error200", "drop", "code")


def fault_answer(fault, dialect, max_per_token):
    """The answer of a queued fault (``slow`` and ``code`` are handled by the simulator), or None: hang up."""
    kind = fault["kind"]
    if kind == "http":
        status = int(fault.get("status", 503))
        headers = {}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        return status, headers, b"<html><body><h1>%d Service Unavailable</h1></body></html>" % status
    if kind == "busy":
        return dialect.busy(max_per_token)
    if kind == "vendor_busy":
        return DIALECTS["vendor"].busy(max_per_token)
    if kind == "forbidden_empty":
        # An IP not in the operation's allow-list, or maintenance: 403 and not a byte of body.
        return 403, {}, b""
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
    if kind == "error200":
        return as_json(200, {"code": fault.get("code", 500), "error": fault.get("error", "Internal error"), "msg": None})
    raise ValueError("unknown fault kind %r" % kind)


def with_code(answer, code):
    """A normal answer with its ``code`` replaced (the ``code`` fault); a body that is not a JSON object stays."""
    status, extra, body = answer
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return answer
    if not isinstance(data, dict):
        return answer
    data["code"] = code
    return status, extra, json.dumps(data).encode("utf-8")
