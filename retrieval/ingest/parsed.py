from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class ParsedArticle:
    """What a format parser returns; the loader gives it an id and checks it."""

    title: str
    source: str
    url: str | None
    published: date | None
    paragraphs: list[str]
    author: str | None = None
    modified: date | None = None  # a later "updated" date the page also states
