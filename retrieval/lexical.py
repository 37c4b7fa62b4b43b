"""BM25 over sentences, and the one tokenizer used for corpus, queries and overlap.

The index keeps term frequencies by term (a CSC-like layout in numpy arrays) and computes BM25 at query time,
with the formula bm25s uses (Lucene's). bm25s bakes idf and length normalisation into its stored matrix, so
one new article meant re-scoring every sentence (1.7 s at 100,000 sentences, even from token ids); kept as
frequencies, a reindex drops the rows of removed articles and appends the new ones in milliseconds, and the
scores are exactly those of an index built from scratch over the same sentences.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Question words carry the question's type, not its topic; matching them against sentences is noise.
_EXTRA_STOP = {"who", "whom", "whose", "what", "when", "where", "which", "why", "how", "did", "does", "do", "much",
               "many", "said", "say", "says", "according"}
# Function words bm25s's short list lacks; on sentences they match everything and mean nothing.
_FUNCTION_WORDS = {"has", "have", "had", "having", "been", "being", "am", "must", "also", "would", "could", "should",
                   "may", "might", "can", "shall", "its", "their", "his", "her", "our", "your", "my", "we", "you",
                   "he", "she", "they", "them", "him", "us", "me", "i", "from", "about", "after", "before", "over",
                   "any", "all", "some", "more", "most", "other", "than", "so", "very", "just", "now", "only",
                   "out", "up", "down", "off", "again", "once", "here", "there", "while", "whether", "because",
                   "did", "done", "doing", "get", "got", "into", "onto", "upon", "yet", "still", "ever"}
_STOP = frozenset(STOPWORDS_EN) | _EXTRA_STOP | _FUNCTION_WORDS
STOP_WORDS = _STOP  # lower-case words that carry no topic


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# A compound written with a hyphen ("cyber-crime") is also indexed whole, so "cybercrime" finds it; the query
# side (retrieval.query_terms) splits or joins the other spellings.
_COMPOUND = re.compile(r"(?u)\b\w+(?:[-‐‑]\w+)+\b")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_combining(m: re.Match) -> str:
    return "".join(ch for ch in m.group() if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case without accents ("Éric Lémery" -> "eric lemery"), for matching only: quotes stay exact.

    NFKD, then every combining mark dropped. NFKD leaves ASCII as it is and no combining mark is ASCII, so only
    runs of other characters are looked at: a character-by-character pass over a whole article was half the
    cost of reading its words (tests/test_speedups_equivalence.py holds it to the definition)."""
    text = text.lower().replace("’", "'")
    if text.isascii():
        return text
    return _NON_ASCII.sub(_without_combining, unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """The folded words of a text that carry meaning (stop words dropped), unstemmed, in order."""
    return [w for w in _TOKEN.findall(fold(text)) if w not in _STOP]


def distinct_words(text: str) -> set[str]:
    """`set(words(text))`, without the list in between."""
    return set(_TOKEN.findall(fold(text))) - _STOP


def stem(word_list: list[str]) -> list[str]:
    return _stemmer().stemWords(word_list)


def tokenize(text: str) -> list[str]:
    folded = fold(text)
    found = [w for w in _TOKEN.findall(folded) if w not in _STOP]
    found += ["".join(re.split(r"[-‐‑]", m)) for m in _COMPOUND.findall(folded)]
    return _stemmer().stemWords(found)


K1 = 1.2
B = 0.75
_ARRAYS = ("indptr", "rows", "tf", "doc_len")


class LexicalIndex:
    """Postings of every term: rows (sentence ids) and term frequencies, grouped by term id via `indptr`."""

    def __init__(self, vocab: list[str], indptr: np.ndarray, rows: np.ndarray, tf: np.ndarray,
                 doc_len: np.ndarray, live: int):
        self.vocab = vocab
        self._ids = {t: i for i, t in enumerate(vocab)}
        self.indptr = indptr
        self.rows = rows
        self.tf = tf
        self.doc_len = doc_len  # per row; 0 for a row no sentence owns any more
        self.num_docs = live  # sentences in service, the N of idf
        self.num_rows = int(doc_len.shape[0])
        self._df = np.diff(indptr)
        self._avgdl = float(doc_len.sum()) / live if live else 1.0
        self._norm = K1 * (1 - B + B * doc_len / (self._avgdl or 1.0))

    @classmethod
    def build(cls, token_lists: list[list[str]] | list[tuple[str, ...]]) -> "LexicalIndex":
        """One row per sentence, in order."""
        return cls._from_entries([], np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32),
                                 np.zeros(0, np.float32), 0, token_lists)

    def extend(self, drop_rows: np.ndarray, token_lists: list[list[str]] | list[tuple[str, ...]]) -> "LexicalIndex":
        """A new index: these rows emptied (their sentences left), and one new row per token list appended."""
        drop = np.zeros(self.num_rows, dtype=bool)
        drop[np.asarray(drop_rows, dtype=np.int64)] = True
        terms = np.repeat(np.arange(len(self.vocab), dtype=np.int64), self._df)
        keep = ~drop[self.rows]
        doc_len = self.doc_len.copy()
        doc_len[drop] = 0
        live = self.num_docs - int(drop.sum())
        return self._from_entries(list(self.vocab), terms[keep], self.rows[keep], self.tf[keep], doc_len, live,
                                  token_lists)

    @classmethod
    def _from_entries(cls, vocab: list[str], terms: np.ndarray, rows: np.ndarray, tf: np.ndarray,
                      doc_len: np.ndarray, live: int, token_lists) -> "LexicalIndex":
        ids = {t: i for i, t in enumerate(vocab)}
        first = doc_len.shape[0]
        new_terms: list[int] = []
        new_rows: list[int] = []
        new_tf: list[int] = []
        lengths = np.zeros(len(token_lists), dtype=np.float32)
        for n, tokens in enumerate(token_lists):
            lengths[n] = len(tokens)
            for term, count in Counter(tokens).items():
                i = ids.get(term)
                if i is None:
                    i = ids[term] = len(vocab)
                    vocab.append(term)
                new_terms.append(i)
                new_rows.append(first + n)
                new_tf.append(count)
        terms = np.concatenate([terms, np.asarray(new_terms, dtype=np.int64)])
        rows = np.concatenate([rows, np.asarray(new_rows, dtype=np.int32)])
        tf = np.concatenate([tf, np.asarray(new_tf, dtype=np.float32)])
        # Stable: within a term, kept entries (older rows) stay ahead of new ones, so rows stay sorted.
        order = np.argsort(terms, kind="stable")
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=indptr[1:])
        return cls(vocab, indptr, rows[order], tf[order], np.concatenate([doc_len, lengths]),
                   live + len(token_lists))

    def save(self, folder: Path) -> None:
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)
        (folder / "terms.json").write_text(json.dumps({"vocab": self.vocab, "live": self.num_docs, "k1": K1, "b": B}),
                                           encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        meta = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
        index = cls(meta["vocab"], live=int(meta["live"]), **arrays)
        if index.indptr.shape[0] != len(index.vocab) + 1 or index.rows.shape != index.tf.shape \
                or int(index.indptr[-1]) != index.rows.shape[0]:
            raise ValueError("BM25 arrays do not fit together")
        return index

    @property
    def avgdl(self) -> float:
        """Mean tokens per sentence in service, the avgdl of BM25."""
        return self._avgdl

    def top(self, query_tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 scores) of the k rows with the highest BM25 above 0, best first."""
        scores = self.scores(query_tokens)
        if not scores.size or k <= 0 or scores.max() <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, scores.size)
        top = np.argpartition(-scores, k - 1)[:k]
        ids = top[np.argsort(-scores[top])]
        ids = ids[scores[ids] > 0].astype(np.int64)
        return ids, scores[ids]

    def scores_of(self, query_tokens: list[str], ids) -> np.ndarray:
        """BM25 (float32) of these rows, in their order: what `scores` gives them, computed for them alone."""
        ids = np.asarray(ids, dtype=np.int64)
        wanted, back = np.unique(ids, return_inverse=True)
        out = np.zeros(wanted.shape[0], dtype=np.float32)
        if not wanted.size:
            return out[back]
        for t in query_tokens:
            i = self._ids.get(t)
            if i is None:
                continue
            lo, hi = self.indptr[i], self.indptr[i + 1]
            rows = self.rows[lo:hi]
            at = np.minimum(np.searchsorted(wanted, rows), wanted.shape[0] - 1)
            hit = wanted[at] == rows
            rows, tf = rows[hit], self.tf[lo:hi][hit]
            # The same float32 operations in the same order as `scores`, so the values are identical.
            out[at[hit]] += self.idf(t) * tf / (self._norm[rows] + tf)
        return out[back]

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 of every row; a repeated query term counts each time, as in bm25s."""
        out = np.zeros(self.num_rows, dtype=np.float32)
        for t in query_tokens:
            i = self._ids.get(t)
            if i is None:
                continue
            lo, hi = self.indptr[i], self.indptr[i + 1]
            rows = self.rows[lo:hi]
            tf = self.tf[lo:hi]
            out[rows] += self.idf(t) * tf / (self._norm[rows] + tf)
        return out

    def knows(self, token: str) -> bool:
        return token in self._ids

    def doc_freq(self, token: str) -> int:
        """Sentences in service holding the term (0 for one the corpus never used)."""
        i = self._ids.get(token)
        return int(self._df[i]) if i is not None else 0

    def idf(self, token: str) -> float:
        """BM25-style idf; a term the corpus never uses gets the highest weight, since its absence matters."""
        i = self._ids.get(token)
        df = int(self._df[i]) if i is not None else 0
        return math.log(1 + (self.num_docs - df + 0.5) / (df + 0.5))
