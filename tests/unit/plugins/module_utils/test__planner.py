# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the planner: current vs desired states -> actions. Pure functions, table-driven."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._planner import (
    CHANGE,
    CHANGED,
    FAILED,
    PENDING,
    SKIPPED,
    UNCHANGED,
    WAIT,
    Rules,
    agent_ids,
    diff_of,
    expand_all,
    normalize_targets,
    plan,
    plan_one,
    summarize,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import normalize_labels
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import summary_counts


# --------------------------------------------------------------------------------------------
# normalize_targets / agent_ids / expand_all
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(agent_id="1001", status="ready"), [("1001", "ready")]),
        (dict(agent_id=1001, status="READY"), [("1001", "ready")]),
        (dict(agent_id=["1001"], status="Logout"), [("1001", "logout")]),
        (dict(agent_id=["1003", "1001", "1002"], status="7"), [("1003", "7"), ("1001", "7"), ("1002", "7")]),
        (dict(agent_id=("1001", " 1002 "), status=" 7 "), [("1001", "7"), ("1002", "7")]),
        (dict(agent_id=["1001", "1001", 1001, " 1001"], status="ready"), [("1001", "ready")]),
        (dict(agent_id=["1002", "1001", "1002"], status="ready"), [("1002", "ready"), ("1001", "ready")]),
        (dict(agent_id=[], status="ready"), []),
        (dict(agents=[]), []),
        (dict(agents=[{"agent_id": "1001", "status": "7"}, {"agent_id": 1002, "status": "READY"},
                      {"agent_id": "1003", "status": "logout"}]),
         [("1001", "7"), ("1002", "ready"), ("1003", "logout")]),
        (dict(agents=[{"agent_id": "1001", "status": "ready"}, {"agent_id": "1001", "status": "Ready"}]),
         [("1001", "ready")]),
        # agents and agent_id/status together: agents first, then agent_id (the engine decides
        # which combinations a task may ask for)
        (dict(agent_id="9", status="ready", agents=[{"agent_id": "1", "status": "ready"}]), [("1", "ready"), ("9", "ready")]),
    ],
)
def test_normalize_targets(kwargs, expected):
    assert normalize_targets(**kwargs) == expected


@pytest.mark.parametrize(
    "kwargs, must_contain",
    [
        (dict(agent_id="10a1", status="ready"), "agent_id '10a1' is not valid"),
        (dict(agent_id=["1001", "x"], status="ready"), "agent_id 'x' is not valid"),
        (dict(agent_id=["1001", ""], status="ready"), "agent_id '' is not valid"),
        (dict(agent_id=[None], status="ready"), "agent_id None is not valid"),
        (dict(agent_id="1001", status="break"), "status 'break' is not valid"),
        (dict(agent_id="1001", status=None), "status None is not valid"),
        (dict(agent_id="1001", status="7.5"), "status '7.5' is not valid"),
        (dict(agent_id=["1001", "1001"], status="nope"), "status 'nope' is not valid"),
        (dict(agents=[{"agent_id": "1001", "status": "lunch"}]), "agents[0] (agent 1001): status 'lunch' is not valid"),
        (dict(agents=[{"agent_id": "abc", "status": "ready"}]), "agents[0]: agent_id 'abc' is not valid"),
        (dict(agents=[{"agent_id": "1001"}]), "agents[0] is {'agent_id': '1001'}: each entry needs agent_id and status"),
        (dict(agents=[{"agent_id": "1", "status": "ready"}, "1002"]), "agents[1] is '1002'"),
        (dict(agents=[{"agent_id": "1", "status": "ready", "extra": 1}]), "agents[0] has unknown keys ['extra']"),
        (dict(agents=[{"agent_id": "1001", "status": "ready"}, {"agent_id": "1001", "status": "logout"}]),
         "agent_id '1001' is asked for twice with different states ('ready' and 'logout')"),
        (dict(agent_id=["1001"], status="ready", agents=None), None),
    ],
)
def test_normalize_targets_errors(kwargs, must_contain):
    if must_contain is None:  # control row: the same call without a mistake passes
        assert normalize_targets(**kwargs) == [("1001", "ready")]
        return
    with pytest.raises(WolkvoxInputError) as exc:
        normalize_targets(**kwargs)
    assert must_contain in str(exc.value)


@pytest.mark.parametrize(
    "agents, message",
    [
        ([{"agent_id": "1001", "status": "ready"}, {"agent_id": "1002", "status": "7"}, {"agent_id": "1003", "status": "ready"},
          {"agent_id": "1004", "status": "logut"}],
         "agents[3] (agent 1004): status 'logut' is not valid"),
        ([{"agent_id": "1001", "status": "ready"}, {"agent_id": " 1002 ", "status": "Lunch"}],
         "agents[1] (agent 1002): status 'Lunch' is not valid"),
        ([{"agent_id": "1001", "status": "ready"}, {"agent_id": "10 02", "status": "ready"}],
         "agents[1]: agent_id '10 02' is not valid"),
    ],
)
def test_normalize_targets_errors_name_the_entry(agents, message):
    with pytest.raises(WolkvoxInputError) as exc:
        normalize_targets(agents=agents)
    assert str(exc.value).startswith(message)


def test_agent_ids():
    assert agent_ids(None, "exclude_agents") == set()
    assert agent_ids(["1001", 1002, " 1003 ", "1001"], "exclude_agents") == {"1001", "1002", "1003"}
    with pytest.raises(WolkvoxInputError) as exc:
        agent_ids(["1001", "boss"], "exclude_agents")
    assert str(exc.value).startswith("exclude_agents[1]: agent_id 'boss' is not valid")


@pytest.mark.parametrize(
    "order, named, all_status, expected",
    [
        ([], [], "ready", []),
        (["1003", "1001", "1002"], [], "logout", [("1003", "logout"), ("1001", "logout"), ("1002", "logout")]),
        # a named agent keeps its own state, in the API's order
        (["1003", "1001", "1002"], [("1001", "7")], "ready", [("1003", "ready"), ("1001", "7"), ("1002", "ready")]),
        # named agents the operation lacks come last, in request order
        (["1001", "1002"], [("9999", "ready"), ("1002", "7"), ("8888", "logout")], "logout",
         [("1001", "logout"), ("1002", "7"), ("9999", "ready"), ("8888", "logout")]),
        ([], [("9999", "ready")], "logout", [("9999", "ready")]),
    ],
)
def test_expand_all(order, named, all_status, expected):
    assert expand_all(order, named, all_status) == expected


# --------------------------------------------------------------------------------------------
# plan: the branches (moved from the first planner; plan() now takes records and Rules)
# --------------------------------------------------------------------------------------------

def _records(states, **extra):
    """{agent_id: agents API record} from {agent_id: label}; extra: {agent_id: {field: value}}."""
    records = {}
    for aid, label in states.items():
        records[aid] = {"agent_id": aid, "agent_status": label}
        records[aid].update(extra.get(aid, {}))
    return records


CURRENT = _records({
    "1001": "Ready",
    "1002": "Active breaks",
    "1003": "Logout",
    "1004": " ACTIVE BREAKS ",
    "1005": "ACW",
    "1006": "Lunch",
    "1007": None,
    "1008": "ready",
})
PLAN_LABELS = normalize_labels({"7": "Active breaks"})


def one(agent_id, status, only_from=None, force=False, labels=None, current=None):
    labels = PLAN_LABELS if labels is None else labels
    actions = plan(CURRENT if current is None else current, [(agent_id, status)], Rules(labels, only_from=only_from, force=force))
    assert len(actions) == 1
    return actions[0]


@pytest.mark.parametrize(
    "agent_id, status, only_from, result, previous, msg",
    [
        # unchanged: already there, labels compared case-insensitively and without blanks
        ("1001", "ready", None, UNCHANGED, "Ready", "already Ready"),
        ("1008", "ready", None, UNCHANGED, "ready", "already ready"),
        ("1003", "logout", None, UNCHANGED, "Logout", "already Logout"),
        ("1002", "7", None, UNCHANGED, "Active breaks", "already Active breaks"),
        ("1004", "7", None, UNCHANGED, " ACTIVE BREAKS ", "already  ACTIVE BREAKS "),
        # change
        ("1002", "ready", None, CHANGE, "Active breaks", "Active breaks -> Ready"),
        ("1001", "7", None, CHANGE, "Ready", "Ready -> Active breaks"),
        ("1005", "logout", None, CHANGE, "ACW", "ACW -> Logout"),
        ("1007", "ready", None, CHANGE, None, "None -> Ready"),
        # skipped by only_from
        ("1001", "logout", {"active breaks", "lunch"}, SKIPPED, "Ready", "current state 'Ready' is not in only_from"),
        ("1007", "logout", {"ready"}, SKIPPED, None, "current state None is not in only_from"),
        ("1006", "ready", {"active breaks", "lunch"}, CHANGE, "Lunch", "Lunch -> Ready"),
        ("1004", "ready", {"active breaks"}, CHANGE, " ACTIVE BREAKS ", " ACTIVE BREAKS  -> Ready"),
        # only_from does not turn an agent already in place into a change
        ("1001", "ready", {"ready"}, UNCHANGED, "Ready", "already Ready"),
        # failed: unknown agent
        ("9999", "ready", None, FAILED, None, "agent 9999 does not exist in this operation (not in its agents list)"),
        ("9999", "ready", {"ready"}, FAILED, None, "agent 9999 does not exist"),
    ],
)
def test_plan_branches(agent_id, status, only_from, result, previous, msg):
    action = one(agent_id, status, only_from=only_from)
    assert action == {"agent_id": agent_id, "status": status, "previous_status": previous, "result": result,
                      "reason": "only_from" if result == SKIPPED else None, "msg": action["msg"]}
    assert action["msg"].startswith(msg)


def test_plan_aux_state_without_label_is_sent_with_a_hint():
    action = one("1001", "12")
    assert action["result"] == CHANGE
    assert action["previous_status"] == "Ready"
    assert "status_labels" in action["msg"]
    assert "{'12': '<label>'}" in action["msg"]
    assert "'Ready'" in action["msg"]


def test_plan_aux_state_without_label_even_when_apparently_there():
    # the API shows labels, never IDs: an agent whose label happens to be the ID text is still sent
    action = one("1", "12", current=_records({"1": "12"}))
    assert action["result"] == CHANGE
    assert "status_labels" in action["msg"]


def test_plan_force_changes_everything_without_reading():
    desired = [("1001", "ready"), ("9999", "7"), ("1002", "12")]
    actions = plan({}, desired, Rules(PLAN_LABELS, only_from={"lunch"}, force=True))
    assert [(a["agent_id"], a["status"], a["previous_status"], a["result"]) for a in actions] == [
        ("1001", "ready", None, CHANGE), ("9999", "7", None, CHANGE), ("1002", "12", None, CHANGE),
    ]
    assert all("force" in a["msg"] for a in actions)


def test_plan_force_ignores_current_states():
    actions = plan(CURRENT, [("1001", "ready")], Rules(PLAN_LABELS, force=True))
    assert actions[0]["result"] == CHANGE
    # Changed on purpose: a record handed to plan() is shown even with force (the engine reads
    # nothing with force, so a forced task still reports previous_status null).
    assert actions[0]["previous_status"] == "Ready"


def test_plan_keeps_request_order_and_does_not_modify_inputs():
    desired = [("1006", "ready"), ("9999", "ready"), ("1001", "ready"), ("1002", "logout")]
    current = copy.deepcopy(CURRENT)
    actions = plan(current, desired, Rules(PLAN_LABELS, only_from={"lunch", "ready"}))
    assert [(a["agent_id"], a["result"]) for a in actions] == [
        ("1006", CHANGE), ("9999", FAILED), ("1001", UNCHANGED), ("1002", SKIPPED),
    ]
    assert current == CURRENT


def test_plan_with_a_label_list_and_builtin_merge():
    labels = normalize_labels({"ready": "Disponible", "8": ["Lunch", "Almuerzo"]})
    current = _records({"1": "DISPONIBLE", "2": "almuerzo", "3": "Ready"})
    actions = plan(current, [("1", "ready"), ("2", "8"), ("3", "ready")], Rules(labels))
    assert [a["result"] for a in actions] == [UNCHANGED, UNCHANGED, UNCHANGED]
    actions = plan(current, [("2", "ready")], Rules(labels))
    assert actions[0]["msg"] == "almuerzo -> Disponible"


def test_plan_keeps_the_agent_name():
    current = _records({"1001": "Ready"}, **{"1001": {"agent_name": "Ana"}})
    assert plan(current, [("1001", "logout")], Rules(PLAN_LABELS))[0]["agent_name"] == "Ana"
    assert "agent_name" not in plan(CURRENT, [("1001", "logout")], Rules(PLAN_LABELS))[0]


def test_plan_empty():
    assert plan(CURRENT, [], Rules(PLAN_LABELS)) == []


# --------------------------------------------------------------------------------------------
# plan_one: the contract's precedence, as a table (the first rule that applies decides)
# --------------------------------------------------------------------------------------------

FLOOR_LABELS = normalize_labels({"7": "Active breaks", "8": "Lunch", "9": "On call"})
FLOOR = _records(
    {
        "1001": "Ready",
        "1002": "Active breaks",
        "1003": "On call",
        "1004": "Ringing",
        "1005": "Logout",
        "1006": "ACW",
        "1007": "Lunch",
    },
    **{"1005": {"enabled": "no"}}
)
BUSY = {"on call", "ringing"}


def _rules(**kwargs):
    kwargs.setdefault("busy_states", BUSY)
    return Rules(FLOOR_LABELS, **kwargs)


PRECEDENCE = [
    # 1. excluded beats everything
    ("excluded", "1001", "logout", dict(exclude={"1001"}), SKIPPED, "excluded", "in exclude_agents"),
    ("excluded-beats-missing", "9999", "ready", dict(exclude={"9999"}), SKIPPED, "excluded", "never changed"),
    ("excluded-beats-desired", "1001", "ready", dict(exclude={"1001"}), SKIPPED, "excluded", "in exclude_agents"),
    ("excluded-beats-disabled", "1005", "ready", dict(exclude={"1005"}), SKIPPED, "excluded", "in exclude_agents"),
    ("excluded-beats-force", "1001", "logout", dict(exclude={"1001"}, force=True), SKIPPED, "excluded", "in exclude_agents"),
    ("excluded-beats-busy-force", "1003", "ready", dict(exclude={"1003"}, busy_policy="force"), SKIPPED, "excluded", "exclude"),
    # 1. disabled: never changed, even when already in the desired state or busy
    ("disabled", "1005", "ready", {}, SKIPPED, "disabled", "disabled user (enabled: no): never changed"),
    ("disabled-beats-desired", "1005", "logout", {}, SKIPPED, "disabled", "disabled user"),
    ("disabled-beats-only-from", "1005", "ready", dict(only_from={"logout"}), SKIPPED, "disabled", "disabled user"),
    # 2. not in the operation
    ("missing", "9999", "ready", {}, FAILED, None, "agent 9999 does not exist in this operation"),
    ("missing-with-only-from", "9999", "ready", dict(only_from={"ready"}, except_from={"acw"}), FAILED, None, "does not exist"),
    # 3. already in the desired state: unchanged whatever only_from, except_from, busy_states say
    ("desired", "1001", "ready", {}, UNCHANGED, None, "already Ready"),
    ("desired-beats-only-from", "1001", "ready", dict(only_from={"lunch"}), UNCHANGED, None, "already Ready"),
    ("desired-beats-except-from", "1001", "ready", dict(except_from={"ready"}), UNCHANGED, None, "already Ready"),
    ("desired-beats-busy", "1003", "9", dict(busy_policy="skip"), UNCHANGED, None, "already On call"),
    ("desired-beats-busy-wait", "1003", "9", dict(busy_policy="wait"), UNCHANGED, None, "already On call"),
    # 4. only_from / except_from
    ("only-from", "1006", "ready", dict(only_from={"lunch"}), SKIPPED, "only_from", "current state 'ACW' is not in only_from"),
    ("only-from-match", "1007", "ready", dict(only_from={"lunch"}), CHANGE, None, "Lunch -> Ready"),
    ("except-from", "1006", "ready", dict(except_from={"acw"}), SKIPPED, "except_from", "current state 'ACW' is in except_from"),
    ("except-from-other", "1007", "ready", dict(except_from={"acw"}), CHANGE, None, "Lunch -> Ready"),
    ("only-from-beats-busy", "1003", "ready", dict(only_from={"lunch"}), SKIPPED, "only_from", "not in only_from"),
    ("except-from-beats-busy", "1003", "ready", dict(except_from={"on call"}, busy_policy="force"), SKIPPED, "except_from",
     "is in except_from"),
    # 5. busy, per busy_policy
    ("busy-skip", "1003", "ready", dict(busy_policy="skip"), SKIPPED, "busy", "busy (On call): not sent, busy_policy is skip"),
    ("busy-wait", "1004", "ready", dict(busy_policy="wait"), WAIT, "busy", "busy (Ringing): waiting for it to leave that state"),
    ("busy-force", "1003", "ready", dict(busy_policy="force"), CHANGE, None, "On call -> Ready (busy, sent anyway: busy_policy is force)"),
    ("busy-beats-unlabelled", "1003", "12", dict(busy_policy="skip"), SKIPPED, "busy", "busy (On call)"),
    ("not-busy", "1006", "ready", dict(busy_policy="skip"), CHANGE, None, "ACW -> Ready"),
    # 6. an auxiliary state without a label: sent, with the status_labels note
    ("unlabelled", "1001", "12", {}, CHANGE, None, "state 12 has no label in status_labels"),
    ("labelled", "1001", "7", {}, CHANGE, None, "Ready -> Active breaks"),
    # force: no read rule applies (only exclude_agents does)
    ("force", "1001", "ready", dict(force=True), CHANGE, None, "sent without reading the current state (force)"),
    ("force-missing", "9999", "ready", dict(force=True), CHANGE, None, "(force)"),
    ("force-busy", "1003", "ready", dict(force=True, busy_policy="skip"), CHANGE, None, "(force)"),
    ("force-only-from", "1006", "ready", dict(force=True, only_from={"lunch"}), CHANGE, None, "(force)"),
    ("force-desired", "1001", "ready", dict(force=True), CHANGE, None, "(force)"),
]


@pytest.mark.parametrize(
    "agent_id, status, rules, result, reason, msg",
    [row[1:] for row in PRECEDENCE],
    ids=[row[0] for row in PRECEDENCE],
)
def test_precedence(agent_id, status, rules, result, reason, msg):
    action = plan_one(agent_id, status, FLOOR.get(agent_id), _rules(**rules))
    assert (action["result"], action["reason"]) == (result, reason)
    assert msg in action["msg"]
    assert action["agent_id"] == agent_id and action["status"] == status
    if agent_id in FLOOR:
        assert action["previous_status"] == FLOOR[agent_id]["agent_status"]


@pytest.mark.parametrize("enabled", ["no", "No ", "NO", "0", 0, False, "false", "disabled"], ids=repr)
def test_a_disabled_user_is_never_changed(enabled):
    record = {"agent_id": "2001", "agent_status": "Ready", "enabled": enabled}
    for rules in (_rules(), _rules(busy_policy="force", busy_states={"ready"}), _rules(only_from={"ready"})):
        action = plan_one("2001", "logout", record, rules)
        assert (action["result"], action["reason"]) == (SKIPPED, "disabled")
        assert "enabled: %s" % enabled in action["msg"]


@pytest.mark.parametrize("enabled", ["yes", "Yes", "1", 1, True, None], ids=repr)
def test_an_enabled_user_is_changed(enabled):
    record = {"agent_id": "2001", "agent_status": "Ready", "enabled": enabled}
    assert plan_one("2001", "logout", record, _rules())["result"] == CHANGE


# --------------------------------------------------------------------------------------------
# summarize / diff_of
# --------------------------------------------------------------------------------------------

def _action(agent_id, result, status="ready", previous="Ready", reason=None):
    return {"agent_id": agent_id, "status": status, "previous_status": previous, "result": result, "reason": reason, "msg": ""}


@pytest.mark.parametrize(
    "results, expected",
    [
        ([], summary_counts()),
        ([CHANGED], summary_counts(total=1, changed=1)),
        ([CHANGED, UNCHANGED, SKIPPED, FAILED, CHANGED, FAILED], summary_counts(total=6, changed=2, unchanged=1, skipped=1, failed=2)),
        ([UNCHANGED] * 3, summary_counts(total=3, unchanged=3)),
        ([CHANGED, PENDING, PENDING], summary_counts(total=3, changed=1, pending=2)),
        ([(SKIPPED, "busy"), (SKIPPED, "only_from"), (SKIPPED, "busy"), (SKIPPED, "excluded"), CHANGED],
         summary_counts(total=5, skipped=4, changed=1, skipped_busy=2)),
    ],
)
def test_summarize(results, expected):
    actions = []
    for index, item in enumerate(results):
        result, reason = item if isinstance(item, tuple) else (item, None)
        actions.append(_action(str(index), result, reason=reason))
    assert summarize(actions) == expected


def test_diff_of_only_changes():
    labels = normalize_labels({"7": "Active breaks"})
    actions = [
        _action("1", CHANGED, "ready", "Active breaks"),
        _action("2", UNCHANGED, "ready", "Ready"),
        _action("3", CHANGE, "7", "Ready"),
        _action("4", SKIPPED, "ready", "Lunch"),
        _action("5", FAILED, "ready", None),
        _action("6", CHANGED, "12", "Ready"),
        _action("7", CHANGED, "logout", None),
        _action("8", PENDING, "7", "Lunch"),
        _action("9", WAIT, "ready", "On call"),
    ]
    assert diff_of(actions, labels) == {
        "before": {"1": "Active breaks", "3": "Ready", "6": "Ready", "7": None, "8": "Lunch"},
        "after": {"1": "Ready", "3": "Active breaks", "6": "12", "7": "Logout", "8": "Active breaks"},
    }


def test_diff_of_nothing():
    assert diff_of([], PLAN_LABELS) == {"before": {}, "after": {}}


def test_plan_summarize_and_diff_together():
    desired = normalize_targets(agents=[{"agent_id": "1001", "status": "ready"}, {"agent_id": "1002", "status": "ready"},
                                        {"agent_id": "1006", "status": "7"}, {"agent_id": "4242", "status": "logout"}])
    actions = plan(CURRENT, desired, Rules(PLAN_LABELS))
    for action in actions:  # what a real run does with the planned changes
        if action["result"] == CHANGE:
            action["result"] = CHANGED
    assert summarize(actions) == summary_counts(total=4, changed=2, unchanged=1, failed=1)
    assert diff_of(actions, PLAN_LABELS) == {
        "before": {"1002": "Active breaks", "1006": "Lunch"},
        "after": {"1002": "Ready", "1006": "Active breaks"},
    }
