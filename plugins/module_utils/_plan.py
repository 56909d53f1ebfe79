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
import re
from collections.abc import Mapping

try:
    import zoneinfo
except ImportError:  # Python < 3.9: never a controller (ansible-core needs 3.10 or later there)
    zoneinfo = None

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import parse_agent_id, parse_status


class PlanNames(object):
    """How the caller's user knows the plan's three inputs (for messages)."""

    def __init__(self, plan, at, timezone):
        self.plan = plan
        self.at = at
        self.timezone = timezone


ROLE_NAMES = PlanNames("wolkvox_agent_status_plan", "wolkvox_agent_status_at", "wolkvox_agent_status_timezone")
MODULE_NAMES = PlanNames("plan", "plan_at", "plan_timezone")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
KEYS = ("status", "agents", "all_agents", "from", "to", "days", "only_from", "except_from", "enforce")
HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\Z")
AT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:\s*([Zz])|\s*([+-])(\d{2}):?(\d{2}))?\Z"
)
UTC = _dt.timezone.utc
HHMM_HINT = "use HH:MM (24 h), e.g. '08:00'"
AT_HINT = (
    "use an ISO 8601 date and time, e.g. '2026-11-25T12:30' (local to the time zone) "
    "or '2026-11-25T12:30:00-05:00' (that instant)"
)


class PlanError(WolkvoxInputError):
    """A malformed plan, instant or time zone, or a plan that contradicts itself."""


def utcnow():
    return _dt.datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Showing values in messages
# --------------------------------------------------------------------------------------------

def _plain(value):
    """Ansible hands filters str/list/dict subclasses; show them as the plain values they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return dict((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _shown(value):
    if isinstance(value, bool) or value is None:
        return "null" if value is None else ("true" if value else "false")  # as YAML writes them
    text = repr(_plain(value))
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (%s)" % _shown(value)
    if isinstance(value, (int, float)):
        return "a number (%s)" % _shown(value)
    if isinstance(value, str):
        return "a string (%s)" % _shown(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a %s" % type(value).__name__


def _is_list(value):
    return isinstance(value, (list, tuple))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# One entry
# --------------------------------------------------------------------------------------------

def normalize_status(value, where):
    text = parse_status(value)
    if text is not None:
        return text
    raise PlanError(
        "%s: 'status' %s is not valid: use ready, logout or the numeric ID of an auxiliary state, e.g. '8'"
        % (where, _shown(value))
    )


def normalize_agents(value, where):
    if not _is_list(value):
        raise PlanError(
            "%s: 'agents' must be a list of agent IDs, e.g. ['1001', '1002'], got %s" % (where, _kind(value))
        )
    if not value:
        raise PlanError("%s: 'agents' is empty: list at least one agent ID, or use all_agents: true" % where)
    agents = []
    for position, agent in enumerate(value):
        text = parse_agent_id(agent)
        if text is None:
            raise PlanError(
                "%s.agents[%d]: %s is not an agent ID: use the agent's extension number, digits only, e.g. '1001'"
                % (where, position, _shown(agent))
            )
        if text not in agents:
            agents.append(text)
    return tuple(agents)


def parse_hhmm(value, where, field):
    """'HH:MM' -> (hour, minute)."""
    match = HHMM_RE.match(value.strip()) if isinstance(value, str) else None
    if match:
        return int(match.group(1)), int(match.group(2))
    hint = ""
    if _is_int(value) and 60 <= value < 24 * 60:
        # YAML 1.1 reads an unquoted 17:00 as a base-60 number (1020); say so, with the quoted form.
        written = "%d:%02d" % divmod(value, 60)
        hint = "; quote it: YAML reads an unquoted %s as the number %d" % (written, value)
    raise PlanError("%s: '%s' %s is not valid: %s%s" % (where, field, _shown(value), HHMM_HINT, hint))


def normalize_days(value, where):
    """-> frozenset of weekday numbers (Monday = 0)."""
    items = [value] if isinstance(value, str) else value
    if not _is_list(items):
        raise PlanError(
            "%s: 'days' must be a list of days such as [mon, tue, wed, thu, fri], got %s" % (where, _kind(value))
        )
    if not items:
        raise PlanError("%s: 'days' is empty: leave it out for every day, or list days (%s)" % (where, ", ".join(DAYS)))
    days = set()
    for item in items:
        name = item.strip().lower() if isinstance(item, str) else None
        if name not in DAYS:
            raise PlanError("%s.days: %s is not a day (%s)" % (where, _shown(item), ", ".join(DAYS)))
        days.add(DAYS.index(name))
    return frozenset(days)


def normalize_states(value, where, field):
    """only_from / except_from of an entry: a list of states (ready, logout, an ID or a label) as text.
    Whether an ID has a label is checked by the status module, which knows status_labels."""
    items = [value] if isinstance(value, str) else value
    if not _is_list(items):
        raise PlanError("%s: '%s' must be a list of states (ready, logout, an ID or a label), got %s"
                        % (where, field, _kind(value)))
    states = []
    for position, item in enumerate(items):
        text = str(item).strip() if isinstance(item, str) or _is_int(item) else ""
        if not text:
            raise PlanError("%s.%s[%d]: %s is not a state: give ready, logout, an auxiliary state ID or a label"
                            % (where, field, position, _shown(item)))
        states.append(text)
    return tuple(states)


def normalize_entry(index, entry, names=ROLE_NAMES):
    """Validate one entry; return it as a dict with status, agents (tuple or None), start, end, days,
    only_from (tuple or None), except_from (tuple) and enforce."""
    where = "%s[%d]" % (names.plan, index)
    if not isinstance(entry, Mapping):
        raise PlanError(
            "%s: an entry must be a mapping with status, agents or all_agents, from and to (and optionally days), "
            "got %s" % (where, _kind(entry))
        )
    for key in entry:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            guess = " (did you mean '%s'?)" % close[0] if close else ""
            raise PlanError(
                "%s: unknown key %s%s: the keys of an entry are %s" % (where, _shown(key), guess, ", ".join(KEYS))
            )
    if "status" not in entry:
        raise PlanError("%s: 'status' is missing: give ready, logout or an auxiliary state ID such as '8'" % where)
    status = normalize_status(entry["status"], where)

    everyone = entry.get("all_agents", False)
    if not isinstance(everyone, bool):
        raise PlanError(
            "%s: 'all_agents' %s is not valid: use true (or leave it out and list 'agents')" % (where, _shown(everyone))
        )
    has_agents = "agents" in entry
    if everyone == has_agents:
        raise PlanError(
            "%s: give exactly one of 'agents' and 'all_agents' (this entry has %s)"
            % (where, "both" if everyone else "neither")
        )
    agents = None if everyone else normalize_agents(entry["agents"], where)

    times = []
    for field, example in (("from", "08:00"), ("to", "17:00")):
        if field not in entry:
            raise PlanError("%s: '%s' is missing: give a time as HH:MM (24 h), e.g. '%s'" % (where, field, example))
        times.append(parse_hhmm(entry[field], where, field))
    start, end = times
    if start == end:
        raise PlanError(
            "%s: 'from' and 'to' are both '%02d:%02d': a window cannot be empty; 'to' must be later than 'from', "
            "or earlier to cross midnight (for a whole day use '00:00' to '23:59')" % ((where,) + start)
        )
    days = normalize_days(entry["days"], where) if "days" in entry else frozenset(range(7))
    only_from = normalize_states(entry["only_from"], where, "only_from") if "only_from" in entry else None
    except_from = normalize_states(entry["except_from"], where, "except_from") if "except_from" in entry else ()
    enforce = entry.get("enforce", True)
    if not isinstance(enforce, bool):
        raise PlanError("%s: 'enforce' %s is not valid: use true (apply the entry, the default) or false "
                        "(watch only: for adherence and events, never sent)" % (where, _shown(enforce)))
    return dict(index=index, status=status, agents=agents, start=start, end=end, days=days,
                only_from=only_from, except_from=except_from, enforce=enforce)


def normalize_plan(plan, names=ROLE_NAMES):
    if not _is_list(plan):
        raise PlanError(
            "%s must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
            "got %s" % (names.plan, _kind(plan))
        )
    return [normalize_entry(index, entry, names) for index, entry in enumerate(plan)]


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
        raise PlanError("%s must be an IANA time zone name such as 'America/Bogota', got %s" % (names.timezone, _kind(name)))
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
        % (names.timezone, _shown(name), _zone_suggestion(name))
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
        raise PlanError("%s must be a string or a datetime, got %s: %s" % (names.at, _kind(at), AT_HINT))
    match = AT_RE.match(at.strip())
    if not match:
        raise PlanError("%s %s is not valid: %s" % (names.at, _shown(at), AT_HINT))
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
        raise PlanError("%s %s is not valid (%s): %s" % (names.at, _shown(at), exc, AT_HINT))
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
        _shown(first.status), _shown(second.status),
    )
