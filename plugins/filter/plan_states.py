# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan_states filter: what a shift plan asks for at one instant.

Documentation: plan_states.yml next to this file (ansible-doc -t filter wolkvox.contact_center.plan_states).
The evaluation lives in plugins/module_utils/_plan.py, shared with the modules and the event
source; this file only turns its PlanError into AnsibleFilterError. Messages name the role's
variables (wolkvox_agent_status_plan, _at, _timezone).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.contact_center.plugins.module_utils._plan import ROLE_NAMES, PlanError, evaluate


def plan_states(plan, at=None, timezone="UTC"):
    """Evaluate a shift plan at an instant (now by default); see plan_states.yml."""
    try:
        return evaluate(plan, at=at, timezone=timezone, names=ROLE_NAMES)
    except PlanError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"plan_states": plan_states}
