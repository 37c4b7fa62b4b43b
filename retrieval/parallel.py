"""Reindex's per-sentence work (split, date tagging, tokenising) across cores, in article-sized chunks.

`process_article` costs ~0.9 ms a sentence on one core (BENCHMARKS.md): on a GPU, which embeds ~11k sentences/s,
that serial step would cap a reindex near 1.1k sentences/s. A process pool removes the cap where it pays: starting
one costs a fixed time (workers import the splitter and the date tagger), so small reindexes, the usual one new
article, stay serial. The break-even comes from two figures fitted on this machine by
`benchmarks/fit_pool.py` (section `reindex_pool` of retrieval/fitted.json). Output is identical to the serial path:
the same function runs on the same articles, and results come back in the order they went in.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Callable, Sequence

from retrieval.models import Article
from retrieval.store import DocumentBundle

log = logging.getLogger(__name__)

SECTION = "reindex_pool"
# Chunks per worker: enough that one long article does not leave the other workers idle at the end, few enough
# that each chunk's pickling stays small beside its work.
CHUNKS_PER_WORKER = 4

Job = tuple[Article, str]  # an article and its fingerprint, as `process_article` takes them


@dataclass(frozen=True)
class PoolCost:
    """What a pool costs and saves, as fitted: `start_s` to start the pool and have every worker ready (seconds),
    `per_char_s` of serial per-sentence work for each character of article text (seconds)."""

    start_s: float
    per_char_s: float

    def min_chars(self, workers: int) -> float:
        """Article characters from which `workers` processes finish sooner than one: the work saved,
        per_char_s * chars * (1 - 1/workers), must exceed start_s. Infinite below 2 workers."""
        if workers < 2 or self.per_char_s <= 0:
            return float("inf")
        return self.start_s / (self.per_char_s * (1 - 1 / workers))


def fitted_cost() -> PoolCost | None:
    """The fitted figures, or None when never fitted (then reindex stays serial, as before the pool)."""
    from retrieval import fitted

    try:
        values = fitted.load(SECTION)
    except fitted.MissingFit:
        return None
    return PoolCost(float(values["start_s"]), float(values["per_char_s"]))


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def article_chars(jobs: Sequence[Job]) -> int:
    return sum(len(p) for article, _ in jobs for p in article.paragraphs)


def chunk(jobs: Sequence[Job], parts: int) -> list[list[Job]]:
    """Consecutive runs of jobs with about equal characters each (order kept, so results concatenate back)."""
    total = article_chars(jobs)
    if parts <= 1 or total == 0:
        return [list(jobs)] if jobs else []
    target = total / parts
    out: list[list[Job]] = [[]]
    size = 0
    for job in jobs:
        if out[-1] and size >= target:
            out.append([])
            size = 0
        out[-1].append(job)
        size += sum(len(p) for p in job[0].paragraphs)
    return out


def _run_chunk(jobs: list[Job]) -> list[DocumentBundle]:
    # Imported in the worker by name, so the pool never pickles a function (a patched one would not pickle).
    from retrieval.indexer import process_article

    return [process_article(article, fp) for article, fp in jobs]


def _ready() -> None:
    """A worker's first task: import what chunks need, so starting the pool is measured as one cost."""
    import retrieval.indexer  # noqa: F401
    import retrieval.temporal  # noqa: F401


def start_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent may hold torch's thread pools, which a forked child can deadlock on.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
    for f in [pool.submit(_ready) for _ in range(workers)]:
        f.result()
    return pool


def process_in_pool(jobs: Sequence[Job], workers: int,
                    progress: Callable[[int], None] | None = None) -> list[DocumentBundle]:
    """`process_article` over every job in `workers` processes; results in the jobs' order. `progress(n)` is
    called with the number of articles done as each chunk comes back."""
    from concurrent.futures import as_completed

    chunks = chunk(jobs, workers * CHUNKS_PER_WORKER)
    results: list[list[DocumentBundle] | None] = [None] * len(chunks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_run_chunk, c): i for i, c in enumerate(chunks)}
        done = 0
        for f in as_completed(futures):
            i = futures[f]
            results[i] = f.result()
            done += len(chunks[i])
            if progress:
                progress(done)
    return [b for part in results for b in part or []]


def pool_workers(jobs: Sequence[Job], cost: PoolCost | None, cores: int | None = None) -> int:
    """How many processes to use: 1 (serial) unless the pool was fitted and these articles are long enough for
    the cores at hand to repay starting it."""
    cores = usable_cores() if cores is None else cores
    if cost is None or cores < 2 or len(jobs) < 2:
        return 1
    workers = min(cores, len(jobs))
    return workers if article_chars(jobs) >= cost.min_chars(workers) else 1
