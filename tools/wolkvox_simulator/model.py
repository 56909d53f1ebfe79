# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's model: operations, their agents, contacts in progress, the daily quota and the
time each agent has spent in the state it shows.

Nothing here knows about HTTP or about how the vendor words an answer (``dialects`` does). The
simulator calls these methods while holding its lock."""

from __future__ import annotations

import datetime
import hashlib
import time

DEFAULT_STATES = {"ready": "Ready", "logout": "Logout"}
CONTACT_MODES = ("immediate", "deferred", "refuse")
LOGGED_OUT_MODES = ("accept", "refuse")
DEFAULT_LICENCES = 10
METERS = ("ready_time", "acw_time", "aux_time", "talk_time")


def token_key(token):
    """How the simulator names a token in its stats (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def yes_no(value):
    """An ``enabled`` value of a fixture or admin call (true/false, "yes"/"no", 1/0) as the API writes it."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("yes", "y", "true", "1", "on"):
            return "yes"
        if text in ("no", "n", "false", "0", "off"):
            return "no"
        raise ValueError("enabled must be true/false or yes/no, not %r" % value)
    return "yes" if value else "no"


def _choice(name, value, default, allowed):
    mode = str(value or default).strip().lower()
    if mode not in allowed:
        raise ValueError("%s must be one of %s, not %r" % (name, ", ".join(allowed), value))
    return mode


def contact_mode(value):
    return _choice("contact_mode", value, "immediate", CONTACT_MODES)


def logged_out_mode(value):
    return _choice("logged_out_mode", value, "accept", LOGGED_OUT_MODES)


def seconds(name, value, default=0.0):
    """A non-negative number of seconds from a fixture or an admin call."""
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number of seconds, not %r" % (name, value)) from None
    if number < 0:
        raise ValueError("%s must not be negative, not %r" % (name, value))
    return number


def count(name, value):
    """A non-negative whole number from a fixture or an admin call."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValueError("%s must be a whole number >= 0, not %r" % (name, value))
    return int(value)


def hours_to_midnight(now=None):
    """Whole hours (1-24, rounded up) until the quota's day ends, local midnight."""
    moment = datetime.datetime.fromtimestamp(time.time() if now is None else now)
    return 24 - moment.hour


class Operation(object):
    """One operation of the fixture: its server code, token, states, agents, quota and modes."""

    def __init__(self, spec, when=None):
        when = time.time() if when is None else when
        self.server = str(spec["server"])
        self.token = str(spec["token"])
        self.name = spec.get("name", self.server)
        self.aux_states = dict((str(k), str(v)) for k, v in spec.get("aux_states", {}).items())
        self.numeric_ids = bool(spec.get("agent_id_as_number", False))
        self.contact_mode = contact_mode(spec.get("contact_mode"))
        self.logged_out_mode = logged_out_mode(spec.get("logged_out_mode"))
        self.licences = count("licences", spec.get("licences", DEFAULT_LICENCES))
        self.quota_limit = count("quota", spec.get("quota", self.licences * 1000))
        self.quota_used = count("quota_used", spec.get("quota_used", 0))
        self.agents = {}
        # agent_id -> when (epoch seconds) the label it shows last changed
        self.since = {}
        # agent_id -> {"calls": n, "<meter>": seconds} of the segments that are over
        self.meters = {}
        # agent_id -> {"status", "ends_at" (epoch seconds or None), "then", "acw", "queued" (a change or None)}
        self.contacts = {}
        for agent in spec.get("agents", []):
            agent_id = str(agent["agent_id"])
            self.add_agent(agent_id, agent.get("agent_status", "Logout"), agent.get("agent_name"),
                           yes_no(agent.get("enabled", True)), seconds("in_state_for", agent.get("in_state_for")), when)
            contact = agent.get("contact")
            if contact:
                self.start_contact(agent_id, contact["status"], contact.get("ends_in"), contact.get("then"),
                                   contact.get("acw"), when)
        gen = spec.get("generate")
        if gen:
            self.generate(int(gen["count"]), gen.get("status", "Logout"), int(gen.get("start", 1000)),
                          seconds("in_state_for", gen.get("in_state_for")), when)

    # -- agents ---------------------------------------------------------------------------

    def add_agent(self, agent_id, status, name=None, enabled="yes", in_state_for=0.0, when=None):
        when = time.time() if when is None else when
        self.agents[agent_id] = {
            "agent_id": agent_id,
            "agent_name": name or "Agent %s" % agent_id,
            "agent_dni": "10%s" % agent_id.zfill(8),
            "agent_status": status,
            "last_use": "2026-11-24 08:00:00",
            "agent_sso": "",
            "enabled": enabled,
        }
        self.since[agent_id] = when - in_state_for
        self.meters[agent_id] = dict((meter, 0.0) for meter in METERS)
        self.meters[agent_id]["calls"] = 0

    def generate(self, number, status, start, in_state_for=0.0, when=None):
        for i in range(number):
            self.add_agent(str(start + i), status, in_state_for=in_state_for, when=when)

    def clear(self):
        for agent_id in list(self.contacts):
            self.drop_contact(agent_id)
        self.agents, self.since, self.meters = {}, {}, {}

    def label_of(self, status):
        key = status.strip().lower()
        if key in DEFAULT_STATES:
            return DEFAULT_STATES[key]
        return self.aux_states.get(status.strip())

    def shown_status(self, agent_id):
        """The label the agents API shows for an agent now: its contact's while it lasts."""
        contact = self.contacts.get(agent_id)
        return contact["status"] if contact else self.agents[agent_id]["agent_status"]

    def logged_out(self, agent_id):
        return self.shown_status(agent_id).strip().lower() == "logout"

    def set_label(self, agent_id, label, when):
        """The agent shows ``label`` from now on: any contact it was in is over (nothing it deferred applies)."""
        before = self._before(agent_id)
        self.drop_contact(agent_id)
        self.agents[agent_id]["agent_status"] = label
        self._after(agent_id, before, when)

    def backdate(self, agent_id, in_state_for, when):
        """The agent has shown its current label for ``in_state_for`` seconds."""
        self.since[agent_id] = when - in_state_for

    # -- time in state ----------------------------------------------------------------------

    def _before(self, agent_id):
        return self.shown_status(agent_id), agent_id in self.contacts

    def _after(self, agent_id, before, when):
        """Close the old label's segment when the label shown has changed."""
        label, in_contact = before
        if self.shown_status(agent_id) == label:
            return
        held = max(0.0, when - self.since[agent_id])
        meter = _meter_of(label, in_contact)
        if meter:
            self.meters[agent_id][meter] += held
        self.since[agent_id] = when

    def in_state_for(self, agent_id, now):
        return max(0.0, now - self.since[agent_id])

    def real_time_record(self, agent_id, now):
        """The agent's real-time record (time_state_now an int of seconds), or None when it shows Logout."""
        if self.logged_out(agent_id):
            return None
        meters = dict(self.meters[agent_id])
        current = _meter_of(*self._before(agent_id))
        if current:
            meters[current] += self.in_state_for(agent_id, now)
        login = sum(meters[meter] for meter in METERS)
        busy = meters["talk_time"] + meters["acw_time"]
        agent = self.agents[agent_id]
        return {
            "agent_id": int(agent_id) if self.numeric_ids else agent_id,
            "agent_name": agent["agent_name"],
            "agent_status": self.shown_status(agent_id),
            "time_state_now": int(self.in_state_for(agent_id, now)),
            "calls": meters["calls"],
            "ready_time": int(meters["ready_time"]),
            "acw_time": int(meters["acw_time"]),
            "aux_time": int(meters["aux_time"]),
            "login_time": int(login),
            "ocupation": round(100.0 * busy / login, 2) if login else 0.0,
        }

    # -- contacts ---------------------------------------------------------------------------

    def start_contact(self, agent_id, status, ends_in=None, then=None, acw=None, when=None, count_call=True):
        """Start (or replace) a contact. ``acw`` seconds: when it ends, the agent shows ACW that long, then Ready."""
        when = time.time() if when is None else when
        before = self._before(agent_id)
        previous = self.contacts.get(agent_id)
        acw = seconds("acw", acw) or None
        self.contacts[agent_id] = {
            "status": str(status),
            "ends_at": None if ends_in is None else when + seconds("ends_in", ends_in),
            "then": str(then) if then is not None else ("ACW" if acw else "Ready"),
            "acw": acw,
            # A change deferred during the contact it replaces still waits for the contact's end.
            "queued": previous["queued"] if previous else None,
        }
        if count_call and previous is None:
            self.meters[agent_id]["calls"] += 1
        self._after(agent_id, before, when)

    def end_contact(self, agent_id, when):
        """End an agent's contact: it shows the change deferred meanwhile, else the contact's ``then``
        (after-call work first when the contact has ``acw`` seconds)."""
        contact = self.contacts.get(agent_id)
        if contact is None:
            return False
        before = self._before(agent_id)
        del self.contacts[agent_id]
        queued = contact["queued"]
        if queued is not None:
            self.agents[agent_id]["agent_status"] = queued["label"]
            queued["applied"] = True
            queued["applied_t"] = when
        elif contact["acw"] and contact["then"].strip().lower() == "acw":
            self.contacts[agent_id] = {"status": "ACW", "ends_at": when + contact["acw"], "then": "Ready",
                                       "acw": None, "queued": None}
        else:
            self.agents[agent_id]["agent_status"] = contact["then"]
        self._after(agent_id, before, when)
        return True

    def drop_contact(self, agent_id):
        """Forget an agent's contact without applying anything (its deferred change is superseded)."""
        contact = self.contacts.pop(agent_id, None)
        if contact is not None and contact["queued"] is not None:
            contact["queued"]["superseded"] = True
        return contact

    def expire(self, now):
        # An after-call phase that starts when a contact ends may itself be over already.
        for _round in range(3):
            due = [(aid, c["ends_at"]) for aid, c in self.contacts.items() if c["ends_at"] is not None and c["ends_at"] <= now]
            if not due:
                return
            for agent_id, ends_at in due:
                self.end_contact(agent_id, ends_at)

    def contacts_state(self, now):
        return dict(
            (agent_id, {
                "status": c["status"],
                "ends_in_remaining": None if c["ends_at"] is None else round(max(0.0, c["ends_at"] - now), 3),
                "then": c["then"],
                "queued": c["queued"]["label"] if c["queued"] is not None else None,
            })
            for agent_id, c in self.contacts.items()
        )

    # -- the daily quota --------------------------------------------------------------------

    def quota_spent(self):
        return self.quota_used >= self.quota_limit

    def quota_state(self):
        return {"limit": self.quota_limit, "used": self.quota_used}

    def token_record(self, now=None):
        """What ``information.php?api=token_info`` tells about the quota (numbers)."""
        return {
            "token_limit": self.quota_limit,
            "token_use_today": self.quota_used,
            "available_consumption_options": max(0, self.quota_limit - self.quota_used),
            "hours_to_restart_count": hours_to_midnight(now),
        }


def _meter_of(label, in_contact):
    """Which real-time counter a stretch of time showing ``label`` adds to (None: logged out)."""
    key = label.strip().lower()
    if key == "logout":
        return None
    if key == "ready":
        return "ready_time"
    if key == "acw":
        return "acw_time"
    return "talk_time" if in_contact else "aux_time"
