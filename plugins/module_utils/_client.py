# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The one HTTP client of the collection.

Only this file knows URLs, headers, the vendor's response quirks and how to retry.
It never puts the token in a URL, a message, an exception or a file name.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import random
import re
import stat
import tempfile
import threading
import time
from email.utils import parsedate_to_datetime

from urllib.parse import urlsplit

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - non-POSIX controller
    fcntl = None
    HAS_FCNTL = False

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


SERVER_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
AGENT_ID_RE = re.compile(r"^[0-9]{1,20}$")
AUX_STATUS_RE = re.compile(r"^[0-9]{1,10}$")
DEFAULT_STATES = ("ready", "logout")

# HTTP statuses worth another try:
# 429: the vendor (or a proxy) asks us to slow down; Retry-After may say for how long.
# 502/503/504: a gateway or the PHP back end is briefly unavailable; the call had no effect.
# Every other status is an answer and is reported, not retried.
RETRY_HTTP_STATUSES = frozenset((429, 502, 503, 504))
# Words the vendor uses when one token is consumed by more requests at once than it allows
# ("the same token cannot be consumed simultaneously").
BUSY_RE = re.compile(r"simultan|concurren|busy|too many|in use|en uso|ocupad", re.IGNORECASE)
MAX_RETRY_AFTER = 60.0
MAX_BACKOFF = 10.0
SNIPPET = 120


class WolkvoxError(Exception):
    """The one error type of the collection. Its text never holds the token."""

    def __init__(self, message, http_status=None, code=None, error=None, api_msg=None, retryable=False, kind="api"):
        super(WolkvoxError, self).__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.error = error
        self.api_msg = api_msg
        self.retryable = retryable
        self.kind = kind

    def __str__(self):
        return self.message

    def as_dict(self):
        return {
            "http_status": self.http_status,
            "code": self.code,
            "error": self.error,
            "msg": self.api_msg,
        }


class WolkvoxInputError(WolkvoxError):
    """A bad option value, found before any request is sent."""

    def __init__(self, message):
        super(WolkvoxInputError, self).__init__(message, kind="input")


def _shown(value):
    """A short, printable representation of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validate_server(server):
    if not isinstance(server, str) or not SERVER_RE.match(server):
        raise WolkvoxInputError(
            "wolkvox_server %s is not valid: it must be 1 to 32 letters, digits or '-' "
            "(the code of the operation's server, e.g. '0042')" % _shown(server)
        )
    return server


def validate_agent_id(agent_id):
    text = str(agent_id).strip() if isinstance(agent_id, (str, int)) and not isinstance(agent_id, bool) else None
    if text is None or not AGENT_ID_RE.match(text):
        raise WolkvoxInputError(
            "agent_id %s is not valid: an agent ID is the agent's extension number, digits only" % _shown(agent_id)
        )
    return text


def normalize_status(status):
    """Return the status as sent to the API: 'ready', 'logout' or an auxiliary state ID."""
    text = str(status).strip() if isinstance(status, (str, int)) and not isinstance(status, bool) else None
    if text is not None:
        if text.lower() in DEFAULT_STATES:
            return text.lower()
        if AUX_STATUS_RE.match(text):
            return text
    raise WolkvoxInputError(
        "status %s is not valid: use 'ready', 'logout' or the numeric ID of an auxiliary state "
        "(column ID of the 'Agent States' tab in wolkvox Manager)" % _shown(status)
    )


def build_base_url(server, api_url=None):
    """The base URL of the operation: the vendor's host name, or a validated override."""
    validate_server(server)
    if not api_url:
        return "https://wv%s.wolkvox.com" % server
    if not isinstance(api_url, str) or any(c.isspace() or ord(c) < 32 for c in api_url):
        raise WolkvoxInputError("api_url %s is not valid: it must be an http(s) URL without blanks" % _shown(api_url))
    try:
        parts = urlsplit(api_url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise WolkvoxInputError("api_url %s is not valid: it is not a URL" % _shown(api_url))
    reason = None
    if parts.scheme not in ("http", "https"):
        reason = "only http and https are supported"
    elif not parts.hostname:
        reason = "it has no host name"
    elif "@" in parts.netloc:
        reason = "credentials in the URL are not allowed"
    elif parts.query or parts.fragment or api_url.endswith(("?", "#")):
        reason = "a query string or fragment is not allowed"
    elif port == 0:
        reason = "port 0 is not allowed"
    if reason:
        raise WolkvoxInputError("api_url %s is not valid: %s" % (_shown(api_url), reason))
    return api_url.rstrip("/")


def _code_text(code):
    if code is None or isinstance(code, bool):
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code).strip()


def is_success(http_status, body):
    """The vendor's rule: HTTP 2xx, no error, and a code that starts with 2 (string or number)."""
    if not (200 <= http_status < 300) or not isinstance(body, dict):
        return False
    if body.get("error") not in (None, "", [], {}):
        return False
    return _code_text(body.get("code")).startswith("2")


def _is_busy(http_status, body):
    if http_status == 429:
        return True
    if not isinstance(body, dict):
        return False
    if _code_text(body.get("code")) == "429":
        return True
    text = " ".join(str(body.get(k) or "") for k in ("error", "msg"))
    return bool(BUSY_RE.search(text))


def _snippet(text):
    text = " ".join((text or "").split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def interpret(http_status, text, what="request"):
    """Turn an HTTP answer into the body dict, or raise WolkvoxError saying why it failed."""
    if 300 <= http_status < 400:
        raise WolkvoxError(
            "%s was answered with a redirect (HTTP %d); redirects are not followed so that the token "
            "never reaches another host: check api_url / wolkvox_server" % (what, http_status),
            http_status=http_status,
        )
    try:
        body = json.loads(text) if text and text.strip() else None
    except ValueError:
        body = None
        parsed = False
    else:
        parsed = True
    if not isinstance(body, dict):
        retryable = http_status in RETRY_HTTP_STATUSES
        if not text or not text.strip():
            shape = "an empty body"
        elif not parsed:
            shape = "a body that is not JSON (%s)" % _snippet(text)
        else:
            shape = "JSON that is not an object (%s)" % _snippet(text)
        raise WolkvoxError(
            "%s failed: HTTP %d with %s" % (what, http_status, shape),
            http_status=http_status,
            retryable=retryable,
        )
    if is_success(http_status, body):
        return body
    code, error, msg = body.get("code"), body.get("error"), body.get("msg")
    busy = _is_busy(http_status, body)
    raise WolkvoxError(
        "%s failed: HTTP %d, code %s, error %s, msg %s"
        % (what, http_status, _shown(code), _shown(error), _shown(msg)),
        http_status=http_status,
        code=code,
        error=error,
        api_msg=msg,
        retryable=busy or http_status in RETRY_HTTP_STATUSES,
        kind="busy" if busy else "api",
    )


def retry_after_seconds(value, now=None):
    """Seconds asked for by a Retry-After header (delta or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff_delay(attempt, base, rng=random.random):
    """Exponential backoff with full jitter: uniform in [0, base * 2**attempt], capped."""
    return min(MAX_BACKOFF, base * (2 ** attempt)) * rng()


class TokenSlots(object):
    """A counting semaphore of ``size`` slots per (server, token), shared by every process of
    one controller user: one lock file per slot, held with ``flock``. The kernel drops a lock
    when its holder dies, so a killed run never leaves a slot taken. File names carry a hash
    of server and token, never the token."""

    POLL = 0.002

    def __init__(self, server, token, size, directory=None):
        self.size = max(1, int(size))
        self.local = threading.BoundedSemaphore(self.size)
        self.paths = []
        if not HAS_FCNTL:
            return
        directory = directory or os.path.join(tempfile.gettempdir(), "wolkvox-slots-%d" % os.getuid())
        self._ensure_private_dir(directory)
        key = hashlib.sha256(("%s\0%s" % (server, token)).encode("utf-8")).hexdigest()[:32]
        self.paths = [os.path.join(directory, "%s.%d.lock" % (key, i)) for i in range(self.size)]

    @staticmethod
    def _ensure_private_dir(directory):
        try:
            os.mkdir(directory, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise WolkvoxError(
                "the lock directory %s is not a private directory of this user; remove it and retry" % directory,
                kind="local",
            )

    def acquire(self):
        """Block until a slot is free; return a handle for release()."""
        self.local.acquire()
        if not self.paths:
            return None
        start = random.randrange(self.size)
        try:
            while True:
                for i in range(self.size):
                    path = self.paths[(start + i) % self.size]
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except (IOError, OSError):
                        os.close(fd)
                        continue
                    return fd
                time.sleep(self.POLL * (1 + random.random()))
        except BaseException:
            self.local.release()
            raise

    def release(self, handle):
        if handle is not None:
            os.close(handle)  # closing the descriptor drops the flock
        self.local.release()


class WolkvoxClient(object):
    """A client of one operation (server + token)."""

    def __init__(self, server, token, api_url=None, validate_certs=True, ca_path=None, timeout=30.0,
                 retries=3, max_concurrency=2, retry_delay=1.0, lock_dir=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise WolkvoxError("the Python library requests is required", kind="local")
        self.base_url = build_base_url(server, api_url)
        if not isinstance(token, str) or not token.strip():
            raise WolkvoxInputError("wolkvox_token is empty: set the option or the WOLKVOX_TOKEN environment variable")
        if any(c.isspace() or ord(c) < 32 for c in token):
            raise WolkvoxInputError("wolkvox_token contains blanks or control characters")
        if timeout is None or timeout <= 0:
            raise WolkvoxInputError("timeout %s is not valid: it must be a number of seconds above 0" % _shown(timeout))
        if retries is None or retries < 0:
            raise WolkvoxInputError("retries %s is not valid: it must be 0 or more" % _shown(retries))
        if max_concurrency is None or max_concurrency < 1:
            raise WolkvoxInputError(
                "max_concurrency %s is not valid: it must be 1 or more (the vendor allows 2 per token)"
                % _shown(max_concurrency)
            )
        if retry_delay is None or retry_delay < 0:
            raise WolkvoxInputError("retry_delay %s is not valid: it must be 0 or more" % _shown(retry_delay))
        self.server = server
        self._token = token
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_concurrency = int(max_concurrency)
        self.retry_delay = float(retry_delay)
        self._sleep = sleep
        self._slots = TokenSlots(server, token, self.max_concurrency, lock_dir)
        self._count_lock = threading.Lock()
        self.api_calls = 0
        self._local = threading.local()
        self._sessions = []

    # -- plumbing -------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.max_redirects = 0
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
        return text.replace(self._token, "********") if self._token else text

    def _count(self):
        with self._count_lock:
            self.api_calls += 1

    def _once(self, method, path, params, what):
        """One HTTP exchange. Returns (body, retry_after) or raises WolkvoxError."""
        url = self.base_url + path
        handle = self._slots.acquire()
        try:
            self._count()
            try:
                response = self._session().request(
                    method, url, params=params, timeout=self.timeout, allow_redirects=False
                )
                status, text, headers = response.status_code, response.text, response.headers
            except requests.exceptions.SSLError as exc:
                raise WolkvoxError(
                    "%s failed: TLS verification of %s failed (%s); set ca_path to the CA bundle of a private "
                    "endpoint, or validate_certs: false only for a test endpoint"
                    % (what, self.base_url, self._redact(_snippet(str(exc)))),
                    kind="tls",
                )
            except requests.exceptions.Timeout:
                raise WolkvoxError(
                    "%s failed: no answer from %s within %s seconds (timeout)" % (what, self.base_url, self.timeout),
                    retryable=True,
                    kind="timeout",
                )
            except requests.exceptions.ConnectionError as exc:
                raise WolkvoxError(
                    "%s failed: cannot connect to %s (%s)" % (what, self.base_url, self._redact(_snippet(str(exc)))),
                    retryable=True,
                    kind="connection",
                )
            except requests.exceptions.RequestException as exc:
                raise WolkvoxError("%s failed: %s" % (what, self._redact(_snippet(str(exc)))))
        finally:
            self._slots.release(handle)
        try:
            return interpret(status, text, what)
        except WolkvoxError as exc:
            exc.message = self._redact(exc.message)
            exc.retry_after = retry_after_seconds(headers.get("Retry-After"))
            raise

    def _call(self, method, path, params, what):
        attempt = 0
        while True:
            try:
                return self._once(method, path, params, what)
            except WolkvoxError as exc:
                if not exc.retryable or attempt >= self.retries:
                    if exc.retryable and attempt:
                        exc.message += " (after %d retries)" % attempt
                    raise
                delay = getattr(exc, "retry_after", None)
                if delay is None:
                    delay = backoff_delay(attempt, self.retry_delay)
                attempt += 1
                self._sleep(delay)

    # -- the API --------------------------------------------------------------------------

    def list_agents(self):
        """Every agent of the operation, with agent_id as str. One request (plus retries)."""
        body = self._call("GET", "/api/v2/information.php", {"api": "agents"}, "reading the agents list")
        data = body.get("data")
        if data is None:
            return []
        if not isinstance(data, list):
            raise WolkvoxError("reading the agents list failed: 'data' is not a list (%s)" % _snippet(json.dumps(data)[:200]))
        agents = []
        for record in data:
            if isinstance(record, dict) and record.get("agent_id") is not None:
                record["agent_id"] = str(record["agent_id"]).strip()
                agents.append(record)
        return agents

    def change_status(self, agent_id, status):
        """Move one agent. Returns the API's message. Retrying is safe: the call sets a state."""
        body = self._call(
            "POST",
            "/api/v2/agentbox.php",
            {"api": "change_status", "agent_id": agent_id, "status": status},
            "changing agent %s to %s" % (agent_id, status),
        )
        return body.get("msg") or "status changed"

    def change_many(self, changes):
        """Send [(agent_id, status), ...] with max_concurrency requests in flight.

        Never raises for one agent: returns a list, in input order, of (ok, msg_or_error).
        """
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
                try:
                    results[index] = (True, self.change_status(agent_id, status))
                except WolkvoxError as exc:
                    results[index] = (False, exc)
                except Exception as exc:  # noqa: BLE001 - one agent's surprise must not lose the others
                    results[index] = (False, WolkvoxError(self._redact("unexpected error: %s" % exc)))

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
