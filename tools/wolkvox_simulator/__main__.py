# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's command line: ``PYTHONPATH=tools python -m wolkvox_simulator --fixture PATH ...``
(``python tools/wolkvox_simulator`` works too). See ``--help`` and docs/simulator.md."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

if not __package__:  # run as a directory (python tools/wolkvox_simulator): make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wolkvox_simulator.simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(os.path.dirname(HERE), "fixtures", "demo.json")


def parser():
    found = argparse.ArgumentParser(prog="python -m wolkvox_simulator",
                                    description="Local simulator of the Wolkvox agent APIs (loopback only).")
    found.add_argument(
        "--fixture", default=DEFAULT_FIXTURE, metavar="PATH",
        help="JSON file of the operations to serve: {\"operations\": [{name, server, token, aux_states, agents, "
             "generate, agent_id_as_number, contact_mode, logged_out_mode, licences, quota}]}, each agent {agent_id, "
             "agent_name, agent_status, enabled, in_state_for, contact: {status, ends_in, then, acw}} "
             "(see docs/simulator.md; default: tools/fixtures/demo.json)")
    found.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1; "
                                                           "any other address is refused)")
    found.add_argument("--port", type=int, default=0, help="TCP port to listen on; 0 (the default) picks a free port")
    found.add_argument("--tls", action="store_true",
                       help="serve HTTPS with a certificate from a throw-away CA (its path is ca_path in the start-up line)")
    found.add_argument("--latency", type=float, default=0.0, metavar="S",
                       help="seconds added to every API answer (default 0; changeable with POST /__admin/config)")
    found.add_argument("--max-per-token", type=int, default=2, metavar="N",
                       help="simultaneous requests allowed per token before the vendor's busy error (default 2, "
                            "the vendor's limit)")
    found.add_argument("--vendor", action="store_true",
                       help="answer in the vendor's documented dialect: real HTTP statuses and the vendor's words "
                            "for every error, read codes \"\" and \"0\" (default: the classic dialect, errors in "
                            "HTTP 200 bodies)")
    found.add_argument("--ready-file", metavar="PATH",
                       help="also write the start-up JSON line (url, port, ca_path, pid, dialect) to this file, "
                            "atomically, once listening")
    return found


def main(argv=None):
    args = parser().parse_args(argv)
    sim = Simulator(args.fixture, args.host, args.port, args.tls, args.latency, args.max_per_token,
                    vendor=args.vendor).start()
    line = json.dumps({"url": sim.url, "port": sim.port, "ca_path": sim.ca_path, "pid": os.getpid(),
                       "dialect": sim.dialect.name})
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as handle:
            handle.write(line + "\n")
        os.rename(args.ready_file + ".tmp", args.ready_file)
    print(line, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
