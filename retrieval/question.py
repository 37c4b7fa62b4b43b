"""A reporter's question: cleaned of what is not words (mentions, invisible characters), checked, typed."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum

from retrieval.lexical import STOP_WORDS
from retrieval.noun_types import is_plural, noun_class, noun_classes
from retrieval.temporal import tag_dates

MAX_QUESTION_CHARS = 500

_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
# Zero-width, bidi controls and other format characters make two identical-looking questions differ.
_INVISIBLE = {ch for ch in map(chr, range(0x2000, 0x2070)) if unicodedata.category(ch) == "Cf"} | {"\ufeff", "\u00ad"}


class QuestionType(str, Enum):
    WHEN = "when"
    WHO = "who"
    HOW_MANY = "how_many"
    HOW_MUCH = "how_much"
    HOW_LONG = "how_long"
    WHERE = "where"
    WHY = "why"
    OTHER = "other"


class BadQuestion(ValueError):
    """The question cannot be asked as written; the message tells the user what to change."""


@dataclass(frozen=True)
class Question:
    raw: str
    text: str
    kind: QuestionType
    # Asks how things stand now ("is she leaving?", "the latest", "still"): a later article's statement wins.
    about_now: bool = False
    # Asks when something still to come will happen ("when will the court rule?", "when is the trial due to
    # start?"): a date its article places in the past does not answer it.
    ahead: bool = False
    # The dates it names ("fined in January 2023", "on 3 February"): `named_dates`, and their words as written.
    dates: tuple[tuple[str, str | None], ...] = ()
    date_text: tuple[str, ...] = ()
    # For "how many NOUN": the WordNet classes of the noun counted ("how many viewers" -> person/group senses), so
    # that "four nights" does not answer it (`counted_noun`); () when unknown.
    counted: tuple[str, ...] = ()
    # For a "who" question: the class of the noun it asks about ("which judge" -> "person"), so that a name of an
    # institution or a place ("the Court of Justice", "Dublin") is no answer to it; None when it names none.
    head: str | None = None


_KIND_RULES: list[tuple[re.Pattern, QuestionType]] = [
    (re.compile(r"^\s*(?:when\b|what (?:date|day|time|month|year)\b|(?:by|on|until|since) when\b|how long ago\b)", re.I),
     QuestionType.WHEN),
    # "How long did X get to …", "how much time …", "for how long …" ask for a duration, not a sum or a count
    # ("how long ago" is a date: the rule above).
    (re.compile(r"^\s*(?:(?:for|in) )?how (?:long\b|much (?:more )?time\b)", re.I), QuestionType.HOW_LONG),
    (re.compile(r"^\s*how many\b", re.I), QuestionType.HOW_MANY),
    (re.compile(r"^\s*how much\b|^\s*what (?:\w+ )?(?:amount|sum|price|cost|fine|penalty)\b", re.I),
     QuestionType.HOW_MUCH),
    # "Where does the case stand?" asks how things stand, not for a place.
    (re.compile(r"^\s*where\b(?!.*\bstands?\b)", re.I), QuestionType.WHERE),
    (re.compile(r"^\s*(?:why\b|how come\b|for what reason\b|on what grounds\b|what (?:\w+ )?(?:reason|grounds?|"
                r"prompted|caused|led to|triggered|motivated)\b)", re.I), QuestionType.WHY),
    (re.compile(r"^\s*(?:who|whom|whose)\b|^\s*(?:which|what) (?:\w+ )?(?:people|person|company|companies|firm|"
                r"organi[sz]ations?|regulators?|authorit(?:y|ies)|agenc(?:y|ies)|units?|police|officials?|"
                r"prosecutors?|court|outlets?|countr(?:y|ies)|governments?)\b", re.I),
     QuestionType.WHO),
]


# Present-tense state of affairs: what changed since an earlier article.
_ABOUT_NOW = re.compile(
    r"\b(?:still|now|currently|current|latest|most recent|status|these days|any ?more|so far|yet|at present|"
    r"remains?|where (?:\w+ ){1,8}stands?)\b", re.I)


def about_now(text: str) -> bool:
    return bool(_ABOUT_NOW.search(text))


# The question's own auxiliary puts the event ahead: "when will/shall/must …", or "when is/are (when's, when're) …
# due/expected/scheduled/set/going/planned to …" and "… next/upcoming …". "When did/was/has …" and "when does …"
# do not.
_SCHEDULED = r"(?:due|expected|scheduled|set to|going to|planned|next|upcoming)"
_AHEAD = re.compile(
    r"^\s*(?:(?:when|by when|until when|on what date|what date)\s+(?:will|shall|must|(?:is|are)\b.*\b" + _SCHEDULED
    + r")|when['’](?:s|re)\b.*\b" + _SCHEDULED + r")\b", re.I)


def asks_ahead(text: str) -> bool:
    """Whether a "when" question asks about an event still to come (see `Question.ahead`)."""
    return bool(_AHEAD.search(text))


# Two days far apart, on different month-days and weekdays. Against both, a date written with its year resolves
# the same; a month or day without one ("in July", "on 3 February") keeps its month(-day) and changes year; an
# expression relative to the day ("on Tuesday", "last week", "yesterday") changes otherwise.
_REFERENCE_DAYS = (date(2000, 3, 15), date(2050, 9, 20))


def named_dates(text: str) -> list[tuple[tuple[str, str | None], str]]:
    """The dates a question names, each ((value, until), the expression as written), value and until as the
    temporal tagger writes them (`retrieval.temporal`: YYYY, YYYY-MM or YYYY-MM-DD, `until` a range's last value
    or None). A month or day written without a year is "--MM" or "--MM-DD" (ISO 8601's month and month-day of no
    stated year): "in July" → (("--07", None), "in July"). An expression relative to the day of asking ("on
    Tuesday", "last year") is left out: the reporter's today says nothing of when the corpus's events happened."""
    first, second = (tag_dates(text, day) for day in _REFERENCE_DAYS)
    out = []
    for a, b in zip(first, second):
        if (a.start, a.end) != (b.start, b.end):
            continue
        if (a.value, a.until) == (b.value, b.until):
            out.append(((a.value, a.until), a.text))
        elif len(a.value) >= 7 and a.value[4:] == b.value[4:] and (a.until or "")[4:] == (b.until or "")[4:]:
            out.append((("-" + a.value[4:], "-" + a.until[4:] if a.until else None), a.text))
    return out


def clean_question(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if ch not in _INVISIBLE and (ch.isprintable() or ch.isspace()))
    text = _MENTION.sub(" ", text)
    return " ".join(text.split())


# "Which judge …", "What salary …", "In which month …", "What was the ransom …": the noun the wh-word asks
# about.
_WH_HEAD = re.compile(r"^\s*(?:(?:in|by|on|at|for|to|from|under|with)\s+)?(?:which|what)"
                      r"(?:\s+(?:is|was|are|were)\s+the|['’]s\s+the)?\s+(.*)$", re.I)
_HEAD_WORD = re.compile(r"\b([^\W\d_][\w-]*)(['’]s?\b)?")
_CLASS_KIND = {"person": QuestionType.WHO, "group": QuestionType.WHO, "location": QuestionType.WHERE,
               "possession": QuestionType.HOW_MUCH, "time": QuestionType.WHEN, "motive": QuestionType.WHY,
               "quantity": QuestionType.HOW_MANY}
_HEAD_SPAN = 4


def head_noun_class(text: str) -> str | None:
    """The WordNet class (`noun_types`) of the noun a "which/what NOUN" question asks about: the last noun of the
    words after the wh-word, which end at a function word, a verb form, a possessive, a name or after a plural
    ("Which senior US official attacked …" -> official -> person; "Which teams play …" -> group; "What monthly
    output ceiling …" -> artifact). Capitalised words before the head are names modifying it ("Which EU
    commissioner"), never the head. None when the question has no such noun."""
    match = _WH_HEAD.match(text)
    if not match:
        return None
    head = None
    for word, possessive in _HEAD_WORD.findall(match.group(1))[:_HEAD_SPAN]:
        if word[:1].isupper():
            # A name before the head modifies it ("Which EU commissioner"); after it, a clause has begun
            # ("What is the maximum sentence Ollin faces").
            if possessive or head is not None:
                break
            continue
        cls = noun_class(word)
        if word in STOP_WORDS or cls in (None, "verb") or word.endswith("ed"):
            break
        head = cls
        if possessive or is_plural(word):
            break
    return head


def head_noun_kind(text: str) -> QuestionType:
    """The answer type a "which/what NOUN" question asks for, from its head noun's class (`head_noun_class`):
    person and group -> WHO, location -> WHERE, possession -> HOW_MUCH, time -> WHEN, motive -> WHY, quantity ->
    HOW_MANY; OTHER for any other class or no head noun."""
    return _CLASS_KIND.get(head_noun_class(text), QuestionType.OTHER)


_HOW_MANY = re.compile(r"^\s*how many\s+(.*)$", re.I)


def counted_noun(text: str) -> tuple[str, ...]:
    """The WordNet classes (`noun_classes`) of the noun a "how many" question counts: the first word after "how
    many" that WordNet knows as a noun, past capitalised names and other modifiers ("How many European Facebook
    users …" -> users), within _HEAD_SPAN words; () when there is none."""
    match = _HOW_MANY.match(text)
    if not match:
        return ()
    for word, possessive in _HEAD_WORD.findall(match.group(1))[:_HEAD_SPAN]:
        if word in STOP_WORDS:
            return ()
        classes = noun_classes(word) if not word[:1].isupper() else ()
        if classes and classes != ("verb",):
            return classes
    return ()


def question_kind(text: str) -> QuestionType:
    for pattern, kind in _KIND_RULES:
        if pattern.search(text):
            return kind
    return head_noun_kind(text)


def parse_question(raw: str) -> Question:
    if raw is None:
        raise BadQuestion("Ask a question, e.g. “When must Musk appear?”")
    text = clean_question(str(raw))
    if not any(ch.isalnum() for ch in text):
        raise BadQuestion("The question is empty. Ask something about the case, e.g. “When must Musk appear?”")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(
            f"The question is too long ({len(text):,} characters; the limit is {MAX_QUESTION_CHARS}). "
            "Ask one short question at a time."
        )
    kind = question_kind(text)
    dates = named_dates(text)
    return Question(raw=str(raw), text=text, kind=kind, about_now=about_now(text),
                    ahead=kind is QuestionType.WHEN and asks_ahead(text),
                    dates=tuple(value for value, _ in dates), date_text=tuple(written for _, written in dates),
                    counted=counted_noun(text) if kind is QuestionType.HOW_MANY else (),
                    head=head_noun_class(text) if kind is QuestionType.WHO else None)
