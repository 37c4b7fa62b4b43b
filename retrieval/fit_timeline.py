"""Fit the timeline's same-event model (retrieval/same_event.py) and store it in section "timeline" of fitted.json
("timeline@<model>" when CASEBOT_MODEL names another embedding model than the default).

    python -m retrieval.fit_timeline [--dry-run]

Labelled pairs of sentences on one date come from the development set, indexed together with the bundled and
extra corpora:
- one gold event of ``tests/eval/dev/timeline.jsonl`` (or ``tests/eval/timeline.jsonl``) found in several
  sentences (its ``expect_any`` fragments, often from different outlets): every pair of them is the same event;
- the ``expect_any`` fragments of one question (the same fact in each outlet's words) found in sentences of the
  same date: the same event;
- sentences of different gold events on the same date: different events;
- ``tests/eval/timeline-pairs.jsonl``: pairs labelled by hand on these corpora, each a date, a fragment of each
  sentence and whether they report the same happening (the hard cases: one outlet's raid and another's "search",
  the fine and the reactions to it on the same Friday, a regulator's separate statement the same month).
The model is fitted on the tune cases (ids A1-*, B3-*, and the bundled case t*) and judged on the held-out cases
(A2-*, B1-*), never fitted on them. Pairs of one sentence text with itself (syndicated copies) are left out: the
timeline merges those by their text before the model is asked.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from retrieval import fitted
from retrieval.answering import _dedupe_key
from retrieval.same_event import FEATURES, PairContext, granularity, pair_features, same_probability, sentence_terms

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
DEV = EVAL / "dev"
TUNE = ("A1-", "B3-", "t")
HELDOUT = ("A2-", "B1-")


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _index(work: Path):
    from retrieval.config import RetrievalSettings
    from retrieval.engine import CaseEngine

    corpus = work / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    for extra in (EVAL / "extra", DEV / "corpus"):
        for f in extra.iterdir():
            if f.is_file():
                shutil.copy(f, corpus / f.name)
    engine = CaseEngine(RetrievalSettings(corpus_dir=corpus, index_dir=work / "index"))
    engine.reindex()
    return engine.index


def labelled_pairs(dated_texts: list[tuple[str, str]]) -> list[tuple[int, int, int, str]]:
    """(i, j, label, split) over rows of dated_texts [(date value, sentence text)]; label 1 = same event."""
    norm = [_norm(t) for _, t in dated_texts]
    gold = _jsonl(DEV / "timeline.jsonl") + _jsonl(EVAL / "timeline.jsonl")
    questions = _jsonl(DEV / "questions-tune.jsonl") + _jsonl(DEV / "questions-heldout.jsonl")
    # row -> gold event ids / question ids it is evidence of
    event_of: dict[int, set[str]] = defaultdict(set)
    for g in gold:
        frags = [_norm(x) for x in g["expect_any"]]
        for i, (value, _) in enumerate(dated_texts):
            if value.startswith(g["date"]) and any(f in norm[i] for f in frags):
                event_of[i].add(g["id"])
    question_of: dict[int, set[str]] = defaultdict(set)
    for q in questions:
        frags = [_norm(x) for x in q.get("expect_any", [])]
        for i in range(len(dated_texts)):
            if any(f in norm[i] for f in frags):
                question_of[i].add(q["id"])
    rows = sorted(set(event_of) | set(question_of))
    pairs = []
    keys = [_dedupe_key(t) for _, t in dated_texts]
    seen: set[tuple[int, int]] = set()
    for h in _jsonl(EVAL / "timeline-pairs.jsonl"):
        a_rows = [i for i, (v, _) in enumerate(dated_texts) if v == h["date"] and _norm(h["a"]) in norm[i]]
        b_rows = [i for i, (v, _) in enumerate(dated_texts) if v == h["date"] and _norm(h["b"]) in norm[i]]
        if not a_rows or not b_rows:
            raise SystemExit(f"timeline-pairs.jsonl: no sentence dated {h['date']} for {h['a']!r} / {h['b']!r}")
        split = "heldout" if h["case"] + "-" in HELDOUT else "tune"
        for i in a_rows:
            for j in b_rows:
                if keys[i] != keys[j] and (min(i, j), max(i, j)) not in seen:
                    seen.add((min(i, j), max(i, j)))
                    pairs.append((i, j, int(h["same"]), split))
    for a, i in enumerate(rows):
        for j in rows[a + 1:]:
            if dated_texts[i][0] != dated_texts[j][0] or keys[i] == keys[j] or (i, j) in seen:
                continue
            ids = (event_of[i] | question_of[i]) | (event_of[j] | question_of[j])
            split = "heldout" if any(x.startswith(HELDOUT) for x in ids) else "tune"
            if event_of[i] & event_of[j] or question_of[i] & question_of[j]:
                pairs.append((i, j, 1, split))
            elif event_of[i] and event_of[j]:
                pairs.append((i, j, 0, split))
    return pairs


def _threshold(p: np.ndarray, same: np.ndarray) -> float:
    """The probability bar with the best F0.5 on the tune pairs: precision counts twice as much as recall
    (van Rijsbergen's F-beta, beta = 0.5), since merging two happenings hides one from the reporter, while
    leaving two wordings apart only costs a line."""
    best, bar = -1.0, 1.0
    for t in sorted(set(np.round(p, 6).tolist())):
        pred = p >= t
        tp, fp, fn = int((pred & same).sum()), int((pred & ~same).sum()), int((~pred & same).sum())
        f = 1.25 * tp / (1.25 * tp + 0.25 * fn + fp) if tp else 0.0
        if f > best:
            best, bar = f, float(t)
    return bar


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="report, do not write fitted.json")
    a = ap.parse_args(argv)
    from retrieval.vectors import vectors_of

    work = Path(tempfile.mkdtemp(prefix="casebot-fit-timeline-"))
    try:
        index = _index(work)
        dated = index.store.dated_sentences()
        texts = [(d.value, row.text) for row, d in dated]
        vecs = vectors_of(index.vectors, np.array([row.id for row, _ in dated], dtype=np.int64))
        ctx = PairContext.build(vecs, [sentence_terms(row.text, row.tokens) for row, _ in dated])
        pairs = labelled_pairs(texts)
        X = np.array([pair_features(ctx, np.array([i]), np.array([j]))[0, 0] for i, j, _, _ in pairs])
        grain = np.array([granularity(texts[i][0]) for i, *_ in pairs])
        y = np.array([lab for _, _, lab, _ in pairs])
        tune = np.array([s == "tune" for *_, s in pairs])
        model = LogisticRegression(class_weight="balanced", C=1.0).fit(X[tune], y[tune])
        weights = {"bias": float(model.intercept_[0]), **{f: float(w) for f, w in zip(FEATURES, model.coef_[0])}}
        p_all = same_probability(X, weights)
        thresholds = {g: _threshold(p_all[tune & (grain == g)], y[tune & (grain == g)].astype(bool))
                      for g in ("day", "coarse")}
        bar = np.array([thresholds[g] for g in grain])
        pred_all = p_all >= bar
        report = {}
        for name, mask in (("tune", tune), ("heldout", ~tune)):
            for g in ("day", "coarse"):
                m = mask & (grain == g)
                pred, yy = pred_all[m], y[m].astype(bool)
                report[f"{name}_{g}"] = {"same_merged": f"{int((pred & yy).sum())}/{int(yy.sum())}",
                                         "different_kept_apart": f"{int((~pred & ~yy).sum())}/{int((~yy).sum())}"}
        print(json.dumps({"weights": weights, "thresholds": thresholds, "report": report}, indent=1))
        for (i, j, lab, split), x, p, b in zip(pairs, X, p_all, bar):
            if (p >= b) != bool(lab):
                print(f"  wrong ({split}, gold {'same' if lab else 'different'}, p={p:.2f}, bar {b:.2f}, "
                      f"{dict(zip(FEATURES, np.round(x, 2).tolist()))}):\n    {texts[i][1][:110]}\n    {texts[j][1][:110]}")
        if not a.dry_run:
            model_name = index.manifest.model
            section = fitted.section_for("timeline", model_name)  # the embedding model's own fit (CASEBOT_MODEL)
            fitted.save(section, {"weights": weights, "thresholds": thresholds, "report": report},
                        script="python -m retrieval.fit_timeline"
                        + ("" if section == "timeline" else f" (CASEBOT_MODEL={model_name})"))
            print(f"wrote section {section!r} of {fitted.FITTED_PATH}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
