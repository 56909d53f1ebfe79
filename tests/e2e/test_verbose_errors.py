# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected errors at -vvv: a clean message that names the problem, and no Python traceback.

An expected API error (a wrong token, a body that is not JSON, a redirect, a TLS failure, a
timeout, bad input, an agent the operation does not have) is a message for the user, not a
crash: at -vvv ansible-playbook must not print "The full traceback is:" and the module's stack
above it. ansible-core before 2.19 prints a traceback for any fail_json() called while an
exception is being handled, so these tests run with every ansible-core minor of the version
matrix (tools/test matrix selects them with -m verbose_errors).

Every error path of the modules runs as one task of one ansible-playbook -vvv run (faults are
queued by a task just before the task they are meant for); each test checks its task's result
and the part of the output that its task printed, and one test the whole output. The role runs
in its own ansible-playbook -vvv run.
"""

from __future__ import annotations

import re

import pytest

from _helpers import recap, run_fqcn, summary_lines, write_inventory
from conftest import TOKENS, connection, run_tasks

pytestmark = pytest.mark.verbose_errors

TRACEBACK_MARKERS = ("Traceback", "The full traceback is")
WRONG_TOKEN = "wrong-token-for-this-test"

# name -> (module, options, fault to queue first or None, words the message must contain: any of
# each tuple, case-insensitive). "tls" tasks go to the simulator with TLS, the others to plain HTTP.
ERROR_PATHS = {
    "status-wrong-token": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "wolkvox_token": WRONG_TOKEN},
        None, [("token",), ("401", "invalid", "denied", "authentication")]),
    "status-wrong-server": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "wolkvox_server": "0999"},
        None, [("server", "0999"), ("401", "invalid", "denied", "authentication")]),
    "status-garbage-body": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "retries": 0},
        {"kind": "garbage", "match": "agents"}, [("not json",)]),
    "status-html-body": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "retries": 0},
        {"kind": "html", "match": "agents"}, [("500",)]),
    "status-redirect": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "retries": 0},
        {"kind": "redirect", "match": "agents", "location": "http://127.0.0.1:9/elsewhere"}, [("redirect",)]),
    "status-tls-failure": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "validate_certs": True},
        None, [("tls", "ssl", "certificate")]),
    "status-timeout": (
        "wolkvox_agent_status", {"agent_id": ["1001"], "status": "ready", "timeout": 1, "retries": 0},
        {"kind": "slow", "match": "agents", "delay": 4}, [("timed out", "timeout")]),
    "status-bad-agent-id": (
        "wolkvox_agent_status", {"agent_id": ["1001", "10x2"], "status": "ready"},
        None, [("'10x2'",)]),
    "status-partly-failed-bulk": (
        "wolkvox_agent_status", {"agent_id": ["1001", "4242", "1002"], "status": "logout"},
        None, [("1 of 3",), ("4242",)]),
    "info-wrong-token": (
        "wolkvox_agent_info", {"wolkvox_token": WRONG_TOKEN},
        None, [("token",), ("401", "invalid", "denied", "authentication")]),
    "info-garbage-body": (
        "wolkvox_agent_info", {"retries": 0},
        {"kind": "garbage", "match": "agents"}, [("not json",)]),
}


def task_name(name):
    return "error path %s" % name


def sections(output):
    """Task name -> what ansible-playbook printed under that task's header."""
    found = {}
    parts = re.split(r"^TASK \[([^\]]*)\] \**$", output, flags=re.M)
    for index in range(1, len(parts) - 1, 2):
        found[parts[index]] = found.get(parts[index], "") + parts[index + 1]
    return found


def traceback_excerpt(text):
    """The lines around the first traceback marker, for the assertion message."""
    for marker in TRACEBACK_MARKERS:
        where = text.find(marker)
        if where >= 0:
            return text[max(0, where - 300):where + 1500]
    return ""


def assert_no_traceback(text, what):
    assert not any(marker in text for marker in TRACEBACK_MARKERS), (
        "%s printed a Python traceback at -vvv:\n%s" % (what, traceback_excerpt(text)))


def assert_names_the_problem(msg, words):
    for choices in words:
        assert any(word.lower() in msg.lower() for word in choices), (
            "the message does not name the problem (none of %s): %s" % (list(choices), msg))


@pytest.fixture(scope="module")
def vvv_run(sim, tls_sim, tmp_path_factory):
    """One ansible-playbook -vvv run with a task per error path; (run, {name: result}, sections).

    sim and tls_sim (conftest.py): the simulator over HTTP, and one over HTTPS whose CA the tasks
    are not given (the TLS failure)."""
    sim.config(latency=0.0, max_per_token=2)
    sim.reset(state=True)
    tls_sim.reset(state=True)
    tasks, index = [], {}
    for name, (module, options, fault, _words) in ERROR_PATHS.items():
        if fault:
            payload = {"count": 1}
            payload.update(fault)
            tasks.append({
                "name": "queue the fault of %s" % name,
                "ansible.builtin.uri": {"url": sim.url + "/__admin/faults", "method": "POST",
                                        "body_format": "json", "body": payload},
                "ignore_errors": False,
            })
        target = tls_sim if name.endswith("tls-failure") else sim
        params = connection(target)
        params.update(options)
        index[name] = len(tasks)
        tasks.append({"name": task_name(name), "wolkvox.contact_center.%s" % module: params})
    run = run_tasks(tmp_path_factory.mktemp("vvv"), tasks, args=["-vvv"])
    results = dict((name, run.results[position]) for name, position in index.items())
    return run, results, sections(run.output)


@pytest.mark.parametrize("name", list(ERROR_PATHS))
def test_error_path_is_a_clean_message_at_vvv(vvv_run, name):
    run, results, printed = vvv_run
    result = results[name]
    assert result.get("failed") is True, result
    assert_names_the_problem(result["msg"], ERROR_PATHS[name][3])
    assert WRONG_TOKEN not in result["msg"]
    assert task_name(name) in printed, "no output of the task %r" % name
    assert_no_traceback(printed[task_name(name)], "the task %r" % name)


def test_whole_vvv_output_has_no_traceback(vvv_run):
    run = vvv_run[0]
    assert "ESTABLISH LOCAL CONNECTION" in run.output, "the run was not at -vvv"
    assert_no_traceback(run.output, "the -vvv run")


def test_role_with_a_wrong_token_fails_cleanly_at_vvv(fresh, tmp_path):
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": {
        "wolkvox_token": WRONG_TOKEN,
        "wolkvox_agent_status_agents": [{"agent_id": "1001", "status": "ready"}],
    }})
    run = run_fqcn(fresh, tmp_path, "apply_agent_states", "-vvv", inventory=inventory)
    assert run.rc != 0, run.output[-3000:]
    assert recap(run.output)["bogota_sales"]["failed"] == 1
    line = summary_lines(run.stdout).get("bogota_sales", "")
    assert "failed" in line, line
    assert_names_the_problem(line, [("token",)])
    assert TOKENS["bogota_sales"][1] not in run.output
    assert fresh.stats()["requests"]["change_status"] == 0
    assert_no_traceback(run.output, "the role's -vvv run")
