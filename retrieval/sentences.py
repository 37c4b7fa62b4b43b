"""Paragraph → sentences with syntok, each sentence an exact slice of its paragraph.

syntok decides a dot after a known abbreviation (a.m., Corp., Inc., Ltd., No., St., Gen., Sen., Mr.) by the word
that follows: it ends the sentence only before a word that starts sentences ("The", "It", "However"), so
"at 10 a.m. Thursday in Paris" stays whole. It replaced pysbd, which cut there, at 3-4x the speed (BENCHMARKS.md).
We take only where syntok's sentences *start* and cut the paragraph there ourselves, so every character of the
paragraph belongs to exactly one sentence and a quote is always the article's own text. Two joins on top, both
about how news is written, not about one example:
- a semicolon joins clauses of one sentence (syntok counts it a terminal);
- a quoted question or exclamation followed by its attribution ("…algorithm?” Magistrate Claire Dubois asked on
  Monday.") is one sentence: the attribution alone says nothing;
- an abbreviated month before a day ("Oct. 26th", "Sept. 9-11") does not end a sentence: syntok keeps "Oct. 26"
  whole, but only when the next token is all digits.
A wire dateline or byline opening the paragraph ("PARIS, Feb 4 (Reuters) -", "LONDON (AP) —", "By Jane Doe, Staff
Writer —") is not part of any sentence: it would open the quote (and its link) with the dispatch's place and date,
or syntok cuts after "(Reuters)" and starts the next sentence with the dash. It stays in the paragraph's text.
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
# syntok cuts after a closing bracket before a dash ("NATO (the alliance) — which met…"): a dash never opens one.
_DASH_OPENING = re.compile(r"(?:--|[-–—])\s")
_MONTH_DOT = re.compile(r"(?i:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)$")

# A dateline: the place in capitals ("PARIS", "SAN FRANCISCO/PARIS", "ST. LOUIS", with ", France" after it), the
# dispatch's date and/or the agency in brackets, then a dash (or, after a date, a colon or full stop). An agency
# alone ("(Reuters) -") is one too. The place alone ("PARIS —") is not: "AI — once a niche field — …" opens a
# sentence the same way. A byline before it, or one closed by a dash itself: "By" and a name of capitalised words
# (a title after a comma), no month or weekday ("By Friday — …" is a sentence).
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_WEEKDAY = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|urday)?\b"
_CAPS_PLACE = r"[A-Z][A-Z.'’-]*[A-Z.](?:[ /][A-Z][A-Z.'’-]*[A-Z.])*"
_REGION = r"(?:,\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)?"  # ", Mo.", ", France"
_PLACE = _CAPS_PLACE + _REGION
# With a date after it, a place may be written "Paris" too: "Paris, 3 February 2026 —".
_DATED_PLACE = rf"(?:{_CAPS_PLACE}|(?!{_MONTH}|{_WEEKDAY})[A-Z][a-z’'-]+(?:[ /][A-Z][a-z’'-]+)*){_REGION}"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:,?\s+\d{{4}})?"
_AGENCY = r"\([A-Z][^()\n]{0,59}\)"
_DASH = r"(?:--|[-–—])"
_NAME_WORD = rf"(?!{_MONTH}|{_WEEKDAY})[A-Z][\w.'’-]*(?<![’']s)"
_BYLINE = rf"By\s+{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|and|de|van|von|la|le|del))*\s+{_NAME_WORD}" \
          rf"(?:\s*,\s*{_NAME_WORD}(?:\s+{_NAME_WORD})*)?"
_LEAD = re.compile(
    rf"\s*(?:(?:{_BYLINE}\s+)?(?:"
    rf"(?:{_DATED_PLACE},\s+{_DATE}(?:\s*{_AGENCY})?|{_PLACE}\s*{_AGENCY}|{_AGENCY})\s*{_DASH}"
    rf"|{_DATED_PLACE},\s+{_DATE}[.:]"
    rf")|{_BYLINE}\s+{_DASH})\s+(?=[A-Z0-9\"“‘'])")  # then a sentence starts: "NATO (…) — which" is no dateline


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer(replace_not_contraction=False)  # keeps the text as written: offsets stay true


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in the paragraph, in order, trimmed of surrounding whitespace; together
    they cover every non-space character of the paragraph after its leading dateline or byline (`lead_end`)."""
    if not paragraph.strip():
        return []
    lead = lead_end(paragraph)
    try:
        starts = [lead + s for s in _syntok_starts(paragraph[lead:])]
    except Exception:  # noqa: BLE001 - a splitter bug must not lose the paragraph
        starts = []
    cuts = [lead, *(s for s in starts if lead < s < len(paragraph)), len(paragraph)]
    spans: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        _add(spans, paragraph, a, b)
    return _merge_fragments(_join_clauses(spans, paragraph), paragraph)


def lead_end(paragraph: str) -> int:
    """Where the text after a leading dateline or byline starts (0 when there is none): see the module's doc."""
    m = _LEAD.match(paragraph)
    return m.end() if m else 0


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
    """Widen a sentence over the next one when it ends in a semicolon, is a quoted question or exclamation
    whose next piece is its attribution, or ends in an abbreviated month whose day opens the next piece, or
    when the next piece opens with a dash."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev = text[out[-1][0]:out[-1][1]]
            if (prev.endswith(";") or (_QUOTED_CLOSE.search(prev) and _ATTRIBUTION.match(text, start))
                    or (_MONTH_DOT.search(prev) and text[start].isdigit())
                    or _DASH_OPENING.match(text, start)):
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
