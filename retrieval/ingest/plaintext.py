"""Plain-text articles as they come: an optional header of `date YYYY-MM-DD` / `title: …` lines, then paragraphs.

A pasted article often has the date line run straight into the page's first block (as the seed does:
`date 2026-02-03 Your support helps us …`), so the date is read off the front of the first line and the rest
of that line is treated as a paragraph like any other, boilerplate filtering included.
"""
from __future__ import annotations

import re

from retrieval.ingest.boilerplate import strip_boilerplate
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.metadata import clean_url, outlet_from_url, parse_published
from retrieval.ingest.paragraphs import split_paragraphs
from retrieval.ingest.parsed import ParsedArticle

_DATE_LINE = re.compile(r"^\s*date:?\s+(\S+)[ \t]*", re.IGNORECASE)
_HEADER = re.compile(r"^\s*(title|source|url|author|published|modified|updated):\s*(.*?)\s*$", re.IGNORECASE)


def read_header(text: str) -> tuple[dict[str, str], str]:
    """Header fields from the top of the text and the body that follows them."""
    fields: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _DATE_LINE.match(line)
        if m and "published" not in fields:
            fields["published"] = m.group(1)
            rest = line[m.end():]
            if rest.strip():
                lines[i] = rest
                break
            i += 1
            continue
        h = _HEADER.match(line)
        if h and h.group(1).lower() not in fields:
            fields[h.group(1).lower()] = h.group(2)
            i += 1
            continue
        break
    return fields, "\n".join(lines[i:])


def parse_plaintext(text: str, *, fallback_title: str) -> ParsedArticle:
    fields, body = read_header(text)
    paragraphs = strip_boilerplate(split_paragraphs(body))
    if not paragraphs:
        raise ArticleError("no article text")
    url = clean_url(fields.get("url"))
    return ParsedArticle(
        title=fields.get("title") or fallback_title,
        source=fields.get("source") or outlet_from_url(url) or "Unknown outlet",
        url=url,
        published=parse_published(fields.get("published"), field="date"),
        author=fields.get("author") or None,
        paragraphs=paragraphs,
        modified=parse_published(fields.get("modified") or fields.get("updated"), field="modified"),
    )
