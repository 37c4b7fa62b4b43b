"""What a build is: the model, the corpus it came from, the format, and a checksum of every file.

Checksums are xxh3-128: they catch damaged or truncated files, which is their only job (nobody forges an
index file to fool its owner), and at ~3 GB/s they cost a 100,000-sentence build under a tenth of a second
each time it is opened or extended, where sha256 cost a third.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import xxhash
from pydantic import BaseModel, ValidationError

FORMAT_VERSION = 6  # 4: the timeline branch's store change; 5: documents.modified; 6: document_words
MANIFEST_NAME = "manifest.json"


class IndexProblem(RuntimeError):
    """The index cannot be used as it is; the message says why and what to do."""


class Manifest(BaseModel):
    format_version: int
    model: str
    dim: int
    corpus_fingerprint: str
    documents: int
    sentences: int  # in service
    # Rows of the vector and BM25 indexes. Sentence ids are never reused: an article removed or edited since
    # the last full build leaves rows no sentence owns (rows - sentences of them), which search skips.
    rows: int
    vector_index: str
    pipeline: str = ""  # the splitting and tagging rules the stored sentences were made with
    created: str
    files: dict[str, str]  # relative path -> xxh3-128 of the build's own files
    corpus_files: str | None = None  # stat fingerprint of the corpus folder when it was read
    # doc_id -> (path, size, mtime_ns, xxh3 of the bytes) of each article's file, so the next reindex reads
    # only files that changed.
    corpus_states: dict[str, tuple[str, int, int, str]] = {}


def file_digest(path: Path, h=None) -> str:
    """Hex digest of a file's bytes, read in blocks: xxh3-128 by default, or the hashlib-style hasher `h`."""
    h = h if h is not None else xxhash.xxh3_128()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def checksum_files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): file_digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


def write_manifest(folder: Path, manifest: Manifest) -> None:
    tmp = folder / f".{MANIFEST_NAME}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(manifest.model_dump_json(indent=2))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / MANIFEST_NAME)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise IndexProblem(f"the index at {folder} has no manifest; run `casebot reindex` to rebuild it")
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError):
        raise IndexProblem(f"the index manifest at {path} is damaged; run `casebot reindex` to rebuild it") from None


def verify(folder: Path, manifest: Manifest, *, model: str) -> None:
    if manifest.format_version != FORMAT_VERSION:
        raise IndexProblem(
            f"the index was built by another casebot version (format {manifest.format_version}, "
            f"this one reads {FORMAT_VERSION}); run `casebot reindex`"
        )
    if manifest.model != model:
        raise IndexProblem(
            f"the index was built with the model {manifest.model!r} but casebot is set to {model!r}; "
            "run `casebot reindex` to rebuild it with the configured model"
        )
    for rel, digest in manifest.files.items():
        path = folder / rel
        if not path.is_file():
            raise IndexProblem(f"index file {rel} is missing; run `casebot reindex` to rebuild the index")
        if file_digest(path) != digest:
            raise IndexProblem(f"index file {rel} is damaged (checksum mismatch); run `casebot reindex` to rebuild")


def fingerprint(parts: list[str]) -> str:
    h = hashlib.sha256()
    for part in sorted(parts):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
