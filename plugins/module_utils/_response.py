# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How the vendor's answers are read: its quirks, and what each kind of answer means.

The API is PHP-style: an error may come back with HTTP 200 and the error in the body, and
``code`` is sometimes a string ("200"), sometimes a number (202). Success is HTTP 2xx, no
``error`` and a ``code`` that starts with 2. Anything else raises a WolkvoxError subclass.
"""

from __future__ import annotations

import json
import re

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxBusyError,
    shown,
    snippet,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import RETRY_HTTP_STATUSES

# Words the vendor uses when one token is consumed by more requests at once than it allows
# ("the same token cannot be consumed simultaneously"), in English and Spanish.
BUSY_RE = re.compile(r"simult|concurren|busy|too many|in use|en uso|ocupad", re.IGNORECASE)
# An answer that means the token (or the token for this server) was refused.
AUTH_CODES = frozenset(("401", "403"))
AUTH_RE = re.compile(r"token|unauthori[sz]ed|access denied|authenticat|credential|acceso denegado|no autorizado", re.IGNORECASE)
AGENT_RE = re.compile(r"\bagent", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]*>")
# The telling part of a requests/urllib3 exception text, which otherwise starts with pool details.
REASON_RE = re.compile(
    r"certificate verify failed[^'\")]*|hostname [^'\")]*doesn't match[^'\")]*|\[Errno -?[0-9]+\][^'\")]*"
    r"|Connection aborted|Remote end closed connection without response|Connection refused|Connection reset by peer"
    r"|IncompleteRead\([^)]*\)|Read timed out|wrong version number|Connection broken"
)


def code_text(code):
    """The body's code as text: "200", 202 and 202.0 all read as they are written."""
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
    return code_text(body.get("code")).startswith("2")


def is_busy(http_status, body):
    """A "token busy" answer: not executed, try again (HTTP 429, code 429, or the vendor's words)."""
    if http_status == 429:
        return True
    if not isinstance(body, dict):
        return False
    if code_text(body.get("code")) == "429":
        return True
    text = " ".join(str(body.get(k) or "") for k in ("error", "msg"))
    return bool(BUSY_RE.search(text))


def is_auth_failure(http_status, body):
    """The token was refused: HTTP or body code 401/403 about a token or access, not about an agent."""
    code = code_text(body.get("code")) if isinstance(body, dict) else ""
    if http_status not in (401, 403) and code not in AUTH_CODES:
        return False
    if http_status == 401 or code == "401":
        return True
    text = " ".join(str(body.get(k) or "") for k in ("error", "msg")) if isinstance(body, dict) else ""
    return bool(AUTH_RE.search(text)) and not AGENT_RE.search(text)


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


def interpret(http_status, text, what="request"):
    """Turn an HTTP answer into the body dict, or raise a WolkvoxApiError saying why it failed."""
    if 300 <= http_status < 400:
        raise WolkvoxApiError(
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
        if http_status in (401, 403):
            raise WolkvoxAuthError(
                "%s failed: HTTP %d with %s" % (what, http_status, describe_body(text, parsed)), http_status=http_status
            )
        if http_status == 429:
            raise WolkvoxBusyError("%s failed: HTTP 429 (too many requests)" % what, http_status=http_status)
        raise WolkvoxApiError(
            "%s failed: HTTP %d with %s" % (what, http_status, describe_body(text, parsed)),
            http_status=http_status,
            retryable=http_status in RETRY_HTTP_STATUSES,
        )
    if is_success(http_status, body):
        return body
    code, error, msg = body.get("code"), body.get("error"), body.get("msg")
    details = dict(http_status=http_status, code=code, error=error, api_msg=msg)
    text = "%s failed: HTTP %d, code %s, error %s, msg %s" % (what, http_status, shown(code), shown(error), shown(msg))
    if is_busy(http_status, body):
        raise WolkvoxBusyError(text, **details)
    if is_auth_failure(http_status, body):
        raise WolkvoxAuthError(text, **details)
    raise WolkvoxApiError(text, retryable=http_status in RETRY_HTTP_STATUSES, **details)
