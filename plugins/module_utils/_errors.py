# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The error types of the collection, and how user values and secrets appear in messages.

    WolkvoxError                 every expected failure; its text never holds the token
      WolkvoxInputError          a bad option value, found before any request
      WolkvoxLocalError          the controller cannot do its part (lock directory, missing library)
      WolkvoxTransportError      no answer: connection refused or broken, timeout, TLS
      WolkvoxApiError            an answer that is an error (HTTP status, body code/error/msg)
        WolkvoxAuthError         the token or the server is wrong (401, 403 "PLEASE VALIDATE TOKEN")
          WolkvoxForbiddenError  403 with no JSON body: wrong token, IP allow-list or maintenance
        WolkvoxTokenBusyError    back-pressure: the token already has as many requests in flight as
                                 the vendor allows; not executed, try again
        WolkvoxQuotaError        the operation's daily request quota is spent ("TOKEN LIMIT EXCEEDED")
        WolkvoxEndpointError     the URL does not lead to the API ("THE API YOU WANT TO CONSULT DOES NOT EXIST")
        WolkvoxNoRecordsError    404 on a read: nothing to list (the agents read makes it an empty list)
        WolkvoxAgentRefusedError a refusal that depends on the agent (in a contact, not logged in,
                                 disabled, unknown): never retried, never taken for a refusal of the state
      WolkvoxNotSentError        a change held back without a request (the state or the quota was refused)

Two kinds of "busy" are kept apart: the *token* busy (WolkvoxTokenBusyError, retried as
back-pressure) and an *agent* busy, handling a contact (busy_states in the planner, or a
WolkvoxAgentRefusedError when the API refuses the change). Every error carries ``reason``: its
message without the "<what> failed: " preamble, so callers never parse message text.
"""

from __future__ import annotations

SNIPPET = 120
# A file path is shown whole (up to PATH_MAX): a cut path is useless for finding the file.
PATH_LIMIT = 4096
MASK = "********"


class WolkvoxError(Exception):
    """An expected failure. Subclasses say what kind; ``retryable`` says whether trying the
    same request again may work."""

    retryable = False

    def __init__(self, message, http_status=None, code=None, error=None, api_msg=None, retryable=None, reason=None):
        super(WolkvoxError, self).__init__(message)
        self.reason = reason if reason is not None else message
        self.http_status = http_status
        self.code = code
        self.error = error
        self.api_msg = api_msg
        if retryable is not None:
            self.retryable = retryable
        self.retry_after = None

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
        """What the API answered, or None when no answer is involved (nothing to show)."""
        values = {"http_status": self.http_status, "code": self.code, "error": self.error, "msg": self.api_msg}
        if all(value is None for value in values.values()):
            return None
        return values


class WolkvoxInputError(WolkvoxError):
    """A bad option value, found before any request is sent."""


class WolkvoxLocalError(WolkvoxError):
    """The controller cannot do its part (a lock directory, a missing library)."""


class WolkvoxTransportError(WolkvoxError):
    """No usable answer: the connection failed or broke, the request timed out, TLS failed."""


class WolkvoxApiError(WolkvoxError):
    """The API answered with an error."""


class WolkvoxAuthError(WolkvoxApiError):
    """The API refused the token (a wrong token, or the token of another server's operation)."""


class WolkvoxForbiddenError(WolkvoxAuthError):
    """HTTP 403 without a JSON body: a wrong token, a caller outside the operation's IP allow-list,
    or the vendor's maintenance (it refuses every call during backups)."""


class WolkvoxTokenBusyError(WolkvoxApiError):
    """Back-pressure: the token is in use by as many requests as the vendor allows (2). The request
    was not executed; try again. Not to be confused with an agent that is busy with a contact."""

    retryable = True


class WolkvoxQuotaError(WolkvoxApiError):
    """The operation's daily quota of report/information requests is spent: nothing more today
    for reads (changes are not counted). Never retried."""


class WolkvoxEndpointError(WolkvoxApiError):
    """The URL does not lead to the API (the vendor's "THE API YOU WANT TO CONSULT DOES NOT EXIST",
    or a 404 page that is not the API's): api_url or the path is wrong."""


class WolkvoxNoRecordsError(WolkvoxApiError):
    """HTTP 404 with the API's JSON on a read: no records (an operation with no agents)."""


class WolkvoxAgentRefusedError(WolkvoxApiError):
    """A change refused because of the agent's own condition (in a contact, not logged in,
    disabled, unknown). Never retried, never counted as a refusal of the desired state."""


class WolkvoxNotSentError(WolkvoxError):
    """A change held back without sending it: ``cause`` is the error that made the task stop
    sending (a state refused as such, a refused token, a spent quota)."""

    def __init__(self, message, cause=None, reason=None):
        details = {}
        if cause is not None:
            details = dict(http_status=cause.http_status, code=cause.code, error=cause.error, api_msg=cause.api_msg)
        super(WolkvoxNotSentError, self).__init__(message, reason=reason, **details)
        self.cause = cause

    @property
    def held(self):
        """Why the change was held back: 'quota' (the day's quota is spent) or 'refused' (the API
        refused the state, or the token, for the first agents)."""
        return "quota" if isinstance(self.cause, WolkvoxQuotaError) else "refused"


def scrub(text, secret):
    """``text`` with every occurrence of ``secret`` masked."""
    if isinstance(secret, str) and secret and isinstance(text, str):
        return text.replace(secret, MASK)
    return text


def shown(value, limit=80):
    """A short, printable representation of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def snippet(text):
    """A short one-line, printable excerpt of a body or an exception text."""
    text = "".join(c if c.isprintable() else " " for c in (text or "")[:4 * SNIPPET])
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."
