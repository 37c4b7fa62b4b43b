"""Field faults in the Discord renderer (issue 16, items 1 and 2).

1. A long quoted sentence with several `*` (censored words) made the escaping recurse until RecursionError: `/ask`
   failed, and `/timeline` failed for the whole case. Every line-cutting path is tested here with long lines full
   of each character that escaping doubles; tests/test_fuzz.py (section 5) fuzzes all render paths.
2. Citation titles were escaped inside masked-link text, where Discord shows backslashes literally.
"""
from __future__ import annotations

import re

import pytest

from bot.render_discord import (LINE_LIMIT, MESSAGE_LIMIT, _citation_lines, _source_lines, answer_messages,
                                citation_md, escaped_pieces, quote_lines, timeline_pages)
from retrieval.engine import CaseEngine
from retrieval.models import Answer, AnswerResult, Citation, SourceInfo, TimelineEvent
from tests.conftest import make_settings
from tests.discord_helpers import limit_problems, message_bodies, running_bot
from tests.test_fuzz import assert_joins_back, shown

CENSORED = ("Prosecutors quoted the post, which called the rules “f***ing absurd” and the regulators “a**holes”, "
            "before saying that s**t like this would not stop the platform, and b******s was the word used for "
            "the summons; ")
# Long lines made of each character that escaping doubles, with and without spaces to cut at.
DOUBLING = {
    "censored-850": (CENSORED * 5)[:850],
    "censored-1300": (CENSORED * 8)[:1300],
    "censored-5000": (CENSORED * 30)[:5000],
    "stars-no-space": "*" * 3000,
    "underscores-words": "snake_case_word " * 200,
    "tildes-pipes": "~|" * 1200,
    "backticks": "`code` " * 400,
    "backslashes": "\\" * 2500,
    "markup-soup": "**bold** __under__ ~~strike~~ ||spoiler|| `code` \\escape [link](https://e.org/a_b) " * 40,
    "line-start-markers": "> quoted # heading - item 1. first " * 60,
}


@pytest.mark.parametrize("text", DOUBLING.values(), ids=DOUBLING.keys())
def test_long_lines_full_of_markdown_render_within_limits_and_verbatim(text):
    lines = quote_lines(text)
    assert all(len(line) <= LINE_LIMIT for line in lines)
    assert_joins_back([shown(line[2:]) for line in lines], text)
    cite = Citation("doc", "A title", "Outlet", "https://example.org/a", "2026-02-03", 2)
    messages = answer_messages(AnswerResult("What did the post say?", True, (Answer(text, 1.0, cite),)))
    assert all(0 < len(m) <= MESSAGE_LIMIT for m in messages)
    event = TimelineEvent("2026-04-20", None, "in April", text, cite)
    for embed in timeline_pages([event] * 3):
        assert not limit_problems({"embeds": [embed.to_dict()]})


@pytest.mark.parametrize("limit", [2, 3, 7, 898])
def test_escaped_pieces_terminate_at_any_limit(limit):
    for text in DOUBLING.values():
        pieces = escaped_pieces(text[:1200], limit)
        assert all(len(p) <= limit for p in pieces)
        assert_joins_back([shown(p) for p in pieces], text[:1200])


def test_escaped_pieces_refuse_a_limit_no_escaped_character_fits():
    with pytest.raises(ValueError):
        escaped_pieces("*", 1)


@pytest.fixture(scope="module")
def starred_corpus(tmp_path_factory, embedder):
    """The field case: a long dated sentence with censored words, in an article of its own."""
    base = tmp_path_factory.mktemp("starred")
    corpus = base / "corpus"
    corpus.mkdir()
    sentence = ("Musk was summoned to appear before the Paris prosecutors on April 20, 2026, after a post that "
                + (CENSORED * 7)[:1100].rstrip("; ") + ".")
    (corpus / "wire-2026-02-04-summons.md").write_text(
        "---\ntitle: Musk summoned by Paris prosecutors\nsource: Test Wire\npublished: 2026-02-04\n"
        "url: https://wire.example.org/summons\n---\n\n" + sentence + "\n\nThe company did not comment.\n",
        encoding="utf-8")
    engine = CaseEngine(make_settings(corpus, base / "index"), embedder=embedder)
    engine.reindex()
    return engine, sentence


def _shown_quotes(contents: list[str]) -> str:
    return "".join(shown(line[2:]) for c in contents for line in c.splitlines() if line.startswith("> "))


@pytest.mark.slow
async def test_long_starred_sentence_through_ask_and_timeline(starred_corpus):
    engine, sentence = starred_corpus
    squeeze = re.compile(r"\s")
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question="When must Musk appear before prosecutors?")
        contents = [result.response.content] + [f.content for f in result.followups]
        assert "something went wrong" not in "\n".join(contents).lower()
        assert squeeze.sub("", sentence) in squeeze.sub("", _shown_quotes(contents))

        result = await w.reporter.slash(w.channel, "timeline")
        description = "\n".join(e.description for e in result.response.embeds)
        assert squeeze.sub("", sentence) in squeeze.sub("", _shown_quotes([description]))
        for _, _, body in message_bodies(w.env):
            assert not limit_problems(body)
        assert not w.take_errors()


# -- 2. titles inside masked links ---------------------------------------------------------------------------
_LINK = re.compile(r"(?<!\\)\[(?P<label>[^\]]*)\]\(<?(?P<url>[^)>\s]*)>?\)")

# Titles that show as written inside link text: kept as the link's text, with no backslash.
LINKABLE = ["Live: markets | Tech_Desk", "Musk (X) summoned: what next?", "Grok’s 5* rating", "Q&A — `one tick",
            "العربية: المدعي العام", "🇫🇷 Paris raid, day 2", "Two\nlines\r\nof title"]
# Titles that would show backslashes or break the link: shown as escaped text (which Discord honours), then a link.
UNLINKABLE = ["[Update] Court rules on X", "Title ](<https://evil>) [", "Ask `grok` about `x`", "a\\b c",
              "||spoiler|| title", "~~struck~~ title", "Q&A: the *new* rules", "snake_case_title",
              "<@123> mentioned", "See https://x.com/a in full"]


@pytest.mark.parametrize("title", LINKABLE)
def test_plain_enough_titles_are_link_text_without_backslashes(title):
    for line in (citation_md(Citation("d", title, "Outlet", "https://e.org/a", "2026-02-03", 2)),
                 _source_lines(SourceInfo("d", title, "Outlet", "https://e.org/a", "2026-02-03", None, 3))[0]):
        links = list(_LINK.finditer(line))
        assert [m.group("label") for m in links] == [f"“{' '.join(title.split())}”"], line
        assert links[0].group("url") == "https://e.org/a"


@pytest.mark.parametrize("title", UNLINKABLE)
def test_other_titles_read_as_written_beside_a_link_that_cannot_break(title):
    line = citation_md(Citation("d", title, "Outlet", "https://e.org/a", "2026-02-03", 2))
    links = list(_LINK.finditer(line))
    assert [(m.group("label"), m.group("url")) for m in links] == [("link", "https://e.org/a")], line
    assert "\n" not in line
    assert f"“{' '.join(title.split())}”" in shown(line[: links[0].start()])


def test_long_titles_and_links_still_fit_and_read_as_written():
    title = "Live: markets | Tech_Desk " * 60
    url = "https://e.org/" + "a" * 1200
    for prefix in ("— **[1]** ", "  also: "):
        lines = _citation_lines(prefix, Citation("d", title, "Out_let", url, "2026-02-03", 2))
        assert all(len(line) <= LINE_LIMIT for line in lines)
        squeeze = re.compile(r"\s")
        assert squeeze.sub("", f"“{title}”") in squeeze.sub("", shown("".join(lines)))
        assert squeeze.sub("", url) in squeeze.sub("", "".join(lines))
