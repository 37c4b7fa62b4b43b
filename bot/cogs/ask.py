"""/ask and @casebot mentions: a question in, quoted and cited sentences out."""
from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.models import AnswerResult
from retrieval.question import MAX_QUESTION_CHARS, BadQuestion, parse_question

from bot.case_choice import case_autocomplete, choose
from bot.checks import ask_cooldown
from bot.cogs.errors import UserFacingError, log_unexpected, think, unexpected_error_text
from bot.feedback_view import view_for
from bot.render_discord import NO_MENTIONS, answer_messages

log = logging.getLogger("casebot.ask")

MAX_COUNT = 10
MENTION_HINT = ("Ask me a question after the mention, e.g. “@casebot when must Musk appear?”, or use /ask. "
                "I answer only with sentences quoted from the articles, each with its source.")
COOLDOWN_NOTE_SECONDS = 15  # how long the "please wait" reply to a mention stays before it is removed


class Ask(commands.Cog):
    def __init__(self, bot):
        self.bot = bot

    async def answer(self, question: str, count: int | None, engine=None) -> AnswerResult:
        # The search embeds the question and reads the index: off the event loop, so the bot keeps
        # answering other people (and keeps its gateway heartbeat) meanwhile.
        return await asyncio.to_thread((engine or self.bot.engine).ask, question, count)

    @app_commands.command(name="ask", description="Ask about the case: get sentences quoted from the articles, "
                                                  "each with its source.")
    @app_commands.describe(question="Your question, e.g. “When must Musk appear?”",
                           count=f"How many quotes at most (1–{MAX_COUNT}; default 3)",
                           case="Which case (default: this channel's case, or the only one)")
    @app_commands.autocomplete(case=case_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @ask_cooldown()
    async def ask(self, interaction: discord.Interaction,
                  question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
                  count: app_commands.Range[int, 1, MAX_COUNT] | None = None,
                  case: app_commands.Range[str, 1, 100] | None = None) -> None:
        parse_question(question)  # a BadQuestion is answered privately, before anything is shown publicly
        case_name, engine = choose(self.bot, interaction, case)  # so is a case that must be chosen
        await think(interaction)
        result = await self.answer(question, count, engine)
        log.info("/ask by %s: %s, %d quote(s), %.0f ms", interaction.user.id,
                 "answered" if result.answered else "no answer", len(result.answers), result.latency_ms)
        texts = answer_messages(result)
        view = await view_for(self.bot, result, engine, case_name)
        for i, text in enumerate(texts):
            extra = {"view": view} if view is not None and i == len(texts) - 1 else {}  # votes under the last part
            await interaction.followup.send(text, allowed_mentions=NO_MENTIONS, **extra)
            interaction.extras["thinking"] = False  # the first followup replaced "thinking…"

    # -- mentions ------------------------------------------------------------------------------------------
    def _addressed(self, message: discord.Message) -> bool:
        """A direct @mention of the bot (not @everyone or a role), or any message in a DM with it."""
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return False
        return message.guild is None or me.id in message.raw_mentions

    def _question_of(self, message: discord.Message) -> str:
        me = self.bot.user
        return re.sub(rf"<@!?{me.id}>", " ", message.content).strip()

    @commands.Cog.listener("on_message")
    async def answer_mention(self, message: discord.Message) -> None:
        if not self._addressed(message):
            return
        question = self._question_of(message)
        try:
            if not question:
                await self._reply(message, [MENTION_HINT])
                return
            retry_after = self.bot.ask_limiter.hit(message.author.id)
            if retry_after is not None:
                seconds = max(1, round(retry_after))
                await self._reply(message, [f"You're asking faster than casebot allows. Please try again in "
                                            f"{seconds} second{'' if seconds == 1 else 's'}."],
                                  delete_after=COOLDOWN_NOTE_SECONDS)
                return
            try:
                parse_question(question)
            except BadQuestion as exc:
                await self._reply(message, [str(exc)])
                return
            try:
                case_name, engine = choose(self.bot, message.channel.id, None)
            except UserFacingError as exc:
                await self._reply(message, [f"{exc} An admin can set this channel's case with /case set, or "
                                            "use /ask with its case option."])
                return
            result = await self._answer_typing(message.channel, question, engine)
            log.info("mention by %s: %s, %d quote(s), %.0f ms", message.author.id,
                     "answered" if result.answered else "no answer", len(result.answers), result.latency_ms)
            await self._reply(message, answer_messages(result), view=await view_for(self.bot, result, engine, case_name))
        except Exception as exc:  # noqa: BLE001 - a listener has no error handler; the asker still hears back
            error_id = log_unexpected(exc, f"mention by {message.author.id}")
            try:
                await self._reply(message, [unexpected_error_text(error_id)])
            except discord.HTTPException:
                pass

    async def _answer_typing(self, channel, question: str, engine=None) -> AnswerResult:
        """Answer while showing "casebot is typing…"; the indicator is a courtesy, so if Discord refuses it
        the question is still answered."""
        try:
            await channel.typing()
        except discord.HTTPException as exc:
            log.debug("typing indicator refused: %s", exc)
        return await self.answer(question, None, engine)

    async def _reply(self, message: discord.Message, texts: list[str], *, delete_after: float | None = None,
                     view: discord.ui.View | None = None) -> None:
        """The first part as a reply to the question, the rest after it; pinging nobody. `view` (vote buttons)
        goes under the last part."""
        first, *rest = texts
        first_extra = {"view": view} if view is not None and not rest else {}
        try:
            await message.reply(first, mention_author=False, allowed_mentions=NO_MENTIONS,
                                 delete_after=delete_after, **first_extra)
        except discord.HTTPException as exc:
            # Replying needs Read Message History; without it, a plain message still answers.
            log.debug("reply failed (%s); sending without the reference", exc)
            await message.channel.send(first, allowed_mentions=NO_MENTIONS, delete_after=delete_after,
                                       **first_extra)
        for i, text in enumerate(rest):
            extra = {"view": view} if view is not None and i == len(rest) - 1 else {}
            await message.channel.send(text, allowed_mentions=NO_MENTIONS, **extra)


async def setup(bot) -> None:
    await bot.add_cog(Ask(bot))
