# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several controllers that share one token and no lock directory (AWX execution nodes, parallel
CI jobs) each converge every agent.

Three ansible-playbook processes start at once, each with its own TMPDIR (so their lock files
are not shared and nothing on the controller side keeps them under the token's limit together),
each moving its own 40 agents of the same operation, against a simulator that allows 2 requests
in flight per token and answers 100 ms later. The third concurrent request gets the vendor's
"token busy" answer: every controller must take it as "not executed, try again" and still
converge all of its agents, round after round."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import yaml

from _helpers import assert_accounted, lock_files, private_tmpdir
from conftest import TOKENS, collections_path, connection

OP = "bogota_sales"
ROUNDS = 5
CONTROLLERS = 3
PER_CONTROLLER = 40
START = 5000
LATENCY = 0.1
# The rounds alternate between ready and an auxiliary state (9, Training): agents stay logged in,
# since one shown as Logout is not sent another state (logged_out_policy skip, the default).
AUX = "9"
LABELS = {AUX: "Training"}
LABEL = {"ready": "Ready", AUX: "Training"}


def controller_agents(index):
    first = START + index * PER_CONTROLLER
    return [str(first + i) for i in range(PER_CONTROLLER)]


def write_play(directory, sim, agents, status, out):
    """A play on localhost: move these agents, then keep the registered result in ``out``."""
    params = connection(sim, OP)
    params.update(agent_id=agents, status=status, status_labels=LABELS)
    play = [{
        "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {"name": "move my agents", "wolkvox.contact_center.wolkvox_agent_status": params,
             "register": "moved", "ignore_errors": True},
            {"name": "keep the result", "ansible.builtin.copy": {
                "content": "{{ moved | to_json }}", "dest": str(out), "mode": "0600"}},
        ],
    }]
    path = directory / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def controller_env(tmpdir):
    """What a controller of its own would have: the built collection, and its own TMPDIR."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "TMPDIR": tmpdir,
    })
    return env


def run_round(sim, tmp_path, number, status):
    """Start the controllers at once, wait for all; returns ([(rc, output, result)], wall seconds)."""
    procs = []
    started = time.monotonic()
    for index in range(CONTROLLERS):
        directory = tmp_path / ("round%d-controller%d" % (number, index))
        tmpdir = private_tmpdir(tmp_path, "tmp-controller%d" % index)  # its own, the same every round
        directory.mkdir()
        out = directory / "result.json"
        play = write_play(directory, sim, controller_agents(index), status, out)
        proc = subprocess.Popen(
            ["ansible-playbook", "-i", "localhost,", "-c", "local", str(play)],
            cwd=str(directory), env=controller_env(tmpdir),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        procs.append((proc, out))
    finished = []
    for proc, out in procs:
        try:
            output = proc.communicate(timeout=120)[0]
        except subprocess.TimeoutExpired:
            for other, _out in procs:
                other.kill()
            raise
        result = json.loads(out.read_text()) if out.exists() else None
        finished.append((proc.returncode, output, result))
    return finished, time.monotonic() - started


def test_three_controllers_sharing_one_token_each_converge_every_agent(fresh, tmp_path, record_property):
    everyone = [aid for index in range(CONTROLLERS) for aid in controller_agents(index)]
    fresh.set_agents(OP, generate=CONTROLLERS * PER_CONTROLLER, status="Training", start=START)
    fresh.config(latency=LATENCY, max_per_token=2)
    _server, token = TOKENS[OP]
    measured = []
    for number in range(ROUNDS):
        status = "ready" if number % 2 == 0 else AUX  # every round moves all 120 agents
        fresh.reset(state=False)
        finished, wall = run_round(fresh, tmp_path, number, status)
        stats = fresh.stats()
        busy = sum(stats["busy_rejections"].values())
        peak = max(stats["max_concurrency"].values())
        measured.append({"round": number + 1, "status": status, "busy_answers": busy, "requests": stats["total"],
                         "peak_in_flight_seen": peak, "wall_s": round(wall, 1)})
        print("round %d (%s): %d requests, %d busy answers, peak %d in flight seen by the simulator, %.1f s"
              % (number + 1, status, stats["total"], busy, peak, wall))

        for index, (rc, output, result) in enumerate(finished):
            assert token not in output, "the token leaked into the output of controller %d" % index
            assert rc == 0, "round %d, controller %d:\n%s" % (number + 1, index, output[-3000:])
            assert result is not None and not result.get("failed"), (number + 1, index, result and result["msg"])
            assert_accounted(result, controller_agents(index))
            assert result["summary"]["changed"] == PER_CONTROLLER, (number + 1, index, result["msg"])
            assert result["summary"]["failed"] == 0
        # Every agent of every controller is in the state its controller asked for.
        state = fresh.state(OP)
        wrong = dict((aid, state[aid]) for aid in everyone if state[aid] != LABEL[status])
        assert not wrong, "round %d: agents not converged: %s" % (number + 1, wrong)
        # Each change was executed exactly once; every other request was a busy answer, tried again:
        # the requests the simulator saw are the 3 reads, the 120 changes and the busy answers, and
        # the controllers counted every one of them.
        changes = stats["changes"]
        assert sorted(c["agent_id"] for c in changes) == sorted(everyone)
        assert all(c["outcome"] == "applied" for c in changes)
        assert stats["requests"]["agents"] + stats["requests"]["change_status"] == \
            CONTROLLERS + CONTROLLERS * PER_CONTROLLER + busy
        assert sum(result["api_calls"] for _rc, _out, result in finished) == stats["total"]
        # The simulator counts a refused request as in flight too, so what it saw at the peak is at
        # most each controller's own limit (2) times the number of controllers; it executes no more
        # than 2 at once (the rest get the busy answer counted above).
        assert peak <= 2 * CONTROLLERS, stats["max_concurrency"]

    # The controllers shared no lock files: each made its own, in its own TMPDIR.
    for index in range(CONTROLLERS):
        own = private_tmpdir(tmp_path, "tmp-controller%d" % index)
        assert lock_files(own), "controller %d made no lock file in its own TMPDIR" % index
    # The back-pressure path was really exercised: the token was busy for some requests.
    busy_total = sum(m["busy_answers"] for m in measured)
    assert busy_total > 0, measured
    summary = {"rounds": ROUNDS, "controllers": CONTROLLERS, "agents_per_controller": PER_CONTROLLER,
               "latency_s": LATENCY, "busy_answers_per_round": [m["busy_answers"] for m in measured],
               "requests_per_round": [m["requests"] for m in measured],
               "wall_s_per_round": [m["wall_s"] for m in measured]}
    print("shared token, %d controllers x %d agents, %d rounds: %s"
          % (CONTROLLERS, PER_CONTROLLER, ROUNDS, json.dumps(summary)))
    for key, value in summary.items():
        record_property(key, json.dumps(value) if isinstance(value, list) else value)
