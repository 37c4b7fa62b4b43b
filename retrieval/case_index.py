"""A published build opened for reading: store, vectors and BM25 together, checked against its manifest."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from retrieval.indexer import BM25_DIR, VECTORS_NAME
from retrieval.layout import IndexLayout
from retrieval.lexical import LexicalIndex
from retrieval.manifest import IndexProblem, Manifest, read_manifest, verify
from retrieval.store import STORE_NAME, SentenceStore
from retrieval.vectors import RowFilter, load_vector_index


@dataclass
class CaseIndex:
    path: Path
    manifest: Manifest
    store: SentenceStore
    vectors: faiss.Index
    lexical: LexicalIndex
    # Which vector rows still belong to a sentence; None when all do (no article removed since a full build).
    live_rows: RowFilter | None = None

    @classmethod
    def open(cls, build: Path, *, model: str) -> "CaseIndex":
        manifest = read_manifest(build)
        verify(build, manifest, model=model)
        try:
            store = SentenceStore(build / STORE_NAME)
            vectors = load_vector_index(build / VECTORS_NAME)
            lexical = LexicalIndex.load(build / BM25_DIR)
        except Exception as exc:  # noqa: BLE001 - any unreadable part means the build is unusable
            raise IndexProblem(f"the index at {build} cannot be read ({exc}); run `casebot reindex`") from None
        if (vectors.ntotal != manifest.rows or lexical.num_rows != manifest.rows
                or store.count() != manifest.sentences or lexical.num_docs != manifest.sentences):
            raise IndexProblem(f"the index at {build} is inconsistent; run `casebot reindex`")
        live_rows = None
        if manifest.rows != manifest.sentences:
            live_rows = RowFilter.of(np.array(store.live_ids(), dtype=np.int64), manifest.rows)
        return cls(build, manifest, store, vectors, lexical, live_rows)


def open_current(index_dir: Path, *, model: str) -> CaseIndex:
    current = IndexLayout(index_dir).current()
    if current is None:
        raise IndexProblem(f"no index yet in {index_dir}; run `casebot reindex` to build it from the corpus")
    return CaseIndex.open(current, model=model)
