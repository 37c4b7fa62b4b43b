"""How the ranker and the answerability scorer are fitted (`retrieval.fit_ranking`), on synthetic questions.

The fault this guards against, by kind: a sentence that shares many words with the question outranks the one
that answers it, because a pointwise model learns what makes a question's candidates likelier as a group (a
question that reuses the article's words lifts all of them) rather than what sets the answer apart from its
rivals. The ranker is fitted on pairs within each question; the scorer, which must compare questions for the
abstention, stays pointwise.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from retrieval import fit_ranking
from retrieval.features import CANDIDATE_FEATURES

N_FEATURES = len(CANDIDATE_FEATURES)


def _questions(n: int, seed: int, group: str) -> list[fit_ranking.Item]:
    """Questions of 20 candidates. Feature 0 is mostly the question's own level (how many words it shares with
    the corpus): questions with a high level have many gold candidates, so over all candidates feature 0 goes
    with gold. Within a question, feature 0 only adds noise, and gold is the candidate highest on feature 1."""
    rng = np.random.default_rng(seed)
    items = []
    for q in range(n):
        level = rng.uniform(-2, 2)
        x = rng.normal(0, 1, (20, N_FEATURES)) * 0.3
        x[:, 0] = level + rng.normal(0, 1.5, 20)
        x[:, 1] = rng.normal(0, 1, 20)
        golds = 1 + int(level > 0) * 9  # easy questions have many right sentences, hard ones one
        labels = np.zeros(20, bool)
        labels[np.argsort(-x[:, 1])[:golds]] = True
        gathered = SimpleNamespace(features=x)
        items.append(fit_ranking.Item(f"{group}{q}", group, "paraphrase", "q", True, gathered, labels,
                                      [str(i) for i in range(20)]))
    return items


def _top_right(items, model) -> float:
    return float(np.mean([it.labels[int(np.argmax(model.logits(it.gathered.features)))] for it in items]))


def test_the_ranker_puts_a_questions_own_answer_first_where_a_pointwise_model_does_not():
    train = _questions(150, 1, "a") + _questions(150, 2, "b")
    test = _questions(200, 3, "c")
    ranker = fit_ranking.fit_ranker(train, 1.0)
    pointwise = fit_ranking.fit_scorer(train, 1.0)
    assert _top_right(test, ranker) >= 0.9
    assert _top_right(test, ranker) > _top_right(test, pointwise) + 0.1
    # what sets the answer apart weighs more than the question's level
    assert ranker.coef[1] > abs(ranker.coef[0])


def test_the_rankers_probability_is_calibrated_and_keeps_its_order():
    train = _questions(300, 4, "a")
    ranker = fit_ranking.fit_ranker(train, 1.0)
    x = np.vstack([it.gathered.features for it in train])
    y = np.concatenate([it.labels for it in train])
    p = 1 / (1 + np.exp(-ranker.logits(x)))
    assert abs(p.mean() - y.mean()) < 0.03  # on average as likely as the gold rate
    high, low = p >= np.quantile(p, 0.9), p <= np.quantile(p, 0.5)
    assert y[high].mean() > 3 * y[low].mean()  # higher probability, more often gold


def test_a_question_without_a_non_gold_candidate_teaches_the_ranker_nothing_and_breaks_nothing():
    train = _questions(100, 5, "a")
    only_gold = _questions(1, 6, "b")[0]
    only_gold.labels[:] = True
    ranker = fit_ranking.fit_ranker(train + [only_gold], 1.0)
    assert np.allclose(ranker.coef, fit_ranking.fit_ranker(train, 1.0).coef, atol=1e-3)


def test_separation_measures_abstention_whatever_the_threshold():
    kinds = ["answerable", "answerable", "near-miss", "off-topic", "near-miss"]
    answers = np.array([True, True, False, False, False])
    perfect = fit_ranking.separation(np.array([0.9, 0.8, 0.3, 0.1, 0.2]), answers, kinds)
    assert perfect == {"all": 1.0, "near-miss": 1.0}
    # Off-topic questions are easy to refuse; a near-miss scored like an answer shows only in the near-miss figure.
    mixed = fit_ranking.separation(np.array([0.9, 0.6, 0.95, 0.1, 0.7]), answers, kinds)
    assert mixed["near-miss"] == 0.25 and mixed["all"] == 0.5
    # Moving every probability by the same amount (a threshold's worth) changes nothing.
    assert fit_ranking.separation(np.array([0.9, 0.6, 0.95, 0.1, 0.7]) - 0.3, answers, kinds) == mixed


def test_separation_without_one_class_says_so():
    assert fit_ranking.separation(np.array([0.9, 0.8]), np.array([True, True]), ["a", "a"]) == \
        {"all": None, "near-miss": None}


def test_the_threshold_plateau_is_narrow_where_the_probabilities_separate_and_wide_where_they_do_not():
    """`threshold_plateau` tells how firmly the tune side pins the answer threshold down: probabilities that
    separate right from wrong leave only the gap between them; probabilities unrelated to being right leave
    almost any threshold as good as the chosen one."""
    rng = np.random.default_rng(3)
    right = np.r_[np.ones(150, bool), np.zeros(150, bool)]
    separated = np.r_[rng.uniform(0.6, 1.0, 150), rng.uniform(0.0, 0.4, 150)]
    t = fit_ranking.bootstrap_threshold(separated, right, samples=200)
    lo, hi = fit_ranking.threshold_plateau(separated, right, t, samples=200)
    assert 0.3 < lo <= t <= hi < 0.7

    # Right three times in four whatever the probability: at a wrong answer's cost of 3, every threshold breaks even.
    blind = rng.uniform(0.0, 1.0, 400)
    coin = rng.uniform(0.0, 1.0, 400) < 0.75
    t = fit_ranking.bootstrap_threshold(blind, coin, samples=200)
    lo, hi = fit_ranking.threshold_plateau(blind, coin, t, samples=200)
    assert hi - lo > 0.5


def test_the_calibrated_break_even_is_where_answering_starts_to_pay_and_holds_under_small_changes():
    """`calibrated_threshold`, the stable reference printed beside the bootstrap choice: with probabilities that
    are already calibrated, answering pays from P = cost / (1 + cost); a monotone distortion of the same
    probabilities moves the threshold with them; jitter far below any feature's effect leaves it in place; and
    probabilities unrelated to being right, right half the time, never pay at a cost of 3."""
    rng = np.random.default_rng(5)
    p = rng.uniform(0.0, 1.0, 3000)
    right = rng.uniform(0.0, 1.0, 3000) < p
    assert fit_ranking.calibrated_threshold(p, right, 3.0) == pytest.approx(0.75, abs=0.04)
    assert fit_ranking.calibrated_threshold(p, right, 1.0) == pytest.approx(0.5, abs=0.04)
    assert fit_ranking.calibrated_threshold(p ** 2, right, 3.0) == pytest.approx(0.75 ** 2, abs=0.04)

    jittered = np.clip(p + rng.normal(0.0, 1e-3, p.size), 0.0, 1.0)
    assert abs(fit_ranking.calibrated_threshold(jittered, right, 3.0)
               - fit_ranking.calibrated_threshold(p, right, 3.0)) < 0.01

    coin = rng.uniform(0.0, 1.0, 3000) < 0.5
    assert fit_ranking.calibrated_threshold(p, coin, 3.0) == 1.01


@pytest.mark.parametrize("method", fit_ranking.THRESHOLD_METHODS)
def test_the_fit_chooses_each_modes_threshold_by_the_method_asked_for(monkeypatch, method):
    """Each answer mode's threshold is the asked method's value over the out-of-case probabilities the fit
    returns: the bootstrap maximum by default, the calibrated break-even with `--threshold calibrated`."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(240, len(fit_ranking.QUESTION_FEATURES)))
    y = rng.uniform(size=240) < 1 / (1 + np.exp(-2 * x[:, 0]))
    top_right = y & (rng.uniform(size=240) < 0.8)
    groups = [f"case-{i % 6}" for i in range(240)]
    monkeypatch.setattr(fit_ranking, "THRESHOLD_METHOD", method)
    c, thresholds, oof = fit_ranking.choose_abstainer(x, y, top_right, groups)
    pick = fit_ranking.bootstrap_threshold if method == "bootstrap" else fit_ranking.calibrated_threshold
    assert thresholds == {"balanced": pytest.approx(pick(oof, y)), "cautious": pytest.approx(pick(oof, top_right))}


def _abstention_data(seed: int, n: int = 240):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(fit_ranking.QUESTION_FEATURES)))
    y = rng.uniform(size=n) < 1 / (1 + np.exp(-2 * x[:, 0]))
    top_right = y & (rng.uniform(size=n) < 0.8)
    return x, y, top_right, [f"case-{i % 6}" for i in range(n)]


@pytest.mark.parametrize("seed", [11, 12])
def test_a_refit_keeps_the_fitted_choices_the_tune_side_cannot_tell_from_its_new_best(seed):
    """Ten more questions move a fresh fit's balanced threshold (0.645 -> 0.611, 0.611 -> 0.681 on these data);
    a refit given the choices fitted before (`CurrentFit`) keeps its C and that threshold, since the tune side
    cannot tell them from its new best. A threshold no plateau holds is chosen anew."""
    x, y, top_right, groups = _abstention_data(seed)
    c, before, _ = fit_ranking.choose_abstainer(x[:230], y[:230], top_right[:230], groups[:230])
    fresh_c, fresh, _ = fit_ranking.choose_abstainer(x, y, top_right, groups)
    kept_c, kept, _ = fit_ranking.choose_abstainer(x, y, top_right, groups, fit_ranking.CurrentFit(c, before))
    assert fresh["balanced"] != pytest.approx(before["balanced"], abs=0.02)
    assert (kept_c, kept["balanced"]) == (c, before["balanced"])

    far = fit_ranking.CurrentFit(c, {"balanced": 0.999, "cautious": 0.001})
    assert fresh_c == c and fit_ranking.choose_abstainer(x, y, top_right, groups, far)[1] == fresh
    # A C the data now rejects (beyond one SE of the best) takes its thresholds with it.
    off_grid = fit_ranking.CurrentFit(1e-6, before)
    assert fit_ranking.choose_abstainer(x, y, top_right, groups, off_grid)[:2] == (fresh_c, fresh)


@pytest.mark.parametrize("chosen, plateau, current, kept", [
    (0.49, (0.29, 0.76), 0.435, 0.435),  # the data cannot tell them apart: the fitted one stays
    (0.49, (0.29, 0.76), 0.80, 0.49),  # the data prefers the new one
    (0.49, (0.29, 0.76), None, 0.49),  # nothing fitted before
    (0.49, (0.29, 0.76), 0.29, 0.29),  # the plateau's own edge is inside it
])
def test_a_threshold_is_kept_only_inside_the_new_plateau(chosen, plateau, current, kept):
    assert fit_ranking.kept_threshold(chosen, plateau, current) == kept


def test_an_unknown_threshold_method_is_refused_by_name():
    with pytest.raises(ValueError, match="bootstrap, calibrated"):
        fit_ranking.set_threshold_method("median")
