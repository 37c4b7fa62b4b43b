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
    assert set(e) == {"date", "mod", "date_text", "text", "citation", "also"}
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
