"""Soft support of a question's words: how close the nearest word of a sentence or article comes to each, in the
embedding model's own static token space (its input word-piece embeddings; a word is the mean of its pieces).

"jets" finds "planes" (0.41), "arrested" finds "detained" (0.55), unrelated words stay near 0.1. No sentence is
encoded at question time: a word's vector is one lookup in the model's embedding matrix, cached per word.
A model without such a matrix falls back to exact matching (1 for the same word, else 0).

Two paths give the same values (up to float32 rounding): `support` (one word list, the definition) and `support_groups` (many word lists
at once, as the ask path needs them: ~80 candidate sentences and ~40 whole articles a question). The second keeps
every word it has seen as a row of one matrix (its vocabulary, ids by word) so a group of words is an int32 array
and a question's support of all its groups is one matrix product over their distinct words. Its memory is
1.5 KB a distinct word of the corpus (384 float32; ~75 MB for 50,000 words), in place of the per-word cache the
plain path fills with the same vectors as separate arrays.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from itertools import repeat
from typing import Any, Iterable, Sequence

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
        # The vocabulary of `support_groups`: word -> row of `_rows` (its unit vector, or zeros for a word
        # without one, which then supports nothing, as in `support`). Rows are only appended, under the lock;
        # a grown matrix is a new array, so a reader holding the old one still finds every id it was given.
        self._ids: dict[str, int] = {}
        self._size = 0
        self._rows = np.zeros((0, 0 if self._matrix is None else self._matrix.shape[1]), dtype=np.float32)
        self._lock = threading.Lock()

    @classmethod
    def of(cls, embedder: Any) -> "SoftMatcher":
        """The matcher of this embedder's model: one per model, so cases sharing the model share its word cache."""
        return _matcher_of(embedder)

    def _vector(self, word: str) -> np.ndarray | None:
        return self._vectors([word])[0]

    def _vectors(self, words: list[str]) -> list[np.ndarray | None]:
        """Each word's unit vector (None without one): the words tokenized in one call, which costs a fraction
        of one call a word when a question meets a few thousand words new to the vocabulary."""
        if self._matrix is None or not words:
            return [None] * len(words)
        out: list[np.ndarray | None] = []
        for ids in self._tokenizer(words, add_special_tokens=False)["input_ids"]:
            if not ids:
                out.append(None)
                continue
            v = self._matrix[ids].mean(axis=0)
            n = float(np.linalg.norm(v))
            out.append(v / n if n else None)
        return out

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


    # -- many word lists at once -------------------------------------------------------------------------------
    def ids(self, words: Iterable[str]) -> np.ndarray:
        """int32 vocabulary ids of `words` (in order, repeats kept), adding the words not seen before."""
        words = list(words)
        known = self._ids
        # C loops: a question looks up ~4,000 words (its candidates' and new articles'), most of them known.
        out = np.fromiter(map(known.get, words, repeat(-1)), dtype=np.int32, count=len(words))
        if (out == -1).any():
            with self._lock:
                self._add([w for w, i in zip(words, out.tolist()) if i == -1])
            out = np.fromiter(map(known.__getitem__, words), dtype=np.int32, count=len(words))
        return out

    def _add(self, words: list[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self._ids]
        if not new:
            return
        start = self._size
        rows = self._rows
        if start + len(new) > rows.shape[0]:  # grown by doubling: a word costs one copy on average, not one per add
            rows = np.zeros((max(2 * rows.shape[0], start + len(new), 1024), rows.shape[1]), dtype=np.float32)
            rows[:start] = self._rows[:start]
        for j, v in enumerate(self._vectors(new)):
            if v is not None:
                rows[start + j] = v
        self._rows = rows
        self._size = start + len(new)
        for j, w in enumerate(new):  # published last: an id handed out always has its row
            self._ids[w] = start + j

    @property
    def vocabulary(self) -> tuple[int, int]:
        """(words in the vocabulary, bytes of their vectors as allocated)."""
        return self._size, int(self._rows.nbytes)

    def support_groups(self, question_words: Sequence[str], groups: Sequence[np.ndarray]) -> np.ndarray:
        """(len(groups), len(question_words)): row g is `support(question_words, words of group g)`, the groups
        given as `ids` of their words. One product of the question's vectors with the groups' distinct words,
        then each group's maximum; equal to `support` up to float32 rounding (the sums run in another order)."""
        out = np.zeros((len(groups), len(question_words)))
        if not len(groups) or not len(question_words):
            return out
        # The question's words are looked up, not added: the vocabulary stays the corpus's words (the groups'),
        # however many questions come; a question word it lacks is found in no group as it is.
        known = self._ids
        q = np.fromiter((known.get(w, -1) for w in question_words), dtype=np.int64, count=len(question_words))
        rows = self._rows  # read after every id of the groups was added: it holds their rows
        sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        filled = np.flatnonzero(sizes)
        if not filled.size:
            return out
        flat = np.concatenate([groups[i] for i in filled]).astype(np.int64, copy=False)
        starts = np.concatenate([[0], np.cumsum(sizes[filled])[:-1]])
        if self._matrix is not None:
            distinct, where = _distinct_ids(flat, self._size)
            # (question words, distinct words of all groups). einsum's own loop, not BLAS: a product this small
            # gains nothing from BLAS threads, and on a busy machine waiting for them cost 10-20x (5 ms, not 0.3).
            qv = np.zeros((len(question_words), rows.shape[1]), dtype=np.float32)
            for i, w in enumerate(question_words):
                v = self.vector(w)
                if v is not None:
                    qv[i] = v
            sims = np.einsum("ij,kj->ik", qv, rows[distinct])
            best = np.maximum.reduceat(sims[:, where], starts, axis=1)
            out[filled] = np.clip(best.T, 0.0, 1.0)
        # A question word found as it is counts 1, whatever its vector.
        same = np.logical_or.reduceat(flat[None, :] == q[:, None], starts, axis=1)
        out[filled] = np.where(same.T, 1.0, out[filled])
        return out


def _distinct_ids(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(ids, return_inverse=True)` for ids in [0, size): (the distinct ids ascending, each id's place
    among them). While the vocabulary is not much larger than the ids (~7,000 a question), marking them in a
    vocabulary-long mask costs a few tens of µs against ~180 µs for unique's sort; beyond, the sort is cheaper."""
    if size > 64 * ids.size:
        return np.unique(ids, return_inverse=True)
    present = np.zeros(size, dtype=bool)
    present[ids] = True
    distinct = np.flatnonzero(present)
    place = np.empty(size, dtype=np.int64)
    place[distinct] = np.arange(distinct.size)
    return distinct, place[ids]


@lru_cache(maxsize=4)
def _matcher_of(embedder: Any) -> SoftMatcher:
    return SoftMatcher(getattr(embedder, "_model", None))
