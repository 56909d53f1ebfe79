# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every playbook honours every wolkvox_<option> of the inventory: over HTTPS against the
simulator's throw-away CA, with wolkvox_ca_path (and the other connection variables) set per
operation. The report playbook used to pass only server, token and URL, and failed here."""

from __future__ import annotations

import json

import pytest

from _helpers import recap, run_fqcn, summary_lines, write_inventory

OPTIONS = {"wolkvox_validate_certs": True, "wolkvox_timeout": 20, "wolkvox_retries": 2,
           "wolkvox_retry_delay": 0.01, "wolkvox_max_concurrency": 1}


def inventory(tmp_path, sim, ca_path, **extra):
    values = dict(OPTIONS, wolkvox_ca_path=ca_path, wolkvox_agent_status_all="ready", **extra)
    return write_inventory(tmp_path, sim, {"bogota_sales": dict(values), "medellin_collections": dict(values)})


@pytest.mark.parametrize("playbook", ["report_agent_states", "apply_agent_states", "logout_agents"])
def test_each_playbook_works_over_https_with_the_inventorys_ca_path(tls_sim, tmp_path, playbook):
    tls_sim.reset(state=True)
    # bogota_sales' agents all logged in and none in a contact (1001 shows Logout, 1005 ACW in the
    # fixture), so that apply and logout move every one of them.
    tls_sim.set_agents("bogota_sales", {"1001": "Lunch", "1005": "Lunch"})
    tls_sim.reset(state=False)
    run = run_fqcn(tls_sim, tmp_path, playbook, "-e", "report_dir=report",
                   inventory=inventory(tmp_path, tls_sim, tls_sim.ca_path))
    assert run.rc == 0, run.output[-3000:]
    assert all(host["failed"] == 0 for host in recap(run.output).values())
    stats = tls_sim.stats()
    # wolkvox_max_concurrency: 1 reached the module: never two requests at once for a token.
    assert max(stats["max_concurrency"].values()) == 1
    if playbook == "report_agent_states":
        data = json.loads((tmp_path / "report" / "agent-states.json").read_text())
        assert sorted(op["operation"] for op in data["operations"]) == ["bogota_sales", "medellin_collections"]
        assert stats["requests"]["change_status"] == 0
    else:
        wanted = "Ready" if playbook == "apply_agent_states" else "Logout"
        assert set(tls_sim.state("bogota_sales").values()) == {wanted}
        assert sorted(summary_lines(run.stdout)) == ["bogota_sales", "medellin_collections"]


@pytest.mark.parametrize("playbook", ["report_agent_states", "apply_agent_states", "logout_agents"])
def test_without_the_ca_path_each_playbook_fails_clearly_before_changing_anything(tls_sim, tmp_path, playbook):
    tls_sim.reset(state=True)
    before = tls_sim.state("bogota_sales")
    run = run_fqcn(tls_sim, tmp_path, playbook, "-e", "report_dir=report",
                   inventory=inventory(tmp_path, tls_sim, None))
    assert run.rc != 0
    assert "certificate verify failed" in run.output and "ca_path (role variable wolkvox_ca_path)" in run.output
    assert "Traceback" not in run.output
    assert tls_sim.state("bogota_sales") == before
