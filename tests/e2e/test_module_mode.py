# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules still work as plain modules (AnsiballZ, a Python process per task): the path a task
takes when the controller's Python lacks requests, or when the module is run from a library copy.

The action plugins normally run the engines in Ansible's own process, so these tests run the
installed module file under another name from a library folder, which bypasses the action plugin
and exercises AnsibleModule, fail_json and the traceback rule of older ansible-core."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import collections_path, connection, run_tasks

NAME = "wolkvox_status_module_mode"
# Run on every ansible-core minor of the matrix (tools/test), with the -vvv error-path tests.
pytestmark = pytest.mark.verbose_errors


@pytest.fixture()
def library(tmp_path):
    source = os.path.join(collections_path(), "ansible_collections", "wolkvox", "contact_center", "plugins", "modules",
                          "wolkvox_agent_status.py")
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(source, str(folder / (NAME + ".py")))
    return {"ANSIBLE_LIBRARY": str(folder)}


def task(sim, **options):
    params = connection(sim)
    params.update(options)
    return {NAME: params}


def test_the_module_changes_then_converges_as_a_module(fresh, tmp_path, library):
    tasks = [task(fresh, agent_id=["1004", "1002"], status="ready"), task(fresh, agent_id=["1004", "1002"], status="ready")]
    run = run_tasks(tmp_path, tasks, env=library)
    assert run.rc == 0, run.output[-3000:]
    first, second = run.results
    assert first["changed"] is True and first["summary"]["changed"] == 2
    assert second["changed"] is False and second["api_calls"] == 1
    assert fresh.state()["1002"] == "Ready"


@pytest.mark.parametrize("options, needle", [
    ({"wolkvox_token": "sim-token-wrong"}, "authentication failed - check wolkvox_token"),
    ({"wolkvox_server": 34}, "wolkvox_server was given as the number 34"),
    ({"agents": [{"agent_id": "1001", "status": "logut"}]}, "agents[0] (agent 1001): status 'logut' is not valid"),
], ids=["wrong-token", "unquoted-server", "typo"])
def test_expected_errors_print_no_traceback_at_vvv_as_a_module(fresh, tmp_path, library, options, needle):
    base = {"agent_id": ["1001"], "status": "ready"}
    if "agents" in options:
        base = {}
    base.update(options)
    run = run_tasks(tmp_path, [task(fresh, **base)], env=library, args=["-vvv"])
    result = run.result
    assert result["failed"] is True and needle in result["msg"]
    assert "Traceback" not in run.output and "The full traceback is" not in run.output, run.output[-3000:]
    # An expected error carries no Python stack, and no 'error' dict of nulls.
    assert "Traceback" not in str(result.get("exception", "")), result.get("exception")
    if "token" not in str(options):
        assert "error" not in result
