"""/case list, /case set (admins), /add (admins: by link or file) and /remove (admins).

Every admin action is checked in code (bot.checks.admin_only), logged with who did what, and answered to the
admin only (ephemeral). Changes to one case queue behind each other in the core (the case's edit lock), so two
admins adding at once both succeed, one after the other.
"""
from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.cases import CaseProblem, case_status
from retrieval.corpus_edit import (EditProblem, add_article, apply_overrides, article_from_file, article_from_page,
                                   remove_article)
from retrieval.indexer import NoArticles, ReindexBusy
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.fetch import FetchError, fetch_page
from retrieval.manifest import IndexProblem

from bot.case_choice import article_autocomplete, case_autocomplete, choose
from bot.checks import admin_only
from bot.cogs.errors import UserFacingError, log_unexpected, unexpected_error_text
from bot.render_cases import render_added, render_cases, render_removed
from bot.render_discord import NO_MENTIONS

log = logging.getLogger("casebot.cases")

CASE_HELP = "Which case (default: this channel's case, or the only one)"
FILE_TYPES = (".md", ".html", ".htm", ".txt")
EXPECTED = (CaseProblem, EditProblem, FetchError, ArticleError)
INDEX_TROUBLE = (ReindexBusy, NoArticles, IndexProblem, OSError)


def _who(interaction: discord.Interaction) -> str:
    return f"{interaction.user} ({interaction.user.id})"


def _clip(text: str, limit: int = 1900) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _private(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(_clip(text), ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(_clip(text), ephemeral=True, allowed_mentions=NO_MENTIONS)


class Cases(commands.Cog):
    case = app_commands.Group(name="case", description="The cases casebot covers, and this channel's case.",
                              allowed_contexts=app_commands.AppCommandContext(guild=True))

    def __init__(self, bot):
        self.bot = bot

    # -- /case list, /case set ---------------------------------------------------------------------------------
    @case.command(name="list", description="The cases, with their article counts and last reindex.")
    async def case_list(self, interaction: discord.Interaction) -> None:
        self.bot.cases.refresh()
        rows = await asyncio.to_thread(lambda: [case_status(info) for info in self.bot.cases.cases])
        text = render_cases(rows)
        default = self.bot.channel_cases.get(interaction.channel_id)
        if default:
            text += f"\nThis channel's case: {default}."
        await _private(interaction, text)

    @case.command(name="set", description="Admins: the case questions in this channel are about by default.")
    @app_commands.describe(case="The case for this channel")
    @app_commands.autocomplete(case=case_autocomplete)
    @admin_only(hide=False)
    async def case_set(self, interaction: discord.Interaction, case: app_commands.Range[str, 1, 100]) -> None:
        self.bot.cases.refresh()
        try:
            info = self.bot.cases.info(case)
        except CaseProblem as exc:
            raise UserFacingError(str(exc)[0].upper() + str(exc)[1:] + ".") from None
        await asyncio.to_thread(self.bot.channel_cases.set, interaction.channel_id, interaction.guild_id, info.name,
                                interaction.user.id)
        log.info("/case set by %s: channel %s of server %s → case %s", _who(interaction), interaction.channel_id,
                 interaction.guild_id, info.name)
        await _private(interaction, f"Questions in this channel now go to case {info.name}"
                                    f"{'' if info.title == info.name else f' ({info.title})'}.")

    # -- /add ------------------------------------------------------------------------------------------------
    @app_commands.command(name="add", description="Admins: add an article to a case, from its link or a file, "
                                                  "and index it.")
    @app_commands.describe(url="The article's address (fetched), or with a file: the article's link",
                           file="The article as a file (.md, .html or .txt)",
                           case=CASE_HELP, title="The headline, where the page or file lacks it",
                           source="The outlet, e.g. The Independent", published="Publication date, YYYY-MM-DD")
    @app_commands.autocomplete(case=case_autocomplete)
    @admin_only()
    async def add(self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000] | None = None,
                  file: discord.Attachment | None = None, case: app_commands.Range[str, 1, 100] | None = None,
                  title: app_commands.Range[str, 1, 300] | None = None,
                  source: app_commands.Range[str, 1, 200] | None = None,
                  published: app_commands.Range[str, 10, 10] | None = None) -> None:
        if url is None and file is None:
            raise UserFacingError("Give the article's link (url) or attach it as a file (file).")
        settings = self.bot.settings
        if file is not None:
            if not file.filename.lower().endswith(FILE_TYPES):
                raise UserFacingError("Attach the article as a .md, .html or .txt file.")
            if file.size > settings.max_file_bytes:
                raise UserFacingError(f"That file is too large (the limit is {settings.max_file_bytes:,} bytes).")
        name, _ = choose(self.bot, interaction, case, need_index=False)
        what = f"file {file.filename!r}" if file is not None else f"link {url}"
        log.info("/add by %s in server %s: %s to case %s", _who(interaction), interaction.guild_id, what, name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            if file is not None:
                data = await file.read()
                article = await asyncio.to_thread(article_from_file, file.filename, data, title=title,
                                                  source=source, url=url, published=published,
                                                  max_bytes=settings.max_file_bytes)
            else:
                page = await asyncio.to_thread(fetch_page, url, allow_private=settings.fetch_allow_private,
                                               max_bytes=settings.max_file_bytes,
                                               timeout=settings.fetch_timeout_seconds)
                article = await asyncio.to_thread(article_from_page, page)
                overrides = {k: v for k, v in (("title", title), ("source", source), ("published", published))
                             if v is not None}
                article = apply_overrides(article, **overrides)
            result = await asyncio.to_thread(add_article, self.bot.cases, name, article)
        except EXPECTED as exc:
            log.info("/add by %s refused: %s", _who(interaction), exc)
            await _private(interaction, f"Nothing was added: {exc}")
            return
        except INDEX_TROUBLE as exc:
            log.warning("/add by %s failed: %s", _who(interaction), exc)
            await _private(interaction, f"Nothing was added: {exc}. The index in service is unchanged.")
            return
        except discord.HTTPException as exc:
            await _private(interaction, f"Could not read the attachment from Discord ({exc.status}); try again.")
            return
        except Exception as exc:  # noqa: BLE001 - reported with an id, like any unexpected failure
            await _private(interaction, unexpected_error_text(log_unexpected(exc, f"/add by {_who(interaction)}")))
            return
        log.info("/add by %s done: %s %s in case %s (%d sentences)", _who(interaction),
                 "updated" if result.updated else "added", result.doc_id, name, result.sentences)
        await _private(interaction, render_added(result))

    # -- /remove ---------------------------------------------------------------------------------------------
    @app_commands.command(name="remove", description="Admins: take an article out of a case (kept in the case's "
                                                     ".removed folder, to undo).")
    @app_commands.describe(article="The article (start typing its title)", case=CASE_HELP)
    @app_commands.autocomplete(article=article_autocomplete, case=case_autocomplete)
    @admin_only()
    async def remove(self, interaction: discord.Interaction, article: app_commands.Range[str, 1, 200],
                     case: app_commands.Range[str, 1, 100] | None = None) -> None:
        name, _ = choose(self.bot, interaction, case)
        log.info("/remove by %s in server %s: %s from case %s", _who(interaction), interaction.guild_id, article,
                 name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await asyncio.to_thread(remove_article, self.bot.cases, name, article)
        except EXPECTED as exc:
            await _private(interaction, f"Nothing was removed: {exc}")
            return
        except INDEX_TROUBLE as exc:
            await _private(interaction, f"Nothing was removed: {exc}. The index in service is unchanged.")
            return
        log.info("/remove by %s done: %s from case %s (file moved to %s)", _who(interaction), result.doc_id, name,
                 result.moved_to)
        await _private(interaction, render_removed(result))


async def setup(bot) -> None:
    await bot.add_cog(Cases(bot))
