#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wolkvox_agent_status
short_description: Put Wolkvox agents into a desired state (ready, logout or an auxiliary state)
version_added: 0.1.0
description:
  - Moves Wolkvox contact-center agents to V(ready), V(logout) or an auxiliary state (break, lunch, training...),
    with desired-state semantics like M(ansible.builtin.service) - an agent already in the state is left alone.
  - Reads the current state of every requested agent with one call to the agents API, however many agents the
    task names, then sends only the changes, at most O(max_concurrency) at a time over kept-alive connections.
  - "Safe on a live floor by default: agents handling a contact are skipped (O(busy_states) defaults to the
    vendor's in-call state V(Talk) and after-call work V(ACW); O(busy_policy) can wait for them or force the
    change); logged-out agents are not sent a state other than V(logout) (O(logged_out_policy)); O(exclude_agents)
    and disabled users are never changed; O(verify) reads back and reports changes the API accepted but has not
    applied yet as V(pending)."
  - "An operation may show other labels for agents in a contact. When agents about to be changed show a label that
    is none of V(Ready), V(Logout), a label of O(status_labels) or an O(busy_states) entry, the task warns once,
    naming those labels: add the contact ones to O(busy_states)."
  - "Per agent, the first rule that applies decides: in O(exclude_agents) or disabled - V(skipped); not in the
    operation - V(failed); already in the desired state - V(unchanged) (whatever O(only_from), O(except_from)
    or O(busy_states) say); logged out (desired state not V(logout)) - V(skipped) unless
    O(logged_out_policy=send); not in O(only_from) or in O(except_from) - V(skipped); in O(busy_states) - per
    O(busy_policy); otherwise sent."
  - "The task's C(msg) names the agents left as they were (up to 10), with the reason and the state they show."
  - When the API refuses the desired state itself (the same refusal for the first 3 agents, for example a state ID
    the operation does not have), the other agents of that state are not sent and fail with C(not sent); at most
    5 requests are spent on such a state. A refusal that depends on the agent (in a contact, not logged in,
    disabled; or any refusal of an agent that is logged out or in O(busy_states)) never holds back another agent.
  - When the operation's daily request quota is spent (the vendor's C(TOKEN LIMIT EXCEEDED)), the task stops at
    once without retrying; the agents not sent fail with C(not sent). State changes do not count against the
    quota, so O(force=true) (no read) still applies changes that day.
  - Runs on the controller, in Ansible's own process (an action plugin), whatever host the task is for; if the
    controller's Python lacks C(requests), the module runs the usual way where the task is delegated.
  - One agent's failure does not stop the others. The task fails if any agent failed, and still returns every
    agent's result.
  - All input is validated before any request is sent.
author:
  - wolkvox.contact_center contributors (@wolkvox-community)
extends_documentation_fragment:
  - wolkvox.contact_center.connection
  - wolkvox.contact_center.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the current states are read (one request) and nothing is sent; the result says what would change.
  diff_mode:
    support: full
    details:
      - Shows the state before and after of every agent that changes (or would change).
  platform:
    platforms: all
options:
  agent_id:
    description:
      - The agents to move, by extension number (digits only). A single value is accepted.
      - Requires O(status). Give exactly one of O(agent_id), O(agents), O(all_agents) and O(plan) (O(agents) may be
        combined with O(all_agents)).
      - An empty list sends nothing and reads nothing, with a warning.
    type: list
    elements: str
    aliases: [agent_ids]
  status:
    description:
      - The desired state of every agent in O(agent_id) - V(ready), V(logout) (any case), or the numeric ID of an
        auxiliary state (column C(ID) of the C(Agent States) tab of wolkvox Manager).
    type: str
  agents:
    description:
      - A different desired state per agent. Mutually exclusive with O(agent_id), and with O(status) unless
        O(all_agents=true) (then these agents keep their own state and every other agent gets O(status)).
    type: list
    elements: dict
    suboptions:
      agent_id:
        description: The agent's extension number.
        type: str
        required: true
      status:
        description: The agent's desired state, as in O(status).
        type: str
        required: true
  all_agents:
    description:
      - With O(status), every agent of the operation, taken from the task's one read of the agents list (new agents
        included). May be combined with O(agents). Not with O(agent_id) or O(force).
    type: bool
    default: false
  plan:
    description:
      - A shift plan - desired states over the day - evaluated on the controller at O(plan_at) in O(plan_timezone);
        the task then applies what the plan says for that instant, as O(agents) and O(all_agents) would.
      - "Each entry: C(status) (required), C(agents) (IDs) or C(all_agents: true) (exactly one of them), C(from) and
        C(to) (C(HH:MM), local time; C(to) earlier than C(from) crosses midnight and belongs to the day it starts),
        C(days) (optional, V(mon)...V(sun)), C(only_from) and C(except_from) (as the options of the same name, for that
        entry's agents only, on top of the task's own), C(enforce) (default V(true); V(false) - watch only: the
        entry says where agents should be, for adherence and events, and is never sent)."
      - An agent named by an active entry gets that entry's state; every other agent gets the state of an active
        C(all_agents) entry. Two active entries giving one agent different states at the same level are an error
        naming both. Agents named by a watch-only entry are left alone.
      - No enforced entry active at that instant - nothing is read and nothing is sent, and RV(msg) says so, naming
        the instant and time zone. Otherwise RV(msg) also names them.
      - A malformed plan fails before any request, naming the entry (its index) and the field.
      - The same plan format as the role's C(wolkvox_agent_status_plan) and the filter C(wolkvox.contact_center.plan_states).
    type: list
    elements: raw
    version_added: 0.3.0
  plan_at:
    description:
      - The instant at which O(plan) is evaluated, ISO 8601 (V(2026-11-25T12:30) local to O(plan_timezone), or with an
        offset or V(Z)). Not set or empty - now. With C(--check --diff), previews a moment of the plan.
    type: str
    version_added: 0.3.0
  plan_timezone:
    description:
      - The IANA time zone of O(plan)'s times and of O(plan_at), for example V(America/Bogota). Daylight saving time
        is done through the IANA database.
    type: str
    default: UTC
    version_added: 0.3.0
  status_labels:
    description:
      - >-
        Maps an auxiliary state ID to the label (or list of labels) that the agents API shows for it,
        for example C({"7": "Active breaks"}). The agents API reports labels, not IDs, so without a label
        an auxiliary state cannot be compared and is always sent.
      - V(ready) is C(Ready) and V(logout) is C(Logout) out of the box; labels given here for them are added.
      - Labels are compared case-insensitively, ignoring surrounding blanks.
    type: dict
    default: {}
  only_from:
    description:
      - Change only the agents whose current state is one of these (V(ready), V(logout), a state ID known to
        O(status_labels), or a label). The others are reported as V(skipped).
      - Mutually exclusive with O(force).
    type: list
    elements: str
  except_from:
    description:
      - The mirror of O(only_from) - agents whose current state is one of these are V(skipped), reason V(except_from).
        Same entries as O(only_from). Mutually exclusive with O(force).
    type: list
    elements: str
    default: []
  exclude_agents:
    description:
      - Agent IDs that are never changed (supervisors, test users) - V(skipped), reason V(excluded).
    type: list
    elements: str
    default: []
  busy_states:
    description:
      - States in which an agent is handling a contact (on a call, ringing, after-call work), as labels
        (for example V(Talk)) or IDs known to O(status_labels).
      - The default is the vendor's in-call state V(Talk) and its after-call work V(ACW), so that no run with default
        settings cuts a contact. Operations may show other contact labels; the playbook
        C(wolkvox.contact_center.report_agent_states) shows the ones in use. V([]) turns the protection off.
    type: list
    elements: str
    default: [Talk, ACW]
  busy_policy:
    description:
      - What to do with an agent in one of O(busy_states) that is not already in the desired state.
      - V(skip) - leave it alone, V(skipped) with reason V(busy); the next run picks it up.
      - V(wait) - re-read the agents list every O(poll_interval) seconds, and send the change once the agent has left
        that state; agents still busy after O(wait_timeout) seconds are V(skipped) (reason V(busy)), without failing
        the task. In check mode nothing waits - the agent is V(skipped) and its message says the task would wait.
      - V(force) - send the change anyway (the vendor may cut the contact, queue the change or refuse it).
    type: str
    choices: [skip, wait, force]
    default: skip
  wait_timeout:
    description:
      - With O(busy_policy=wait), how many seconds to wait for busy agents (1 to 3600). While it waits, the task
        prints a line at least every minute (how many agents, how long so far, how long at most).
    type: int
    default: 300
  poll_interval:
    description:
      - With O(busy_policy=wait), seconds between reads of the agents list (1 to 600).
    type: int
    default: 30
  verify:
    description:
      - After the changes, read the agents list once more (one more request). An agent whose change was accepted but
        whose state read back is not the desired one is V(pending), and its message names the state read.
      - A desired auxiliary state without a label in O(status_labels) cannot be verified; it stays V(changed).
    type: bool
    default: false
  logged_out_policy:
    description:
      - What to do with an agent shown as V(Logout) whose desired state is not V(logout). The API cannot log an agent
        in, and a change for someone who is not there either routes calls to an empty desk or is refused.
      - V(skip) - leave it alone, V(skipped) with reason V(logged_out) (counted in RV(summary.skipped_logged_out)).
      - V(send) - send the change anyway. A refusal for such an agent never stops the other agents.
    type: str
    choices: [skip, send]
    default: skip
    version_added: 0.3.0
  diff_format:
    description:
      - How the result's RV(diff) is shaped. The default changed from V(maps) to V(agents) in 0.3.0.
      - V(agents) - for people - under a header naming the operation (O(operation)) and its server, two lines per
        agent that changes, with its name and its state before and after together.
      - V(maps) - C(before) and C(after) maps of agent_id to state (machine-readable; shown by C(--diff) as JSON).
    type: str
    choices: [maps, agents]
    default: agents
  diff_header:
    description:
      - With O(diff_format=agents), the header of the diff. Default - C(<operation> (server <wolkvox_server>)) with
        O(operation), else C(server <wolkvox_server>).
    type: str
  operation:
    description:
      - The name of the operation (the role passes its inventory host name). When set, RV(msg) - also a failure's -
        starts with C(<operation> (server <wolkvox_server>):), and so does the readable diff's header.
    type: str
    version_added: 0.3.0
  option_names:
    description:
      - How messages name the options. V(module) - by the options' names. V(role) - set by the role
        C(wolkvox.contact_center.agent_status), which passes its variables through as they are - messages name its
        variables (C(wolkvox_agent_status_plan), ...), an empty value counts as not set, and O(status) without
        O(agent_id) or O(agents) is the state for every agent (its C(wolkvox_agent_status_all)).
    type: str
    choices: [module, role]
    default: module
    version_added: 0.3.0
  force:
    description:
      - Send every change without reading the current states first. Every agent sent is reported V(changed).
    type: bool
    default: false
notes:
  - The agents API is read once per task. The vendor recommends reading it at most every 5 minutes for monitoring;
    state changes are not affected by that advice.
seealso:
  - module: wolkvox.contact_center.wolkvox_agent_info
  - plugin: wolkvox.contact_center.plan_states
    plugin_type: filter
    description: The shift plan evaluated at an instant, as this module's O(plan) does.
  - name: Wolkvox API - change agent state
    description: The vendor's documentation of the API this module calls.
    link: https://www.wolkvox.com/en/change-agent-state-agent-v2/
"""

EXAMPLES = r"""
# Set the connection once for every Wolkvox task of a play, in the play:
#   module_defaults:
#     group/wolkvox.contact_center.wolkvox:
#       wolkvox_server: "0042"
#       wolkvox_token: "{{ vault_wolkvox_token }}"
- name: Everyone on the morning shift is ready
  wolkvox.contact_center.wolkvox_agent_status:
    agent_id: ["1001", "1002", "1003"]
    status: ready

- name: Send each agent to its own state (bulk, one read for all)
  wolkvox.contact_center.wolkvox_agent_status:
    wolkvox_server: "0042"
    wolkvox_token: "{{ vault_wolkvox_token }}"
    agents:
      - {agent_id: "1001", status: "7"}
      - {agent_id: "1002", status: ready}
      - {agent_id: "1003", status: logout}
    status_labels:
      "7": Active breaks

- name: Put back to ready only the agents that are on a break or at lunch
  wolkvox.contact_center.wolkvox_agent_status:
    agent_id: "{{ shift_agents }}"
    status: ready
    only_from: ["7", "Lunch"]
    status_labels:
      "7": Active breaks
  register: back_to_work

- name: End of shift - log out everyone except supervisors, never cutting a contact
  wolkvox.contact_center.wolkvox_agent_status:
    all_agents: true
    status: logout
    exclude_agents: ["1099"]
    busy_states: [Talk, ACW, Ringing]
    busy_policy: wait
    wait_timeout: 600
    poll_interval: 30
    verify: true

- name: Show what happened to each agent
  ansible.builtin.debug:
    msg: "{{ back_to_work.summary }}"

- name: Apply the shift plan as it stands now (a schedule runs this every few minutes)
  wolkvox.contact_center.wolkvox_agent_status:
    plan_timezone: America/Bogota
    plan:
      # Ready in working hours, except agents on a break they took themselves (7: Active breaks)
      - {all_agents: true, status: ready, from: "08:00", to: "17:00", days: [mon, tue, wed, thu, fri], except_from: ["7"]}
      - {agents: ["1001", "1002"], status: "8", from: "12:00", to: "13:00"}
      - {all_agents: true, status: logout, from: "17:00", to: "08:00"}
    status_labels:
      "7": Active breaks
      "8": Lunch
"""

RETURN = r"""
agents:
  description: One entry per requested agent, in request order.
  returned: always
  type: list
  elements: dict
  contains:
    agent_id:
      description: The agent's extension number.
      type: str
      sample: "1001"
    status:
      description: The desired state as sent to the API (V(ready), V(logout) or an auxiliary state ID).
      type: str
      sample: ready
    previous_status:
      description: The state label read before the change; V(null) with O(force) or for an unknown agent.
      type: str
      sample: Active breaks
    result:
      description: What happened to the agent.
      type: str
      choices: [changed, unchanged, skipped, pending, failed]
      sample: changed
    reason:
      description: Why an agent was V(skipped); null otherwise.
      type: str
      choices: [excluded, disabled, logged_out, only_from, except_from, busy]
      sample: busy
    agent_name:
      description: The agent's name as the agents API shows it (when the agent was read).
      type: str
      sample: Ana Gomez
    msg:
      description: The API's message, or why the agent was left alone or failed.
      type: str
      sample: Agent status has been modified to Ready
  sample:
    - {agent_id: "1001", status: ready, previous_status: Active breaks, result: changed,
       msg: Agent status has been modified to Ready}
summary:
  description: How many agents ended in each result.
  returned: always
  type: dict
  contains:
    total:
      description: Agents requested.
      type: int
    changed:
      description: Agents changed (or that would be, in check mode).
      type: int
    unchanged:
      description: Agents already in the desired state.
      type: int
    skipped:
      description: Agents left alone (excluded, disabled, O(only_from), O(except_from), busy).
      type: int
    skipped_busy:
      description: Of the skipped agents, those skipped because they were busy.
      type: int
    skipped_logged_out:
      description: Of the skipped agents, those skipped because they were logged out (O(logged_out_policy=skip)).
      type: int
      version_added: 0.3.0
    pending:
      description: Agents whose change the API accepted but did not show yet (O(verify)).
      type: int
    failed:
      description: Agents that could not be changed.
      type: int
  sample: {total: 3, changed: 1, unchanged: 1, skipped: 1, skipped_busy: 0, skipped_logged_out: 1, pending: 0, failed: 0}
api_calls:
  description: HTTP requests made by the task, retries included.
  returned: always
  type: int
  sample: 2
diff:
  description:
    - The state before and after of each agent that changed (or would change, or is pending).
    - With O(diff_format=agents), a dict with only C(prepared), the text shown by C(--diff).
  returned: always
  type: dict
  contains:
    before:
      description: agent_id to the state read before (O(diff_format=maps)).
      type: dict
    after:
      description: agent_id to the desired state (O(diff_format=maps)).
      type: dict
    prepared:
      description: The diff as text for people (O(diff_format=agents)).
      type: str
  sample: {before: {"1001": Active breaks}, after: {"1001": Ready}}
plan:
  description: With O(plan), the instant evaluated (local time and time zone) and the entries active then.
  returned: when O(plan) is set
  type: dict
  version_added: 0.3.0
  contains:
    at:
      description: The instant, local to the plan's time zone.
      type: str
    timezone:
      description: The plan's time zone.
      type: str
    active_entries:
      description: The indexes of the entries active at that instant.
      type: list
      elements: int
    watch_only:
      description: How many active entries are watch-only (C(enforce=false)).
      type: int
  sample: {at: "2026-11-25 12:30", timezone: America/Bogota, active_entries: [0, 1], watch_only: 0}
msg:
  description:
    - A one-line human summary of the task - the counts, then (when agents failed) how many and why, grouped by
      reason, then (with O(plan)) the instant evaluated, then the agents left as they were (up to 10).
    - With O(operation), it starts with C(<operation> (server <wolkvox_server>):) - the role prints it as its summary
      line.
  returned: always
  type: str
  sample: "1 changed, 1 unchanged, 1 skipped (1 busy, 0 logged out), 0 pending, 0 failed of 3 agents; skipped: 1001 Ana (busy: Talk)"
"""

from ansible_collections.wolkvox.contact_center.plugins.module_utils._module import WolkvoxModule
from ansible_collections.wolkvox.contact_center.plugins.module_utils._status import run
from ansible_collections.wolkvox.contact_center.plugins.module_utils._status_options import ARGUMENT_SPEC, SPEC_KWARGS


def main():
    WolkvoxModule(argument_spec=ARGUMENT_SPEC, **SPEC_KWARGS).run(run)


if __name__ == "__main__":
    main()
