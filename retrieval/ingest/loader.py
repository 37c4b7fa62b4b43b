"""Reading a corpus folder: every article file parsed, every unreadable one reported with its reason."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.ingest.errors import ArticleError
from retrieval.ingest.html import parse_html
from retrieval.ingest.markdown import parse_markdown
from retrieval.ingest.metadata import doc_id_for
from retrieval.ingest.parsed import ParsedArticle
from retrieval.ingest.plaintext import parse_plaintext
from retrieval.models import Article, SkippedFile

log = logging.getLogger(__name__)

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
IGNORED_NAMES = {"readme.md", "readme.txt", "readme"}


@dataclass
class CorpusScan:
    articles: list[Article] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.name


def parse_article_text(text: str, kind: str, path: Path) -> ParsedArticle:
    if kind == "markdown":
        return parse_markdown(text)
    if kind == "html":
        return parse_html(text, fallback_title=_title_from_name(path))
    return parse_plaintext(text, fallback_title=_title_from_name(path))


def read_article(path: Path, root: Path, *, max_bytes: int) -> Article:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 (bad byte at offset {exc.start})") from None
    if "\x00" in text:
        raise ArticleError("binary file (contains NUL bytes)")
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
    )


def _corpus_files(root: Path) -> tuple[list[Path], list[SkippedFile]]:
    """Files under root, never following a link out of it; hidden files and folders are not articles."""
    real_root = root.resolve()
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.lower() in IGNORED_NAMES:
                continue
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (RuntimeError, OSError):
                    skipped.append(SkippedFile(rel, "broken or looping link"))
                    continue
                if not target.is_relative_to(real_root):
                    skipped.append(SkippedFile(rel, "link pointing outside the corpus folder"))
                    continue
            try:
                if not path.is_file():
                    continue
            except OSError:
                skipped.append(SkippedFile(rel, "cannot read"))
                continue
            files.append(path)
    return files, skipped


def corpus_stat_fingerprint(root: Path) -> str | None:
    """A cheap fingerprint of the corpus folder (names, sizes, modification times), to notice edits since the
    last reindex without reading any article."""
    import hashlib

    if not root.is_dir():
        return None
    files, _ = _corpus_files(root)
    h = hashlib.sha256()
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(root)}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def scan_corpus(root: Path, *, max_bytes: int = 5_000_000) -> CorpusScan:
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    files, skipped = _corpus_files(root)
    scan = CorpusScan(skipped=skipped)
    seen: dict[str, str] = {}
    for path in files:
        rel = str(path.relative_to(root))
        try:
            article = read_article(path, root, max_bytes=max_bytes)
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
        if article.doc_id in seen:
            scan.skipped.append(SkippedFile(rel, f"same name as {seen[article.doc_id]}; rename one of them"))
            continue
        seen[article.doc_id] = rel
        scan.articles.append(article)
    return scan
