"""What is not article text: donation appeals, image captions, newsletter boxes, share and related links.

Paragraph filters only: article sentences are never edited, a paragraph is kept whole or dropped whole.
The patterns are deliberately anchored and short-paragraph-only so that an article *about* a newsletter
or a photo is not mistaken for page furniture.
"""
from __future__ import annotations

import re

# Furniture that starts a paragraph, whatever its length.
_LEADING = re.compile(
    r"""^\s*(?:
        open\ image\ in\ gallery
      | your\ support\ helps\ us
      | support\ (?:now|us|our\ journalism)\b
      | (?:sign\ up|subscribe)\ (?:to|for)\ (?:our|the)\b.{0,80}\bnewsletter
      | get\ (?:our|the)\ .{0,40}newsletter
      | (?:read|see)\ (?:more|also)\s*:
      | related\s*:
      | (?:share|follow\ us)\ on\ (?:facebook|twitter|x|whatsapp|linkedin)
      | advertisement\s*$
      | (?:image|photo|photograph|picture|video)\s*(?:credit)?\s*:
      | we\ use\ cookies
      | this\ (?:site|website)\ uses\ cookies
      | accept\ (?:all\ )?cookies
      | skip\ to\ (?:main\ )?content
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# A short paragraph ending in a photo credit in parentheses, e.g. "Musk ... court ( AFP via Getty Images )".
_CAPTION_CREDIT = re.compile(
    r"\(\s*(?:[A-Z][\w./&' -]{0,40}\s+via\s+)?(?:Getty(?: Images)?|AFP|Reuters|AP(?: Photo)?|PA(?: Wire| Media)?|EPA|"
    r"Alamy|Shutterstock|Bloomberg|[A-Z][\w.&' -]{0,30}/(?:Getty|AFP|Reuters|AP|EPA))[^)]{0,40}\)\s*$"
)

_APPEAL_WORDS = re.compile(r"\b(?:donat\w+|paywall\w*|support (?:us|now)|subscribe|your support)\b", re.IGNORECASE)


def is_boilerplate(paragraph: str) -> bool:
    text = paragraph.strip()
    if not text:
        return True
    if _LEADING.match(text):
        return True
    if len(text) < 300 and _CAPTION_CREDIT.search(text):
        return True
    # A fundraising box: short-ish and dense with appeal vocabulary.
    if len(text) < 1500 and len(_APPEAL_WORDS.findall(text)) >= 3:
        return True
    return False


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    return [p for p in paragraphs if not is_boilerplate(p)]
