# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rendered documentation site (tools/docsite: antsibull-docs and Sphinx, offline): a page for
every plugin and role, every relative link resolved, and the module page of wolkvox_agent_status
opened in a real headless Chromium, its options table found in the DOM the browser built and a
screenshot taken. Run alone: pytest -c tests/e2e/pytest.ini tests/e2e/test_docsite.py.
WOLKVOX_DOCSITE_DIR=DIR reuses a site tools/docsite already built into DIR; otherwise the test
builds one. Nothing is skipped: no site or no browser fails the test with the reason."""

from __future__ import annotations

import os
import subprocess
from html.parser import HTMLParser

import pytest

# The headless browser, set up and run as the HTML report's test does (tools/setup-browser).
from test_report_adherence import browser, chromium, png_size  # noqa: F401  pylint: disable=unused-import

from conftest import ROOT

pytestmark = pytest.mark.slow

DOCSITE = os.path.join(ROOT, "tools", "docsite")
PAGES = "collections/wolkvox/contact_center"
# A page per plugin and role of the collection (tools/docsite checks the same list from plugins/ and roles/).
PLUGIN_PAGES = ["wolkvox_agent_status_module.html", "wolkvox_agent_info_module.html", "plan_states_filter.html",
                "agent_status_role.html"]
SCREEN = (1280, 3600)  # tall enough to show the Parameters table below the synopsis


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(the site's HTML directory, what tools/docsite printed); built here unless WOLKVOX_DOCSITE_DIR says where."""
    given = os.environ.get("WOLKVOX_DOCSITE_DIR")
    if given:
        html = os.path.join(given, "build", "html")
        if not os.path.isfile(os.path.join(html, "index.html")):
            pytest.fail("WOLKVOX_DOCSITE_DIR=%s holds no site built by tools/docsite (no build/html/index.html)" % given)
        return html, None
    dest = tmp_path_factory.mktemp("docsite") / "site"
    proc = subprocess.run([DOCSITE, "--dest", str(dest)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900, check=False)
    output = proc.stdout
    if proc.returncode != 0:
        pytest.fail("tools/docsite could not build the site (exit status %d):\n%s" % (proc.returncode, output[-5000:]))
    return str(dest / "build" / "html"), output


class OptionTables(HTMLParser):
    """The tables of a document with the ids inside each and the titles of its options
    (antsibull-docs: <p class="ansible-option-title"><strong>name</strong>)."""

    def __init__(self):
        super(OptionTables, self).__init__(convert_charrefs=True)
        self.tables = []
        self._open = []
        self._title = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {"class": attrs.get("class", ""), "ids": [], "titles": []}
            self.tables.append(table)
            self._open.append(table)
        if self._open and attrs.get("id"):
            self._open[-1]["ids"].append(attrs["id"])
        if self._open and tag == "p" and "ansible-option-title" in (attrs.get("class") or "").split():
            self._title = []

    def handle_endtag(self, tag):
        if tag == "p" and self._title is not None:
            self._open[-1]["titles"].append("".join(self._title).strip())
            self._title = None
        elif tag == "table" and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)


def test_docsite_has_every_plugin_page_and_checked_links(site):
    html, output = site
    for page in PLUGIN_PAGES:
        assert os.path.isfile(os.path.join(html, PAGES, page)), "no page %s in %s" % (page, html)
    for page in ("index.html", "collections/index_module.html", "collections/environment_variables.html",
                 os.path.join(PAGES, "index.html")):
        assert os.path.isfile(os.path.join(html, page)), page
    if output is not None:  # built here: what tools/docsite said it checked
        assert "docsite built: " in output.strip().splitlines()[-1], output[-2000:]
        for page in PLUGIN_PAGES:
            assert "  ok       %s/%s " % (PAGES, page) in output, output[-3000:]
        assert "relative links resolved" in output and "external links listed, not fetched" in output, output[-3000:]
        # the EDA event source: said not to be rendered, not faked
        assert "event_source agent_states (not rendered: antsibull-docs renders no event source plugins)" in output
        assert "WARNING" not in output, [line for line in output.splitlines() if "WARNING" in line]
    with open(os.path.join(html, "index.html"), encoding="utf-8") as handle:
        start = handle.read()
    assert "docs/event-driven.md" in start, "the start page does not say where the event source is documented"


def test_docsite_module_page_in_headless_chromium(site, browser, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    html, _output = site
    page = os.path.join(html, PAGES, "wolkvox_agent_status_module.html")
    uri = "file://" + os.path.abspath(page)

    dom = chromium(browser, tmp_path, "--dump-dom", uri)
    assert "wolkvox_agent_status module" in dom, dom[:2000]
    parsed = OptionTables()
    parsed.feed(dom)
    options = [table for table in parsed.tables if any(i.startswith("parameter-") for i in table["ids"])]
    assert len(options) == 1, [(t["class"], t["ids"][:3]) for t in parsed.tables]
    table = options[0]
    assert "ansible-option-table" in table["class"], table["class"]
    for option in ("wolkvox_server", "wolkvox_token", "agent_id", "plan", "status", "busy_states"):
        assert option in table["titles"], (option, table["titles"])
        assert "parameter-%s" % option in table["ids"], (option, table["ids"])
    assert len(table["titles"]) >= 30, table["titles"]  # every option of the module, not a stub

    shot = tmp_path / "wolkvox_agent_status_module.png"
    chromium(browser, tmp_path, "--screenshot=%s" % shot, "--window-size=%d,%d" % SCREEN, uri)
    assert shot.exists(), "the browser wrote no screenshot"
    assert png_size(shot) == SCREEN
    assert shot.stat().st_size > 50000, "a near-empty screenshot (%d bytes)" % shot.stat().st_size
