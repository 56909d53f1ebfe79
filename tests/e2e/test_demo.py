# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's demo command works as written (so it cannot rot)."""

from __future__ import annotations

import json
import os
import re
import subprocess

from conftest import ROOT, TOKENS


def test_tools_demo_converges_then_reports(tmp_path):
    report = tmp_path / "report"
    proc = subprocess.run([os.path.join(ROOT, "tools", "demo"), str(report)], capture_output=True, text=True,
                          timeout=600, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    second = output.split("second run (changed=0 everywhere):", 1)[1]
    recaps = re.findall(r"^(\w+)\s+: ok=\d+\s+changed=(\d+)", second, re.M)[:3]
    assert sorted(host for host, changed in recaps) == sorted(TOKENS), recaps
    assert all(changed == "0" for host, changed in recaps), recaps
    data = json.loads((report / "agent-states.json").read_text(encoding="utf-8"))
    assert data, "the JSON report is empty"
    assert (report / "agent-states.md").exists() and (report / "agent-states.csv").exists()
    # The shift plan preview: bogota_sales at Wednesday 12:30, lunch for 1001 and 1002, nothing sent.
    preview = output.split("shift plan preview (bogota_sales, Wednesday 12:30):", 1)[1]
    assert re.search(r"^\+1001 Ana Gomez +Lunch$", preview, re.M) and re.search(r"^\+1002 Luis Perez +Lunch$", preview, re.M)
    assert "(check mode: nothing sent)" in preview
    for _server, token in TOKENS.values():
        assert token not in output
