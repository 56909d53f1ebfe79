# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A room per concept: who imports what in plugins/module_utils (read from the source)."""

from __future__ import annotations

import ast
import os

import pytest

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins", "module_utils"))
FILES = sorted(name for name in os.listdir(HERE) if name.endswith(".py") and name != "__init__.py")
PREFIX = "ansible_collections.wolkvox.contact_center.plugins.module_utils."


def imports(name):
    """Top-level names of third-party/stdlib modules, and the collection's module_utils imported."""
    tree = ast.parse(open(os.path.join(HERE, name)).read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def local(name):
    return sorted(module[len(PREFIX):] for module in imports(name) if module.startswith(PREFIX))


def test_only_the_client_imports_requests():
    users = [name for name in FILES if any(m == "requests" or m.startswith("requests.") for m in imports(name))]
    assert users == ["_client.py"]


def test_the_planner_is_pure_it_imports_only_the_domain_words_and_the_errors():
    assert local("_planner.py") == ["_errors", "_states"]
    assert not [m for m in imports("_planner.py") if not m.startswith(PREFIX) and m != "__future__"]


@pytest.mark.parametrize("name", FILES)
def test_each_file_says_what_it_holds_and_stays_small(name):
    text = open(os.path.join(HERE, name)).read()
    assert len(text.splitlines()) <= 350, "%s has more than 350 lines" % name
    assert "PRIVATE" in text.split('"""', 1)[0], "%s lacks the PRIVATE banner" % name
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and len(docstring) > 40, "%s does not say what it holds" % name


@pytest.mark.parametrize("name", ["_errors.py", "_states.py", "_retries.py", "_response.py"])
def test_the_vocabulary_files_import_no_http_and_no_ansible_module(name):
    for module in imports(name):
        assert not module.startswith(("requests", "urllib3", "ansible.module_utils.basic")), (name, module)


def test_one_engine_runner_no_arrow_from_the_action_plugin_to_the_module():
    action = os.path.join(HERE, "..", "plugin_utils", "_action.py")
    tree = ast.parse(open(action).read())
    found = set(node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module)
    assert PREFIX + "_runner" in found
    assert PREFIX + "_module" not in found and "ansible.module_utils.basic" not in found
    assert local("_module.py") == ["_client", "_connection", "_runner"]
    assert [name for name in FILES if "_module" in local(name)] == []


def test_plans_are_evaluated_in_one_place():
    assert local("_plan_entries.py") == ["_errors", "_states"]
    assert local("_plan.py") == ["_plan_entries"]
    text = open(os.path.join(HERE, "_status_options.py")).read()
    assert "module_utils import _plan as plans" in text
