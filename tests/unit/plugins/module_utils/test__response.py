# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _response: the vendor's quirks, and what each kind of answer means."""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxAgentRefusedError,
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxEndpointError,
    WolkvoxError,
    WolkvoxForbiddenError,
    WolkvoxNoRecordsError,
    WolkvoxQuotaError,
    WolkvoxTokenBusyError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._response import (
    code_text,
    describe_body,
    interpret,
    is_auth_failure,
    is_success,
    is_token_busy,
    reason,
)
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import ANY_JSON, OK_BODY, SETTINGS


# --------------------------------------------------------------------------------------------
# is_success / code_text
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "http_status, body, expected",
    [
        (200, {"code": "200", "error": None, "msg": "ok"}, True),
        (200, {"code": 200, "error": None}, True),
        (200, {"code": 202, "error": None}, True),
        (200, {"code": "202", "error": ""}, True),
        (200, {"code": 200.0, "error": None}, True),
        (200, {"code": " 200 ", "error": None}, True),
        (201, {"code": "201"}, True),
        (200, {"code": "200"}, True),  # no error key at all
        (200, {"code": "200", "error": []}, True),
        (200, {"code": "200", "error": "token not valid"}, False),
        (200, {"code": "200", "error": "x"}, False),
        (200, {"code": "401", "error": None, "msg": "unauthorized"}, False),
        (200, {"code": "500", "error": None}, False),
        (200, {"code": 404, "error": None}, False),
        # Part 3: the vendor's own samples - "" for the agents list, "0" for other reads
        (200, {"error": None, "msg": "no code"}, True),
        (200, {"code": None, "error": None}, True),
        (200, {"code": "", "error": None, "msg": "23 records were found", "data": []}, True),
        (200, {"code": "0", "error": None}, True),
        (200, {"code": 0, "error": None}, True),
        (200, {"code": "0", "error": False}, True),
        (200, {"code": "299"}, True),
        (200, {"code": "300"}, False),
        (200, {"code": "1", "error": None}, False),
        (200, {"code": "OK", "error": None}, False),
        (200, {"code": "-1", "error": None}, False),
        (200, {"code": "0", "error": "BAD REQUEST"}, False),
        (200, {"code": "", "error": "x"}, False),
        (200, {"code": True, "error": None}, False),
        (500, {"code": "200", "error": None}, False),
        (404, {"code": "200", "error": None}, False),
        (302, {"code": "200", "error": None}, False),
        (199, {"code": "200", "error": None}, False),
        (200, [{"code": "200"}], False),
        (200, None, False),
        (200, "200", False),
    ],
)
def test_is_success(http_status, body, expected):
    assert is_success(http_status, body) is expected


@pytest.mark.parametrize(
    "code, expected",
    [("200", "200"), (202, "202"), (202.0, "202"), (202.5, "202.5"), (" 200 ", "200"), (None, ""), (True, ""), (False, "")],
)
def test_code_text(code, expected):
    assert code_text(code) == expected


# --------------------------------------------------------------------------------------------
# is_token_busy / is_auth_failure
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "http_status, body, expected",
    [
        (429, None, True),
        (429, {"code": "200", "error": None}, True),
        (200, {"code": "429", "error": None, "msg": "slow down"}, True),
        (200, {"code": 429, "error": "rate", "msg": ""}, True),
        (200, {"code": "400", "error": "the same token cannot be consumed simultaneously", "msg": None}, True),
        (200, {"code": "400", "error": None, "msg": "Too many concurrent requests"}, True),
        (200, {"code": "500", "error": None, "msg": "Token en uso"}, True),
        (200, {"code": 400, "error": "El token no puede ser consumido simultáneamente", "msg": None}, True),
        (200, {"code": "400", "error": "token ocupado", "msg": None}, True),
        (200, {"code": "400", "error": "Agent does not exist", "msg": None}, False),
        (200, {"code": "401", "error": "Invalid token", "msg": None}, False),
        (503, {"code": "503", "error": "down", "msg": None}, False),
        (200, None, False),
        (200, ["busy"], False),
    ],
)
def test_is_busy(http_status, body, expected):
    assert is_token_busy(http_status, body) is expected


@pytest.mark.parametrize(
    "http_status, body, expected",
    [
        # 401 in the body or as HTTP status: always the token
        (200, {"code": "401", "error": None, "msg": "invalid token"}, True),
        (200, {"code": 401, "error": "whatever", "msg": None}, True),
        (401, {"code": "200", "error": None}, True),
        (401, None, True),
        (401, {"error": "Agent 1001 is unknown"}, True),
        # 403: about a token or access, not about an agent
        (403, {"code": "403", "error": "Token not valid for this server", "msg": None}, True),
        (200, {"code": "403", "error": "Access denied", "msg": None}, True),
        (403, {"code": "403", "error": None, "msg": "Unauthorized"}, True),
        (403, {"code": "403", "error": "acceso denegado", "msg": None}, True),
        (403, {"code": "403", "error": "Agent 1001 belongs to another campaign", "msg": None}, False),
        (403, {"code": "403", "error": "agent token mismatch", "msg": None}, False),
        (403, {"code": "403", "error": "Forbidden", "msg": None}, False),
        (403, None, False),
        # neither 401 nor 403
        (200, {"code": "400", "error": "invalid token", "msg": None}, False),
        (500, {"code": "500", "error": "token store down", "msg": None}, False),
        (200, OK_BODY, False),
    ],
)
def test_is_auth_failure(http_status, body, expected):
    assert is_auth_failure(http_status, body) is expected


# --------------------------------------------------------------------------------------------
# interpret
# --------------------------------------------------------------------------------------------

def test_interpret_returns_the_body_on_success():
    body = {"code": 202, "error": None, "msg": "2 records were found", "data": [1, 2]}
    assert interpret(200, json.dumps(body)) == body


@pytest.mark.parametrize(
    "http_status, body, must_contain",
    [
        (200, {"code": "200", "error": "Agent does not exist", "msg": "failed"}, ["HTTP 200", "'Agent does not exist'", "'failed'"]),
        (200, {"code": "401", "error": None, "msg": "invalid token"}, ["code '401'", "'invalid token'"]),
        (200, {"code": 500, "error": None, "msg": "boom"}, ["code 500", "'boom'"]),
        (200, {"code": "1", "error": None, "msg": "odd"}, ["code '1'", "not document as a success"]),
        (400, {"code": "400", "error": "bad request", "msg": None}, ["HTTP 400", "'bad request'"]),
        (500, {"code": "200", "error": None, "msg": "looks fine"}, ["HTTP 500"]),
    ],
)
def test_interpret_reports_code_error_and_msg(http_status, body, must_contain):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, json.dumps(body), what="changing agent 1001 to ready")
    text = str(exc.value)
    assert text.startswith("changing agent 1001 to ready failed")
    for part in must_contain:
        assert part in text
    assert exc.value.http_status == http_status
    assert exc.value.code == body.get("code")
    assert exc.value.error == body.get("error")
    assert exc.value.api_msg == body.get("msg")
    assert exc.value.retryable is False
    assert exc.value.as_dict() == {
        "http_status": http_status, "code": body.get("code"), "error": body.get("error"), "msg": body.get("msg"),
    }


@pytest.mark.parametrize(
    "http_status, text, shape, retryable",
    [
        (200, "", "an empty body", False),
        (200, "   \n", "an empty body", False),
        (204, "", "an empty body", False),
        (200, "not json at all", "a body that is not JSON (not json at all)", False),
        (200, '[{"code": "200"}]', "JSON that is not an object", False),
        (200, '"200"', "JSON that is not an object", False),
        (200, "null", "JSON that is not an object", False),
        (200, '{"code": "200", "error": nu', "a body that is not JSON, perhaps cut short ({\"code\"", False),
        (200, None, "an empty body", False),
        (500, "<html><body><h1>500 Internal Server Error</h1></body></html>",
         "an HTML page instead of JSON (500 Internal Server Error)", False),
        (502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
         "an HTML page instead of JSON (502 Bad Gateway)", True),
        (503, "  <html>Service Unavailable</html>", "an HTML page instead of JSON (Service Unavailable)", True),
        (503, "<html></html>", "an HTML page instead of JSON (no text)", True),
        (504, "", "an empty body", True),
    ],
)
def test_interpret_bodies_that_are_not_an_object(http_status, text, shape, retryable):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, text, what="reading the agents list")
    message = str(exc.value)
    assert message.startswith("reading the agents list failed: HTTP %d with " % http_status)
    assert shape in message
    assert exc.value.retryable is retryable
    assert exc.value.http_status == http_status
    assert type(exc.value) is WolkvoxApiError  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize("text", ["Too Many Requests", "", "<html>slow down</html>"])
def test_interpret_http_429_without_json_is_busy(text):
    # Changed on purpose with the split: HTTP 429 means "not executed, try again" (busy), whatever
    # the body; it used to be reported as "a body that is not JSON" and retried as a fault.
    with pytest.raises(WolkvoxTokenBusyError) as exc:
        interpret(429, text, what="reading the agents list")
    assert str(exc.value) == "reading the agents list failed: HTTP 429 (too many requests)"
    assert exc.value.retryable is True
    assert exc.value.http_status == 429


def test_interpret_cuts_long_html_pages():
    page = "<html><p>" + "x" * 5000 + "</p></html>"
    with pytest.raises(WolkvoxError) as exc:
        interpret(500, page)
    assert len(str(exc.value)) < 300
    assert str(exc.value).endswith("...)")


@pytest.mark.parametrize("http_status", [301, 302, 303, 307, 308])
def test_interpret_redirects_are_errors(http_status):
    body = json.dumps(OK_BODY)  # even a redirect with a good-looking body is not a success
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, body, what="reading the agents list")
    text = str(exc.value)
    assert "redirect (HTTP %d)" % http_status in text
    assert "not followed" in text
    assert exc.value.http_status == http_status
    assert exc.value.retryable is False


@pytest.mark.parametrize(
    "http_status, body",
    [
        (200, {"code": "429", "error": None, "msg": "slow down"}),
        (200, {"code": 429, "error": "rate", "msg": ""}),
        (200, {"code": "400", "error": "the same token cannot be consumed simultaneously", "msg": None}),
        (200, {"code": "500", "error": None, "msg": "Token en uso"}),
        (200, {"code": 400, "error": "El token no puede ser consumido simultáneamente", "msg": None}),
        (429, {"code": "429", "error": "Too many requests"}),
    ],
)
def test_interpret_busy_answers_are_retryable(http_status, body):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, json.dumps(body))
    assert exc.value.retryable is True
    assert isinstance(exc.value, WolkvoxTokenBusyError)


@pytest.mark.parametrize("http_status, retryable", [(400, False), (401, False), (403, False), (404, False),
                                                    (500, False), (502, True), (503, True), (504, True)])
def test_interpret_http_error_with_json_body(http_status, retryable):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, json.dumps({"code": str(http_status), "error": "nope", "msg": "no"}))
    assert exc.value.retryable is retryable
    assert isinstance(exc.value, WolkvoxApiError) and not isinstance(exc.value, WolkvoxTokenBusyError)


@pytest.mark.parametrize(
    "http_status, body, cls",
    [
        (200, {"code": "200", "error": "Agent does not exist", "msg": None}, WolkvoxAgentRefusedError),
        (200, {"code": "404", "error": "Agent or status does not exist", "msg": None}, WolkvoxApiError),
        (503, {"code": "503", "error": "down", "msg": None}, WolkvoxApiError),
        (200, {"code": "401", "error": "Invalid token", "msg": None}, WolkvoxAuthError),
        (401, {"code": "401", "error": "unauthorized", "msg": None}, WolkvoxAuthError),
        (403, {"code": "403", "error": "Token not valid for server 0042", "msg": None}, WolkvoxAuthError),
        (403, {"code": "403", "error": "Agent 1001 is not yours", "msg": None}, WolkvoxApiError),
        (200, {"code": "409", "error": "The agent is in a contact", "msg": "agent_id 1001"}, WolkvoxAgentRefusedError),
        (200, {"code": "403", "error": "TOKEN LIMIT EXCEEDED", "msg": None}, WolkvoxQuotaError),
        (200, {"code": "429", "error": None, "msg": "slow down"}, WolkvoxTokenBusyError),
        (429, {"code": "429", "error": "Too many requests"}, WolkvoxTokenBusyError),
        (200, {"code": "400", "error": "the same token cannot be consumed simultaneously", "msg": None}, WolkvoxTokenBusyError),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_interpret_raises_the_right_subclass(http_status, body, cls):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, json.dumps(body), what="changing agent 1001 to ready")
    assert type(exc.value) is cls  # pylint: disable=unidiomatic-typecheck


# --------------------------------------------------------------------------------------------
# describe_body / reason
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, parsed, expected",
    [
        ("", False, "an empty body"),
        ("  ", False, "an empty body"),
        ("[1]", True, "JSON that is not an object ([1])"),
        ("<h1>Oops</h1>", False, "an HTML page instead of JSON (Oops)"),
        ('{"a": ', False, 'a body that is not JSON, perhaps cut short ({"a":)'),
        ("plain", False, "a body that is not JSON (plain)"),
    ],
)
def test_describe_body(text, parsed, expected):
    assert describe_body(text, parsed) == expected


@pytest.mark.parametrize(
    "exc, expected",
    [
        (requests.exceptions.SSLError("HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by "
                                      "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
                                      "certificate verify failed: self-signed certificate (_ssl.c:1006)')))"),
         "certificate verify failed: self-signed certificate (_ssl.c:1006"),
        (requests.exceptions.ConnectionError("HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded "
                                             "(Caused by NewConnectionError('<conn>: Failed to establish a new "
                                             "connection: [Errno 111] Connection refused'))"),
         "[Errno 111] Connection refused"),
        (ValueError("something else entirely"), "something else entirely"),
    ],
)
def test_reason_keeps_the_telling_phrase(exc, expected):
    assert reason(exc) == expected


# --------------------------------------------------------------------------------------------
# Properties: any answer is a body or a typed error
# --------------------------------------------------------------------------------------------

BODIES = st.one_of(
    st.text(max_size=200),
    ANY_JSON.map(json.dumps),
    st.fixed_dictionaries({}, optional={
        "code": st.one_of(st.integers(-1000, 1000), st.text(max_size=5), st.floats(), st.none(), st.booleans()),
        "error": ANY_JSON,
        "msg": ANY_JSON,
        "data": ANY_JSON,
    }).map(json.dumps),
    st.sampled_from([
        "", " ", "<html><body><h1>502 Bad Gateway</h1></body></html>", '{"code": "200", "error": null, "msg": "Agent st',
        "\x00\xff\xfe", "[" * 5000, '{"code": 1e400}', '{"code": NaN}', "null", '"200"', "{}", '{"code": "2"}',
    ]),
)


@SETTINGS
@given(st.integers(100, 599), BODIES)
def test_any_answer_is_a_body_or_a_typed_error(readable, status, text):
    try:
        body = interpret(status, text, "reading the agents list")
    except WolkvoxError as exc:
        message = str(exc)
        assert readable(message) and message.startswith("reading the agents list ")
        assert exc.http_status == status
        assert isinstance(exc.retryable, bool)
        assert isinstance(exc, WolkvoxApiError)
        if status in (429, 502, 503, 504):
            assert exc.retryable
        elif 300 <= status < 400:
            assert not exc.retryable and "redirect" in message
        if status == 429:
            assert isinstance(exc, WolkvoxTokenBusyError)
    else:
        assert 200 <= status < 300 and isinstance(body, dict) and is_success(status, body)


@SETTINGS
@given(st.integers(100, 599), ANY_JSON)
def test_success_rule_never_raises(status, body):
    assert isinstance(is_success(status, body), bool)
    assert isinstance(is_token_busy(status, body), bool)
    assert isinstance(is_auth_failure(status, body), bool)


# --------------------------------------------------------------------------------------------
# The vendor's table (contract Part 3): every row, with a real HTTP status and a JSON body, and
# the same answer as HTTP 200 with the error in the body
# --------------------------------------------------------------------------------------------

VENDOR_TABLE = [
    # (HTTP, error, msg, read?, error type, words the message must hold)
    (400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST", True, WolkvoxEndpointError, ["api_url"]),
    (400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED", False, WolkvoxApiError, ["changing agent 1001", "parameter"]),
    (401, "UNAUTHORIZED", "PLEASE ENTER THE WOLKVOX-TOKEN", True, WolkvoxAuthError, ["wolkvox_token", "'0042'"]),
    (403, "FORBIDDEN", "PLEASE VALIDATE TOKEN", True, WolkvoxAuthError, ["wolkvox_token", "wolkvox_server '0042'"]),
    (403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)", False, WolkvoxTokenBusyError, []),
    (403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED", True, WolkvoxQuotaError,
     ["daily quota", "licences x 1000", "resets daily", "not counted", "force: true"]),
    (404, "NOT FOUND", "Validate dates entered", True, WolkvoxNoRecordsError, []),
    (409, "CONFLICT", "Agent busy", False, WolkvoxAgentRefusedError, []),
    (400, "BAD REQUEST", "THE AGENT IS NOT LOGGED IN", False, WolkvoxAgentRefusedError, []),
    (403, "FORBIDDEN", "THE AGENT IS DISABLED", False, WolkvoxAgentRefusedError, []),
]


@pytest.mark.parametrize("in_body", [False, True], ids=["real-http-status", "in-a-200-body"])
@pytest.mark.parametrize("http_status, error, msg, read, cls, words", VENDOR_TABLE,
                         ids=[row[2][:30] for row in VENDOR_TABLE])
def test_every_row_of_the_vendors_table(http_status, error, msg, read, cls, words, in_body):
    what = "reading the agents list" if read else "changing agent 1001 to ready"
    status = 200 if in_body else http_status
    body = {"code": str(http_status) if in_body else http_status, "error": error, "msg": msg}
    with pytest.raises(WolkvoxError) as exc:
        interpret(status, json.dumps(body), what=what, read=read, server="0042")
    assert type(exc.value) is cls  # pylint: disable=unidiomatic-typecheck
    text = str(exc.value)
    assert text.startswith(what + " failed: HTTP %d" % status)
    for word in words:
        assert word in text
    assert exc.value.reason and exc.value.reason in text
    if cls is WolkvoxQuotaError:
        assert "token" not in text.split(":", 2)[-1].replace("TOKEN LIMIT", "").replace("tokens", "").lower() or \
            "check wolkvox_token" not in text  # never called a token problem
        assert exc.value.retryable is False
    assert exc.value.retryable is (cls is WolkvoxTokenBusyError)


def test_a_403_with_no_json_body_names_the_token_the_allow_list_and_maintenance():
    for text in ("", "<html><body>Forbidden</body></html>"):
        with pytest.raises(WolkvoxForbiddenError) as exc:
            interpret(403, text, what="reading the agents list", read=True, server="0042")
        message = str(exc.value)
        for word in ("wolkvox_token", "'0042'", "allow-list", "execution nodes", "maintenance"):
            assert word in message
        assert isinstance(exc.value, WolkvoxAuthError)


@pytest.mark.parametrize("http_status", [400, 404, 405])
def test_a_non_json_404_page_names_api_url(http_status):
    with pytest.raises(WolkvoxEndpointError) as exc:
        interpret(http_status, "<html><h1>Not Found</h1></html>", what="reading the agents list", read=True)
    assert "api_url" in str(exc.value)


@pytest.mark.parametrize("code", ["", "0", 0, "200", 200, 202, None])
def test_the_vendors_success_codes_return_the_body(code):
    body = {"code": code, "error": None, "msg": "23 records were found", "data": []}
    assert interpret(200, json.dumps(body), read=True) == body


@pytest.mark.parametrize("code", ["404", 403, "500", 300])
def test_error_codes_in_a_200_answer_stay_errors(code):
    with pytest.raises(WolkvoxApiError):
        interpret(200, json.dumps({"code": code, "error": None, "msg": "x"}))


def test_a_404_on_a_change_is_not_no_records():
    with pytest.raises(WolkvoxApiError) as exc:
        interpret(404, json.dumps({"code": 404, "error": "NOT FOUND", "msg": "x"}), what="changing agent 1 to ready")
    assert not isinstance(exc.value, WolkvoxNoRecordsError)
