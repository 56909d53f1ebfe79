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
    # The first run, on the demo floor (tools/fixtures/demo.json): the agents shown as Logout stay
    # logged out (the API cannot log an agent in) and 1005, in after-call work, is not cut off.
    first = output.split("second run (changed=0 everywhere):", 1)[0]
    assert ("bogota_sales (server 0042): 1 changed, 2 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, "
            "0 failed of 5 agents; skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)") in first
    assert ("bogota_support (server 0042): 1 changed, 0 unchanged, 2 skipped (0 busy, 2 logged out), 0 pending, "
            "0 failed of 3 agents") in first
    assert "cannot place" not in output  # the demo inventory places every label its agents show
    # The shift plan preview: bogota_sales at Wednesday 12:30, lunch for 1001 and 1002, nothing sent.
    # 1001 is still logged out and 1005 still in ACW: both skipped, neither in the diff.
    preview = output.split("shift plan preview (bogota_sales, Wednesday 12:30):", 1)[1]
    assert re.search(r"^-1002 Luis Perez +Active breaks$", preview, re.M), preview
    assert re.search(r"^\+1002 Luis Perez +Lunch$", preview, re.M), preview
    assert re.search(r"^\+1004 Jorge Díaz +Ready$", preview, re.M), preview
    assert not re.search(r"^[-+](1001|1003|1005) ", preview, re.M), preview
    assert ("2 would change, 1 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 5 agents "
            "(check mode: nothing sent); skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)") in preview
    for _server, token in TOKENS.values():
        assert token not in output
