"""The case's chronology: dated sentences (tagged at reindex) turned into sorted, de-duplicated events."""
from __future__ import annotations

import calendar
from datetime import date

import numpy as np

from retrieval.answering import _dedupe_key, _citation_order, coverage
from retrieval.case_index import CaseIndex
from retrieval.lexical import tokenize
from retrieval.models import Citation, TimelineEvent
from retrieval.question import Question
from retrieval.vectors import vectors_of

SAME_EVENT_COS = 0.9
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


def in_range(value: str, since: date | None, until: date | None) -> bool:
    first, last = period(value)
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


# A date's sentences are compared with its events a block at a time, in one matrix product: a dot product per
# pair in Python made the whole-case timeline take ~30 s at 100,000 sentences, and a product per sentence was
# still slow, as OpenBLAS spreads each small product over cores that may be busy.
_BLOCK = 256
# A matrix product may round differently from the single dot product that used to decide; anything this close to
# the bar is decided by that dot product, so the same events merge. Far above float32 rounding for unit vectors
# (at most ~2e-5 at 384 dimensions).
_ROUNDING_SLACK = 1e-3


def _same_event(vecs: np.ndarray, event_row: int, row: int) -> bool:
    return float(vecs[event_row] @ vecs[row]) >= SAME_EVENT_COS


def _merge_same_date(order: list[int], keys: list[str], vecs: np.ndarray) -> list[list[int]]:
    """One date's sentences (rows of keys and vecs, in timeline order) as events: each sentence joins the first
    event started before it with the same dedupe key or a cosine of at least SAME_EVENT_COS, or starts its own.
    Returns each event's rows, the one that started it first; events in the order they were started."""
    events: list[list[int]] = []
    by_key: dict[str, int] = {}  # unique: a sentence with an event's key joins it rather than starting another
    bar = SAME_EVENT_COS - _ROUNDING_SLACK
    for lo in range(0, len(order), _BLOCK):
        block = order[lo:lo + _BLOCK]
        vb = vecs[block]
        before = len(events)
        maybe_before = vecs[[e[0] for e in events]] @ vb.T >= bar if before else np.zeros((0, len(block)), bool)
        maybe_within = np.triu(vb @ vb.T >= bar, 1)  # [u, t]: block sentence u (before t) may be t's event
        any_before, any_within = maybe_before.any(axis=0), maybe_within.any(axis=0)
        started: list[int] = []  # block positions of the sentences that started events in this block
        for t, row in enumerate(block):
            limit = by_key.get(keys[row], len(events))  # only an event started before the key's one can win
            found = None
            if any_before[t]:
                found = next((int(j) for j in np.flatnonzero(maybe_before[:limit, t])
                              if _same_event(vecs, events[j][0], row)), None)
            if found is None and any_within[t]:
                found = next((before + k for k, u in enumerate(started[:max(limit - before, 0)])
                              if maybe_within[u, t] and _same_event(vecs, block[u], row)), None)
            if found is None and limit < len(events):
                found = limit
            if found is None:
                by_key[keys[row]] = len(events)
                events.append([row])
                started.append(t)
            else:
                events[found].append(row)
    return events


def build_timeline(index: CaseIndex, *, topic: tuple[Question, np.ndarray] | None = None,
                   since: date | None = None, until: date | None = None) -> list[TimelineEvent]:
    everything = index.store.dated_sentences()
    # A case has a few thousand distinct dates, each on many sentences.
    wanted = {value: in_range(value, since, until) for value in {d.value for _, d in everything}}
    dated = [(row, d) for row, d in everything if wanted[d.value]]
    if topic is not None:
        keep = topic_filter(index, topic[0], topic[1], sorted({row.id for row, _ in dated}))
        dated = [(row, d) for row, d in dated if row.id in keep]
    if not dated:
        return []
    ids = np.array([row.id for row, _ in dated], dtype=np.int64)
    vecs = vectors_of(index.vectors, ids)
    keys = [_dedupe_key(row.text) for row, _ in dated]
    by_date: dict[str, list[int]] = {}
    for i, (_, d) in enumerate(dated):
        by_date.setdefault(d.value, []).append(i)
    documents = index.store.documents
    out = []
    for order in by_date.values():
        for members in _merge_same_date(order, keys, vecs):
            first, d = dated[members[0]]
            cites: list[Citation] = []
            cited: set[str] = set()
            for i in members:
                row = dated[i][0]
                if row.doc_id not in cited:  # one citation per article
                    cited.add(row.doc_id)
                    cites.append(documents[row.doc_id].citation(row.paragraph, quote=row.text))
            cites.sort(key=_citation_order)
            out.append(TimelineEvent(date=d.value, mod=d.mod, date_text=d.date_text, text=first.text,
                                     citation=cites[0], also=tuple(cites[1:])))
    # Built date by date rather than in the order the events started; the sort below is stable and starts with the
    # date, and each date keeps its own order, so the result is the same.
    out.sort(key=lambda ev: (ev.date, ev.citation.published or "", ev.citation.doc_id, ev.citation.paragraph))
    return out
