"""/timeline: the dated events of the case, oldest first, on pages."""
from __future__ import annotations

import asyncio
import logging
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.question import parse_question

from bot.case_choice import case_autocomplete, choose
from bot.cogs.errors import UserFacingError, think
from bot.paginator import send_pages
from bot.render_discord import timeline_pages

log = logging.getLogger("casebot.timeline")


class IsoDate(app_commands.Transformer):
    """A date option typed as YYYY-MM-DD; anything else is answered with a polite, private explanation."""

    async def transform(self, interaction: discord.Interaction, value: str) -> date:
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            raise UserFacingError(f"“{text[:40]}” isn't a date casebot can read. Please write dates as "
                                  "YYYY-MM-DD, for example 2026-02-03.") from None


class Timeline(commands.Cog):
    def __init__(self, bot):
        self.bot = bot

    @app_commands.command(name="timeline", description="The dated events of the case, oldest first, each quoted "
                                                       "from an article.")
    @app_commands.describe(topic="Only events about this, e.g. “Grok images” (optional)",
                           since="Only events from this date on, written YYYY-MM-DD (optional)",
                           until="Only events up to this date, written YYYY-MM-DD (optional)",
                           case="Which case (default: this channel's case, or the only one)")
    @app_commands.autocomplete(case=case_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def timeline(self, interaction: discord.Interaction,
                       topic: app_commands.Range[str, 1, 200] | None = None,
                       since: app_commands.Transform[date, IsoDate] | None = None,
                       until: app_commands.Transform[date, IsoDate] | None = None,
                       case: app_commands.Range[str, 1, 100] | None = None) -> None:
        if since and until and since > until:
            raise UserFacingError(f"The start date ({since}) is after the end date ({until}). "
                                  "Please swap them and try again.")
        if topic:
            parse_question(topic)  # an unusable topic is explained privately, before anything public
        _, engine = choose(self.bot, interaction, case)
        await think(interaction)
        events = await asyncio.to_thread(engine.timeline, topic, since, until)
        log.info("/timeline by %s: %d event(s)", interaction.user.id, len(events))
        await send_pages(interaction, timeline_pages(events, topic=topic, since=since, until=until))


async def setup(bot) -> None:
    await bot.add_cog(Timeline(bot))
