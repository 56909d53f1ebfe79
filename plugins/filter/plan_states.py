# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan_states filter: what a shift plan asks for at one instant.

Documentation: plan_states.yml next to this file (ansible-doc -t filter wolkvox.contact_center.plan_states).

Everything above the FilterModule is pure (no Ansible import, no clock unless asked): evaluate()
takes an injectable ``now`` so that the tests can pin the clock. Its errors are PlanError, which the
filter turns into AnsibleFilterError.

Time rule, in one place (wall_to_instant): a window's ``from`` and ``to`` are wall-clock times on
the date the window starts (``to`` on the next date when it crosses midnight), turned into instants
through the IANA database. A wall time that a daylight-saving change skips (clocks forward) is taken
as the moment the clocks jump, the first instant whose local time is later; a wall time that happens
twice (clocks back) is taken at its first occurrence. So a window always runs from the first moment
the clock reads ``from`` (or later) to the first moment it reads ``to`` (or later), on its day.
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

from ansible.errors import AnsibleFilterError

PLAN = "wolkvox_agent_status_plan"
AT = "wolkvox_agent_status_at"
TIMEZONE = "wolkvox_agent_status_timezone"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
KEYS = ("status", "agents", "all_agents", "from", "to", "days")
BUILTIN_STATES = ("ready", "logout")
# The same shapes as the wolkvox_agent_status module accepts.
AGENT_ID_RE = re.compile(r"^[0-9]{1,20}\Z")
AUX_STATUS_RE = re.compile(r"^[0-9]{1,10}\Z")
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


class PlanError(ValueError):
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
    text = str(value).strip() if isinstance(value, str) or _is_int(value) else None
    if text is not None:
        if text.lower() in BUILTIN_STATES:
            return text.lower()
        if AUX_STATUS_RE.match(text):
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
        text = str(agent).strip() if isinstance(agent, str) or _is_int(agent) else None
        if text is None or not AGENT_ID_RE.match(text):
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


def normalize_entry(index, entry):
    """Validate one entry; return it as a dict with status, agents (tuple or None), start, end, days."""
    where = "%s[%d]" % (PLAN, index)
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
    return dict(index=index, status=status, agents=agents, start=start, end=end, days=days)


def normalize_plan(plan):
    if not _is_list(plan):
        raise PlanError(
            "%s must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
            "got %s" % (PLAN, _kind(plan))
        )
    return [normalize_entry(index, entry) for index, entry in enumerate(plan)]


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


def load_zone(name):
    """An IANA time zone name -> tzinfo. UTC works even without a time zone database."""
    if name is None:
        name = "UTC"
    if not isinstance(name, str):
        raise PlanError("%s must be an IANA time zone name such as 'America/Bogota', got %s" % (TIMEZONE, _kind(name)))
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
        % (TIMEZONE, _shown(name), _zone_suggestion(name))
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


def parse_at(at, zone, now=None):
    """None, '' -> now (now() if given, else the clock); an ISO 8601 string or a datetime -> that instant (aware, UTC)."""
    if at is None or (isinstance(at, str) and not at.strip()):
        return (now or utcnow)().astimezone(UTC)
    if isinstance(at, _dt.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            return wall_to_instant(at, zone)
        return at.astimezone(UTC)
    if not isinstance(at, str):
        raise PlanError("%s must be a string or a datetime, got %s: %s" % (AT, _kind(at), AT_HINT))
    match = AT_RE.match(at.strip())
    if not match:
        raise PlanError("%s %s is not valid: %s" % (AT, _shown(at), AT_HINT))
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
        raise PlanError("%s %s is not valid (%s): %s" % (AT, _shown(at), exc, AT_HINT))
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


def evaluate(plan, at=None, timezone="UTC", now=None):
    """The desired states a plan gives at an instant.

    Returns {"agents": [{"agent_id", "status"}], "all_agents": status or None}; agents in the order
    they first appear in the plan. ``now``: a function returning the current aware datetime (default:
    the clock, utcnow). Raises PlanError for any malformed input or a contradiction."""
    entries = normalize_plan(plan)
    zone_name, zone = load_zone(timezone)
    instant = parse_at(at, zone, now)

    order = {}
    for entry in entries:
        for agent in entry["agents"] or ():
            order.setdefault(agent, len(order))

    named = {}  # agent -> (status, entry index)
    everyone = None  # (status, entry index)
    for entry in entries:
        if not is_active(entry, instant, zone):
            continue
        status, index = entry["status"], entry["index"]
        if entry["agents"] is None:
            if everyone is not None and everyone[0] != status:
                raise PlanError(_conflict(everyone, (status, index), "all agents", instant, zone, zone_name))
            everyone = everyone or (status, index)
            continue
        for agent in entry["agents"]:
            if agent in named and named[agent][0] != status:
                raise PlanError(_conflict(named[agent], (status, index), "agent %s" % agent, instant, zone, zone_name))
            named.setdefault(agent, (status, index))

    agents = [dict(agent_id=agent, status=named[agent][0]) for agent in sorted(named, key=order.get)]
    return dict(agents=agents, all_agents=everyone[0] if everyone else None)


def _conflict(first, second, whom, instant, zone, zone_name):
    return "%s entries %d and %d are both active at %s %s and give %s different states (%s and %s)" % (
        PLAN, first[1], second[1], _local_text(instant, zone), zone_name, whom, _shown(first[0]), _shown(second[0]),
    )


# --------------------------------------------------------------------------------------------
# The filter
# --------------------------------------------------------------------------------------------

def plan_states(plan, at=None, timezone="UTC"):
    """Evaluate a shift plan at an instant (now by default); see plan_states.yml."""
    try:
        return evaluate(plan, at=at, timezone=timezone)
    except PlanError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"plan_states": plan_states}
