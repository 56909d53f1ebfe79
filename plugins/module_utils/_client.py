# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The HTTP client of one operation: the only file that imports ``requests``, and the only one
that knows URLs and headers.

A small API - list_agents(), change_status(), change_many() - over kept-alive sessions that
never follow a redirect. It counts every request (``api_calls``), holds one of the token's slots
per request (_token_slots), reads answers with _response and retries with _retries. It never puts
the token in a URL, a message, an exception or a file name.
"""

from __future__ import annotations

import json
import threading
import time

try:
    import requests
    from requests.adapters import HTTPAdapter

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import (
    option_hint,
    validate_connection,
    validate_number,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxError,
    WolkvoxLocalError,
    WolkvoxNoRecordsError,
    WolkvoxTokenBusyError,
    WolkvoxTransportError,
    scrub,
    snippet,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._response import interpret, reason
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import RetryBudget, retry_after_seconds
from ansible_collections.wolkvox.contact_center.plugins.module_utils._token_slots import InFlightLimit, TokenSlots


class WolkvoxClient(object):
    """A client of one operation (server + token)."""

    def __init__(self, server, token, api_url=None, validate_certs=True, ca_path=None, timeout=30.0,
                 retries=3, max_concurrency=2, retry_delay=1.0, lock_dir=None, sleep=time.sleep,
                 clock=time.monotonic):
        if not HAS_REQUESTS:
            raise WolkvoxLocalError("the Python library requests is required")
        # Every option is checked here, before any request; no message shows the token.
        params = dict(wolkvox_server=server, wolkvox_token=token, api_url=api_url, validate_certs=validate_certs,
                      ca_path=ca_path, timeout=timeout, retries=retries, retry_delay=retry_delay,
                      max_concurrency=max_concurrency)
        self.base_url = validate_connection(params)
        self.timeout = validate_number("timeout", timeout)
        self.retries = validate_number("retries", retries)
        self.max_concurrency = validate_number("max_concurrency", max_concurrency)
        self.retry_delay = validate_number("retry_delay", retry_delay)
        self.server = server
        self._token = token
        self.verify = ca_path if (validate_certs and ca_path) else validate_certs
        self._sleep = sleep
        self._clock = clock
        self._slots = TokenSlots(server, token, self.max_concurrency, lock_dir)
        self.in_flight = InFlightLimit(self.max_concurrency)
        self._count_lock = threading.Lock()
        self.api_calls = 0
        self._local = threading.local()
        self._sessions = []

    # -- plumbing -------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Redirects are refused by allow_redirects=False on every request (interpret() then
            # fails with a clear message). Do not set max_redirects = 0 as well: requests would
            # then raise a bare "Exceeded 0 redirects." while preparing the redirect it will not follow.
            session.headers.update({
                "wolkvox-token": self._token,
                "wolkvox_server": self.server,
                "Accept": "application/json",
                "User-Agent": "wolkvox.contact_center (Ansible collection)",
            })
            session.verify = self.verify
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            self._sessions.append(session)
        return session

    def close(self):
        for session in self._sessions:
            session.close()
        self._sessions = []
        self._local = threading.local()

    def _redact(self, text):
        return scrub(text, self._token)

    def _redact_error(self, exc):
        """Scrub the token from every text an error carries (a server may echo what it got)."""
        exc.message = self._redact(exc.message)
        exc.reason = self._redact(exc.reason)
        for name in ("code", "error", "api_msg"):
            value = getattr(exc, name)
            if isinstance(value, str):
                setattr(exc, name, self._redact(value))
            elif value is not None and not isinstance(value, (int, float, bool)):
                setattr(exc, name, self._redact(snippet(json.dumps(value, default=str))))
        return exc

    def _count(self):
        with self._count_lock:
            self.api_calls += 1

    def _exchange(self, method, url, params, what):
        """Send one request; return (status, headers, text) or raise WolkvoxTransportError."""
        try:
            # verify is passed on each request, not only set on the session: requests lets the
            # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE environment variables override a session's
            # verify, which would silently ignore ca_path.
            response = self._session().request(
                method, url, params=params, timeout=self.timeout, allow_redirects=False, verify=self.verify
            )
            # JSON is UTF-8: decode it as such whatever the Content-Type says (PHP often sends
            # text/html without a charset, which requests would read as ISO-8859-1, garbling
            # agent names), dropping a byte-order mark if a PHP file left one in front.
            return response.status_code, response.headers, response.content.decode("utf-8-sig", "replace")
        except requests.exceptions.SSLError as exc:
            raise WolkvoxTransportError(
                "%s failed: the TLS connection to %s failed (%s); if the endpoint has a certificate of a "
                "private CA, set %s to that CA's bundle (validate_certs: false only for a test endpoint)"
                % (what, self.base_url, self._redact(reason(exc)), option_hint("ca_path"))
            )
        except requests.exceptions.Timeout:
            raise WolkvoxTransportError(
                "%s failed: no answer from %s within %s seconds (timeout)" % (what, self.base_url, self.timeout),
                retryable=True,
            )
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # Refused, reset, or cut off mid-answer: the network, not an answer. Retrying is
            # safe because a change_status call sets a state (sending it twice is harmless).
            raise WolkvoxTransportError(
                "%s failed: cannot connect to %s or the connection broke (%s)"
                % (what, self.base_url, self._redact(reason(exc))),
                retryable=True,
            )
        except requests.exceptions.RequestException as exc:
            raise WolkvoxTransportError("%s failed: %s" % (what, self._redact(snippet(str(exc)))))
        except (ValueError, OSError) as exc:
            # Raised below requests (e.g. by the TLS set-up); a clean error, not a traceback.
            raise WolkvoxLocalError("%s failed: %s" % (what, self._redact(snippet(str(exc)))))

    def _once(self, method, path, params, what, read):
        """One HTTP exchange, holding one of the token's slots. Returns the body or raises WolkvoxError."""
        busy = ok = False
        self.in_flight.acquire()
        try:
            handle = self._slots.acquire()
            try:
                self._count()
                status, headers, text = self._exchange(method, self.base_url + path, params, what)
            finally:
                self._slots.release(handle)
            try:
                body = interpret(status, text, what, read=read, server=self.server)
            except WolkvoxError as exc:
                busy = isinstance(exc, WolkvoxTokenBusyError)
                self._redact_error(exc)
                exc.retry_after = retry_after_seconds(headers.get("Retry-After"))
                raise
            ok = True
            return body
        finally:
            self.in_flight.release(busy=busy, ok=ok)

    def _call(self, method, path, params, what, read=False):
        budget = RetryBudget(self.retries, self.retry_delay, self.timeout, clock=self._clock)
        while True:
            try:
                return self._once(method, path, params, what, read)
            except WolkvoxError as exc:
                delay = budget.delay_after(exc)
                if delay is None:
                    note = budget.note(exc)
                    exc.message += note
                    exc.reason += note
                    raise
                self._sleep(delay)

    # -- the API --------------------------------------------------------------------------

    def list_agents(self):
        """Every agent of the operation, with agent_id as str. One request (plus retries)."""
        try:
            body = self._call("GET", "/api/v2/information.php", {"api": "agents"}, "reading the agents list", read=True)
        except WolkvoxNoRecordsError:
            return []  # the vendor answers 404 "no records" for an operation without agents
        data = body.get("data")
        if data is None:
            return []
        if not isinstance(data, list):
            raise WolkvoxApiError(
                "reading the agents list failed: 'data' is not a list (%s)" % snippet(json.dumps(data)[:200])
            )
        agents = []
        for record in data:
            if isinstance(record, dict) and record.get("agent_id") is not None:
                record["agent_id"] = str(record["agent_id"]).strip()
                agents.append(record)
        return agents

    def list_real_time(self):
        """The agents with a session, from the real-time API (real_time.php?api=agents): records
        with agent_id (as str), agent_status, time_state_now (seconds or "HH:MM:SS") and counters.
        One request (plus retries), counted in the daily quota; [] when nobody has a session."""
        try:
            body = self._call("GET", "/api/v2/real_time.php", {"api": "agents"}, "reading the real-time agents list",
                              read=True)
        except WolkvoxNoRecordsError:
            return []
        data = body.get("data")
        if data is None:
            return []
        if not isinstance(data, list):
            raise WolkvoxApiError(
                "reading the real-time agents list failed: 'data' is not a list (%s)" % snippet(json.dumps(data)[:200]))
        records = []
        for record in data:
            if isinstance(record, dict) and record.get("agent_id") is not None:
                record["agent_id"] = str(record["agent_id"]).strip()
                records.append(record)
        return records

    def token_info(self):
        """The token's quota record (information.php?api=token_info): one request, counted in the quota."""
        body = self._call("GET", "/api/v2/information.php", {"api": "token_info"}, "reading the token's quota",
                          read=True)
        data = body.get("data")
        if isinstance(data, list):
            data = data[0] if data and isinstance(data[0], dict) else None
        if not isinstance(data, dict):
            raise WolkvoxApiError(
                "reading the token's quota failed: 'data' is not a record (%s)" % snippet(json.dumps(data)[:200]))
        return data

    def change_status(self, agent_id, status):
        """Move one agent. Returns the API's message. Retrying is safe: the call sets a state."""
        body = self._call(
            "POST",
            "/api/v2/agentbox.php",
            {"api": "change_status", "agent_id": agent_id, "status": status},
            "changing agent %s to %s" % (agent_id, status),
        )
        return body.get("msg") or "status changed"

    def change_many(self, changes, gate=None):
        """Send [(agent_id, status), ...] with up to max_concurrency requests in flight.

        ``gate`` (optional) may hold a change back: ``gate.held(agent_id, status)`` returns an
        error to report instead of sending, or None; ``gate.record(agent_id, status, ok, outcome)``
        sees each answer. Never raises for one agent: returns a list, in input order, of
        (ok, msg_or_error); (False, error) for a change held back."""
        changes = list(changes)
        results = [None] * len(changes)
        if not changes:
            return results
        cursor = iter(range(len(changes)))
        cursor_lock = threading.Lock()

        def worker():
            while True:
                with cursor_lock:
                    index = next(cursor, None)
                if index is None:
                    return
                agent_id, status = changes[index]
                held = gate.held(agent_id, status) if gate is not None else None
                if held is not None:
                    results[index] = (False, held)
                    continue
                try:
                    results[index] = (True, self.change_status(agent_id, status))
                except WolkvoxError as exc:
                    results[index] = (False, exc)
                except Exception as exc:  # noqa: BLE001 - one agent's surprise must not lose the others
                    results[index] = (False, WolkvoxError(self._redact("unexpected error: %s" % exc)))
                if gate is not None:
                    gate.record(agent_id, status, results[index][0], results[index][1])

        workers = min(self.max_concurrency, len(changes))
        if workers == 1:
            worker()
        else:
            threads = [threading.Thread(target=worker, name="wolkvox-%d" % i) for i in range(workers)]
            for thread in threads:
                thread.daemon = True
                thread.start()
            for thread in threads:
                thread.join()
        return results
