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
  - With O(real_time=true), also reads how long each agent has been in its current state (time in state) from the
    real-time API, one more request.
  - With O(plan), compares each agent with the state a shift plan gives it at an instant (schedule adherence), with
    no request of its own.
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
  real_time:
    description:
      - Also read the real-time agents list (C(real_time.php?api=agents)), one more request, counted in the daily quota
        like the agents list.
      - Each agent record gains RV(agents[].time_in_state), the seconds it has been in its current state, and
        RV(agents[].real_time), its record of the real-time list (with the vendor's counters). The vendor gives the
        time as seconds or as C(HH:MM:SS); both are read. An agent without a session (logged out) is not in the
        real-time list, so both are null for it.
      - With O(plan), RV(not_adherent) lists the agents longest in their state first.
    type: bool
    default: false
    version_added: 0.3.0
  plan:
    description:
      - A shift plan, as the role's C(wolkvox_agent_status_plan) - a list of entries, each with C(status), C(agents) or
        C(all_agents), C(from) and C(to) (local C(HH:MM) in O(plan_timezone)), and optionally C(days),
        C(only_from), C(except_from) and C(enforce). See the collection's docs/shift-plans.md.
      - Evaluated at O(plan_at), or when the agents are read. Each agent record gains
        RV(agents[].planned_status) and RV(agents[].adherent), compared with the same label rules as the status
        module (O(status_labels), case-insensitive, surrounding blanks ignored); the result gains RV(adherence),
        RV(not_adherent) and RV(plan_moment).
      - Entries with C(enforce=false) (watch only) count, as they say where agents should be. C(only_from) and
        C(except_from) do not change where an agent should be; they only say what the status module leaves alone.
      - An agent shown as C(Logout) when the plan asks for another state is not adherent. A disabled user is
        never planned (RV(agents[].planned_status) null), as the status module never changes one.
      - A planned auxiliary state without a label in O(status_labels) cannot be compared with the label the agents
        API shows - RV(agents[].adherent) is null, the agent is counted in RV(adherence.unknown), and the task warns.
      - A malformed plan, or two active entries that give one agent different states, fails the task before any
        request, naming the entry and the field.
    type: list
    elements: raw
    version_added: 0.3.0
  plan_at:
    description:
      - The instant at which O(plan) is evaluated, in ISO 8601 - local to O(plan_timezone) (V(2026-11-25T12:30)) or
        with an offset (V(2026-11-25T17:30Z), V(2026-11-25T12:30:00-05:00)).
      - Default - the moment of the read. Only with O(plan).
      - The agents' states are always the current ones; this says which moment of the plan they are compared with.
    type: str
    version_added: 0.3.0
  plan_timezone:
    description:
      - The time zone of O(plan)'s times and of O(plan_at) without an offset, an IANA name such as
        V(America/Bogota); daylight saving time is followed through the IANA database.
      - RV(read_at.local) is given in this time zone too.
    type: str
    default: UTC
    version_added: 0.3.0
  busy_states:
    description:
      - With O(plan), the states in which an agent is handling a contact, as labels or IDs known to O(status_labels)
        (the same default as the status module - the vendor's in-call state V(Talk) and after-call work V(ACW)).
      - An agent in one of them while the plan says V(ready) is adherent (taking contacts is what ready is for); in
        any other planned state it is not.
    type: list
    elements: str
    default: [Talk, ACW]
    version_added: 0.3.0
notes:
  - The agents API is read once per task. An operation with no agents (the vendor answers HTTP 404) gives
    RV(count) 0. The vendor recommends reading it at most every 5 minutes for monitoring.
  - O(real_time) and O(quota) each add one request; O(plan) adds none. So a task with every option makes three
    requests, and nothing is ever sent.
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

- name: Who is away from the shift plan, and for how long
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    status_labels: {"7": Active breaks, "8": Lunch}
    real_time: true                      # one more request: time in state
    plan_timezone: America/Bogota
    plan:
      - {all_agents: true, status: ready, from: "08:00", to: "17:00", days: [mon, tue, wed, thu, fri]}
      - {agents: ["1001", "1002"], status: "8", from: "12:00", to: "13:00", days: [mon, tue, wed, thu, fri]}
  register: floor

- name: Show them, longest in their state first
  ansible.builtin.debug:
    msg: >-
      {{ floor.adherence.not_adherent }} not adherent:
      {{ floor.not_adherent | map(attribute='agent_id') | join(', ') }}

- name: The plan at a given moment against the floor as it is now (a preview; nothing is sent)
  wolkvox.contact_center.wolkvox_agent_info:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    plan: "{{ wolkvox_agent_status_plan }}"
    plan_timezone: "{{ wolkvox_agent_status_timezone }}"
    plan_at: "2026-11-25T12:30"
  register: at_lunch

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
    disabled:
      description:
        - Whether the record says the user is disabled (its C(enabled) field is V(no) or a cousin of it). The status
          module never changes a disabled user.
      type: bool
      sample: false
      version_added: 0.3.0
    time_in_state:
      description:
        - With O(real_time=true), the seconds the agent has been in its current state, from the real-time API's
          C(time_state_now) (seconds or C(HH:MM:SS)); null for an agent without a session (not in the real-time list).
      type: int
      returned: when O(real_time=true)
      sample: 1260
      version_added: 0.3.0
    real_time:
      description:
        - With O(real_time=true), the agent's record of the real-time list as the API gave it (C(agent_status),
          C(time_state_now) and counters such as C(calls), C(ready_time), C(aux_time), C(login_time)), with
          C(agent_id) a string; null for an agent without a session.
      type: dict
      returned: when O(real_time=true)
      sample: {agent_id: "1002", agent_name: Luis Perez, agent_status: Active breaks, time_state_now: "00:21:00",
               calls: 14, ready_time: 9120, acw_time: 840, aux_time: 2460, login_time: 14400, ocupation: "41.25"}
      version_added: 0.3.0
    planned_status:
      description:
        - With O(plan), the state the plan gives the agent at the instant (V(ready), V(logout) or an auxiliary state
          ID); null when no active entry applies to it, and for a disabled user.
      type: str
      returned: when O(plan) is given
      sample: ready
      version_added: 0.3.0
    planned_label:
      description: With O(plan), how the planned state shows in the agents list (its first label, else its ID), or null.
      type: str
      returned: when O(plan) is given
      sample: Ready
      version_added: 0.3.0
    planned_entry:
      description: With O(plan), the index in O(plan) of the entry that gives the planned state, or null.
      type: int
      returned: when O(plan) is given
      sample: 0
      version_added: 0.3.0
    adherent:
      description:
        - With O(plan), whether the agent shows the planned state - V(true) or V(false); null when nothing is
          planned for it, or when the planned auxiliary state has no label in O(status_labels).
      type: bool
      returned: when O(plan) is given
      sample: false
      version_added: 0.3.0
  sample:
    - {agent_id: "1001", agent_name: Ana Gomez, agent_dni: "1000001001", agent_status: Ready,
       last_use: "2026-11-24 08:00:00", agent_sso: "", enabled: "yes", disabled: false}
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
read_at:
  description:
    - When the agents were read (just before the request), in UTC and in O(plan_timezone) - the instant at which
      O(plan) is evaluated unless O(plan_at) names another.
  returned: always
  type: dict
  contains:
    utc:
      description: ISO 8601, UTC.
      type: str
      sample: "2026-11-25T17:30:05Z"
    local:
      description: ISO 8601 in O(plan_timezone), with its offset from UTC at that instant.
      type: str
      sample: "2026-11-25T12:30:05-05:00"
    timezone:
      description: O(plan_timezone).
      type: str
      sample: America/Bogota
  version_added: 0.3.0
adherence:
  description:
    - With O(plan), how many of the matching agents are where the plan says (C(adherent)), are not
      (C(not_adherent)), have nothing planned (C(unplanned) - no active entry applies to them, or a disabled user),
      and cannot be compared because the planned state has no label (C(unknown)).
  returned: when O(plan) is given
  type: dict
  contains:
    adherent:
      description: Agents that show the planned state.
      type: int
    not_adherent:
      description: Agents that show another state (a logged-out agent asked to be ready included).
      type: int
    unplanned:
      description: Agents for which no active entry says anything.
      type: int
    unknown:
      description: Agents whose planned auxiliary state has no label in O(status_labels).
      type: int
  sample: {adherent: 2, not_adherent: 2, unplanned: 1, unknown: 0}
  version_added: 0.3.0
not_adherent:
  description:
    - With O(plan), the records of RV(agents) that are not adherent - with O(real_time=true) the longest in their
      state first (agents without a session last), else in the order of the API.
  returned: when O(plan) is given
  type: list
  elements: dict
  sample:
    - {agent_id: "1002", agent_name: Luis Perez, agent_status: Active breaks, time_in_state: 1260,
       planned_status: ready, planned_label: Ready, planned_entry: 0, adherent: false}
  version_added: 0.3.0
plan_moment:
  description: With O(plan), the local time and time zone at which the plan was evaluated.
  returned: when O(plan) is given
  type: str
  sample: "2026-11-25 12:30 (America/Bogota)"
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
