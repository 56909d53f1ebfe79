# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper (not shipped): writes each task's and play's wall time to a JSON file."""

from __future__ import annotations

DOCUMENTATION = r"""
name: wolkvox_bench_timer
type: aggregate
short_description: Write task and play durations to a JSON file
description:
  - Used by benchmarks/bench.py only. Writes to the file named by E(WOLKVOX_BENCH_TIMING).
requirements:
  - enabled in configuration
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wolkvox_bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.tasks = []
        self.by_uuid = {}
        self.plays = []

    def _close_play(self, now):
        if self.plays and self.plays[-1]["end"] is None:
            self.plays[-1]["end"] = now

    def v2_playbook_on_play_start(self, play):
        now = time.time()
        self._close_play(now)
        self.plays.append({"name": play.get_name(), "start": now, "end": None})

    def v2_playbook_on_task_start(self, task, is_conditional):
        entry = {"name": task.get_name(), "start": time.time(), "end": None, "hosts": 0, "failed": 0,
                 "summary": None, "api_calls": None}
        self.tasks.append(entry)
        self.by_uuid[task._uuid] = entry

    def _result(self, result, failed=False):
        entry = self.by_uuid.get(result._task._uuid)
        if entry is None:
            return
        entry["end"] = time.time()
        entry["hosts"] += 1
        entry["failed"] += int(bool(failed))
        data = result._result
        if isinstance(data.get("summary"), dict):
            entry["summary"] = data["summary"]
        if "api_calls" in data:
            entry["api_calls"] = (entry["api_calls"] or 0) + int(data["api_calls"])
        if failed:
            entry["msg"] = str(data.get("msg", ""))[:500]

    def v2_runner_on_ok(self, result):
        self._result(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, failed=True)

    def v2_runner_on_unreachable(self, result):
        self._result(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._result(result)

    def v2_playbook_on_stats(self, stats):
        self._close_play(time.time())
        path = os.environ.get("WOLKVOX_BENCH_TIMING")
        if path:
            with open(path, "w") as handle:
                json.dump({"plays": self.plays, "tasks": self.tasks}, handle)
