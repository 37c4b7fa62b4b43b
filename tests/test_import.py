"""`casebot import` of the raw seed: article text kept verbatim, page furniture dropped, metadata set."""
from pathlib import Path

import pytest

from retrieval.ingest.errors import ArticleError
from retrieval.ingest.importer import import_article
from retrieval.ingest.loader import read_article
from retrieval.sentences import split_sentences

from .conftest import CORPUS, FIXTURES

SEED = FIXTURES / "seed-raw.txt"
META = dict(
    title="Elon Musk’s X offices in France raided by Paris prosecutors",
    source="The Independent",
    url="https://www.independent.co.uk/news/world/europe/elon-musk-x-office-raid-paris-prosecutors-b2912886.html",
)


@pytest.fixture
def imported(tmp_path) -> Path:
    return import_article(SEED, tmp_path, **META)


def test_import_writes_canonical_markdown_with_metadata(imported, tmp_path):
    article = read_article(imported, tmp_path, max_bytes=10**6)
    assert article.title == META["title"]
    assert article.source == "The Independent"
    assert article.url == META["url"]
    assert article.published.isoformat() == "2026-02-03"  # from the raw file's `date` line


def test_import_drops_donation_appeal_and_captions(imported):
    text = imported.read_text(encoding="utf-8")
    assert "Your support helps us" not in text
    assert "Your donation" not in text
    assert "open image in gallery" not in text
    assert "Getty Images" not in text and "PA Wire" not in text
    assert "date 2026-02-03" not in text


def test_import_keeps_every_article_sentence_verbatim(imported, tmp_path):
    raw = SEED.read_text(encoding="utf-8")
    article = read_article(imported, tmp_path, max_bytes=10**6)
    sentences = [s for p in article.paragraphs for s in split_sentences(p)]
    assert len(sentences) == 17
    for s in sentences:
        assert s in raw
    # The typo is the article's, not ours to fix.
    assert any("investigation into into suspected" in s for s in sentences)
    assert article.paragraphs[0].startswith("Paris prosecutors have raided the offices")
    assert article.paragraphs[-1].endswith("Ofcom opened a similar investigation.")


def test_bundled_corpus_is_the_imported_seed(imported):
    assert (CORPUS / "independent-2026-02-03-x-paris-raid.md").read_text(encoding="utf-8") == imported.read_text(
        encoding="utf-8")


def test_import_refuses_to_overwrite_and_rejects_bad_metadata(imported, tmp_path):
    with pytest.raises(ArticleError, match="already exists"):
        import_article(SEED, tmp_path, **META)
    with pytest.raises(ArticleError, match="url"):
        import_article(SEED, tmp_path / "other", **{**META, "url": "not a url"})
    with pytest.raises(ArticleError, match="impossible date"):
        import_article(SEED, tmp_path / "other", published="2026-02-30", **META)


def test_import_file_name_cannot_escape_the_corpus(tmp_path):
    target = import_article(SEED, tmp_path / "corpus", name="../../etc/passwd", **META)
    assert target.parent == tmp_path / "corpus"
