# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The AnsibleModule of the collection: the connection options merged into each module's own
(one spec, in _connection), a ready client, and the one place where errors become fail_json."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    WolkvoxClient,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC, validate_server
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxError


def client_from(params, lock_dir=None):
    """A client for the connection options in ``params`` (validated there, before any request)."""
    return WolkvoxClient(
        lock_dir=lock_dir,
        server=params["wolkvox_server"],
        token=params["wolkvox_token"],
        api_url=params["api_url"],
        validate_certs=params["validate_certs"],
        ca_path=params["ca_path"],
        timeout=params["timeout"],
        retries=params["retries"],
        retry_delay=params["retry_delay"],
        max_concurrency=params["max_concurrency"],
    )


def failure(exc, api_calls):
    """The result of a task stopped by an expected error: a clean message, no traceback."""
    result = dict(failed=True, changed=False, msg=str(exc), api_calls=api_calls)
    details = exc.as_dict()
    if details is not None:
        result["error"] = details
    return result


class ClientOwner(object):
    """A client made on first use from ``self.params`` (the module, or the action plugin's task)."""

    _client = None
    lock_dir = None  # None: the token's lock files in the process's temporary directory

    @property
    def client(self):
        if self._client is None:
            self._client = client_from(self.params, self.lock_dir)
        return self._client

    def api_calls(self):
        return self._client.api_calls if self._client is not None else 0

    def close_client(self):
        if self._client is not None:
            self._client.close()


class WolkvoxModule(ClientOwner, AnsibleModule):
    """An AnsibleModule with the connection options merged in and a ready client."""

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

    def run(self, func):
        """Run ``func(module)`` and exit with its result dict; WolkvoxError becomes a clean failure.

        fail_json is called after the ``except`` block, never inside it: ansible-core before 2.19
        attaches the active exception's traceback to a failure at -vvv."""
        result = None
        try:
            if self._given_server is not None:
                validate_server(self._given_server)
            result = func(self)
        except WolkvoxError as exc:
            result = failure(exc, self.api_calls())
        finally:
            self.close_client()
        result.setdefault("api_calls", self.api_calls())
        if result.pop("failed", False):
            self.fail_json(**result)
        self.exit_json(**result)
