"""Paragraph → sentences with syntok, each sentence an exact slice of its paragraph.

syntok decides a dot after a known abbreviation (a.m., Corp., Inc., Ltd., No., St., Gen., Sen., Mr.) by the word
that follows: it ends the sentence only before a word that starts sentences ("The", "It", "However"), so
"at 10 a.m. Thursday in Paris" stays whole. It replaced pysbd, which cut there, at 3-4x the speed (BENCHMARKS.md).
We take only where syntok's sentences *start* and cut the paragraph there ourselves, so every character of the
paragraph belongs to exactly one sentence and a quote is always the article's own text. Two joins on top, both
about how news is written, not about one example:
- a semicolon joins clauses of one sentence (syntok counts it a terminal);
- a quoted question or exclamation followed by its attribution ("…algorithm?” Magistrate Claire Dubois asked on
  Monday.") is one sentence: the attribution alone says nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache

from syntok.tokenizer import Tokenizer
from syntok.segmenter import segment

# An attribution: up to six capitalised words (a title and a name, "Magistrate Claire Dubois", "X's lawyer
# Jean Martin") then a verb of speech; "The company declined to comment." is not one.
_SPEECH = (r"said|says|asked|asks|added|adds|told|tells|wrote|writes|replied|replies|insisted|explained|"
           r"warned|argued|noted|stated|declared|tweeted|posted|shouted|wondered|demanded|countered|continued")
_ATTRIBUTION = re.compile(
    rf"(?:(?:[A-Z][\w'’.-]*|of|de|la|van|von|the)\s+){{1,6}}(?:{_SPEECH})\b(?![’']s)")
_QUOTED_CLOSE = re.compile(r"[?!][\"”’']\s*$")


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer(replace_not_contraction=False)  # keeps the text as written: offsets stay true


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in the paragraph, in order, trimmed of surrounding whitespace; together
    they cover every non-space character of the paragraph."""
    if not paragraph.strip():
        return []
    try:
        starts = _syntok_starts(paragraph)
    except Exception:  # noqa: BLE001 - a splitter bug must not lose the paragraph
        starts = []
    cuts = [0, *(s for s in starts if 0 < s < len(paragraph)), len(paragraph)]
    spans: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        _add(spans, paragraph, a, b)
    return _merge_fragments(_join_clauses(spans, paragraph), paragraph)


def _syntok_starts(paragraph: str) -> list[int]:
    """Offsets where syntok starts a sentence (but the first). syntok reads "\\n\\n" as a paragraph break; ours
    never hold one, but a stray one must not shift offsets: tokens carry offsets into the text given."""
    tokens = _tokenizer().tokenize(paragraph)
    return sorted({sent[0].offset for sent in segment(tokens) if sent})


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


def _join_clauses(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Widen a sentence over the next one when it ends in a semicolon, or is a quoted question or exclamation
    whose next piece is its attribution."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev = text[out[-1][0]:out[-1][1]]
            if prev.endswith(";") or (_QUOTED_CLOSE.search(prev) and _ATTRIBUTION.match(text, start)):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


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
