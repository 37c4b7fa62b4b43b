"""The FAISS index over normalised sentence vectors: exact inner product while that is fast, HNSW beyond."""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def build_vector_index(vectors: np.ndarray, *, ann_min_vectors: int) -> faiss.Index:
    dim = vectors.shape[1]
    if vectors.shape[0] >= ann_min_vectors:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if vectors.shape[0]:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_kind(index: faiss.Index) -> str:
    return "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"


def save_vector_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_vector_index(path: Path) -> faiss.Index:
    index = faiss.read_index(str(path))
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the k nearest sentences; ids of -1 (fewer sentences than k) are dropped."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), k)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def vectors_of(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    return index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
