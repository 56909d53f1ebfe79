# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""When a request is tried again, and how long to wait first.

Two budgets, kept apart:
- faults (connection errors, timeouts, HTTP 429/502/503/504): at most ``retries`` more tries,
  exponential backoff from ``retry_delay``;
- "token busy" answers (the vendor's limit of 2 requests in flight per token, shared with other
  controllers and tools): the request was not executed, so it is tried again for up to
  ``busy_seconds`` (the request timeout), with short jittered waits, whatever ``retries`` says.
A ``Retry-After`` header is honoured in both. Sleep, clock and randomness are injectable.
"""

from __future__ import annotations

import math
import random
import time
from email.utils import parsedate_to_datetime

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxTokenBusyError

# HTTP statuses worth another try:
# 429: the vendor (or a proxy) asks us to slow down; Retry-After may say for how long.
# 502/503/504: a gateway or the PHP back end is briefly unavailable; the call had no effect.
# Every other status is an answer and is reported, not retried.
RETRY_HTTP_STATUSES = frozenset((429, 502, 503, 504))
MAX_RETRY_AFTER = 60.0
MAX_BACKOFF = 10.0
# Waits after a busy answer: from BUSY_BASE doubling to BUSY_MAX, jittered. Short, because the
# other request holding the token usually ends within one API latency.
BUSY_BASE = 0.05
BUSY_MAX = 2.0


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


def backoff_delay(attempt, base, rng=random.random, cap_max=MAX_BACKOFF):
    """Exponential backoff with jitter: uniform in [cap/2, cap] with cap = base * 2**attempt,
    at most ``cap_max``. Half is fixed so a retry always waits; half is random so that
    parallel workers that failed together do not retry together."""
    cap = min(cap_max, base * (2 ** min(attempt, 64)))
    return cap / 2.0 + cap / 2.0 * rng()


class RetryBudget(object):
    """The retry decisions for one request: ``delay_after(exc)`` gives the seconds to wait before
    trying again, or None to give up (then ``note()`` says what was tried)."""

    def __init__(self, retries, retry_delay, busy_seconds, clock=time.monotonic, rng=random.random):
        self.retries = retries
        self.retry_delay = retry_delay
        self.busy_seconds = busy_seconds
        self.clock = clock
        self.rng = rng
        self.faults = 0
        self.busy = 0
        self.busy_since = None

    def delay_after(self, exc):
        if isinstance(exc, WolkvoxTokenBusyError):
            now = self.clock()
            if self.busy_since is None:
                self.busy_since = now
            left = self.busy_since + self.busy_seconds - now
            if left <= 0:
                return None
            self.busy += 1
            delay = exc.retry_after if exc.retry_after is not None else backoff_delay(self.busy - 1, BUSY_BASE, self.rng, BUSY_MAX)
            return min(delay, left)
        if not exc.retryable or self.faults >= self.retries:
            return None
        self.faults += 1
        if exc.retry_after is not None:
            return exc.retry_after
        return backoff_delay(self.faults - 1, self.retry_delay, self.rng)

    def note(self, exc):
        """What to add to the final error's message, or ''."""
        if isinstance(exc, WolkvoxTokenBusyError):
            return (
                " (the token stayed busy for %g s, %d busy answers: another controller or tool uses this token "
                "at the same time; the vendor allows 2 requests in flight per token)" % (self.busy_seconds, self.busy)
            )
        if exc.retryable and self.faults:
            return " (after %d retries)" % self.faults
        return ""
