"""Splitting a body into paragraphs: blank lines separate them, hard line wraps inside one do not."""
from __future__ import annotations

import re

_BLANK = re.compile(r"\n\s*\n")


def split_paragraphs(body: str) -> list[str]:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for block in _BLANK.split(body):
        text = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if text:
            out.append(text)
    return out


_HEADING = re.compile(r"^#{1,6}(?:\s|$)")


def is_markdown_heading(paragraph: str) -> bool:
    """A Markdown heading needs a space after its #s: "#MeToo campaigners marched" is article text."""
    return bool(_HEADING.match(paragraph))
