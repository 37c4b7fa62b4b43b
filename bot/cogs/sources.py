"""/sources: the articles casebot quotes from, with dates and links."""
from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.case_choice import case_autocomplete, choose
from bot.cogs.errors import think
from bot.paginator import send_pages
from bot.render_discord import sources_pages

log = logging.getLogger("casebot.sources")


class Sources(commands.Cog):
    def __init__(self, bot):
        self.bot = bot

    @app_commands.command(name="sources", description="The articles casebot quotes from, newest first, with "
                                                      "dates and links.")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.describe(case="Which case (default: this channel's case, or the only one)")
    @app_commands.autocomplete(case=case_autocomplete)
    async def sources(self, interaction: discord.Interaction,
                      case: app_commands.Range[str, 1, 100] | None = None) -> None:
        _, engine = choose(self.bot, interaction, case)
        await think(interaction)
        sources = await asyncio.to_thread(engine.sources)
        log.info("/sources by %s: %d article(s)", interaction.user.id, len(sources))
        await send_pages(interaction, sources_pages(sources))


async def setup(bot) -> None:
    await bot.add_cog(Sources(bot))
