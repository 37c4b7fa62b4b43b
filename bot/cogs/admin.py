"""/reindex: rebuild the index from the corpus folder, in the background, with one progress message.

Several /reindex of one case queue (issue 13: admin actions on one case queue rather than fail): each is answered
at once, "queued" when another is running or waiting on that case, and runs in arrival order; each admin's own
message then shows progress and that reindex's summary. One that finds nothing changed since the one before it
costs a scan of the corpus folder. Reindexes of different cases run side by side.

The reindex runs in a worker thread; the engine swaps to the new index in one step when it is ready, so
/ask and /timeline keep answering from the previous index meanwhile. Progress travels from the thread to
the event loop (`ReindexProgress`), and the one progress message is edited at most every
`progress_interval` seconds (Discord rate-limits edits, and reporters do not need every batch).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.indexer import NoArticles
from retrieval.models import ReindexSummary

from bot.case_choice import case_autocomplete, choose
from bot.checks import admin_only
from bot.cogs.errors import log_unexpected
from bot.render_discord import NO_MENTIONS, QUEUED, progress_text, summary_text

log = logging.getLogger("casebot.reindex")


class ReindexProgress:
    """Progress reports from the reindex thread, handed to the event loop.

    Called from the worker thread: it stores the latest (stage, done, total) (a single assignment, atomic)
    and wakes the loop, at most one wake-up pending at a time however fast the reports come.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.latest: tuple[str, int, int] | None = None
        self.changed = asyncio.Event()
        self._loop = loop
        self._wake_pending = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.latest = (stage, done, total)
        if not self._wake_pending:
            self._wake_pending = True
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self._wake_pending = False
        self.changed.set()


async def follow_progress(work: asyncio.Future, progress: ReindexProgress,
                          show: Callable[[str, int, int], Awaitable[None]], interval: float) -> None:
    """Show progress until `work` is done: the first report at once, then at most one per `interval` seconds."""
    shown = None
    last_shown: float | None = None
    while not work.done():
        woken = asyncio.ensure_future(progress.changed.wait())
        await asyncio.wait({work, woken}, return_when=asyncio.FIRST_COMPLETED)
        woken.cancel()
        progress.changed.clear()
        if work.done():
            return
        if last_shown is not None:
            wait = interval - (time.monotonic() - last_shown)
            if wait > 0:  # too soon after the last edit: show whatever is latest once the interval is over
                await asyncio.wait({work}, timeout=wait)
                if work.done():
                    return
        latest = progress.latest
        if latest is not None and latest != shown:
            shown, last_shown = latest, time.monotonic()
            await show(*latest)


class Admin(commands.Cog):
    progress_interval = 2.0  # seconds between edits of the progress message

    def __init__(self, bot):
        self.bot = bot
        # Per case: whose turn it is (asyncio.Lock wakes its waiters in the order they came) and how many
        # /reindex hold or wait for that turn; both are updated before the handler's first await.
        self._turns: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = {}

    @app_commands.command(name="reindex", description="Admins: rebuild the index after adding, changing or "
                                                      "removing articles in the corpus folder.")
    @app_commands.describe(case="Which case (default: this channel's case, or the only one)")
    @app_commands.autocomplete(case=case_autocomplete)
    @admin_only()
    async def reindex(self, interaction: discord.Interaction,
                      case: app_commands.Range[str, 1, 100] | None = None) -> None:
        who = f"{interaction.user} ({interaction.user.id})"
        name, engine = choose(self.bot, interaction, case, need_index=False)
        turn = self._turns.setdefault(name, asyncio.Lock())
        queued = self._pending.get(name, 0) > 0 or engine.reindex_running  # another /reindex, or an /add
        self._pending[name] = self._pending.get(name, 0) + 1
        my_turn = asyncio.ensure_future(turn.acquire())  # in line now, before any await lets a later one in
        try:
            log.info("/reindex of case %s requested by %s in server %s%s", name, who, interaction.guild_id,
                     "; queued behind the reindex running" if queued else "")
            # Answered at once (no defer needed), to the admin only: the work goes on in the background.
            await interaction.response.send_message(progress_text(QUEUED if queued else None), ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            await my_turn
            if queued:
                log.info("/reindex of case %s by %s: its turn has come", name, who)
                if not engine.reindex_running:
                    await self._edit(interaction, progress_text())
            text = await self._reindex(interaction, who, engine)
        finally:
            self._pending[name] -= 1
            if my_turn.done() and not my_turn.cancelled() and my_turn.exception() is None:
                turn.release()
            else:
                my_turn.cancel()  # never got the turn (the first answer failed): leave the line
        await self._finish(interaction, text)

    async def _reindex(self, interaction: discord.Interaction, who: str, engine=None) -> str:
        """Run the reindex off the loop (queued in the engine behind an /add's or another process's reindex of
        the case), keep the progress message current, and return the final text."""
        progress = ReindexProgress(asyncio.get_running_loop())
        work = asyncio.ensure_future(asyncio.to_thread((engine or self.bot.engine).reindex, progress, wait=True,
                                                       on_queued=lambda: progress(QUEUED, 0, 0)))

        async def show(stage: str, done: int, total: int) -> None:
            await self._edit(interaction, progress_text(stage, done, total))

        await follow_progress(work, progress, show, self.progress_interval)
        try:
            summary: ReindexSummary = work.result()
        except (NoArticles, FileNotFoundError) as exc:
            log.warning("/reindex by %s failed: %s", who, exc)
            return f"⚠️ Reindex stopped: {exc}. The previous index is still answering questions."
        except Exception as exc:  # noqa: BLE001 - reported with an id; the index in service is untouched
            error_id = log_unexpected(exc, f"/reindex by {who}")
            return (f"⚠️ Reindex failed (error id `{error_id}`). The previous index is still answering "
                    "questions.")
        log.info("/reindex by %s finished: %s", who, json.dumps(summary.to_json(), ensure_ascii=False))
        return summary_text(summary, requested_by=interaction.user.mention)

    async def _edit(self, interaction: discord.Interaction, text: str) -> None:
        try:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:  # a missed progress update is harmless
            log.debug("progress edit failed: %s", exc)

    async def _finish(self, interaction: discord.Interaction, text: str) -> None:
        try:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            # An interaction can edit its message for 15 minutes; a longer reindex posts the summary anew.
            log.info("could not edit the progress message (%s); posting the summary instead", exc)
            try:
                await interaction.channel.send(text, allowed_mentions=NO_MENTIONS)
            except (discord.HTTPException, AttributeError) as exc2:
                log.warning("could not post the reindex summary: %s", exc2)


async def setup(bot) -> None:
    await bot.add_cog(Admin(bot))
