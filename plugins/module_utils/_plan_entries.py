# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How a shift plan is written: its entries' keys (status, agents or all_agents, from, to, days,
only_from, except_from, enforce), each validated with the domain's words (_states), and the
words of its errors, which name the plan's inputs as the caller knows them (PlanNames). Pure.
_plan evaluates a plan at an instant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

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
HHMM_HINT = "use HH:MM (24 h), e.g. '08:00'"
AT_HINT = (
    "use an ISO 8601 date and time, e.g. '2026-11-25T12:30' (local to the time zone) "
    "or '2026-11-25T12:30:00-05:00' (that instant)"
)


class PlanError(WolkvoxInputError):
    """A malformed plan, instant or time zone, or a plan that contradicts itself."""


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


def yaml_shown(value):
    if isinstance(value, bool) or value is None:
        return "null" if value is None else ("true" if value else "false")  # as YAML writes them
    text = repr(_plain(value))
    return text if len(text) <= 80 else text[:77] + "..."


def kind_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (%s)" % yaml_shown(value)
    if isinstance(value, (int, float)):
        return "a number (%s)" % yaml_shown(value)
    if isinstance(value, str):
        return "a string (%s)" % yaml_shown(value)
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
        % (where, yaml_shown(value))
    )


def normalize_agents(value, where):
    if not _is_list(value):
        raise PlanError(
            "%s: 'agents' must be a list of agent IDs, e.g. ['1001', '1002'], got %s" % (where, kind_of(value))
        )
    if not value:
        raise PlanError("%s: 'agents' is empty: list at least one agent ID, or use all_agents: true" % where)
    agents = []
    for position, agent in enumerate(value):
        text = parse_agent_id(agent)
        if text is None:
            raise PlanError(
                "%s.agents[%d]: %s is not an agent ID: use the agent's extension number, digits only, e.g. '1001'"
                % (where, position, yaml_shown(agent))
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
    raise PlanError("%s: '%s' %s is not valid: %s%s" % (where, field, yaml_shown(value), HHMM_HINT, hint))


def normalize_days(value, where):
    """-> frozenset of weekday numbers (Monday = 0)."""
    items = [value] if isinstance(value, str) else value
    if not _is_list(items):
        raise PlanError(
            "%s: 'days' must be a list of days such as [mon, tue, wed, thu, fri], got %s" % (where, kind_of(value))
        )
    if not items:
        raise PlanError("%s: 'days' is empty: leave it out for every day, or list days (%s)" % (where, ", ".join(DAYS)))
    days = set()
    for item in items:
        name = item.strip().lower() if isinstance(item, str) else None
        if name not in DAYS:
            raise PlanError("%s.days: %s is not a day (%s)" % (where, yaml_shown(item), ", ".join(DAYS)))
        days.add(DAYS.index(name))
    return frozenset(days)


def normalize_states(value, where, field):
    """only_from / except_from of an entry: a list of states (ready, logout, an ID or a label) as text.
    Whether an ID has a label is checked by the status module, which knows status_labels."""
    items = [value] if isinstance(value, str) else value
    if not _is_list(items):
        raise PlanError("%s: '%s' must be a list of states (ready, logout, an ID or a label), got %s"
                        % (where, field, kind_of(value)))
    states = []
    for position, item in enumerate(items):
        text = str(item).strip() if isinstance(item, str) or _is_int(item) else ""
        if not text:
            raise PlanError("%s.%s[%d]: %s is not a state: give ready, logout, an auxiliary state ID or a label"
                            % (where, field, position, yaml_shown(item)))
        states.append(text)
    return tuple(states)


def normalize_entry(index, entry, names=ROLE_NAMES):
    """Validate one entry; return it as a dict with status, agents (tuple or None), start, end, days,
    only_from (tuple or None), except_from (tuple) and enforce."""
    where = "%s[%d]" % (names.plan, index)
    if not isinstance(entry, Mapping):
        raise PlanError(
            "%s: an entry must be a mapping with status, agents or all_agents, from and to (and optionally days), "
            "got %s" % (where, kind_of(entry))
        )
    for key in entry:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            guess = " (did you mean '%s'?)" % close[0] if close else ""
            raise PlanError(
                "%s: unknown key %s%s: the keys of an entry are %s" % (where, yaml_shown(key), guess, ", ".join(KEYS))
            )
    if "status" not in entry:
        raise PlanError("%s: 'status' is missing: give ready, logout or an auxiliary state ID such as '8'" % where)
    status = normalize_status(entry["status"], where)

    everyone = entry.get("all_agents", False)
    if not isinstance(everyone, bool):
        raise PlanError(
            "%s: 'all_agents' %s is not valid: use true (or leave it out and list 'agents')" % (where, yaml_shown(everyone))
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
                        "(watch only: for adherence and events, never sent)" % (where, yaml_shown(enforce)))
    return dict(index=index, status=status, agents=agents, start=start, end=end, days=days,
                only_from=only_from, except_from=except_from, enforce=enforce)


def normalize_plan(plan, names=ROLE_NAMES):
    if not _is_list(plan):
        raise PlanError(
            "%s must be a list of entries (each with status, agents or all_agents, from, to and optionally days), "
            "got %s" % (names.plan, kind_of(plan))
        )
    return [normalize_entry(index, entry, names) for index, entry in enumerate(plan)]
