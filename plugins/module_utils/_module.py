# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""Glue between AnsibleModule and the client: the connection options (one spec, documented by
the ``wolkvox.contact_center.connection`` doc fragment) and the one place errors become fail_json."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    WolkvoxClient,
    WolkvoxError,
)


CONNECTION_SPEC = dict(
    wolkvox_server=dict(type="str", required=True, fallback=(env_fallback, ["WOLKVOX_SERVER"])),
    wolkvox_token=dict(
        type="str", required=True, no_log=True, aliases=["token"], fallback=(env_fallback, ["WOLKVOX_TOKEN"])
    ),
    api_url=dict(type="str", fallback=(env_fallback, ["WOLKVOX_API_URL"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    retries=dict(type="int", default=3),
    retry_delay=dict(type="float", default=1.0),
    max_concurrency=dict(type="int", default=2),
)


class WolkvoxModule(AnsibleModule):
    """An AnsibleModule with the connection options merged in and a ready client."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_SPEC)
        spec.update(argument_spec)
        super(WolkvoxModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self._client = None

    @property
    def client(self):
        if self._client is None:
            p = self.params
            self._client = WolkvoxClient(
                server=p["wolkvox_server"],
                token=p["wolkvox_token"],
                api_url=p["api_url"],
                validate_certs=p["validate_certs"],
                ca_path=p["ca_path"],
                timeout=p["timeout"],
                retries=p["retries"],
                retry_delay=p["retry_delay"],
                max_concurrency=p["max_concurrency"],
            )
        return self._client

    def api_calls(self):
        return self._client.api_calls if self._client is not None else 0

    def run(self, func):
        """Run ``func(module)`` and exit with its result dict; WolkvoxError becomes a clean failure."""
        try:
            result = func(self)
        except WolkvoxError as exc:
            self.fail_json(msg=str(exc), api_calls=self.api_calls(), error=exc.as_dict())
        finally:
            if self._client is not None:
                self._client.close()
        result.setdefault("api_calls", self.api_calls())
        if result.pop("failed", False):
            self.fail_json(**result)
        self.exit_json(**result)
