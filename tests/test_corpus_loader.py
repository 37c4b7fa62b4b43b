"""Reading the corpus folder: the three formats, and every unreadable file skipped with its reason."""
import os
import shutil
from pathlib import Path

import pytest

from retrieval.ingest.loader import scan_corpus

from .conftest import CORPUS, FIXTURES

GOOD_MD = """---
title: A good article
source: The Example Times
url: https://example.com/good
published: 2026-02-05
author: A. Writer
---

First paragraph. It has two sentences.

Second paragraph
wrapped over two lines.
"""

BAD_FILES = {
    "no-front-matter.md": ("Just text, no metadata.\n", "no front matter"),
    "bad-yaml.md": ("---\ntitle: [unclosed\n---\n\nBody.\n", "bad front matter"),
    "no-title.md": ("---\nsource: X\npublished: 2026-01-01\n---\n\nBody.\n", "missing 'title'"),
    "impossible-date.md": ("---\ntitle: T\nsource: S\npublished: 2026-02-30\n---\n\nBody.\n", "date"),
    "wrong-type.md": ("---\ntitle: [a, b]\nsource: S\n---\n\nBody.\n", "title"),
    "empty.md": ("", "empty"),
    "blank.txt": ("   \n\n  ", "empty"),
    "no-body.md": ("---\ntitle: T\nsource: S\n---\n", "no article text"),
    "notes.docx": ("binary-ish", "unsupported file type"),
}


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_canonical_markdown(tmp_path):
    _write(tmp_path, "good.md", GOOD_MD)
    scan = scan_corpus(tmp_path)
    assert scan.skipped == []
    [a] = scan.articles
    assert (a.doc_id, a.title, a.source, a.url, a.published.isoformat(), a.author) == (
        "good", "A good article", "The Example Times", "https://example.com/good", "2026-02-05", "A. Writer")
    assert a.paragraphs == ("First paragraph. It has two sentences.", "Second paragraph wrapped over two lines.")


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_read(tmp_path):
    _write(tmp_path, "good.md", GOOD_MD)
    for name, (text, _) in BAD_FILES.items():
        _write(tmp_path, name, text)
    (tmp_path / "latin1.txt").write_bytes("date 2026-01-01\n\nCaf\xe9 au lait.".encode("latin-1"))
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 8)
    scan = scan_corpus(tmp_path)
    assert [a.doc_id for a in scan.articles] == ["good", "latin1"]  # a legacy encoding is read (test_encodings)
    assert scan.articles[1].paragraphs == ("Caf\xe9 au lait.",)
    reasons = {s.path: s.reason for s in scan.skipped}
    for name, (_, why) in BAD_FILES.items():
        assert why in reasons[name], (name, reasons[name])
    assert "binary" in reasons["junk.txt"]


def test_oversized_file_is_skipped(tmp_path):
    _write(tmp_path, "huge.md", GOOD_MD + ("Long paragraph. " * 1000))
    scan = scan_corpus(tmp_path, max_bytes=2000)
    assert scan.articles == [] and "too large" in scan.skipped[0].reason


def test_link_out_of_the_corpus_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    _write(outside, "secret.md", GOOD_MD)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(outside / "secret.md", corpus / "link.md")
    os.symlink(outside, corpus / "linked-dir")
    scan = scan_corpus(corpus)
    assert scan.articles == []
    assert [s.reason for s in scan.skipped] == ["link pointing outside the corpus folder"]


def test_plain_text_with_date_line(tmp_path):
    # (one-word paragraphs such as "Three." read as page furniture since the fitted filter: real sentences here)
    _write(tmp_path, "wire-story.txt", "date 2026-03-01\ntitle: Wire story\nsource: Wire\n\n"
           "The court met. It adjourned.\n\nThe hearing resumes on Monday.\n")
    [a] = scan_corpus(tmp_path).articles
    assert (a.title, a.source, a.published.isoformat(), a.paragraphs) == (
        "Wire story", "Wire", "2026-03-01", ("The court met. It adjourned.", "The hearing resumes on Monday."))


def test_raw_seed_reads_as_plain_text_without_furniture(tmp_path):
    shutil.copy(FIXTURES / "seed-raw.txt", tmp_path / "seed.txt")
    [a] = scan_corpus(tmp_path).articles
    assert a.published.isoformat() == "2026-02-03"
    assert a.paragraphs[0].startswith("Paris prosecutors have raided")
    assert not any("gallery" in p or "donation" in p for p in a.paragraphs)


def test_html_page_keeps_article_text_only():
    scan = scan_corpus(FIXTURES / "html")
    [a] = scan.articles
    assert a.title == "French prosecutors widen X inquiry to Grok deepfakes"
    assert a.source == "The Daily Ledger"
    assert a.url == "https://www.dailyledger.example/world/2026/feb/04/french-prosecutors-widen-x-inquiry-grok"
    assert a.published.isoformat() == "2026-02-04"
    body = "\n".join(a.paragraphs)
    assert a.paragraphs[0].startswith("French prosecutors said on Wednesday")
    assert "summoned for voluntary interviews on 20 April 2026." in body
    for furniture in ("cookie", "Sign up", "newsletter", "Related stories", "Photograph", "All rights reserved",
                      "Privacy policy", "Home"):
        assert furniture not in body, furniture
    assert len(a.paragraphs) == 4


def test_bundled_corpus_reads_cleanly():
    scan = scan_corpus(CORPUS)
    assert scan.skipped == []
    assert len(scan.articles) >= 1


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        scan_corpus(tmp_path / "nope")
