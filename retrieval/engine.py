"""The case engine: one model, one index in service, and every question, timeline and reindex goes through it.

The CLI, the console and the Discord bot all hold one of these. The index in service is a single reference
swapped after a reindex, so a question being answered keeps the index it started with.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import date
from typing import Callable

from retrieval import backends, noun_types
from retrieval.answering import answer_probability, build_answers, gather, rank
from retrieval.case_index import CaseIndex
from retrieval.config import RetrievalSettings
from retrieval.embeddings import Embedder
from retrieval.indexer import ProgressFn, reindex
from retrieval.manifest import IndexProblem, read_manifest
from retrieval.models import AnswerResult, ReindexSummary, SourceInfo, TimelineEvent
from retrieval.question import parse_question
from retrieval.ranker import Ranking, load_ranking
from retrieval.soft_terms import SoftMatcher

log = logging.getLogger(__name__)

NO_ANSWER = "The corpus has no answer to that."


class CaseEngine:
    def __init__(self, settings: RetrievalSettings, *, embedder: Embedder | None = None,
                 ranking: Ranking | None = None, embedder_factory: Callable[[], Embedder] | None = None):
        self.settings = settings
        base = ranking or load_ranking(settings.answer_mode, settings.model)
        self.ranking = replace(base, answer_threshold=base.answer_threshold + settings.abstain_threshold)
        self._embedder = embedder
        # Several case engines share one model: the factory hands out the one copy (retrieval.cases).
        self._embedder_factory = embedder_factory
        self._embedder_lock = threading.Lock()
        self._index: CaseIndex | None = None
        self._soft: SoftMatcher | None = None
        self._reindex_lock = threading.Lock()

    # -- loading ---------------------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None and self._embedder_factory is not None:
                    self._embedder = self._embedder_factory()
                elif self._embedder is None:
                    self._embedder = Embedder(self.settings.model, batch_size=self.settings.batch_size,
                                              threads=self.settings.threads, device=self.settings.device)
        return self._embedder

    @property
    def soft(self) -> SoftMatcher:
        if self._soft is None:
            self._soft = SoftMatcher.of(self.embedder)
        return self._soft

    @property
    def index(self) -> CaseIndex:
        index = self._index
        if index is None or backends.is_stale(index):
            index = self._index = backends.open_index(self.settings)
        return index

    def load(self, *, build_if_needed: bool = False, progress: ProgressFn | None = None) -> ReindexSummary | None:
        """Open the index in service (building it first if allowed and needed) and load the model."""
        summary = None
        try:
            self._index = backends.open_index(self.settings)
        except IndexProblem as problem:
            if not build_if_needed:
                raise
            log.info("building the index: %s", problem)
            summary = self.reindex(progress)
        _ = self.embedder
        noun_types.preload()  # the question typer's table, so that the first question does not wait for it
        return summary

    def corpus_changed(self) -> bool:
        """Whether files in the corpus folder changed since the index in service was built."""
        from retrieval.ingest.loader import corpus_stat_fingerprint

        recorded = self.index.manifest.corpus_files
        return recorded is not None and corpus_stat_fingerprint(self.settings.corpus_dir) != recorded

    @property
    def reindex_running(self) -> bool:
        return self._reindex_lock.locked()

    def reindex(self, progress: ProgressFn | None = None, *, wait: bool = False,
                on_queued: Callable[[], None] | None = None) -> ReindexSummary:
        """Bring the case's index up to date and put it in service.

        Without `wait`, ReindexBusy when a reindex of this case is running (here or in another process). With it,
        queue behind that one (in order of arrival here; `on_queued()` is called once, from this thread, when it
        has to wait) and then run: it starts from the index that one published, so when nothing changed since,
        it finds nothing to do (summary.rebuilt False) and costs one scan of the corpus folder's file dates."""
        told = False

        def queued() -> None:
            nonlocal told
            if not told and on_queued is not None:
                told = True
                on_queued()

        if not self._reindex_lock.acquire(blocking=False):
            if not wait:
                from retrieval.indexer import ReindexBusy
                raise ReindexBusy("a reindex is already running")
            queued()
            self._reindex_lock.acquire()
        try:
            if self.settings.index_backend == "milvus":
                # Written to Milvus under the staging folder's reindex lock, so two publishes from it never overlap.
                opened: list = []
                result = reindex(self.settings, lambda: self.embedder, progress, wait=wait, on_wait=queued,
                                 publish=lambda build: opened.append(backends.publish(self.settings, build)))
                if opened:
                    self._index = opened[-1]
                return result.summary
            result = reindex(self.settings, lambda: self.embedder, progress, wait=wait, on_wait=queued)
            if result.build_dir is not None and (self._index is None or self._index.path != result.build_dir):
                self._index = CaseIndex.open(result.build_dir, model=self.settings.model)
            elif self._index is not None:
                # Same build, but the reindex may have recorded the corpus files' new state in its manifest.
                self._index = replace(self._index, manifest=read_manifest(self._index.path))
            return result.summary
        finally:
            self._reindex_lock.release()

    # -- questions -------------------------------------------------------------------------------------------
    def ask(self, raw_question: str, k: int | None = None) -> AnswerResult:
        """Raises BadQuestion for a question that cannot be asked as written."""
        started = time.perf_counter()
        question = parse_question(raw_question)
        k = max(1, min(k or self.settings.top_k, 20))
        index = self.index
        qvec = self.embedder.encode_query(question.text)
        gathered = gather(index, question, qvec, self.soft)
        ranked = rank(gathered, self.ranking)
        confidence = answer_probability(gathered, self.ranking)
        answered = confidence >= self.ranking.answer_threshold
        answers = build_answers(index, ranked, k, self.ranking) if answered else []
        return AnswerResult(
            question=question.text,
            answered=bool(answers),
            answers=tuple(answers),
            latency_ms=(time.perf_counter() - started) * 1000,
            reason=None if answers else NO_ANSWER,
            confidence=confidence,
            sure=bool(answers) and confidence >= self.ranking.sure_threshold,
        )

    def sources(self) -> list[SourceInfo]:
        return self.index.store.sources()

    def timeline(self, query: str | None = None, since: date | None = None,
                 until: date | None = None) -> list[TimelineEvent]:
        from retrieval.timeline import build_timeline

        index = self.index
        topic = None
        if query:
            question = parse_question(query)
            topic = (question, self.embedder.encode_query(question.text))
        return build_timeline(index, topic=topic, since=since, until=until)
