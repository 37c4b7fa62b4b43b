"""Incremental reindex: a build extends the one in service (store patched, rows appended, ids never reused),
reads only the files that changed, and answers exactly as a build made from scratch over the same corpus."""
import json
import os
import shutil

import pytest

import retrieval.indexer as indexer
import retrieval.ingest.loader as loader
from retrieval.engine import CaseEngine
from retrieval.layout import IndexLayout
from retrieval.manifest import read_manifest

from .conftest import CORPUS, EVAL, make_settings

EXTRA = EVAL / "extra"
QUESTIONS = [json.loads(line)["question"] for line in (EVAL / "questions.jsonl").read_text().splitlines() if line]
LATE = "bulletin-2026-04-21-musk-no-show.md"


def _corpus(tmp_path, *, without=()):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for src in [*CORPUS.iterdir(), *EXTRA.iterdir()]:
        if src.name not in without:
            shutil.copy(src, corpus / src.name)
    return corpus


def _answers(engine):
    out = []
    for q in QUESTIONS:
        result = engine.ask(q)
        out.append((q, [(a.text, a.citation.doc_id, a.citation.paragraph, [c.doc_id for c in a.also])
                        for a in result.answers]))
    return out


def _timeline(engine):
    return [(e.date, e.text, e.citation.doc_id, [c.doc_id for c in e.also]) for e in engine.timeline()]


def _fresh(tmp_path, corpus, embedder, name="fresh"):
    engine = CaseEngine(make_settings(corpus, tmp_path / name), embedder=embedder)
    engine.reindex()
    return engine


@pytest.fixture
def grown(tmp_path, embedder):
    """An index of every article but one, then that one added."""
    corpus = _corpus(tmp_path, without={LATE})
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    shutil.copy(EXTRA / LATE, corpus / LATE)
    return engine, corpus


def test_added_article_extends_the_previous_build(grown):
    engine, _ = grown
    before = read_manifest(IndexLayout(engine.settings.index_dir).current())
    summary = engine.reindex()
    after = engine.index.manifest
    assert summary.added == ["bulletin-2026-04-21-musk-no-show"] and summary.rebuilt is not False
    # Appended: the old sentences kept their ids, the new article's follow them.
    assert after.rows == before.rows + (after.sentences - before.sentences) and after.rows == after.sentences
    first, count = engine.index.store.id_ranges()["bulletin-2026-04-21-musk-no-show"]
    assert first == before.rows and count == after.sentences - before.sentences


def test_extended_build_answers_as_a_fresh_build(grown, tmp_path, embedder):
    engine, corpus = grown
    engine.reindex()
    fresh = _fresh(tmp_path, corpus, embedder)
    assert _answers(engine) == _answers(fresh)
    assert _timeline(engine) == _timeline(fresh)
    assert [s.doc_id for s in engine.sources()] == [s.doc_id for s in fresh.sources()]


def test_edited_and_removed_articles_leave_unowned_rows_that_search_skips(tmp_path, embedder, monkeypatch):
    monkeypatch.setattr(indexer, "MAX_UNOWNED_SHARE", 1.0)  # never compact, whatever the share
    corpus = _corpus(tmp_path)
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    raid = corpus / "independent-2026-02-03-x-paris-raid.md"
    raid.write_text(raid.read_text(encoding="utf-8").replace("appear in April", "appear in late May"),
                    encoding="utf-8")
    (corpus / "courier-2026-02-05-yaccarino.md").unlink()
    summary = engine.reindex()
    assert summary.changed == ["independent-2026-02-03-x-paris-raid"]
    assert summary.removed == ["courier-2026-02-05-yaccarino"]
    manifest = engine.index.manifest
    assert manifest.rows > manifest.sentences  # the old version's rows are still there, owned by nobody

    answer = engine.ask("When must Musk appear?").answers[0]
    assert "appear in late May" in answer.text or answer.citation.doc_id != "independent-2026-02-03-x-paris-raid"
    for a in engine.ask("When must Musk appear?", k=10).answers:
        assert "appear in April" not in a.text or a.citation.doc_id != "independent-2026-02-03-x-paris-raid"
        assert all(c.doc_id != "courier-2026-02-05-yaccarino" for c in (a.citation, *a.also))
    assert all(e.citation.doc_id != "courier-2026-02-05-yaccarino" for e in engine.timeline())

    fresh = _fresh(tmp_path, corpus, embedder)
    assert _answers(engine) == _answers(fresh)
    assert _timeline(engine) == _timeline(fresh)


def test_past_the_share_of_unowned_rows_the_build_is_compacted(tmp_path, embedder, monkeypatch):
    monkeypatch.setattr(indexer, "MAX_UNOWNED_SHARE", 0.0)
    corpus = _corpus(tmp_path)
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    (corpus / "courier-2026-02-05-yaccarino.md").unlink()
    engine.reindex()
    manifest = engine.index.manifest
    assert manifest.rows == manifest.sentences
    assert sorted(engine.index.store.live_ids()) == list(range(manifest.sentences))


def test_unchanged_files_are_not_read_and_touched_ones_not_parsed(grown, monkeypatch):
    engine, corpus = grown
    engine.reindex()
    reads, parses = [], []
    real_read, real_parse = loader.read_raw, loader.article_from_bytes
    monkeypatch.setattr(loader, "read_raw", lambda path, **kw: reads.append(path.name) or real_read(path, **kw))
    monkeypatch.setattr(loader, "article_from_bytes",
                        lambda raw, path, root: parses.append(path.name) or real_parse(raw, path, root))

    touched = corpus / "wire-2026-02-04-yaccarino.md"
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    before = IndexLayout(engine.settings.index_dir).current()
    summary = engine.reindex()
    assert summary.rebuilt is False and IndexLayout(engine.settings.index_dir).current() == before
    assert reads == [touched.name] and parses == []
    assert not engine.corpus_changed()

    reads.clear()
    assert engine.reindex().rebuilt is False
    assert reads == []  # the touched file's new state was remembered


def test_a_new_pipeline_version_reprocesses_every_file(grown, monkeypatch):
    engine, corpus = grown
    engine.reindex()
    monkeypatch.setattr(indexer, "PIPELINE_VERSION", "test-next")
    summary = engine.reindex()
    assert summary.unchanged == 0 and len(summary.changed) == len(list(corpus.iterdir()))
    assert engine.index.manifest.pipeline == "test-next"


@pytest.mark.parametrize("ann_min_vectors", [1, "between"], ids=["hnsw-extended", "flat-becomes-hnsw"])
def test_hnsw_builds_are_extended_too(tmp_path, embedder, ann_min_vectors):
    corpus = _corpus(tmp_path, without={LATE})
    first = CaseEngine(make_settings(corpus, tmp_path / "probe"), embedder=embedder)
    first.reindex()
    rows = first.index.manifest.rows
    threshold = 1 if ann_min_vectors == 1 else rows + 1  # the new article pushes the index over the switch
    engine = CaseEngine(make_settings(corpus, tmp_path / "index", ann_min_vectors=threshold), embedder=embedder)
    engine.reindex()
    assert engine.index.manifest.vector_index == ("hnsw" if threshold == 1 else "flat")
    shutil.copy(EXTRA / LATE, corpus / LATE)
    engine.reindex()
    manifest = engine.index.manifest
    assert manifest.vector_index == "hnsw" and engine.index.vectors.ntotal == manifest.rows > rows
    fresh = CaseEngine(make_settings(corpus, tmp_path / "fresh", ann_min_vectors=1), embedder=embedder)
    fresh.reindex()
    assert _answers(engine) == _answers(fresh)
