# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""report_agent_states with a shift plan and time in state, against the simulator: a timestamp and
its time zone in every file, disabled users and unplaced labels marked, the adherence section (not
adherent first), and the HTML page rendered by a real headless Chromium (a phone-size screenshot,
and the adherence table found in the DOM the browser built). tools/setup-browser installs the
browser from Debian's packages when it is missing; if it cannot, the test fails with the reason."""

from __future__ import annotations

import csv
import json
import os
import re
import struct
import subprocess
from html.parser import HTMLParser

import pytest

from _helpers import run_fqcn, write_inventory
from conftest import ROOT

SETUP_BROWSER = os.path.join(ROOT, "tools", "setup-browser")
PHONE = (390, 844)
PLAN = [
    {"all_agents": True, "status": "ready", "from": "08:00", "to": "17:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    {"agents": ["1002", "1004"], "status": "8", "from": "12:00", "to": "13:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
]
BOGOTA = {
    "wolkvox_agent_status_labels": {"7": "Active breaks", "8": "Lunch"},
    "wolkvox_agent_status_timezone": "America/Bogota",
    "wolkvox_agent_status_plan": PLAN,
}
# 2026-11-25 is a Wednesday: lunch for 1002 and 1004, ready for the others.
AT = "2026-11-25T12:30"
IN_STATE_FOR = {"1002": 1500, "1003": 3725, "1004": 4000, "1005": 300}
# 1002 (Active breaks, planned Lunch), then 1001 (logged out: no time). 1005 (ACW, a busy state,
# planned Ready) handles a contact, which is what ready is for: adherent.
NOT_ADHERENT = ["1002", "1001"]


@pytest.fixture(scope="module")
def browser():
    """The headless browser's path, installed by tools/setup-browser if missing (never skipped)."""
    proc = subprocess.run([SETUP_BROWSER], capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail("no headless browser for the HTML report test: %s" % (proc.stderr.strip() or proc.stdout.strip()))
    return proc.stdout.strip().splitlines()[-1]


def chromium(browser, tmp_path, *args):
    """Run the browser headless with a new empty profile; returns its stdout."""
    profile = tmp_path / ("profile-%d" % len(list(tmp_path.glob("profile-*"))))
    profile.mkdir()
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--user-data-dir=%s" % profile] + list(args)
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert proc.returncode == 0, "%s failed (%d): %s" % (os.path.basename(browser), proc.returncode, proc.stderr[-2000:])
    return proc.stdout


def png_size(path):
    """(width, height) of a PNG file; fails unless it is one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: %r" % data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


class Tables(HTMLParser):
    """The tables of a document: id -> {"class", "rows": [{"attrs", "cells": [text]}]}."""

    def __init__(self):
        super(Tables, self).__init__(convert_charrefs=True)
        self.tables = {}
        self.elements = []
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", "table-%d" % len(self.tables)),
                                                 {"class": attrs.get("class", ""), "rows": []})
        elif tag == "tr" and self._table is not None:
            self._row = {"attrs": attrs, "cells": []}
            self._table["rows"].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def body_rows(table):
    return [row for row in table["rows"] if row["attrs"].get("data-agent")]


@pytest.fixture
def report(fresh, tmp_path):
    """The report of bogota_sales (with its plan) and medellin_collections (no plan; 3003 disabled),
    time in state on, the plan at AT. Returns (the report's directory, the run)."""
    fresh.set_agents("bogota_sales", in_state_for=IN_STATE_FOR)
    fresh.set_agents("medellin_collections", enabled={"3003": False})
    fresh.reset(state=False)
    inventory = write_inventory(tmp_path, fresh, {"bogota_sales": BOGOTA, "medellin_collections": {}})
    run = run_fqcn(fresh, tmp_path, "report_agent_states", "-e", "report_dir=report", "-e", "wolkvox_report_real_time=true",
                   "-e", "wolkvox_agent_status_at=%s" % AT, inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    stats = fresh.stats()
    # One read and one real-time read per operation; the plan costs nothing; nothing is sent.
    assert stats["requests"]["agents"] == 2 and stats["requests"]["real_time"] == 2
    assert stats["requests"]["change_status"] == 0 and stats["total"] == 4
    return tmp_path / "report", run


def test_every_file_says_when_with_the_time_zone_and_marks_what_it_must(report):
    out, run = report
    assert sorted(p.name for p in out.iterdir()) == ["agent-states.csv", "agent-states.html", "agent-states.json",
                                                     "agent-states.md"]
    markdown = (out / "agent-states.md").read_text(encoding="utf-8")
    assert re.search(r"^2 operations, 9 agents\. Written \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$", markdown, re.M)
    assert re.search(r"^Read at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d America/Bogota \(UTC-05:00\)\.$", markdown, re.M)
    assert re.search(r"^Read at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$", markdown, re.M)
    assert "| 3003 Elena Paz (disabled) |" in markdown
    assert "| Feedback (unplaced: if it means a contact, add it to wolkvox_agent_status_busy_states) | 1 |" in markdown
    # The adherence section: not adherent first, longest in their state first, with the time in state.
    section = markdown.split("### Adherence to the plan at 2026-11-25 12:30 (America/Bogota)", 1)[1].split("## ", 1)[0]
    assert "3 adherent, 2 not adherent, 0 unplanned." in section
    rows = re.findall(r"^\| (\d+) [^|]*\| ([^|]*) \| ([^|]*) \| ([^|]*) \| (yes|no|unknown) \|$", section, re.M)
    assert [row[0] for row in rows] == NOT_ADHERENT + ["1003", "1004", "1005"]
    assert [row[4] for row in rows] == ["no", "no", "yes", "yes", "yes"]
    assert rows[0][1:4] == ("Active breaks", rows[0][2], "Lunch") and re.match(r"^00:2[5-9]:\d\d$", rows[0][2])
    assert rows[1][1:4] == ("Logout", "no session", "Ready")
    assert markdown.count("### Adherence") == 1  # medellin_collections has no plan
    # The same section on screen.
    assert "### Adherence to the plan at 2026-11-25 12:30 (America/Bogota)" in run.stdout

    with open(out / "agent-states.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    for row in rows:
        zone, offset = ("America/Bogota", "-05:00") if row["operation"] == "bogota_sales" else ("UTC", "+00:00")
        assert row["timezone"] == zone and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d%s$" % re.escape(offset), row["read_at"])
    by_agent = dict((row["agent_id"], row) for row in rows)
    assert by_agent["3003"]["disabled"] == "true" and by_agent["3001"]["disabled"] == "false"
    assert (by_agent["1002"]["planned"], by_agent["1002"]["adherent"]) == ("Lunch", "false")
    assert (by_agent["1001"]["time_in_state"], by_agent["3001"]["planned"], by_agent["3001"]["adherent"]) == ("", "", "")
    assert 1500 <= int(by_agent["1002"]["time_in_state"]) < 1620

    data = json.loads((out / "agent-states.json").read_text(encoding="utf-8"))
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", data["written_at"])
    operations = dict((op["operation"], op) for op in data["operations"])
    bogota, medellin = operations["bogota_sales"], operations["medellin_collections"]
    assert bogota["read_at"]["timezone"] == "America/Bogota" and bogota["read_at"]["utc"].endswith("Z")
    assert bogota["adherence"] == {"adherent": 3, "not_adherent": 2, "unplanned": 0, "unknown": 0}
    assert bogota["not_adherent"] == NOT_ADHERENT and bogota["plan_moment"] == "2026-11-25 12:30 (America/Bogota)"
    assert medellin["adherence"] is None and medellin["read_at"]["timezone"] == "UTC"
    assert sorted(medellin["unplaced_states"]) == ["Feedback", "active breaks"] and bogota["unplaced_states"] == []
    assert [a["disabled"] for a in medellin["agents"] if a["agent_id"] == "3003"] == [True]
    assert "agent_dni" not in (out / "agent-states.json").read_text(encoding="utf-8")


def test_the_html_page_in_a_headless_browser(report, browser, tmp_path):
    out, _run = report
    page = out / "agent-states.html"
    source = page.read_text(encoding="utf-8")
    # One self-contained file: no script, nothing fetched from elsewhere.
    assert "<script" not in source.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", source, re.I)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in source
    assert re.search(r'Written <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', source)

    shot = tmp_path / "report-phone.png"
    chromium(browser, tmp_path, "--screenshot=%s" % shot, "--window-size=%d,%d" % PHONE, page.as_uri())
    assert shot.exists(), "the browser wrote no screenshot"
    assert png_size(shot) == PHONE
    assert shot.stat().st_size > 20000, "a near-empty screenshot (%d bytes)" % shot.stat().st_size

    dom = chromium(browser, tmp_path, "--dump-dom", page.as_uri())
    parsed = Tables()
    parsed.feed(dom)
    assert "adherence-bogota_sales" in parsed.tables, sorted(parsed.tables)
    assert "adherence-medellin_collections" not in parsed.tables  # no plan, no adherence table
    table = parsed.tables["adherence-bogota_sales"]
    assert table["class"] == "adherence"
    assert table["rows"][0]["cells"] == ["Agent", "State", "Time in state", "Planned", "Adherent"]
    rows = body_rows(table)
    assert [row["attrs"]["data-agent"] for row in rows] == NOT_ADHERENT + ["1003", "1004", "1005"]
    assert [row["attrs"]["class"] for row in rows] == ["not-adherent"] * 2 + ["adherent"] * 3
    assert rows[0]["cells"][0] == "1002 Luis Perez" and rows[0]["cells"][1:] == [
        "Active breaks", rows[0]["cells"][2], "Lunch", "no"]
    assert rows[1]["cells"][1:] == ["Logout", "no session", "Ready", "no"]
    assert rows[3]["cells"][0] == "1004 Jorge Díaz"  # UTF-8 survives the browser
    by_state = parsed.tables["by-state-medellin_collections"]
    cells = [" ".join(row["cells"]) for row in by_state["rows"]]
    assert any(cell.startswith("Logout 1 3003 Elena Paz disabled") for cell in cells), cells
    assert any(cell.startswith("Feedback unplaced 1") for cell in cells), cells
    sections = [attrs.get("id") for tag, attrs in parsed.elements if tag == "section"]
    assert sections == ["operation-bogota_sales", "operation-medellin_collections"]
