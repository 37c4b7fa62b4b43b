"""Temporal tagger: find date expressions in a news sentence and resolve them.

Pure, rule-based (stdlib ``re`` only): news prose uses a small, regular set of
date expressions, and explicit rules are faster and far more predictable than a
general-purpose parser.  The guiding principle is *precision over recall*: a
vague or ambiguous expression ("the past year", "Theresa May", "2,000 people")
yields nothing rather than a wrong date, because a wrong date in a case timeline
is worse than a missing one.

Public API: :class:`DateMention` and :func:`tag_dates`.

Resolution conventions (see ``tag_dates``):

* ``value`` keeps the granularity actually written: ``YYYY``, ``YYYY-MM`` or
  ``YYYY-MM-DD``.
* ``text`` is the exact span in the sentence.  A directly preceding locative
  ``in``/``on`` (and ``at`` before "the end of ...") is part of it ("in April",
  "on Tuesday", "at the end of March"); other prepositions change the meaning of
  the date ("since", "from", "until", "by") and are left out ("from July" ->
  "July").
* Expressions without a year (bare months, day+month, weekdays, "yesterday")
  are resolved against the publication date; the direction (past or coming
  occurrence) is decided by the tense markers nearest to the expression.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

__all__ = ["DateMention", "tag_dates"]


@dataclass(frozen=True)
class DateMention:
    value: str  # "YYYY" | "YYYY-MM" | "YYYY-MM-DD" — granularity kept
    mod: str | None  # "early", "mid", "late", "start", "end" or None
    text: str  # the expression exactly as written in the sentence
    start: int  # char offsets of `text` in the sentence
    end: int
    until: str | None = None  # a range's last value ("May 11-15, 2026" -> "2026-05-15"); None for one date


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_MIN_YEAR, _MAX_YEAR = 1900, 2100

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
# Full names before abbreviations so the alternation takes the longest; the
# month must be capitalised (lower-case "may"/"march" are a verb or a noun) and
# must not run on into a longer word ("Janet", "Augusta", "Marches").
_MON = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"(?![a-z])"
)
_ABBREV_DOT = r"(?:\.(?=\s))?"  # "Jan. 5" — only a dot followed by a space
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD_ALT = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"


def _year_re(name: str = "year", after_hyphen: bool = False) -> str:
    """A year is a free-standing 4-digit number in 1800..2100 (checked against
    1900..2100 later): not part of "2,025", "£2025", "10:2025", "2020s" or
    "2019-20".  ``after_hyphen`` allows "mid-2024"; elsewhere a hyphen before
    the number is noise like a code or a range written "1999-2005"."""
    behind = r"(?<![\d£$€¥.,:/])" if after_hyphen else r"(?<![\d£$€¥.,:/-])"
    return rf"{behind}(?P<{name}>1[89]\d\d|20\d\d|2100)(?![\d%]|[.,]\d|[a-zA-Z]|-\d)"


_YEAR = _year_re()

_MOD_WORDS = {
    "early": "early", "mid": "mid", "middle": "mid", "late": "late",
    "start": "start", "beginning": "start", "end": "end",
}
_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# Words after which a bare 4-digit number is a year ("in 2025", "since 2019").
# "to"/"and" are deliberately absent ("rose to 2000"): they only count inside an
# explicit range ("from 2019 to 2021"), handled by its own rule.
_YEAR_CONTEXT = {
    "in", "since", "from", "until", "till", "by", "during", "before", "after",
    "through", "throughout", "between", "circa", "fiscal",
    "spring", "summer", "autumn", "fall", "winter",
}
_SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
# "the 2024 election": after "the", a number is a year only before an event noun
# ("the 2000 people arrested" is a count).
_EVENT_NOUNS = {
    "election", "elections", "campaign", "race", "vote", "referendum", "poll",
    "general", "presidential", "midterm", "midterms", "primary", "primaries",
    "olympics", "olympic", "games", "world", "cup", "championship", "tournament",
    "season", "budget", "census", "summit", "conference", "report", "review",
    "inquiry", "investigation", "law", "act", "bill", "ruling", "judgment",
    "verdict", "trial", "case", "attack", "attacks", "riots", "crisis", "war",
    "invasion", "pandemic", "crash", "merger", "deal", "acquisition", "takeover",
    "agreement", "accord", "treaty", "ban", "lawsuit", "complaint", "fine",
    "edition", "accounts", "results", "figures", "annual", "financial",
}
# Month names that are also common words or names need a time preposition in
# front to count when they stand alone ("in May" yes, "Theresa May" no).
_AMBIGUOUS_MONTHS = {"may", "march"}
_FULL_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
}
_MONTH_CONTEXT_STRONG = {
    "in", "since", "from", "until", "till", "during", "through", "throughout",
    "early", "mid", "late", "of",
}
_MONTH_CONTEXT_WEAK = _MONTH_CONTEXT_STRONG | {"by", "before", "after", "between", "to", "and"}


# --------------------------------------------------------------------------
# Tense markers
# --------------------------------------------------------------------------

# Markers that an event lies ahead of the publication date.  Present-tense
# scheduling verbs are included because reporters write "The trial opens in
# March" about the future; so are their reported-speech forms ("the office said
# the interviews were scheduled for April 20"), and a summons' purpose
# ("summoned for questioning in April", "called to interviews on 20 April"), and an order's act ("was ordered
# to report to prison on May 1", "ordered the company to pay by June 30": the act comes after the order).
# Forecasts and possibility look ahead too ("should peak on Wednesday", "may begin in December", "expects to
# release in December"), but not "could": it is as often a past ability ("could not be reached on Monday"); a
# lower-case "may" only, so the month never counts.
# "due to appear": a schedule; "due to the weather", "due to bad weather": a cause.  After "due to" only a verb
# of a scheduled act makes it the future.
_CAUSE = (r"(?!(?:be|appear|testify|face|stand|start|begin|open|meet|hold|give|make|take|launch|attend|return|"
          r"publish|announce|report|decide|rule|deliver|release|vote|close|end|expire|present|file|submit|pay|"
          r"receive|sign|visit|speak|hear|issue|complete|arrive|leave|go|come|enter|resume|respond|reply)\b)")
_FUTURE_RE = re.compile(
    r"""
    \b(?:will|shall|would|won['’]t|going\ to|gonna)\b
  | ['’]ll\b
  | \b(?:is|are|was|were|['’]s|['’]re|be|being)\s+(?:due(?!\s+to\s+{_CAUSE})|set|scheduled|expected|slated|poised|
                                                  likely|going|about|forecast|forecasted|projected)\b
  | \b(?:is|are|was|were)\s+to\s+(?!be\s+(?:blamed|found)\b)\w+
  | \b(?:to|for)\s+(?:(?:a|an|the|voluntary|formal|further|fresh|new)\s+){0,2}(?:interviews?|questioning|hearings?|trial|sentencing)\b
  | \b(?:plans?|planning|planned|intends?|intending|aims?|hopes?|vows?|promises?|pledges?|threatens?|
       expects?|expecting)\s+to\b
  | (?-i:\b(?:should|may|might)\b)(?!\s+(?:[a-z]+\s+)?have\b)
  | \bsummon(?:s|ed)?\s+to\b
  | \b(?:ordered|instructed|directed|required|obliged)\s+(?:[\w’'-]+\s+){0,4}?to\s+(?!have\b)\w+
  | (?<!failed\ )(?<!refused\ )(?<!declined\ )\bto\s+(?:appear|testify|stand\s+trial|face\s+trial|be\s+sentenced|be\s+tried|be\s+heard|attend|answer|respond|reply|comply|submit)\b
  | (?<!missed\ the\ )(?<!passed\ the\ )\bdeadlines?\b
  | \bdue\b(?!\s+to\s+{_CAUSE})
  | \b(?:scheduled|slated|ahead\s+of|set\s+for)\b
  | \b(?:puts|falls|lands)\b
  | \b(?:next|upcoming|forthcoming|the\ coming)\b
  | \b(?:opens|begins|starts|resumes|ends|expires|closes|launches|kicks\s+off|runs\s+until)\b
  | \b(?:takes|take)\s+(?:effect|place)\b
  | \b(?:comes?|goes|go)\s+into\s+(?:force|effect)\b
  | \b(?:has|have|had)\s+until\b
  | \bmust\b(?!\s+have\b)
  | \b(?:has|have|needs?)\s+to\b
  | \b(?:is|are)\s+(?:in|on|at|for)\b(?=\s+(?:the\s+)?(?:early|mid|late|end|start|beginning|\d|[A-Z]))
  | \b(?:postponed|delayed|adjourned|deferred|pushed\s+back|put\s+back)\s+(?:until|till|to)\b
    """.replace("{_CAUSE}", _CAUSE),
    re.IGNORECASE | re.VERBOSE,
)
# Markers of the past: irregular past forms, a few adverbs, and regular "-ed"
# verbs (lower-case only, so proper nouns like "United" do not count).  Irregular forms that are also a present
# or a noun ("hit", "put", "set", "cut", "read", "shot") are left out.
_PAST_RE = re.compile(
    r"""
    \b(?:was|were|had|did|said|told|went|came|took|made|gave|began|met|found|
       left|saw|knew|thought|brought|got|sent|spoke|wrote|won|lost|paid|held|
       kept|became|fell|rose|ago|previously|already|formerly|
       bought|sold|flew|ran|drove|threw|grew|broke|chose|wore|built|spent|sought|caught|taught|fought|struck|
       stood|sat|led|heard|meant|felt|drew|fled|shook|withdrew|stole|sank|slept|swore|understood|oversaw|
       underwent|forgave|forgot|froze|rang|sang|swam|hid|overtook|undertook|arose)\b
  | \b[a-z]{2,}ed\b
    """,
    re.VERBOSE,
)
# "-ed" words that are usually adjectives or not verbs at all, or that signal
# the future ("expected", "scheduled"): they must not count as past.
_NOT_PAST = {
    "alleged", "suspected", "accused", "based", "related", "called", "named",
    "used", "proposed", "expected", "scheduled", "planned", "supposed",
    "detailed", "limited", "united", "advanced", "hundred", "indeed", "proceed",
    "exceed", "succeed", "need", "speed", "feed", "seed", "breed", "embed",
    "unprecedented", "unexpected", "motivated", "concerned", "interested",
    "required", "involved", "listed", "owned", "registered", "unnamed",
    "undisclosed", "unidentified", "unverified", "unfounded", "armed", "red",
    "bed", "shed", "wed",
}

# Clause boundaries between a tense marker and a date weaken the link.
_BOUNDARY_RE = re.compile(
    r"[,;:()\u2014\u2013]|\b(?:that|which|who|but|and|while|when|because|although|whereas)\b",
    re.IGNORECASE,
)
_BOUNDARY_PENALTY = 25
_RELATIVE_BOUNDARIES = {"that", "which", "who"}
_TENSE_WINDOW = 120  # characters; also keeps very long inputs linear

_PASSIVE_BEFORE_RE = re.compile(r"\b(?:be|being|is|are|am|to)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)


class _Context:
    """Per-sentence state shared by the rules; tense markers computed lazily."""

    def __init__(self, sentence: str, published: date | None):
        self.s = sentence
        self.pub = published

    @cached_property
    def _markers(self) -> list[tuple[int, int, bool]]:
        future = [(m.start(), m.end(), True) for m in _FUTURE_RE.finditer(self.s)]
        past = []
        for m in _PAST_RE.finditer(self.s):
            if m.group().lower() in _NOT_PAST:
                continue
            # A participle after "be"/"is"/"to" is a passive, not a past tense:
            # "will be sentenced", "will be held", "will be made public", "is handed down".
            if _PASSIVE_BEFORE_RE.search(self.s, max(0, m.start() - 30), m.start()):
                continue
            # "postponed until", "summoned to": the future reading wins.
            if any(fs < m.end() and m.start() < fe for fs, fe, _ in future):
                continue
            past.append((m.start(), m.end(), False))
        return sorted(future + past)

    @cached_property
    def _marker_starts(self) -> list[int]:
        return [ms for ms, _, _ in self._markers]

    def is_future(self, start: int, end: int) -> bool | None:
        """Tense of the clause around [start, end): the nearest marker decides.

        Verbs usually precede the time adverbial they govern ("said on
        Tuesday", "will meet on Thursday"), so markers after the expression get
        a small distance penalty, and a marker beyond a clause boundary counts
        for less ("said on Monday that it would appeal" is past).  Markers
        further than a window away are ignored.  No marker at all gives None,
        which the callers read as past (news reports what happened) but for a
        year-less month just ahead (see ``_year_for_month``).
        """
        best: tuple[int, bool] | None = None
        fallback: tuple[int, bool] | None = None
        # Only markers near the expression matter; bisect keeps long inputs fast.
        lo = bisect_left(self._marker_starts, start - _TENSE_WINDOW - 60)
        hi = bisect_right(self._marker_starts, end + _TENSE_WINDOW)
        for ms, me, fut in self._markers[lo:hi]:
            if me <= start:
                dist, gap = start - me, (me, start)
            elif ms >= end:
                dist, gap = ms - end + 3, (end, ms)
            else:  # inside the expression itself ("next Thursday")
                continue
            if dist > _TENSE_WINDOW:
                continue
            bounds = [b.lower() for b in _BOUNDARY_RE.findall(self.s, *gap)]
            dist += _BOUNDARY_PENALTY * len(bounds)
            if ms >= end and bounds:
                # A clause that begins after the date is not the date's clause.  A "that"/"which"/"who" clause
                # belongs to the word before the date ("approved an amendment on Tuesday that will raise pay"), so
                # its tense never counts; one after a comma, typically a speech tag ("..., he said"), decides only
                # a date with no tense marker of its own before it ("In March, the board said ...").
                if not _RELATIVE_BOUNDARIES.isdisjoint(bounds):
                    continue
                if fallback is None or dist < fallback[0]:
                    fallback = (dist, fut)
                continue
            if best is None or dist < best[0]:
                best = (dist, fut)
        best = best or fallback
        return None if best is None else best[1]

    def prev_words(self, pos: int, n: int = 1) -> list[str]:
        """The n lower-cased words before ``pos`` (closest last)."""
        return [w.lower() for w in re.findall(r"[\w’']+", self.s[max(0, pos - 60):pos])[-n:]]

    def after_name(self, pos: int) -> bool:
        """Is ``pos`` directly preceded by a capitalised word that is not the
        first word of the sentence and not a time preposition?  ("Theresa May",
        "Black Friday" — but not "On Tuesday" or "In May".)"""
        before = self.s[max(0, pos - 60):pos]
        m = re.search(r"([A-Z][\w’'-]*)\s+$", before)
        if not m or m.group(1).lower() in _MONTH_CONTEXT_WEAK | {"on", "last", "next", "this"}:
            return False
        head = self.s[:pos - len(before) + m.start(1)].rstrip()
        return bool(head) and head[-1] not in ".!?\"“‘'(:—–"

    def prev_word(self, pos: int) -> str:
        words = self.prev_words(pos)
        # Only a word directly before (modulo spaces) counts as context.
        if not words or self.s[max(0, pos - 60):pos].rstrip()[-1:] in ",.;:!?()\"“”—–":
            return ""
        return words[-1]


# --------------------------------------------------------------------------
# Resolution helpers
# --------------------------------------------------------------------------

def _valid_year(y: int) -> bool:
    return _MIN_YEAR <= y <= _MAX_YEAR


def _fmt_day(y: int, m: int, d: int) -> str | None:
    if not _valid_year(y):
        return None
    try:
        date(y, m, d)  # rejects 30 February, 29 February in non-leap years
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _fmt_month(y: int, m: int) -> str | None:
    return f"{y:04d}-{m:02d}" if _valid_year(y) and 1 <= m <= 12 else None


def _fmt_year(y: int) -> str | None:
    return f"{y:04d}" if _valid_year(y) else None


def _year_for_month(month: int, pub: date, future: bool | None) -> int:
    """Year of a year-less month: the publication month itself, else the
    nearest occurrence in the direction given by the tense.

    Without any tense marker (``future`` None) the past is taken, but for a
    month one or two months ahead: its past occurrence would be ten or eleven
    months back, and that far back a reporter writes the year or "last" ("last
    March", "March 2025"), so "her last day is April 1" in February, "the
    dividend is payable on Dec 18" in October are the coming ones."""
    if month == pub.month:
        return pub.year
    if future is None:
        future = (month - pub.month) % 12 in (1, 2)
    if future:
        return pub.year if month > pub.month else pub.year + 1
    return pub.year if month < pub.month else pub.year - 1


def _shift_month(pub: date, delta: int) -> str | None:
    idx = pub.year * 12 + pub.month - 1 + delta
    return _fmt_month(idx // 12, idx % 12 + 1)


def _day_value(d: date) -> str | None:
    return _fmt_day(d.year, d.month, d.day)


def _month_of(d: date) -> str | None:
    return _fmt_month(d.year, d.month)


def _month_num(token: str) -> int:
    return _MONTHS[token.lower().rstrip(".")]


def _direction(ctx: _Context, m: re.Match, forced: str | None = None, *, day: bool = False) -> bool | None:
    """True for the coming occurrence.  "since July"/"earlier in July" are
    always past; a day "for" which something is called or set ("a meeting for
    Tuesday", "summoned for 20 April") is to come; otherwise the tense of the
    clause decides (None where no marker does)."""
    if forced is not None:
        return forced == "future"
    prev = ctx.prev_word(m.start())
    if prev == "since":
        return False
    if day and prev == "for":
        return True
    return ctx.is_future(m.start(), m.end())


# A candidate mention: (start, end, value, mod).  ``value`` is None for an
# expression that was recognised but is not a real date ("30 February 2026",
# "29 February" in 2026): it still takes part in overlap selection so that its
# parts ("February 2026", "February") cannot sneak through, then is dropped.
_Cand = tuple  # (start, end, value, mod) or, for a range, (start, end, value, mod, until)


# --------------------------------------------------------------------------
# Rules.  Each is a compiled pattern plus a handler returning candidates.
# --------------------------------------------------------------------------

# Optional weekday before a full date ("Tuesday 3 February", "Tuesday, Feb. 3")
# so the pair is one mention, not two; "the" only before an ordinal ("the 5th").
_WD_PREFIX = rf"(?:(?:{_WD_ALT}),?\s+)?(?:the\s+(?=\d{{1,2}}(?:st|nd|rd|th)))?"

_ISO_RE = re.compile(r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d/-]|\.\d)")
# A colon after a date is a clock only before a digit ("May 5 10:30"); before a space it closes the heading of a
# timeline or log entry ("March 3, 2020: WHO declares a pandemic", "October 20: ACCIDENT"), and the date keeps its
# day and year.
_END = r"(?!\w|:\d)"
_DMY_RE = re.compile(
    rf"(?<![\w£$€.,:/-]){_WD_PREFIX}{_DAY}(?:\s+of)?\s+{_MON}{_ABBREV_DOT}(?:,?\s+{_YEAR})?{_END}"
)
_MDY_RE = re.compile(
    rf"{_WD_PREFIX}\b{_MON}{_ABBREV_DOT}\s+{_DAY}(?![\d:.,]\d|[\d%]|[a-z])(?:,?\s+{_YEAR})?{_END}"
)
_MY_RE = re.compile(rf"\b{_MON}{_ABBREV_DOT},?\s+(?:of\s+)?{_YEAR}")
_REL_MONTH_RE = re.compile(rf"\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his)\s+{_MON}(?!-\w)")
_EARLIER_IN_RE = re.compile(rf"\b(?P<rel>[Ee]arlier|[Ll]ater)\s+in\s+{_MON}(?:,?\s+{_YEAR})?(?!-\w)")
_BARE_MONTH_RE = re.compile(rf"\b{_MON}(?!-\w)")

# Targets a modifier can apply to: month (+year), year, or a relative period.
_MOD_TARGET = (
    rf"(?:{_MON}{_ABBREV_DOT}(?:,?\s+{_YEAR})?|{_year_re('yonly', after_hyphen=True)}|"
    r"(?P<reltarget>(?:last|this|next)\s+(?:year|month)|the\s+(?:year|month)))"
)
_MOD_RE = re.compile(
    rf"\b(?:(?P<mod>[Ee]arly|[Mm]id|[Ll]ate)(?:-|\s+)(?:in\s+)?|(?P<mod2>[Ee]nd)-){_MOD_TARGET}"
)
_MOD_OF_RE = re.compile(
    rf"\b(?:[Tt]he\s+)?(?P<mod>end|start|beginning|middle)\s+of\s+{_MOD_TARGET}"
)

_YEAR_RE = re.compile(rf"\b{_YEAR}(?P<poss>['’]s\b)?")
_YEAR_RANGE_RE = re.compile(
    rf"\b(?:[Ff]rom|[Bb]etween)\s+{_YEAR}\s*(?:to|and|until|till|-|–|—)\s*"
    r"(?P<year2>1[89]\d\d|20\d\d|2100)(?![\d%a-zA-Z]|[.,]\d)"
)

_RELWORD_RE = re.compile(r"\b(?P<w>[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)(?![\w-])")
_PARTDAY_RE = re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his)\s+(?P<part>night|morning|afternoon|evening)\b")
_REL_PERIOD_RE = re.compile(
    r"\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|(?:[Ee]arlier|[Ll]ater)\s+this)\s+(?P<unit>week|month|year)(?![\w-])"
)
_AGO_RE = re.compile(
    r"\b(?P<n>\d{1,2}|[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|"
    r"[Nn]ine|[Tt]en|[Ee]leven|[Tt]welve)\s+(?P<unit>day|week|month|year)s?\s+ago\b"
)
_WEEKDAY_RE = re.compile(
    rf"(?:\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his)\s+)?\b(?P<wd>{_WD_ALT})"
    r"(?:\s+(?P<part>morning|afternoon|evening|night))?(?![\w-])"
)


def _rule_iso(ctx: _Context, m: re.Match) -> list[_Cand]:
    v = _fmt_day(int(m["y"]), int(m["m"]), int(m["d"]))
    return [(m.start(), m.end(), v, None)]


def _day_month(ctx: _Context, m: re.Match) -> list[_Cand]:
    month, day = _month_num(m["mon"]), int(m["day"])
    if m["year"]:
        v = _fmt_day(int(m["year"]), month, day)
    elif ctx.pub is None:
        return []
    else:
        # A day+month without year is placed like a bare month (same month as
        # the publication => that year).  An impossible date (29 February in a
        # non-leap year) yields nothing rather than a guess at another year.
        y = _year_for_month(month, ctx.pub, _direction(ctx, m, day=True))
        v = _fmt_day(y, month, day)
    return [(m.start(), m.end(), v, None)]


def _rule_mdy(ctx: _Context, m: re.Match) -> list[_Cand]:
    # "Theresa May 12 ..." is not a date: an ambiguous month right after a
    # capitalised name-like word is skipped.
    if m["mon"].lower() in _AMBIGUOUS_MONTHS and ctx.after_name(m.start("mon")):
        return []
    return _day_month(ctx, m)


def _rule_my(ctx: _Context, m: re.Match) -> list[_Cand]:
    v = _fmt_month(int(m["year"]), _month_num(m["mon"]))
    return [(m.start(), m.end(), v, None)]


def _rule_rel_month(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    month, pub, rel = _month_num(m["mon"]), ctx.pub, m["rel"].lower()
    if rel == "last":  # the most recent such month strictly before publication
        y = pub.year if month < pub.month else pub.year - 1
    elif rel == "next":  # the first such month strictly after publication
        y = pub.year if month > pub.month else pub.year + 1
    else:  # "this July": the publication year's July
        y = pub.year
    v = _fmt_month(y, month)
    return [(m.start(), m.end(), v, None)]


def _rule_earlier_in(ctx: _Context, m: re.Match) -> list[_Cand]:
    # "earlier in January" locates the month relative to now, not within the
    # month, so no modifier; "earlier" also fixes the direction (past).
    month = _month_num(m["mon"])
    if m["year"]:
        v = _fmt_month(int(m["year"]), month)
    elif ctx.pub is None:
        return []
    else:
        forced = "past" if m["rel"].lower() == "earlier" else None
        v = _fmt_month(_year_for_month(month, ctx.pub, _direction(ctx, m, forced)), month)
    return [(m.start(), m.end(), v, None)]


def _rule_bare_month(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    token = m["mon"]
    prev = ctx.prev_word(m.start())
    low = token.lower()
    if low in _FULL_MONTHS and low not in _AMBIGUOUS_MONTHS:
        if prev not in _MONTH_CONTEXT_WEAK and re.match(r"\s+[A-Z][a-z]", ctx.s[m.end():]):
            return []  # "June Sarpong said": a first name, not a month
    else:
        # "May", "March" and abbreviations alone need a time preposition before
        # them, or must close a range ("from March to May").  "by"/"before"/
        # "after" are too common before the name May ("a speech by May").
        allowed = _MONTH_CONTEXT_STRONG if low == "may" else _MONTH_CONTEXT_STRONG | {"by", "before", "after"}
        if prev not in allowed and not _in_month_range(ctx, m.start()):
            return []
    month = _month_num(token)
    v = _fmt_month(_year_for_month(month, ctx.pub, _direction(ctx, m)), month)
    return [(m.start(), m.end(), v, None)]


_RANGE_TAIL_RE = re.compile(
    rf"\b(?:from|between|From|Between)\s+{_MON}\s*(?:to|and|until|till|-|–)\s*$"
)


def _in_month_range(ctx: _Context, pos: int) -> bool:
    return bool(_RANGE_TAIL_RE.search(ctx.s[max(0, pos - 40):pos]))


def _mod_target(ctx: _Context, m: re.Match, match_for_tense: re.Match) -> str | None:
    """Resolve the target of a modifier pattern to a month or year value."""
    pub = ctx.pub
    if m["mon"]:
        month = _month_num(m["mon"])
        if m["year"]:
            return _fmt_month(int(m["year"]), month)
        if pub is None:
            return None
        return _fmt_month(_year_for_month(month, pub, _direction(ctx, match_for_tense)), month)
    if m["yonly"]:
        return _fmt_year(int(m["yonly"]))
    if pub is None:
        return None
    rel = " ".join(m["reltarget"].lower().split())
    return {
        "last year": _fmt_year(pub.year - 1),
        "this year": _fmt_year(pub.year),
        "the year": _fmt_year(pub.year),
        "next year": _fmt_year(pub.year + 1),
        "last month": _shift_month(pub, -1),
        "this month": _shift_month(pub, 0),
        "the month": _shift_month(pub, 0),
        "next month": _shift_month(pub, 1),
    }[rel]


def _rule_mod(ctx: _Context, m: re.Match) -> list[_Cand]:
    mod = _MOD_WORDS[(m["mod"] or m["mod2"]).lower()]
    v = _mod_target(ctx, m, m)
    return [(m.start(), m.end(), v, mod)]


def _rule_mod_of(ctx: _Context, m: re.Match) -> list[_Cand]:
    v = _mod_target(ctx, m, m)
    return [(m.start(), m.end(), v, _MOD_WORDS[m["mod"]])]


def _rule_year(ctx: _Context, m: re.Match) -> list[_Cand]:
    # A 4-digit number is a year only in a date context.
    start = m.start("year")
    prev2 = ctx.prev_words(start, 2) if ctx.prev_word(start) else []
    prev = prev2[-1] if prev2 else ""
    ok = (
        m["poss"] is not None  # "2025's"
        or prev in _YEAR_CONTEXT  # "in 2025", "since 2019", "spring 2024"
        or (prev == "of" and len(prev2) == 2 and prev2[0] in _SEASONS)  # "summer of 2023"
        or (prev == "the" and _next_word(ctx.s, m.end("year")) in _EVENT_NOUNS)  # "the 2024 election"
    )
    if not ok:
        return []
    v = _fmt_year(int(m["year"]))
    return [(start, m.end("year"), v, None)]


def _next_word(s: str, pos: int) -> str:
    nxt = re.match(r"\s+([A-Za-z]+)", s[pos:pos + 40])
    return nxt.group(1).lower() if nxt else ""


def _rule_year_range(ctx: _Context, m: re.Match) -> list[_Cand]:
    out = []
    for g in ("year", "year2"):
        out.append((m.start(g), m.end(g), _fmt_year(int(m[g])), None))
    return out


def _rule_relword(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    w = m["w"]
    # Capitalised mid-sentence "Today" is usually a title ("the Today
    # programme"), not the date.
    if w[0].isupper() and ctx.s[:m.start()].strip() and ctx.s[:m.start()].rstrip()[-1] not in ".!?\"“‘'(":
        return []
    offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[w.lower()]
    v = _day_value(ctx.pub + timedelta(days=offset))
    return [(m.start(), m.end(), v, None)]


def _rule_partday(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    if m["rel"].lower() == "last":
        if m["part"] != "night":
            return []  # "last morning"/"last evening": rare and ambiguous
        offset = -1  # "last night" in a news story: the evening before publication
    else:
        offset = 0  # "this morning"
    v = _day_value(ctx.pub + timedelta(days=offset))
    return [(m.start(), m.end(), v, None)]


def _rule_rel_period(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    # "the last year", "over the next month" are durations, not calendar periods.
    if ctx.prev_word(m.start()) in ("the", "a", "past", "over", "for"):
        return []
    rel = m["rel"].lower().split()[-1]  # "earlier this" -> "this"
    unit, pub = m["unit"], ctx.pub
    if unit == "week":
        if rel == "this":
            return []  # the week may straddle two months: too vague
        # Spec: "last week"/"next week" -> the month of publication -/+ 7 days.
        v = _month_of(pub + timedelta(days=-7 if rel == "last" else 7))
    elif unit == "month":
        v = _shift_month(pub, {"last": -1, "this": 0, "next": 1}[rel])
    else:
        v = _fmt_year(pub.year + {"last": -1, "this": 0, "next": 1}[rel])
    return [(m.start(), m.end(), v, None)]


def _rule_ago(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    n_raw = m["n"].lower()
    n = int(n_raw) if n_raw.isdigit() else _NUM_WORDS[n_raw]
    unit, pub = m["unit"], ctx.pub
    if unit == "day":
        v = _day_value(pub - timedelta(days=n))
    elif unit == "week":
        v = _month_of(pub - timedelta(days=7 * n))
    elif unit == "month":
        v = _shift_month(pub, -n)
    else:
        v = _fmt_year(pub.year - n)
    return [(m.start(), m.end(), v, None)]


# "Black Friday", "Super Tuesday", "Good Friday": named days, not dates.
_NAMED_DAY_PREFIXES = {
    "black", "cyber", "super", "good", "ash", "maundy", "easter", "bloody",
    "palm", "shrove", "holy", "whit", "blue", "giving",
}


# A weekday after these is not one day: a habit ("every Wednesday", "every other Sunday"), any one ("a Friday
# night"; "on Dec. 18, a Wednesday" only names the weekday of a written date) or a rank ("the first Saturday in May").
_GENERIC_DAY_BEFORE = {"a", "an", "every", "each", "other", "first", "second", "third", "fourth", "fifth"}
# "Friday nights" (a habit) and "Saturday Night Live", "Monday Night Football" (a title: prose writes "Monday night").
_ATTRIBUTIVE_DAY_RE = re.compile(r"\s+(?!(?:in|of|and|or|at|when|as)\b)[A-Za-z]")
_GENERIC_DAY_AFTER_RE = re.compile(r"\s+(?:(?:night|morning|afternoon|evening)s|Night|Morning|Afternoon|Evening)\b")


def _named_day(ctx: _Context, m: re.Match) -> bool:
    prev = ctx.prev_word(m.start())
    if prev in _NAMED_DAY_PREFIXES or ctx.after_name(m.start()):
        return True
    if prev in ("a", "an"):
        # "a Monday headline", "in a Saturday Facebook post": the article belongs to the noun, the day is one day.
        return not _ATTRIBUTIVE_DAY_RE.match(ctx.s, m.end())
    if prev in _GENERIC_DAY_BEFORE or _GENERIC_DAY_AFTER_RE.match(ctx.s, m.end()):
        return True
    # "the Sunday Times", "the Monday Club": a title, not a date.
    return prev == "the" and bool(re.match(r"\s+[A-Z]", ctx.s[m.end():]))


def _rule_weekday(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    rel = (m["rel"] or "").lower()
    if not rel and _named_day(ctx, m):
        return []
    wd, pub = _WEEKDAYS.index(m["wd"].lower()), ctx.pub
    back = (pub.weekday() - wd) % 7
    fwd = (wd - pub.weekday()) % 7
    if rel == "last":
        d = pub - timedelta(days=back or 7)
    elif rel == "next":
        d = pub + timedelta(days=fwd or 7)
    elif _direction(ctx, m, day=True):
        d = pub + timedelta(days=fwd)  # "will meet on Thursday": this coming one
    else:
        d = pub - timedelta(days=back)  # news default: this week, looking back
    v = _day_value(d)
    return [(m.start(), m.end(), v, None)]


# "In June last year", "on 3 March next year": the year is written, relative to publication.
_MON_RELYEAR_RE = re.compile(
    rf"(?<![\w£$€.,:/-]){_WD_PREFIX}(?:{_DAY}(?:\s+of)?\s+)?{_MON}{_ABBREV_DOT}(?:\s+(?P<day2>3[01]|[12]\d|0?[1-9])"
    r"(?:st|nd|rd|th)?)?,?\s+(?P<rel>last|this|next)\s+year\b"
)


def _rule_mon_relyear(ctx: _Context, m: re.Match) -> list[_Cand]:
    if ctx.pub is None:
        return []
    y = ctx.pub.year + {"last": -1, "this": 0, "next": 1}[m["rel"]]
    month, day = _month_num(m["mon"]), m["day"] or m["day2"]
    v = _fmt_day(y, month, int(day)) if day else _fmt_month(y, month)
    return [(m.start(), m.end(), v, None)]


# Ranges are one event with a first and a last value; a year written anywhere in the range holds for all of it.
_DAY2 = r"(?P<day2>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_MON2 = _MON.replace("(?P<mon>", "(?P<mon2>")
_YEAR1 = _year_re("year1")
_TO = r"\s*(?:-|–|—|to|until|till|through|and)\s*"
# "between 11 and 15 May", "11-15 May 2026", "from 28 April to 2 May 2026"
_DMY_RANGE_RE = re.compile(
    rf"(?:\b(?P<lead>[Bb]etween|[Ff]rom)\s+)?(?<![\w£$€.,:/-]){_DAY}(?:\s+{_MON}{_ABBREV_DOT}(?:,?\s+{_YEAR1})?)?"
    rf"{_TO}{_DAY2}\s+{_MON2}{_ABBREV_DOT}(?:,?\s+{_YEAR})?{_END}"
)
# "May 11-15, 2026", "from April 28 to May 2, 2026"
_MDY_RANGE_RE = re.compile(
    rf"(?:\b(?P<lead>[Bb]etween|[Ff]rom)\s+)?\b{_MON}{_ABBREV_DOT}\s+{_DAY}(?:,?\s+{_YEAR1})?"
    rf"{_TO}(?:{_MON2}{_ABBREV_DOT}\s+)?{_DAY2}(?![\d:.,]\d|[\d%]|[a-z])(?:,?\s+{_YEAR})?{_END}"
)
# "from March to August 2019", "between March 2019 and May 2020", "March-August 2019"; without "from" or
# "between" only a dash makes a range ("in March to May" is rare, "Theresa May to June" is not).
_MONTH_RANGE_RE = re.compile(
    rf"(?:\b(?P<lead>[Bb]etween|[Ff]rom)\s+)?\b{_MON}(?:,?\s+{_YEAR1})?{_TO}{_MON2}{_ABBREV_DOT}"
    rf"(?:,?\s+{_YEAR})?(?![\w-])"
)


def _range(ctx: _Context, m: re.Match, day: bool) -> list[_Cand]:
    """Resolve both ends of a range.  A range without "between"/"from" and with a connective word ("May 11 and
    15") is two dates, not a range, and is left to the other rules; so is a range that ends before it starts."""
    if not m["lead"] and re.search(r"\b(?:and|to|until|till|through)\b" if not day else r"\band\b", m.group()):
        return []
    m1 = _month_num(m["mon"]) if m["mon"] else None
    m2 = _month_num(m["mon2"]) if m["mon2"] else None
    m1, m2 = m1 or m2, m2 or m1
    d1, d2 = (int(m["day"]), int(m["day2"])) if day else (1, 1)
    first, last = (m1, d1), (m2, d2)
    if m["year1"] and m["year"]:
        y1, y2 = int(m["year1"]), int(m["year"])
    elif m["year1"] or m["year"]:
        y = int(m["year1"] or m["year"])
        wrapped = last < first  # "from November to February 2020": the range starts the year before
        y1, y2 = (y, y + wrapped) if m["year1"] else (y - wrapped, y)
    elif ctx.pub is None:
        return []
    else:
        y1 = _year_for_month(m1, ctx.pub, _direction(ctx, m, day=day))
        y2 = y1 + (last < first)
    fmt = (lambda y, mo, d: _fmt_day(y, mo, d)) if day else (lambda y, mo, d: _fmt_month(y, mo))
    v1, v2 = fmt(y1, *first), fmt(y2, *last)
    if v1 is None or v2 is None or v2 <= v1:
        return [(m.start(), m.end(), None, None)]
    return [(m.start(), m.end(), v1, None, v2)]


def _rule_day_range(ctx: _Context, m: re.Match) -> list[_Cand]:
    return _range(ctx, m, day=True)


def _rule_month_range(ctx: _Context, m: re.Match) -> list[_Cand]:
    return _range(ctx, m, day=False)


_RULES = [
    (_DMY_RANGE_RE, _rule_day_range),
    (_MDY_RANGE_RE, _rule_day_range),
    (_MONTH_RANGE_RE, _rule_month_range),
    (_MON_RELYEAR_RE, _rule_mon_relyear),
    (_ISO_RE, _rule_iso),
    (_DMY_RE, _day_month),
    (_MDY_RE, _rule_mdy),
    (_MY_RE, _rule_my),
    (_MOD_RE, _rule_mod),
    (_MOD_OF_RE, _rule_mod_of),
    (_EARLIER_IN_RE, _rule_earlier_in),
    (_REL_MONTH_RE, _rule_rel_month),
    (_BARE_MONTH_RE, _rule_bare_month),
    (_YEAR_RANGE_RE, _rule_year_range),
    (_YEAR_RE, _rule_year),
    (_RELWORD_RE, _rule_relword),
    (_PARTDAY_RE, _rule_partday),
    (_REL_PERIOD_RE, _rule_rel_period),
    (_AGO_RE, _rule_ago),
    (_WEEKDAY_RE, _rule_weekday),
]

# Cheap pre-filter: a sentence with none of these cannot contain a date.
_TRIGGER_RE = re.compile(
    r"\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|day|night|tomorrow|"
    r"morning|afternoon|evening|week|month|year",
    re.IGNORECASE,
)
_LOCATIVE_RE = re.compile(r"(?:^|(?<=\W))(?P<p>[Ii]n|[Oo]n|[Aa]t)\s+$")


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Keep non-overlapping candidates, longest first (rule order breaks ties:
    "20 April 2026" beats "April" and "2026")."""
    # Chosen spans are disjoint, so sorted by start they are sorted by end too:
    # only the chosen span starting just before ``e`` can overlap [s, e).
    starts: list[int] = []
    chosen: list[_Cand] = []
    order = sorted(range(len(cands)), key=lambda i: (-(cands[i][1] - cands[i][0]), i))
    for i in order:
        s, e = cands[i][0], cands[i][1]
        k = bisect_left(starts, e)
        if k and chosen[k - 1][1] > s:
            continue
        starts.insert(k, s)
        chosen.insert(k, cands[i])
    return chosen


def _extend_locative(sentence: str, start: int, text_lower: str) -> int:
    """Include a directly preceding "in"/"on" ("in April", "on Tuesday"), and
    "at" only before "the end of ..." style phrases."""
    m = _LOCATIVE_RE.search(sentence, max(0, start - 6), start)
    if not m:
        return start
    if m["p"].lower() == "at" and not text_lower.startswith("the "):
        return start
    return m.start()


_MON_ANY = _MON.replace("(?P<mon>", "(?:")
# "PARIS, Feb 4 (Reuters) -", "BRUSSELS, March 9." or "BRUSSELS, March 9: ...": the city in capitals, then the
# dispatch's date, closed by a dash, a full stop or a colon (or nothing more).
_DATELINE_RE = re.compile(
    rf"^\s*[A-Z][A-Z .'’-]+(?:,\s*[A-Z][\w.]*)*,\s+(?:{_MON_ANY}\.?\s+\d{{1,2}}|\d{{1,2}}\s+{_MON_ANY}\.?)(?:,?\s+\d{{4}})?"
    r"\s*(?:\([^)]{1,60}\))?\s*(?:[-–—]|[.:](?=\s|$)|$)"
)
# Page furniture: a date stamped with a clock time ("9 March 2026, 10:05 GMT", "2026-03-09 · 07:41") or labelled
# as the page's own ("Published 2 March 2026", "Updated: 9 March 2026", "Filed 2026-03-09") dates the page, not
# an event.  A time said in prose ("on 20 April at 10:00") has "at" and is kept.
_CLOCK_AFTER_RE = re.compile(r"\s*[,·|•–-]?\s*\d{1,2}[:.]\d{2}\b(?!\.\d)")
_STAMP_BEFORE_RE = re.compile(
    r"(?:(?:^|[·|•])\s*(?:Published|Updated|Filed|Posted|Modified|Last\s+updated|First\s+published)"
    r"(?:\s+on)?\s*:?|\d{1,2}[:.]\d{2}\s*(?:GMT|UTC|BST|CET|CEST|EST|EDT|ET|PT)?\s*[,·|•])\s*$"
)


def _is_stamp(sentence: str, start: int, end: int) -> bool:
    text = sentence[start:end]
    # "^" matches only at the sentence's real start, never at the window's.
    if _STAMP_BEFORE_RE.search(sentence, max(0, start - 30), start):
        return True
    # Only a date that names its year (or an ISO date) is a stamp: "on Tuesday, 10:05" is rare, a stamp never
    # lacks the year.
    return bool(re.search(r"\d{4}", text)) and bool(_CLOCK_AFTER_RE.match(sentence, end))


# Rules whose year-less results take the year of a dated mention next to them (see _inherit_years).
_INHERITING = {"_day_month", "_rule_mdy", "_rule_bare_month", "_rule_earlier_in", "_rule_mod", "_rule_mod_of",
               "_rule_day_range", "_rule_month_range"}
_NEXT_TO = 60  # characters between two mentions for one to lend the other its year
_MON_WORD_RE = re.compile(_MON_ANY)


def _with_year(value: str | None, year: int) -> str | None:
    if value is None:
        return None
    parts = [int(p) for p in value.split("-")]
    return _fmt_day(year, parts[1], parts[2]) if len(parts) == 3 else _fmt_month(year, parts[1])


# A year written only as a year ("in 2022") frames a year-less date in two constructions; an audit of year-less dates
# in sentences that also write a year (245 news pages, 23 such dates) found both right wherever they occurred and
# no counter-example, while other places of the year were mostly no frame ("the 2021 agreement was breached in May",
# "who won an Oscar in 2009", "since 2017"):
# * a year right after the date, "in" between: "will take place July 15-24 in 2022", "ran from August 6-15 in 2021";
_TRAILING_YEAR_GAP_RE = re.compile(r",?\s+in\s+")
# * a sentence that opens on "In <year>," (or "During <year>,", "In the summer of <year>,"), which scopes the clause
#   after it: "In 2005, Hurricane Dennis made landfall ... on July 10".  "Since 2019," or "By 2030," bound a period
#   instead, and a clause break after the comma (";", a dash, "but", ", and") may move on in time ("In 2019, sales
#   fell, but in March they rose"): those keep the publication date's reading, as does a date with another year
#   written between it and the opening one.
_OPENING_YEAR_RE = re.compile(
    rf"^[\s\"“‘']*(?:In|During)\s+(?:the\s+(?:spring|summer|autumn|fall|winter)\s+of\s+)?{_YEAR}\s*,"
)
_FRAME_BREAK_RE = re.compile(r"[;:\u2014\u2013]|\s-\s|\b(?:but|while|whereas|although|though|yet)\b|,\s*and\b|\d{4}")


def _framing_year(sentence: str, s: int, e: int) -> int | None:
    """The year of an "in <year>" written right after [s, e), else of an opening "In <year>," whose clause holds it."""
    gap = _TRAILING_YEAR_GAP_RE.match(sentence, e)
    if gap:
        y = re.match(_YEAR + r"(?!['’]s)", sentence[gap.end():gap.end() + 8])
        if y:
            return int(y["year"])
    opening = _OPENING_YEAR_RE.match(sentence)
    if opening and opening.end() <= s and not _FRAME_BREAK_RE.search(sentence, opening.end(), s):
        return int(opening["year"])
    return None


def _inherit_years(sentence: str, chosen: list[tuple]) -> list[tuple]:
    """A year-less month or day next to a mention whose year is written takes that year ("wrote on March 3, 2024,
    asking for a reply by March 10" -> 2024-03-10), rather than one guessed from the publication date.  The order
    in the sentence is the order in time unless the calendar says otherwise: a later-written date that falls
    earlier in the year is in the next year ("from December 20, 2024 ... by January 10"), an earlier-written one
    that falls later is in the year before.  Each is a 6-tuple (start, end, value, mod, until, inheriting)."""
    anchors = [c for c in chosen if c[2] and "-" in c[2] and not c[5] and re.search(r"\d{4}", sentence[c[0]:c[1]])]
    out = []
    for c in chosen:
        s, e, value, mod, until, flexible = c
        if not flexible or value is None:
            out.append(c)
            continue
        near = min(anchors, key=lambda a: max(a[0] - e, s - a[1])) if anchors else None
        if near is None or max(near[0] - e, s - near[1]) > _NEXT_TO:
            # No dated mention next to it: a year that frames it (see _framing_year) holds for all of it.
            year = _framing_year(sentence, s, e)
            if year is not None:
                shift = year - int(value[:4])
                c = (s, e, _with_year(value, year), mod, _with_year(until, int(until[:4]) + shift) if until else None,
                     flexible)
            out.append(c)
            continue
        ay, amd = int(near[2][:4]), near[2][5:]
        md = value[5:]
        pad = lambda x: (x + "-00")[:5]  # noqa: E731 - month-only values compare as day 0
        if s > near[0]:
            year = ay + (pad(md) < pad(amd))
        else:
            year = ay - (pad(md) > pad(amd))
        shift = year - int(value[:4])
        new_until = _with_year(until, int(until[:4]) + shift) if until else None
        out.append((s, e, _with_year(value, year), mod, new_until, flexible))
    return out



def tag_dates(sentence: str, published: date | None) -> list[DateMention]:
    """All date expressions in the sentence, resolved against the article's
    publication date, in order of appearance.

    Never raises; with ``published=None`` only expressions that need no anchor
    (absolute with year: "20 April 2026", "in 2025", "December 2023") are
    returned.
    """
    try:
        return _tag(sentence, published)
    except Exception:  # pragma: no cover - defensive: a tagger must not break indexing
        return []


def _tag(sentence: str, published: date | None) -> list[DateMention]:
    if not isinstance(sentence, str) or not sentence or not _TRIGGER_RE.search(sentence):
        return []
    if isinstance(published, datetime):
        published = published.date()  # a datetime is a date subclass; keep date arithmetic simple
    elif not isinstance(published, date):
        published = None
    ctx = _Context(sentence, published)
    # A wire dateline ("PARIS, Feb 4 (Reuters) -") dates the dispatch, not an event of the story.
    dateline = _DATELINE_RE.match(sentence)
    skip_to = dateline.end() if dateline else 0
    cands: list[tuple] = []
    for pattern, rule in _RULES:
        inheriting = rule.__name__ in _INHERITING
        for m in pattern.finditer(sentence):
            if m.start() < skip_to:
                continue
            for c in rule(ctx, m):
                until = c[4] if len(c) > 4 else None
                # Only a year-less month or day lends itself to inheritance; "late last year" does not.
                flexible = inheriting and not re.search(r"\d{4}", sentence[c[0]:c[1]]) and bool(
                    _MON_WORD_RE.search(sentence, c[0], c[1]))
                cands.append((c[0], c[1], c[2], c[3], until, flexible))
    out = []
    for s, e, value, mod, until, _ in _inherit_years(sentence, _select(cands)):
        if value is None or _is_stamp(sentence, s, e):
            continue  # recognised but impossible ("30 February") or page furniture: it only blocks
        s = _extend_locative(sentence, s, sentence[s:e].lower())
        out.append(DateMention(value=value, mod=mod, text=sentence[s:e], start=s, end=e, until=until))
    return out
