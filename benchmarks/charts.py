# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report's PNG charts (matplotlib, which tools/bench installs from requirements/bench.txt): the
single operation's and the fleet's. Each returns False, and the report says "No chart.", without it."""

from __future__ import annotations

from fleet_report import FLEET_TASKS
from harness import TARGETS, log


def pyplot(what):
    """matplotlib.pyplot on its file-only backend, or None (logged) when matplotlib is not installed."""
    try:
        import matplotlib  # pylint: disable=import-outside-toplevel
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    except ImportError:
        log("matplotlib is not installed: no %s (tools/bench installs it)" % what)
        return None
    return plt


def finish(axes, ticks, ylabel, title):
    """A bar chart's x ticks (positions, labels), y label, title and legend (upper left)."""
    axes.set_xticks(ticks[0])
    axes.set_xticklabels(ticks[1])
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8, loc="upper left")


def save(plt, fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def chart(path, med, floors, args):
    """The single operation: time per agent of each scenario, and time against the floor."""
    plt = pyplot("chart")
    if plt is None:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    names, values, colors = [], [], []
    for key, name, color in [("uri_loop", "uri loop", "#c0392b"), ("module_loop", "module loop", "#e67e22")] + [
            ("bulk_%d" % n, "bulk %d" % n, "#2980b9") for n in args.sizes] + [
            ("bare_%d" % max(args.sizes), "bare client %d" % max(args.sizes), "#7f8c8d")]:
        if key in med:
            names.append(name)
            values.append(med[key]["seconds"] / med[key]["n"] * 1000)
            colors.append(color)
    names.append("floor")
    values.append(args.latency / 2 * 1000)
    colors.append("#27ae60")
    left.bar(names, values, color=colors)
    left.set_yscale("log")
    left.set_ylabel("ms per agent (log scale)")
    left.set_title("Time per agent changed (latency %g ms)" % (args.latency * 1000))
    for i, v in enumerate(values):
        left.text(i, v * 1.08, "%.1f" % v, ha="center", fontsize=8)
    left.tick_params(axis="x", rotation=25)
    groups = [("bulk_%d" % n, "bare_%d" % n, "N=%d" % n) for n in args.sizes] + [("ops_one", "ops_many", "operations")]
    xs, labels = [], []
    width = 0.27
    for i, (a, b, label) in enumerate(groups):
        if a not in med or b not in med:
            continue
        xs.append(i)
        labels.append(label)
        fl = floors[a]
        ya, yb = med[a]["seconds"] / fl, med[b]["seconds"] / fl
        first = "module" if a.startswith("bulk") else "1 operation"
        second = "bare client" if a.startswith("bulk") else "%d operations" % args.ops
        right.bar(i - width, ya, width, color="#2980b9" if a.startswith("bulk") else "#16a085", label=first if i == 0 or a == "ops_one" else None)
        right.bar(i, yb, width, color="#7f8c8d" if a.startswith("bulk") else "#8e44ad", label=second if i == 0 or a == "ops_one" else None)
        right.bar(i + width, 1.0, width, color="#27ae60", label="floor" if i == 0 else None)
        for x, y in ((i - width, ya), (i, yb)):
            right.text(x, y + 0.02, "%.2f" % y, ha="center", fontsize=8)
    finish(right, (xs, labels), "time / floor", "Wall time relative to the floor ceil(N/2) x latency")
    return save(plt, fig, path)


def fleet_chart(path, fleet):
    """The fleet: wall times per K, the two ratios against their targets, and where the time goes by task."""
    plt = pyplot("fleet chart")
    if plt is None:
        return False
    ks = [r["ops"] for r in fleet]
    fig, (left, right, parts) = plt.subplots(1, 3, figsize=(18, 5.2))
    series = [
        ("baseline (ping per host)", [r["baseline"]["wall"] for r in fleet], "#7f8c8d", "o", "-"),
        ("baseline + floor", [r["baseline"]["wall"] + r["floor"] for r in fleet], "#27ae60", "", "--"),
        ("apply_agent_states, applying", [r["apply"]["wall"] for r in fleet], "#c0392b", "s", "-"),
        ("apply_agent_states, converged", [r["converged"]["wall"] for r in fleet], "#2980b9", "^", "-"),
    ]
    if all("one_task" in r for r in fleet):
        series.append(("one status task per host, no role", [r["one_task"]["wall"] for r in fleet], "#8e44ad", "x", ":"))
    for label, values, color, marker, style in series:
        left.plot(ks, values, marker=marker or None, linestyle=style, color=color, label=label)
    left.set_xticks(ks)
    left.set_xlabel("operations (inventory hosts), %d agents each, forks=%d" % (fleet[0]["agents"], fleet[0]["forks"]))
    left.set_ylabel("ansible-playbook wall time, s")
    left.set_title("One run over K operations (latency %g ms)" % (fleet[0]["latency"] * 1000))
    left.legend(fontsize=8, loc="upper left")
    left.set_ylim(bottom=0)
    right.plot(ks, [r["conv_ratio"] for r in fleet], marker="^", color="#2980b9", label="converged / baseline")
    right.plot(ks, [r["apply_ratio"] for r in fleet], marker="s", color="#c0392b", label="apply / (baseline + floor)")
    right.axhline(TARGETS["fleet_converged"], color="#2980b9", linestyle="--", linewidth=1,
                  label="target %.1f (converged)" % TARGETS["fleet_converged"])
    right.axhline(TARGETS["fleet_apply"], color="#c0392b", linestyle="--", linewidth=1,
                  label="target %.1f (apply)" % TARGETS["fleet_apply"])
    for r in fleet:
        right.text(r["ops"], r["conv_ratio"] - 0.03, "%.2f" % r["conv_ratio"], ha="center", va="top", fontsize=8,
                   color="#2980b9")
        right.text(r["ops"], r["apply_ratio"] + 0.02, "%.2f" % r["apply_ratio"], ha="center", va="bottom", fontsize=8,
                   color="#c0392b")
    right.set_xticks(ks)
    right.set_xlabel("operations")
    right.set_ylabel("ratio (medians of ratios paired within a repeat)")
    right.set_title("Against the trivial run of the same inventory")
    right.set_ylim(0, max([1.4] + [r["conv_ratio"] + 0.15 for r in fleet] + [r["apply_ratio"] + 0.15 for r in fleet]))
    right.legend(fontsize=8, loc="lower right")
    # Where the time goes: baseline and converged run side by side, stacked by task.
    width = 0.38
    colors = {"outside": "#bdc3c7", "ping": "#7f8c8d", "validate": "#f39c12", "status": "#2980b9", "summary": "#8e44ad"}
    labelled = set()
    for i, r in enumerate(fleet):
        for x, kind in ((i - width / 2, "baseline"), (i + width / 2, "converged")):
            bottom = 0.0
            for part, label in FLEET_TASKS:
                value = r[kind]["tasks"].get(part)
                if not value:
                    continue
                parts.bar(x, value, width * 0.95, bottom=bottom, color=colors[part],
                          label=label if part not in labelled else None)
                labelled.add(part)
                bottom += value
            parts.text(x, bottom + 0.05, "ping" if kind == "baseline" else "conv.", ha="center", fontsize=7)
    finish(parts, (range(len(fleet)), ["K=%d" % k for k in ks]), "s (medians; a task's time spans all its hosts)",
           "Baseline and converged run, by task")
    return save(plt, fig, path)
