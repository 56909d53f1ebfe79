# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wolkvox.contact_center.agent_states: an event source for ansible-rulebook (Event-Driven Ansible).

It reads an operation's agents every ``interval`` seconds (one request; two with ``real_time``)
with the collection's own client, and puts events on the rulebook's queue: ``state_changed`` when
an agent's state changes, ``out_of_adherence`` once an agent has been away from its shift plan's
state for ``adherence_grace`` seconds (once per episode), ``adherent_again`` when it is back. The
poll -> events logic is AgentWatch (pure, synchronous); main() only reads, waits and forwards.
docs/event-driven.md is the user's guide: arguments, events, decisions and an example rulebook.
"""

from __future__ import annotations

import asyncio
import datetime
import difflib
import json
import logging
import math
import os
import re
import sys

DOCUMENTATION = r"""
---
short_description: Events from Wolkvox agents' states and their adherence to a shift plan
description:
  - An event source plugin for ansible-rulebook. Reads one operation's agents every O(interval)
    seconds and sends C(state_changed), C(out_of_adherence) and C(adherent_again) events, each
    under the key C(wolkvox) (see docs/event-driven.md for their fields).
  - One read per poll, two with O(real_time). A fault or a busy answer is logged and the next poll
    tries again; an authentication failure or a spent daily quota stops the source with a message
    that names the cause.
  - Needs ansible-core and requests where ansible-rulebook runs (the decision environment).
options:
  wolkvox_server:
    description: The operation's server code, quoted (e.g. C("0042")). Else E(WOLKVOX_SERVER).
    type: str
    required: true
  wolkvox_token:
    description: The operation's API token. Else E(WOLKVOX_TOKEN). Never in an event or a log line.
    type: str
    required: true
    aliases: [token]
  api_url:
    description: Base URL override (a proxy, the simulator). Else E(WOLKVOX_API_URL), else the vendor's URL.
    type: str
  validate_certs:
    description: Verify the endpoint's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: CA bundle of a private endpoint.
    type: path
  timeout:
    description: Seconds per request.
    type: float
    default: 30.0
  retries:
    description: Retries of a fault within one poll (the next poll tries again anyway).
    type: int
    default: 3
  retry_delay:
    description: Base delay of those retries, in seconds.
    type: float
    default: 1.0
  max_concurrency:
    description: Most requests in flight for the token (this source makes one at a time).
    type: int
    default: 2
  interval:
    description:
      - Seconds between two polls (from the start of one to the start of the next).
      - Under 60 is allowed, with a warning, as every read counts in the operation's daily quota.
    type: float
    default: 300
  status_labels:
    description: State ID -> label (or list of labels) the agents list shows, as in the modules.
    type: dict
    default: {}
  busy_states:
    description:
      - States in which an agent handles a contact (labels, or IDs known to O(status_labels)). An agent in one of them
        while the plan says V(ready) is adherent, as in M(wolkvox.contact_center.wolkvox_agent_info); a long call
        never raises C(out_of_adherence). V([]) turns it off.
    type: list
    elements: str
    default: [Talk, ACW]
  real_time:
    description: Also read the real-time list, for C(time_in_state) in events and a finer adherence clock.
    type: bool
    default: false
  plan:
    description: A shift plan (the modules' and the role's format). Without it, no adherence events.
    type: list
    elements: dict
  plan_timezone:
    description: IANA time zone of the plan's times.
    type: str
    default: UTC
  adherence_grace:
    description: Seconds an agent may be away from its planned state before C(out_of_adherence).
    type: float
    default: 300
  emit_initial:
    description: On the first poll, a C(state_changed) event for every agent (its C(previous_status) null).
    type: bool
    default: false
  operation:
    description: A name for the operation, copied into every event (e.g. its inventory host, for a rule's C(target)).
    type: str
"""

EXAMPLES = r"""
- name: Put agents back on the shift plan
  hosts: all
  sources:
    - wolkvox.contact_center.agent_states:
        operation: bogota_sales
        wolkvox_server: "0042"          # the token from WOLKVOX_TOKEN
        plan: "{{ wolkvox_agent_status_plan }}"
        plan_timezone: America/Bogota
        status_labels: {"7": "Active breaks", "8": "Lunch"}
  rules:
    - name: Apply the plan to that operation
      condition: event.wolkvox.type == "out_of_adherence"
      action:
        run_playbook:
          name: wolkvox.contact_center.apply_agent_states
          extra_vars:
            target: "{{ event.wolkvox.operation }}"
"""


def _collections_root():
    """The folder that holds ansible_collections/, from this file's place in the collection
    (ansible_collections/wolkvox/contact_center/extensions/eda/plugins/event_source/)."""
    return os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *([os.pardir] * 7)))


# ansible-rulebook loads an event source with runpy.run_path: the collection is not importable
# unless its folder is on sys.path. Then it is added, at the end (an importable copy wins).
try:
    import ansible_collections.wolkvox.contact_center.plugins.module_utils._client  # noqa: F401 pylint: disable=unused-import
except ImportError:
    sys.path.append(_collections_root())

try:
    from ansible.module_utils.parsing.convert_bool import boolean

    from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
        WolkvoxAuthError,
        WolkvoxEndpointError,
        WolkvoxError,
        WolkvoxForbiddenError,
        WolkvoxInputError,
        WolkvoxLocalError,
        WolkvoxQuotaError,
        scrub,
        shown,
    )
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._info import adherence, attach_real_time
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import (
        MODULE_NAMES,
        PlanError,
        load_zone,
        moment,
        normalize_plan,
    )
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
        DEFAULT_BUSY_STATES,
        fold,
        normalize_labels,
        parse_status,
        state_set,
    )
except ImportError as exc:
    raise ImportError(
        "wolkvox.contact_center.agent_states needs ansible-core and requests where ansible-rulebook runs "
        "(the decision environment), and the collection installed in a collections path: %s" % exc
    )

NAME = "wolkvox.contact_center.agent_states"
logger = logging.getLogger(NAME)

STATE_CHANGED = "state_changed"
OUT_OF_ADHERENCE = "out_of_adherence"
ADHERENT_AGAIN = "adherent_again"
# Every event carries every one of these keys (null where it does not apply).
EVENT_KEYS = ("type", "server", "operation", "agent_id", "agent_name", "status", "previous_status",
              "time_in_state", "planned_status", "adherent")
ADVISED_INTERVAL = 60  # seconds: under it, a warning (every read counts in the daily quota)
MAX_SECONDS = 86400.0
DIGITS_RE = re.compile(r"^\s*\d{1,9}(?:\.\d*)?\s*\Z")


# --------------------------------------------------------------------------------------------
# Poll -> events: pure, synchronous, no I/O, no clock of its own
# --------------------------------------------------------------------------------------------

def _label(value):
    """The state label of a record, without surrounding blanks (None when it has none)."""
    if value is None:
        return None
    return str(value).strip()


class Episode(object):
    """An agent away from its planned state: since when (poll clock), and whether
    out_of_adherence was sent for it."""

    __slots__ = ("start", "sent")

    def __init__(self, start):
        self.start = start
        self.sent = False


class AgentWatch(object):
    """What one source remembers between polls, and the events each poll gives.

    ``poll(agents, now, at=None, real_time=None)``: ``agents`` the records of the agents list,
    ``now`` the poll clock (seconds, any origin, never going back), ``at`` the instant at which the
    plan is evaluated (an aware datetime; None: now), ``real_time`` the records of the real-time
    list (None: not read). Returns the events, agent by agent in the list's order, each agent's
    state_changed before its adherence event.

    Rules (docs/event-driven.md, "Decisions"):
    - The first poll gives no state_changed events unless ``emit_initial``; an agent that appears
      later gives one with previous_status null; an agent that leaves the list gives none.
    - planned_status and adherent are wolkvox_agent_info's (_info.adherence): an agent is in the
      plan's scope when an active entry gives it a state, its record is not disabled, and that
      state has a label to compare with (ready, logout, status_labels); adherent is then whether
      its label shows the planned state, null out of scope.
    - An episode starts at the first poll that sees the agent in scope and not adherent (with
      real_time, when it entered its state, but never before the previous poll). It goes on while
      the agent stays in scope and not adherent, whatever state the plan asks for meanwhile.
      out_of_adherence is sent once, at the first poll at least ``grace`` seconds into it;
      adherent_again when the agent is adherent again, only if out_of_adherence was sent. Leaving
      the scope ends an episode silently.
    - A plan that contradicts itself at an instant (two active entries, two states) freezes
      adherence for that poll: ``plan_problem`` holds the message, episodes are kept as they are.
    """

    def __init__(self, server, labels=None, plan=None, timezone="UTC", grace=300.0, emit_initial=False,
                 operation=None, busy_states=None):
        self.server = server
        self.labels = normalize_labels(labels)
        # An agent in a contact while the plan says ready is adherent (as wolkvox_agent_info says).
        self.busy = state_set(DEFAULT_BUSY_STATES if busy_states is None else busy_states, self.labels, "busy_states")
        self.plan = plan
        self.timezone = timezone or "UTC"
        self.grace = grace
        self.emit_initial = emit_initial
        self.operation = operation
        self.previous = None  # agent_id -> label, from the last successful poll (None: no poll yet)
        self.last_poll = None  # the poll clock of that poll
        self.episodes = {}  # agent_id -> Episode
        self.plan_problem = None
        self.polls = 0

    def unlabelled(self):
        """Auxiliary state IDs of the plan that have no label: adherence to them cannot be judged."""
        if self.plan is None:
            return []
        found = []
        for entry in self.plan:
            status = parse_status(entry.get("status")) if isinstance(entry, dict) else None
            if status is not None and status not in self.labels and status not in found:
                found.append(status)
        return found

    def _moment(self, at):
        if self.plan is None:
            return None
        try:
            found = moment(self.plan, at=at, timezone=self.timezone, names=MODULE_NAMES)
        except PlanError as exc:
            self.plan_problem = str(exc)
            return False
        self.plan_problem = None
        return found

    def _event(self, kind, record, label, previous):
        return {"wolkvox": dict(
            type=kind,
            server=self.server,
            operation=self.operation,
            agent_id=record["agent_id"],
            agent_name=record.get("agent_name"),
            status=label,
            previous_status=previous,
            time_in_state=record.get("time_in_state"),
            planned_status=record.get("planned_status"),
            adherent=record.get("adherent"),
        )}

    def _adherence(self, agent_id, adherent, now, time_in_state):
        """The adherence event type of this poll for one agent in scope, or None."""
        episode = self.episodes.get(agent_id)
        if adherent:
            self.episodes.pop(agent_id, None)
            return ADHERENT_AGAIN if episode is not None and episode.sent else None
        if episode is None:
            start = now
            if time_in_state is not None and self.last_poll is not None:
                start = max(self.last_poll, now - time_in_state)
            episode = self.episodes[agent_id] = Episode(start)
        if not episode.sent and now - episode.start >= self.grace:
            episode.sent = True
            return OUT_OF_ADHERENCE
        return None

    def poll(self, agents, now, at=None, real_time=None):
        found = self._moment(at)
        frozen = found is False
        agents = [dict(record) for record in agents]
        if real_time is not None:
            attach_real_time(agents, real_time)  # time_in_state: int seconds, None without a session
        if found:
            adherence(agents, found, self.labels, self.busy)  # planned_status and adherent, as wolkvox_agent_info says
        first = self.previous is None
        events = []
        seen = {}
        for record in agents:
            agent_id = record["agent_id"]
            if agent_id in seen:
                continue  # a list that names an agent twice: its first record counts
            label = seen[agent_id] = _label(record.get("agent_status"))
            before = self.previous.get(agent_id, None) if not first else None
            if first:
                changed = self.emit_initial
            elif agent_id not in self.previous:
                changed = True  # a newcomer
            else:
                changed = (before is None) != (label is None) or (label is not None and fold(before) != fold(label))
            if changed:
                events.append(self._event(STATE_CHANGED, record, label, before))
            if frozen:
                continue
            if record.get("adherent") is None:
                self.episodes.pop(agent_id, None)  # out of the plan's scope: the episode ends silently
                continue
            kind = self._adherence(agent_id, record["adherent"], now, record.get("time_in_state"))
            if kind is not None:
                events.append(self._event(kind, record, label, None))
        for agent_id in list(self.episodes):
            if agent_id not in seen:
                del self.episodes[agent_id]  # gone from the list: ends silently
        self.previous = seen
        self.last_poll = now
        self.polls += 1
        return events


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------

# The source's own arguments: name -> (kind, default). The connection options come from
# CONNECTION_SPEC (the modules' one definition, env fallbacks included).
SOURCE_ARGUMENTS = dict(
    interval=("seconds", 300.0),
    status_labels=("dict", None),
    real_time=("bool", False),
    plan=("list", None),
    plan_timezone=("str", "UTC"),
    adherence_grace=("seconds", 300.0),
    emit_initial=("bool", False),
    operation=("str", None),
    busy_states=("states", list(DEFAULT_BUSY_STATES)),
)


def _argument_names():
    names = {}
    for name, spec in CONNECTION_SPEC.items():
        names[name] = name
        for alias in spec.get("aliases", ()):
            names[alias] = name
    for name in SOURCE_ARGUMENTS:
        names[name] = name
    return names


def _bool(name, value):
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise WolkvoxInputError("%s %s is not valid: use true or false" % (name, shown(value)))


def _seconds(name, value):
    """interval (above 0) or adherence_grace (0 or more): seconds, at most a day."""
    number = float(value) if isinstance(value, str) and DIGITS_RE.match(value) else value
    ok = isinstance(number, (int, float)) and not isinstance(number, bool) and math.isfinite(number)
    low_ok = ok and (number > 0 if name == "interval" else number >= 0)
    if not low_ok or number > MAX_SECONDS:
        raise WolkvoxInputError("%s %s is not valid: it must be a number of seconds %s and at most %d (a day)"
                                % (name, shown(value), "above 0" if name == "interval" else "from 0",
                                   MAX_SECONDS))
    return float(number)


def _digits_as_text(value):
    """ansible-rulebook renders a source's templated arguments with Jinja's native types, which
    turn the text "1234" into the number 1234 (text with leading zeros, such as "0042", stays text).
    So a whole number given for a text argument is taken as its digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return value


def _converted(name, kind, value):
    if value is None:
        return None
    if kind == "str":
        value = _digits_as_text(value)
    if kind == "bool":
        return _bool(name, value)
    if kind == "seconds":
        return _seconds(name, value)
    if kind == "dict" and not isinstance(value, dict):
        raise WolkvoxInputError("%s must be a mapping of state IDs to labels, e.g. {'8': 'Lunch'}" % name)
    if kind == "states" and not isinstance(value, (list, tuple)):
        raise WolkvoxInputError("%s must be a list of states (labels, or IDs known to status_labels), e.g. [Talk, ACW]"
                                % name)
    if kind == "list" and not isinstance(value, (list, tuple)):
        raise WolkvoxInputError("%s must be a list of plan entries (status, agents or all_agents, from, to, days)"
                                % name)
    if kind == "str" and not isinstance(value, str):
        raise WolkvoxInputError("%s %s is not valid: it must be a text" % (name, shown(value)))
    return value


def settings_from(args, environ=None):
    """The source's arguments as a dict of every option (connection options included), validated
    for what is not the client's to check; env fallbacks applied. Raises WolkvoxInputError."""
    environ = os.environ if environ is None else environ
    names = _argument_names()
    given = {}
    for key, value in (args or {}).items():
        if str(key).startswith("eda_"):
            continue  # what ansible-rulebook itself adds (eda_feedback_queue)
        if key not in names:
            close = difflib.get_close_matches(str(key), sorted(names), n=1)
            guess = " (did you mean %s?)" % close[0] if close else ""
            raise WolkvoxInputError("%s has no argument %s%s; its arguments are %s"
                                    % (NAME, shown(key), guess, ", ".join(sorted(set(names.values())))))
        name = names[key]
        if value is None:
            continue
        if name in given:
            raise WolkvoxInputError("%s: give %s or its alias, not both" % (NAME, name))
        given[name] = value
    settings = {}
    for name, spec in CONNECTION_SPEC.items():
        value = given.get(name)
        if value is None and spec.get("fallback"):
            for variable in spec["fallback"][1]:
                if environ.get(variable):
                    value = environ[variable]
                    break
        if value is None:
            value = spec.get("default")
        if spec["type"] == "bool" and value is not None:
            value = _bool(name, value)
        elif spec["type"] in ("int", "float") and isinstance(value, str) and DIGITS_RE.match(value):
            value = float(value) if spec["type"] == "float" else int(float(value))
        elif spec["type"] == "path" and isinstance(value, str):
            value = os.path.expanduser(value)
        elif spec["type"] == "str":
            value = _digits_as_text(value)
        settings[name] = value
    for name in ("wolkvox_server", "wolkvox_token"):
        if settings[name] is None or settings[name] == "":
            variable = CONNECTION_SPEC[name]["fallback"][1][0]
            raise WolkvoxInputError("%s needs %s: set the argument or the environment variable %s"
                                    % (NAME, name, variable))
    for name, (kind, default) in SOURCE_ARGUMENTS.items():
        value = _converted(name, kind, given.get(name))
        settings[name] = default if value is None else value
    return settings


# --------------------------------------------------------------------------------------------
# The source
# --------------------------------------------------------------------------------------------

def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def ordinal(number):
    return "%d%s" % (number, "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th"))


class Source(object):
    """One running source: its settings, client and AgentWatch; ``run(queue)`` polls until
    cancelled or stopped by an error that another poll cannot cure."""

    def __init__(self, settings, client_factory=WolkvoxClient, now=utcnow, sleep=asyncio.sleep, log=logger):
        self.settings = settings
        self.client_factory = client_factory
        self.now = now
        self.sleep = sleep
        self.log = log
        self.interval = settings["interval"]
        self.reads_per_poll = 2 if settings["real_time"] else 1
        self.watch = AgentWatch(settings["wolkvox_server"], settings["status_labels"], plan=settings["plan"],
                                timezone=settings["plan_timezone"], grace=settings["adherence_grace"],
                                emit_initial=settings["emit_initial"], operation=settings["operation"],
                                busy_states=settings["busy_states"])
        self.failed_polls = 0
        self.plan_problem = None
        if settings["plan"] is not None:
            # Every entry and the time zone are checked now, before any request (a contradiction
            # between two entries only shows at an instant where both are active: see AgentWatch).
            normalize_plan(settings["plan"], MODULE_NAMES)
            load_zone(settings["plan_timezone"], MODULE_NAMES)

    def describe(self):
        s = self.settings
        reads = int(math.ceil(86400.0 / self.interval)) * self.reads_per_poll
        what = "server %s" % s["wolkvox_server"]
        if s["operation"]:
            what = "operation %s (%s)" % (s["operation"], what)
        plan = "no plan (state changes only)"
        if s["plan"] is not None:
            plan = "a plan of %d entries (%s), adherence grace %gs" % (
                len(s["plan"]), s["plan_timezone"], s["adherence_grace"])
        return "watching %s every %gs: %d read%s per poll (about %d a day of the daily quota), %s" % (
            what, self.interval, self.reads_per_poll, "s" if self.reads_per_poll > 1 else "", reads, plan)

    def client(self):
        s = self.settings
        return self.client_factory(
            server=s["wolkvox_server"], token=s["wolkvox_token"], api_url=s["api_url"],
            validate_certs=s["validate_certs"], ca_path=s["ca_path"], timeout=s["timeout"],
            retries=s["retries"], retry_delay=s["retry_delay"], max_concurrency=s["max_concurrency"],
        )

    def read(self, client):
        """One poll's reads (blocking; run in a worker thread)."""
        agents = client.list_agents()
        real_time = client.list_real_time() if self.settings["real_time"] else None
        return agents, real_time

    def stop_error(self, exc):
        """The error to stop with, or None when the next poll may well work."""
        never_read = self.watch.polls == 0
        if isinstance(exc, WolkvoxQuotaError):
            exc.message = (
                "%s stops: the operation's daily quota of API requests is spent (licences x 1000 requests a day "
                "to the report, information and real-time APIs, shared by all its tokens; it resets daily). "
                "This source spends %d read%s a poll every %gs: a longer interval spends less. (%s)"
                % (NAME, self.reads_per_poll, "s" if self.reads_per_poll > 1 else "", self.interval, exc.message))
            return exc
        if isinstance(exc, WolkvoxForbiddenError) and not never_read:
            return None  # after reads that worked, most likely the vendor's maintenance: try again
        if isinstance(exc, (WolkvoxAuthError, WolkvoxInputError, WolkvoxLocalError)) or (
                isinstance(exc, WolkvoxEndpointError) and never_read):
            exc.message = "%s stops: %s" % (NAME, exc.message)
            return exc
        return None

    async def run(self, queue, client=None):
        s = self.settings
        if client is None:
            client = self.client()  # checks every connection option before any request
        if self.interval < ADVISED_INTERVAL:  # allowed: tests, a short watch; the quota is the limit
            self.log.warning(
                "%s: interval %gs is under %ds: every poll reads the agents list%s, and each read counts in the "
                "operation's daily quota (licences x 1000 requests a day, shared by its tokens): about %d reads a "
                "day at this interval", NAME, self.interval, ADVISED_INTERVAL,
                " and the real-time list" if s["real_time"] else "",
                int(math.ceil(86400.0 / self.interval)) * self.reads_per_poll)
        for status in self.watch.unlabelled():
            self.log.warning("%s: the plan asks for state %s, which has no label in status_labels: adherence to it "
                             "cannot be judged (adherent null, no out_of_adherence); add status_labels: "
                             "{'%s': '<label the agents list shows>'}", NAME, status, status)
        self.log.info("%s: %s", NAME, self.describe())
        loop = asyncio.get_running_loop()
        try:
            while True:
                started = loop.time()
                try:
                    agents, real_time = await loop.run_in_executor(None, self.read, client)
                except WolkvoxError as exc:
                    stop = self.stop_error(exc)
                    if stop is not None:
                        raise stop
                    self.failed_polls += 1
                    self.log.warning("%s: poll failed (%s in a row), trying again in %gs: %s", NAME,
                                     ordinal(self.failed_polls), self.interval, exc.message)
                else:
                    if self.failed_polls:
                        self.log.info("%s: reading works again after %d failed poll%s", NAME, self.failed_polls,
                                      "s" if self.failed_polls > 1 else "")
                        self.failed_polls = 0
                    events = self.watch.poll(agents, now=started, at=self.now(), real_time=real_time)
                    if self.watch.plan_problem != self.plan_problem:
                        self.plan_problem = self.watch.plan_problem
                        if self.plan_problem:
                            self.log.error("%s: adherence is not judged while the plan contradicts itself: %s",
                                           NAME, self.plan_problem)
                    self.log.debug("%s: poll %d: %d agents, %d events", NAME, self.watch.polls, len(agents),
                                   len(events))
                    for event in events:
                        await queue.put(clean_event(event, s["wolkvox_token"]))
                await self.sleep(max(0.0, self.interval - (loop.time() - started)))
        finally:
            client.close()


def clean_event(event, token):
    """The event with the token masked wherever an answer might have echoed it."""
    body = event["wolkvox"]
    for key, value in body.items():
        if isinstance(value, str):
            body[key] = scrub(value, token)
    return event


async def main(queue, args):
    """The entry point ansible-rulebook calls: validate, then poll until cancelled or stopped."""
    try:
        source = Source(settings_from(args))
        client = source.client()  # checks every connection option before any request
    except WolkvoxError as exc:
        exc.message = "%s cannot start: %s" % (NAME, exc.message)
        raise
    await source.run(queue, client)


if __name__ == "__main__":
    # Try it without ansible-rulebook: python agent_states.py '{"interval": 60}' (connection from
    # WOLKVOX_SERVER, WOLKVOX_TOKEN, WOLKVOX_API_URL); prints each event as a JSON line.
    class PrintQueue(object):
        async def put(self, event):
            print(json.dumps(event, sort_keys=True), flush=True)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(PrintQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
