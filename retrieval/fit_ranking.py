"""Fit the ask path's ranker and abstention model on the tune questions; print tune and held-out figures.

    python -m retrieval.fit_ranking [--work DIR] [--dry-run]

Training questions (the tune side): `tests/eval/dev/questions-tune.jsonl` over the bundled corpus plus
`tests/eval/dev/corpus`, the project's own harder cases `questions-tune-extra.jsonl` over the bundled corpus plus
`tests/eval/dev/corpus-extra`, and the public sets `tests/eval/questions.jsonl`
and `questions-extra.jsonl` over the bundled corpus plus `tests/eval/extra` (and `questions.jsonl` over the
bundled corpus alone, as `make test` asks them). `questions-heldout.jsonl` is only
scored, after every choice is made.

1. Ranker: logistic regression on candidate features (`retrieval.features.CANDIDATE_FEATURES`), a candidate
   labelled 1 when its shown text contains a gold fragment. C is chosen by leave-one-case-out hit@1.
2. Abstention: logistic regression on question features of the top candidate, labelled 1 when the corpus answers
   the question (a gold sentence among its candidates; `--label top`: when the top candidate is right); trained
   on out-of-case ranker logits so it sees the ranker on unseen cases. C by leave-one-case-out log-loss; the
   threshold maximises utility (+1 for answering when the label is 1, −WRONG_COST when it is 0, abstention 0)
   over out-of-case probabilities.
3. Further answers: the ranker probability a 2nd or 3rd answer needs, by utility (+1 when it brings the gold
   answer into the top 3, −EXTRA_COST for each wrong one shown).
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

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from retrieval import fitted
from retrieval.answering import Gathered, _dedupe_key, _passage, answer_features, gather, rank
from retrieval.case_index import open_current
from retrieval.config import RetrievalSettings
from retrieval.embeddings import Embedder
from retrieval.features import CANDIDATE_FEATURES, QUESTION_FEATURES
from retrieval.indexer import reindex
from retrieval.question import parse_question
from retrieval.soft_terms import SoftMatcher
from retrieval.ranker import SECTION, LogisticModel, Ranking, probability

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
DEV = EVAL / "dev"
WRONG_COST = 2.0  # a confident wrong quote is worse than an honest abstention (README): twice what a right one gains
EXTRA_COST = 0.1  # a wrong further answer under the first is further reading, cheap next to a wrong first answer
# What the abstention model predicts: "corpus" = the corpus answers the question (the definition: the
# abstention decides whether the corpus answers, the ranker which sentence); "top" = the top sentence is right.
LABEL = "corpus"
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


def fit_ranker(items: list[Item], c: float) -> LogisticModel:
    use = [it for it in items if it.answerable and it.labels.any()]
    x = np.vstack([it.gathered.features for it in use])
    y = np.concatenate([it.labels for it in use])
    return fit_logistic(x, y, c, CANDIDATE_FEATURES)


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


def question_row(item: Item, ranker: LogisticModel) -> tuple[list[float], bool]:
    dummy = Ranking(ranker, ranker, 0.0, 0.0)
    ranked = rank(item.gathered, dummy)
    feats = answer_features(item.gathered, ranked)
    if not ranked:
        return feats, False
    if LABEL == "top":
        i = item.gathered.rows.index(ranked[0].row)
        return feats, bool(item.answerable and item.labels[i])
    # "corpus": the corpus answers the question (a gold sentence is among the candidates), however it is ranked.
    return feats, bool(item.answerable and item.labels.any())


def groups_of(items: list[Item]) -> list[str]:
    return sorted({it.group for it in items})


def choose_ranker_c(items: list[Item]) -> tuple[float, dict[float, float]]:
    scores = {}
    for c in C_GRID:
        hits = n = 0
        for g in groups_of(items):
            model = fit_ranker([it for it in items if it.group != g], c)
            for it in items:
                if it.group == g and it.answerable:
                    order, _ = ranker_order(it, model)
                    hits += bool(len(order)) and bool(it.labels[order[0]])
                    n += 1
        scores[c] = hits / max(n, 1)
    best = max(C_GRID, key=lambda c: (scores[c], -abs(np.log10(c))))  # ties: the middle of the grid
    return best, scores


def out_of_case_rows(items: list[Item], c: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    xs, ys, gs = [], [], []
    for g in groups_of(items):
        model = fit_ranker([it for it in items if it.group != g], c)
        for it in items:
            if it.group == g:
                f, right = question_row(it, model)
                xs.append(f)
                ys.append(right)
                gs.append(g)
    return np.asarray(xs, float), np.asarray(ys, bool), gs


def utility(p: np.ndarray, right: np.ndarray, threshold: float) -> float:
    answered = p >= threshold
    return float((answered & right).sum() - WRONG_COST * (answered & ~right).sum())


def set_label(label: str) -> None:
    global LABEL
    LABEL = label


def set_wrong_cost(cost: float) -> None:
    global WRONG_COST
    WRONG_COST = cost


def choose_abstainer(x: np.ndarray, y: np.ndarray, groups: list[str]) -> tuple[float, float, np.ndarray]:
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
        losses[c] = log_loss(y, np.clip(oof, 1e-6, 1 - 1e-6), labels=[False, True])
    c = min(C_GRID, key=lambda c: losses[c])
    oof = oof_by_c[c]
    print("abstention, out-of-case: threshold -> right answers, wrong answers, abstentions")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        a = oof >= t
        print(f"    {t:.1f} -> {(a & y).sum()}, {(a & ~y).sum()}, {(~a).sum()}  utility {utility(oof, y, t):+.1f}")
    candidates = np.unique(np.concatenate([oof, [1.01]]))
    # Of equally good thresholds, the middle one: the fit is not told where in the gap unseen questions fall.
    best_u = max(utility(oof, y, t) for t in candidates)
    good = [t for t in candidates if utility(oof, y, t) == best_u]
    lo = good[0]
    below = oof[oof < lo]
    threshold = float((lo + below.max()) / 2) if below.size else float(lo)
    return c, threshold, oof


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
        feats = answer_features(it.gathered, ranked)
        answered = bool(ranked) and float(probability(ranking.abstainer.logits(feats)[0])) >= ranking.answer_threshold
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=ROOT / ".casebot-fit", help="indexes of the eval corpora (reused)")
    ap.add_argument("--dry-run", action="store_true", help="print figures, do not write retrieval/fitted.json")
    ap.add_argument("--wrong-cost", type=float, default=WRONG_COST,
                    help=f"what a wrong answer costs, a right one gaining 1 (default {WRONG_COST})")
    ap.add_argument("--label", choices=("corpus", "top"), default=LABEL,
                    help="what the abstention model predicts: the corpus answers, or the top sentence is right")
    a = ap.parse_args(argv)
    set_wrong_cost(a.wrong_cost)
    set_label(a.label)
    embedder = Embedder(RetrievalSettings(_env_file=None).model)
    dev_index = build_index(a.work, "dev", [DEV / "corpus"], embedder)
    pub_index = build_index(a.work, "public", [EVAL / "extra"], embedder)
    tune = collect(dev_index, embedder, load_jsonl(DEV / "questions-tune.jsonl"), "dev")
    if (DEV / "questions-tune-extra.jsonl").exists():
        own_index = build_index(a.work, "own", [DEV / "corpus-extra"], embedder)
        tune += collect(own_index, embedder, load_jsonl(DEV / "questions-tune-extra.jsonl"), "own")
    public = collect(pub_index, embedder, load_jsonl(EVAL / "questions.jsonl") + load_jsonl(EVAL / "questions-extra.jsonl"),
                     "public")
    # The public questions also over the bundled corpus alone, as they were written and as `make test` asks them.
    bundled_index = build_index(a.work, "bundled", [], embedder)
    public += collect(bundled_index, embedder, load_jsonl(EVAL / "questions.jsonl"), "public-bundled")
    heldout = collect(dev_index, embedder, load_jsonl(DEV / "questions-heldout.jsonl"), "heldout")
    train = tune + public

    c_rank, rank_scores = choose_ranker_c(train)
    print("ranker C by leave-one-case-out hit@1: " + ", ".join(f"{c}: {s:.2f}" for c, s in rank_scores.items())
          + f" -> {c_rank}")
    ranker = fit_ranker(train, c_rank)
    qx, qy, qg = out_of_case_rows(train, c_rank)
    c_abs, threshold, _ = choose_abstainer(qx, qy, qg)
    abstainer = fit_logistic(qx, qy, c_abs, QUESTION_FEATURES)
    extra = choose_extra(train, ranker)
    ranking = Ranking(ranker, abstainer, threshold, extra)
    print(f"abstention C {c_abs}, answer threshold {threshold:.3f}, further-answer threshold {extra:.3f}")
    show_model("ranker", ranker)
    show_model("abstainer", abstainer)
    show("tune (dev)", evaluate([it for it in tune if it.group != "own-cases"], ranking))
    show("tune (own cases)", evaluate([it for it in tune if it.group == "own-cases"], ranking))
    show("public + extra", evaluate(public, ranking))
    show("held-out (dev)", evaluate(heldout, ranking))
    if not a.dry_run:
        fitted.save(SECTION, {
            "ranker": ranker.to_values(), "abstainer": abstainer.to_values(),
            "answer_threshold": round(threshold, 6), "extra_threshold": round(extra, 6),
            "choices": {"ranker_C": c_rank, "abstainer_C": c_abs, "wrong_cost": WRONG_COST, "extra_cost": EXTRA_COST,
                        "abstention_label": LABEL},
        }, script="python -m retrieval.fit_ranking")
        print(f"wrote section {SECTION!r} of {fitted.FITTED_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
