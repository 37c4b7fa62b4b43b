"""Vector search alone at a large size (no model): exact search against the index casebot would choose.

The vectors are synthetic but shaped like sentence embeddings: each is a random blend of two vectors the model
produced for the benchmark's sentences, plus noise (without such vectors: noisy copies of random cluster
centres). Queries are drawn the same way and are not in the index.
"""
from __future__ import annotations

import time

import faiss
import numpy as np

from benchmarks.measure import summary_ms
from retrieval.vectors import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M, build_vector_index, index_kind
from retrieval.vectors import search as vector_search

FLAT_PROBE_SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000)


def synthetic_vectors(n: int, dim: int, real: np.ndarray | None, rng: np.random.Generator,
                      chunk: int = 100_000) -> np.ndarray:
    out = np.empty((n, dim), dtype=np.float32)
    centres = None
    if real is None or len(real) < 2:
        centres = rng.standard_normal((4096, dim)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        noise = rng.standard_normal((m, dim)).astype(np.float32) * np.float32(0.35 / np.sqrt(dim))
        if centres is not None:
            v = centres[rng.integers(0, len(centres), m)] + noise * 2
        else:
            a = rng.uniform(0.5, 1.0, (m, 1)).astype(np.float32)
            v = a * real[rng.integers(0, len(real), m)] + (1 - a) * real[rng.integers(0, len(real), m)] + noise
        out[start:start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def _latencies(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[list[float], np.ndarray]:
    times, found = [], []
    for q in queries:
        started = time.perf_counter()
        _, ids = vector_search(index, q, k)
        times.append(time.perf_counter() - started)
        found.append(np.pad(ids, (0, k - len(ids)), constant_values=-1))
    return times, np.stack(found)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(f[f >= 0]) & set(t)) / k for f, t in zip(found, truth)]))


def flat_latency_by_size(vectors: np.ndarray, queries: np.ndarray, sizes=FLAT_PROBE_SIZES, k: int = 10,
                         per_size: int = 20) -> dict[int, dict]:
    out = {}
    for n in sorted({s for s in sizes if s <= len(vectors)} | {len(vectors)}):
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors[:n])
        _latencies(index, queries[:3], k)  # warm-up
        times, _ = _latencies(index, queries[:per_size], k)
        out[n] = summary_ms(times)
        del index
    return out


def switch_point(flat_by_size: dict[int, dict], budget_ms: float) -> int | None:
    """Sentences at which exact search's p95 reaches the budget (a straight-line fit through the probes)."""
    if len(flat_by_size) < 2 or not budget_ms or budget_ms != budget_ms:
        return None
    n = np.array(sorted(flat_by_size), dtype=np.float64)
    t = np.array([flat_by_size[int(x)]["p95_ms"] for x in n])
    slope, intercept = np.polyfit(n, t, 1)
    if slope <= 0:
        return None
    return max(int((budget_ms - intercept) / slope), 0)


def vector_search_at(n: int, dim: int, real: np.ndarray | None, ann_min_vectors: int, seed: int,
                     queries_n: int = 200, log=print) -> dict:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    vectors = synthetic_vectors(n, dim, real, rng)
    queries = synthetic_vectors(queries_n, dim, real, rng)
    log(f"  {n:,} synthetic vectors made in {time.perf_counter() - started:.1f}s")

    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    truth = flat.search(queries, 10)[1]  # batched, the ground truth
    flat_times, flat_found = _latencies(flat, queries[:50], 10)
    result = {"vectors": n, "dim": dim, "queries": queries_n, "shape": "blends of model vectors" if real is not None
              and len(real) >= 2 else "noisy cluster centres",
              "flat": {**summary_ms(flat_times), "recall_at_10": recall_at(flat_found, truth[:50])}}
    del flat
    log("  flat latency by size …")
    result["flat_by_size"] = flat_latency_by_size(vectors, queries)

    chosen_kind = "hnsw" if n >= ann_min_vectors else "flat"
    result["casebot_choice"] = chosen_kind
    result["ann_min_vectors"] = ann_min_vectors
    log(f"  building HNSW over {n:,} vectors with casebot's parameters …")
    started = time.perf_counter()
    hnsw = build_vector_index(vectors, ann_min_vectors=1)
    build_s = time.perf_counter() - started
    assert index_kind(hnsw) == "hnsw"
    _latencies(hnsw, queries[:5], 10)
    times, found = _latencies(hnsw, queries, 10)
    result["hnsw"] = {**summary_ms(times), "recall_at_10": recall_at(found, truth), "build_s": build_s,
                      "build_vectors_per_s": n / build_s, "M": HNSW_M,
                      "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": HNSW_EF_SEARCH}
    result["chosen"] = result["hnsw"] if chosen_kind == "hnsw" else result["flat"]
    return result
