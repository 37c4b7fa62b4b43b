"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.case_index import CaseIndex
from retrieval.vectors import search as dense_search
from retrieval.vectors import vectors_of

RRF_K = 60
DENSE_DEPTH = 40
LEXICAL_DEPTH = 40


@dataclass(frozen=True)
class Candidate:
    sentence_id: int
    dense: float  # cosine similarity to the question
    bm25: float  # raw BM25 score
    rrf: float  # reciprocal rank fusion of both rankings


def hybrid_candidates(index: CaseIndex, query_vec: np.ndarray, query_tokens: list[str],
                      depth: int = DENSE_DEPTH) -> list[Candidate]:
    d_scores, d_ids = dense_search(index.vectors, query_vec, depth, only=index.live_rows)
    bm25_all = index.lexical.scores(query_tokens)
    if bm25_all.size and bm25_all.max() > 0:
        k = min(LEXICAL_DEPTH, bm25_all.size)
        top = np.argpartition(-bm25_all, k - 1)[:k]
        l_ids = top[np.argsort(-bm25_all[top])]
        l_ids = l_ids[bm25_all[l_ids] > 0]
    else:
        l_ids = np.zeros(0, dtype=np.int64)

    rrf: dict[int, float] = {}
    for rank, sid in enumerate(d_ids):
        rrf[int(sid)] = rrf.get(int(sid), 0.0) + 1.0 / (RRF_K + rank + 1)
    for rank, sid in enumerate(l_ids):
        rrf[int(sid)] = rrf.get(int(sid), 0.0) + 1.0 / (RRF_K + rank + 1)
    if not rrf:
        return []
    ids = np.fromiter(rrf.keys(), dtype=np.int64)
    # Lexical-only candidates need their cosine too, so every candidate is judged on the same evidence.
    cos = vectors_of(index.vectors, ids) @ query_vec.astype(np.float32)
    return [Candidate(int(sid), float(c), float(bm25_all[sid]) if bm25_all.size else 0.0, rrf[int(sid)])
            for sid, c in zip(ids, cos)]
