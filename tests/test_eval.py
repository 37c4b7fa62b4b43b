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
    assert base["hit1"] >= 0.85 and base["hit3"] == 1.0 and base["abstain"] == 1.0
    assert base["timeline_recall"] == 1.0 and base["timeline_sorted"]
    assert extra["hit1"] >= 0.85 and extra["hit3"] == 1.0 and extra["abstain"] >= 0.8
    assert base["verbatim"] == 1.0 and extra["verbatim"] == 1.0
