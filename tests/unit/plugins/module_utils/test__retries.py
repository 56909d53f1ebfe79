# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _retries: what is tried again, and how long to wait first. No real sleeping."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _retries
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxTokenBusyError,
    WolkvoxTransportError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import (
    BUSY_BASE,
    BUSY_MAX,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    RETRY_HTTP_STATUSES,
    RetryBudget,
    backoff_delay,
    retry_after_seconds,
)
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import SETTINGS, FakeTime

NOW = 1_700_000_000.0


def _http_date(offset):
    return format_datetime(datetime.fromtimestamp(NOW + offset, tz=timezone.utc), usegmt=True)


def test_retry_http_statuses():
    assert RETRY_HTTP_STATUSES == frozenset((429, 502, 503, 504))


# --------------------------------------------------------------------------------------------
# retry_after_seconds / backoff_delay
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("5", 5.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("60", 60.0),
        ("61", MAX_RETRY_AFTER),
        ("3600", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("-3", 0.0),
        ("-inf", 0.0),
        (_http_date(10), 10.0),
        (_http_date(-30), 0.0),
        (_http_date(86400), MAX_RETRY_AFTER),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("Wed, 99 Foo 2015 07:28:00 GMT", None),
        ("12 seconds", None),
        (5, None),
        (b"5", None),
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value, now=NOW) == expected


def test_retry_after_seconds_with_a_date_uses_the_clock_by_default(monkeypatch):
    monkeypatch.setattr(_retries.time, "time", lambda: NOW)
    assert retry_after_seconds(_http_date(20)) == 20.0


@pytest.mark.parametrize(
    "attempt, base, rnd, expected",
    [
        # half of the cap is fixed, half is jitter: cap * (0.5 + 0.5 * rng())
        (0, 1.0, 1.0, 1.0),
        (0, 1.0, 0.0, 0.5),
        (1, 1.0, 1.0, 2.0),
        (2, 1.0, 1.0, 4.0),
        (3, 1.0, 1.0, 8.0),
        (3, 1.0, 0.0, 4.0),
        (4, 1.0, 1.0, MAX_BACKOFF),
        (4, 1.0, 0.0, MAX_BACKOFF / 2),
        (10, 1.0, 1.0, MAX_BACKOFF),
        (2, 0.5, 0.5, 1.5),
        (0, 0.0, 1.0, 0.0),
        (5, 3.0, 0.25, MAX_BACKOFF * 0.625),
        (1100, 1.0, 1.0, MAX_BACKOFF),  # no OverflowError for a huge attempt number
        (10 ** 6, 0.001, 0.0, MAX_BACKOFF / 2),
    ],
)
def test_backoff_delay(attempt, base, rnd, expected):
    assert backoff_delay(attempt, base, rng=lambda: rnd) == pytest.approx(expected)


def test_backoff_delay_with_its_own_cap():
    assert backoff_delay(10, BUSY_BASE, rng=lambda: 1.0, cap_max=BUSY_MAX) == BUSY_MAX


def test_backoff_delay_stays_within_bounds_with_real_jitter():
    seen = set()
    for attempt in range(12):
        cap = min(MAX_BACKOFF, 2.0 ** attempt)
        for dummy in range(20):
            delay = backoff_delay(attempt, 1.0)
            assert cap / 2 <= delay <= cap
            seen.add(delay)
    assert len(seen) > 100  # jitter: parallel workers do not retry in lockstep


@SETTINGS
@given(st.one_of(st.none(), st.text(max_size=40), st.floats().map(str), st.integers().map(str),
                 st.sampled_from(["Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT"])))
def test_retry_after_is_none_or_bounded(value):
    seconds = retry_after_seconds(value)
    assert seconds is None or 0.0 <= seconds <= MAX_RETRY_AFTER


@SETTINGS
@given(st.integers(0, 10000), st.floats(0, 600), st.floats(0, 1))
def test_backoff_is_bounded_and_grows(attempt, base, draw):
    delay = backoff_delay(attempt, base, rng=lambda: draw)
    assert 0.0 <= delay <= MAX_BACKOFF
    assert delay >= min(MAX_BACKOFF, base * 2 ** min(attempt, 64)) / 2.0 - 1e-9


# --------------------------------------------------------------------------------------------
# RetryBudget: faults and busy answers, two budgets kept apart
# --------------------------------------------------------------------------------------------

def _error(kind, retry_after=None):
    exc = {
        "busy": lambda: WolkvoxTokenBusyError("x failed: busy"),
        "fault": lambda: WolkvoxTransportError("x failed: timeout", retryable=True),
        "answer": lambda: WolkvoxApiError("x failed: HTTP 400"),
    }[kind]()
    exc.retry_after = retry_after
    return exc


def _play(budget, clock, events):
    """Ask the budget after each event; sleep (move the clock on) as told. Returns the delays."""
    delays = []
    for event in events:
        kind, retry_after = event if isinstance(event, tuple) else (event, None)
        delay = budget.delay_after(_error(kind, retry_after))
        delays.append(None if delay is None else round(delay, 6))
        if delay is not None:
            clock.now += delay
    return delays


@pytest.mark.parametrize(
    "retries, busy_seconds, events, expected",
    [
        # faults: at most `retries` more tries, exponential backoff from retry_delay (1 s here)
        (2, 30, ["fault", "fault", "fault"], [1.0, 2.0, None]),
        (0, 30, ["fault"], [None]),
        (5, 30, ["fault"] * 6, [1.0, 2.0, 4.0, 8.0, MAX_BACKOFF, None]),
        # an answer that is an error is not tried again
        (3, 30, ["answer"], [None]),
        # busy answers: tried again for up to busy_seconds, short waits doubling from BUSY_BASE
        (0, 1, ["busy"] * 6, [0.05, 0.1, 0.2, 0.4, 0.25, None]),
        (0, 0, ["busy"], [None]),
        (0, 30, ["busy"] * 8, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, BUSY_MAX, BUSY_MAX]),
        # busy answers do not use up `retries`, and faults do not use up the busy time
        (1, 30, ["busy", "busy", "busy", "fault", "fault"], [0.05, 0.1, 0.2, 1.0, None]),
        (1, 1, ["fault", "busy", "busy", "fault"], [1.0, 0.05, 0.1, None]),
        # Retry-After is honoured in both, a busy wait never beyond the busy budget
        (3, 30, [("fault", 7.0)], [7.0]),
        (3, 30, [("busy", 5.0)], [5.0]),
        (3, 30, [("busy", 60.0), ("busy", 60.0)], [30.0, None]),
        (3, 30, [("fault", 0.0), "fault"], [0.0, 2.0]),
    ],
    ids=[
        "faults-budget", "retries-0", "backoff-capped", "answer-not-retried", "busy-time-bound", "busy-0-seconds",
        "busy-backoff-capped", "busy-keeps-retries", "faults-keep-busy-time", "retry-after-fault", "retry-after-busy",
        "retry-after-busy-capped", "retry-after-then-backoff",
    ],
)
def test_retry_budget(fake_time, retries, busy_seconds, events, expected):
    budget = RetryBudget(retries, 1.0, busy_seconds, clock=fake_time, rng=lambda: 1.0)
    assert _play(budget, fake_time, events) == expected


@pytest.mark.parametrize(
    "events, last, note",
    [
        (["fault", "fault", "fault"], "fault", " (after 2 retries)"),
        (["fault"], "answer", ""),
        ([], "fault", ""),
        ([], "answer", ""),
    ],
)
def test_retry_budget_note_after_faults(fake_time, events, last, note):
    budget = RetryBudget(2, 1.0, 30, clock=fake_time, rng=lambda: 1.0)
    _play(budget, fake_time, events)
    assert budget.note(_error(last)) == note


def test_retry_budget_note_after_busy(fake_time):
    budget = RetryBudget(3, 1.0, 1.0, clock=fake_time, rng=lambda: 1.0)
    delays = _play(budget, fake_time, ["busy"] * 6)
    assert delays[-1] is None
    note = budget.note(_error("busy"))
    assert note.startswith(" (the token stayed busy for 1 s, 5 busy answers: ")
    assert "another controller or tool uses this token" in note
    assert "2 requests in flight per token" in note


def test_retry_budget_busy_waits_are_jittered():
    draws = iter([0.0, 1.0, 0.5])
    budget = RetryBudget(3, 1.0, 30, clock=lambda: 0.0, rng=lambda: next(draws))
    delays = [budget.delay_after(_error("busy")) for dummy in range(3)]
    assert delays == pytest.approx([BUSY_BASE / 2, BUSY_BASE * 2, BUSY_BASE * 4 * 0.75])


@SETTINGS
@given(st.integers(0, 5), st.floats(0, 20), st.lists(st.sampled_from(["busy", "fault", "answer"]), max_size=60))
def test_retry_budget_is_bounded(retries, busy_seconds, events):
    clock = FakeTime(0.0)
    budget = RetryBudget(retries, 0.5, busy_seconds, clock=clock)
    busy_slept = 0.0
    faults = 0
    for event in events:
        delay = budget.delay_after(_error(event))
        if event == "answer":
            assert delay is None
        if delay is None:
            continue
        assert delay >= 0
        clock.now += delay
        if event == "busy":
            busy_slept += delay
            assert delay <= BUSY_MAX
        else:
            faults += 1
            assert delay <= MAX_BACKOFF
    assert faults <= retries
    assert busy_slept <= busy_seconds + 1e-9
