# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _client: requests, retries, busy answers and secrecy of the token, over a fake
session (tests/unit/conftest.py). No network."""

from __future__ import annotations

import email.message
import io
import json
import threading
import types

import certifi
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _client
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient, encode_query
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    WolkvoxApiError,
    WolkvoxAuthError,
    WolkvoxTokenBusyError,
    WolkvoxError,
    WolkvoxInputError,
    WolkvoxTransportError,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._response import redact_error
from ansible_collections.wolkvox.contact_center.plugins.module_utils._retries import BUSY_MAX, MAX_BACKOFF, MAX_RETRY_AFTER
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import OK_BODY, SETTINGS, TOKEN, FakeResponse

BUSY_BODY = {"code": "400", "error": "The same token cannot be consumed simultaneously", "msg": None}
HINT = "check wolkvox_token (it must be a token of this operation), and wolkvox_server '0042'"


# --------------------------------------------------------------------------------------------
# Faults: retried up to `retries` times with backoff
# --------------------------------------------------------------------------------------------

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
    assert isinstance(exc.value, WolkvoxTransportError)


def test_connection_error_retried(make_client, sleeps):
    client, session = make_client([requests.exceptions.ConnectionError("connection refused")] * 2, retries=1)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 2
    assert "cannot connect to https://wv0042.wolkvox.com or the connection broke (connection refused)" in str(exc.value)
    assert isinstance(exc.value, WolkvoxTransportError)


def test_tls_error_not_retried(make_client, sleeps):
    client, session = make_client([requests.exceptions.SSLError("certificate verify failed")] * 2)
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert len(session.calls) == 1
    assert "TLS" in str(exc.value)
    assert "(certificate verify failed)" in str(exc.value)
    assert "ca_path" in str(exc.value)
    assert isinstance(exc.value, WolkvoxTransportError)
    assert exc.value.retryable is False


def test_garbage_retry_after_falls_back_to_backoff(make_client, sleeps):
    client, session = make_client([FakeResponse(503, text="", headers={"Retry-After": "later"}), FakeResponse(200, OK_BODY)])
    client.change_status("1001", "ready")
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 0.5


@pytest.mark.parametrize(
    "status, header, expected",
    [
        (503, "7", 7.0),
        (503, "600", MAX_RETRY_AFTER),
        # HTTP 429 is a busy answer: its wait is also bounded by the busy budget (timeout, 30 s)
        (429, "7", 7.0),
        (429, "0", 0.0),
        (429, "600", 30.0),
    ],
)
def test_retry_after_honoured(make_client, sleeps, fake_time, status, header, expected):
    client, session = make_client([FakeResponse(status, text="", headers={"Retry-After": header}), FakeResponse(200, OK_BODY)],
                                  clock=fake_time, timeout=30)
    client.change_status("1001", "ready")
    assert sleeps == [expected]
    assert len(session.calls) == 2


# --------------------------------------------------------------------------------------------
# Busy answers: retried for up to `timeout` seconds whatever `retries` says; fewer in flight
# --------------------------------------------------------------------------------------------

def test_busy_token_answer_retried(make_client, sleeps):
    client, session = make_client([FakeResponse(200, BUSY_BODY), FakeResponse(200, OK_BODY)])
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 2


def test_a_busy_answer_lowers_the_requests_in_flight(make_client):
    client, session = make_client([FakeResponse(200, BUSY_BODY), FakeResponse(200, OK_BODY)], max_concurrency=2)
    assert client.in_flight.limit == 2
    client.change_status("1001", "ready")
    assert client.in_flight.limit == 1
    assert client.in_flight.busy_answers == 1
    assert client.in_flight.lowest == 1
    assert client.in_flight.in_flight == 0


@pytest.mark.parametrize("busy", [FakeResponse(200, BUSY_BODY), FakeResponse(429, text=""),
                                  FakeResponse(200, {"code": 429, "error": None, "msg": "slow down"})])
def test_busy_answers_beyond_retries_still_succeed_within_the_busy_budget(make_client, fake_time, busy):
    # Changed on purpose with the split: busy answers no longer use up `retries` (faults only).
    client, session = make_client([busy] * 6 + [FakeResponse(200, OK_BODY)], retries=0, timeout=30,
                                  clock=fake_time, sleep=fake_time.sleep)
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 7
    assert client.api_calls == 7
    assert len(fake_time.sleeps) == 6
    assert all(0 < delay <= BUSY_MAX for delay in fake_time.sleeps)
    assert sum(fake_time.sleeps) <= 30


def test_a_token_busy_for_longer_than_timeout_fails_saying_why(make_client, fake_time):
    client, session = make_client(lambda method, url, params: FakeResponse(200, BUSY_BODY), retries=5, timeout=3,
                                  clock=fake_time, sleep=fake_time.sleep)
    with pytest.raises(WolkvoxTokenBusyError) as exc:
        client.change_status("1001", "ready")
    text = str(exc.value)
    assert sum(fake_time.sleeps) == pytest.approx(3.0)
    assert len(session.calls) == len(fake_time.sleeps) + 1
    assert "the token stayed busy for 3 s, %d busy answers" % len(fake_time.sleeps) in text
    assert "2 requests in flight per token" in text
    assert "(after" not in text  # retries count faults only: no faults' note
    assert client.in_flight.limit == 1


def test_busy_answers_do_not_use_up_retries_of_faults(make_client, fake_time):
    answers = [FakeResponse(200, BUSY_BODY)] * 4 + [FakeResponse(503, text="")] * 2 + [FakeResponse(200, OK_BODY)]
    client, session = make_client(answers, retries=2, clock=fake_time, sleep=fake_time.sleep)
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 7


# --------------------------------------------------------------------------------------------
# Authentication failures name what to check, never the token
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "response",
    [
        FakeResponse(200, {"code": "401", "error": "Invalid token", "msg": None}),
        FakeResponse(401, {"code": "401", "error": "unauthorized", "msg": None}),
        FakeResponse(403, {"code": "403", "error": "token %s is not valid for this server" % TOKEN, "msg": None}),
        FakeResponse(200, {"code": "403", "error": "Access denied", "msg": None}),
    ],
)
def test_auth_failure_names_wolkvox_token_and_wolkvox_server(make_client, sleeps, response):
    client, session = make_client([response, FakeResponse(200, OK_BODY)])
    with pytest.raises(WolkvoxAuthError) as exc:
        client.list_agents()
    text = str(exc.value)
    assert text.startswith("reading the agents list failed: HTTP %d" % response.status_code)
    assert text.endswith(": authentication failed - " + HINT + " (the server code that token belongs to)")
    assert TOKEN not in text and TOKEN not in repr(exc.value.as_dict())
    assert len(session.calls) == 1 and sleeps == []


def test_a_refusal_about_an_agent_is_not_an_auth_failure(make_client):
    client, session = make_client([FakeResponse(403, {"code": "403", "error": "Agent 1001 is not yours", "msg": None})])
    with pytest.raises(WolkvoxApiError) as exc:
        client.change_status("1001", "ready")
    assert not isinstance(exc.value, WolkvoxAuthError)
    assert "wolkvox_token" not in str(exc.value)


@pytest.mark.parametrize("text", ["<html><body><h1>401 Unauthorized</h1></body></html>", ""])
def test_auth_failure_without_a_json_body_names_what_to_check(make_client, text):
    client, session = make_client([FakeResponse(401, text=text)])
    with pytest.raises(WolkvoxError) as exc:
        client.list_agents()
    assert HINT in str(exc.value)


# --------------------------------------------------------------------------------------------
# Requests: the token only in headers, no redirects, ca_path honoured
# --------------------------------------------------------------------------------------------

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


class _Adapter(requests.adapters.BaseAdapter):
    """A transport for a real requests.Session: records what it is asked to send, answers from a list."""

    def __init__(self, answers):
        super(_Adapter, self).__init__()
        self.answers = answers
        self.sent = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append((request, kwargs))
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = json.dumps(OK_BODY).encode()
        response.request = request
        response.url = request.url
        message = email.message.Message()
        for name, value in headers.items():
            message[name] = value
        response.raw = types.SimpleNamespace(_original_response=types.SimpleNamespace(msg=message))
        return response

    def close(self):
        pass


def test_real_session_sends_the_token_only_in_headers(lock_dir, sleeps):
    """Prepare real requests through a requests.Session whose transport is replaced: no network."""
    adapter = _Adapter([(302, {"Location": "https://evil.example.com/steal"})])
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", lock_dir=lock_dir, sleep=sleeps, validate_certs=False)
    session = client._session()
    assert session.headers["wolkvox-token"] == TOKEN
    assert session.headers["wolkvox_server"] == "0042"
    assert session.verify is False
    assert client._session() is session  # kept alive and reused
    session.mount("http://", adapter)
    with pytest.raises(WolkvoxError, match="redirect"):
        client.change_status("1001", "ready")
    assert len(adapter.sent) == 1  # the redirect was not followed to evil.example.com
    client.change_status("1001", "ready")
    request = adapter.sent[1][0]
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9/api/v2/agentbox.php?api=change_status&agent_id=1001&status=ready"
    assert request.headers["wolkvox-token"] == TOKEN
    assert request.headers["wolkvox_server"] == "0042"
    assert TOKEN not in request.url
    client.close()
    assert client._session() is not session  # closed sessions are not reused


@pytest.mark.parametrize("validate_certs, use_bundle", [(True, True), (False, True), (False, False)])
def test_ca_path_wins_over_the_environment(monkeypatch, tmp_path, lock_dir, sleeps, validate_certs, use_bundle):
    """REQUESTS_CA_BUNDLE must neither replace ca_path nor turn verification back on."""
    adapter = _Adapter([])
    other = tmp_path / "other-bundle.pem"
    other.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other))
    bundle = certifi.where() if use_bundle else None
    client = WolkvoxClient("0042", TOKEN, ca_path=bundle, validate_certs=validate_certs, lock_dir=lock_dir, sleep=sleeps)
    client._session().mount("https://", adapter)
    client.change_status("1001", "ready")
    assert [kwargs["verify"] for dummy, kwargs in adapter.sent] == [bundle if validate_certs else False]


def test_verify_uses_ca_path_only_when_validating(tmp_path, lock_dir):
    kwargs = dict(lock_dir=lock_dir)
    bundle = certifi.where()
    assert WolkvoxClient("0042", TOKEN, **kwargs).verify is True
    assert WolkvoxClient("0042", TOKEN, ca_path=bundle, **kwargs).verify == bundle
    assert WolkvoxClient("0042", TOKEN, validate_certs=False, ca_path=bundle, **kwargs).verify is False
    # validate_certs: false does not look at ca_path at all
    assert WolkvoxClient("0042", TOKEN, validate_certs=False, ca_path=str(tmp_path / "none"), **kwargs).verify is False


def test_ca_path_must_be_a_usable_bundle(tmp_path, lock_dir):
    kwargs = dict(lock_dir=lock_dir)
    with pytest.raises(WolkvoxInputError, match="does not exist"):
        WolkvoxClient("0042", TOKEN, ca_path=str(tmp_path / "missing.pem"), **kwargs)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    with pytest.raises(WolkvoxInputError, match="cannot be used as a CA bundle"):
        WolkvoxClient("0042", TOKEN, ca_path=str(garbage), **kwargs)


# --------------------------------------------------------------------------------------------
# The hot path: each request prepared once per (method, path), the environment merged once
# --------------------------------------------------------------------------------------------

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                   "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, st.none() | TEXT | st.from_regex(r"[A-Za-z0-9_.~-]{0,8}", fullmatch=True), max_size=4))
def test_the_query_string_is_the_one_requests_makes(params):
    url = "https://wv0042.wolkvox.com/api/v2/agentbox.php"
    query = encode_query(params)
    assert (url + "?" + query if query else url) == requests.Request("POST", url, params=params).prepare().url


def _light_client(monkeypatch, lock_dir, sleeps, env=(), api_url="https://wv0042.wolkvox.com/a-proxy/", **kwargs):
    """A client whose sessions send through a recording transport (no network), in an environment
    without proxies or CA bundles but ``env``."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env:
        monkeypatch.setenv(name, value)
    client = WolkvoxClient("0042", TOKEN, api_url=api_url, lock_dir=lock_dir, sleep=sleeps, **kwargs)
    adapter = _Adapter([])
    client._session().mount("https://", adapter)
    client._session().mount("http://", adapter)
    return client, adapter


def test_the_light_path_sends_what_session_request_would(monkeypatch, lock_dir, sleeps):
    client, adapter = _light_client(monkeypatch, lock_dir, sleeps, timeout=7)
    session = client._session()
    merged = []
    merge = session.merge_environment_settings
    monkeypatch.setattr(session, "merge_environment_settings", lambda *args: merged.append(args[0]) or merge(*args))
    agents = ["1001", "10 02", "Jos\u00e9&status=7", "+%20"]
    for agent in agents:
        client.change_status(agent, "ready")
    client.list_agents()
    client.list_agents()  # the reads share one shape too
    assert len(adapter.sent) == len(agents) + 2
    assert len(merged) == 2, merged  # once per (method, path), not once per request
    reference = requests.Session()
    reference.headers.update(session.headers)
    for (request, kwargs), agent in zip(adapter.sent, agents):
        expected = reference.prepare_request(requests.Request(
            "POST", client.base_url + "/api/v2/agentbox.php", params={"api": "change_status", "agent_id": agent, "status": "ready"}))
        assert (request.method, request.url, dict(request.headers)) == (expected.method, expected.url, dict(expected.headers))
        assert request.path_url == expected.path_url == _client._Adapter().request_url(request, {})
        assert request.body is None and TOKEN not in request.url
        assert kwargs == dict(stream=False, timeout=7.0, verify=True, cert=None, proxies={})
    assert adapter.sent[0][0].headers is adapter.sent[1][0].headers  # shared, not copied per request
    assert adapter.sent[-1][0].url == client.base_url + "/api/v2/information.php?api=agents"


@pytest.mark.parametrize("env, url, expected", [
    ((), "https://wv0042.wolkvox.com", {}),
    ((("HTTPS_PROXY", "http://proxy.example:3128"),), "https://wv0042.wolkvox.com",
     {"https": "http://proxy.example:3128"}),
    ((("HTTPS_PROXY", "http://proxy.example:3128"), ("NO_PROXY", "wolkvox.com")), "https://wv0042.wolkvox.com", {}),
    ((("http_proxy", "http://proxy.example:3128"), ("no_proxy", "127.0.0.1,localhost")), "http://127.0.0.1:9", {}),
    ((("http_proxy", "http://proxy.example:3128"),), "http://127.0.0.1:9", {"http": "http://proxy.example:3128"}),
])
def test_proxies_come_from_the_environment_as_before(monkeypatch, lock_dir, sleeps, env, url, expected):
    client, adapter = _light_client(monkeypatch, lock_dir, sleeps, env=env, api_url=url)
    client.change_status("1001", "ready")
    client.change_status("1002", "ready")
    before = requests.Session().merge_environment_settings(url + "/api/v2/agentbox.php?api=change_status", {}, None, True, None)
    assert before["proxies"] == expected
    assert [kwargs["proxies"] for dummy, kwargs in adapter.sent] == [expected, expected]


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_without_ca_path_a_bundle_from_the_environment_is_used_as_before(monkeypatch, tmp_path, lock_dir, sleeps, variable):
    bundle = str(tmp_path / "bundle.pem")
    client, adapter = _light_client(monkeypatch, lock_dir, sleeps, env=((variable, bundle),))
    client.change_status("1001", "ready")
    assert adapter.sent[0][1]["verify"] == bundle


def test_a_cookie_the_server_sets_is_sent_back_as_before(monkeypatch, lock_dir, sleeps):
    client, adapter = _light_client(monkeypatch, lock_dir, sleeps)
    adapter.answers = [(200, {"Set-Cookie": "AWSALB=abc; Path=/"})]
    for agent in ("1001", "1002", "1003"):
        client.change_status(agent, "ready")
    assert [request.headers.get("Cookie") for request, dummy in adapter.sent] == [None, "AWSALB=abc", "AWSALB=abc"]
    assert all(kwargs["verify"] is True and kwargs["timeout"] == client.timeout for dummy, kwargs in adapter.sent)


@pytest.mark.skipif(not hasattr(HTTPAdapter, "get_connection_with_tls_context"),
                    reason="requests before 2.32.2 looks up pools by get_connection(), which is not cached")
def test_the_adapter_looks_up_its_pool_and_its_tls_check_once(monkeypatch):
    adapter = _client._Adapter(pool_connections=1, pool_maxsize=1, max_retries=0)
    checks = []
    monkeypatch.setattr(HTTPAdapter, "cert_verify", lambda self, conn, url, verify, cert: checks.append((conn, verify)))
    request = requests.Request("POST", "https://wv0042.wolkvox.com/api/v2/agentbox.php", params={"agent_id": "1"}).prepare()
    pools = [adapter.get_connection_with_tls_context(request, True, {}, None) for dummy in range(3)]
    assert pools[0] is pools[1] is pools[2]
    for pool in pools:
        adapter.cert_verify(pool, request.url, True, None)
    assert checks == [(pools[0], True)]
    bundle = certifi.where()
    other = adapter.get_connection_with_tls_context(request, bundle, {}, None)  # other TLS settings: another pool
    adapter.cert_verify(other, request.url, bundle, None)
    assert other is not pools[0] and checks[-1] == (other, bundle)
    again = adapter.get_connection_with_tls_context(request, True, {}, None)  # the pool manager's, as requests finds it
    assert again is HTTPAdapter.get_connection_with_tls_context(adapter, request, True, {}, None)
    read = requests.Request("GET", "https://wv0042.wolkvox.com/api/v2/information.php", params={"api": "agents"}).prepare()
    assert adapter.get_connection_with_tls_context(read, True, {}, None) is again  # same origin, same pool
    adapter.close()  # the pool manager forgets its pools (urllib3 1.x also closes them): so does the adapter
    fresh = adapter.get_connection_with_tls_context(request, True, {}, None)
    assert fresh is not again and fresh is HTTPAdapter.get_connection_with_tls_context(adapter, request, True, {}, None)
    for proxies in ({}, {"https": "http://proxy.example:3128"}, {"http": "http://proxy.example:3128"}):
        assert adapter.request_url(request, proxies) == HTTPAdapter.request_url(adapter, request, proxies)


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/html", "Content-Length": "15"},
    {"Content-Type": "application/json; charset=utf-8", "Retry-After": "3", "Set-Cookie": "a=b; Path=/"},
])
def test_the_adapter_builds_the_response_requests_builds(headers):
    request = requests.Request("GET", "https://wv0042.wolkvox.com/api/v2/information.php?api=agents").prepare()

    def answer():
        return urllib3.HTTPResponse(body=io.BytesIO(b'{"code": "200"}'), headers=headers, status=429, reason="Too Many",
                                    preload_content=False)

    ours, theirs = _client._Adapter().build_response(request, answer()), HTTPAdapter().build_response(request, answer())
    for name in ("status_code", "encoding", "reason", "url"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert dict(ours.headers) == dict(theirs.headers) and ours.headers.get("retry-after") == headers.get("Retry-After")
    assert ours.request is request and ours.content == theirs.content == b'{"code": "200"}'


def test_change_many_sends_from_the_calling_thread_as_well(lock_dir):
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", max_concurrency=3, lock_dir=lock_dir)
    together = threading.Barrier(3, timeout=10)
    senders = set()

    def change_status(agent_id, status):
        senders.add(threading.current_thread().name)
        if int(agent_id) < 3:
            together.wait()  # the first three changes are in flight at the same time
        return "moved"

    client.change_status = change_status
    assert client.change_many([(str(i), "ready") for i in range(9)]) == [(True, "moved")] * 9
    assert threading.current_thread().name in senders and len(senders) == 3


# --------------------------------------------------------------------------------------------
# Every option is checked before any request
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(server="00.42"), "wolkvox_server '00.42'"),
        (dict(server=34), "wolkvox_server was given as the number 34"),
        (dict(token=""), "wolkvox_token is empty"),
        (dict(token="   "), "wolkvox_token is empty"),
        (dict(token=None), "wolkvox_token is empty"),
        (dict(token="abc def"), "wolkvox_token is not valid"),
        (dict(token="abc\r\nX-Evil: 1"), "wolkvox_token is not valid"),
        (dict(token="t\u00f6ken"), "wolkvox_token is not valid"),
        (dict(timeout=0), "timeout 0 is not valid"),
        (dict(timeout=-1.5), "timeout -1.5 is not valid"),
        (dict(timeout=float("nan")), "timeout nan is not valid"),
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
def test_client_rejects_bad_settings(lock_dir, kwargs, match):
    args = dict(server="0042", token=TOKEN, lock_dir=lock_dir)
    args.update(kwargs)
    with pytest.raises(WolkvoxInputError) as exc:
        WolkvoxClient(**args)
    # Messages name an option as both module and role users know it: "timeout (role variable
    # wolkvox_timeout) 0 is not valid".
    assert match in str(exc.value).replace(" (role variable wolkvox_%s)" % match.split(" ")[0], "")
    if isinstance(args["token"], str) and args["token"].strip():
        assert args["token"] not in str(exc.value)


@pytest.mark.parametrize("name", ["timeout", "retries", "retry_delay", "max_concurrency"])
def test_client_rejects_a_numeric_option_that_is_none(lock_dir, name):
    with pytest.raises(WolkvoxInputError) as exc:
        WolkvoxClient("0042", TOKEN, lock_dir=lock_dir, **{name: None})
    assert "%s (role variable wolkvox_%s) None is not valid" % (name, name) in str(exc.value)


HOSTILE_URLS = st.sampled_from(["ftp://h", "http://user:pass@h/", "http://h/?t=1", "https://[::1]:8443", "http://a..b",
                                "javascript:alert(1)", "http://127.0.0.1:8765/", "http://h:99999"])


@SETTINGS
@given(
    st.one_of(st.none(), st.just(""), HOSTILE_URLS, st.just("http://127.0.0.1:8765"),
              st.sampled_from(["http://%s@h/", "http://h/?t=%s", "http://h/%s", "http://%s/", "http://h:%s/"]).map(lambda f: f % TOKEN)),
    # None for a numeric option: see test_client_rejects_a_numeric_option_that_is_none
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5000), st.text(max_size=3), st.booleans()),
    st.one_of(st.integers(-3, 200), st.floats(), st.text(max_size=3)),
    st.one_of(st.integers(-3, 100), st.floats(), st.booleans()),
    st.one_of(st.floats(allow_nan=True), st.integers(-5, 1000)),
    st.one_of(st.booleans(), st.none(), st.integers(0, 1), st.just("yes")),
)
def test_client_options_are_checked_before_any_request_and_never_show_the_token(
        tmp_path_factory, readable, api_url, timeout, retries, max_concurrency, retry_delay, validate_certs):
    lock_dir = str(tmp_path_factory.getbasetemp() / "slots")
    try:
        client = WolkvoxClient("0042", TOKEN, api_url=api_url, timeout=timeout, retries=retries,
                               max_concurrency=max_concurrency, retry_delay=retry_delay,
                               validate_certs=validate_certs, lock_dir=lock_dir)
    except WolkvoxInputError as exc:
        assert readable(str(exc))
        assert TOKEN not in str(exc) and TOKEN[4:-4] not in str(exc)
    else:
        assert client.api_calls == 0
        assert 0 < client.timeout <= 3600 and 0 <= client.retries <= 100 and 1 <= client.max_concurrency <= 64
        assert TOKEN not in client.base_url
        client.close()


@SETTINGS
@given(st.integers(0, 6), st.lists(
    st.one_of(st.just("ok"), st.just("fatal"), st.tuples(st.just("retry"), st.one_of(st.none(), st.floats(0, MAX_RETRY_AFTER)))),
    min_size=1, max_size=12,
))
def test_retries_are_bounded_and_only_for_retryable_errors(tmp_path_factory, retries, outcomes):
    sleeps = []
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", retries=retries, retry_delay=0.5,
                           sleep=sleeps.append, lock_dir=str(tmp_path_factory.getbasetemp() / "slots"))
    calls = []

    def once(method, path, params, what, read=False):
        outcome = outcomes[len(calls)] if len(calls) < len(outcomes) else "ok"
        calls.append(outcome)
        if outcome == "ok":
            return {"code": 200}
        if outcome == "fatal":
            raise WolkvoxError("%s failed: HTTP 400" % what)
        exc = WolkvoxError("%s failed: HTTP 503" % what, retryable=True)
        exc.retry_after = outcome[1]
        raise exc

    client._once = once
    try:
        client._call("GET", "/x", {}, "reading")
    except WolkvoxError as exc:
        final = calls[-1]
        assert final == "fatal" or (final != "ok" and len(calls) == retries + 1)
        if final != "fatal" and retries:
            assert str(exc).endswith("(after %d retries)" % retries)
    else:
        assert calls[-1] == "ok"
    assert len(calls) <= retries + 1
    assert len(sleeps) == len(calls) - 1
    for outcome, slept in zip(calls, sleeps):
        assert outcome not in ("ok", "fatal")
        if outcome[1] is not None:
            assert slept == outcome[1]  # Retry-After honoured
        else:
            assert 0 < slept <= MAX_BACKOFF


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


def test_redact_error_masks_every_field():
    exc = WolkvoxError("x %s" % TOKEN, error="bad %s" % TOKEN, api_msg={"echo": TOKEN}, code=TOKEN)
    assert redact_error(exc, TOKEN) is exc
    assert TOKEN not in repr(exc.as_dict()) and TOKEN not in str(exc)


# --------------------------------------------------------------------------------------------
# list_agents / change_status / change_many
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


@pytest.mark.parametrize("code", ["", "0", 0, "200"])
def test_list_agents_reads_the_vendors_own_success_codes(make_client, code):
    data = [{"agent_id": "1001", "agent_status": "Ready"}]
    client, session = make_client([FakeResponse(200, {"code": code, "error": None, "msg": "1 records were found",
                                                      "data": data})])
    assert [a["agent_id"] for a in client.list_agents()] == ["1001"]


def test_list_agents_of_an_operation_without_agents_is_empty(make_client):
    client, session = make_client([FakeResponse(404, {"code": 404, "error": "NOT FOUND", "msg": "Validate dates entered"})])
    assert client.list_agents() == []
    assert client.api_calls == 1


def test_a_spent_quota_is_not_retried(make_client):
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxQuotaError
    answer = FakeResponse(403, {"code": 403, "error": "FORBIDDEN", "msg": "TOKEN LIMIT EXCEEDED"})
    client, session = make_client([answer] * 5, retries=3)
    with pytest.raises(WolkvoxQuotaError) as exc:
        client.list_agents()
    assert len(session.calls) == 1
    assert "wolkvox_token" not in str(exc.value)


def test_an_agent_busy_refusal_is_one_request_not_back_pressure(make_client):
    from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxAgentRefusedError
    answer = FakeResponse(409, {"code": 409, "error": "CONFLICT", "msg": "Agent busy"})
    client, session = make_client([answer] * 5, retries=3)
    with pytest.raises(WolkvoxAgentRefusedError):
        client.change_status("1001", "ready")
    assert len(session.calls) == 1


def test_the_vendors_token_busy_answer_is_retried(make_client):
    busy = FakeResponse(403, {"code": 403, "error": "FORBIDDEN",
                              "msg": "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"})
    client, session = make_client([busy, busy, FakeResponse(200, OK_BODY)], retries=0)
    assert client.change_status("1001", "ready") == OK_BODY["msg"]
    assert len(session.calls) == 3


@pytest.mark.parametrize("data", [
    {"token_limit": 10000, "token_use_today": 12},
    [{"token_limit": "10000", "token_use_today": "12"}],
])
def test_token_info_takes_a_record_or_a_list_of_one(make_client, data):
    client, session = make_client([FakeResponse(200, {"code": "0", "error": None, "data": data})])
    record = client.token_info()
    assert str(record["token_limit"]) == "10000"
    assert session.calls[0]["params"]["api"] == "token_info"


@pytest.mark.parametrize("data", [None, [], "x", [1]])
def test_token_info_without_a_record_fails_clearly(make_client, data):
    client, session = make_client([FakeResponse(200, {"code": "0", "error": None, "data": data})])
    with pytest.raises(WolkvoxError, match="'data' is not a record"):
        client.token_info()


def test_change_status_without_msg(make_client):
    client, session = make_client([FakeResponse(200, {"code": "200", "error": None})])
    assert client.change_status("1001", "ready") == "status changed"


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


class _Gate(object):
    """The gate protocol of change_many: held() may keep a change back, record() sees each answer."""

    def __init__(self, hold):
        self.hold = hold
        self.recorded = []
        self.lock = threading.Lock()

    def held(self, agent_id, status):
        return WolkvoxApiError("not sent: held") if agent_id in self.hold else None

    def record(self, agent_id, status, ok, outcome):
        with self.lock:
            self.recorded.append((agent_id, status, ok))


@pytest.mark.parametrize("concurrency", [1, 2])
def test_change_many_asks_the_gate_before_each_change(make_client, concurrency):
    client, session = make_client(lambda method, url, params: FakeResponse(200, OK_BODY), max_concurrency=concurrency)
    gate = _Gate(hold={"2", "4"})
    results = client.change_many([(str(i), "ready") for i in range(1, 6)], gate=gate)
    assert [ok for ok, dummy in results] == [True, False, True, False, True]
    assert str(results[1][1]) == "not sent: held"
    assert sorted(call["params"]["agent_id"] for call in session.calls) == ["1", "3", "5"]
    assert sorted(gate.recorded) == [("1", "ready", True), ("3", "ready", True), ("5", "ready", True)]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.lists(st.sampled_from(["ok", "api", "surprise"]), max_size=25))
def test_change_many_accounts_for_every_agent_once(tmp_path_factory, readable, concurrency, outcomes):
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", max_concurrency=concurrency,
                           lock_dir=str(tmp_path_factory.getbasetemp() / "slots"))
    seen = []
    lock = threading.Lock()

    def change_status(agent_id, status):
        with lock:
            seen.append(agent_id)
        outcome = outcomes[int(agent_id)]
        if outcome == "api":
            raise WolkvoxError("changing agent %s failed: HTTP 503" % agent_id)
        if outcome == "surprise":
            raise ValueError("surprise with %s" % TOKEN)
        return "moved %s" % agent_id

    client.change_status = change_status
    results = client.change_many([(str(i), "ready") for i in range(len(outcomes))])
    assert sorted(seen, key=int) == [str(i) for i in range(len(outcomes))]  # each agent sent exactly once
    assert len(results) == len(outcomes)
    for index, (outcome, (ok, value)) in enumerate(zip(outcomes, results)):
        assert ok == (outcome == "ok")
        if ok:
            assert value == "moved %d" % index
        else:
            assert isinstance(value, WolkvoxError) and readable(str(value)) and TOKEN not in str(value)


@pytest.mark.parametrize("content", [
    "\ufeff{\"code\": 200, \"error\": null, \"msg\": \"1 records\", \"data\": [{\"agent_id\": 7, \"agent_name\": \"José\"}]}".encode("utf-8"),
    "{\"code\": 200, \"error\": null, \"msg\": \"1 records\", \"data\": [{\"agent_id\": 7, \"agent_name\": \"José\"}]}".encode(),
])
def test_bodies_are_read_as_utf8_whatever_the_content_type(make_client, content):
    # PHP back ends send text/html without a charset (requests would decode ISO-8859-1) and
    # sometimes a byte-order mark: names must still come out right.
    response = FakeResponse(200, text="ignored", headers={"Content-Type": "text/html"})
    response.content = content
    client, _session = make_client([response])
    agents = client.list_agents()
    assert agents == [{"agent_id": "7", "agent_name": "José"}]


@pytest.mark.parametrize("body, expected", [
    ({"code": "0", "error": None, "data": [{"agent_id": 1001, "time_state_now": 75},
                                           {"agent_id": " 1002 ", "time_state_now": "00:01:15"},
                                           {"agent_name": "no id"}, "garbage"]},
     [{"agent_id": "1001", "time_state_now": 75}, {"agent_id": "1002", "time_state_now": "00:01:15"}]),
    ({"code": "0", "error": None, "data": None}, []),
])
def test_list_real_time(make_client, body, expected):
    client, session = make_client([FakeResponse(200, body)])
    assert client.list_real_time() == expected
    assert session.calls[0]["params"]["api"] == "agents" and len(session.calls) == 1


def test_list_real_time_404_is_nobody_and_data_not_a_list_fails(make_client):
    client, _session = make_client([FakeResponse(404, {"code": 404, "error": "NOT FOUND", "msg": "Validate dates entered"})])
    assert client.list_real_time() == []
    client, _session = make_client([FakeResponse(200, {"code": "0", "error": None, "data": {"x": 1}})])
    with pytest.raises(WolkvoxError, match="real-time agents list failed: 'data' is not a list"):
        client.list_real_time()
