"""`casebot import`: an article as it came (.txt or .html) → a canonical Markdown file in the corpus.

Metadata given on the command line wins over what the file says; the article's sentences are written
exactly as they are, only whole boilerplate paragraphs are left out.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import yaml

from retrieval.ingest.decode import decode_article
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.loader import SUFFIXES, parse_article_text, without_furniture
from retrieval.ingest.metadata import clean_str, clean_url, parse_published
from retrieval.ingest.markdown import escape_paragraph
from retrieval.ingest.parsed import ParsedArticle

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def render_markdown(article: ParsedArticle) -> str:
    meta = {"title": article.title, "source": article.source}
    # Absent fields are left out: a written `null` would come back as the word "null".
    if article.url:
        meta["url"] = article.url
    if article.published:
        meta["published"] = article.published.isoformat()
    if article.author:
        meta["author"] = article.author
    if article.modified and article.modified != article.published:
        meta["modified"] = article.modified.isoformat()
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    # A paragraph that would read as a Markdown heading ("# 1 in 4 deepfakes …") is article text: escape it.
    body = (escape_paragraph(p) for p in article.paragraphs)
    return f"---\n{front}\n---\n\n" + "\n\n".join(body) + "\n"


def safe_file_name(name: str) -> str:
    stem = _SAFE_NAME.sub("-", Path(name).stem).strip("-.") or "article"
    if stem.lower() == "readme":  # the corpus reader ignores README files
        stem = "readme-article"
    return f"{stem[:120]}.md"


def typed_metadata(*, title: str | None = None, source: str | None = None, url: str | None = None,
                   published: str | date | None = None, author: str | None = None) -> dict:
    """The metadata an editor gave (command line, console, Discord options), cleaned, as ParsedArticle fields:
    it wins over what the file or page says. Raises ArticleError naming the bad field."""
    fields = {}
    if title is not None:
        fields["title"] = clean_str(title, "title", required=True)
    if source is not None:
        fields["source"] = clean_str(source, "source", required=True)
    if url is not None:
        fields["url"] = clean_url(url)
    if published is not None:
        fields["published"] = parse_published(published)
    if author is not None:
        fields["author"] = clean_str(author, "author", required=False)
    return fields


def import_article(src: Path, out_dir: Path, *, title: str | None = None, source: str | None = None,
                   url: str | None = None, published: str | date | None = None, author: str | None = None,
                   name: str | None = None, overwrite: bool = False, max_bytes: int = 5_000_000) -> Path:
    kind = SUFFIXES.get(src.suffix.lower())
    if kind is None:
        raise ArticleError(f"unsupported file type '{src.suffix}' (use .txt, .html or .md)")
    if src.stat().st_size > max_bytes:
        raise ArticleError(f"file too large (the limit is {max_bytes:,} bytes)")
    text = decode_article(src.read_bytes(), kind=kind)
    parsed = parse_article_text(text, kind, src, furniture=False)
    overrides = typed_metadata(title=title, source=source, url=url, published=published, author=author)
    article = replace(parsed, **overrides)
    # Furniture is judged against the title the article will carry (a repeated headline is furniture), so reading
    # the written file back keeps exactly these paragraphs.
    article = replace(article, paragraphs=without_furniture(article.paragraphs, article.title))
    if not article.paragraphs:
        raise ArticleError("no article text")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / safe_file_name(name or src.name)
    if target.is_symlink():
        # Writing through a link could land anywhere on disk; a corpus entry is a plain file.
        raise ArticleError(f"{target} is a link; remove it or choose another --name")
    if target.exists() and not overwrite:
        raise ArticleError(f"{target} already exists (use --force to replace it)")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | (0 if overwrite else os.O_EXCL)
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        raise ArticleError(f"{target} already exists (use --force to replace it)") from None
    except OSError as exc:
        raise ArticleError(f"cannot write {target}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(render_markdown(article))
    return target
