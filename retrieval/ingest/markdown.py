"""The canonical corpus format: Markdown with YAML front matter (title, source, url, published, author, and
optionally modified: a later date the page said it was updated)."""
from __future__ import annotations

import re

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from retrieval.ingest.errors import ArticleError
from retrieval.ingest.metadata import clean_str, clean_url, outlet_from_url, parse_published
from retrieval.ingest.paragraphs import is_markdown_heading, split_paragraphs
from retrieval.ingest.parsed import ParsedArticle


class _TextYAML(YAMLHandler):
    """Front matter values as written: dates stay text so an impossible one is reported as such, not as a YAML
    error, and nothing in a newsroom's file is turned into a Python object."""

    def load(self, fm, **kwargs):
        return yaml.load(fm, Loader=yaml.BaseLoader)


def parse_markdown(text: str) -> ParsedArticle:
    if not text.lstrip().startswith("---"):
        raise ArticleError("no front matter: the file must start with a '---' block holding title, source, url, published")
    try:
        meta, body = frontmatter.parse(text, handler=_TextYAML())
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            raise ArticleError("bad front matter: nested too deeply") from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ArticleError(f"bad front matter: {first}") from None
    if not isinstance(meta, dict):
        raise ArticleError("bad front matter: expected 'key: value' lines")
    url = clean_url(meta.get("url"))
    source = clean_str(meta.get("source"), "source", required=False) or outlet_from_url(url)
    if not source:
        raise ArticleError("missing 'source' (the outlet) and no 'url' to take it from")
    paragraphs = [unescape_paragraph(p) for p in split_paragraphs(body) if not is_markdown_heading(p)]
    return ParsedArticle(
        title=clean_str(meta.get("title"), "title", required=True),
        source=source,
        url=url,
        published=parse_published(meta.get("published", meta.get("date"))),
        author=clean_str(meta.get("author"), "author", required=False),
        paragraphs=paragraphs,
        modified=parse_published(meta.get("modified", meta.get("updated")), field="modified"),
    )


# "\# text" is Markdown's way of writing a paragraph that starts with "#", and "\\# text" one that starts with
# "\#": a run of backslashes before "#" at the start of a paragraph loses one, so any text survives a round trip.
_ESCAPED_HASH = re.compile(r"\\+#")


def escape_paragraph(text: str) -> str:
    return "\\" + text if is_markdown_heading(text) or _ESCAPED_HASH.match(text) else text


def unescape_paragraph(text: str) -> str:
    return text[1:] if _ESCAPED_HASH.match(text) else text
