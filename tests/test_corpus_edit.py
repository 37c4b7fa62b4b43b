"""Adding and removing in the core: updates by canonical URL whatever the old file's format, undo on failure."""
from __future__ import annotations

import pytest

from retrieval.cases import CaseRegistry
from retrieval.corpus_edit import EditProblem, add_article, article_from_page, remove_article, url_key
from retrieval.ingest.fetch import FetchedPage
from tests.cases_helpers import BOEING, write_two_cases
from tests.conftest import make_settings
from tests.http_pages import article_html

URL = "https://aviation.example.org/2024/01/loose-bolts"


def page(sentence: str) -> FetchedPage:
    html = article_html(title="Airline finds loose bolts", outlet="The Aviation Desk", canonical=URL,
                        published="2024-01-09", paragraphs=[sentence])
    return FetchedPage("https://aviation.example.org/x?utm=1", "html", html.decode())


@pytest.fixture
def registry(tmp_path, embedder):
    reg = CaseRegistry(make_settings(write_two_cases(tmp_path), tmp_path / "index"), embedder=embedder)
    for _, engine in reg.engines():
        engine.reindex()
    return reg


@pytest.mark.parametrize("a, b", [
    ("https://www.Example.org/a/", "http://example.org/a"), ("https://example.org/a#part", "https://example.org/a"),
])
def test_url_key_treats_spellings_of_one_page_alike(a, b):
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_same_canonical_url_updates_the_article_whatever_its_format(registry, suffix):
    case_dir = registry.info(BOEING).corpus_dir
    old = article_html(title="Airline finds loose bolts", outlet="The Aviation Desk", canonical=URL,
                       published="2024-01-09", paragraphs=["Inspectors found loose bolts, the airline said."])
    if suffix == ".html":
        (case_dir / "saved-page.html").write_bytes(old)
    else:
        add_article(registry, BOEING, article_from_page(page("Inspectors found loose bolts, the airline said.")))
    registry.engine(BOEING).reindex()
    before = len(registry.engine(BOEING).sources())

    result = add_article(registry, BOEING, article_from_page(page("Inspectors found loose bolts on several planes, "
                                                                  "the airline said on Monday.")))
    assert result.updated and result.first_sentence.startswith("Inspectors found loose bolts on several planes")
    sources = registry.engine(BOEING).sources()
    assert len(sources) == before and [s.url for s in sources].count(URL) == 1
    visible = sorted(p.name for p in case_dir.iterdir() if not p.name.startswith("."))
    assert not any(name.endswith(".html") for name in visible)
    if suffix == ".html":  # the saved page was set aside, not deleted
        assert (case_dir / ".removed" / "saved-page.html").is_file()


def test_removing_the_last_article_of_a_case_is_refused(registry):
    only = registry.engine("x-paris-probe").sources()
    assert len(only) == 1
    with pytest.raises(EditProblem, match="only article"):
        remove_article(registry, "x-paris-probe", only[0].doc_id)
    assert len(registry.engine("x-paris-probe").sources()) == 1


def test_a_failed_reindex_undoes_the_add(registry, monkeypatch):
    case_dir = registry.info(BOEING).corpus_dir
    before = sorted(p.name for p in case_dir.rglob("*"))
    engine = registry.engine(BOEING)
    monkeypatch.setattr(engine, "reindex", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        add_article(registry, BOEING, article_from_page(page("Inspectors found loose bolts, the airline said.")))
    assert sorted(p.name for p in case_dir.rglob("*")) == before
