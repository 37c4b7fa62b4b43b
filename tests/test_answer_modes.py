"""How sure casebot must be before it quotes (CASEBOT_ANSWER_MODE) and how the fitted thresholds are chosen.

A reporter pastes what casebot quotes: the cautious mode gives fewer answers and fewer wrong ones, and in the
balanced mode an answer the cautious mode would not give is marked as one to check against its source.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval import fit_ranking, fitted
from retrieval.engine import CaseEngine
from retrieval.ranker import ANSWER_MODES, SECTION, load_ranking

from .conftest import CORPUS, make_settings

# --- the threshold fit (a pure function) ---------------------------------------------------------------------


def test_separable_questions_get_a_threshold_between_the_two_groups():
    p = np.array([0.1, 0.2, 0.25, 0.3, 0.7, 0.8, 0.85, 0.9])
    right = np.array([False] * 4 + [True] * 4)
    t = fit_ranking.bootstrap_threshold(p, right, samples=200)
    assert 0.3 < t <= 0.7


def test_a_wrong_answer_costing_more_than_a_right_one_gains_raises_the_threshold():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 400)
    right = rng.uniform(0, 1, 400) < p  # calibrated: p is the chance of being right
    t = fit_ranking.bootstrap_threshold(p, right, samples=200)
    # With a wrong answer costing WRONG_COST and a right one gaining 1, answering pays from p = C / (1 + C).
    expected = fit_ranking.WRONG_COST / (1 + fit_ranking.WRONG_COST)
    assert abs(t - expected) < 0.12


def test_when_no_answer_pays_the_threshold_never_answers():
    p = np.array([0.2, 0.4, 0.6, 0.8])
    right = np.zeros(4, dtype=bool)
    assert fit_ranking.bootstrap_threshold(p, right, samples=50) > 1.0


def test_the_threshold_does_not_hang_on_one_question():
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, 120)
    right = rng.uniform(0, 1, 120) < p
    base = fit_ranking.bootstrap_threshold(p, right, samples=300)
    moved = []
    for i in range(0, 120, 12):  # drop one question at a time
        keep = np.arange(120) != i
        moved.append(abs(fit_ranking.bootstrap_threshold(p[keep], right[keep], samples=300) - base))
    assert max(moved) < 0.1


# --- the fitted file -----------------------------------------------------------------------------------------


def test_every_answer_mode_has_a_fitted_threshold_and_cautious_is_the_stricter():
    values = fitted.load(SECTION)
    thresholds = values["answer_thresholds"]
    assert set(thresholds) == set(ANSWER_MODES)
    assert 0 < thresholds["balanced"] <= thresholds["cautious"] <= 1.01
    assert values["fitted_by"] == "python -m retrieval.fit_ranking"
    for mode in ANSWER_MODES:
        assert load_ranking(mode).answer_threshold == pytest.approx(thresholds[mode])


# --- end to end ----------------------------------------------------------------------------------------------

QUESTIONS = ["Who raided X's offices?", "Where were the offices raided?", "What did prosecutors seize?",
             "When must Musk appear?", "Which unit of the prosecutor's office leads the case?",
             "How much was X fined by the prosecutors?", "Who is the judge in charge of the case?",
             "What is the recipe for French onion soup?", "When will the trial start?",
             "How many employees were questioned?"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, embedder):
    out = {}
    index = tmp_path_factory.mktemp("modes") / "index"
    for mode in ANSWER_MODES:
        settings = make_settings(CORPUS, index, answer_mode=mode)
        out[mode] = CaseEngine(settings, embedder=embedder)
    out["balanced"].reindex()
    return out


def test_cautious_answers_a_subset_of_what_balanced_answers(engines):
    balanced = {q: engines["balanced"].ask(q) for q in QUESTIONS}
    cautious = {q: engines["cautious"].ask(q) for q in QUESTIONS}
    assert {q for q, r in cautious.items() if r.answered} <= {q for q, r in balanced.items() if r.answered}
    for q in QUESTIONS:
        assert cautious[q].confidence == pytest.approx(balanced[q].confidence)
        if cautious[q].answered:  # what the cautious mode answers, it is sure of, and the same quote first
            assert cautious[q].sure and balanced[q].sure
            assert cautious[q].answers[0].text == balanced[q].answers[0].text


def test_an_answer_below_the_cautious_threshold_is_marked_not_sure(engines):
    engine = engines["balanced"]
    sure_from = engine.ranking.sure_threshold
    for q in QUESTIONS:
        r = engine.ask(q)
        data = json.loads(json.dumps(r.to_json()))
        assert 0.0 <= data["confidence"] <= 1.0
        if r.answered:
            assert data["sure"] is (r.confidence >= sure_from)
        else:
            assert "sure" not in data


# --- what the reporter sees ----------------------------------------------------------------------------------

def _result(sure: bool):
    from retrieval.models import Answer, AnswerResult, Citation

    cite = Citation("doc", "A title", "Outlet", "https://example.org/a", "2026-02-03", 2)
    return AnswerResult("When is the hearing?", True, (Answer("The hearing is on Monday, the court said.", 0.5, cite),),
                        confidence=0.5, sure=sure)


@pytest.mark.parametrize("sure", [True, False])
def test_an_answer_not_sure_says_so_in_every_front_end(sure):
    from bot.render_discord import answer_messages
    from bot.render_text import render_answer
    from retrieval.models import NOT_SURE_NOTE

    text = render_answer(_result(sure), width=200)
    discord_text = "\n".join(answer_messages(_result(sure)))
    data = _result(sure).to_json()
    assert data["sure"] is sure
    for shown in (text, discord_text):
        assert ("Not sure this answers the question" in shown) is (not sure)
        assert "The hearing is on Monday, the court said." in shown
    if not sure:  # the note comes before the quote, where it is read first
        assert text.index("Not sure") < text.index("The hearing")
        assert discord_text.index("Not sure") < discord_text.index("The hearing")
        assert NOT_SURE_NOTE.split(":")[0] in text
