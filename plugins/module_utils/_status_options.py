# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is an implementation detail of the wolkvox.contact_center
# collection. It is not a public API and may change without notice between releases.

"""The options of wolkvox_agent_status: its argument spec, and TaskOptions, the task's options
validated before any request - which agents (exactly one form: agent_id, agents, all_agents or a
plan evaluated at an instant), the rules for each agent, and how messages name the options (the
module's names, or the role's variables when the role agent_status passes them through).
"""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _plan as plans
from ansible_collections.wolkvox.contact_center.plugins.module_utils import _planner as planner
from ansible_collections.wolkvox.contact_center.plugins.module_utils._errors import WolkvoxInputError, shown
from ansible_collections.wolkvox.contact_center.plugins.module_utils._states import (
    DEFAULT_BUSY_STATES,
    normalize_labels,
    normalize_status,
    state_set,
)

# The role's variable for each option whose name differs from wolkvox_agent_status_<option>.
ROLE_VARIABLES = dict(status_labels="wolkvox_agent_status_labels", status="wolkvox_agent_status_all",
                      plan_at="wolkvox_agent_status_at", plan_timezone="wolkvox_agent_status_timezone")
ROLE_FORMS = (
    "set one of wolkvox_agent_status_agents (a list of {agent_id, status}), wolkvox_agent_status_all"
    " (one state for every agent) or wolkvox_agent_status_plan (states over the day)"
)


def role_variable(option):
    return ROLE_VARIABLES.get(option, "wolkvox_agent_status_" + option)


def role_hint(option):
    """An option's name as module users and role users know it."""
    return "%s (role variable %s)" % (option, role_variable(option))


def _bounded(params, name, default, low, high):
    value = params.get(name)
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WolkvoxInputError(
            "%s %s is not valid: it must be a whole number of seconds from %d to %d" % (role_hint(name), shown(value), low, high))
    return value


def _excluded(values):
    try:
        return planner.agent_ids(values, "exclude_agents")
    except WolkvoxInputError as exc:
        raise WolkvoxInputError("%s (role variable wolkvox_agent_status_exclude_agents)" % exc)


def _given(params, name, role):
    """Whether an option is set. The role passes every variable through: empty means not set."""
    value = params.get(name)
    if value is None:
        return False
    if role and (value == "" or value == [] or value == {}):
        return False
    return True


class TaskOptions(object):
    """The task's options, validated before any request.

    Which agents: ``named`` [(agent_id, status)] and ``all_status`` (the state for every other agent,
    or None); with a plan, ``moment`` (the plan at its instant), ``left_alone`` (agents a watch-only
    entry names) and ``idle`` (no enforced entry active: nothing to read or send). ``rules_for(agent_id)``
    gives the planner's rules for one agent (a plan entry's only_from / except_from added)."""

    def __init__(self, params):
        self.role = params.get("option_names") == "role"
        self.force = bool(params.get("force"))
        self.moment = None
        self.left_alone = set()
        self._entry_rules = {}  # agent_id -> Rules of its plan entry
        self._all_rules = None  # Rules of the plan's all_agents entry
        self.labels = normalize_labels(params.get("status_labels"))
        self.rules = self._rules(params)
        self._which_agents(params)

    # -- which agents ---------------------------------------------------------------------

    def _which_agents(self, params):
        params = dict(params)
        if self.role:
            # The role passes its variables through, empty when not set: wolkvox_agent_status_agents,
            # _all (as status) and _plan are its three forms.
            for name in ("agent_id", "agents", "status", "plan"):
                if not _given(params, name, True):
                    params[name] = None
            forms = [name for name in ("agents", "status", "plan") if params[name] is not None]
            if not forms:
                raise WolkvoxInputError(ROLE_FORMS)
            if len(forms) > 1:
                raise WolkvoxInputError("set only one of wolkvox_agent_status_agents, wolkvox_agent_status_all and "
                                        "wolkvox_agent_status_plan (this operation sets %s)"
                                        % " and ".join(role_variable(name) for name in forms))
            params["all_agents"] = forms == ["status"]
        forms = [name for name in ("agent_id", "agents", "plan") if params.get(name) is not None]
        if params.get("all_agents"):
            forms.append("all_agents")
        if "plan" in forms:
            others = [name for name in forms if name != "plan"]
            if others:
                raise WolkvoxInputError("set exactly one of agent_id (with status), agents, all_agents (with status) and "
                                        "plan: this task sets plan and %s" % " and ".join(others))
            self._from_plan(params)
            return
        self.all_status = None
        status = params.get("status")
        if "all_agents" in forms:
            if status is None:
                raise WolkvoxInputError("all_agents needs status: the state for every agent of the operation")
            if params.get("agent_id") is not None:
                raise WolkvoxInputError("all_agents and agent_id are mutually exclusive: all_agents already names every agent")
            if self.force:
                raise WolkvoxInputError("all_agents and force are mutually exclusive: all_agents needs the read that force skips")
            try:
                self.all_status = normalize_status(status)
            except WolkvoxInputError as exc:
                raise WolkvoxInputError("all_agents with %s (role variable wolkvox_agent_status_all)" % exc)
            self.named = planner.normalize_targets(agents=params.get("agents") or None)
            return
        if not forms:
            raise WolkvoxInputError("say which agents: agent_id with status, agents, all_agents with status, or plan")
        if params.get("agents") is not None and status is not None:
            raise WolkvoxInputError("status and agents are mutually exclusive (unless all_agents is true)")
        self.named = planner.normalize_targets(agent_id=params.get("agent_id"), status=status, agents=params.get("agents"))

    def _from_plan(self, params):
        if self.force:
            raise WolkvoxInputError("plan and force are mutually exclusive: a plan needs the read that force skips")
        names = plans.ROLE_NAMES if self.role else plans.MODULE_NAMES
        self.moment = plans.moment(params.get("plan"), at=params.get("plan_at"),
                                   timezone=params.get("plan_timezone") or "UTC", names=names)
        named, everyone, self.left_alone = self.moment.enforced()
        self.named = [(aid, target.status) for aid, target in named]
        self.all_status = everyone.status if everyone is not None else None
        where = names.plan + "[%d]"
        for aid, target in named:
            if target.has_rules:
                self._entry_rules[aid] = self._entry(target, where % target.entry)
        if everyone is not None and everyone.has_rules:
            self._all_rules = self._entry(everyone, where % everyone.entry)

    def _entry(self, target, where):
        only_from = state_set(target.only_from, self.labels, where + ".only_from") if target.only_from is not None else None
        except_from = state_set(target.except_from, self.labels, where + ".except_from")
        return self.rules.narrowed(only_from, except_from)

    @property
    def all_agents(self):
        return self.all_status is not None

    @property
    def idle(self):
        """A plan with no enforced entry active: nothing is read, nothing is sent."""
        return self.moment is not None and not self.named and self.all_status is None

    @property
    def empty(self):
        return self.moment is None and not self.all_agents and not self.named

    def rules_for(self, agent_id):
        if agent_id in self._entry_rules:
            return self._entry_rules[agent_id]
        if self._all_rules is not None and agent_id not in dict(self.named):
            return self._all_rules
        return self.rules

    def desired(self, order):
        """The desired states, given the operation's agents in API order (from the one read)."""
        if not self.all_agents:
            return self.named
        return [(aid, status) for aid, status in planner.expand_all(order, self.named, self.all_status)
                if aid not in self.left_alone]

    def unlabelled(self):
        """Desired auxiliary states with no label (they cannot be compared), in order of appearance."""
        states = [status for _aid, status in self.named] + ([self.all_status] if self.all_status else [])
        found = []
        for status in states:
            if status not in self.labels and status not in found:
                found.append(status)
        return found

    # -- the rules ------------------------------------------------------------------------

    def _rules(self, params):
        only_from = params.get("only_from")
        if self.role and not only_from:
            only_from = None  # the role passes [] when wolkvox_agent_status_only_from is not set
        except_from = params.get("except_from") or []
        if self.force and except_from:
            raise WolkvoxInputError("except_from and force are mutually exclusive: except_from needs the read that force skips")
        self.busy_policy = params.get("busy_policy") or "skip"
        if self.busy_policy not in planner.BUSY_POLICIES:
            raise WolkvoxInputError("busy_policy %s is not valid: use skip, wait or force" % shown(self.busy_policy))
        self.wait_timeout = _bounded(params, "wait_timeout", 300, 1, 3600)
        self.poll_interval = _bounded(params, "poll_interval", 30, 1, 600)
        self.verify = bool(params.get("verify"))
        self.logged_out_policy = params.get("logged_out_policy") or "skip"
        if self.logged_out_policy not in planner.LOGGED_OUT_POLICIES:
            raise WolkvoxInputError("%s %s is not valid: use skip or send" % (
                role_hint("logged_out_policy"), shown(self.logged_out_policy)))
        busy_states = params.get("busy_states")
        busy_states = list(DEFAULT_BUSY_STATES) if busy_states is None else busy_states
        return planner.Rules(
            self.labels,
            only_from=state_set(only_from, self.labels, role_hint("only_from")) if only_from is not None else None,
            except_from=state_set(except_from, self.labels, role_hint("except_from")),
            busy_states=state_set(busy_states, self.labels, role_hint("busy_states")),
            busy_policy=self.busy_policy,
            exclude=_excluded(params.get("exclude_agents")),
            force=self.force,
            logged_out_policy=self.logged_out_policy,
        )


# The module's own options (the connection options are merged in by _module / the action plugin).
ARGUMENT_SPEC = dict(
    agent_id=dict(type="list", elements="str", aliases=["agent_ids"]),
    status=dict(type="str"),
    agents=dict(
        type="list",
        elements="dict",
        options=dict(agent_id=dict(type="str", required=True), status=dict(type="str", required=True)),
    ),
    all_agents=dict(type="bool", default=False),
    plan=dict(type="list", elements="raw"),
    plan_at=dict(type="str"),
    plan_timezone=dict(type="str", default="UTC"),
    status_labels=dict(type="dict", default={}),
    only_from=dict(type="list", elements="str"),
    except_from=dict(type="list", elements="str", default=[]),
    exclude_agents=dict(type="list", elements="str", default=[]),
    busy_states=dict(type="list", elements="str", default=list(DEFAULT_BUSY_STATES)),
    busy_policy=dict(type="str", default="skip", choices=list(planner.BUSY_POLICIES)),
    wait_timeout=dict(type="int", default=300),
    poll_interval=dict(type="int", default=30),
    verify=dict(type="bool", default=False),
    logged_out_policy=dict(type="str", default="skip", choices=list(planner.LOGGED_OUT_POLICIES)),
    force=dict(type="bool", default=False),
    diff_format=dict(type="str", default="agents", choices=["maps", "agents"]),
    diff_header=dict(type="str"),
    operation=dict(type="str"),
    option_names=dict(type="str", default="module", choices=["module", "role"]),
)
SPEC_KWARGS = dict(
    mutually_exclusive=[("agent_id", "agents"), ("force", "only_from"), ("force", "except_from")],
    required_by={"agent_id": "status"},
    supports_check_mode=True,
)
