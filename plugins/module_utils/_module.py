# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The AnsibleModule of the collection: the connection options merged into each module's own
(one spec, in _connection), a ready client, and the engine run by _runner.run_engine (which turns
errors into a failed result) before the one exit through exit_json / fail_json."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC, validate_server
from ansible_collections.wolkvox.contact_center.plugins.module_utils._runner import ClientOwner, run_engine


class WolkvoxModule(ClientOwner, AnsibleModule):
    """An AnsibleModule with the connection options merged in and a ready client (an EngineTask)."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_SPEC)
        spec.update(argument_spec)
        self._given_server = None
        super(WolkvoxModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))

    def _load_params(self):
        super(WolkvoxModule, self)._load_params()
        # The value as given, before the argument spec turns a number into text: an unquoted
        # 0042 in YAML is the number 34, and "34" would silently talk to another server.
        self._given_server = self.params.get("wolkvox_server")

    def progress(self, msg):
        """A module cannot show a line while it runs: its output is its result."""

    def run(self, func):
        """Run ``func(module)`` (an engine) and exit with its result.

        fail_json is called after run_engine() has returned, never inside an ``except`` block:
        ansible-core before 2.19 attaches the active exception's traceback to a failure at -vvv."""
        given = self._given_server
        result = run_engine(self, func, check=(lambda: validate_server(given)) if given is not None else None)
        if result.pop("failed", False):
            self.fail_json(**result)
        self.exit_json(**result)
