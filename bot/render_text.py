"""Plain-text rendering of answers, timelines, sources and reindex summaries, for the CLI and the console."""
from __future__ import annotations

import textwrap

from retrieval.models import NOT_SURE_NOTE, AnswerResult, Citation, ReindexSummary, SourceInfo, TimelineEvent


def citation_line(c: Citation) -> str:
    when = c.published or "undated"
    # The link that opens the article at the quote (retrieval.fragments), as JSON and Discord give it: reporters
    # paste citations from the console too.
    target = c.link or c.url
    link = f" <{target}>" if target else ""
    return f"{c.source}, “{c.title}”, {when}, paragraph {c.paragraph}{link}"


def render_answer(result: AnswerResult, width: int = 100) -> str:
    if not result.answered:
        return result.reason or "The corpus has no answer to that."
    lines = [] if result.sure else [textwrap.fill(NOT_SURE_NOTE, width=width), ""]
    for n, a in enumerate(result.answers, start=1):
        quote = textwrap.fill(a.text, width=width - 4, initial_indent="  > ", subsequent_indent="  > ")
        lines.append(f"[{n}]\n{quote}")
        lines.append(f"  — {citation_line(a.citation)}")
        for c in a.also:
            lines.append(f"    also: {citation_line(c)}")
        lines.append("")
    return "\n".join(lines).rstrip()


# Said (on stderr) by `casebot reindex` and the console's /reindex while they wait for a reindex already running.
QUEUED_NOTE = ("A reindex of this case is already running (maybe in another casebot process); this one is queued "
               "behind it and starts when it is done.")


def short_citation(c: Citation) -> str:
    return f"{c.source}, {c.published or 'undated'}, ¶{c.paragraph}"


def render_timeline(events: list[TimelineEvent]) -> str:
    """One line per event, date first; the full citations are in `--json` and in the bot."""
    if not events:
        return "No dated events found."
    lines = []
    for e in events:
        date = e.date + (f" to {e.end}" if e.end else "") + (f" ({e.mod})" if e.mod else "")
        cites = "; ".join(short_citation(c) for c in (e.citation, *e.also))
        lines.append(f"{date:<16} {e.text} [{cites}]")
    return "\n".join(lines)


def render_sources(sources: list[SourceInfo]) -> str:
    if not sources:
        return "The index has no articles."
    lines = [f"{len(sources)} article(s) in the index:"]
    for s in sources:
        link = f" <{s.url}>" if s.url else ""
        lines.append(f"- {s.published or 'undated'}{_updated_note(s)}  {s.source}: “{s.title}” "
                     f"({s.sentences} sentences){link}")
    return "\n".join(lines)


def _updated_note(s: SourceInfo) -> str:
    """The page's own later date, so a reporter sees that its dates disagree (the index uses `published`)."""
    return f" (page also says updated {s.modified})" if s.modified else ""


def count_noun(n: int, noun: str) -> str:
    """"1 document", "2,000 documents": the count with thousands separators and the noun singular for one."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


_count = count_noun


def render_summary(summary: ReindexSummary) -> str:
    size = f"{_count(summary.documents, 'document')}, {_count(summary.sentences, 'sentence')}"
    if not summary.rebuilt:
        head = f"Index up to date: {size} (nothing changed)."
    else:
        head = (f"Indexed {size} in {summary.seconds:.1f}s: "
                f"{len(summary.added)} added, {len(summary.changed)} changed, {len(summary.removed)} removed, "
                f"{summary.unchanged} unchanged; {_count(summary.embedded, 'sentence')} embedded.")
    lines = [head]
    if summary.skipped:
        lines.append(f"Skipped {len(summary.skipped)} file(s):")
        lines.extend(f"  - {s.path}: {s.reason}" for s in summary.skipped)
    return "\n".join(lines)
