# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The engine behind wolkvox_agent_info: validate the filters, read once, select, count; with
``quota`` one more read of the token's quota, with ``real_time`` one more read of the real-time
list (time in state), and with ``plan`` each agent compared with what the plan says at an instant
(adherence; no request). Nothing is ever sent.

The pieces a poller also needs (the event source) are functions of their own: ``seconds_of``
(the vendor's two formats of time in state), ``attach_real_time`` and ``adherence``.
"""

from __future__ import annotations

import re

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import MODULE_NAMES, load_zone, moment, utcnow
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    DEFAULT_BUSY_STATES,
    display,
    fold,
    is_disabled,
    matches,
    normalize_labels,
    state_set,
    validate_agent_id,
)

HMS_RE = re.compile(r"^\s*([0-9]+):([0-5]?[0-9]):([0-5]?[0-9])(?:[.,][0-9]*)?\s*\Z")
SHOWN_AWAY = 5  # not adherent agents named in msg, then "and N more"


def shown_label(label, labels):
    """How a state read from the API is counted: the first label of a known state it matches
    (so 'active breaks ' and 'Active breaks' count as one), else the label without surrounding blanks."""
    folded = fold(label)
    for known in labels.values():
        if folded in set(fold(one) for one in known):
            return known[0]
    return str(label).strip()


def select(agents, agent_ids, states, labels):
    """The agents whose ID is in agent_ids (None: any) and whose state is in states (None: any),
    in the API's order, and ids_by_status (label -> [agent_id]) of those agents."""
    selected = []
    ids_by_status = {}
    shown = {}
    for agent in agents:
        status = agent.get("agent_status")
        label = "" if status is None else status
        if agent_ids is not None and agent["agent_id"] not in agent_ids:
            continue
        if states is not None and fold(label) not in states:
            continue
        selected.append(agent)
        # One key per state however its case or blanks vary: the first spelling seen names it.
        key = shown.setdefault(fold(label), shown_label(label, labels))
        ids_by_status.setdefault(key, []).append(agent["agent_id"])
    return selected, ids_by_status


def headline(count, by_status):
    if not count:
        return "0 agents"
    parts = ", ".join("%d %s" % (number, label or "(no state)") for label, number in sorted(by_status.items()))
    return "%d agent%s: %s" % (count, "" if count == 1 else "s", parts)


def whole(value):
    """A number or a digit string of the token_info record as an int, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r"^\s*-?[0-9]+(?:\.0*)?\s*\Z", value):
        return int(float(value))
    return None


def quota_of(record):
    """The token_info record as {limit, used_today, remaining, hours_to_reset, raw}."""
    limit = whole(record.get("token_limit"))
    used = whole(record.get("token_use_today"))
    remaining = None
    for key in ("available_consumption_options", "available_consumition_options"):  # the vendor spells it both ways
        if remaining is None:
            remaining = whole(record.get(key))
    if remaining is None and limit is not None and used is not None:
        remaining = max(limit - used, 0)
    return dict(limit=limit, used_today=used, remaining=remaining,
                hours_to_reset=whole(record.get("hours_to_restart_count")), raw=record)


def seconds_of(value):
    """Time in state as the real-time API gives it (``time_state_now``): whole seconds as a number or
    a digit string, or "HH:MM:SS" (hours may pass 99) -> int seconds; anything else -> None."""
    if isinstance(value, str):
        match = HMS_RE.match(value)
        if match:
            hours, minutes, seconds = (int(part) for part in match.groups())
            return hours * 3600 + minutes * 60 + seconds
    seconds = whole(value)
    if seconds is None and isinstance(value, float) and value >= 0:
        seconds = int(value)  # fractions of a second: whole seconds are enough
    return seconds if seconds is not None and seconds >= 0 else None


def hms(seconds):
    """Whole seconds as "HH:MM:SS" (the vendor's own format), None as "?"."""
    if seconds is None:
        return "?"
    return "%02d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def attach_real_time(agents, records):
    """Give each agent record ``time_in_state`` (int seconds, or None) and ``real_time`` (its record
    of the real-time list, or None: the agent has no session, e.g. logged out). Returns how many
    agents have a real-time record."""
    by_id = {}
    for record in records:
        by_id.setdefault(record["agent_id"], record)
    found = 0
    for agent in agents:
        record = by_id.get(agent["agent_id"])
        agent["real_time"] = record
        agent["time_in_state"] = seconds_of(record.get("time_state_now")) if record is not None else None
        found += record is not None
    return found


def adherence(agents, plan_moment, labels, busy_states=()):
    """Compare each agent with the plan's state for it at the moment (a _plan.Moment).

    Each record gains ``planned_status`` (the plan's state: ready, logout or an ID; None when no
    active entry names it), ``planned_label`` (how that state shows, or None), ``planned_entry``
    (the index of the entry) and ``adherent``: True / False, or None when nothing is planned for it
    or the planned state has no label to compare with. Watch-only entries (enforce: false) count.
    A disabled user is never planned (the status module never changes one). An agent handling a
    contact (its label in ``busy_states``, folded labels) while the plan says ready is adherent:
    taking contacts is what ready is for, and the status module would not touch it either.

    Returns (counts, not_adherent, unlabelled): counts {adherent, not_adherent, unplanned, unknown},
    the records not adherent in the order given, and {state: [agent_id]} of the planned states
    without a label."""
    counts = dict(adherent=0, not_adherent=0, unplanned=0, unknown=0)
    away = []
    unlabelled = {}
    for agent in agents:
        target = None if is_disabled(agent) else plan_moment.planned(agent["agent_id"])
        if target is None:
            agent.update(planned_status=None, planned_label=None, planned_entry=None, adherent=None)
            counts["unplanned"] += 1
            continue
        same = matches(agent.get("agent_status"), target.status, labels)
        if not same and target.status == "ready" and fold(agent.get("agent_status") or "") in busy_states:
            same = True
        agent.update(planned_status=target.status, planned_label=display(target.status, labels),
                     planned_entry=target.entry, adherent=same)
        if same is None:
            counts["unknown"] += 1
            unlabelled.setdefault(target.status, []).append(agent["agent_id"])
        elif same:
            counts["adherent"] += 1
        else:
            counts["not_adherent"] += 1
            away.append(agent)
    return counts, away, unlabelled


def longest_first(agents):
    """The records with the longest time in state first; those without one (no session) last,
    in the order given."""
    return sorted(agents, key=lambda agent: (agent.get("time_in_state") is None, -(agent.get("time_in_state") or 0)))


def _who(agent):
    name = agent.get("agent_name")
    return "%s %s" % (agent["agent_id"], name) if name else agent["agent_id"]


def _away_text(agent, timed):
    shown = agent.get("agent_status")
    text = "%s (%s" % (_who(agent), "no state" if shown in (None, "") else str(shown).strip())
    if timed:
        text += " for %s" % hms(agent.get("time_in_state")) if agent.get("time_in_state") is not None else ", no session"
    return text + ", planned %s)" % agent["planned_label"]


def adherence_headline(plan_moment, counts, away, timed):
    text = "plan at %s: %d adherent, %d not adherent, %d unplanned" % (
        plan_moment.when, counts["adherent"], counts["not_adherent"], counts["unplanned"])
    if counts["unknown"]:
        text += ", %d unknown" % counts["unknown"]
    if away:
        shown = [_away_text(agent, timed) for agent in away[:SHOWN_AWAY]]
        more = len(away) - SHOWN_AWAY
        text += "; not adherent: %s%s" % (", ".join(shown), " and %d more" % more if more > 0 else "")
    return text


def _unlabelled_warning(unlabelled):
    parts = []
    for status, ids in sorted(unlabelled.items()):
        named = ", ".join(ids[:10]) + (" and %d more" % (len(ids) - 10) if len(ids) > 10 else "")
        parts.append("%s (agent%s %s)" % (status, "" if len(ids) == 1 else "s", named))
    first = sorted(unlabelled)[0]
    return ("the plan asks for state%s %s, which status_labels does not name: the agents API shows labels, not IDs, "
            "so whether those agents are where the plan says is unknown (adherent: null); add "
            "status_labels: {'%s': '<label>'}" % ("" if len(parts) == 1 else "s", ", ".join(parts), first))


def read_time(instant, zone_name, zone):
    """{utc, local, timezone} of an instant: ISO 8601 in UTC ("2026-11-25T17:30:05Z"), ISO 8601 in the
    time zone with its offset ("2026-11-25T12:30:05-05:00"), and the zone's name."""
    local = instant.astimezone(zone).replace(microsecond=0).isoformat()
    return dict(utc=instant.strftime("%Y-%m-%dT%H:%M:%SZ"), local=local, timezone=zone_name)


def run(task, now=utcnow):
    p = task.params
    # Every option is validated before the first request.
    labels = normalize_labels(p["status_labels"])
    agent_ids = None
    if p["agent_id"] is not None:
        agent_ids = []
        for one in p["agent_id"]:
            aid = validate_agent_id(one)
            if aid not in agent_ids:
                agent_ids.append(aid)
    states = state_set(p["status"], labels, "status") if p["status"] is not None else None
    plan, plan_at = p.get("plan"), p.get("plan_at")
    if plan is None and plan_at not in (None, ""):
        raise WolkvoxInputError("plan_at %r is given without plan: it is the instant at which the plan is evaluated; "
                                "give plan too, or leave plan_at out" % (plan_at,))
    zone_name, zone = load_zone(p.get("plan_timezone") or "UTC", MODULE_NAMES)
    instant = now()  # the read's time, and the plan's instant unless plan_at names another
    plan_moment = None
    if plan is not None:
        plan_moment = moment(plan, at=plan_at, timezone=zone_name, now=lambda: instant, names=MODULE_NAMES)

    busy = state_set(p.get("busy_states") if p.get("busy_states") is not None else DEFAULT_BUSY_STATES, labels,
                     "busy_states")

    agents = task.client.list_agents()
    selected, ids_by_status = select(agents, set(agent_ids) if agent_ids is not None else None, states, labels)
    for agent in selected:
        agent["disabled"] = is_disabled(agent)
    present = set(agent["agent_id"] for agent in agents)
    not_found = [aid for aid in agent_ids or [] if aid not in present]
    by_status = dict((label, len(ids)) for label, ids in ids_by_status.items())
    msg = headline(len(selected), by_status)
    if not_found:
        msg += "; not in this operation: %s" % ", ".join(not_found)
    extra = {}
    if p.get("real_time"):
        with_session = attach_real_time(selected, task.client.list_real_time())
        msg += "; time in state: %d with a session, %d without" % (with_session, len(selected) - with_session)
    if plan_moment is not None:
        counts, away, unlabelled = adherence(selected, plan_moment, labels, busy)
        if p.get("real_time"):
            away = longest_first(away)
        extra.update(adherence=counts, not_adherent=away, plan_moment=plan_moment.when)
        msg += "; " + adherence_headline(plan_moment, counts, away, bool(p.get("real_time")))
        if unlabelled:
            task.warn(_unlabelled_warning(unlabelled))
    if p.get("quota"):
        extra["quota"] = quota = quota_of(task.client.token_info())
        msg += "; quota: %s of %s requests used today, %s left" % (
            _or_unknown(quota["used_today"]), _or_unknown(quota["limit"]), _or_unknown(quota["remaining"]))
    result = dict(
        changed=False,
        agents=selected,
        count=len(selected),
        by_status=by_status,
        agent_ids_by_status=ids_by_status,
        not_found=not_found,
        read_at=read_time(instant, zone_name, zone),
        msg=msg,
    )
    result.update(extra)
    return result


def _or_unknown(value):
    return "?" if value is None else str(value)


ARGUMENT_SPEC = dict(
    agent_id=dict(type="list", elements="str", aliases=["agent_ids"]),
    status=dict(type="list", elements="str"),
    status_labels=dict(type="dict", default={}),
    quota=dict(type="bool", default=False),
    real_time=dict(type="bool", default=False),
    plan=dict(type="list", elements="raw"),
    plan_at=dict(type="str"),
    plan_timezone=dict(type="str", default="UTC"),
    busy_states=dict(type="list", elements="str", default=list(DEFAULT_BUSY_STATES)),
)
SPEC_KWARGS = dict(supports_check_mode=True)
