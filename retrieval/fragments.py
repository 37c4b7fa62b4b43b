"""Links that open an article at the quoted sentence: URL text fragments (`#:~:text=…`).

The syntax is the WICG "Scroll to Text Fragment" draft (https://wicg.github.io/scroll-to-text-fragment/):
a fragment directive `:~:` after the URL's fragment (or after a bare `#`), then `text=textStart[,textEnd]`.
Each part is percent-encoded, and `-`, `&` and `,` must be encoded too because they delimit the directive's
parts. The browser matches the words case-insensitively and with whitespace collapsed, on word boundaries, so
the words are taken from the quote exactly as the article shows them and only whitespace is normalised.

A browser that does not know text fragments ignores the directive and opens the article at the top, so a link
is never worse than the plain URL.
"""
from __future__ import annotations

from urllib.parse import quote

DIRECTIVE = ":~:"
# A quote longer than this many words is linked as textStart,textEnd: the first and last EDGE_WORDS words.
# Why these sizes: four words are distinctive within one article (Chrome's own "copy link to highlight" starts
# from a few words too), and the range form keeps links short enough for Discord citation lines; a whole
# 60-word sentence would make a link of ~600 characters. Not a retrieval parameter: nothing ranks on it.
EDGE_WORDS = 4
MAX_EXACT_WORDS = 10


def encode_part(text: str) -> str:
    """Percent-encode one directive part: everything but unreserved characters, and `-` as well.

    `quote(..., safe="")` leaves only ALPHA / DIGIT / `_.-~` raw (RFC 3986 unreserved); `-` is unreserved
    but the directive uses it to mark prefix-/-suffix, so the spec requires it encoded. Encoding more than
    required is always allowed: the browser decodes each part before matching.
    """
    # `~` too: raw it is legal in a URL, but `~~` in a Discord masked link would read as strikethrough.
    return quote(text, safe="").replace("-", "%2D").replace("~", "%7E")


def text_directive(quote_text: str) -> str | None:
    """`text=…` for the quote: the whole quote when short, else textStart,textEnd. None for blank text."""
    words = quote_text.split()
    if not words:
        return None
    if len(words) <= MAX_EXACT_WORDS:
        return "text=" + encode_part(" ".join(words))
    start = " ".join(words[:EDGE_WORDS])
    end = " ".join(words[-EDGE_WORDS:])
    return f"text={encode_part(start)},{encode_part(end)}"


def link_to_quote(url: str | None, quote_text: str) -> str | None:
    """The article URL with a text fragment for `quote_text`; None when there is no URL.

    An existing `#fragment` is kept and the directive follows it (`#section:~:text=…`), as the spec places
    it; a directive already on the URL is replaced, since it would point at some other text.
    """
    if not url:
        return None
    directive = text_directive(quote_text)
    if directive is None:
        return url
    base, hash_mark, fragment = url.partition("#")
    fragment = fragment.split(DIRECTIVE, 1)[0] if hash_mark else ""
    return f"{base}#{fragment}{DIRECTIVE}{directive}"
