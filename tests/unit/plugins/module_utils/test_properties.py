# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property-based tests of the client: whatever the input or the answer, never a traceback,
always the one error type with a readable message; retries bounded; the token never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
import urllib3.util as urllib3_util
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _client as client_mod
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    TokenSlots,
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


SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ANY_VALUE = ANY_JSON | st.binary(max_size=10) | st.tuples(st.integers())

# Pieces of URLs that attackers and typos are made of.
SCHEMES = st.sampled_from(["http", "https", "HTTPS", "ftp", "file", "javascript", "gopher", "", "http:", "https:/"])
USERINFO = st.sampled_from(["", "user@", "user:pass@", "@", "a%40b@", "evil.com\\@"])
HOSTS = st.sampled_from([
    "127.0.0.1", "localhost", "wv0042.wolkvox.com", "[::1]", "wv0042.wolkvox.com.evil.example", "a..b", "-x-",
    "evil.com\\", "evil.com%2f", "ex ample.com", "xn--bcher-kva.example", "", "127.0.0.1\x00.evil", "exa\u0131mple.com",
])
PORTS = st.sampled_from(["", ":8765", ":0", ":65535", ":65536", ":99999", ":x", ":", ":+80", ":80:81", ": 80"])
PATHS = st.sampled_from(["", "/", "/api", "/proxy/wolkvox/", "/a b", "/%2e%2e/", "/../x", "/a?b=c", "/#f", "/\\x", "//evil.com"])
TAILS = st.sampled_from(["", "?", "#", "?token=x", "#frag", "\n", " "])


@st.composite
def hostile_urls(draw):
    return draw(SCHEMES) + "://" + draw(USERINFO) + draw(HOSTS) + draw(PORTS) + draw(PATHS) + draw(TAILS)


def readable(message):
    """A message an operator can read: a non-empty single printable line of sensible length."""
    assert isinstance(message, str) and message.strip()
    assert message.isprintable(), repr(message)
    assert len(message) < 1200, len(message)
    return True


@SETTINGS
@given(ANY_VALUE)
def test_server_is_accepted_or_named_in_a_typed_error(value):
    try:
        result = validate_server(value)
    except WolkvoxInputError as exc:
        assert readable(str(exc)) and str(exc).startswith("wolkvox_server ")
        assert client_mod._shown(value) in str(exc)
    else:
        assert isinstance(result, str) and 1 <= len(result) <= 32
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in result)


@SETTINGS
@given(st.text(max_size=40))
def test_server_text_never_makes_a_host_name_that_leaves_the_vendor(value):
    try:
        base = build_base_url(value)
    except WolkvoxInputError as exc:
        assert readable(str(exc))
    else:
        assert urlsplit(base).hostname == "wv%s.wolkvox.com" % value.lower()


@SETTINGS
@given(hostile_urls() | st.text(max_size=60))
def test_api_url_is_accepted_only_when_every_parser_agrees(api_url):
    try:
        base = build_base_url("0042", api_url)
    except WolkvoxInputError as exc:
        message = str(exc)
        assert readable(message) and message.startswith("api_url ")
        # Credentials and queries are not repeated back.
        assert "pass@" not in message and "token=x" not in message
        return
    parts = urlsplit(base)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname and not parts.username and not parts.password
    assert not parts.query and not parts.fragment and "@" not in base and "\\" not in base
    assert base.isascii() and base.isprintable() and " " not in base
    # requests (through urllib3) would connect to the same host and port as the one checked here.
    parsed = urllib3_util.parse_url(base + "/api/v2/information.php")
    assert parsed.host.strip("[]").lower() == parts.hostname.lower()
    assert parsed.port == parts.port


@SETTINGS
@given(ANY_VALUE)
def test_agent_id_and_status_are_normalized_or_rejected(value):
    for func, name in ((validate_agent_id, "agent_id"), (normalize_status, "status")):
        try:
            result = func(value)
        except WolkvoxInputError as exc:
            assert readable(str(exc)) and str(exc).startswith(name + " ")
        else:
            assert isinstance(result, str) and result.isascii() and result.strip() == result and result


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
def test_any_answer_is_a_body_or_a_typed_error(status, text):
    try:
        body = interpret(status, text, "reading the agents list")
    except WolkvoxError as exc:
        message = str(exc)
        assert readable(message) and message.startswith("reading the agents list ")
        assert exc.http_status == status
        assert isinstance(exc.retryable, bool)
        if status in (429, 502, 503, 504):
            assert exc.retryable
        elif 300 <= status < 400:
            assert not exc.retryable and "redirect" in message
    else:
        assert 200 <= status < 300 and isinstance(body, dict) and is_success(status, body)


@SETTINGS
@given(st.integers(100, 599), ANY_JSON)
def test_success_rule_never_raises(status, body):
    assert isinstance(is_success(status, body), bool)


@SETTINGS
@given(st.one_of(st.none(), st.text(max_size=40), st.floats().map(str), st.integers().map(str),
                 st.sampled_from(["Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT"])))
def test_retry_after_is_none_or_bounded(value):
    seconds = retry_after_seconds(value)
    assert seconds is None or 0.0 <= seconds <= MAX_RETRY_AFTER


@SETTINGS
@given(st.integers(0, 10000), st.floats(0, 600), st.floats(0, 1))
def test_backoff_is_bounded_and_grows(attempt, base, draw):
    delay = backoff_delay(attempt, base, rng=lambda: draw)
    assert 0.0 <= delay <= MAX_BACKOFF
    assert delay >= min(MAX_BACKOFF, base * 2 ** min(attempt, 64)) / 2.0 - 1e-9


TOKEN = "tok-Zq8x1VbN7mK2pL5w"


@SETTINGS
@given(
    st.one_of(st.none(), st.just(""), hostile_urls(), st.just("http://127.0.0.1:8765"),
              st.sampled_from(["http://%s@h/", "http://h/?t=%s", "http://h/%s", "http://%s/", "http://h:%s/"]).map(lambda f: f % TOKEN)),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5000), st.none(), st.text(max_size=3), st.booleans()),
    st.one_of(st.integers(-3, 200), st.floats(), st.none(), st.text(max_size=3)),
    st.one_of(st.integers(-3, 100), st.none(), st.floats(), st.booleans()),
    st.one_of(st.floats(allow_nan=True), st.integers(-5, 1000), st.none()),
    st.one_of(st.booleans(), st.none(), st.integers(0, 1), st.just("yes")),
)
def test_client_options_are_checked_before_any_request_and_never_show_the_token(
        tmp_path_factory, api_url, timeout, retries, max_concurrency, retry_delay, validate_certs):
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
@given(st.text(max_size=20))
def test_a_bad_token_is_rejected_without_showing_it(token):
    try:
        validate = client_mod.validate_token(token)
    except WolkvoxInputError as exc:
        # The message is fixed: nothing of the token is echoed.
        assert readable(str(exc)) and str(exc).startswith(("wolkvox_token is empty", "wolkvox_token is not valid"))
        assert "%r" % token not in str(exc) or not token.strip()
    else:
        assert validate.isascii() and validate.isprintable() and " " not in validate


OUTCOMES = st.lists(
    st.one_of(
        st.just("ok"),
        st.just("fatal"),
        st.tuples(st.just("retry"), st.one_of(st.none(), st.floats(0, MAX_RETRY_AFTER))),
    ),
    min_size=1, max_size=12,
)


@SETTINGS
@given(st.integers(0, 6), OUTCOMES)
def test_retries_are_bounded_and_only_for_retryable_errors(tmp_path_factory, retries, outcomes):
    sleeps = []
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", retries=retries, retry_delay=0.5,
                           sleep=sleeps.append, lock_dir=str(tmp_path_factory.getbasetemp() / "slots"))
    calls = []

    def once(method, path, params, what):
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


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.lists(st.sampled_from(["ok", "api", "surprise"]), max_size=25))
def test_change_many_accounts_for_every_agent_once(tmp_path_factory, concurrency, outcomes):
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


# -- the cross-process semaphore -----------------------------------------------------------------

def test_slots_are_shared_by_instances_and_never_name_the_token(tmp_path):
    directory = str(tmp_path / "slots")
    first = TokenSlots("0042", TOKEN, 2, directory)
    second = TokenSlots("0042", TOKEN, 2, directory)  # another "process" with the same token
    held = [first.acquire(), second.acquire()]
    got = []
    waiter = threading.Thread(target=lambda: got.append(first.acquire()))
    waiter.daemon = True
    waiter.start()
    waiter.join(0.3)
    assert not got, "a third request got a slot of a token limited to 2"
    second.release(held.pop())
    waiter.join(5)
    assert got
    first.release(got[0])
    first.release(held.pop())
    names = os.listdir(directory)
    assert len(names) == 2 and all(TOKEN not in name and TOKEN[4:-4] not in name for name in names)
    assert all(os.path.getsize(os.path.join(directory, name)) == 0 for name in names)
    assert os.stat(directory).st_mode & 0o777 == 0o700


def test_a_killed_holder_frees_its_slot(tmp_path):
    directory = str(tmp_path / "slots")
    slots = TokenSlots("0042", TOKEN, 1, directory)
    script = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, slots.paths[0]], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        got = []
        waiter = threading.Thread(target=lambda: got.append(slots.acquire()))
        waiter.daemon = True
        waiter.start()
        waiter.join(0.3)
        assert not got
        started = time.time()
        holder.kill()  # SIGKILL: no clean-up code runs
        waiter.join(5)
        assert got and time.time() - started < 1.0
        slots.release(got[0])
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_shared_or_foreign_lock_directory_is_refused(tmp_path):
    directory = tmp_path / "open"
    directory.mkdir()
    directory.chmod(0o755)
    with pytest.raises(WolkvoxError) as info:
        TokenSlots("0042", TOKEN, 2, str(directory))
    assert "not a private directory" in str(info.value) and TOKEN not in str(info.value)
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(WolkvoxError):
        TokenSlots("0042", TOKEN, 2, str(link))


def test_interpret_masks_nothing_it_should_not_and_client_masks_the_token(tmp_path):
    client = WolkvoxClient("0042", TOKEN, api_url="http://127.0.0.1:9", lock_dir=str(tmp_path / "slots"))
    exc = WolkvoxError("x %s" % TOKEN, error="bad %s" % TOKEN, api_msg={"echo": TOKEN}, code=TOKEN)
    client._redact_error(exc)
    assert TOKEN not in repr(exc.as_dict()) and TOKEN not in str(exc)


def test_a_lock_directory_that_cannot_be_made_is_a_clean_error(tmp_path):
    with pytest.raises(WolkvoxError) as info:
        TokenSlots("0042", TOKEN, 2, str(tmp_path / "missing" / "slots"))
    assert "cannot make the lock directory" in str(info.value) and "TMPDIR" in str(info.value)
