"""Both index backends side by side on one synthetic corpus (issue 15): full reindex, one article added, ask
p50/p95, timeline, on `local` and on `milvus` (Milvus Lite in a temporary folder unless --milvus-uri).

    .venv/bin/python -m benchmarks.backends [--sizes 10000] [--questions 60] [--json] [--milvus-uri URI]

Sentence vectors are seeded random unit vectors written to each backend's embedding cache before its first
reindex, so both reindexes embed nothing and measure casebot's own work (scan, split, store, index, publish);
questions are encoded by the real model, the same for both, and the encode is reported beside them. The added
article is embedded by the model on both sides.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def _fill_cache(settings, texts: list[str], dim: int, seed: int) -> None:
    from retrieval.embeddings import EmbeddingCache
    from retrieval.layout import IndexLayout

    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((len(texts), dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    cache = EmbeddingCache(IndexLayout(settings.index_dir).cache_path)
    try:
        cache.put_many(settings.model, texts, vecs)
    finally:
        cache.close()


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p)) if values else float("nan")


def measure(size: int, questions: int, seed: int, milvus_uri: str | None, work: Path, embedder=None,
            log=None) -> dict:
    """Both backends on one synthetic corpus of about `size` sentences. `embedder`: the caller's loaded model
    (loaded here when None)."""
    from benchmarks import synthetic
    from benchmarks.queries import raw_query_encode
    from retrieval.config import RetrievalSettings
    from retrieval.embeddings import Embedder
    from retrieval.engine import CaseEngine
    from retrieval.milvus_index import release_all

    log = log or (lambda msg: None)

    stream = synthetic.articles_for(seed, size)
    cast = synthetic.stories(seed)
    corpus = work / f"corpus-{size}"
    synthetic.write_corpus(corpus, stream)
    texts = list({s for a in stream for s in a.sentences})
    qs = synthetic.questions(seed, count=questions, off_topic=max(questions // 22, 1))
    base = RetrievalSettings(_env_file=None)
    if embedder is None:
        embedder = Embedder(base.model, batch_size=base.batch_size, threads=base.threads, device=base.device)
    settings = {
        "local": RetrievalSettings(_env_file=None, corpus_dir=corpus, index_dir=work / f"local-{size}"),
        "milvus": RetrievalSettings(_env_file=None, corpus_dir=corpus, index_dir=work / f"staging-{size}",
                                    index_backend="milvus", milvus_uri=milvus_uri or str(work / f"milvus-{size}.db"),
                                    milvus_collection=f"casebot_bench_{size}"),
    }
    out: dict = {"sentences": sum(a.sentence_count for a in stream), "articles": len(stream), "backends": {}}
    engines = {}
    for name, st in settings.items():
        _fill_cache(st, texts, embedder.dim, seed)
        engine = engines[name] = CaseEngine(st, embedder=embedder)
        log(f"  {name}: full reindex of {out['sentences']:,} sentences …")
        started = time.perf_counter()
        summary = engine.reindex()
        out["backends"][name] = {"full_reindex_s": time.perf_counter() - started, "embedded": summary.embedded,
                                 "indexed": summary.sentences, **_writes(engine)}
    for q in qs[:5]:  # warm-up: first calls (and Milvus' term statistics) belong to neither side
        for engine in engines.values():
            engine.ask(q)
    raw, asks = [], {name: [] for name in engines}
    reads = milvus_reads()
    with reads.active():  # only the Milvus engine calls them
        for q in qs:
            raw.append(raw_query_encode(embedder, q) * 1000)
            for name, engine in engines.items():
                started = time.perf_counter()
                engine.ask(q)
                asks[name].append((time.perf_counter() - started) * 1000)
    out["raw_encode_ms"] = {"p50": _pct(raw, 50), "p95": _pct(raw, 95)}
    out["backends"]["milvus"]["reads_per_question"] = reads.report(per=len(qs))
    new = synthetic.article(seed, len(stream), cast)
    synthetic.write_corpus(corpus, [new])
    for name, engine in engines.items():
        log(f"  {name}: {len(qs)} questions done; timeline, then one article added …")
        b = out["backends"][name]
        b["ask_ms"] = {"p50": _pct(asks[name], 50), "p95": _pct(asks[name], 95)}
        started = time.perf_counter()
        engine.timeline()
        b["timeline_ms"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        summary = engine.reindex()
        b["one_article_s"] = time.perf_counter() - started
        b["one_article_embedded"] = summary.embedded
        b["one_article_sentences"] = summary.sentences - b["indexed"]
        b.update({f"one_article_{k}": v for k, v in _writes(engine).items()})
    if milvus_uri is None:
        release_all()  # the Milvus Lite server of this size's file
    return out


def milvus_reads():
    """Time and calls of what a question asks of Milvus (pymilvus MilvusClient): searches, reads by primary key,
    and reads by a filter (each a scan of the collection on Milvus Lite)."""
    from pymilvus import MilvusClient

    from benchmarks.measure import StageTimer

    return StageTimer({
        "searches (dense, BM25)": (MilvusClient, "search"),
        "reads by primary key": (MilvusClient, "query", lambda a, k: k.get("ids") is not None),
        "reads by filter": (MilvusClient, "query", lambda a, k: k.get("ids") is None),
    })


def _writes(engine) -> dict:
    """What the last publish wrote to Milvus (nothing for the local backend)."""
    stats = getattr(engine.index, "last_publish", None)
    if stats is None:
        return {}
    return {"rows_inserted": stats.inserted, "docs_deleted": len(stats.deleted_docs),
            "rewritten": stats.rewritten}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.backends", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000")
    p.add_argument("--questions", type=int, default=60)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--milvus-uri", help="a Milvus server (default: Milvus Lite in the work folder)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", type=Path, metavar="FILE", help="also write the results as JSON (BENCHMARKS.md's "
                   "backend section comes from `casebot bench`, which runs this at 10,000 and 100,000 sentences)")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="casebot-backends-"))
    try:
        results = [measure(int(s), args.questions, args.seed, args.milvus_uri, work) for s in args.sizes.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from benchmarks.sysinfo import describe, load_average

    record = {"system": {**describe(), "load_average_end": load_average()}, "questions": args.questions,
              "milvus": "server" if args.milvus_uri else "Milvus Lite", "sizes": results}
    if args.save:
        args.save.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(record))
        return 0
    print("| sentences | backend | full reindex (cached vectors) | one article added | ask p50 / p95 | "
          "raw encode p50 / p95 | timeline |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        for name, b in r["backends"].items():
            print(f"| {r['sentences']:,} | {name} | {b['full_reindex_s']:.1f} s | {b['one_article_s']:.2f} s "
                  f"({b['one_article_embedded']} embedded) | {b['ask_ms']['p50']:.1f} / {b['ask_ms']['p95']:.1f} ms"
                  f" | {r['raw_encode_ms']['p50']:.1f} / {r['raw_encode_ms']['p95']:.1f} ms | "
                  f"{b['timeline_ms']:.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
