# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What users get: the built tarball holds what the allow-list says, and nothing of the
repository's development files (simulator, e2e tests, CI files, pins, caches, dev configs),
which galaxy.yml's build_ignore keeps out."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import tarfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ALLOWED = re.compile(
    r"^(MANIFEST\.json|FILES\.json|README\.md|LICENSE|CHANGELOG\.md"
    r"|changelogs/(changelog|config)\.yaml"
    r"|meta/(runtime\.yml|execution-environment\.yml|ee-requirements\.txt|ee-bindep\.txt)"
    r"|plugins/[a-z_]+/([a-z0-9_]+\.py|[a-z0-9_]+\.ya?ml|README\.md)"
    r"|roles/[a-z0-9_]+/(README\.md|(defaults|vars|meta|tasks|handlers)/[a-z0-9_]+\.ya?ml|(templates|files)/[^/]+)"
    r"|playbooks/[a-z0-9_]+\.ya?ml|playbooks/(templates|files|vars)/[^/]+"
    r"|docs/[a-z0-9_-]+\.md"
    r"|extensions/eda/plugins/event_source/[a-z0-9_]+\.py|extensions/eda/rulebooks/[a-z0-9_]+\.ya?ml"
    r"|tests/config\.yml|tests/(unit|integration)/requirements\.txt|tests/unit/.+\.py|tests/integration/targets/.+"
    r"|tests/sanity/ignore-[0-9.]+\.txt)$"
)
DEVELOPMENT = re.compile(r"__pycache__|\.pyc$|(^|/)(tools|e2e|extra|benchmarks|demo|\.ci|requirements|output)/")
REQUIRED = ("README.md", "LICENSE", "CHANGELOG.md", "meta/runtime.yml", "meta/execution-environment.yml",
            "plugins/modules/wolkvox_agent_status.py", "plugins/modules/wolkvox_agent_info.py",
            "roles/agent_status/tasks/main.yml", "extensions/eda/plugins/event_source/agent_states.py")


@pytest.fixture(scope="module")
def contents(tmp_path_factory):
    """The files of the tarball ansible-galaxy builds from this tree (directories left out)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(["ansible-galaxy", "collection", "build", "--force", "--output-path", str(out), ROOT],
                   check=True, capture_output=True)
    (tarball,) = glob.glob(str(out / "wolkvox-contact_center-*.tar.gz"))
    with tarfile.open(tarball) as archive:
        return sorted(member.name[2:] if member.name.startswith("./") else member.name
                      for member in archive.getmembers() if member.isfile())


def test_every_file_is_on_the_allow_list(contents):
    outside = [name for name in contents if not ALLOWED.match(name)]
    assert outside == [], "files outside the allow-list (galaxy.yml build_ignore): %s" % outside


def test_no_development_file_or_cache(contents):
    assert [name for name in contents if DEVELOPMENT.search(name)] == []


@pytest.mark.parametrize("name", REQUIRED)
def test_what_users_need_is_there(contents, name):
    assert name in contents


def test_the_allow_list_refuses_what_it_must():
    for name in ("tools/wolkvox_simulator/model.py", "tests/e2e/conftest.py", "requirements/test.txt",
                 "benchmarks/bench.py", "tests/sanity/extra/test_tarball.py", ".ci/run", "docs/benchmarks.png"):
        assert not ALLOWED.match(name) or DEVELOPMENT.search(name), name
