"""Fit when reindex's per-sentence work goes to a process pool: writes section `reindex_pool` of
retrieval/fitted.json (`start_s`, `per_char_s`, read by retrieval/parallel.py).

    .venv/bin/python -m benchmarks.fit_pool [--sentences 4000] [--workers N] [--repeats 2] [--dry-run]

On a synthetic corpus (benchmarks/synthetic.py) it times `process_article` serially and in a pool of N workers
(default: every usable core). per_char_s = serial time / article characters; start_s = pool time - serial time / N,
i.e. everything the pool costs beyond a perfect split (start-up, imports, pickling, the last chunk's wait). The best
of `repeats` runs is taken for each, since load from other processes only ever adds time.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def measure(sentences: int, workers: int, repeats: int, seed: int = 7) -> dict:
    from benchmarks.synthetic import articles_for, write_corpus
    from retrieval.indexer import article_fingerprint, process_articles
    from retrieval.ingest.loader import scan_corpus
    from retrieval.parallel import article_chars

    with tempfile.TemporaryDirectory(prefix="casebot-fit-pool-") as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(folder, articles_for(seed, sentences))
        scan = scan_corpus(folder, max_bytes=5_000_000)
    jobs = [(a, article_fingerprint(a)) for a in sorted(scan.articles, key=lambda a: a.doc_id)]
    chars = article_chars(jobs)

    def best(w: int) -> tuple[float, int]:
        times, count = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            out = process_articles(jobs, workers=w)
            times.append(time.perf_counter() - started)
            count = sum(len(b.sentences) for b in out)
        return min(times), count

    process_articles(jobs[:5], workers=1)  # first-call imports belong to neither side
    serial_s, count = best(1)
    pool_s, _ = best(workers)
    per_char = serial_s / chars
    return {"start_s": round(max(pool_s - serial_s / workers, 0.0), 4), "per_char_s": per_char,
            "measured": {"sentences": count, "articles": len(jobs), "chars": chars, "workers": workers,
                         "serial_s": round(serial_s, 3), "pool_s": round(pool_s, 3),
                         "serial_sentences_per_s": round(count / serial_s, 1),
                         "pool_sentences_per_s": round(count / pool_s, 1),
                         "speedup": round(serial_s / pool_s, 2)}}


def main(argv: list[str] | None = None) -> int:
    from retrieval import fitted
    from retrieval.parallel import SECTION, PoolCost, usable_cores

    p = argparse.ArgumentParser(prog="python -m benchmarks.fit_pool", description=__doc__.split("\n\n")[0])
    p.add_argument("--sentences", type=int, default=4000)
    p.add_argument("--workers", type=int, default=0, help="pool size to fit with (default: every usable core)")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    args = p.parse_args(argv)
    workers = args.workers or usable_cores()
    if workers < 2:
        p.error("a pool needs at least 2 workers; this machine has one usable core")
    result = measure(args.sentences, workers, args.repeats)
    cost = PoolCost(result["start_s"], result["per_char_s"])
    result["measured"]["min_chars_at_workers"] = round(cost.min_chars(workers))
    print(json.dumps(result, indent=2))
    if not args.dry_run:
        fitted.save(SECTION, result, script="benchmarks/fit_pool.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
