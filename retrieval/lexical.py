"""BM25 over sentences (bm25s, sparse matrices) and the one tokenizer used for corpus, queries and overlap."""
from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path

import bm25s
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

logging.getLogger("bm25s").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower().replace("’", "'")) if w not in _STOP]
    return _stemmer().stemWords(words)


class LexicalIndex:
    def __init__(self, bm25: bm25s.BM25):
        self._bm25 = bm25
        indptr = np.asarray(bm25.scores["indptr"])
        self.num_docs = int(bm25.scores["num_docs"])
        self._df = np.diff(indptr)
        self._vocab: dict[str, int] = bm25.vocab_dict

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> "LexicalIndex":
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index([t or [""] for t in token_lists], show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        return cls(bm25s.BM25.load(str(folder), mmap=False, show_progress=False))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        ids = [self._vocab[t] for t in query_tokens if t in self._vocab]
        if not ids:
            return np.zeros(self.num_docs, dtype=np.float32)
        return self._bm25.get_scores_from_ids(ids)

    def knows(self, token: str) -> bool:
        return token in self._vocab

    def idf(self, token: str) -> float:
        """BM25-style idf; a term the corpus never uses gets the highest weight, since its absence matters."""
        i = self._vocab.get(token)
        df = int(self._df[i]) if i is not None and i < len(self._df) else 0
        return math.log(1 + (self.num_docs - df + 0.5) / (df + 0.5))
