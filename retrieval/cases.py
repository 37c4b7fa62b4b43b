"""Several cases in one corpus folder: which cases there are, and one engine per case on one shared model.

Layout (decided by the corpus folder's top level, re-read by `refresh`):

    corpus/x-paris-probe/…      one case per sub-folder (its name is the case name; `case.yaml` may give a
    corpus/boeing-door-plug/…   display name and description); indexes in INDEX_DIR/<case>/
    corpus/article.md           any article file at the top level: the whole folder is one case, `default`,
                                indexed in INDEX_DIR itself (today's layout, so an existing index keeps working
                                as it is, nothing is moved or rebuilt)

Every case has its own engine (index in service, reindex lock); all engines share one Embedder, loaded once.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import yaml

from retrieval.config import RetrievalSettings
from retrieval.engine import CaseEngine
from retrieval.ingest.loader import IGNORED_NAMES, SUFFIXES

log = logging.getLogger(__name__)

DEFAULT_CASE = "default"
CASE_FILE = "case.yaml"
# Names an index folder already uses at its top level (the single-case layout); a case may not take them.
RESERVED = {"builds", "current"}
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class CaseProblem(ValueError):
    """A case that does not exist, or a question that needs a case and got none; the message lists the cases."""


@dataclass(frozen=True)
class CaseInfo:
    name: str  # as typed in `--case` and Discord's `case` option
    title: str  # display name (case.yaml `name`, else the folder name)
    description: str | None
    corpus_dir: Path
    index_dir: Path

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "corpus_dir": str(self.corpus_dir)}


def valid_case_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and name not in RESERVED


def _is_article(entry: Path) -> bool:
    return (entry.is_file() and not entry.name.startswith(".") and entry.name.lower() not in IGNORED_NAMES
            and entry.suffix.lower() in SUFFIXES)


def is_flat(corpus_dir: Path) -> bool:
    """Whether the corpus is one case: an article file at its top level, or no case folder at all."""
    try:
        entries = list(corpus_dir.iterdir())
    except OSError:
        return True
    if any(_is_article(e) for e in entries):
        return True
    return not any(e.is_dir() and not e.is_symlink() and valid_case_name(e.name) for e in entries)


def _case_yaml(folder: Path) -> tuple[str | None, str | None]:
    path = folder / CASE_FILE
    if not path.is_file():
        return None, None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.warning("%s ignored: %s", path, exc)
        return None, None
    if not isinstance(data, dict):
        return None, None
    name, description = data.get("name"), data.get("description")
    return (" ".join(str(name).split()) or None if name else None,
            " ".join(str(description).split()) or None if description else None)


def discover(corpus_dir: Path, index_dir: Path) -> list[CaseInfo]:
    """The cases of a corpus folder, sorted by name (see the module's docstring for the layout)."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if is_flat(corpus_dir):
        title, description = _case_yaml(corpus_dir)
        return [CaseInfo(DEFAULT_CASE, title or DEFAULT_CASE, description, corpus_dir, index_dir)]
    cases = []
    for folder in sorted(corpus_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir() or folder.is_symlink():
            continue
        if not valid_case_name(folder.name):
            log.warning("folder %s is not a case: name it with lower-case letters, digits, '.', '_' or '-'",
                        folder)
            continue
        title, description = _case_yaml(folder)
        cases.append(CaseInfo(folder.name, title or folder.name, description, folder, index_dir / folder.name))
    return cases


class CaseRegistry:
    """The cases of the configured corpus, each with its engine, sharing one embedding model.

    Thread-safe: engines are made on first use under a lock; `refresh` re-reads the corpus folder (a case
    folder created by `add`) and keeps the engines of cases that still exist.
    """

    def __init__(self, settings: RetrievalSettings, *, embedder=None,
                 engine_factory: Callable[..., CaseEngine] = CaseEngine):
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.RLock()
        self._engines: dict[str, CaseEngine] = {}
        self._edit_locks: dict[str, threading.Lock] = {}
        self._factory = engine_factory
        self._cases: dict[str, CaseInfo] = {}
        self.refresh()

    @classmethod
    def single(cls, engine: CaseEngine) -> "CaseRegistry":
        """A registry of one case, `default`, served by an engine made elsewhere (tests, embedding callers)."""
        registry = cls.__new__(cls)
        registry.settings = engine.settings
        registry._embedder = None
        registry._lock = threading.RLock()
        registry._engines = {DEFAULT_CASE: engine}
        registry._edit_locks = {}
        registry._factory = None
        settings = engine.settings
        title, description = _case_yaml(Path(settings.corpus_dir))
        registry._cases = {DEFAULT_CASE: CaseInfo(DEFAULT_CASE, title or DEFAULT_CASE, description,
                                                  Path(settings.corpus_dir), Path(settings.index_dir))}
        return registry

    # -- the shared model ------------------------------------------------------------------------------------
    @property
    def embedder(self):
        """The one model every case's engine uses, loaded on first use (as CaseEngine.embedder)."""
        with self._lock:
            if self._embedder is None:
                from retrieval.embeddings import Embedder

                s = self.settings
                self._embedder = Embedder(s.model, batch_size=s.batch_size, threads=s.threads)
            return self._embedder

    # -- cases -----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._factory is None:  # a single engine handed in: its one case is all there is
            return
        with self._lock:
            self._cases = {c.name: c for c in discover(self.settings.corpus_dir, self.settings.index_dir)}
            for name in list(self._engines):
                if name not in self._cases or self._engines[name].settings.corpus_dir != self._cases[name].corpus_dir:
                    del self._engines[name]

    @property
    def cases(self) -> list[CaseInfo]:
        return list(self._cases.values())

    def names(self) -> list[str]:
        return list(self._cases)

    def info(self, name: str) -> CaseInfo:
        try:
            return self._cases[name]
        except KeyError:
            raise CaseProblem(f"there is no case named {name!r}; {self.listing()}") from None

    def listing(self) -> str:
        names = self.names()
        return ("the cases are: " + ", ".join(names)) if names else "there are no cases yet"

    def engine(self, name: str) -> CaseEngine:
        info = self.info(name)
        with self._lock:
            engine = self._engines.get(name)
            if engine is None:
                settings = self.settings.model_copy(update={"corpus_dir": info.corpus_dir,
                                                            "index_dir": info.index_dir})
                engine = self._factory(settings, embedder_factory=lambda: self.embedder)
                self._engines[name] = engine
            return engine

    def resolve(self, name: str | None, default: str | None = None) -> tuple[str, CaseEngine]:
        """The case named, else `default` (a channel's), else the only case; CaseProblem when it takes a choice."""
        if name:
            return name, self.engine(name)
        if default and default in self._cases:  # a channel default whose case folder is gone is passed over
            return default, self.engine(default)
        names = self.names()
        if len(names) == 1:
            return names[0], self.engine(names[0])
        raise CaseProblem(f"which case? {self.listing()}")

    def engines(self) -> Iterator[tuple[str, CaseEngine]]:
        for name in self.names():
            yield name, self.engine(name)

    def edit_lock(self, name: str) -> threading.Lock:
        """Held across one admin change of a case (write, then reindex), so changes queue instead of colliding."""
        with self._lock:
            return self._edit_locks.setdefault(name, threading.Lock())

    def load(self, *, build_if_needed: bool = False, progress=None):
        """Open every case's index (building those missing when allowed) and load the model once.

        With several cases, one that cannot be indexed yet (an empty new case folder) is logged and left for a
        later `add` or reindex; the error is raised only when no case at all can be served."""
        from retrieval.indexer import NoArticles
        from retrieval.manifest import IndexProblem

        summaries, problems = {}, []
        for name, engine in self.engines():
            try:
                options = {"progress": progress} if progress is not None else {}
                summaries[name] = engine.load(build_if_needed=build_if_needed, **options)
            except (NoArticles, FileNotFoundError, IndexProblem) as exc:
                if len(self._cases) == 1:
                    raise
                log.warning("case %s is not served yet: %s", name, exc)
                problems.append(exc)
        if problems and not summaries:
            raise problems[0]
        return summaries

    def new_case_dir(self, name: str) -> Path:
        """The folder for a new case; refused in a flat corpus (its top-level articles are the `default` case)."""
        if not valid_case_name(name):
            raise CaseProblem(f"{name!r} is not a case name: use lower-case letters, digits, '.', '_' or '-'")
        corpus = Path(self.settings.corpus_dir)
        if self._factory is None or (is_flat(corpus) and any(_is_article(e) for e in corpus.iterdir())):
            raise CaseProblem(f"the corpus folder holds articles at its top level, so it is one case "
                              f"({DEFAULT_CASE}); move them into a case folder to have several cases")
        folder = corpus / name
        folder.mkdir(parents=True, exist_ok=True)
        self.refresh()
        return folder


def case_status(info: CaseInfo) -> dict:
    """What `cases` lists: the case, and its index in service as its manifest says (no index is opened)."""
    from retrieval.layout import IndexLayout
    from retrieval.manifest import read_manifest

    row = {**info.to_json(), "indexed": False, "articles": 0, "sentences": 0, "last_reindex": None}
    current = IndexLayout(info.index_dir).current()
    if current is not None:
        try:
            manifest = read_manifest(current)
        except Exception:  # noqa: BLE001 - an unreadable index is listed as not indexed
            return row
        row.update(indexed=True, articles=manifest.documents, sentences=manifest.sentences,
                   last_reindex=manifest.created)
    return row
