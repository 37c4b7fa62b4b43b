"""The slash commands as Discord receives them, and /ask, /timeline, /sources on the bundled corpus.

The real discord.py CommandTree and cogs run on simcord's in-memory Discord: interactions arrive as
gateway payloads, and what the bot sends is read back from the recorded REST calls.
"""
from __future__ import annotations

import logging
import re

import pytest
import simcord

from retrieval.engine import NO_ANSWER
from tests.conftest import make_settings
from tests.discord_helpers import all_text, message_bodies, pings_nobody, running_bot

MUSK_QUOTE = "summoned by prosecutors to appear in April"
INDEPENDENT_URL = ("https://www.independent.co.uk/news/world/europe/"
                   "elon-musk-x-office-raid-paris-prosecutors-b2912886.html")


class SpyEngine:
    """The real engine, recording calls (and optionally failing), to see what the bot asked of it and when."""

    def __init__(self, inner, *, fail_with: Exception | None = None, on_ask=None):
        self._inner = inner
        self.fail_with = fail_with
        self.on_ask = on_ask
        self.asked: list[tuple[str, int | None]] = []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def reindex_running(self):
        return self._inner.reindex_running

    def ask(self, question, k=None):
        self.asked.append((question, k))
        if self.on_ask:
            self.on_ask()
        if self.fail_with:
            raise self.fail_with
        return self._inner.ask(question, k)


def _sync_payloads(env) -> dict[str, dict]:
    puts = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert puts, "the bot never synced its commands"
    return {c["name"]: c for c in puts[-1].json}


# -- the command set -----------------------------------------------------------------------------------------
async def test_commands_synced_globally_with_options_descriptions_and_permissions(bundled_engine):
    async with running_bot(bundled_engine) as w:
        sent = _sync_payloads(w.env)
        paths = {r.path for r in w.env.http_requests if r.method == "PUT"}
        assert any(re.fullmatch(r"/applications/\d+/commands", p) for p in paths)  # global: no guild ids set

        assert set(sent) == {"ask", "timeline", "sources", "reindex", "add", "remove", "case", "feedback"}
        # What was sent is exactly the tree's own payload for each command.
        for command in w.bot.tree.get_commands():
            assert sent[command.name] == command.to_dict(w.bot.tree)

        ask = sent["ask"]
        options = {o["name"]: o for o in ask["options"]}
        assert options["question"]["required"] is True and options["question"]["type"] == 3
        assert options["question"]["max_length"] == 500
        assert options["count"]["required"] is False and options["count"]["type"] == 4
        assert (options["count"]["min_value"], options["count"]["max_value"]) == (1, 10)
        assert "Musk" in options["question"]["description"]  # an example a reporter can follow

        timeline = {o["name"]: o for o in sent["timeline"]["options"]}
        assert set(timeline) == {"topic", "since", "until", "case"}
        assert not any(o["required"] for o in timeline.values())
        assert "YYYY-MM-DD" in timeline["since"]["description"] and "YYYY-MM-DD" in timeline["until"]["description"]

        # Admin commands: hidden from members without Manage Server (bit 1<<5), never in DMs.
        for name in ("reindex", "add", "remove", "feedback"):  # /feedback: the newsroom's votes, for editors
            assert int(sent[name]["default_member_permissions"]) == 1 << 5, name
            assert sent[name]["contexts"] == [0], name
        assert sent["case"]["contexts"] == [0]  # /case list and /case set (checked in code) are per server
        for name in ("ask", "timeline", "sources", "reindex", "add", "remove"):
            case = {o["name"]: o for o in sent[name]["options"]}["case"]
            assert case["autocomplete"] is True and case["required"] is False, name
        for name in ("ask", "timeline", "sources"):
            assert sent[name]["default_member_permissions"] is None
            assert sorted(sent[name]["contexts"]) == [0, 1]  # servers and DMs with the bot

        for command in sent.values():
            texts = [command["description"]] + [o["description"] for o in command.get("options", [])]
            texts += [o["description"] for sub in command.get("options", []) for o in sub.get("options", [])]
            assert all(1 <= len(t) <= 100 for t in texts), "Discord caps descriptions at 100 characters"
            assert re.fullmatch(r"[a-z]{1,32}", command["name"])

        # Everyone sees the reporter commands; only the editor sees /reindex.
        assert set(w.reporter.available_commands(w.channel)) == {"ask", "timeline", "sources", "case list",
                                                                 "case set"}  # /case set refuses them in code
        assert set(w.admin.available_commands(w.channel)) == {"ask", "timeline", "sources", "reindex", "add", "feedback",
                                                              "remove", "case list", "case set"}


async def test_commands_synced_to_configured_guilds(bundled_engine, tmp_path):
    guild_id = 1_111_111_111_111_111_111
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             guild_ids=str(guild_id))
    async with running_bot(bundled_engine, settings, guild_id=guild_id) as w:
        puts = [r.path for r in w.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
        assert puts and all(f"/guilds/{guild_id}/commands" in p for p in puts)
        result = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(result)


# -- /ask ----------------------------------------------------------------------------------------------------
async def test_ask_quotes_the_sentence_with_its_citation(bundled_engine):
    spy = SpyEngine(bundled_engine)
    seen_before_search = []
    spy.on_ask = lambda: seen_before_search.append([r.path for r in w.env.http_requests])
    async with running_bot(spy, bundled_engine.settings) as w:
        result = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")

        text = all_text(result)
        assert MUSK_QUOTE in text
        assert "The Independent" in text and INDEPENDENT_URL in text
        assert "paragraph 2" in text and "2026-02-03" in text
        assert re.search(r"^> .*summoned by prosecutors to appear in April", text, re.M)  # a block quote
        assert "[1]" in text  # numbered citation
        assert not result.ephemeral
        # Acknowledged (deferred, "thinking…") before the search began, so never late for Discord's 3 s.
        assert result.deferred or result.acknowledged
        assert any(p.endswith("/callback") for p in seen_before_search[0])
        assert spy.asked == [("When must Musk appear?", None)]
        for _method, _path, body in message_bodies(w.env):
            assert pings_nobody(body)


async def test_ask_count_limits_the_quotes(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question="What did prosecutors do?", count=1)
        text = all_text(result)
        assert "[1]" in text and "[2]" not in text


async def test_off_topic_question_gets_the_no_answer_message(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question="What is the recipe for French onion soup?")
        text = all_text(result)
        assert NO_ANSWER in text
        assert "independent.co.uk" not in text


async def test_unusable_question_is_explained_privately(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question="@everyone ???")
        assert result.ephemeral
        assert "question is empty" in result.response.content
        assert len(w.take_errors()) == 1  # went through the tree's error handler, and nowhere else


async def test_out_of_range_count_is_refused_by_discord_itself(bundled_engine):
    async with running_bot(bundled_engine) as w:
        with pytest.raises(simcord.OptionError):
            await w.reporter.slash(w.channel, "ask", question="When must Musk appear?", count=50)


async def test_unexpected_failure_shows_an_error_id_that_is_in_the_log(bundled_engine, caplog):
    spy = SpyEngine(bundled_engine, fail_with=RuntimeError("disk on fire"))
    caplog.set_level(logging.ERROR, logger="casebot.errors")
    async with running_bot(spy, bundled_engine.settings) as w:
        result = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        match = re.search(r"error id `([0-9a-f]{8})`", all_text(result))
        assert match, all_text(result)
        assert "disk on fire" not in all_text(result)  # internals stay in the log
        [record] = [r for r in caplog.records if match.group(1) in r.getMessage()]
        assert record.exc_info and record.exc_info[0] is RuntimeError
        [error] = w.take_errors()
        assert "disk on fire" in str(error.original)


# -- /sources and /timeline ----------------------------------------------------------------------------------
async def test_sources_lists_the_articles_with_dates_and_links(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "sources")
        text = all_text(result)
        assert "1 article(s) in the index" in text
        assert "2026-02-03" in text and "The Independent" in text and INDEPENDENT_URL in text


async def test_timeline_shows_dated_quoted_events(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "timeline")
        text = all_text(result)
        assert "**2026-04**" in text and MUSK_QUOTE in text
        assert text.index("2025-07") < text.index("2026-04")  # oldest first
        narrowed = await w.reporter.slash(w.channel, "timeline", since="2026-03-01", until="2026-12-31")
        narrowed_text = all_text(narrowed)
        assert MUSK_QUOTE in narrowed_text and "2025-07" not in narrowed_text
        assert "from 2026-03-01 until 2026-12-31" in narrowed_text


@pytest.mark.parametrize("options, expected", [
    ({"since": "03/02/2026"}, "YYYY-MM-DD"),
    ({"until": "2026-02-30"}, "YYYY-MM-DD"),
    ({"since": "2026-05-01", "until": "2026-01-01"}, "after the end date"),
    ({"topic": "@everyone"}, "is empty"),
])
async def test_timeline_bad_dates_get_a_polite_private_reply(bundled_engine, options, expected):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "timeline", **options)
        assert result.ephemeral and not result.deferred
        assert expected in result.response.content
        assert len(w.take_errors()) == 1


async def test_commands_work_in_a_dm_except_reindex(bundled_engine):
    async with running_bot(bundled_engine) as w:
        user = w.reporter.user
        assert set(user.available_commands()) == {"ask", "timeline", "sources"}
        result = await user.slash("ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(result)
