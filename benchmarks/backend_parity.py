"""Does the Milvus backend answer what the local one answers? (issue 15: the top answer must be the same on at
least 95% of the public and dev questions.)

    .venv/bin/python -m benchmarks.backend_parity [--json]

Indexes the bundled corpus plus tests/eval/extra plus tests/eval/dev/corpus once per backend (Milvus Lite in a
temporary folder), asks every question of tests/eval/questions*.jsonl and tests/eval/dev/questions-*.jsonl of
both, and counts the questions whose top answer (text, document, paragraph; or both abstaining) is the same.
Nothing is tuned on these answers: it compares two engines, it does not score them.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
SETS = {"public": [EVAL / "questions.jsonl", EVAL / "questions-extra.jsonl"],
        "dev": [EVAL / "dev" / "questions-tune.jsonl", EVAL / "dev" / "questions-heldout.jsonl"]}


def _questions(paths: list[Path]) -> list[str]:
    return [json.loads(line)["question"] for p in paths if p.exists()
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def _top(result) -> tuple | None:
    if not result.answers:
        return None
    a = result.answers[0]
    return a.text, a.citation.doc_id, a.citation.paragraph


def run() -> dict:
    from retrieval.config import RetrievalSettings
    from retrieval.embeddings import Embedder
    from retrieval.engine import CaseEngine

    work = Path(tempfile.mkdtemp(prefix="casebot-parity-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        for folder in (ROOT / "corpus", EVAL / "extra", EVAL / "dev" / "corpus"):
            for src in sorted(folder.rglob("*")):
                if src.is_file() and src.name != "README.md":
                    shutil.copy(src, corpus / src.name)
        base = RetrievalSettings(_env_file=None)
        embedder = Embedder(base.model, batch_size=base.batch_size, threads=base.threads, device=base.device)
        engines = {
            "local": CaseEngine(RetrievalSettings(_env_file=None, corpus_dir=corpus, index_dir=work / "local"),
                                embedder=embedder),
            "milvus": CaseEngine(RetrievalSettings(_env_file=None, corpus_dir=corpus, index_dir=work / "staging",
                                                   index_backend="milvus", milvus_uri=str(work / "milvus.db")),
                                 embedder=embedder),
        }
        out: dict = {"sentences": None, "sets": {}}
        for name, engine in engines.items():
            out["sentences"] = engine.reindex().sentences
        for set_name, paths in SETS.items():
            qs = _questions(paths)
            tops = {name: [] for name in engines}
            ms = {name: [] for name in engines}
            for q in qs:
                for name, engine in engines.items():
                    started = time.perf_counter()
                    tops[name].append(_top(engine.ask(q)))
                    ms[name].append((time.perf_counter() - started) * 1000)
            same = sum(a == b for a, b in zip(tops["local"], tops["milvus"]))
            out["sets"][set_name] = {
                "questions": len(qs), "same_top": same, "share": same / len(qs) if qs else 1.0,
                "differ": [{"question": q, "local": a, "milvus": b}
                           for q, a, b in zip(qs, tops["local"], tops["milvus"]) if a != b],
                "ask_p50_ms": {n: statistics.median(v) for n, v in ms.items()},
            }
        total = sum(s["questions"] for s in out["sets"].values())
        out["share"] = sum(s["same_top"] for s in out["sets"].values()) / total
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.backend_parity", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    res = run()
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        for name, s in res["sets"].items():
            print(f"{name}: top answer the same on {s['same_top']}/{s['questions']} ({s['share']:.1%}); ask p50 "
                  + ", ".join(f"{n} {v:.0f} ms" for n, v in s["ask_p50_ms"].items()))
            for d in s["differ"]:
                print(f"  differs: {d['question']}\n    local:  {d['local']}\n    milvus: {d['milvus']}")
        print(f"all: {res['share']:.1%} of questions over {res['sentences']:,} sentences")
    return 0 if res["share"] >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
