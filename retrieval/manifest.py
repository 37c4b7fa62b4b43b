"""What a build is: the model, the corpus it came from, the format, and a checksum of every file."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import BaseModel, ValidationError

FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"


class IndexProblem(RuntimeError):
    """The index cannot be used as it is; the message says why and what to do."""


class Manifest(BaseModel):
    format_version: int
    model: str
    dim: int
    corpus_fingerprint: str
    documents: int
    sentences: int
    vector_index: str
    created: str
    files: dict[str, str]  # relative path -> sha256
    corpus_files: str | None = None  # stat fingerprint of the corpus folder when it was read


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checksum_files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): file_sha256(p)
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
        if file_sha256(path) != digest:
            raise IndexProblem(f"index file {rel} is damaged (checksum mismatch); run `casebot reindex` to rebuild")


def fingerprint(parts: list[str]) -> str:
    h = hashlib.sha256()
    for part in sorted(parts):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
