# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the tests of the role and the playbooks: inventories of operations, the recap."""

from __future__ import annotations

import os
import re

import yaml

from conftest import ROOT, TOKENS, run_playbook

DEMO_INVENTORY = os.path.join(ROOT, "demo", "inventory", "hosts.yml")
VAULT_PASSWORD = os.path.join(ROOT, "demo", "vault-password.txt")


def recap(output):
    """host -> {ok, changed, failed, ...} from the PLAY RECAP of a run."""
    found = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        found[host] = dict((key, int(value)) for key, value in re.findall(r"(\w+)=(\d+)", fields))
    return found


def summary_lines(output):
    """operation -> the role's one-line summary of it."""
    return dict(re.findall(r'"msg": "(\w+) \(server \w+\): ([^"]*)"', output))


def demo_vars(operation):
    """The desired-state variables of an operation of the demo inventory."""
    path = os.path.join(ROOT, "demo", "inventory", "host_vars", operation, "vars.yml")
    with open(path) as handle:
        return yaml.safe_load(handle)


def write_inventory(tmp_path, sim, operations, name="hosts.yml"):
    """An inventory with one host per operation (plain tokens: test only) in group wolkvox_operations.

    operations: {operation name: {extra host vars}}."""
    hosts = {}
    for operation, extra in operations.items():
        server, token = TOKENS[operation]
        values = {"wolkvox_server": server, "wolkvox_token": token, "wolkvox_api_url": sim.url}
        values.update(extra)
        hosts[operation] = values
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"wolkvox_operations": {"hosts": hosts}}, sort_keys=False))
    return path


def run_fqcn(sim, tmp_path, playbook, *args, inventory=None):
    """ansible-playbook wolkvox.contact_center.PLAYBOOK, from the installed build, against the
    simulator: the demo inventory (vaulted tokens) unless another inventory is given."""
    extra = ["-e", "wolkvox_api_url=%s" % sim.url] if inventory is None else []
    if inventory is None:
        extra += ["--vault-password-file", VAULT_PASSWORD]
    return run_playbook("wolkvox.contact_center.%s" % playbook, tmp_path, args=extra + list(args),
                        inventory=inventory or DEMO_INVENTORY)


def folded_counts(states):
    """label -> count of {agent_id: label}, labels compared as the collection does."""
    counts = {}
    for label in states.values():
        key = label.strip().casefold()
        counts[key] = counts.get(key, 0) + 1
    return counts
