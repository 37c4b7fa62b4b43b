"""Timing helpers: percentiles, and per-stage timers that wrap a module's functions for the length of a block."""
from __future__ import annotations

import contextlib
import functools
import time
from collections import defaultdict
from typing import Iterator

import numpy as np


def ms(seconds: float) -> float:
    return seconds * 1000.0


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), p)) if values else float("nan")


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p95, mean and max of a list of durations, in milliseconds."""
    return {"p50_ms": ms(pct(seconds, 50)), "p95_ms": ms(pct(seconds, 95)),
            "mean_ms": ms(float(np.mean(seconds))) if seconds else float("nan"),
            "max_ms": ms(max(seconds)) if seconds else float("nan"), "n": len(seconds)}


class StageTimer:
    """Total time and calls of named functions while `active`; the functions are restored afterwards.

    Targets are (owner, attribute) pairs: a module (for a module-level name as its callers look it up) or a
    class (for a method), optionally with a third item, `when(args, kwargs) -> bool`, that counts only the calls
    it accepts (one function's calls split by caller). Nested stages are counted in both, so the totals are
    inclusive.
    """

    def __init__(self, targets: dict[str, tuple[object, str]]):
        self.targets = targets
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextlib.contextmanager
    def active(self) -> Iterator["StageTimer"]:
        saved = []
        try:
            for label, (owner, name, *when) in self.targets.items():
                original = getattr(owner, name)
                saved.append((owner, name, original))
                setattr(owner, name, self._wrap(label, original, *when))
            yield self
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def _wrap(self, label: str, fn, when=None):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if when is not None and not when(args, kwargs):
                return fn(*args, **kwargs)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed

    def report(self, per: int = 1) -> dict[str, dict[str, float]]:
        """Milliseconds per `per` operations (e.g. per question), in the order the targets were given."""
        return {label: {"ms": ms(self.seconds[label]) / max(per, 1), "calls": self.calls[label] / max(per, 1)}
                for label in self.targets if label in self.seconds}


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
