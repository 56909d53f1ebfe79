# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _module: the connection options merged in, a ready client, and the one exit
through exit_json / fail_json (an expected error becomes fail_json, outside any except block)."""

from __future__ import annotations

import sys

import pytest
from ansible.module_utils import basic

from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._module import WolkvoxModule
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import TOKEN
from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import (
    AnsibleExitJson,
    AnsibleFailJson,
    set_module_args,
)

OWN_SPEC = dict(name=dict(type="str", default="x"))


@pytest.fixture
def module_run(monkeypatch, fake_api):
    """module_run(args, func) -> ('exit' | 'fail', result, exc_info seen by exit_json/fail_json)."""
    seen = []

    def exiting(kind, error):
        def method(self, **kwargs):
            seen.append(sys.exc_info())
            raise error(dict(kwargs, failed=True) if kind == "fail" else kwargs)
        return method

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exiting("exit", AnsibleExitJson))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", exiting("fail", AnsibleFailJson))
    for name in ("WOLKVOX_SERVER", "WOLKVOX_TOKEN", "WOLKVOX_API_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(args, func):
        with set_module_args(dict(dict(wolkvox_server="0042", wolkvox_token=TOKEN), **args)):
            module = WolkvoxModule(argument_spec=OWN_SPEC, supports_check_mode=True)
            try:
                module.run(func)
            except AnsibleExitJson as exc:
                return "exit", exc.result, seen[-1]
            except AnsibleFailJson as exc:
                return "fail", exc.result, seen[-1]
        raise AssertionError("run() neither exited nor failed")
    return run


def test_the_connection_options_are_merged_in(module_run):
    def func(module):
        names = sorted(name for name in module.params if name in CONNECTION_SPEC or name in OWN_SPEC)
        return dict(changed=False, names=names, retries=module.params["retries"], name=module.params["name"])

    how, result, dummy = module_run({"retries": 1}, func)
    assert how == "exit"
    assert result["names"] == sorted(list(CONNECTION_SPEC) + list(OWN_SPEC))
    assert (result["retries"], result["name"]) == (1, "x")
    assert result["api_calls"] == 0


def test_an_expected_error_fails_outside_the_except_block(module_run, fake_api):
    def func(module):
        module.client.list_agents()
        raise WolkvoxError("something expected went wrong")

    how, result, exc_info = module_run({}, func)
    assert how == "fail"
    assert result["msg"] == "something expected went wrong"
    assert "error" not in result
    assert result["api_calls"] == 1
    # ansible-core before 2.19 attaches the active exception's traceback to a failure at -vvv
    assert exc_info == (None, None, None)


def test_a_result_with_failed_goes_to_fail_json(module_run):
    how, result, dummy = module_run({}, lambda module: dict(failed=True, changed=True, msg="1 of 2 agents failed"))
    assert how == "fail"
    assert result["changed"] is True and result["api_calls"] == 0


@pytest.mark.parametrize("server", [34, 34.0])
def test_a_server_given_as_a_number_fails_before_the_task_runs(module_run, fake_api, server):
    called = []
    how, result, exc_info = module_run({"wolkvox_server": server}, lambda module: called.append(1) or {})
    assert how == "fail"
    assert result["msg"].startswith("wolkvox_server was given as the number %s" % server)
    assert "Quote it" in result["msg"]
    assert called == [] and fake_api.calls == []
    assert exc_info == (None, None, None)
