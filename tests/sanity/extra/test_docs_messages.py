# Copyright (c) wolkvox.contact_center contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every message documented in docs/troubleshooting.md exists in the code (plugins/ and roles/).

No ansible-playbook, no simulator, no installed collection: this reads files only.

The markup: in docs/troubleshooting.md, a table whose header's first cell is exactly ``message``
lists messages of the collection. Each code span (between backticks) in the first column of such a
table is one message, quoted as a user sees it: with example values (``agent 4242``, ``'0042'``)
where the code has a placeholder (``%s``, ``%d``, ``%r``, ``%g``), and with ``…`` for text that is
left out or that varies (a vendor's words, a system error). Tables with another first header
(``message from Ansible``) are not checked.

The code's texts: every string literal (Python files under plugins/ and roles/, but docstrings and
the DOCUMENTATION/EXAMPLES/RETURN blocks; the YAML strings of roles/*/tasks, each Jinja block being
a placeholder, and each quoted string inside a Jinja block a text of its own), cut at its
placeholders into fixed texts. A fixed text counts when it holds a blank, or is a name of 8
characters or more with a ``_`` or ``.`` (``wolkvox_agent_status_plan``): single words such as
``changed`` are everywhere and prove nothing.

The check: each part of a quoted message between two ``…`` is laid out as fixed texts of the code
end to end, the rest being placeholder values (the first fixed text may begin, and the last may
end, in the middle of one). At least 60 % of the part's characters must be fixed texts, and one
fixed text must be at least 12 characters long (or the whole part, when shorter). A message the
code composes from several literals (``"agents[%d]"``, ``" (agent %s)"``, ``"%s: %s"``, ``"status
%s is not valid: ..."``) passes when its pieces are there. A message whose own text disappears
from the code, or is reworded, fails (test_a_message_removed_from_the_code_fails shows it); a
message made only of pieces that other messages share too (an option's name, "is not valid: it
must be") is only as safe as those pieces.
"""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DOC = os.path.join(ROOT, "docs", "troubleshooting.md")
ELLIPSIS = "\u2026"
MIN_PIECE = 3
MIN_NAME = 8
MIN_SHARE = 0.6
MIN_EDGE = 8
MIN_LONGEST = 12

# A %-format conversion: %s, %d, %r, %g, %02d, %-5s, %.1f, %(name)s ...
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\d+|\*)?(?:\.\d+)?[sdrgfiuxXeEc]")
JINJA_BLOCK_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
JINJA_STRING_RE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
CODE_SPAN_RE = re.compile(r"`([^`]+)`")
NAME_RE = re.compile(r"^[A-Za-z0-9]*[_.][A-Za-z0-9_.]*$")


def normalize(text):
    """Whitespace as a reader compares it: every run of blanks is one space."""
    return re.sub(r"\s+", " ", text)


def parts_of_format(text):
    """A %-format string -> its fixed texts, a placeholder between each two: [f0, f1, ...]."""
    fixed = []
    position = 0
    chunk = []
    while position < len(text):
        if text.startswith("%%", position):
            chunk.append("%")
            position += 2
            continue
        match = PLACEHOLDER_RE.match(text, position)
        if match:
            fixed.append("".join(chunk))
            chunk = []
            position = match.end()
            continue
        chunk.append(text[position])
        position += 1
    fixed.append("".join(chunk))
    return [normalize(part) for part in fixed]


def python_literals(path):
    """Every string constant of a Python file but docstrings and the documentation blocks."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                skip.add(id(value))
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "EXAMPLES", "RETURN")
            for target in node.targets
        ):
            skip.add(id(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield parts_of_format(node.value)


def yaml_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from yaml_strings(key)
            yield from yaml_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from yaml_strings(item)


def template_literals(text):
    """A Jinja template -> its own parts (each block a placeholder, with the blocks' whitespace
    control applied), and each quoted string inside its blocks as a literal of its own."""
    parts = []
    chunk_start = 0
    strip_next = False
    for block in JINJA_BLOCK_RE.finditer(text):
        chunk = text[chunk_start:block.start()]
        if strip_next:
            chunk = chunk.lstrip()
        if block.group().startswith(("{{-", "{%-")):
            chunk = chunk.rstrip()
        parts.append(chunk)
        strip_next = block.group().endswith(("-}}", "-%}"))
        chunk_start = block.end()
        for single, double in JINJA_STRING_RE.findall(block.group()):
            yield [normalize(single or double)]
    tail = text[chunk_start:]
    parts.append(tail.lstrip() if strip_next else tail)
    yield [normalize(part) for part in parts]


def code_literals():
    literals = []
    for top in ("plugins", "roles"):
        for directory, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in sorted(files):
                path = os.path.join(directory, name)
                if name.endswith(".py"):
                    literals.extend(python_literals(path))
                elif name.endswith((".yml", ".yaml")) and top == "roles" and os.sep + "tasks" in directory:
                    with open(path, encoding="utf-8") as handle:
                        for text in yaml_strings(yaml.safe_load(handle)):
                            literals.extend(template_literals(text))
    return literals


def counts(fixed):
    """Whether a fixed text counts: 3 characters or more with a blank, or a name (see above)."""
    return (len(fixed) >= MIN_PIECE and " " in fixed) or (len(fixed) >= MIN_NAME and bool(NAME_RE.match(fixed)))


def fixed_texts():
    """Every fixed text (the text between two placeholders) of the code's literals that counts."""
    texts = set()
    for parts in code_literals():
        texts.update(part for part in parts if counts(part))
    return sorted(texts)


def coverage(text, fixed_texts_of_code=None):
    """(characters of ``text`` that are fixed texts of the code, the longest such fixed text).

    ``text`` is laid out as fixed texts end to end, with placeholder values between them; the
    layout that covers the most characters counts. The first fixed text may begin in the middle
    of one, and the last may end in the middle of one (a quote begins and ends anywhere)."""
    text = normalize(text)
    size = len(text)
    starting = {}  # position -> [length of each fixed text that starts there]
    for fixed in FIXED if fixed_texts_of_code is None else fixed_texts_of_code:
        found = text.find(fixed)
        while found != -1:
            starting.setdefault(found, []).append(len(fixed))
            found = text.find(fixed, found + 1)
        for cut in range(1, len(fixed) - MIN_EDGE + 1):
            if text.startswith(fixed[cut:]):  # the quote begins inside this fixed text
                starting.setdefault(0, []).append(len(fixed) - cut)
        for cut in range(max(0, size - len(fixed) + 1), size - MIN_EDGE + 1):
            if fixed.startswith(text[cut:]):  # the quote ends inside this fixed text
                starting.setdefault(cut, []).append(size - cut)
    best = [0] * (size + 1)
    for position in range(size - 1, -1, -1):
        best[position] = best[position + 1]  # a character of a placeholder's value
        for length in starting.get(position, ()):
            best[position] = max(best[position], length + best[position + length])
    longest = max([length for lengths in starting.values() for length in lengths] or [0])
    return best[0], longest


def documented_messages():
    """(line number, quoted message) of every message of a ``message`` table."""
    found = []
    in_table = False
    header_line = 0
    with open(DOC, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if not in_table:
            if number < len(lines) and re.match(r"^\|\s*:?-{3,}", lines[number]):
                in_table = cells[0] == "message"
                header_line = number
            continue
        if number == header_line + 1:
            continue  # the |---| line
        for span in CODE_SPAN_RE.findall(cells[0]):
            found.append((number, span.replace("\\|", "|")))
    return found


FIXED = fixed_texts()
MESSAGES = documented_messages()


def checked_parts(message):
    return [part for part in message.split(ELLIPSIS) if len(part.strip()) >= 3]


def is_in_the_code(text, fixed_texts_of_code=None):
    covered, longest = coverage(text, fixed_texts_of_code)
    return longest >= min(MIN_LONGEST, len(text.strip())) and covered >= MIN_SHARE * len(text)


def test_the_page_documents_many_messages():
    assert len(MESSAGES) >= 80, "only %d messages found: is the markup of docs/troubleshooting.md intact?" % len(MESSAGES)


@pytest.mark.parametrize("line, message", MESSAGES, ids=["line%d-%d" % (line, index) for index, (line, _m) in enumerate(MESSAGES)])
def test_documented_message_is_in_the_code(line, message):
    parts = checked_parts(message)
    assert parts, "docs/troubleshooting.md line %d: %r has no text to check" % (line, message)
    for part in parts:
        text = normalize(part)
        covered, longest = coverage(text)
        assert longest >= min(MIN_LONGEST, len(text.strip())) and covered >= MIN_SHARE * len(text), (
            "docs/troubleshooting.md line %d quotes a message that is not in plugins/ or roles/: %r "
            "(%d of its %d characters are text of the code, the longest piece %d)" % (line, part, covered, len(text), longest)
        )


@pytest.mark.parametrize("invented", [
    "the token was eaten by a grue",
    "wolkvox_server was given as a banana, quote it",
    "agents[3] (agent 1004): status 'logut' is not a colour you can choose",
    "5 of 5 agents exploded on the floor",
])
def test_an_invented_message_fails(invented):
    assert not is_in_the_code(invented), invented


@pytest.mark.parametrize("message, removed", [
    ('wolkvox_server was given as the number 34, not as text: YAML turns an unquoted 0042 into 34. '
     'Quote it, e.g. wolkvox_server: "0042"',
     'wolkvox_server was given as the number '),
    ("agent 4242 does not exist in this operation (not in its agents list)",
     " does not exist in this operation (not in its agents list)"),
    ("busy (On call): not sent, busy_policy is skip", "): not sent, busy_policy is skip"),
    ("still busy (Ringing) after waiting 300 s (wait_timeout): not sent", ") after waiting "),
    ("no agent to change: agent_id / agents is empty, so nothing was read or sent",
     "no agent to change: agent_id / agents is empty, so nothing was read or sent"),
    ("reading the agents list failed: HTTP 200, code '401', error 'Invalid token or server', msg 'Access denied': "
     "authentication failed - check wolkvox_token (it must be a token of this operation), and wolkvox_server '0042' "
     "(the server code that token belongs to)",
     " (the server code that token belongs to)"),
])
def test_a_message_removed_from_the_code_fails(message, removed):
    """The same check, with the literal that holds ``removed`` taken out of the code as if deleted."""
    assert is_in_the_code(message)
    literals = code_literals()
    gone = [parts for parts in literals if removed in parts]
    assert gone, removed
    kept = set(part for parts in literals if removed not in parts for part in parts)
    remaining = [fixed for fixed in FIXED if fixed in kept]
    assert not is_in_the_code(message, remaining)
