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

from conftest import TOKENS
from _helpers import demo_vars, folded_counts, recap, run_fqcn, summary_lines, write_inventory

OPERATIONS = sorted(TOKENS)
READY, LOGOUT = "ready", "logout"


def expected_label(status, labels):
    return {READY: "Ready", LOGOUT: "Logout"}.get(status) or labels[status]


def test_role_converges_every_operation_then_reruns_with_changed_0(fresh, tmp_path):
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    first = run_fqcn(fresh, tmp_path, "apply_agent_states")
    assert first.rc == 0, first.output[-3000:]
    hosts = recap(first.output)
    assert sorted(hosts) == OPERATIONS
    assert all(h["changed"] == 1 and h["failed"] == 0 for h in hosts.values()), hosts

    # Operations with a desired-state list: every listed agent is in its state, the rest untouched.
    for op in ("bogota_sales", "bogota_support"):
        wanted = demo_vars(op)
        after = fresh.state(op)
        for entry in wanted["wolkvox_agent_status_agents"]:
            assert after[entry["agent_id"]] == expected_label(entry["status"], wanted["wolkvox_agent_status_labels"])
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
    # 3001 is already Ready: unchanged, whatever only_from says (the contract's precedence order).
    assert lines["medellin_collections"] == "2 changed, 1 unchanged, 1 skipped (0 busy), 0 pending, 0 failed of 4 agents"
    assert lines["bogota_sales"].endswith("0 skipped (0 busy), 0 pending, 0 failed of 5 agents")
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
    assert re.search(r"^-1001 Ana Gomez +Logout\n\+1001 Ana Gomez +Ready$", run.stdout, re.M), run.stdout
    assert fresh.stats()["requests"]["change_status"] == 0
    assert dict((op, fresh.state(op)) for op in OPERATIONS) == before


def test_target_limits_the_operations(fresh, tmp_path):
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=server_0117")
    assert run.rc == 0, run.output[-3000:]
    assert sorted(recap(run.output)) == ["medellin_collections"]
    assert fresh.state("bogota_sales")["1001"] == "Logout"
    assert set(entry["server"] for entry in fresh.stats()["log"]) == {"0117"}


def test_connection_settings_reach_the_modules(fresh, tmp_path):
    # wolkvox_max_concurrency: 1 -> never two requests at once; wolkvox_retries: 0 -> a 503 is final.
    fresh.config(latency=0.01)
    fresh.fault("http", count=1, match="change_status", status=503, agent_id="1001")
    overrides = {"wolkvox_agent_status_agents": [], "wolkvox_agent_status_all": "ready",
                 "wolkvox_max_concurrency": 1, "wolkvox_retries": 0}
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-e", "target=bogota_sales", "-e", json.dumps(overrides))
    assert run.rc != 0
    assert summary_lines(run.stdout)["bogota_sales"].startswith("3 changed, 1 unchanged, 0 skipped (0 busy), 0 pending, 1 failed of 5 agents; ")
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
    assert summary_lines(run.stdout)["bogota_sales"] == "2 changed, 1 unchanged, 2 skipped (0 busy), 0 pending, 0 failed of 5 agents"


def test_all_reaches_agents_that_no_list_names(fresh, tmp_path):
    # 40 more agents appear in the operation: wolkvox_agent_status_all finds them in the task's one read.
    fresh.set_agents("bogota_support", generate=40, status="Break", start=7000)
    fresh.reset(state=False)
    inventory = write_inventory(tmp_path, fresh, {"bogota_support": {"wolkvox_agent_status_all": "ready"}})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    assert set(fresh.state("bogota_support").values()) == {"Ready"}
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 1 and stats["requests"]["change_status"] == 43
    assert summary_lines(run.stdout)["bogota_support"] == "43 changed, 0 unchanged, 0 skipped (0 busy), 0 pending, 0 failed of 43 agents"


def test_logout_agents_logs_out_exactly_the_agents_not_logged_out(fresh, tmp_path):
    fresh.set_agents("medellin_collections", {"3003": "ACW"})
    before = dict((op, fresh.state(op)) for op in OPERATIONS)
    expected = sorted(aid for agents in before.values() for aid, label in agents.items()
                      if label.strip().lower() != "logout")
    fresh.reset(state=False)
    run = run_fqcn(fresh, tmp_path, "logout_agents")
    assert run.rc == 0, run.output[-3000:]
    for op in OPERATIONS:
        assert set(fresh.state(op).values()) == {"Logout"}, op
    sent = fresh.stats()["log"]
    assert sorted(e["agent_id"] for e in sent if e["kind"] == "change_status") == expected
    assert set(e["status"] for e in sent if e["kind"] == "change_status") == {"logout"}
    # The desired-state lists and only_from of the inventory do not apply to the end of shift.
    assert [label for label in before["medellin_collections"].values() if label.lower() == "logout"] == []
    assert summary_lines(run.stdout)["medellin_collections"] == "4 changed, 0 unchanged, 0 skipped (0 busy), 0 pending, 0 failed of 4 agents"

    fresh.reset(state=False)
    again = run_fqcn(fresh, tmp_path, "logout_agents")
    assert all(h["changed"] == 0 for h in recap(again.output).values())
    assert fresh.stats()["requests"]["change_status"] == 0


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
    inventory = write_inventory(tmp_path, fresh, {
        "bogota_sales": {"wolkvox_agent_status_agents": [{"agent_id": "1001", "status": "ready"},
                                                         {"agent_id": "4242", "status": "ready"}]},
        "medellin_collections": {"wolkvox_agent_status_agents": [{"agent_id": "3003", "status": "ready"}]},
        # a revoked token: the info read fails
        "bogota_support": {"wolkvox_token": "sim-token-revoked", "wolkvox_agent_status_all": "ready"},
    })
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc != 0
    hosts = recap(run.output)
    assert hosts["bogota_sales"]["failed"] == 1 and hosts["bogota_support"]["failed"] == 1
    assert hosts["medellin_collections"]["failed"] == 0 and hosts["medellin_collections"]["changed"] == 1
    lines = summary_lines(run.stdout)
    assert lines["bogota_sales"].startswith("1 changed, 0 unchanged, 0 skipped (0 busy), 0 pending, 1 failed of 2 agents; ")
    assert lines["bogota_support"].startswith("failed: ") and "Invalid token" in lines["bogota_support"]
    assert "4242 does not exist" in run.output
    assert fresh.state("bogota_sales")["1001"] == "Ready" and fresh.state("medellin_collections")["3003"] == "Ready"


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
