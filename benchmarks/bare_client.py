# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reference client of the benchmark: no Ansible, no retries, no locks.

N change_status requests over THREADS kept-alive connections (http.client, one per thread),
the same URLs and headers as the module. Prints one JSON line: elapsed seconds and counts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--start", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--status", default="ready")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ca-path")
    args = parser.parse_args(argv)

    parts = urlsplit(args.url)
    headers = {"wolkvox-token": args.token, "wolkvox_server": args.server, "Accept": "application/json"}
    paths = [
        "/api/v2/agentbox.php?" + urlencode({"api": "change_status", "agent_id": str(args.start + i), "status": args.status})
        for i in range(args.count)
    ]
    lock = threading.Lock()
    cursor = iter(paths)
    errors = []

    def connect():
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=args.ca_path)
            return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=30, context=context)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def worker():
        conn = connect()
        while True:
            with lock:
                path = next(cursor, None)
            if path is None:
                break
            conn.request("POST", path, headers=headers)
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status != 200 or body.get("error") or not str(body.get("code")).startswith("2"):
                errors.append(body)
        conn.close()

    threads = [threading.Thread(target=worker) for dummy in range(args.threads)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    print(json.dumps({"elapsed": elapsed, "requests": args.count, "errors": len(errors)}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
