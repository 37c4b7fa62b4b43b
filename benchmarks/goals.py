"""The goals of issue 5, judged on one run's results.

Each verdict says by how much, what the figure is made of (from the stage timings of the same run) and, when
missed, what would close the gap: the causes found by profiling this code, named by file and function.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Verdict:
    goal: str
    figure: str
    met: bool | None  # None: not measured in this run
    why: str = ""
    remedy: str = ""


def _top_stages(stages: dict[str, dict], exclude: tuple[str, ...] = (), n: int = 3) -> str:
    rows = [(k.strip(), v["ms"]) for k, v in stages.items() if not k.startswith("  ") and k.strip() not in exclude]
    rows.sort(key=lambda kv: -kv[1])
    return ", ".join(f"{k} {ms:,.0f} ms" for k, ms in rows[:n])


def _stage(stages: dict[str, dict], name: str) -> float:
    for k, v in stages.items():
        if k.strip() == name:
            return v["ms"]
    return 0.0


FULL_REMEDY = (
    "On 2 cores the pipeline's own CPU work is taken from the model, and nearly all of it is splitting and date "
    "tagging new articles. Splitting is syntok's (it replaced pysbd, 3-4× slower on the project's corpora), and "
    "encoding runs in one length-sorted order across the progress chunks, as a single `encode` call would; "
    "with many cores the split and tagging run in a process pool (`retrieval/parallel.py`). Closing the gap on "
    "2 cores means overlapping that work with the model's (splitting the next articles while the model encodes "
    "the previous ones in a low-priority worker process); a first try with a thread gave no gain the machine's "
    "noise could show (the raw baseline itself moved 10–20% between runs)")

REINDEX_REMEDY = (
    "What is left grows with the corpus, not with the change: the vector file is read, extended and written "
    "again whole (~180 MB at 100,000 sentences with its HNSW graph) and then fsynced by `publish`. Keeping the "
    "vectors in immutable segments hard-linked from one build to the next, with only the new segment written, "
    "would remove it; an HNSW graph cannot be split that way, so it would mean one graph per segment and a "
    "merge of their results")

ASK_REMEDY = (
    "Most of a question's time is the model encoding it (see the stage timings); the rest is SQLite reads and "
    "scoring ~80 candidates, independent of the corpus size. On a 2-core machine doing anything else, the "
    "model's two torch threads wait for each other: `CASEBOT_THREADS=1` makes single questions steadier there "
    "(and a reindex slower)")

COLD_REMEDY = (
    "A cold start opens the index in `CaseIndex.open`: the manifest check hashes every file of the build "
    "(xxh3, ~0.1 s at 100,000 sentences), FAISS reads the whole vector file and the BM25 arrays load; imports "
    "(pydantic-settings, faiss, syntok) add to the model's own. Memory-mapping the vectors would shave the rest")

MEMORY_REMEDY = (
    "Serving holds the vectors (1.5 KB a sentence, plus the HNSW graph) and the BM25 arrays. A reindex reads the "
    "previous vector index to extend it, so a bot reindexing in process holds two copies for a moment")

ANN_REMEDY = (
    "Building the graph is the cost at this size. casebot builds it only at a full or compacting reindex; an "
    "ordinary reindex reads the previous graph and `add`s the new sentences")


def judge(r: dict) -> list[Verdict]:
    out: list[Verdict] = []
    full = r.get("full_reindex")
    if full:
        ratio = full["ratio_to_raw"]
        stages = full["casebot"]["stages_ms"]
        model_ms = _stage(stages, "model encode")
        other = full["casebot"]["seconds"] * 1000 - model_ms
        n = full["casebot"]["sentences"]
        raw_s = full["raw"]["seconds"]
        why = (f"model encode {model_ms / 1000:,.1f} s of {full['casebot']['seconds']:,.1f} s "
               f"({n / max(model_ms / 1000, 1e-9):,.1f} sentences/s inside the reindex against "
               f"{full['raw']['sentences_per_s']:,.1f} raw, the difference being load that came and went "
               f"between the two); the pipeline around it {other / 1000:,.1f} s "
               f"({other / 1000 / full['casebot']['seconds']:.0%}), mostly: "
               f"{_top_stages(stages, exclude=('embed (cache + model)',))}. Had the model run at the raw speed inside "
               f"the reindex, the ratio would be {raw_s / (raw_s + other / 1000):.2f}×")
        out.append(Verdict("full reindex ≥ 0.9× raw encode throughput",
                           f"{ratio:.2f}× (" + (f"median of {len(full['runs'])} alternated runs: " + ", ".join(
                               f"{x['ratio']:.2f}" for x in full["runs"]) if len(full.get("runs") or []) > 1 else
                               f"{full['casebot']['sentences_per_s']:,.1f} vs {full['raw']['sentences_per_s']:,.1f} "
                               "sentences/s") + ")", ratio >= 0.9, why,
                           FULL_REMEDY))
    inc = r.get("incremental")
    if inc:
        ok = inc["seconds_to_swap"] <= 2.0 and inc["only_new_text_embedded"]
        out.append(Verdict(
            f"incremental reindex of one article into {inc['sentences'] - inc['article_sentences']:,} sentences "
            "≤ 2 s, no re-embedding",
            f"{inc['seconds_to_swap']:.2f} s to the swap; embedded {inc['embedded']} "
            f"(new distinct sentences {inc['expected_new_texts']})", ok,
            "slowest stages: " + _top_stages(inc["stages_ms"], n=5), REINDEX_REMEDY))
    sizes = r.get("sizes") or []
    if sizes:
        big, small = sizes[-1], sizes[0]
        ratio = big["ask"]["ask"]["p95_ms"] / big["ask"]["raw_encode"]["p95_ms"]
        st = big.get("ask_stages_ms", {})
        why = f"per question at {big['sentences']:,} (nested stages inclusive): " + ", ".join(
            f"{k.strip()} {v['ms']:.1f} ms" for k, v in st.items())
        out.append(Verdict(f"ask p95 ≤ 2× raw single-query encode at {big['sentences']:,} sentences",
                           f"{ratio:.2f}× ({big['ask']['ask']['p95_ms']:.1f} vs "
                           f"{big['ask']['raw_encode']['p95_ms']:.1f} ms)", ratio <= 2.0, why, ASK_REMEDY))
        if len(sizes) > 1:
            growth = big["ask"]["ask"]["p50_ms"] / small["ask"]["ask"]["p50_ms"]
            dense = (_stage(big.get("ask_stages_ms", {}), "dense search (FAISS)"),
                     _stage(small.get("ask_stages_ms", {}), "dense search (FAISS)"))
            out.append(Verdict(f"ask p50 at {big['sentences']:,} within 1.5× of p50 at {small['sentences']:,}",
                               f"{growth:.2f}× ({big['ask']['ask']['p50_ms']:.1f} vs "
                               f"{small['ask']['ask']['p50_ms']:.1f} ms)", growth <= 1.5,
                               f"vector search ({small['vector_index']}) {dense[1]:.1f} ms a question at "
                               f"{small['sentences']:,}, ({big['vector_index']}) {dense[0]:.1f} ms at "
                               f"{big['sentences']:,}", ASK_REMEDY))
    cold = r.get("cold_start")
    if cold:
        ratio = cold["casebot_s"] / cold["bare_s"]
        out.append(Verdict("cold start ≤ 1.3× the bare script",
                           f"{ratio:.2f}× ({cold['casebot_s']:.2f} vs {cold['bare_s']:.2f} s, at "
                           f"{cold['sentences']:,} sentences)", ratio <= 1.3, "", COLD_REMEDY))
    mem = r.get("memory")
    if mem:
        extra = mem["casebot_mb"] - mem["bare_mb"]
        ip = r.get("incremental_process")
        why = "serving process (index and model loaded, 20 questions)"
        if ip:
            over = ip["peak_rss_mb"] - mem["bare_mb"]
            why += (f"; a `casebot reindex` process adding one article peaks at {ip['peak_rss_mb']:,.0f} MB, "
                    f"+{over:,.0f} MB over the bare script" + (", over the same budget" if over > 400 else ""))
        out.append(Verdict(f"peak RSS at {mem['sentences']:,} sentences ≤ bare script + 400 MB",
                           f"+{extra:,.0f} MB ({mem['casebot_mb']:,.0f} vs {mem['bare_mb']:,.0f} MB)", extra <= 400,
                           why, MEMORY_REMEDY))
    ann = r.get("ann")
    if ann:
        ch = ann["chosen"]
        ok = ch["p95_ms"] <= 20 and ch["recall_at_10"] >= 0.95
        why = ""
        if ann["casebot_choice"] == "hnsw":
            why = (f"building it took {ann['hnsw']['build_s'] / 60:,.1f} min "
                   f"({ann['hnsw']['build_vectors_per_s']:,.0f} vectors/s), at a full or compacting reindex only")
        out.append(Verdict(f"at {ann['vectors']:,} vectors the chosen index ({ann['casebot_choice']}) ≤ 20 ms, "
                           "recall@10 ≥ 0.95",
                           f"p95 {ch['p95_ms']:.1f} ms, recall@10 {ch['recall_at_10']:.3f}", ok, why,
                           ANN_REMEDY if ann["casebot_choice"] == "hnsw" else
                           "exact search is chosen at this size; lower `ann_min_vectors`"))
    return out
