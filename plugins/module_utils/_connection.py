# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The connection options: their one definition (CONNECTION_SPEC) and how each value is checked.

CONNECTION_SPEC is the source. The ``wolkvox.contact_center.connection`` doc fragment, the role's
``wolkvox_<option>`` variables (argument spec and the tasks that pass them on) and the playbooks
are copies that a unit test compares with it, name by name, type by type, default by default.
Every check here runs before any request; no message shows the token.
"""

from __future__ import annotations

import math
import os
import re
import ssl

from ansible.module_utils.basic import env_fallback

from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import (
    PATH_LIMIT,
    WolkvoxInputError,
    shown,
    snippet,
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

# What role users set instead of an option (the role and the playbooks read these variables).
ROLE_VARIABLES = dict((name, name if name.startswith("wolkvox_") else "wolkvox_" + name) for name in CONNECTION_SPEC)


def option_hint(name):
    """How a message names an option so that module users and role users both find it."""
    var = ROLE_VARIABLES.get(name, name)
    return name if var == name else "%s (role variable %s)" % (name, var)


# Anchored with \Z, not $: "$" also matches before a trailing newline, which would let
# "0042\n" through into a host name and a header.
SERVER_RE = re.compile(r"^[A-Za-z0-9-]{1,32}\Z")
# A token goes into an HTTP header: printable ASCII without blanks (what the vendor issues).
TOKEN_RE = re.compile(r"^[\x21-\x7e]{1,4096}\Z")
# What an api_url may hold: a DNS name or IP literal, an optional port, an optional plain path.
URL_HOST_RE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])\Z")
URL_PORT_RE = re.compile(r"^[0-9]{1,5}\Z")
URL_PATH_RE = re.compile(r"^(?:/[A-Za-z0-9._~-]*)*\Z")
# Bounds of the numeric options: beyond them a value is a typo, not a wish.
LIMITS = {
    "timeout": (0.0, 3600.0, False),
    "retries": (0, 100, True),
    "retry_delay": (0.0, 600.0, False),
    "max_concurrency": (1, 64, True),
}


def validate_server(server):
    if isinstance(server, (int, float)) and not isinstance(server, bool):
        # YAML reads an unquoted 0042 as the number 34: the leading zeros are already lost.
        raise WolkvoxInputError(
            "wolkvox_server was given as the number %s, not as text: YAML turns an unquoted 0042 into 34. "
            "Quote it, e.g. wolkvox_server: \"0042\"" % shown(server)
        )
    if not isinstance(server, str) or not SERVER_RE.match(server):
        raise WolkvoxInputError(
            "wolkvox_server %s is not valid: it must be 1 to 32 letters, digits or '-' "
            "(the code of the operation's server, quoted, e.g. \"0042\")" % shown(server)
        )
    return server


def shown_url(api_url):
    """An api_url for an error message, with credentials, query and fragment masked."""
    text = api_url
    scheme, sep, rest = text.partition("://")
    if sep:
        authority, slash, tail = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        text = scheme + sep + authority + slash + tail
    for mark in ("?", "#"):
        if mark in text:
            text = text.split(mark, 1)[0] + mark + "***"
    return shown(text)


def _url_problem(api_url):
    """Why an api_url override cannot be used, or None."""
    scheme, sep, rest = api_url.partition("://")
    authority, slash, path = rest.partition("/")
    host, colon, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
    if not colon:
        host, port = authority, ""
    if any(c.isspace() or ord(c) < 32 or ord(c) > 126 for c in api_url):
        return "it must be an ASCII URL without blanks or control characters"
    if not sep or scheme.lower() not in ("http", "https"):
        return "only http:// and https:// URLs are supported"
    if "\\" in api_url:
        return "a backslash is not allowed"
    if "@" in authority:
        return "credentials in the URL are not allowed (the token is sent in a header)"
    if "?" in api_url or "#" in api_url:
        return "a query string or fragment is not allowed"
    if not host:
        return "it has no host name"
    if not URL_HOST_RE.match(host) or ".." in host:
        return "%s is not a valid host name" % shown(host)
    if colon and (not URL_PORT_RE.match(port) or not 0 < int(port) < 65536):
        return "the port must be a number from 1 to 65535"
    if not URL_PATH_RE.match(slash + path):
        return "the path may only hold letters, digits and . _ ~ - /"
    return None


def build_base_url(server, api_url=None):
    """The base URL of the operation: the vendor's host name, or a validated override.

    An override may carry a port and a plain path (a proxy, the simulator), never credentials,
    a query, a fragment, another scheme, or characters that parsers disagree about."""
    validate_server(server)
    if api_url is None or api_url == "":
        return "https://wv%s.wolkvox.com" % server
    if not isinstance(api_url, str):
        raise WolkvoxInputError("api_url %s is not valid: it must be an http(s) URL" % shown(api_url))
    reason = _url_problem(api_url)
    if reason:
        raise WolkvoxInputError("api_url %s is not valid: %s" % (shown_url(api_url), reason))
    return api_url.rstrip("/")


def validate_number(name, value):
    """A numeric connection option within its bounds (see LIMITS), as int or float."""
    low, high, integer = LIMITS[name]
    kind = "a whole number" if integer else "a number"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and integer and isinstance(value, float):
        ok = value.is_integer()
    if ok:
        ok = not math.isnan(value) and not math.isinf(value)
    if ok:
        ok = (low < value if name == "timeout" else low <= value) and value <= high
    if not ok:
        bounds = "above %g and at most %g" % (low, high) if name == "timeout" else "from %g to %g" % (low, high)
        raise WolkvoxInputError("%s %s is not valid: it must be %s %s" % (option_hint(name), shown(value), kind, bounds))
    return int(value) if integer else float(value)


def validate_token(token):
    """The token must be present and sendable as a header. Messages never show it."""
    if not isinstance(token, str) or not token.strip():
        raise WolkvoxInputError("wolkvox_token is empty: set the option or the WOLKVOX_TOKEN environment variable")
    if not TOKEN_RE.match(token):
        raise WolkvoxInputError(
            "wolkvox_token is not valid: it must be printable ASCII without blanks (it is sent as an HTTP header); "
            "check for a stray space, newline or quote around it"
        )
    return token


def validate_ca_path(ca_path):
    """A CA bundle (PEM file or hashed directory) that can actually be loaded."""
    name = option_hint("ca_path")
    if not isinstance(ca_path, str) or not ca_path:
        raise WolkvoxInputError("%s %s is not valid: it must be the path of a PEM CA bundle" % (name, shown(ca_path)))
    if not os.path.exists(ca_path):
        raise WolkvoxInputError("%s %s does not exist" % (name, shown(ca_path, PATH_LIMIT)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if os.path.isdir(ca_path):
            context.load_verify_locations(capath=ca_path)
        else:
            context.load_verify_locations(cafile=ca_path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise WolkvoxInputError(
            "%s %s cannot be used as a CA bundle (%s): it must hold PEM certificates"
            % (name, shown(ca_path, PATH_LIMIT), snippet(str(exc)))
        )
    return ca_path


def validate_connection(params):
    """Check every connection option (a dict shaped like CONNECTION_SPEC); return the base URL."""
    token = params.get("wolkvox_token")
    try:
        base_url = build_base_url(params.get("wolkvox_server"), params.get("api_url"))
    except WolkvoxInputError as exc:
        # An api_url may hold the token by mistake: never show it.
        if isinstance(token, str) and token:
            exc.message = exc.message.replace(token, "********")
        raise
    validate_token(token)
    if len(token) >= 8 and token in base_url:
        # The token would end up in a URL, in logs and in error messages.
        raise WolkvoxInputError(
            "api_url is not valid: it contains the token; the token is sent only in the wolkvox-token header"
        )
    for name in LIMITS:
        if params.get(name) is not None:  # None: not set here (the client needs every one of them)
            validate_number(name, params[name])
    validate_certs = params.get("validate_certs", True)
    if not isinstance(validate_certs, bool):
        raise WolkvoxInputError("%s %s is not valid: it must be true or false" % (option_hint("validate_certs"), shown(validate_certs)))
    if params.get("ca_path") is not None and validate_certs:
        validate_ca_path(params["ca_path"])
    return base_url
