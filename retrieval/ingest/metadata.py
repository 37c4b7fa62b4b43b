"""Validation of article metadata shared by every corpus format."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

from retrieval.ingest.errors import ArticleError

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def doc_id_for(path: Path, root: Path) -> str:
    """A stable id from the file's place in the corpus: the relative path without its suffix."""
    return doc_id_for_rel(path.relative_to(root).as_posix())


def doc_id_for_rel(rel: str) -> str:
    """`doc_id_for` from a "/"-separated relative path, without pathlib's cost (a corpus may hold thousands)."""
    *folders, name = rel.split("/")
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:  # pathlib's rule for what a suffix is
        name = name[:dot]
    return "/".join(_ID_UNSAFE.sub("-", part).strip("-") or "_" for part in [*folders, name])


def parse_published(value: object, *, field: str = "published") -> date | None:
    if value is None or value == "" or (isinstance(value, str) and value.strip() in _YAML_NULLS):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?", text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ArticleError(f"impossible date in '{field}': {text!r}") from None
    raise ArticleError(f"'{field}' must be a date written YYYY-MM-DD, not {value!r}")


# How YAML writes "nothing"; the front matter is read as plain text, so these arrive as words.
_YAML_NULLS = {"null", "Null", "NULL", "~"}


def clean_str(value: object, field: str, *, required: bool) -> str | None:
    if isinstance(value, str) and value.strip() in _YAML_NULLS:
        value = None
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ArticleError(f"missing '{field}'")
        return None
    if isinstance(value, (dict, list, tuple, set, bytes)):
        raise ArticleError(f"'{field}' must be text, not {type(value).__name__}")
    text = " ".join(str(value).split())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(f"'{field}' is not valid text (it holds an unpaired surrogate escape)") from None
    return text


def clean_url(value: object) -> str | None:
    url = clean_str(value, "url", required=False)
    if url is None:
        return None
    try:
        parsed = urlparse(url)
    except ValueError:
        raise ArticleError(f"'url' is not a valid address: {url!r}") from None
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ArticleError(f"'url' must be an http(s) address, not {url!r}")
    return url


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlparse(url).netloc.lower()
    except ValueError:
        return None
    return host[4:] if host.startswith("www.") else host or None
