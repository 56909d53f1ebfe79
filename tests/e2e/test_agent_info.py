# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wolkvox_agent_info through ansible-playbook against the simulator over HTTP."""

from __future__ import annotations

import pytest

from conftest import connection, run_tasks


def info_task(sim, operation="bogota_sales", **options):
    params = connection(sim, operation)
    params.update(options)
    return {"wolkvox.contact_center.wolkvox_agent_info": params}


def ids(result):
    return [agent["agent_id"] for agent in result["agents"]]


def test_every_agent_counted_by_status_with_one_read(fresh, tmp_path):
    result = run_tasks(tmp_path, [info_task(fresh)]).result
    state = fresh.state("bogota_sales")
    assert result["changed"] is False
    assert ids(result) == list(state)
    assert result["count"] == len(state) == 5
    assert [a["agent_status"] for a in result["agents"]] == list(state.values())
    expected = {}
    for label in state.values():
        expected[label] = expected.get(label, 0) + 1
    assert result["by_status"] == expected
    assert result["agent_ids_by_status"]["Lunch"] == ["1004"]
    assert result["not_found"] == []
    assert result["api_calls"] == 1
    stats = fresh.stats()
    assert stats["total"] == 1 and stats["requests"]["agents"] == 1


def test_numeric_agent_ids_come_back_as_strings(fresh, tmp_path):
    # This operation's API answers agent_id as a number.
    result = run_tasks(tmp_path, [info_task(fresh, "bogota_support")]).result
    assert ids(result) == ["2001", "2002", "2003"]
    assert all(isinstance(aid, str) for aid in ids(result))


def test_filters_by_agent_and_by_state(fresh, tmp_path):
    tasks = [
        info_task(fresh, agent_id=["1003", "1002", "4242"]),
        info_task(fresh, status=["7", "LUNCH "], status_labels={"7": "Active breaks"}),
        info_task(fresh, status=["ready", "logout"], agent_id=["1001", "1003", "1004"]),
        info_task(fresh, status=["Training"]),
    ]
    by_agent, by_state, both, none = run_tasks(tmp_path, tasks).results
    # API order, not request order; unknown IDs are listed, not fatal.
    assert ids(by_agent) == ["1002", "1003"] and by_agent["count"] == 2
    assert by_agent["not_found"] == ["4242"]
    assert ids(by_state) == ["1002", "1004"]
    assert by_state["by_status"] == {"Active breaks": 1, "Lunch": 1}
    assert ids(both) == ["1001", "1003"]
    assert both["by_status"] == {"Logout": 1, "Ready": 1}
    assert none["count"] == 0 and none["agents"] == [] and none["by_status"] == {}
    requests = fresh.stats()["requests"]
    assert requests["agents"] == 4 and requests["change_status"] == 0 and requests["other"] == 0


def test_labels_that_differ_in_case_or_blanks_count_as_one_state(fresh, tmp_path):
    # 3004 is "active breaks " in the fixture; add two more spellings of the same state.
    fresh.set_agents("medellin_collections", {"3005": "ACTIVE BREAKS", "3006": "Active breaks"})
    fresh.reset(state=False)
    result = run_tasks(tmp_path, [info_task(fresh, "medellin_collections", status=["12"],
                                            status_labels={"12": "Active breaks"})]).result
    assert ids(result) == ["3004", "3005", "3006"]
    assert result["by_status"] == {"Active breaks": 3}
    assert result["agent_ids_by_status"] == {"Active breaks": ["3004", "3005", "3006"]}


def test_check_mode_reads_and_changes_nothing(fresh, tmp_path):
    before = fresh.state("bogota_sales")
    result = run_tasks(tmp_path, [info_task(fresh, status=["ready"])], check_mode=True).result
    assert result.get("skipped") is not True
    assert result["changed"] is False
    assert ids(result) == ["1003"]
    stats = fresh.stats()
    assert stats["requests"]["agents"] == 1 and stats["requests"]["change_status"] == 0
    assert fresh.state("bogota_sales") == before


@pytest.mark.parametrize("options, needle", [
    ({"status": ["7"]}, "'7'"),
    ({"agent_id": ["1001", "10x1"]}, "'10x1'"),
    ({"status_labels": {"7": ""}}, "status_labels"),
    ({"wolkvox_server": "0042/../x"}, "'0042/../x'"),
])
def test_bad_input_fails_before_any_request(fresh, tmp_path, options, needle):
    result = run_tasks(tmp_path, [info_task(fresh, **options)]).result
    assert result["failed"] is True
    assert needle in result["msg"], result["msg"]
    assert fresh.stats()["total"] == 0


def test_api_error_is_a_clean_failure(fresh, tmp_path):
    run = run_tasks(tmp_path, [info_task(fresh, wolkvox_token="sim-token-wrong")])
    result = run.result
    assert result["failed"] is True
    assert "authentication failed - check wolkvox_token" in result["msg"], result["msg"]  # either dialect's words
    assert "Traceback" not in run.output
