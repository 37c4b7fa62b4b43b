"""Question and timeline latency on an open index, each question timed beside a raw encode of itself."""
from __future__ import annotations

import time

import retrieval.answering as answering
import retrieval.features as features
from retrieval.soft_terms import SoftMatcher
import retrieval.engine as engine_mod
import retrieval.search as search
import retrieval.timeline as timeline_mod
from benchmarks.measure import StageTimer, summary_ms
from retrieval.embeddings import Embedder
from retrieval.engine import CaseEngine
from retrieval.lexical import LexicalIndex
from retrieval.store import SentenceStore


def raw_query_encode(embedder: Embedder, text: str) -> float:
    """The floor for one question: `SentenceTransformer.encode` of that one text."""
    started = time.perf_counter()
    embedder._model.encode([text], batch_size=embedder.batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - started


def ask_latency(engines: dict[int, CaseEngine], questions: list[str], warmup: int = 5) -> dict[int, dict]:
    """Each question is encoded raw, then asked at every size in turn, so all of them see the same machine load
    (on a shared machine, load that comes and goes would otherwise land on one size and not another)."""
    any_engine = next(iter(engines.values()))
    for q in questions[:warmup]:
        raw_query_encode(any_engine.embedder, q)
        for engine in engines.values():
            engine.ask(q)
    asks: dict[int, list[float]] = {size: [] for size in engines}
    answered = dict.fromkeys(engines, 0)
    raws = []
    for q in questions:
        raws.append(raw_query_encode(any_engine.embedder, q))
        for size, engine in engines.items():
            started = time.perf_counter()
            result = engine.ask(q)
            asks[size].append(time.perf_counter() - started)
            answered[size] += result.answered
    raw = summary_ms(raws)
    return {size: {"ask": summary_ms(asks[size]), "raw_encode": raw, "questions": len(questions),
                   "answered": answered[size]} for size in engines}


def ask_stages() -> StageTimer:
    return StageTimer({
        "parse question": (engine_mod, "parse_question"),
        "encode question (model)": (Embedder, "encode_query"),
        "gather candidates and features": (engine_mod, "gather"),
        "  hybrid candidates": (answering, "hybrid_candidates"),
        "    dense search (FAISS)": (search, "dense_search"),
        "    BM25 scores": (LexicalIndex, "scores"),
        "    vectors_of (reconstruct)": (search, "vectors_of"),
        "  store.sentences (SQLite)": (SentenceStore, "sentences"),
        "  candidate features (all candidates at once)": (answering, "candidate_feature_matrix"),
        "    answer slots (type_match, per candidate)": (features, "type_match"),
        # One product for the candidate sentences and the checked articles (the gap) together.
        "  soft word support (sentences + articles)": (SoftMatcher, "support_groups"),
        "  word ids of the candidate sentences (vocabulary)": (answering, "sentence_word_ids"),
        "  article word ids (kept per build)": (answering, "article_word_ids"),
        "    article words (SQLite, as the reindex wrote them)": (SentenceStore, "article_words"),
        "    article words made from its sentences (a backend without them)": (answering, "article_words"),
        "  word ids (SoftMatcher.ids, of both; new words' vectors)": (SoftMatcher, "ids"),
        "  document terms (SQLite, as the reindex wrote them; kept per build)": (SentenceStore, "document_term_text"),
        "  date spans (SQLite)": (SentenceStore, "date_spans"),
        "  gap (question words unsupported; all checked articles at once)": (answering, "support_gaps"),
        "rank (fitted ranker)": (engine_mod, "rank"),
        "answer probability (fitted abstention)": (engine_mod, "answer_probability"),
        "build answers": (engine_mod, "build_answers"),
        "  _passage (SQLite for an answer that leans on the sentence before)": (answering, "_passage"),
    })


def ask_breakdown(engine: CaseEngine, questions: list[str]) -> dict:
    stages = ask_stages()
    with stages.active():
        for q in questions:
            engine.ask(q)
    return stages.report(per=len(questions))


def timeline_latency(engine: CaseEngine, queries: list[str], reps: int, slow_s: float = 2.0) -> dict:
    """Whole-case and topical timelines; a call slower than `slow_s` is not repeated (it is not noise-bound)."""
    stages = StageTimer({
        "store.dated_sentences (SQLite)": (SentenceStore, "dated_sentences"),
        "topic filter": (timeline_mod, "topic_filter"),
        "vectors_of": (timeline_mod, "vectors_of"),
    })
    whole = []
    with stages.active():
        started = time.perf_counter()
        events = len(engine.timeline())
        whole.append(time.perf_counter() - started)
    if whole[0] < slow_s:
        for _ in range(max(reps, 1)):
            started = time.perf_counter()
            engine.timeline()
            whole.append(time.perf_counter() - started)
        whole = whole[1:]  # the first call was the warm-up
    topical, topical_events = [], []
    for q in queries:
        started = time.perf_counter()
        topical_events.append(len(engine.timeline(query=q)))
        topical.append(time.perf_counter() - started)
        if topical[-1] > slow_s * 4 and len(topical) >= 2:
            break
    return {"whole": summary_ms(whole), "whole_events": events, "query": summary_ms(topical),
            "query_events_mean": sum(topical_events) / len(topical_events) if topical_events else 0,
            "whole_stages_ms": stages.report()}


def thread_probe(embedder: Embedder, questions: list[str], texts: list[str], reps: int = 2) -> dict:
    """Single-query and batch encode with one torch thread against the configured count, interleaved.

    On a 2-core machine that is doing anything else (a reindex beside the bot, another process), one thread
    per core can make each of the model's many small parallel steps wait for a descheduled thread.
    """
    import torch

    configured = torch.get_num_threads()
    counts = sorted({1, configured})
    single: dict[int, list[float]] = {n: [] for n in counts}
    batch: dict[int, list[float]] = {n: [] for n in counts}
    try:
        for q in questions:
            for n in counts:
                torch.set_num_threads(n)
                single[n].append(raw_query_encode(embedder, q))
        for _ in range(reps):
            for n in counts:
                torch.set_num_threads(n)
                started = time.perf_counter()
                embedder._model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
                batch[n].append(time.perf_counter() - started)
    finally:
        torch.set_num_threads(configured)
    return {"configured": configured,
            "by_threads": {n: {"query": summary_ms(single[n]),
                               "batch_sentences_per_s": len(texts) * len(batch[n]) / sum(batch[n])}
                           for n in counts}}
