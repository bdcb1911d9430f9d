"""The code blocks of a markdown page, in order, with the markers that say how a test runs them.

Every fenced block is code to run: ``sh`` (each command, continuation lines joined) or
``python``. An HTML comment directly above a block (blank lines between are fine) changes that:

    <!-- readme-test: skip — REASON -->          not run: illustrative (the reason says why)
    <!-- readme-test: needs PATH — REASON -->    run only where PATH exists in the checkout
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

MARKER = re.compile(r"<!--\s*readme-test:\s*(?P<kind>skip|needs)\s*(?P<rest>.*?)\s*-->")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\s*$")
LANGUAGES = ("sh", "python")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the block's first code line
    lang: str
    code: str
    skip: str | None = None  # the reason it is not run
    needs: str | None = None  # a path it needs, relative to the checkout
    reason: str = ""


def blocks(text: str) -> list[Block]:
    """The page's fenced blocks, each with the marker directly above it (if any)."""
    lines = text.splitlines()
    out, marker, i = [], None, 0
    while i < len(lines):
        stripped = lines[i].strip()
        found = MARKER.fullmatch(stripped)
        fence = FENCE.match(lines[i])
        if found:
            marker = found
        elif fence:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
            if end is None:
                raise ValueError(f"line {i + 1}: a code block that never closes")
            out.append(_block(i + 2, fence["lang"], "\n".join(lines[i + 1:end]), marker))
            marker, i = None, end
        elif stripped:
            marker = None  # a marker belongs to the block right below it
        i += 1
    return out


def _block(line: int, lang: str, code: str, marker) -> Block:
    if marker is None:
        return Block(line, lang, code)
    rest = marker["rest"].strip()
    if marker["kind"] == "skip":
        return Block(line, lang, code, skip=rest.lstrip("—-: ").strip(), reason=rest.lstrip("—-: ").strip())
    path, _, reason = rest.partition(" ")
    return Block(line, lang, code, needs=path, reason=reason.lstrip("—-: ").strip())


def commands(code: str) -> list[str]:
    """A shell block's commands: one per line, continuation lines joined, comments and blank
    lines left out."""
    out, pending = [], ""
    for raw in code.splitlines():
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if shlex.split(line, comments=True):
            out.append(line.strip())
    return out
