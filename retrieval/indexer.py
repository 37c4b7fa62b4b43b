"""Reindex: corpus folder → a new build published atomically, reusing whatever has not changed.

Unchanged articles (same fingerprint) are copied from the build in service, so they are neither re-split
nor re-tagged; vectors come from the embedding cache, so only sentences never seen by this model are
embedded. Any failure before `publish` leaves the build in service untouched.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Protocol

import numpy as np

from retrieval.config import RetrievalSettings
from retrieval.embeddings import EmbeddingCache, text_key
from retrieval.ingest.loader import corpus_stat_fingerprint, scan_corpus
from retrieval.layout import IndexLayout
from retrieval.lexical import LexicalIndex, tokenize
from retrieval.manifest import (FORMAT_VERSION, IndexProblem, Manifest, checksum_files, fingerprint, read_manifest,
                                verify, write_manifest)
from retrieval.models import Article, ReindexSummary
from retrieval.sentences import sentence_spans
from retrieval.store import STORE_NAME, DateRow, DocumentBundle, DocumentRow, SentenceRow, SentenceStore, write_store
from retrieval.vectors import build_vector_index, index_kind, save_vector_index

log = logging.getLogger(__name__)

VECTORS_NAME = "vectors.faiss"
BM25_DIR = "bm25"
# Bumped when splitting, tokenising or date rules change, so stored documents are reprocessed.
PIPELINE_VERSION = "3"


class ReindexBusy(RuntimeError):
    """Another reindex holds the lock on this index folder."""


class NoArticles(RuntimeError):
    """The corpus has no readable article; the index in service is kept."""


class EmbedderLike(Protocol):
    model_name: str
    dim: int

    def encode(self, texts, *, progress=None) -> np.ndarray: ...


# stage, done, total: "scan", "split", "embed", "write"
ProgressFn = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    summary: ReindexSummary
    build_dir: Path | None  # the build in service afterwards (None if there is none)


def article_fingerprint(article: Article) -> str:
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    h.update(article.fingerprint_text.encode("utf-8"))
    return h.hexdigest()


def process_article(article: Article, fp: str) -> DocumentBundle:
    from retrieval.temporal import tag_dates

    sentences: list[SentenceRow] = []
    dates: list[tuple[int, DateRow]] = []
    for p_num, para in enumerate(article.paragraphs, start=1):
        for pos, (start, end) in enumerate(sentence_spans(para)):
            text = para[start:end]
            idx = len(sentences)
            sentences.append(SentenceRow(idx, article.doc_id, p_num, pos, start, end, text, tuple(tokenize(text))))
            for m in tag_dates(text, article.published):
                dates.append((idx, DateRow(m.value, m.mod, m.text, m.start, m.end)))
    doc = DocumentRow(
        article.doc_id, article.title, article.source, article.url,
        article.published.isoformat() if article.published else None, article.author, article.path, fp,
    )
    return DocumentBundle(doc, article.paragraphs, tuple(sentences), tuple(dates))


@contextlib.contextmanager
def reindex_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "reindex.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReindexBusy("a reindex is already running on this index") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _previous(layout: IndexLayout, model: str) -> tuple[Path | None, Manifest | None, dict[str, DocumentBundle]]:
    current = layout.current()
    if current is None:
        return None, None, {}
    try:
        manifest = read_manifest(current)
        verify(current, manifest, model=model)
        store = SentenceStore(current / STORE_NAME)
        try:
            return current, manifest, store.bundles()
        finally:
            store.close()
    except Exception as exc:  # noqa: BLE001 - a broken old build only means a full rebuild
        log.warning("previous index not reused: %s", exc)
        return current, None, {}


def _embed(bundles: list[DocumentBundle], cache: EmbeddingCache, model: str,
           get_embedder: Callable[[], EmbedderLike], dim_hint: int | None,
           progress: ProgressFn | None) -> tuple[np.ndarray, int, int]:
    """Vectors for every sentence in order, (vectors, dim, how many texts went through the model)."""
    texts = [s.text for b in bundles for s in b.sentences]
    unique = list(dict.fromkeys(texts))
    found = cache.get_many(model, unique, dim_hint) if dim_hint else {}
    missing = [t for t in unique if text_key(t) not in found]
    dim = dim_hint
    if missing or dim is None:
        embedder = get_embedder()
        dim = embedder.dim
        if not dim_hint:
            found = cache.get_many(model, unique, dim)
            missing = [t for t in unique if text_key(t) not in found]
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("embed", done, len(missing))

        if missing:
            if progress:
                progress("embed", 0, len(missing))
            new = embedder.encode(missing, progress=tick)
            cache.put_many(model, missing, new)
            found.update((text_key(t), v) for t, v in zip(missing, new))
    vectors = np.empty((len(texts), dim), dtype=np.float32)
    for i, t in enumerate(texts):
        vectors[i] = found[text_key(t)]
    return vectors, dim, len(missing)


def reindex(settings: RetrievalSettings, get_embedder: Callable[[], EmbedderLike],
            progress: ProgressFn | None = None) -> BuildResult:
    started = time.perf_counter()
    layout = IndexLayout(settings.index_dir)
    with reindex_lock(settings.index_dir):
        stat_fp = corpus_stat_fingerprint(settings.corpus_dir)
        scan = scan_corpus(settings.corpus_dir, max_bytes=settings.max_file_bytes)
        summary = ReindexSummary(skipped=scan.skipped)
        if not scan.articles:
            raise NoArticles(
                f"no readable article in {settings.corpus_dir}"
                + (f" ({len(scan.skipped)} file(s) skipped)" if scan.skipped else "")
                + "; the index in service was left as it was"
            )
        prev_dir, prev_manifest, prev = _previous(layout, settings.model)
        bundles: list[DocumentBundle] = []
        fps = []
        for n, article in enumerate(sorted(scan.articles, key=lambda a: a.doc_id), start=1):
            fp = article_fingerprint(article)
            fps.append(f"{article.doc_id}\x00{fp}")
            old = prev.get(article.doc_id)
            if old is not None and old.document.fingerprint == fp:
                bundles.append(old)
                summary.unchanged += 1
            else:
                bundles.append(process_article(article, fp))
                (summary.changed if old is not None else summary.added).append(article.doc_id)
            if progress:
                progress("split", n, len(scan.articles))
        kept = {b.document.doc_id for b in bundles}
        summary.removed = sorted(d for d in prev if d not in kept)
        summary.documents = len(bundles)
        summary.sentences = sum(len(b.sentences) for b in bundles)
        corpus_fp = fingerprint(fps)

        if prev_manifest is not None and prev_manifest.corpus_fingerprint == corpus_fp:
            if prev_manifest.corpus_files != stat_fp:
                # Files were touched but say the same: remember the new state so `ask` stops warning.
                write_manifest(prev_dir, prev_manifest.model_copy(update={"corpus_files": stat_fp}))
            summary.rebuilt = False
            summary.seconds = time.perf_counter() - started
            return BuildResult(summary, prev_dir)

        cache = EmbeddingCache(layout.cache_path)
        try:
            dim_hint = prev_manifest.dim if prev_manifest else None
            vectors, dim, summary.embedded = _embed(bundles, cache, settings.model, get_embedder, dim_hint, progress)
        finally:
            cache.close()

        build = layout.new_build_dir()
        if progress:
            progress("write", 0, 1)
        write_store(build / STORE_NAME, bundles)
        vindex = build_vector_index(vectors, ann_min_vectors=settings.ann_min_vectors)
        save_vector_index(vindex, build / VECTORS_NAME)
        (build / BM25_DIR).mkdir()
        LexicalIndex.build([list(s.tokens) for b in bundles for s in b.sentences]).save(build / BM25_DIR)
        manifest = Manifest(
            format_version=FORMAT_VERSION, model=settings.model, dim=dim, corpus_fingerprint=corpus_fp,
            documents=summary.documents, sentences=summary.sentences, vector_index=index_kind(vindex),
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"), files=checksum_files(build),
            corpus_files=stat_fp,
        )
        write_manifest(build, manifest)
        published = layout.publish(build)
        layout.prune()
        if progress:
            progress("write", 1, 1)
        summary.seconds = time.perf_counter() - started
        log.info("reindexed: %d documents, %d sentences, %d embedded, %.1fs",
                 summary.documents, summary.sentences, summary.embedded, summary.seconds)
        return BuildResult(summary, published)
