"""The abstention model judges the sentence a reporter is shown, not another candidate: the confidence printed beside
a quote is that quote's (retrieval.answering.answer_features)."""
from __future__ import annotations

import numpy as np

from retrieval.answering import Gathered, answer_features
from retrieval.features import CANDIDATE_FEATURES, QUESTION_FEATURES, QuestionContext
from retrieval.question import parse_question
from retrieval.ranker import LogisticModel
from retrieval.search import Candidate
from retrieval.store import SentenceRow

N = len(CANDIDATE_FEATURES)


def model(weights: dict[str, float]) -> LogisticModel:
    coef = np.array([weights.get(name, 0.0) for name in CANDIDATE_FEATURES])
    return LogisticModel(tuple(CANDIDATE_FEATURES), np.zeros(N), np.ones(N), coef, 0.0)


def gathered(texts: list[str], values: list[dict[str, float]], gaps: list[float]) -> Gathered:
    question = parse_question("How much was Brightline fined?")
    ctx = QuestionContext(question, [frozenset({"brightlin"}), frozenset({"fine"})], ["brightline", "fined"],
                          [6.0, 4.0], [frozenset({"brightlin"})], [6.0], 1.0, ["brightlin", "fine"])
    rows = [SentenceRow(i, f"doc-{i}", 1, 0, 0, len(t), t, ()) for i, t in enumerate(texts)]
    cands = [Candidate(i, v.get("dense", 0.0), v.get("bm25", 0.0), 0.0) for i, v in enumerate(values)]
    x = np.array([[v.get(name, 0.0) for name in CANDIDATE_FEATURES] for v in values])
    return Gathered(ctx, cands, rows, x, np.asarray(gaps, float))


# The ranker likes cosine, the scorer likes BM25: they disagree on which sentence is best.
RANKER = model({"dense": 5.0})
SCORER = model({"bm25": 2.0})


def test_the_inputs_are_those_of_the_sentence_the_ranker_shows_first():
    g = gathered(["Northwind was fined €80 million for mishandling data.", "Brightline has been fined €15 million."],
                 [{"dense": 0.9, "bm25": 0.1, "context": 0.3}, {"dense": 0.2, "bm25": 0.9, "context": 0.8}],
                 gaps=[0.6, 0.1])
    f = dict(zip(QUESTION_FEATURES, answer_features(g, RANKER, SCORER)))
    assert f["dense"] == 0.9 and f["context"] == 0.3 and f["gap"] == 0.6  # the shown sentence's, not the other's
    assert np.isclose(f["top"], 2.0 * 0.1)  # the scorer's logit of the shown sentence
    assert np.isclose(f["margin"], 2.0 * 0.1 - 2.0 * 0.9)  # negative: the scorer prefers another sentence


def test_a_syndicated_copy_of_the_shown_sentence_is_no_rival():
    same = "Brightline has been fined €15 million, the authority said."
    g = gathered([same, same.upper(), "The authority opened its inquiry in May."],
                 [{"dense": 0.9, "bm25": 0.5}, {"dense": 0.8, "bm25": 0.9}, {"dense": 0.1, "bm25": 0.2}],
                 gaps=[0.0, 0.0, 0.0])
    f = dict(zip(QUESTION_FEATURES, answer_features(g, RANKER, SCORER)))
    assert np.isclose(f["margin"], 2.0 * 0.5 - 2.0 * 0.2)  # against the third sentence, not the copy


def test_a_question_without_candidates_has_the_inputs_of_no_evidence():
    g = gathered([], [], gaps=[])
    f = dict(zip(QUESTION_FEATURES, answer_features(g, RANKER, SCORER)))
    assert f["top"] == -10.0 and f["dense"] == 0.0 and f["gap"] == 6.0 / 9.0
