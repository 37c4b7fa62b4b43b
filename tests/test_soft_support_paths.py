"""The ask path's soft support (all candidate sentences and articles in one product, article words kept as
vocabulary ids) gives the values of the plain definition, `SoftMatcher.support` on one word list at a time:
the `soft` feature of every candidate and the `gap` of every checked article, over several questions and
articles. Float32 sums of 384 products taken in another order differ in the last bits (the plain path's own word
order is a set's, so its values move as much between processes), hence the tolerance."""
import json
import re
import shutil
import threading

import numpy as np
import pytest

from retrieval.answering import ARTICLE_CHECKS, article_words, gather
from retrieval.engine import CaseEngine
from retrieval.features import CANDIDATE_FEATURES, full_gap, soft_share, support_gap
from retrieval.lexical import tokenize, words
from retrieval.question import parse_question
from retrieval.soft_terms import SoftMatcher

from .conftest import EVAL, make_settings

DEV = EVAL / "dev"
TOL = 1e-5

GROUPS = [
    "Regulators cleared the grounded planes to fly again on Friday.",
    "Brightline has been fined €15 million, the authority said on Friday.",
    "Éric Lémery, a member of parliament, was detained in Paris.",
    "",  # a sentence without words
    "fined fined fined jets",  # repeats and a question word found as it is
    "zxqv blorptastic",  # words the model's vocabulary splits into odd pieces
]
QUESTIONS = [
    "When were the jets allowed back in the air?",
    "How much was Brightline fined?",
    "Who is Eric Lemery?",
    "Why was the licence withdrawn?",
    "zxqv",
]


def _q_words(text: str) -> list[str]:
    return list(dict.fromkeys(words(text)))


@pytest.mark.parametrize("exact_only", [False, True])
def test_support_of_many_word_lists_at_once_equals_one_at_a_time(embedder, exact_only):
    soft = SoftMatcher(None) if exact_only else SoftMatcher(embedder._model)
    groups = [words(text) for text in GROUPS]
    for question in QUESTIONS:
        qw = _q_words(question)
        plain = np.array([soft.support(qw, g) for g in groups])
        fast = soft.support_groups(qw, [soft.ids(g) for g in groups])
        assert fast.shape == plain.shape == (len(groups), len(qw))
        np.testing.assert_allclose(fast, plain, rtol=0, atol=0 if exact_only else TOL)
        # A word found as it is counts exactly 1, and only then (soft support of another word stays below).
        assert ((fast == 1.0) == (plain == 1.0)).all()
    assert soft.support_groups([], [soft.ids(groups[0])]).shape == (1, 0)
    assert soft.support_groups(_q_words(QUESTIONS[0]), []).shape == (0, len(_q_words(QUESTIONS[0])))


def test_vocabulary_ids_are_stable_and_shared_between_threads(embedder):
    soft = SoftMatcher(embedder._model)
    vocab = sorted({w for text in GROUPS + QUESTIONS for w in words(text)})
    found: list[tuple[list[int], np.ndarray]] = []

    def grab(order):
        found.append((order, soft.ids([vocab[i] for i in order])))

    orders = [list(range(len(vocab))), list(reversed(range(len(vocab)))), [i % len(vocab) for i in range(50)]]
    threads = [threading.Thread(target=grab, args=(o,)) for o in orders * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_word = soft.ids(vocab)
    assert len(set(by_word.tolist())) == len(vocab) == soft.vocabulary[0]
    for word, i in zip(vocab, by_word):
        expected = soft.vector(word)
        assert expected is not None and np.array_equal(soft._rows[i], expected)
    # Every thread saw the same id for the same word.
    assert len(found) == len(threads)
    for order, ids in found:
        assert sorted(zip(order, ids.tolist())) == sorted((i, int(by_word[i])) for i in order)


@pytest.fixture(scope="module")
def dev_engine(tmp_path_factory, embedder):
    """Eight dev articles over its four cases, so candidates come from several articles."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in sorted((DEV / "corpus").iterdir())[::2][:8]:
        shutil.copy(path, corpus / path.name)
    engine = CaseEngine(make_settings(corpus, tmp_path_factory.mktemp("index")), embedder=embedder)
    engine.reindex()
    return engine


def _questions() -> list[str]:
    lines = (DEV / "questions-tune.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][::9] + QUESTIONS


def _plain_article_support(index, soft, ctx, doc_id: str) -> np.ndarray:
    """The gap's support of each question word by one article, by definition: soft, except a name or number of
    the question (not an acronym), which is held (1) or not (0) by the article's words or title."""
    support = np.array(soft.support(ctx.words, article_words(index, doc_id)), dtype=float)
    acronyms = set(tokenize(" ".join(re.findall(r"\b[A-Z][A-Z0-9&]+s?\b", ctx.question.text))))
    held = set(index.store.document_terms([doc_id])[doc_id][1]) | set(tokenize(index.store.documents[doc_id].title))
    for alts in ctx.entities:
        if not alts & acronyms:
            for j, term in enumerate(ctx.terms):
                if term == alts:
                    support[j] = 1.0 if alts & held else 0.0
    return support


def test_gather_gives_the_plain_soft_feature_and_article_gap(dev_engine):
    index, soft = dev_engine.index, dev_engine.soft
    soft_col = CANDIDATE_FEATURES.index("soft")
    articles_checked = 0
    for rep in range(2):  # the second pass reads the article ids kept by the first
        for text in _questions():
            question = parse_question(text)
            g = gather(index, question, dev_engine.embedder.encode_query(question.text), soft)
            ctx = g.context
            plain_soft = [soft_share(ctx, soft.support(ctx.words, words(r.text))) for r in g.rows]
            np.testing.assert_allclose(g.features[:, soft_col], plain_soft, rtol=0, atol=TOL)
            order = np.argsort(-np.asarray([c.dense for c in g.candidates]))
            checked = {g.rows[i].doc_id for i in order[:ARTICLE_CHECKS]}
            plain_gap = {d: support_gap(ctx, _plain_article_support(index, soft, ctx, d)) for d in checked}
            expected = [plain_gap.get(r.doc_id, full_gap(ctx)) for r in g.rows]
            np.testing.assert_allclose(g.gap, expected, rtol=0, atol=TOL)
            articles_checked += len(checked)
    assert articles_checked >= 2 * 2 * len(_questions())  # several articles a question, not one
