"""Faults: a reindex killed at each of its steps (injected errors and a real SIGKILL), and damaged index files.
After each, the previous index keeps answering and the next reindex succeeds."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from retrieval.case_index import open_current
from retrieval.engine import CaseEngine
from retrieval.layout import IndexLayout
from retrieval.manifest import IndexProblem, read_manifest

from .conftest import ROOT

NEW = "---\ntitle: Fault article\nsource: Test Wire\npublished: 2026-02-06\n---\n\nA brand new sentence about {n}.\n"

# (what to break, where it lives): every step between reading the corpus and publishing the new build.
STEPS = [
    ("scan", "retrieval.indexer.scan_corpus"),
    ("embed-cache", "retrieval.embeddings.EmbeddingCache.put_many"),
    ("store", "retrieval.indexer.write_store"),
    ("vectors", "retrieval.indexer.save_vector_index"),
    ("bm25", "retrieval.lexical.LexicalIndex.save"),
    ("manifest", "retrieval.indexer.write_manifest"),
    ("publish", "retrieval.layout.IndexLayout.publish"),
]


def _answers_from_old_index(settings) -> None:
    index = open_current(settings.index_dir, model=settings.model)
    assert index.manifest.documents == 1
    fresh = CaseEngine(settings, embedder=None)
    fresh._index = index
    assert fresh.index.store.documents.keys() == {"independent-2026-02-03-x-paris-raid"}


@pytest.mark.parametrize("step, target", STEPS, ids=[s for s, _ in STEPS])
def test_injected_failure_at_each_step(engine, monkeypatch, step, target):
    settings = engine.settings
    before = IndexLayout(settings.index_dir).current()
    (settings.corpus_dir / "fault.md").write_text(NEW.format(n=step), encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(5, f"injected failure at {step}")

    monkeypatch.setattr(target, boom)
    with pytest.raises(OSError, match="injected failure"):
        engine.reindex()
    monkeypatch.undo()
    assert IndexLayout(settings.index_dir).current() == before
    assert "summoned by prosecutors to appear in April" in engine.ask("When must Musk appear?").answers[0].text
    _answers_from_old_index(settings)
    summary = engine.reindex()
    assert summary.added == ["fault"] and summary.documents == 2


KILLER = textwrap.dedent("""
    import os, signal, sys
    from importlib import import_module
    target = sys.argv[1]
    module_name, _, attr = target.rpartition(".")
    try:
        owner = import_module(module_name)
    except ModuleNotFoundError:
        mod, _, cls = module_name.rpartition(".")
        owner = getattr(import_module(mod), cls)
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    setattr(owner, attr, die)
    from bot.cli import main
    sys.exit(main(["reindex"]))
""")


@pytest.mark.parametrize("step, target", STEPS, ids=[s for s, _ in STEPS])
def test_sigkill_at_each_step(engine, step, target):
    settings = engine.settings
    before = IndexLayout(settings.index_dir).current()
    (settings.corpus_dir / "fault.md").write_text(NEW.format(n=step), encoding="utf-8")
    env = dict(os.environ, CASEBOT_CORPUS_DIR=str(settings.corpus_dir), CASEBOT_INDEX_DIR=str(settings.index_dir))
    r = subprocess.run([sys.executable, "-c", KILLER, target], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    assert IndexLayout(settings.index_dir).current() == before
    _answers_from_old_index(settings)
    assert engine.ask("When must Musk appear?").answered
    # The lock died with the process; the next reindex runs and cleans up.
    summary = engine.reindex()
    assert summary.added == ["fault"] and summary.documents == 2


def test_every_index_file_is_checked(engine):
    build = IndexLayout(engine.settings.index_dir).current()
    files = sorted(read_manifest(build).files)
    assert {"sentences.sqlite", "vectors.faiss"} <= set(files) and any(f.startswith("bm25/") for f in files)
    for rel in files:
        path = build / rel
        original = path.read_bytes()
        path.write_bytes(original[:-1] + bytes([original[-1] ^ 0xFF]) if original else b"x")
        with pytest.raises(IndexProblem, match=f"{rel}.*(damaged|missing)"):
            open_current(engine.settings.index_dir, model=engine.settings.model)
        path.unlink()
        with pytest.raises(IndexProblem, match="missing"):
            open_current(engine.settings.index_dir, model=engine.settings.model)
        path.write_bytes(original)
    open_current(engine.settings.index_dir, model=engine.settings.model)


def test_broken_index_is_rebuilt_by_the_cli_not_answered_from(engine, monkeypatch, capsys):
    from bot.cli import main

    build = IndexLayout(engine.settings.index_dir).current()
    (build / "vectors.faiss").write_bytes(b"garbage")
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(engine.settings.corpus_dir))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(engine.settings.index_dir))
    assert main(["ask", "When must Musk appear?"]) == 0
    out = capsys.readouterr()
    assert "built first" in out.err and "summoned by prosecutors" in out.out
    assert main(["health"]) == 0


def test_health_reports_a_broken_index(engine, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(engine.settings.corpus_dir))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(engine.settings.index_dir))
    assert main(["health"]) == 0
    (IndexLayout(engine.settings.index_dir).current() / "manifest.json").unlink()
    assert main(["health"]) == 1
    assert "unhealthy" in capsys.readouterr().err
