# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""How an engine runs, whoever runs it: the task contract an engine relies on (EngineTask), a
client made on first use (ClientOwner), and run_engine(), the one place where an expected error
(WolkvoxError) becomes a failed result. The module (_module.WolkvoxModule) and the action plugin
(plugins/plugin_utils/_action.py) both call run_engine(); neither imports the other.
"""

from __future__ import annotations

try:
    from typing import Protocol
except ImportError:  # pragma: no cover - Python < 3.8 is not supported; keeps the import test honest
    Protocol = object

from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxError
from ansible_collections.wolkvox.contact_center.plugins.module_utils._wording import prefixed


class EngineTask(Protocol):
    """What an engine (``_status.run``, ``_info.run``) gets: the task's validated options, check
    mode, a client made on first use, and two ways to talk to the operator."""

    params: dict
    check_mode: bool

    @property
    def client(self) -> WolkvoxClient:
        """The operation's client (made from ``params`` on first use)."""

    def warn(self, msg: str) -> None:
        """A warning shown with the task's result."""

    def progress(self, msg: str) -> None:
        """A line shown while the task runs, where the runner can show one (may do nothing)."""


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


def failure(exc, api_calls, params=None):
    """The result of a task stopped by an expected error: a clean message (naming the operation when
    the task names one), no traceback, and what the API answered when it answered."""
    result = dict(failed=True, changed=False, msg=prefixed(params or {}, str(exc)), api_calls=api_calls)
    details = exc.as_dict()
    if details is not None:
        result["error"] = details
    return result


def run_engine(task, engine, check=None):
    """``engine(task)``'s result; an expected error (raised by ``check()`` or the engine) becomes a
    failed result. The client is always closed, and ``api_calls`` always set."""
    try:
        if check is not None:
            check()
        result = engine(task)
    except WolkvoxError as exc:
        result = failure(exc, task.api_calls(), task.params)
    finally:
        task.close_client()
    result.setdefault("api_calls", task.api_calls())
    return result
