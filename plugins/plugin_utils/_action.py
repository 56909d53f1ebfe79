# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this plugin_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""Run a module's engine in the controller's own process (the way ansible.builtin.debug
runs): no module payload, no Python process and no interpreter discovery per host.

The API is always called from the controller, so nothing is lost: the same argument spec, the same
engine (module_utils), check mode, diff, warnings and results. If the controller's Python lacks
``requests``, the task runs the module the usual way instead.
"""

from __future__ import annotations

import json
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import (
    CONNECTION_SPEC,
    validate_server,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._runner import ClientOwner, run_engine
from ansible_collections.wolkvox.contact_center.plugins.module_utils._wording import prefixed

display = Display()


class _Task(ClientOwner):
    """The EngineTask of a task run on the controller (see _runner.EngineTask): params, check
    mode, a client made on first use, warn(), and progress() for a line shown while it runs."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    @staticmethod
    def progress(msg):
        display.display(msg)


class WolkvoxAction(ActionBase):
    """Base of the collection's action plugins: set MODULE, ARGUMENT_SPEC, SPEC_KWARGS, ENGINE."""

    MODULE = None
    ARGUMENT_SPEC = None
    SPEC_KWARGS = None
    ENGINE = None

    TRANSFERS_FILES = False
    _requires_connection = False

    def _environment(self):
        """The task's ``environment:`` keyword, templated (the env fallbacks read it, as in a module)."""
        merged = {}
        environments = self._task.environment or []
        if not isinstance(environments, list):
            environments = [environments]
        for environment in environments:
            if environment:
                value = self._templar.template(environment)
                if isinstance(value, dict):
                    merged.update(value)
        return dict((str(k), str(v)) for k, v in merged.items())

    @staticmethod
    def _check_given_server(args, task_vars):
        """An unquoted 0042 is the number 34. Given directly, the argument is a number; passed on as
        "{{ wolkvox_server }}", ansible-core before 2.19 renders it as the text "34": so look at
        the variable of that name too. Raises WolkvoxInputError."""
        given = args.get("wolkvox_server")
        var = (task_vars or {}).get("wolkvox_server")
        if isinstance(var, (int, float)) and not isinstance(var, bool) and isinstance(given, str) and given.strip() == str(var):
            given = var
        if isinstance(given, (int, float)):
            validate_server(given)

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super(WolkvoxAction, self).run(tmp, task_vars)
        del tmp
        if not HAS_REQUESTS:
            # The controller's Python has no requests: run the module where the task is delegated.
            result.update(self._execute_module(module_name=self.MODULE, module_args=self._task.args, task_vars=task_vars))
            return result

        args = dict(self._task.args)
        spec = dict(CONNECTION_SPEC)
        spec.update(self.ARGUMENT_SPEC)
        kwargs = dict((k, v) for k, v in self.SPEC_KWARGS.items() if k != "supports_check_mode")
        environment = self._environment()
        saved = dict(os.environ)
        os.environ.update(environment)
        try:
            validation = ArgumentSpecValidator(spec, **kwargs).validate(args)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        # As AnsibleModule does: a no_log value (the token) never appears in what is returned.
        secrets = validation._no_log_values
        if validation.error_messages:
            msg = prefixed(args, "Invalid options for %s: %s" % (self.MODULE, "; ".join(validation.error_messages)))
            result.update(self._scrubbed(dict(failed=True, changed=False, api_calls=0, msg=msg), secrets))
            return result

        task = _Task(validation.validated_parameters, bool(self._task.check_mode))
        if environment.get("TMPDIR"):
            # As for a module run with this environment: the token's lock files in that TMPDIR.
            task.lock_dir = os.path.join(environment["TMPDIR"], "wolkvox-slots-%d" % os.getuid())
        outcome = run_engine(task, self.ENGINE, check=lambda: self._check_given_server(args, task_vars))
        if task.warnings:
            outcome["warnings"] = task.warnings
        if self._display.verbosity >= 3:
            # As a module does (shown at -vvv): the arguments it ran with, no_log values masked.
            outcome["invocation"] = {"module_args": validation.validated_parameters}
        result.update(self._scrubbed(outcome, secrets))
        return result

    @staticmethod
    def _scrubbed(outcome, secrets):
        """``outcome`` without any no_log value. Walking a result of thousands of agents costs more
        than serialising it once, so walk it only when a secret is there."""
        text = json.dumps(outcome, default=str)
        if any(secret and str(secret) in text for secret in secrets):
            return remove_values(outcome, secrets)
        return outcome


def action_for(module):
    """The ActionModule class of one of the collection's modules (``wolkvox_agent_status`` or
    ``wolkvox_agent_info``): its argument spec and its engine, run in the controller's process."""
    # Imported here: each action plugin loads only its own engine.
    if module == "wolkvox_agent_status":
        from ansible_collections.wolkvox.contact_center.plugins.module_utils import _status as engine
        from ansible_collections.wolkvox.contact_center.plugins.module_utils import _status_options as options
    elif module == "wolkvox_agent_info":
        from ansible_collections.wolkvox.contact_center.plugins.module_utils import _info as engine
        options = engine
    else:
        raise ValueError("no engine for the module %s" % module)
    return type("ActionModule", (WolkvoxAction,), dict(
        MODULE="wolkvox.contact_center.%s" % module,
        ARGUMENT_SPEC=options.ARGUMENT_SPEC,
        SPEC_KWARGS=options.SPEC_KWARGS,
        ENGINE=staticmethod(engine.run),
    ))
