"""Saved article pages: trafilatura takes the body text and the page's metadata.

trafilatura already leaves out navigation, cookie banners, related links and footers; figure captions are
excluded with images, and what furniture still slips through inside the article body (newsletter boxes,
credits) goes through the same paragraph filter as plain text. The published date is the one the page states
as published, never its "updated" date (see page_dates).

Every paragraph kept is text the page shows, in one piece: trafilatura's "- " list markers are taken off, and a
paragraph whose words do not stand together in the page's own text is taken whole from an extraction without the
precision filter, or dropped. With favor_precision, trafilatura leaves out inline elements it takes for links to
other stories, words and all: "…had a substantial lead in the state, but , notably among…" (a real news page) is
not what the article says, and casebot quotes only what articles say.
"""
from __future__ import annotations

import re
import unicodedata

import lxml.html
import trafilatura

from retrieval.ingest.boilerplate import strip_boilerplate
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.metadata import clean_str, clean_url, outlet_from_url, parse_published
from retrieval.ingest.page_dates import outlet_day, page_dates, url_day
from retrieval.ingest.parsed import ParsedArticle

_CUT_START = re.compile(r"^[a-z,;:.)]")  # news paragraphs open on a capital, a digit or a quote
MATCH_CHARS = 20  # an opening or closing this long tells one paragraph of a page from the others
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LIST_MARKER = re.compile(r"^\s*- ")  # how trafilatura's text output renders a list item; not the page's text
# How a page's <title> tacks the outlet on: "Headline | Outlet", "Headline - Outlet", "Headline › Outlet". A colon
# is not one: "Madagascar: where Françafrique ends" is a headline.
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—›»·•]|::)\s+")
_NOT_WORD = re.compile(r"[\W_]+")
# Whitespace, soft hyphens and zero-width characters: the extractor may add, drop or join them between elements.
_INVISIBLE = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff]+")


def _extract(html: str, *, favor_precision: bool):
    return trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                       include_images=False, favor_precision=favor_precision)


def _lines(body: str) -> list[str]:
    return [_LIST_MARKER.sub("", line).strip() for line in body.split("\n") if line.strip()]


def shown_paragraphs(paragraphs: list[str], html: str) -> list[str]:
    """`paragraphs` (trafilatura's, list markers off) as the page shows them. The precision filter takes out inline
    elements it reads as links to other stories, words and all, leaving holes: inside a paragraph its words no
    longer stand together in the page's text; at its start it opens mid-sentence, in lower case or on a comma. Such
    a paragraph is replaced by the same one from an extraction without that filter (shown whole, opening with the
    words before its first hole or closing with those after its last, at least MATCH_CHARS characters of them), and
    dropped when there is none (a cut-off opening is kept). Unchanged when lxml cannot read the page."""
    shown = page_text(html)
    holed = [shown is not None and _squash(p) not in shown for p in paragraphs]
    cut = [bool(_CUT_START.match(p)) for p in paragraphs]
    if not any(holed) and not any(cut):
        return paragraphs
    try:
        fuller = _extract(html, favor_precision=False)
    except Exception:  # noqa: BLE001 - as in parse_html
        fuller = None
    spare = [p for p in _lines(fuller.text or "") if shown is None or _squash(p) in shown] if fuller else []
    out = []
    for p, is_holed, is_cut in zip(paragraphs, holed, cut):
        if is_holed:
            lead, tail = _shown_ends(p, shown)
            whole = next((c for c in spare if c not in out and c not in paragraphs
                          and ((len(lead) >= MATCH_CHARS and c.startswith(lead))
                               or (len(tail) >= MATCH_CHARS and c.endswith(tail)))), None)
        elif is_cut:
            whole = next((c for c in spare if c not in out and c not in paragraphs and len(c) > len(p)
                          and c.endswith(p)), p)
        else:
            whole = p
        if whole is not None:
            out.append(whole)
    return out


def _shown_ends(paragraph: str, shown: str) -> tuple[str, str]:
    """The longest run of whole words at the paragraph's start, and at its end, that the page shows as they stand:
    the text on either side of the first and last hole."""
    words = paragraph.split(" ")
    lead = next((" ".join(words[:k]) for k in range(len(words) - 1, 0, -1)
                 if _squash(" ".join(words[:k])) in shown), "")
    tail = next((" ".join(words[k:]) for k in range(1, len(words))
                 if _squash(" ".join(words[k:])) in shown), "")
    return lead, tail


def parse_html(text: str, *, fallback_title: str) -> ParsedArticle:
    try:
        doc = _extract(text, favor_precision=True)
    except Exception as exc:  # noqa: BLE001 - trafilatura raises many types on malformed pages
        raise ArticleError(f"unreadable HTML: {type(exc).__name__}") from None
    if doc is None or not (doc.text or "").strip():
        raise ArticleError("no article text found in the page")
    title = clean_str(doc.title, "title", required=False)
    title = without_outlet(title, doc.sitename, doc.url) if title else fallback_title
    paragraphs = shown_paragraphs(_lines(doc.text), text)
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
    else:
        # Only the link witnesses the outlet's day: htmldate's guess as a second witness fixed two such days on
        # labelled pages and broke two right ones.
        link = url or (doc.url if isinstance(doc.url, str) else None)  # a relative link still dates the story
        published = outlet_day(published, stated.published_utc, (url_day(link),))
    return ParsedArticle(
        title=title,
        source=outlet_name(clean_str(doc.sitename, "source", required=False), url) or outlet_from_url(url)
        or "Unknown outlet",
        url=url,
        published=published,
        author=clean_str(doc.author, "author", required=False),
        paragraphs=paragraphs,
        modified=stated.modified,
    )


def without_outlet(title: str, sitename: object, url: object) -> str:
    """The headline without the outlet's name that a page's <title> tacks on ("Woman's body found on beach | Wales
    Online" -> "Woman's body found on beach"): the part after the last separator goes when it is the site's name,
    part of the link's host, or holds a name of the host ("BBC News" on bbc.co.uk; three letters or more). On
    real pages (htmldate's evaluation sets) 148 of 985 titles carried one. Any other title is kept as it is."""
    cuts = list(_TITLE_SEPARATOR.finditer(title))
    if not cuts:
        return title
    last = _NOT_WORD.sub("", title[cuts[-1].end():].casefold())
    name = _NOT_WORD.sub("", sitename.casefold()) if isinstance(sitename, str) else ""
    host = (outlet_from_url(url) or "").casefold() if isinstance(url, str) else ""
    if last and (last == name or (len(last) >= 3 and last in _NOT_WORD.sub("", host))
                 or any(label in last for label in _host_names(url))):  # "BBC News" on bbc.co.uk
        return title[:cuts[-1].start()].strip() or title
    return title


def _host_names(url: object) -> list[str]:
    """The host's names of three letters or more, less "www" and the last label ("bbc" of www.bbc.co.uk)."""
    host = (outlet_from_url(url) or "").casefold() if isinstance(url, str) else ""
    labels = (_NOT_WORD.sub("", label) for label in host.split(".")[:-1])
    return [label for label in labels if len(label) >= 3 and label not in ("com", "www")]


def outlet_name(sitename: str | None, url: object) -> str | None:
    """The outlet's own name out of a site name that carries a tagline or a headline besides ("LN - Lübecker
    Nachrichten" on ln-online.de stays whole; "Boston News, Weather, Sports | WHDH 7News" on whdh.com ->
    "WHDH 7News"; "Achtsam durch die Krise | Die FURCHE" on furche.at -> "Die FURCHE"): the first part between
    separators that holds one of the host's names. Without a link, or when no part does, the site name as it is."""
    if not sitename:
        return sitename
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(sitename) if p.strip()]
    names = _host_names(url)
    if len(parts) < 2 or not names:
        return sitename
    for part in parts:
        flat = _NOT_WORD.sub("", part.casefold())
        if any(name in flat or (len(flat) >= 3 and flat in name) for name in names):
            return part
    return sitename


def _squash(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def page_text(html: str) -> str | None:
    """The text a browser shows of the page (scripts, styles and templates left out), NFC, with whitespace, soft
    hyphens and zero-width characters removed, for a containment check; None when lxml cannot parse the page."""
    try:  # lxml refuses a str that still declares its bytes' encoding; the tree is read, never changed (lxml
        # refuses to set a control character it parsed, so dropping a <script> beside one raised)
        tree = lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1))
        texts = tree.xpath("//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
                           "or ancestor::template)]")
    except Exception:  # noqa: BLE001 - lxml raises several types on junk; the check is then skipped
        return None
    return _squash("".join(texts))
