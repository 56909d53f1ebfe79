# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CONNECTION_SPEC (plugins/module_utils/_connection.py) is the one source of the connection
options. Every copy - the doc fragment, the role's argument spec and the tasks that pass the
options on, the playbooks - must agree with it on names, types and defaults."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.wolkvox.contact_center.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC, ROLE_VARIABLES

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP = "group/wolkvox.contact_center.wolkvox"
OPTIONS = sorted(CONNECTION_SPEC)


def load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def module_defaults_blocks(node):
    """Every module_defaults mapping for the collection's action group, anywhere in a YAML tree."""
    found = []
    if isinstance(node, dict):
        defaults = node.get("module_defaults")
        if isinstance(defaults, dict) and GROUP in defaults:
            found.append(defaults[GROUP])
        for value in node.values():
            found.extend(module_defaults_blocks(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(module_defaults_blocks(value))
    return found


def task_args(tasks, module):
    """The arguments of every task of ``module`` in a list of tasks (blocks included)."""
    found = []
    for task in tasks or []:
        if module in task:
            found.append(task[module])
        for key in ("block", "rescue", "always"):
            found.extend(task_args(task.get(key), module))
    return found


STATUS = "wolkvox.contact_center.wolkvox_agent_status"
ROLE_TASKS = load("roles", "agent_status", "tasks", "main.yml")
# The role passes the connection in its one task's own arguments (no module_defaults).
ROLE_CONNECTION = [dict((k, v) for k, v in args.items() if k in CONNECTION_SPEC) for args in task_args(ROLE_TASKS, STATUS)]
DOC = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
ROLE_SPEC = load("roles", "agent_status", "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
COPIES = {
    "role tasks": ROLE_CONNECTION,
    "report_agent_states playbook": module_defaults_blocks(load("playbooks", "report_agent_states.yml")),
}


def test_the_doc_fragment_documents_exactly_the_spec():
    assert sorted(DOC) == OPTIONS


@pytest.mark.parametrize("name", OPTIONS)
def test_the_doc_fragment_agrees_on_type_default_aliases_and_env(name):
    spec, doc = CONNECTION_SPEC[name], DOC[name]
    assert doc.get("type", "str") == spec["type"]
    assert doc.get("required", False) == spec.get("required", False)
    assert sorted(doc.get("aliases", [])) == sorted(spec.get("aliases", []))
    if "default" in spec:
        assert doc.get("default") == spec["default"], "%s: documented default differs" % name
    else:
        assert "default" not in doc
    for env in (spec.get("fallback") or (None, []))[1]:
        assert "E(%s)" % env in " ".join(doc["description"]), "%s: the environment variable %s is not documented" % (name, env)


@pytest.mark.parametrize("name", OPTIONS)
def test_the_role_argument_spec_has_each_option_as_a_variable(name):
    var = ROLE_VARIABLES[name]
    assert var in ROLE_SPEC, "%s is not in roles/agent_status/meta/argument_specs.yml" % var
    role = ROLE_SPEC[var]
    assert role.get("type", "str") == CONNECTION_SPEC[name]["type"], var
    assert role.get("required", False) == CONNECTION_SPEC[name].get("required", False), var
    # The role leaves defaults to the modules: a second default could drift from the spec's.
    assert "default" not in role, "%s: the role must not set its own default" % var


@pytest.mark.parametrize("where", sorted(COPIES))
def test_every_copy_passes_every_option_from_its_role_variable(where):
    blocks = COPIES[where]
    assert blocks, "%s passes no connection (module_defaults for %s, or the task's own arguments)" % (where, GROUP)
    for block in blocks:
        assert sorted(block) == OPTIONS, "%s passes %s, the spec has %s" % (where, sorted(block), OPTIONS)
        for name, value in block.items():
            var = ROLE_VARIABLES[name]
            assert re.match(r"^\{\{ %s( \| default\(omit\))? \}\}$" % re.escape(var), value), (where, name, value)
            required = CONNECTION_SPEC[name].get("required", False)
            assert ("default(omit)" in value) != required, "%s: %s must %sbe omitted when unset" % (where, name, "not " if required else "")


def test_role_variable_names_follow_the_option_names():
    assert ROLE_VARIABLES["wolkvox_server"] == "wolkvox_server"
    assert ROLE_VARIABLES["api_url"] == "wolkvox_api_url"
    assert ROLE_VARIABLES["retry_delay"] == "wolkvox_retry_delay"


def test_playbooks_that_use_the_role_pass_no_connection_option_of_their_own():
    for name in ("apply_agent_states.yml", "logout_agents.yml"):
        text = open(os.path.join(ROOT, "playbooks", name)).read()
        assert "wolkvox_token:" not in text and "module_defaults" not in text, name


def test_the_role_has_one_status_task_that_passes_every_role_variable_through():
    tasks = task_args(ROLE_TASKS, STATUS)
    assert len(tasks) == 1
    args = tasks[0]
    role_vars = sorted(var for var in ROLE_SPEC if var.startswith("wolkvox_agent_status_"))
    passed = sorted(re.match(r"^\{\{ (\w+) \}\}$", value).group(1) for value in args.values()
                    if isinstance(value, str) and re.match(r"^\{\{ (\w+) \}\}$", value))
    assert sorted(set(role_vars) - set(passed)) == [], "role variables not passed to the task"
    # No logic in Jinja: every templated argument is a variable, with at most default(omit).
    for name, value in args.items():
        if isinstance(value, str) and "{{" in value:
            assert re.match(r"^\{\{ \w+( \| default\(omit\))? \}\}$", value), (name, value)
    assert args["option_names"] == "role"
