"""Reindex measurements: a full build against raw `encode`, and one new article into a large index."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import retrieval.indexer as indexer
from benchmarks.measure import StageTimer
from retrieval.embeddings import EmbeddingCache, Embedder
from retrieval.engine import CaseEngine
from retrieval.layout import IndexLayout
from retrieval.lexical import LexicalIndex
from retrieval.store import STORE_NAME, SentenceStore


def reindex_stages() -> StageTimer:
    """Where a reindex spends its time (inclusive: `embed` contains `model encode` and the cache reads)."""
    return StageTimer({
        "scan corpus (stat; read + parse changed files)": (indexer, "scan_corpus"),
        "read previous build (manifest, verify, documents)": (indexer, "_previous"),
        "split + tag dates (new articles)": (indexer, "process_article"),
        "embed (cache + model)": (indexer, "_embed"),
        "  cache get_many": (EmbeddingCache, "get_many"),
        "  model encode": (Embedder, "encode"),
        "  cache put_many": (EmbeddingCache, "put_many"),
        "write sentence store (or copy + patch)": (indexer, "write_store"),
        "read previous vectors": (indexer, "load_vector_index"),
        "build vector index": (indexer, "build_vector_index"),
        "extend vector index": (indexer, "extend_vector_index"),
        "save vector index": (indexer, "save_vector_index"),
        "read previous BM25": (LexicalIndex, "load"),
        "build BM25": (LexicalIndex, "build"),
        "extend BM25": (LexicalIndex, "extend"),
        "save BM25": (LexicalIndex, "save"),
        "checksum build files": (indexer, "checksum_files"),
        "publish (fsync + rename)": (IndexLayout, "publish"),
        "prune old builds": (IndexLayout, "prune"),
    })


def progress_sink(stage: str, done: int, total: int) -> None:
    """Stands in for the terminal progress bar, so the build takes the same (chunked) path as `casebot reindex`."""


def full_reindex(engine: CaseEngine) -> dict:
    stages = reindex_stages()
    with stages.active():
        started = time.perf_counter()
        summary = engine.reindex(progress_sink)
        wall = time.perf_counter() - started
    return {"sentences": summary.sentences, "documents": summary.documents, "embedded": summary.embedded,
            "seconds": wall, "seconds_to_swap": summary.seconds, "stages_ms": stages.report()}


def store_texts(index_dir: Path) -> list[str]:
    current = IndexLayout(index_dir).current()
    store = SentenceStore(current / STORE_NAME)
    try:
        return [r[0] for r in store._db.execute("SELECT text FROM sentences ORDER BY id")]
    finally:
        store.close()


def raw_encode(embedder: Embedder, texts: list[str]) -> dict:
    """The floor: the same sentences through `SentenceTransformer.encode`, same batch size, one call."""
    model = embedder._model
    started = time.perf_counter()
    vecs = model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False)
    seconds = time.perf_counter() - started
    assert isinstance(vecs, np.ndarray) and vecs.shape[0] == len(texts)
    return {"sentences": len(texts), "seconds": seconds, "batch_size": embedder.batch_size}


def article_sentence_count(index_dir: Path, doc_id: str) -> int:
    current = IndexLayout(index_dir).current()
    store = SentenceStore(current / STORE_NAME)
    try:
        return store._db.execute("SELECT count(*) FROM sentences WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    finally:
        store.close()


def incremental(engine: CaseEngine, corpus_dir: Path, filename: str, markdown: str, expected_new: int) -> dict:
    """Add one article file and reindex: time to the atomic swap, and what was embedded.

    `expected_new` is how many distinct sentences of the article the index has never seen: exactly those may
    go through the model, nothing already indexed.
    """
    (corpus_dir / filename).write_text(markdown, encoding="utf-8")
    stages = reindex_stages()
    with stages.active():
        started = time.perf_counter()
        summary = engine.reindex(progress_sink)
        wall = time.perf_counter() - started
    doc_id = summary.added[0] if summary.added else None
    in_store = article_sentence_count(engine.settings.index_dir, doc_id) if doc_id else 0
    return {"seconds_to_swap": summary.seconds, "seconds_with_reopen": wall, "added": list(summary.added),
            "embedded": summary.embedded, "article_sentences": in_store, "sentences": summary.sentences,
            "expected_new_texts": expected_new,
            "only_new_text_embedded": bool(doc_id) and summary.embedded == expected_new,
            "stages_ms": stages.report()}
