# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator over real HTTP: its live floor (enabled agents, contacts in progress, contact modes),
and, in both of its dialects (classic and vendor), every answer of the vendor's error table, the daily
quota, token_info, the real-time list with time in state, logged_out_mode and the new faults.

The live-floor tests start a simulator in this process; the dialect tests spawn one process per
dialect (python -m wolkvox_simulator). No built collection is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
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


def test_help_runs_as_a_directory_too():
    proc = subprocess.run([sys.executable, os.path.join(TOOLS, "wolkvox_simulator"), "--help"], capture_output=True,
                          text=True, timeout=30, check=True)
    assert "--vendor" in proc.stdout


# == the two dialects, over real HTTP against a spawned simulator ==========================

ALPHA = ("0500", "sim-token-alpha-not-a-secret")
EMPTY = ("0501", "sim-token-empty-not-a-secret")
SMALL = ("0502", "sim-token-small-not-a-secret")
CHANGE = "/api/v2/agentbox.php?api=change_status&agent_id=%s&status=%s"
AGENTS = "/api/v2/information.php?api=agents"
TOKEN_INFO = "/api/v2/information.php?api=token_info"
REAL_TIME = "/api/v2/real_time.php?api=agents"
ALPHA_AGENTS = [
    {"agent_id": "5001", "agent_name": "Ana", "agent_status": "Ready", "in_state_for": 125},
    {"agent_id": "5002", "agent_name": "Luis", "agent_status": "Break", "in_state_for": 3725},
    {"agent_id": "5003", "agent_name": "Marta", "agent_status": "Logout"},
    {"agent_id": "5004", "agent_name": "Jorge", "agent_status": "Lunch"},
    {"agent_id": "5005", "agent_name": "Sofia", "agent_status": "Ready", "contact": {"status": "On call"}},
    {"agent_id": "5006", "agent_name": "Clara", "agent_status": "Logout", "enabled": False},
]
DIALECT_FIXTURE = {"operations": [
    {"name": "alpha", "server": ALPHA[0], "token": ALPHA[1], "aux_states": {"7": "Break", "8": "Lunch"}, "licences": 3,
     "agents": ALPHA_AGENTS},
    {"name": "empty", "server": EMPTY[0], "token": EMPTY[1], "agents": []},
    {"name": "small", "server": SMALL[0], "token": SMALL[1], "quota": 3, "logged_out_mode": "refuse",
     "agents": [{"agent_id": "6001", "agent_status": "Logout"}, {"agent_id": "6002", "agent_status": "Ready"}]},
]}


class Api(object):
    """A spawned simulator in one dialect: plain HTTP calls to its API, and its AdminClient."""

    def __init__(self, tmp_path, dialect):
        path = os.path.join(str(tmp_path), "dialects.json")
        with open(path, "w") as handle:
            json.dump(DIALECT_FIXTURE, handle)
        self.dialect = dialect
        self.proc, self.info = wolkvox_simulator.spawn(path, tmp_path, vendor=dialect == "vendor")
        self.url = self.info["url"]
        self.admin = wolkvox_simulator.AdminClient(self.url)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def raw(self, method, path, creds=ALPHA, headers=None):
        """(HTTP status, body bytes) of one request; error statuses are returned, not raised."""
        sent = {"wolkvox_server": creds[0], "wolkvox-token": creds[1]} if creds else {}
        sent.update(headers or {})
        request = urllib.request.Request(self.url + path, data=b"" if method == "POST" else None, method=method,
                                         headers=sent)
        try:
            with self._opener.open(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()

    def call(self, method, path, creds=ALPHA, headers=None):
        status, body = self.raw(method, path, creds, headers)
        return status, json.loads(body.decode("utf-8"))

    def change(self, agent_id, status, creds=ALPHA):
        return self.call("POST", CHANGE % (agent_id, status), creds)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="module", params=["classic", "vendor"])
def spawned(request, tmp_path_factory):
    api = Api(tmp_path_factory.mktemp("dialect-%s" % request.param), request.param)
    yield api
    api.stop()


@pytest.fixture
def api(spawned):
    """The spawned simulator of one dialect, back to its fixture, counters at zero."""
    spawned.admin.config(latency=0.0, max_per_token=2)
    spawned.admin.reset(state=True)
    return spawned


def vendor_error(status, error, msg):
    return status, {"code": status, "error": error, "msg": msg}


# case -> (request, classic answer, vendor answer); every answer is (HTTP status, JSON body)
ERRORS = {
    "no token": (("GET", AGENTS, None), (200, {"code": "401", "error": "Invalid token or server", "msg": "Access denied"}),
                 vendor_error(401, "UNAUTHORIZED", "PLEASE ENTER THE WOLKVOX-TOKEN")),
    "wrong token": (("GET", AGENTS, (ALPHA[0], "not-the-token")),
                    (200, {"code": "401", "error": "Invalid token or server", "msg": "Access denied"}),
                    vendor_error(403, "FORBIDDEN", "PLEASE VALIDATE TOKEN")),
    "token of another server": (("POST", CHANGE % ("5001", "ready"), (EMPTY[0], ALPHA[1])),
                                (200, {"code": "401", "error": "Invalid token or server", "msg": "Access denied"}),
                                vendor_error(403, "FORBIDDEN", "PLEASE VALIDATE TOKEN")),
    "unknown api": (("GET", "/api/v2/information.php?api=campaigns", ALPHA),
                    (404, {"code": "404", "error": "Unknown API", "msg": None}),
                    vendor_error(400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST")),
    "unknown path": (("GET", "/wolkvox/api/v2/information.php?api=agents", ALPHA),
                     (404, {"code": "404", "error": "Unknown API", "msg": None}),
                     vendor_error(400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST")),
    "no agent_id": (("POST", "/api/v2/agentbox.php?api=change_status&status=ready", ALPHA),
                    (200, {"code": "400", "error": "Some parameters are required", "msg": None}),
                    vendor_error(400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED")),
    "no status": (("POST", "/api/v2/agentbox.php?api=change_status&agent_id=5001", ALPHA),
                  (200, {"code": "400", "error": "Some parameters are required", "msg": None}),
                  vendor_error(400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED")),
    "unknown agent": (("POST", CHANGE % ("4242", "ready"), ALPHA),
                      (200, {"code": "404", "error": "The agent does not exist", "msg": "agent_id 4242"}),
                      vendor_error(404, "NOT FOUND", "THE AGENT DOES NOT EXIST")),
    "unknown state": (("POST", CHANGE % ("5001", "99"), ALPHA),
                      (200, {"code": 400, "error": "Invalid status", "msg": "status 99 does not exist"}),
                      vendor_error(400, "BAD REQUEST", "THE STATUS YOU WANT TO ASSIGN DOES NOT EXIST")),
    "disabled agent": (("POST", CHANGE % ("5006", "ready"), ALPHA),
                       (200, {"code": "403", "error": "The agent is disabled", "msg": "agent_id 5006"}),
                       vendor_error(403, "FORBIDDEN", "THE AGENT IS DISABLED")),
    "change by GET": (("GET", CHANGE % ("5001", "ready"), ALPHA),
                      (405, {"code": "405", "error": "Method not allowed", "msg": None}),
                      vendor_error(405, "METHOD NOT ALLOWED", "THE METHOD YOU USED IS NOT ALLOWED")),
    "agents by POST": (("POST", AGENTS, ALPHA), (405, {"code": 405, "error": "Method not allowed", "msg": None}),
                       vendor_error(405, "METHOD NOT ALLOWED", "THE METHOD YOU USED IS NOT ALLOWED")),
    "no agents": (("GET", AGENTS, EMPTY), (200, {"code": 200, "error": None, "msg": "0 records were found", "data": []}),
                  vendor_error(404, "NOT FOUND", "Validate dates entered")),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_every_answer_of_the_error_table(api, case):
    (method, path, creds), classic, vendor = ERRORS[case]
    assert api.call(method, path, creds) == (vendor if api.dialect == "vendor" else classic)
    assert api.admin.full_state()["alpha"]["agents"]["5001"] == "Ready"  # nothing changed


def test_the_dialect_is_in_the_start_up_line_the_stats_and_the_config_answer(api):
    assert api.info["dialect"] == api.dialect == api.admin.stats()["dialect"] == api.admin.config()["dialect"]
    assert set(api.info) == {"url", "port", "ca_path", "pid", "dialect"}


def test_reads_and_a_change_succeed_with_the_codes_of_the_dialect(api):
    vendor = api.dialect == "vendor"
    status, body = api.call("GET", AGENTS)
    assert (status, body["code"], body["error"], body["msg"]) == (200, "" if vendor else 200, None, "6 records were found")
    assert [r["agent_status"] for r in body["data"]] == ["Ready", "Break", "Logout", "Lunch", "On call", "Logout"]
    for path in (TOKEN_INFO, REAL_TIME):
        status, body = api.call("GET", path)
        assert (status, body["code"], body["error"]) == (200, "0" if vendor else 200, None), path
    assert api.change("5004", "7") == (200, {"code": "200", "error": None, "msg": "Agent status has been modified to Break"})


def test_the_unknown_state_answer_is_the_same_for_every_agent(api):
    answers = [api.change(agent_id, "99") for agent_id in ("5001", "5003", "5005", "5006")]
    assert len(set(json.dumps(a) for a in answers)) == 1
    assert "5005" in api.admin.full_state()["alpha"]["contacts"]  # not cut


def test_an_agent_in_a_contact_refused(api):
    api.admin.set_operation("alpha", contact_mode="refuse")
    expected = (vendor_error(409, "CONFLICT", "Agent busy") if api.dialect == "vendor"
                else (200, {"code": "409", "error": "The agent is in a contact", "msg": "agent_id 5005"}))
    assert api.change("5005", "ready") == expected
    assert api.admin.full_state()["alpha"]["agents"]["5005"] == "On call"


def test_the_third_request_in_flight_of_a_token_is_refused(api):
    api.admin.config(latency=0.4, max_per_token=2)
    answers = []

    def read():
        answers.append(api.call("GET", AGENTS))

    threads = [threading.Thread(target=read) for _number in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    refused = [a for a in answers if a[1].get("error")]
    assert len(refused) == 1 and len(answers) == 3, answers
    if api.dialect == "vendor":
        assert refused[0] == vendor_error(403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)")
    else:
        assert refused[0] == (200, {"code": 429, "error": "The same token cannot be consumed simultaneously", "msg": None})
    stats = api.admin.stats()
    assert sum(stats["busy_rejections"].values()) == 1
    assert stats["quota"]["alpha"]["used"] == 2  # the refused read is not counted


# -- the daily quota ------------------------------------------------------------------------


def test_reads_count_changes_do_not_and_a_refused_read_is_not_counted(api):
    assert api.admin.quota("alpha") == {"limit": 3000, "used": 0}  # licences 3 x 1000; reading it costs nothing
    assert api.admin.quota("small") == {"limit": 3, "used": 0}  # an explicit quota
    for path in (AGENTS, TOKEN_INFO, REAL_TIME):
        assert api.call("GET", path, SMALL)[0] == 200
    assert api.admin.stats()["quota"]["small"] == {"limit": 3, "used": 3}
    assert api.change("6002", "ready", SMALL)[1]["error"] is None  # change_status is never counted, nor refused
    expected = (vendor_error(403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED") if api.dialect == "vendor"
                else (200, {"code": "403", "error": "TOKEN LIMIT EXCEEDED", "msg": "the daily quota is spent"}))
    for path in (AGENTS, TOKEN_INFO, REAL_TIME):
        assert api.call("GET", path, SMALL) == expected, path
    assert api.change("6002", "logout", SMALL)[1]["error"] is None
    stats = api.admin.stats()
    assert stats["quota"]["small"] == {"limit": 3, "used": 3} and stats["quota"]["alpha"]["used"] == 0
    assert stats["requests"]["change_status"] == 2 and stats["requests"]["token_info"] == 2
    assert stats["requests"]["real_time"] == 2 and stats["requests"]["agents"] == 2


def test_admin_quota_sets_used_and_limit_and_reset_restores_the_fixture(api):
    assert api.admin.quota("alpha", used=99, limit=100) == {"limit": 100, "used": 99}
    assert api.call("GET", AGENTS)[0] == 200
    assert api.call("GET", AGENTS)[1]["error"] in ("TOKEN LIMIT EXCEEDED", "FORBIDDEN")
    assert api.admin.quota("alpha", limit=102) == {"limit": 102, "used": 100}
    api.admin.reset(state=False)
    assert api.admin.quota("alpha") == {"limit": 102, "used": 100}  # counters only
    api.admin.reset(state=True)
    assert api.admin.quota("alpha") == {"limit": 3000, "used": 0}
    assert api.admin.call("quota", {"operation": "nowhere", "used": 1})[0] == 404
    assert api.admin.call("quota", {"operation": "alpha", "used": -1})[0] == 400


def test_token_info_in_the_shape_of_the_dialect_after_counting_itself(api):
    api.admin.quota("alpha", used=41)
    status, body = api.call("GET", TOKEN_INFO)
    assert status == 200 and body["error"] is None
    if api.dialect == "vendor":
        [record] = body["data"]
        assert set(record) == {"token_limit", "token_use_today", "available_consumition_options", "hours_to_restart_count"}
        assert all(isinstance(value, str) and value.isdigit() for value in record.values()), record
        record = dict((key, int(value)) for key, value in record.items())
        left = record.pop("available_consumition_options")
    else:
        record = dict(body["data"])
        assert set(record) == {"token_limit", "token_use_today", "available_consumption_options", "hours_to_restart_count"}
        assert all(isinstance(value, int) for value in record.values()), record
        left = record.pop("available_consumption_options")
    assert (record["token_limit"], record["token_use_today"], left) == (3000, 42, 2958)
    assert 1 <= record["hours_to_restart_count"] <= 24


# -- time in state: the real-time list --------------------------------------------------------


def hms_seconds(value):
    hours, minutes, secs = (int(part) for part in value.split(":"))
    assert len(value.split(":")[1]) == 2 and len(value.split(":")[2]) == 2, value
    return hours * 3600 + minutes * 60 + secs


def test_real_time_lists_agents_with_a_session_and_their_time_in_state(api):
    status, body = api.call("GET", REAL_TIME)
    assert status == 200 and body["msg"] == "4 records were found"
    records = dict((r["agent_id"], r) for r in body["data"])
    assert list(records) == ["5001", "5002", "5004", "5005"]  # 5003 and 5006 are logged out
    assert dict((aid, r["agent_status"]) for aid, r in records.items()) == {
        "5001": "Ready", "5002": "Break", "5004": "Lunch", "5005": "On call"}
    for record in records.values():
        assert set(record) == {"agent_id", "agent_name", "agent_status", "time_state_now", "calls", "ready_time",
                               "acw_time", "aux_time", "login_time", "ocupation"}
        assert all(isinstance(record[key], (int, float)) for key in ("calls", "ready_time", "login_time", "ocupation"))
    times = dict((aid, r["time_state_now"]) for aid, r in records.items())
    if api.dialect == "vendor":
        # The position in the operation's list decides: even (5001, 5005) seconds, odd (5002, 5004) HH:MM:SS.
        assert isinstance(times["5001"], int) and isinstance(times["5005"], int)
        assert isinstance(times["5002"], str) and isinstance(times["5004"], str)
        times["5002"], times["5004"] = hms_seconds(times["5002"]), hms_seconds(times["5004"])
    else:
        assert all(isinstance(value, int) for value in times.values()), times
    assert 125 <= times["5001"] <= 135 and 3725 <= times["5002"] <= 3735 and times["5004"] <= 10
    assert records["5002"]["aux_time"] >= 3725 and records["5002"]["login_time"] >= 3725
    assert api.admin.full_state()["alpha"]["in_state_for"]["5002"] >= 3725


def test_a_change_and_the_admin_hook_restart_the_time_in_state(api):
    assert api.change("5002", "ready")[1]["error"] is None
    api.admin.set_agents("alpha", {"5004": "Break", "5001": "Lunch"}, in_state_for={"5001": 600})
    api.admin.set_agents("alpha", {"5007": "Ready"}, in_state_for=61)  # a new agent, backdated
    records = dict((r["agent_id"], r) for r in api.call("GET", REAL_TIME)[1]["data"])
    seconds = dict((aid, hms_seconds(v) if isinstance(v, str) else v) for aid, v in
                   ((aid, r["time_state_now"]) for aid, r in records.items()))
    assert seconds["5002"] <= 5 and seconds["5004"] <= 5 and 600 <= seconds["5001"] <= 605
    assert 61 <= seconds["5007"] <= 66
    assert records["5002"]["aux_time"] >= 3725  # the stretch in Break is kept in the counters
    assert api.admin.call("agents", {"operation": "alpha", "in_state_for": {"4242": 5}})[0] == 404


def test_real_time_of_an_operation_with_no_session(api):
    api.admin.set_agents("small", {"6002": "Logout"})
    code = "0" if api.dialect == "vendor" else 200
    assert api.call("GET", REAL_TIME, SMALL) == (200, {"code": code, "error": None, "msg": "0 records were found", "data": []})


# -- absent agents: logged_out_mode ---------------------------------------------------------------


def test_logged_out_mode_accept_applies_a_change_for_a_logged_out_agent(api):
    assert api.admin.full_state()["alpha"]["logged_out_mode"] == "accept"
    assert api.change("5003", "7")[1]["error"] is None
    assert api.admin.full_state()["alpha"]["agents"]["5003"] == "Break"


def test_logged_out_mode_refuse(api):
    expected = (vendor_error(400, "BAD REQUEST", "THE AGENT IS NOT LOGGED IN") if api.dialect == "vendor" else
                (200, {"code": "400", "error": "The agent is not logged in",
                       "msg": "Only an agent with a session can be given a status"}))
    assert api.change("6001", "ready", SMALL) == expected  # the fixture's mode
    assert "6001" not in json.dumps(expected)  # names no agent
    assert api.change("6001", "logout", SMALL)[1]["error"] is None  # logout is never refused
    assert api.change("6002", "ready", SMALL)[1]["error"] is None  # a logged-in agent is changed
    answer = api.admin.set_operation("alpha", logged_out_mode="refuse")
    assert answer["logged_out_mode"] == {"alpha": "refuse"}
    assert api.change("5003", "7") == expected
    changes = api.admin.stats()["changes"]
    assert [(c["agent_id"], c["outcome"], c["applied"]) for c in changes] == [
        ("6001", "not_logged_in", False), ("6001", "applied", True), ("6002", "applied", True),
        ("5003", "not_logged_in", False)]
    assert api.admin.full_state()["alpha"]["agents"]["5003"] == "Logout"
    assert api.admin.call("config", {"operation": "alpha", "logged_out_mode": "sometimes"})[0] == 400
    assert api.admin.call("config", {"logged_out_mode": "refuse"})[0] == 404
    api.admin.reset(state=True)
    assert api.admin.full_state()["alpha"]["logged_out_mode"] == "accept"


# -- faults ----------------------------------------------------------------------------------------


def test_forbidden_empty_is_a_403_without_a_byte_of_body(api):
    api.admin.fault("forbidden_empty", count=2)
    assert api.raw("GET", AGENTS) == (403, b"")
    assert api.raw("POST", CHANGE % ("5001", "7")) == (403, b"")
    assert api.call("GET", AGENTS)[0] == 200
    stats = api.admin.stats()
    assert [e["answer"] for e in stats["log"]] == [403, 403, 200]
    assert stats["changes"] == [] and stats["quota"]["alpha"]["used"] == 1  # a fault is not an answer of the API


def test_busy_faults(api):
    api.admin.fault("vendor_busy", count=1)
    api.admin.fault("busy", count=1)
    vendor_busy = vendor_error(403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)")
    assert api.call("GET", AGENTS) == vendor_busy  # in either dialect
    classic_busy = (200, {"code": 429, "error": "The same token cannot be consumed simultaneously", "msg": None})
    assert api.call("GET", AGENTS) == (vendor_busy if api.dialect == "vendor" else classic_busy)
    api.admin.config(max_per_token=3)
    api.admin.fault("vendor_busy")
    assert api.call("GET", AGENTS)[1]["msg"] == "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (3)"
    assert api.admin.call("faults", {"kind": "sometimes"})[0] == 400


def test_code_fault_on_an_error_answer_and_a_body_that_is_not_json(api):
    api.admin.fault("code", code=202, count=2)
    status, body = api.call("GET", AGENTS)
    assert status == 200 and body["code"] == 202
    assert api.call("GET", "/api/v2/nothing.php")[1]["code"] == 202


# -- contacts in the vendor dialect: Talk, then ACW --------------------------------------------------


def test_a_contact_without_a_label_is_talk_in_the_vendor_dialect_and_refused_in_the_classic(api):
    if api.dialect == "classic":
        status, body = api.admin.call("contact", {"operation": "alpha", "agent_id": "5001"})
        assert status == 400 and "needs a status" in body["error"]
        return
    api.admin.contact("alpha", "5001")
    api.admin.contact("alpha", "5004", ends_in=0.2, acw=0.3)
    api.admin.contact("alpha", "5002", ends_in=0.2)
    shown = api.admin.full_state()["alpha"]["agents"]
    assert (shown["5001"], shown["5004"], shown["5002"]) == ("Talk", "Talk", "Talk")
    time.sleep(0.3)
    shown = api.admin.full_state()["alpha"]["agents"]
    assert (shown["5004"], shown["5002"]) == ("ACW", "Ready")  # after-call work for acw seconds, or straight to Ready
    time.sleep(0.3)
    state = api.admin.full_state()["alpha"]
    assert state["agents"]["5004"] == "Ready" and sorted(state["contacts"]) == ["5001", "5005"]
    api.admin.contact("alpha", "5001", end=True)
    assert api.admin.full_state()["alpha"]["agents"]["5001"] == "Ready"
    records = dict((r["agent_id"], r) for r in api.call("GET", REAL_TIME)[1]["data"])
    assert records["5004"]["calls"] == 1 and records["5004"]["acw_time"] >= 0


def test_an_after_call_phase_ends_on_its_own_in_either_dialect(api):
    api.admin.contact("alpha", "5001", status="On call", ends_in=0.1, then="ACW", acw=0.1)
    time.sleep(0.35)  # both phases are over before anyone looks: the lazy expiry runs them in order
    assert api.admin.full_state()["alpha"]["agents"]["5001"] == "Ready"


# -- the package -------------------------------------------------------------------------------------


def test_the_package_modules_stay_small_and_setup_simulator_copies_every_one():
    package = os.path.join(TOOLS, "wolkvox_simulator")
    modules = sorted(name for name in os.listdir(package) if name.endswith(".py"))
    assert {"__init__.py", "__main__.py", "model.py", "dialects.py", "server.py", "tls.py", "client.py",
            "spawn.py"} <= set(modules)
    for name in modules:
        with open(os.path.join(package, name)) as handle:
            assert len(handle.readlines()) <= 400, name
    with open(os.path.join(ROOT, "tests", "integration", "targets", "setup_simulator", "aliases")) as handle:
        needed = set(line.strip() for line in handle if line.startswith("needs/file/"))
    assert needed == set("needs/file/tools/wolkvox_simulator/%s" % name for name in modules) | {
        "needs/file/tools/fixtures/demo.json"}


def test_the_simulator_refuses_an_address_that_is_not_loopback():
    with pytest.raises(ValueError, match="loopback"):
        wolkvox_simulator.Simulator(LIVE_FLOOR, host="0.0.0.0")
    with pytest.raises(ValueError, match="dialect"):
        wolkvox_simulator.Simulator(LIVE_FLOOR, dialect="php")


def test_the_demo_fixture_serves_in_both_dialects(tmp_path):
    for vendor in (False, True):
        proc, info = wolkvox_simulator.spawn(os.path.join(TOOLS, "fixtures", "demo.json"), tmp_path, vendor=vendor)
        try:
            client = wolkvox_simulator.AdminClient(info["url"])
            assert client.dialect() == ("vendor" if vendor else "classic")
            assert set(client.stats()["quota"]) == {"bogota_sales", "bogota_support", "medellin_collections"}
            assert client.quota("bogota_sales") == {"limit": 10000, "used": 0}
            client.set_operation("bogota_sales", contact_mode="deferred", logged_out_mode="refuse")
            state = client.full_state()["bogota_sales"]
            assert (state["contact_mode"], state["logged_out_mode"]) == ("deferred", "refuse")
            with pytest.raises(wolkvox_simulator.AdminError) as caught:
                client.contact("bogota_sales", "4242", status="Talk")
            assert caught.value.status == 404
            # agent_id_as_number (bogota_support) holds in the real-time list too
            request = urllib.request.Request(info["url"] + REAL_TIME, headers={
                "wolkvox_server": "0042", "wolkvox-token": "sim-token-bogota-support-not-a-secret"})
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
                assert [r["agent_id"] for r in json.loads(response.read().decode("utf-8"))["data"]] == [2002]
        finally:
            proc.terminate()
            proc.wait(10)
