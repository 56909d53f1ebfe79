# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _connection: the connection options and how each value is checked before any request."""

from __future__ import annotations

from urllib.parse import urlsplit

import certifi
import pytest
import urllib3.util as urllib3_util
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.wolkvox.contact_center.plugins.module_utils._connection import (
    CONNECTION_SPEC,
    LIMITS,
    ROLE_VARIABLES,
    build_base_url,
    option_hint,
    shown_url,
    validate_ca_path,
    validate_connection,
    validate_number,
    validate_server,
    validate_token,
)
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError, shown
from ansible_collections.wolkvox.contact_center.tests.unit.conftest import ANY_JSON, SETTINGS, TOKEN


# --------------------------------------------------------------------------------------------
# validate_server / build_base_url
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
        None, True, ["0042"], {"s": "0042"}, b"0042",
    ],
)
def test_validate_server_rejects(server):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_server(server)
    assert "wolkvox_server %r is not valid" % (server,) in str(exc.value)
    with pytest.raises(WolkvoxInputError):
        build_base_url(server)
    with pytest.raises(WolkvoxInputError):
        build_base_url(server, "https://proxy.example.com")


@pytest.mark.parametrize("server", [34, 34.0, 42, 0, -1, 1e3])
def test_validate_server_given_as_a_number_says_to_quote_it(server):
    # YAML turns an unquoted 0042 into 34: a number is refused, never turned into "34".
    with pytest.raises(WolkvoxInputError) as exc:
        validate_server(server)
    text = str(exc.value)
    assert text.startswith("wolkvox_server was given as the number %s" % shown(server))
    assert "Quote it" in text
    assert 'wolkvox_server: "0042"' in text
    with pytest.raises(WolkvoxInputError, match="given as the number"):
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
    "api_url, expected",
    [
        ("https://admin:pw@proxy.example.com/x", "'https://***@proxy.example.com/x'"),
        ("https://proxy.example.com/?key=1#f", "'https://proxy.example.com/?***'"),
        ("https://proxy.example.com/#f", "'https://proxy.example.com/#***'"),
        ("proxy.example.com", "'proxy.example.com'"),
    ],
)
def test_shown_url_masks_credentials_query_and_fragment(api_url, expected):
    assert shown_url(api_url) == expected


# --------------------------------------------------------------------------------------------
# validate_number / validate_token / validate_ca_path / validate_connection
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("timeout", 30, 30.0),
        ("timeout", 0.5, 0.5),
        ("timeout", 3600, 3600.0),
        ("retries", 0, 0),
        ("retries", 100, 100),
        ("retries", 3.0, 3),
        ("retry_delay", 0, 0.0),
        ("retry_delay", 600, 600.0),
        ("max_concurrency", 1, 1),
        ("max_concurrency", 64, 64),
    ],
)
def test_validate_number_accepts(name, value, expected):
    result = validate_number(name, value)
    assert result == expected
    assert type(result) is type(expected)  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize(
    "name, value, must_contain",
    [
        ("timeout", 0, "timeout (role variable wolkvox_timeout) 0 is not valid: it must be a number above 0 and at most 3600"),
        ("timeout", 3600.5, "timeout (role variable wolkvox_timeout) 3600.5 is not valid"),
        ("timeout", float("inf"), "inf is not valid"),
        ("timeout", float("nan"), "nan is not valid"),
        ("timeout", "30", "'30' is not valid"),
        ("timeout", True, "True is not valid"),
        ("retries", -1, "retries (role variable wolkvox_retries) -1 is not valid: it must be a whole number from 0 to 100"),
        ("retries", 1.5, "1.5 is not valid"),
        ("retry_delay", 601, "retry_delay (role variable wolkvox_retry_delay) 601 is not valid"),
        ("max_concurrency", 0, "max_concurrency (role variable wolkvox_max_concurrency) 0 is not valid"),
        ("max_concurrency", 65, "it must be a whole number from 1 to 64"),
    ],
)
def test_validate_number_rejects(name, value, must_contain):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_number(name, value)
    assert must_contain in str(exc.value)


@pytest.mark.parametrize(
    "token, must_start",
    [
        ("", "wolkvox_token is empty"),
        ("   ", "wolkvox_token is empty"),
        (None, "wolkvox_token is empty"),
        (42, "wolkvox_token is empty"),
        ("two words", "wolkvox_token is not valid"),
        ("tok\n", "wolkvox_token is not valid"),
        ("t\u00f6ken", "wolkvox_token is not valid"),
        ("x" * 4097, "wolkvox_token is not valid"),
    ],
)
def test_validate_token_rejects_without_showing_it(token, must_start):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_token(token)
    assert str(exc.value).startswith(must_start)
    if isinstance(token, str) and token.strip():
        assert token not in str(exc.value)


def test_validate_token_accepts():
    assert validate_token(TOKEN) == TOKEN


def test_validate_ca_path(tmp_path):
    assert validate_ca_path(certifi.where()) == certifi.where()
    with pytest.raises(WolkvoxInputError, match=r"^ca_path \(role variable wolkvox_ca_path\) '' is not valid"):
        validate_ca_path("")
    missing = str(tmp_path / ("d" * 100) / "missing.pem")
    with pytest.raises(WolkvoxInputError) as exc:
        validate_ca_path(missing)
    assert missing in str(exc.value)  # shown whole: a cut path cannot be found


def _params(**overrides):
    params = dict(wolkvox_server="0042", wolkvox_token=TOKEN, api_url=None, validate_certs=True, ca_path=None,
                  timeout=30.0, retries=3, retry_delay=1.0, max_concurrency=2)
    params.update(overrides)
    return params


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({}, "https://wv0042.wolkvox.com"),
        (dict(api_url="http://127.0.0.1:8765/"), "http://127.0.0.1:8765"),
        (dict(validate_certs=False, ca_path="/does/not/matter"), "https://wv0042.wolkvox.com"),
        (dict(timeout=None, retries=None), "https://wv0042.wolkvox.com"),
    ],
)
def test_validate_connection_accepts(overrides, expected):
    assert validate_connection(_params(**overrides)) == expected


@pytest.mark.parametrize(
    "overrides, must_contain",
    [
        (dict(wolkvox_server=34), "wolkvox_server was given as the number 34"),
        (dict(wolkvox_server="00.42"), "wolkvox_server '00.42' is not valid"),
        (dict(wolkvox_token=""), "wolkvox_token is empty"),
        (dict(api_url="https://proxy.example.com/%s" % TOKEN), "it contains the token"),
        (dict(api_url="https://%s@proxy.example.com" % TOKEN), "credentials"),
        (dict(retries=-1), "retries (role variable wolkvox_retries) -1 is not valid"),
        (dict(validate_certs="yes"), "validate_certs (role variable wolkvox_validate_certs) 'yes' is not valid"),
        (dict(ca_path="/does/not/exist.pem"), "does not exist"),
    ],
)
def test_validate_connection_rejects_without_showing_the_token(overrides, must_contain):
    with pytest.raises(WolkvoxInputError) as exc:
        validate_connection(_params(**overrides))
    assert must_contain in str(exc.value)
    assert TOKEN not in str(exc.value)


def test_option_hint_and_role_variables_cover_every_connection_option():
    assert set(ROLE_VARIABLES) == set(CONNECTION_SPEC)
    assert option_hint("wolkvox_server") == "wolkvox_server"
    assert option_hint("timeout") == "timeout (role variable wolkvox_timeout)"
    assert option_hint("not_an_option") == "not_an_option"
    assert set(LIMITS) <= set(CONNECTION_SPEC)


def test_connection_spec_keeps_the_token_secret_and_reads_the_environment():
    assert CONNECTION_SPEC["wolkvox_token"]["no_log"] is True
    assert CONNECTION_SPEC["wolkvox_token"]["aliases"] == ["token"]
    for name, variable in (("wolkvox_server", "WOLKVOX_SERVER"), ("wolkvox_token", "WOLKVOX_TOKEN"), ("api_url", "WOLKVOX_API_URL")):
        assert CONNECTION_SPEC[name]["fallback"][1] == [variable]


# --------------------------------------------------------------------------------------------
# Properties: whatever the value, accepted and safe, or a readable error that names it
# --------------------------------------------------------------------------------------------

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


@SETTINGS
@given(ANY_JSON | st.binary(max_size=10) | st.tuples(st.integers()))
def test_server_is_accepted_or_named_in_a_typed_error(readable, value):
    try:
        result = validate_server(value)
    except WolkvoxInputError as exc:
        assert readable(str(exc)) and str(exc).startswith("wolkvox_server ")
        assert shown(value) in str(exc)
    else:
        assert isinstance(result, str) and 1 <= len(result) <= 32
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in result)


@SETTINGS
@given(st.text(max_size=40))
def test_server_text_never_makes_a_host_name_that_leaves_the_vendor(readable, value):
    try:
        base = build_base_url(value)
    except WolkvoxInputError as exc:
        assert readable(str(exc))
    else:
        assert urlsplit(base).hostname == "wv%s.wolkvox.com" % value.lower()


@SETTINGS
@given(hostile_urls() | st.text(max_size=60))
def test_api_url_is_accepted_only_when_every_parser_agrees(readable, api_url):
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
@given(st.text(max_size=20))
def test_a_bad_token_is_rejected_without_showing_it(readable, token):
    try:
        validate = validate_token(token)
    except WolkvoxInputError as exc:
        # The message is fixed: nothing of the token is echoed.
        assert readable(str(exc)) and str(exc).startswith(("wolkvox_token is empty", "wolkvox_token is not valid"))
        assert "%r" % token not in str(exc) or not token.strip()
    else:
        assert validate.isascii() and validate.isprintable() and " " not in validate
