# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token never shows: not at -vvvv, not in results or messages, not in a URL, not after a redirect."""

from __future__ import annotations

import pytest
import requests

from _helpers import assert_locks_free_and_clean, hits, private_tmpdir
from conftest import TOKENS, SimulatorProcess, run_tasks, status_task


def test_token_never_in_vvvv_output_success_or_failure(fresh, tmp_path):
    server, token = TOKENS["bogota_sales"]
    # 1001 and 1005 logged in and not in a contact (the fixture shows Logout and ACW), so that the
    # tasks that move them do send their change.
    fresh.set_agents("bogota_sales", {"1001": "Training", "1005": "Training"})
    fresh.reset(state=False)
    fresh.fault("http", count=20, match="change_status", status=503, agent_id="1004")
    fresh.fault("garbage", count=1, match="change_status", agent_id="1003")  # the 4th task
    fresh.fault("slow", count=2, match="change_status", delay=1.0, agent_id="1005")
    fresh.fault("redirect", count=1, match="change_status", agent_id="1002", location="http://127.0.0.1:9/x")
    fresh.config(max_per_token=10)
    tasks = [
        status_task(fresh, agent_id=["1001", "1003"], status="ready"),                     # success
        status_task(fresh, agent_id=["1004", "4242"], status="logout", retries=1),         # 503s, unknown agent
        status_task(fresh, agent_id=["1002"], status="ready"),                              # a redirect
        status_task(fresh, agent_id=["1003"], status="logout"),                             # not JSON
        status_task(fresh, agent_id=["1005"], status="ready", timeout=0.3, retries=1),     # timeouts
        status_task(fresh, agent_id=["1001"], status="7", wolkvox_server="0042.evil.example"),  # bad input
        status_task(fresh, agent_id=["1001"], status="ready", api_url="http://127.0.0.1:9/?t=" + token),
        status_task(fresh, agent_id=["1001"], status="ready", api_url="http://" + token + "@127.0.0.1:9/"),
        status_task(fresh, agent_id=["1003"], status="ready", api_url="http://127.0.0.1:9", retries=1),  # refused
        status_task(fresh, agent_id=["1001"], status="ready", wolkvox_server="0117"),     # token/server mismatch
        status_task(fresh, agent_id=["1002", "1003"], status="logout", force=True),        # force
    ]
    tmpdir = private_tmpdir(tmp_path)
    run = run_tasks(tmp_path, tasks, diff=True, args=["-vvvv"], env={"TMPDIR": tmpdir})
    results = run.results
    # The scenarios did happen (the test would prove nothing otherwise).
    assert results[0]["changed"] is True and not results[0].get("failed")
    assert results[4]["agents"][0]["result"] == "failed"  # sent, and timed out
    assert [a["result"] for a in results[1]["agents"]] == ["failed", "failed"]
    assert "redirect (HTTP 302)" in results[2]["msg"]
    assert "not JSON" in results[3]["msg"]
    assert "timeout" in results[4]["msg"]
    assert "wolkvox_server '0042.evil.example'" in results[5]["msg"]
    assert "query string" in results[6]["msg"] and "credentials" in results[7]["msg"]
    assert "cannot connect" in results[8]["msg"]
    assert "authentication failed - check wolkvox_token" in results[9]["msg"]
    assert results[10]["changed"] is True
    assert all(r.get("failed") for r in results[1:10])
    # The haystack: everything ansible-playbook printed at -vvvv, and every result.
    # (the modules run in Ansible's own process, so no connection is set up for them: -vvvv shows task paths)
    assert "task path:" in run.output and len(run.output) > 10000
    assert hits(run.output, token) == 0
    assert hits(repr(results), token) == 0
    # ... and the searching works: the playbook itself holds the token.
    assert hits((tmp_path / "play.yml").read_text(), token) > 0
    assert not any(entry["token_in_url"] for entry in fresh.stats()["log"])
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert_locks_free_and_clean(tmpdir, [token])
    assert server == "0042"


def test_token_in_a_server_answer_is_masked(fresh, tmp_path):
    # A back end that echoes what it got must not make the module print the token.
    _server, token = TOKENS["bogota_sales"]
    fresh.fault("error200", count=1, match="agents", code="401", error="bad token %s" % token)
    run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001"], status="ready")], args=["-vvvv"])
    result = run.result
    assert result["failed"] is True and "bad token" in result["msg"]
    assert hits(run.output, token) == 0 and hits(repr(result), token) == 0


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_redirect_to_another_listener_never_carries_the_token(fresh, tmp_path, code):
    other = SimulatorProcess(tmp_path)
    try:
        _server, token = TOKENS["bogota_sales"]
        target = other.url + "/api/v2/information.php?api=agents"
        fresh.fault("redirect", count=1, match="agents", location=target, status=code)
        run = run_tasks(tmp_path, [status_task(fresh, agent_id=["1001"], status="ready")], args=["-vvv"])
        result = run.result
        assert result["failed"] is True
        assert "redirect (HTTP %d)" % code in result["msg"] and "never reaches another host" in result["msg"]
        assert result["api_calls"] == 1  # not retried, not followed
        assert other.stats()["total"] == 0
        assert hits(run.output, token) == 0

        # The control: a client that follows redirects does hand the token to the other listener,
        # and the other listener's log shows it (as a hash), so the check above can fail.
        fresh.fault("redirect", count=1, match="agents", location=target, status=code)
        naive = requests.get(fresh.url + "/api/v2/information.php", params={"api": "agents"}, timeout=10,
                             headers={"wolkvox-token": token, "wolkvox_server": "0042"})
        assert naive.status_code == 200
        log = other.stats()["log"]
        assert len(log) == 1 and log[0]["has_token"] is True
    finally:
        other.stop()
