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
    "On 2 cores the pipeline's own CPU work is taken from the model, so it has to shrink. Most of it is "
    "splitting: `retrieval/sentences.py` `sentence_spans` calls pysbd's `Segmenter.segment`, which after "
    "splitting searches every sentence back in the paragraph with a freshly compiled regex "
    "(`sentences_with_char_spans`) to build spans casebot then recomputes with `str.find`. Calling "
    "`_segmenter().processor(paragraph).process()` instead gives the same pieces (3,102 paragraphs of this "
    "benchmark and the test corpora checked) at 0.68 instead of 1.22 ms a sentence; keep the `at < 0` branch, "
    "since `segment` silently dropped pieces pysbd had altered. Date tagging (`temporal.tag_dates`, ~0.4 ms a "
    "sentence) is next; with the model at ~120 sentences/s on an idle core pair (8 ms a sentence), every 0.1 ms "
    "a sentence is ~1% of the ratio. Encoding in chunks of 8 batches for the progress bar cost 0–6% against one "
    "`encode` call in an idle A/B")

REINDEX_REMEDY = (
    "Every reindex redoes the whole build: `retrieval/ingest/loader.py` `scan_corpus` parses every file (front "
    "matter + YAML, ~2 ms a file); `retrieval/indexer.py` `_previous` reads every stored sentence back "
    "(`SentenceStore.bundles`) after `verify` hashes every file; `_embed` looks every sentence up in the cache "
    "(`EmbeddingCache.get_many`, 500 keys a query) and hashes every text twice; `write_store` rewrites every row; "
    "`LexicalIndex.build` re-runs bm25s over every sentence; `checksum_files` hashes every new file. Sentence ids "
    "are positions in doc_id order, so one new article shifts the ids of everything after it and forces the "
    "rewrite. What closes it: (1) keep a hash of each file's raw bytes per document and reuse the stored bundle "
    "without parsing when it matches (reading + hashing 5,300 files costs ~0.3 s against ~10 s of parsing); (2) "
    "append-only ids: new or changed documents get ids after the last one, removed ones become a tombstone mask "
    "(search filters them; a full rebuild compacts when they pass ~10%), so a build is the previous store "
    "copied (~0.1 s for 70 MB) and patched, the previous vector index read, `add`ed to and written (~0.6–1.7 s "
    "at 100,000), and only the new texts looked up in the cache; (3) BM25 as a term-frequency sparse matrix "
    "(scipy CSR) that grows by rows, with idf and length normalisation computed at query time from kept "
    "document frequencies, instead of rebuilding bm25s; (4) checksums of unchanged files carried over from the "
    "previous manifest")

ASK_REMEDY = (
    "Three causes. (1) Threads: the model and FAISS run one thread per core. On an idle machine that is right "
    "for the model (see *Torch threads*), but on a 2-core machine doing anything else (a reindex beside the "
    "bot, another process) each of their many small parallel steps waits for a descheduled thread: with both "
    "settings alternated on this machine while it was shared, raw single-query encode p50 was 31 ms with one "
    "torch thread against 228 ms with two, ask at 100,000 sentences p50 66 ms against 330 ms, and exact search "
    "21 ms with one FAISS thread against 46 ms. Call `faiss.omp_set_num_threads(1)` in `retrieval/vectors.py` "
    "`load_vector_index` (a single query gains nothing from OpenMP), and encode questions with one torch "
    "thread while a reindex runs in the same process (or default `threads` to cores − 1 on small machines). "
    "(2) Exact vector search grows with the "
    "corpus: `retrieval/vectors.py` `search` reads every vector for every question, ~0.2 ms per 1,000 sentences "
    "with one thread here (10,000: 2 ms; 30,000: 6 ms; 100,000: 21 ms). HNSW with casebot's parameters over "
    "this benchmark's 100,000 vectors answers in 0.4 ms (p95 0.7) with recall@40 0.995 against exact, so lower "
    "`ann_min_vectors` to about 20,000 — but only together with the append-only reindex above: a full HNSW "
    "build of 100,000 took 33 s, while `add`ing 20 vectors to the previous graph took 0.18 s. (3) 'When' "
    "questions: `retrieval/store.py` `SentenceStore.date_spans` scans the whole `dates` table, which has no "
    "index on `sentence_id`: add `CREATE INDEX dates_sentence ON dates (sentence_id)` to `SCHEMA` (47 ms → "
    "0.24 ms at 100,000). Constant per question: `retrieval/answer_signals.py` `type_match` re-tokenises every "
    "word of ~80 candidates; an `lru_cache`d per-word token set cut it 7.4 → 5.4 ms a question with the same "
    "answers")

COLD_REMEDY = (
    "A cold start opens the index in `CaseIndex.open`: `manifest.verify` hashes every file of the build (sha256, "
    "~0.8 s for the 100,000-sentence build), FAISS reads the whole vector file and bm25s loads its arrays; "
    "imports (pydantic-settings, bm25s, faiss, pysbd) add to the model's own. Verify sizes at open and hash "
    "in the background (or only after a crash), and memory-map the vectors")

MEMORY_REMEDY = (
    "Serving holds the vectors (1.5 KB a sentence) and BM25 arrays; the reindex process additionally holds every "
    "stored sentence as Python objects (`SentenceStore.bundles`) and every vector twice (`_embed` result and "
    "the FAISS copy). The append-only reindex above avoids both")

ANN_REMEDY = (
    "HNSW's build is the cost at this size: casebot rebuilds the whole index at every reindex "
    "(`retrieval/indexer.py` → `build_vector_index`), so build time is reindex time. With append-only ids the "
    "previous HNSW graph is read and extended (`add`) instead; or use IVF (`IndexIVFFlat`, centroids trained once "
    "and kept), which adds vectors in seconds")


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
               f"{full['raw']['sentences_per_s']:,.1f} raw: load that came and went, and the reindex encoding in "
               f"chunks of 8 batches for its progress bar); the pipeline around it {other / 1000:,.1f} s "
               f"({other / 1000 / full['casebot']['seconds']:.0%}), mostly: "
               f"{_top_stages(stages, exclude=('embed (cache + model)',))}. Had the model run at the raw speed inside "
               f"the reindex, the ratio would be {raw_s / (raw_s + other / 1000):.2f}×")
        out.append(Verdict("full reindex ≥ 0.9× raw encode throughput",
                           f"{ratio:.2f}× ({full['casebot']['sentences_per_s']:,.1f} vs "
                           f"{full['raw']['sentences_per_s']:,.1f} sentences/s)", ratio >= 0.9, why,
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
                               f"exact vector search {dense[1]:.1f} ms a question at {small['sentences']:,}, "
                               f"{dense[0]:.1f} ms at {big['sentences']:,}", ASK_REMEDY))
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
                   f"({ann['hnsw']['build_vectors_per_s']:,.0f} vectors/s), and casebot rebuilds it at every reindex")
        out.append(Verdict(f"at {ann['vectors']:,} vectors the chosen index ({ann['casebot_choice']}) ≤ 20 ms, "
                           "recall@10 ≥ 0.95",
                           f"p95 {ch['p95_ms']:.1f} ms, recall@10 {ch['recall_at_10']:.3f}", ok, why,
                           ANN_REMEDY if ann["casebot_choice"] == "hnsw" else
                           "exact search is chosen at this size; lower `ann_min_vectors`"))
    return out
