"""Where builds live and how a new one replaces the old atomically.

    INDEX_DIR/embeddings.sqlite   cache shared by builds
    INDEX_DIR/builds/<id>/        one complete build (store, vectors, bm25, manifest)
    INDEX_DIR/current             symlink to the build in service

A build is written beside the current one and published by renaming a new symlink over `current`, which
is atomic on POSIX: readers see the old build or the new one, never half of either. An interrupted build
leaves only a stray folder, removed by the next reindex.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

CURRENT = "current"
BUILDS = "builds"
KEEP_BUILDS = 2  # the one in service and the one before, which a running bot may still be reading


class IndexLayout:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def cache_path(self) -> Path:
        return self.root / "embeddings.sqlite"

    def current(self) -> Path | None:
        link = self.root / CURRENT
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def new_build_dir(self) -> Path:
        builds = self.root / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        # Names sort by creation time, which is what pruning keeps by.
        path = builds / f"{time.time_ns():020d}-{os.getpid()}.partial"
        path.mkdir()
        return path

    def publish(self, build: Path) -> Path:
        for path in build.rglob("*"):
            if path.is_file():
                _fsync_file(path)
        final = build.with_suffix("") if build.suffix == ".partial" else build
        os.rename(build, final)
        _fsync_dir(final.parent)
        tmp_link = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        tmp_link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(final, self.root), tmp_link)
        os.replace(tmp_link, self.root / CURRENT)
        _fsync_dir(self.root)
        return final

    def prune(self) -> None:
        """Remove unfinished builds and all but the newest finished ones, never the one in service."""
        builds = self.root / BUILDS
        if not builds.is_dir():
            return
        current = self.current()
        finished = sorted((p for p in builds.iterdir() if p.is_dir() and p.suffix != ".partial"), reverse=True)
        keep = set(finished[:KEEP_BUILDS]) | ({current} if current else set())
        for path in builds.iterdir():
            stale_partial = path.suffix == ".partial" and not _recent(path)
            if (path.is_dir() and path not in keep and path.suffix != ".partial") or stale_partial:
                shutil.rmtree(path, ignore_errors=True)


def _recent(path: Path, seconds: float = 6 * 3600) -> bool:
    """A partial build younger than this may belong to a reindex still running in another process."""
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
