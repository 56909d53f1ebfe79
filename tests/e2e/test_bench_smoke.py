# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny run of the benchmark (benchmarks/bench.py): every scenario runs and the table is written.

No timing is asserted: the full benchmark (make bench) is not part of CI.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, collections_path

BENCH = os.path.join(ROOT, "benchmarks", "bench.py")


def test_benchmark_runs_and_writes_its_table(tmp_path):
    out = tmp_path / "docs"
    args = [
        sys.executable, BENCH, "--collections", collections_path(), "--workdir", str(tmp_path / "work"),
        "--out-dir", str(out), "--name", "bench-smoke", "--no-chart",
        "--repeats", "1", "--latency", "0.002", "--slice", "2", "--sizes", "4,10",
        "--ops", "2", "--ops-agents", "3", "--forks", "2", "--memory-records", "500", "--memory-requested", "20",
    ]
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    report = (out / "bench-smoke.md").read_text()
    for row in ("(a) ansible.builtin.uri loop", "(b) wolkvox_agent_status loop", "(c) one bulk wolkvox_agent_status task",
                "bare client", "(d) the bulk task again, already converged", "(e) 1 operation", "(e) 2 operations"):
        assert row in report, row
    table = [line for line in report.splitlines() if line.startswith("| (") or line.startswith("| bare")]
    assert len(table) == 9, table
    # Every row has its figures (no empty cells), and the converged re-run made exactly one request.
    assert all(line.count("|") == 11 for line in table), table
    converged = [line for line in table if "converged" in line][0]
    assert converged.split("|")[3].strip() == "1", converged
    assert "peak memory reading 500 agent records" in report
    assert not (out / "bench-smoke.png").exists()
    # The table is also printed.
    assert "| scenario |" in proc.stdout
