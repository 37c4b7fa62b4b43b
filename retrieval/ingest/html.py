"""Saved article pages: trafilatura takes the body text and the page's metadata.

trafilatura already leaves out navigation, cookie banners, related links and footers; figure captions are
excluded with images, and what furniture still slips through inside the article body (newsletter boxes,
credits) goes through the same paragraph filter as plain text. The published date is the one the page states
as published, never its "updated" date (see page_dates).
"""
from __future__ import annotations

import trafilatura

from retrieval.ingest.boilerplate import strip_boilerplate
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.metadata import clean_str, clean_url, outlet_from_url, parse_published
from retrieval.ingest.page_dates import page_dates
from retrieval.ingest.parsed import ParsedArticle


def parse_html(text: str, *, fallback_title: str) -> ParsedArticle:
    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura raises many types on malformed pages
        raise ArticleError(f"unreadable HTML: {type(exc).__name__}") from None
    if doc is None or not (doc.text or "").strip():
        raise ArticleError("no article text found in the page")
    title = clean_str(doc.title, "title", required=False) or fallback_title
    paragraphs = [line.strip() for line in doc.text.split("\n") if line.strip()]
    # trafilatura keeps the page's headline as the first line of the body.
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    paragraphs = strip_boilerplate(paragraphs)
    if not paragraphs:
        raise ArticleError("no article text found in the page")
    try:
        url = clean_url(doc.url)
    except ArticleError:
        url = None  # a page saved from disk may carry a relative or odd canonical link
    stated = page_dates(text)
    published = stated.published
    if published is None:
        try:
            published = parse_published(doc.date)  # htmldate's guess at the original date
        except ArticleError:
            published = None
    return ParsedArticle(
        title=title,
        source=clean_str(doc.sitename, "source", required=False) or outlet_from_url(url) or "Unknown outlet",
        url=url,
        published=published,
        author=clean_str(doc.author, "author", required=False),
        paragraphs=paragraphs,
        modified=stated.modified,
    )
