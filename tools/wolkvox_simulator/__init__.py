# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local simulator of the Wolkvox agent APIs, over real HTTP(S) on a loopback address.

Serves, for several operations at once (routed by the ``wolkvox_server`` header, each with its
own token, auxiliary states, agents and daily quota, loaded from a JSON fixture):

  POST /api/v2/agentbox.php?api=change_status&agent_id=..&status=..
  GET  /api/v2/information.php?api=agents
  GET  /api/v2/information.php?api=token_info
  GET  /api/v2/real_time.php?api=agents

in one of two dialects: ``classic`` (the default: errors in HTTP 200 bodies, ``code`` "200"/200)
or ``vendor`` (``--vendor``: the vendor's documented HTTP statuses and words). It plays a live
floor (contacts in progress, per-operation contact modes), counts a daily quota of reads, and
keeps each agent's time in state. Test hooks under /__admin/ set it up and read what it saw.

The package, by concern:
  model       operations, agents, contacts, the quota, time in state
  dialects    the answers of each dialect, and the faults a test can queue
  simulator   Simulator: the state, the counters, the answer to each API request
  server      the HTTP server, its handler, the /__admin/ routes
  tls         the throw-away certificates of --tls
  client      AdminClient: the /__admin/ hooks from Python (urllib), for the tests and the benchmark
  spawn       spawn(), Running: the simulator in its own process (Running adds its AdminClient and stop())
  __main__    the command line: PYTHONPATH=tools python -m wolkvox_simulator --fixture PATH [--vendor] ...

It binds only to loopback addresses. docs/simulator.md documents the fixture, the answers of
each dialect, the hooks and the faults."""

from __future__ import annotations

from .client import AdminClient, AdminError
from .dialects import DIALECTS, FAULT_KINDS
from .model import Operation
from .simulator import Simulator
from .spawn import Running, spawn
from .spawn import environment as spawn_environment

__all__ = ["AdminClient", "AdminError", "DIALECTS", "FAULT_KINDS", "Operation", "Running", "Simulator", "spawn", "spawn_environment"]
