# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _runner: the engine's task contract, the client made on first use, and the one
place where an expected error becomes a failed result."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import CONNECTION_SPEC
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxError,
    WolkvoxInputError,
    WolkvoxTransportError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._runner import (
    ClientOwner,
    EngineTask,
    client_from,
    failure,
    run_engine,
)
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import TOKEN, Task


@pytest.mark.parametrize(
    "exc, api_calls, expected",
    [
        (WolkvoxInputError("status 'x' is not valid"), 0,
         dict(failed=True, changed=False, msg="status 'x' is not valid", api_calls=0)),
        (WolkvoxTransportError("reading failed: timeout", retryable=True), 4,
         dict(failed=True, changed=False, msg="reading failed: timeout", api_calls=4)),
        (WolkvoxApiError("reading failed: HTTP 200, code '401'", http_status=200, code="401", error="Invalid token"), 1,
         dict(failed=True, changed=False, msg="reading failed: HTTP 200, code '401'", api_calls=1,
              error={"http_status": 200, "code": "401", "error": "Invalid token", "msg": None})),
    ],
)
def test_failure_leaves_out_an_error_without_api_details(exc, api_calls, expected):
    assert failure(exc, api_calls) == expected


def test_client_from_passes_every_connection_option(fake_api):
    params = dict(wolkvox_server="0042", wolkvox_token=TOKEN, api_url="http://127.0.0.1:9/", validate_certs=False,
                  ca_path=None, timeout=12.0, retries=5, retry_delay=0.25, max_concurrency=3)
    client = client_from(params)
    assert (client.base_url, client.verify, client.timeout, client.retries, client.retry_delay, client.max_concurrency) == (
        "http://127.0.0.1:9", False, 12.0, 5, 0.25, 3)
    assert set(params) == set(CONNECTION_SPEC)


def test_failure_names_the_operation_when_the_task_names_one():
    params = dict(operation="bogota_sales", wolkvox_server="0042")
    result = failure(WolkvoxInputError("status 'x' is not valid"), 0, params)
    assert result["msg"] == "bogota_sales (server 0042): status 'x' is not valid"


class OwnedTask(ClientOwner):
    def __init__(self, params):
        self.params = params
        self.check_mode = False


def connection(**extra):
    return dict(dict(wolkvox_server="0042", wolkvox_token=TOKEN, api_url="http://127.0.0.1:9/", validate_certs=True,
                     ca_path=None, timeout=5.0, retries=0, retry_delay=0.0, max_concurrency=2), **extra)


def test_run_engine_returns_the_engines_result_with_api_calls(fake_api):
    task = OwnedTask(connection())
    result = run_engine(task, lambda t: dict(changed=False, count=len(t.client.list_agents())))
    assert result == dict(changed=False, count=len(fake_api.states), api_calls=1)


def test_run_engine_turns_an_expected_error_into_a_failed_result_and_closes_the_client(fake_api):
    task = OwnedTask(connection(operation="bogota_sales"))
    closed = []

    def engine(t):
        t.client.list_agents()
        t.client.close = lambda: closed.append(True)
        raise WolkvoxError("something expected went wrong")

    result = run_engine(task, engine)
    assert result == dict(failed=True, changed=False, api_calls=1,
                          msg="bogota_sales (server 0042): something expected went wrong")
    assert closed == [True]


def test_run_engine_check_runs_first_and_can_stop_the_engine():
    called = []

    def check():
        raise WolkvoxInputError("wolkvox_server was given as the number 34")

    result = run_engine(OwnedTask(connection()), lambda t: called.append(1), check=check)
    assert result["failed"] and result["api_calls"] == 0 and called == []


def test_an_unexpected_error_is_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        run_engine(OwnedTask(connection()), lambda t: 1 / 0)


def test_the_unit_test_fake_follows_the_engine_task_contract():
    task = Task({"x": 1}, client="a client")
    assert EngineTask in type(task).__mro__
    for name in ("client", "warn", "progress"):
        assert name in vars(EngineTask), name
    assert task.client == "a client" and task.check_mode is False
    task.warn("w")
    task.progress("p")
    assert (task.warnings, task.lines) == (["w"], ["p"])
