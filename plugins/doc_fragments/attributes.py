# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Attributes shared by every module.
    DOCUMENTATION = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/wolkvox.contact_center.wolkvox) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - wolkvox.contact_center.wolkvox
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""
