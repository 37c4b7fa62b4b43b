"""When a quoted sentence leans on the one before it ("It added that …", a bare quotation), show both.

The pair is cut from the paragraph as one slice, so the reader gets the article's own characters.
"""
from __future__ import annotations

import re

from retrieval.store import SentenceRow

_LEANS_BACK = re.compile(
    r"^[\"“‘']?\s*(?:It|He|She|They|This|That|These|Those|His|Her|Its|Their|The company|The firm|The group|"
    r"The statement|The spokes(?:man|woman|person)|But|And|However|Also|Meanwhile|Instead)\b"
)
_ATTRIBUTION = re.compile(r"\b(?:said|says|added|adds|told|according to|stated|wrote|claimed|argued|insisted)\b")
_OPENS_QUOTE = re.compile(r"^[\"“‘]")


def leans_on_previous(sentence: str) -> bool:
    if _LEANS_BACK.match(sentence):
        return True
    # A quotation with no speaker of its own continues the attribution before it.
    return bool(_OPENS_QUOTE.match(sentence)) and not _ATTRIBUTION.search(sentence)


def with_context(row: SentenceRow, previous: SentenceRow | None, paragraph: str | None) -> tuple[str, list[int]]:
    """(verbatim text to show, ids of the sentences it spans)."""
    if previous is None or paragraph is None or not leans_on_previous(row.text):
        return row.text, [row.id]
    return paragraph[previous.start:row.end], [previous.id, row.id]
