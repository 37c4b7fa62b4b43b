"""The case's chronology: dated sentences (tagged at reindex) turned into sorted, de-duplicated events."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from retrieval.answering import _dedupe_key, _citation_order, coverage
from retrieval.case_index import CaseIndex
from retrieval.lexical import tokenize
from retrieval.models import Citation, TimelineEvent
from retrieval.question import Question
from retrieval.store import DateRow, SentenceRow
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


@dataclass
class _Event:
    date: DateRow
    row: SentenceRow
    citations: list[Citation] = field(default_factory=list)
    key: str = ""


def build_timeline(index: CaseIndex, *, topic: tuple[Question, np.ndarray] | None = None,
                   since: date | None = None, until: date | None = None) -> list[TimelineEvent]:
    dated = [(row, d) for row, d in index.store.dated_sentences() if in_range(d.value, since, until)]
    if topic is not None:
        keep = topic_filter(index, topic[0], topic[1], sorted({row.id for row, _ in dated}))
        dated = [(row, d) for row, d in dated if row.id in keep]
    if not dated:
        return []
    ids = np.array([row.id for row, _ in dated], dtype=np.int64)
    vecs = vectors_of(index.vectors, ids)
    events: list[_Event] = []
    vec_of: list[np.ndarray] = []
    by_date: dict[str, list[int]] = {}
    for (row, d), vec in zip(dated, vecs):
        cite = index.store.documents[row.doc_id].citation(row.paragraph)
        key = _dedupe_key(row.text)
        same = None
        for j in by_date.get(d.value, []):
            e = events[j]
            if e.key == key or float(vec_of[j] @ vec) >= SAME_EVENT_COS:
                same = e
                break
        if same is not None:
            if all(c.doc_id != cite.doc_id for c in same.citations):
                same.citations.append(cite)
            continue
        by_date.setdefault(d.value, []).append(len(events))
        events.append(_Event(d, row, [cite], key))
        vec_of.append(vec)
    out = []
    for e in events:
        cites = sorted(e.citations, key=_citation_order)
        out.append(TimelineEvent(date=e.date.value, mod=e.date.mod, date_text=e.date.date_text, text=e.row.text,
                                 citation=cites[0], also=tuple(cites[1:])))
    out.sort(key=lambda ev: (ev.date, ev.citation.published or "", ev.citation.doc_id, ev.citation.paragraph))
    return out
