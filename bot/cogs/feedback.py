"""Feedback: the vote buttons' handler (registered once, so old buttons work after a restart) and the admin
`/feedback` command (counts and the questions most voted against; `casebot feedback export` turns the votes into
eval questions)."""
from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from retrieval.feedback import render_stats, stats

from bot.checks import admin_only
from bot.feedback_view import FeedbackButton, feedback_store
from bot.render_discord import MESSAGE_LIMIT, NO_MENTIONS, truncate

log = logging.getLogger("casebot.feedback")

EXPORT_HINT = "Turn them into eval questions with `casebot feedback export --out votes.jsonl --review review.json`."


class Feedback(commands.Cog):
    def __init__(self, bot):
        self.bot = bot

    @app_commands.command(name="feedback", description="Votes on casebot's answers: counts and the questions most "
                                                       "voted against (admins).")
    @admin_only()
    async def feedback(self, interaction: discord.Interaction) -> None:
        store = feedback_store(self.bot)
        summary = await asyncio.to_thread(lambda: stats(store.voted()))
        log.info("/feedback by %s: %d vote(s)", interaction.user.id, summary.votes)
        text = escape_markdown(render_stats(summary)) + ("\n\n" + EXPORT_HINT if summary.votes else "")
        await interaction.response.send_message(truncate(text, MESSAGE_LIMIT), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


async def setup(bot) -> None:
    # Any message's vote buttons, from this run or an earlier one, are dispatched to FeedbackButton by custom_id.
    bot.add_dynamic_items(FeedbackButton)
    await bot.add_cog(Feedback(bot))
