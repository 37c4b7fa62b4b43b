"""The BENCHMARKS.md section on the embedding device and the reindex process pool (issue 15).

Rendered from the run's device and from what `benchmarks/fit_pool.py` measured (retrieval/fitted.json), so the
report says what this machine measured and nothing it did not: GPU figures appear only from a run on a GPU.
"""
from __future__ import annotations

import json
from pathlib import Path


BACKENDS_JSON = Path(__file__).with_name("backends.json")


def backends_section(record: dict | None = None, path: Path = BACKENDS_JSON) -> list[str]:
    """Local against Milvus: from this `casebot bench` run's record (`results["backends"]`), else from a JSON
    saved by `python -m benchmarks.backends --save FILE` at `path`."""
    L = ["## Index backends side by side", ""]
    r = record
    if r is None:
        if not path.exists():
            return L + ["Not measured in this run (`casebot bench --backend-sizes 10000,100000`).", ""] + _on_paper()
        r = json.loads(path.read_text(encoding="utf-8"))
    sysd = r["system"]
    L += [f"Measured ({r['milvus']}, in process; {r['questions']} questions per size and backend, "
          f"{sysd['date'][:16]} UTC, {sysd['cpu']}, {sysd['cores']} cores, load average "
          f"{sysd.get('load_average_start')} at the start and {sysd.get('load_average_end')} at the end). "
          "Each size is its own synthetic corpus whose vectors are seeded stand-ins in the embedding cache, so a "
          "full reindex embeds nothing; the added article is embedded by the model. On Milvus the reindex "
          "includes the publish: the first one fills both sides of the case, a later one writes only the change "
          "(rows inserted given beside it).", "",
          "| sentences | backend | full reindex | one article added | ask p50 / p95 | raw encode p50 / p95 | "
          "timeline |", "|---:|---|---:|---:|---:|---:|---:|"]
    for size in r["sizes"]:
        raw = size["raw_encode_ms"]
        for name, b in size["backends"].items():
            rows = (f"; {b['one_article_rows_inserted']} rows inserted, {b['one_article_docs_deleted']} documents "
                    "deleted" if "one_article_rows_inserted" in b else "")
            L.append(f"| {size['sentences']:,} | {name} | {b['full_reindex_s']:.1f} s | {b['one_article_s']:.2f} s "
                     f"({b['one_article_embedded']} embedded{rows}) | {b['ask_ms']['p50']:,.0f} / "
                     f"{b['ask_ms']['p95']:,.0f} ms | {raw['p50']:,.0f} / {raw['p95']:,.0f} ms | "
                     f"{b['timeline_ms']:,.0f} ms |")
    L += [""]
    for size in r["sizes"]:
        reads = size["backends"].get("milvus", {}).get("reads_per_question")
        if reads:
            L.append(f"Milvus calls per question at {size['sentences']:,} sentences: " + ", ".join(
                f"{k} {v['ms']:,.0f} ms ({v['calls']:.1f} calls)" for k, v in reads.items()) + ".")
    if any(size["backends"].get("milvus", {}).get("reads_per_question") for size in r["sizes"]):
        L += ["The rest of a Milvus question is the same work as a local one (encode, features, ranking) and "
              "pymilvus' own overhead.", ""]
    busy = any(x > 2 * (sysd.get("cores") or 1) for x in (sysd.get("load_average_end") or [])[:1])
    if busy:
        L += ["**Contended run** (load average above twice the cores): absolute times say little; only the pairs "
              "at one size compare.", ""]
    L += ["Milvus Lite here is the pure-Python engine of the `milvus-lite` package, in this process: it shows what "
          "casebot asks of Milvus and that the writes follow the change, not a Milvus server's speed. Not measured "
          "here: a Milvus standalone or cluster, 30 million sentences.", ""]
    return L + _on_paper()


def _on_paper() -> list[str]:
    return ["### On paper: 30 million sentences (a national archive, ~1M articles)", "",
            "Not measured: arithmetic from the sizes above and the collections' schema (`retrieval/milvus_index.py`).",
            "",
            "| | `local` (per bot process) | `milvus` (shared) |",
            "|---|---|---|",
            "| vectors | 30M × 384 float32 = 46 GB in each process's RAM, + ~8 GB of HNSW links | the same 46 GB "
            "once, on the query nodes; index type HNSW (~54 GB RAM per replica), or IVF_SQ8 (~12 GB: 1 byte a "
            "dimension) or DiskANN (compressed codes in RAM, graph on NVMe) to trade recall for memory |",
            "| text, metadata, dates | SQLite, ~0.75 KB a sentence → ~22 GB on disk per copy | scalar fields, "
            "~0.5 KB a sentence → ~15 GB, held by the query nodes (or memory-mapped) |",
            "| BM25 | postings ~3 GB in RAM; `top` still scores every row (a 120 MB float32 array and the postings "
            "of common terms per question: tens to hundreds of ms) | sparse inverted index (~12 terms × 8 B a "
            "sentence ≈ 3 GB RAM) returns the top 200; casebot rescores them exactly from their tokens |",
            "| RAM | ~60 GB per bot process | per side and replica ~75 GB with HNSW and scalar fields in memory, "
            "~25 GB with IVF_SQ8 and memory-mapped scalars; both sides of a case stay loaded (the one out of "
            "service is queried when it is brought up to date), so ×2: e.g. 4 query nodes of 48 GB with HNSW; "
            "bot processes hold none of it |",
            "| disk | per process folder: ~80 GB a build (2.7 MB per 1,000 sentences, two builds kept) + ~60 GB of "
            "embedding cache | object storage ~130 GB (binlogs of both sides' vectors and scalars, index files), "
            "plus the staging folder of each process that reindexes |",
            "| one article published | build patched, vector file rewritten whole (~55 GB at 30M: minutes) | its "
            "rows inserted into each side once (two publishes) and a delete by document id per changed document: "
            "proportional to the change |",
            "| first publish | — | 60M row inserts (both sides); hours on a server's insert path, once |",
            "",
            "Embedding 30M sentences: ~53 h at this machine's ~157/s, ~9 h on a 16-core CPU (921/s, the issue's "
            "figure), ~45 min on an H200 (~11.5k/s, the issue's figure) if the per-sentence work around the model "
            "(~0.9 ms a sentence on one core: 7.5 h serial) is spread over ≥ 10 cores by the reindex pool.", ""]


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
