"""Talking to the bot: page buttons, the per-user cooldown, and @mention questions (in servers and DMs)."""
from __future__ import annotations

import re

import discord
import pytest
import simcord

from tests.conftest import make_settings
from tests.discord_helpers import all_text, message_bodies, pings_nobody, running_bot, stored_messages

MUSK_QUOTE = "summoned by prosecutors to appear in April"


class LongTimelineEngine:
    """The bundled engine, with its real timeline repeated so it needs several pages."""

    def __init__(self, inner, times: int = 5):
        self._inner, self._times = inner, times

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def reindex_running(self):
        return self._inner.reindex_running

    def timeline(self, query=None, since=None, until=None):
        return self._inner.timeline(query, since, until) * self._times


def _buttons(message) -> dict[str, dict]:
    return {c["label"]: c for row in message.components for c in row.get("components", [])}


def _footer(message) -> str:
    return message.embeds[0].footer.text


# -- pages ---------------------------------------------------------------------------------------------------
async def test_only_the_asker_turns_pages_and_the_buttons_expire(bundled_engine):
    engine = LongTimelineEngine(bundled_engine)
    async with running_bot(engine, bundled_engine.settings) as w:
        result = await w.reporter.slash(w.channel, "timeline")
        page = result.response
        # Four pages or more (8 events a page at most; long citation links can push an event to the next page).
        pages = int(re.match(r"Page 1/(\d+) ", _footer(page)).group(1))
        assert pages >= 4
        buttons = _buttons(page)
        assert buttons["◀ Previous"]["disabled"] is True and not buttons["Next ▶"].get("disabled")

        # Someone else clicks: told privately, and the page does not move.
        other = await w.colleague.click(page, label="Next ▶")
        assert other.ephemeral and "Only the person who ran this command" in other.response.content
        assert _footer(result.response).startswith(f"Page 1/{pages}")

        # The asker clicks: the same message now shows page 2.
        turned = await w.reporter.click(page, label="Next ▶")
        assert turned.acknowledged and not turned.followups
        assert _footer(result.response).startswith(f"Page 2/{pages}")
        assert not _buttons(result.response)["◀ Previous"].get("disabled")
        for _ in range(pages - 2):
            await w.reporter.click(result.response, label="Next ▶")
        assert _footer(result.response).startswith(f"Page {pages}/{pages}")
        assert _buttons(result.response)["Next ▶"]["disabled"] is True

        # After the timeout every button is disabled, so nobody clicks a dead button.
        await w.env.advance_time(301)
        assert all(b["disabled"] for b in _buttons(result.response).values())
        with pytest.raises(simcord.SetupError):
            await w.reporter.click(result.response, label="◀ Previous")
        for _method, _path, body in message_bodies(w.env):
            assert pings_nobody(body)


async def test_short_results_have_no_buttons(bundled_engine):
    async with running_bot(bundled_engine) as w:
        result = await w.reporter.slash(w.channel, "sources")
        assert not result.response.components


# -- cooldown ------------------------------------------------------------------------------------------------
async def test_cooldown_per_user_shared_by_ask_and_mentions(bundled_engine):
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             ask_cooldown_rate=2, ask_cooldown_seconds=30)
    # A settle timeout below the note's 15 s lifetime, so simcord parks that timer until advance_time.
    async with running_bot(bundled_engine, settings, settle_timeout=10) as w:
        for _ in range(2):
            ok = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
            assert MUSK_QUOTE in all_text(ok)

        refused = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert refused.ephemeral and not refused.deferred
        assert "Please try again in 30 seconds" in refused.response.content
        [error] = w.take_errors()
        assert isinstance(error, discord.app_commands.CommandOnCooldown)

        # The same budget covers mentions; the note is a reply that removes itself.
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        note = w.channel.last_message
        assert note.author.id == w.bot.user.id and "try again in 30 seconds" in note.content
        await w.env.advance_time(16)
        assert all(m.id != note.id for m in w.channel.history())

        # Other members are not affected; and after the window the reporter may ask again.
        other = await w.colleague.slash(w.channel, "ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(other)
        await w.env.advance_time(15)
        again = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(again)


async def test_cooldown_buckets_belong_to_each_bot(bundled_engine):
    """A fresh bot starts with fresh buckets (nothing shared through module-level commands)."""
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             ask_cooldown_rate=1, ask_cooldown_seconds=60)
    for _ in range(2):
        async with running_bot(bundled_engine, settings) as w:
            first = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
            assert MUSK_QUOTE in all_text(first)


# -- mentions ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("portal_intents", [None, discord.Intents.default()],
                         ids=["all-intents-approved", "message-content-not-approved"])
async def test_mention_is_answered_in_a_reply(bundled_engine, portal_intents):
    options = {} if portal_intents is None else {"approved_intents": portal_intents}
    async with running_bot(bundled_engine, **options) as w:
        question = await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        reply = w.channel.last_message
        assert reply.author.id == w.bot.user.id
        assert reply.reference is not None and reply.reference.message_id == question.id
        assert MUSK_QUOTE in reply.content and "The Independent" in reply.content
        assert reply.content.startswith("**when must Musk appear?**")  # the mention itself is stripped
        stored = w.env.backend.get_message(w.channel.id, reply.id)
        assert not stored.ping_user_ids and not stored.mention_everyone  # the asker is not pinged either
        for _method, _path, body in message_bodies(w.env):
            assert pings_nobody(body)


async def test_messages_not_addressed_to_the_bot_are_ignored(bundled_engine):
    async with running_bot(bundled_engine) as w:
        before = len(w.channel.history())
        await w.reporter.send(w.channel, "when must Musk appear?")
        await w.reporter.send(w.channel, "@everyone when must Musk appear?")
        await w.reporter.send(w.channel, f"{w.colleague.mention} when must Musk appear?")
        assert all(m.author.id != w.bot.user.id for m in w.channel.history()[before:])


async def test_bare_mention_gets_a_hint(bundled_engine):
    async with running_bot(bundled_engine) as w:
        await w.reporter.send(w.channel, w.bot_mention)
        assert "/ask" in w.channel.last_message.content


async def test_question_in_a_dm_is_answered(bundled_engine):
    async with running_bot(bundled_engine) as w:
        await w.reporter.user.send_dm("When must Musk appear?")
        await w.reporter.user.send_dm(f"{w.bot_mention} When must Musk appear?")
        replies = [m for m in w.reporter.user.dm_channel.history() if m.author.id == w.bot.user.id]
        assert len(replies) == 2 and all(MUSK_QUOTE in m.content for m in replies)


async def test_mention_with_everyone_and_roles_pings_nobody(bundled_engine):
    async with running_bot(bundled_engine) as w:
        desk = w.guild.create_role("Desk", mentionable=True)
        await w.reporter.send(w.channel, f"{w.bot_mention} @everyone {desk.mention} {w.colleague.mention} "
                                         "when must Musk appear?")
        reply = w.channel.last_message
        assert MUSK_QUOTE in reply.content
        bot_messages = [m for m in stored_messages(w.env) if m.author_id == w.bot.user.id]
        assert bot_messages and all(
            not m.ping_user_ids and not m.ping_role_ids and not m.mention_everyone for m in bot_messages)
