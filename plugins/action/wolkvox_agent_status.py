# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Puts Wolkvox agents into a desired state from the controller's own process (plugins/plugin_utils/_action.py);
the documentation is in plugins/modules/wolkvox_agent_status.py."""

from __future__ import annotations

from ansible_collections.wolkvox.contact_center.plugins.plugin_utils._action import action_for

ActionModule = action_for("wolkvox_agent_status")
