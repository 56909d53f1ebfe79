# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _errors: the error hierarchy, what an error shows, and how values appear in messages."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    MASK,
    SNIPPET,
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxError,
    WolkvoxInputError,
    WolkvoxLocalError,
    WolkvoxTokenBusyError,
    WolkvoxTransportError,
    scrub,
    shown,
    snippet,
)


@pytest.mark.parametrize(
    "cls, parents, retryable",
    [
        (WolkvoxInputError, (WolkvoxError,), False),
        (WolkvoxLocalError, (WolkvoxError,), False),
        (WolkvoxTransportError, (WolkvoxError,), False),
        (WolkvoxApiError, (WolkvoxError,), False),
        (WolkvoxAuthError, (WolkvoxApiError, WolkvoxError), False),
        (WolkvoxTokenBusyError, (WolkvoxApiError, WolkvoxError), True),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_hierarchy_and_default_retryable(cls, parents, retryable):
    exc = cls("x failed")
    for parent in parents:
        assert isinstance(exc, parent)
    assert exc.retryable is retryable
    assert exc.retry_after is None


@pytest.mark.parametrize("cls", [WolkvoxError, WolkvoxApiError, WolkvoxTokenBusyError, WolkvoxTransportError])
def test_retryable_can_be_set_per_error(cls):
    assert cls("x", retryable=True).retryable is True
    assert cls("x", retryable=False).retryable is False


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, None),
        (dict(http_status=None, code=None, error=None, api_msg=None), None),
        (dict(http_status=200), {"http_status": 200, "code": None, "error": None, "msg": None}),
        (dict(code="401", error="Invalid token"), {"http_status": None, "code": "401", "error": "Invalid token", "msg": None}),
        (dict(api_msg=""), {"http_status": None, "code": None, "error": None, "msg": ""}),
        (dict(http_status=503, code=503, error="down", api_msg="later"),
         {"http_status": 503, "code": 503, "error": "down", "msg": "later"}),
    ],
)
def test_as_dict_is_none_when_no_answer_is_involved(kwargs, expected):
    # Changed on purpose with the split: an error with no API detail at all has nothing to show.
    assert WolkvoxError("x", **kwargs).as_dict() == expected


def test_message_is_the_one_text_of_str_repr_and_args():
    exc = WolkvoxApiError("reading failed: secret-ish", code="400")
    exc.message = "reading failed: ********"
    assert str(exc) == "reading failed: ********"
    assert exc.args == ("reading failed: ********",)
    assert "secret-ish" not in repr(exc)
    exc.message += " (after 2 retries)"
    assert str(exc).endswith("(after 2 retries)")


def test_an_error_without_args_has_an_empty_message():
    exc = WolkvoxError("x")
    exc.args = ()
    assert exc.message == ""
    assert str(exc) == ""


@pytest.mark.parametrize(
    "text, secret, expected",
    [
        ("token abc123 is bad, abc123!", "abc123", "token %s is bad, %s!" % (MASK, MASK)),
        ("nothing here", "abc123", "nothing here"),
        ("abc", "", "abc"),
        ("abc", None, "abc"),
        (None, "abc", None),
        (42, "42", 42),
    ],
)
def test_scrub(text, secret, expected):
    assert scrub(text, secret) == expected


@pytest.mark.parametrize(
    "value, limit, expected",
    [
        ("0042", 80, "'0042'"),
        (34, 80, "34"),
        (None, 80, "None"),
        ("0042\n", 80, "'0042\\n'"),
        ("x" * 100, 80, "'" + "x" * 76 + "..."),
        ("x" * 10, 8, "'xxxx..."),
    ],
)
def test_shown(value, limit, expected):
    assert shown(value, limit) == expected
    assert len(shown(value, limit)) <= limit


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, ""),
        ("", ""),
        ("  a\n\tb \x00 c  ", "a b c"),
        ("x" * (SNIPPET + 1), "x" * SNIPPET + "..."),
        ("x" * SNIPPET, "x" * SNIPPET),
    ],
)
def test_snippet(text, expected):
    assert snippet(text) == expected
