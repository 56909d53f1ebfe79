# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the module tests: main() runs against the shared FakeApi (tests/unit/conftest.py)."""

from __future__ import annotations

import pytest

from ansible_collections.wolkvox.contact_center.tests.unit.plugins.modules.utils import patch_exit_and_fail


@pytest.fixture
def api(fake_api, monkeypatch):
    """The fake operation, with no connection variables in the environment and exit_json /
    fail_json raising AnsibleExitJson / AnsibleFailJson."""
    for name in ("WOLKVOX_SERVER", "WOLKVOX_TOKEN", "WOLKVOX_API_URL"):
        monkeypatch.delenv(name, raising=False)
    patch_exit_and_fail(monkeypatch)
    return fake_api
