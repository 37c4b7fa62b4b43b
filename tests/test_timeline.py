"""The case timeline: events from dated sentences, sorted, merged across outlets, filtered by topic and dates."""
import json
from datetime import date

import pytest

from retrieval.engine import CaseEngine
from retrieval.timeline import in_range, period

from .conftest import CORPUS, EVAL

SEED_TEXT = (CORPUS / "independent-2026-02-03-x-paris-raid.md").read_text(encoding="utf-8")

SECOND = """---
title: Musk summoned over X algorithm inquiry
source: The Example Times
url: https://example.com/musk-summoned
published: 2026-02-04
---

Paris prosecutors have raided the offices of Elon Musk’s social media platform X as part of a cyber-crime investigation, it said on Tuesday.

The hearing is scheduled for 20 April 2026, the prosecutor's office said. Lawyers for X met prosecutors in 2025.

Musk will meet investigators in April, and X said it would appeal the decision.

X was fined in March 2025 and lost its appeal in June 2025.
"""


def _gold():
    return [json.loads(line) for line in (EVAL / "timeline.jsonl").read_text().splitlines() if line.strip()]


def test_gold_events_with_dates(bundled_engine):
    events = bundled_engine.timeline()
    for g in _gold():
        assert any(e.date.startswith(g["date"]) and g["expect_any"][0] in e.text for e in events), g
    mid = next(e for e in events if "mid-January" in e.text)
    assert (mid.date, mid.mod, mid.date_text) == ("2026-01", "mid", "in mid-January")


def test_events_are_sorted_and_quote_whole_sentences(bundled_engine):
    events = bundled_engine.timeline()
    dates = [e.date for e in events]
    assert dates == sorted(dates)
    for e in events:
        assert e.text in SEED_TEXT and e.date_text in e.text
        assert e.citation.source == "The Independent"


def test_json_shape(bundled_engine):
    e = bundled_engine.timeline()[0].to_json()
    assert set(e) == {"date", "end", "mod", "date_text", "text", "citation", "also"}
    assert set(e["citation"]) == {"doc_id", "title", "source", "url", "published", "paragraph", "link"}


def test_same_event_from_two_outlets_is_one_event_with_both_citations(settings, embedder):
    (settings.corpus_dir / "second.md").write_text(SECOND, encoding="utf-8")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    events = engine.timeline()
    raids = [e for e in events if e.text.startswith("Paris prosecutors have raided")]
    assert len(raids) == 1
    assert raids[0].citation.source == "The Independent" and [c.source for c in raids[0].also] == ["The Example Times"]
    # "on Tuesday" in an article of Wednesday 4 February is still Tuesday 3 February.
    assert raids[0].date == "2026-02-03"
    # A month sorts before the days of that month; a sentence with two dates gives two events.
    dates = [e.date for e in events]
    assert dates.index("2026-04") < dates.index("2026-04-20")
    two = [e for e in events if e.text.startswith("The hearing is scheduled")]
    assert [e.date for e in two] == ["2026-04-20"]
    fined = [e for e in events if e.text.startswith("X was fined")]
    assert [(e.date, e.date_text) for e in fined] == [("2025-03", "in March 2025"), ("2025-06", "in June 2025")]
    lawyers = [e for e in events if e.text.startswith("Lawyers for X")]
    assert [e.date for e in lawyers] == ["2025"]


def test_topic_filter_keeps_relevant_events(settings, embedder):
    (settings.corpus_dir / "second.md").write_text(SECOND, encoding="utf-8")
    (settings.corpus_dir / "bridge.md").write_text(
        "---\ntitle: Council approves bridge\nsource: Local News\npublished: 2026-01-15\n---\n\n"
        "The city council approved a new bridge over the river on Thursday.\n", encoding="utf-8")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    everything = engine.timeline()
    assert any("bridge" in e.text for e in everything)
    grok = engine.timeline(query="Grok images")
    assert grok and all("bridge" not in e.text for e in grok)
    assert any("mid-January" in e.text for e in grok)
    assert len(grok) < len(everything)


def test_date_range_overlaps_partial_dates(bundled_engine):
    events = bundled_engine.timeline(since=date(2026, 1, 20), until=date(2026, 2, 3))
    assert {e.date for e in events} == {"2026-01", "2026-02-03"}
    assert bundled_engine.timeline(since=date(2030, 1, 1)) == []


def test_timeline_does_no_tagging_at_request_time(bundled_engine, monkeypatch):
    def fail(*a, **k):
        raise AssertionError("tag_dates called at request time")

    monkeypatch.setattr("retrieval.temporal.tag_dates", fail)
    assert bundled_engine.timeline()


@pytest.mark.parametrize("value, first, last", [
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-02-03", date(2026, 2, 3), date(2026, 2, 3)),
])
def test_period(value, first, last):
    assert period(value) == (first, last)
    assert in_range(value, first, first) and not in_range(value, None, first.replace(year=first.year - 1))


# --- same-event features and the quoted sentence (issue 12) ---------------------------------------------------

from retrieval import fitted  # noqa: E402
from retrieval.lexical import tokenize  # noqa: E402
from retrieval.same_event import sentence_terms  # noqa: E402
from retrieval.store import DateRow, SentenceRow  # noqa: E402
from retrieval.timeline import _clearest, _states_its_date  # noqa: E402


@pytest.mark.parametrize(("text", "names", "not_acts"), [
    ("The European Commission fined X €120 million on Friday.", {"x", "€120m", "european", "commission"},
     {"friday"}),
    ("Brussels fined X €120m in December.", {"x", "€120m"}, {"decemb", "december"}),
    ("Shares in Boeing fell 5% on Monday, the NYSE said.", {"boeing", "5%", "nyse"}, {"monday"}),
    ("Mr Musk and Ms Yaccarino were summoned for 20 April.", {"musk", "yaccarino"}, {"april", "20"}),
])
def test_sentence_terms_name_actors_and_figures_and_leave_out_the_calendar(text, names, not_acts):
    got_names, acts = sentence_terms(text, tokenize(text))
    assert names <= got_names
    assert not (got_names & {"mr", "ms", "friday", "december", "monday", "april"})
    assert not (acts & not_acts)


@pytest.mark.parametrize(("text", "date_text", "stated"), [
    ("Prosecutors raided the offices on Tuesday.", "on Tuesday", True),
    ("The search on Tuesday was carried out by the cybercrime unit.", "on Tuesday", True),
    ("X called Tuesday's raid an abusive act.", "Tuesday", False),
    ("Shares have fallen since Tuesday.", "Tuesday", False),
    ("Lawyers met ahead of the hearing until 20 April.", "20 April", False),
    ("Protests continued after the ruling on 3 March.", "on 3 March", True),
])
def test_a_sentence_states_its_date_or_only_mentions_it(text, date_text, stated):
    start = text.index(date_text)
    assert _states_its_date(text, start, start + len(date_text)) is stated


def test_clearest_prefers_the_stated_act_then_fewer_dates_then_the_earliest_report():
    day = lambda text, dt: DateRow("2026-02-03", None, dt, text.index(dt), text.index(dt) + len(dt))  # noqa: E731
    texts = ["X called Tuesday's raid abusive.", "Police raided X on Tuesday after a raid in 2024 and one on 5 May.",
             "Police raided X's offices on Tuesday.", "Investigators raided X on Tuesday."]
    dts = ["Tuesday", "on Tuesday", "on Tuesday", "on Tuesday"]
    dated = [(SentenceRow(i, f"d{i}", 1, 0, 0, 1, t, ()), day(t, dt)) for i, (t, dt) in enumerate(zip(texts, dts))]
    per_sentence = {0: 1, 1: 3, 2: 1, 3: 1}
    published = {"d0": "2026-02-03", "d1": "2026-02-03", "d2": "2026-02-04", "d3": "2026-02-03"}
    order = lambda row: (published[row.doc_id], "Outlet", row.doc_id)  # noqa: E731
    assert _clearest([0, 1, 2, 3], dated, per_sentence, order) == 3  # stated, one date, earliest
    assert _clearest([0, 1, 2], dated, per_sentence, order) == 2  # one date beats an earlier chronology
    assert _clearest([0, 1], dated, per_sentence, order) == 1  # a stated act beats a mention


def test_same_event_model_is_fitted_by_the_project_script():
    fit = fitted.load("timeline")
    assert fit["fitted_by"] == "python -m retrieval.fit_timeline"
    assert set(fit["weights"]) == {"bias", "cos", "names", "acts"} and set(fit["thresholds"]) == {"day", "coarse"}
    assert fit["weights"]["cos"] > 0  # more alike in meaning, more likely the same happening
