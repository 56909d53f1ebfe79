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
        WolkvoxAuthError         the token or the server is wrong
        WolkvoxBusyError         "token busy": the request was not executed, try again
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

    def __init__(self, message, http_status=None, code=None, error=None, api_msg=None, retryable=None):
        super(WolkvoxError, self).__init__(message)
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


class WolkvoxBusyError(WolkvoxApiError):
    """The token is in use by as many requests as the vendor allows: not executed, try again."""

    retryable = True


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
