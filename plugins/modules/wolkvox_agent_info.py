#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wolkvox_agent_info
short_description: Read Wolkvox agents and their current state
version_added: 0.1.0
description:
  - Reads the agents of a Wolkvox operation and their current state with one call to the agents API
    (C(information.php?api=agents)), optionally filtered by agent and by state, and counts them by state.
  - Never changes anything.
author:
  - wolkvox.contact_center contributors
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
      - Return only these agents (extension numbers, digits only). A single value is accepted.
      - Agents asked for that the operation does not have are listed in RV(missing_agent_ids).
    type: list
    elements: str
    aliases: [agent_ids]
  status:
    description:
      - Return only the agents whose current state is one of these - V(ready), V(logout), an auxiliary state
        ID known to O(status_labels), or a state label as the agents API shows it (case-insensitive).
    type: list
    elements: str
  status_labels:
    description:
      - Maps an auxiliary state ID to the label (or list of labels) that the agents API shows for it,
        so that O(status) can name states by ID. V(ready) and V(logout) are built in.
    type: dict
    default: {}
notes:
  - The vendor suggests reading the agents API at most every 5 minutes for monitoring.
seealso:
  - module: wolkvox.contact_center.wolkvox_agent_status
  - name: Wolkvox API - agents
    description: The vendor's documentation of the API this module calls.
    link: https://wolkvox.com/apis-v2/5-agents-en
"""

EXAMPLES = r"""
- name: Count the agents of an operation by state
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
  register: agents

- name: Show the counts
  ansible.builtin.debug:
    msg: "{{ agents.by_status }}"

- name: Who is on a break or at lunch?
  wolkvox.contact_center.wolkvox_agent_info:
    status: ["7", "Lunch"]
    status_labels:
      "7": Active breaks
  register: away

- name: Only some agents
  wolkvox.contact_center.wolkvox_agent_info:
    agent_id: ["1001", "1002"]
  register: pair
"""

RETURN = r"""
agents:
  description: The agents that match the filters, as the API returns them, in the API's order.
  returned: always
  type: list
  elements: dict
  contains:
    agent_id:
      description: The agent's extension number, always a string.
      type: str
      sample: "1001"
    agent_name:
      description: The agent's name.
      type: str
      sample: Ana Gomez
    agent_dni:
      description: The agent's identity document.
      type: str
      sample: "1000001001"
    agent_status:
      description: The label of the agent's current state.
      type: str
      sample: Active breaks
    last_use:
      description: When the agent last connected.
      type: str
      sample: "2026-11-24 08:00:00"
    agent_sso:
      description: The agent's single sign-on identity, if any.
      type: str
      sample: ""
    enabled:
      description: Whether the agent is enabled, as the API reports it.
      type: str
      sample: "1"
count:
  description: How many agents matched.
  returned: always
  type: int
  sample: 5
by_status:
  description: State label to the number of matching agents in it.
  returned: always
  type: dict
  sample: {"Ready": 3, "Active breaks": 1, "Logout": 1}
missing_agent_ids:
  description: Agents asked for in O(agent_id) that the operation does not have.
  returned: always
  type: list
  elements: str
  sample: ["4242"]
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
  sample: 1
msg:
  description: A one-line human summary.
  returned: always
  type: str
  sample: "5 agents (Active breaks: 1, Logout: 1, Ready: 3)"
"""

from ansible_collections.wolkvox.contact_center.plugins.module_utils._info import read_agents
from ansible_collections.wolkvox.contact_center.plugins.module_utils._module import WolkvoxModule


def main():
    module = WolkvoxModule(
        argument_spec=dict(
            agent_id=dict(type="list", elements="str", aliases=["agent_ids"]),
            status=dict(type="list", elements="str"),
            status_labels=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    module.run(read_agents)


if __name__ == "__main__":
    main()
