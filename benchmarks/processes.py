"""Measurements that need a fresh process: cold start (start to first answer printed) and peak RSS.

A child spawned straight from the benchmark would report the benchmark's own peak RSS: at exec, Linux keeps
the high-water mark of the memory the child was forked from. So every child is started by a tiny launcher
(Python without site, ~10 MB), which reports its child's ru_maxrss. The launcher's start-up (a few tens of
milliseconds) is the same on both sides of every comparison.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# The floor for a cold start: what any program using the model must do before its first answer.
BARE_SCRIPT = """
import sys
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
vec = model.encode([sys.argv[2]], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
print(vec.shape[1], flush=True)
"""


LAUNCHER = """
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
"""


@dataclass
class ChildRun:
    first_output_s: float  # start to the first line on stdout
    total_s: float  # start to exit
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def child_env(corpus_dir: Path | None = None, index_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    if corpus_dir is not None:
        env["CASEBOT_CORPUS_DIR"] = str(corpus_dir)
    if index_dir is not None:
        env["CASEBOT_INDEX_DIR"] = str(index_dir)
    return env


def casebot_command() -> list[str]:
    script = Path(sys.executable).parent / "casebot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def run_child(cmd: list[str], env: dict[str, str], cwd: Path, stdin_text: str | None = None,
              timeout: float = 600) -> ChildRun:
    rss_file = tempfile.NamedTemporaryFile(prefix="casebot-bench-rss-", delete=False)
    rss_file.close()
    cmd = [sys.executable, "-S", "-c", LAUNCHER, rss_file.name, *cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.PIPE if stdin_text is not None else
                            subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin_text is not None:
        proc.stdin.write(stdin_text.encode("utf-8"))
        proc.stdin.close()
    first = None
    out, err = bytearray(), bytearray()
    streams = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
    deadline = started + timeout
    while streams:
        ready, _, _ = select.select(list(streams), [], [], max(deadline - time.perf_counter(), 0))
        if not ready:
            proc.kill()
            raise TimeoutError(f"{cmd[0]} did not finish in {timeout:.0f}s")
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                del streams[fd]
                continue
            streams[fd].extend(chunk)
            if fd == proc.stdout.fileno() and first is None and b"\n" in chunk:
                first = time.perf_counter() - started
    proc.wait()
    total = time.perf_counter() - started
    proc.stdout.close()
    proc.stderr.close()
    try:
        peak_kb = int(Path(rss_file.name).read_text() or 0)
    finally:
        os.unlink(rss_file.name)
    return ChildRun(first if first is not None else total, total, peak_kb / 1024, proc.returncode,
                    out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def bare_script(model_path: str, cwd: Path) -> ChildRun:
    return run_child([sys.executable, "-c", BARE_SCRIPT, model_path, "When must the chief executive appear?"],
                     child_env(), cwd)


def casebot_ask(corpus_dir: Path, index_dir: Path, cwd: Path, question: str) -> ChildRun:
    return run_child(casebot_command() + ["ask", question], child_env(corpus_dir, index_dir), cwd)


def casebot_ask_many(corpus_dir: Path, index_dir: Path, cwd: Path, questions: list[str]) -> ChildRun:
    """A serving process: index and model loaded once, every question answered (peak RSS of serving)."""
    return run_child(casebot_command() + ["ask", "-", "--json"], child_env(corpus_dir, index_dir), cwd,
                     stdin_text="\n".join(questions) + "\n")


def casebot_reindex(corpus_dir: Path, index_dir: Path, cwd: Path) -> ChildRun:
    return run_child(casebot_command() + ["reindex", "--json"], child_env(corpus_dir, index_dir), cwd)
