"""Table-driven tests for the temporal tagger (retrieval/temporal.py)."""

from __future__ import annotations

import random
import re
import time
from datetime import date, datetime

import pytest

from retrieval.temporal import DateMention, _tag, tag_dates

# The project's article was published on Tuesday 3 February 2026.
PUB = date(2026, 2, 3)
assert PUB.weekday() == 1  # Tuesday

CASES = [
    # --- the project's article (published 2026-02-03, a Tuesday) -------------
    ("Paris prosecutors have raided the offices of Elon Musk’s social media platform X as part of a "
     "cyber-crime investigation, it said on Tuesday.",
     PUB, [("2026-02-03", None, "on Tuesday")]),
    ("The tech billionaire has also been summoned by prosecutors to appear in April, following a "
     "year-long investigation into into suspected abuse of algorithms by X or its executives.",
     PUB, [("2026-04", None, "in April")]),
    ("Prosecutors said on Tuesday they have widened the investigation following complaints over the "
     "site’s AI chatbot, Grok.",
     PUB, [("2026-02-03", None, "on Tuesday")]),
    ("The Independent has reached out to X for comment.", PUB, []),
    ("Denying the accusations in July, the company said French prosecutors were launching a "
     "\"politically-motivated criminal investigation\".",
     PUB, [("2025-07", None, "in July")]),
    # Decision: only a locative "in"/"on" (and "at the ...") joins the text;
    # "from"/"since"/"until"/"by" are left out, so this is "July".
    ("In its rebuttal from July, X claimed the investigation “egregiously undermines X’s fundamental "
     "right to due process and threatens our users’ rights to privacy and free speech”.",
     PUB, [("2025-07", None, "July")]),
    ("Sexually explicit images were created of real women without their consent, before the company "
     "finally “implemented technological measures to prevent the Grok account from allowing the "
     "editing of images of real people in revealing clothing” in mid-January.",
     PUB, [("2026-01", "mid", "in mid-January")]),

    # --- absolute dates -----------------------------------------------------
    ("The ruling was handed down on 20 April 2026.", PUB, [("2026-04-20", None, "on 20 April 2026")]),
    ("The deal closed on April 20, 2026, according to filings.", PUB,
     [("2026-04-20", None, "on April 20, 2026")]),
    ("The complaint was filed on 14 January.", PUB, [("2026-01-14", None, "on 14 January")]),
    ("The firm was fined in December 2023.", PUB, [("2023-12", None, "in December 2023")]),
    ("The document is dated 2026-02-03.", PUB, [("2026-02-03", None, "2026-02-03")]),
    ("Regulators wrote to the company on 3 Feb 2026.", PUB, [("2026-02-03", None, "on 3 Feb 2026")]),
    ("The probe began on Jan. 12, 2025, officials said.", PUB, [("2025-01-12", None, "on Jan. 12, 2025")]),
    ("The data was collected in Sept 2024.", PUB, [("2024-09", None, "in Sept 2024")]),
    ("The hearing took place on Tuesday 27 January.", PUB,
     [("2026-01-27", None, "on Tuesday 27 January")]),
    ("The lawsuit was filed on the 5th of January.", PUB, [("2026-01-05", None, "on the 5th of January")]),
    # day+month without year, future tense -> the coming one
    ("A verdict is expected on April 20.", PUB, [("2026-04-20", None, "on April 20")]),
    # day+month without year, past tense, across the year boundary
    ("The account was suspended on 28 December.", date(2026, 1, 5),
     [("2025-12-28", None, "on 28 December")]),

    # --- month or year only ---------------------------------------------------
    ("Sales fell last July.", PUB, [("2025-07", None, "last July")]),
    ("The law came into force in 2025.", PUB, [("2025", None, "in 2025")]),
    ("The platform has been under scrutiny since 2023.", PUB, [("2023", None, "2023")]),
    ("The company has been investigated since July.", PUB, [("2025-07", None, "July")]),
    ("The board met in February to discuss the bid.", PUB, [("2026-02", None, "in February")]),
    ("The report will be published in February.", PUB, [("2026-02", None, "in February")]),
    ("Emissions must halve by 2030.", PUB, [("2030", None, "2030")]),
    ("Between 2019 and 2021, the firm expanded rapidly.", PUB,
     [("2019", None, "2019"), ("2021", None, "2021")]),
    ("Turnout in the 2024 election was low.", PUB, [("2024", None, "2024")]),
    ("2025's turmoil hit profits.", PUB, [("2025", None, "2025")]),

    # --- weekdays -------------------------------------------------------------
    ("The minister will meet union leaders on Thursday.", PUB, [("2026-02-05", None, "on Thursday")]),
    ("The company said on Monday it had filed an appeal.", PUB, [("2026-02-02", None, "on Monday")]),
    ("Police arrested two men on Wednesday.", PUB, [("2026-01-28", None, "on Wednesday")]),
    ("The bill is due to be debated on Thursday.", PUB, [("2026-02-05", None, "on Thursday")]),
    ("The committee is set to vote next Thursday.", PUB, [("2026-02-05", None, "next Thursday")]),
    ("The raid happened last Tuesday.", PUB, [("2026-01-27", None, "last Tuesday")]),
    ("The ruling is scheduled to be handed down on Friday.", PUB, [("2026-02-06", None, "on Friday")]),
    ("Musk said Tuesday that the probe was political.", PUB, [("2026-02-03", None, "Tuesday")]),
    ("The chief executive will testify on Tuesday evening.", PUB,
     [("2026-02-03", None, "on Tuesday evening")]),

    # --- relative expressions ---------------------------------------------------
    ("The firm confirmed the breach yesterday.", PUB, [("2026-02-02", None, "yesterday")]),
    ("The court will rule tomorrow.", PUB, [("2026-02-04", None, "tomorrow")]),
    ("Shares fell 5% today.", PUB, [("2026-02-03", None, "today")]),
    ("The regulator opened a probe last month.", PUB, [("2026-01", None, "last month")]),
    ("The documents were seized last week.", PUB, [("2026-01", None, "last week")]),
    ("Officials met last week.", date(2026, 3, 4), [("2026-02", None, "last week")]),
    ("The company announced the changes earlier this month.", PUB,
     [("2026-02", None, "earlier this month")]),
    ("Revenue has doubled this year.", PUB, [("2026", None, "this year")]),
    ("The rules take effect next year.", PUB, [("2027", None, "next year")]),
    ("The company was fined last year.", PUB, [("2025", None, "last year")]),
    ("The firm will report results next month.", PUB, [("2026-03", None, "next month")]),
    ("The suspect was arrested three days ago.", PUB, [("2026-01-31", None, "three days ago")]),
    ("A year ago the platform had no such rules.", PUB, [("2025", None, "A year ago")]),
    ("Two weeks ago the board met again.", PUB, [("2026-01", None, "Two weeks ago")]),
    ("Police were called to the building last night.", PUB, [("2026-02-02", None, "last night")]),
    ("The minister resigned this morning.", PUB, [("2026-02-03", None, "this morning")]),
    ("The judges will deliver their ruling next week.", date(2026, 1, 28), [("2026-02", None, "next week")]),
    ("The company reported losses from 2019 to 2021.", PUB, [("2019", None, "2019"), ("2021", None, "2021")]),

    # --- modifiers --------------------------------------------------------------
    ("The inquiry is expected to conclude in early 2025.", date(2024, 11, 1),
     [("2025", "early", "in early 2025")]),
    ("The company restructured late last year.", PUB, [("2025", "late", "late last year")]),
    ("The contract expires at the end of March.", PUB, [("2026-03", "end", "at the end of March")]),
    ("Talks began at the beginning of 2024.", PUB, [("2024", "start", "at the beginning of 2024")]),
    ("The platform was launched in late 2023.", PUB, [("2023", "late", "in late 2023")]),
    ("The policy was changed earlier in January.", PUB, [("2026-01", None, "earlier in January")]),
    ("Growth slowed in mid-2024.", PUB, [("2024", "mid", "in mid-2024")]),
    ("The payment falls due at the end of this month.", PUB,
     [("2026-02", "end", "at the end of this month")]),
    ("The company was sold in late May.", PUB, [("2025-05", "late", "in late May")]),

    # --- tense decides the direction of a bare month --------------------------------
    ("Musk has been summoned to appear in April.", PUB, [("2026-04", None, "in April")]),
    ("The trial opens in March.", PUB, [("2026-03", None, "in March")]),
    ("The platform was fined in March.", PUB, [("2025-03", None, "in March")]),
    ("The executive is to appear before the committee in June.", PUB, [("2026-06", None, "in June")]),
    ("The firm said it plans to appeal in May.", PUB, [("2026-05", None, "in May")]),
    # a past clause and a future clause in one sentence, each resolved locally
    ("X was fined in 2023, appealed in March and will return to court on Thursday.", PUB,
     [("2023", None, "in 2023"), ("2025-03", None, "in March"), ("2026-02-05", None, "on Thursday")]),

    ("The trial is in March.", PUB, [("2026-03", None, "in March")]),
    ("The company must comply by March.", PUB, [("2026-03", None, "March")]),
    ("The hearing has been postponed until April.", PUB, [("2026-04", None, "April")]),
    ("He will be sentenced on 14 March.", PUB, [("2026-03-14", None, "on 14 March")]),
    ("Officials said the platform had until Friday to respond.", PUB, [("2026-02-06", None, "Friday")]),
    # reported speech: the future verb is in the subordinate clause, "said" governs the date
    ("The company said in a statement on Monday night that it would appeal.", PUB,
     [("2026-02-02", None, "on Monday night")]),
    ("Europe’s top court will rule on 12 March 2026, judges said on Friday.", PUB,
     [("2026-03-12", None, "on 12 March 2026"), ("2026-01-30", None, "on Friday")]),
    # A year-less month next to a dated one takes its year; written after it and earlier in the calendar, the next.
    ("She joined the company in May 2021 and left in March.", PUB,
     [("2021-05", None, "in May 2021"), ("2022-03", None, "in March")]),
    ("Tuesday, Feb. 3, was a busy day in court.", PUB, [("2026-02-03", None, "Tuesday, Feb. 3")]),
    ("Today, the court ruled against X.", PUB, [("2026-02-03", None, "Today")]),
    ("The regulator published its findings in the summer of 2023.", PUB, [("2023", None, "2023")]),
    ("The service was down from March to May.", PUB, [("2025-03", None, "from March to May")]),  # one range

    # --- year boundary -----------------------------------------------------------
    ("Sales collapsed last December.", date(2026, 1, 10), [("2025-12", None, "last December")]),
    ("The firm was raided in December.", date(2026, 1, 10), [("2025-12", None, "in December")]),
    ("The firm will be sentenced in December.", date(2026, 1, 10), [("2026-12", None, "in December")]),
    ("The trial will start in January.", date(2025, 12, 20), [("2026-01", None, "in January")]),
    ("The verdict came in January.", date(2025, 12, 20), [("2025-01", None, "in January")]),
    ("Staff will return next January.", date(2026, 1, 10), [("2027-01", None, "next January")]),

    # --- leap years and impossible dates ------------------------------------------
    ("The order was signed on 29 February.", date(2028, 3, 1), [("2028-02-29", None, "on 29 February")]),
    ("The order was signed on 29 February.", date(2026, 3, 1), []),
    ("The order was signed on 29 February 2024.", PUB, [("2024-02-29", None, "on 29 February 2024")]),
    ("The memo was dated 30 February 2026.", PUB, []),
    ("The memo was dated 31 April.", PUB, []),
    ("The archive covers 1850 to 1870.", PUB, []),

    # --- negatives: not dates ------------------------------------------------------
    ("It followed a year-long investigation into the platform.", PUB, []),
    ("The service runs 24/7 across Europe.", PUB, []),
    ("Theresa May said the platform X must act.", PUB, []),
    ("You may contact the press office.", PUB, []),
    ("Protesters staged a march on the ministry.", PUB, []),
    ("March organisers said the rally was peaceful.", PUB, []),
    ("More than 2,000 people signed the petition.", PUB, []),
    ("Police seized 1500 images and 2000 files.", PUB, []),
    ("A fine of £2025 was paid.", PUB, []),
    ("The case lasted two years.", PUB, []),
    ("Complaints rose over the past year.", PUB, []),
    ("The company has grown over the last year.", PUB, []),
    ("The firm relies on Section 230 protections.", PUB, []),
    ("The raid began at 10:30 local time.", PUB, []),
    ("The Today programme interviewed the minister.", PUB, []),
    ("Black Friday sales were strong.", PUB, []),
    ("He told the Sunday Times he would appeal.", PUB, []),
    ("Guests gathered at Mar-a-Lago.", PUB, []),
    ("June Sarpong chaired the panel.", PUB, []),

    # --- published=None: only anchor-free expressions ---------------------------------
    ("The trial began on 20 April 2026 and resumed in April.", None,
     [("2026-04-20", None, "on 20 April 2026")]),
    ("It said on Tuesday that sales fell last year and in 2025.", None, [("2025", None, "in 2025")]),
    ("The fine was imposed in December 2023.", None, [("2023-12", None, "in December 2023")]),
    ("Growth slowed in mid-2024 and again yesterday.", None, [("2024", "mid", "in mid-2024")]),
    # --- reported speech and summonses: the future seen from the past ------------------
    ("The prosecutor's office said the voluntary interviews were scheduled for April 20 and that the hearings "
     "would allow the executives to set out their position.", date(2026, 2, 4), [("2026-04-20", None, "April 20")]),
    ("Musk and Linda Yaccarino, who ran X until last summer, have been called to voluntary interviews on 20 April, "
     "the Paris prosecutor’s office said in a statement.", PUB, [("2026-04-20", None, "on 20 April")]),
    ("French judicial authorities have summoned Elon Musk for questioning in April as part of an investigation.",
     date(2026, 2, 4), [("2026-04", None, "in April")]),
    ("She said the verdict was due in March.", PUB, [("2026-03", None, "in March")]),
    ("He was to appear in court in June, his lawyer said.", PUB, [("2026-06", None, "in June")]),
    # --- a wire dateline dates the dispatch, not an event ----------------------------------
    ("PARIS, Feb 4 (Continental Wire) - French authorities have summoned Elon Musk for questioning in April.",
     date(2026, 2, 4), [("2026-04", None, "in April")]),
    ("WASHINGTON, March 3, 2026 (AP) — The court ruled on Monday.", date(2026, 3, 3),
     [("2026-03-02", None, "on Monday")]),
    ("LONDON, 12 Jan (Wire) - Shares fell.", date(2026, 1, 12), []),
]


def _ids():
    return [f"{i:02d}-{s[:40]}" for i, (s, _, _) in enumerate(CASES)]


@pytest.mark.parametrize(("sentence", "published", "expected"), CASES, ids=_ids())
def test_tag_dates_table(sentence, published, expected):
    got = tag_dates(sentence, published)
    assert [(m.value, m.mod, m.text) for m in got] == expected
    for m in got:  # offsets point at the text
        assert sentence[m.start:m.end] == m.text


def test_table_size():
    assert len(CASES) >= 50
    assert sum(1 for _, _, exp in CASES if not exp) >= 10


_VALUE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _assert_valid(sentence: str, mentions: list[DateMention]) -> None:
    assert isinstance(mentions, list)
    prev_end = 0
    for m in mentions:
        assert isinstance(m, DateMention)
        assert _VALUE_RE.match(m.value), m
        parts = [int(p) for p in m.value.split("-")]
        assert 1900 <= parts[0] <= 2100
        date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))  # a real calendar date
        assert m.mod in (None, "early", "mid", "late", "start", "end")
        assert sentence[m.start:m.end] == m.text
        assert m.start >= prev_end  # in order, non-overlapping
        prev_end = m.end


@pytest.mark.parametrize("published", [PUB, None, date(2028, 2, 29), date(1900, 1, 1), date(2100, 12, 31)])
@pytest.mark.parametrize(
    "sentence",
    [
        "",
        " ",
        "\n\t",
        "Ça s’est passé le 3 février — 東京 — on 3 février 😀 in Mai.",
        "On Tuesday " * 1000,
        ("In April 2026, on 20 April, last July, next year, yesterday, mid-January, "
         "the end of March, since 2023, 2026-02-31, 99 Dec 9999. ") * 140,  # ~10k chars
        "x" * 10_000,
        "2026-13-45 0000-00-00 31/12/2026 12.05.2026 Jan 32 December 0 1899 2101",
        "Mid-December, early-, late , end of, the beginning of, ago, last, next",
    ],
    ids=["empty", "space", "whitespace", "unicode", "repeated", "long-dates", "long-x", "garbage", "fragments"],
)
def test_never_raises_and_values_are_valid(sentence, published):
    _assert_valid(sentence, _tag(sentence, published))  # inner function: errors would surface
    _assert_valid(sentence, tag_dates(sentence, published))


def test_year_bounds_are_respected():
    # Relative expressions that would leave 1900..2100 are dropped, not clamped.
    assert tag_dates("It happened last year.", date(1900, 6, 1)) == []
    assert tag_dates("It happens next year.", date(2100, 6, 1)) == []
    assert [m.value for m in tag_dates("It happened yesterday.", date(1900, 1, 1))] == []


def test_random_fuzz_never_raises():
    rng = random.Random(1234)
    alphabet = "0123456789 -/.,:'’JanFebMayMarchAprilTuesdayearlymidlate of the in on since ago ü—"
    for _ in range(500):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        _assert_valid(s, _tag(s, PUB))


def test_published_none_never_returns_relative():
    s = "On Tuesday, yesterday, last week, in April, 14 January, and last year it rained."
    assert tag_dates(s, None) == []


def test_datetime_published_is_accepted():
    got = tag_dates("It said on Monday.", datetime(2026, 2, 3, 23, 59))
    assert [(m.value, m.text) for m in got] == [("2026-02-02", "on Monday")]


def test_internal_tagger_does_not_raise_on_fuzz():
    # tag_dates swallows exceptions; check the inner function so bugs are not hidden.
    rng = random.Random(99)
    pieces = ["in", "on", "the", "end", "of", "mid-", "early", "late", "last", "next", "May", "March",
              "Jan.", "Sept", "29", "31", "February", "2024", "2101", "1899", "Tuesday", "ago", "two",
              "weeks", "year", "month", "will", "said", "since", ",", "-", "’s", "from", "to", "between",
              "and", "Today", "yesterday", "night", "2026-02-30", "9999", "0"]
    for pub in (PUB, None, date(1900, 1, 1), date(2100, 12, 31)):
        for _ in range(400):
            s = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 15)))
            _assert_valid(s, _tag(s, pub))


def test_result_is_frozen_dataclass():
    m = tag_dates("in 2025", PUB)[0]
    assert m == DateMention("2025", None, "in 2025", 0, 7)
    with pytest.raises(Exception):
        m.value = "2024"  # type: ignore[misc]


def test_speed_typical_sentences():
    sentences = [s for s, _, _ in CASES]
    tag_dates(sentences[0], PUB)  # warm-up
    n = 0
    t0 = time.perf_counter()
    for _ in range(20):
        for s in sentences:
            tag_dates(s, PUB)
            n += 1
    per_sentence = (time.perf_counter() - t0) / n
    # Generous bound to stay stable on slow CI; typical is far below 1 ms.
    assert per_sentence < 0.005


# --- issue 12: tense and orientation, explicit years, ranges, year inheritance, furniture -------------------------
FEB = date(2026, 2, 4)  # an article of early February announcing what comes in spring

# (sentence, published, [(value, until, text)])
ORIENTATION = [
    # scheduled and future: forward from the publication date, whatever past-looking participle follows "be"
    ("Musk and Yaccarino were asked to attend interviews with prosecutors on April 20.", FEB,
     [("2026-04-20", None, "on April 20")]),
    ("Both executives were asked to attend voluntary interviews in April.", FEB, [("2026-04", None, "in April")]),
    ("The hearing will be held on 20 April.", FEB, [("2026-04-20", None, "on 20 April")]),
    ("The findings will be made public on 20 April.", FEB, [("2026-04-20", None, "on 20 April")]),
    ("The summonses will be sent in March.", FEB, [("2026-03", None, "in March")]),
    ("The decision will be handed down on 2 March.", FEB, [("2026-03-02", None, "on 2 March")]),
    ("Prosecutors said the report would be given to judges on 12 January.", date(2025, 11, 20),
     [("2026-01-12", None, "on 12 January")]),
    ("Boeing's chief executive has called a companywide meeting on safety for Tuesday.", date(2024, 1, 8),
     [("2024-01-09", None, "Tuesday")]),
    ("The board met and set the vote for 3 March.", FEB, [("2026-03-03", None, "3 March")]),
    ("The company has a deadline of 20 January to reply.", date(2025, 12, 10), [("2026-01-20", None, "20 January")]),
    ("X is due in court on 9 January.", date(2025, 12, 10), [("2026-01-09", None, "on 9 January")]),
    ("Executives were summoned ahead of a hearing in January.", date(2025, 12, 10),
     [("2026-01", None, "in January")]),
    # an order's act comes after the order, whatever tense the order is reported in
    ("The 42-year-old was ordered to report to prison on May 1.", date(2023, 3, 9),
     [("2023-05-01", None, "on May 1")]),
    ("The court ordered the company to pay the fine by 30 June.", date(2026, 3, 2), [("2026-06-30", None, "30 June")]),
    ("He was ordered on Monday to surrender his passport on Friday.", date(2026, 3, 4),
     [("2026-03-02", None, "on Monday"), ("2026-03-06", None, "on Friday")]),
    ("Banks were instructed to repay the fees in April, the regulator said.", FEB, [("2026-04", None, "in April")]),
    ("Staff were required to return to the office in September.", date(2025, 7, 1),
     [("2025-09", None, "in September")]),
    # the order itself, and a past act, stay in the past
    ("The regulator ordered Meta in May to suspend the transfers.", date(2023, 6, 1), [("2023-05", None, "in May")]),
    ("She was sentenced on May 1 and ordered to pay costs.", date(2023, 6, 1), [("2023-05-01", None, "on May 1")]),
    # a present tense that places a deadline to come
    ("Those deadlines run from the date the decision was formally notified to the company earlier this month, "
     "which puts the first of them in October.", date(2023, 5, 23),
     [("2023-05", None, "earlier this month"), ("2023-10", None, "in October")]),
    ("The second falls a month later, in November.", date(2023, 5, 23), [("2023-11", None, "in November")]),
    # reports of the past go back
    ("The regulator opened the case in October.", date(2026, 2, 4), [("2025-10", None, "in October")]),
    ("The hearing was held on 20 January.", date(2026, 2, 4), [("2026-01-20", None, "on 20 January")]),
    ("The documents were made public in November.", date(2026, 2, 4), [("2025-11", None, "in November")]),
    ("The delay was due to bad weather in January.", date(2026, 3, 9), [("2026-01", None, "in January")]),
    # "last year"/"next year" written next to the month
    ("In June last year, the NTSB sanctioned Boeing for sharing details of the investigation.", date(2025, 6, 25),
     [("2024-06", None, "In June last year")]),
    ("In March last year the deal closed.", date(2026, 3, 2), [("2025-03", None, "In March last year")]),
    ("The rules apply from 1 July next year.", date(2026, 3, 2), [("2027-07-01", None, "1 July next year")]),
    ("Trading halted on 14 December last year.", date(2026, 1, 5), [("2025-12-14", None, "on 14 December last year")]),
    # a date that heads a timeline or log entry ("March 3, 2020: ...") keeps its day and year; a colon is a clock
    # only before a digit
    ("March 3, 2020: The WHO declares a global pandemic.", date(2023, 5, 1), [("2020-03-03", None, "March 3, 2020")]),
    ("8 August 2009: the first proper post goes online.", date(2019, 7, 13), [("2009-08-08", None, "8 August 2009")]),
    ("9-19 December 2011: an online symposium on the fiscal union.", date(2019, 7, 13),
     [("2011-12-09", "2011-12-19", "9-19 December 2011")]),
    ("October 20: A car driven by a local man struck a fence.", date(2023, 10, 27),
     [("2023-10-20", None, "October 20")]),
    ("The hearing opened on 5 May 10:30 local time.", date(2026, 6, 1), [("2026-05-05", None, "on 5 May")]),
    ("Trading resumed on March 3 at 10:30.", date(2026, 6, 1), [("2026-03-03", None, "on March 3")]),
    # a tense that follows the date in another clause does not govern it: a "that"/"which"/"who" clause belongs to
    # the noun or verb before the date, and a speech tag after a comma ("..., he said") only decides a date that has
    # no verb of its own before it
    ("Voters approved an amendment to the state constitution on Tuesday that will raise teacher pensions.",
     date(2023, 11, 8), [("2023-11-07", None, "on Tuesday")]),
    ("The board backed a restructuring plan for its European plants in October which will cut 300 jobs.",
     date(2025, 11, 20), [("2025-10", None, "in October")]),
    ("Some members hope to win the House, the Senate and the presidency in November, he said.", date(2020, 9, 24),
     [("2020-11", None, "in November")]),
    ("The union will, after months of talks with the employers, sign the agreement in March, a spokesman said.", FEB,
     [("2026-03", None, "in March")]),
    ("Sales fell sharply in March, the company said.", date(2026, 5, 1), [("2026-03", None, "in March")]),
    ("In March, the board said it would sell the unit.", date(2026, 5, 1), [("2026-03", None, "In March")]),
    ("In March, the board will vote on the sale.", date(2026, 1, 10), [("2026-03", None, "In March")]),
    ("The judge ruled on Friday that the trial will start in June.", date(2026, 3, 4),
     [("2026-02-27", None, "on Friday"), ("2026-06", None, "in June")]),
    # forecasts, expectations and possibility look ahead: "should"/"may"/"might" (not "... have"), "expects to",
    # "is forecast to", "goes into effect"; "could" is left out ("could not be reached on Monday" is past)
    ("The cold snap should peak on Wednesday before temperatures recover.", date(2023, 11, 7),
     [("2023-11-08", None, "on Wednesday")]),
    ("The first vaccinations may begin in December.", date(2020, 11, 23), [("2020-12", None, "in December")]),
    ("Nobody knows what might happen at the ceremony on Feb. 9.", date(2020, 1, 19), [("2020-02-09", None, "on Feb. 9")]),
    ("He expects to release a small batch of the whisky in December.", date(2023, 11, 1), [("2023-12", None, "in December")]),
    ("They expect to open the new plant in February.", date(2023, 11, 1), [("2024-02", None, "in February")]),
    ("Wednesday is forecast to be even colder.", date(2023, 11, 7), [("2023-11-08", None, "Wednesday")]),
    ("The new restrictions, which go into effect on Tuesday, come amid a surge in cases.", date(2020, 11, 23),
     [("2020-11-24", None, "on Tuesday")]),
    ("The spokesman could not be reached for comment on Monday.", FEB, [("2026-02-02", None, "on Monday")]),
    ("The firm may have breached the rules in March.", date(2026, 5, 1), [("2026-03", None, "in March")]),
    ("The board may well have known about the flaw in March.", date(2026, 5, 1), [("2026-03", None, "in March")]),
    ("Theresa May said in March that talks should resume.", date(2026, 5, 1), [("2026-03", None, "in March")]),
    ("The restrictions went into effect on Tuesday.", date(2020, 11, 23), [("2020-11-17", None, "on Tuesday")]),
    ("Analysts had expected a rebound in March.", date(2026, 5, 1), [("2026-03", None, "in March")]),
    # a weekday that is not one day: a habit ("every Wednesday", "Friday nights"), any one ("a Friday night"), a
    # rank ("the first Saturday of the season"), an apposition to a written date ("on Dec. 18, a Wednesday") or a
    # title ("Saturday Night Live")
    ("Every Wednesday, the editor writes a short newsletter.", FEB, []),
    ("The band plays every other Sunday.", FEB, []),
    ("Friday nights are made for fun.", FEB, []),
    ("It is the perfect atmosphere for a Friday night.", FEB, []),
    ("The derby is held on the first Saturday of the season.", FEB, []),
    ("He was told on Dec. 18, a Wednesday, to inform the staff.", date(2019, 12, 30), [("2019-12-18", None, "on Dec. 18")]),
    ("The film airs straight after Saturday Night Live.", FEB, []),
    ("He watched Monday Night Football with friends.", FEB, []),
    ("Police made an arrest on Friday night.", FEB, [("2026-01-30", None, "on Friday night")]),
    ("The court will sit on Saturday morning.", FEB, [("2026-02-07", None, "on Saturday morning")]),
    ("A jury on Wednesday found him guilty.", FEB, [("2026-02-04", None, "on Wednesday")]),
    ("The county executive said in a Saturday Facebook post that he would act.", date(2020, 3, 16),
     [("2020-03-14", None, "Saturday")]),
    # common irregular past forms are past markers too ("bought", "sold", "fled", "struck", ...)
    ("They flew to Chile and bought a camper in January, the start of what was going to be a long trip.",
     date(2020, 4, 24), [("2020-01", None, "in January")]),
    ("The board sold the plant in March, ahead of the merger.", FEB, [("2025-03", None, "in March")]),
    ("The hearing is set for 3 March, ahead of the merger.", FEB, [("2026-03-03", None, "3 March")]),
    # with no tense marker at all, a year-less month one or two months ahead is the coming one: the past one would
    # be ten or eleven months back, and that far back a reporter writes the year ("last March", "March 2025")
    ("Her last day is April 1, and no replacement has been named.", date(2020, 2, 24), [("2020-04-01", None, "April 1")]),
    ("The dividend is payable on Dec 18.", date(2020, 10, 14), [("2020-12-18", None, "on Dec 18")]),
    ("The outcome of the March 3 primaries could turn on the debate.", date(2020, 2, 19), [("2020-03-03", None, "March 3")]),
    ("Ireland could see 2,300 cases a day by November.", date(2020, 10, 6), [("2020-11", None, "November")]),
    ("The anthology comes out in e-book formats on June 9 and as a hardcover in July.", date(2020, 5, 6),
     [("2020-06-09", None, "on June 9"), ("2020-07", None, "in July")]),
    # ... but a tense marker still decides, and a month further ahead stays in the past
    ("In February, the company sold its French unit.", date(2026, 1, 5), [("2025-02", None, "In February")]),
    ("Unemployment peaked in March.", date(2026, 1, 20), [("2025-03", None, "in March")]),
    ("The figures for July show a sharp fall.", date(2026, 4, 1), [("2025-07", None, "July")]),
]

RANGES = [
    ("Witnesses will be heard in the week of May 11-15, 2026.", date(2026, 2, 4),
     [("2026-05-11", "2026-05-15", "May 11-15, 2026")]),
    ("Witnesses will be heard in the week of May 11-15, 2026.", date(2026, 6, 4),
     [("2026-05-11", "2026-05-15", "May 11-15, 2026")]),
    ("Hearings are scheduled between 11 and 15 May.", date(2026, 2, 4),
     [("2026-05-11", "2026-05-15", "between 11 and 15 May")]),
    ("Hearings took place 11-15 May 2026.", date(2026, 9, 1), [("2026-05-11", "2026-05-15", "11-15 May 2026")]),
    ("The report covers the months from March to August 2019.", date(2023, 5, 1),
     [("2019-03", "2019-08", "from March to August 2019")]),
    ("Sales fell between March and August 2019.", date(2023, 5, 1),
     [("2019-03", "2019-08", "between March and August 2019")]),
    ("Data from March-August 2019 were lost.", date(2023, 5, 1), [("2019-03", "2019-08", "from March-August 2019")]),
    ("The probe ran from November to February 2020.", date(2023, 5, 1),
     [("2019-11", "2020-02", "from November to February 2020")]),
    ("Hearings ran from 28 April to 2 May 2026.", date(2026, 6, 4),
     [("2026-04-28", "2026-05-02", "from 28 April to 2 May 2026")]),
    ("The talks run from April 28 to May 2, 2026.", date(2026, 2, 4),
     [("2026-04-28", "2026-05-02", "from April 28 to May 2, 2026")]),
    # two dates joined by "and" without "between" are not a range (the bare second day is not read at all)
    ("The board met on May 11 and 15, 2026.", date(2026, 6, 4), [("2026-05-11", None, "on May 11")]),
    ("Votes are on 3 and 5 March.", date(2026, 2, 4), [("2026-03-05", None, "5 March")]),
]

INHERITANCE = [
    ("The regulator wrote to the company on March 3, 2024, asking for a reply by March 10.", date(2026, 2, 4),
     [("2024-03-03", None, "on March 3, 2024"), ("2024-03-10", None, "March 10")]),
    ("The commission wrote on 20 December 2024, asking for answers by 10 January.", date(2026, 2, 4),
     [("2024-12-20", None, "on 20 December 2024"), ("2025-01-10", None, "10 January")]),
    ("After a warning in November, the fine came on 3 February 2025.", date(2026, 2, 4),
     [("2024-11", None, "in November"), ("2025-02-03", None, "on 3 February 2025")]),
    ("It was notified on 12 May 2023 and appealed on 30 May.", date(2026, 2, 4),
     [("2023-05-12", None, "on 12 May 2023"), ("2023-05-30", None, "on 30 May")]),
]

# A year written only as a year frames a year-less date right before it ("July 15-24 in 2022") or the clause of a
# sentence that opens on "In <year>,"; elsewhere in the sentence it is no frame and the publication date decides.
FRAMING = [
    ("The championships will take place July 15-24 in 2022.", date(2020, 4, 8),
     [("2022-07-15", "2022-07-24", "July 15-24"), ("2022", None, "in 2022")]),
    ("The games were initially planned to run from August 6-15 in 2021.", date(2020, 4, 8),
     [("2021-08-06", "2021-08-15", "from August 6-15"), ("2021", None, "in 2021")]),
    ("She was first elected on 4 March in 2018, aides said.", date(2025, 6, 1),
     [("2018-03-04", None, "on 4 March"), ("2018", None, "in 2018")]),
    ("In 2005, Hurricane Dennis made landfall near Pensacola, Florida, on July 10.", date(2020, 4, 2),
     [("2005", None, "In 2005"), ("2005-07-10", None, "on July 10")]),
    ("In 2019, the regulator opened an inquiry in March and closed it in November.", date(2021, 5, 1),
     [("2019", None, "In 2019"), ("2019-03", None, "in March"), ("2019-11", None, "in November")]),
    ("During 2016, the plant was shut from May to August.", date(2020, 1, 1),
     [("2016", None, "2016"), ("2016-05", "2016-08", "from May to August")]),
    ("In the summer of 2004, the mayor resigned in mid-August.", date(2019, 12, 30),
     [("2004", None, "2004"), ("2004-08", None, "in mid-August")]),
    # look-alikes: the year bounds a period, the clause breaks, or the year sits elsewhere
    ("Since 2019, the firm has cut 300 jobs, including 40 in March.", date(2021, 6, 1),
     [("2019", None, "2019"), ("2021-03", None, "in March")]),
    ("In 2019, sales fell; in March they rose again.", date(2021, 6, 1),
     [("2019", None, "In 2019"), ("2021-03", None, "in March")]),
    ("In 2019, sales fell by a fifth, but in March they rose again.", date(2021, 6, 1),
     [("2019", None, "In 2019"), ("2021-03", None, "in March")]),
    ("Founded in 1998, the firm moved its headquarters in March.", date(2021, 6, 1),
     [("1998", None, "in 1998"), ("2021-03", None, "in March")]),
    ("Sales fell in 2019 and again in March.", date(2021, 6, 1),
     [("2019", None, "in 2019"), ("2021-03", None, "in March")]),
    ("The firm, founded in 1998, said on Tuesday it would appeal.", date(2021, 6, 1),
     [("1998", None, "in 1998"), ("2021-06-01", None, "on Tuesday")]),
    ("The 2021 agreement was breached in May, prosecutors said.", date(2024, 7, 9),
     [("2021", None, "2021"), ("2024-05", None, "in May")]),
    ("Prosecutors said in March in a statement that the 2019 deal was void.", date(2021, 6, 1),
     [("2021-03", None, "in March"), ("2019", None, "2019")]),
]

FURNITURE = [
    ("BRUSSELS, March 9.", date(2026, 3, 9), []),
    ("PARIS, Feb 4 (Reuters) - Prosecutors said on Tuesday they had widened the inquiry.", date(2026, 2, 4),
     [("2026-02-03", None, "on Tuesday")]),
    ("LONDON, 9 March: The regulator opened a case.", date(2026, 3, 9), []),
    ("9 March 2026, 10:05 GMT", date(2026, 3, 9), []),
    ("Filed 2026-03-09 · 07:41 GMT", date(2026, 3, 9), []),
    ("Published 2 March 2026 · Updated 9 March 2026", date(2026, 3, 9), []),
    ("Last updated: 4 February 2026", date(2026, 2, 4), []),
    ("10:05 GMT, 9 March 2026", date(2026, 3, 9), []),
    # prose about a filing or a time of day is an event
    ("The complaint was filed on 14 January.", date(2026, 2, 3), [("2026-01-14", None, "on 14 January")]),
    ("The hearing is on 20 April 2026 at 10:00.", date(2026, 3, 9), [("2026-04-20", None, "on 20 April 2026")]),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), ORIENTATION + RANGES + INHERITANCE + FRAMING + FURNITURE,
                         ids=[f"{i:02d}-{c[0][:40]}" for i, c in enumerate(ORIENTATION + RANGES + INHERITANCE + FRAMING + FURNITURE)])
def test_issue12_table(sentence, published, expected):
    got = tag_dates(sentence, published)
    assert [(m.value, m.until, m.text) for m in got] == expected
    for m in got:
        assert sentence[m.start:m.end] == m.text
        assert m.until is None or m.until > m.value  # a range ends after it starts


def test_explicit_year_wins_over_publication_and_tense():
    # The written year holds whatever the tense or publication date: before, during and after it.
    for pub in (date(2025, 1, 1), date(2026, 5, 12), date(2027, 12, 31)):
        for s in ("The witnesses will be heard on 12 May 2026.", "The witnesses were heard on 12 May 2026.",
                  "Witnesses are heard in the week of May 11-15, 2026."):
            want = "2026-05-11" if "11-15" in s else "2026-05-12"
            assert [m.value for m in tag_dates(s, pub)] == [want]
