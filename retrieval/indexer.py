"""Reindex: corpus folder → a new build published atomically, reusing whatever has not changed.

A file whose size and modification time (or failing those, bytes) are those the build in service recorded is
not even parsed. New and edited articles are split, tagged and embedded (the embedding cache spares text this
model has seen before); then the build in service is extended: its store copied and patched, new rows appended
to its vector and BM25 indexes. Sentence ids are never reused, so nothing unchanged is renumbered; rows left
behind by removed or edited articles are skipped by search until they pass MAX_UNOWNED_SHARE of the index,
when the build is written compact instead. Any failure before `publish` leaves the build in service untouched.
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
from retrieval.ingest.loader import CorpusScan, FileState, scan_corpus
from retrieval.layout import IndexLayout
from retrieval.lexical import LexicalIndex, tokenize
from retrieval.manifest import (FORMAT_VERSION, IndexProblem, Manifest, checksum_files, fingerprint, read_manifest,
                                verify, write_manifest)
from retrieval.models import Article, ReindexSummary
from retrieval.sentences import sentence_spans
from retrieval.store import (STORE_NAME, DateRow, DocumentBundle, DocumentRow, DocumentWords, SentenceRow, SentenceStore,
                             write_store)
from retrieval.vectors import (build_vector_index, extend_vector_index, index_kind, load_vector_index,
                               save_vector_index, vectors_of)

log = logging.getLogger(__name__)

VECTORS_NAME = "vectors.faiss"
BM25_DIR = "bm25"
# Bumped when splitting, tokenising or date rules change, so stored documents are reprocessed.
# 4: timeline date rules; 5: syntok sentence boundaries, fitted furniture filter; 6: tokens fold accents and
# index hyphenated compounds whole; 7: an abbreviated month before a day never ends a sentence, a leading
# dateline or byline is left out of the first sentence; 8: furniture model learns breadcrumb+headline lines,
# syndication credits and question subheads; 9: an order's act lies ahead ("was ordered to report to prison on
# May 1"); 10: a date heading a timeline entry keeps its day and year ("March 3, 2020: ..."),
# a tense in a clause after the date ("on Tuesday that will ...", "..., he said") no longer outweighs the date's own;
# forecasts and possibility look ahead ("should peak on Wednesday", "may begin in December", "expects to", "goes into
# effect"); a habitual, indefinite or ranked weekday or a title is no date ("every Wednesday", "Friday nights",
# "a Friday night", "the first Saturday in May", "Saturday Night Live"); common irregular past forms mark the
# past ("bought in January"); with no tense marker, a year-less month one or two months ahead is the coming one
# ("her last day is April 1" in February); 11: a year-less date takes a year written right after it ("July 15-24
# in 2022") or the year of an opening "In 2005," whose clause holds it
PIPELINE_VERSION = "11"
# Largest share of vector and BM25 rows left without a sentence (removed or edited articles) before a reindex
# writes a compact build instead of extending the previous one.
MAX_UNOWNED_SHARE = 0.1


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
                dates.append((idx, DateRow(m.value, m.mod, m.text, m.start, m.end, m.until)))
    doc = DocumentRow(
        article.doc_id, article.title, article.source, article.url,
        article.published.isoformat() if article.published else None, article.author, article.path, fp,
        article.modified.isoformat() if article.modified else None,
    )
    # The words a question reads of the whole article are made here, in the split's worker processes.
    return DocumentBundle(doc, article.paragraphs, tuple(sentences), tuple(dates),
                          DocumentWords.of(doc.title, sentences))


def process_articles(jobs: list[tuple[Article, str]], progress: ProgressFn | None = None,
                     *, workers: int | None = None) -> list[DocumentBundle]:
    """`process_article` over each (article, fingerprint), in order: across a process pool when the articles are
    long enough to repay starting one (retrieval/parallel.py), else here. `workers` overrides that choice."""
    from retrieval import parallel

    if workers is None:
        workers = parallel.pool_workers(jobs, parallel.fitted_cost())
    if progress and jobs:
        progress("split", 0, len(jobs))
    if workers > 1:
        log.info("splitting and tagging %d articles in %d processes", len(jobs), workers)
        return parallel.process_in_pool(jobs, workers, (lambda n: progress("split", n, len(jobs))) if progress
                                        else None)
    out = []
    for n, (article, fp) in enumerate(jobs, start=1):
        out.append(process_article(article, fp))
        if progress:
            progress("split", n, len(jobs))
    return out


@contextlib.contextmanager
def reindex_lock(index_dir: Path, *, wait: bool = False,
                 on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Held for one reindex of `index_dir`, across processes (an flock, released by the OS if a process dies).

    Taken by another process: ReindexBusy, or with `wait` call `on_wait()` once and queue until it is free."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "reindex.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise ReindexBusy("a reindex is already running on this index") from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class PreviousBuild:
    """The build in service, as much of it as the next build needs without reading every sentence."""

    path: Path
    manifest: Manifest
    documents: dict[str, DocumentRow]
    id_ranges: dict[str, tuple[int, int]]  # doc_id -> (first sentence id, count)

    @property
    def files(self) -> dict[str, FileState]:
        return {d: FileState(*state) for d, state in self.manifest.corpus_states.items() if d in self.documents}


def _previous(layout: IndexLayout, model: str) -> PreviousBuild | None:
    current = layout.current()
    if current is None:
        return None
    try:
        manifest = read_manifest(current)
        verify(current, manifest, model=model)
        store = SentenceStore(current / STORE_NAME)
        try:
            return PreviousBuild(current, manifest, dict(store.documents), store.id_ranges())
        finally:
            store.close()
    except Exception as exc:  # noqa: BLE001 - a broken old build only means a full rebuild
        log.warning("previous index not reused: %s", exc)
        return None


def _embed(texts: list[str], cache: EmbeddingCache, model: str, get_embedder: Callable[[], EmbedderLike],
           dim_hint: int | None, progress: ProgressFn | None) -> tuple[np.ndarray, int, int]:
    """Vectors for these texts in order, (vectors, dim, how many texts went through the model)."""
    unique = list(dict.fromkeys(texts))
    found = cache.get_many(model, unique, dim_hint) if dim_hint and unique else {}
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


@dataclass
class _Plan:
    """What the new build is made of: documents kept from the previous build and documents (re)processed."""

    kept: list[str]
    new: list[DocumentBundle]
    drop: list[str]  # documents of the previous build not carried over (removed or changed)
    states: dict[str, FileState]
    corpus_fp: str
    sentences: int


def _plan(scan: CorpusScan, prev: PreviousBuild | None, summary: ReindexSummary,
          progress: ProgressFn | None) -> _Plan:
    old_docs = prev.documents if prev else {}
    kept = [d for d in scan.unchanged if d in old_docs]
    states = {d: scan.unchanged[d] for d in kept}
    articles = sorted(scan.articles, key=lambda a: a.doc_id)
    jobs: list[tuple[Article, str]] = []
    for article in articles:
        fp = article_fingerprint(article)
        states[article.doc_id] = scan.states[article.doc_id]
        old = old_docs.get(article.doc_id)
        if old is not None and old.fingerprint == fp:
            kept.append(article.doc_id)  # the file changed, the article did not
        else:
            jobs.append((article, fp))
            (summary.changed if old is not None else summary.added).append(article.doc_id)
    new = process_articles(jobs, progress)
    kept.sort()
    summary.unchanged = len(kept)
    kept_set = set(kept)
    present = kept_set | {b.document.doc_id for b in new}
    summary.removed = sorted(d for d in old_docs if d not in present)
    drop = sorted(d for d in old_docs if d not in kept_set)  # removed, and edited (their new version is in `new`)
    fps = [f"{d}\x00{old_docs[d].fingerprint}" for d in kept]
    fps += [f"{b.document.doc_id}\x00{b.document.fingerprint}" for b in new]
    sentences = sum(prev.id_ranges.get(d, (0, 0))[1] for d in kept) if prev else 0
    sentences += sum(len(b.sentences) for b in new)
    return _Plan(kept, new, drop, states, fingerprint(fps), sentences)


def _rows_of(prev: PreviousBuild, docs: list[str]) -> np.ndarray:
    ranges = [prev.id_ranges[d] for d in docs if d in prev.id_ranges]
    if not ranges:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(first, first + n, dtype=np.int64) for first, n in ranges])


def _can_patch(prev: PreviousBuild | None, plan: _Plan) -> bool:
    """Whether to extend the previous build rather than write a compact one; rows no sentence owns cost search
    filtering and disk, so past a share of them the build is compacted."""
    if prev is None or prev.manifest.sentences == 0:
        return False
    rows = prev.manifest.rows + sum(len(b.sentences) for b in plan.new)
    return rows - plan.sentences <= MAX_UNOWNED_SHARE * rows


def reindex(settings: RetrievalSettings, get_embedder: Callable[[], EmbedderLike],
            progress: ProgressFn | None = None, *, wait: bool = False,
            on_wait: Callable[[], None] | None = None,
            publish: Callable[[Path], object] | None = None) -> BuildResult:
    """Bring the index up to date with the corpus folder. `wait`/`on_wait`: see reindex_lock. A reindex that
    queued behind another starts from the build that one published, so it redoes nothing that one did.
    `publish(build)`: called with the build in service, still under the lock (the Milvus backend puts it in
    service there, so publishes from one staging folder never overlap); what it raises propagates."""
    layout = IndexLayout(settings.index_dir)
    with reindex_lock(settings.index_dir, wait=wait, on_wait=on_wait):
        started = time.perf_counter()  # the summary's seconds count the work, not the wait
        prev = _previous(layout, settings.model)
        # Files are trusted unread only if today's pipeline made what the build holds of them.
        known = prev.files if prev and prev.manifest.pipeline == PIPELINE_VERSION else None
        scan = scan_corpus(settings.corpus_dir, max_bytes=settings.max_file_bytes, known=known)
        summary = ReindexSummary(skipped=scan.skipped)
        if not scan.articles and not scan.unchanged:
            raise NoArticles(
                f"no readable article in {settings.corpus_dir}"
                + (f" ({len(scan.skipped)} file(s) skipped)" if scan.skipped else "")
                + "; the index in service was left as it was"
            )
        plan = _plan(scan, prev, summary, progress)
        summary.documents = len(plan.kept) + len(plan.new)
        summary.sentences = plan.sentences
        states = {d: (s.path, s.size, s.mtime_ns, s.hash) for d, s in plan.states.items()}

        if prev is not None and prev.manifest.corpus_fingerprint == plan.corpus_fp:
            if prev.manifest.corpus_files != scan.stat_fingerprint or prev.manifest.corpus_states != states:
                # Files were touched but say the same: remember their new state, so `ask` stops warning and
                # the next reindex does not read them again.
                write_manifest(prev.path, prev.manifest.model_copy(
                    update={"corpus_files": scan.stat_fingerprint, "corpus_states": states}))
            summary.rebuilt = False
            if publish is not None:
                publish(prev.path)  # nothing new here; elsewhere (Milvus) it may not be in service yet
            summary.seconds = time.perf_counter() - started
            return BuildResult(summary, prev.path)

        new_texts = [s.text for b in plan.new for s in b.sentences]
        cache = EmbeddingCache(layout.cache_path)
        try:
            dim_hint = prev.manifest.dim if prev else None
            new_vectors, dim, summary.embedded = _embed(new_texts, cache, settings.model, get_embedder, dim_hint,
                                                        progress)
        finally:
            cache.close()

        build = layout.new_build_dir()
        if progress:
            progress("write", 0, 1)
        if _can_patch(prev, plan):
            rows, vindex_kind = _patch_build(build, prev, plan, new_vectors, settings)
        else:
            rows, vindex_kind = _compact_build(build, prev, plan, new_vectors, settings)
        manifest = Manifest(
            format_version=FORMAT_VERSION, model=settings.model, dim=dim, corpus_fingerprint=plan.corpus_fp,
            documents=summary.documents, sentences=summary.sentences, rows=rows, vector_index=vindex_kind,
            pipeline=PIPELINE_VERSION, created=datetime.now(timezone.utc).isoformat(timespec="seconds"), files=checksum_files(build),
            corpus_files=scan.stat_fingerprint, corpus_states=states,
        )
        write_manifest(build, manifest)
        published = layout.publish(build)
        if publish is not None:
            publish(published)
        summary.seconds = time.perf_counter() - started  # until the new index is in service
        layout.prune()
        if progress:
            progress("write", 1, 1)
        log.info("reindexed: %d documents, %d sentences, %d embedded, %.1fs",
                 summary.documents, summary.sentences, summary.embedded, summary.seconds)
        return BuildResult(summary, published)


def _patch_build(build: Path, prev: PreviousBuild, plan: _Plan, new_vectors: np.ndarray,
                 settings: RetrievalSettings) -> tuple[int, str]:
    """The previous build plus the new documents, minus the dropped ones: nothing unchanged is reprocessed,
    re-embedded or renumbered, so the cost follows the change, not the corpus."""
    first = prev.manifest.rows
    rows = write_store(build / STORE_NAME, plan.new, base=prev.path / STORE_NAME, drop=plan.drop, first_id=first)
    vindex = extend_vector_index(load_vector_index(prev.path / VECTORS_NAME), new_vectors,
                                 ann_min_vectors=settings.ann_min_vectors)
    save_vector_index(vindex, build / VECTORS_NAME)
    lexical = LexicalIndex.load(prev.path / BM25_DIR).extend(
        _rows_of(prev, plan.drop), [s.tokens for b in plan.new for s in b.sentences])
    (build / BM25_DIR).mkdir()
    lexical.save(build / BM25_DIR)
    return rows, index_kind(vindex)


def _compact_build(build: Path, prev: PreviousBuild | None, plan: _Plan, new_vectors: np.ndarray,
                   settings: RetrievalSettings) -> tuple[int, str]:
    """A build with consecutive ids in document order. Kept documents and their vectors come from the previous
    build, so a compaction re-embeds nothing either."""
    bundles = list(plan.new)
    parts = [new_vectors]
    if prev is not None and plan.kept:
        store = SentenceStore(prev.path / STORE_NAME)
        try:
            bundles += store.bundles(plan.kept).values()
        finally:
            store.close()
        old = load_vector_index(prev.path / VECTORS_NAME)
        parts.append(vectors_of(old, _rows_of(prev, [b.document.doc_id for b in bundles[len(plan.new):]])))
        del old
    order = sorted(range(len(bundles)), key=lambda i: bundles[i].document.doc_id)
    offsets = np.cumsum([0] + [len(b.sentences) for b in bundles])
    stacked = np.vstack(parts) if parts else np.zeros((0, new_vectors.shape[1]), np.float32)
    vectors = np.concatenate([stacked[offsets[i]:offsets[i + 1]] for i in order]) if bundles else stacked
    bundles = [bundles[i] for i in order]
    rows = write_store(build / STORE_NAME, bundles)
    vindex = build_vector_index(vectors, ann_min_vectors=settings.ann_min_vectors)
    save_vector_index(vindex, build / VECTORS_NAME)
    (build / BM25_DIR).mkdir()
    LexicalIndex.build([s.tokens for b in bundles for s in b.sentences]).save(build / BM25_DIR)
    return rows, index_kind(vindex)
