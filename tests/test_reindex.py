"""Reindex: incremental by sentence, removals, atomic replacement, and an index that checks itself."""
import shutil

import pytest

from retrieval.case_index import open_current
from retrieval.engine import CaseEngine
from retrieval.indexer import NoArticles, ReindexBusy, reindex_lock
from retrieval.layout import IndexLayout
from retrieval.manifest import IndexProblem

from .conftest import FIXTURES, make_settings

NEW_ARTICLE = """---
title: Ofcom widens its own Grok inquiry
source: The Example Times
url: https://example.com/ofcom-grok
published: 2026-02-10
---

Ofcom said on Monday it had widened its investigation into the Grok chatbot. The regulator will report in June.

A spokesperson for the regulator declined to comment further.
"""


class CountingEmbedder:
    """The real model, counting the sentences it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.model_name, self.dim, self.batch_size = inner, inner.model_name, inner.dim, inner.batch_size
        self.embedded: list[str] = []

    def encode(self, texts, *, progress=None):
        self.embedded.extend(texts)
        return self.inner.encode(texts, progress=progress)

    def encode_query(self, text):
        return self.inner.encode_query(text)


@pytest.fixture
def counting(embedder):
    return CountingEmbedder(embedder)


def test_adding_one_article_embeds_only_its_sentences(settings, counting):
    engine = CaseEngine(settings, embedder=counting)
    first = engine.reindex()
    assert first.added == ["independent-2026-02-03-x-paris-raid"] and first.embedded == 17
    counting.embedded.clear()
    (settings.corpus_dir / "ofcom.md").write_text(NEW_ARTICLE, encoding="utf-8")
    second = engine.reindex()
    assert second.added == ["ofcom"] and second.unchanged == 1 and second.removed == []
    assert second.documents == 2 and second.sentences == 20
    assert sorted(counting.embedded) == sorted([
        "Ofcom said on Monday it had widened its investigation into the Grok chatbot.",
        "The regulator will report in June.",
        "A spokesperson for the regulator declined to comment further.",
    ])
    assert engine.ask("What did Ofcom say it had widened?").answers[0].citation.doc_id == "ofcom"


def test_removing_an_article_removes_its_sentences(settings, counting):
    (settings.corpus_dir / "ofcom.md").write_text(NEW_ARTICLE, encoding="utf-8")
    engine = CaseEngine(settings, embedder=counting)
    engine.reindex()
    (settings.corpus_dir / "ofcom.md").unlink()
    counting.embedded.clear()
    summary = engine.reindex()
    assert summary.removed == ["ofcom"] and summary.sentences == 17 and counting.embedded == []
    assert [s.doc_id for s in engine.sources()] == ["independent-2026-02-03-x-paris-raid"]
    result = engine.ask("What did Ofcom say it had widened?")
    assert all(a.citation.doc_id != "ofcom" for a in result.answers)


def test_unchanged_corpus_keeps_the_index(engine):
    before = IndexLayout(engine.settings.index_dir).current()
    summary = engine.reindex()
    assert summary.rebuilt is False and summary.unchanged == 1
    assert IndexLayout(engine.settings.index_dir).current() == before


def test_edited_article_is_changed_and_reembedded(settings, counting):
    engine = CaseEngine(settings, embedder=counting)
    engine.reindex()
    path = next(settings.corpus_dir.glob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing sentence was added.\n", encoding="utf-8")
    counting.embedded.clear()
    summary = engine.reindex()
    assert summary.changed == [path.stem] and counting.embedded == ["A new closing sentence was added."]


def test_failed_reindex_leaves_the_old_index_answering(engine, monkeypatch):
    old = IndexLayout(engine.settings.index_dir).current()
    (engine.settings.corpus_dir / "ofcom.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("retrieval.indexer.save_vector_index", boom)
    with pytest.raises(OSError, match="No space left"):
        engine.reindex()
    assert IndexLayout(engine.settings.index_dir).current() == old
    assert "summoned by prosecutors to appear in April" in engine.ask("When must Musk appear?").answers[0].text
    # A new process opening the index sees the old build, whole.
    reopened = open_current(engine.settings.index_dir, model=engine.settings.model)
    assert reopened.manifest.documents == 1
    monkeypatch.undo()
    assert engine.reindex().added == ["ofcom"]


def test_no_readable_article_keeps_the_old_index(engine):
    for f in engine.settings.corpus_dir.iterdir():
        f.write_text("not an article", encoding="utf-8")
    with pytest.raises(NoArticles, match="left as it was"):
        engine.reindex()
    assert engine.ask("When must Musk appear?").answered


def test_second_reindex_while_one_runs_is_refused(settings):
    with reindex_lock(settings.index_dir):
        with pytest.raises(ReindexBusy):
            with reindex_lock(settings.index_dir):
                pass


@pytest.mark.parametrize("victim", ["sentences.sqlite", "vectors.faiss", "bm25/terms.json", "bm25/rows.npy"])
def test_damaged_index_file_is_detected(engine, victim):
    build = IndexLayout(engine.settings.index_dir).current()
    path = build / victim
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexProblem, match="damaged|missing"):
        open_current(engine.settings.index_dir, model=engine.settings.model)


def test_missing_manifest_and_model_mismatch_are_explained(engine):
    with pytest.raises(IndexProblem, match="built with the model"):
        open_current(engine.settings.index_dir, model="some/other-model")
    (IndexLayout(engine.settings.index_dir).current() / "manifest.json").unlink()
    with pytest.raises(IndexProblem, match="no manifest"):
        open_current(engine.settings.index_dir, model=engine.settings.model)
    # The next reindex repairs it.
    assert engine.reindex().rebuilt
    open_current(engine.settings.index_dir, model=engine.settings.model)


def test_no_index_yet(tmp_path):
    with pytest.raises(IndexProblem, match="no index yet.*casebot reindex"):
        open_current(tmp_path / "empty", model="m")


def test_html_and_markdown_together(settings, embedder):
    shutil.copy(FIXTURES / "html" / "outlet-2026-02-04-grok-probe.html", settings.corpus_dir)
    engine = CaseEngine(settings, embedder=embedder)
    summary = engine.reindex()
    assert summary.documents == 2 and summary.skipped == []
    result = engine.ask("When were Musk and Yaccarino summoned for interviews?")
    assert result.answers[0].citation.source == "The Daily Ledger"
    assert "20 April 2026" in result.answers[0].text


def test_old_builds_are_pruned(settings, embedder):
    engine = CaseEngine(settings, embedder=embedder)
    for i in range(4):
        (settings.corpus_dir / f"extra{i}.md").write_text(NEW_ARTICLE, encoding="utf-8")
        engine.reindex()
    builds = list((settings.index_dir / "builds").iterdir())
    assert len(builds) <= 2


def _queued_behind_a_held_lock(settings, start, queued) -> object:
    """Hold the index's reindex lock as another casebot process would, run `start()` in a thread, and return its
    result once it has said it is queued (`queued()` true) and the lock is let go."""
    import threading
    import time

    out = {}
    with reindex_lock(settings.index_dir):
        worker = threading.Thread(target=lambda: out.setdefault("result", start()), daemon=True)
        worker.start()
        deadline = time.monotonic() + 120
        while not queued():
            assert worker.is_alive(), f"it ended instead of queueing: {out}"
            assert time.monotonic() < deadline, "it never said it was queued"
            time.sleep(0.02)
        time.sleep(0.2)
        assert worker.is_alive() and "result" not in out  # still waiting for the lock
    worker.join(timeout=300)
    assert not worker.is_alive()
    return out["result"]


def test_engine_reindex_waits_for_another_process_only_when_asked(engine):
    with reindex_lock(engine.settings.index_dir):
        with pytest.raises(ReindexBusy):
            engine.reindex()
    (engine.settings.corpus_dir / "ofcom.md").write_text(NEW_ARTICLE, encoding="utf-8")
    told = []
    summary = _queued_behind_a_held_lock(engine.settings, lambda: engine.reindex(wait=True,
                                                                                 on_queued=lambda: told.append(1)),
                                         lambda: told)
    assert told == [1] and summary.added == ["ofcom"]
    assert engine.ask("What did Ofcom widen?").answered


@pytest.mark.parametrize("front", ["cli", "console"])
def test_cli_and_console_reindex_queue_behind_a_running_reindex(engine, monkeypatch, capsys, front):
    """`casebot reindex` and the console's /reindex, while the bot (another process) reindexes the same case:
    they say they are queued, then run and show their own summary."""
    from bot.cli import main
    from bot.console import handle
    from bot.render_text import QUEUED_NOTE

    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(engine.settings.corpus_dir))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(engine.settings.index_dir))
    monkeypatch.chdir(engine.settings.index_dir.parent)  # no stray .env is read
    (engine.settings.corpus_dir / "ofcom.md").write_text(NEW_ARTICLE, encoding="utf-8")
    err = []

    def said_queued() -> bool:
        err.append(capsys.readouterr().err)
        return QUEUED_NOTE in "".join(err)

    start = (lambda: main(["reindex"])) if front == "cli" else (lambda: handle(engine, "/reindex"))
    result = _queued_behind_a_held_lock(engine.settings, start, said_queued)
    out = capsys.readouterr().out
    if front == "cli":
        assert result == 0 and "1 added" in out
    else:
        assert "1 added" in result
    assert "already running" in "".join(err) and "Traceback" not in "".join(err)
