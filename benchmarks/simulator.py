# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start tools/wolkvox_simulator.py with TCP_NODELAY on its connections (same arguments).

The simulator's handler writes the status line and headers, then the body, in two writes; with
Nagle's algorithm on, the body waits for the client's delayed ACK (about 40 ms on Linux) on
every kept-alive exchange. A real HTTP server (and the vendor's) sends a small answer at once,
so the benchmark disables Nagle, as http.server allows, to measure the client and not that stall.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position

wolkvox_simulator._Handler.disable_nagle_algorithm = True  # pylint: disable=protected-access

if __name__ == "__main__":
    sys.exit(wolkvox_simulator.main())
