# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers to run a module's main() in a unit test and catch what it returns.

    with set_module_args({"wolkvox_server": "0042", ...}):
        with pytest.raises(AnsibleExitJson) as exc:
            module.main()
    result = exc.value.result

Call ``patch_exit_and_fail(monkeypatch)`` first, so that exit_json/fail_json raise instead of
printing JSON and ending the process.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args as _patch_module_args
except ImportError:  # ansible-core 2.18 and earlier
    _patch_module_args = None


@contextlib.contextmanager
def set_module_args(args):
    """Expose ``args`` to every AnsibleModule created inside the block."""
    args = dict(args)
    if _patch_module_args is not None:
        with _patch_module_args(args):
            yield
        return
    args.setdefault("_ansible_remote_tmp", tempfile.gettempdir())
    args.setdefault("_ansible_keep_remote_files", False)
    with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))):
        yield


class AnsibleExitJson(Exception):
    """Raised by the patched exit_json; ``result`` holds its keyword arguments."""

    def __init__(self, kwargs):
        super(AnsibleExitJson, self).__init__(kwargs)
        self.result = kwargs


class AnsibleFailJson(Exception):
    """Raised by the patched fail_json; ``result`` holds its keyword arguments."""

    def __init__(self, kwargs):
        super(AnsibleFailJson, self).__init__(kwargs)
        self.result = kwargs


def exit_json(*args, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(*args, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


def patch_exit_and_fail(monkeypatch):
    """Make AnsibleModule.exit_json/fail_json raise AnsibleExitJson/AnsibleFailJson."""
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


def run_module(main, args, check_mode=False, diff=False):
    """Run a module's ``main()`` with ``args``; return ('exit' | 'fail', result).

    Needs patch_exit_and_fail (the ``api`` fixture of this folder's conftest does it)."""
    args = dict(args)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    with set_module_args(args):
        try:
            main()
        except AnsibleExitJson as exc:
            return "exit", exc.result
        except AnsibleFailJson as exc:
            return "fail", exc.result
    raise AssertionError("the module neither exited nor failed")
