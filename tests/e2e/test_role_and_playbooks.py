# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The agent_status role and the playbooks, run by FQCN from an installed build of the collection,
against the simulator: the demo inventory (three operations, two server codes, vaulted tokens) and
inventories written by the tests."""

from __future__ import annotations

import csv
import json
import re

import pytest

from _helpers import demo_vars, folded_counts, recap, run_fqcn, summary_lines, write_inventory
from conftest import TOKENS

OPERATIONS = sorted(TOKENS)
READY, LOGOUT = "ready", "logout"
# The demo inventory's busy_states (group_vars/wolkvox_operations.yml), folded.
DEMO_BUSY = ("talk", "acw", "on call", "ringing")


def expected_label(status, labels):
    return {READY: "Ready", LOGOUT: "Logout"}.get(status) or labels[status]


def expected_after(was, status, labels):
    """What an agent shows after the role asked for ``status`` with the demo's settings: an agent
    shown as Logout is not sent another state (logged_out_policy skip), a busy one is left alone
    (busy_policy skip), every other one gets its state."""
    wanted = expected_label(status, labels)
    folded = was.strip().casefold()
    if folded == wanted.casefold():
        return was
    if (folded == "logout" and status != LOGOUT) or folded in DEMO_BUSY:
        return was
    return wanted


def test_role_converges_every_operation_then_reruns_with_changed_0(fresh, tmp_path):
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    first = run_fqcn(fresh, tmp_path, "apply_agent_states")
    assert first.rc == 0, first.output[-3000:]
    hosts = recap(first.output)
    assert sorted(hosts) == OPERATIONS
    assert all(h["changed"] == 1 and h["failed"] == 0 for h in hosts.values()), hosts

    # Operations with a desired-state list: every listed agent is in its state, except those shown
    # as Logout (the API cannot log an agent in: skipped) and those in a contact (busy: skipped).
    for op in ("bogota_sales", "bogota_support"):
        wanted = demo_vars(op)
        after = fresh.state(op)
        for entry in wanted["wolkvox_agent_status_agents"]:
            was = before[op][entry["agent_id"]]
            assert after[entry["agent_id"]] == expected_after(was, entry["status"], wanted["wolkvox_agent_status_labels"])
    # The demo floor: 1001 (ready wanted) and 2001, 2003 stay logged out, 1005 stays in after-call work.
    assert fresh.state("bogota_sales") == dict(before["bogota_sales"], **{"1004": "Training"})
    assert fresh.state("bogota_sales")["1001"] == "Logout" and fresh.state("bogota_sales")["1005"] == "ACW"
    assert fresh.state("bogota_support") == {"2001": "Logout", "2002": "Training", "2003": "Logout"}
    # medellin: wolkvox_agent_status_all ready, only from Active breaks (12) and Feedback (13).
    medellin = demo_vars("medellin_collections")
    assert medellin["wolkvox_agent_status_all"] == READY
    moved = [aid for aid, label in before["medellin_collections"].items()
             if label.strip().lower() in ("active breaks", "feedback")]
    assert moved == ["3002", "3004"]
    after = fresh.state("medellin_collections")
    for aid, label in before["medellin_collections"].items():
        assert after[aid] == ("Ready" if aid in moved else label)

    # One summary line per operation, with its counts.
    lines = summary_lines(first.stdout)
    assert sorted(lines) == OPERATIONS
    # 3001 is already Ready: unchanged, whatever only_from says; 3003 is logged out, which comes
    # before only_from in the contract's precedence order.
    assert lines["medellin_collections"] == ("2 changed, 1 unchanged, 1 skipped (0 busy, 1 logged out), 0 pending, "
                                             "0 failed of 4 agents; skipped: 3003 Elena Paz (logged_out: Logout)")
    assert lines["bogota_sales"] == (
        "1 changed, 2 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 5 agents; "
        "skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)")
    assert lines["bogota_support"] == (
        "1 changed, 0 unchanged, 2 skipped (0 busy, 2 logged out), 0 pending, 0 failed of 3 agents; "
        "skipped: 2001 Pedro Mora (logged_out: Logout), 2003 Iván Soto (logged_out: Logout)")
    # The demo inventory places every label its agents show: no warning about unplaced labels.
    assert "cannot place" not in first.output, first.output[-3000:]
    stats = fresh.stats()
    assert max(stats["max_concurrency"].values()) <= 2 and stats["busy_rejections"] == {}

    fresh.reset(state=False)
    second = run_fqcn(fresh, tmp_path, "apply_agent_states")
    assert second.rc == 0, second.output[-3000:]
    again = recap(second.output)
    assert sorted(again) == OPERATIONS
    assert all(h["changed"] == 0 and h["failed"] == 0 for h in again.values()), again
    stats = fresh.stats()
    assert stats["requests"]["change_status"] == 0
    # One read per operation, also for the one that uses wolkvox_agent_status_all: a converged run
    # costs exactly one request per operation.
    assert stats["requests"]["agents"] == len(OPERATIONS)
    assert stats["total"] == len(OPERATIONS)
    assert all(line.startswith("0 changed, ") for line in summary_lines(second.stdout).values())


def test_check_mode_through_the_role_sends_nothing(fresh, tmp_path):
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "--check", "--diff")
    assert run.rc == 0, run.output[-3000:]
    assert recap(run.output)["bogota_sales"]["changed"] == 1
    assert "(check mode: nothing sent)" in summary_lines(run.stdout)["bogota_sales"]
    # the diff: each agent's before and after together, with its name, under the operation's name
    assert "--- before: bogota_sales (server 0042)" in run.stdout
    assert re.search(r"^-1004 Jorge Díaz +Lunch\n\+1004 Jorge Díaz +Training$", run.stdout, re.M), run.stdout
    # Skipped agents (1001 logged out, 1005 in after-call work) are not in the diff: nothing would be sent.
    assert not re.search(r"^[-+](1001|1005) ", run.stdout, re.M), run.stdout
    assert summary_lines(run.stdout)["bogota_sales"] == (
        "1 would change, 2 unchanged, 2 skipped (1 busy, 1 logged out), 0 pending, 0 failed of 5 agents "
        "(check mode: nothing sent); skipped: 1001 Ana Gomez (logged_out: Logout), 1005 Sofia Leon (busy: ACW)")
    assert fresh.stats()["requests"]["change_status"] == 0
    assert dict((op, fresh.state(op)) for op in OPERATIONS) == before


def test_the_role_passes_logged_out_policy_and_busy_states_through(fresh, tmp_path):
    # The demo floor with both protections turned off by role variables: 1001 (Logout) is sent its
    # ready, 1005 (ACW) its logout, and the run warns that ACW is a label no setting places.
    overrides = {"wolkvox_agent_status_logged_out_policy": "send", "wolkvox_agent_status_busy_states": []}
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=bogota_sales", "-e", json.dumps(overrides))
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)["bogota_sales"] == \
        "3 changed, 2 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents"
    assert sorted(e["agent_id"] for e in fresh.stats()["log"] if e["kind"] == "change_status") == ["1001", "1004", "1005"]
    assert fresh.state("bogota_sales") == {"1001": "Ready", "1002": "Active breaks", "1003": "Ready",
                                           "1004": "Training", "1005": "Logout"}
    assert "'ACW' (1 agent)" in run.output and "add it to busy_states" in run.output, run.output[-3000:]


def test_target_limits_the_operations(fresh, tmp_path):
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=server_0117")
    assert run.rc == 0, run.output[-3000:]
    assert sorted(recap(run.output)) == ["medellin_collections"]
    # The operations of server 0042 are untouched (bogota_sales' 1004 would have moved to Training).
    assert fresh.state("bogota_sales") == before["bogota_sales"] and fresh.state("bogota_support") == before["bogota_support"]
    assert fresh.state("medellin_collections") != before["medellin_collections"]
    assert set(entry["server"] for entry in fresh.stats()["log"]) == {"0117"}


def test_connection_settings_reach_the_modules(fresh, tmp_path):
    # wolkvox_max_concurrency: 1 -> never two requests at once; wolkvox_retries: 0 -> a 503 is final.
    # 1001 and 1005 logged in and idle (Training, Lunch), so that four changes are sent.
    fresh.set_agents("bogota_sales", {"1001": "Training", "1005": "Lunch"})
    fresh.reset(state=False)
    fresh.config(latency=0.01)
    fresh.fault("http", count=1, match="change_status", status=503, agent_id="1001")
    overrides = {"wolkvox_agent_status_agents": [], "wolkvox_agent_status_all": "ready",
                 "wolkvox_max_concurrency": 1, "wolkvox_retries": 0}
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=bogota_sales", "-e", json.dumps(overrides))
    assert run.rc != 0
    assert summary_lines(run.stdout)["bogota_sales"].startswith(
        "3 changed, 1 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 1 failed of 5 agents; 1 of 5 agents failed: "
        "1 agent (1001): "), run.stdout[-3000:]
    stats = fresh.stats()
    assert max(stats["max_concurrency"].values()) == 1
    assert stats["requests"]["change_status"] == 4


def test_all_with_only_from_moves_only_the_agents_in_those_states(fresh, tmp_path):
    before = fresh.state("bogota_sales")
    overrides = {"wolkvox_agent_status_agents": [], "wolkvox_agent_status_all": "logout",
                 "wolkvox_agent_status_only_from": ["7", "Lunch"]}
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=bogota_sales", "-e", json.dumps(overrides))
    assert run.rc == 0, run.output[-3000:]
    movers = sorted(aid for aid, label in before.items() if label in ("Active breaks", "Lunch"))
    assert movers == ["1002", "1004"]
    after = fresh.state("bogota_sales")
    assert after == dict((aid, "Logout" if aid in movers else label) for aid, label in before.items())
    sent = sorted(entry["agent_id"] for entry in fresh.stats()["log"] if entry["kind"] == "change_status")
    assert sent == movers
    # 1001 is already logged out (unchanged); 1005 in ACW is left alone by only_from, which comes first.
    assert summary_lines(run.stdout)["bogota_sales"] == (
        "2 changed, 1 unchanged, 2 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 5 agents; "
        "skipped: 1003 Marta Ruiz (only_from: Ready), 1005 Sofia Leon (only_from: ACW)")


def test_all_reaches_agents_that_no_list_names(fresh, tmp_path):
    # 40 more agents appear in the operation: wolkvox_agent_status_all finds them in the task's one read.
    fresh.set_agents("bogota_support", generate=40, status="Break", start=7000)
    fresh.reset(state=False)
    inventory = write_inventory(tmp_path, fresh, {"bogota_support": {"wolkvox_agent_status_all": "ready",
                                                                     "wolkvox_agent_status_labels": {"3": "Break"}}})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    after = fresh.state("bogota_support")
    assert len(after) == 43
    # Every agent shown as Break is Ready now; 2001 and 2003 (Logout) are skipped: the API cannot log them in.
    assert after == dict((aid, "Logout" if aid in ("2001", "2003") else "Ready") for aid in after)
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 1 and stats["requests"]["change_status"] == 41
    assert sorted(e["agent_id"] for e in stats["log"] if e["kind"] == "change_status") == \
        sorted(aid for aid in after if aid not in ("2001", "2003"))
    assert summary_lines(run.stdout)["bogota_support"] == (
        "41 changed, 0 unchanged, 2 skipped (0 busy, 2 logged out), 0 pending, 0 failed of 43 agents; "
        "skipped: 2001 Pedro Mora (logged_out: Logout), 2003 Iván Soto (logged_out: Logout)")


def test_logout_agents_logs_out_exactly_the_agents_not_logged_out(fresh, tmp_path):
    # 3003 Ready (like 3001): not in medellin's only_from, which the end of shift does not apply.
    fresh.set_agents("medellin_collections", {"3003": "Ready"})
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    # Every agent not logged out, except those in a contact: 1005 (ACW) keeps its after-call work.
    expected = sorted(aid for agents in before.values() for aid, label in agents.items()
                      if label.strip().lower() not in ("logout",) + DEMO_BUSY)
    assert before["bogota_sales"]["1005"] == "ACW" and "1005" not in expected
    fresh.reset(state=False)
    run = run_fqcn(fresh, tmp_path, "logout_agents")
    assert run.rc == 0, run.output[-3000:]
    for op in OPERATIONS:
        assert fresh.state(op) == dict((aid, label if label.strip().lower() in DEMO_BUSY else "Logout")
                                       for aid, label in before[op].items()), op
    stats = fresh.stats()
    sent = stats["log"]
    assert sorted(e["agent_id"] for e in sent if e["kind"] == "change_status") == expected
    assert set(e["status"] for e in sent if e["kind"] == "change_status") == {"logout"}
    # logout_agents verifies: per operation the read and, since each changed something, one more read.
    assert stats["requests"]["agents"] == 2 * len(OPERATIONS)
    assert stats["requests"]["change_status"] == len(expected)
    assert stats["total"] == 2 * len(OPERATIONS) + len(expected)
    # The desired-state lists and only_from of the inventory do not apply to the end of shift.
    assert [label for label in before["medellin_collections"].values() if label.lower() == "logout"] == []
    lines = summary_lines(run.stdout)
    assert lines["medellin_collections"] == "4 changed, 0 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 4 agents"
    assert lines["bogota_sales"] == ("3 changed, 1 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, "
                                     "0 failed of 5 agents; skipped: 1005 Sofia Leon (busy: ACW)")
    assert lines["bogota_support"] == "1 changed, 2 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents"

    fresh.reset(state=False)
    again = run_fqcn(fresh, tmp_path, "logout_agents")
    assert again.rc == 0, again.output[-3000:]
    assert all(h["changed"] == 0 for h in recap(again.output).values())
    stats = fresh.stats()
    # Nothing changed, so nothing to verify: one read per operation, no change.
    assert stats["requests"]["change_status"] == 0
    assert stats["requests"]["agents"] == len(OPERATIONS) and stats["total"] == len(OPERATIONS)
    assert summary_lines(again.stdout)["bogota_sales"] == (
        "0 changed, 4 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 5 agents; "
        "skipped: 1005 Sofia Leon (busy: ACW)")


def test_report_writes_counts_that_match_the_simulator(fresh, tmp_path):
    fresh.set_agents("bogota_sales", {"1001": "Ready", "1005": "Lunch"})
    fresh.set_agents("medellin_collections", {"3005": "ACTIVE BREAKS"})
    fresh.reset(state=False)
    report_dir = tmp_path / "out" / "reports"
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "-e", "wolkvox_report_dir=%s" % report_dir)
    assert run.rc == 0, run.output[-3000:]
    stats = fresh.stats()
    assert stats["requests"]["change_status"] == 0 and stats["requests"]["agents"] == len(OPERATIONS)
    truth = dict((op, fresh.state(op)) for op in OPERATIONS)

    data = json.loads((report_dir / "agent-states.json").read_text())
    assert data["total"] == sum(len(agents) for agents in truth.values())
    assert data["unreadable"] == []
    operations = dict((entry["operation"], entry) for entry in data["operations"])
    assert sorted(operations) == OPERATIONS
    for op in OPERATIONS:
        entry = operations[op]
        assert entry["server"] == TOKENS[op][0]
        assert entry["count"] == len(truth[op])
        per_agent = dict((a["agent_id"], a["status"]) for a in entry["agents"])
        assert sorted(per_agent) == sorted(truth[op])
        assert folded_counts(per_agent) == folded_counts(truth[op])
        assert dict((k.casefold(), v) for k, v in entry["by_status"].items()) == folded_counts(truth[op])
    # "active breaks " and "ACTIVE BREAKS" are one state, named by the operation's status_labels.
    assert operations["medellin_collections"]["by_status"]["Active breaks"] == 2

    with open(report_dir / "agent-states.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for op in OPERATIONS:
        states = dict((row["agent_id"], row["status"]) for row in rows if row["operation"] == op)
        assert sorted(states) == sorted(truth[op])
        assert folded_counts(states) == folded_counts(truth[op])

    markdown = (report_dir / "agent-states.md").read_text(encoding="utf-8")
    assert "## bogota_sales (server 0042): 5 agents" in markdown
    assert "| Ready | 2 | 1001 Ana Gomez, 1003 Marta Ruiz |" in markdown
    # Names with accents survive the API's text/html answers (read as UTF-8).
    assert "| Lunch | 2 | 1004 Jorge Díaz, 1005 Sofia Leon |" in markdown
    # The same table on screen.
    assert "1005 Sofia Leon |" in run.stdout
    # No personal document numbers in the report.
    assert "agent_dni" not in (report_dir / "agent-states.json").read_text()


def test_report_default_dir_and_chosen_formats(fresh, tmp_path):
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "-e", '{"wolkvox_report_formats": ["csv"]}',
                   "-e", "target=site_bogota")
    assert run.rc == 0, run.output[-3000:]
    # Relative to where ansible-playbook runs (the test's directory), not to the installed collection.
    assert sorted(p.name for p in (tmp_path / "wolkvox-report").iterdir()) == ["agent-states.csv"]
    rows = list(csv.DictReader((tmp_path / "wolkvox-report" / "agent-states.csv").open()))
    assert sorted(set(row["operation"] for row in rows)) == ["bogota_sales", "bogota_support"]


def test_one_failing_operation_does_not_stop_the_others(fresh, tmp_path):
    # 1003 and 3001 are Ready (logged in, no contact): each is sent its logout.
    inventory = write_inventory(tmp_path, fresh, {
        "bogota_sales": {"wolkvox_agent_status_agents": [{"agent_id": "1003", "status": "logout"},
                                                         {"agent_id": "4242", "status": "logout"}]},
        "medellin_collections": {"wolkvox_agent_status_agents": [{"agent_id": "3001", "status": "logout"}]},
        # a revoked token: the info read fails
        "bogota_support": {"wolkvox_token": "sim-token-revoked", "wolkvox_agent_status_all": "ready"},
    })
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc != 0
    hosts = recap(run.output)
    assert hosts["bogota_sales"]["failed"] == 1 and hosts["bogota_support"]["failed"] == 1
    assert hosts["medellin_collections"]["failed"] == 0 and hosts["medellin_collections"]["changed"] == 1
    lines = summary_lines(run.stdout)
    assert lines["bogota_sales"].startswith(
        "1 changed, 0 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 1 failed of 2 agents; 1 of 2 agents failed: ")
    assert lines["bogota_support"].startswith("reading the agents list failed: ") and \
        "authentication failed" in lines["bogota_support"]
    assert "4242 does not exist" in run.output
    assert fresh.state("bogota_sales")["1003"] == "Logout" and fresh.state("medellin_collections")["3001"] == "Logout"


@pytest.mark.parametrize("host_vars, needle", [
    # argument_specs: wrong types and shapes
    ({"wolkvox_agent_status_agents": {"agent_id": "1001", "status": "ready"}}, "wolkvox_agent_status_agents"),
    ({"wolkvox_agent_status_agents": [{"agent_id": "1001"}]}, "status"),
    ({"wolkvox_agent_status_agents": [{"agent_id": "1001", "state": "ready"}]}, "state"),
    ({"wolkvox_agent_status_all": "ready", "wolkvox_agent_status_only_from": "7"}, "wolkvox_agent_status_only_from"),
    ({"wolkvox_agent_status_all": "ready", "wolkvox_agent_status_labels": ["7"]}, "wolkvox_agent_status_labels"),
    ({"wolkvox_agent_status_all": "ready", "wolkvox_server": None}, "wolkvox_server"),
    # the role's own checks, also before any request
    ({"wolkvox_agent_status_agent": [{"agent_id": "1001", "status": "ready"}]},
     "set one of wolkvox_agent_status_agents (a list of {agent_id, status}), wolkvox_agent_status_all"),
    ({"wolkvox_agent_status_all": "ready", "wolkvox_agent_status_agents": [{"agent_id": "1001", "status": "ready"}]},
     "set only one of"),
    ({"wolkvox_agent_status_all": "redy"}, "with status 'redy' is not valid"),
    ({"wolkvox_agent_status_all": "ready", "wolkvox_agent_status_only_from": ["7"]},
     "only_from (role variable wolkvox_agent_status_only_from) has the state ID '7', which has no label"),
    # the module's own checks (no info read for a list)
    ({"wolkvox_agent_status_agents": [{"agent_id": "10x1", "status": "ready"}]}, "'10x1'"),
])
def test_bad_input_fails_before_any_request(fresh, tmp_path, host_vars, needle):
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": host_vars})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc != 0
    assert needle in run.output, run.output[-3000:]
    assert recap(run.output)["bogota_sales"]["failed"] == 1
    assert fresh.stats()["total"] == 0


def test_report_lists_an_operation_that_cannot_be_read_and_reports_the_others(fresh, tmp_path):
    inventory = write_inventory(tmp_path, fresh, {
        "bogota_sales": {}, "bogota_support": {"wolkvox_token": "sim-token-revoked"}, "medellin_collections": {}})
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "-e", "report_dir=report", inventory=inventory)
    assert run.rc != 0
    data = json.loads((tmp_path / "report" / "agent-states.json").read_text())
    assert data["unreadable"] == ["bogota_support"]
    assert sorted(op["operation"] for op in data["operations"]) == ["bogota_sales", "medellin_collections"]
    assert data["total"] == len(fresh.state("bogota_sales")) + len(fresh.state("medellin_collections"))
    assert "Could not be read: bogota_support" in (tmp_path / "report" / "agent-states.md").read_text()


def test_report_in_check_mode_reads_and_writes_nothing(fresh, tmp_path):
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "--check", "-e", "report_dir=report")
    assert run.rc == 0, run.output[-3000:]
    assert "| Ready | 1 | 1003 Marta Ruiz |" in run.stdout
    assert not (tmp_path / "report").exists()
    assert fresh.stats()["requests"]["change_status"] == 0
