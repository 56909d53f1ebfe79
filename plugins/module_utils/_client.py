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
import ssl
import stat
import tempfile
import threading
import time
from email.utils import parsedate_to_datetime

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


# Anchored with \Z, not $: "$" also matches before a trailing newline, which would let
# "0042\n" through into a host name and a header.
SERVER_RE = re.compile(r"^[A-Za-z0-9-]{1,32}\Z")
AGENT_ID_RE = re.compile(r"^[0-9]{1,20}\Z")
AUX_STATUS_RE = re.compile(r"^[0-9]{1,10}\Z")
# A token goes into an HTTP header: printable ASCII without blanks (what the vendor issues).
TOKEN_RE = re.compile(r"^[\x21-\x7e]{1,4096}\Z")
# What an api_url may hold: a DNS name or IP literal, an optional port, an optional plain path.
URL_HOST_RE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])\Z")
URL_PORT_RE = re.compile(r"^[0-9]{1,5}\Z")
URL_PATH_RE = re.compile(r"^(?:/[A-Za-z0-9._~-]*)*\Z")
DEFAULT_STATES = ("ready", "logout")

# HTTP statuses worth another try:
# 429: the vendor (or a proxy) asks us to slow down; Retry-After may say for how long.
# 502/503/504: a gateway or the PHP back end is briefly unavailable; the call had no effect.
# Every other status is an answer and is reported, not retried.
RETRY_HTTP_STATUSES = frozenset((429, 502, 503, 504))
# Words the vendor uses when one token is consumed by more requests at once than it allows
# ("the same token cannot be consumed simultaneously").
BUSY_RE = re.compile(r"simult|concurren|busy|too many|in use|en uso|ocupad", re.IGNORECASE)
MAX_RETRY_AFTER = 60.0
MAX_BACKOFF = 10.0
SNIPPET = 120
# Bounds of the numeric options: beyond them a value is a typo, not a wish.
LIMITS = {
    "timeout": (0.0, 3600.0, False),
    "retries": (0, 100, True),
    "retry_delay": (0.0, 600.0, False),
    "max_concurrency": (1, 64, True),
}


class WolkvoxError(Exception):
    """The one error type of the collection. Its text never holds the token."""

    def __init__(self, message, http_status=None, code=None, error=None, api_msg=None, retryable=False, kind="api"):
        super(WolkvoxError, self).__init__(message)
        self.http_status = http_status
        self.code = code
        self.error = error
        self.api_msg = api_msg
        self.retryable = retryable
        self.kind = kind

    # The message lives in args[0] only, so str(), repr() and tracebacks always show the same,
    # already redacted, text.
    @property
    def message(self):
        return self.args[0] if self.args else ""

    @message.setter
    def message(self, value):
        self.args = (value,) + tuple(self.args[1:])

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


def _scrub(text, secret):
    """``text`` with every occurrence of ``secret`` masked."""
    if isinstance(secret, str) and secret and isinstance(text, str):
        return text.replace(secret, "********")
    return text


# A file path is shown whole (up to PATH_MAX): a cut path is useless for finding the file.
PATH_LIMIT = 4096


def _shown(value, limit=80):
    """A short, printable representation of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


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


def _shown_url(api_url):
    """An api_url for an error message, with credentials, query and fragment masked."""
    text = api_url
    scheme, sep, rest = text.partition("://")
    if sep:
        authority, slash, tail = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        text = scheme + sep + authority + slash + tail
    for mark in ("?", "#"):
        if mark in text:
            text = text.split(mark, 1)[0] + mark + "***"
    return _shown(text)


def build_base_url(server, api_url=None):
    """The base URL of the operation: the vendor's host name, or a validated override.

    An override may carry a port and a plain path (a proxy, the simulator), never credentials,
    a query, a fragment, another scheme, or characters that parsers disagree about."""
    validate_server(server)
    if api_url is None or api_url == "":
        return "https://wv%s.wolkvox.com" % server
    if not isinstance(api_url, str):
        raise WolkvoxInputError("api_url %s is not valid: it must be an http(s) URL" % _shown(api_url))
    reason = None
    scheme, sep, rest = api_url.partition("://")
    authority, slash, path = rest.partition("/")
    host, colon, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
    if not colon:
        host, port = authority, ""
    if any(c.isspace() or ord(c) < 32 or ord(c) > 126 for c in api_url):
        reason = "it must be an ASCII URL without blanks or control characters"
    elif not sep or scheme.lower() not in ("http", "https"):
        reason = "only http:// and https:// URLs are supported"
    elif "\\" in api_url:
        reason = "a backslash is not allowed"
    elif "@" in authority:
        reason = "credentials in the URL are not allowed (the token is sent in a header)"
    elif "?" in api_url or "#" in api_url:
        reason = "a query string or fragment is not allowed"
    elif not host:
        reason = "it has no host name"
    elif not URL_HOST_RE.match(host) or ".." in host:
        reason = "%s is not a valid host name" % _shown(host)
    elif colon and (not URL_PORT_RE.match(port) or not 0 < int(port) < 65536):
        reason = "the port must be a number from 1 to 65535"
    elif not URL_PATH_RE.match(slash + path):
        reason = "the path may only hold letters, digits and . _ ~ - /"
    if reason:
        raise WolkvoxInputError("api_url %s is not valid: %s" % (_shown_url(api_url), reason))
    return api_url.rstrip("/")


def validate_number(name, value):
    """A numeric connection option within its bounds (see LIMITS), as int or float."""
    low, high, integer = LIMITS[name]
    kind = "a whole number" if integer else "a number"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and integer and isinstance(value, float):
        ok = value.is_integer()
    if ok:
        ok = not math.isnan(value) and not math.isinf(value)
    if ok:
        ok = (low < value if name == "timeout" else low <= value) and value <= high
    if not ok:
        bounds = "above %g and at most %g" % (low, high) if name == "timeout" else "from %g to %g" % (low, high)
        raise WolkvoxInputError("%s %s is not valid: it must be %s %s" % (name, _shown(value), kind, bounds))
    return int(value) if integer else float(value)


def validate_token(token):
    """The token must be present and sendable as a header. Messages never show it."""
    if not isinstance(token, str) or not token.strip():
        raise WolkvoxInputError("wolkvox_token is empty: set the option or the WOLKVOX_TOKEN environment variable")
    if not TOKEN_RE.match(token):
        raise WolkvoxInputError(
            "wolkvox_token is not valid: it must be printable ASCII without blanks (it is sent as an HTTP header); "
            "check for a stray space, newline or quote around it"
        )
    return token


def validate_ca_path(ca_path):
    """A CA bundle (PEM file or hashed directory) that can actually be loaded."""
    if not isinstance(ca_path, str) or not ca_path:
        raise WolkvoxInputError("ca_path %s is not valid: it must be the path of a PEM CA bundle" % _shown(ca_path))
    if not os.path.exists(ca_path):
        raise WolkvoxInputError("ca_path %s does not exist" % _shown(ca_path, PATH_LIMIT))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if os.path.isdir(ca_path):
            context.load_verify_locations(capath=ca_path)
        else:
            context.load_verify_locations(cafile=ca_path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise WolkvoxInputError(
            "ca_path %s cannot be used as a CA bundle (%s): it must hold PEM certificates" % (_shown(ca_path, PATH_LIMIT), _snippet(str(exc)))
        )
    return ca_path


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


TAG_RE = re.compile(r"<[^>]*>")
# The telling part of a requests/urllib3 exception text, which otherwise starts with pool details.
REASON_RE = re.compile(
    r"certificate verify failed[^'\")]*|hostname [^'\")]*doesn't match[^'\")]*|\[Errno -?[0-9]+\][^'\")]*"
    r"|Connection aborted|Remote end closed connection without response|Connection refused|Connection reset by peer"
    r"|IncompleteRead\([^)]*\)|Read timed out|wrong version number|Connection broken"
)


def _reason(exc):
    """A short reason for a network exception: the telling phrase when there is one."""
    text = str(exc)
    found = REASON_RE.findall(text)
    return _snippet(found[-1] if found else text)


def _snippet(text):
    """A short one-line, printable excerpt of a body or an exception text."""
    text = "".join(c if c.isprintable() else " " for c in (text or "")[:4 * SNIPPET])
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def _describe_body(text, parsed):
    """How a body that is not a JSON object looks, for an error message."""
    if not text or not text.strip():
        return "an empty body"
    if parsed:
        return "JSON that is not an object (%s)" % _snippet(text)
    head = text.lstrip()[:200].lower()
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<body" in head or "<h1" in head):
        return "an HTML page instead of JSON (%s)" % (_snippet(TAG_RE.sub(" ", text)) or "no text")
    if head.startswith(("{", "[")):
        return "a body that is not JSON, perhaps cut short (%s)" % _snippet(text)
    return "a body that is not JSON (%s)" % _snippet(text)


def interpret(http_status, text, what="request"):
    """Turn an HTTP answer into the body dict, or raise WolkvoxError saying why it failed."""
    if 300 <= http_status < 400:
        raise WolkvoxError(
            "%s was answered with a redirect (HTTP %d); redirects are not followed so that the token "
            "never reaches another host: check api_url / wolkvox_server" % (what, http_status),
            http_status=http_status,
        )
    text = text if isinstance(text, str) else ""
    try:
        body = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        body = None
        parsed = False
    else:
        parsed = True
    if not isinstance(body, dict):
        raise WolkvoxError(
            "%s failed: HTTP %d with %s" % (what, http_status, _describe_body(text, parsed)),
            http_status=http_status,
            retryable=http_status in RETRY_HTTP_STATUSES,
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
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            if when is None:
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff_delay(attempt, base, rng=random.random):
    """Exponential backoff with jitter: uniform in [cap/2, cap] with cap = base * 2**attempt,
    at most MAX_BACKOFF. Half is fixed so a retry always waits; half is random so that
    parallel workers that failed together do not retry together."""
    cap = min(MAX_BACKOFF, base * (2 ** min(attempt, 64)))
    return cap / 2.0 + cap / 2.0 * rng()


class TokenSlots(object):
    """A counting semaphore of ``size`` slots per (server, token), shared by every process of
    one controller user: one lock file per slot, held with ``flock``. The kernel drops a lock
    when its holder dies, so a killed run never leaves a slot taken. File names carry a hash
    of server and token, never the token."""

    POLL = 0.002
    POLL_MAX = 0.025

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
            try:
                os.mkdir(directory, 0o700)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
            info = os.lstat(directory)
        except OSError as exc:
            raise WolkvoxError(
                "cannot make the lock directory %s of the token's concurrency limit (%s); set TMPDIR to a "
                "writable directory of the controller" % (directory, exc.strerror),
                kind="local",
            )
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
        pause = self.POLL
        try:
            while True:
                for i in range(self.size):
                    path = self.paths[(start + i) % self.size]
                    try:
                        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    except OSError as exc:
                        raise WolkvoxError(
                            "cannot open the lock file %s of the token's concurrency limit (%s)" % (path, exc.strerror),
                            kind="local",
                        )
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except (IOError, OSError):
                        os.close(fd)
                        continue
                    return fd
                # Every slot is taken by another process: poll, backing off a little, so that
                # twenty waiting forks do not spin the controller's CPUs.
                time.sleep(pause * (1 + random.random()))
                pause = min(self.POLL_MAX, pause * 1.5)
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
        # Every option is checked here, before any request; no message shows the token.
        try:
            self.base_url = build_base_url(server, api_url)
        except WolkvoxInputError as exc:
            raise WolkvoxInputError(_scrub(str(exc), token))
        validate_token(token)
        if len(token) >= 8 and token in self.base_url:
            # The token would end up in a URL, in logs and in error messages.
            raise WolkvoxInputError(
                "api_url is not valid: it contains the token; the token is sent only in the wolkvox-token header"
            )
        self.timeout = validate_number("timeout", timeout)
        self.retries = validate_number("retries", retries)
        self.max_concurrency = validate_number("max_concurrency", max_concurrency)
        self.retry_delay = validate_number("retry_delay", retry_delay)
        if not isinstance(validate_certs, bool):
            raise WolkvoxInputError("validate_certs %s is not valid: it must be true or false" % _shown(validate_certs))
        if ca_path is not None and validate_certs:
            validate_ca_path(ca_path)
        self.server = server
        self._token = token
        self.verify = ca_path if (validate_certs and ca_path) else validate_certs
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
        return _scrub(text, self._token)

    def _redact_error(self, exc):
        """Scrub the token from every text an error carries (a server may echo what it got)."""
        exc.message = self._redact(exc.message)
        for name in ("code", "error", "api_msg"):
            value = getattr(exc, name)
            if isinstance(value, str):
                setattr(exc, name, self._redact(value))
            elif value is not None and not isinstance(value, (int, float, bool)):
                setattr(exc, name, self._redact(_snippet(json.dumps(value, default=str))))
        return exc

    def _count(self):
        with self._count_lock:
            self.api_calls += 1

    def _once(self, method, path, params, what):
        """One HTTP exchange, holding one of the token's slots. Returns the body or raises WolkvoxError."""
        url = self.base_url + path
        handle = self._slots.acquire()
        try:
            self._count()
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
                status, headers = response.status_code, response.headers
                text = response.content.decode("utf-8-sig", "replace")
            except requests.exceptions.SSLError as exc:
                raise WolkvoxError(
                    "%s failed: the TLS connection to %s failed (%s); if the endpoint has a certificate of a "
                    "private CA, set ca_path to that CA's bundle (validate_certs: false only for a test endpoint)"
                    % (what, self.base_url, self._redact(_reason(exc))),
                    kind="tls",
                )
            except requests.exceptions.Timeout:
                raise WolkvoxError(
                    "%s failed: no answer from %s within %s seconds (timeout)" % (what, self.base_url, self.timeout),
                    retryable=True,
                    kind="timeout",
                )
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                # Refused, reset, or cut off mid-answer: the network, not an answer. Retrying is
                # safe because a change_status call sets a state (sending it twice is harmless).
                raise WolkvoxError(
                    "%s failed: cannot connect to %s or the connection broke (%s)"
                    % (what, self.base_url, self._redact(_reason(exc))),
                    retryable=True,
                    kind="connection",
                )
            except requests.exceptions.RequestException as exc:
                raise WolkvoxError("%s failed: %s" % (what, self._redact(_snippet(str(exc)))))
            except (ValueError, OSError) as exc:
                # Raised below requests (e.g. by the TLS set-up); a clean error, not a traceback.
                raise WolkvoxError("%s failed: %s" % (what, self._redact(_snippet(str(exc)))), kind="local")
        finally:
            self._slots.release(handle)
        try:
            return interpret(status, text, what)
        except WolkvoxError as exc:
            self._redact_error(exc)
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
