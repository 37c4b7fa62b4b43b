"""Discord's size limits and mention rules, on a long synthetic corpus.

Thirty articles share one syndicated sentence (so one quote carries 29 "also:" citations), and a dozen long
dated sentences, one of them longer than a whole Discord message. The article text and titles contain
`@everyone`, `@here`, a role and a user mention. Whatever the bot sends must fit Discord's limits, ping
nobody, and still quote every sentence verbatim.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings as hsettings, strategies as st

from bot.render_discord import (MESSAGE_LIMIT, answer_messages, chunk_text, pack, quote_lines, summary_text,
                                timeline_pages)
from retrieval.engine import CaseEngine
from retrieval.models import Answer, AnswerResult, Citation, ReindexSummary, SkippedFile
from tests.conftest import make_settings
from tests.discord_helpers import (MENTIONS, SYNDICATED, all_text, limit_problems, message_bodies, pings_nobody,
                                   running_bot, stored_messages, write_long_corpus)

QUESTION = "When must Musk appear before the prosecutors? @everyone <@&123> <@456>"


@pytest.fixture(scope="module")
def long_corpus(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("long")
    sentences = write_long_corpus(base / "corpus")
    engine = CaseEngine(make_settings(base / "corpus", base / "index"), embedder=embedder)
    engine.reindex()
    return engine, sentences


def _unescape(text: str) -> str:
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", text)  # Discord's escape rule: any punctuation or symbol


def _quoted_text(messages: list[str]) -> str:
    """The block-quoted text across messages, lines joined with spaces, escapes removed."""
    lines = [line[2:] for m in messages for line in m.splitlines() if line.startswith("> ")]
    return _unescape(" ".join(lines))


def _assert_sent_within_limits_and_silent(env) -> int:
    bodies = message_bodies(env)
    assert bodies
    for method, path, body in bodies:
        assert not limit_problems(body), (method, path, limit_problems(body))
        assert pings_nobody(body), (method, path, body.get("allowed_mentions"))
    for message in stored_messages(env):  # simcord computes who Discord would notify
        if message.author_id == env.bot.user.id:
            assert not message.ping_user_ids and not message.ping_role_ids and not message.mention_everyone
    return len(bodies)


async def test_long_answer_with_mentions_fits_and_pings_nobody(long_corpus):
    engine, sentences = long_corpus
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question=QUESTION, count=10)
        messages = [result.response.content] + [f.content for f in result.followups]
        assert len(messages) > 1, "a long answer is split over several messages"
        assert len(messages[0]) > MESSAGE_LIMIT // 2, "the first message is filled, not just the question"
        assert _assert_sent_within_limits_and_silent(w.env) >= len(messages)

        text = all_text(result)
        quoted = _quoted_text(messages)
        # Verbatim, mentions included: the syndicated sentence, and the longest one split across messages.
        assert SYNDICATED in quoted and MENTIONS in text
        longest = max(sentences, key=len)
        assert len(longest) > MESSAGE_LIMIT and longest in quoted
        # One quote carries the other outlets' identical sentence as "also:" citations.
        assert len(re.findall(r"^  also: ", text, re.M)) >= 29
        assert "https://news29.example.org/2026/03/musk-summons-29" in text


async def test_long_timeline_pages_fit(long_corpus):
    engine, sentences = long_corpus
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "timeline", topic="Musk summons @everyone <@&123>")
        footer = result.response.embeds[0].footer.text
        pages = int(re.match(r"Page 1/(\d+)", footer).group(1))
        assert pages >= 2
        for _ in range(pages - 1):
            await w.reporter.click(result.response, label="Next ▶")
        assert result.response.embeds[0].footer.text.startswith(f"Page {pages}/{pages}")
        _assert_sent_within_limits_and_silent(w.env)


async def test_long_sources_and_mention_reply_fit(long_corpus):
    engine, _ = long_corpus
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "sources")
        assert "30 article(s)" in result.response.embeds[0].title
        before = len(w.channel.history())
        await w.reporter.send(w.channel, f"{w.bot_mention} {QUESTION}")
        replies = [m for m in w.channel.history()[before:] if m.author.id == w.bot.user.id]
        assert len(replies) > 1 and replies[0].reference is not None  # split: a reply, then the rest after it
        assert MENTIONS in "\n".join(m.content for m in replies)
        _assert_sent_within_limits_and_silent(w.env)


# -- the splitting itself, for any text ----------------------------------------------------------------------
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6000)


@hsettings(max_examples=150, deadline=None, derandomize=True)
@given(_text, st.integers(min_value=1, max_value=2500))
@example("0 ", 1)  # the break after the last piece is dropped too, leaving no empty piece behind
def test_chunk_text_never_exceeds_the_limit_and_loses_only_break_characters(text, limit):
    pieces = chunk_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert len(text) - sum(len(p) for p in pieces) <= len(pieces)  # at most one break character per cut
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=900), min_size=1, max_size=6), max_size=12),
       st.integers(min_value=900, max_value=4000))
def test_pack_keeps_every_line_in_order_within_the_page(blocks, limit):
    pages = pack(blocks, limit)
    assert all(len(p) <= limit for p in pages)
    lines = [line for b in blocks for line in b]
    packed = "\n".join(pages)
    position = 0
    for line in lines:
        found = packed.find(line, position)
        assert found >= 0
        position = found + len(line)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                        max_size=5000), min_size=1, max_size=12),
       st.text(max_size=300), st.text(max_size=600), st.integers(min_value=0, max_value=40))
def test_any_answer_renders_within_the_message_limit(quotes, source, title, also):
    cite = Citation("doc", title, source or "Outlet", "https://example.org/a", "2026-02-03", 3)
    answers = tuple(Answer(q, 1.0, cite, (cite,) * also) for q in quotes)
    messages = answer_messages(AnswerResult("q?" * 200, True, answers))
    assert messages and all(0 < len(m) <= MESSAGE_LIMIT for m in messages)
    for q in quotes:
        words = [w for w in _unescape(" ".join(line[2:] for m in messages for line in m.splitlines()
                                                 if line.startswith("> "))).split()]
        assert " ".join(q.split()) in " ".join(words) or not q.split()


def test_quote_lines_escape_markdown_but_keep_the_words():
    lines = quote_lines("A *bold* claim_with_underscores and ~strike~ | pipes @everyone <@&1>")
    assert lines == ["> A \\*bold\\* claim\\_with\\_underscores and \\~strike\\~ \\| pipes @everyone <@&1>"]


def test_timeline_pages_respect_embed_limits(long_corpus):
    engine, _ = long_corpus
    events = engine.timeline() * 6
    embeds = timeline_pages(events, topic="x" * 400, since="2026-01-01", until="2026-12-31")
    for embed in embeds:
        assert not limit_problems({"embeds": [embed.to_dict()]})


def test_huge_reindex_summary_fits_one_message():
    summary = ReindexSummary(
        documents=5000, sentences=400000, added=[f"outlet-{i}-very-long-article-id" for i in range(800)],
        removed=[f"gone_{i}" for i in range(300)], seconds=812.5,
        skipped=[SkippedFile(f"corpus/bad_{i}.html", "not UTF-8 (bad byte at offset 3)") for i in range(400)])
    text = summary_text(summary, requested_by="<@1>")
    assert len(text) <= MESSAGE_LIMIT
    assert "Indexed 5,000 documents, 400,000 sentences in 812.5s: 800 added" in text
    assert re.search(r"Added: outlet-0-very-long-article-id, .* … and \d+ more", text)
    assert "Skipped 400 file(s):" in text and "• corpus/bad\\_0.html: not UTF-8" in text
    assert re.search(r"… and \d+ more \(see the bot's log\)$", text)
