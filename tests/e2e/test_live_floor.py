# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live-floor safety, end to end: the precedence order of the contract (excluded, disabled,
missing, already desired, only_from / except_from, busy), each busy policy against agents that are
really in a contact on the simulator, verify against a deferring operation, check mode, whole
operations (all_agents), the role and the end-of-shift playbook, and a state the API refuses.

What the simulator recorded (its change log, its request log, the contacts it cut) is the
evidence: a test asserts what reached the API, not only what the module says."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.request

from _helpers import by_agent, recap, run_fqcn, summary_lines, write_inventory
from conftest import ROOT, SimulatorProcess, run_tasks, status_task

OP = "bogota_sales"
BUSY = ["On call", "Ringing", "ACW"]
LABELS = {"7": "Active breaks", "8": "Lunch", "9": "Training"}
FLOOR_FIXTURE = os.path.join(ROOT, "tools", "fixtures", "live_floor.json")
FLOOR_SERVER, FLOOR_TOKEN = "0300", "sim-token-floor-not-a-secret"


# -- the simulator's live-floor hooks ------------------------------------------------------------

def admin(sim, path, payload):
    request = urllib.request.Request(sim.url + "/__admin/" + path, data=json.dumps(payload).encode("utf-8"),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read().decode("utf-8"))
    assert body.get("ok"), body
    return body


def start_contact(sim, agent_id, status="On call", ends_in=None, then=None, operation=OP):
    payload = {"operation": operation, "agent_id": agent_id, "status": status, "ends_in": ends_in}
    if then is not None:
        payload["then"] = then
    return admin(sim, "contact", payload)


def end_contact(sim, agent_id, operation=OP):
    return admin(sim, "contact", {"operation": operation, "agent_id": agent_id, "end": True})


def disable(sim, *agent_ids, operation=OP):
    return admin(sim, "agents", {"operation": operation, "enabled": dict((aid, False) for aid in agent_ids)})


def contact_mode(sim, mode, operation=OP):
    return admin(sim, "config", {"operation": operation, "contact_mode": mode})


# -- reading the evidence --------------------------------------------------------------------------

def sent_to(stats):
    """Agent IDs that a change_status reached (the simulator's change log), in arrival order."""
    return [change["agent_id"] for change in stats["changes"]]


def reads(stats):
    return [entry for entry in stats["log"] if entry["kind"] == "agents"]


def assert_result(agent, result, reason=None):
    assert (agent["result"], agent["reason"]) == (result, reason), agent


# -- the precedence order ---------------------------------------------------------------------------

def test_precedence_order_excluded_disabled_missing_unchanged_then_only_from_and_except_from(fresh, tmp_path):
    # 1001 Logout, 1002 Active breaks, 1003 Ready, 1004 Lunch, 1005 ACW (demo), plus:
    fresh.set_agents(OP, {"1006": "Training", "1007": "Ready"})
    disable(fresh, "1002", "1007")
    wanted = ["1001", "4343", "1002", "1007", "4242", "1003", "1004", "1005", "1006"]
    run = run_tasks(tmp_path, [status_task(
        fresh, agent_id=wanted, status="ready", status_labels=LABELS,
        # 1001 would be moved (Logout is in only_from) and 4343 does not exist: excluded wins for both.
        exclude_agents=["1001", "4343"],
        only_from=["7", "Training", "Lunch", "logout"],
        except_from=["Lunch", "ready"],
        # Ready is a "busy" state here only to show that an agent already in the desired state is
        # unchanged whatever only_from, except_from and busy_states say.
        busy_states=["Ready", "On call"],
    )])
    result = run.result
    agents = by_agent(result)
    assert [a["agent_id"] for a in result["agents"]] == wanted
    assert_result(agents["1001"], "skipped", "excluded")
    assert_result(agents["4343"], "skipped", "excluded")
    # A disabled user is never changed, even one already in the desired state (rule 1 before rule 3).
    assert_result(agents["1002"], "skipped", "disabled")
    assert_result(agents["1007"], "skipped", "disabled")
    assert_result(agents["4242"], "failed")
    assert "4242 does not exist" in agents["4242"]["msg"]
    assert_result(agents["1003"], "unchanged")
    assert_result(agents["1004"], "skipped", "except_from")  # in only_from and in except_from
    assert_result(agents["1005"], "skipped", "only_from")  # ACW is not in only_from
    assert_result(agents["1006"], "changed")
    assert result["summary"] == {"total": 9, "changed": 1, "unchanged": 1, "skipped": 6, "pending": 0,
                                 "failed": 1, "skipped_busy": 0, "skipped_logged_out": 0}
    assert result["failed"] and result["changed"]
    assert result["msg"].split("; ", 1)[1].startswith("1 of 9 agents failed: 1 agent (4242): "), result["msg"]

    stats = fresh.stats()
    # Only 1006 ever reached the API: no change was sent for the excluded, disabled or missing agents.
    assert sent_to(stats) == ["1006"]
    assert stats["requests"] == dict(stats["requests"], agents=1, change_status=1)
    assert result["api_calls"] == stats["total"] == 2
    state = fresh.state(OP)
    assert state == {"1001": "Logout", "1002": "Active breaks", "1003": "Ready", "1004": "Lunch", "1005": "ACW",
                     "1006": "Ready", "1007": "Ready"}


# -- busy policies ---------------------------------------------------------------------------------

def test_busy_skip_leaves_an_agent_in_a_contact_alone(fresh, tmp_path):
    start_contact(fresh, "1001", "On call")  # 1001 is on a call with no end; 1005 is in ACW
    run = run_tasks(tmp_path, [status_task(
        fresh, agent_id=["1001", "1002", "1005"], status="ready", busy_states=BUSY)])  # busy_policy: skip (default)
    result = run.result
    agents = by_agent(result)
    assert_result(agents["1001"], "skipped", "busy")
    assert "On call" in agents["1001"]["msg"]
    assert_result(agents["1005"], "skipped", "busy")
    assert_result(agents["1002"], "changed")
    assert result["summary"]["skipped_busy"] == 2 and result["summary"]["changed"] == 1
    assert not result.get("failed")
    stats = fresh.stats()
    assert sent_to(stats) == ["1002"]
    assert stats["contacts_cut"][OP] == 0
    state = fresh.state(OP)
    assert (state["1001"], state["1005"], state["1002"]) == ("On call", "ACW", "Ready")


def _end_contact_after_first_read(sim, agent_id, ends_in, stop):
    """Once the task has made its first read, give the agent's endless contact an end ``ends_in``
    seconds later, so that the time the playbook takes to start does not matter."""
    while not stop.is_set():
        if sim.stats()["requests"]["agents"] >= 1:
            start_contact(sim, agent_id, "On call", ends_in=ends_in, then="Ready")
            return
        time.sleep(0.02)


def test_busy_wait_sends_once_the_contact_ends_and_skips_an_endless_one_without_failing(fresh, tmp_path):
    start_contact(fresh, "1001", "On call")  # ends ~1.5 s after the task's first read (below)
    start_contact(fresh, "1002", "Ringing")  # never ends
    stop = threading.Event()
    helper = threading.Thread(target=_end_contact_after_first_read, args=(fresh, "1001", 1.5, stop))
    helper.start()
    try:
        run = run_tasks(tmp_path, [status_task(
            fresh, agent_id=["1001", "1002", "1004"], status="logout", busy_states=BUSY,
            busy_policy="wait", poll_interval=1, wait_timeout=4)])
    finally:
        stop.set()
        helper.join(10)
    result = run.result
    agents = by_agent(result)
    assert not result.get("failed"), result["msg"]
    assert run.rc == 0, run.output[-3000:]
    assert_result(agents["1004"], "changed")
    assert_result(agents["1001"], "changed")
    assert_result(agents["1002"], "skipped", "busy")
    waited = re.search(r"after waiting (\d+) s", agents["1002"]["msg"])
    assert waited and 4 <= int(waited.group(1)) <= 5, agents["1002"]["msg"]
    assert result["summary"]["skipped_busy"] == 1 and result["summary"]["changed"] == 2

    stats = fresh.stats()
    polls = [entry["t"] for entry in reads(stats)]
    # The first read, then one every poll_interval (1 s) until wait_timeout (4 s): 5 reads.
    assert 4 <= len(polls) <= 6, polls
    gaps = [later - earlier for earlier, later in zip(polls, polls[1:])]
    assert all(0.8 <= gap <= 1.75 for gap in gaps), gaps
    assert 3.5 <= polls[-1] - polls[0] <= 5.0, gaps
    changes = dict((c["agent_id"], c) for c in stats["changes"])
    assert sorted(changes) == ["1001", "1004"]  # nothing was ever sent for 1002
    # 1001 was sent after its contact ended, so the change cut nothing.
    assert changes["1001"]["outcome"] == "applied" and changes["1001"]["contact"] is None
    assert changes["1001"]["t"] - polls[0] >= 1.5
    assert stats["contacts_cut"][OP] == 0
    assert result["api_calls"] == stats["total"] == len(polls) + 2
    state = fresh.state(OP)
    assert (state["1001"], state["1002"], state["1004"]) == ("Logout", "Ringing", "Logout")


def test_busy_force_sends_and_cuts_the_contact_in_immediate_mode(fresh, tmp_path):
    start_contact(fresh, "1001", "On call")
    run = run_tasks(tmp_path, [status_task(
        fresh, agent_id=["1001"], status="ready", busy_states=BUSY, busy_policy="force")])
    agent = by_agent(run.result)["1001"]
    assert_result(agent, "changed")
    assert "busy" in agent["msg"]
    stats = fresh.stats()
    assert [(c["agent_id"], c["outcome"]) for c in stats["changes"]] == [("1001", "cut_contact")]
    assert stats["contacts_cut"][OP] == 1
    assert fresh.state(OP)["1001"] == "Ready"


def test_verify_reports_a_deferred_change_as_pending_for_one_more_read(fresh, tmp_path):
    contact_mode(fresh, "deferred")
    start_contact(fresh, "1001", "On call")
    run = run_tasks(tmp_path, [status_task(
        fresh, agent_id=["1001", "1002"], status="ready", busy_states=BUSY, busy_policy="force", verify=True)])
    result = run.result
    agents = by_agent(result)
    assert_result(agents["1001"], "pending")
    assert "On call" in agents["1001"]["msg"]
    assert_result(agents["1002"], "changed")
    assert result["summary"]["pending"] == 1 and result["summary"]["changed"] == 1
    assert result["changed"] is True and not result.get("failed")
    stats = fresh.stats()
    # One read, two changes, and exactly one more read to verify them.
    assert stats["requests"]["agents"] == 2 and stats["requests"]["change_status"] == 2
    assert result["api_calls"] == stats["total"] == 4
    assert stats["contacts_cut"][OP] == 0
    deferred = [c for c in stats["changes"] if c["agent_id"] == "1001"]
    assert [(c["outcome"], c["applied"]) for c in deferred] == [("deferred", False)]
    # The change was really queued: when the call ends, the agent shows it.
    end_contact(fresh, "1001")
    assert fresh.state(OP)["1001"] == "Ready"


def test_check_mode_with_wait_does_not_wait_and_sends_nothing(fresh, tmp_path):
    start_contact(fresh, "1001", "On call")
    clock = {"ansible.builtin.set_fact": {"clock": "{{ now().timestamp() }}"}}
    run = run_tasks(tmp_path, [clock, status_task(
        fresh, agent_id=["1001", "1002"], status="ready", busy_states=BUSY,
        busy_policy="wait", poll_interval=10, wait_timeout=30), dict(clock)], check_mode=True)
    before, result, after = run.results
    elapsed = float(after["ansible_facts"]["clock"]) - float(before["ansible_facts"]["clock"])
    agents = by_agent(result)
    assert_result(agents["1001"], "skipped", "busy")
    assert "would wait" in agents["1001"]["msg"]
    assert_result(agents["1002"], "changed")
    # The task took far less than one poll_interval (10 s): it did not wait.
    assert 0 <= elapsed < 5, elapsed
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 1 and stats["requests"]["change_status"] == 0
    assert stats["changes"] == []
    assert fresh.state(OP)["1001"] == "On call" and fresh.state(OP)["1002"] == "Active breaks"


# -- whole operations --------------------------------------------------------------------------------

def test_all_agents_reads_once_sends_only_what_is_needed_and_converges_in_one_request(fresh, tmp_path):
    fresh.set_agents(OP, generate=10, status="Training", start=1100)
    disable(fresh, "1002")
    task = status_task(fresh, all_agents=True, status="ready", exclude_agents=["1001"], except_from=["Lunch"])
    run = run_tasks(tmp_path, [task, dict(task)])
    first, second = run.results
    agents = by_agent(first)
    generated = [str(1100 + i) for i in range(10)]
    assert [a["agent_id"] for a in first["agents"]] == ["1001", "1002", "1003", "1004", "1005"] + generated
    assert_result(agents["1001"], "skipped", "excluded")
    assert_result(agents["1002"], "skipped", "disabled")
    assert_result(agents["1003"], "unchanged")
    assert_result(agents["1004"], "skipped", "except_from")
    assert_result(agents["1005"], "skipped", "busy")  # ACW: a default busy state
    assert all(agents[aid]["result"] == "changed" for aid in generated)
    assert first["summary"] == {"total": 15, "changed": 10, "unchanged": 1, "skipped": 4, "pending": 0,
                                "failed": 0, "skipped_busy": 1, "skipped_logged_out": 0}
    assert first["api_calls"] == 11

    # The converged re-run: one read, nothing sent.
    assert second["changed"] is False
    assert second["summary"] == dict(first["summary"], changed=0, unchanged=11)
    assert second["api_calls"] == 1

    stats = fresh.stats()
    kinds = [entry["kind"] for entry in stats["log"]]
    assert kinds == ["agents"] + ["change_status"] * 10 + ["agents"]
    assert sorted(sent_to(stats)) == sorted(generated)


def test_role_all_reads_each_operation_once_and_counts_the_busy(fresh, tmp_path):
    start_contact(fresh, "1003", "On call")  # 1003 (Ready) on a call; 1005 is in ACW
    inventory = write_inventory(tmp_path, fresh, {
        "bogota_sales": {"wolkvox_agent_status_all": "ready", "wolkvox_agent_status_busy_states": BUSY},
        "bogota_support": {"wolkvox_agent_status_all": "logout"},
        "medellin_collections": {"wolkvox_agent_status_all": "ready"},
    })
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    lines = summary_lines(run.stdout)
    assert lines == {
        "bogota_sales": "2 changed, 0 unchanged, 3 skipped (2 busy, 1 logged out), 0 pending, 0 failed of 5 agents; "
                        "skipped: 1001 Ana Gomez (logged_out: Logout), 1003 Marta Ruiz (busy: On call), "
                        "1005 Sofia Leon (busy: ACW)",
        "bogota_support": "1 changed, 2 unchanged, 0 skipped (0 busy, 0 logged out), 0 pending, 0 failed of 3 agents",
        "medellin_collections": "2 changed, 1 unchanged, 1 skipped (0 busy, 1 logged out), 0 pending, 0 failed of 4 "
                                "agents; skipped: 3003 Elena Paz (logged_out: Logout)",
    }, run.stdout[-3000:]
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 3  # one read per operation
    assert stats["requests"]["change_status"] == 5
    assert "1003" not in sent_to(stats) and "1005" not in sent_to(stats)
    assert sum(stats["contacts_cut"].values()) == 0
    assert fresh.state(OP)["1003"] == "On call"


def test_role_summary_counts_a_pending_change_with_verify(fresh, tmp_path):
    contact_mode(fresh, "deferred")
    start_contact(fresh, "1001", "Ringing")  # not one of this operation's busy states: sent, and deferred
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": {
        "wolkvox_agent_status_all": "ready", "wolkvox_agent_status_busy_states": ["On call", "ACW"],
        "wolkvox_agent_status_verify": True}})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)["bogota_sales"] == \
        "2 changed, 1 unchanged, 1 skipped (1 busy, 0 logged out), 1 pending, 0 failed of 5 agents; " \
        "skipped: 1005 Sofia Leon (busy: ACW)"
    assert recap(run.output)["bogota_sales"]["changed"] == 1
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 2  # the read, and the verifying read
    assert sorted(sent_to(stats)) == ["1001", "1002", "1004"]


def test_logout_agents_honours_the_busy_settings_of_the_inventory(fresh, tmp_path):
    start_contact(fresh, "1003", "On call")  # immediate mode: a change would cut this call
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": {
        # the operation's desired states (not used by the end of shift) and its busy settings
        "wolkvox_agent_status_agents": [{"agent_id": "1001", "status": "ready"}],
        "wolkvox_agent_status_busy_states": BUSY,
        "wolkvox_agent_status_busy_policy": "skip",
    }})
    run = run_fqcn(fresh, tmp_path, "logout_agents", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    assert summary_lines(run.stdout)["bogota_sales"] == \
        "2 changed, 1 unchanged, 2 skipped (2 busy, 0 logged out), 0 pending, 0 failed of 5 agents; " \
        "skipped: 1003 Marta Ruiz (busy: On call), 1005 Sofia Leon (busy: ACW)"
    stats = fresh.stats()
    assert sorted(sent_to(stats)) == ["1002", "1004"]
    assert stats["contacts_cut"][OP] == 0
    assert fresh.state(OP) == {"1001": "Logout", "1002": "Logout", "1003": "On call", "1004": "Logout",
                               "1005": "ACW"}


def test_end_of_shift_on_the_live_floor_fixture(tmp_path):
    sim = SimulatorProcess(tmp_path, fixture=FLOOR_FIXTURE)
    try:
        # 1004's call ends 2 s after loading: make it endless so that start-up time cannot race it.
        start_contact(sim, "1004", "On call", operation="floor")
        params = {"wolkvox_server": FLOOR_SERVER, "wolkvox_token": FLOOR_TOKEN, "api_url": sim.url,
                  "retry_delay": 0.01, "all_agents": True, "status": "logout", "exclude_agents": ["1099"],
                  "busy_states": BUSY}
        run = run_tasks(tmp_path, [{"wolkvox.contact_center.wolkvox_agent_status": params}])
        assert FLOOR_TOKEN not in run.output
        result = run.result
        agents = by_agent(result)
        assert dict((aid, (a["result"], a["reason"])) for aid, a in agents.items()) == {
            "1001": ("changed", None), "1002": ("unchanged", None), "1003": ("changed", None),
            "1004": ("skipped", "busy"), "1005": ("skipped", "busy"), "1006": ("skipped", "busy"),
            "1007": ("skipped", "disabled"), "1099": ("skipped", "excluded"),
        }
        stats = sim.stats()
        assert sorted(sent_to(stats)) == ["1001", "1003"]
        assert stats["contacts_cut"]["floor"] == 0
        assert stats["requests"]["agents"] == 1
        state = sim.state("floor")
        assert (state["1004"], state["1005"], state["1006"], state["1099"]) == ("On call", "Ringing", "ACW", "Ready")
    finally:
        sim.stop()


# -- a state the API refuses -------------------------------------------------------------------------

def test_a_state_the_operation_lacks_costs_at_most_five_requests_for_200_agents(fresh, tmp_path):
    fresh.set_agents(OP, generate=200, status="Training", start=5000)
    wanted = [str(5000 + i) for i in range(200)]
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=wanted, status="99", status_labels={"99": "Overtime"})])
    result = run.result
    assert result["failed"] is True
    assert result["summary"]["failed"] == 200 and result["summary"]["total"] == 200
    stats = fresh.stats()
    sent = stats["requests"]["change_status"]
    assert 1 <= sent <= 5, sent
    assert [c["outcome"] for c in stats["changes"]] == ["invalid_status"] * sent
    # One group, not 200 lines: how many, the first IDs, and the API's reason.
    assert result["msg"].split("; ", 1)[1].startswith("200 of 200 agents failed: 200 agents (5000, 5001, 5002, 5003, 5004 and 195 more): "), \
        result["msg"]
    assert "does not exist" in result["msg"].lower()
    assert "%d of them not sent" % (200 - sent) in result["msg"]
    not_sent = [a for a in result["agents"] if a["msg"].startswith("not sent")]
    assert len(not_sent) == 200 - sent
    assert result["api_calls"] == stats["total"] == sent + 1
    assert set(fresh.state(OP)[aid] for aid in wanted) == {"Training"}
