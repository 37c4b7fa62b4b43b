"""What the furniture classifier sees of a paragraph: shape features and its words.

Shared by the fit script and the classifier, so both see the same numbers. Shape features say what page furniture
looks like in any outlet's style (short, no closing full stop, Title Case, clock times, " · " or " / " separators,
a "Label:" opening, the article's own headline, a bare question standing as a subhead, words that address the
reader); words (lower-cased, with bigrams, the first word and the opening pair marked) let
the fit learn the vocabulary of share buttons, captions and appeals from the labelled examples instead of from a
list kept by hand.
"""
from __future__ import annotations

import math
import re

from typing import Collection

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TOKEN = re.compile(r"[a-z]+|[0-9]+|[©@€£$%#]")
_CLOSERS = "\"'”’»)]*"
# A colon ends prose that introduces a quote or a list ("…the union set out its demands in full:"); a stray space
# may stand before a closing quote.
_TERMINAL = re.compile(r"[.!?…:][\s" + re.escape(_CLOSERS) + r"]*$")
_CLOCK = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|AM|PM|GMT|BST|UTC|CET|CEST|ET|EST|EDT|PT|Uhr|h)\b"
    r"|\b\d{1,2}:\d{2}\b", re.IGNORECASE)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_FULL_DATE = re.compile(
    rf"\b\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_SEPARATOR = re.compile(r"\s[·|•»›>/–]\s|[»›•·]")
_SLASH_PATH = re.compile(r"[^\W\d_]+/[^\W\d_]+/")
_LABEL = re.compile(r"^[^\W\d_][\w'’ ]{0,30}[:,|]\s")
_CONTACT = re.compile(r"https?://|www\.|\b[\w.+-]+@[\w-]+\.\w|(?<!\w)@\w{2,}")
_SENTENCE_GAP = re.compile(r"[.!?][\"”’)]*\s+[\"“‘(]*[A-Z]")
_QUOTE = re.compile(r"[“”\"«»]")

HEAD = 600

DENSE_NAMES = (
    "log_chars", "log_words", "ends_terminal", "ends_paren", "capitalised_share", "all_caps_share",
    "stopword_share", "digit_share", "clock_time", "full_date", "separators", "slash_path", "label_opening",
    "title_overlap", "same_as_title", "contact", "sentence_gaps", "has_quote", "short", "bare_question",
    "reader_address",
)
# The grammatical persons that address the reader or speak for the outlet: appeals, sign-ups and disclosures talk
# to "you" for "us"; news prose reports on third parties (and quotes, where "we" is a speaker's, carry has_quote).
_READER = frozenset({"you", "your", "yours", "yourself", "we", "our", "ours", "us"})


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def dense_features(paragraph: str, title: str, stopwords: Collection[str]) -> list[float]:
    """The shape features named in DENSE_NAMES, in that order. `stopwords`: English function words (the fit
    stores scikit-learn's list with the model, so serving does not import scikit-learn)."""
    full = paragraph.strip()
    # Furniture is short: the first HEAD characters decide every feature but the length, which also keeps the
    # regexes linear on a megabyte-long paragraph (a 1 MB word made `_SLASH_PATH` quadratic).
    text = full[:HEAD]
    words = _WORD.findall(text)
    n_words = len(words) if len(full) <= HEAD else len(full.split())
    alpha = [w for w in words if w[:1].isalpha()]
    caps = sum(1 for w in alpha if w[0].isupper())
    all_caps = sum(1 for w in alpha if len(w) > 1 and w.isupper())
    stops = sum(1 for w in words if w.lower() in stopwords)
    digits = sum(ch.isdigit() for ch in text)
    tokens = set(_norm(text).split())
    title = title[:HEAD]
    title_tokens = set(_norm(title).split())
    overlap = len(tokens & title_tokens) / len(tokens) if tokens and title_tokens else 0.0
    return [
        math.log1p(len(full)),
        math.log1p(n_words),
        1.0 if _TERMINAL.search(full[-12:]) else 0.0,
        1.0 if full.endswith(")") else 0.0,
        caps / len(alpha) if alpha else 0.0,
        all_caps / len(alpha) if alpha else 0.0,
        stops / len(words) if words else 0.0,
        digits / len(text) if text else 0.0,
        1.0 if _CLOCK.search(text) else 0.0,
        1.0 if _FULL_DATE.search(text) else 0.0,
        float(min(len(_SEPARATOR.findall(text)), 3)),
        1.0 if _SLASH_PATH.search(text) else 0.0,
        1.0 if _LABEL.match(text) else 0.0,
        overlap,
        1.0 if tokens and _norm(text) == _norm(title) else 0.0,
        1.0 if _CONTACT.search(text) else 0.0,
        float(min(len(_SENTENCE_GAP.findall(text)), 3)),
        1.0 if _QUOTE.search(text) else 0.0,
        1.0 if n_words <= 3 else 0.0,
        # A question standing alone, unquoted and unattributed, is an explainer's subhead ("What happens next?");
        # `ends_terminal` alone counts its "?" as a sentence's end. A quoted question keeps has_quote.
        1.0 if full.endswith("?") and not _QUOTE.search(text) and not _SENTENCE_GAP.search(text) else 0.0,
        sum(1 for w in words if w.lower() in _READER) / len(words) if words else 0.0,
    ]


def word_features(paragraph: str) -> set[str]:
    """Lower-cased words and word pairs of the paragraph's first 60 words, its first word marked "^word" and its
    opening pair "^word word": furniture opens with a formula ("this article was", "read more", "share this").
    Function words stay: fitted without them, the recall of sign-up and syndication lines fell by more than real
    pages' prose gained."""
    tokens = _TOKEN.findall(paragraph[:HEAD].lower())[:60]
    out = set(tokens)
    out.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    if tokens:
        out.add("^" + tokens[0])
    if len(tokens) > 1:
        out.add(f"^{tokens[0]} {tokens[1]}")
    return out
