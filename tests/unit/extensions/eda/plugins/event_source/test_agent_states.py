# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the event source wolkvox.contact_center.agent_states: the poll -> events logic
(AgentWatch) as a table of polls, the arguments, and the polling loop over a fake client (faults,
busy answers, a refused token, a spent quota, one read per poll). No network."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.wolkvox.contact_center.extensions.eda.plugins.event_source import agent_states
from ansible_collections.wolkvox.contact_center.extensions.eda.plugins.event_source.agent_states import (
    EVENT_KEYS,
    AgentWatch,
    Source,
    settings_from,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxEndpointError,
    WolkvoxForbiddenError,
    WolkvoxInputError,
    WolkvoxQuotaError,
    WolkvoxTokenBusyError,
    WolkvoxTransportError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import PlanError

TOKEN = "tok-5ecr3t-ABCDEF0123456789"
LABELS = {"7": "Active breaks", "8": "Lunch"}
# 1001 and 1002 ready from 08:00 to 12:00 (UTC); 1001 at lunch (8) from 12:00 to 13:00; 1003 ready
# from 08:00 to 12:00, watch only (enforce: false); 1004 in state 9, which has no label.
PLAN = [
    {"agents": ["1001", "1002"], "status": "ready", "from": "08:00", "to": "12:00"},
    {"agents": ["1001"], "status": "8", "from": "12:00", "to": "13:00"},
    {"agents": ["1003"], "status": "ready", "from": "08:00", "to": "12:00", "enforce": False},
    {"agents": ["1004"], "status": "9", "from": "08:00", "to": "12:00"},
]
MORNING = "2026-11-25T09:00:00Z"
NOON = "2026-11-25T12:30:00Z"
EVENING = "2026-11-25T18:00:00Z"


def agents(states, disabled=()):
    """The agents list: {agent_id: label} in that order; a label written "(disabled) Lunch" is a
    disabled user's."""
    records = []
    for aid, label in states.items():
        off = aid in disabled or (label or "").startswith("(disabled) ")
        records.append(dict(agent_id=aid, agent_name="Agent %s" % aid, agent_status=label and label.replace("(disabled) ", ""),
                            enabled="no" if off else "yes"))
    return records


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def brief(events):
    """(type, agent_id) of each event, in order."""
    return [(e["wolkvox"]["type"], e["wolkvox"]["agent_id"]) for e in events]


# One row per scenario: the watch's arguments, then its polls, each
# (poll clock, {agent_id: label}, plan instant or None, real-time {agent_id: seconds} or None,
#  expected [(type, agent_id), ...]).
SC, OUT, BACK = "state_changed", "out_of_adherence", "adherent_again"
SCENARIOS = {
    "first poll: no event by default": (dict(), [
        (0, {"1001": "Ready", "1002": "Lunch"}, None, None, []),
    ]),
    "first poll: every agent with emit_initial": (dict(emit_initial=True), [
        (0, {"1001": "Ready", "1002": "Lunch"}, None, None, [(SC, "1001"), (SC, "1002")]),
        (300, {"1001": "Ready", "1002": "Lunch"}, None, None, []),
    ]),
    "a change, and labels compared as the modules do": (dict(), [
        (0, {"1001": "Ready", "1002": "Lunch"}, None, None, []),
        (300, {"1001": "Lunch", "1002": " lunch "}, None, None, [(SC, "1001")]),
        (600, {"1001": "Lunch", "1002": None}, None, None, [(SC, "1002")]),
    ]),
    "a newcomer, and an agent that leaves the list": (dict(), [
        (0, {"1001": "Ready"}, None, None, []),
        (300, {"1002": "Ready"}, None, None, [(SC, "1002")]),
        (600, {"1001": "Ready", "1002": "Ready"}, None, None, [(SC, "1001")]),
    ]),
    "an episode starts, lasts, ends": (dict(plan=PLAN, grace=300), [
        (0, {"1001": "Ready"}, MORNING, None, []),
        (60, {"1001": "Lunch"}, MORNING, None, [(SC, "1001")]),  # starts at 60
        (300, {"1001": "Lunch"}, MORNING, None, []),  # 240 s
        (360, {"1001": "Lunch"}, MORNING, None, [(OUT, "1001")]),  # 300 s: sent
        (420, {"1001": "Active breaks"}, MORNING, None, [(SC, "1001")]),  # still away: same episode
        (900, {"1001": "Active breaks"}, MORNING, None, []),  # once per episode
        (960, {"1001": "ready"}, MORNING, None, [(SC, "1001"), (BACK, "1001")]),
        (1020, {"1001": "Lunch"}, MORNING, None, [(SC, "1001")]),  # a new episode
        (1320, {"1001": "Lunch"}, MORNING, None, [(OUT, "1001")]),
    ]),
    "grace not yet reached: neither out_of_adherence nor adherent_again": (dict(plan=PLAN, grace=300), [
        (0, {"1001": "Lunch"}, MORNING, None, []),  # counts from the first poll
        (299, {"1001": "Lunch"}, MORNING, None, []),
        (298 + 2, {"1001": "Ready"}, MORNING, None, [(SC, "1001")]),
    ]),
    "grace 0: the first poll that sees it": (dict(plan=PLAN, grace=0), [
        (0, {"1001": "Lunch", "1002": "Ready"}, MORNING, None, [(OUT, "1001")]),
        (60, {"1001": "Lunch", "1002": "Logout"}, MORNING, None, [(SC, "1002"), (OUT, "1002")]),
    ]),
    "an agent logged out in the middle of a shift": (dict(plan=PLAN, grace=120), [
        (0, {"1002": "Ready"}, MORNING, None, []),
        (60, {"1002": "Logout"}, MORNING, None, [(SC, "1002")]),
        (180, {"1002": "Logout"}, MORNING, None, [(OUT, "1002")]),
    ]),
    "leaving the plan's scope ends the episode silently": (dict(plan=PLAN, grace=60), [
        (0, {"1002": "Lunch"}, MORNING, None, []),
        (60, {"1002": "Lunch"}, MORNING, None, [(OUT, "1002")]),
        (120, {"1002": "Lunch"}, NOON, None, []),  # no active entry for 1002 at 12:30
        (180, {"1002": "Ready"}, NOON, None, [(SC, "1002")]),  # no adherent_again: out of scope
    ]),
    "back in scope: a new episode, counted anew": (dict(plan=PLAN, grace=60), [
        (0, {"1002": "Lunch"}, MORNING, None, []),
        (30, {"1002": "Lunch"}, NOON, None, []),
        (60, {"1002": "Lunch"}, MORNING, None, []),  # starts again at 60
        (90, {"1002": "Lunch"}, MORNING, None, []),
        (120, {"1002": "Lunch"}, MORNING, None, [(OUT, "1002")]),
    ]),
    "gone from the list: the episode ends silently": (dict(plan=PLAN, grace=60), [
        (0, {"1001": "Lunch", "1002": "Ready"}, MORNING, None, []),
        (60, {"1001": "Lunch", "1002": "Ready"}, MORNING, None, [(OUT, "1001")]),
        (120, {"1002": "Ready"}, MORNING, None, []),
        (180, {"1001": "Ready", "1002": "Ready"}, MORNING, None, [(SC, "1001")]),  # a newcomer, no adherent_again
    ]),
    "the plan moves on: the episode goes on; adherent by the plan's change": (dict(plan=PLAN, grace=600), [
        (0, {"1001": "Ready"}, "2026-11-25T11:50:00Z", None, []),
        (60, {"1001": "Lunch"}, "2026-11-25T11:51:00Z", None, [(SC, "1001")]),
        (660, {"1001": "Lunch"}, "2026-11-25T12:01:00Z", None, []),  # planned 8 now: adherent, never sent
        (720, {"1001": "Ready"}, "2026-11-25T12:02:00Z", None, [(SC, "1001")]),  # away again: new episode
        (1320, {"1001": "Ready"}, "2026-11-25T12:12:00Z", None, [(OUT, "1001")]),
        (1380, {"1001": "Ready"}, "2026-11-25T13:00:00Z", None, []),  # out of scope at 13:00
    ]),
    "watch-only entries count; disabled users and unlabelled states do not": (dict(plan=PLAN, grace=0), [
        (0, {"1003": "Lunch", "1002": "(disabled) Lunch", "1004": "Lunch"}, MORNING, None, [(OUT, "1003")]),
    ]),
    "no plan: state changes only": (dict(grace=0), [
        (0, {"1001": "Lunch"}, MORNING, None, []),
        (60, {"1001": "Ready"}, MORNING, None, [(SC, "1001")]),
    ]),
    "real_time: an episode starts when the agent entered its state, not before the previous poll": (
        dict(plan=PLAN, grace=100), [
            (0, {"1001": "Lunch", "1002": "Ready"}, MORNING, {"1001": 5000, "1002": 10}, []),  # first poll: from 0
            (60, {"1001": "Lunch", "1002": "Lunch"}, MORNING, {"1001": 5060, "1002": 50}, [(SC, "1002")]),  # 1002 from 10
            (100, {"1001": "Lunch", "1002": "Lunch"}, MORNING, {"1001": 5100, "1002": 90}, [(OUT, "1001")]),
            (110, {"1001": "Lunch", "1002": "Lunch"}, MORNING, {"1001": 5110, "1002": 100}, [(OUT, "1002")]),
        ]),
    "real_time: never before the previous poll": (dict(plan=PLAN, grace=100), [
        (0, {"1002": "Ready"}, MORNING, {"1002": 10}, []),
        (60, {"1002": "Lunch"}, MORNING, {"1002": 3000}, [(SC, "1002")]),  # clock glitch: from 0 at most
        (99, {"1002": "Lunch"}, MORNING, {"1002": 3039}, []),
        (100, {"1002": "Lunch"}, MORNING, {"1002": 3040}, [(OUT, "1002")]),
    ]),
}


@pytest.mark.parametrize("kwargs, polls", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_poll_to_events(kwargs, polls):
    watch = AgentWatch("0042", LABELS, **kwargs)
    for number, (now, states, instant, real_time, expected) in enumerate(polls):
        records = agents(states)
        rt = None if real_time is None else [{"agent_id": aid, "time_state_now": s} for aid, s in real_time.items()]
        events = watch.poll(records, now=now, at=at(instant) if instant else None, real_time=rt)
        assert brief(events) == expected, "poll %d (clock %s)" % (number, now)


def test_event_shape_and_fields():
    watch = AgentWatch("0042", LABELS, plan=PLAN, grace=0, operation="bogota_sales")
    watch.poll(agents({"1001": "Ready", "1002": "Ready"}), now=0, at=at(MORNING),
               real_time=[{"agent_id": "1001", "time_state_now": "00:21:00"}])
    events = watch.poll(agents({"1001": "Lunch", "1002": "Ready"}), now=60, at=at(MORNING),
                        real_time=[{"agent_id": "1001", "time_state_now": 1260}])
    changed, away = events
    assert changed == {"wolkvox": {
        "type": "state_changed", "server": "0042", "operation": "bogota_sales", "agent_id": "1001",
        "agent_name": "Agent 1001", "status": "Lunch", "previous_status": "Ready", "time_in_state": 1260,
        "planned_status": "ready", "adherent": False}}
    assert away["wolkvox"]["type"] == "out_of_adherence" and away["wolkvox"]["previous_status"] is None
    for event in events:
        assert tuple(sorted(event)) == ("wolkvox",) and set(event["wolkvox"]) == set(EVENT_KEYS)


def test_time_in_state_null_without_a_session_or_without_real_time():
    watch = AgentWatch("0042", LABELS, emit_initial=True)
    with_rt = watch.poll(agents({"1001": "Logout"}), now=0, real_time=[])
    assert with_rt[0]["wolkvox"]["time_in_state"] is None
    watch = AgentWatch("0042", LABELS, emit_initial=True)
    assert watch.poll(agents({"1001": "Ready"}), now=0)[0]["wolkvox"]["time_in_state"] is None


def test_no_plan_gives_null_planned_status_and_adherent():
    watch = AgentWatch("0042", LABELS, emit_initial=True)
    event = watch.poll(agents({"1001": "Ready"}), now=0)[0]["wolkvox"]
    assert event["planned_status"] is None and event["adherent"] is None


def test_disabled_user_and_unlabelled_state_are_out_of_scope():
    watch = AgentWatch("0042", LABELS, plan=PLAN, grace=0, emit_initial=True)
    events = watch.poll(agents({"1002": "Lunch", "1004": "Lunch"}, disabled=("1002",)), now=0, at=at(MORNING))
    assert brief(events) == [(SC, "1002"), (SC, "1004")]
    assert [(e["wolkvox"]["planned_status"], e["wolkvox"]["adherent"]) for e in events] == [(None, None), ("9", None)]
    assert watch.unlabelled() == ["9"]


def test_a_contradicting_plan_freezes_adherence_and_says_why():
    plan = [{"agents": ["1001"], "status": "ready", "from": "08:00", "to": "12:00"},
            {"agents": ["1001"], "status": "8", "from": "11:00", "to": "13:00"}]
    watch = AgentWatch("0042", LABELS, plan=plan, grace=60)
    watch.poll(agents({"1001": "Lunch"}), now=0, at=at(MORNING))  # away from ready: episode from 0
    events = watch.poll(agents({"1001": "Lunch"}), now=60, at=at("2026-11-25T11:30:00Z"))
    assert events == [] and "entries 0 and 1" in watch.plan_problem
    events = watch.poll(agents({"1001": "Lunch"}), now=120, at=at("2026-11-25T10:00:00Z"))
    assert brief(events) == [(OUT, "1001")] and watch.plan_problem is None


def test_a_list_that_names_an_agent_twice_counts_its_first_record():
    watch = AgentWatch("0042", LABELS)
    watch.poll(agents({"1001": "Ready"}), now=0)
    records = agents({"1001": "Lunch"}) + agents({"1001": "Ready"})
    assert brief(watch.poll(records, now=60)) == [(SC, "1001")]


def test_poll_does_not_change_the_records_it_is_given():
    records = agents({"1001": "Ready"})
    AgentWatch("0042", LABELS, plan=PLAN).poll(records, now=0, at=at(MORNING), real_time=[])
    assert set(records[0]) == {"agent_id", "agent_name", "agent_status", "enabled"}


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------

def test_settings_defaults_and_env_fallbacks():
    env = {"WOLKVOX_SERVER": "0042", "WOLKVOX_TOKEN": TOKEN, "WOLKVOX_API_URL": "http://127.0.0.1:1"}
    s = settings_from({}, env)
    assert (s["wolkvox_server"], s["wolkvox_token"], s["api_url"]) == ("0042", TOKEN, "http://127.0.0.1:1")
    assert (s["interval"], s["adherence_grace"], s["real_time"], s["emit_initial"]) == (300.0, 300.0, False, False)
    assert (s["plan"], s["plan_timezone"], s["status_labels"], s["operation"]) == (None, "UTC", None, None)
    assert (s["validate_certs"], s["timeout"], s["retries"]) == (True, 30.0, 3)


def test_arguments_win_over_the_environment_and_token_is_an_alias():
    env = {"WOLKVOX_SERVER": "9999", "WOLKVOX_TOKEN": "other-token-0000"}
    s = settings_from({"wolkvox_server": "0042", "token": TOKEN, "interval": "30", "real_time": "yes",
                       "eda_feedback_queue": object()}, env)
    assert (s["wolkvox_server"], s["wolkvox_token"], s["interval"], s["real_time"]) == ("0042", TOKEN, 30.0, True)


def test_numbers_from_rulebook_templating_are_taken_as_their_digits():
    """ansible-rulebook's native Jinja turns "{{ server }}" with server "1234" into 1234."""
    s = settings_from({"wolkvox_server": 1234, "wolkvox_token": 98765432101234, "operation": 7}, {})
    assert (s["wolkvox_server"], s["wolkvox_token"], s["operation"]) == ("1234", "98765432101234", "7")


@pytest.mark.parametrize("args, words", [
    ({"token": TOKEN}, ["wolkvox_server", "WOLKVOX_SERVER"]),
    ({"wolkvox_server": "0042"}, ["wolkvox_token", "WOLKVOX_TOKEN"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "wolkvox_token": TOKEN}, ["alias", "not both"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "intervall": 60}, ["intervall", "did you mean interval"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "interval": 0}, ["interval 0", "above 0"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "interval": -5}, ["interval -5"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "interval": "soon"}, ["interval 'soon'"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "interval": True}, ["interval True"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "adherence_grace": -1}, ["adherence_grace -1", "from 0"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "adherence_grace": 100000}, ["adherence_grace 100000", "a day"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "emit_initial": "maybe"}, ["emit_initial 'maybe'", "true or false"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "status_labels": ["Lunch"]}, ["status_labels", "mapping"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "plan": {"status": "ready"}}, ["plan must be a list"]),
    ({"wolkvox_server": "0042", "token": TOKEN, "operation": ["a"]}, ["operation ['a']", "text"]),
])
def test_bad_arguments_fail_before_any_request_naming_the_argument(args, words, readable):
    with pytest.raises(WolkvoxInputError) as caught:
        settings_from(args, {})
    message = str(caught.value)
    assert readable(message) and TOKEN not in message
    for word in words:
        assert word in message


def test_a_malformed_plan_or_time_zone_fails_before_any_request():
    base = settings_from({"wolkvox_server": "0042", "token": TOKEN}, {})
    with pytest.raises(PlanError, match=r"plan\[0\].*'to'"):
        Source(dict(base, plan=[{"all_agents": True, "status": "ready", "from": "08:00"}]), client_factory=FakeClient)
    with pytest.raises(PlanError, match="plan_timezone 'Mars/Olympus'"):
        Source(dict(base, plan=PLAN, plan_timezone="Mars/Olympus"), client_factory=FakeClient)


def test_documentation_lists_every_argument_with_its_default():
    options = yaml.safe_load(agent_states.DOCUMENTATION)["options"]
    assert set(options) == set(CONNECTION_SPEC) | set(agent_states.SOURCE_ARGUMENTS)
    defaults = settings_from({"wolkvox_server": "0042", "token": TOKEN}, {})
    for name, doc in options.items():
        if name in ("wolkvox_server", "wolkvox_token"):
            assert doc["required"] is True
            continue
        assert doc.get("default") == defaults[name] or (doc.get("default") == {} and defaults[name] is None), name
    for name, spec in CONNECTION_SPEC.items():
        assert options[name]["type"] == spec["type"], name
        assert options[name].get("aliases", []) == spec.get("aliases", []), name
    yaml.safe_load(agent_states.EXAMPLES)


def test_loads_the_way_ansible_rulebook_loads_it(tmp_path):
    """ansible-rulebook runs the file with runpy.run_path, with no collections path on sys.path,
    and calls its coroutine main. A fresh interpreter, elsewhere, does the same here."""
    code = ("import asyncio, runpy, sys; module = runpy.run_path(sys.argv[1]); "
            "assert asyncio.iscoroutinefunction(module['main']); print(module['AgentWatch'].__name__)")
    env = dict(os.environ)
    # ansible stays importable (ansible-test puts it on PYTHONPATH); the collection must not be.
    env["PYTHONPATH"] = os.pathsep.join(
        path for path in env.get("PYTHONPATH", "").split(os.pathsep)
        if path and not os.path.isdir(os.path.join(path, "ansible_collections", "wolkvox")))
    done = subprocess.run([sys.executable, "-c", code, agent_states.__file__], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "AgentWatch", done.stderr[-2000:]


# --------------------------------------------------------------------------------------------
# The polling loop, over a fake client
# --------------------------------------------------------------------------------------------

class Done(Exception):
    """Raised by the fake sleep once the script is played."""


class FakeClient(object):
    """list_agents / list_real_time answer from scripts: each item a list of records (or a
    {agent_id: label} dict) or an exception to raise."""

    instances = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.script = list(FakeClient.next_script)
        self.real_time_script = list(FakeClient.next_real_time)
        self.calls = []
        self.closed = False
        FakeClient.instances.append(self)

    next_script = []
    next_real_time = []

    def list_agents(self):
        self.calls.append("agents")
        answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return agents(answer) if isinstance(answer, dict) else answer

    def list_real_time(self):
        self.calls.append("real_time")
        if not self.real_time_script:
            return []
        answer = self.real_time_script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def close(self):
        self.closed = True


class ListQueue(list):
    async def put(self, event):
        self.append(event)


def play(script, real_time_script=(), now=MORNING, **args):
    """Run the source over a FakeClient playing ``script`` (one item per poll) and
    ``real_time_script``; returns (events, client, sleeps, the exception that ended it)."""
    FakeClient.next_script = list(script)
    FakeClient.next_real_time = list(real_time_script)
    FakeClient.instances = []
    sleeps = []

    async def sleep(seconds):
        sleeps.append(seconds)
        if not FakeClient.instances[-1].script:
            raise Done()

    settings = settings_from(dict({"wolkvox_server": "0042", "token": TOKEN}, **args), {})
    source = Source(settings, client_factory=FakeClient, now=lambda: at(now), sleep=sleep)
    queue = ListQueue()
    try:
        asyncio.run(source.run(queue))
    except Exception as exc:  # pylint: disable=broad-except
        ended = exc
    else:
        ended = None
    return queue, FakeClient.instances[-1], sleeps, ended


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_faults_and_busy_answers_are_survived_until_the_next_poll(caplog, readable):
    caplog.set_level(logging.INFO, logger=agent_states.NAME)
    script = [
        {"1001": "Ready"},
        WolkvoxApiError("reading the agents list failed: HTTP 503 (service unavailable)", http_status=503),
        WolkvoxTokenBusyError("reading the agents list failed: the token is busy"),
        WolkvoxTransportError("reading the agents list failed: no answer within 30 seconds (timeout)"),
        WolkvoxForbiddenError("reading the agents list failed: HTTP 403 with an empty body"),  # after a read: maintenance
        WolkvoxEndpointError("reading the agents list failed: an HTML page"),  # after a read: a proxy's hiccup
        {"1001": "Lunch"},
    ]
    events, client, sleeps, ended = play(script, interval=120)
    assert isinstance(ended, Done)
    assert brief(events) == [(SC, "1001")] and events[0]["wolkvox"]["previous_status"] == "Ready"
    assert client.calls == ["agents"] * 7 and client.closed
    warned = [m for m in warnings_of(caplog) if "poll failed" in m]
    assert len(warned) == 5 and "5th in a row" in warned[-1] and "trying again in 120s" in warned[0]
    assert "HTTP 503" in warned[0] and "busy" in warned[1]
    assert all(readable(m) and TOKEN not in m for m in caplog.messages)
    assert any("reading works again after 5 failed polls" in m for m in caplog.messages)
    assert all(0 <= s <= 120 for s in sleeps)


@pytest.mark.parametrize("error, words", [
    (WolkvoxAuthError("reading the agents list failed: authentication failed - check wolkvox_token (it must be a "
                      "token of this operation), and wolkvox_server '0042'"), ["stops", "wolkvox_token", "wolkvox_server"]),
    (WolkvoxForbiddenError("reading the agents list failed: HTTP 403 with an empty body: a wrong token (check "
                           "wolkvox_token and wolkvox_server '0042')"), ["stops", "wolkvox_token"]),
    (WolkvoxEndpointError("reading the agents list failed: check api_url"), ["stops", "api_url"]),
    (WolkvoxQuotaError("reading the agents list failed: TOKEN LIMIT EXCEEDED"),
     ["stops", "daily quota", "resets daily", "1 read a poll every 300s", "TOKEN LIMIT EXCEEDED"]),
])
def test_a_refused_token_or_a_spent_quota_on_the_first_poll_stops_the_source(error, words, readable):
    events, client, sleeps, ended = play([error])
    assert type(ended) is type(error) and events == [] and sleeps == [] and client.closed
    message = str(ended)
    assert readable(message) and message.startswith("wolkvox.contact_center.agent_states stops: ")
    for word in words:
        assert word in message


@pytest.mark.parametrize("error", [
    WolkvoxAuthError("reading the agents list failed: authentication failed"),
    WolkvoxQuotaError("reading the agents list failed: TOKEN LIMIT EXCEEDED"),
])
def test_a_refused_token_or_a_spent_quota_later_stops_it_too(error):
    events, client, sleeps, ended = play([{"1001": "Ready"}, {"1001": "Lunch"}, error, {"1001": "Ready"}])
    assert type(ended) is type(error) and brief(events) == [(SC, "1001")] and len(client.calls) == 3


def test_the_real_time_read_is_a_second_request_and_its_fault_is_survived_too():
    real_time = [[{"agent_id": "1001", "time_state_now": "00:00:10"}],
                 WolkvoxTokenBusyError("reading the real-time agents list failed: busy"),
                 [{"agent_id": "1001", "time_state_now": 70}]]
    events, client, sleeps, ended = play([{"1001": "Ready"}, {"1001": "Lunch"}, {"1001": "Lunch"}],
                                         real_time_script=real_time, real_time=True)
    assert isinstance(ended, Done) and client.calls == ["agents", "real_time"] * 3
    assert brief(events) == [(SC, "1001")] and events[0]["wolkvox"]["time_in_state"] == 70


@pytest.mark.parametrize("interval, warned", [(5, True), (59.5, True), (60, False), (300, False)])
def test_an_interval_under_a_minute_is_allowed_with_a_warning(caplog, interval, warned):
    caplog.set_level(logging.INFO, logger=agent_states.NAME)
    events, client, sleeps, ended = play([{"1001": "Ready"}], interval=interval, real_time=True)
    assert isinstance(ended, Done)
    found = [m for m in warnings_of(caplog) if "is under 60s" in m]
    assert bool(found) is warned
    if warned:
        assert "daily quota" in found[0] and "real-time list" in found[0]
        assert "about %d reads a day" % (2 * -(-86400 // interval)) in found[0]


def test_a_plan_state_without_a_label_is_named_in_a_warning(caplog):
    caplog.set_level(logging.INFO, logger=agent_states.NAME)
    play([{"1001": "Ready"}], plan=PLAN, status_labels=LABELS)
    found = [m for m in warnings_of(caplog) if "no label" in m]
    assert len(found) == 1 and "state 9" in found[0] and "status_labels" in found[0]


def test_the_token_is_masked_in_events_even_when_an_answer_echoes_it(caplog):
    caplog.set_level(logging.DEBUG, logger=agent_states.NAME)
    records = [dict(agent_id="1001", agent_name="echo %s" % TOKEN, agent_status="Ready %s" % TOKEN)]
    events, client, sleeps, ended = play([records], emit_initial=True)
    assert len(events) == 1 and TOKEN not in repr(events) and "********" in events[0]["wolkvox"]["agent_name"]
    assert all(TOKEN not in m for m in caplog.messages)


def test_the_client_gets_the_connection_options():
    play([{"1001": "Ready"}], api_url="http://127.0.0.1:9", timeout=5, retries=0, validate_certs="no")
    kwargs = FakeClient.instances[-1].kwargs
    assert kwargs == dict(server="0042", token=TOKEN, api_url="http://127.0.0.1:9", validate_certs=False, ca_path=None,
                          timeout=5.0, retries=0, retry_delay=1.0, max_concurrency=2)


def test_sleeps_keep_the_interval_from_the_start_of_one_poll_to_the_next():
    events, client, sleeps, ended = play([{"1001": "Ready"}, {"1001": "Ready"}], interval=90)
    assert len(sleeps) == 2 and all(89 < s <= 90 for s in sleeps)


def test_the_plan_is_evaluated_at_each_poll_instant():
    events, client, sleeps, ended = play([{"1001": "Lunch"}, {"1001": "Lunch"}], plan=PLAN, status_labels=LABELS,
                                         adherence_grace=0, now=MORNING)
    assert brief(events) == [(OUT, "1001")]
    events, client, sleeps, ended = play([{"1001": "Ready"}, {"1001": "Ready"}], plan=PLAN, status_labels=LABELS,
                                         adherence_grace=0, now=EVENING)
    assert events == []


@pytest.mark.parametrize("args, words", [
    ({"token": TOKEN}, "needs wolkvox_server"),
    ({"wolkvox_server": "0042", "token": TOKEN, "api_url": "ftp://127.0.0.1"}, "api_url 'ftp://127.0.0.1' is not valid"),
    ({"wolkvox_server": "00 42", "token": TOKEN}, "wolkvox_server '00 42' is not valid"),
    ({"wolkvox_server": "0042", "token": TOKEN, "timeout": 0}, "timeout"),
    ({"wolkvox_server": "0042", "token": TOKEN, "plan": [{"status": "ready"}]}, "plan[0]"),
])
def test_main_checks_every_argument_before_any_request(args, words, monkeypatch):
    for name in ("WOLKVOX_SERVER", "WOLKVOX_TOKEN", "WOLKVOX_API_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(WolkvoxInputError) as caught:
        asyncio.run(agent_states.main(ListQueue(), args))
    message = str(caught.value)
    assert message.startswith("wolkvox.contact_center.agent_states cannot start: ") and words in message
    assert TOKEN not in message


def test_an_agent_in_a_contact_stays_adherent_to_ready_however_long_the_call():
    # 1001 is planned ready in the morning; it takes a call (Talk) and stays on it for 20 minutes.
    watch = AgentWatch("0042", LABELS, plan=PLAN, grace=60)
    watch.poll(agents({"1001": "Ready"}), now=0, at=at(MORNING))
    for minute in range(1, 20):
        events = watch.poll(agents({"1001": "Talk"}), now=60 * minute, at=at(MORNING))
        assert [e["wolkvox"]["type"] for e in events] == (["state_changed"] if minute == 1 else []), minute
    assert all(e["wolkvox"]["adherent"] is True for e in watch.poll(agents({"1001": "ACW"}), now=1300, at=at(MORNING)))
    # busy_states: [] turns it off: a long call is then out of adherence once the grace has passed.
    watch = AgentWatch("0042", LABELS, plan=PLAN, grace=60, busy_states=[])
    watch.poll(agents({"1001": "Talk"}), now=0, at=at(MORNING))
    events = watch.poll(agents({"1001": "Talk"}), now=120, at=at(MORNING))
    assert [e["wolkvox"]["type"] for e in events] == ["out_of_adherence"]
