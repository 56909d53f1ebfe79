#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wolkvox_agent_info
short_description: Read Wolkvox agents and their current state, filter and count them
version_added: 0.1.0
description:
  - Reads the agents of a Wolkvox operation and the state each one is in, with one call to the agents API.
  - Filters them by agent ID and by state, and counts them by state.
  - Never changes anything.
author:
  - wolkvox.contact_center contributors (@wolkvox-community)
extends_documentation_fragment:
  - wolkvox.contact_center.connection
  - wolkvox.contact_center.attributes
  - wolkvox.contact_center.attributes.info_module
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: all
options:
  agent_id:
    description:
      - Return only these agents, by extension number (digits only). A single value is accepted.
      - IDs the operation does not have are listed in RV(not_found); they do not fail the task.
    type: list
    elements: str
    aliases: [agent_ids]
  status:
    description:
      - Return only the agents whose current state is one of these - V(ready), V(logout), the ID of an auxiliary
        state that O(status_labels) maps to a label, or a label as the agents API shows it (for example
        V(Active breaks) or V(ACW)).
      - Labels are compared case-insensitively, ignoring surrounding blanks.
    type: list
    elements: str
  status_labels:
    description:
      - >-
        Maps an auxiliary state ID to the label (or list of labels) that the agents API shows for it,
        for example C({"7": "Active breaks"}), so that O(status) can name states by ID.
      - V(ready) is C(Ready) and V(logout) is C(Logout) out of the box.
      - A state read from the API that matches a label given here is counted in RV(by_status) under the
        first label given for it.
    type: dict
    default: {}
  quota:
    description:
      - Also read the token's daily quota (C(information.php?api=token_info)), one more request, returned as
        RV(quota).
      - Each operation may make licences x 1000 requests a day to the report, information and real-time APIs,
        shared by all its tokens; state changes are not counted. A task that finds the quota spent fails at once,
        without retrying, with a message that says so.
    type: bool
    default: false
    version_added: 0.3.0
notes:
  - The agents API is read once per task. An operation with no agents (the vendor answers HTTP 404) gives
    RV(count) 0. The vendor recommends reading it at most every 5 minutes for monitoring.
seealso:
  - module: wolkvox.contact_center.wolkvox_agent_status
"""

EXAMPLES = r"""
- name: Read the agents with the connection set once for every Wolkvox task of the block
  module_defaults:
    group/wolkvox.contact_center.wolkvox:
      wolkvox_server: "0042"
      wolkvox_token: "{{ vault_wolkvox_token }}"
  block:
    - name: Read every agent
      wolkvox.contact_center.wolkvox_agent_info:
      register: everyone

    - name: Show the counts
      ansible.builtin.debug:
        msg: "{{ everyone.by_status }}"   # e.g. {"Ready": 3, "Active breaks": 1, "Logout": 2}

- name: Which agents are on a break or at lunch
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    status: ["7", "Lunch"]
    status_labels:
      "7": Active breaks
  register: away

- name: Put them back to work (one bulk task)
  wolkvox.contact_center.wolkvox_agent_status:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    agent_id: "{{ away.agents | map(attribute='agent_id') }}"
    status: ready

- name: How much of today's request quota is left
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    quota: true
  register: info

- name: Show it
  ansible.builtin.debug:
    msg: "{{ info.quota.remaining }} of {{ info.quota.limit }} requests left, reset in {{ info.quota.hours_to_reset }} h"

- name: The state of a few agents
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    agent_id: ["1001", "1002"]
  register: pair
"""

RETURN = r"""
agents:
  description:
    - The agents that match the filters, in the order of the API, each as the API returns it,
      with RV(agents[].agent_id) always a string.
  returned: always
  type: list
  elements: dict
  contains:
    agent_id:
      description: The agent's extension number.
      type: str
      sample: "1001"
    agent_name:
      description: The agent's name.
      type: str
      sample: Ana Gomez
    agent_status:
      description: The label of the agent's current state, as the API shows it.
      type: str
      sample: Active breaks
  sample:
    - {agent_id: "1001", agent_name: Ana Gomez, agent_dni: "1000001001", agent_status: Ready,
       last_use: "2026-11-24 08:00:00", agent_sso: "", enabled: "yes"}
count:
  description: How many agents match the filters.
  returned: always
  type: int
  sample: 5
by_status:
  description:
    - State label to the number of matching agents in it. Spellings of one label that differ only in case or
      surrounding blanks are counted together.
  returned: always
  type: dict
  sample: {Ready: 2, Active breaks: 1, Logout: 2}
agent_ids_by_status:
  description:
    - State label to the IDs of the matching agents in it, in the order of the API, with the same labels as
      RV(by_status).
  returned: always
  type: dict
  sample: {Ready: ["1003", "1005"], Active breaks: ["1002"], Logout: ["1001", "1004"]}
not_found:
  description: The IDs of O(agent_id) that the operation does not have, in the order given.
  returned: always
  type: list
  elements: str
  sample: ["4242"]
quota:
  description:
    - The token's daily quota, with O(quota=true). Each value is an int, or null when the API did not give it;
      C(remaining) is the API's figure, else C(limit - used_today).
  returned: when O(quota=true)
  type: dict
  contains:
    limit:
      description: Requests allowed a day (licences x 1000), shared by the operation's tokens.
      type: int
    used_today:
      description: Requests made today, this one included.
      type: int
    remaining:
      description: Requests left today.
      type: int
    hours_to_reset:
      description: Hours until the count starts again.
      type: int
    raw:
      description: The API's record, as it answered (numbers or digit strings).
      type: dict
  sample: {limit: 10000, used_today: 1234, remaining: 8766, hours_to_reset: 7,
           raw: {token_limit: "10000", token_use_today: "1234", available_consumition_options: "8766",
                 hours_to_restart_count: "7"}}
  version_added: 0.3.0
api_calls:
  description: HTTP requests made by the task, retries included.
  returned: always
  type: int
  sample: 1
msg:
  description: A one-line human summary.
  returned: always
  type: str
  sample: "5 agents: 1 Active breaks, 2 Logout, 2 Ready"
"""

from ansible_collections.wolkvox.contact_center.plugins.module_utils._info import ARGUMENT_SPEC, SPEC_KWARGS, run
from ansible_collections.wolkvox.contact_center.plugins.module_utils._module import WolkvoxModule


def main():
    WolkvoxModule(argument_spec=ARGUMENT_SPEC, **SPEC_KWARGS).run(run)


if __name__ == "__main__":
    main()
