"""Shared fixtures: settings pointing at temporary folders, and one embedding model for the whole session."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tests never read a developer's .env or token.
for _name in list(os.environ):
    if _name.startswith("CASEBOT_"):
        del os.environ[_name]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVAL = Path(__file__).resolve().parent / "eval"


@pytest.fixture(scope="session")
def embedder():
    from retrieval.config import DEFAULT_MODEL
    from retrieval.embeddings import Embedder

    return Embedder(DEFAULT_MODEL)


def make_settings(corpus_dir: Path, index_dir: Path, **extra):
    from bot.settings import BotSettings

    return BotSettings(corpus_dir=corpus_dir, index_dir=index_dir, _env_file=None, **extra)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture
def settings(corpus_copy, tmp_path):
    return make_settings(corpus_copy, tmp_path / "index")


@pytest.fixture
def engine(settings, embedder):
    """An engine over a fresh index of the bundled corpus (embeddings come from the session's model)."""
    from retrieval.engine import CaseEngine

    eng = CaseEngine(settings, embedder=embedder)
    eng.reindex()
    return eng


@pytest.fixture(scope="session")
def bundled_engine(bundled_local_engine):
    """Read-only engine over the bundled corpus, built once per session; do not reindex it."""
    return bundled_local_engine


@pytest.fixture(scope="session")
def bundled_local_engine(tmp_path_factory, embedder):
    from retrieval.engine import CaseEngine

    base = tmp_path_factory.mktemp("bundled")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    eng = CaseEngine(make_settings(corpus, base / "index"), embedder=embedder)
    eng.reindex()
    return eng


def milvus_settings(corpus_dir: Path, index_dir: Path, uri: Path, **extra):
    """Settings for the Milvus backend on a Milvus Lite folder."""
    return make_settings(corpus_dir, index_dir, index_backend="milvus", milvus_uri=str(uri), **extra)


@pytest.fixture(scope="module", params=["local", "milvus"])
def backend_engine(request, tmp_path_factory, embedder):
    """The bundled corpus served by each index backend in turn (issue 15): tests that take this fixture run
    against both, so the backends cannot drift. Read-only, like bundled_engine. Milvus Lite is stopped after the
    module: its server threads would otherwise stay for the session, under every later test that forks."""
    if request.param == "local":
        yield request.getfixturevalue("bundled_local_engine")
        return
    from retrieval.engine import CaseEngine
    from retrieval.milvus_index import release_all

    base = tmp_path_factory.mktemp("bundled-milvus")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    eng = CaseEngine(milvus_settings(corpus, base / "index", base / "milvus.db"), embedder=embedder)
    eng.reindex()
    try:
        yield eng
    finally:
        release_all()


def dev_questions(step: int) -> list[str]:
    """Every `step`-th question of the dev set's tune and held-out files, for checks that a fast path equals its
    definition (no figure is measured on them)."""
    out = []
    for name in ("questions-tune.jsonl", "questions-heldout.jsonl"):
        lines = (EVAL / "dev" / name).read_text(encoding="utf-8").splitlines()
        out += [json.loads(line)["question"] for line in lines if line.strip()][::step]
    return out
