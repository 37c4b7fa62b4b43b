"""What the ask path's signals cost per question, against a raw query encode (the ask goal's yardstick).

    python -m benchmarks.ask_signals [INDEX_DIR]   (default: .casebot-fit/dev/index, built by retrieval.fit_ranking)

Times, per question of the dev tune set (median and p95 over the questions, after one warm-up pass that fills
the per-article caches as a running bot would have them): the question encode, gather (hybrid search + features,
soft support and article support included), the ranker, the abstention model.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from retrieval.answering import answer_probability, gather, rank
from retrieval.case_index import open_current
from retrieval.config import DEFAULT_MODEL
from retrieval.embeddings import Embedder
from retrieval.question import parse_question
from retrieval.ranker import load_ranking
from retrieval.soft_terms import SoftMatcher

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    index_dir = Path(argv[0]) if argv else ROOT / ".casebot-fit" / "dev" / "index"
    index = open_current(index_dir, model=DEFAULT_MODEL)
    embedder = Embedder(DEFAULT_MODEL)
    soft = SoftMatcher.of(embedder)
    ranking = load_ranking()
    questions = [parse_question(json.loads(line)["question"]) for line in
                 (ROOT / "tests/eval/dev/questions-tune.jsonl").read_text().splitlines() if line.strip()]
    times: dict[str, list[float]] = {"encode question": [], "gather + features": [], "rank + abstain": []}
    for warm in (True, False):
        for q in questions:
            t0 = time.perf_counter()
            vec = embedder.encode_query(q.text)
            t1 = time.perf_counter()
            g = gather(index, q, vec, soft)
            t2 = time.perf_counter()
            rank(g, ranking), answer_probability(g, ranking)
            t3 = time.perf_counter()
            if not warm:
                for name, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2)):
                    times[name].append(dt * 1000)
    print(f"{index.manifest.sentences} sentences, {len(questions)} questions")
    for name, values in times.items():
        print(f"  {name:20s} p50 {np.percentile(values, 50):7.1f} ms   p95 {np.percentile(values, 95):7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
