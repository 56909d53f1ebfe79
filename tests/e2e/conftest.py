# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the integration tests: a simulator process and a way to run playbooks against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR = os.path.join(ROOT, "tools", "wolkvox_simulator.py")
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


class SimulatorProcess(object):
    """A simulator in its own process, and its admin endpoints."""

    def __init__(self, tmp_path, fixture=DEMO_FIXTURE, tls=False, latency=0.0, dialect=None):
        self.dialect = dialect or DIALECT
        self.proc, info = wolkvox_simulator.spawn(fixture, tmp_path, latency=latency, tls=tls, dialect=self.dialect)
        self.url = info["url"]
        self.ca_path = info["ca_path"]
        self.admin_url = self.url.replace("https://", "http://") if not tls else None

    def _admin(self, path, payload=None):
        import ssl

        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET")
        context = ssl.create_default_context(cafile=self.ca_path) if self.ca_path else None
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read().decode())

    def stats(self):
        return self._admin("/__admin/stats")

    def state(self, operation="bogota_sales"):
        return self._admin("/__admin/state")[operation]["agents"]

    def reset(self, state=True):
        return self._admin("/__admin/reset", {"state": state})

    def set_agents(self, operation, agents=None, generate=None, status="Logout", start=1000, replace=False):
        payload = {"operation": operation, "agents": agents or {}, "replace": replace}
        if generate:
            payload.update(generate=generate, status=status, start=start)
        return self._admin("/__admin/agents", payload)

    def fault(self, kind, count=1, match="any", **extra):
        payload = dict(kind=kind, count=count, match=match)
        payload.update(extra)
        return self._admin("/__admin/faults", payload)

    def config(self, **values):
        return self._admin("/__admin/config", values)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    process = SimulatorProcess(tmp_path_factory.mktemp("sim"))
    yield process
    process.stop()


@pytest.fixture(scope="session")
def tls_sim(tmp_path_factory):
    """A simulator serving HTTPS with a throw-away CA (its bundle: tls_sim.ca_path)."""
    process = SimulatorProcess(tmp_path_factory.mktemp("tls-sim"), tls=True)
    yield process
    process.stop()


@pytest.fixture(autouse=False)
def fresh(sim):
    """The simulator back to its fixture state, counters at zero."""
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
