# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test sessions of the repository, declared: one nox session per stage of tools/test.

Each session runs its script, tools/stages/<session>, which does its own set-up (the pinned tools
in .venv, a work directory, the collection staged or built) and can run alone:

    tools/test                 # every session, in this order (what CI runs)
    tools/test units e2e       # only these
    nox -l                     # the list, from the venv tools/test made (.venv/bin/nox)
    tools/stages/units         # one stage, without nox

The sessions use no venv of nox's own (python=False): the stage scripts pin and reuse theirs.
"""

from __future__ import annotations

import nox

# (session, script and its arguments, what it proves), in the order tools/test runs them.
STAGES = (
    ("extra", ("extra",), "the repository's checks in tests/sanity/extra: structure, options agreement, documented "
                          "messages, the tarball's allow-list"),
    ("sanity", ("sanity",), "ansible-test sanity on every supported Python, empty ignore files"),
    ("units", ("units",), "ansible-test units on the oldest, the default and the newest Python"),
    ("integration", ("integration",), "ansible-test integration targets against the simulator"),
    ("e2e", ("e2e", "classic"), "ansible-playbook, ansible-rulebook and browser runs against the simulator"),
    ("e2e-vendor", ("e2e", "vendor"), "the files that read the API's answers, in the vendor's documented dialect"),
    ("lint", ("lint",), "yamllint, ansible-lint production profile, ruff"),
    ("build", ("build",), "tarball and git URL installs, ansible-doc of every plugin"),
    ("changelog", ("changelog",), "antsibull-changelog lint, CHANGELOG.md up to date, a release rehearsal"),
    ("docs", ("docs",), "antsibull-docs lint-collection-docs"),
    ("docsite", ("docsite",), "the rendered documentation site, internal links checked"),
    ("ee", ("ee",), "ansible-builder: the execution environment's context and introspection"),
    ("matrix", ("matrix",), "the other ansible-core minors: smoke and -vvv error paths (sanity on the oldest)"),
)

nox.options.sessions = [name for name, _script, _doc in STAGES]
nox.options.stop_on_first_error = True


def _stage(script, doc):
    def session(session):
        session.run("bash", "tools/stages/%s" % script[0], *(list(script[1:]) + session.posargs), external=True)
    session.__doc__ = doc
    return session


for _name, _script, _doc in STAGES:
    nox.session(name=_name, python=False)(_stage(_script, _doc))
