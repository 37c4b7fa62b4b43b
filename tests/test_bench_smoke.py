"""The benchmark itself must not rot: a tiny `casebot bench --quick` runs end to end and reports its figures.

Nothing here is about time: the figures only have to be there.
"""
import json

import pytest

from benchmarks.cli import main as bench_main
from benchmarks.synthetic import articles_for, questions


def test_synthetic_corpus_is_deterministic_and_nested():
    small, large = articles_for(3, 200), articles_for(3, 600)
    assert small == large[:len(small)] and small == articles_for(3, 200)
    assert sum(a.sentence_count for a in small) >= 200
    text = small[0].markdown()
    assert text.startswith("---\ntitle: ") and "\npublished: '" in text and "\nsource: " in text
    qs = questions(3, count=40, off_topic=4)
    assert len(qs) == len(set(qs)) == 40


@pytest.mark.slow
def test_quick_bench_runs_and_writes_its_figures(tmp_path, capsys):
    out = tmp_path / "BENCH.md"
    code = bench_main(["--sizes", "150", "--quick", "--json", "--out", str(out), "--workdir", str(tmp_path / "w")])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    size = printed["sizes"][0]
    assert size["sentences"] >= 150 and size["ask"]["questions"] >= 12
    for key in ("p50_ms", "p95_ms"):
        assert size["ask"]["ask"][key] > 0 and size["ask"]["raw_encode"][key] > 0
    assert printed["full_reindex"]["casebot"]["sentences_per_s"] > 0
    assert printed["incremental"]["only_new_text_embedded"]
    assert printed["cold_start"]["casebot_s"] > 0 and printed["memory"]["casebot_mb"] > 0
    assert printed["ann"]["hnsw"]["recall_at_10"] >= 0 and printed["goals"]
    assert printed["settings"]["device"] in ("cpu", "cuda", "mps")
    # The soft support of a question's candidate sentences and checked articles (the gap) is one call; each
    # article's words are read as the reindex wrote them (one read a question at most), never made from its
    # sentences.
    stages = size["ask_stages_ms"]
    assert stages["  soft word support (sentences + articles)"]["calls"] == pytest.approx(1.0)
    assert stages["  article word ids (kept per build)"]["calls"] == pytest.approx(1.0)
    assert stages.get("    article words (SQLite, as the reindex wrote them)", {"calls": 0})["calls"] <= 1.0
    assert "    article words made from its sentences (a backend without them)" not in stages
    # A question's candidate features and its checked articles' gaps are one call each, not one a candidate.
    assert stages["  candidate features (all candidates at once)"]["calls"] == pytest.approx(1.0)
    assert stages["  gap (question words unsupported; all checked articles at once)"]["calls"] == pytest.approx(1.0)
    # Both index backends, side by side in the same run; Milvus wrote only the new article's rows.
    both = printed["backends"]["sizes"][0]["backends"]
    assert set(both) == {"local", "milvus"} and all(b["ask_ms"]["p50"] > 0 for b in both.values())
    added = both["milvus"]
    assert added["one_article_rows_inserted"] == added["one_article_sentences"] and not added["one_article_rewritten"]
    # What a question asked of Milvus: two searches, reads by key, next to no filtered scans.
    reads = added["reads_per_question"]
    assert reads["searches (dense, BM25)"]["calls"] == 2 and reads["reads by primary key"]["calls"] >= 3
    assert reads.get("reads by filter", {"calls": 0})["calls"] <= 1
    report = out.read_text(encoding="utf-8")
    assert "## Index backends side by side" in report and "| milvus |" in report
    assert "# casebot benchmarks" in report and "## Goals" in report and "sentences/s" in report
    assert f"embedding device: {printed['settings']['device']}" in report
