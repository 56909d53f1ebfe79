# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins' glue (plugins/plugin_utils/_action.py); their runs are in the e2e suite."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.action.wolkvox_agent_info import ActionModule as InfoAction
from ansible_collections.wolkvox.contact_center.plugins.action.wolkvox_agent_status import ActionModule as StatusAction
from ansible_collections.wolkvox.contact_center.plugins.module_utils import _info, _status, _status_options
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError
from ansible_collections.wolkvox.contact_center.plugins.plugin_utils._action import WolkvoxAction, _Task


@pytest.mark.parametrize("given, var, bad", [
    ("0042", "0042", False),
    (34, None, True),  # wolkvox_server: 0042 unquoted in the task or in module_defaults
    (34.0, None, True),
    ("34", 34, True),  # "{{ wolkvox_server }}" rendered as text by ansible-core < 2.19
    ("34", "0042", False),
    ("0117", 42, False),  # another variable of that name: not what was passed
    (None, 34, False),  # not given: the environment fallback applies
    ("34", True, False),
], ids=["text", "int", "float", "templated-int", "templated-text", "other-var", "unset", "bool-var"])
def test_a_server_code_given_as_a_number_is_refused(given, var, bad):
    if not bad:
        WolkvoxAction._check_given_server({"wolkvox_server": given}, {"wolkvox_server": var})
        return
    with pytest.raises(WolkvoxInputError, match="wolkvox_server was given as the number 34"):
        WolkvoxAction._check_given_server({"wolkvox_server": given}, {"wolkvox_server": var})


def test_each_action_runs_its_modules_engine_with_its_spec():
    assert StatusAction.MODULE == "wolkvox.contact_center.wolkvox_agent_status"
    assert StatusAction.ARGUMENT_SPEC is _status_options.ARGUMENT_SPEC and StatusAction.ENGINE is _status.run
    assert InfoAction.MODULE == "wolkvox.contact_center.wolkvox_agent_info"
    assert InfoAction.ARGUMENT_SPEC is _info.ARGUMENT_SPEC and InfoAction.ENGINE is _info.run
    assert StatusAction._requires_connection is False and StatusAction.TRANSFERS_FILES is False


def test_a_task_collects_warnings_and_makes_no_client_until_asked():
    task = _Task({"wolkvox_server": "0042"}, check_mode=True)
    task.warn("one")
    task.warn("two")
    assert task.warnings == ["one", "two"] and task.check_mode is True
    assert task.api_calls() == 0
    task.close_client()  # nothing to close: no error


def test_a_secret_is_scrubbed_from_what_is_returned_and_nothing_else_changes():
    clean = {"msg": "2 changed", "agents": [{"agent_id": "1001", "msg": "ok"}]}
    assert WolkvoxAction._scrubbed(clean, {"s3cr3t-token"}) is clean
    dirty = {"msg": "echo s3cr3t-token", "agents": [{"agent_id": "1001", "msg": "s3cr3t-token"}]}
    scrubbed = WolkvoxAction._scrubbed(dirty, {"s3cr3t-token"})
    assert "s3cr3t-token" not in repr(scrubbed)
    assert scrubbed["agents"][0]["agent_id"] == "1001"
