"""Buttons to turn the pages of a long timeline or source list.

Only the member who ran the command turns the pages (everyone else would be flipping the page under the
asker's eyes); others get a private note. When the view times out its buttons are disabled, so nobody is
left clicking buttons that no longer answer.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.cogs.errors import log_unexpected, unexpected_error_text
from bot.render_discord import NO_MENTIONS

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 300.0  # seconds; well inside the 15 minutes an interaction token can edit its messages


class Paginator(discord.ui.View):
    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float = PAGE_TIMEOUT):
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | discord.WebhookMessage | None = None
        self._refresh_buttons()

    @property
    def page(self) -> discord.Embed:
        return self.pages[self.index]

    def _refresh_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran this command can turn its pages. Run the command yourself to browse.",
            ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        """Turn to `index`; the view moves only once Discord has shown the page, so a refused edit
        leaves it where the reader still sees it."""
        current = self.index
        self.index = index
        self._refresh_buttons()
        try:
            await interaction.response.edit_message(embed=self.page, view=self, allowed_mentions=NO_MENTIONS)
        except BaseException:
            self.index = current
            self._refresh_buttons()
            raise

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, max(0, self.index - 1))

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.primary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, min(len(self.pages) - 1, self.index + 1))

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is None:
            return
        try:
            await self.message.edit(view=self, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:  # deleted message or expired token: nothing left to disable
            log.debug("could not disable page buttons: %s", exc)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        error_id = log_unexpected(error, f"page button for user {interaction.user.id}")
        text = unexpected_error_text(error_id)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:  # Discord refuses even the apology: the log has it all
            log.warning("could not tell user %s about error %s: %s", interaction.user.id, error_id, exc)


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed]) -> None:
    """Send embed pages as the answer to a deferred interaction, with buttons only when there is more than one."""
    if len(pages) == 1:
        await interaction.followup.send(embed=pages[0], allowed_mentions=NO_MENTIONS)
    else:
        view = Paginator(pages, interaction.user.id)
        view.message = await interaction.followup.send(embed=view.page, view=view, wait=True,
                                                       allowed_mentions=NO_MENTIONS)
    interaction.extras["thinking"] = False  # the first followup replaced the "thinking…" message
