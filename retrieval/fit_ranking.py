"""Fit the ask path's ranker and abstention model on the tune questions; print tune and held-out figures.

    python -m retrieval.fit_ranking [--work DIR] [--dry-run] [--fresh] [--threshold {bootstrap,calibrated}]

Training questions (the tune side): `tests/eval/dev/questions-tune.jsonl` over the bundled corpus plus
`tests/eval/dev/corpus`, the project's own harder cases `questions-tune-extra.jsonl` over the bundled corpus plus
`tests/eval/dev/corpus-extra`, and the public sets `tests/eval/questions.jsonl`
and `questions-extra.jsonl` over the bundled corpus plus `tests/eval/extra` (and `questions.jsonl` over the
bundled corpus alone, as `make test` asks them). `questions-heldout.jsonl` is only
scored, after every choice is made.

1. Ranker: pairwise logistic regression on candidate features (`retrieval.features.CANDIDATE_FEATURES`), gold
   candidates (shown text containing a gold fragment) against the others of the same question, its score then
   calibrated to a probability (`fit_ranker`). C is chosen by leave-one-case-out MRR (one-SE rule).
2. Abstention: logistic regression on question features of the candidate the ranker shows first, its `top` and
   `margin` from a pointwise answerability scorer (`fit_scorer`) whose logits compare one question with another,
   labelled 1 when the corpus answers the question (a gold sentence among its candidates; `--label top`: when the
   ranker's top candidate is right); trained on out-of-case ranker and scorer so it sees them on unseen cases.
   C by leave-one-case-out log-loss (one-standard-error rule, as for the ranker). One
   threshold per answer mode maximises the bootstrap-mean utility over out-of-case probabilities: `balanced`
   gains +1 for answering when the corpus answers and loses WRONG_COST when it does not; `cautious` gains +1
   only when the first quote shown is right and loses WRONG_COST for any wrong first quote. A refit keeps the C
   and thresholds in `retrieval/fitted.json` while the tune side cannot tell them from its new best (within one
   SE; inside the new maximum's plateau), since the maximum of a flat utility wanders with any small change;
   `--fresh` chooses anew (`kept_threshold`, `CurrentFit`).
3. Further answers: the ranker probability a 2nd or 3rd answer needs, by utility (+1 when it brings the gold
   answer into the top 3, −EXTRA_COST for each wrong one shown).
4. Printed, not fitted: how well the abstention model separates the questions the corpus answers from the others,
   whatever the threshold (`separation`: ROC AUC, out of case on the tune side and on the held-out questions),
   so that a change that only moves the threshold is not mistaken for a better abstention.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from retrieval import fitted
from retrieval.answering import (Gathered, _dedupe_key, _passage, answer_features, answer_probability, gather, rank,
                                 rank_by)
from retrieval.case_index import open_current
from retrieval.config import RetrievalSettings
from retrieval.embeddings import Embedder
from retrieval.features import CANDIDATE_FEATURES, QUESTION_FEATURES
from retrieval.indexer import reindex
from retrieval.question import parse_question
from retrieval.soft_terms import SoftMatcher
from retrieval.ranker import ANSWER_MODES, SECTION, LogisticModel, Ranking, probability

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
DEV = EVAL / "dev"
# A wrong quote costs three right ones: the README and the users rank it the worst outcome and an honest "no answer"
# as far better. At 2 the answer threshold was barely determined: utilities from 0.30 to 0.41 lay within a question
# or two of each other, and typing "where does it stand?" as a status question moved it from 0.41 to 0.35; at 2.5
# to 3 it rested at 0.41-0.43 with and without that change (at 4 it jumps to the cautious mode's ~0.73). It is still
# loosely determined: handing "where" its dates moved it to 0.47 (retrieval/answering.py, DATE_AWARE_KINDS).
WRONG_COST = 3.0
EXTRA_COST = 0.1  # a wrong further answer under the first is further reading, cheap next to a wrong first answer
# What the abstention model predicts: "corpus" = the corpus answers the question (the definition: the
# abstention decides whether the corpus answers, the ranker which sentence); "top" = the top sentence is right.
LABEL = "corpus"
# How each answer mode's threshold is chosen from the out-of-case probabilities: "bootstrap", the maximum of the
# bootstrap-mean utility (`bootstrap_threshold`); "calibrated", the break-even of the Platt-scaled probabilities
# (`calibrated_threshold`), which holds still where the first jumps across a flat plateau but answers less (see
# README, "Answering"). Both are printed whichever is chosen.
THRESHOLD_METHODS = ("bootstrap", "calibrated")
THRESHOLD_METHOD = "bootstrap"
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
K = 3


@dataclass
class Item:
    qid: str
    group: str  # the case: the unit of leave-one-out
    kind: str
    question: str
    answerable: bool
    gathered: Gathered
    labels: np.ndarray  # per candidate: its shown text holds a gold fragment
    keys: list[str]  # per candidate: duplicate key of its shown text


QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def norm(s: str) -> str:
    """As the project's scorer (tests/eval/score.py) compares texts."""
    return re.sub(r"\s+", " ", html.unescape(s).translate(QUOTES)).strip().lower()


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_index(work: Path, name: str, extras: list[Path], embedder: Embedder):
    corpus = work / name / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(ROOT / "corpus", corpus)
    for extra in extras:
        for f in extra.iterdir():
            if f.is_file():
                shutil.copy(f, corpus / f.name)
    settings = RetrievalSettings(corpus_dir=corpus, index_dir=work / name / "index", _env_file=None)
    reindex(settings, lambda: embedder)
    return open_current(settings.index_dir, model=settings.model)


def collect(index, embedder: Embedder, rows: list[dict], default_group: str) -> list[Item]:
    items = []
    soft = SoftMatcher.of(embedder)
    for q in rows:
        question = parse_question(q["question"])
        g = gather(index, question, embedder.encode_query(question.text), soft)
        gold = [norm(x) for x in q.get("expect_any", [])]
        texts = [norm(_passage(index, r)[0]) for r in g.rows]
        labels = np.array([any(x in t for x in gold) for t in texts], dtype=bool)
        kind = q.get("kind") or ("off-topic" if q.get("expect") == "abstain" else "answerable")
        items.append(Item(q["id"], q.get("case", default_group), kind, q["question"], q.get("expect") != "abstain",
                          g, labels, [_dedupe_key(t) for t in texts]))
    return items


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, names) -> LogisticModel:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit((x - mean) / scale, y)
    return LogisticModel(tuple(names), mean, scale, model.coef_[0], float(model.intercept_[0]))


def fit_scorer(items: list[Item], c: float) -> LogisticModel:
    """The answerability scorer: pointwise logistic regression of a candidate's gold label on its features,
    over the candidates of all questions at once, so its logits compare one question's best candidate with
    another's (the abstention model's `top` and `margin`)."""
    use = [it for it in items if it.answerable and it.labels.any()]
    x = np.vstack([it.gathered.features for it in use])
    y = np.concatenate([it.labels for it in use])
    return fit_logistic(x, y, c, CANDIDATE_FEATURES)


def fit_ranker(items: list[Item], c: float) -> LogisticModel:
    """The ranker: a pairwise logistic model (RankNet's loss on a linear scorer; Burges et al., "Learning to
    Rank using Gradient Descent", ICML 2005; Herbrich et al., "Large Margin Rank Boundaries for Ordinal
    Regression", 2000), then its score calibrated into a probability (Platt, 1999).

    Within each question, every gold candidate is paired with every other candidate, and the model learns which
    of the two is gold from the difference of their standardised features. A pointwise model instead learns
    which sentences are gold across all questions at once, and spends its weights on what makes one question's
    candidates all likelier than another's (a question that reuses the article's words lifts every candidate),
    which does not order a question's own candidates. Each question weighs the same, however many pairs it has.
    The pairwise score has no scale or offset; a one-feature logistic regression of the candidates' gold labels
    on it gives both, so `logits` is a probability's log-odds and the order stays the pairwise one."""
    use = [it for it in items if it.answerable and it.labels.any() and (~it.labels).any()]
    x = np.vstack([it.gathered.features for it in use])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    diffs, weights = [], []
    for it in use:
        z = (it.gathered.features - mean) / scale
        d = (z[it.labels][:, None, :] - z[~it.labels][None, :, :]).reshape(-1, z.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), 1.0 / len(d)))
    d = np.vstack(diffs)
    w = np.concatenate(weights) * len(use) / 2  # sums to the number of questions over both signs
    pairwise = LogisticRegression(C=c, fit_intercept=False, max_iter=3000).fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    coef = pairwise.coef_[0]
    score = ((x - mean) / scale) @ coef
    y = np.concatenate([it.labels for it in use])
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(score[:, None], y)
    slope = max(float(platt.coef_[0][0]), 1e-6)  # a positive slope keeps the pairwise order
    return LogisticModel(tuple(CANDIDATE_FEATURES), mean, scale, coef * slope, float(platt.intercept_[0]))


def top_distinct(item: Item, order: np.ndarray, k: int) -> list[int]:
    out, seen = [], set()
    for i in order:
        if item.keys[i] not in seen:
            seen.add(item.keys[i])
            out.append(int(i))
        if len(out) == k:
            break
    return out


def ranker_order(item: Item, ranker: LogisticModel) -> tuple[np.ndarray, np.ndarray]:
    logits = ranker.logits(item.gathered.features) if len(item.labels) else np.zeros(0)
    return np.argsort(-logits, kind="stable"), logits


def question_row(item: Item, ranker: LogisticModel, scorer: LogisticModel) -> tuple[list[float], bool, bool]:
    """The abstention model's inputs for `item` (`answer_features`: `ranker`'s first candidate, `scorer`'s logits),
    whether the corpus answers the
    question (a gold sentence among its candidates, however ranked) and whether `ranker`'s top candidate, the
    first quote shown, is right."""
    ranked = rank_by(item.gathered, ranker)
    feats = answer_features(item.gathered, ranker, scorer)
    if not ranked:
        return feats, False, False
    top_right = bool(item.answerable and item.labels[item.gathered.rows.index(ranked[0].row)])
    if LABEL == "top":
        return feats, top_right, top_right
    return feats, bool(item.answerable and item.labels.any()), top_right


def groups_of(items: list[Item]) -> list[str]:
    return sorted({it.group for it in items})


def choose_ranker_c(items: list[Item], fit: Callable[[list[Item], float], LogisticModel] = fit_ranker
                    ) -> tuple[float, dict[float, float]]:
    """C of a candidate model (`fit`, default `fit_ranker`) by leave-one-case-out mean reciprocal rank of the
    first gold candidate (smoother than hit@1 on a few hundred questions, and the same aim); of Cs within one
    standard error of the best, the most regularised (the one-standard-error rule, Hastie, Tibshirani &
    Friedman, The Elements of Statistical Learning, 2009, §7.10)."""
    per_c: dict[float, list[float]] = {}
    for c in C_GRID:
        rr: list[float] = []
        for g in groups_of(items):
            model = fit([it for it in items if it.group != g], c)
            for it in items:
                if it.group == g and it.answerable:
                    order, _ = ranker_order(it, model)
                    gold = [k for k, i in enumerate(order) if it.labels[i]]
                    rr.append(1.0 / (gold[0] + 1) if gold else 0.0)
        per_c[c] = rr
    scores = {c: float(np.mean(v)) for c, v in per_c.items()}
    best = max(C_GRID, key=lambda c: scores[c])
    se = float(np.std(per_c[best]) / np.sqrt(max(len(per_c[best]), 1)))
    return min(c for c in C_GRID if scores[c] >= scores[best] - se), scores


def out_of_case_rows(items: list[Item], c: float,
                     c_scorer: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per item, with a ranker and a scorer fitted without its case: abstention inputs, label, top-right flag,
    case."""
    xs, ys, tops, gs = [], [], [], []
    for g in groups_of(items):
        rest = [it for it in items if it.group != g]
        model, scorer = fit_ranker(rest, c), fit_scorer(rest, c_scorer)
        for it in items:
            if it.group == g:
                f, label, top_right = question_row(it, model, scorer)
                xs.append(f)
                ys.append(label)
                tops.append(top_right)
                gs.append(g)
    return np.asarray(xs, float), np.asarray(ys, bool), np.asarray(tops, bool), gs


BOOTSTRAP_SAMPLES = 1000


def bootstrap_utilities(p: np.ndarray, right: np.ndarray, *, samples: int = BOOTSTRAP_SAMPLES,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(grid, utilities): candidate thresholds halfway between consecutive distinct probabilities of `p` (and 0,
    1.01), and (samples, len(grid)) the utility of answering at each threshold on each bootstrap resample of the
    questions: +1 for each answered question whose label `right` is true, −WRONG_COST for each other."""
    values = np.unique(np.concatenate([p, [0.0, 1.01]]))
    grid = (values[:-1] + values[1:]) / 2
    rng = np.random.default_rng(seed)
    gain = np.where(right, 1.0, -WRONG_COST)
    out = np.empty((samples, len(grid)))
    for s in range(samples):
        i = rng.integers(0, len(p), len(p))
        out[s] = (p[i][None, :] >= grid[:, None]) @ gain[i]  # (thresholds, questions) @ (questions,)
    return grid, out


def bootstrap_threshold(p: np.ndarray, right: np.ndarray, *, samples: int = BOOTSTRAP_SAMPLES,
                        seed: int = 0, table: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """The answer threshold on probabilities `p` with the best mean utility over bootstrap resamples of the
    questions (bagging, Breiman 1996).

    The utility on one sample is a step function of the threshold with wide flat tops: which end of a top one
    picks is arbitrary, and a few questions move it. Averaged over resamples it becomes smooth, and its maximum
    is where the threshold does best on sets like this one, not on this one alone. Candidate thresholds lie
    halfway between consecutive distinct probabilities. Returns a probability in (0, 1]; 1.01 (never answer)
    when no threshold gains anything. `table`: `bootstrap_utilities(p, right)` when already computed."""
    grid, utilities = table if table is not None else bootstrap_utilities(p, right, samples=samples, seed=seed)
    total = utilities.sum(axis=0)
    best = np.flatnonzero(total == total.max())
    if total.max() <= 0:
        return 1.01
    return float(grid[best[len(best) // 2]])


def threshold_plateau(p: np.ndarray, right: np.ndarray, threshold: float, *, samples: int = BOOTSTRAP_SAMPLES,
                      seed: int = 0, table: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float]:
    """(lowest, highest) threshold whose bootstrap mean utility is within one standard deviation of the paired
    difference from `threshold`'s (the same resamples): thresholds the data cannot tell from the chosen one.
    A wide plateau means the operating point is not pinned down by the tune side, and a refit on slightly
    different data may move it anywhere inside. `table`: `bootstrap_utilities(p, right)` when already computed."""
    grid, utilities = table if table is not None else bootstrap_utilities(p, right, samples=samples, seed=seed)
    at = int(np.argmin(np.abs(grid - threshold)))
    diff = utilities - utilities[:, [at]]
    inside = np.flatnonzero(diff.mean(axis=0) >= -diff.std(axis=0))
    return float(grid[inside[0]]), float(grid[inside[-1]])


def calibrated_threshold(p: np.ndarray, right: np.ndarray, cost: float | None = None) -> float:
    """The answer threshold on probabilities `p` where the expected utility of answering turns positive once `p`
    is calibrated: Platt scaling (Platt 1999), a logistic regression of `right` on logit(p), then the cost-sensitive
    break-even P(right) = cost / (1 + cost) (Elkan 2001: +1 for a right answer, −cost for a wrong one, 0 for an
    abstention), mapped back to the scale of `p`. `cost` defaults to WRONG_COST.

    Printed beside the bootstrap choice, and chosen instead with `--threshold calibrated`: two parameters fitted on
    every question make it move little when a few questions or a feature of negligible weight change, where the
    maximum of a flat utility curve can jump across its plateau (`threshold_plateau`). Returns 1.01 (never answer)
    when `p` does not rise with being right or nothing is right, 0.0 (always answer) when everything is."""
    cost = WRONG_COST if cost is None else cost
    right = np.asarray(right, bool)
    if right.all() or not right.any():
        return 0.0 if right.all() else 1.01
    clipped = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    z = np.log(clipped / (1 - clipped))[:, None]
    m = LogisticRegression(C=1e6, max_iter=1000).fit(z, right)  # C=1e6: unpenalised, as Platt's fit is
    a, b = float(m.coef_[0][0]), float(m.intercept_[0])
    t = float(probability(np.asarray([(np.log(cost) - b) / a]))[0]) if a > 0 else 1.01
    return t if t < 1.0 else 1.01


def set_label(label: str) -> None:
    global LABEL
    LABEL = label


def set_threshold_method(method: str) -> None:
    if method not in THRESHOLD_METHODS:
        raise ValueError(f"threshold method must be one of {', '.join(THRESHOLD_METHODS)}, not {method!r}")
    global THRESHOLD_METHOD
    THRESHOLD_METHOD = method


def set_wrong_cost(cost: float) -> None:
    global WRONG_COST
    WRONG_COST = cost


def kept_threshold(chosen: float, plateau: tuple[float, float], current: float | None) -> float:
    """The threshold a refit writes: `current`, the one the engine reads now, while it lies within the `plateau`
    of the newly `chosen` one (`threshold_plateau`: thresholds the tune side cannot tell from it), else `chosen`.

    The bootstrap utility is flat across a wide plateau, and its maximum wanders inside it with any small change
    of the inputs: a feature of negligible weight, or a few more tune questions, moved it from 0.435 to 0.49 and
    to 0.70, and the answers moved with it though nothing the data can see had changed. A refit changes the
    operating point only when the data prefers another one."""
    if current is not None and plateau[0] <= current <= plateau[1]:
        return current
    return chosen


@dataclass(frozen=True)
class CurrentFit:
    """The abstention choices the engine reads now (`retrieval/fitted.json`), which a refit keeps while the tune
    side cannot tell them from its new best (`choose_abstainer`)."""
    c: float
    thresholds: dict[str, float]


def choose_abstainer(x: np.ndarray, y: np.ndarray, top_right: np.ndarray, groups: list[str],
                     current: CurrentFit | None = None) -> tuple[float, dict[str, float], np.ndarray]:
    """C of the abstention model by leave-one-case-out log-loss (of Cs within one standard error of the best, the
    most regularised, as for the ranker: `choose_ranker_c`), and one answer threshold per answer mode
    (`retrieval.ranker.ANSWER_MODES`), each by THRESHOLD_METHOD over out-of-case probabilities
    (`bootstrap_threshold` or `calibrated_threshold`):
    balanced: an answer is worth giving when the corpus answers the question (label y);
    cautious: only when the first answer shown is right (`top_right`): a wrong first quote costs WRONG_COST
    whatever the corpus holds.
    `current`, the choices fitted before, keeps its C while that C is within one standard error of the best (the
    one-SE rule's own tolerance), and then each bootstrap threshold the tune side cannot tell from the new maximum
    (`kept_threshold`). A new C rescales the probabilities, so its thresholds are chosen anew."""
    gs = np.asarray(groups)
    losses, oof_by_c = {}, {}
    for c in C_GRID:
        oof = np.zeros(len(y))
        for g in sorted(set(groups)):
            test = gs == g
            if (~test).sum() == 0 or len(set(y[~test])) < 2:
                oof[test] = y[~test].mean() if (~test).any() else 0.5
                continue
            m = fit_logistic(x[~test], y[~test], c, QUESTION_FEATURES)
            oof[test] = probability(m.logits(x[test]))
        oof_by_c[c] = oof
        clipped = np.clip(oof, 1e-6, 1 - 1e-6)
        losses[c] = -np.where(y, np.log(clipped), np.log(1 - clipped))  # per question
    best = min(C_GRID, key=lambda c: losses[c].mean())
    se = float(losses[best].std() / np.sqrt(len(y)))
    within = [c for c in C_GRID if losses[c].mean() <= losses[best].mean() + se]
    keep = current is not None and current.c in within
    c = current.c if keep else min(within)
    print("abstention C by leave-one-case-out log-loss: "
          + ", ".join(f"{c}: {v.mean():.3f}" for c, v in losses.items()) + f" (best {best}, one SE {se:.3f}) -> {c}"
          + (f" (kept: the fitted C is within one SE; the one-SE rule alone gives {min(within)})"
             if keep and c != min(within) else ""))
    oof = oof_by_c[c]
    thresholds = {}
    for m, right in {"balanced": y, "cautious": top_right}.items():
        table = bootstrap_utilities(oof, right)
        boot, calibrated = bootstrap_threshold(oof, right, table=table), calibrated_threshold(oof, right)
        t = boot if THRESHOLD_METHOD == "bootstrap" else calibrated
        lo, hi = threshold_plateau(oof, right, t, table=table)
        before = current.thresholds.get(m) if keep and THRESHOLD_METHOD == "bootstrap" else None
        thresholds[m] = kept_threshold(t, (lo, hi), before)
        how = (f"kept: the fitted {before:.3f} lies within the plateau" if thresholds[m] == before != t
               else THRESHOLD_METHOD)
        print(f"abstention, {m}: threshold {thresholds[m]:.3f} ({how}); the tune side cannot tell {t:.3f} from any "
              f"in {lo:.3f}-{hi:.3f} (within one SD of the paired bootstrap utility difference); bootstrap utility "
              f"maximum {boot:.3f}, calibrated break-even {calibrated:.3f} (Platt scaling, P = {WRONG_COST:g}/"
              f"(1 + {WRONG_COST:g}))")
    print("abstention, out-of-case: threshold -> answered with the right first quote, answered wrongly "
          "(corpus answers / does not), abstained")
    for t in sorted({0.3, 0.4, 0.5, 0.6, 0.7, 0.8, *thresholds.values()}):
        a = oof >= t
        mark = " ".join(f"<- {m}" for m, v in thresholds.items() if v == t)
        print(f"    {t:.3f} -> {(a & top_right).sum()}, {(a & ~top_right & y).sum()} / {(a & ~y).sum()}, "
              f"{(~a).sum()}  {mark}")
    return c, thresholds, oof


def separation(p: np.ndarray, answers: np.ndarray, kinds: list[str]) -> dict[str, float | None]:
    """How well answer probabilities `p` (one per question) tell the questions the corpus answers (`answers`)
    from those it does not, whatever the threshold: ROC AUC (the probability that an answered question scores
    above an unanswered one; 0.5 is chance, 1.0 perfect separation). `all` against every unanswered question,
    `near-miss` against the on-topic ones only (kind "near-miss"), the hard part. None where a class is empty.

    A threshold moves along the trade-off between answering and abstaining; a feature that only moves the
    threshold leaves these figures as they were, one that separates better raises them."""
    p, answers = np.asarray(p, float), np.asarray(answers, bool)
    near = np.asarray([k == "near-miss" for k in kinds], bool)
    out: dict[str, float | None] = {}
    for name, keep in (("all", np.ones(len(p), bool)), ("near-miss", answers | near)):
        y = answers[keep]
        out[name] = float(roc_auc_score(y, p[keep])) if 0 < y.sum() < len(y) else None
    return out


def show_separation(name: str, sep: dict[str, float | None]) -> None:
    print(f"{name}: abstention ROC AUC, answered against unanswered questions: "
          + ", ".join(f"{k} {'-' if v is None else f'{v:.3f}'}" for k, v in sep.items()))


def choose_extra(items: list[Item], ranker: LogisticModel) -> float:
    rows = []  # (probability, is gold, first gold so far?) for the 2nd and 3rd distinct candidates
    for it in items:
        if not it.answerable or not len(it.labels):
            continue
        order, logits = ranker_order(it, ranker)
        top = top_distinct(it, order, K)
        if it.labels[top[0]]:
            continue
        rows.append([(float(probability(logits[i])), bool(it.labels[i])) for i in top[1:]])
    grid = np.unique([p for r in rows for p, _ in r] + [1.01])

    def gain(t: float) -> float:
        total = 0.0
        for r in rows:
            shown = [(p, ok) for p, ok in r if p >= t]
            total += any(ok for _, ok in shown) - EXTRA_COST * sum(not ok for _, ok in shown)
        return total

    best = max(gain(t) for t in grid)
    return float(min(t for t in grid if gain(t) == best))


def evaluate(items: list[Item], ranking: Ranking) -> dict:
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    hit1 = hit3 = n_ans = 0
    abst = {"near-miss": [0, 0], "off-topic": [0, 0]}
    for it in items:
        ranked = rank(it.gathered, ranking)
        answered = bool(ranked) and answer_probability(it.gathered, ranking) >= ranking.answer_threshold
        k = kinds[it.kind]
        k[1] += 1
        if not it.answerable:
            a = abst["near-miss" if it.kind == "near-miss" else "off-topic"]
            a[1] += 1
            if not answered:
                a[0] += 1
                k[0] += 1
            continue
        n_ans += 1
        if not answered:
            continue
        idx = [it.gathered.rows.index(s.row) for s in ranked]
        shown = [idx[0]] + [i for i, s in zip(idx[1:], ranked[1:]) if s.score >= ranking.extra_threshold]
        top = top_distinct(it, np.asarray(shown), K)
        if it.labels[top[0]]:
            hit1 += 1
            k[0] += 1
        if any(it.labels[i] for i in top):
            hit3 += 1
    out = {"hit1": hit1 / max(n_ans, 1), "hit3": hit3 / max(n_ans, 1)}
    for name, (right, total) in abst.items():
        if total:
            out[f"abstain_{name}"] = right / total
    out["by_kind"] = {k: f"{r}/{t}" for k, (r, t) in sorted(kinds.items())}
    return out


def show(name: str, res: dict) -> None:
    figures = " ".join(f"{k}={v:.2f}" for k, v in res.items() if k != "by_kind")
    print(f"{name}: {figures}\n    by kind (right first or abstained): "
          + ", ".join(f"{k} {v}" for k, v in res["by_kind"].items()))


def show_model(name: str, model: LogisticModel) -> None:
    # Coefficients are per standard deviation of each feature, so their sizes compare.
    print(f"{name} (per SD): " + ", ".join(f"{n} {c:+.2f}" for n, c in zip(model.names, model.coef))
          + f", intercept {model.intercept:+.2f}")


def current_fit(section: str) -> CurrentFit | None:
    """The abstention choices `retrieval/fitted.json` holds for `section`, or None when it holds none or they were
    fitted for another wrong-answer cost or abstention label (they then answer another question)."""
    try:
        values = fitted.load(section)
    except fitted.MissingFit:
        return None
    choices = values.get("choices", {})
    if choices.get("wrong_cost") != WRONG_COST or choices.get("abstention_label") != LABEL \
            or "abstainer_C" not in choices or not values.get("answer_thresholds"):
        return None
    return CurrentFit(float(choices["abstainer_C"]), dict(values["answer_thresholds"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=ROOT / ".casebot-fit", help="indexes of the eval corpora (reused)")
    ap.add_argument("--dry-run", action="store_true", help="print figures, do not write retrieval/fitted.json")
    ap.add_argument("--wrong-cost", type=float, default=WRONG_COST,
                    help=f"what a wrong answer costs, a right one gaining 1 (default {WRONG_COST})")
    ap.add_argument("--threshold", choices=THRESHOLD_METHODS, default=THRESHOLD_METHOD,
                    help="how each answer mode's threshold is chosen: the bootstrap utility maximum, or the "
                         "break-even of the calibrated probabilities (steadier; answers less)")
    ap.add_argument("--fresh", action="store_true",
                    help="choose the abstention C and thresholds anew, not keeping the fitted ones while the tune "
                         "side cannot tell them from the new best")
    ap.add_argument("--label", choices=("corpus", "top"), default=LABEL,
                    help="what the abstention model predicts: the corpus answers, or the top sentence is right")
    a = ap.parse_args(argv)
    set_wrong_cost(a.wrong_cost)
    set_label(a.label)
    set_threshold_method(a.threshold)
    model = RetrievalSettings(_env_file=None).model
    section = fitted.section_for(SECTION, model)  # the fit is the embedding model's own (CASEBOT_MODEL)
    print(f"embedding model {model}: fitting section {section!r}")
    embedder = Embedder(model)
    dev_index = build_index(a.work, "dev", [DEV / "corpus"], embedder)
    pub_index = build_index(a.work, "public", [EVAL / "extra"], embedder)
    tune_dev = collect(dev_index, embedder, load_jsonl(DEV / "questions-tune.jsonl"), "dev")
    own: list[Item] = []
    if (DEV / "questions-tune-extra.jsonl").exists():
        own_index = build_index(a.work, "own", [DEV / "corpus-extra"], embedder)
        own = collect(own_index, embedder, load_jsonl(DEV / "questions-tune-extra.jsonl"), "own")
    public = collect(pub_index, embedder, load_jsonl(EVAL / "questions.jsonl") + load_jsonl(EVAL / "questions-extra.jsonl"),
                     "public")
    # The public questions also over the bundled corpus alone, as they were written and as `make test` asks them.
    bundled_index = build_index(a.work, "bundled", [], embedder)
    public += collect(bundled_index, embedder, load_jsonl(EVAL / "questions.jsonl"), "public-bundled")
    heldout = collect(dev_index, embedder, load_jsonl(DEV / "questions-heldout.jsonl"), "heldout")
    train = tune_dev + own + public

    c_rank, rank_scores = choose_ranker_c(train)
    print("ranker C by leave-one-case-out MRR: " + ", ".join(f"{c}: {s:.2f}" for c, s in rank_scores.items())
          + f" -> {c_rank}")
    c_scorer, scorer_scores = choose_ranker_c(train, fit_scorer)
    print("scorer C by leave-one-case-out MRR: " + ", ".join(f"{c}: {s:.2f}" for c, s in scorer_scores.items())
          + f" -> {c_scorer}")
    ranker = fit_ranker(train, c_rank)
    scorer = fit_scorer(train, c_scorer)
    qx, qy, qtop, qg = out_of_case_rows(train, c_rank, c_scorer)
    c_abs, thresholds, oof = choose_abstainer(qx, qy, qtop, qg, None if a.fresh else current_fit(section))
    qkinds = [it.kind for g in groups_of(train) for it in train if it.group == g]  # out_of_case_rows' order
    show_separation("tune side, out of case", separation(oof, qy, qkinds))
    abstainer = fit_logistic(qx, qy, c_abs, QUESTION_FEATURES)
    extra = choose_extra(train, ranker)
    print(f"abstention C {c_abs}, answer thresholds "
          + ", ".join(f"{m} {t:.3f}" for m, t in thresholds.items()) + f", further-answer threshold {extra:.3f}")
    show_model("ranker", ranker)
    show_model("scorer", scorer)
    show_model("abstainer", abstainer)
    for mode in ANSWER_MODES:
        ranking = Ranking(ranker, scorer, abstainer, thresholds[mode], extra)
        print(f"-- answer mode {mode}")
        show("tune (dev)", evaluate(tune_dev, ranking))
        if own:
            show("tune (own cases)", evaluate(own, ranking))
        show("public + extra", evaluate(public, ranking))
        show("held-out (dev)", evaluate(heldout, ranking))
    show_separation("held-out (dev)", separation(
        [answer_probability(it.gathered, ranking) for it in heldout],
        [it.answerable and bool(it.labels.any()) for it in heldout], [it.kind for it in heldout]))
    if not a.dry_run:
        fitted.save(section, {
            "ranker": ranker.to_values(), "scorer": scorer.to_values(), "abstainer": abstainer.to_values(),
            "answer_thresholds": {m: round(t, 6) for m, t in thresholds.items()}, "extra_threshold": round(extra, 6),
            "choices": {"ranker_C": c_rank, "scorer_C": c_scorer, "abstainer_C": c_abs, "wrong_cost": WRONG_COST,
                        "extra_cost": EXTRA_COST, "abstention_label": LABEL,
                        "threshold": f"bootstrap mean utility, {BOOTSTRAP_SAMPLES} samples, the fitted one kept "
                                     "within the plateau"
                        if THRESHOLD_METHOD == "bootstrap" else "calibrated break-even (Platt scaling)"},
        }, script="python -m retrieval.fit_ranking" + ("" if section == SECTION else f" (CASEBOT_MODEL={model})"))
        print(f"wrote section {section!r} of {fitted.FITTED_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
