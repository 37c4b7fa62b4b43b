"""The FAISS index over normalised sentence vectors: exact inner product while that is fast, HNSW beyond.

One thread for FAISS searches: a single question's search gains nothing from OpenMP, and on a small machine
busy with anything else (a reindex, the model) waiting for a descheduled OpenMP thread doubled exact search
times. Building an HNSW graph does gain from every core, so builds take them while they run.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# 256: recall@10 0.97 at 1,000,000 vectors in 0.9 ms p95 (128 gave 0.945), measured in BENCHMARKS.md.
HNSW_EF_SEARCH = 256

faiss.omp_set_num_threads(1)


def kind_for(rows: int, ann_min_vectors: int) -> str:
    return "hnsw" if rows >= ann_min_vectors else "flat"


def _empty_index(dim: int, rows: int, ann_min_vectors: int) -> faiss.Index:
    if kind_for(rows, ann_min_vectors) == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index
    return faiss.IndexFlatIP(dim)


@contextlib.contextmanager
def _all_cores():
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def build_vector_index(vectors: np.ndarray, *, ann_min_vectors: int) -> faiss.Index:
    index = _empty_index(vectors.shape[1], vectors.shape[0], ann_min_vectors)
    if vectors.shape[0]:
        with _all_cores():
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def extend_vector_index(index: faiss.Index, vectors: np.ndarray, *, ann_min_vectors: int) -> faiss.Index:
    """The index with these rows appended; rebuilt as the other kind when the new size crosses the switch."""
    rows = index.ntotal + vectors.shape[0]
    if index_kind(index) != kind_for(rows, ann_min_vectors):
        old = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)
        return build_vector_index(np.vstack([old, vectors]), ann_min_vectors=ann_min_vectors)
    if vectors.shape[0]:
        with _all_cores():
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


@dataclass(frozen=True)
class RowFilter:
    """Rows search may return: those a sentence still owns. Holds the bitmap FAISS reads through a pointer."""

    bitmap: np.ndarray
    selector: faiss.IDSelector

    @classmethod
    def of(cls, live_rows: np.ndarray, total_rows: int) -> "RowFilter":
        live = np.zeros(total_rows, dtype=bool)
        live[np.asarray(live_rows, dtype=np.int64)] = True
        bitmap = np.packbits(live, bitorder="little")
        return cls(bitmap, faiss.IDSelectorBitmap(total_rows, faiss.swig_ptr(bitmap)))


def search(index: faiss.Index, query: np.ndarray, k: int,
           only: RowFilter | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the k nearest sentences; ids of -1 (fewer sentences than k) are dropped."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    params = None
    if only is not None:
        params = (faiss.SearchParametersHNSW(sel=only.selector, efSearch=HNSW_EF_SEARCH)
                  if isinstance(index, faiss.IndexHNSWFlat) else faiss.SearchParameters(sel=only.selector))
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def vectors_of(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    return index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
