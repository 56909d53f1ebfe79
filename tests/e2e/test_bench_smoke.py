# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny run of the benchmark (benchmarks/bench.py): every scenario runs, the fleet part included,
and the tables are written.

No timing is asserted: the full benchmark (make bench) is not part of CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, collections_path

BENCH = os.path.join(ROOT, "benchmarks", "bench.py")
ENV = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
# The report's options (the same for a run and for a report written again from its samples).
REPORT_ARGS = [
    "--name", "bench-smoke", "--no-chart", "--repeats", "1", "--latency", "0.002", "--slice", "2", "--sizes", "4,10",
    "--converged-runs", "1", "--ops", "2", "--ops-agents", "3", "--forks", "2", "--memory-records", "500", "--memory-requested", "20",
    "--fleet-ops", "2", "--fleet-agents", "3", "--fleet-latency", "0.002", "--fleet-forks", "2",
]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """One tiny run of every scenario; returns (the process, the report's directory, the samples file)."""
    tmp_path = tmp_path_factory.mktemp("bench")
    out = tmp_path / "docs"
    samples = tmp_path / "samples.json"
    args = [sys.executable, BENCH, "--collections", collections_path(), "--workdir", str(tmp_path / "work"),
            "--out-dir", str(out), "--samples-out", str(samples)] + REPORT_ARGS
    proc = subprocess.run(args, capture_output=True, text=True, timeout=150, env=ENV, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, out, samples


def test_benchmark_runs_and_writes_its_table(bench_run):
    proc, out, dummy = bench_run
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
    assert "converged single operation N=10: task time <= 0.3 s" in report
    assert "**the converged single operation, N=10**" in report  # what its task time is made of
    assert "memory the task adds reading 500 agent records" in report
    assert not (out / "bench-smoke.png").exists()
    assert not (out / "bench-smoke-fleet.png").exists()
    # The tables are also printed.
    assert "| scenario |" in proc.stdout
    assert "| operations | agents per operation |" in proc.stdout


def fleet_row(report):
    """The row of K=2 (3 agents each) in the fleet table, as cells."""
    rows = [line for line in report.splitlines() if line.startswith("| 2 | 3 |")]
    assert len(rows) == 1, rows
    return [cell.strip() for cell in rows[0].strip().strip("|").split("|")]


def test_benchmark_fleet_part(bench_run, tmp_path):
    """K=2 operations x 3 agents: the baseline, applying, converged and one-task runs all have figures, and the
    converged run made exactly one request per operation (the benchmark itself checks this per operation, from
    the simulator's log, and fails otherwise)."""
    dummy, out, samples_path = bench_run
    report = (out / "bench-smoke.md").read_text()
    assert "## Many operations in one run (fleet)" in report
    cells = fleet_row(report)
    assert len(cells) == 11, cells
    for cell in cells[2:8]:  # baseline, apply, converged, floor and the two ratios: numbers
        float(cell)
    assert cells[8] == "1", cells  # requests per operation, converged: the one read
    assert cells[9] == "4", cells  # requests per operation, applying: 1 read + 3 changes
    for run in ("baseline: one ansible.builtin.ping per host", "apply_agent_states, converged",
                "apply_agent_states, applying", "one wolkvox_agent_status task per host, no role"):
        assert [line for line in report.splitlines() if line.startswith("| 2 | %s" % run)], run
    for target in ("fleet, converged run <= 0.5x", "fleet, applying run <= 0.8x"):
        lines = [line for line in report.splitlines() if line.startswith("| %s" % target)]
        assert len(lines) == 1 and ("| met" in lines[0] or "| missed" in lines[0]), lines

    samples = json.loads(samples_path.read_text())["samples"]
    (run,) = samples["fleet_2"]
    assert run["converged"]["per_op_min"] == run["converged"]["per_op_max"] == 1
    assert run["converged"]["requests"] == 2 and run["apply"]["requests"] == 8

    # The report can be written again from the samples alone, with the same figures.
    again = subprocess.run([sys.executable, BENCH, "--collections", "unused", "--out-dir", str(tmp_path),
                            "--from-samples", str(samples_path)] + REPORT_ARGS,
                           capture_output=True, text=True, timeout=60, env=ENV, check=False)
    assert again.returncode == 0, again.stderr[-3000:]
    assert fleet_row((tmp_path / "bench-smoke.md").read_text()) == cells
