"""Reading a corpus folder: every article file parsed, every unreadable one reported with its reason."""
from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import xxhash

from retrieval.ingest.decode import decode_article
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.boilerplate import strip_boilerplate
from retrieval.ingest.furniture import drop_furniture
from retrieval.ingest.html import parse_html
from retrieval.ingest.markdown import parse_markdown
from retrieval.ingest.metadata import doc_id_for, doc_id_for_rel
from retrieval.ingest.parsed import ParsedArticle
from retrieval.ingest.plaintext import parse_plaintext
from retrieval.models import Article, SkippedFile

log = logging.getLogger(__name__)

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
IGNORED_NAMES = {"readme.md", "readme.txt", "readme"}


@dataclass(frozen=True)
class FileState:
    """What an index remembers of an article's file, to know next time whether it must be read again."""

    path: str
    size: int
    mtime_ns: int
    hash: str  # of the raw bytes


@dataclass
class CorpusScan:
    articles: list[Article] = field(default_factory=list)  # read and parsed
    skipped: list[SkippedFile] = field(default_factory=list)
    unchanged: dict[str, FileState] = field(default_factory=dict)  # doc_id -> state; same bytes as `known`
    states: dict[str, FileState] = field(default_factory=dict)  # doc_id -> state of each parsed article
    stat_fingerprint: str | None = None


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.name


def parse_article_text(text: str, kind: str, path: Path, *, furniture: bool = True) -> ParsedArticle:
    """The article in a file's text. With `furniture` (always, but for fitting the furniture model itself),
    paragraphs the fitted furniture classifier recognises are left out."""
    if kind == "markdown":
        parsed = parse_markdown(text)
    elif kind == "html":
        parsed = parse_html(text, fallback_title=_title_from_name(path))
    else:
        parsed = parse_plaintext(text, fallback_title=_title_from_name(path))
    if furniture:
        parsed.paragraphs = without_furniture(parsed.paragraphs, parsed.title)
    return parsed


def without_furniture(paragraphs: list[str], title: str) -> list[str]:
    """Paragraphs left once the anchored boilerplate rules and the fitted furniture classifier have run; the
    same for every format, Markdown included."""
    return drop_furniture(strip_boilerplate(paragraphs), title)


def read_raw(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes, refused early when it cannot be an article."""
    if SUFFIXES.get(path.suffix.lower()) is None:
        raise ArticleError(f"unsupported file type '{path.suffix}' (use .md, .html or .txt)")
    size = path.stat().st_size
    if size == 0:
        raise ArticleError("empty file")
    if size > max_bytes:
        raise ArticleError(f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
    with path.open("rb") as fh:
        raw = fh.read(max_bytes + 1)  # the file may have grown since stat
    if len(raw) > max_bytes:
        raise ArticleError(f"file too large (the limit is {max_bytes:,} bytes)")
    return raw


def article_from_bytes(raw: bytes, path: Path, root: Path) -> Article:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ArticleError(f"unsupported file type '{path.suffix}' (use .md, .html or .txt)")
    text = decode_article(raw, kind=kind)
    if not text.strip():
        raise ArticleError("empty file")
    parsed = parse_article_text(text, kind, path)
    paragraphs = tuple(p for p in parsed.paragraphs if p.strip())
    if not paragraphs:
        raise ArticleError("no article text")
    return Article(
        doc_id=doc_id_for(path, root),
        title=parsed.title,
        source=parsed.source,
        url=parsed.url,
        published=parsed.published,
        author=parsed.author,
        paragraphs=paragraphs,
        path=str(path.relative_to(root)),
        modified=parsed.modified if parsed.modified != parsed.published else None,
    )


def read_article(path: Path, root: Path, *, max_bytes: int) -> Article:
    return article_from_bytes(read_raw(path, max_bytes=max_bytes), path, root)


def content_hash(raw: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(raw)


@dataclass(frozen=True)
class _Entry:
    path: Path
    rel: str  # "/"-separated, relative to the corpus root
    stat: os.stat_result


def _corpus_files(root: Path) -> tuple[list[_Entry], list[SkippedFile]]:
    """Files under root in a stable order, never following a link out of it; hidden files and folders are
    not articles. Uses scandir entries, so a corpus of thousands of files costs one stat call each."""
    real_root = root.resolve()
    files: list[_Entry] = []
    skipped: list[SkippedFile] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return  # as os.walk: an unreadable folder is passed over
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            try:
                if entry.is_dir():
                    if not entry.is_symlink():  # linked folders are not followed
                        folders.append((entry.path, rel + "/"))
                    continue
            except OSError:
                pass
            if entry.name.lower() in IGNORED_NAMES:
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (RuntimeError, OSError):
                    skipped.append(SkippedFile(rel, "broken or looping link"))
                    continue
                if not target.is_relative_to(real_root):
                    skipped.append(SkippedFile(rel, "link pointing outside the corpus folder"))
                    continue
            try:
                st = entry.stat()
            except OSError:
                skipped.append(SkippedFile(rel, "cannot read"))
                continue
            if stat.S_ISREG(st.st_mode):
                files.append(_Entry(path, rel, st))
        for sub in folders:
            walk(*sub)

    walk(str(root), "")
    return files, skipped


def stat_fingerprint(entries: Iterable[_Entry]) -> str:
    h = hashlib.sha256()
    for e in entries:
        h.update(f"{e.rel}\x00{e.stat.st_size}\x00{e.stat.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def corpus_stat_fingerprint(root: Path) -> str | None:
    """A cheap fingerprint of the corpus folder (names, sizes, modification times), to notice edits since the
    last reindex without reading any article."""
    if not root.is_dir():
        return None
    return stat_fingerprint(_corpus_files(root)[0])


def scan_corpus(root: Path, *, max_bytes: int = 5_000_000,
                known: Mapping[str, FileState] | None = None) -> CorpusScan:
    """Read every article of the folder. With `known` (the files an index was built from, by document id), a
    file whose path, size and modification time are unchanged is not read at all, and one whose bytes hash the
    same is not parsed: both are listed in `unchanged`, so a reindex of a large corpus reads only what moved."""
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    files, skipped = _corpus_files(root)
    scan = CorpusScan(skipped=skipped, stat_fingerprint=stat_fingerprint(files))
    seen: dict[str, str] = {}
    for entry in files:
        rel, st, path = entry.rel, entry.stat, entry.path
        doc_id = doc_id_for_rel(rel)
        if doc_id in seen:
            scan.skipped.append(SkippedFile(rel, f"same name as {seen[doc_id]}; rename one of them"))
            continue
        before = known.get(doc_id) if known else None
        if before is not None and before.path == rel and before.size == st.st_size \
                and before.mtime_ns == st.st_mtime_ns and 0 < st.st_size <= max_bytes:
            seen[doc_id] = rel
            scan.unchanged[doc_id] = before
            continue
        try:
            raw = read_raw(path, max_bytes=max_bytes)
            state = FileState(rel, st.st_size, st.st_mtime_ns, content_hash(raw))
            if before is not None and before.path == rel and before.hash == state.hash:
                seen[doc_id] = rel
                scan.unchanged[doc_id] = state
                continue
            article = article_from_bytes(raw, path, root)
        except ArticleError as exc:
            scan.skipped.append(SkippedFile(rel, str(exc)))
            continue
        except OSError as exc:
            scan.skipped.append(SkippedFile(rel, f"cannot read: {exc.strerror or exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the whole corpus from indexing
            log.warning("could not read %s", rel, exc_info=True)
            scan.skipped.append(SkippedFile(rel, f"unreadable ({type(exc).__name__})"))
            continue
        seen[doc_id] = rel
        scan.articles.append(article)
        scan.states[doc_id] = state
    return scan
