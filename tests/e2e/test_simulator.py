# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's live floor: enabled agents, contacts in progress and contact modes, over real HTTP.

Each test starts its own simulator in this process; no built collection is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
LIVE_FLOOR = os.path.join(TOOLS, "fixtures", "live_floor.json")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
import wolkvox_simulator  # noqa: E402  pylint: disable=wrong-import-position

FLOOR = ("0300", "sim-token-floor-not-a-secret")
CALLS = ("0301", "sim-token-calls-not-a-secret")


class Floor(object):
    """A simulator started in this process, and plain HTTP calls to it."""

    def __init__(self, fixture):
        self.sim = wolkvox_simulator.Simulator(fixture).start()
        self.url = self.sim.url

    def call(self, method, path, payload=None, headers=None):
        """(HTTP status, decoded JSON body) of one request; error statuses are returned, not raised."""
        data = json.dumps(payload).encode("utf-8") if payload is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read().decode("utf-8"))

    def admin(self, path, payload=None):
        status, body = self.call("POST" if payload is not None else "GET", "/__admin/" + path, payload)
        assert status == 200, body
        return body

    def agents(self, creds=FLOOR):
        status, body = self.call("GET", "/api/v2/information.php?api=agents",
                                 headers={"wolkvox_server": creds[0], "wolkvox-token": creds[1]})
        assert status == 200 and body["error"] is None, body
        return dict((str(record["agent_id"]), record) for record in body["data"])

    def shown(self, agent_id, creds=FLOOR):
        return self.agents(creds)[agent_id]["agent_status"]

    def change(self, agent_id, status, creds=FLOOR):
        code, body = self.call("POST", "/api/v2/agentbox.php?api=change_status&agent_id=%s&status=%s" % (agent_id, status),
                               headers={"wolkvox_server": creds[0], "wolkvox-token": creds[1]})
        assert code == 200, body  # the vendor's errors come back with HTTP 200
        return body

    def state(self, operation="floor"):
        return self.admin("state")[operation]

    def changes(self, agent_id=None):
        found = self.admin("stats")["changes"]
        return [c for c in found if agent_id is None or c["agent_id"] == agent_id]

    def stop(self):
        self.sim.stop()


def write_fixture(tmp_path, floor_agents, floor_mode=None, calls_agents=None, calls_mode=None):
    """A fixture of two operations: "floor" (server 0300) and "calls" (server 0301)."""
    floor = {"name": "floor", "server": FLOOR[0], "token": FLOOR[1], "aux_states": {"7": "Active breaks", "8": "Lunch"},
             "agents": floor_agents}
    calls = {"name": "calls", "server": CALLS[0], "token": CALLS[1], "aux_states": {"3": "Break"},
             "agents": calls_agents or [{"agent_id": "2001", "agent_status": "Ready"}]}
    if floor_mode:
        floor["contact_mode"] = floor_mode
    if calls_mode:
        calls["contact_mode"] = calls_mode
    path = os.path.join(str(tmp_path), "fixture.json")
    with open(path, "w") as handle:
        json.dump({"operations": [floor, calls]}, handle)
    return path


@pytest.fixture
def live_floor():
    floor = Floor(LIVE_FLOOR)
    yield floor
    floor.stop()


@pytest.fixture
def make_floor(tmp_path):
    started = []

    def make(*args, **kwargs):
        floor = Floor(write_fixture(tmp_path, *args, **kwargs))
        started.append(floor)
        return floor

    yield make
    for floor in started:
        floor.stop()


def success(label):
    return {"code": "200", "error": None, "msg": "Agent status has been modified to %s" % label}


# -- enabled ------------------------------------------------------------------------------


def test_every_record_says_enabled_yes_or_no(live_floor):
    records = live_floor.agents()
    assert len(records) == 8
    assert dict((aid, r["enabled"]) for aid, r in records.items() if r["enabled"] != "yes") == {"1007": "no"}
    assert set(r["enabled"] for r in records.values()) == {"yes", "no"}


def test_live_floor_fixture_shows_contacts_and_default_states(live_floor):
    shown = dict((aid, r["agent_status"]) for aid, r in live_floor.agents().items())
    assert shown == {"1001": "Ready", "1002": "Logout", "1003": "Active breaks", "1004": "On call", "1005": "Ringing",
                     "1006": "ACW", "1007": "Logout", "1099": "Ready"}
    state = live_floor.state()
    assert state["server"] == "0300" and state["agents"] == shown and state["contact_mode"] == "immediate"
    assert set(state["contacts"]) == {"1004", "1005"}
    assert state["contacts"]["1005"] == {"status": "Ringing", "ends_in_remaining": None, "then": "Ready", "queued": None}
    assert state["contacts"]["1004"]["then"] == "ACW" and 0 < state["contacts"]["1004"]["ends_in_remaining"] <= 2


def test_disabled_agent_is_refused_and_unchanged(live_floor):
    answer = live_floor.change("1007", "ready")
    assert answer == {"code": "403", "error": "The agent is disabled", "msg": "agent_id 1007"}
    assert live_floor.shown("1007") == "Logout"
    assert [(c["outcome"], c["applied"]) for c in live_floor.changes("1007")] == [("disabled", False)]


def test_admin_disables_and_enables_an_agent(make_floor):
    floor = make_floor([{"agent_id": "1001", "agent_status": "Logout"}, {"agent_id": "1002", "agent_status": "Logout", "enabled": "no"}])
    assert floor.agents()["1002"]["enabled"] == "no"
    floor.admin("agents", {"operation": "floor", "enabled": {"1001": False, "1002": "yes"}})
    records = floor.agents()
    assert (records["1001"]["enabled"], records["1002"]["enabled"]) == ("no", "yes")
    assert floor.change("1001", "ready") == {"code": "403", "error": "The agent is disabled", "msg": "agent_id 1001"}
    assert floor.change("1002", "ready") == success("Ready")
    assert floor.state()["agents"] == {"1001": "Logout", "1002": "Ready"}
    status, body = floor.call("POST", "/__admin/agents", {"operation": "floor", "enabled": {"9999": False}})
    assert status == 404 and "9999" in body["error"]


# -- contact modes ------------------------------------------------------------------------


def test_immediate_mode_cuts_the_contact_and_counts_it(live_floor):
    assert live_floor.change("1005", "7") == success("Active breaks")
    assert live_floor.shown("1005") == "Active breaks"
    assert "1005" not in live_floor.state()["contacts"]
    stats = live_floor.admin("stats")
    assert stats["contacts_cut"] == {"floor": 1}
    [change] = stats["changes"]
    assert (change["agent_id"], change["status"], change["label"], change["contact"]) == ("1005", "7", "Active breaks", "Ringing")
    assert (change["outcome"], change["applied"], change["operation"]) == ("cut_contact", True, "floor")
    # An agent in no contact is simply changed: nothing cut.
    assert live_floor.change("1001", "logout") == success("Logout")
    assert live_floor.admin("stats")["contacts_cut"] == {"floor": 1}
    assert live_floor.changes("1001")[0]["outcome"] == "applied"


def test_deferred_mode_answers_success_and_applies_when_the_contact_ends(make_floor):
    floor = make_floor([{"agent_id": "1001", "agent_status": "Ready",
                         "contact": {"status": "On call", "ends_in": 0.4, "then": "ACW"}}], floor_mode="deferred")
    assert floor.change("1001", "8") == success("Lunch")
    assert floor.shown("1001") == "On call"
    contact = floor.state()["contacts"]["1001"]
    assert (contact["status"], contact["then"], contact["queued"]) == ("On call", "ACW", "Lunch")
    [change] = floor.changes("1001")
    assert (change["outcome"], change["applied"], change["applied_t"], change["contact"]) == ("deferred", False, None, "On call")
    time.sleep(0.45)
    assert floor.shown("1001") == "Lunch"  # the queued change, not the contact's "then"
    [change] = floor.changes("1001")
    assert change["applied"] is True and change["applied_t"] >= change["t"]
    assert floor.admin("stats")["contacts_cut"] == {"floor": 0, "calls": 0}
    assert floor.state()["contacts"] == {}


def test_deferred_change_replaced_by_a_later_one(make_floor):
    floor = make_floor([{"agent_id": "1001", "contact": {"status": "On call"}}], floor_mode="deferred")
    assert floor.change("1001", "7") == success("Active breaks")
    assert floor.change("1001", "logout") == success("Logout")
    assert floor.state()["contacts"]["1001"]["queued"] == "Logout"
    assert floor.admin("contact", {"operation": "floor", "agent_id": "1001", "end": True}) == {"ok": True, "ended": True}
    assert floor.shown("1001") == "Logout"
    assert [(c["label"], c["applied"], c["superseded"]) for c in floor.changes("1001")] == [
        ("Active breaks", False, True), ("Logout", True, False)]


def test_refuse_mode_answers_409_and_changes_nothing(make_floor):
    floor = make_floor([{"agent_id": "1001", "agent_status": "Ready", "contact": {"status": "Ringing"}}],
                       calls_agents=[{"agent_id": "2001", "contact": {"status": "On call"}}], floor_mode="refuse")
    assert floor.change("1001", "logout") == {"code": "409", "error": "The agent is in a contact", "msg": "agent_id 1001"}
    assert floor.shown("1001") == "Ringing"
    assert floor.state()["contacts"]["1001"]["queued"] is None
    assert [(c["outcome"], c["applied"]) for c in floor.changes("1001")] == [("refused", False)]
    # The mode is per operation: the other one still cuts.
    assert floor.change("2001", "ready", creds=CALLS) == success("Ready")
    assert floor.admin("stats")["contacts_cut"] == {"floor": 0, "calls": 1}


def test_contact_mode_set_by_admin_config(make_floor):
    floor = make_floor([{"agent_id": "1001", "contact": {"status": "On call"}}])
    answer = floor.admin("config", {"operation": "floor", "contact_mode": "refuse"})
    assert answer["contact_mode"] == {"floor": "refuse"} and answer["max_per_token"] == 2
    assert floor.state()["contact_mode"] == "refuse" and floor.state("calls")["contact_mode"] == "immediate"
    assert floor.change("1001", "ready")["code"] == "409"
    assert floor.call("POST", "/__admin/config", {"operation": "floor", "contact_mode": "later"})[0] == 400
    assert floor.call("POST", "/__admin/config", {"operation": "nowhere", "contact_mode": "refuse"})[0] == 404
    assert floor.call("POST", "/__admin/config", {"contact_mode": "refuse"})[0] == 404
    assert floor.state()["contact_mode"] == "refuse"


# -- contacts -----------------------------------------------------------------------------


def test_contact_ends_on_its_own_and_shows_then(make_floor):
    floor = make_floor([{"agent_id": "1001", "agent_status": "Ready",
                         "contact": {"status": "On call", "ends_in": 0.3, "then": "ACW"}},
                        {"agent_id": "1002", "agent_status": "Logout", "contact": {"status": "Ringing", "ends_in": 0.3}}])
    assert (floor.shown("1001"), floor.shown("1002")) == ("On call", "Ringing")
    time.sleep(0.35)
    records = floor.agents()
    assert (records["1001"]["agent_status"], records["1002"]["agent_status"]) == ("ACW", "Ready")
    assert floor.state()["contacts"] == {}
    assert floor.changes() == []


def test_admin_starts_replaces_and_ends_contacts(make_floor):
    floor = make_floor([{"agent_id": "1001", "agent_status": "Ready"}])
    assert floor.admin("contact", {"operation": "floor", "agent_id": "1001", "status": "Ringing"}) == {"ok": True}
    assert floor.shown("1001") == "Ringing"
    assert floor.state()["contacts"]["1001"]["ends_in_remaining"] is None
    floor.admin("contact", {"operation": "floor", "agent_id": "1001", "status": "On call", "ends_in": 30, "then": "ACW"})
    contact = floor.state()["contacts"]["1001"]
    assert contact["status"] == "On call" and contact["then"] == "ACW" and 29 < contact["ends_in_remaining"] <= 30
    assert floor.admin("contact", {"operation": "floor", "agent_id": "1001", "end": True})["ok"] is True
    assert floor.shown("1001") == "ACW"
    assert floor.admin("contact", {"operation": "floor", "agent_id": "1001", "end": True}) == {"ok": True, "ended": False}
    # A contact the admin starts (server code instead of the name) ends on its own too.
    floor.admin("contact", {"operation": "0300", "agent_id": "1001", "status": "On call", "ends_in": 0.2})
    time.sleep(0.25)
    assert floor.state()["agents"]["1001"] == "Ready"
    assert floor.call("POST", "/__admin/contact", {"operation": "floor", "agent_id": "4242", "status": "On call"})[0] == 404
    assert floor.call("POST", "/__admin/contact", {"operation": "floor", "agent_id": "1001"})[0] == 400
    assert floor.call("POST", "/__admin/contact", {"operation": "nowhere", "agent_id": "1001", "end": True})[0] == 404


def test_admin_label_ends_a_contact(make_floor):
    floor = make_floor([{"agent_id": "1001", "contact": {"status": "On call"}}])
    floor.admin("agents", {"operation": "floor", "agents": {"1001": "Lunch"}})
    assert floor.shown("1001") == "Lunch" and floor.state()["contacts"] == {}


# -- state-level refusals, the change log, reset ------------------------------------------


def test_unknown_state_answer_is_the_same_for_every_agent(live_floor):
    answers = [live_floor.change(agent_id, "99") for agent_id in ("1001", "1002", "1004", "1007", "1099")]
    assert answers == [{"code": 400, "error": "Invalid status", "msg": "status 99 does not exist"}] * 5
    assert live_floor.state()["agents"]["1004"] == "On call"
    assert live_floor.admin("stats")["contacts_cut"] == {"floor": 0}
    assert set((c["outcome"], c["applied"]) for c in live_floor.changes()) == {("invalid_status", False)}
    assert live_floor.change("4242", "ready") == {"code": "404", "error": "The agent does not exist", "msg": "agent_id 4242"}
    assert live_floor.changes("4242")[0]["outcome"] == "unknown_agent"


def test_changes_tell_which_agents_were_never_touched(live_floor):
    for agent_id in ("1001", "1002", "1005", "1007"):
        live_floor.change(agent_id, "logout")
    changes = live_floor.admin("stats")["changes"]
    assert [c for c in changes if c["agent_id"] == "1099"] == []
    assert [c["agent_id"] for c in changes if c["applied"]] == ["1001", "1002", "1005"]
    assert [c["agent_id"] for c in changes if c["outcome"] == "cut_contact"] == ["1005"]
    assert len(changes) == live_floor.admin("stats")["requests"]["change_status"] == 4
    assert all(isinstance(c["t"], float) for c in changes)


def test_reset_zeroes_counters_and_reloads_contacts_and_modes(live_floor):
    live_floor.admin("config", {"operation": "floor", "contact_mode": "deferred"})
    live_floor.change("1004", "8")  # deferred
    live_floor.admin("config", {"operation": "floor", "contact_mode": "immediate"})
    live_floor.change("1005", "ready")  # cut
    live_floor.admin("agents", {"operation": "floor", "enabled": {"1007": True}})
    assert live_floor.admin("stats")["contacts_cut"] == {"floor": 1}
    assert live_floor.admin("reset", {}) == {"ok": True}
    stats = live_floor.admin("stats")
    assert (stats["changes"], stats["contacts_cut"], stats["total"]) == ([], {"floor": 0}, 0)
    assert live_floor.state()["agents"]["1005"] == "Ready"  # the state stays without "state": true
    live_floor.admin("config", {"operation": "floor", "contact_mode": "refuse"})
    live_floor.admin("reset", {"state": True})
    state = live_floor.state()
    assert state["contact_mode"] == "immediate"
    assert (state["agents"]["1004"], state["agents"]["1005"]) == ("On call", "Ringing")
    assert state["contacts"]["1004"]["queued"] is None and state["contacts"]["1004"]["ends_in_remaining"] > 1.5
    assert live_floor.agents()["1007"]["enabled"] == "no"


def test_fixture_rejects_an_unknown_contact_mode(tmp_path):
    with pytest.raises(ValueError, match="contact_mode"):
        wolkvox_simulator.Simulator(write_fixture(tmp_path, [], floor_mode="sometimes"))


# -- command line -------------------------------------------------------------------------


def test_help_describes_every_option():
    proc = subprocess.run([sys.executable, "-m", "wolkvox_simulator", "--help"], capture_output=True, text=True, timeout=30,
                          check=True, env=wolkvox_simulator.spawn_environment())
    text = " ".join(proc.stdout.split())
    for option in ("--fixture", "--host", "--port", "--tls", "--latency", "--max-per-token", "--vendor", "--ready-file"):
        assert option in text
    for words in ("JSON file of the operations", "loopback address", "picks a free port", "throw-away CA",
                  "seconds added to every API answer", "busy error", "start-up JSON line", "contact_mode", "enabled"):
        assert words in text, words
