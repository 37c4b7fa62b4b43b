"""The case's chronology: dated sentences (tagged at reindex) turned into sorted, de-duplicated events."""
from __future__ import annotations

import calendar
import re
import weakref
from datetime import date
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from retrieval import fitted
from retrieval.answering import _dedupe_key, _citation_order, coverage
from retrieval.case_index import CaseIndex
from retrieval.config import DEFAULT_MODEL
from retrieval.lexical import tokenize
from retrieval.models import Citation, TimelineEvent
from retrieval.question import Question
from retrieval.same_event import PairContext, granularity, same_event, sentence_terms
from retrieval.vectors import vectors_of

TOPIC_THRESHOLD = 0.35


def period(value: str) -> tuple[date, date]:
    """The first and last day a YYYY / YYYY-MM / YYYY-MM-DD value covers."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    d = date(*parts)
    return d, d


def in_range(value: str, since: date | None, until: date | None, end: str | None = None) -> bool:
    """Does the date (or the range value..end) overlap [since, until]?"""
    first, last = period(value)
    if end:
        last = max(last, period(end)[1])
    return (since is None or last >= since) and (until is None or first <= until)


def topic_filter(index: CaseIndex, question: Question, qvec: np.ndarray, ids: list[int]) -> set[int]:
    """The dated sentences about the topic: the same evidence as answering, with a looser bar."""
    if not ids:
        return set()
    qtokens = tokenize(question.text)
    rows = index.store.sentences(ids)
    cos = vectors_of(index.vectors, np.array(ids, dtype=np.int64)) @ qvec.astype(np.float32)
    keep = set()
    for sid, c in zip(ids, cos):
        row = rows.get(sid)
        if row is not None and 0.55 * float(c) + 0.45 * coverage(qtokens, row.tokens, index.lexical) >= TOPIC_THRESHOLD:
            keep.add(sid)
    return keep


# A date's sentences are compared with its events a block at a time, in one matrix product: a comparison per pair
# in Python made the whole-case timeline take ~30 s at 100,000 sentences, and a product per sentence was still
# slow, as OpenBLAS spreads each small product over cores that may be busy.
_BLOCK = 256


def _merge_same_date(order: list[int], keys: list[str], same: Callable[[np.ndarray, np.ndarray], np.ndarray]
                     ) -> list[list[int]]:
    """One date's sentences (rows, in timeline order) as events: each sentence joins the first event started
    before it with the same dedupe key or that ``same(event_first_rows, rows)`` (a boolean matrix) says reports
    the same happening, or starts its own. Returns each event's rows, the one that started it first; events in
    the order they were started."""
    events: list[list[int]] = []
    by_key: dict[str, int] = {}  # unique: a sentence with an event's key joins it rather than starting another
    for lo in range(0, len(order), _BLOCK):
        block = np.asarray(order[lo:lo + _BLOCK], dtype=np.int64)
        before = len(events)
        firsts = np.asarray([e[0] for e in events], dtype=np.int64)
        same_before = same(firsts, block) if before else np.zeros((0, len(block)), bool)
        same_within = np.triu(same(block, block), 1)  # [u, t]: block sentence u (before t) may be t's event
        started: list[int] = []  # block positions of the sentences that started events in this block
        for t, row in enumerate(block.tolist()):
            limit = by_key.get(keys[row], len(events))  # only an event started before the key's one can win
            hits = np.flatnonzero(same_before[:limit, t])
            found = int(hits[0]) if hits.size else None
            if found is None:
                found = next((before + k for k, u in enumerate(started[:max(limit - before, 0)])
                              if same_within[u, t]), None)
            if found is None and limit < len(events):
                found = limit
            if found is None:
                by_key[keys[row]] = len(events)
                events.append([row])
                started.append(t)
            else:
                events[found].append(row)
    return events


# Words before a date that make it a mention of something else rather than the date of the sentence's act
# ("since Tuesday", "after the raid on Tuesday" is still the act; "ahead of", "until", "by" are not).
_NOT_ITS_DATE = {"since", "after", "following", "before", "until", "till", "by", "from", "of", "than"}


def _states_its_date(text: str, start: int, end: int) -> bool:
    """Does the sentence state its act with this date ("raided X's offices on Tuesday") rather than only mention
    it ("since Tuesday's raid", "ahead of the hearing on 20 April"... judged by the word before the date and a
    possessive after it)?"""
    words = re.findall(r"[\w']+", text[max(0, start - 30):start].lower())
    prev = words[-1] if words else ""
    if prev in ("on", "in", "at") and len(words) > 1:
        prev = words[-2] if words[-2] in _NOT_ITS_DATE else prev
    return prev not in _NOT_ITS_DATE and not re.match(r"['’]s\b", text[end:end + 3])


def _clearest(members: list[int], dated: list, dates_per_sentence: dict[int, int], cite_order) -> int:
    """The member to quote: one that states the act with its date (see _states_its_date) before one that only
    mentions it; then one with fewer dates (a sentence about one happening rather than a chronology); then the
    earliest publication; then the one the others were matched against (the event's first sentence: every other
    member was judged the same happening as it, not necessarily as each other), then the earliest to join.
    Lexicographic, so no weight is involved."""
    def rank(k: int) -> tuple:
        row, d = dated[members[k]]
        return (not _states_its_date(row.text, d.start, d.end), dates_per_sentence.get(row.id, 1),
                cite_order(row)[0], k)
    return members[min(range(len(members)), key=rank)]


# The actors and acts of each sentence, for the index in service (a reindex opens a new CaseIndex, so nothing goes
# stale): reading them costs ~0.1 ms a sentence, paid by the first timeline request rather than by every one.
_terms_cache: tuple[weakref.ref | None, dict[int, tuple[set[str], set[str]]]] = (None, {})


def _terms_of(index: CaseIndex, rows: list) -> list[tuple[set[str], set[str]]]:
    global _terms_cache
    ref, cache = _terms_cache
    if ref is None or ref() is not index:
        try:
            _terms_cache = ref, cache = weakref.ref(index), {}
        except TypeError:  # a stand-in that cannot be weakly referenced: no cache
            cache = {}
    out = []
    for row in rows:
        terms = cache.get(row.id)
        if terms is None:
            terms = cache[row.id] = sentence_terms(row.text, row.tokens)
        out.append(terms)
    return out


def _same_event_model(model: str = DEFAULT_MODEL) -> tuple[dict[str, float], dict[str, float]]:
    """(weights, bar per granularity) fitted for the embedding model `model`, from fitted.json; raises
    fitted.MissingFit when never fitted."""
    fit = fitted.load_for_model("timeline", model)
    return fit["weights"], fit["thresholds"]


def build_timeline(index: CaseIndex, *, topic: tuple[Question, np.ndarray] | None = None,
                   since: date | None = None, until: date | None = None) -> list[TimelineEvent]:
    """The case's events: dated sentences grouped by date (a range by its first and last value), and on each date
    the sentences that report the same happening (retrieval/same_event.py, or the same text) as one event quoting
    the clearest of them (see _clearest), citing every article once: the quoted one, then the others by earliest
    publication. Sorted by date; a month sorts before the days of that month."""
    everything = index.store.dated_sentences()
    # A case has a few thousand distinct dates, each on many sentences.
    spans = {(d.value, d.until) for _, d in everything}
    wanted = {span: in_range(span[0], since, until, span[1]) for span in spans}
    dated = [(row, d) for row, d in everything if wanted[(d.value, d.until)]]
    if topic is not None:
        keep = topic_filter(index, topic[0], topic[1], sorted({row.id for row, _ in dated}))
        dated = [(row, d) for row, d in dated if row.id in keep]
    if not dated:
        return []
    weights, bars = _same_event_model(index.manifest.model)
    ids = np.array([row.id for row, _ in dated], dtype=np.int64)
    ctx = PairContext.build(vectors_of(index.vectors, ids), _terms_of(index, [row for row, _ in dated]))
    keys = [_dedupe_key(row.text) for row, _ in dated]
    by_date: dict[tuple[str, str | None], list[int]] = {}
    dates_per_sentence: dict[int, int] = {}
    for i, (row, d) in enumerate(dated):
        by_date.setdefault((d.value, d.until), []).append(i)
        dates_per_sentence[row.id] = dates_per_sentence.get(row.id, 0) + 1
    documents = index.store.documents

    def cite_order(row) -> tuple:
        doc = documents[row.doc_id]
        return (doc.published or "9999", doc.source, doc.doc_id)  # _citation_order without building a Citation

    out = []
    for (value, _), order in by_date.items():
        bar = bars[granularity(value)]
        # The earliest reports first, so that they anchor the events: later articles react to a happening ("X
        # called Tuesday's raid abusive") more often than the first ones do.
        order.sort(key=lambda i: documents[dated[i][0].doc_id].published or "9999")

        def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return same_event(ctx, a, b, weights, bar)

        # Small products: spread over cores that other work keeps busy they are ~40x slower than on one.
        with threadpool_limits(limits=1, user_api="blas"):
            merged = _merge_same_date(order, keys, same)
        for members in merged:
            chosen = _clearest(members, dated, dates_per_sentence, cite_order)
            row, d = dated[chosen]
            cites: list[Citation] = []
            cited = {row.doc_id}
            for i in members:
                other = dated[i][0]
                if other.doc_id not in cited:  # one citation per article
                    cited.add(other.doc_id)
                    cites.append(documents[other.doc_id].citation(other.paragraph, quote=other.text))
            cites.sort(key=_citation_order)
            out.append(TimelineEvent(date=d.value, mod=d.mod, date_text=d.date_text, text=row.text,
                                     citation=documents[row.doc_id].citation(row.paragraph, quote=row.text),
                                     also=tuple(cites),
                                     end=d.until))
    # Built date by date rather than in the order the events started; the sort below is stable and starts with the
    # date, and each date keeps its own order, so the result is the same.
    out.sort(key=lambda ev: (ev.date, ev.citation.published or "", ev.citation.doc_id, ev.citation.paragraph))
    return out
