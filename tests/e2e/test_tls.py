# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS against the simulator's HTTPS listener (a throw-away CA made at start-up)."""

from __future__ import annotations

import certifi

from _helpers import hits
from conftest import TOKENS, run_tasks, status_task


def test_certificates_are_verified_by_default_and_ca_path_works(tls_sim, sim, tmp_path):
    tls_sim.reset(state=True)
    assert tls_sim.url.startswith("https://") and tls_sim.ca_path
    not_pem = tmp_path / "not-a-ca.pem"
    not_pem.write_text("this is not a certificate\n")
    # Tasks 0-2 move logged-in agents that are not in a contact (1003 Ready, 1002 Active breaks), so
    # that a task that gets through does send its change.
    tasks = [
        # 0: the default, validate_certs true, against a certificate of an unknown CA: a clear failure.
        status_task(tls_sim, agent_id=["1003"], status="logout"),
        # 1: the simulator's CA as ca_path: verified, works.
        status_task(tls_sim, agent_id=["1003"], status="logout", ca_path=tls_sim.ca_path),
        # 2: validate_certs false (a test endpoint only): works.
        status_task(tls_sim, agent_id=["1002"], status="ready", validate_certs=False, status_labels={"7": "Active breaks"}),
        # 3: a ca_path that is not a CA bundle: an input error before any request.
        status_task(tls_sim, agent_id=["1003"], status="logout", ca_path=str(not_pem)),
        # 4: a ca_path that does not exist.
        status_task(tls_sim, agent_id=["1003"], status="logout", ca_path=str(tmp_path / "missing.pem")),
        # 5: https:// to a plain-HTTP listener: a clear TLS failure, no traceback.
        status_task(sim, agent_id=["1003"], status="logout", api_url=sim.url.replace("http://", "https://")),
    ]
    # A CA bundle in the environment (common on corporate machines) must not override ca_path.
    env = {"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()}
    run = run_tasks(tmp_path, tasks, args=["-vvvv"], env=env)
    results = run.results
    msg = results[0]["msg"]
    assert results[0]["failed"] is True
    assert "TLS" in msg and "certificate verify failed" in msg and "ca_path" in msg, msg
    assert results[0]["api_calls"] == 1  # a certificate problem is not retried
    assert results[1]["changed"] is True and not results[1].get("failed"), results[1]["msg"]
    assert results[2]["changed"] is True and not results[2].get("failed"), results[2]["msg"]
    assert results[3]["failed"] is True and "cannot be used as a CA bundle" in results[3]["msg"]
    assert str(not_pem) in results[3]["msg"] and results[3]["api_calls"] == 0
    assert results[4]["failed"] is True and "does not exist" in results[4]["msg"] and results[4]["api_calls"] == 0
    assert results[5]["failed"] is True and "TLS" in results[5]["msg"], results[5]["msg"]
    # Requests that reached the TLS listener: task 0 (the handshake fails before HTTP), 1 and 2.
    stats = tls_sim.stats()
    assert stats["requests"]["agents"] == 2 and stats["requests"]["change_status"] == 2
    assert tls_sim.state("bogota_sales")["1003"] == "Logout" and tls_sim.state("bogota_sales")["1002"] == "Ready"
    assert "Traceback" not in run.output
    assert hits(run.output, TOKENS["bogota_sales"][1]) == 0
