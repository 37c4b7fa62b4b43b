"""End to end through the installed CLI, scored like the shared evaluation: tests/eval holds the public questions,
the timeline gold and the scorer."""
import json
import subprocess
import sys

from .conftest import EVAL, ROOT


def test_public_questions_and_timeline_through_the_cli():
    r = subprocess.run([sys.executable, str(EVAL / "score.py"), str(ROOT), "--json"], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    print("eval:", res)
    assert res["hit1"] >= 0.9
    assert res["hit3"] == 1.0
    assert res["abstain"] == 1.0
    assert res["verbatim"] == 1.0
    assert res["timeline_recall"] == 1.0 and res["timeline_sorted"] is True


def test_extended_set_other_outlets_formats_and_cases():
    """Our own harder set: an HTML page, a story syndicated by two outlets, a later article, and another case."""
    r = subprocess.run([sys.executable, str(EVAL / "score.py"), str(ROOT), str(EVAL / "questions.jsonl"), "--json",
                        "--timeline", str(EVAL / "timeline.jsonl"), "--extra", str(EVAL / "extra")],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    base = json.loads(r.stdout.strip().splitlines()[-1])
    r = subprocess.run([sys.executable, str(EVAL / "score.py"), str(ROOT), str(EVAL / "questions-extra.jsonl"),
                        "--json", "--extra", str(EVAL / "extra")], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    extra = json.loads(r.stdout.strip().splitlines()[-1])
    print("eval public questions on the mixed corpus:", base)
    print("eval extended questions:", extra)
    # Measured with the fitted ranking (issue 11): mixed corpus 0.93 / 1.00; extended 0.93 / 1.00, abstain 1.00.
    assert base["hit1"] >= 0.85 and base["hit3"] >= 0.9 and base["abstain"] == 1.0
    assert base["timeline_recall"] == 1.0 and base["timeline_sorted"]
    assert extra["hit1"] >= 0.85 and extra["hit3"] == 1.0 and extra["abstain"] == 1.0
    assert base["verbatim"] == 1.0 and extra["verbatim"] == 1.0


def test_dev_held_out_questions_never_tuned_on():
    """The dev set's held-out cases (Meta's GDPR fine, the Post Office Horizon scandal): the fit never sees them.

    Floors sit just under what the fitted ranking measured (python -m retrieval.fit_ranking prints the same figures):
    hit@1 0.65, hit@3 0.75, near-miss abstention 0.30, off-topic abstention 1.00. Issue 11 asks for 0.80 / 0.90 /
    0.60 / 1.00: near-miss abstention and the ranking are the gap."""
    dev = EVAL / "dev"
    r = subprocess.run([sys.executable, str(EVAL / "score.py"), str(ROOT), str(dev / "questions-heldout.jsonl"), "--json",
                        "--extra", str(dev / "corpus")], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    print("eval dev held-out:", res)
    assert res["verbatim"] == 1.0
    assert res["abstain_offtopic"] == 1.0
    assert res["abstain_nearmiss"] >= 0.1
    assert res["hit1"] >= 0.55 and res["hit3"] >= 0.7
