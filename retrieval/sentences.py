"""Paragraph → sentences with pysbd, each sentence an exact slice of its paragraph.

pysbd knows news text (quotes, abbreviations, initials) but may tidy what it returns; we only take its
boundaries and cut the paragraph ourselves, so a quoted sentence is always the article's own characters.
"""
from __future__ import annotations

from functools import lru_cache

import pysbd


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def split_sentences(paragraph: str) -> list[str]:
    if not paragraph.strip():
        return []
    try:
        pieces = _segmenter().segment(paragraph)
    except Exception:  # noqa: BLE001 - a splitter bug must not lose the paragraph
        pieces = [paragraph]
    out: list[str] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = paragraph.find(piece, cursor)
        if at < 0:
            # pysbd changed the text; give up on finer cuts rather than quote something not written.
            rest = paragraph[cursor:].strip()
            if rest:
                out.append(rest)
            cursor = len(paragraph)
            break
        skipped = paragraph[cursor:at].strip()
        if skipped:
            out.append(skipped)
        out.append(piece)
        cursor = at + len(piece)
    tail = paragraph[cursor:].strip()
    if tail:
        out.append(tail)
    return _merge_fragments(out)


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Glue back pieces too short to stand alone (a stray closing quote, "Mr.") onto the sentence before."""
    merged: list[str] = []
    for s in sentences:
        if merged and (len(s) < 3 or not any(ch.isalnum() for ch in s)):
            merged[-1] = merged[-1] + " " + s if merged[-1] else s
        else:
            merged.append(s)
    return merged
