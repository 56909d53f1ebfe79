# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How the vendor's answers are read: the success rule, the vendor's error table, its quirks.

Success: HTTP 2xx, ``error`` absent/null/empty, and ``code`` absent, empty, 0/"0" or a 2xx
("200", 200, 202). The vendor's own sample for the agents list has "code": "", other reads
answer "0" and change_status "200". Errors come with real HTTP statuses and a JSON body
{code, error, msg}, or (older answers, proxies) as HTTP 200 with the error in the body: both
are read the same way. Each row of the vendor's table becomes its own error type (_errors);
see docs/vendor-api.md for the table and its sources.
"""

from __future__ import annotations

import json
import re

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxAgentRefusedError,
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxEndpointError,
    WolkvoxForbiddenError,
    WolkvoxNoRecordsError,
    WolkvoxQuotaError,
    WolkvoxTokenBusyError,
    scrub,
    shown,
    snippet,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import RETRY_HTTP_STATUSES

# The vendor's words, and their usual cousins (English and Spanish), one pattern per row of its table.
# The day's quota: "TOKEN LIMIT EXCEEDED". Checked before the others (it names the token).
QUOTA_RE = re.compile(r"token limit exceeded|daily (?:quota|limit)|request quota|l[ií]mite diario|cuota", re.I)
# Back-pressure: "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)", "the same token cannot be
# consumed simultaneously". Words about the token's requests, never about an agent.
TOKEN_BUSY_RE = re.compile(
    r"simult|concurren|at the same time|al mismo tiempo|too many requests"
    r"|token\W+(?:is\W+|est[aá]\W+)?(?:busy|in use|en uso|ocupad)", re.I)
# A refusal that depends on the agent: in a contact, not logged in, disabled, unknown, "Agent busy".
AGENT_RE = re.compile(
    r"not logged|logged out|not connected|no est[aá] (?:logueado|conectado)|sin sesi[oó]n"
    r"|in (?:a )?(?:call|contact)|en (?:llamada|contacto)|on (?:a )?call"
    r"|agent(?:e)?\W+(?:is\W+|est[aá]\W+)?(?:busy|ocupad|disabled|deshabilitad|inactiv)"
    r"|agent(?:e)?\W+(?:does not|doesn't|no)\W+exist",
    re.I,
)
ENDPOINT_RE = re.compile(r"api you want to consult does not exist|unknown api|api (?:does not|doesn't) exist", re.I)
PARAMS_RE = re.compile(r"parameters? (?:are|is) required|missing parameter|faltan par[aá]metros", re.I)
PARAMS_HINT = (
    "the API says a parameter of this request is missing (the request above names what was sent); "
    "this is a defect of the collection or of a proxy that drops the query string: please report it"
)
# The token was refused: "PLEASE VALIDATE TOKEN", "PLEASE ENTER THE WOLKVOX-TOKEN", "Invalid token or server".
AUTH_RE = re.compile(r"token|unauthori[sz]ed|access denied|authenticat|credential|acceso denegado|no autorizado", re.I)
TAG_RE = re.compile(r"<[^>]*>")
# The telling part of a requests/urllib3 exception text, which otherwise starts with pool details.
REASON_RE = re.compile(
    r"certificate verify failed[^'\")]*|hostname [^'\")]*doesn't match[^'\")]*|\[Errno -?[0-9]+\][^'\")]*"
    r"|Connection aborted|Remote end closed connection without response|Connection refused|Connection reset by peer"
    r"|IncompleteRead\([^)]*\)|Read timed out|wrong version number|Connection broken"
)

AUTH_HINT = (
    "authentication failed - check wolkvox_token (it must be a token of this operation), "
    "and wolkvox_server %s (the server code that token belongs to)"
)
FORBIDDEN_HINT = (
    "the vendor refuses this call without saying why, which it does for three causes: a wrong token (check "
    "wolkvox_token and wolkvox_server %s); this machine's IP address not in the operation's allow-list (wolkvox "
    "Manager; on AWX/AAP, the execution nodes' addresses); or maintenance (every call is refused during the "
    "vendor's backups: try again later)"
)
QUOTA_HINT = (
    "the operation's daily quota of API requests is spent (licences x 1000 requests a day to the report, "
    "information and real-time APIs, shared by all the operation's tokens). It resets daily; state changes are "
    "not counted, so a wolkvox_agent_status task with force: true (sends the changes without reading the "
    "agents list) still applies changes today"
)
ENDPOINT_HINT = (
    "the URL does not lead to the Wolkvox API: check api_url (role variable wolkvox_api_url, environment "
    "WOLKVOX_API_URL), which must be the operation's base URL (https://wv<server>.wolkvox.com) with no path "
    "beyond a proxy's prefix"
)


def code_text(code):
    """The body's code as text: "200", 202 and 202.0 all read as they are written."""
    if code is None or isinstance(code, bool):
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code).strip()


def code_number(code):
    """The body's code as an int, or None when it is empty or not a whole number."""
    text = code_text(code)
    return int(text) if re.match(r"^-?[0-9]{1,6}\Z", text) else None


def no_error(value):
    """The body's ``error`` says "no error": absent, null, empty or false."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value))


def is_success(http_status, body):
    """The vendor's rule: HTTP 2xx, no error, and a code that is absent, empty, 0 or a 2xx."""
    if not (200 <= http_status < 300) or not isinstance(body, dict) or not no_error(body.get("error")):
        return False
    if isinstance(body.get("code"), bool):
        return False
    if code_text(body.get("code")) == "":
        return True
    number = code_number(body.get("code"))
    return number is not None and (number == 0 or 200 <= number < 300)


def words(body):
    return " ".join(str(body.get(k) or "") for k in ("error", "msg")) if isinstance(body, dict) else ""


def is_token_busy(http_status, body):
    """Back-pressure (the token's 2 requests in flight): HTTP 429, code 429, or the vendor's words."""
    if http_status == 429 or (isinstance(body, dict) and code_text(body.get("code")) == "429"):
        return True
    return bool(TOKEN_BUSY_RE.search(words(body)))


def effective_status(http_status, body):
    """The HTTP status, or the body's code when the error came in an HTTP 2xx answer."""
    if 200 <= http_status < 300 and isinstance(body, dict):
        return code_number(body.get("code")) or http_status
    return http_status


def is_auth_failure(http_status, body):
    """The token was refused: 401, or 403 with words about a token or access (not about an agent)."""
    status = effective_status(http_status, body)
    if status == 401 or http_status == 401:
        return True
    text = words(body)
    return status == 403 and bool(AUTH_RE.search(text)) and not re.search(r"\bagent", text, re.I)


def reason(exc):
    """A short reason for a network exception: the telling phrase when there is one."""
    text = str(exc)
    found = REASON_RE.findall(text)
    return snippet(found[-1] if found else text)


def describe_body(text, parsed):
    """How a body that is not a JSON object looks, for an error message."""
    if not text or not text.strip():
        return "an empty body"
    if parsed:
        return "JSON that is not an object (%s)" % snippet(text)
    head = text.lstrip()[:200].lower()
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<body" in head or "<h1" in head):
        return "an HTML page instead of JSON (%s)" % (snippet(TAG_RE.sub(" ", text)) or "no text")
    if head.startswith(("{", "[")):
        return "a body that is not JSON, perhaps cut short (%s)" % snippet(text)
    return "a body that is not JSON (%s)" % snippet(text)


def _without_json(http_status, text, parsed, what, server):
    """The error for an answer whose body is not a JSON object."""
    why = "HTTP %d with %s" % (http_status, describe_body(text, parsed))
    if http_status == 403:
        why += ": " + FORBIDDEN_HINT % shown(server)
        return WolkvoxForbiddenError("%s failed: %s" % (what, why), http_status=http_status, reason=why)
    if http_status == 401:
        why += ": " + AUTH_HINT % shown(server)
        return WolkvoxAuthError("%s failed: %s" % (what, why), http_status=http_status, reason=why)
    if http_status == 429:
        why = "HTTP 429 (too many requests)"
        return WolkvoxTokenBusyError("%s failed: %s" % (what, why), http_status=http_status, reason=why)
    if http_status in (400, 404, 405) and not parsed:
        why += ": " + ENDPOINT_HINT
        return WolkvoxEndpointError("%s failed: %s" % (what, why), http_status=http_status, reason=why)
    return WolkvoxApiError("%s failed: %s" % (what, why), http_status=http_status, reason=why,
                           retryable=http_status in RETRY_HTTP_STATUSES)


def classify(http_status, body, read):
    """The error type of an answer that is not a success, and the hint to add (or None).

    An error in an HTTP 2xx answer is read by its body's code; ``read`` tells a read (404: no records) from a change (404: the agent does not exist)."""
    text = words(body)
    status = effective_status(http_status, body)
    if QUOTA_RE.search(text):
        return WolkvoxQuotaError, QUOTA_HINT
    if is_token_busy(http_status, body):
        return WolkvoxTokenBusyError, None
    if ENDPOINT_RE.search(text):
        return WolkvoxEndpointError, ENDPOINT_HINT
    if is_auth_failure(http_status, body):
        return WolkvoxAuthError, AUTH_HINT
    if status == 404 and read:
        return WolkvoxNoRecordsError, None
    if not read and (status == 409 or AGENT_RE.search(text)):
        return WolkvoxAgentRefusedError, None
    if PARAMS_RE.search(text):
        return WolkvoxApiError, PARAMS_HINT
    return WolkvoxApiError, None


def redact_error(exc, secret):
    """``exc`` with ``secret`` scrubbed from every text it carries (a server may echo what it got)."""
    exc.message, exc.reason = scrub(exc.message, secret), scrub(exc.reason, secret)
    for name in ("code", "error", "api_msg"):
        value = getattr(exc, name)
        if isinstance(value, str):
            setattr(exc, name, scrub(value, secret))
        elif value is not None and not isinstance(value, (int, float, bool)):
            setattr(exc, name, scrub(snippet(json.dumps(value, default=str)), secret))
    return exc


def records(body, what):
    """The records of a list answer (its ``data``) that have an agent_id, made a str; [] for none."""
    data = body.get("data")
    if data is None:
        return []
    if not isinstance(data, list):
        raise WolkvoxApiError("%s failed: 'data' is not a list (%s)" % (what, snippet(json.dumps(data)[:200])))
    found = []
    for record in data:
        if isinstance(record, dict) and record.get("agent_id") is not None:
            record["agent_id"] = str(record["agent_id"]).strip()
            found.append(record)
    return found


def one_record(body, what):
    """The record of an answer whose ``data`` is a record or a list of one record."""
    data = body.get("data")
    if isinstance(data, list):
        data = data[0] if data and isinstance(data[0], dict) else None
    if not isinstance(data, dict):
        raise WolkvoxApiError("%s failed: 'data' is not a record (%s)" % (what, snippet(json.dumps(data)[:200])))
    return data


def interpret(http_status, text, what="request", read=False, server=None):
    """Turn an HTTP answer into the body dict, or raise the WolkvoxApiError subclass that says why it failed.

    ``read``: the request reads (agents, token_info, real_time); ``server``: named in the hints."""
    if 300 <= http_status < 400:
        why = ("answered with a redirect (HTTP %d); redirects are not followed so that the token never reaches "
               "another host: check api_url / wolkvox_server" % http_status)
        raise WolkvoxApiError("%s was %s" % (what, why), http_status=http_status, reason=why)
    text = text if isinstance(text, str) else ""
    try:
        body = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        body = None
        parsed = False
    else:
        parsed = True
    if not isinstance(body, dict):
        raise _without_json(http_status, text, parsed, what, server)
    if is_success(http_status, body):
        return body
    code, error, msg = body.get("code"), body.get("error"), body.get("msg")
    cls, hint = classify(http_status, body, read)
    why = "HTTP %d, code %s, error %s, msg %s" % (http_status, shown(code), shown(error), shown(msg))
    if hint is not None:
        why += ": " + (hint % shown(server) if "%s" in hint else hint)
    elif 200 <= http_status < 300 and no_error(error) and (code_number(code) is None or code_number(code) < 300):
        why += " (an answer the API does not document as a success: reported as an error, nothing assumed)"
    details = dict(http_status=http_status, code=code, error=error, api_msg=msg, reason=why)
    if cls is WolkvoxApiError:
        details["retryable"] = http_status in RETRY_HTTP_STATUSES
    raise cls("%s failed: %s" % (what, why), **details)
