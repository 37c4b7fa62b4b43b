"""Discord rendering of answers, timelines, sources and reindex progress, within Discord's size limits.

Same content as `bot.render_text` (quote, outlet, title, date, paragraph, link, "also" outlets), shaped for
Discord: quotes as block quotes, citations as masked links. Every function returns pieces that already fit
(message content ≤ 2,000 characters; embeds within their field and total limits), splitting long material
over several messages or pages instead of failing. Quoted sentences are never shortened or reworded: a
quote too long for one message continues in the next.

Mentions inside article text (`@everyone`, `<@&role>`) are left verbatim; callers send with
`allowed_mentions=AllowedMentions.none()` so they render but ping nobody.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import discord

from retrieval.models import NOT_SURE_NOTE, AnswerResult, Citation, ReindexSummary, SourceInfo, TimelineEvent

from bot.render_text import render_summary

# Discord's limits (https://discord.com/developers/docs/resources/message, .../embed#embed-limits).
MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000

# Our own budgets stay below the limits, leaving room for a header line and readable pages.
LINE_LIMIT = 900  # longest single rendered line; a longer quote continues on the next line
PAGE_CHARS = 3500  # embed description budget per page
TIMELINE_EVENTS_PER_PAGE = 8
SOURCES_PER_PAGE = 15

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.dark_teal()

QUEUED = "queued"  # the progress stage a /reindex shows while it waits its turn (bot.cogs.admin)
_STAGES = {"scan": "reading the corpus folder", "split": "reading articles", "embed": "embedding sentences",
           "write": "writing the index"}
_SAFE_URL = re.compile(r"^https?://[^\s<>()\[\]]+$")


# -- text splitting ------------------------------------------------------------------------------------------
def chunk_text(text: str, limit: int) -> list[str]:
    """Cut text into pieces of at most `limit` characters, at a line break or space when there is one."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit  # one unbroken run longer than the limit: a hard cut is all that is left
            pieces.append(rest[:cut])
            rest = rest[cut:]
        else:
            pieces.append(rest[:cut])
            rest = rest[cut + 1:]  # the break character itself is dropped
    if rest or not pieces:
        pieces.append(rest)
    return pieces


# Discord's markup, as discord.utils.escape_markdown sees it, with three of its gaps closed: a list marker after
# leading spaces is escaped itself (escape_markdown puts the backslash before the spaces, where Discord shows it),
# numbered-list markers ("1. ") and "[" (an article's "[text](link)" would render as a masked link; "]" alone cannot
# open one, and escaping it right after a URL would put the backslash inside the URL, where Discord shows it).
# URLs are left alone, as Discord renders them verbatim (discord.utils._URL_REGEX, copied: it is private).
_URL = r"<[^: >]+:\/[^ >]+>|(?:https?|steam):\/\/[^\s<]+[^<.,:;\"\'\]\s]"
_MARKUP = re.compile(rf"(?P<url>{_URL})|^(?P<lead>[ \t]*)(?P<marker>>|#|-|(?P<num>\d+)\.)|(?P<char>[\\*_~|`\[])",
                     re.MULTILINE)


def _escape_match(m: re.Match) -> str:
    if m.group("url"):
        return m.group("url")
    if m.group("char"):
        return "\\" + m.group("char")
    if m.group("num"):
        return f"{m.group('lead')}{m.group('num')}\\."
    return f"{m.group('lead')}\\{m.group('marker')}"


def escape_text(text: str) -> str:
    """`text` with every Discord Markdown character backslash-escaped, so it shows as written.

    Each escape adds one backslash before one character, so the escaped text is at most twice as long. URLs are
    left as they are (Discord shows them verbatim). Total: any string in, never an exception.
    """
    return _MARKUP.sub(_escape_match, text)


def _fitting_prefix(text: str, limit: int) -> int:
    """The length of a prefix of `text` that escapes to at most `limit` characters, as long as one can be found.

    Binary search: escaping grows with the prefix except around URLs (a cut URL is no longer one), so the
    answer is one that fits, with the next longer prefix not fitting. One character always fits (limit >= 2).
    """
    lo, hi = 1, min(len(text), limit + 1)  # escaping never shortens: limit + 1 raw characters never fit
    if len(escape_text(text[:hi])) <= limit:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(escape_text(text[:mid])) <= limit:
            lo = mid
        else:
            hi = mid
    return lo


def escaped_pieces(text: str, limit: int) -> list[str]:
    """`text` (one line) as Markdown-escaped pieces of at most `limit` characters each, once escaped.

    Cuts at the last space that lets a piece fit (the space is dropped), else mid-word. Escaping happens per
    piece, never across a cut, so a backslash always stays with the character it protects; un-escaped, the
    pieces are the text with at most one space dropped between two of them. Iterative and total: no input
    raises (an earlier recursive version overflowed the stack on long lines full of `*`, RELIABILITY.md).

    Raises ValueError only for `limit` < 2 (one escaped character takes two).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    pieces: list[str] = []
    rest = text
    while True:
        escaped = escape_text(rest)
        if len(escaped) <= limit:
            pieces.append(escaped)
            return pieces
        n = _fitting_prefix(rest, limit)
        cut = rest.rfind(" ", 0, n + 1)  # a space right after the prefix can go: it is dropped
        if cut > 0 and len(piece := escape_text(rest[:cut])) <= limit:
            pieces.append(piece)
            rest = rest[cut + 1:]
        else:  # one unbroken run longer than the limit: a hard cut
            pieces.append(escape_text(rest[:n]))
            rest = rest[n:]
        if not rest:
            return pieces


def quote_lines(text: str, width: int = LINE_LIMIT) -> list[str]:
    """A verbatim quote as Discord block-quote lines, each at most `width` characters."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(f"> {piece}" for piece in escaped_pieces(line, width - 2))
    return lines


def pack(blocks: Iterable[Sequence[str]], limit: int, *, max_blocks: int | None = None,
         gap: str = "\n\n") -> list[str]:
    """Pack blocks of lines into pages of at most `limit` characters.

    Blocks stay whole on a page when they fit; a block longer than a page continues on the next one, line by
    line. Every line must already be at most `limit` long (the render functions guarantee it).
    """
    pages: list[str] = []
    current = ""
    count = 0

    def flush() -> None:
        nonlocal current, count
        if current:
            pages.append(current)
        current, count = "", 0

    for block in blocks:
        text = "\n".join(block)
        room = max_blocks is None or count < max_blocks
        if current and room and len(current) + len(gap) + len(text) <= limit:
            current = f"{current}{gap}{text}"
            count += 1
            continue
        if len(text) <= limit:  # a whole block on a fresh page
            flush()
            current, count = text, 1
            continue
        # A block bigger than any page: start it right here, after a gap, and carry on line by line.
        if current and (not room or len(current) + len(gap) + len(block[0]) > limit):
            flush()
        separator = gap if current else ""
        for line in block:
            if len(line) > limit:
                raise ValueError("a rendered line is longer than the page")
            if current and len(current) + len(separator) + len(line) > limit:
                pages.append(current)
                current, separator = "", ""
            current = f"{current}{separator}{line}"
            separator = "\n"
        count = 1
    flush()
    return pages


def truncate(text: str, limit: int) -> str:
    """For labels only (titles, footers), never for quotes."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- citations -----------------------------------------------------------------------------------------------
# Inside a masked link's text Discord shows backslash escapes literally, so a title is linked only when it needs
# none: no bracket, backslash or "<" (which could end the link or open a mention), no URL, and no pair of
# the characters that make bold, italics, code, strikethrough or spoilers. Any other title is shown as escaped
# text, where escapes work, followed by a short link.
_LINK_BREAKERS = re.compile(r"[\[\]\\<]|://|~~|\|\|")
_PAIRED = "*_`"
LINK_WORD = "link"


def one_line(text: str) -> str:
    """Metadata (a title, an outlet) on one line: runs of whitespace, line breaks included, become one space."""
    return " ".join(text.split())


def link_safe(label: str) -> bool:
    """Whether `label` shows exactly as written inside Discord link text (see _LINK_BREAKERS)."""
    return not _LINK_BREAKERS.search(label) and all(label.count(ch) <= 1 for ch in _PAIRED)


def _safe_url(url: str | None) -> bool:
    return bool(url) and bool(_SAFE_URL.match(url))


def _link(label: str, url: str | None, *, suppress_preview: bool) -> str:
    """A masked link `[label](url)` for a label already checked by link_safe; an unusable URL as plain text."""
    if not _safe_url(url):
        return label + (f" {escape_text(url)}" if url else "")
    # <url> inside a masked link stops Discord from adding a preview card for every cited article.
    target = f"<{url}>" if suppress_preview else url
    return f"[{label}]({target})"


def title_md(title: str, url: str | None, *, suppress_preview: bool) -> str:
    """The quoted title, linked to the article: as the link's own text when that shows it as written, else as
    escaped text followed by `([link](url))`."""
    label = f"“{one_line(title)}”"
    if _safe_url(url) and link_safe(label):
        return _link(label, url, suppress_preview=suppress_preview)
    return _link(escape_text(label), None, suppress_preview=suppress_preview) + (
        f" ({_link(LINK_WORD, url, suppress_preview=suppress_preview)})" if _safe_url(url) else
        (f" {escape_text(url)}" if url else ""))


def citation_md(c: Citation, *, in_embed: bool = False) -> str:
    """Outlet, linked title, date, paragraph: the same facts as render_text.citation_line, on one line."""
    when = c.published or "undated"
    target = c.link or c.url  # the link opens the article at the quote (retrieval.fragments) where it can
    return (f"{escape_text(one_line(c.source))}, {title_md(c.title, target, suppress_preview=not in_embed)}, "
            f"{escape_text(when)}, paragraph {c.paragraph}")


def _long_lines(prefix: str, plain: str, url: str | None) -> list[str]:
    """A line too long for LINE_LIMIT: the plain text in escaped pieces, the link (if any) on a line of its own."""
    lines = escaped_pieces(plain, LINE_LIMIT - len(prefix))
    lines[0] = prefix + lines[0]
    if url:
        lines += [f"<{url}>"] if _safe_url(url) and len(url) + 2 <= LINE_LIMIT else escaped_pieces(url, LINE_LIMIT)
    return lines


def _citation_lines(prefix: str, c: Citation, *, in_embed: bool = False) -> list[str]:
    """`prefix` (Markdown, short) and the citation, as lines of at most LINE_LIMIT characters."""
    line = prefix + citation_md(c, in_embed=in_embed)
    if len(line) <= LINE_LIMIT:
        return [line]
    # A monstrous title, outlet or link: plain text cut into lines, the link after it.
    plain = f"{one_line(c.source)}, “{one_line(c.title)}”, {c.published or 'undated'}, paragraph {c.paragraph}"
    return _long_lines(prefix, plain, c.url)


# -- /ask ----------------------------------------------------------------------------------------------------
def _bold_lines(text: str) -> list[str]:
    """`text` in bold, as lines within LINE_LIMIT; each line is bold on its own so no marker is left open."""
    return [f"**{piece}**" for line in text.splitlines() or [""]
            for piece in escaped_pieces(line, LINE_LIMIT - 4) if piece.strip()]


def answer_messages(result: AnswerResult) -> list[str]:
    """The answer as message contents (each ≤ 2,000 characters): a header, then each quote and its citations."""
    header = _bold_lines(result.question) if result.question else []
    if not result.answered:
        reason = escaped_pieces(one_line(result.reason or "The corpus has no answer to that."), LINE_LIMIT)
        return pack([header, reason] if header else [reason], MESSAGE_LIMIT)
    blocks: list[list[str]] = [header] if header else []
    if not result.sure:
        blocks.append([f"*{piece}*" for piece in escaped_pieces(NOT_SURE_NOTE, LINE_LIMIT - 2)])
    for n, answer in enumerate(result.answers, start=1):
        lines = quote_lines(answer.text)
        lines += _citation_lines(f"— **[{n}]** ", answer.citation)
        for also in answer.also:
            lines += _citation_lines("  also: ", also)
        blocks.append(lines)
    return pack(blocks, MESSAGE_LIMIT)


# -- /timeline -----------------------------------------------------------------------------------------------
def _event_block(e: TimelineEvent) -> list[str]:
    when = f"**{e.date}" + (f" to {e.end}" if e.end else "") + "**" + (f" ({e.mod})" if e.mod else "")
    lines = [when] + quote_lines(e.text)
    lines += _citation_lines("— ", e.citation, in_embed=True)
    for also in e.also:
        lines += _citation_lines("  also: ", also, in_embed=True)
    return lines


def _with_footers(pages: list[str], title: str, footer_tail: str) -> list[discord.Embed]:
    embeds = []
    for i, description in enumerate(pages, start=1):
        embed = discord.Embed(title=truncate(title, EMBED_TITLE_LIMIT), description=description, colour=COLOUR)
        page = f"Page {i}/{len(pages)} · " if len(pages) > 1 else ""
        embed.set_footer(text=truncate(page + footer_tail, EMBED_FOOTER_LIMIT))
        embeds.append(embed)
    return embeds


def timeline_filters(topic: str | None, since=None, until=None) -> str:
    parts = []
    if topic:
        parts.append(f"about “{topic}”")
    if since:
        parts.append(f"from {since}")
    if until:
        parts.append(f"until {until}")
    return " ".join(parts)


def timeline_pages(events: Sequence[TimelineEvent], *, topic: str | None = None, since=None,
                   until=None) -> list[discord.Embed]:
    """The dated events, oldest first, as embed pages for the paginator."""
    filters = timeline_filters(topic, since, until)
    title = "Timeline of the case" + (f" {filters}" if filters else "")
    if not events:
        return [discord.Embed(title=truncate(title, EMBED_TITLE_LIMIT), description="No dated events found.",
                              colour=COLOUR)]
    pages = pack((_event_block(e) for e in events), PAGE_CHARS, max_blocks=TIMELINE_EVENTS_PER_PAGE)
    return _with_footers(pages, title, f"{len(events)} dated event(s), each quoted from its article")


# -- /sources ------------------------------------------------------------------------------------------------
def _source_lines(s: SourceInfo) -> list[str]:
    when = escape_text(s.published or "undated")
    # The page's own later date, so a reporter sees that its dates disagree (the index uses `published`).
    updated = f" (page also says updated {s.modified})" if s.modified else ""
    line = (f"**{when}**{updated} · {escape_text(one_line(s.source))}: "
            f"{title_md(s.title, s.url, suppress_preview=False)} ({s.sentences} sentences)")
    if len(line) <= LINE_LIMIT:
        return [line]
    plain = (f"{s.published or 'undated'}{updated} · {one_line(s.source)}: “{one_line(s.title)}” "
             f"({s.sentences} sentences)")
    return _long_lines("", plain, s.url)


def sources_pages(sources: Sequence[SourceInfo]) -> list[discord.Embed]:
    if not sources:
        return [discord.Embed(title="Sources", description="The index has no articles.", colour=COLOUR)]
    pages = pack((_source_lines(s) for s in sources), PAGE_CHARS, max_blocks=SOURCES_PER_PAGE, gap="\n")
    return _with_footers(pages, f"{len(sources)} article(s) in the index", "newest first")


# -- /reindex ------------------------------------------------------------------------------------------------
def queued_text() -> str:
    """The progress message of a /reindex waiting for the one running on its case (retrieval.engine queues it)."""
    return ("⏳ Queued behind the reindex already running on this case; this message will show this reindex's "
            "summary when it is done. Questions are still answered from the current index meanwhile.")


def progress_text(stage: str | None = None, done: int = 0, total: int = 0) -> str:
    if stage == QUEUED:
        return queued_text()
    if stage is None:
        return "⏳ Reindexing the corpus… questions are still answered from the current index meanwhile."
    label = _STAGES.get(stage, stage)
    share = f" {done:,}/{total:,} ({done * 100 // total}%)" if total else ""
    return f"⏳ Reindexing the corpus: {label}{share}… questions are still answered from the current index."


def _listed(label: str, items: Sequence[str], budget: int) -> str | None:
    if not items:
        return None
    shown: list[str] = []
    used = len(label) + 2
    for item in items:
        if used + len(item) + 2 > budget:
            break
        shown.append(item)
        used += len(item) + 2
    more = len(items) - len(shown)
    return f"{label}: " + ", ".join(shown) + (f" … and {more} more" if more else "")


def summary_text(summary: ReindexSummary, *, requested_by: str | None = None) -> str:
    """The reindex summary in one message: counts, then what was added, changed, removed and skipped.

    Long lists are cut with "… and N more"; the complete summary is in the bot's log.
    """
    head, *skipped_lines = render_summary(summary).splitlines()
    lines = ["✅ " + head]
    if requested_by:
        lines.append(f"Requested by {requested_by}.")
    for label, items in (("Added", summary.added), ("Changed", summary.changed), ("Removed", summary.removed)):
        listed = _listed(label, [escape_text(i) for i in items], 400)
        if listed:
            lines.append(listed)
    if skipped_lines:
        heading, *files = skipped_lines  # "Skipped N file(s):" then "  - path: reason" lines
        lines.append(heading)
        used = sum(len(line) + 1 for line in lines)
        for n, line in enumerate(files):
            # Cut before escaping (at most doubles the length), so no backslash is parted from its character.
            line = "• " + escape_text(truncate(line.strip().removeprefix("- "), LINE_LIMIT // 2))
            if used + len(line) + 1 > MESSAGE_LIMIT - 60:
                lines.append(f"  … and {len(files) - n} more (see the bot's log)")
                break
            lines.append(line)
            used += len(line) + 1
    return truncate("\n".join(lines), MESSAGE_LIMIT)
