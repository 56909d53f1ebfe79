# -*- coding: utf-8 -*-
# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fakes every unit test shares, each defined once, offered as fixtures. No network.

TOKEN, OK_BODY, SETTINGS, ANY_JSON, FakeResponse, FakeTime and summary_counts are also imported by
name where a parametrize table or a property test needs them at collection time.

- ``response(status, body=None, text=None, headers=None)``: a requests-like answer.
- ``make_client(script, **kwargs)``: a real WolkvoxClient over a FakeSession that answers from a
  script (a list of responses/exceptions, or a callable(method, url, params)); returns
  ``(client, session)``. Sleeps go to ``sleeps``.
- ``fake_api``: an in-memory operation (the vendor's two calls) used as the session of every real
  WolkvoxClient made during the test.
- ``fake_time``: a clock whose ``sleep`` advances it (``fake_time.sleeps`` records the waits).
- ``make_task(params, check_mode=False, **client_kwargs)``: what the engines' ``run`` takes, with
  a real client of ``fake_api`` that sleeps and reads the time from ``fake_time``.
- ``readable(message)``: asserts that a message is one printable line an operator can read.
"""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from ansible_collections.wolkvox.contact_center.plugins.module_utils import _token_slots
from ansible_collections.wolkvox.contact_center.plugins.module_utils._client import WolkvoxClient
from ansible_collections.wolkvox.contact_center.plugins.module_utils._runner import EngineTask

TOKEN = "tok-5ecr3t-ABCDEF0123456789"
OK_BODY = {"code": "200", "error": None, "msg": "Agent status has been modified to Ready"}
# How hard the property tests try.
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any value JSON can hold (hypothesis): what a user or the API may hand over.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def summary_counts(**counts):
    """A task's ``summary``: every count at 0 but those given."""
    summary = dict(total=0, changed=0, unchanged=0, skipped=0, pending=0, failed=0, skipped_busy=0, skipped_logged_out=0)
    summary.update(counts)
    return summary


class FakeResponse(object):
    """What the client reads of a requests.Response: status, headers and the raw bytes."""

    def __init__(self, status_code=200, body=None, text=None, headers=None):
        self.status_code = status_code
        self.text = text if text is not None else json.dumps(OK_BODY if body is None else body)
        self.content = self.text.encode("utf-8", "surrogatepass")
        self.headers = CaseInsensitiveDict(headers or {})


class FakeSession(object):
    """Answers from a script: a list of responses/exceptions, or a callable(method, url, params)."""

    def __init__(self, script):
        self.script = script
        self.calls = []
        self.lock = threading.Lock()

    def request(self, method, url, **kwargs):
        with self.lock:
            self.calls.append(dict(kwargs, method=method, url=url))
            if callable(self.script):
                answer = self.script(method, url, kwargs.get("params") or {})
            else:
                answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeApi(object):
    """The two calls of the vendor's API over an in-memory operation.

    states: agent_id -> label shown by the agents list; records: agent_id -> extra fields of its
    record (e.g. {"enabled": "no"}); aux: state ID -> label it takes. broken: agents whose change
    is refused with a message naming them; lagging: agents whose change is accepted but not shown
    by the list; list_answer: a canned answer for the list; on_read(n): called before the n-th
    list is answered (n from 1)."""

    def __init__(self, states=None):
        if states is None:
            states = {"1001": "Ready", "1002": "Active breaks", "1003": "Logout", "1004": "Lunch", "1005": "ACW"}
        self.states = dict(states)
        self.records = {}
        self.aux = {"7": "Active breaks", "8": "Lunch", "12": "Training"}
        self.broken = set()
        self.lagging = set()
        self.list_answer = None
        self.on_read = None
        self.reads = 0
        self.calls = []
        self.sessions = 0
        self.lock = threading.Lock()

    def request(self, method, url, params=None, **kwargs):
        with self.lock:
            self.calls.append((method, url, dict(params or {}), kwargs))
            if url.endswith("/api/v2/information.php"):
                self.reads += 1
                if self.on_read is not None:
                    self.on_read(self.reads)
                if self.list_answer is not None:
                    return self.list_answer
                data = []
                for aid, label in sorted(self.states.items()):
                    record = {"agent_id": int(aid), "agent_name": "Agent %s" % aid, "agent_status": label}
                    record.update(self.records.get(aid, {}))
                    data.append(record)
                return FakeResponse(200, {"code": 200, "error": None, "msg": "%d records were found" % len(data), "data": data})
            agent, status = params["agent_id"], params["status"]
            if agent in self.broken:
                return FakeResponse(200, {"code": "400", "error": "Agent %s is in a call" % agent, "msg": None})
            label = {"ready": "Ready", "logout": "Logout"}.get(status) or self.aux.get(status)
            if agent not in self.states or label is None:
                return FakeResponse(200, {"code": "404", "error": "Agent or status does not exist", "msg": None})
            if agent not in self.lagging:
                self.states[agent] = label
            return FakeResponse(200, {"code": "200", "error": None, "msg": "Agent status has been modified to %s" % label})

    def sent(self, method=None):
        return [c for c in self.calls if method is None or c[0] == method]


class Sleeps(list):
    """A sleep that only records how long it was asked to wait."""

    def __call__(self, seconds):
        self.append(seconds)


class FakeTime(object):
    """A monotonic clock (call it) and its sleep, which records the wait and moves the clock on."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


try:
    import zoneinfo
    HAS_ZONEINFO = zoneinfo is not None
except ImportError:
    HAS_ZONEINFO = False
# Shift plans in a time zone other than UTC need the IANA database (zoneinfo, Python 3.9 and
# later): modules run by Python 3.8 evaluate UTC plans only, and say so for any other zone.
needs_zoneinfo = pytest.mark.skipif(not HAS_ZONEINFO, reason="IANA time zones need zoneinfo (Python 3.9 and later)")


class Task(EngineTask):
    """A fake of the engine's task contract (_runner.EngineTask): params, check_mode, a client, and
    warn(msg) / progress(msg), recorded in ``warnings`` / ``lines``."""

    def __init__(self, params, client=None, check_mode=False):
        self.params = params
        self._client = client
        self.check_mode = check_mode
        self.warnings = []
        self.lines = []

    @property
    def client(self):
        return self._client

    def warn(self, msg):
        self.warnings.append(msg)

    def progress(self, msg):
        self.lines.append(msg)


@pytest.fixture(scope="session")
def readable():
    """readable(message): asserts that an operator can read it (one printable, non-empty line of
    sensible length) and returns True."""
    def check(message):
        assert isinstance(message, str) and message.strip()
        assert message.isprintable(), repr(message)
        assert len(message) < 1200, len(message)
        return True
    return check


@pytest.fixture
def response():
    return FakeResponse


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def lock_dir(tmp_path):
    """A private directory for the token's lock files of this test."""
    return str(tmp_path / "locks")


@pytest.fixture
def make_client(monkeypatch, lock_dir, sleeps):
    def make(script, **kwargs):
        session = FakeSession(script)
        monkeypatch.setattr(WolkvoxClient, "_session", lambda self: session)
        kwargs.setdefault("retries", 3)
        kwargs.setdefault("retry_delay", 0.5)
        kwargs.setdefault("sleep", sleeps)
        client = WolkvoxClient("0042", TOKEN, lock_dir=lock_dir, **kwargs)
        return client, session
    return make


@pytest.fixture
def fake_api(monkeypatch, tmp_path):
    """A FakeApi answering every WolkvoxClient of the test; lock files in a private directory."""
    fake = FakeApi()

    def session(client):
        fake.sessions += 1
        return fake

    monkeypatch.setattr(WolkvoxClient, "_session", session)
    monkeypatch.setattr(_token_slots.tempfile, "gettempdir", lambda: str(tmp_path))
    return fake


@pytest.fixture
def make_task(fake_api, fake_time, lock_dir):
    """make_task(params, check_mode=False, **client_kwargs): a Task over a real client of fake_api."""
    def make(params, check_mode=False, **client_kwargs):
        client_kwargs.setdefault("retry_delay", 0.0)
        client_kwargs.setdefault("sleep", fake_time.sleep)
        client_kwargs.setdefault("clock", fake_time)
        client = WolkvoxClient("0042", TOKEN, lock_dir=lock_dir, **client_kwargs)
        return Task(params, client, check_mode)
    return make
