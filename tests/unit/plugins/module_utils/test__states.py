# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _states: agent IDs, state names and IDs, labels and how they are compared."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    display,
    fold,
    is_disabled,
    matches,
    normalize_labels,
    normalize_status,
    state_set,
    validate_agent_id,
)
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import ANY_JSON, SETTINGS

BUILTINS = {"ready": ("Ready",), "logout": ("Logout",)}
LABELS = normalize_labels({"7": "Active breaks", "8": ["Lunch", "Almuerzo"], "ready": "Disponible"})
PLAN_LABELS = normalize_labels({"7": "Active breaks"})


# --------------------------------------------------------------------------------------------
# validate_agent_id / normalize_status
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "agent_id, expected",
    [("1001", "1001"), (1001, "1001"), (" 1001 ", "1001"), ("0", "0"), ("007", "007"), ("1" * 20, "1" * 20)],
)
def test_validate_agent_id_accepts(agent_id, expected):
    assert validate_agent_id(agent_id) == expected


@pytest.mark.parametrize(
    "agent_id",
    ["", " ", "10a1", "abc", "-1", "+1", "1.5", "1 001", "1" * 21, "\u0661\u0662", "1001;drop", "1001&status=ready",
     None, True, False, 1.0, ["1001"], {"agent_id": "1001"}],
)
def test_validate_agent_id_rejects(agent_id):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_agent_id(agent_id)
    assert str(exc.value).startswith("agent_id %r is not valid" % (agent_id,))


@pytest.mark.parametrize(
    "status, expected",
    [("ready", "ready"), ("READY", "ready"), (" Ready ", "ready"), ("logout", "logout"), ("LogOut", "logout"),
     ("7", "7"), (7, "7"), (" 12 ", "12"), ("1" * 10, "1" * 10)],
)
def test_normalize_status_accepts(status, expected):
    assert normalize_status(status) == expected


@pytest.mark.parametrize(
    "status",
    ["", " ", "break", "Active breaks", "acw", "ready!", "-7", "7.0", "1" * 11, "\u0667", None, True, 7.0, ["ready"]],
)
def test_normalize_status_rejects(status):
    with pytest.raises(WolkvoxInputError) as exc:
        normalize_status(status)
    assert str(exc.value).startswith("status %r is not valid" % (status,))
    assert "'ready', 'logout'" in str(exc.value)


@SETTINGS
@given(ANY_JSON | st.binary(max_size=10) | st.tuples(st.integers()))
def test_agent_id_and_status_are_normalized_or_rejected(readable, value):
    for func, name in ((validate_agent_id, "agent_id"), (normalize_status, "status")):
        try:
            result = func(value)
        except WolkvoxInputError as exc:
            assert readable(str(exc)) and str(exc).startswith(name + " ")
        else:
            assert isinstance(result, str) and result.isascii() and result.strip() == result and result


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
        ({"break": "Active breaks"}, "status_labels has the key 'break', which is not a state ID"),
        ({"7.5": "x"}, "status_labels has the key '7.5'"),
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


@pytest.mark.parametrize("option", ["only_from", "except_from", "busy_states"])
def test_state_set_names_the_option(option):
    with pytest.raises(WolkvoxInputError, match="^%s has the state ID '9'" % option):
        state_set(["9"], LABELS, option)


# --------------------------------------------------------------------------------------------
# fold / display / matches / is_disabled
# --------------------------------------------------------------------------------------------

def test_fold_and_display():
    assert fold("  Active BREAKS\t") == "active breaks"
    assert fold("STRASSE") == fold("straße")
    assert display("ready", PLAN_LABELS) == "Ready"
    assert display("7", PLAN_LABELS) == "Active breaks"
    assert display("12", PLAN_LABELS) == "12"


@pytest.mark.parametrize(
    "label, status, expected",
    [
        ("Ready", "ready", True),
        (" READY ", "ready", True),
        ("Disponible", "ready", True),
        ("Logout", "ready", False),
        (None, "ready", False),
        ("Almuerzo", "8", True),
        ("lunch", "8", True),
        ("Active breaks", "8", False),
        ("12", "12", None),  # no label: cannot be compared, even when the text looks like the ID
        (None, "12", None),
    ],
)
def test_matches(label, status, expected):
    assert matches(label, status, LABELS) is expected


@pytest.mark.parametrize(
    "record, disabled",
    [
        ({}, False),
        ({"enabled": None}, False),
        ({"enabled": "yes"}, False),
        ({"enabled": "Yes"}, False),
        ({"enabled": "1"}, False),
        ({"enabled": True}, False),
        ({"enabled": 1}, False),
        ({"enabled": "no"}, True),
        ({"enabled": "No "}, True),
        ({"enabled": "NO"}, True),
        ({"enabled": "0"}, True),
        ({"enabled": 0}, True),
        ({"enabled": False}, True),
        ({"enabled": "false"}, True),
        ({"enabled": "n"}, True),
        ({"enabled": "off"}, True),
        ({"enabled": "disabled"}, True),
        ({"enabled": "Inactive"}, True),
    ],
    ids=repr,
)
def test_is_disabled(record, disabled):
    assert is_disabled(record) is disabled
