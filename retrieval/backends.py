"""Which index serves questions: `local` (FAISS + BM25 arrays + SQLite in CASEBOT_INDEX_DIR, the default) or
`milvus` (retrieval/milvus_index.py), chosen by CASEBOT_INDEX_BACKEND.

Both are read through the same shape (CaseIndex: `manifest`, `store`, `vectors`, `lexical`), so ranking,
abstention, timeline and Discord do not know which one answers. A reindex always runs the local pipeline (it
keeps the embedding cache and the plan of what changed); with `milvus` its result is then published there.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

from retrieval.case_index import CaseIndex, open_current
from retrieval.config import RetrievalSettings
from retrieval.milvus_index import MilvusCaseIndex

AnyIndex = Union[CaseIndex, MilvusCaseIndex]


def _client(settings: RetrievalSettings):
    from retrieval.milvus_index import shared_client

    token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
    return shared_client(settings.milvus_uri, token)


def case_settings(settings: RetrievalSettings, info) -> RetrievalSettings:
    """One case's settings (retrieval/cases.py CaseInfo `info`): its corpus and index folders, and with Milvus its
    own alias, `<collection>_<case>`, for a case in a sub-folder (a flat corpus keeps the alias as set)."""
    update = {"corpus_dir": info.corpus_dir, "index_dir": info.index_dir}
    if Path(info.index_dir) != Path(settings.index_dir):
        update["milvus_collection"] = case_alias(settings.milvus_collection, info.name)
    return settings.model_copy(update=update)


def case_alias(base: str, case: str) -> str:
    """A Milvus name for a case: letters, digits and `_` only; a hash keeps two names that clean alike apart."""
    import hashlib
    import re

    clean = re.sub(r"[^0-9A-Za-z_]", "_", case)[:80]
    if clean != case:
        clean += "_" + hashlib.blake2b(case.encode("utf-8"), digest_size=4).hexdigest()
    return f"{base}_{clean}"


def open_index(settings: RetrievalSettings) -> AnyIndex:
    """The index in service. Raises IndexProblem when there is none or it cannot be used."""
    if settings.index_backend == "milvus":
        return MilvusCaseIndex.open(_client(settings), settings.milvus_collection, model=settings.model)
    return open_current(settings.index_dir, model=settings.model)


def publish(settings: RetrievalSettings, build: Path) -> MilvusCaseIndex:
    """Put the local build `build` in service in Milvus (nothing is written when it already is) and open it."""
    from retrieval.milvus_index import publish as publish_build

    client = _client(settings)
    # raises on failure: the alias has not moved
    _, stats = publish_build(client, settings.milvus_collection, build)
    index = MilvusCaseIndex.open(client, settings.milvus_collection, model=settings.model)
    index.last_publish = stats
    return index


def is_stale(index: AnyIndex) -> bool:
    """Whether another process moved the index in service since `index` was opened (Milvus only: a local
    build is swapped by this process's own reindex)."""
    return isinstance(index, MilvusCaseIndex) and index.stale()
