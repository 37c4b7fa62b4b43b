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
  slot       answer-type slot (name, place, cause, duration) in the sentence: 0.5, or 1 next to a question word
             (a duration is no crisp slot: as one, it moved the crisp weights that keep "how much" near-misses out)
  crisp_slot the same for the crisp types: a date for "when", a number for "how many", an amount for "how much"
  no_slot    1 for a crisp question whose sentence has no date, number or amount at all
  recent     for a question about how things stand now, how late the article is among the candidates' articles
  date_match for a question naming a date ("fined in January 2023", "on 3 February"): 1 when one of the
             sentence's dates falls in it, −1 when the sentence gives dates and none does, else 0
Per question, on the sentence shown first, the ranker's best (`QUESTION_FEATURES`), for the abstention decision
(`retrieval.answering.answer_features`):
  top        the answerability scorer's logit of the shown sentence (the scorer's logits compare questions)
  margin     its lead over the scorer's best sentence saying something else (negative when the scorer prefers it)
  dense      cosine of the shown sentence
  context    its share of the question's terms in it, its article's title or first paragraph (as above)
  slot       answer-type evidence of the shown sentence (as above; 1 for untyped questions)
  gap        the most telling question word the shown sentence's article does not support: max over the
             question's words of weight · (1 − soft support in the article and its title; a name or a number is
             supported only where it is written: `retrieval.answering.entity_support`), over ZIPF_CEILING, in
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
from typing import Collection, Iterable, Mapping, Sequence

import numpy as np

from retrieval.answer_signals import type_match
from wordfreq import zipf_frequency

from retrieval.lexical import K1, LexicalIndex, tokenize
from retrieval.query_terms import QueryTerms
from retrieval.question import Question, QuestionType
from retrieval.store import DocumentRow, SentenceRow

CANDIDATE_FEATURES = ("dense", "bm25", "cover", "soft", "context", "foreign", "slot", "crisp_slot", "no_slot",
                      "recent", "date_match")
QUESTION_FEATURES = ("top", "margin", "dense", "context", "slot", "gap")

CRISP_KINDS = frozenset({QuestionType.WHEN, QuestionType.HOW_MANY, QuestionType.HOW_MUCH})
TYPED_KINDS = CRISP_KINDS | {QuestionType.WHO, QuestionType.WHERE, QuestionType.WHY, QuestionType.HOW_LONG}

# A name, an acronym or a number in the question, not its first word (capitalised anyway).
_ENTITY = re.compile(r"(?<=\s)(?:[A-Z][\w’'.-]*|\w*\d[\w.,]*)|^\w*\d[\w.,]*")


ZIPF_CEILING = 9.0  # Zipf = log10 frequency per billion words: 9 − Zipf is −log10 of the frequency


@lru_cache(maxsize=65536)
def word_weight(word: str) -> float:
    """Information of a word in general English, in log10 units (≈ 1.3 for "the", 9 for a word never seen)."""
    return max(ZIPF_CEILING - zipf_frequency(word, "en"), 0.0)


@lru_cache(maxsize=32768)  # above the articles of a large case (5,315 at 100,000 sentences): a title is stemmed once
def title_tokens(title: str) -> frozenset[str]:
    """The tokens of an article's title, as `tokenize` gives them (cached: titles repeat across questions)."""
    return frozenset(tokenize(title))


def entity_terms(question: str, terms: QueryTerms) -> list[frozenset[str]]:
    """The question's terms that come from names, acronyms and numbers."""
    found = {t for m in _ENTITY.finditer(question) for t in tokenize(m.group())}
    return [alts for alts in terms.terms if alts & found]


def _date_key(value: str, year_less: bool) -> str:
    # A tagged date against a month or day of no stated year is compared without its year: "2026-02-03" -> "-02-03".
    return value[4:] if year_less and not value.startswith("-") else value


def _dates_overlap(named: tuple[str, str | None], date: tuple[str, str | None]) -> bool:
    """Whether a tagged date (value, until) falls in a named one, compared at the coarser precision of the two:
    "2023-01-16" falls in "2023-01" and in "2023"; "2024-07" does not fall in "2025-07"; against "--07" (July of no
    stated year) any July does, and a bare year says nothing."""
    year_less = named[0].startswith("--")
    q_lo, q_hi = (v[1:] if year_less else v for v in (named[0], named[1] or named[0]))
    lo, hi = (_date_key(v, year_less) for v in (date[0], date[1] or date[0]))
    if not lo:
        return False
    if hi < lo:  # a range over a new year, seen without its years: its first day is enough
        hi = lo
    n = min(len(lo), len(q_lo))
    return lo[:n] <= q_hi[:n] and q_lo[:n] <= hi[:n]


def date_match(named: Sequence[tuple[str, str | None]], dates: Sequence[tuple[str, str | None]]) -> float:
    """The `date_match` feature: 1 when one of a sentence's tagged `dates` (value, until) falls in one of the
    dates the question names (`retrieval.question.named_dates`), −1 when the sentence has dates and none does
    ("fined in May 2023" for "fined in January 2023"), 0 when it has none or the question names none."""
    if not named or not dates:
        return 0.0
    return 1.0 if any(_dates_overlap(q, d) for q in named for d in dates) else -1.0


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


def support_gaps(ctx: QuestionContext, support: np.ndarray) -> np.ndarray:
    """`support_gap` of each row of `support` (articles, len(ctx.words)) at once: (articles,) float64, the same
    values (elementwise products and a maximum, in the same order)."""
    if not support.shape[1]:
        return np.zeros(support.shape[0])
    return np.max(np.asarray(ctx.weights) * (1.0 - support), axis=1) / ZIPF_CEILING


def term_hits(terms: list[frozenset[str]], holders: Sequence[Iterable[str] | str]) -> np.ndarray:
    """(len(holders), len(terms)) bool: whether holder i (a sentence's tokens, an article's) has one of term j's
    alternatives. A holder is a collection of tokens, or a space-separated token string with a space at either
    end (`SentenceStore.document_term_text`). Each holder is intersected once with all the terms' alternatives
    (C set operations or substring searches), not each term with each holder."""
    where: dict[str, list[int]] = {}
    for j, alts in enumerate(terms):
        for token in alts:
            where.setdefault(token, []).append(j)
    alternatives = frozenset(where)
    padded = {t: f" {t} " for t in alternatives if t}
    at_row: list[int] = []
    at_term: list[int] = []
    for i, have in enumerate(holders):
        found = [t for t, p in padded.items() if p in have] if isinstance(have, str) else \
            alternatives.intersection(have)
        for token in found:
            at_term += where[token]
            at_row += [i] * len(where[token])
    out = np.zeros((len(holders), len(terms)), dtype=bool)
    out[at_row, at_term] = True  # one assignment: numpy's per-call cost exceeds a set intersection's
    return out


def weighted_shares(hits: np.ndarray, weights: list[float]) -> np.ndarray:
    """Per row of `hits` (holders, terms): `_share` of the terms it holds, the weights summed in the terms' order
    from 0 (adding 0.0 for a term not held changes no bit), so each value is `_share`'s exactly."""
    total = sum(weights)
    if not total:
        return np.zeros(hits.shape[0])
    held = np.zeros(hits.shape[0])
    for j, w in enumerate(weights):
        held += np.where(hits[:, j], w, 0.0)
    return held / total


def candidate_feature_matrix(ctx: QuestionContext, rows: Sequence[SentenceRow], dense: np.ndarray,
                             bm25: np.ndarray, docs: Mapping[str, DocumentRow],
                             doc_terms: Mapping[str, tuple[Collection[str] | str, Collection[str] | str]],
                             date_spans: Mapping[int, list[tuple[int, int]]], recency: Mapping[str, float],
                             soft_support: np.ndarray,
                             date_values: Mapping[int, list[tuple[str, str | None]]] | None = None) -> np.ndarray:
    """(len(rows), len(CANDIDATE_FEATURES)) float64: row i is `candidate_features` of rows[i] (its cosine
    dense[i], its raw BM25 bm25[i], its article docs[rows[i].doc_id] with that article's (first paragraph's, all)
    tokens doc_terms[...] (sets, or token strings as `term_hits` reads them), its date spans date_spans.get(id, []), its article's recency[...], its `soft_share`
    of soft_support[i], one support value per word of ctx.words, and its tagged dates date_values.get(id, []) as
    (value, until), read only for a question that names a date), for all candidates of a question at once.

    The shares are sums over term-membership matrices (candidates × terms, and articles × terms for the article
    parts, each article once however many of its sentences are candidates); only the answer slot (`type_match`)
    is still read sentence by sentence. Equal to the per-candidate definition to float64 rounding (tested)."""
    n = len(rows)
    out = np.zeros((n, len(CANDIDATE_FEATURES)))
    if not n:
        return out
    col = {name: j for j, name in enumerate(CANDIDATE_FEATURES)}
    doc_ids = list(dict.fromkeys(r.doc_id for r in rows))
    doc_at = {d: j for j, d in enumerate(doc_ids)}
    of_doc = np.fromiter((doc_at[r.doc_id] for r in rows), dtype=np.int64, count=n)
    titles = [title_tokens(docs[d].title) for d in doc_ids]
    sentence_hits = term_hits(ctx.terms, [r.tokens for r in rows])
    # A term is in a union of token sets when it is in one of them: the sets are not joined.
    title_hits = term_hits(ctx.terms, titles)
    lead_hits = term_hits(ctx.terms, [doc_terms[d][0] for d in doc_ids]) | title_hits
    out[:, col["dense"]] = dense
    out[:, col["bm25"]] = np.asarray(bm25, dtype=float) / ctx.bm25_max
    out[:, col["cover"]] = weighted_shares(sentence_hits, ctx.weights)
    total = sum(ctx.weights)
    if total and soft_support.shape[1]:
        # np.dot's sum, term by term, for all candidates at once (no BLAS call: see retrieval.soft_terms).
        held = np.zeros(n)
        for j, w in enumerate(ctx.weights):
            held += w * soft_support[:, j]
        out[:, col["soft"]] = held / total
    out[:, col["context"]] = weighted_shares(sentence_hits | lead_hits[of_doc], ctx.weights)
    if ctx.entities:
        # Each entity is one of the question's terms: its title hits are that term's.
        of_term = {alts: j for j, alts in enumerate(ctx.terms)}
        entity_title = [of_term.get(alts) for alts in ctx.entities]
        article_hits = term_hits(ctx.entities, [doc_terms[d][1] for d in doc_ids])
        article_hits |= (title_hits[:, entity_title] if None not in entity_title
                         else term_hits(ctx.entities, titles))
        out[:, col["foreign"]] = 1.0 - weighted_shares(article_hits, ctx.entity_weights)[of_doc]
    kind = ctx.question.kind
    if kind in TYPED_KINDS:
        counted, head = ctx.question.counted, ctx.question.head
        slot = np.fromiter((type_match(kind, r.text, ctx.flat, date_spans.get(r.id, []), counted, head)
                            for r in rows), dtype=float, count=n)
        if kind in CRISP_KINDS:
            out[:, col["crisp_slot"]] = slot
            out[:, col["no_slot"]] = slot == 0.0
        else:
            out[:, col["slot"]] = slot
    if ctx.question.about_now:
        out[:, col["recent"]] = [recency[r.doc_id] for r in rows]
    if ctx.question.dates and date_values:
        out[:, col["date_match"]] = [date_match(ctx.question.dates, date_values.get(r.id, [])) for r in rows]
    return out


def candidate_features(ctx: QuestionContext, row: SentenceRow, dense: float, bm25: float,
                       doc: DocumentRow, doc_terms: tuple[frozenset[str], frozenset[str]],
                       date_spans: list[tuple[int, int]], recency: float, soft: float,
                       date_values: Sequence[tuple[str, str | None]] = ()) -> list[float]:
    """The definition, one candidate at a time (`candidate_feature_matrix` computes it for all candidates of a
    question at once, as the ask path does; the tests hold the two together)."""
    have = set(row.tokens)
    lead, every = doc_terms
    context = have | lead | title_tokens(doc.title)
    article = every | title_tokens(doc.title)
    kind = ctx.question.kind
    slot = (type_match(kind, row.text, ctx.flat, date_spans, ctx.question.counted, ctx.question.head)
            if kind in TYPED_KINDS else 0.0)
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
        date_match(ctx.question.dates, date_values),
    ]


def recency_ranks(published: dict[str, str | None]) -> dict[str, float]:
    """doc_id -> 0 for the earliest publication date among these articles, 1 for the latest (0.5 if undated)."""
    dates = sorted({p for p in published.values() if p})
    if len(dates) < 2:
        return {d: 0.5 for d in published}
    pos = {p: i / (len(dates) - 1) for i, p in enumerate(dates)}
    return {d: pos[p] if p else 0.5 for d, p in published.items()}


def question_features(ctx: QuestionContext, logits: np.ndarray, top: list[float] | None, top_gap: float) -> list[float]:
    """`logits`: the shown candidate's, then (if any) its rival's, the best other candidate saying something else;
    `top` the shown candidate's features (None when there is no candidate); `top_gap` the gap of its article
    (`support_gap`). The margin is capped at 10, as is the one of a question with a single candidate."""
    if top is None:
        return [-10.0, 0.0, 0.0, 0.0, 0.0, full_gap(ctx)]
    f = dict(zip(CANDIDATE_FEATURES, top))
    margin = float(logits[0] - logits[1]) if logits.size > 1 else 10.0
    slot = max(f["slot"], f["crisp_slot"]) if ctx.question.kind in TYPED_KINDS else 1.0
    return [float(logits[0]), min(margin, 10.0), f["dense"], f["context"], slot, top_gap]
