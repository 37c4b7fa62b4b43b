"""What a sentence offers a question of a given type: a date for "when", a name for "who", a number for "how many",
an amount for "how much", a duration for "how long", a stated cause for "why".

The strongest evidence is the answer slot sitting next to the words the question is about ("summoned to
appear in April" for "when must Musk appear?"), as in classic passage-scoring QA. Signals only nudge the
ranking; a sentence without a date can still answer a "when" question best.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate, chain

from retrieval.lexical import STOP_WORDS, tokenize
from retrieval.noun_types import noun_classes
from retrieval.question import QuestionType

_NAME = re.compile(r"(?<=[\s“\"'(])(?!I\b)[A-Z][\w’'-]+(?:\s+(?:of\s+)?[A-Z][\w’'-]+)*")
_ORG = re.compile(r"\b(?:police|prosecutors?|court|commission|ministry|regulators?|agency|unit|office|government|"
                  r"company|authorit(?:y|ies)|judges?|investigators?|officials?)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
                     r"hundreds?|thousands?|millions?|billions?)\b", re.IGNORECASE)
# An amount: a currency, a number with a money or size word, or a percentage.
_AMOUNT = re.compile(r"[€$£¥]\s?\d[\d,.]*(?:\s?(?:bn|m|k|million|billion|trillion)\b)?|\b\d[\d,.]*\s?(?:%|per ?cent\b|"
                     r"(?:bn|m|k|million|billion|trillion|thousand|hundred)?\s?(?:euros?|dollars?|pounds?|francs?|"
                     r"yen|yuan|rupees?|kronor|krona)\b|(?:bn|million|billion|trillion)\b)", re.IGNORECASE)
# Where a number's phrase ends: a clause mark before a space, a bracket or colon, or the end of the sentence.
_CLAUSE_END = re.compile(r"[,.;:()\[\]!?]\s|[;:()\[\]]|[.!?]$")
# What makes a number a sum whatever follows it: a currency or a per cent (the units of _AMOUNT).
_HAS_UNIT = re.compile(r"[€$£¥%]|per ?cent|euro|dollar|pound|franc|yen|yuan|rupee|kron", re.IGNORECASE)
# A duration, what "how long" asks for (TimeML's DURATION, without the dates the temporal tagger reads): a number
# of time units ("60 working days", "a four-year ban", "within a year"; "two years ago" is a date), a span between
# two years ("from 2012 to 2019"), or "most of the day".
_DURATION = re.compile(
    r"\b(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?|(?:a )?few|several|many|some|"
    r"(?:a )?couple of|dozens of|hundreds of)"
    r"(?:[- ](?:and a half|more|further|extra|additional|full|working|business|calendar|consecutive|straight))*[- ]"
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|years?|decades?)\b(?!\s+ago\b)"
    r"|\b(?:from|between) \d{4} (?:to|until|and) \d{4}\b"
    r"|\b(?:most|all|much) of the (?:day|night|week|month|year)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(?:in|at|from|on)\s+(?:the\s+)?([A-Z][\w’'-]+)")
# How news states a cause: "because …", "after it refused …", "over its handling of …", "fined for failing to …",
# "sanctioned Boeing for sharing details": "for" before any gerund, not only the verbs of breach a list would hold
# ("-thing" words are pronouns: "for nothing").
_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result of|on the grounds|after|over|following|amid|citing|"
                    r"for (?:not|its|their|allegedly|(?![a-z]*thing\b)[a-z]{2,}ing)|so that|in order to|"
                    r"led to|prompted|caused|triggered|blamed|reasons?|since)\b", re.IGNORECASE)
_WORD = re.compile(r"\w[\w’'-]*")
# _ORG and _CAUSE are lower-case ASCII words matched whatever their case. In ASCII text that is the same pattern
# matched case-sensitively in the lower-cased text (same length, so the same spans; a letter is a word character
# in either case), which Python's re does ~3x faster than a case-insensitive alternation; other text takes the
# case-insensitive pattern (Unicode case rules: "ſ" matches "s").
_ORG_LOWER = re.compile(_ORG.pattern)
_CAUSE_LOWER = re.compile(_CAUSE.pattern)
_WORD_PIECES = re.compile(f"({_WORD.pattern})")  # split keeps the words between the separators
NEAR_WORDS = 6


def _outside(spans: list[tuple[int, int]], dates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that overlap none of the dates."""
    return [(a, b) for a, b in spans if not any(a < de and b > ds for ds, de in dates)]


def _spans_any_case(pattern: re.Pattern, lower: re.Pattern, text: str) -> list[tuple[int, int]]:
    """The spans of case-insensitive `pattern` in text; `lower` is its case-sensitive form (see _ORG_LOWER)."""
    if text.isascii():
        return [m.span() for m in lower.finditer(text.lower())]
    return [m.span() for m in pattern.finditer(text)]


# People and organisations are counted alike ("how many people" -> "12 suspects", "1,000 staff").
_AGENT = frozenset({"person", "group"})


def _kinds_of(classes) -> frozenset[str]:
    """A noun's usual kinds: its two most frequent classes ("nights" is also a goddess)."""
    kinds = frozenset(classes[:2])
    return kinds | _AGENT if kinds & _AGENT else kinds


def _counts_other_things(sentence: str, end: int, counted: tuple[str, ...], question: frozenset[str]) -> bool:
    """True when the noun after the number ending at `end` is, in its usual senses, another kind of thing than
    the question counts ("four nights" for "how many viewers"). The noun is the next word WordNet knows within
    the number's clause ("3 million, the regulator said" counts nothing), past function words and number words
    ("79 of the jets", "2 million people") and at most one word WordNet does not know ("four consecutive
    nights"). A second unknown word ("555 sub-postmasters joined"), a capitalised word ("79 MAX 9s") or a verb
    form leaves the count standing, as does a noun the question itself uses ("250 jobs" for "how many workers
    will lose their jobs?"). `question`: the question's stemmed words."""
    unknown = 0
    clause = _CLAUSE_END.search(sentence, end)  # "3 million, the regulator said": the phrase ends at the comma
    for word in _WORD.findall(sentence, end, clause.start() if clause else len(sentence))[:NEAR_WORDS]:
        if word[:1].isupper():
            return False
        if word.lower() in STOP_WORDS:
            continue
        classes = noun_classes(word)
        if classes == ("quantity",):
            continue
        if not classes:
            unknown += 1
            if unknown > 1:
                return False
            continue
        if classes == ("verb",) or not _token_set(word).isdisjoint(question):
            return False
        return _kinds_of(classes).isdisjoint(_kinds_of(counted))
    return False


# What a person is not: an institution, a place or a thing ("the Court of Justice", "Ireland", "Alaska Airlines").
_NOT_PERSON = frozenset({"group", "location", "artifact"})


def _names_no_person(name: str) -> bool:
    """True when a capitalised name is headed by a noun whose usual senses (first two WordNet classes) are an
    institution, a place or a thing and not a person. The head is the last word before "of" ("Court of Appeal"
    -> court) or the last word ("European Data Protection Board" -> board), unless WordNet holds the whole name
    ("The Hague", a location). A surname WordNet reads otherwise ("Musk", a substance) or does not know
    ("Vennells") leaves the name a person's."""
    classes = noun_classes(name)[:2] or noun_classes(name.split(" of ")[0].split()[-1])[:2]
    return bool(classes) and "person" not in classes and not _NOT_PERSON.isdisjoint(classes)


def _slots(kind: QuestionType, sentence: str, date_spans: list[tuple[int, int]],
           counted: tuple[str, ...] = (), question: frozenset[str] = frozenset(),
           head: str | None = None) -> list[tuple[int, int]]:
    if kind is QuestionType.WHEN:
        return list(date_spans)
    # Capitalised like a name or a place, or written in digits like a count, a date answers neither "who", "where"
    # nor "how many": the temporal tagger's spans ("on Monday", "in April 2024") are taken out.
    if kind is QuestionType.WHO:
        names = _outside([m.span() for m in _NAME.finditer(sentence)], date_spans)
        roles = _spans_any_case(_ORG, _ORG_LOWER, sentence)
        if head == "person":  # "which judge": a person's name or a person's role, not "the court"
            names = [(a, b) for a, b in names if not _names_no_person(sentence[a:b])]
            roles = [(a, b) for a, b in roles if "person" in noun_classes(sentence[a:b])[:2]]
        return names + roles
    if kind is QuestionType.HOW_MANY:
        numbers = _outside([m.span() for m in _NUMBER.finditer(sentence)], date_spans)
        return [(a, b) for a, b in numbers if not _counts_other_things(sentence, b, counted, question)] \
            if counted else numbers
    if kind is QuestionType.HOW_MUCH:
        # "2 million patients" is a count, not a sum: a bare large number (no currency, no per cent) of a noun whose
        # usual senses hold no possession is no amount.
        return [m.span() for m in _AMOUNT.finditer(sentence)
                if _HAS_UNIT.search(m.group()) or not _counts_other_things(sentence, m.end(), ("possession",),
                                                                         question)]
    if kind is QuestionType.HOW_LONG:
        return [m.span() for m in _DURATION.finditer(sentence)]
    if kind is QuestionType.WHERE:
        return _outside([m.span(1) for m in _PLACE.finditer(sentence)], date_spans)
    if kind is QuestionType.WHY:
        return _spans_any_case(_CAUSE, _CAUSE_LOWER, sentence)
    return []


@lru_cache(maxsize=16384)
def _token_set(text: str) -> frozenset[str]:
    # Each question reads ~80 candidate sentences, word by word, and news vocabulary repeats across candidates
    # and questions: stem each distinct word once rather than every time it is seen.
    return frozenset(tokenize(text))


def type_match(kind: QuestionType, sentence: str, question_tokens: list[str],
               date_spans: list[tuple[int, int]] = (), counted: tuple[str, ...] = (),
               head: str | None = None) -> float:
    """0 no answer slot; 0.5 a slot of the right type; 1.0 such a slot next to a word of the question.

    Dates are the ones the temporal tagger found at reindex (`date_spans`), so "when" sees exactly the dates
    the timeline sees, and "who" and "how many" do not take a date for a name or a count. `counted`: for "how
    many", the WordNet classes of the noun counted (`Question.counted`); a number of other things is no slot.
    For "how much", a bare large number of something other than a possession ("2 million patients") is no
    amount. `head`: for "who", the class of the noun asked about (`Question.head`); for "person", a name of an
    institution, place or thing is no slot. For "how long", a duration ("90 days", "from 2012 to 2019")."""
    qset = frozenset(question_tokens)
    slots = _slots(kind, sentence, date_spans, counted, qset, head)
    if not slots:
        return 0.0
    # A slot that only repeats the question ("Musk" for "who summoned Musk?") answers nothing.
    kept = []
    for a, b in slots:
        tokens = _token_set(sentence[a:b])
        if not tokens or not tokens <= qset:
            kept.append((a, b))
    if not kept:
        return 0.0
    # Words are in order and do not overlap, so a slot's words are one run found by bisection, and only the
    # NEAR_WORDS words either side of it are stemmed and compared with the question (~80 candidates a question).
    # The words and their bounds come from one split (separator, word, separator, …, separator) and the running
    # sum of the pieces' lengths: cheaper than a match object a word.
    pieces = _WORD_PIECES.split(sentence)
    bounds = list(accumulate(map(len, pieces)))
    words, starts, ends = pieces[1::2], bounds[0:-1:2], bounds[1::2]
    matched: dict[int, bool] = {}
    for start, end in kept:
        lo = bisect_right(ends, start)  # the first word ending after the slot starts
        hi = bisect_left(starts, end) - 1  # the last word starting before it ends
        if lo > hi:
            continue
        for i in chain(range(max(lo - NEAR_WORDS, 0), lo), range(hi + 1, min(hi + NEAR_WORDS + 1, len(words)))):
            if i not in matched:
                matched[i] = not _token_set(words[i]).isdisjoint(qset)
            if matched[i]:
                return 1.0
    return 0.5
