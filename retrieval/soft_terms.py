"""Soft support of a question's words: how close the nearest word of a sentence or article comes to each, in the
embedding model's own static token space (its input word-piece embeddings; a word is the mean of its pieces).

"jets" finds "planes" (0.41), "arrested" finds "detained" (0.55), unrelated words stay near 0.1. No sentence is
encoded at question time: a word's vector is one lookup in the model's embedding matrix, cached per word.
A model without such a matrix falls back to exact matching (1 for the same word, else 0).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np


class SoftMatcher:
    def __init__(self, model: Any | None):
        self._matrix = None
        self._tokenizer = None
        try:  # sentence-transformers: the first module wraps the Hugging Face model and its tokenizer
            first = model[0]
            self._matrix = first.auto_model.get_input_embeddings().weight.detach().cpu().numpy()
            self._tokenizer = first.tokenizer
        except Exception:  # noqa: BLE001 - any other model: exact matching only
            self._matrix = None
        self.vector = lru_cache(maxsize=200_000)(self._vector)

    @classmethod
    def of(cls, embedder: Any) -> "SoftMatcher":
        """The matcher of this embedder's model: one per model, so cases sharing the model share its word cache."""
        return _matcher_of(embedder)

    def _vector(self, word: str) -> np.ndarray | None:
        if self._matrix is None:
            return None
        ids = self._tokenizer(word, add_special_tokens=False)["input_ids"]
        if not ids:
            return None
        v = self._matrix[ids].mean(axis=0)
        n = float(np.linalg.norm(v))
        return v / n if n else None

    def support(self, question_words: Sequence[str], words: Sequence[str]) -> np.ndarray:
        """Per question word: 1 if it occurs among `words`, else the highest cosine to one of them (≥ 0)."""
        out = np.zeros(len(question_words))
        have = set(words)
        qv, qi = [], []
        for i, w in enumerate(question_words):
            if w in have:
                out[i] = 1.0
                continue
            v = self.vector(w)
            if v is not None:
                qv.append(v)
                qi.append(i)
        if qv and have:
            wv = [v for v in (self.vector(w) for w in have) if v is not None]
            if wv:
                sims = np.asarray(qv) @ np.asarray(wv).T
                out[qi] = np.clip(sims.max(axis=1), 0.0, 1.0)
        return out


@lru_cache(maxsize=4)
def _matcher_of(embedder: Any) -> SoftMatcher:
    return SoftMatcher(getattr(embedder, "_model", None))
