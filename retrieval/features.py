"""The evidence a candidate sentence offers a question, as a few numbers a fitted model weighs.

Per candidate (`CANDIDATE_FEATURES`), all in [0, 1] or close:
  dense      cosine of question and sentence embeddings
  bm25       BM25 of the sentence over the most the question's terms could score (sum of their idf · (k1 + 1))
  cover      weighted share of the question's terms found in the sentence
  soft       the same share with each word counted by its nearest word in the sentence (retrieval.soft_terms):
             "jets" is half supported by "planes"
  context    the same share found in the sentence, its article's title or its first paragraph: "the company" in
             paragraph 6 is known to be X
  foreign    weighted share of the question's names, acronyms and numbers absent from the whole article: a
             Brightline question is not answered from a Northwind article
  slot       answer-type slot (name, place, cause) in the sentence: 0.5, or 1 next to a question word
  crisp_slot the same for the crisp types: a date for "when", a number for "how many", an amount for "how much"
  no_slot    1 for a crisp question whose sentence has no date, number or amount at all
  recent     for a question about how things stand now, how late the article is among the candidates' articles
Per question, on the top candidate (`QUESTION_FEATURES`), for the abstention decision:
  top        the ranker's logit of the best candidate
  margin     its lead over the next distinct candidate
  dense      cosine of the best candidate
  context    its share of the question's terms in it, its article's title or first paragraph (as above)
  slot       answer-type evidence of the best candidate (as above; 1 for untyped questions)
  gap        the most telling question word the best candidate's article does not support: max over the
             question's words of weight · (1 − soft support in the article and its title), over ZIPF_CEILING, in
             [0, 1]. "rugby" in a question put to a corpus on a strike, "weather" to one on a police raid: one
             heavy word missing says more than a share of light ones (fitted against that share, it took its
             weight and left the share none).
A term's weight in these shares is its information in general English, −log10 of its frequency (9 − the Zipf
frequency of `wordfreq`, Speer 2022): a corpus of twenty articles says little about how telling a word is, and
a question word the corpus never uses ("besides") must not outweigh one it does ("fined").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from retrieval.answer_signals import type_match
from wordfreq import zipf_frequency

from retrieval.lexical import K1, LexicalIndex, tokenize
from retrieval.query_terms import QueryTerms
from retrieval.question import Question, QuestionType
from retrieval.store import DocumentRow, SentenceRow

CANDIDATE_FEATURES = ("dense", "bm25", "cover", "soft", "context", "foreign", "slot", "crisp_slot", "no_slot",
                      "recent")
QUESTION_FEATURES = ("top", "margin", "dense", "context", "slot", "gap")

CRISP_KINDS = frozenset({QuestionType.WHEN, QuestionType.HOW_MANY, QuestionType.HOW_MUCH})
TYPED_KINDS = CRISP_KINDS | {QuestionType.WHO, QuestionType.WHERE, QuestionType.WHY}

# A name, an acronym or a number in the question, not its first word (capitalised anyway).
_ENTITY = re.compile(r"(?<=\s)(?:[A-Z][\w’'.-]*|\w*\d[\w.,]*)|^\w*\d[\w.,]*")


ZIPF_CEILING = 9.0  # Zipf = log10 frequency per billion words: 9 − Zipf is −log10 of the frequency


@lru_cache(maxsize=65536)
def word_weight(word: str) -> float:
    """Information of a word in general English, in log10 units (≈ 1.3 for "the", 9 for a word never seen)."""
    return max(ZIPF_CEILING - zipf_frequency(word, "en"), 0.0)


@lru_cache(maxsize=4096)
def _title_tokens(title: str) -> frozenset[str]:
    return frozenset(tokenize(title))


def entity_terms(question: str, terms: QueryTerms) -> list[frozenset[str]]:
    """The question's terms that come from names, acronyms and numbers."""
    found = {t for m in _ENTITY.finditer(question) for t in tokenize(m.group())}
    return [alts for alts in terms.terms if alts & found]


def _share(terms: list[frozenset[str]], weights: list[float], have) -> float:
    total = sum(weights)
    if not total:
        return 0.0
    return sum(w for alts, w in zip(terms, weights) if not alts.isdisjoint(have)) / total


@dataclass(frozen=True)
class QuestionContext:
    """What every candidate of one question is compared with."""

    question: Question
    terms: list[frozenset[str]]
    words: list[str]  # per term, its folded word
    weights: list[float]  # per term, its weight in general English
    entities: list[frozenset[str]]
    entity_weights: list[float]
    bm25_max: float
    flat: list[str]

    @classmethod
    def of(cls, question: Question, qterms: QueryTerms, lexical: LexicalIndex) -> "QuestionContext":
        first_word = dict(zip(qterms.terms, qterms.words))
        terms = list(first_word)
        weights = [word_weight(first_word[alts]) for alts in terms]
        entities = entity_terms(question.text, qterms)
        ent_w = [word_weight(first_word[alts]) for alts in entities]
        bm25_max = sum(lexical.idf(t) for t in qterms.search) * (K1 + 1)
        return cls(question, terms, [first_word[t] for t in terms], weights, entities, ent_w, bm25_max or 1.0,
                   qterms.main_tokens())


def soft_share(ctx: QuestionContext, support: np.ndarray) -> float:
    total = sum(ctx.weights)
    return float(np.dot(ctx.weights, support) / total) if total and len(support) else 0.0


def support_gap(ctx: QuestionContext, support: np.ndarray) -> float:
    """The `gap` feature: max over the question's words of weight · (1 − support), over ZIPF_CEILING; 0 for a
    question without words. `support` holds one value in [0, 1] per word of `ctx.words`."""
    if not len(support):
        return 0.0
    return float(np.max(np.asarray(ctx.weights) * (1.0 - support)) / ZIPF_CEILING)


def full_gap(ctx: QuestionContext) -> float:
    """The gap of an article that supports none of the question's words."""
    return max(ctx.weights, default=0.0) / ZIPF_CEILING


def candidate_features(ctx: QuestionContext, row: SentenceRow, dense: float, bm25: float,
                       doc: DocumentRow, doc_terms: tuple[frozenset[str], frozenset[str]],
                       date_spans: list[tuple[int, int]], recency: float, soft: float) -> list[float]:
    have = set(row.tokens)
    lead, every = doc_terms
    context = have | lead | _title_tokens(doc.title)
    article = every | _title_tokens(doc.title)
    kind = ctx.question.kind
    slot = type_match(kind, row.text, ctx.flat, date_spans) if kind in TYPED_KINDS else 0.0
    foreign = 1.0 - _share(ctx.entities, ctx.entity_weights, article) if ctx.entities else 0.0
    return [
        dense,
        bm25 / ctx.bm25_max,
        _share(ctx.terms, ctx.weights, have),
        soft,
        _share(ctx.terms, ctx.weights, context),
        foreign,
        0.0 if kind in CRISP_KINDS else slot,
        slot if kind in CRISP_KINDS else 0.0,
        1.0 if kind in CRISP_KINDS and slot == 0.0 else 0.0,
        recency if ctx.question.about_now else 0.0,
    ]


def recency_ranks(published: dict[str, str | None]) -> dict[str, float]:
    """doc_id -> 0 for the earliest publication date among these articles, 1 for the latest (0.5 if undated)."""
    dates = sorted({p for p in published.values() if p})
    if len(dates) < 2:
        return {d: 0.5 for d in published}
    pos = {p: i / (len(dates) - 1) for i, p in enumerate(dates)}
    return {d: pos[p] if p else 0.5 for d, p in published.items()}


def question_features(ctx: QuestionContext, logits: np.ndarray, top: list[float] | None, top_gap: float) -> list[float]:
    """`logits` sorted best first, one per distinct candidate; `top` the best candidate's features (None when
    there is no candidate); `top_gap` the gap of the best candidate's article (`support_gap`)."""
    if top is None:
        return [-10.0, 0.0, 0.0, 0.0, 0.0, full_gap(ctx)]
    f = dict(zip(CANDIDATE_FEATURES, top))
    margin = float(logits[0] - logits[1]) if logits.size > 1 else 10.0
    slot = max(f["slot"], f["crisp_slot"]) if ctx.question.kind in TYPED_KINDS else 1.0
    return [float(logits[0]), min(margin, 10.0), f["dense"], f["context"], slot, top_gap]
