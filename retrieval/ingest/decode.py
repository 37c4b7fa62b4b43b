"""Bytes of an article file → text: a byte-order mark, then UTF-8, then the charset the page declares, then
detection by charset-normalizer; binary junk is refused with the reason.

Order, and why:
1. A BOM (UTF-8, UTF-16, UTF-32) is unambiguous and wins, as in the WHATWG encoding standard.
2. Bytes that are valid UTF-8 *and* hold a non-ASCII sequence are read as UTF-8 even when a page declares a
   legacy charset: a page saved by an editor as UTF-8 under an old `<meta charset="iso-8859-1">` is common,
   while legacy text that happens to form valid multi-byte UTF-8 ("Ã©") is not.
3. The declared charset (`<meta charset>`, `http-equiv` content-type, XML declaration), read from the first
   bytes of an HTML page; latin-1 labels are read as windows-1252, as browsers do (WHATWG).
4. Otherwise charset-normalizer's best guess (windows-1252 among equally good ones); when nothing fits, or the text is mostly control characters,
   the file is refused as binary.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from retrieval.ingest.errors import ArticleError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# How far into a page a charset declaration is looked for: HTML requires it within the first 1024 bytes;
# pages with long <head> comments or scripts push it further in practice.
_PRESCAN_BYTES = 8192
_DECLARED = (
    re.compile(rb"""<meta[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE),
    re.compile(rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE),
)
# WHATWG: these labels mean windows-1252, whose extra letters (€, œ, curly quotes) are what such pages hold.
_AS_WINDOWS_1252 = {"latin1", "latin_1", "iso8859_1", "iso_8859_1", "ascii", "us_ascii", "l1", "cp819"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def declared_charset(raw: bytes) -> str | None:
    """The Python codec name a page declares in its first bytes, or None if it declares none we know."""
    head = raw[:_PRESCAN_BYTES]
    for pattern in _DECLARED:
        m = pattern.search(head)
        if m:
            label = m.group(1).decode("ascii", "ignore").strip().lower()
            try:
                name = codecs.lookup(label).name
            except LookupError:
                continue
            return "cp1252" if name.replace("-", "_") in _AS_WINDOWS_1252 else name
    return None


def decode_article(raw: bytes, *, kind: str = "text") -> str:
    """Text of an article file's bytes; `kind` is "html", "markdown" or "text" (only HTML declares a charset).

    Raises ArticleError("binary file …") when the bytes are not text in any encoding."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise ArticleError(f"not valid {codec.upper()} after its byte-order mark "
                                   f"(bad byte at offset {exc.start + len(bom)})") from None
    if b"\x00" in raw:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return _checked(text)
    if kind == "html":
        codec = declared_charset(raw)
        if codec is not None:
            try:
                return _checked(raw.decode(codec))
            except UnicodeDecodeError:
                pass  # mislabelled: the declaration is wrong, let detection decide
    return _checked(_detected(raw))


def _detected(raw: bytes) -> str:
    """charset-normalizer's pick; among candidates it cannot tell apart (same chaos and coherence, common for
    short text with few accents), windows-1252, the WHATWG default for an unlabelled page, where it is one."""
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        raise ArticleError("binary file (no text encoding fits its bytes)")
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


def _checked(text: str) -> str:
    if "\x00" in text:
        raise ArticleError("binary file (contains NUL bytes)")
    # Text has tabs and line breaks, never many other control characters; junk decoded as some charset does.
    if text and len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise ArticleError("binary file (mostly control characters, not text)")
    return text
