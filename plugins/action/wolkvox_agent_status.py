# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Puts Wolkvox agents into a desired state from the controller's own process (see plugins/plugin_utils/_action.py);
the documentation is in plugins/modules/wolkvox_agent_status.py."""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _status, _status_options
from ansible_collections.wolkvox.contact_center.plugins.plugin_utils._action import WolkvoxAction


class ActionModule(WolkvoxAction):
    MODULE = "wolkvox.contact_center.wolkvox_agent_status"
    ARGUMENT_SPEC = _status_options.ARGUMENT_SPEC
    SPEC_KWARGS = _status_options.SPEC_KWARGS
    ENGINE = staticmethod(_status.run)
