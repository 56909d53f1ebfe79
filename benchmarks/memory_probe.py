# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a Python program (ansible-playbook, or a module process when ANSIBLE_PYTHON_INTERPRETER
points at a script that runs this file) as its only child and appends the peak resident memory
(ru_maxrss) of the largest process of that tree (the child, or one of its own children that it
waited for, such as ansible-playbook's forked workers) to a JSON-lines file.

Usage: python memory_probe.py OUTFILE [python arguments...]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def main():
    out = sys.argv[1]
    rc = subprocess.call([sys.executable] + sys.argv[2:])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "a") as handle:
        handle.write(json.dumps({"maxrss_kb": usage.ru_maxrss, "rc": rc}) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
