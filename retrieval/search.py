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
    # BM25's best LEXICAL_DEPTH, then its scores of the dense candidates it did not return: the interface asks
    # no backend for a score of every sentence of the case (Milvus could not give one cheaply).
    l_ids, l_scores = index.lexical.top(query_tokens, LEXICAL_DEPTH)
    bm25 = {int(i): float(s) for i, s in zip(l_ids, l_scores)}

    rrf: dict[int, float] = {}
    for rank, sid in enumerate(d_ids):
        rrf[int(sid)] = rrf.get(int(sid), 0.0) + 1.0 / (RRF_K + rank + 1)
    for rank, sid in enumerate(l_ids):
        rrf[int(sid)] = rrf.get(int(sid), 0.0) + 1.0 / (RRF_K + rank + 1)
    if not rrf:
        return []
    ids = np.fromiter(rrf.keys(), dtype=np.int64)
    dense_only = [sid for sid in rrf if sid not in bm25]
    bm25.update(zip(dense_only, (float(s) for s in index.lexical.scores_of(query_tokens, dense_only))))
    # Lexical-only candidates need their cosine too, so every candidate is judged on the same evidence.
    cos = vectors_of(index.vectors, ids) @ query_vec.astype(np.float32)
    return [Candidate(int(sid), float(c), bm25[int(sid)], rrf[int(sid)])
            for sid, c in zip(ids, cos)]
