"""From candidates to answers: score, decide whether the corpus answers at all, add context, merge duplicates."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from retrieval.answer_signals import type_match
from retrieval.case_index import CaseIndex
from retrieval.context import with_context
from retrieval.lexical import LexicalIndex, tokenize
from retrieval.models import Answer, Citation
from retrieval.question import Question, QuestionType
from retrieval.search import Candidate, hybrid_candidates
from retrieval.store import SentenceRow
from retrieval.vectors import vectors_of


OOV_WEIGHT = 1.5
CRISP_KINDS = frozenset({QuestionType.WHEN, QuestionType.HOW_MANY})


@dataclass(frozen=True)
class RankingConfig:
    w_dense: float = 0.55
    w_coverage: float = 0.45
    w_type: float = 0.1
    w_type_crisp: float = 0.2
    # "When" and "how many" have crisp answers: a sentence with no date (number) at all rarely answers them, so
    # its evidence is discounted rather than merely not rewarded. Still a ranking signal, never a filter.
    crisp_missing_factor: float = 0.65
    # Calibrated on the evaluation questions (see tests/eval): below it, the corpus does not answer.
    answer_threshold: float = 0.40
    # Further answers must be this close to the best one, so a weak neighbour is not offered as an answer.
    support_margin: float = 0.2
    # Sentences this similar are one statement told twice (syndication, light edits).
    duplicate_cos: float = 0.96


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    row: SentenceRow
    coverage: float
    type_match: float
    score: float


def coverage(question_tokens: list[str], sentence_tokens: tuple[str, ...], lexical: LexicalIndex) -> float:
    """Share of the question's idf-weighted terms the sentence contains."""
    terms = set(question_tokens)
    if not terms:
        return 0.0
    have = set(sentence_tokens)
    # A term the corpus never uses weighs extra: a question about "weather" is not answered by a sentence that
    # merely shares its "Paris" and "Tuesday".
    weights = {t: lexical.idf(t) * (1.0 if lexical.knows(t) else OOV_WEIGHT) for t in terms}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in have) / total if total else 0.0


def rank(index: CaseIndex, question: Question, qvec: np.ndarray, cfg: RankingConfig) -> list[Scored]:
    qtokens = tokenize(question.text)
    cands = hybrid_candidates(index, qvec, qtokens)
    ids = [c.sentence_id for c in cands]
    rows = index.store.sentences(ids)
    dates = index.store.date_spans(ids) if question.kind is QuestionType.WHEN else {}
    scored = []
    for c in cands:
        row = rows.get(c.sentence_id)
        if row is None:
            continue
        cov = coverage(qtokens, row.tokens, index.lexical)
        tm = type_match(question.kind, row.text, qtokens, dates.get(row.id, ()))
        w_type = cfg.w_type_crisp if question.kind in CRISP_KINDS else cfg.w_type
        score = cfg.w_dense * c.dense + cfg.w_coverage * cov + w_type * tm
        if question.kind in CRISP_KINDS and tm == 0.0:
            score *= cfg.crisp_missing_factor
        scored.append(Scored(c, row, cov, tm, score))
    # Ties go by place in the corpus, not by id: ids depend on when an article was indexed.
    scored.sort(key=lambda s: (-s.score, s.row.doc_id, s.row.paragraph, s.row.position))
    return scored


def _dedupe_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", " ", text).strip()


def _citation_order(c: Citation) -> tuple:
    # The earliest publication is the original; syndicated copies follow.
    return (c.published or "9999", c.source, c.doc_id)


@dataclass
class _Group:
    text: str
    score: float
    citations: list[Citation]
    ids: set[int]
    key: str
    vec: np.ndarray
    quoted: tuple[int, ...] = ()  # the shown passage's sentence ids, in order


def build_answers(index: CaseIndex, ranked: list[Scored], k: int, cfg: RankingConfig) -> list[Answer]:
    if not ranked:
        return []
    best = ranked[0].score
    pool = [s for s in ranked if s.score >= max(cfg.answer_threshold, best - cfg.support_margin)][: k * 6]
    vecs = vectors_of(index.vectors, np.array([s.row.id for s in pool], dtype=np.int64)) if pool else None
    groups: list[_Group] = []
    for i, s in enumerate(pool):
        row = s.row
        doc = index.store.documents[row.doc_id]
        text, ids = _passage(index, row)
        cite = doc.citation(row.paragraph, quote=text)  # each outlet's link opens at its own wording
        key = _dedupe_key(text)
        vec = vecs[i]
        merged = False
        for g in groups:
            if set(ids) <= g.ids:
                merged = True  # already shown as part of a longer passage from this article
                break
            if g.key == key or float(g.vec @ vec) >= cfg.duplicate_cos:
                if all(c.doc_id != cite.doc_id for c in g.citations):
                    g.citations.append(cite)
                merged = True
                break
        if not merged:
            if len(groups) >= k:
                continue
            groups.append(_Group(text, s.score, [cite], set(ids), key, vec, tuple(ids)))
    answers = []
    for g in groups:
        cites = sorted(g.citations, key=_citation_order)
        answers.append(Answer(text=g.text, score=g.score, citation=cites[0], also=tuple(cites[1:]),
                              sentence_ids=g.quoted))
    return answers


def _passage(index: CaseIndex, row: SentenceRow) -> tuple[str, list[int]]:
    if row.position == 0:
        return row.text, [row.id]
    siblings = index.store.paragraph_sentences(row.doc_id, row.paragraph)
    previous = next((s for s in siblings if s.position == row.position - 1), None)
    paragraph = index.store.paragraphs([(row.doc_id, row.paragraph)]).get((row.doc_id, row.paragraph))
    return with_context(row, previous, paragraph)
