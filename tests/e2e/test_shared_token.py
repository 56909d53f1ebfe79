# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One token shared by many inventory hosts and forks: the token's limit holds across processes,
and a run killed mid-way leaves no slot held and converges on the next run."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from _helpers import (
    assert_accounted,
    assert_locks_free_and_clean,
    kill_tree,
    private_tmpdir,
    read_results,
    run_inventory,
    write_slice_play,
)
from _helpers import (
    write_shared_token_inventory as write_inventory,
)
from conftest import TOKENS, collections_path

PER_HOST = 6


@pytest.mark.parametrize("hosts", [6, 20])
def test_hosts_sharing_a_token_never_exceed_its_limit(fresh, tmp_path, hosts):
    fresh.set_agents("bogota_sales", generate=hosts * PER_HOST, status="Training", start=5000)
    fresh.config(latency=0.02)
    fresh.reset(state=False)
    tmpdir = private_tmpdir(tmp_path)
    inventory = write_inventory(tmp_path, fresh, hosts, PER_HOST)
    play, out = write_slice_play(tmp_path)
    started = time.time()
    run = run_inventory(play, inventory, tmp_path, forks=20, env={"TMPDIR": tmpdir})
    elapsed = time.time() - started
    assert run.rc == 0, run.output[-3000:]
    results = read_results(out)
    assert len(results) == hosts
    for index in range(hosts):
        first = 5000 + index * PER_HOST
        result = results["op%02d" % index]
        assert_accounted(result, [str(first + i) for i in range(PER_HOST)])
        assert result["summary"]["changed"] == PER_HOST, result["msg"]
    stats = fresh.stats()
    _server, token = TOKENS["bogota_sales"]
    assert stats["requests"]["agents"] == hosts and stats["requests"]["change_status"] == hosts * PER_HOST
    assert max(stats["max_concurrency"].values()) <= 2, stats["max_concurrency"]
    assert stats["busy_rejections"] == {}
    assert sum(r["api_calls"] for r in results.values()) == stats["total"]
    assert all(label == "Ready" for aid, label in fresh.state().items() if aid >= "5000")
    assert_locks_free_and_clean(tmpdir, [token])
    print("hosts=%d forks=20 requests=%d peak=%d busy=0 wall=%.1fs"
          % (hosts, stats["total"], max(stats["max_concurrency"].values()), elapsed))


def test_without_a_shared_lock_directory_the_limit_breaks(fresh, tmp_path):
    # The control experiment: the same run, but each host gets its own TMPDIR, so the forks do not
    # share lock files. The simulator then sees more than 2 requests at once for the token, which
    # shows that the test above can fail and that the lock directory is what holds the limit.
    hosts = 6
    fresh.set_agents("bogota_sales", generate=hosts * PER_HOST, status="Training", start=5000)
    fresh.config(latency=0.1)
    fresh.reset(state=False)
    for index in range(hosts):
        private_tmpdir(tmp_path, "tmp-op%02d" % index)
    inventory = write_inventory(tmp_path, fresh, hosts, PER_HOST)
    play, out = write_slice_play(
        tmp_path, task_extra={"environment": {"TMPDIR": str(tmp_path) + "/tmp-{{ inventory_hostname }}"}})
    run = run_inventory(play, inventory, tmp_path, forks=20)
    stats = fresh.stats()
    assert max(stats["max_concurrency"].values()) > 2, (stats["max_concurrency"], run.output[-2000:])
    assert len(read_results(out)) == hosts
    print("control: separate lock directories, peak=%d busy=%d"
          % (max(stats["max_concurrency"].values()), sum(stats["busy_rejections"].values())))


def test_killed_run_leaves_no_slot_held_and_the_next_run_converges(fresh, tmp_path):
    hosts, per_host = 4, 30
    total = hosts * per_host
    fresh.set_agents("bogota_sales", generate=total, status="Training", start=5000)
    fresh.config(latency=0.03)
    fresh.reset(state=False)
    tmpdir = private_tmpdir(tmp_path)
    inventory = write_inventory(tmp_path, fresh, hosts, per_host)
    play, out = write_slice_play(tmp_path)
    _server, token = TOKENS["bogota_sales"]
    env = dict(os.environ, TMPDIR=tmpdir, ANSIBLE_COLLECTIONS_PATH=collections_path(),
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCALHOST_WARNING="False")
    # ansible-playbook, its forks and the modules (which hold the slots, mid-request) are all
    # killed with SIGKILL: nothing gets to clean up, as when a CI job is cancelled or the
    # machine runs out of memory.
    proc = subprocess.Popen(
        ["ansible-playbook", "-i", str(inventory), "-f", "20", str(play)],
        cwd=str(tmp_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    killed = []
    try:
        deadline = time.time() + 60
        while fresh.stats()["requests"]["change_status"] < 20:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.time() < deadline
            time.sleep(0.05)
    finally:
        killed = kill_tree(proc.pid)
        proc.wait(10)
    assert len(killed) > hosts  # ansible-playbook, its workers and their modules
    time.sleep(0.3)  # requests already sent are answered by the server
    moved = [aid for aid, label in fresh.state().items() if aid >= "5000" and label == "Ready"]
    assert 0 < len(moved) < total, len(moved)
    # No slot is left held: every lock file can be taken at once.
    assert_locks_free_and_clean(tmpdir, [token])
    assert not list(out.glob("*.json"))

    fresh.reset(state=False)
    run = run_inventory(play, inventory, tmp_path, forks=20, env={"TMPDIR": tmpdir})
    assert run.rc == 0, run.output[-3000:]
    results = read_results(out)
    changed = sum(r["summary"]["changed"] for r in results.values())
    unchanged = sum(r["summary"]["unchanged"] for r in results.values())
    assert changed == total - len(moved) and unchanged == len(moved)
    assert fresh.stats()["requests"]["change_status"] == total - len(moved)
    assert all(label == "Ready" for aid, label in fresh.state().items() if aid >= "5000")
    print("killed after %d of %d agents moved; re-run changed %d, found %d done" % (len(moved), total, changed, unchanged))
