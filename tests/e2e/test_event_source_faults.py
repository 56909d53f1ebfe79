# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source wolkvox.contact_center.agent_states run directly (its main(), loaded from the
installed build with runpy.run_path as ansible-rulebook loads it) against a fault-injecting
simulator: it keeps polling through 503s, busy answers and an empty 403, makes one read per poll
(two with real_time), and stops with a clear message on a wrong token or a spent quota."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import runpy

import pytest

from conftest import TOKENS, collections_path

SOURCE_LOGGER = "wolkvox.contact_center.agent_states"
SERVER, TOKEN = TOKENS["bogota_sales"]


def plugin_path():
    return os.path.join(collections_path(), "ansible_collections", "wolkvox", "contact_center", "extensions", "eda",
                        "plugins", "event_source", "agent_states.py")


class Events(list):
    """The rulebook's queue: keeps what the source puts."""

    async def put(self, event):
        self.append(event)


def run_source(args, step, timeout=40.0):
    """Run the source's main(queue, args) until ``step(events)`` returns True (it is called every
    50 ms and may drive the simulator), the source ends, or ``timeout`` seconds pass.

    Returns (events, the exception the source ended with or None while it ran on)."""
    main = runpy.run_path(plugin_path())["main"]
    events = Events()

    async def drive():
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(main(events, args))
        deadline = loop.time() + timeout
        while not task.done():
            if step(events):
                break
            if loop.time() > deadline:
                task.cancel()
                pytest.fail("the source did not get there within %ss; events: %r" % (timeout, events[-5:]))
            await asyncio.sleep(0.05)
        if task.done():
            return task.exception()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return None

    ended = asyncio.run(drive())
    return events, ended


def source_args(sim, **extra):
    args = {"wolkvox_server": SERVER, "wolkvox_token": TOKEN, "api_url": sim.url, "interval": 0.3,
            "retries": 0, "retry_delay": 0.01, "timeout": 1.0}
    args.update(extra)
    return args


def messages(caplog, level=logging.WARNING):
    return [r.getMessage() for r in caplog.records if r.name == SOURCE_LOGGER and r.levelno >= level]


def readable(message):
    """One printable line an operator can read."""
    assert isinstance(message, str) and message.strip() and message.isprintable() and len(message) < 1500, message
    return True


def kinds(events):
    return [(e["wolkvox"]["type"], e["wolkvox"]["agent_id"]) for e in events]


@pytest.mark.slow
def test_keeps_polling_through_503s_busy_answers_and_an_empty_403(fresh, caplog):
    caplog.set_level(logging.DEBUG, logger=SOURCE_LOGGER)
    sim = fresh
    sim.fault("http", count=3, match="agents", status=503)  # the first three polls fail
    phase = {"name": "503s"}

    def step(events):
        failed = [m for m in messages(caplog) if "poll failed" in m]
        reads = sim.stats()["requests"]["agents"]
        if phase["name"] == "503s" and reads >= 5:  # three 503s, then two polls that read
            phase["name"] = "busy"
            sim.config(max_per_token=0)  # every request is now over the token's limit
        elif phase["name"] == "busy" and any(re.search(r"busy|simultaneous", m, re.I) for m in failed):
            sim.config(max_per_token=2)
            sim.fault("forbidden_empty", count=1, match="agents")  # after reads that worked: maintenance
            phase["name"] = "forbidden"
        elif phase["name"] == "forbidden" and any("HTTP 403" in m for m in failed):
            sim.set_agents("bogota_sales", {"1003": "Lunch"})
            phase["name"] = "change"
        return phase["name"] == "change" and ("state_changed", "1003") in kinds(events)

    try:
        events, ended = run_source(source_args(sim), step)
    finally:
        sim.config(max_per_token=2)  # the suite's other tests share this simulator
    assert ended is None, ended
    assert kinds(events) == [("state_changed", "1003")]
    event = events[0]["wolkvox"]
    assert (event["status"], event["previous_status"], event["server"]) == ("Lunch", "Ready", SERVER)
    failed = [m for m in messages(caplog) if "poll failed" in m]
    assert len([m for m in failed if "503" in m]) == 3, failed
    assert any(re.search(r"busy|simultaneous", m, re.I) for m in failed), failed
    assert any("HTTP 403" in m and "maintenance" in m for m in failed), failed
    assert all("trying again in 0.3s" in m for m in failed)
    assert any("reading works again" in m for m in messages(caplog, logging.INFO))
    for text in caplog.messages + [repr(events)]:
        assert TOKEN not in text


@pytest.mark.parametrize("real_time", [False, True])
def test_one_read_per_poll_two_with_real_time(fresh, caplog, real_time):
    caplog.set_level(logging.DEBUG, logger=SOURCE_LOGGER)
    sim = fresh

    def step(events):
        return len([m for m in messages(caplog, logging.DEBUG) if re.search(r": poll \d+: ", m)]) >= 4

    events, ended = run_source(source_args(sim, real_time=real_time, emit_initial=True), step)
    assert ended is None
    polls = len([m for m in messages(caplog, logging.DEBUG) if re.search(r": poll \d+: ", m)])
    requests = sim.stats()["requests"]
    # The source may have started one more poll while the test counted.
    assert polls <= requests["agents"] <= polls + 1, (requests, polls)
    if real_time:
        assert polls <= requests["real_time"] <= requests["agents"], (requests, polls)
    else:
        assert requests["real_time"] == 0
    assert requests["change_status"] == 0
    first = [e["wolkvox"] for e in events[:5]]
    assert [e["agent_id"] for e in first] == ["1001", "1002", "1003", "1004", "1005"]
    times = [e["time_in_state"] for e in first]
    if real_time:
        assert times[0] is None and all(isinstance(t, int) and t >= 0 for t in times[1:]), times  # 1001: logged out
    else:
        assert times == [None] * 5


def test_stops_with_a_clear_message_on_a_wrong_token(fresh):
    wrong = "wrong-token-0123456789abcdef"
    events, ended = run_source(source_args(fresh, wolkvox_token=wrong), lambda events: False, timeout=20)
    assert ended is not None and type(ended).__name__ == "WolkvoxAuthError", ended
    message = str(ended)
    assert readable(message) and message.startswith("wolkvox.contact_center.agent_states stops: ")
    assert "wolkvox_token" in message and "wolkvox_server '%s'" % SERVER in message
    assert wrong not in message and TOKEN not in message and events == []
    assert fresh.stats()["requests"]["agents"] == 1


def test_stops_with_a_clear_message_when_the_daily_quota_is_spent(fresh):
    limit = fresh.quota("bogota_sales")["limit"]
    fresh.quota("bogota_sales", used=limit)
    events, ended = run_source(source_args(fresh, interval=120), lambda events: False, timeout=20)
    assert ended is not None and type(ended).__name__ == "WolkvoxQuotaError", ended
    message = str(ended)
    assert readable(message) and "daily quota" in message and "resets daily" in message
    assert "every 120s" in message and TOKEN not in message


def test_an_empty_403_on_the_first_poll_stops_it_naming_the_three_causes(fresh):
    fresh.fault("forbidden_empty", count=1, match="agents")
    events, ended = run_source(source_args(fresh), lambda events: False, timeout=20)
    assert ended is not None and type(ended).__name__ == "WolkvoxForbiddenError", ended
    message = str(ended)
    assert "wolkvox_token" in message and "allow-list" in message and "maintenance" in message
