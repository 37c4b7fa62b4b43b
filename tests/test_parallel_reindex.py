"""Reindex's per-sentence work in a process pool (issue 15): the pool's output is the serial path's, exactly, on
every corpus we have, and the pool is only chosen when the fitted costs say it pays."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.indexer import article_fingerprint, process_article, process_articles
from retrieval.ingest.loader import scan_corpus
from retrieval.parallel import PoolCost, chunk, pool_workers
from tests.conftest import CORPUS, EVAL


def _jobs(folder: Path):
    scan = scan_corpus(folder, max_bytes=5_000_000)
    articles = sorted(scan.articles, key=lambda a: a.doc_id)
    assert articles, folder
    return [(a, article_fingerprint(a)) for a in articles]


def _synthetic(tmp_path: Path, sentences: int = 600) -> Path:
    from benchmarks.synthetic import articles_for, write_corpus

    folder = tmp_path / f"synthetic-{sentences}"
    write_corpus(folder, articles_for(11, sentences))
    return folder


def _corpora(tmp_path: Path) -> list[Path]:
    folders = [CORPUS, EVAL / "dev" / "corpus", _synthetic(tmp_path)]
    return [f for f in folders if f.is_dir()]


def test_the_pool_gives_the_serial_output_exactly_on_every_corpus(tmp_path):
    seen = []
    for folder in _corpora(tmp_path):
        jobs = _jobs(folder)
        serial = [process_article(a, fp) for a, fp in jobs]
        ticks = []
        pooled = process_articles(jobs, lambda stage, done, total: ticks.append((stage, done, total)), workers=2)
        assert pooled == serial, folder  # sentences, offsets, tokens, dates, document rows, in order
        assert ticks[0] == ("split", 0, len(jobs)) and ticks[-1] == ("split", len(jobs), len(jobs))
        seen.append(sum(len(b.sentences) for b in pooled))
    assert len(seen) >= 2 and all(n > 0 for n in seen)


@pytest.mark.parametrize("parts", [1, 2, 3, 8, 50])
def test_chunks_keep_every_article_once_in_order(tmp_path, parts):
    jobs = _jobs(_synthetic(tmp_path))
    chunks = chunk(jobs, parts)
    assert [j for c in chunks for j in c] == jobs
    assert all(chunks) and len(chunks) <= max(parts, 1)


def test_a_full_reindex_through_the_pool_stores_what_the_serial_one_stores(tmp_path, embedder, monkeypatch):
    from retrieval.engine import CaseEngine
    from retrieval.layout import IndexLayout
    from retrieval.store import STORE_NAME, SentenceStore
    from tests.conftest import make_settings

    corpus = _synthetic(tmp_path, 250)
    dumps = []
    for workers in (1, 2):
        monkeypatch.setattr("retrieval.parallel.pool_workers", lambda jobs, cost, cores=None, w=workers: w)
        settings = make_settings(corpus, tmp_path / f"index-{workers}")
        summary = CaseEngine(settings, embedder=embedder).reindex()
        store = SentenceStore(IndexLayout(settings.index_dir).current() / STORE_NAME)
        try:
            dumps.append((summary.sentences, store.bundles(), store.dated_sentences()))
        finally:
            store.close()
    assert dumps[0] == dumps[1] and dumps[0][0] >= 250


COST = PoolCost(start_s=1.0, per_char_s=1e-5)  # 100k chars a second of serial work, 1 s to start a pool


def test_break_even_follows_the_fitted_costs():
    # Two workers save half the work: the pool pays from 2 s of serial work, i.e. 200k characters.
    assert COST.min_chars(2) == pytest.approx(200_000)
    assert COST.min_chars(4) == pytest.approx(1.0 / (1e-5 * 0.75))
    assert COST.min_chars(1) == float("inf")


def test_serial_unless_fitted_long_enough_and_cores_to_spare(tmp_path):
    jobs = _jobs(_synthetic(tmp_path))
    chars = sum(len(p) for a, _ in jobs for p in a.paragraphs)
    assert pool_workers(jobs, None, cores=16) == 1  # never fitted: as before the pool
    assert pool_workers(jobs, COST, cores=1) == 1
    assert pool_workers(jobs[:1], COST, cores=16) == 1
    cheap = PoolCost(start_s=chars * 1e-6 * 0.1, per_char_s=1e-6)  # start-up a tenth of the work
    dear = PoolCost(start_s=chars * 1e-6 * 2, per_char_s=1e-6)  # start-up twice the work
    assert pool_workers(jobs, cheap, cores=4) == 4
    assert pool_workers(jobs, dear, cores=4) == 1
    assert pool_workers(jobs[:3], cheap, cores=16) in (1, 3)  # never more workers than articles
