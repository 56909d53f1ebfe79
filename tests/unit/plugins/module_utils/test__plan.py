# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _plan: a shift plan evaluated at an instant (what the plan_states filter, the status
and info modules and the event source share). Table-driven."""

from __future__ import annotations

import datetime as dt
import re

import pytest

# Shift plans in a time zone need zoneinfo (Python 3.9 and later); a module run by Python 3.8 evaluates
# UTC plans only (and says so for any other zone, see test_utc_without_a_time_zone_database).
zoneinfo = pytest.importorskip("zoneinfo", reason="IANA time zones need zoneinfo (Python 3.9 and later)")

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _plan as plugin
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import (
    MODULE_NAMES,
    PlanError,
    evaluate,
    moment,
    parse_at,
    wall_to_instant,
)

UTC = dt.timezone.utc
BOGOTA = "America/Bogota"  # UTC-05:00 all year
SANTIAGO = "America/Santiago"  # -03:00 in summer, -04:00 in winter
NOTHING = {"agents": [], "all_agents": None}

# 2026-11-25 is a Wednesday; 2026-11-27 a Friday; 2026-11-28 a Saturday.
CONTRACT_PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    {"agents": ["1001", "1002"], "status": "8", "from": "12:00", "to": "13:00"},
    {"all_agents": True, "status": "logout", "from": "17:00", "to": "08:00"},
]


def everyone(status, start="08:00", end="17:00", **extra):
    return dict({"all_agents": True, "status": status, "from": start, "to": end}, **extra)


def some(agents, status, start="08:00", end="17:00", **extra):
    return dict({"agents": agents, "status": status, "from": start, "to": end}, **extra)


def named(*pairs):
    return [{"agent_id": agent, "status": status} for agent, status in pairs]


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Which entries are active, and what they give
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "plan, at, timezone, expected",
    [
        # Windows inside a day: start included, end excluded.
        pytest.param([everyone("ready")], "2026-11-25T08:00", BOGOTA, {"agents": [], "all_agents": "ready"}, id="start-included"),
        pytest.param([everyone("ready")], "2026-11-25T16:59:59", BOGOTA, {"agents": [], "all_agents": "ready"}, id="just-before-end"),
        pytest.param([everyone("ready")], "2026-11-25T17:00", BOGOTA, NOTHING, id="end-excluded"),
        pytest.param([everyone("ready")], "2026-11-25T07:59:59", BOGOTA, NOTHING, id="before-start"),
        # Across midnight: the window belongs to the day it starts.
        pytest.param([everyone("logout", "22:00", "06:00", days=["fri"])], "2026-11-28T02:00", BOGOTA,
                     {"agents": [], "all_agents": "logout"}, id="fri-night-window-active-sat-0200"),
        pytest.param([everyone("logout", "22:00", "06:00", days=["fri"])], "2026-11-27T02:00", BOGOTA,
                     NOTHING, id="fri-night-window-not-active-fri-0200"),
        pytest.param([everyone("logout", "22:00", "06:00", days=["fri"])], "2026-11-27T22:00", BOGOTA,
                     {"agents": [], "all_agents": "logout"}, id="fri-night-window-starts-fri-2200"),
        pytest.param([everyone("logout", "22:00", "06:00", days=["fri"])], "2026-11-27T21:59", BOGOTA,
                     NOTHING, id="fri-night-window-not-yet-fri-2159"),
        pytest.param([everyone("logout", "22:00", "06:00", days=["fri"])], "2026-11-28T06:00", BOGOTA,
                     NOTHING, id="fri-night-window-ends-sat-0600"),
        pytest.param([everyone("logout", "17:00", "00:00")], "2026-11-25T23:59", BOGOTA,
                     {"agents": [], "all_agents": "logout"}, id="to-midnight-active-2359"),
        pytest.param([everyone("logout", "17:00", "00:00")], "2026-11-26T00:00", BOGOTA,
                     NOTHING, id="to-midnight-ends-0000"),
        # Weekdays.
        pytest.param([everyone("ready", days=["mon", "tue", "wed", "thu", "fri"])], "2026-11-25T10:00", BOGOTA,
                     {"agents": [], "all_agents": "ready"}, id="weekday-wed"),
        pytest.param([everyone("ready", days=["mon", "tue", "wed", "thu", "fri"])], "2026-11-28T10:00", BOGOTA,
                     NOTHING, id="weekday-not-sat"),
        pytest.param([everyone("ready", days="wed")], "2026-11-25T10:00", BOGOTA,
                     {"agents": [], "all_agents": "ready"}, id="days-single-string"),
        pytest.param([everyone("ready", days=["WED", " Thu "])], "2026-11-25T10:00", BOGOTA,
                     {"agents": [], "all_agents": "ready"}, id="days-any-case"),
        # The contract's plan.
        pytest.param(CONTRACT_PLAN, "2026-11-25T12:30", BOGOTA,
                     {"agents": named(("1001", "8"), ("1002", "8")), "all_agents": "ready"}, id="contract-wed-1230"),
        pytest.param(CONTRACT_PLAN, "2026-11-25T13:00", BOGOTA,
                     {"agents": [], "all_agents": "ready"}, id="contract-wed-1300"),
        pytest.param(CONTRACT_PLAN, "2026-11-25T18:00", BOGOTA,
                     {"agents": [], "all_agents": "logout"}, id="contract-wed-1800"),
        pytest.param(CONTRACT_PLAN, "2026-11-26T07:59", BOGOTA,
                     {"agents": [], "all_agents": "logout"}, id="contract-thu-0759"),
        pytest.param(CONTRACT_PLAN, "2026-11-28T10:00", BOGOTA, NOTHING, id="contract-sat-1000-nothing"),
        pytest.param(CONTRACT_PLAN, "2026-11-28T12:15", BOGOTA,
                     {"agents": named(("1001", "8"), ("1002", "8")), "all_agents": None}, id="contract-sat-1215-lunch-only"),
        # Specific beats all; the same state twice is fine.
        pytest.param([everyone("ready"), some(["1001"], "logout")], "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1001", "logout")), "all_agents": "ready"}, id="specific-wins-over-all"),
        pytest.param([some(["1001"], "7"), some(["1001", "1002"], "7", "09:00", "11:00")], "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1001", "7"), ("1002", "7")), "all_agents": None}, id="same-state-twice-specific"),
        pytest.param([everyone("ready"), everyone("READY", "09:00", "11:00")], "2026-11-25T10:00", BOGOTA,
                     {"agents": [], "all_agents": "ready"}, id="same-state-twice-all"),
        pytest.param([some(["1001"], "ready"), some([1001], "Ready")], "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1001", "ready")), "all_agents": None}, id="same-state-int-and-str-id"),
        # Normalised values, order of first appearance in the plan (inactive entries count).
        pytest.param([some([1003, " 1001 "], 8)], "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1003", "8"), ("1001", "8")), "all_agents": None}, id="ints-and-blanks"),
        pytest.param([some(["1002"], "LOGOUT", "18:00", "19:00"), some(["1001"], "ready"), some(["1002"], "5")],
                     "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1002", "5"), ("1001", "ready")), "all_agents": None}, id="order-of-first-appearance"),
        pytest.param([some(["1001", "1001"], "ready")], "2026-11-25T10:00", BOGOTA,
                     {"agents": named(("1001", "ready")), "all_agents": None}, id="agent-twice-in-one-entry"),
        pytest.param([], "2026-11-25T10:00", BOGOTA, NOTHING, id="empty-plan"),
        pytest.param([everyone("ready")], "2026-11-25T10:00", None, {"agents": [], "all_agents": "ready"}, id="timezone-none-is-utc"),
        pytest.param([everyone("ready", all_agents=False, agents=["1001"])], "2026-11-25T10:00", "UTC",
                     {"agents": named(("1001", "ready")), "all_agents": None}, id="all-agents-false-with-agents"),
    ],
)
def test_evaluate(plan, at, timezone, expected):
    assert evaluate(plan, at=at, timezone=timezone) == expected


def test_result_holds_plain_strings():
    result = evaluate([some([1001], 8), everyone("READY")], at="2026-11-25T10:00", timezone=BOGOTA)
    values = (result["agents"][0]["agent_id"], result["agents"][0]["status"], result["all_agents"])
    assert set(map(type, values)) == {str}  # exactly str, not a subclass


# --------------------------------------------------------------------------------------------
# The instant: strings, offsets, datetimes, now
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "at, timezone, expected",
    [
        pytest.param("2026-11-25T12:30", BOGOTA, utc(2026, 11, 25, 17, 30), id="local-no-offset"),
        pytest.param("2026-11-25 12:30", BOGOTA, utc(2026, 11, 25, 17, 30), id="space-instead-of-T"),
        pytest.param("2026-11-25t12:30", BOGOTA, utc(2026, 11, 25, 17, 30), id="lower-case-t"),
        pytest.param(" 2026-11-25T12:30:15 ", BOGOTA, utc(2026, 11, 25, 17, 30, 15), id="seconds-and-blanks"),
        pytest.param("2026-11-25T12:30:15.25", BOGOTA, utc(2026, 11, 25, 17, 30, 15, 250000), id="fraction"),
        pytest.param("2026-11-25T17:30Z", BOGOTA, utc(2026, 11, 25, 17, 30), id="Z"),
        pytest.param("2026-11-25T17:30:00z", BOGOTA, utc(2026, 11, 25, 17, 30), id="lower-case-z"),
        pytest.param("2026-11-25T12:30-05:00", BOGOTA, utc(2026, 11, 25, 17, 30), id="offset"),
        pytest.param("2026-11-25T12:30:00-0500", BOGOTA, utc(2026, 11, 25, 17, 30), id="offset-without-colon"),
        pytest.param("2026-11-25T18:30+01:00", BOGOTA, utc(2026, 11, 25, 17, 30), id="offset-wins-over-timezone"),
        pytest.param("2026-11-25T12:30", "UTC", utc(2026, 11, 25, 12, 30), id="utc"),
        pytest.param(dt.datetime(2026, 11, 25, 12, 30), BOGOTA, utc(2026, 11, 25, 17, 30), id="naive-datetime-is-local"),
        pytest.param(utc(2026, 11, 25, 17, 30), BOGOTA, utc(2026, 11, 25, 17, 30), id="aware-datetime-utc"),
        pytest.param(dt.datetime(2026, 11, 25, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), SANTIAGO,
                     utc(2026, 11, 25, 17, 30), id="aware-datetime-other-offset"),
        # Repeated and skipped wall times (America/Santiago, see the DST tests below).
        pytest.param("2026-04-04T23:30", SANTIAGO, utc(2026, 4, 5, 2, 30), id="repeated-time-first-occurrence"),
        pytest.param("2026-04-04T23:30-04:00", SANTIAGO, utc(2026, 4, 5, 3, 30), id="repeated-time-second-by-offset"),
        pytest.param("2026-09-06T00:30", SANTIAGO, utc(2026, 9, 6, 4, 0), id="skipped-time-is-the-jump"),
        pytest.param(dt.datetime(2026, 9, 6, 0, 30), SANTIAGO, utc(2026, 9, 6, 4, 0), id="skipped-naive-datetime-is-the-jump"),
    ],
)
def test_parse_at(at, timezone, expected):
    result = parse_at(at, zoneinfo.ZoneInfo(timezone))
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


FROZEN = utc(2026, 11, 25, 17, 30)  # 12:30 in Bogota


@pytest.mark.parametrize("at", [None, "", "  "], ids=["none", "empty-string", "blank-string"])
def test_now_is_injected(at):
    def now():
        return FROZEN

    assert evaluate(CONTRACT_PLAN, at=at, timezone=BOGOTA, now=now) == {
        "agents": named(("1001", "8"), ("1002", "8")), "all_agents": "ready"}


@pytest.mark.parametrize("at", [None, ""], ids=["none", "empty-string"])
def test_the_clock_is_used_when_at_is_empty(monkeypatch, at):
    monkeypatch.setattr(plugin, "utcnow", lambda: utc(2026, 11, 25, 23, 0))  # 18:00 in Bogota
    assert evaluate(CONTRACT_PLAN, at, BOGOTA) == {"agents": [], "all_agents": "logout"}


def test_clock_is_aware_utc():
    now = plugin.utcnow()
    assert now.utcoffset() == dt.timedelta(0)


# --------------------------------------------------------------------------------------------
# Daylight saving time: America/Santiago in 2026
# --------------------------------------------------------------------------------------------

def offsets_around(instant, zone):
    return [(instant + dt.timedelta(seconds=delta)).astimezone(zone).utcoffset() for delta in (-1, 0)]


def test_santiago_2026_transitions_are_what_the_tests_assume():
    zone = zoneinfo.ZoneInfo(SANTIAGO)
    # DST ends: Sat 2026-04-04 24:00 -03:00 -> clocks back to 23:00 -04:00 (03:00 UTC on 04-05).
    assert offsets_around(utc(2026, 4, 5, 3, 0), zone) == [dt.timedelta(hours=-3), dt.timedelta(hours=-4)]
    # DST begins: Sat 2026-09-05 24:00 -04:00 -> clocks forward to Sun 01:00 -03:00 (04:00 UTC on 09-06).
    assert offsets_around(utc(2026, 9, 6, 4, 0), zone) == [dt.timedelta(hours=-4), dt.timedelta(hours=-3)]


@pytest.mark.parametrize(
    "plan, at, expected",
    [
        # After the fall-back (-04:00): 08:30 local is 12:30 UTC. A fixed -03:00 would read 09:30 (inactive).
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-04-06T12:30Z", "ready", id="after-fall-back-0830-active"),
        # 11:30 UTC is 07:30 local after the change; a fixed -03:00 would read 08:30 (active).
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-04-06T11:30Z", None, id="after-fall-back-0730-inactive"),
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-04-05T12:30Z", "ready", id="fall-back-day-0830-active"),
        # After the spring-forward (-03:00): 08:30 local is 11:30 UTC. A fixed -04:00 would read 07:30 (inactive).
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-09-07T11:30Z", "ready", id="after-spring-forward-0830-active"),
        # 12:30 UTC is 09:30 local after the change; a fixed -04:00 would read 08:30 (active).
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-09-07T12:30Z", None, id="after-spring-forward-0930-inactive"),
        pytest.param([everyone("ready", "08:00", "09:00")], "2026-09-06T11:30Z", "ready", id="spring-forward-day-0830-active"),
        # A night window over the fall-back lasts 9 hours: Sat 22:00 -03:00 (01:00Z) to Sun 06:00 -04:00 (10:00Z).
        pytest.param([everyone("logout", "22:00", "06:00", days="sat")], "2026-04-05T09:30Z", "logout",
                     id="night-over-fall-back-ends-at-local-0600"),
        pytest.param([everyone("logout", "22:00", "06:00", days="sat")], "2026-04-05T10:00Z", None,
                     id="night-over-fall-back-ended"),
        # A night window over the spring-forward lasts 7 hours: Sat 22:00 -04:00 (02:00Z) to Sun 06:00 -03:00 (09:00Z).
        pytest.param([everyone("logout", "22:00", "06:00", days="sat")], "2026-09-06T08:59Z", "logout",
                     id="night-over-spring-forward-active-0559"),
        pytest.param([everyone("logout", "22:00", "06:00", days="sat")], "2026-09-06T09:00Z", None,
                     id="night-over-spring-forward-ended-0600"),
        # Clocks back: 23:00-23:59 on Sat 04-04 happens twice. A time is taken at its first occurrence.
        pytest.param([everyone("7", "22:00", "23:30", days="sat")], "2026-04-05T02:15Z", "7", id="repeated-hour-first-pass-active"),
        pytest.param([everyone("7", "22:00", "23:30", days="sat")], "2026-04-05T02:45Z", None, id="repeated-hour-ended-first-2330"),
        pytest.param([everyone("7", "22:00", "23:30", days="sat")], "2026-04-05T03:15Z", None, id="repeated-hour-second-pass-inactive"),
        pytest.param([everyone("7", "23:30", "00:30", days="sat")], "2026-04-05T03:15Z", "7", id="window-from-repeated-time-spans-both"),
        pytest.param([everyone("7", "23:30", "00:30", days="sat")], "2026-04-05T04:29Z", "7", id="window-from-repeated-time-to-0030"),
        pytest.param([everyone("7", "23:30", "00:30", days="sat")], "2026-04-05T04:30Z", None, id="window-from-repeated-time-ended"),
        # Clocks forward: 00:00-00:59 on Sun 09-06 does not exist. Such a time is the moment of the jump (04:00Z).
        pytest.param([everyone("7", "00:00", "02:00", days="sun")], "2026-09-06T03:59Z", None, id="gap-window-not-before-jump"),
        pytest.param([everyone("7", "00:00", "02:00", days="sun")], "2026-09-06T04:00Z", "7", id="gap-window-starts-at-jump"),
        pytest.param([everyone("7", "00:30", "06:00", days="sun")], "2026-09-06T04:10Z", "7", id="from-in-gap-starts-at-jump"),
        pytest.param([everyone("7", "22:00", "00:30", days="sat")], "2026-09-06T03:59Z", "7", id="to-in-gap-active-before-jump"),
        pytest.param([everyone("7", "22:00", "00:30", days="sat")], "2026-09-06T04:00Z", None, id="to-in-gap-ends-at-jump"),
        pytest.param([everyone("7", "00:10", "00:50", days="sun")], "2026-09-06T04:00Z", None, id="window-inside-gap-never-1"),
        pytest.param([everyone("7", "00:10", "00:50", days="sun")], "2026-09-06T04:20Z", None, id="window-inside-gap-never-2"),
        pytest.param([everyone("7", "00:10", "00:50", days="sun")], "2026-09-13T03:20Z", "7", id="window-inside-gap-next-week"),
    ],
)
def test_daylight_saving(plan, at, expected):
    assert evaluate(plan, at=at, timezone=SANTIAGO)["all_agents"] == expected


@pytest.mark.parametrize(
    "wall, expected",
    [
        pytest.param(dt.datetime(2026, 4, 4, 22, 59), utc(2026, 4, 5, 1, 59), id="before-repeated-hour"),
        pytest.param(dt.datetime(2026, 4, 4, 23, 0), utc(2026, 4, 5, 2, 0), id="repeated-first-occurrence-2300"),
        pytest.param(dt.datetime(2026, 4, 4, 23, 59), utc(2026, 4, 5, 2, 59), id="repeated-first-occurrence-2359"),
        pytest.param(dt.datetime(2026, 4, 5, 0, 0), utc(2026, 4, 5, 4, 0), id="after-repeated-hour"),
        pytest.param(dt.datetime(2026, 9, 5, 23, 59), utc(2026, 9, 6, 3, 59), id="before-gap"),
        pytest.param(dt.datetime(2026, 9, 6, 0, 0), utc(2026, 9, 6, 4, 0), id="gap-start-is-jump"),
        pytest.param(dt.datetime(2026, 9, 6, 0, 59, 59), utc(2026, 9, 6, 4, 0), id="gap-end-is-jump"),
        pytest.param(dt.datetime(2026, 9, 6, 1, 0), utc(2026, 9, 6, 4, 0), id="first-time-after-gap"),
        pytest.param(dt.datetime(2026, 9, 6, 1, 30), utc(2026, 9, 6, 4, 30), id="after-gap"),
    ],
)
def test_wall_to_instant(wall, expected):
    assert wall_to_instant(wall, zoneinfo.ZoneInfo(SANTIAGO)) == expected


# --------------------------------------------------------------------------------------------
# Errors: each names the entry (index) and the field
# --------------------------------------------------------------------------------------------

P = "wolkvox_agent_status_plan"
AT = "2026-11-25T10:00"


@pytest.mark.parametrize(
    "plan, at, timezone, message",
    [
        pytest.param({"status": "ready"}, AT, BOGOTA,
                     P + " must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
                     "got a mapping", id="plan-not-a-list"),
        pytest.param("ready", AT, BOGOTA,
                     P + " must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
                     "got a string ('ready')", id="plan-a-string"),
        pytest.param(None, AT, BOGOTA,
                     P + " must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
                     "got null", id="plan-null"),
        pytest.param([everyone("ready"), "ready"], AT, BOGOTA,
                     P + "[1]: an entry must be a mapping with status, agents or all_agents, from and to (and optionally days), "
                     "got a string ('ready')", id="entry-not-a-mapping"),
        pytest.param([{"all_agents": True, "from": "08:00", "to": "17:00"}], AT, BOGOTA,
                     P + "[0]: 'status' is missing: give ready, logout or an auxiliary state ID such as '8'", id="missing-status"),
        pytest.param([everyone("break")], AT, BOGOTA,
                     P + "[0]: 'status' 'break' is not valid: use ready, logout or the numeric ID of an auxiliary state, e.g. '8'",
                     id="bad-status-label"),
        pytest.param([everyone(True)], AT, BOGOTA,
                     P + "[0]: 'status' true is not valid: use ready, logout or the numeric ID of an auxiliary state, e.g. '8'",
                     id="bad-status-boolean"),
        pytest.param([everyone("ready"), everyone("ready", agents=["1001"])], AT, BOGOTA,
                     P + "[1]: give exactly one of 'agents' and 'all_agents' (this entry has both)", id="agents-and-all-agents"),
        pytest.param([{"status": "ready", "from": "08:00", "to": "17:00"}], AT, BOGOTA,
                     P + "[0]: give exactly one of 'agents' and 'all_agents' (this entry has neither)", id="neither"),
        pytest.param([everyone("ready", all_agents=False)], AT, BOGOTA,
                     P + "[0]: give exactly one of 'agents' and 'all_agents' (this entry has neither)", id="all-agents-false-alone"),
        pytest.param([everyone("ready", all_agents="yes")], AT, BOGOTA,
                     P + "[0]: 'all_agents' 'yes' is not valid: use true (or leave it out and list 'agents')", id="all-agents-not-bool"),
        pytest.param([some("1001", "ready")], AT, BOGOTA,
                     P + "[0]: 'agents' must be a list of agent IDs, e.g. ['1001', '1002'], got a string ('1001')",
                     id="agents-not-a-list"),
        pytest.param([some([], "ready")], AT, BOGOTA,
                     P + "[0]: 'agents' is empty: list at least one agent ID, or use all_agents: true", id="agents-empty"),
        pytest.param([some(["1001", "ana"], "ready")], AT, BOGOTA,
                     P + "[0].agents[1]: 'ana' is not an agent ID: use the agent's extension number, digits only, e.g. '1001'",
                     id="bad-agent-id"),
        pytest.param([some([-5], "ready")], AT, BOGOTA,
                     P + "[0].agents[0]: -5 is not an agent ID: use the agent's extension number, digits only, e.g. '1001'",
                     id="negative-agent-id"),
        pytest.param([everyone("ready"), everyone("ready"), everyone("ready", "8:00")], AT, BOGOTA,
                     P + "[2]: 'from' '8:00' is not valid: use HH:MM (24 h), e.g. '08:00'", id="bad-from"),
        pytest.param([everyone("ready", "08:00", "24:00")], AT, BOGOTA,
                     P + "[0]: 'to' '24:00' is not valid: use HH:MM (24 h), e.g. '08:00'", id="bad-to-2400"),
        pytest.param([everyone("ready", "08:00", "17:60")], AT, BOGOTA,
                     P + "[0]: 'to' '17:60' is not valid: use HH:MM (24 h), e.g. '08:00'", id="bad-to-minutes"),
        pytest.param([everyone("ready", "08:00", 1020)], AT, BOGOTA,
                     P + "[0]: 'to' 1020 is not valid: use HH:MM (24 h), e.g. '08:00'; "
                     "quote it: YAML reads an unquoted 17:00 as the number 1020", id="unquoted-yaml-time"),
        pytest.param([{"all_agents": True, "status": "ready", "to": "17:00"}], AT, BOGOTA,
                     P + "[0]: 'from' is missing: give a time as HH:MM (24 h), e.g. '08:00'", id="missing-from"),
        pytest.param([{"all_agents": True, "status": "ready", "from": "08:00"}], AT, BOGOTA,
                     P + "[0]: 'to' is missing: give a time as HH:MM (24 h), e.g. '17:00'", id="missing-to"),
        pytest.param([everyone("ready", "08:00", "08:00")], AT, BOGOTA,
                     P + "[0]: 'from' and 'to' are both '08:00': a window cannot be empty; 'to' must be later than 'from', "
                     "or earlier to cross midnight (for a whole day use '00:00' to '23:59')", id="from-equals-to"),
        pytest.param([everyone("ready"), everyone("ready", days=["mon", "moon"])], AT, BOGOTA,
                     P + "[1].days: 'moon' is not a day (mon, tue, wed, thu, fri, sat, sun)", id="bad-day"),
        pytest.param([everyone("ready", days=1)], AT, BOGOTA,
                     P + "[0]: 'days' must be a list of days such as [mon, tue, wed, thu, fri], got a number (1)",
                     id="days-not-a-list"),
        pytest.param([everyone("ready", days=[])], AT, BOGOTA,
                     P + "[0]: 'days' is empty: leave it out for every day, or list days (mon, tue, wed, thu, fri, sat, sun)",
                     id="days-empty"),
        pytest.param([{"all_agents": True, "status": "ready", "form": "08:00", "to": "17:00"}], AT, BOGOTA,
                     P + "[0]: unknown key 'form' (did you mean 'from'?): the keys of an entry are "
                     "status, agents, all_agents, from, to, days, only_from, except_from, enforce", id="unknown-key-typo"),
        pytest.param([everyone("ready", note="x")], AT, BOGOTA,
                     P + "[0]: unknown key 'note': the keys of an entry are status, agents, all_agents, from, to, days, only_from, "
                     "except_from, enforce",
                     id="unknown-key"),
        # An inactive malformed entry is still an error: the whole plan is checked.
        pytest.param([everyone("ready"), everyone("ready", "20:00", "21:00", days=["sun", "x"])], AT, BOGOTA,
                     P + "[1].days: 'x' is not a day (mon, tue, wed, thu, fri, sat, sun)", id="inactive-entry-checked"),
        # Contradictions at the instant.
        pytest.param([everyone("ready"), some(["1001"], "8", "12:00", "13:00"), everyone("ready"),
                      some(["1002", "1001"], "ready", "12:00", "12:45")], "2026-11-25T12:30", BOGOTA,
                     P + " entries 1 and 3 are both active at 2026-11-25 12:30 America/Bogota and give agent 1001 "
                     "different states ('8' and 'ready')", id="conflict-specific"),
        pytest.param([everyone("ready"), everyone("logout", "16:00", "08:00")], "2026-11-25T16:30:05", BOGOTA,
                     P + " entries 0 and 1 are both active at 2026-11-25 16:30:05 America/Bogota and give all agents "
                     "different states ('ready' and 'logout')", id="conflict-all"),
        # Time zone and instant.
        pytest.param([], AT, "Bogota",
                     "wolkvox_agent_status_timezone 'Bogota' is not a known time zone: use an IANA name such as "
                     "'America/Bogota' (did you mean 'America/Bogota'?)", id="unknown-timezone"),
        pytest.param([], AT, "america/bogota",
                     "wolkvox_agent_status_timezone 'america/bogota' is not a known time zone: use an IANA name such as "
                     "'America/Bogota' (did you mean 'America/Bogota'?)", id="timezone-wrong-case"),
        pytest.param([], AT, "",
                     "wolkvox_agent_status_timezone '' is not a known time zone: use an IANA name such as 'America/Bogota'",
                     id="timezone-empty"),
        pytest.param([], AT, -5,
                     "wolkvox_agent_status_timezone must be an IANA time zone name such as 'America/Bogota', got a number (-5)",
                     id="timezone-not-a-string"),
        pytest.param([], "25/11/2026 12:30", BOGOTA,
                     "wolkvox_agent_status_at '25/11/2026 12:30' is not valid: use an ISO 8601 date and time, e.g. "
                     "'2026-11-25T12:30' (local to the time zone) or '2026-11-25T12:30:00-05:00' (that instant)", id="at-not-iso"),
        pytest.param([], "2026-11-25", BOGOTA,
                     "wolkvox_agent_status_at '2026-11-25' is not valid: use an ISO 8601 date and time, e.g. "
                     "'2026-11-25T12:30' (local to the time zone) or '2026-11-25T12:30:00-05:00' (that instant)", id="at-date-only"),
        pytest.param([], "2026-13-01T10:00", BOGOTA,
                     "wolkvox_agent_status_at '2026-13-01T10:00' is not valid (month must be in 1..12): use an ISO 8601 date and "
                     "time, e.g. '2026-11-25T12:30' (local to the time zone) or '2026-11-25T12:30:00-05:00' (that instant)",
                     id="at-bad-month"),
        pytest.param([], 1764091800, BOGOTA,
                     "wolkvox_agent_status_at must be a string or a datetime, got a number (1764091800): "
                     "use an ISO 8601 date and time, e.g. '2026-11-25T12:30' (local to the time zone) or "
                     "'2026-11-25T12:30:00-05:00' (that instant)", id="at-not-a-string"),
    ],
)
def test_errors(plan, at, timezone, message):
    with pytest.raises(PlanError) as caught:
        evaluate(plan, at=at, timezone=timezone)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "timezone",
    ["../etc/passwd", "/etc/localtime", "America"],
    ids=["relative-path", "absolute-path", "a-directory"],
)
def test_timezone_that_is_not_a_zone_name(timezone):
    with pytest.raises(PlanError, match=r"^wolkvox_agent_status_timezone '.*' is not a known time zone: use an IANA name"):
        evaluate([], at=AT, timezone=timezone)


def test_utc_without_a_time_zone_database(monkeypatch):
    monkeypatch.setattr(plugin, "zoneinfo", None)
    assert evaluate([everyone("ready")], at="2026-11-25T10:00", timezone="UTC") == {"agents": [], "all_agents": "ready"}
    with pytest.raises(PlanError, match=re.escape("(this controller has no time zone database: install the tzdata Python package)")):
        evaluate([], at=AT, timezone=BOGOTA)


# --------------------------------------------------------------------------------------------
# Names in messages, entry keys of Part 3, the Moment
# --------------------------------------------------------------------------------------------

def test_plan_error_is_an_input_error():
    assert issubclass(PlanError, WolkvoxInputError)


@pytest.mark.parametrize(
    "plan, at, timezone, message",
    [
        pytest.param([everyone("lunch")], AT, BOGOTA,
                     "plan[0]: 'status' 'lunch' is not valid: use ready, logout or the numeric ID of an auxiliary state, e.g. '8'",
                     id="status"),
        pytest.param("x", AT, BOGOTA,
                     "plan must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
                     "got a string ('x')", id="plan"),
        pytest.param([], "tomorrow", BOGOTA,
                     "plan_at 'tomorrow' is not valid: use an ISO 8601 date and time, e.g. '2026-11-25T12:30' (local to the "
                     "time zone) or '2026-11-25T12:30:00-05:00' (that instant)", id="at"),
        pytest.param([], AT, "Bogota",
                     "plan_timezone 'Bogota' is not a known time zone: use an IANA name such as 'America/Bogota' "
                     "(did you mean 'America/Bogota'?)", id="timezone"),
    ],
)
def test_module_names_in_messages(plan, at, timezone, message):
    with pytest.raises(PlanError) as caught:
        moment(plan, at=at, timezone=timezone, names=MODULE_NAMES)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "entry, message",
    [
        pytest.param(everyone("ready", enforce="no"),
                     P + "[0]: 'enforce' 'no' is not valid: use true (apply the entry, the default) or false "
                     "(watch only: for adherence and events, never sent)", id="enforce-not-bool"),
        pytest.param(everyone("ready", only_from={"a": 1}),
                     P + "[0]: 'only_from' must be a list of states (ready, logout, an ID or a label), got a mapping",
                     id="only-from-mapping"),
        pytest.param(everyone("ready", except_from=["7", ""]),
                     P + "[0].except_from[1]: '' is not a state: give ready, logout, an auxiliary state ID or a label",
                     id="except-from-empty-item"),
        pytest.param(everyone("ready", except_from=[None]),
                     P + "[0].except_from[0]: null is not a state: give ready, logout, an auxiliary state ID or a label",
                     id="except-from-null-item"),
    ],
)
def test_entry_rule_errors(entry, message):
    with pytest.raises(PlanError) as caught:
        moment([entry], at=AT, timezone=BOGOTA)
    assert str(caught.value) == message


def test_moment_targets_rules_and_enforcement():
    plan = [
        everyone("ready", except_from=["7", "Lunch"]),
        some(["1001"], "8", "09:00", "11:00", only_from="ready"),
        some(["1002"], "9", "09:00", "11:00", enforce=False),
    ]
    at = moment(plan, at="2026-11-25T10:00", timezone=BOGOTA)
    assert at.when == "2026-11-25 10:00 (America/Bogota)"
    assert at.active == [0, 1, 2]
    assert at.planned("1001").status == "8" and at.planned("1001").only_from == ("ready",)
    assert at.planned("1002").status == "9" and at.planned("1002").enforce is False
    assert at.planned("1003").status == "ready" and at.planned("1003").except_from == ("7", "Lunch")
    named, everyone_target, left_alone = at.enforced()
    assert [aid for aid, _t in named] == ["1001"]
    assert everyone_target.status == "ready" and everyone_target.entry == 0
    assert left_alone == {"1002"}
    assert not at.idle and at.watched() == 1
    # The filter's result: enforced states only, an entry's rules on its agents.
    assert at.as_filter_result() == {"agents": [{"agent_id": "1001", "status": "8", "only_from": ["ready"]}],
                                     "all_agents": "ready"}


def test_moment_only_watch_only_entries_is_idle():
    at = moment([everyone("ready", enforce=False)], at="2026-11-25T10:00", timezone=BOGOTA)
    assert at.idle and at.watched() == 1
    assert at.planned("1001").status == "ready"
    assert evaluate([everyone("ready", enforce=False)], at="2026-11-25T10:00", timezone=BOGOTA) == NOTHING


def test_moment_nothing_active():
    at = moment(CONTRACT_PLAN, at="2026-11-28T10:00", timezone=BOGOTA)
    assert at.idle and at.active == [] and at.planned("1001") is None and at.watched() == 0
    assert at.when == "2026-11-28 10:00 (America/Bogota)"


def test_watch_only_conflicts_are_still_conflicts():
    # One plan, one place for each agent: a watch-only entry that disagrees with an enforced one is an error.
    with pytest.raises(PlanError, match=r"entries 0 and 1 are both active"):
        moment([some(["1001"], "ready"), some(["1001"], "7", enforce=False)], at=AT, timezone=BOGOTA)
