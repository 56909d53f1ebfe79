# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the integration tests: a simulator process and a way to run playbooks against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR = os.path.join(ROOT, "tools", "wolkvox_simulator")  # a package: python -m wolkvox_simulator
sys.path.insert(0, os.path.dirname(SIMULATOR))
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position

DEMO_FIXTURE = os.path.join(ROOT, "tools", "fixtures", "demo.json")
# The simulator's dialect for the whole suite: classic (errors in HTTP 200 bodies) or vendor (the
# vendor's documented answers: real HTTP statuses, read codes "" and "0"). tools/test runs both.
DIALECT = os.environ.get("WOLKVOX_SIM_DIALECT") or "classic"
TOKENS = {
    "bogota_sales": ("0042", "sim-token-bogota-sales-not-a-secret"),
    "bogota_support": ("0042", "sim-token-bogota-support-not-a-secret"),
    "medellin_collections": ("0117", "sim-token-medellin-collections-not-a-secret"),
}


def collections_path():
    path = os.environ.get("WOLKVOX_COLLECTIONS_PATH")
    if not path:
        pytest.fail("WOLKVOX_COLLECTIONS_PATH is not set: run the suite with tools/test")
    return path


class SimulatorProcess(wolkvox_simulator.Running):
    """A simulator in its own process (tools/wolkvox_simulator, in the suite's dialect unless
    ``dialect`` says): the package's Running (url, ca_path, dialect, proc, admin, stop()), with
    its admin hooks as methods."""

    def __init__(self, tmp_path, fixture=DEMO_FIXTURE, tls=False, latency=0.0, dialect=None):
        dialect = dialect or DIALECT
        if dialect not in ("classic", "vendor"):
            raise ValueError("the simulator's dialect is classic or vendor, not %r (WOLKVOX_SIM_DIALECT)" % dialect)
        wolkvox_simulator.Running.__init__(self, fixture, tmp_path, latency=latency, tls=tls, dialect=dialect)
        assert self.dialect == dialect, self.info
        self.admin_url = self.url.replace("https://", "http://") if not tls else None

    def stats(self):
        return self.admin.stats()

    def state(self, operation="bogota_sales"):
        """{agent_id: label shown now} of one operation."""
        return self.admin.agents_shown(operation)

    def full_state(self):
        """Every operation: agents, in_state_for, contacts, contact_mode, logged_out_mode, quota."""
        return self.admin.full_state()

    def reset(self, state=True):
        return self.admin.reset(state)

    def set_agents(self, operation, agents=None, generate=None, status="Logout", start=1000, replace=False,
                   enabled=None, in_state_for=None):
        return self.admin.set_agents(operation, agents, generate, status, start, replace, enabled, in_state_for)

    def fault(self, kind, count=1, match="any", **extra):
        return self.admin.fault(kind, count, match, **extra)

    def config(self, **values):
        return self.admin.config(**values)

    def set_operation(self, operation, contact_mode=None, logged_out_mode=None):
        return self.admin.set_operation(operation, contact_mode, logged_out_mode)

    def contact(self, operation, agent_id, status=None, ends_in=None, then=None, end=False, acw=None):
        return self.admin.contact(operation, agent_id, status, ends_in, then, end, acw)

    def quota(self, operation, used=None, limit=None):
        """Set and/or read an operation's daily quota ({"limit", "used"}); costs no request of it."""
        return self.admin.quota(operation, used, limit)


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    """The suite's simulator (plain HTTP), in the dialect WOLKVOX_SIM_DIALECT names (sim.dialect)."""
    process = SimulatorProcess(tmp_path_factory.mktemp("sim"))
    yield process
    process.stop()


@pytest.fixture(scope="session")
def tls_sim(tmp_path_factory):
    """A simulator serving HTTPS with a throw-away CA (its bundle: tls_sim.ca_path), in the suite's dialect."""
    process = SimulatorProcess(tmp_path_factory.mktemp("tls-sim"), tls=True)
    yield process
    process.stop()


@pytest.fixture(autouse=False)
def fresh(sim):
    """The simulator back to its fixture state (agents, contacts, modes, quotas), counters at zero."""
    sim.config(latency=0.0, max_per_token=2)
    sim.reset(state=True)
    return sim


def connection(sim, operation="bogota_sales", **extra):
    server, token = TOKENS[operation]
    values = {"wolkvox_server": server, "wolkvox_token": token, "api_url": sim.url, "retry_delay": 0.01}
    values.update(extra)
    return values


class PlaybookRun(object):
    def __init__(self, rc, stdout, stderr, results):
        self.rc, self.stdout, self.stderr, self.results = rc, stdout, stderr, results

    @property
    def result(self):
        return self.results[0]

    @property
    def output(self):
        return self.stdout + self.stderr


def run_playbook(path, tmp_path, args=(), env=None, check=True, inventory="localhost,"):
    """ansible-playbook PATH (a file or a playbook FQCN) with the built collection.

    Returns PlaybookRun (results empty)."""
    environ = dict(os.environ)
    environ.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        # Modules run on the controller, with the Python that has requests.
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    })
    environ.update(env or {})
    proc = subprocess.run(
        ["ansible-playbook", "-i", str(inventory), "-c", "local", str(path)] + list(args),
        cwd=str(tmp_path), env=environ, capture_output=True, text=True, timeout=900, check=False,
    )
    # Whatever the scenario, no simulator token may ever appear in what ansible-playbook prints.
    for _server, token in TOKENS.values():
        assert token not in proc.stdout + proc.stderr, "a token leaked into the output of %s" % path
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, [])


def run_tasks(tmp_path, tasks, check_mode=False, diff=False, args=(), env=None, vars=None):
    """Run tasks in one play on localhost; each task's registered result is returned, in order.

    Each task gets ``register`` and ``ignore_errors: true`` so a failed task's result is kept."""
    out = tmp_path / "results.json"
    play_tasks = []
    for index, task in enumerate(tasks):
        task = dict(task)
        task.setdefault("register", "r%d" % index)
        task.setdefault("ignore_errors", True)
        play_tasks.append(task)
    names = [task["register"] for task in play_tasks]
    play_tasks.append({
        "name": "write the results",
        "ansible.builtin.copy": {
            "content": "{{ [%s] | to_json }}" % ", ".join(names),
            "dest": str(out),
            "mode": "0600",
        },
        "check_mode": False,
        "diff": False,
    })
    play = [{
        "hosts": "localhost", "gather_facts": False, "check_mode": check_mode, "diff": diff,
        "vars": vars or {}, "tasks": play_tasks,
    }]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    if out.exists():
        out.unlink()
    run = run_playbook(path, tmp_path, args=args, env=env)
    if out.exists():
        run.results = json.loads(out.read_text())
    else:
        raise AssertionError("the play did not finish:\n%s" % run.output[-4000:])
    return run


def status_task(sim, operation="bogota_sales", **options):
    params = connection(sim, operation)
    params.update(options)
    return {"wolkvox.contact_center.wolkvox_agent_status": params}


def pytest_report_header(config):
    """Which dialect the simulator answers in (tools/test checks this line)."""
    del config
    return "simulator dialect: %s" % DIALECT
