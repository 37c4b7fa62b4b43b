"""Several cases in one corpus folder: discovery, one model for all, and answers that never mix cases."""
from __future__ import annotations

import shutil

import pytest

from retrieval.cases import DEFAULT_CASE, CaseProblem, CaseRegistry, discover
from tests.cases_helpers import BOEING, MUSK_QUESTION, MUSK_QUOTE, PARIS, write_two_cases
from tests.conftest import CORPUS, make_settings


@pytest.fixture
def two_cases(tmp_path, embedder):
    corpus = write_two_cases(tmp_path)
    registry = CaseRegistry(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    for _, engine in registry.engines():
        engine.reindex()
    return registry


def test_flat_corpus_is_one_default_case_indexed_where_it_always_was(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "old-folder").mkdir()  # a sub-folder of a flat corpus stays part of it, as before
    cases = discover(corpus, tmp_path / "index")
    assert [c.name for c in cases] == [DEFAULT_CASE]
    assert cases[0].corpus_dir == corpus and cases[0].index_dir == tmp_path / "index"


def test_case_folders_are_cases_with_their_own_index_and_case_yaml(tmp_path):
    corpus = write_two_cases(tmp_path)
    (corpus / ".removed").mkdir()  # hidden folders are not cases
    (corpus / "Not A Case!").mkdir()  # nor are folders whose names cannot be typed as a case
    cases = {c.name: c for c in discover(corpus, tmp_path / "index")}
    assert sorted(cases) == [BOEING, PARIS]
    assert cases[PARIS].title == "X in Paris"
    assert cases[PARIS].description == "The Paris prosecutors' probe of X"
    assert cases[BOEING].title == BOEING and cases[BOEING].description is None
    assert cases[PARIS].index_dir == tmp_path / "index" / PARIS


def test_cases_share_one_model(tmp_path):
    corpus = write_two_cases(tmp_path)
    registry = CaseRegistry(make_settings(corpus, tmp_path / "index"))
    registry._embedder = shared = object()  # stands for the one loaded model
    first, second = registry.engine(PARIS), registry.engine(BOEING)
    assert first.embedder is shared and second.embedder is shared


def test_a_question_answered_in_one_case_abstains_in_the_other(two_cases):
    paris = two_cases.engine(PARIS).ask(MUSK_QUESTION)
    boeing = two_cases.engine(BOEING).ask(MUSK_QUESTION)
    assert paris.answered and MUSK_QUOTE in paris.answers[0].text
    assert not boeing.answered


def test_timelines_and_sources_never_mix_cases(two_cases):
    paris_sources = {s.title for s in two_cases.engine(PARIS).sources()}
    boeing_sources = {s.title for s in two_cases.engine(BOEING).sources()}
    assert paris_sources and boeing_sources and not paris_sources & boeing_sources
    for case, other in ((PARIS, boeing_sources), (BOEING, paris_sources)):
        events = two_cases.engine(case).timeline()
        assert events
        assert all(e.citation.title not in other for e in events)
    boeing_answer = two_cases.engine(BOEING).ask("How many aircraft were grounded?")
    assert boeing_answer.answered
    assert all(a.citation.title in boeing_sources for a in boeing_answer.answers)


def test_resolve_names_the_case_or_asks_which(two_cases):
    assert two_cases.resolve(BOEING)[0] == BOEING
    assert two_cases.resolve(None, default=PARIS)[0] == PARIS
    with pytest.raises(CaseProblem, match=f"{BOEING}, {PARIS}"):
        two_cases.resolve(None)
    with pytest.raises(CaseProblem, match="no case named 'nope'"):
        two_cases.resolve("nope")
    # A channel default whose case folder is gone is passed over, not obeyed.
    with pytest.raises(CaseProblem, match="which case"):
        two_cases.resolve(None, default="gone-case")


def test_one_case_needs_no_name(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    registry = CaseRegistry(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    assert registry.resolve(None)[0] == DEFAULT_CASE


def test_new_case_folder_is_refused_in_a_flat_corpus(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    registry = CaseRegistry(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    with pytest.raises(CaseProblem, match="top level"):
        registry.new_case_dir("boeing")
    multi = CaseRegistry(make_settings(write_two_cases(tmp_path / "m"), tmp_path / "m-index"), embedder=embedder)
    with pytest.raises(CaseProblem, match="not a case name"):
        multi.new_case_dir("../escape")
    multi.new_case_dir("new-case")
    assert "new-case" in multi.names()
