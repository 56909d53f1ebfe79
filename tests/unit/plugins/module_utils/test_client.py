# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the shared HTTP client: response rules, validation, retries, secrecy. No network."""

from __future__ import annotations

import json
import threading
from email.utils import format_datetime
from datetime import datetime, timezone

import certifi
import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _client
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    WolkvoxClient,
    WolkvoxError,
    WolkvoxInputError,
    backoff_delay,
    build_base_url,
    interpret,
    is_success,
    normalize_status,
    retry_after_seconds,
    validate_agent_id,
    validate_server,
)

TOKEN = "tok-5ecr3t-ABCDEF0123456789"
OK_BODY = {"code": "200", "error": None, "msg": "Agent status has been modified to Ready"}


# --------------------------------------------------------------------------------------------
# is_success / interpret
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
        (200, {"error": None, "msg": "no code"}, False),
        (200, {"code": None, "error": None}, False),
        (200, {"code": "", "error": None}, False),
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


def test_interpret_returns_the_body_on_success():
    body = {"code": 202, "error": None, "msg": "2 records were found", "data": [1, 2]}
    assert interpret(200, json.dumps(body)) == body


@pytest.mark.parametrize(
    "http_status, body, must_contain",
    [
        (200, {"code": "200", "error": "Agent does not exist", "msg": "failed"}, ["HTTP 200", "'Agent does not exist'", "'failed'"]),
        (200, {"code": "401", "error": None, "msg": "invalid token"}, ["code '401'", "'invalid token'"]),
        (200, {"code": 500, "error": None, "msg": "boom"}, ["code 500", "'boom'"]),
        (200, {"error": None, "msg": "no code here"}, ["code None", "'no code here'"]),
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
        (429, "Too Many Requests", "a body that is not JSON", True),
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
    assert exc.value.kind == "busy"


@pytest.mark.parametrize("http_status, retryable", [(400, False), (401, False), (403, False), (404, False),
                                                    (500, False), (502, True), (503, True), (504, True)])
def test_interpret_http_error_with_json_body(http_status, retryable):
    with pytest.raises(WolkvoxError) as exc:
        interpret(http_status, json.dumps({"code": str(http_status), "error": "nope", "msg": "no"}))
    assert exc.value.retryable is retryable
    assert exc.value.kind == "api"


# --------------------------------------------------------------------------------------------
# retry_after_seconds / backoff_delay
# --------------------------------------------------------------------------------------------

NOW = 1_700_000_000.0


def _http_date(offset):
    return format_datetime(datetime.fromtimestamp(NOW + offset, tz=timezone.utc), usegmt=True)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("5", 5.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("60", 60.0),
        ("61", MAX_RETRY_AFTER),
        ("3600", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("-3", 0.0),
        ("-inf", 0.0),
        (_http_date(10), 10.0),
        (_http_date(-30), 0.0),
        (_http_date(86400), MAX_RETRY_AFTER),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("Wed, 99 Foo 2015 07:28:00 GMT", None),
        ("12 seconds", None),
        (5, None),
        (b"5", None),
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value, now=NOW) == expected


def test_retry_after_seconds_with_a_date_uses_the_clock_by_default(monkeypatch):
    monkeypatch.setattr(_client.time, "time", lambda: NOW)
    assert retry_after_seconds(_http_date(20)) == 20.0


@pytest.mark.parametrize(
    "attempt, base, rnd, expected",
    [
        # half of the cap is fixed, half is jitter: cap * (0.5 + 0.5 * rng())
        (0, 1.0, 1.0, 1.0),
        (0, 1.0, 0.0, 0.5),
        (1, 1.0, 1.0, 2.0),
        (2, 1.0, 1.0, 4.0),
        (3, 1.0, 1.0, 8.0),
        (3, 1.0, 0.0, 4.0),
        (4, 1.0, 1.0, MAX_BACKOFF),
        (4, 1.0, 0.0, MAX_BACKOFF / 2),
        (10, 1.0, 1.0, MAX_BACKOFF),
        (2, 0.5, 0.5, 1.5),
        (0, 0.0, 1.0, 0.0),
        (5, 3.0, 0.25, MAX_BACKOFF * 0.625),
        (1100, 1.0, 1.0, MAX_BACKOFF),  # no OverflowError for a huge attempt number
        (10 ** 6, 0.001, 0.0, MAX_BACKOFF / 2),
    ],
)
def test_backoff_delay(attempt, base, rnd, expected):
    assert backoff_delay(attempt, base, rng=lambda: rnd) == pytest.approx(expected)


def test_backoff_delay_stays_within_bounds_with_real_jitter():
    seen = set()
    for attempt in range(12):
        cap = min(MAX_BACKOFF, 2.0 ** attempt)
        for dummy in range(20):
            delay = backoff_delay(attempt, 1.0)
            assert cap / 2 <= delay <= cap
            seen.add(delay)
    assert len(seen) > 100  # jitter: parallel workers do not retry in lockstep


# --------------------------------------------------------------------------------------------
# validate_server / build_base_url / validate_agent_id / normalize_status
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("server", ["0042", "1", "abc", "ABC-def-09", "-", "x" * 32])
def test_validate_server_accepts(server):
    assert validate_server(server) == server
    assert build_base_url(server) == "https://wv%s.wolkvox.com" % server


@pytest.mark.parametrize(
    "server",
    [
        "", "x" * 33, "00.42", "0042.evil.com", "evil.com/", "0042/../x", "a/b", "a@b", "user@0042",
        "0042:443", "00 42", " 0042", "0042 ", "\t", "https://0042", "http:0042", "0042?x=1", "0042#f",
        "00_42", "0042%2e", "wv0042.wolkvox.com", "\u0660\u0661", "caf\u00e9",
        None, 42, 42.0, True, ["0042"], {"s": "0042"}, b"0042",
    ],
)
def test_validate_server_rejects(server):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_server(server)
    assert "wolkvox_server %r is not valid" % (server,) in str(exc.value)
    assert exc.value.kind == "input"
    with pytest.raises(WolkvoxInputError):
        build_base_url(server)
    with pytest.raises(WolkvoxInputError):
        build_base_url(server, "https://proxy.example.com")


@pytest.mark.parametrize("server", ["0042\n", "abc\n", "0042\r\n", "0042\x00"])
def test_validate_server_rejects_a_trailing_newline(server):
    # the value is spliced into a host name and sent as a header: a newline must never pass
    with pytest.raises(WolkvoxInputError):
        validate_server(server)


@pytest.mark.parametrize(
    "api_url, expected",
    [
        (None, "https://wv0042.wolkvox.com"),
        ("", "https://wv0042.wolkvox.com"),
        ("https://proxy.example.com", "https://proxy.example.com"),
        ("https://proxy.example.com/", "https://proxy.example.com"),
        ("https://proxy.example.com/wolkvox/", "https://proxy.example.com/wolkvox"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:18080/", "http://localhost:18080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("HTTPS://Proxy.Example.com", "HTTPS://Proxy.Example.com"),
    ],
)
def test_build_base_url_accepts(api_url, expected):
    assert build_base_url("0042", api_url) == expected


@pytest.mark.parametrize(
    "api_url, reason",
    [
        ("ftp://proxy.example.com", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("proxy.example.com", "only http:// and https://"),
        ("//proxy.example.com", "only http:// and https://"),
        ("https:proxy.example.com", "only http:// and https://"),
        ("https://", "no host name"),
        ("https:///path", "no host name"),
        ("https://:8080", "no host name"),
        ("https://user:pass@proxy.example.com", "credentials"),
        ("https://user@proxy.example.com", "credentials"),
        ("https://proxy.example.com\\@evil.example.com", "backslash"),
        ("https://proxy.example.com?x=1", "query string or fragment"),
        ("https://proxy.example.com/?token=1", "query string or fragment"),
        ("https://proxy.example.com?", "query string or fragment"),
        ("https://proxy.example.com#frag", "query string or fragment"),
        ("https://proxy.example.com#", "query string or fragment"),
        ("https://proxy.example.com:0", "port must be a number from 1 to 65535"),
        ("https://proxy.example.com:99999", "port must be a number from 1 to 65535"),
        ("https://proxy.example.com:port", "port must be a number from 1 to 65535"),
        ("https://proxy.example.com:", "port must be a number from 1 to 65535"),
        ("https://proxy..example.com", "is not a valid host name"),
        ("https://-proxy.example.com", "is not a valid host name"),
        ("https://proxy_1.example.com", "is not a valid host name"),
        ("https://proxy.example.com/a%2e%2e/b", "the path may only hold"),
        ("https://proxy.example.com/a;b", "the path may only hold"),
        ("https://proxy .example.com", "without blanks"),
        ("https://proxy.example.com\n", "without blanks"),
        ("https://proxy.example.com/\x00", "without blanks"),
        ("https://pr\u00f6xy.example.com", "ASCII URL"),
        (42, "it must be an http(s) URL"),
        (["https://proxy.example.com"], "it must be an http(s) URL"),
    ],
)
def test_build_base_url_rejects(api_url, reason):
    with pytest.raises(WolkvoxInputError) as exc:
        build_base_url("0042", api_url)
    assert str(exc.value).startswith("api_url ")
    assert " is not valid: " in str(exc.value)
    assert reason in str(exc.value)


@pytest.mark.parametrize(
    "api_url, secret",
    [
        ("https://admin:hunter2@proxy.example.com", "hunter2"),
        ("https://hunter2@proxy.example.com/x", "hunter2"),
        ("https://proxy.example.com/?key=hunter2", "hunter2"),
        ("https://proxy.example.com/#hunter2", "hunter2"),
    ],
)
def test_build_base_url_does_not_echo_secrets_of_a_rejected_url(api_url, secret):
    with pytest.raises(WolkvoxInputError) as exc:
        build_base_url("0042", api_url)
    assert secret not in str(exc.value)
    assert "proxy.example.com" in str(exc.value)


def test_build_base_url_validates_the_server_even_with_an_override():
    with pytest.raises(WolkvoxInputError, match="wolkvox_server"):
        build_base_url("a.b", "https://proxy.example.com")


@pytest.mark.parametrize(
    "agent_id, expected",
    [("1001", "1001"), (1001, "1001"), (" 1001 ", "1001"), ("0", "0"), ("007", "007"), ("1" * 20, "1" * 20)],
)
def test_validate_agent_id_accepts(agent_id, expected):
    assert validate_agent_id(agent_id) == expected


@pytest.mark.parametrize(
    "agent_id",
    ["", " ", "10a1", "abc", "-1", "+1", "1.5", "1 001", "1" * 21, "\u0661\u0662", "1001;drop", "1001&status=ready",
     None, True, False, 1.0, ["1001"], {"agent_id": "1001"}],
)
def test_validate_agent_id_rejects(agent_id):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_agent_id(agent_id)
    assert str(exc.value).startswith("agent_id %r is not valid" % (agent_id,))


@pytest.mark.parametrize(
    "status, expected",
    [("ready", "ready"), ("READY", "ready"), (" Ready ", "ready"), ("logout", "logout"), ("LogOut", "logout"),
     ("7", "7"), (7, "7"), (" 12 ", "12"), ("1" * 10, "1" * 10)],
)
def test_normalize_status_accepts(status, expected):
    assert normalize_status(status) == expected


@pytest.mark.parametrize(
    "status",
    ["", " ", "break", "Active breaks", "acw", "ready!", "-7", "7.0", "1" * 11, "\u0667", None, True, 7.0, ["ready"]],
)
def test_normalize_status_rejects(status):
    with pytest.raises(WolkvoxInputError) as exc:
        normalize_status(status)
    assert str(exc.value).startswith("status %r is not valid" % (status,))
    assert "'ready', 'logout'" in str(exc.value)


# --------------------------------------------------------------------------------------------
# WolkvoxClient with a fake session
# --------------------------------------------------------------------------------------------

class FakeResponse(object):
    def __init__(self, status_code=200, body=None, text=None, headers=None):
        self.status_code = status_code
        self.text = text if text is not None else json.dumps(OK_BODY if body is None else body)
        self.content = self.text.encode("utf-8", "surrogatepass")
        self.headers = CaseInsensitiveDict(headers or {})


class FakeSession(object):
    """Answers from a script: a list of responses/exceptions, or a callable(method, url, params)."""

    def __init__(self, script):
        self.script = script
        self.calls = []
        self.lock = threading.Lock()

    def request(self, method, url, **kwargs):
        with self.lock:
            self.calls.append(dict(kwargs, method=method, url=url))
            if callable(self.script):
                answer = self.script(method, url, kwargs.get("params") or {})
            else:
                answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(monkeypatch, tmp_path, sleeps):
    def make(script, **kwargs):
        session = FakeSession(script)
        monkeypatch.setattr(WolkvoxClient, "_session", lambda self: session)
        kwargs.setdefault("retries", 3)
        kwargs.setdefault("retry_delay", 0.5)
        client = WolkvoxClient("0042", TOKEN, lock_dir=str(tmp_path / "locks"), sleep=sleeps, **kwargs)
        return client, session
    return make


def test_503_twice_then_success(make_client, sleeps):
    client, session = make_client([FakeResponse(503, text="busy"), FakeResponse(503, text=""), FakeResponse(200, OK_BODY)])
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 3
    assert client.api_calls == 3
    assert len(sleeps) == 2
    assert 0.0 <= sleeps[0] <= 0.5
    assert 0.0 <= sleeps[1] <= 1.0


def test_503_beyond_retries(make_client, sleeps):
    client, session = make_client([FakeResponse(503, {"code": "503", "error": "down", "msg": None})] * 4, retries=2)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 3
    assert client.api_calls == 3
    assert len(sleeps) == 2
    assert "HTTP 503" in str(exc.value)
    assert str(exc.value).endswith("(after 2 retries)")
    assert exc.value.http_status == 503


def test_retries_zero_means_one_call(make_client, sleeps):
    client, session = make_client([FakeResponse(503, text="")] * 2, retries=0)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 1
    assert sleeps == []
    assert "retries" not in str(exc.value)


@pytest.mark.parametrize(
    "response",
    [
        FakeResponse(400, {"code": "400", "error": "bad request", "msg": None}),
        FakeResponse(401, {"code": "401", "error": "unauthorized", "msg": None}),
        FakeResponse(200, {"code": "401", "error": "Invalid token", "msg": None}),
        FakeResponse(200, {"code": "200", "error": "Agent does not exist", "msg": None}),
        FakeResponse(500, text="<html>error</html>"),
        FakeResponse(302, text="", headers={"Location": "https://elsewhere.example.com/"}),
    ],
)
def test_answers_that_are_not_retried(make_client, sleeps, response):
    client, session = make_client([response, FakeResponse(200, OK_BODY)])
    with pytest.raises(WolkvoxError) as exc:
        client.change_status("1001", "ready")
    assert len(session.calls) == 1
    assert client.api_calls == 1
    assert sleeps == []
    assert "retries" not in str(exc.value)
    assert exc.value.http_status == response.status_code


def test_timeout_retried_then_success(make_client, sleeps):
    client, session = make_client([requests.exceptions.ReadTimeout("read timed out"), FakeResponse(200, OK_BODY)])
    assert client.change_status("1001", "7") == OK_BODY["msg"]
    assert len(session.calls) == 2
    assert len(sleeps) == 1


def test_timeout_every_time_gives_a_clear_message(make_client, sleeps):
    client, session = make_client([requests.exceptions.ConnectTimeout("connect timed out")] * 3, retries=2, timeout=5)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    text = str(exc.value)
    assert len(session.calls) == 3
    assert client.api_calls == 3
    assert "timeout" in text
    assert "within 5.0 seconds" in text
    assert "https://wv0042.wolkvox.com" in text
    assert text.endswith("(after 2 retries)")
    assert exc.value.kind == "timeout"


def test_connection_error_retried(make_client, sleeps):
    client, session = make_client([requests.exceptions.ConnectionError("connection refused")] * 2, retries=1)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 2
    assert "cannot connect to https://wv0042.wolkvox.com or the connection broke (connection refused)" in str(exc.value)
    assert exc.value.kind == "connection"


def test_tls_error_not_retried(make_client, sleeps):
    client, session = make_client([requests.exceptions.SSLError("certificate verify failed")] * 2)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 1
    assert "TLS" in str(exc.value)
    assert "(certificate verify failed)" in str(exc.value)
    assert "ca_path" in str(exc.value)
    assert exc.value.kind == "tls"


def test_busy_token_answer_retried(make_client, sleeps):
    busy = FakeResponse(200, {"code": "400", "error": "The same token cannot be consumed simultaneously", "msg": None})
    client, session = make_client([busy, FakeResponse(200, OK_BODY)])
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 2


@pytest.mark.parametrize("header, expected", [("7", 7.0), ("0", 0.0), ("600", MAX_RETRY_AFTER)])
def test_retry_after_honoured(make_client, sleeps, header, expected):
    client, session = make_client([FakeResponse(429, text="", headers={"Retry-After": header}), FakeResponse(200, OK_BODY)])
    client.change_status("1001", "ready")
    assert sleeps == [expected]
    assert len(session.calls) == 2


def test_garbage_retry_after_falls_back_to_backoff(make_client, sleeps):
    client, session = make_client([FakeResponse(503, text="", headers={"Retry-After": "later"}), FakeResponse(200, OK_BODY)])
    client.change_status("1001", "ready")
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 0.5


def test_requests_carry_no_token_and_do_not_follow_redirects(make_client):
    client, session = make_client([FakeResponse(200, {"code": "200", "error": None, "data": []}), FakeResponse(200, OK_BODY)],
                                  timeout=12)
    client.list_agents()
    client.change_status("1001", "7")
    assert [call["method"] for call in session.calls] == ["GET", "POST"]
    assert session.calls[0]["url"] == "https://wv0042.wolkvox.com/api/v2/information.php"
    assert session.calls[0]["params"] == {"api": "agents"}
    assert session.calls[1]["url"] == "https://wv0042.wolkvox.com/api/v2/agentbox.php"
    assert session.calls[1]["params"] == {"api": "change_status", "agent_id": "1001", "status": "7"}
    for call in session.calls:
        assert call["allow_redirects"] is False
        assert call["timeout"] == 12.0
        assert TOKEN not in call["url"]
        assert TOKEN not in json.dumps(call["params"])


def test_real_session_sends_the_token_only_in_headers(tmp_path):
    """Prepare real requests through a requests.Session whose transport is replaced: no network."""

    sent = []

    class Adapter(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            sent.append((request, kwargs))
            response = requests.Response()
            response.status_code = 302 if len(sent) == 1 else 200
            response.headers = CaseInsensitiveDict({"Location": "https://evil.example.com/steal"})
            response._content = json.dumps(OK_BODY).encode()
            response.request = request
            response.url = request.url
            return response

        def close(self):
            pass

    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", lock_dir=str(tmp_path / "locks"),
                           sleep=Sleeps(), validate_certs=False)
    session = client._session()
    assert session.headers["wolkvox-token"] == TOKEN
    assert session.headers["wolkvox_server"] == "0042"
    assert session.verify is False
    assert client._session() is session  # kept alive and reused
    session.mount("http://", Adapter())
    with pytest.raises(WolkvoxError, match="redirect"):
        client.change_status("1001", "ready")
    assert len(sent) == 1  # the redirect was not followed to evil.example.com
    client.change_status("1001", "ready")
    request = sent[1][0]
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9/api/v2/agentbox.php?api=change_status&agent_id=1001&status=ready"
    assert request.headers["wolkvox-token"] == TOKEN
    assert request.headers["wolkvox_server"] == "0042"
    assert TOKEN not in request.url
    client.close()


@pytest.mark.parametrize("validate_certs, use_bundle", [(True, True), (False, True), (False, False)])
def test_ca_path_wins_over_the_environment(monkeypatch, tmp_path, validate_certs, use_bundle):
    """REQUESTS_CA_BUNDLE must neither replace ca_path nor turn verification back on."""
    seen = []

    class Adapter(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            seen.append(kwargs["verify"])
            response = requests.Response()
            response.status_code = 200
            response._content = json.dumps(OK_BODY).encode()
            response.request = request
            return response

        def close(self):
            pass

    other = tmp_path / "other-bundle.pem"
    other.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other))
    bundle = certifi.where() if use_bundle else None
    client = WolkvoxClient("0042", TOKEN, ca_path=bundle, validate_certs=validate_certs,
                           lock_dir=str(tmp_path / "locks"), sleep=Sleeps())
    client._session().mount("https://", Adapter())
    client.change_status("1001", "ready")
    assert seen == [bundle if validate_certs else False]


def test_verify_uses_ca_path_only_when_validating(tmp_path):
    kwargs = dict(lock_dir=str(tmp_path / "locks"))
    bundle = certifi.where()
    assert WolkvoxClient("0042", TOKEN, **kwargs).verify is True
    assert WolkvoxClient("0042", TOKEN, ca_path=bundle, **kwargs).verify == bundle
    assert WolkvoxClient("0042", TOKEN, validate_certs=False, ca_path=bundle, **kwargs).verify is False
    # validate_certs: false does not look at ca_path at all
    assert WolkvoxClient("0042", TOKEN, validate_certs=False, ca_path=str(tmp_path / "none"), **kwargs).verify is False


def test_ca_path_must_be_a_usable_bundle(tmp_path):
    kwargs = dict(lock_dir=str(tmp_path / "locks"))
    with pytest.raises(WolkvoxInputError, match="does not exist"):
        WolkvoxClient("0042", TOKEN, ca_path=str(tmp_path / "missing.pem"), **kwargs)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    with pytest.raises(WolkvoxInputError, match="cannot be used as a CA bundle"):
        WolkvoxClient("0042", TOKEN, ca_path=str(garbage), **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(server="00.42"), "wolkvox_server '00.42'"),
        (dict(token=""), "wolkvox_token is empty"),
        (dict(token="   "), "wolkvox_token is empty"),
        (dict(token=None), "wolkvox_token is empty"),
        (dict(token="abc def"), "wolkvox_token is not valid"),
        (dict(token="abc\r\nX-Evil: 1"), "wolkvox_token is not valid"),
        (dict(token="t\u00f6ken"), "wolkvox_token is not valid"),
        (dict(timeout=0), "timeout 0 is not valid"),
        (dict(timeout=-1.5), "timeout -1.5 is not valid"),
        (dict(timeout=float("nan")), "timeout nan is not valid"),
        (dict(timeout=None), "timeout None is not valid"),
        (dict(timeout="30"), "timeout '30' is not valid"),
        (dict(retries=-1), "retries -1 is not valid"),
        (dict(retries=101), "retries 101 is not valid"),
        (dict(retries=1.5), "retries 1.5 is not valid"),
        (dict(retries=True), "retries True is not valid"),
        (dict(max_concurrency=0), "max_concurrency 0 is not valid"),
        (dict(max_concurrency=65), "max_concurrency 65 is not valid"),
        (dict(retry_delay=-1), "retry_delay -1 is not valid"),
        (dict(validate_certs="yes"), "validate_certs 'yes' is not valid"),
        (dict(api_url="ftp://x.example.com"), "only http:// and https://"),
        (dict(api_url="https://%s@x.example.com" % TOKEN), "credentials"),
    ],
)
def test_client_rejects_bad_settings(tmp_path, kwargs, match):
    args = dict(server="0042", token=TOKEN, lock_dir=str(tmp_path / "locks"))
    args.update(kwargs)
    with pytest.raises(WolkvoxInputError) as exc:
        WolkvoxClient(**args)
    assert match in str(exc.value)
    if isinstance(args["token"], str) and args["token"].strip():
        assert args["token"] not in str(exc.value)


# --------------------------------------------------------------------------------------------
# The token never shows up in an error
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer",
    [
        FakeResponse(200, {"code": "401", "error": "token %s is not valid" % TOKEN, "msg": "bad " + TOKEN}),
        FakeResponse(401, text="<html>Unauthorized: %s</html>" % TOKEN),
        FakeResponse(200, text=json.dumps([TOKEN])),
        requests.exceptions.ConnectionError("HTTPSConnectionPool: headers {'wolkvox-token': '%s'}" % TOKEN),
        requests.exceptions.SSLError("bad cert while sending %s" % TOKEN),
        requests.exceptions.InvalidHeader("Invalid header value %s" % TOKEN),
    ],
)
def test_token_never_in_error_text(make_client, answer):
    client, session = make_client([answer] * 4, retries=1)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert TOKEN not in str(exc.value)
    assert TOKEN not in exc.value.message
    assert "********" in str(exc.value)


def test_token_never_in_change_many_errors(make_client):
    def script(method, url, params):
        if params["agent_id"] == "1":
            return FakeResponse(200, {"code": "400", "error": "echo " + TOKEN, "msg": None})
        raise RuntimeError("surprise with " + TOKEN)

    client, session = make_client(script, max_concurrency=1)
    results = client.change_many([("1", "ready"), ("2", "ready")])
    assert [ok for ok, dummy in results] == [False, False]
    for dummy, error in results:
        assert isinstance(error, WolkvoxError)
        assert TOKEN not in str(error)
    assert "unexpected error: surprise with ********" in str(results[1][1])


@pytest.mark.parametrize("error", ["token %s is not valid" % TOKEN, {"detail": TOKEN}, ["x", TOKEN]])
def test_token_never_in_error_fields(make_client, error):
    client, session = make_client([FakeResponse(200, {"code": "401 " + TOKEN, "error": error, "msg": TOKEN})])
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert TOKEN not in json.dumps(exc.value.as_dict())
    assert exc.value.api_msg == "********"


def test_token_never_in_error_repr(make_client):
    client, session = make_client([FakeResponse(200, {"code": "401", "error": "token %s is not valid" % TOKEN})])
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert TOKEN not in repr(exc.value)


# --------------------------------------------------------------------------------------------
# list_agents / change_many
# --------------------------------------------------------------------------------------------

def test_list_agents_normalizes_agent_id(make_client):
    data = [
        {"agent_id": 1001, "agent_name": "Ana", "agent_status": "Ready"},
        {"agent_id": " 1002 ", "agent_status": "Active breaks"},
        {"agent_id": None, "agent_status": "Ready"},
        {"agent_name": "no id"},
        "not a record",
        {"agent_id": "1003", "agent_status": "Logout"},
    ]
    client, session = make_client([FakeResponse(200, {"code": 200, "error": None, "msg": "3 records", "data": data})])
    agents = client.list_agents()
    assert [a["agent_id"] for a in agents] == ["1001", "1002", "1003"]
    assert agents[0] == {"agent_id": "1001", "agent_name": "Ana", "agent_status": "Ready"}
    assert client.api_calls == 1


@pytest.mark.parametrize("body", [{"code": "200", "error": None, "msg": "0 records were found"},
                                  {"code": "200", "error": None, "data": None},
                                  {"code": "200", "error": None, "data": []}])
def test_list_agents_without_data(make_client, body):
    client, session = make_client([FakeResponse(200, body)])
    assert client.list_agents() == []


@pytest.mark.parametrize("data", [{"agent_id": "1001"}, "1001", 5])
def test_list_agents_rejects_data_that_is_not_a_list(make_client, data):
    client, session = make_client([FakeResponse(200, {"code": "200", "error": None, "data": data})])
    with pytest.raises(WolkvoxError, match="'data' is not a list"):
        client.list_agents()
    assert len(session.calls) == 1


def test_change_many_keeps_input_order_and_never_raises(make_client):
    def script(method, url, params):
        agent = params["agent_id"]
        if agent == "3":
            return FakeResponse(200, {"code": "200", "error": "Agent does not exist", "msg": None})
        if agent == "5":
            raise ValueError("boom")
        return FakeResponse(200, {"code": "200", "error": None, "msg": "agent %s -> %s" % (agent, params["status"])})

    client, session = make_client(script, max_concurrency=2)
    changes = [(str(i), "ready" if i % 2 else "7") for i in range(1, 9)]
    results = client.change_many(changes)
    assert len(results) == 8
    for (agent, status), (ok, outcome) in zip(changes, results):
        if agent in ("3", "5"):
            assert ok is False
            assert isinstance(outcome, WolkvoxError)
        else:
            assert ok is True
            assert outcome == "agent %s -> %s" % (agent, status)
    assert "Agent does not exist" in str(results[2][1])
    assert "boom" in str(results[4][1])
    assert client.api_calls == 8
    assert sorted(call["params"]["agent_id"] for call in session.calls) == sorted(agent for agent, dummy in changes)


def test_change_many_empty(make_client):
    client, session = make_client([])
    assert client.change_many([]) == []
    assert session.calls == []
    assert client.api_calls == 0


def test_change_status_without_msg(make_client):
    client, session = make_client([FakeResponse(200, {"code": "200", "error": None})])
    assert client.change_status("1001", "ready") == "status changed"


@pytest.mark.parametrize("content", [
    "\ufeff{\"code\": 200, \"error\": null, \"msg\": \"1 records\", \"data\": [{\"agent_id\": 7, \"agent_name\": \"José\"}]}".encode("utf-8"),
    "{\"code\": 200, \"error\": null, \"msg\": \"1 records\", \"data\": [{\"agent_id\": 7, \"agent_name\": \"José\"}]}".encode("utf-8"),
])
def test_bodies_are_read_as_utf8_whatever_the_content_type(make_client, content):
    # PHP back ends send text/html without a charset (requests would decode ISO-8859-1) and
    # sometimes a byte-order mark: names must still come out right.
    response = FakeResponse(200, text="ignored", headers={"Content-Type": "text/html"})
    response.content = content
    client, _session = make_client([response])
    agents = client.list_agents()
    assert agents == [{"agent_id": "7", "agent_name": "José"}]
