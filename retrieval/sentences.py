"""Paragraph → sentences with pysbd, each sentence an exact slice of its paragraph.

pysbd knows news text (quotes, abbreviations, initials) but may tidy what it returns; we only take its
boundaries and cut the paragraph ourselves, so a quoted sentence is always the article's own characters.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pysbd

_TRAILING_SPACE = re.compile(r"\s*")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in the paragraph, in order, trimmed of surrounding whitespace."""
    if not paragraph.strip():
        return []
    try:
        pieces = _pysbd_sentences(paragraph)
    except Exception:  # noqa: BLE001 - a splitter bug must not lose the paragraph
        pieces = [paragraph]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = paragraph.find(piece, cursor)
        if at < 0:
            # pysbd changed the text; give up on finer cuts rather than quote something not written.
            break
        _add(spans, paragraph, cursor, at)
        _add(spans, paragraph, at, at + len(piece))
        cursor = at + len(piece)
    _add(spans, paragraph, cursor, len(paragraph))
    return _merge_fragments(spans, paragraph)


def _pysbd_sentences(paragraph: str) -> list[str]:
    """The sentences `Segmenter.segment` returns (but for trailing whitespace), in ~60% of the time.

    `segment` runs the processor, then searches every sentence back in the text with a freshly compiled regex,
    only to attach offsets we work out again anyway. What that search decides still matters: a sentence pysbd
    tidied (a no-break space in an ellipsis made plain) is not found and silently dropped, which leaves its
    text to the gap between its neighbours, as a sentence of its own. So the search stays, as `str.find`."""
    kept: list[str] = []
    prior_end = 0
    for sent in _segmenter().processor(paragraph).process():
        end = _end_of_match_after(paragraph, sent, prior_end)
        if end >= 0:
            kept.append(sent)
            prior_end = end
    return kept


def _end_of_match_after(text: str, sent: str, prior_end: int) -> int:
    """End of the first match of pysbd's search, `re.finditer(re.escape(sent) + "\\s*", text)`, that ends after
    prior_end, or -1 if none does."""
    pos = 0
    while (at := text.find(sent, pos)) >= 0:
        end = _TRAILING_SPACE.match(text, at + len(sent)).end()
        if end > prior_end:
            return end
        pos = end if end > at else at + 1  # finditer steps past an empty match
    return -1


def split_sentences(paragraph: str) -> list[str]:
    return [paragraph[s:e] for s, e in sentence_spans(paragraph)]


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append text[start:end] trimmed of whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _merge_fragments(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Glue pieces too short to stand alone (a stray closing quote, "Mr.") onto the sentence before, by widening
    its slice, so whatever whitespace separated them stays the article's own."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if merged and (len(piece) < 3 or not any(ch.isalnum() for ch in piece)):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
