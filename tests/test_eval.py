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
