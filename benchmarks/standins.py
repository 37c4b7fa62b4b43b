"""Stand-in vectors for the sentences the benchmark does not send through the model.

On this kind of machine the model embeds a few dozen sentences a second, so embedding 100,000 would take
longer than the whole benchmark may. The model embeds a real sample (the full-reindex measurement); every other
sentence gets the model's vector of a sampled sentence from the same storyline and template (they differ only
in names, dates and figures), moved by seeded noise to cosine ~0.9 so no two stand-ins are duplicates.
They are written to the embedding cache before the index is built, so the build runs the real pipeline
without the model. Search, memory and disk costs do not depend on the values; `--embed-all` uses the model
for every sentence instead.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from retrieval.embeddings import EmbeddingCache, text_key

NOISE = 0.48  # |noise| relative to the unit source vector: cosine to the source ~ 1 / sqrt(1 + 0.48^2) = 0.9


def _pick(options: list[int], text: str) -> int:
    h = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    return options[h % len(options)]


def stand_in_vectors(texts: list[str], kinds: list[str], real: dict[str, np.ndarray], seed: int) -> np.ndarray:
    """Vectors for `texts` (the model's own where `real` has them); kinds are "story:template" labels."""
    if not real:
        raise ValueError("stand-ins need at least one sentence embedded by the model")
    real_texts = list(real)
    real_kinds: dict[str, list[int]] = defaultdict(list)
    by_template: dict[str, list[int]] = defaultdict(list)
    kind_of = dict(zip(texts, kinds))
    for i, t in enumerate(real_texts):
        k = kind_of.get(t)
        if k is not None:
            real_kinds[k].append(i)
            by_template[k.split(":", 1)[1]].append(i)
    base = np.stack([real[t] for t in real_texts]).astype(np.float32)
    dim = base.shape[1]
    rng = np.random.default_rng(seed)
    out = np.empty((len(texts), dim), dtype=np.float32)
    missing = [i for i, t in enumerate(texts) if t not in real]
    noise = rng.standard_normal((len(missing), dim)).astype(np.float32) * (NOISE / np.sqrt(dim))
    for i, t in enumerate(texts):
        if t in real:
            out[i] = real[t]
    for row, i in enumerate(missing):
        t, k = texts[i], kinds[i]
        options = real_kinds.get(k) or by_template.get(k.split(":", 1)[1]) or list(range(len(real_texts)))
        v = base[_pick(options, t)] + noise[row]
        out[i] = v / np.linalg.norm(v)
    return out


def fill_cache(cache_path: Path, model: str, texts: list[str], kinds: list[str], real: dict[str, np.ndarray],
               seed: int) -> int:
    """Write stand-ins for every text not yet in the cache; returns how many were written."""
    unique: dict[str, str] = {}
    for t, k in zip(texts, kinds):
        unique.setdefault(t, k)
    todo = [t for t in unique if t not in real]
    if not todo:
        return 0
    vecs = stand_in_vectors(todo, [unique[t] for t in todo], real, seed)
    cache = EmbeddingCache(cache_path)
    try:
        cache.put_many(model, todo, vecs)
    finally:
        cache.close()
    return len(todo)


def read_real(cache_path: Path, model: str, texts: list[str], dim: int) -> dict[str, np.ndarray]:
    """The model's vectors for `texts` that the cache holds, by text."""
    cache = EmbeddingCache(cache_path)
    try:
        found = cache.get_many(model, texts, dim)
    finally:
        cache.close()
    out = {}
    for t in texts:
        v = found.get(text_key(t))
        if v is not None:
            out[t] = v
    return out
