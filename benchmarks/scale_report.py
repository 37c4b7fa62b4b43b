"""The BENCHMARKS.md section on the embedding device and the reindex process pool (issue 15).

Rendered from the run's device and from what `benchmarks/fit_pool.py` measured (retrieval/fitted.json), so the
report says what this machine measured and nothing it did not: GPU figures appear only from a run on a GPU.
"""
from __future__ import annotations


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
