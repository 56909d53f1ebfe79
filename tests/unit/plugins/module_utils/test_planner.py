# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the planner: current vs desired states -> actions. Pure functions, table-driven."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._planner import (
    CHANGE,
    CHANGED,
    FAILED,
    SKIPPED,
    UNCHANGED,
    diff_of,
    display,
    fold,
    normalize_labels,
    normalize_targets,
    plan,
    state_set,
    summarize,
)

BUILTINS = {"ready": ("Ready",), "logout": ("Logout",)}


# --------------------------------------------------------------------------------------------
# normalize_targets
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
        # agents wins over agent_id/status when both are given (the module forbids that combination)
        (dict(agent_id="9", status="bad", agents=[{"agent_id": "1", "status": "ready"}]), [("1", "ready")]),
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
        (dict(agent_id=None, status="ready"), "agent_id None is not valid"),
        (dict(agent_id="1001", status="break"), "status 'break' is not valid"),
        (dict(agent_id="1001", status=None), "status None is not valid"),
        (dict(agent_id="1001", status="7.5"), "status '7.5' is not valid"),
        (dict(agent_id=["1001", "1001"], status="nope"), "status 'nope' is not valid"),
        (dict(agents=[{"agent_id": "1001", "status": "lunch"}]), "status 'lunch' is not valid"),
        (dict(agents=[{"agent_id": "abc", "status": "ready"}]), "agent_id 'abc' is not valid"),
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


# --------------------------------------------------------------------------------------------
# normalize_labels
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "status_labels, expected",
    [
        (None, BUILTINS),
        ({}, BUILTINS),
        ({"7": "Active breaks"}, dict(BUILTINS, **{"7": ("Active breaks",)})),
        ({7: " Active breaks "}, dict(BUILTINS, **{"7": ("Active breaks",)})),
        ({" 8 ": ["Lunch", "Almuerzo"]}, dict(BUILTINS, **{"8": ("Lunch", "Almuerzo")})),
        ({"9": ("Training",)}, dict(BUILTINS, **{"9": ("Training",)})),
        ({"10": 42}, dict(BUILTINS, **{"10": ("42",)})),
        ({"ready": "Disponible"}, {"ready": ("Disponible", "Ready"), "logout": ("Logout",)}),
        ({"READY": ["Disponible", "ready "]}, {"ready": ("Disponible", "ready"), "logout": ("Logout",)}),
        ({"logout": "Desconectado"}, {"ready": ("Ready",), "logout": ("Desconectado", "Logout")}),
        ({"Logout": "LOGOUT"}, {"ready": ("Ready",), "logout": ("LOGOUT",)}),
    ],
)
def test_normalize_labels(status_labels, expected):
    assert normalize_labels(status_labels) == expected


def test_normalize_labels_does_not_change_the_builtins():
    normalize_labels({"ready": "Disponible"})
    assert normalize_labels(None) == BUILTINS


@pytest.mark.parametrize(
    "status_labels, must_contain",
    [
        ({"break": "Active breaks"}, "status 'break' is not valid"),
        ({"7.5": "x"}, "status '7.5' is not valid"),
        ({"7": ""}, "status_labels['7'] has the label ''"),
        ({"7": "   "}, "status_labels['7'] has the label '   '"),
        ({"7": None}, "status_labels['7'] has the label None"),
        ({"7": True}, "status_labels['7'] has the label True"),
        ({"7": {"a": 1}}, "status_labels['7'] has the label {'a': 1}"),
        ({"7": ["ok", None]}, "status_labels['7'] has the label None"),
        ({"7": []}, "status_labels['7'] has no label"),
    ],
)
def test_normalize_labels_errors(status_labels, must_contain):
    with pytest.raises(WolkvoxInputError) as exc:
        normalize_labels(status_labels)
    assert must_contain in str(exc.value)


# --------------------------------------------------------------------------------------------
# state_set
# --------------------------------------------------------------------------------------------

LABELS = normalize_labels({"7": "Active breaks", "8": ["Lunch", "Almuerzo"], "ready": "Disponible"})


@pytest.mark.parametrize(
    "entries, expected",
    [
        (None, set()),
        ([], set()),
        (["ready"], {"ready", "disponible"}),
        ([" READY "], {"ready", "disponible"}),
        (["logout"], {"logout"}),
        (["7"], {"active breaks"}),
        ([7], {"active breaks"}),
        (["8"], {"lunch", "almuerzo"}),
        (["ACW"], {"acw"}),
        (["  Active Breaks "], {"active breaks"}),
        (["Ready"], {"ready", "disponible"}),
        (["7", "Training", "logout"], {"active breaks", "training", "logout"}),
    ],
)
def test_state_set(entries, expected):
    assert state_set(entries, LABELS, "only_from") == expected


@pytest.mark.parametrize(
    "entries, must_contain",
    [
        (["9"], "only_from has the state ID '9', which has no label in status_labels"),
        (["7", " 12 "], "only_from has the state ID '12'"),
        ([""], "only_from has the entry ''"),
        (["  "], "only_from has the entry '  '"),
        ([None], "only_from has the entry None"),
        ([True], "only_from has the entry True"),
        ([["ready"]], "only_from has the entry ['ready']"),
    ],
)
def test_state_set_errors(entries, must_contain):
    with pytest.raises(WolkvoxInputError) as exc:
        state_set(entries, LABELS, "only_from")
    assert must_contain in str(exc.value)


def test_state_set_error_tells_how_to_fix():
    with pytest.raises(WolkvoxInputError) as exc:
        state_set(["9"], LABELS, "status")
    assert str(exc.value).startswith("status has the state ID '9'")
    assert "status_labels: {'9': '<label>'}" in str(exc.value)


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------

CURRENT = {
    "1001": "Ready",
    "1002": "Active breaks",
    "1003": "Logout",
    "1004": " ACTIVE BREAKS ",
    "1005": "ACW",
    "1006": "Lunch",
    "1007": None,
    "1008": "ready",
}
PLAN_LABELS = normalize_labels({"7": "Active breaks"})


def one(agent_id, status, only_from=None, force=False, labels=None, current=None):
    labels = PLAN_LABELS if labels is None else labels
    actions = plan(CURRENT if current is None else current, [(agent_id, status)], labels, only_from=only_from, force=force)
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
                      "msg": action["msg"]}
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
    action = one("1", "12", current={"1": "12"})
    assert action["result"] == CHANGE
    assert "status_labels" in action["msg"]


def test_plan_force_changes_everything_without_reading():
    desired = [("1001", "ready"), ("9999", "7"), ("1002", "12")]
    actions = plan({}, desired, PLAN_LABELS, only_from={"lunch"}, force=True)
    assert [(a["agent_id"], a["status"], a["previous_status"], a["result"]) for a in actions] == [
        ("1001", "ready", None, CHANGE), ("9999", "7", None, CHANGE), ("1002", "12", None, CHANGE),
    ]
    assert all("force" in a["msg"] for a in actions)


def test_plan_force_ignores_current_states():
    actions = plan(CURRENT, [("1001", "ready")], PLAN_LABELS, force=True)
    assert actions[0]["result"] == CHANGE
    assert actions[0]["previous_status"] is None


def test_plan_keeps_request_order_and_does_not_modify_inputs():
    desired = [("1006", "ready"), ("9999", "ready"), ("1001", "ready"), ("1002", "logout")]
    current = dict(CURRENT)
    actions = plan(current, desired, PLAN_LABELS, only_from={"lunch", "ready"})
    assert [(a["agent_id"], a["result"]) for a in actions] == [
        ("1006", CHANGE), ("9999", FAILED), ("1001", UNCHANGED), ("1002", SKIPPED),
    ]
    assert current == CURRENT


def test_plan_with_a_label_list_and_builtin_merge():
    labels = normalize_labels({"ready": "Disponible", "8": ["Lunch", "Almuerzo"]})
    current = {"1": "DISPONIBLE", "2": "almuerzo", "3": "Ready"}
    actions = plan(current, [("1", "ready"), ("2", "8"), ("3", "ready")], labels)
    assert [a["result"] for a in actions] == [UNCHANGED, UNCHANGED, UNCHANGED]
    actions = plan(current, [("2", "ready")], labels)
    assert actions[0]["msg"] == "almuerzo -> Disponible"


def test_plan_empty():
    assert plan(CURRENT, [], PLAN_LABELS) == []


def test_fold_and_display():
    assert fold("  Active BREAKS\t") == "active breaks"
    assert fold("STRASSE") == fold("straße")
    assert display("ready", PLAN_LABELS) == "Ready"
    assert display("7", PLAN_LABELS) == "Active breaks"
    assert display("12", PLAN_LABELS) == "12"


# --------------------------------------------------------------------------------------------
# summarize / diff_of
# --------------------------------------------------------------------------------------------

def _action(agent_id, result, status="ready", previous="Ready"):
    return {"agent_id": agent_id, "status": status, "previous_status": previous, "result": result, "msg": ""}


@pytest.mark.parametrize(
    "results, expected",
    [
        ([], dict(total=0, changed=0, unchanged=0, skipped=0, failed=0)),
        ([CHANGED], dict(total=1, changed=1, unchanged=0, skipped=0, failed=0)),
        ([CHANGED, UNCHANGED, SKIPPED, FAILED, CHANGED, FAILED],
         dict(total=6, changed=2, unchanged=1, skipped=1, failed=2)),
        ([UNCHANGED] * 3, dict(total=3, changed=0, unchanged=3, skipped=0, failed=0)),
    ],
)
def test_summarize(results, expected):
    assert summarize([_action(str(i), r) for i, r in enumerate(results)]) == expected


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
    ]
    assert diff_of(actions, labels) == {
        "before": {"1": "Active breaks", "3": "Ready", "6": "Ready", "7": None},
        "after": {"1": "Ready", "3": "Active breaks", "6": "12", "7": "Logout"},
    }


def test_diff_of_nothing():
    assert diff_of([], PLAN_LABELS) == {"before": {}, "after": {}}


def test_plan_summarize_and_diff_together():
    desired = normalize_targets(agents=[{"agent_id": "1001", "status": "ready"}, {"agent_id": "1002", "status": "ready"},
                                        {"agent_id": "1006", "status": "7"}, {"agent_id": "4242", "status": "logout"}])
    actions = plan(CURRENT, desired, PLAN_LABELS)
    for action in actions:  # what a real run does with the planned changes
        if action["result"] == CHANGE:
            action["result"] = CHANGED
    assert summarize(actions) == dict(total=4, changed=2, unchanged=1, skipped=0, failed=1)
    assert diff_of(actions, PLAN_LABELS) == {
        "before": {"1002": "Active breaks", "1006": "Lunch"},
        "after": {"1002": "Ready", "1006": "Active breaks"},
    }
