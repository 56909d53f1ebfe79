# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options shared by every module of the collection.
    DOCUMENTATION = r"""
options:
  wolkvox_server:
    description:
      - The code of the operation's server, as given by Wolkvox support (for example V(0042)).
      - It becomes part of the host name C(wv<wolkvox_server>.wolkvox.com) and is sent in the C(wolkvox_server) header.
      - Quote it in YAML, for example C("0042") - an unquoted V(0042) is the number 34, and a number is refused.
      - Must be 1 to 32 letters, digits or dashes; anything else fails before any request.
      - If not set, the environment variable E(WOLKVOX_SERVER) is used.
    type: str
    required: true
  wolkvox_token:
    description:
      - The API token of the operation, generated in wolkvox Manager (Configuration, Integrations, Tokens).
      - Sent only in the C(wolkvox-token) header; never in a URL, a result or a log line.
      - If not set, the environment variable E(WOLKVOX_TOKEN) is used.
    type: str
    required: true
    aliases: [token]
  api_url:
    description:
      - Base URL to use instead of C(https://wv<wolkvox_server>.wolkvox.com), for a proxy, a private endpoint
        or the local simulator, for example V(http://127.0.0.1:8765).
      - Only C(http) and C(https) URLs without credentials, query or fragment are accepted.
      - If not set, the environment variable E(WOLKVOX_API_URL) is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the API. Set to V(false) only for a test endpoint.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the API's certificate with, for a private endpoint.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request. The vendor stops a call after 60 seconds.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after a fault - a connection error, a timeout, HTTP 502, 503 or 504.
        Waits grow exponentially from O(retry_delay), with jitter; a C(Retry-After) header is honoured.
      - A "token busy" answer (HTTP 429, or the vendor's "the same token cannot be consumed simultaneously" - another
        controller or tool uses the token at the same time) is not a fault - the request was not executed. It is
        retried with short jittered waits for up to O(timeout) seconds, on top of O(retries), and the task lowers its
        own requests in flight until the answers are good again.
      - Other errors are never retried.
    type: int
    default: 3
  retry_delay:
    description:
      - Base delay in seconds of the exponential backoff between retries (the n-th retry waits up to
        O(retry_delay) times 2 to the power n, at most 10 seconds).
    type: float
    default: 1
  max_concurrency:
    description:
      - Most requests in flight at once for one token. The vendor allows 2 simultaneous requests per token.
      - Enforced across every process of the controller that uses the same server and token, so parallel
        forks that share a token never exceed it together.
    type: int
    default: 2
requirements:
  - requests
notes:
  - Redirects are never followed, so the token is never sent to another host; a redirect fails the request.
  - Runs on the controller. The role variables C(wolkvox_<option>) (for example C(wolkvox_ca_path)) set these options
    for the role C(wolkvox.contact_center.agent_status) and the playbooks.
  - The token concurrency limit is shared through lock files in a private directory of the controller's temporary
    directory; their names hold a hash of server and token, never the token.
"""
