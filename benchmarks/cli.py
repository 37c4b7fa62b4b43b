"""`casebot bench`: build synthetic corpora, measure casebot beside the raw model, write BENCHMARKS.md.

Order of work (one heavy thing at a time):
 1. the full reindex of a cache-cold sample (default 5,000 sentences) against raw `encode` of its sentences;
 2. an index per size (the sample's vectors are the model's; see benchmarks/standins.py for the others);
 3. at each size: ask latency beside raw query encode, where a question's time goes, timeline latency, disk;
 4. one new article into the largest index; 5. fresh processes: cold start and peak RSS;
 6. vector search alone at --ann-vectors synthetic vectors.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DEFAULT_SIZES = "1000,10000,100000"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="casebot bench", description="Measure casebot's speed, memory and growth "
                                "against the raw embedding model, on synthetic news articles.")
    p.add_argument("--sizes", default=DEFAULT_SIZES, help="index sizes in sentences (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print all results as JSON instead of the short table")
    p.add_argument("--quick", action="store_true", help="smoke run: few questions, one cold start, small vector test")
    p.add_argument("--out", help="Markdown report to write (default BENCHMARKS.md; none with --quick)")
    p.add_argument("--ann-vectors", type=int, default=None, help="vectors for the search-only test (default "
                   "1,000,000; 5,000 with --quick; 0 skips it)")
    p.add_argument("--reindex-sample", type=int, default=5_000, help="sentences of the cache-cold full reindex "
                   "measured against raw encode (default %(default)s; the smallest size with --quick)")
    p.add_argument("--reindex-repeats", type=int, default=None, help="further cache-cold full reindexes, each "
                   "between two raw encodes, for a median ratio (default 2; 0 with --quick)")
    p.add_argument("--embed-all", action="store_true", help="embed every sentence with the model instead of "
                   "stand-in vectors beyond the sample (slow: tens of sentences/s on 2 cores)")
    p.add_argument("--questions", type=int, default=None, help="questions per size (default 220; 12 with --quick)")
    p.add_argument("--cold-runs", type=int, default=None, help="fresh processes per cold-start figure (default 3)")
    p.add_argument("--backend-sizes", default=None, help="sizes at which both index backends, local and Milvus "
                   "(Milvus Lite in the work folder unless --milvus-uri), are measured side by side (default "
                   "10000,100000; the smallest --sizes with --quick; empty skips it)")
    p.add_argument("--backend-questions", type=int, default=None, help="questions per backend and size "
                   "(default 60; 12 with --quick)")
    p.add_argument("--milvus-uri", help="a Milvus server for the backend comparison (default: Milvus Lite)")
    p.add_argument("--ask-only", action="store_true", help="build the sizes and measure only the questions: ask "
                   "latency beside raw encode and where a question's time goes (no reindex ratio, timeline, "
                   "processes, backends or vector test); prints JSON, writes no report unless --out")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workdir", type=Path, help="where corpora and indexes go (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--save-json", type=Path, metavar="FILE", help="also write all results as JSON to FILE")
    p.add_argument("--render", type=Path, metavar="JSON", help="measure nothing: write the report and table from "
                   "the output of an earlier `--json` run")
    args = p.parse_args(argv)
    try:
        args.size_list = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        p.error(f"--sizes must be numbers separated by commas, not {args.sizes!r}")
    if not args.size_list or min(args.size_list) < 50:
        p.error("--sizes: each size must be at least 50 sentences")
    if args.ann_vectors is None:
        args.ann_vectors = 5_000 if args.quick else 1_000_000
    if args.questions is None:
        args.questions = 12 if args.quick else 220
    if args.reindex_repeats is None:
        args.reindex_repeats = 0 if args.quick else 2
    if args.backend_sizes is None:
        args.backend_sizes = str(min(args.size_list)) if args.quick else "10000,100000"
    try:
        args.backend_size_list = sorted({int(x.replace("_", "")) for x in args.backend_sizes.split(",") if x.strip()})
    except ValueError:
        p.error(f"--backend-sizes must be numbers separated by commas, not {args.backend_sizes!r}")
    if args.backend_questions is None:
        args.backend_questions = 12 if args.quick else 60
    if args.cold_runs is None:
        args.cold_runs = 1 if args.quick else 3
    if args.out is None and not args.quick and not args.ask_only:
        args.out = "BENCHMARKS.md"
    sample = min(args.size_list) if args.quick else args.reindex_sample
    args.sample = max(min(sample, max(args.size_list)), 50)
    return args


class Log:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, msg: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f}s] {msg}", file=sys.stderr, flush=True)


def _prefix(stream, sentences: int):
    out, total = [], 0
    for a in stream:
        if total >= sentences:
            break
        out.append(a)
        total += a.sentence_count
    return out


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _copy_cache(src: Path, dst_index_dir: Path) -> None:
    dst_index_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst_index_dir / "embeddings.sqlite")


def run(args: argparse.Namespace, log: Log, checkpoint=None) -> dict:
    import numpy as np

    from benchmarks import ann, processes, queries, reindexing, standins, synthetic, sysinfo
    from retrieval.config import RetrievalSettings
    from retrieval.embeddings import Embedder, resolve_model_path
    from retrieval.engine import CaseEngine
    from retrieval.layout import IndexLayout

    results: dict = {"system": sysinfo.describe(), "args": {k: (str(v) if isinstance(v, Path) else v)
                                                             for k, v in vars(args).items()}}
    work = args.workdir or Path(tempfile.mkdtemp(prefix="casebot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results["workdir"] = str(work)

    def settings_for(name: str) -> RetrievalSettings:
        return RetrievalSettings(_env_file=None, corpus_dir=work / f"corpus-{name}", index_dir=work / f"index-{name}")

    base = settings_for("x")
    results["settings"] = {"model": base.model, "batch_size": base.batch_size, "threads": base.threads,
                           "ann_min_vectors": base.ann_min_vectors, "top_k": base.top_k}
    log(f"loading the model ({base.model}), batch size {base.batch_size}, threads {base.threads or 'auto'}")
    embedder = Embedder(base.model, batch_size=base.batch_size, threads=base.threads, device=base.device)
    results["settings"]["device"] = embedder.device
    log(f"  embedding on {embedder.device} (CASEBOT_DEVICE={base.device})")
    results["system"]["torch_threads"] = sysinfo.torch_threads()
    model_path = resolve_model_path(base.model)[0]

    largest = max(args.size_list)
    stream = synthetic.articles_for(args.seed, max(largest, args.sample))
    cast = synthetic.stories(args.seed)
    new_articles = [synthetic.article(args.seed, len(stream) + i, cast) for i in range(2)]
    qs = synthetic.questions(args.seed, count=max(args.questions, 12), off_topic=max(args.questions // 22, 1))
    topics = [f"{s.company} {s.topic}" for s in cast[:5]]
    results["questions"] = {"count": len(qs), "examples": qs[:5]}

    # 1. Full reindex, cache-cold, against raw encode of the same sentences with the same batch size.
    sample_articles = _prefix(stream, args.sample)
    sample = settings_for(f"{args.sample}")
    synthetic.write_corpus(sample.corpus_dir, sample_articles)
    warm = [s for a in stream[-3:] for s in a.sentences][:max(embedder.batch_size, 16)]
    embedder.encode(warm)  # first-call costs belong to neither side
    generated = [s for a in sample_articles for s in a.sentences]
    # The baseline runs before and after the reindex and their mean is used, so load that comes and goes on a
    # shared machine does not land on one side only.
    raw_before = None
    if not args.quick and not args.ask_only:
        log(f"raw encode of the sample's {len(generated):,} sentences (before the reindex) …")
        raw_before = reindexing.raw_encode(embedder, generated)
    log(f"full reindex of the sample's {len(generated):,} sentences, cache-cold …")
    sample_engine = CaseEngine(sample, embedder=embedder)
    full = reindexing.full_reindex(sample_engine)
    texts = reindexing.store_texts(sample.index_dir)
    if args.ask_only:  # the sample is built only for its model vectors (the stand-ins' seeds)
        return _ask_only(args, log, results, work, embedder, stream, sample, sample_articles, texts, qs)
    log(f"  {full['seconds']:.1f}s; raw encode of the stored sentences (after) …")
    raw_after = reindexing.raw_encode(embedder, texts)
    raw_before = raw_before or raw_after
    raw = {"sentences": len(texts), "batch_size": embedder.batch_size,
           "seconds": (raw_before["seconds"] * len(texts) / max(len(generated), 1) + raw_after["seconds"]) / 2,
           "seconds_before": raw_before["seconds"], "seconds_after": raw_after["seconds"],
           "same_sentences": sorted(generated) == sorted(texts)}
    full["sentences_per_s"] = full["sentences"] / full["seconds"]
    raw["sentences_per_s"] = raw["sentences"] / raw["seconds"]
    log(f"  casebot {full['sentences_per_s']:.1f}/s vs raw {raw['sentences_per_s']:.1f}/s "
        f"(before {len(texts) / raw_before['seconds']:.1f}/s, after {len(texts) / raw_after['seconds']:.1f}/s)")
    # On a shared machine the baseline alone moves 10-40% between runs, so one pair decides little: the reindex
    # is repeated (cache-cold, a fresh folder each time) alternating with raw encodes, each judged against the
    # raw runs on either side of it, and the median ratio is the figure.
    runs = [{"casebot_s": full["seconds"], "raw_s": raw["seconds"]}]
    raw_prev = raw_after["seconds"]
    for rep in range(args.reindex_repeats):
        again_settings = RetrievalSettings(_env_file=None, corpus_dir=sample.corpus_dir,
                                           index_dir=work / f"index-{args.sample}-again{rep + 1}")
        log(f"full reindex again ({rep + 2} of {args.reindex_repeats + 1}), then raw encode …")
        again = reindexing.full_reindex(CaseEngine(again_settings, embedder=embedder))
        raw_next = reindexing.raw_encode(embedder, texts)["seconds"]
        runs.append({"casebot_s": again["seconds"], "raw_s": (raw_prev + raw_next) / 2})
        raw_prev = raw_next
        shutil.rmtree(again_settings.index_dir, ignore_errors=True)
    for run in runs:
        run["ratio"] = run["raw_s"] / run["casebot_s"]
    ratio = statistics.median(run["ratio"] for run in runs)
    results["full_reindex"] = {"casebot": full, "raw": raw, "unique_sentences": len(set(texts)),
                               "ratio_to_raw": ratio, "runs": runs, "load_average": sysinfo.load_average()}
    if len(runs) > 1:
        log("  ratios " + ", ".join(f"{run['ratio']:.2f}" for run in runs) + f"; median {ratio:.2f}")

    # 2. One index per size. Vectors: the sample's are the model's; beyond it, stand-ins unless --embed-all.
    dim = embedder.dim
    sample_cache = IndexLayout(sample.index_dir).cache_path
    real = standins.read_real(sample_cache, base.model, list(set(texts)), dim)
    master = work / "embeddings-master.sqlite"
    shutil.copyfile(sample_cache, master)
    all_texts = [s for a in stream for s in a.sentences]
    all_kinds = [k for a in stream for k in a.kinds]
    stand_ins = 0 if args.embed_all else standins.fill_cache(master, base.model, all_texts, all_kinds, real,
                                                             args.seed)
    results["vectors"] = {"model": len(real), "stand_in": stand_ins, "embed_all": args.embed_all}
    sizes: list[dict] = []
    engines: dict[int, CaseEngine] = {}
    for size in args.size_list:
        arts = _prefix(stream, size)
        if len(arts) == len(sample_articles):
            s, build = sample, None
        else:
            s = settings_for(str(size))
            synthetic.write_corpus(s.corpus_dir, arts)
            _copy_cache(master, s.index_dir)
            log(f"building the {size:,}-sentence index ({len(arts):,} articles, vectors from the cache) …")
            build = reindexing.full_reindex(CaseEngine(s, embedder=embedder))
            log(f"  {build['seconds']:.1f}s, {build['embedded']} sentences through the model")
        engine = CaseEngine(s, embedder=embedder)
        started = time.perf_counter()
        index = engine.index
        open_s = time.perf_counter() - started
        current = IndexLayout(s.index_dir).current()
        n = index.manifest.sentences
        disk = _dir_bytes(current)
        sizes.append({"target": size, "sentences": n, "documents": index.manifest.documents,
                      "vector_index": index.manifest.vector_index, "build": build, "open_s": open_s,
                      "disk": {"build_bytes": disk, "bytes_per_1000_sentences": disk * 1000 / n,
                               "files": {str(p.relative_to(current)): p.stat().st_size
                                         for p in sorted(current.rglob("*")) if p.is_file()},
                               "embedding_cache_bytes": IndexLayout(s.index_dir).cache_path.stat().st_size},
                      "corpus_dir": str(s.corpus_dir), "index_dir": str(s.index_dir)})
        engines[size] = engine
    log(f"{len(qs)} questions, each encoded raw and then asked at every size in turn …")
    latency = queries.ask_latency(engines, qs)
    results["latency_load_average"] = sysinfo.load_average()
    for entry in sizes:
        engine = engines[entry["target"]]
        entry["ask"] = latency[entry["target"]]
        entry["ask_stages_ms"] = queries.ask_breakdown(engine, qs[:min(len(qs), 60)])
        log(f"  {entry['sentences']:,}: ask p50 {entry['ask']['ask']['p50_ms']:.1f} ms, p95 "
            f"{entry['ask']['ask']['p95_ms']:.1f} ms (raw encode p50 {entry['ask']['raw_encode']['p50_ms']:.1f}, "
            f"p95 {entry['ask']['raw_encode']['p95_ms']:.1f}); timeline …")
        entry["timeline"] = queries.timeline_latency(engine, topics[:1] if args.quick else topics,
                                                     reps=1 if args.quick else 3)
    results["sizes"] = sizes
    log("torch threads: one against the configured count, interleaved …")
    results["threads"] = queries.thread_probe(embedder, qs[:12 if args.quick else 60], texts[:64 if args.quick else 256])

    # 3. One new article into the largest index, in this process (as the bot does it).
    big = sizes[-1]
    big_engine = engines[largest]
    for size, eng in engines.items():
        if size != largest:
            eng.index.store.close()
    engines = {largest: big_engine}
    corpus_big = Path(big["corpus_dir"])
    old = set(reindexing.store_texts(big_engine.settings.index_dir))
    first_new = new_articles[0]
    log(f"incremental reindex: one article ({first_new.sentence_count} sentences) into {big['sentences']:,} …")
    inc = reindexing.incremental(big_engine, corpus_big, first_new.filename, first_new.markdown(),
                                 expected_new=len(set(first_new.sentences) - old))
    check = big_engine.ask(qs[0])
    inc["serves_after_swap"] = check.latency_ms > 0
    results["incremental"] = inc
    log(f"  {inc['seconds_to_swap']:.2f}s to the swap, {inc['embedded']} sentences embedded")
    big_engine.index.store.close()

    # 4. Fresh processes: cold start and peak RSS, beside the bare model script.
    cwd = work
    log("fresh processes: bare script and `casebot ask` (cold start, peak RSS) …")
    if not args.quick:
        processes.bare_script(model_path, cwd)  # page cache warm for both sides
    bare_runs, cold_runs = [], []
    for _ in range(args.cold_runs):  # alternated, so both sides see the same machine
        bare_runs.append(processes.bare_script(model_path, cwd))
        cold_runs.append(processes.casebot_ask(Path(big["corpus_dir"]), Path(big["index_dir"]), cwd, qs[0]))
        if cold_runs[-1].returncode not in (0, 1):
            raise RuntimeError(f"casebot ask failed ({cold_runs[-1].returncode}): {cold_runs[-1].stderr[-2000:]}")
    bare_s = statistics.median(r.first_output_s for r in bare_runs)
    bare_mb = max(r.peak_rss_mb for r in bare_runs)
    for size_entry in sizes:
        runs = list(cold_runs) if size_entry is big else []
        if not args.quick or not runs:  # a serving session: index and model loaded once, 20 questions answered
            runs.append(processes.casebot_ask_many(Path(size_entry["corpus_dir"]), Path(size_entry["index_dir"]),
                                                   cwd, qs[:20]))
            if runs[-1].returncode != 0:
                raise RuntimeError(f"casebot ask - failed ({runs[-1].returncode}): {runs[-1].stderr[-2000:]}")
        firsts = [r.first_output_s for r in (cold_runs if size_entry is big else runs)]
        size_entry["cold_start_s"] = statistics.median(firsts)
        size_entry["peak_rss_mb"] = max(r.peak_rss_mb for r in runs)
        log(f"  {size_entry['sentences']:,}: cold start {size_entry['cold_start_s']:.2f}s "
            f"(bare {bare_s:.2f}s), peak RSS {size_entry['peak_rss_mb']:.0f} MB (bare {bare_mb:.0f} MB)")
    results["cold_start"] = {"casebot_s": big["cold_start_s"], "bare_s": bare_s, "sentences": big["sentences"],
                             "casebot_runs_s": [r.first_output_s for r in cold_runs],
                             "bare_runs_s": [r.first_output_s for r in bare_runs]}
    results["memory"] = {"casebot_mb": big["peak_rss_mb"], "bare_mb": bare_mb, "sentences": big["sentences"]}
    if not args.quick:
        second = new_articles[1]
        (corpus_big / second.filename).write_text(second.markdown(), encoding="utf-8")
        reindex_run = processes.casebot_reindex(corpus_big, Path(big["index_dir"]), cwd)
        if reindex_run.returncode != 0:
            raise RuntimeError(f"casebot reindex failed ({reindex_run.returncode}): {reindex_run.stderr[-2000:]}")
        summary = json.loads(reindex_run.stdout.strip().splitlines()[-1])
        results["incremental_process"] = {"total_s": reindex_run.total_s, "peak_rss_mb": reindex_run.peak_rss_mb,
                                          "embedded": summary.get("embedded"), "seconds": summary.get("seconds")}
        log(f"  `casebot reindex` of one more article: {reindex_run.total_s:.1f}s in all, "
            f"peak RSS {reindex_run.peak_rss_mb:.0f} MB")

    # 5. Both index backends side by side, each size on its own corpus (issue 15).
    if args.backend_size_list:
        from benchmarks import backends

        log(f"index backends side by side at {', '.join(f'{n:,}' for n in args.backend_size_list)} sentences …")
        system = sysinfo.describe()
        sizes_b = []
        for n in args.backend_size_list:
            sizes_b.append(backends.measure(n, args.backend_questions, args.seed, args.milvus_uri,
                                            work / "backends", embedder=embedder, log=log))
            for name, b in sizes_b[-1]["backends"].items():
                log(f"  {sizes_b[-1]['sentences']:,} {name}: full {b['full_reindex_s']:.1f}s, one article "
                    f"{b['one_article_s']:.2f}s, ask p50 {b['ask_ms']['p50']:.1f} ms")
        results["backends"] = {"system": {**system, "load_average_end": sysinfo.load_average()},
                               "questions": args.backend_questions,
                               "milvus": "server" if args.milvus_uri else "Milvus Lite", "sizes": sizes_b}
        if checkpoint is not None:
            checkpoint(results)

    # 6. Vector search alone (long at 1,000,000: the report is written first, then again with its figures).
    results["system"]["load_average_end"] = sysinfo.load_average()
    results["elapsed_s"] = time.perf_counter() - log.started
    if checkpoint is not None and args.ann_vectors > 0:
        checkpoint(results)
    if args.ann_vectors > 0:
        log(f"vector search alone at {args.ann_vectors:,} vectors …")
        real_matrix = np.stack(list(real.values())) if real else None
        results["ann"] = ann.vector_search_at(args.ann_vectors, dim, real_matrix, base.ann_min_vectors, args.seed,
                                              log=log)
        budget = big["ask"]["raw_encode"]["p50_ms"] / 2
        results["switch_point"] = {"budget_ms": budget,
                                   "sentences": ann.switch_point(results["ann"]["flat_by_size"], budget)}
        ch = results["ann"]["chosen"]
        log(f"  {results['ann']['casebot_choice']}: p95 {ch['p95_ms']:.2f} ms, recall@10 {ch['recall_at_10']:.3f}")

    results["system"]["load_average_end"] = sysinfo.load_average()
    results["elapsed_s"] = time.perf_counter() - log.started
    if not args.keep and args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return results


def _ask_only(args, log, results, work, embedder, stream, sample, sample_articles, texts, qs) -> dict:
    """`--ask-only`: each size built from cached vectors, then ask latency and its stages; nothing else."""
    from benchmarks import queries, reindexing, standins, synthetic, sysinfo
    from retrieval.config import RetrievalSettings
    from retrieval.engine import CaseEngine
    from retrieval.layout import IndexLayout

    base = IndexLayout(sample.index_dir).cache_path
    real = standins.read_real(base, results["settings"]["model"], list(set(texts)), embedder.dim)
    master = work / "embeddings-master.sqlite"
    if not master.exists():
        shutil.copyfile(base, master)
        standins.fill_cache(master, results["settings"]["model"], [s for a in stream for s in a.sentences],
                            [k for a in stream for k in a.kinds], real, args.seed)
    engines = {}
    for size in args.size_list:
        arts = _prefix(stream, size)
        s = (sample if len(arts) == len(sample_articles) else
             RetrievalSettings(_env_file=None, corpus_dir=work / f"corpus-{size}", index_dir=work / f"index-{size}"))
        if s is not sample:
            if not s.corpus_dir.exists():  # a kept --workdir: rewriting the files would make a reindex re-read them
                synthetic.write_corpus(s.corpus_dir, arts)
            if not IndexLayout(s.index_dir).cache_path.exists():
                _copy_cache(master, s.index_dir)
            log(f"building (or updating) the {size:,}-sentence index …")
            reindexing.full_reindex(CaseEngine(s, embedder=embedder))
        engines[size] = CaseEngine(s, embedder=embedder)
    log(f"{len(qs)} questions, each encoded raw and then asked at every size in turn …")
    results["latency_load_average"] = sysinfo.load_average()
    latency = queries.ask_latency(engines, qs)
    results["sizes"] = []
    for size, engine in engines.items():
        entry = {"target": size, "sentences": engine.index.manifest.sentences, "ask": latency[size],
                 "ask_stages_ms": queries.ask_breakdown(engine, qs[:min(len(qs), 60)])}
        a = entry["ask"]
        log(f"  {entry['sentences']:,}: ask p50 {a['ask']['p50_ms']:.1f} ms, p95 {a['ask']['p95_ms']:.1f} ms "
            f"(raw encode p50 {a['raw_encode']['p50_ms']:.1f}, p95 {a['raw_encode']['p95_ms']:.1f}): "
            f"{a['ask']['p95_ms'] / a['raw_encode']['p95_ms']:.2f}x at p95")
        results["sizes"].append(entry)
    results["system"]["load_average_end"] = sysinfo.load_average()
    results["elapsed_s"] = time.perf_counter() - log.started
    return results


def main(argv: list[str] | None = None) -> int:
    from benchmarks import report

    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    log = Log()
    def write(results: dict) -> None:
        if args.save_json and not args.render:
            args.save_json.write_text(json.dumps(report.jsonable(results, report.verdicts(results)), indent=2,
                                                 ensure_ascii=False), encoding="utf-8")
        if args.out:
            Path(args.out).write_text(report.markdown(results, report.verdicts(results)), encoding="utf-8")
            log(f"wrote {args.out}")

    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        results.pop("goals", None)
    else:
        results = run(args, log, checkpoint=write)
    if args.ask_only:
        if args.save_json:
            args.save_json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        return 0
    verdicts = report.verdicts(results)
    write(results)
    if args.json:
        print(json.dumps(report.jsonable(results, verdicts), indent=2, ensure_ascii=False))
    else:
        print(report.table(results, verdicts))
    return 0
