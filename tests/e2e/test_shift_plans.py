# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shift plans, end to end: the agent_status role over an operation whose inventory holds a plan,
run at chosen instants (-e wolkvox_agent_status_at=...) the way a schedule would run it, against
the simulator: the planned states, one read per applying run, nothing at all when no entry is
active, a --check --diff preview, and malformed or contradictory plans stopped before any request."""

from __future__ import annotations

import re

import pytest

from _helpers import recap, run_fqcn, summary_lines, write_inventory

OP = "bogota_sales"  # 1001 Logout, 1002 Active breaks, 1003 Ready, 1004 Lunch, 1005 ACW
# The plan's moments need agents that are logged in and not in a contact (an agent shown as Logout
# is not sent another state; one in ACW is busy by default): 1001 and 1005 start in Training.
FLOOR = {"1001": "Training", "1005": "Training"}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
# The contract's example, weekdays only, so that the weekend has moments with no active entry.
PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "days": WEEKDAYS},
    {"agents": ["1001", "1002"], "status": "8", "from": "12:00", "to": "13:00", "days": WEEKDAYS},
    {"all_agents": True, "status": "logout", "from": "17:00", "to": "08:00", "days": WEEKDAYS},  # crosses midnight
]
# 2026-11-25 is a Wednesday, 2026-11-28 a Saturday, 2026-11-29 a Sunday.
WEDNESDAY = "2026-11-25"


def plan_inventory(tmp_path, sim, plan=None, extra=None):
    host_vars = {
        "wolkvox_agent_status_plan": PLAN if plan is None else plan,
        "wolkvox_agent_status_timezone": "America/Bogota",
        "wolkvox_agent_status_labels": {"7": "Active breaks", "8": "Lunch", "9": "Training"},
    }
    host_vars.update(extra or {})
    sim.set_agents(OP, FLOOR)
    sim.reset(state=False)
    return write_inventory(tmp_path, sim, {OP: host_vars})


def run_at(sim, tmp_path, inventory, at, *args):
    return run_fqcn(sim, tmp_path, "apply_agent_states", "-e", "wolkvox_agent_status_at=%s" % at, *args,
                    inventory=inventory)


def sent(stats):
    return sorted((entry["agent_id"], entry["status"]) for entry in stats["log"] if entry["kind"] == "change_status")


def test_the_plan_is_applied_at_each_moment_with_one_read(fresh, tmp_path):
    inventory = plan_inventory(tmp_path, fresh)
    ids = ["1001", "1002", "1003", "1004", "1005"]
    moments = [
        # (at, expected states, summary line)
        ("%sT09:00" % WEDNESDAY, dict((aid, "Ready") for aid in ids),
         "4 changed, 1 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents"),
        ("%sT12:30" % WEDNESDAY, dict((aid, "Lunch" if aid in ("1001", "1002") else "Ready") for aid in ids),
         "2 changed, 3 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents"),
        # 18:00 in Bogota (UTC-5), given as a UTC instant: the offset wins over the time zone.
        ("%sT23:00:00Z" % WEDNESDAY, dict((aid, "Logout") for aid in ids),
         "5 changed, 0 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents"),
    ]
    for at, expected, line in moments:
        fresh.reset(state=False)
        before = fresh.state(OP)
        run = run_at(fresh, tmp_path, inventory, at)
        assert run.rc == 0, run.output[-3000:]
        # The summary line names the instant evaluated, local to the plan's time zone.
        local = "%s 18:00" % WEDNESDAY if at.endswith("Z") else at.replace("T", " ")
        assert summary_lines(run.stdout)[OP] == "%s; plan at %s (America/Bogota)" % (line, local), (at, run.stdout[-2000:])
        assert fresh.state(OP) == expected, at
        stats = fresh.stats()
        assert stats["requests"]["agents"] == 1, at  # one read per applying run
        wanted = dict((aid, "8" if label == "Lunch" else label.lower()) for aid, label in expected.items())
        assert sent(stats) == sorted((aid, wanted[aid]) for aid in ids if before[aid] != expected[aid]), at

    # The schedule runs again at the same moment: converged, one request.
    fresh.reset(state=False)
    again = run_at(fresh, tmp_path, inventory, "%sT18:05" % WEDNESDAY)
    assert again.rc == 0, again.output[-3000:]
    assert recap(again.output)[OP]["changed"] == 0
    assert fresh.stats()["total"] == 1


def test_a_moment_with_no_active_entry_makes_no_request(fresh, tmp_path):
    inventory = plan_inventory(tmp_path, fresh)
    before = fresh.state(OP)
    run = run_at(fresh, tmp_path, inventory, "2026-11-29T12:00")  # a Sunday: no entry has that day
    assert run.rc == 0, run.output[-3000:]
    line = summary_lines(run.stdout)[OP]
    assert "no plan entry is active" in line and "nothing read, nothing sent" in line, line
    assert recap(run.output)[OP]["changed"] == 0
    assert fresh.stats()["total"] == 0
    assert fresh.state(OP) == before

    # The evening window of Friday crosses midnight and belongs to Friday: Saturday 07:30 is still in it.
    run = run_at(fresh, tmp_path, inventory, "2026-11-28T07:30", "--check")
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)[OP].startswith("5 would change, 0 unchanged, "), run.stdout[-2000:]
    assert fresh.stats()["requests"] == dict(fresh.stats()["requests"], agents=1, change_status=0)


def test_check_diff_previews_a_moment_of_the_plan(fresh, tmp_path):
    inventory = plan_inventory(tmp_path, fresh)
    before = fresh.state(OP)
    run = run_at(fresh, tmp_path, inventory, "%sT12:30" % WEDNESDAY, "--check", "--diff")
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)[OP] == \
        "4 would change, 1 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents (check mode: nothing sent); " \
        "plan at 2026-11-25 12:30 (America/Bogota)"
    assert "--- before: bogota_sales (server 0042)" in run.stdout
    for agent, was, will in [("1001 Ana Gomez", "Training", "Lunch"), ("1002 Luis Perez", "Active breaks", "Lunch"),
                             ("1004 Jorge Díaz", "Lunch", "Ready"), ("1005 Sofia Leon", "Training", "Ready")]:
        assert re.search(r"^-%s +%s\n\+%s +%s$" % (agent, was, agent, will), run.stdout, re.M), (agent, run.stdout)
    assert "1003 Marta Ruiz" not in run.stdout  # already Ready: not in the diff
    stats = fresh.stats()
    assert stats["requests"]["change_status"] == 0 and stats["requests"]["agents"] == 1
    assert fresh.state(OP) == before


@pytest.mark.parametrize("plan, extra, needles", [
    (
        [dict(PLAN[0], **{"from": "8:00"})] + PLAN[1:], {},
        ["wolkvox_agent_status_plan[0]", "'from'", "'8:00'"],
    ),
    (
        [{"agents": ["1001"], "status": "ready", "from": "08:00", "to": "17:00"},
         {"agents": ["1001"], "status": "logout", "from": "12:00", "to": "13:00"}], {},
        ["wolkvox_agent_status_plan entries 0 and 1", "agent 1001"],
    ),
    # A plan is used instead of the other forms, not with them.
    (PLAN, {"wolkvox_agent_status_all": "ready"}, ["set only one of"]),
], ids=["malformed-from", "conflicting-entries", "plan-and-all"])
def test_a_bad_plan_fails_before_any_request(fresh, tmp_path, plan, extra, needles):
    inventory = plan_inventory(tmp_path, fresh, plan, extra)
    run = run_at(fresh, tmp_path, inventory, "%sT12:30" % WEDNESDAY)
    assert run.rc != 0
    for needle in needles:
        assert needle in run.output, (needle, run.output[-3000:])
    assert recap(run.output)[OP]["failed"] == 1
    assert fresh.stats()["total"] == 0


def test_a_ready_window_with_except_from_leaves_self_taken_breaks_alone_and_watch_only_entries_are_never_sent(
        fresh, tmp_path):
    # 1001 Training, 1002 Active breaks (7, a break taken by the agent), 1003 Ready, 1004 Lunch (8),
    # 1005 Training. The ready window leaves agents on a break (7) or at lunch (8) alone; a watch-only
    # entry says where 1005 should be (9, Training) and is never sent.
    plan = [
        {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "except_from": ["7", "8"]},
        {"agents": ["1005"], "status": "9", "from": "08:00", "to": "17:00", "enforce": False},
    ]
    inventory = plan_inventory(tmp_path, fresh, plan=plan)
    before = fresh.state(OP)
    run = run_at(fresh, tmp_path, inventory, "%sT10:00" % WEDNESDAY)
    assert run.rc == 0, run.output[-3000:]
    after = fresh.state(OP)
    assert after == dict(before, **{"1001": "Ready"}), after  # only 1001 moved
    stats = fresh.stats()
    assert sent(stats) == [("1001", "ready")]  # 1005 (watch only) and the agents on a break: nothing sent
    assert stats["requests"]["agents"] == 1
    assert summary_lines(run.stdout)[OP] == (
        "1 changed, 1 unchanged, 2 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 4 agents; "
        "plan at 2026-11-25 10:00 (America/Bogota); skipped: 1002 Luis Perez (except_from: Active breaks), "
        "1004 Jorge Díaz (except_from: Lunch)")

    # Only the watch-only entry is active: nothing read, nothing sent, and the line says why.
    fresh.reset(state=False)
    run = run_at(fresh, tmp_path, inventory, "%sT18:00" % WEDNESDAY, "-e",
                 '{"wolkvox_agent_status_plan": [{"agents": ["1005"], "status": "9", "from": "17:00", "to": "19:00", '
                 '"enforce": false}]}')
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)[OP] == ("no plan entry is active at 2026-11-25 18:00 (America/Bogota) "
                                             "(but 1 watch-only entry, never sent): nothing read, nothing sent")
    assert fresh.stats()["total"] == 0
