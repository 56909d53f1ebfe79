# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet's part of the report (report.py): medians per K, its two tables, its two verdicts, the text
of where its time goes and its section of the page."""

from __future__ import annotations

import os

from harness import TARGETS, fmt, markdown_table, median

FLEET_RUNS = [
    ("baseline", "baseline: one ansible.builtin.ping per host, delegated to localhost"),
    ("converged", "apply_agent_states, converged (nothing to send)"),
    ("apply", "apply_agent_states, applying (every agent changes)"),
    ("one_task", "one wolkvox_agent_status task per host, no role, converged"),
]
FLEET_TASKS = [("outside", "outside tasks"), ("validate", "argument validation"), ("status", "status task"),
               ("summary", "summary task"), ("ping", "ping task")]


def fleet_summary(samples):
    """Per K, sorted: medians of the wall times and of each task's time, and medians of the paired ratios."""
    out = []
    for key in sorted((k for k in samples if k.startswith("fleet_")), key=lambda k: int(k.split("_")[1])):
        runs = samples[key]
        first = runs[0]
        row = {"ops": first["ops"], "agents": first["agents"], "latency": first["latency"], "forks": first["forks"],
               "floor": first["floor"], "runs": len(runs)}
        for kind, dummy in FLEET_RUNS:
            present = [r[kind] for r in runs if kind in r]
            if not present:
                continue
            kinds = set(k for r in present for k in r["tasks"])
            row[kind] = {
                "wall": median([r["wall"] for r in present]),
                "cpu": median([r.get("cpu", float("nan")) for r in present]),
                "tasks": dict((k, median([r["tasks"].get(k, 0.0) for r in present])) for k in kinds),
                "requests": median([r["requests"] for r in present]),
                "per_op": (min(r["per_op_min"] for r in present) if all(r["per_op_min"] is not None for r in present) else None,
                           max(r["per_op_max"] for r in present) if all(r["per_op_max"] is not None for r in present) else None),
                "concurrency": max(r["concurrency"] for r in present),
            }
        row["conv_ratio"] = median([r["converged"]["wall"] / r["baseline"]["wall"] for r in runs])
        row["apply_ratio"] = median([r["apply"]["wall"] / (r["baseline"]["wall"] + r["floor"]) for r in runs])
        if all("one_task" in r for r in runs):
            row["one_task_ratio"] = median([r["one_task"]["wall"] / r["baseline"]["wall"] for r in runs])
        out.append(row)
    return out


def per_op_text(per_op):
    low, high = per_op
    if low is None:
        return "-"
    return "%d" % low if low == high else "%d-%d" % (low, high)


FLEET_HEADER = ["operations", "agents per operation", "baseline s (ping per host)", "apply s", "converged s",
                "floor s (one operation)", "converged / baseline (target <= %.1f)" % TARGETS["fleet_converged"],
                "apply / (baseline + floor) (target <= %.1f)" % TARGETS["fleet_apply"], "requests per operation, converged",
                "requests per operation, apply", "max in flight per token"]


def fleet_rows(fleet):
    rows = []
    for row in fleet:
        rows.append([
            str(row["ops"]), str(row["agents"]), fmt(row["baseline"]["wall"]), fmt(row["apply"]["wall"]),
            fmt(row["converged"]["wall"]), fmt(row["floor"]), fmt(row["conv_ratio"]), fmt(row["apply_ratio"]),
            per_op_text(row["converged"]["per_op"]), per_op_text(row["apply"]["per_op"]),
            str(max(row["apply"]["concurrency"], row["converged"]["concurrency"])),
        ])
    return rows


def fleet_breakdown_rows(fleet):
    rows = []
    for row in fleet:
        for kind, label in FLEET_RUNS:
            if kind not in row:
                continue
            tasks = row[kind]["tasks"]
            rows.append([str(row["ops"]), label, fmt(row[kind]["wall"]), fmt(row[kind]["cpu"])] +
                        [fmt(tasks[k]) if k in tasks else "-" for k, dummy in FLEET_TASKS])
    return rows


FLEET_BREAKDOWN_HEADER = ["operations", "run", "whole run s", "CPU s"] + ["%s s" % label for dummy, label in FLEET_TASKS]


def fleet_verdicts(fleet, add):
    """The two fleet targets, with the figures of every K."""
    if not fleet:
        return
    conv = ", ".join("K=%d: %sx" % (r["ops"], fmt(r["conv_ratio"], 3)) for r in fleet)
    requests_ok = all(r["converged"]["per_op"] == (1, 1) for r in fleet)
    missed = [r for r in fleet if r["conv_ratio"] > TARGETS["fleet_converged"]]
    add("fleet, converged run <= %.1fx one trivial module task per host, exactly 1 request per operation"
        % TARGETS["fleet_converged"],
        "%s; requests per operation: %s" % (conv, ", ".join(per_op_text(r["converged"]["per_op"]) for r in fleet)),
        not missed and requests_ok,
        "" if not missed else "at K=%s (see below)" % ", ".join(str(r["ops"]) for r in missed))
    app = ", ".join("K=%d: %sx" % (r["ops"], fmt(r["apply_ratio"], 3)) for r in fleet)
    missed = [r for r in fleet if r["apply_ratio"] > TARGETS["fleet_apply"]]
    add("fleet, applying run <= %.1fx (that trivial run + the API floor of one operation)" % TARGETS["fleet_apply"], app,
        not missed, "" if not missed else "at K=%s (see below)" % ", ".join(str(r["ops"]) for r in missed))


def fleet_analysis(fleet):
    """Where the time of the fleet runs goes, from the figures measured (text for the report)."""
    if not fleet:
        return ""
    lines = []
    for row in fleet:
        base, conv, app = row["baseline"], row["converged"], row["apply"]
        k = row["ops"]
        bt, ct, at = base["tasks"], conv["tasks"], app["tasks"]
        text = ("- **K=%d**: the baseline is %s s outside tasks (start-up, inventory, play) and %s s of ping (%s ms per "
                "host), %s s of CPU. The converged run is %s s outside tasks, then %s s argument validation, %s s status "
                "task and %s s summary (%s ms per host over its 3 tasks), %s s of CPU: %sx the baseline."
                % (k, fmt(bt.get("outside")), fmt(bt.get("ping")), fmt(bt.get("ping", 0) / k * 1000, 0), fmt(base.get("cpu")),
                   fmt(ct.get("outside")), fmt(ct.get("validate")), fmt(ct.get("status")), fmt(ct.get("summary")),
                   fmt((ct.get("validate", 0) + ct.get("status", 0) + ct.get("summary", 0)) / k * 1000, 0),
                   fmt(conv.get("cpu")), fmt(row["conv_ratio"])))
        if "one_task" in row:
            text += (" One wolkvox_agent_status task per host without the role does the same converged work in %s s "
                     "(its task %s s, %s s of CPU, %sx the baseline)."
                     % (fmt(row["one_task"]["wall"]), fmt(row["one_task"]["tasks"].get("status")),
                        fmt(row["one_task"].get("cpu")), fmt(row["one_task_ratio"])))
        text += (" Applying, the status task takes %s s for %d changes per operation (floor %s s) and the summary %s s."
                 % (fmt(at.get("status")), row["agents"], fmt(row["floor"]), fmt(at.get("summary"))))
        lines.append(text)
    for row in fleet:
        k, base, conv, app = row["ops"], row["baseline"], row["converged"], row["apply"]
        role_tasks = sum(conv["tasks"].get(t, 0.0) for t in ("validate", "status", "summary"))
        if row["conv_ratio"] > TARGETS["fleet_converged"]:
            text = ("- **Why the converged run misses at K=%d** (%sx): it takes %s s more than the baseline; its three "
                    "tasks per host take %s s against %s s for the one ping task"
                    % (k, fmt(row["conv_ratio"], 3), fmt(conv["wall"] - base["wall"]), fmt(role_tasks),
                       fmt(base["tasks"].get("ping"))))
            if "one_task" in row:
                text += ("; the same API work as one plain task per host takes %s s (%sx the baseline), so the role's "
                         "argument validation (%s s) and summary task (%s s) and the extra time of its status task "
                         "(%s s against %s s) are what exceed the target"
                         % (fmt(row["one_task"]["tasks"].get("status")), fmt(row["one_task_ratio"]),
                            fmt(conv["tasks"].get("validate")), fmt(conv["tasks"].get("summary")),
                            fmt(conv["tasks"].get("status")), fmt(row["one_task"]["tasks"].get("status"))))
            lines.append(text + ".")
        if row["apply_ratio"] > TARGETS["fleet_apply"]:
            lines.append(
                "- **Why the applying run misses at K=%d** (%sx): its status task takes %s s for a floor of %s s "
                "(%d operations x %d changes in flight at most %d per token, on %d cores shared with the simulator); "
                "argument validation %s s and summary %s s come on top, against the baseline's ping task of %s s."
                % (k, fmt(row["apply_ratio"], 3), fmt(app["tasks"].get("status")), fmt(row["floor"]), k, row["agents"],
                   app["concurrency"], os.cpu_count() or 0, fmt(app["tasks"].get("validate")),
                   fmt(app["tasks"].get("summary")), fmt(base["tasks"].get("ping"))))
    return "\n".join(lines)


def fleet_section(args, fleet, has_chart):
    """The section *Many operations in one run (fleet)* of the page."""
    if not fleet:
        return "Not measured (`--skip fleet`).\n"
    first = fleet[0]
    return """A BPO runs many operations (each its own server code and token) from one controller, often every few
minutes. For each K, an inventory of K hosts in the group `wolkvox_operations`, one per operation of the
simulator (each its own server code and token, %(agents)d agents, `wolkvox_agent_status_all: ready`,
`ansible_connection: local`), latency %(latency)g ms, `--forks %(forks)d`; in each repeat and for each K,
one after the other:

1. **baseline**: the cheapest run of that inventory, one `ansible.builtin.ping` task per host delegated to
   localhost (a module process per host);
2. **apply**: `ansible-playbook wolkvox.contact_center.apply_agent_states`, every agent in Logout, so
   %(agents)d changes per operation;
3. **converged**: the same again, nothing to send: the simulator must see exactly one request (the one read)
   per operation;
4. **one task**: one `wolkvox_agent_status` task per host (`all_agents`, `status: ready`), no role, on the
   converged floor: the same API work without the role's argument validation and summary task.

Times are the whole `ansible-playbook` run (its start-up included), medians of %(runs)d repeat(s); ratios are
medians of the ratios within each repeat. The floor of one operation is ceil(%(agents)d/2) x %(latency)g ms =
%(floor)s s (the operations run in parallel, each with its own token; the one read adds one latency more).

%(table)s

Where the time goes (medians, seconds; a task's time runs from its start to its last host's result, so with
K hosts it covers all of them; *outside tasks* is the run's wall time minus its tasks: interpreter start-up,
loading the collection, inventory, play set-up and the end):

%(breakdown)s

%(analysis)s

%(chart)s
""" % {
        "agents": first["agents"], "latency": first["latency"] * 1000, "forks": first["forks"], "runs": first["runs"],
        "floor": fmt(first["floor"]),
        "table": markdown_table(FLEET_HEADER, fleet_rows(fleet)),
        "breakdown": markdown_table(FLEET_BREAKDOWN_HEADER, fleet_breakdown_rows(fleet)),
        "analysis": fleet_analysis(fleet),
        "chart": "![Fleet benchmark chart](%s-fleet.png)" % args.name if has_chart else "No chart.",
    }
