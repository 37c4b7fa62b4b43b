"""Settings of the retrieval core, read from CASEBOT_* environment variables or a .env file."""
from __future__ import annotations

from pathlib import Path

from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class RetrievalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEBOT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of articles, one per file (.md, .html, .txt).")
    index_dir: Path = Field(Path(".casebot-index"), description="Where the sentence store and indexes are kept.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model: one packaged on PyPI (the default all-MiniLM-L6-v2, or "
        "all-mpnet-base-v2 after `make model-mpnet`: retrieval/model_packages.py), a local model folder, or a hub "
        "name. Each model has its own fitted ranking (retrieval/fitted.json); `make fit` fits one for another.",
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Sentences per embedding batch.")
    threads: int = Field(0, ge=0, le=256, description="Torch threads; 0 = one per CPU core.")
    device: str = Field(
        "auto", description="Where the embedding model runs: auto (a GPU when torch sees one, else the CPU), cpu, "
        "cuda or mps. A GPU asked for but not seen stops casebot at start.")
    top_k: int = Field(3, ge=1, le=20, description="Answers returned by default.")
    answer_mode: Literal["balanced", "cautious"] = Field(
        "balanced", description="How sure casebot must be before it quotes: balanced answers when the corpus "
        "likely answers the question; cautious only when the first quote is likely right, so it says \"no answer\" "
        "more often and shows fewer wrong quotes. Each has a threshold fitted by `python -m retrieval.fit_ranking` "
        "(BENCHMARKS.md and the README give what each trades).")
    abstain_threshold: float = Field(
        0.0, allow_inf_nan=False,
        description="Added to the fitted threshold on the probability that the best sentence answers "
        "(retrieval/fitted.json); raise it to abstain more often.",
    )
    ann_min_vectors: int = Field(
        50_000, ge=1, description="From this many sentences on, the vector index is HNSW instead of exact search. "
        "Measured on 2 cores: exact search costs ~0.12 ms per 1,000 sentences (6 ms at 50,000, a third of "
        "encoding the question); HNSW answers in under 1 ms with recall@10 of 0.97 or better up to 1,000,000 "
        "(BENCHMARKS.md)."
    )
    max_file_bytes: int = Field(5_000_000, ge=1_000, description="Larger corpus files are skipped.")
    # Adding articles by link (retrieval/ingest/fetch.py): private addresses are refused unless allowed.
    fetch_allow_private: bool = Field(False, description="Let `add` fetch pages on loopback/private addresses.")
    fetch_timeout_seconds: float = Field(20.0, gt=0, le=300, allow_inf_nan=False,
                                         description="Time limit of one page fetch.")
    index_backend: Literal["local", "milvus"] = Field(
        "local", description="Where the index in service lives: local (FAISS, BM25 arrays and SQLite in "
        "CASEBOT_INDEX_DIR) or milvus (CASEBOT_MILVUS_URI; several bot processes can share it).")
    milvus_uri: str = Field(
        "", validate_default=True, description="With CASEBOT_INDEX_BACKEND=milvus: a file path (Milvus Lite, "
        "in-process, one process at a time) or http://host:19530 (a Milvus server or cluster).")
    milvus_token: SecretStr | None = Field(None, description="Token (or user:password) of a secured Milvus; "
                                           "never logged.")
    milvus_collection: str = Field(
        "casebot", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,120}$",
        description="Name of the Milvus alias for the index in service (letters, digits, underscores); the "
        "builds' collections are named after it.")

    @field_validator("corpus_dir", "index_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        path = Path(v).expanduser()
        if not str(v).strip():
            raise ValueError("empty: give a folder path")
        return path

    @field_validator("device")
    @classmethod
    def _device_usable(cls, v: str) -> str:
        """Checked at start so that `cuda` on a machine without one stops with this setting's name, not a torch
        error at the first question; `auto` and `cpu` never import torch here."""
        from retrieval.device import DEVICES, resolve_device

        name = str(v).strip().lower()
        if name not in DEVICES:
            raise ValueError(f"not a device: use one of {', '.join(DEVICES)}")
        if name in ("cuda", "mps"):
            resolve_device(name)
        return name

    @field_validator("index_backend", mode="before")
    @classmethod
    def _backend_lower(cls, v):
        return str(v).strip().lower() if isinstance(v, str) else v

    @field_validator("milvus_uri")
    @classmethod
    def _uri_for_milvus(cls, v: str, info: ValidationInfo) -> str:
        uri = v.strip()
        if not uri and info.data.get("index_backend") != "milvus":
            return uri
        if not uri:
            raise ValueError("required with CASEBOT_INDEX_BACKEND=milvus: a file path for Milvus Lite, or "
                             "http://host:19530")
        if "://" not in uri:
            if not uri.endswith(".db") or uri.rstrip("/") in ("", ".db"):
                # Milvus' client runs Milvus Lite only for a path ending in .db (a folder it keeps its data in).
                raise ValueError("a Milvus Lite path must end in .db (e.g. ~/casebot-data/milvus.db), or give "
                                 "http://host:19530")
            return str(Path(uri).expanduser())
        if not uri.startswith(("http://", "https://", "tcp://", "unix://")):
            raise ValueError("not a Milvus address: use http://host:19530, https://… or a file path")
        return uri

    @field_validator("milvus_token", mode="before")
    @classmethod
    def _token_one_word(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, str) and (any(ch.isspace() for ch in v.strip()) or not v.strip().isprintable()):
            # Never repeated: it is a secret.
            raise ValueError("a Milvus token has no spaces or line breaks (user:password or an API key)")
        return v.strip() if isinstance(v, str) else v

    @field_validator("model")
    @classmethod
    def _model_exists_if_a_path(cls, v: str) -> str:
        """A value written as a path (absolute, ./, ../, ~) must be a folder; a hub-style name is checked when
        the model loads (no hub is reachable from casebot by default, README: Configuration)."""
        name = v.strip()
        if not name:
            raise ValueError("empty: leave it unset for the packaged all-MiniLM-L6-v2, or name a model folder")
        if name.startswith(("/", "./", "../", "~", ".\\", "..\\")) or Path(name).is_absolute():
            if not Path(name).expanduser().is_dir():
                raise ValueError("no model folder at that path (a sentence-transformers model folder is needed)")
            return str(Path(name).expanduser())
        return name
