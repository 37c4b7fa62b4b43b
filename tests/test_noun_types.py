"""The noun classes (retrieval/noun_types.py): WordNet's lexicographer file of a noun's most frequent sense, the
answer type a "which NOUN" / "what NOUN" question asks for."""
from __future__ import annotations

import gzip

import pytest

from retrieval.noun_types import build, is_plural, noun_class, read_table


@pytest.mark.parametrize("word, cls", [
    ("judge", "person"), ("prosecutor", "person"), ("spokeswoman", "person"), ("actor", "person"),
    ("company", "group"), ("police", "group"), ("court", "group"),
    ("city", "location"), ("county", "location"),
    ("salary", "possession"), ("ransom", "possession"), ("compensation", "possession"), ("fine", "possession"),
    ("month", "time"), ("week", "time"),
    ("ceiling", "artifact"), ("investigation", "cognition"), ("nights", "time"), ("passengers", "person"),
])
def test_news_nouns_have_the_class_of_their_most_frequent_sense(word, cls):
    assert noun_class(word) == cls


@pytest.mark.parametrize("plural, cls", [("judges", "person"), ("companies", "group"), ("Regulators", "artifact"),
                                         ("cities", "location"), ("Prosecutors", "person")])
def test_a_regular_plural_has_its_singular_class(plural, cls):
    assert noun_class(plural) == cls
    assert is_plural(plural)


@pytest.mark.parametrize("word", ["judge", "news", "was", "is", "people", "bus"])
def test_singulars_and_short_words_are_not_plurals(word):
    assert not is_plural(word)


@pytest.mark.parametrize("word", ["won", "sat", "found", "led", "fell"])
def test_irregular_past_forms_are_verbs_not_their_rare_nouns(word):
    assert noun_class(word) == "verb"


@pytest.mark.parametrize("word", ["the", "quickly", "xyzzy", ""])
def test_words_that_are_no_noun_have_no_class(word):
    assert noun_class(word) is None


def _wordnet_dict(folder, newline):
    """A three-synset WordNet in the dict format, written with `newline` line ends."""
    files = {
        "lexnames": "03\tnoun.Tops\t1\n06\tnoun.artifact\t1\n18\tnoun.person\t1\n28\tnoun.time\t1\n",
        "data.noun": ("  1 licence text line\n"
                      "00000100 18 n 01 judge 0 000 | a public official\n"
                      "00000200 06 n 01 judge 0 000 | (a made-up second sense)\n"
                      "00000300 28 n 02 month 0 calendar_month 0 000 | a time unit\n"
                      "00000400 06 n 01 won 0 000 | (a made-up noun for a verb form)\n"),
        # lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets (most frequent sense first)
        "index.noun": ("  1 licence text line\n"
                       "judge n 2 1 @ 2 1 00000100 00000200\n"
                       "month n 1 0 1 1 00000300\n"
                       "calendar_month n 1 0 1 0 00000300\n"
                       "three_word_noun_here n 1 0 1 0 00000300\n"
                       "won n 1 0 1 0 00000400\n"),
        "noun.exc": "judgesses judge\nfeet foot\n",  # the second's singular is not in this WordNet
        "verb.exc": "won win\nsat sit\n",
        "LICENSE": "WordNet Release 3.0\nCopyright 2006 by Princeton University.\n",
    }
    for name, text in files.items():
        (folder / name).write_bytes(text.replace("\n", newline).encode())


@pytest.mark.parametrize("newline", ["\n", "\r\n"])  # copies with CRLF ends break WordNet's byte offsets
def test_the_table_is_built_from_wordnet_dict_files(tmp_path, newline):
    _wordnet_dict(tmp_path, newline)
    out = tmp_path / "classes.tsv.gz"
    rows = build(tmp_path, out)
    table = read_table(out)
    assert table == {"judge": ("person", "artifact"), "judgesses": ("person", "artifact"), "month": ("time",),
                     "calendar month": ("time",),
                     "won": ("verb",), "sat": ("verb",)}
    assert rows == len(table)
    assert b"Princeton" in gzip.decompress(out.read_bytes())  # the licence travels with the data


def test_the_build_is_reproducible(tmp_path):
    _wordnet_dict(tmp_path, "\n")
    build(tmp_path, tmp_path / "a.gz")
    build(tmp_path, tmp_path / "b.gz")
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_the_engine_reads_the_table_when_it_loads(tmp_path, monkeypatch, embedder):
    """The first reporter's question does not wait ~0.15 s for the table: loading the engine reads it."""
    from retrieval import noun_types
    from retrieval.engine import CaseEngine

    from .conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("---\ntitle: A\nsource: S\npublished: '2026-01-02'\n---\n\nThe court ruled on "
                                 "Monday.\n", encoding="utf-8")
    read = []
    monkeypatch.setattr(noun_types, "preload", lambda: read.append(True) or 1)
    CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder).load(build_if_needed=True)
    assert read


def test_preload_reads_the_whole_table():
    from retrieval.noun_types import preload

    assert preload() > 100_000


def test_every_class_in_the_shipped_table_is_a_wordnet_lexicographer_file():
    from retrieval.noun_types import CLASSES, DATA

    seen = {cls for classes in read_table(DATA).values() for cls in classes}
    assert seen <= set(CLASSES) | {"verb"}


def test_the_classes_a_question_asks_for_are_the_ones_plurals_keep():
    from retrieval.noun_types import ASKED_CLASSES
    from retrieval.question import _CLASS_KIND

    assert set(_CLASS_KIND) == ASKED_CLASSES
