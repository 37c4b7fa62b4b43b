"""A tqdm progress bar for reindex on a terminal; silence elsewhere (pipes, CI logs)."""
from __future__ import annotations

import sys

from tqdm import tqdm

_LABELS = {"split": "reading articles", "embed": "embedding sentences", "write": "writing index"}


class TerminalProgress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._bar: tqdm | None = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=_LABELS.get(stage, stage), file=self.stream, leave=False,
                             unit="" if stage == "write" else " it")
        if self._bar is not None:
            self._bar.total = total
            self._bar.n = done
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
