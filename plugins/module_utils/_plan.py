# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""Shift plans: what a plan asks for at one instant. Pure: no I/O, no clock unless asked.

Used by the status module (options plan, plan_at, plan_timezone), the info module (adherence),
the event source and the plan_states filter, which all evaluate a plan the same way. IDs and states
are read with _states; messages name the plan's variables as the caller knows them (``names``: the
role's wolkvox_agent_status_plan, or the module's plan). Errors are PlanError, an input error.

Time rule, in one place (wall_to_instant): a window's ``from`` and ``to`` are wall-clock times on
the date the window starts (``to`` on the next date when it crosses midnight), turned into instants
through the IANA database. A wall time that a daylight-saving change skips (clocks forward) is taken
as the moment the clocks jump, the first instant whose local time is later; a wall time that happens
twice (clocks back) is taken at its first occurrence. So a window always runs from the first moment
the clock reads ``from`` (or later) to the first moment it reads ``to`` (or later), on its day.

Who gets which state at an instant: an agent named by an active entry gets that entry's state (and
its only_from, except_from and enforce); every other agent gets the state of an active all_agents
entry, if any. Two active entries that give one agent different states at the same level are an
error naming both. An entry with ``enforce: false`` says where agents should be (adherence, events)
and is never sent.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math

try:
    import zoneinfo
except ImportError:  # Python < 3.9: never a controller (ansible-core needs 3.10 or later there)
    zoneinfo = None

from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan_entries import (
    AT_HINT,
    AT_RE,
    MODULE_NAMES,
    ROLE_NAMES,
    PlanError,
    PlanNames,
    kind_of,
    normalize_plan,
    yaml_shown,
)

# This file's API (MODULE_NAMES, PlanNames and PlanError come from _plan_entries, with the plan's words).
__all__ = ["MODULE_NAMES", "ROLE_NAMES", "Moment", "PlanError", "PlanNames", "Target", "evaluate", "load_zone", "moment",
           "parse_at", "utcnow", "wall_to_instant"]

UTC = _dt.timezone.utc


def utcnow():
    return _dt.datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Time zone, instant, wall clock
# --------------------------------------------------------------------------------------------

def _zone_suggestion(name):
    names = sorted(zoneinfo.available_timezones()) if zoneinfo is not None else []
    if not names:
        return " (this controller has no time zone database: install the tzdata Python package)"
    wanted = name.strip().lower().replace(" ", "_")
    same = [key for key in names if key.lower() == wanted or key.rsplit("/", 1)[-1].lower() == wanted]
    close = same or difflib.get_close_matches(name, names, n=1)
    return " (did you mean '%s'?)" % close[0] if close else ""


def load_zone(name, names=ROLE_NAMES):
    """An IANA time zone name -> (name, tzinfo). UTC works even without a time zone database."""
    if name is None:
        name = "UTC"
    if not isinstance(name, str):
        raise PlanError("%s must be an IANA time zone name such as 'America/Bogota', got %s" % (names.timezone, kind_of(name)))
    name = str(name)
    if zoneinfo is not None:
        try:
            return name, zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if name in ("UTC", "Etc/UTC"):
        return name, UTC
    raise PlanError(
        "%s %s is not a known time zone: use an IANA name such as 'America/Bogota'%s"
        % (names.timezone, yaml_shown(name), _zone_suggestion(name))
    )


def wall_to_instant(naive, zone):
    """A local wall-clock time -> the aware UTC instant it means (the rule is in the module docstring)."""
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant  # it exists; fold=0 is its first occurrence when it happens twice
    # A time the clocks skip. fold=0 reads it with the offset before the jump (an instant after the
    # jump), fold=1 with the offset after it (an instant before the jump): the jump lies between.
    # Transitions fall on whole seconds, so halve that interval down to the second.
    before = math.floor(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    after = math.ceil(instant.timestamp())
    offset_before = _dt.datetime.fromtimestamp(before, UTC).astimezone(zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if _dt.datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset_before:
            before = middle
        else:
            after = middle
    return _dt.datetime.fromtimestamp(after, UTC)


def parse_at(at, zone, now=None, names=ROLE_NAMES):
    """None, '' -> now (now() if given, else the clock); an ISO 8601 string or a datetime -> that instant (aware, UTC)."""
    if at is None or (isinstance(at, str) and not at.strip()):
        return (now or utcnow)().astimezone(UTC)
    if isinstance(at, _dt.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            return wall_to_instant(at, zone)
        return at.astimezone(UTC)
    if not isinstance(at, str):
        raise PlanError("%s must be a string or a datetime, got %s: %s" % (names.at, kind_of(at), AT_HINT))
    match = AT_RE.match(at.strip())
    if not match:
        raise PlanError("%s %s is not valid: %s" % (names.at, yaml_shown(at), AT_HINT))
    year, month, day, hour, minute, second, fraction, zulu, sign, off_hours, off_minutes = match.groups()
    try:
        naive = _dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
        if zulu:
            return naive.replace(tzinfo=UTC)
        if sign:
            offset = _dt.timedelta(hours=int(off_hours), minutes=int(off_minutes))
            return naive.replace(tzinfo=_dt.timezone(-offset if sign == "-" else offset)).astimezone(UTC)
    except ValueError as exc:
        raise PlanError("%s %s is not valid (%s): %s" % (names.at, yaml_shown(at), exc, AT_HINT))
    return wall_to_instant(naive, zone)


def _local_text(instant, zone):
    local = instant.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------------------------
# The plan at an instant
# --------------------------------------------------------------------------------------------

def window(entry, start_date, zone):
    """[start, end) of the entry's window that starts on start_date, as UTC instants."""
    end_date = start_date + _dt.timedelta(days=1) if entry["end"] < entry["start"] else start_date
    start = wall_to_instant(_dt.datetime.combine(start_date, _dt.time(*entry["start"])), zone)
    end = wall_to_instant(_dt.datetime.combine(end_date, _dt.time(*entry["end"])), zone)
    return start, end


def is_active(entry, instant, zone):
    """Whether the instant falls in [from, to) of a window that starts on one of the entry's days.

    Only windows starting on the instant's local date or the day before can hold it (a window
    covers less than a day of wall-clock time)."""
    today = instant.astimezone(zone).date()
    for start_date in (today - _dt.timedelta(days=1), today):
        if start_date.weekday() in entry["days"]:
            start, end = window(entry, start_date, zone)
            if start <= instant < end:
                return True
    return False


class Target(object):
    """What the plan asks for one agent (or for all agents) at the instant: its state, the entry
    that says so, that entry's only_from / except_from, and whether it is enforced (sent)."""

    __slots__ = ("status", "entry", "only_from", "except_from", "enforce")

    def __init__(self, entry):
        self.status = entry["status"]
        self.entry = entry["index"]
        self.only_from = entry["only_from"]
        self.except_from = entry["except_from"]
        self.enforce = entry["enforce"]

    @property
    def has_rules(self):
        return self.only_from is not None or bool(self.except_from)


class Moment(object):
    """A plan evaluated at one instant (see moment())."""

    def __init__(self, instant, zone_name, zone, named, everyone, active):
        self.instant = instant
        self.zone_name = zone_name
        self.local = _local_text(instant, zone)
        self.named = named  # agent_id -> Target, in the order agents first appear in the plan
        self.everyone = everyone  # Target of the active all_agents entry, or None
        self.active = active  # indexes of the active entries

    @property
    def when(self):
        """'2026-11-25 12:30 (America/Bogota)': the instant evaluated, for messages."""
        return "%s (%s)" % (self.local, self.zone_name)

    def planned(self, agent_id):
        """The Target for one agent (its named entry, else the all_agents entry), or None."""
        return self.named.get(agent_id) or self.everyone

    def enforced(self):
        """(named, everyone, left_alone): the enforced named targets as [(agent_id, Target)], the
        enforced all_agents Target or None, and the agents that a watch-only entry names (the
        all_agents entry does not apply to them)."""
        named = [(aid, target) for aid, target in self.named.items() if target.enforce]
        left_alone = set(aid for aid, target in self.named.items() if not target.enforce)
        everyone = self.everyone if self.everyone is not None and self.everyone.enforce else None
        return named, everyone, left_alone

    @property
    def idle(self):
        """No enforced entry is active: nothing to read, nothing to send."""
        named, everyone, _left = self.enforced()
        return not named and everyone is None

    def watched(self):
        """How many active entries are watch-only (enforce: false)."""
        return len([1 for target in list(self.named.values()) + [self.everyone] if target is not None and not target.enforce])

    def as_filter_result(self):
        """The plan_states filter's result: the enforced states, {"agents": [...], "all_agents": ...}."""
        named, everyone, _left = self.enforced()
        agents = []
        for aid, target in named:
            item = dict(agent_id=aid, status=target.status)
            if target.only_from is not None:
                item["only_from"] = list(target.only_from)
            if target.except_from:
                item["except_from"] = list(target.except_from)
            agents.append(item)
        return dict(agents=agents, all_agents=everyone.status if everyone is not None else None)


def moment(plan, at=None, timezone="UTC", now=None, names=ROLE_NAMES):
    """The plan at an instant: a Moment. ``at``: None or '' for now, an ISO 8601 text or a datetime;
    ``now``: a function returning the current aware datetime (default: the clock). Raises PlanError
    for any malformed input or a contradiction; the whole plan is checked, not only active entries."""
    entries = normalize_plan(plan, names)
    zone_name, zone = load_zone(timezone, names)
    instant = parse_at(at, zone, now, names)

    order = {}
    for entry in entries:
        for agent in entry["agents"] or ():
            order.setdefault(agent, len(order))

    named = {}  # agent -> Target
    everyone = None
    active = []
    for entry in entries:
        if not is_active(entry, instant, zone):
            continue
        active.append(entry["index"])
        target = Target(entry)
        if entry["agents"] is None:
            if everyone is not None and everyone.status != target.status:
                raise PlanError(_conflict(everyone, target, "all agents", instant, zone, zone_name, names))
            everyone = everyone or target
            continue
        for agent in entry["agents"]:
            if agent in named and named[agent].status != target.status:
                raise PlanError(_conflict(named[agent], target, "agent %s" % agent, instant, zone, zone_name, names))
            named.setdefault(agent, target)
    ordered = dict((agent, named[agent]) for agent in sorted(named, key=order.get))
    return Moment(instant, zone_name, zone, ordered, everyone, active)


def evaluate(plan, at=None, timezone="UTC", now=None, names=ROLE_NAMES):
    """The enforced desired states a plan gives at an instant (the plan_states filter's result):
    {"agents": [{"agent_id", "status"}], "all_agents": status or None}."""
    return moment(plan, at=at, timezone=timezone, now=now, names=names).as_filter_result()


def _conflict(first, second, whom, instant, zone, zone_name, names):
    return "%s entries %d and %d are both active at %s %s and give %s different states (%s and %s)" % (
        names.plan, first.entry, second.entry, _local_text(instant, zone), zone_name, whom,
        yaml_shown(first.status), yaml_shown(second.status),
    )
