# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vendor's documented answers, end to end (contract Part 3): the daily quota, the error
table, contacts safe by default (Talk, ACW), absent agents, per-agent refusals. Every test runs in
both dialects of the simulator (WOLKVOX_SIM_DIALECT=classic|vendor, tools/test runs both); the
simulator's request log and change log are the evidence."""

from __future__ import annotations

import json
import urllib.request

from _helpers import by_agent, recap, run_fqcn, summary_lines, write_inventory
from conftest import connection, run_tasks, status_task

OP = "bogota_sales"  # demo fixture: 1001 Logout, 1002 Active breaks, 1003 Ready, 1004 Lunch, 1005 ACW
LABELS = {"7": "Active breaks", "8": "Lunch", "9": "Training"}


def admin(sim, path, payload):
    request = urllib.request.Request(sim.url + "/__admin/" + path, data=json.dumps(payload).encode("utf-8"),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read().decode("utf-8"))
    assert body.get("ok"), body
    return body


def contact(sim, agent_id, status, operation=OP):
    return admin(sim, "contact", {"operation": operation, "agent_id": agent_id, "status": status, "ends_in": None})


def requests_of(stats, kind):
    return [entry for entry in stats["log"] if entry["kind"] == kind]


def info_task(sim, operation=OP, **options):
    params = connection(sim, operation)
    params.update(options)
    return {"wolkvox.contact_center.wolkvox_agent_info": params}


# -- the daily quota ---------------------------------------------------------------------------------

def test_a_spent_quota_is_one_refused_read_no_retry_a_message_that_says_so_and_force_still_applies(fresh, tmp_path):
    admin(fresh, "quota", {"operation": OP, "used": 10000, "limit": 10000})
    run = run_tasks(tmp_path, [
        status_task(fresh, agent_id=["1002", "1004"], status="ready", status_labels=LABELS),
        status_task(fresh, agent_id=["1002"], status="ready", force=True),
    ])
    refused, forced = run.results
    assert refused["failed"] is True
    assert refused["api_calls"] == 1  # one read, refused, never retried
    msg = refused["msg"]
    for words in ("daily quota", "licences x 1000", "resets daily", "not counted", "force: true"):
        assert words in msg, msg
    assert "authentication failed" not in msg and "check wolkvox_token" not in msg
    assert [a["result"] for a in refused["agents"]] == ["failed", "failed"]
    assert refused["agents"][0]["msg"] == "not sent: the operation's daily quota is spent"
    # force sends without reading: changes are not counted against the quota
    assert forced["changed"] is True and forced["api_calls"] == 1
    stats = fresh.stats()
    assert len(requests_of(stats, "agents")) == 1
    assert [c["agent_id"] for c in stats["changes"]] == ["1002"]
    assert fresh.state()["1002"] == "Ready"


def test_info_quota_reads_the_token_record(fresh, tmp_path):
    admin(fresh, "quota", {"operation": OP, "used": 1234, "limit": 10000})
    run = run_tasks(tmp_path, [info_task(fresh, quota=True)])
    result = run.result
    quota = result["quota"]
    assert result["api_calls"] == 2
    assert quota["limit"] == 10000
    assert quota["used_today"] == 1236  # the agents read and this one
    assert quota["remaining"] == 10000 - 1236
    assert isinstance(quota["hours_to_reset"], int)
    assert isinstance(quota["raw"], dict) and "token_limit" in quota["raw"]
    assert "quota: 1236 of 10000 requests used today, 8764 left" in result["msg"]


def test_the_report_shows_the_quota(fresh, tmp_path):
    inventory = write_inventory(tmp_path, fresh, {OP: {}})
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "-e", "wolkvox_report_quota=true", "-e",
                   "report_dir=%s" % (tmp_path / "out"), inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    text = (tmp_path / "out" / "agent-states.md").read_text()
    assert "Daily request quota: " in text and " of 10000 used" in text
    assert json.loads((tmp_path / "out" / "agent-states.json").read_text())["operations"][0]["quota"]["limit"] == 10000


# -- contacts: safe by default -----------------------------------------------------------------------

def test_the_newcomers_logout_cuts_no_call_and_warns_about_labels_it_cannot_place(fresh, tmp_path):
    # An inventory with no busy settings at all, as a new user writes it.
    contact(fresh, "1002", "Talk")
    contact(fresh, "1003", "ACW")
    fresh.set_agents(OP, {"1004": "On hold"})
    inventory = write_inventory(tmp_path, fresh, {OP: {}})
    run = run_fqcn(fresh, tmp_path, "logout_agents", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    stats = fresh.stats()
    assert stats["contacts_cut"][OP] == 0
    sent = [c["agent_id"] for c in stats["changes"]]
    assert "1002" not in sent and "1003" not in sent and "1005" not in sent  # Talk, ACW (contact), ACW
    assert sent == ["1004"]
    line = summary_lines(run.output)[OP]
    assert "3 skipped (3 busy, 0 logged out)" in line, line
    assert "1002 Luis Perez (busy: Talk)" in line and "1003 Marta Ruiz (busy: ACW)" in line
    assert "'On hold' (1 agent)" in run.output and "add it to busy_states" in run.output
    # logout_agents verifies: the logout read back
    assert len(requests_of(stats, "agents")) == 2


def test_logout_agents_reports_a_queued_logout_as_pending(fresh, tmp_path):
    admin(fresh, "config", {"operation": OP, "contact_mode": "deferred"})
    contact(fresh, "1004", "Talk")
    inventory = write_inventory(tmp_path, fresh, {OP: {"wolkvox_agent_status_busy_policy": "force"}})
    run = run_fqcn(fresh, tmp_path, "logout_agents", inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    line = summary_lines(run.output)[OP]
    assert "1 pending" in line, line
    assert fresh.stats()["contacts_cut"][OP] == 0


def test_an_agent_level_refusal_costs_one_request_and_is_not_back_pressure(fresh, tmp_path):
    admin(fresh, "config", {"operation": OP, "contact_mode": "refuse"})
    contact(fresh, "1002", "On a call")
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1002", "1004"], status="ready", busy_states=[])])
    result = run.result
    assert result["failed"] is True
    agents = by_agent(result)
    assert agents["1002"]["result"] == "failed" and agents["1004"]["result"] == "changed"
    assert len([e for e in requests_of(fresh.stats(), "change_status") if e["agent_id"] == "1002"]) == 1
    assert result["api_calls"] == 3
    assert "busy for" not in result["msg"]  # not reported as the token's busy answer


# -- absent agents -------------------------------------------------------------------------------------

def test_logged_out_agents_are_skipped_by_default(fresh, tmp_path):
    run = run_tasks(tmp_path, [status_task(fresh, all_agents=True, status="ready", status_labels=LABELS)])
    result = run.result
    agent = by_agent(result)["1001"]
    assert (agent["result"], agent["reason"]) == ("skipped", "logged_out")
    assert agent["msg"] == ("logged out: not sent (the API cannot log an agent in; set logged_out_policy: send "
                            "to send anyway)")
    assert result["summary"]["skipped_logged_out"] == 1
    assert "1001" not in [c["agent_id"] for c in fresh.stats()["changes"]]
    assert "1001 Ana Gomez (logged_out: Logout)" in result["msg"]


def test_with_send_refusals_of_logged_out_agents_never_hold_back_a_logged_in_one(fresh, tmp_path):
    fresh.set_agents(OP, {"2101": "Logout", "2102": "Logout", "2103": "Logout", "2104": "Lunch"})
    admin(fresh, "config", {"operation": OP, "logged_out_mode": "refuse"})
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["2101", "2102", "2103", "2104"], status="ready",
                                           logged_out_policy="send", max_concurrency=1)])
    result = run.result
    results = dict((a["agent_id"], a["result"]) for a in result["agents"])
    assert results == {"2101": "failed", "2102": "failed", "2103": "failed", "2104": "changed"}, result["msg"]
    assert all("not logged in" in by_agent(result)[aid]["msg"].lower() for aid in ("2101", "2102", "2103"))
    assert [c["agent_id"] for c in fresh.stats()["changes"]] == ["2101", "2102", "2103", "2104"]
    assert fresh.state()["2104"] == "Ready"


def test_a_state_id_the_operation_lacks_still_stops_within_five_requests(fresh, tmp_path):
    fresh.set_agents(OP, generate=40, status="Ready", start=4000)
    ids = [str(4000 + i) for i in range(40)]
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=ids, status="99")])
    assert run.result["summary"]["failed"] == 40
    assert len(requests_of(fresh.stats(), "change_status")) <= 5


# -- the rest of the vendor's table ------------------------------------------------------------------------

def test_a_403_without_a_body_names_the_token_the_allow_list_and_maintenance(fresh, tmp_path):
    fresh.fault("forbidden_empty", count=1)
    run = run_tasks(tmp_path, [info_task(fresh)])
    result = run.result
    assert result["failed"] is True and result["api_calls"] == 1
    for words in ("wolkvox_token", "allow-list", "execution nodes", "maintenance"):
        assert words in result["msg"], result["msg"]


def test_an_operation_without_agents_reads_as_none(fresh, tmp_path):
    fresh.set_agents(OP, {}, replace=True)
    run = run_tasks(tmp_path, [info_task(fresh), status_task(fresh, agent_id=["1001"], status="ready")])
    info, status = run.results
    assert info.get("failed") is not True and info["count"] == 0
    assert status["failed"] is True
    assert "does not exist in this operation" in status["agents"][0]["msg"]


def test_a_wrong_api_path_names_api_url(fresh, tmp_path):
    run = run_tasks(tmp_path, [info_task(fresh, api_url=fresh.url + "/wolkvox")])
    assert run.result["failed"] is True
    assert "api_url" in run.result["msg"], run.result["msg"]
    assert recap(run.output)["localhost"]["failed"] == 0  # ignore_errors: the play went on


def test_while_busy_policy_wait_waits_the_operator_sees_a_line(fresh, tmp_path):
    contact(fresh, "1002", "Talk")
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1002"], status="ready", busy_policy="wait",
                                           wait_timeout=2, poll_interval=1)])
    assert "server 0042: waiting for 1 agent handling a contact (busy_states) to finish: 0 s so far, at most 2 s" \
        in run.output, run.output[-2000:]
    assert run.result["agents"][0]["reason"] == "busy"
