"""Adding an article to a case (from a fetched page or an uploaded file) and removing one, then reindexing.

Both go through the case's edit lock, so several changes to one case queue (write, reindex, next) instead of
colliding. An added article is written as canonical Markdown by the importer's rules (`casebot import`); one
whose canonical URL is already in the case replaces that article's file (an update, never a duplicate). A
removed article's file is moved to the case folder's `.removed/` (hidden folders are not corpus), not deleted.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from urllib.parse import urlsplit, urlunsplit

from retrieval.cases import CaseProblem, CaseRegistry
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.loader import SUFFIXES
from retrieval.ingest.metadata import doc_id_for
from retrieval.ingest.parsed import ParsedArticle
from retrieval.manifest import IndexProblem
from retrieval.models import ReindexSummary

log = logging.getLogger(__name__)

REMOVED_DIR = ".removed"
_SLUG = re.compile(r"[^a-z0-9]+")
# Google's documented paywall markup (schema.org), as JSON-LD or microdata.
_PAYWALLED = re.compile(r"""["']?isAccessibleForFree["']?\s*(?::\s*["']?|[^>]*?content=["'])false""", re.I)
_SENTENCE_END = re.compile(r"""\w[^\s]*[.!?…]["'”’)]*(\s|$)""")


class EditProblem(ValueError):
    """The change cannot be made as asked (bad file, no article text, unknown article); nothing was changed."""


@dataclass(frozen=True)
class AddResult:
    case: str
    doc_id: str
    file: str  # relative to the case folder
    updated: bool  # True: an article with the same canonical URL was replaced
    title: str
    source: str
    url: str | None
    published: str | None
    sentences: int
    first_sentence: str | None
    summary: ReindexSummary = field(repr=False)

    def to_json(self) -> dict:
        return {"case": self.case, "doc_id": self.doc_id, "file": self.file, "updated": self.updated,
                "title": self.title, "source": self.source, "url": self.url, "published": self.published,
                "sentences": self.sentences, "first_sentence": self.first_sentence,
                "reindex": self.summary.to_json()}


@dataclass(frozen=True)
class RemoveResult:
    case: str
    doc_id: str
    title: str
    moved_to: str  # relative to the case folder
    summary: ReindexSummary = field(repr=False)

    def to_json(self) -> dict:
        return {"case": self.case, "doc_id": self.doc_id, "title": self.title, "moved_to": self.moved_to,
                "reindex": self.summary.to_json()}


# -- reading what was given ------------------------------------------------------------------------------------
def article_from_page(page) -> ParsedArticle:
    """A fetched page (retrieval.ingest.fetch.FetchedPage) as an article; the page's canonical URL, else the
    address it was fetched from. EditProblem when no article text comes out (a paywall, a non-article page)."""
    from retrieval.ingest.html import parse_html
    from retrieval.ingest.metadata import clean_url, outlet_from_url
    from retrieval.ingest.plaintext import parse_plaintext

    if page.kind == "html" and _PAYWALLED.search(page.text):
        raise EditProblem("the page is marked as paywalled (schema.org isAccessibleForFree: false), so only a "
                          "teaser could be taken from it; nothing was added. Save the full article and add it "
                          "as a file instead")
    fallback = urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").strip().capitalize()
    try:
        if page.kind == "html":
            article = parse_html(page.text, fallback_title=fallback or "Untitled article")
        else:
            article = parse_plaintext(page.text, fallback_title=fallback or "Untitled article")
    except ArticleError as exc:
        raise EditProblem(f"no article text could be taken from the page ({exc}): a paywall, or not an article "
                          "page; nothing was added") from None
    if not any(_SENTENCE_END.search(p) for p in article.paragraphs):
        # Menus and buttons ("Home", "Subscribe") are what is left of a page without its article.
        raise EditProblem("no article text could be taken from the page (not one sentence: a paywall, or not "
                          "an article page); nothing was added")
    if article.url is None:
        article.url = clean_url(page.url)
    if article.source in (None, "", "Unknown outlet"):
        article.source = outlet_from_url(article.url) or "Unknown outlet"
    return article


def article_from_file(name: str, data: bytes, *, title: str | None = None, source: str | None = None,
                      url: str | None = None, published: str | None = None, author: str | None = None,
                      max_bytes: int = 5_000_000) -> ParsedArticle:
    """An uploaded file (.md, .html, .txt) read by `casebot import`'s rules; options fill what the file lacks
    (and win over it). The name only gives the type and a fallback title: it is never used as a path."""
    from retrieval.ingest.importer import import_article
    from retrieval.ingest.markdown import parse_markdown

    base = PurePath(name.replace("\\", "/")).name
    suffix = PurePath(base).suffix.lower()
    if SUFFIXES.get(suffix) is None:
        raise EditProblem(f"unsupported file type '{suffix or base}' (use .md, .html or .txt)")
    if len(data) > max_bytes:
        raise EditProblem(f"file too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "-", PurePath(base).stem).strip(" .-")[:100] or "article"
    with tempfile.TemporaryDirectory(prefix="casebot-add-") as tmp:
        src = Path(tmp) / "in" / f"{stem}{suffix}"
        src.parent.mkdir()
        src.write_bytes(data)
        try:
            written = import_article(src, Path(tmp) / "out", title=title, source=source, url=url,
                                     published=published, author=author, max_bytes=max_bytes)
            return parse_markdown(written.read_text(encoding="utf-8"))
        except ArticleError as exc:
            raise EditProblem(f"{base}: {exc}") from None


# -- writing ---------------------------------------------------------------------------------------------------
def url_key(url: str | None) -> str | None:
    """The same page however its address is written: scheme and host lower-cased, no fragment, no final '/'."""
    if not url:
        return None
    try:
        p = urlsplit(url.strip())
    except ValueError:
        return None
    host = (p.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return urlunsplit(("https" if p.scheme in ("http", "https") else p.scheme, host, p.path.rstrip("/"),
                       p.query, ""))


def _file_stem(article: ParsedArticle) -> str:
    parts = [article.published.isoformat() if article.published else "",
             _SLUG.sub("-", (article.source or "").lower()).strip("-")[:30],
             _SLUG.sub("-", article.title.lower()).strip("-")[:70]]
    return "-".join(p for p in parts if p) or "article"


def _indexed(engine) -> dict:
    try:
        return dict(engine.index.store.documents)
    except IndexProblem:
        return {}


def _write_atomic(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".adding-", suffix=".tmp", dir=target.parent)  # hidden: not corpus
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _target_for(case_dir: Path, article: ParsedArticle, documents: dict) -> tuple[Path, bytes | None]:
    """Where the article goes: the file of the indexed article with the same canonical URL (its old bytes are
    returned to undo with), else a new file name in the case folder."""
    from retrieval.ingest.importer import safe_file_name

    key = url_key(article.url)
    if key:
        for doc in documents.values():
            if doc.path and url_key(doc.url) == key:
                target = case_dir / doc.path
                if target.is_file() and not target.is_symlink():
                    return target, target.read_bytes()
    stem = safe_file_name(_file_stem(article))[:-3]
    target = case_dir / f"{stem}.md"
    n = 2
    while target.exists() or target.is_symlink():
        target = case_dir / f"{stem}-{n}.md"
        n += 1
    return target, None


def add_article(registry: CaseRegistry, case: str, article: ParsedArticle) -> AddResult:
    """Write the article into the case and reindex it (queued behind other changes to the case).

    Raises CaseProblem (no such case), EditProblem (the written file does not read back; undone), and the
    reindex's own errors (NoArticles, OSError); behind a reindex of the case in another process it queues."""
    from retrieval.ingest.importer import render_markdown

    registry.info(case)
    with registry.edit_lock(case):
        engine = registry.engine(case)
        case_dir = Path(engine.settings.corpus_dir)
        case_dir.mkdir(parents=True, exist_ok=True)
        target, before = _target_for(case_dir, article, _indexed(engine))
        set_aside, original = None, target
        if before is not None and target.suffix.lower() != ".md":
            # The article being updated came as .html or .txt: its new version is Markdown under the same name
            # (so the same article id), and the old file is set aside like a removed one.
            set_aside, target = _move_to_removed(case_dir, original), original.with_suffix(".md")
        _write_atomic(target, render_markdown(article))
        doc_id = doc_id_for(target, case_dir)
        rel = target.relative_to(case_dir).as_posix()

        def undo() -> None:
            _undo(target, None if set_aside is not None else before)
            if set_aside is not None:
                os.replace(set_aside, original)

        try:
            summary = engine.reindex(wait=True)
        except BaseException:
            undo()
            raise
        skipped = [s for s in summary.skipped if s.path == rel]
        if skipped:
            undo()
            engine.reindex(wait=True)
            raise EditProblem(f"the article could not be indexed ({skipped[0].reason}); nothing was added")
        store = engine.index.store
        count = store.id_ranges().get(doc_id, (0, 0))[1]
        first = store.paragraph_sentences(doc_id, 1)
        updated = before is not None or set_aside is not None
        log.info("added %s to case %s (%s, %d sentences)", rel, case, "updated" if updated else "new", count)
        return AddResult(case, doc_id, rel, updated, article.title, article.source, article.url,
                         article.published.isoformat() if article.published else None, count,
                         first[0].text if first else None, summary)


def _move_to_removed(case_dir: Path, source: Path) -> Path:
    """Move a corpus file to the case's `.removed/` (same relative path; a time stamp if taken); returns where."""
    dest = case_dir / REMOVED_DIR / source.relative_to(case_dir)
    if dest.exists():
        dest = dest.with_name(f"{dest.stem}.{time.strftime('%Y%m%d-%H%M%S')}{dest.suffix}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, dest)
    return dest


def _undo(target: Path, before: bytes | None) -> None:
    if before is None:
        target.unlink(missing_ok=True)
    else:
        _write_atomic(target, before.decode("utf-8"))


def remove_article(registry: CaseRegistry, case: str, doc_id: str) -> RemoveResult:
    """Move the article's file to the case's `.removed/` folder and reindex. EditProblem for an article that
    is not in the case's index, or the case's only article (a case cannot be emptied)."""
    registry.info(case)
    with registry.edit_lock(case):
        engine = registry.engine(case)
        case_dir = Path(engine.settings.corpus_dir)
        documents = _indexed(engine)
        doc = documents.get(doc_id.strip())
        if doc is None or not doc.path:
            raise EditProblem(f"there is no article {doc_id!r} in case {case} (see `sources`)")
        if len(documents) == 1:
            raise EditProblem(f"{doc_id} is the only article of case {case}; a case cannot be left empty")
        source = case_dir / doc.path
        if not source.exists() and not source.is_symlink():
            raise EditProblem(f"the file of {doc_id} ({doc.path}) is no longer in the corpus; run reindex")
        dest = _move_to_removed(case_dir, source)
        try:
            summary = engine.reindex(wait=True)
        except BaseException:
            os.replace(dest, source)
            raise
        log.info("removed %s from case %s (moved to %s)", doc_id, case, dest)
        return RemoveResult(case, doc_id, doc.title, dest.relative_to(case_dir).as_posix(), summary)


__all__ = ["AddResult", "RemoveResult", "EditProblem", "CaseProblem", "add_article", "remove_article",
           "article_from_file", "article_from_page", "url_key"]


def apply_overrides(article: ParsedArticle, *, title: str | None = None, source: str | None = None,
                    url: str | None = None, published: str | None = None) -> ParsedArticle:
    """What an editor typed wins over what the page says (the same rule as `casebot import`)."""
    from dataclasses import replace

    from retrieval.ingest.importer import typed_metadata

    try:
        changes = typed_metadata(title=title, source=source, url=url, published=published)
    except ArticleError as exc:
        raise EditProblem(str(exc)) from None
    return replace(article, **changes)
