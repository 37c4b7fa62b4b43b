"""The BENCHMARKS.md section on the embedding device and the reindex process pool (issue 15).

Rendered from the run's device and from what `benchmarks/fit_pool.py` measured (retrieval/fitted.json), so the
report says what this machine measured and nothing it did not: GPU figures appear only from a run on a GPU.
"""
from __future__ import annotations

import json
from pathlib import Path


BACKENDS_JSON = Path(__file__).with_name("backends.json")


def backends_section(path: Path = BACKENDS_JSON) -> list[str]:
    """Local against Milvus from the last `python -m benchmarks.backends --save benchmarks/backends.json`."""
    L = ["## Index backends side by side", ""]
    if not path.exists():
        return L + ["Not measured on this checkout (`python -m benchmarks.backends --save benchmarks/backends.json`).",
                    ""]
    r = json.loads(path.read_text(encoding="utf-8"))
    sysd = r["system"]
    L += [f"`python -m benchmarks.backends` ({r['milvus']}, {r['questions']} questions, {sysd['date'][:16]} UTC, "
          f"{sysd['cpu']}, {sysd['cores']} cores, load average {sysd.get('load_average_start')} at the start and "
          f"{sysd.get('load_average_end')} at the end). Vectors of the corpus are seeded stand-ins in the embedding "
          "cache, so the full reindex embeds nothing; the added article is embedded by the model.", "",
          "| sentences | backend | full reindex | one article added | ask p50 / p95 | raw encode p50 / p95 | "
          "timeline |", "|---:|---|---:|---:|---:|---:|---:|"]
    for size in r["sizes"]:
        raw = size["raw_encode_ms"]
        for name, b in size["backends"].items():
            L.append(f"| {size['sentences']:,} | {name} | {b['full_reindex_s']:.1f} s | {b['one_article_s']:.2f} s "
                     f"({b['one_article_embedded']} embedded) | {b['ask_ms']['p50']:,.0f} / {b['ask_ms']['p95']:,.0f} ms "
                     f"| {raw['p50']:,.0f} / {raw['p95']:,.0f} ms | {b['timeline_ms']:,.0f} ms |")
    busy = any(x > 2 * (sysd.get("cores") or 1) for x in (sysd.get("load_average_end") or [])[:1])
    L += [""]
    first = r["sizes"][0]["backends"]
    if busy and {"local", "milvus"} <= set(first):
        ask = first["milvus"]["ask_ms"]["p50"] / first["local"]["ask_ms"]["p50"]
        one = first["milvus"]["one_article_s"] / first["local"]["one_article_s"]
        L += [f"**Contended run** (load average above twice the cores): the raw encode of one question took "
              f"{r['sizes'][0]['raw_encode_ms']['p50']:,.0f} ms, so absolute times say little and only the pairs "
              f"compare: {r['milvus']} answered in {ask:.1f}× the local time at p50, and its publish re-inserts the "
              f"whole case on each reindex (one article: {one:.0f}× local).", ""]
    L += ["Not measured here: 100,000 sentences, a Milvus server, a quiet machine.", ""]
    L += ["### On paper: 30 million sentences (a national archive, ~1M articles)", "",
          "- **Vectors**: 30M × 384 float32 = 46 GB, plus ~8 GB of HNSW links. `local` holds them in each bot "
          "process's memory (one 64 GB+ machine per process) and rebuilds HNSW on a compacting reindex at ~7.6k "
          "vectors/s (above): ~66 min. `milvus` spreads them over query nodes (e.g. 4 × 16 GB) or uses a disk or "
          "quantised index (DiskANN, IVF_PQ) to cut memory; bot processes hold none.",
          "- **Text, metadata, dates**: ~0.75 KB a sentence in SQLite here (74.6 MB per 100k) → ~22 GB per copy; "
          "in Milvus as scalar fields, once for all processes.",
          "- **BM25**: the local postings are ~10 MB per 100k (~3 GB at 30M), but `LexicalIndex.scores` fills an "
          "array of every row per question (120 MB at 30M) and walks the postings of common terms (millions of "
          "rows): tens to hundreds of ms. Milvus' sparse inverted index returns the top hits. Both backends' BM25 "
          "seam still hands the engine a dense array of all rows (`MilvusLexical.scores`), which must become a "
          "top-k call before 30M (retrieval/search.py, being rewritten on another branch).",
          "- **Embedding 30M sentences**: ~53 h at this machine's 157/s, ~9 h on a 16-core CPU (921/s, the issue's "
          "figure), ~45 min on an H200 (~11.5k/s, the issue's figure) if the per-sentence work (~0.9 ms a sentence "
          "on one core: 7.5 h serial) is spread over ≥ 10 cores by the reindex pool.",
          "- **Reindex publish**: `milvus` writes a whole new collection and swaps the alias; at 30M that is a "
          "multi-hour insert per reindex. Before that size, publish must become incremental (insert the new "
          "documents' rows and delete the removed ones in the collection in service, or one partition per batch of "
          "articles), giving up the single-swap atomicity for per-document atomicity. Not built.", ""]
    return L


def section(device: str) -> list[str]:
    from retrieval.parallel import SECTION
    from retrieval import fitted

    L = ["## Embedding device and several cores", ""]
    if device == "cpu":
        L.append("This run embedded on the **CPU** (`CASEBOT_DEVICE` resolved to `cpu`): no GPU was available to "
                 "it, so no GPU figure here is casebot's own. Issue 15 reports, from an H200 with "
                 "sentence-transformers, ~11–12k news sentences/s for this model (12× a 16-core CPU's 921/s); that "
                 "is the issue's measurement, not this file's. A GPU reindex is only as fast as the per-sentence work "
                 "around the model, which is why that work can run in a process pool (below).")
    else:
        L.append(f"This run embedded on **{device}** (`CASEBOT_DEVICE`).")
    try:
        fit = fitted.load(SECTION)
    except fitted.MissingFit:
        L += ["", "The reindex process pool was never fitted on this checkout (`python -m benchmarks.fit_pool`): "
              "reindex splits and tags articles serially.", ""]
        return L
    m = fit["measured"]
    L += ["", f"Split, date tagging and tokenising of {m['sentences']:,} synthetic sentences ({m['articles']} "
          f"articles, {m['chars']:,} characters), best of the runs of `python -m benchmarks.fit_pool`:", "",
          "| path | time | sentences/s |", "|---|---:|---:|",
          f"| serial (one core) | {m['serial_s']:.2f} s | {m['serial_sentences_per_s']:,.0f} |",
          f"| process pool, {m['workers']} workers | {m['pool_s']:.2f} s | {m['pool_sentences_per_s']:,.0f} |", "",
          f"Speed-up {m['speedup']:.2f}×. Fitted: the pool costs {fit['start_s']:.2f} s beyond a perfect split "
          f"(start-up, imports, pickling) and the serial work {fit['per_char_s'] * 1e6:.1f} µs a character, so a "
          f"reindex uses the pool from about {m['min_chars_at_workers']:,} characters of new or changed articles "
          f"with {m['workers']} workers (fewer with more cores: start_s / (per_char_s × (1 − 1/workers)))."
          + (f" With {m['workers']} workers the pool did not pay at this size on this machine (other jobs share its "
             "cores); it is meant for machines with many cores, such as a GPU server's." if m["speedup"] < 1 else "")
          + " It was not measured on a GPU machine.", ""]
    return L
