"""What the reindex writes per article for the ask path (`DocumentWords`: its folded words, its first paragraph's
and all its stemmed tokens) is what the plain definitions make from its sentences, after a full build, after an
incremental one that adds, edits and removes articles, and after a compaction; and a question's candidates get
exactly the features and gaps they get from an index that keeps no such words. The answer slot's fast path
(`type_match`, bisection and the words next to a slot only) gives the one-word-at-a-time definition's value."""
import shutil

import numpy as np
import pytest

from retrieval import indexer
from retrieval.answer_signals import NEAR_WORDS, _WORD, _slots, _token_set, type_match
from retrieval.answering import article_words, gather
from retrieval.engine import CaseEngine
from retrieval.lexical import tokenize
from retrieval.question import QuestionType, parse_question
from retrieval.store import DocumentWords

from .conftest import EVAL, dev_questions, make_settings

DEV = EVAL / "dev"


def _plain_terms(store, doc_id):
    """doc_id's (first paragraph's tokens, all tokens), read sentence by sentence: the definition."""
    rows = store._db.execute("SELECT paragraph, tokens FROM sentences WHERE doc_id = ?", (doc_id,)).fetchall()
    first = min((p for p, _ in rows), default=None)
    return (frozenset(t for p, toks in rows if p == first for t in toks.split()),
            frozenset(t for _, toks in rows for t in toks.split()))


def _assert_stored_words_are_the_definition(engine):
    index = engine.index
    store = index.store
    stored = store.document_words(list(store.documents))
    assert set(stored) == set(store.documents) and len(stored) >= 3
    terms = store.document_terms(list(store.documents))
    for doc_id, words in stored.items():
        assert list(words.words) == article_words(index, doc_id)  # title and sentences, from the sentences table
        assert store.article_words([doc_id])[doc_id] == list(words.words)
        lead, every = _plain_terms(store, doc_id)
        assert (frozenset(words.lead), frozenset(words.terms)) == (lead, every) == terms[doc_id]
        assert words.words and words.terms and set(words.lead) <= set(words.terms)
    # Nothing is kept for an article the build no longer holds.
    rows = store._db.execute("SELECT doc_id FROM document_words").fetchall()
    assert sorted(r[0] for r in rows) == sorted(store.documents)


def _copy_dev(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for path in names:
        shutil.copy(path, folder / path.name)


@pytest.mark.parametrize("compact", [False, True])
def test_stored_words_follow_full_incremental_and_compacting_reindexes(tmp_path, embedder, monkeypatch, compact):
    # 0.0: every reindex that drops a row writes a compact build (kept articles' words come from the old store).
    monkeypatch.setattr(indexer, "MAX_UNOWNED_SHARE", 0.0 if compact else 1.0)
    articles = sorted((DEV / "corpus").iterdir())
    corpus = tmp_path / "corpus"
    _copy_dev(corpus, articles[:5])
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    _assert_stored_words_are_the_definition(engine)
    first_build = engine.index.path

    # One article added, one edited (a new paragraph with words no other article has), one removed.
    _copy_dev(corpus, articles[5:6])
    edited = corpus / next(a.name for a in articles[:5] if a.suffix == ".md")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nThe Zanzibarian auditors said on Tuesday that they "
                      "had questioned Quillfeather about the missing funds for three hours.\n", encoding="utf-8")
    (corpus / next(a.name for a in articles[:5] if a.suffix != ".md")).unlink()
    summary = engine.reindex()
    assert summary.rebuilt and summary.added and summary.changed and summary.removed
    assert engine.index.path != first_build
    _assert_stored_words_are_the_definition(engine)
    edited_id = summary.changed[0]
    assert {"zanzibarian", "quillfeather"} <= set(engine.index.store.article_words([edited_id])[edited_id])
    assert summary.removed[0] not in engine.index.store.document_words([summary.removed[0]])


def test_document_words_definition_on_small_inputs():
    from retrieval.store import SentenceRow

    rows = [SentenceRow(0, "d", 2, 0, 0, 9, "Fines rose.", ("fine", "rose")),
            SentenceRow(1, "d", 2, 1, 10, 30, "Éric Lémery resigned.", ("eric", "lemeri", "resign")),
            SentenceRow(2, "d", 3, 0, 0, 12, "The court met.", ("court", "met"))]
    w = DocumentWords.of("Cyber-crime: the Title", rows)
    assert w.words == ("court", "crime", "cyber", "eric", "fines", "lemery", "met", "resigned", "rose", "title")
    assert w.lead == ("eric", "fine", "lemeri", "resign", "rose")  # paragraph 2 is the first that has sentences
    assert w.terms == ("court", "eric", "fine", "lemeri", "met", "resign", "rose")
    assert DocumentWords.of("", []) == DocumentWords((), (), ())


class _PlainStore:
    """The store as a backend that keeps no article words: they and the article terms come from the sentences."""

    document_term_text = None  # the terms as sets only

    def __init__(self, store):
        self._store = store
        self.documents = store.documents

    def article_words(self, doc_ids):
        return {}

    def document_terms(self, doc_ids):
        return {d: _plain_terms(self._store, d) for d in doc_ids}

    def __getattr__(self, name):
        return getattr(self._store, name)


@pytest.fixture(scope="module")
def dev_engine(tmp_path_factory, embedder):
    """Ten dev articles over its four cases."""
    corpus = tmp_path_factory.mktemp("corpus")
    _copy_dev(corpus, sorted((DEV / "corpus").iterdir())[::2])
    engine = CaseEngine(make_settings(corpus, tmp_path_factory.mktemp("index")), embedder=embedder)
    engine.reindex()
    return engine


def test_gather_with_stored_words_equals_gather_from_the_sentences(dev_engine, embedder):
    from dataclasses import replace

    engine = dev_engine
    index = engine.index
    plain_index = replace(index, store=_PlainStore(index.store))
    questions = dev_questions(7)
    assert len(questions) >= 20
    docs_seen = set()
    for text in questions:
        question = parse_question(text)
        qvec = embedder.encode_query(question.text)
        fast = gather(index, question, qvec, engine.soft)
        plain = gather(plain_index, question, qvec, engine.soft)
        assert [r.id for r in fast.rows] == [r.id for r in plain.rows]
        np.testing.assert_array_equal(fast.features, plain.features)
        np.testing.assert_array_equal(fast.gap, plain.gap)
        docs_seen |= {r.doc_id for r in fast.rows}
    assert len(docs_seen) >= 5


def _plain_type_match(kind, sentence, question_tokens, date_spans=()):
    """type_match as first written: every word of the sentence stemmed, every slot's words found by a scan."""
    slots = _slots(kind, sentence, date_spans)
    if not slots:
        return 0.0
    qset = set(question_tokens)
    words = [(m.start(), m.end(), _token_set(m.group())) for m in _WORD.finditer(sentence)]
    slots = [(a, b) for a, b in slots if not _token_set(sentence[a:b]) <= qset or not _token_set(sentence[a:b])]
    if not slots:
        return 0.0
    matched = [i for i, (_, _, toks) in enumerate(words) if toks & qset]
    for start, end in slots:
        slot_words = [i for i, (ws, we, _) in enumerate(words) if ws < end and we > start]
        if not slot_words:
            continue
        lo, hi = slot_words[0], slot_words[-1]
        if any((lo - NEAR_WORDS) <= m < lo or hi < m <= hi + NEAR_WORDS for m in matched):
            return 1.0
    return 0.5


EDGE_SENTENCES = [
    ("", []), ("Musk.", []), ("Musk was summoned by Judge Claire Dubois.", []),
    ("In April, on Monday 14 March 2026 at 10 a.m., Northwind was fined €80 million by the regulator.", [(0, 8)]),
    ("Three people, 42 officers and dozens of police were sent to Paris because of the raid.", []),
    ("fined fined fined Brightline €15m fined", []), ("—— €5 ——", []), ("2024", [(0, 4)]),
]


def test_type_match_fast_path_equals_the_definition(dev_engine):
    store = dev_engine.index.store
    rows = store._db.execute("SELECT id, text FROM sentences ORDER BY id").fetchall()
    spans = store.date_spans([i for i, _ in rows])
    cases = [(text, spans.get(i, [])) for i, text in rows] + EDGE_SENTENCES
    questions = [["musk", "summon"], ["fine", "northwind"], ["polic", "raid"], [], ["april"]]
    questions += [tokenize(q) for q in dev_questions(7)[::3]]
    values = set()
    for kind in QuestionType:
        for text, dates in cases:
            for q in questions:
                want = _plain_type_match(kind, text, q, dates)
                assert type_match(kind, text, q, dates) == want, (kind, text, q)
                values.add(want)
    assert values == {0.0, 0.5, 1.0} and len(cases) >= 100 and len(questions) >= 10
