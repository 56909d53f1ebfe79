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

The hot path (a bulk task's thousands of change_status calls) does each thing once per (method,
path) - the request prepared by requests, the environment merged - and per call only encodes the
query string and hands a PreparedRequest to the adapter's send().
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlencode

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.cookies import extract_cookies_to_jar
    from requests.models import PreparedRequest, Response
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    PreparedRequest = object

from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import (
    option_hint, validate_connection, validate_number)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxError, WolkvoxLocalError, WolkvoxNoRecordsError, WolkvoxTokenBusyError, WolkvoxTransportError, scrub, snippet)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._response import (
    interpret, one_record, reason, records, redact_error)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import RetryBudget, retry_after_seconds
from ansible_collections.wolkvox.contact_center.plugins.module_utils._token_slots import InFlightLimit, TokenSlots

_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z").match  # what form-encoding leaves as it is


def encode_query(params):
    """The query string requests makes of a dict of parameters: same order, form-encoded, None left out."""
    pairs = [(key, value) for key, value in params.items() if value is not None]
    if all(isinstance(key, str) and isinstance(value, str) and _PLAIN(key) and _PLAIN(value) for key, value in pairs):
        return "&".join(key + "=" + value for key, value in pairs)  # nothing to quote (most calls)
    return urlencode(pairs, doseq=True)


class _Adapter(HTTPAdapter):
    """requests' HTTPAdapter minus what it redoes on every request to one host: the pool of the last
    origin, TLS settings and proxies (its pool manager keeps one) and its TLS check are looked up again
    only when these change or it closes; an answer that sets no cookie skips the cookie jar."""

    def init_poolmanager(self, *args, **kwargs):
        self._last = self._checked = None
        super().init_poolmanager(*args, **kwargs)

    def close(self):
        self._last = self._checked = None
        super().close()

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        key = ("/".join(request.url.split("/", 3)[:3]), verify, cert, tuple(sorted(proxies.items())) if proxies else None)
        if self._last is None or self._last[0] != key or self._last[1].pool is None:
            self._last = (key, super().get_connection_with_tls_context(request, verify, proxies, cert))
        return self._last[1]

    def cert_verify(self, conn, url, verify, cert):
        if self._checked != (conn, verify, cert):
            super().cert_verify(conn, url, verify, cert)
            self._checked = (conn, verify, cert)

    def request_url(self, request, proxies):
        return super().request_url(request, proxies) if proxies else request.path_url

    def build_response(self, req, resp):
        if "Set-Cookie" in resp.headers or "Set-Cookie2" in resp.headers:
            return super().build_response(req, resp)
        response = Response()
        response.status_code, response.headers = resp.status, CaseInsensitiveDict(resp.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw, response.reason, response.url = resp, resp.reason, req.url
        response.request, response.connection = req, self
        return response


class _Prepared(PreparedRequest):
    path_url = None  # the path and query string, as PreparedRequest.path_url reads them from the URL


class _Session(requests.Session if HAS_REQUESTS else object):
    """One thread's kept-alive session, private to the client. For the client's own calls (a query
    string, no body, no redirect followed) requests prepares the request of each (method, URL) once
    (headers, netrc credentials if any, URL normalised) and the environment is merged once, as
    Session.request merges it (proxies, NO_PROXY; REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE only when
    ``verify`` is True: ca_path or False always wins). A call copies it with its own URL (its headers a
    plain dict made once, shared) into the adapter's send(), which never follows a redirect. Other
    calls, and all once the server has set a cookie, take Session.request."""

    def mount(self, prefix, adapter):
        super().mount(prefix, adapter)
        self._shapes = {}  # a shape holds the adapter of its URL

    def _shape(self, method, url, timeout, verify):
        prepared = self.prepare_request(requests.Request(method, url))
        if "?" in prepared.url or "#" in prepared.url:
            return None  # a URL with a query or a fragment of its own
        settings = self.merge_environment_settings(prepared.url, {}, None, verify, None)
        return prepared, dict(prepared.headers), self.get_adapter(prepared.url), dict(settings, timeout=timeout)

    def request(self, method, url, params=None, *args, **kwargs):  # pylint: disable=keyword-arg-before-vararg
        timeout, verify = kwargs.pop("timeout", None), kwargs.pop("verify", None)
        allow_redirects = kwargs.pop("allow_redirects", True)
        shape = None
        if not (args or kwargs or allow_redirects or self.cookies):
            key = (method, url, timeout, verify)
            shape = self._shapes.get(key, False)
            if shape is False:
                shape = self._shapes[key] = self._shape(method, url, timeout, verify)
        if shape is None:
            return super().request(method, url, params, *args, timeout=timeout, verify=verify, allow_redirects=allow_redirects, **kwargs)
        prepared, headers, adapter, send_kwargs = shape
        request = _Prepared()
        request.method, request.headers, request.hooks = prepared.method, headers, prepared.hooks
        request._cookies = prepared._cookies  # pylint: disable=protected-access
        query = encode_query(params) if params else ""
        request.url, request.path_url = (prepared.url + "?" + query, prepared.path_url + "?" + query) if query else (prepared.url, prepared.path_url)
        response = adapter.send(request, **send_kwargs)
        if "Set-Cookie" in response.headers or "Set-Cookie2" in response.headers:
            extract_cookies_to_jar(self.cookies, request, response.raw)  # kept, as Session.send keeps them
        response.content  # noqa: B018 pylint: disable=pointless-statement  # read now, as Session.send does
        return response


class WolkvoxClient(object):
    """A client of one operation (server + token)."""

    def __init__(self, server, token, api_url=None, validate_certs=True, ca_path=None, timeout=30.0,
                 retries=3, max_concurrency=2, retry_delay=1.0, lock_dir=None, sleep=time.sleep,
                 clock=time.monotonic):
        if not HAS_REQUESTS:
            raise WolkvoxLocalError("the Python library requests is required")
        # Every option is checked here, before any request; no message shows the token.
        params = dict(wolkvox_server=server, wolkvox_token=token, api_url=api_url, validate_certs=validate_certs, ca_path=ca_path,
                      timeout=timeout, retries=retries, retry_delay=retry_delay, max_concurrency=max_concurrency)
        self.base_url = validate_connection(params)
        self.timeout = validate_number("timeout", timeout)
        self.retries = validate_number("retries", retries)
        self.max_concurrency = validate_number("max_concurrency", max_concurrency)
        self.retry_delay = validate_number("retry_delay", retry_delay)
        self.server = server
        self._token = token
        self.verify = ca_path if (validate_certs and ca_path) else validate_certs
        self._sleep, self._clock = sleep, clock
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
            session = _Session()
            # Redirects are refused by allow_redirects=False on every request (interpret() then
            # fails with a clear message). Do not set max_redirects = 0 as well: requests would
            # then raise a bare "Exceeded 0 redirects." while preparing the redirect it will not follow.
            session.headers.update({"wolkvox-token": self._token, "wolkvox_server": self.server, "Accept": "application/json",
                                    "User-Agent": "wolkvox.contact_center (Ansible collection)"})
            session.verify = self.verify
            adapter = _Adapter(pool_connections=1, pool_maxsize=1, max_retries=0)
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
        self._slots.close()

    def _redact(self, text):
        return scrub(text, self._token)

    def _exchange(self, method, url, params, what):
        """Send one request; return (status, headers, text) or raise WolkvoxTransportError."""
        try:
            # verify is passed on each request, not only set on the session: requests lets REQUESTS_CA_BUNDLE
            # / CURL_CA_BUNDLE override a session's verify, which would silently ignore ca_path.
            response = self._session().request(method, url, params=params, timeout=self.timeout, allow_redirects=False, verify=self.verify)
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
            raise WolkvoxTransportError("%s failed: no answer from %s within %s seconds (timeout)" % (what, self.base_url, self.timeout),
                                        retryable=True)
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # Refused, reset, or cut off mid-answer: the network, not an answer. Retrying is
            # safe because a change_status call sets a state (sending it twice is harmless).
            raise WolkvoxTransportError("%s failed: cannot connect to %s or the connection broke (%s)"
                                        % (what, self.base_url, self._redact(reason(exc))), retryable=True)
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
                with self._count_lock:
                    self.api_calls += 1
                status, headers, text = self._exchange(method, self.base_url + path, params, what)
            finally:
                self._slots.release(handle)
            try:
                body = interpret(status, text, what, read=read, server=self.server)
            except WolkvoxError as exc:
                busy = isinstance(exc, WolkvoxTokenBusyError)
                redact_error(exc, self._token)
                exc.retry_after = retry_after_seconds(headers.get("Retry-After"))
                raise
            ok = True
            return body
        finally:
            self.in_flight.release(busy=busy, ok=ok)

    def _call(self, method, path, params, what, read=False):
        budget = None  # made at the first failure: most calls never need one
        while True:
            try:
                return self._once(method, path, params, what, read)
            except WolkvoxError as exc:
                if budget is None:
                    budget = RetryBudget(self.retries, self.retry_delay, self.timeout, clock=self._clock)
                delay = budget.delay_after(exc)
                if delay is None:
                    note = budget.note(exc)
                    exc.message, exc.reason = exc.message + note, exc.reason + note
                    raise
                self._sleep(delay)

    # -- the API --------------------------------------------------------------------------

    def list_agents(self):
        """Every agent of the operation, with agent_id as str. One request (plus retries)."""
        what = "reading the agents list"
        try:
            return records(self._call("GET", "/api/v2/information.php", {"api": "agents"}, what, read=True), what)
        except WolkvoxNoRecordsError:
            return []  # the vendor answers 404 "no records" for an operation without agents

    def list_real_time(self):
        """The agents with a session, from the real-time API (real_time.php?api=agents): records
        with agent_id (as str), agent_status, time_state_now (seconds or "HH:MM:SS") and counters.
        One request (plus retries), counted in the daily quota; [] when nobody has a session."""
        what = "reading the real-time agents list"
        try:
            return records(self._call("GET", "/api/v2/real_time.php", {"api": "agents"}, what, read=True), what)
        except WolkvoxNoRecordsError:
            return []

    def token_info(self):
        """The token's quota record (information.php?api=token_info): one request, counted in the quota."""
        what = "reading the token's quota"
        return one_record(self._call("GET", "/api/v2/information.php", {"api": "token_info"}, what, read=True), what)

    def change_status(self, agent_id, status):
        """Move one agent. Returns the API's message. Retrying is safe: the call sets a state."""
        body = self._call("POST", "/api/v2/agentbox.php", {"api": "change_status", "agent_id": agent_id, "status": status},
                          "changing agent %s to %s" % (agent_id, status))
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

        # This thread is one of the workers (its session, likely kept alive by the read, is reused).
        threads = [threading.Thread(target=worker, name="wolkvox-%d" % i) for i in range(1, min(self.max_concurrency, len(changes)))]
        for thread in threads:
            thread.daemon = True
            thread.start()
        worker()
        for thread in threads:
            thread.join()
        return results
